import pandera.pandas as pa
from pandera.typing import Series

from schemas import _common as c

STAGES = {
    "suspects_referred": "Suspects referred to U.S. attorneys for investigation.",
    "suspects_declined": "Suspects whose matters U.S. attorneys declined to prosecute.",
    "defendants_prosecuted": "Defendants charged (cases filed) in U.S. district court.",
    "defendants_convicted": "Defendants convicted.",
    "defendants_sentenced_to_prison": "Convicted defendants sentenced to prison.",
}

OFFENSE_SCOPES = {
    "child_sex_exploitation": "Child sex exploitation offenses as BJS defines them (child pornography, "
    "sex abuse of a minor, sex transportation of a minor), e.g. NCJ 219412.",
    "child_pornography": "Child pornography offenses only.",
    "commercial_sexual_exploitation_of_children": "Commercial sexual exploitation of children (CSEC) "
    "offenses as BJS defines them, e.g. NCJ 250746.",
}


class FederalProsecutions(pa.DataFrameModel):
    """Federal case-processing counts for child sexual exploitation offenses, as stated by BJS reports.
    Every row is one whole fiscal year: prose counts whose sentence makes them cumulative, partial-year
    or relative ("since 2004", "through March", "last year") are not rows; the parser lists them as
    skipped with the reason."""

    fiscal_year: Series[int] = c.fiscal_year()
    offense_scope: Series[str] = pa.Field(
        isin=list(OFFENSE_SCOPES),
        description="Offense scope as defined by the report: 'child_sex_exploitation', 'child_pornography' or 'commercial_sexual_exploitation_of_children'.",
    )
    stage: Series[str] = pa.Field(isin=list(STAGES), description="Case-processing stage.")
    value: Series[int] = pa.Field(
        ge=0, description="Number of suspects or defendants.", metadata={"unit": "persons"}
    )
    qualifier: Series[str] = c.qualifier()
    evidence: Series[str] = c.evidence()
    is_latest_edition: Series[bool] | None = c.is_latest_edition()
    document_id: Series[str] = c.document_id()
    page: Series[int] = c.page()

    @pa.dataframe_check(description="exactly one row per figure is the latest edition")
    def one_latest_edition_per_figure(cls, df):
        return c.one_latest_per_figure(df, FederalProsecutions)

    class Config:
        strict = True
        coerce = True
        unique = ["document_id", "fiscal_year", "offense_scope", "stage"]
        title = "Federal prosecution of child sexual exploitation offenders"
