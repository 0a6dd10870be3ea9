import pandera.pandas as pa
from pandera.typing import DataFrame, Series

from schemas import _common as c

MEASURES = {
    "offenders_sentenced": "Offenders sentenced in the fiscal year whose primary offense is in the group.",
    "share_of_all_offenders": "Share of all federal offenders sentenced that year.",
    "offense_type_share": "Share of the group's offenders whose offense type is given in offense_group.",
    "mean_sentence_months": "Average sentence length.",
    "median_sentence_months": "Median sentence length.",
    "share_sentenced_to_prison": "Share of the group's offenders sentenced to prison.",
}

# The unit each measure is printed in; a row whose unit disagrees is a parser bug.
MEASURE_UNITS = {
    "offenders_sentenced": "offenders",
    "share_of_all_offenders": "percent",
    "offense_type_share": "percent",
    "mean_sentence_months": "months",
    "median_sentence_months": "months",
    "share_sentenced_to_prison": "percent",
}

OFFENSE_GROUPS = {
    "child_pornography": "All offenders whose primary offense is child pornography.",
    "possession": "Child pornography offenders whose offense type is possession.",
    "receipt": "Child pornography offenders whose offense type is receipt.",
    "distribution": "Child pornography offenders whose offense type is distribution (USSC also "
    "prints this as 'trafficking'; the printed word is kept in evidence).",
    "production": "Child pornography offenders whose offense type is production.",
    "all_offenses": "All offenders sentenced under the guidelines that year (the fact sheet's "
    "denominator), not only child pornography offenders.",
}


class FederalSentencing(pa.DataFrameModel):
    """Federal sentencing figures for child pornography offenders from the U.S. Sentencing Commission's
    Quick Facts. Each fact sheet also restates four earlier years (the trend chart): one row per figure per
    document, so revisions between editions stay visible. Prose figures whose sentence makes them
    cumulative, partial-year or relative ("since fiscal year 2018", "through March", "last year") are
    not rows; the parser lists them as skipped with the reason."""

    fiscal_year: Series[int] = c.fiscal_year()
    offense_group: Series[str] = pa.Field(
        isin=list(OFFENSE_GROUPS),
        description="'child_pornography' for the whole group, an offense type within it (possession, receipt, distribution, production), or 'all_offenses' for the sheet's count of all offenders sentenced.",
    )
    measure: Series[str] = pa.Field(isin=list(MEASURES), description="What is measured.")
    value: Series[float] = pa.Field(
        ge=0, description="The figure as printed (counts are whole numbers)."
    )
    unit: Series[str] = pa.Field(
        isin=["offenders", "percent", "months"], description="Unit of value."
    )
    qualifier: Series[str] = c.qualifier()
    evidence: Series[str] = c.evidence()
    is_latest_edition: Series[bool] | None = c.is_latest_edition()
    document_id: Series[str] = c.document_id()
    page: Series[int] = c.page()

    @pa.dataframe_check(description="unit is the one the measure is printed in")
    def unit_matches_measure(cls, df: DataFrame) -> Series[bool]:
        return df["unit"] == df["measure"].map(MEASURE_UNITS)

    @pa.dataframe_check(description="percentages are at most 100")
    def percent_at_most_100(cls, df: DataFrame) -> Series[bool]:
        return (df["unit"] != "percent") | (df["value"] <= 100)

    @pa.dataframe_check(description="counts of offenders are whole numbers")
    def counts_are_whole(cls, df: DataFrame) -> Series[bool]:
        return (df["unit"] != "offenders") | (df["value"] % 1 == 0)

    @pa.dataframe_check(description="exactly one row per figure is the latest edition")
    def one_latest_edition_per_figure(cls, df):
        return c.one_latest_per_figure(df, FederalSentencing)

    class Config:
        strict = True
        coerce = True
        unique = ["document_id", "fiscal_year", "offense_group", "measure"]
        title = "Federal sentencing of child pornography offenders"
