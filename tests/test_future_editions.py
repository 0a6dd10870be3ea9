"""Stand-in future editions (2023-2025) of NCMEC's "Reports by ESP" and "Reports by Country" PDFs,
generated with reportlab (tests/standins/ncmec_future.py) and run through the real
``parse(path, doc)``, pdfplumber included.

No real copy of those editions exists offline, so each test writes a small, plausible edition into
``tmp_path`` (file names contain "standin"; nothing is committed) that changes one or more things a
later edition may change: header wording, total spelling, font, column positions, wrapped names with
the count on either line, names with asterisks, ampersands, commas and diacritics, a page that ends
mid-table, the 2019 two-pairs-per-line layout, new unknown-location labels. Every positive variant
must reconcile to the exact rows (name, count, page) and total the generator printed; every negative
variant must fail with a ParseError that names the document and where it went wrong. A country
name the mapper does not know is not a negative variant: it is published as printed with no code
(tests/test_unknown_labels.py covers the rest).
"""

from __future__ import annotations

from dataclasses import replace

import pdfplumber
import pytest

from pipeline.parsers import ncmec_country, ncmec_esp
from pipeline.parsers.base import ParseError
from pipeline.registry import Document, by_id
from tests.standins.ncmec_future import (
    BREAK,
    COUNTRY_2024,
    ESP_2023,
    ESP_SPECIAL,
    ESP_WRAPPED,
    SAINT_HELENA,
    TWO_PAIRS,
    Built,
    build,
    country_rows,
    esp_rows,
    row,
)

ESP_DOC = by_id("ncmec_esp_2023")
COUNTRY_DOC = by_id("ncmec_country_2024")


# ------------------------------------------------------------------------------------------------
# By ESP
# ------------------------------------------------------------------------------------------------


def parse_esp(built: Built, doc: Document = ESP_DOC):
    return ncmec_esp.parse(built.path, doc)


def assert_esp(built: Built, doc: Document = ESP_DOC) -> None:
    out = parse_esp(built, doc)
    esp, by_year = out["cybertipline_reports_by_esp"], out["cybertipline_reports_by_year"]
    got = list(esp[["esp_name", "reports", "page"]].itertuples(index=False, name=None))
    assert got == built.rows
    assert set(esp["calendar_year"]) == {doc.year} and set(esp["document_id"]) == {doc.id}
    assert by_year[["measure", "value", "page"]].values.tolist() == [
        ["reports_esp", built.total, built.total_page]
    ]
    assert int(esp["reports"].sum()) == built.total


def test_esp_helvetica_new_header_total_reports_and_a_short_page(tmp_path):
    rows = esp_rows(150, seed=2023)
    rows.insert(70, BREAK)  # page 3 ends after a few rows, mid-table; page 4 carries on
    built = build(tmp_path / "esp-2023-standin.pdf", ESP_2023, rows)
    assert built.pages == 6 and {p for _, _, p in built.rows} == set(range(1, 7))
    assert_esp(built)
    wrapped_names = {r.name for r in ESP_WRAPPED}
    wrapped = {name: (n, page) for name, n, page in built.rows if name in wrapped_names}
    assert wrapped == {
        "Deluxe Corporation/ColoCrossing/ HudsonValleyHost": (22, 2),
        "EasyOnlineSolutions/MojoHost/ North Tone/Hosthead": (41, 2),
        "Hosting Services Inc/Midphase/WestHost/ Autica/VPS": (33, 3),
    }


def test_esp_times_other_columns_grand_total(tmp_path):
    layout = replace(
        ESP_2023,
        font="Times-Roman",
        bold="Times-Bold",
        columns=((60.0, 552.0),),
        total_label="Grand Total",
        pitch=18.0,
        wrap=12.5,
    )
    built = build(tmp_path / "esp-2024-standin.pdf", layout, esp_rows(60, seed=2024))
    assert built.pages == 3
    assert_esp(built)
    names = [name for name, _, _ in built.rows]
    for special in ESP_SPECIAL:
        assert special.name in names


