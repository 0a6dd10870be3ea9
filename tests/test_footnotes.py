"""Footnotes travel with the rows they explain (real PDFs, and the reading rule on its own)."""

import pytest

from pipeline.parsers import ncmec_country, ncmec_esp
from pipeline.parsers.base import footnote_note, footnotes
from pipeline.registry import by_id
from tests.conftest import ncmec_pdf

COMBINED = "Report totals for related platforms and companies have been combined."
UNKNOWN = (
    "Reasons include no IP address included in the report, proxy IPs, etc. When the country is "
    "unknown, reports are referred to US federal law enforcement."
)


def test_footnote_runs_on_over_lines_and_stops_at_furniture():
    lines = [
        "Total 32,059,029",
        "*Reasons include no IP address included in the report, proxy IPs, etc. When the",
        "country is unknown, reports are referred to US federal law enforcement.",
        "MissingKids.org/CyberTiplineData",
        "**Second note.",
        "Next paragraph starts here.",
    ]
    assert footnotes(lines) == {"*": UNKNOWN, "**": "Second note."}
    notes = footnotes(lines)
    assert footnote_note("No Country Listed*", notes) == f"Footnote '*' in the document: {UNKNOWN}"
    assert footnote_note("Plain name", notes) is None
    assert (
        footnote_note("X\u2020", notes)
        == "Marked '\u2020' in the document; no footnote for it was found."
    )


def test_starred_esp_rows_carry_the_combined_totals_footnote():
    esp = ncmec_esp.parse(ncmec_pdf("2020-reports-by-esp.pdf"), by_id("ncmec_esp_2020"))[
        "cybertipline_reports_by_esp"
    ]
    starred = esp[esp["esp_name"].str.endswith("*")]
    assert len(starred) == 11
    assert set(starred["note"]) == {f"Footnote '*' in the document: {COMBINED}"}
    assert esp[~esp["esp_name"].str.endswith("*")]["note"].isna().all()


@pytest.mark.parametrize(
    "year, name, prefix",
    [
        (2021, "No Country Listed*", "Footnote '*' in the document: "),
        (2022, "Null", "Footnote '*' (no row carries the marker): "),
    ],
)
def test_unknown_location_row_carries_its_footnote(year, name, prefix):
    by_country = ncmec_country.parse(
        ncmec_pdf(f"{year}-reports-by-country.pdf"), by_id(f"ncmec_country_{year}")
    )["cybertipline_reports_by_country"]
    noted = by_country[by_country["note"].notna()]
    assert noted["country_as_printed"].tolist() == [name]
    assert noted["note"].iloc[0] == prefix + UNKNOWN
