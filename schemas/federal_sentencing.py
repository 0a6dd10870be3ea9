import pandera.pandas as pa
from pandera.typing import Series

from schemas import _common as c

MEASURES = {
    "offenders_sentenced": "Offenders sentenced in the fiscal year whose primary offense is in the group.",
    "share_of_all_offenders": "Share of all federal offenders sentenced that year.",
    "offense_type_share": "Share of the group's offenders whose offense type is given in offense_group.",
    "mean_sentence_months": "Average sentence length.",
    "median_sentence_months": "Median sentence length.",
    "share_sentenced_to_prison": "Share of the group's offenders sentenced to prison.",
}


class FederalSentencing(pa.DataFrameModel):
    """Federal sentencing figures for child pornography offenders from the U.S. Sentencing Commission's
    Quick Facts. Each fact sheet also restates four earlier years (the trend chart): one row per figure per
    document, so revisions between editions stay visible."""

    fiscal_year: Series[int] = c.fiscal_year()
    offense_group: Series[str] = pa.Field(description="'child_pornography' for the whole group, or an offense type within it (possession, receipt, distribution, production, ...).")
    measure: Series[str] = pa.Field(isin=list(MEASURES), description="What is measured.")
    value: Series[float] = pa.Field(ge=0, description="The figure as printed (counts are whole numbers).")
    unit: Series[str] = pa.Field(isin=["offenders", "percent", "months"], description="Unit of value.")
    qualifier: Series[str] = c.qualifier()
    evidence: Series[str] = c.evidence()
    document_id: Series[str] = c.document_id()
    page: Series[int] = c.page()

    class Config:
        strict = True
        coerce = True
        unique = ["document_id", "fiscal_year", "offense_group", "measure"]
        family = "outcomes"
        title = "Federal sentencing of child pornography offenders"