def test_esp_continuation_page_without_repeated_header(tmp_path):
    # A later edition may print the header once: later pages then start with rows under the
    # running header, which is furniture.
    layout = replace(ESP_2023, repeat_header=False, header=("ESP", "Number of Reports"))
    built = build(tmp_path / "esp-2025-standin.pdf", layout, esp_rows(45, seed=2025))
    assert built.pages == 2
    assert_esp(built)


# --- ESP negative cases ---------------------------------------------------------------------------


def esp_error(built: Built) -> str:
    with pytest.raises(ParseError) as err:
        parse_esp(built)
    message = str(err.value)
    assert message.startswith(f"{ESP_DOC.id}, page ")
    return message


def test_esp_total_that_does_not_match_the_rows(tmp_path):
    rows = esp_rows(40, seed=7)
    stated = sum(r.value for r in rows) + 1
    built = build(tmp_path / "esp-bad-total-standin.pdf", ESP_2023, rows, total=stated)
    assert esp_error(built) == (
        f"ncmec_esp_2023, page 2: expected ESP rows adding up to the stated total {stated:,}; "
        f"found '40 rows summing to {stated - 1:,}'"
    )


def test_esp_third_column_is_refused(tmp_path):
    # 2024 introduced "bundling" (one report, many incidents): a column next to the reports.
    layout = replace(
        ESP_2023, header=("ESP", "Reports", "Incidents"), columns=((72.0, 400.0, 530.0),)
    )
    rows = [replace(r, counts=(*r.counts, f"{2 * r.value:,}")) for r in esp_rows(40, seed=8)]
    built = build(tmp_path / "esp-incidents-standin.pdf", layout, rows)
    assert esp_error(built) == (
        "ncmec_esp_2023, page 1: expected a table header with exactly two columns, "
        "such as 'ESP | Number of Reports'; found 'ESP Reports Incidents'"
    )


def test_esp_third_column_before_the_reports_is_refused(tmp_path):
    layout = replace(
        ESP_2023, header=("ESP", "Incidents", "Reports"), columns=((72.0, 400.0, 530.0),)
    )
    rows = [replace(r, counts=(f"{2 * r.value:,}", *r.counts)) for r in esp_rows(40, seed=9)]
    built = build(tmp_path / "esp-incidents-first-standin.pdf", layout, rows)
    assert esp_error(built) == (
        "ncmec_esp_2023, page 1: expected a table header with exactly two columns, "
        "such as 'ESP | Number of Reports'; found 'ESP Incidents Reports'"
    )


def test_esp_wrapped_name_split_by_a_page_break_is_refused(tmp_path):
    # Plausible (a layout tool letting a row break across pages), but then the second half sits
    # alone in the first ruled band of the next page: refused rather than glued to another row.
    rows = esp_rows(60, seed=11)
    rows[30:31] = [row("Deluxe Corporation/ColoCrossing/", "22"), BREAK, row("HudsonValleyHost")]
    built = build(tmp_path / "esp-split-row-standin.pdf", ESP_2023, rows)
    assert esp_error(built) == (
        "ncmec_esp_2023, page 3: expected an ESP name with its count, or half of a wrapped name; "
        "found 'HudsonValleyHost'"
    )


def test_esp_unrecognisable_header_is_refused(tmp_path):
    layout = replace(ESP_2023, header=("Organization", "Volume"))
    built = build(tmp_path / "esp-no-header-standin.pdf", layout, esp_rows(40, seed=10))
    # Not tied to one page (no header on any), so "page -", as the existing tests pin.
    assert esp_error(built) == (
        "ncmec_esp_2023, page -: expected a table header such as 'ESP | Number of Reports'"
    )


# ------------------------------------------------------------------------------------------------
# By country
# ------------------------------------------------------------------------------------------------


# ------------------------------------------------------------------------------------------------
# By country
# ------------------------------------------------------------------------------------------------


