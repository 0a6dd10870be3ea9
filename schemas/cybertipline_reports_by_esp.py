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
    reports: Series[int] = pa.Field(
        ge=0,
        description="CyberTipline reports from this ESP in the year.",
        metadata={"unit": "reports"},
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
        title = "CyberTipline reports by electronic service provider"
