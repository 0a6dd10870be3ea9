import pandera.pandas as pa
from pandera.typing import Series

from schemas import _common as c

RECIPIENTS = {
    "icac_task_forces": "Internet Crimes Against Children (ICAC) task force units.",
    "local_law_enforcement": "Local law enforcement agencies other than ICAC units.",
    "federal_law_enforcement": "Federal law enforcement agencies.",
    "international_law_enforcement": "Law enforcement agencies outside the United States.",
}


class CybertiplineReportsToLawEnforcement(pa.DataFrameModel):
    """CyberTipline reports NCMEC made available to law-enforcement recipients, per the OJJDP-NCMEC
    transparency reports, split actionable / informational with the printed total. Reports made
    available are not investigations, arrests or prosecutions."""

    calendar_year: Series[int] = c.calendar_year()
    recipient: Series[str] = pa.Field(isin=list(RECIPIENTS), description="Recipient type.")
    report_class: Series[str] = pa.Field(
        isin=["actionable", "informational", "total"],
        description="actionable | informational | total, as printed.",
    )
    reports: Series[int] = pa.Field(
        ge=0, description="Reports made available.", metadata={"unit": "reports"}
    )
    note: Series[str] = pa.Field(
        nullable=True, description="Correction or caveat, e.g. a label typo corrected by rule."
    )
    is_latest_edition: Series[bool] | None = c.is_latest_edition()
    document_id: Series[str] = c.document_id()
    page: Series[int] = c.page()

    @pa.dataframe_check(description="exactly one row per figure is the latest edition")
    def one_latest_edition_per_figure(cls, df):
        return c.one_latest_per_figure(df, CybertiplineReportsToLawEnforcement)

    class Config:
        strict = True
        coerce = True
        unique = ["document_id", "calendar_year", "recipient", "report_class"]
        title = "CyberTipline reports made available to law enforcement"