def assert_country(built: Built, doc: Document = COUNTRY_DOC, *, unknown: str) -> None:
    out = ncmec_country.parse(built.path, doc)
    df, by_year = out["cybertipline_reports_by_country"], out["cybertipline_reports_by_year"]
    got = list(df[["country_as_printed", "reports", "page"]].itertuples(index=False, name=None))
    assert got == built.rows
    assert df.loc[df["is_location_unknown"], "country_as_printed"].tolist() == [unknown]
    assert df.loc[~df["is_location_unknown"], "country_iso3"].notna().all()
    iso3 = dict(zip(df["country_as_printed"], df["country_iso3"], strict=True))
    diacritics = ["\u00c5land Islands", "C\u00f4te d'Ivoire", "Cura\u00e7ao", "T\u00fcrkiye"]
    assert [iso3[name] for name in diacritics] == ["ALA", "CIV", "CUW", "TUR"]
    helena = df[df["country_as_printed"] == " ".join(SAINT_HELENA)]
    assert helena[["country_iso3", "reports"]].values.tolist() == [["SHN", 4]]
    assert by_year[["measure", "value", "page"]].values.tolist() == [
        ["reports_total", built.total, built.total_page]
    ]
    assert set(df["document_id"]) == {doc.id} and set(df["calendar_year"]) == {doc.year}


NOT_SPECIFIED_NOTE = "*No country could be determined from the information in the report."


@pytest.mark.parametrize(
    ("n", "unknown", "helena_at", "footnote", "pages"),
    [
        # 90 rows fill page 3 exactly: the total stands alone on page 4 under a repeated header.
        (90, "Unknown", 0, COUNTRY_2024.footnote, 4),
        (80, "No Country Specified*", 0.5, NOT_SPECIFIED_NOTE, 3),
        (80, "No Country Specified*", 1, NOT_SPECIFIED_NOTE, 3),
    ],
    ids=["unknown-helena-first-line", "not-specified-helena-between", "not-specified-helena-last"],
)
def test_country_one_pair_per_line(tmp_path, n, unknown, helena_at, footnote, pages):
    rows = country_rows(n, seed=24, unknown=unknown, helena_at=helena_at)
    layout = replace(COUNTRY_2024, footnote=footnote)
    built = build(tmp_path / "country-2024-standin.pdf", layout, rows)
    assert (built.pages, built.total_page) == (pages, pages)
    assert_country(built, unknown=unknown)


def test_country_times_grand_total_other_columns(tmp_path):
    layout = replace(
        COUNTRY_2024,
        font="Times-Roman",
        bold="Times-Bold",
        columns=((72.0, 540.0),),
        header=("Country / Territory", "Reports"),
        total_label="Grand Total",
        pitch=15.0,
    )
    rows = country_rows(200, seed=25, unknown="Unknown", helena_at=0)
    built = build(tmp_path / "country-2025-standin.pdf", layout, rows)
    assert built.pages == 6
    assert_country(built, unknown="Unknown")


