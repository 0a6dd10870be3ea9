import pandera.pandas as pa
from pandera.typing import Series

from schemas import _common as c
from schemas.cybertipline_reports_to_law_enforcement import RECIPIENTS


class CybertiplineLawEnforcementFeedback(pa.DataFrameModel):
    """Instances of law-enforcement feedback to NCMEC about CyberTipline reports, by recipient type, per the
    OJJDP-NCMEC transparency reports. Feedback instances are NOT arrests."""

    calendar_year: Series[int] = c.calendar_year()
    recipient: Series[str] = pa.Field(
        isin=list(RECIPIENTS), description="Recipient type that gave the feedback."
    )
    feedback_instances: Series[int] = pa.Field(
        ge=0, description="Instances of feedback received.", metadata={"unit": "feedback instances"}
    )
    note: Series[str] = pa.Field(
        str_contains="not arrests",
        description="Always says that feedback instances are not arrests; may add corrections.",
    )
    is_latest_edition: Series[bool] | None = c.is_latest_edition()
    document_id: Series[str] = c.document_id()
    page: Series[int] = c.page()

    @pa.dataframe_check(description="exactly one row per figure is the latest edition")
    def one_latest_edition_per_figure(cls, df):
        return c.one_latest_per_figure(df, CybertiplineLawEnforcementFeedback)

    class Config:
        strict = True
        coerce = True
        unique = ["document_id", "calendar_year", "recipient"]
        title = "Law-enforcement feedback on CyberTipline reports"
