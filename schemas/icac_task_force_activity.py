import pandera.pandas as pa
from pandera.typing import Series

from schemas import _common as c

MEASURES = {
    "investigations": "Investigations conducted by ICAC task forces in the fiscal year.",
    "arrests": "Offenders arrested by ICAC task forces in the fiscal year.",
    "forensic_examinations": "Forensic examinations (or, in the publisher's words, forensic interviews: see term_as_published).",
    "people_trained": "Law enforcement, prosecutors and other professionals trained, when stated as one figure (or as 'people'/'professionals').",
    "people_trained_law_enforcement": "Law enforcement personnel trained, when stated separately.",
    "people_trained_prosecutors": "Prosecutors trained, when stated separately.",
    "people_trained_other": "Other professionals trained, when stated separately ('other professionals working in the ICAC field').",
    "funding_usd": "Program funding in U.S. dollars.",
}


class IcacTaskForceActivity(pa.DataFrameModel):
    """ICAC Task Force Program activity figures stated by OJJDP/DOJ, read from prose. Each row keeps the
    publisher's term, the qualifier and the verbatim text it came from. Every row is one whole federal
    fiscal year: cumulative totals ("since 1998", "to date"), multi-year figures and partial-year
    figures ("in the first three quarters of FY 2009", "as of March") are not rows at all (the parser
    lists them as skipped, with the reason, in the parse metadata). A year read from a relative or
    carried phrase ("last year", "That same year") says how in period_note."""

    fiscal_year: Series[int] = c.fiscal_year()
    measure: Series[str] = pa.Field(isin=list(MEASURES), description="What is counted.")
    value: Series[int] = pa.Field(
        ge=0,
        description="The figure as a plain integer (dollars for funding_usd).",
        metadata={"unit": "count or USD"},
    )
    qualifier: Series[str] = c.qualifier()
    period_note: Series[str] = c.period_note()
    term_as_published: Series[str] = pa.Field(
        str_length={"min_value": 1},
        description="The publisher's word for the measure, e.g. 'forensic interviews'.",
    )
    evidence: Series[str] = c.evidence()
    is_latest_edition: Series[bool] | None = c.is_latest_edition()
    document_id: Series[str] = c.document_id()
    page: Series[int] = c.page(nullable=True)
    capture_timestamp: Series[str] = pa.Field(
        nullable=True,
        str_matches=r"^\d{14}$",
        description="Web-archive capture time (YYYYMMDDhhmmss) for HTML pages; empty for PDFs and live pages.",
    )

    @pa.dataframe_check(description="exactly one row per figure is the latest edition")
    def one_latest_edition_per_figure(cls, df):
        return c.one_latest_per_figure(df, IcacTaskForceActivity)

    class Config:
        strict = True
        coerce = True
        unique = ["document_id", "capture_timestamp", "fiscal_year", "measure"]
        title = "ICAC Task Force Program activity"