def test_country_two_pairs_per_line_like_2019(tmp_path):
    # 2019 wraps these two as well, count on the first line. Congo lands in the left pair of page 2,
    # Saint Vincent (and Saint Helena) in the right pair of page 3.
    extra = (
        row(("Congo, The Democratic", "Republic of the"), "3,856"),
        row(("Saint Vincent and the", "Grenadines"), "253"),
    )
    rows = country_rows(220, seed=19, unknown="No Country Listed*", helena_at=0, extra=extra)
    path = tmp_path / "country-two-pairs-standin.pdf"
    # Like 2019, the last page fills both pairs part-way, then prints the total block below them.
    first_build = build(path, TWO_PAIRS, rows)
    last_page = first_build.rows[-1][2]
    on_last = [i for i, (*_, page) in enumerate(first_build.rows) if page == last_page]
    rows.insert(on_last[len(on_last) // 2], BREAK)
    built = build(path, TWO_PAIRS, rows)
    assert built.pages == 4
    assert_country(built, unknown="No Country Listed*")
    wrapped = {
        name: page for name, _, page in built.rows if name.startswith(("Congo, T", "Saint V"))
    }
    assert wrapped == {
        "Congo, The Democratic Republic of the": 2,
        "Saint Vincent and the Grenadines": 3,
    }


# --- country negative cases -----------------------------------------------------------------------


def country_error(built: Built) -> str:
    with pytest.raises(ParseError) as err:
        ncmec_country.parse(built.path, COUNTRY_DOC)
    message = str(err.value)
    assert message.startswith(f"{COUNTRY_DOC.id}, page ")
    return message


def test_country_total_that_does_not_match_the_rows(tmp_path):
    rows = country_rows(60, seed=1, unknown="Unknown", helena_at=0)
    stated = sum(r.value for r in rows) - 10
    built = build(tmp_path / "country-bad-total-standin.pdf", COUNTRY_2024, rows, total=stated)
    assert country_error(built) == (
        f"ncmec_country_2024, page {built.total_page}: expected country rows adding up to the "
        f"printed total {stated:,}; found 'they sum to {stated + 10:,} (difference +10)'"
    )


def test_country_name_the_mapper_does_not_know(tmp_path):
    # Published as printed with no code, not refused: one unknown name must not sink the edition.
    rows = country_rows(60, seed=2, unknown="Unknown", helena_at=0)
    rows.insert(3, row("Atlantis", "17"))
    built = build(tmp_path / "country-atlantis-standin.pdf", COUNTRY_2024, rows)
    df = ncmec_country.parse(built.path, COUNTRY_DOC)["cybertipline_reports_by_country"]
    got = list(df[["country_as_printed", "reports", "page"]].itertuples(index=False, name=None))
    assert got == built.rows
    atlantis = df[df["country_as_printed"] == "Atlantis"]
    assert atlantis[["country_iso3", "is_location_unknown", "reports", "page"]].values.tolist() == [
        [None, False, 17, 1]
    ]
    assert df["country_iso3"].isna().sum() == 2  # Atlantis and the unknown-location row
    assert int(df["reports"].sum()) == built.total


def test_country_continuation_page_without_repeated_header_is_refused(tmp_path):
    # Plausible, and the ESP parser reads it, but the country parser insists on the header per page
    # (tests/test_parser_ncmec_country.py pins this): a loud stop, not wrong numbers.
    layout = replace(COUNTRY_2024, repeat_header=False)
    rows = country_rows(60, seed=4, unknown="Unknown", helena_at=0)
    built = build(tmp_path / "country-header-once-standin.pdf", layout, rows)
    first_on_2 = next(f"{name} {n:,}" for name, n, page in built.rows if page == 2)
    assert country_error(built) == (
        "ncmec_country_2024, page 2: expected the table header repeated on every table page (last "
        f"seen: 'Country / Territory Number of Reports'); found '{first_on_2}'"
    )


def test_country_unrecognisable_header_is_refused(tmp_path):
    layout = replace(COUNTRY_2024, header=("Jurisdiction", "Reports"))
    rows = country_rows(60, seed=3, unknown="Unknown", helena_at=0)
    built = build(tmp_path / "country-no-header-standin.pdf", layout, rows)
    # Not tied to one page (no header on any), so "page -", as the existing tests pin.
    assert country_error(built) == (
        "ncmec_country_2024, page -: expected a table header such as 'Country / Territory  Number "
        "of Reports'; found 'no page has one'"
    )


def test_generated_files_are_stand_ins(tmp_path):
    built = build(tmp_path / "esp-check-standin.pdf", ESP_2023, esp_rows(40, seed=1))
    with pdfplumber.open(built.path) as pdf:
        assert "stand-in" in pdf.metadata["Creator"]
        assert "2023 CyberTipline Reports by" in pdf.pages[0].extract_text()
