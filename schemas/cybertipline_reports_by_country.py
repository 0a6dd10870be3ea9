import pandera.pandas as pa
from pandera.typing import Series

from schemas import _common as c


class CybertiplineReportsByCountry(pa.DataFrameModel):
    """CyberTipline reports by the country of the reported user's apparent location, per NCMEC's yearly
    'Reports by Country' PDF. Rows of one document sum exactly to the total it prints (measure
    reports_total in cybertipline_reports_by_year)."""

    calendar_year: Series[int] = c.calendar_year()
    country_as_printed: Series[str] = pa.Field(
        str_length={"min_value": 1},
        description="Country or territory name as printed (wrapped names joined with one space).",
    )
    country_iso3: Series[str] = pa.Field(
        nullable=True,
        str_matches=r"^[A-Z]{3}$",
        description="ISO 3166-1 alpha-3 code (pycountry plus an explicit override table); empty for the unknown-location row and for a name the override table does not know yet (a misspelt territory, published as printed and listed by the unknown-labels warning check; never guessed).",
    )
    is_location_unknown: Series[bool] = pa.Field(
        description="True for the row NCMEC prints for reports without a country ('No Country Listed', 'Null', ...).",
    )
    reports: Series[int] = pa.Field(
        ge=0, description="CyberTipline reports in the year.", metadata={"unit": "reports"}
    )
    note: Series[str] = pa.Field(
        nullable=True,
        description="Caveat travelling with the row: the document's footnote for a name printed with a marker (e.g. why no country is known), and from 2024 the bundling caveat.",
    )
    document_id: Series[str] = c.document_id()
    page: Series[int] = c.page()

    @pa.dataframe_check(
        description="the unknown-location row has no iso3 (an empty iso3 alone may also be a name "
        "not yet in the override table)"
    )
    def unknown_location_has_no_iso3(cls, df):
        return ~df["is_location_unknown"] | df["country_iso3"].isna()

    class Config:
        strict = True
        coerce = True
        unique = ["document_id", "country_as_printed"]
        title = "CyberTipline reports by country"
