import pandera.pandas as pa
from pandera.typing import Series

from schemas import _common as c


class CybertiplineReportsByEsp(pa.DataFrameModel):
    """CyberTipline reports submitted by each electronic service provider (ESP), per NCMEC's yearly
    'Reports by ESP' PDF. Rows of one document sum exactly to the total it prints (measure
    reports_esp in cybertipline_reports_by_year)."""

    calendar_year: Series[int] = c.calendar_year()
    esp_name: Series[str] = pa.Field(
        str_length={"min_value": 1},
        description="ESP name as printed; names wrapped over two lines are joined with one space.",
    )
    esp_key: Series[str] | None = pa.Field(
        str_matches=r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*$",
        description="One key per provider across editions, for time series (groupby esp_key): the "
        "name with footnote markers, case, punctuation and a trailing corporate form (Inc., LLC, "
        "Ltd., Corp. ...) or web domain (.com) removed, words joined by '-', names printed together "
        "('A / B', 'A (B)', 'A d/b/a B') joined by '/'; then a reviewed override for renames and trade "
        "names (pipeline/esp_names.py OVERRIDES, each with its reason; e.g. 'Verizon Media' -> "
        "'yahoo'). A parent printed with related platforms combined is not merged with its platforms "
        "printed separately in other years; see related_platforms_combined.",
    )
    reports: Series[int] = pa.Field(
        ge=0,
        description="CyberTipline reports from this ESP in the year.",
        metadata={"unit": "reports"},
    )
    related_platforms_combined: Series[bool] | None = pa.Field(
        description="True where the document's footnote for the name's marker says report totals for "
        "related platforms and companies were combined (2019 and 2020 editions, e.g. 'Facebook*'): "
        "that count covers more than the named platform, so it is not comparable with the same "
        "esp_key in a year without the flag.",
    )
    note: Series[str] = pa.Field(
        nullable=True,
        description="Caveat travelling with the row: the document's footnote for a name printed with a marker (e.g. related platforms' totals combined), and from 2024 the bundling caveat.",
    )
    document_id: Series[str] = c.document_id()
    page: Series[int] = c.page()

    class Config:
        strict = True
        coerce = True
        unique = ["document_id", "esp_name"]
        # esp_key is unique per document in every edition 2019-2022 (tests/test_analyst_flags.py).
        title = "CyberTipline reports by electronic service provider"
