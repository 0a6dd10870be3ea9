"""NCMEC "CyberTipline Reports by Country": the four real PDFs in the shared mirror (2019-2022), checked
against the printed totals and the independent transcriptions, plus perturbed pages fed to the pure
layer for the drift a later edition may bring (no real 2023+ copy exists, so those pages are built
here from words and coordinates)."""

from __future__ import annotations

import csv
import re
import time

import pandas as pd
import pytest

import schemas
from pipeline import countries
from pipeline.labels import unknown_labels
from pipeline.parsers import ncmec_country as nc
from pipeline.parsers.base import ParseError
from pipeline.registry import by_id
from tests.conftest import TRANSCRIPTIONS, ncmec_pdf

PDFS = {
    2019: "2019-cybertipline-reports-by-country.pdf",
    2020: "2020-reports-by-country.pdf",
    2021: "2021-reports-by-country.pdf",
    2022: "2022-reports-by-country.pdf",
}
TOTALS = {2019: 16_987_361, 2020: 21_751_085, 2021: 29_397_681, 2022: 32_059_029}
# Measured on the real PDFs and pinned: rows (countries + the unknown row, without the total).
ROWS = {2019: 242, 2020: 245, 2021: 245, 2022: 247}
ROWS_PER_PAGE = {
    2019: {2: 73, 3: 73, 4: 72, 5: 24},
    2020: {1: 16, 2: 37, 3: 37, 4: 37, 5: 37, 6: 36, 7: 37, 8: 8},
    2021: {1: 16, 2: 37, 3: 37, 4: 37, 5: 37, 6: 37, 7: 37, 8: 7},
    2022: {1: 16, 2: 37, 3: 37, 4: 37, 5: 37, 6: 36, 7: 37, 8: 10},
}
TOTAL_PAGE = {2019: 5, 2020: 8, 2021: 8, 2022: 8}
UNKNOWN = {  # label as printed, reports, page
    2019: ("No Country Listed*", 1_668_157, 5),
    2020: ("No Country Listed*", 641_874, 8),
    2021: ("No Country Listed*", 1_193_266, 8),
    2022: ("Null", 1_662_916, 8),
}
SAINT_HELENA = "Saint Helena, Ascension and Tristan da Cunha"
SAINT_HELENA_ROWS = {2019: (2, 4), 2020: (0, 6), 2022: (1, 6)}  # reports, page; absent in 2021
# Where the transcriptions use another code than countries.py, on purpose (see pipeline/countries.py):
# "Europe" is not a country (EEE is not in ISO's user-assigned range), Kosovo's usual code is XKX.
TRANSCRIPTION_CODES = {"EEE": "XEU", "KOS": "XKX"}

COLUMNS = [
    "calendar_year",
    "country_as_printed",
    "country_iso3",
    "is_location_unknown",
    "reports",
    "note",
    "document_id",
    "page",
]


@pytest.fixture(scope="module")
def real() -> dict[int, tuple[list[nc.PageWords], dict[str, pd.DataFrame], float]]:
    """Each real PDF read and parsed once for the whole module: (pages, tables, seconds)."""
    out = {}
    for year, name in PDFS.items():
        doc = by_id(f"ncmec_country_{year}")
        start = time.perf_counter()
        pages = nc.read_pages(ncmec_pdf(name))
        tables = nc.parse_pages(pages, doc.id, doc.year)
        out[year] = (pages, tables, time.perf_counter() - start)
    return out


@pytest.fixture(scope="module")
def parsed(real) -> dict[int, dict[str, pd.DataFrame]]:
    return {year: tables for year, (_, tables, _) in real.items()}


def _validate(name: str, df: pd.DataFrame) -> pd.DataFrame:
    return schemas.TABLES[name].validate(df, lazy=True)


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def _transcribed(path, year_column: str) -> dict[str, int]:
    """iso3 ('' for the unknown row) -> reports, summed over rows sharing a code (French Guiana and
    'Guiana, French' are both GUF), codes translated where we chose differently."""
    out: dict[str, int] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if not row.get("country") or not row[year_column].strip():
                continue  # blank separator lines; countries not listed that year
            code = TRANSCRIPTION_CODES.get(row["iso3"], row["iso3"])
            out[code] = out.get(code, 0) + _count(row[year_column])
    return out


def _by_code(df: pd.DataFrame) -> dict[str, int]:
    keys = df["country_iso3"].where(~df["is_location_unknown"], "")
    return {str(k): int(v) for k, v in df.groupby(keys)["reports"].sum().items()}


def _diff(got: dict[str, int], expected: dict[str, int]) -> list[str]:
    return [
        f"{code or '(unknown)'}: pdf {got.get(code)} vs transcription {expected.get(code)}"
        for code in sorted(set(got) | set(expected))
        if got.get(code) != expected.get(code)
    ]


# ------------------------------------------------------------------------------------------------
# Real PDFs
# ------------------------------------------------------------------------------------------------


def test_all_four_pdfs_parse_quickly(real):
    # About 0.4 s each on the development machine; the bound only catches a pathological slowdown.
    assert sum(seconds for _, _, seconds in real.values()) < 10


def test_parse_is_read_pages_then_parse_pages(real, parsed, monkeypatch):
    pages = {ncmec_pdf(name): real[year][0] for year, name in PDFS.items()}
    monkeypatch.setattr(nc, "read_pages", lambda path: pages[path])  # no second read of the PDF
    out = nc.parse(ncmec_pdf(PDFS[2022]), by_id("ncmec_country_2022"))
    for name, df in out.items():
        pd.testing.assert_frame_equal(df, parsed[2022][name])


@pytest.mark.parametrize("year", PDFS)
def test_total_rows_and_pages(parsed, year):
    by_country = parsed[year]["cybertipline_reports_by_country"]
    by_year = parsed[year]["cybertipline_reports_by_year"]
    assert list(by_country.columns) == COLUMNS
    assert len(by_country) == ROWS[year]
    assert by_country.groupby("page").size().to_dict() == ROWS_PER_PAGE[year]
    assert int(by_country["reports"].sum()) == TOTALS[year]
    assert (by_country["calendar_year"] == year).all()
    assert (by_country["document_id"] == f"ncmec_country_{year}").all()
    assert by_year.to_dict("records") == [
        {
            "calendar_year": year,
            "measure": "reports_total",
            "value": TOTALS[year],
            "qualifier": None,
            "note": None,
            "document_id": f"ncmec_country_{year}",
            "page": TOTAL_PAGE[year],
        }
    ]
    # Reading order: alphabetical from Afghanistan, the unknown row last, no furniture in between.
    assert by_country["country_as_printed"].iloc[0] == "Afghanistan"
    assert by_country["country_as_printed"].iloc[-2] == "Zimbabwe"
    assert (
        not by_country["country_as_printed"]
        .str.contains(r"Total|Copyright|Reports|Reasons|MissingKids", case=False)
        .any()
    )


@pytest.mark.parametrize("year", PDFS)
def test_pandera_validation(parsed, year):
    for name, df in parsed[year].items():
        out = _validate(name, df)
        assert len(out) == len(df)


@pytest.mark.parametrize("year", PDFS)
def test_full_table_matches_ocse_transcription(parsed, year):
    by_country = parsed[year]["cybertipline_reports_by_country"]
    expected = _transcribed(TRANSCRIPTIONS / "ocse-reports-per-country.csv", str(year))
    assert _diff(_by_code(by_country), expected) == []


def test_2021_matches_second_transcription(parsed):
    by_country = parsed[2021]["cybertipline_reports_by_country"]
    expected = _transcribed(TRANSCRIPTIONS / "ncmec-countries-2021.csv", "reports")
    assert _diff(_by_code(by_country), expected) == []


def test_transcription_code_differences_are_exactly_the_documented_ones():
    seen = set()
    for name in ("ocse-reports-per-country.csv", "ncmec-countries-2021.csv"):
        with open(TRANSCRIPTIONS / name, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row.get("country") and row["iso3"] and row["iso3"] in TRANSCRIPTION_CODES:
                    seen.add((row["country"], row["iso3"]))
                    assert countries.to_iso3(row["country"]) == TRANSCRIPTION_CODES[row["iso3"]]
    assert seen == {("Europe", "EEE"), ("Kosovo", "KOS")}


@pytest.mark.parametrize("year", PDFS)
def test_unknown_location_row(parsed, year):
    df = parsed[year]["cybertipline_reports_by_country"]
    unknown = df[df["is_location_unknown"]]
    label, reports, page = UNKNOWN[year]
    assert unknown[["country_as_printed", "reports", "page"]].values.tolist() == [
        [label, reports, page]
    ]
    assert unknown["country_iso3"].tolist() == [None]
    assert df.loc[~df["is_location_unknown"], "country_iso3"].notna().all()


@pytest.mark.parametrize("year", PDFS)
def test_wrapped_saint_helena(parsed, year):
    df = parsed[year]["cybertipline_reports_by_country"]
    rows = df[df["country_iso3"] == "SHN"]
    if year not in SAINT_HELENA_ROWS:
        assert rows.empty
        return
    reports, page = SAINT_HELENA_ROWS[year]
    assert rows[["country_as_printed", "reports", "page"]].values.tolist() == [
        [SAINT_HELENA, reports, page]
    ]
    # The halves did not leak into the neighbouring rows.
    assert df["country_as_printed"].str.contains("Tristan|Cunha").sum() == 1
    at = df.index.get_loc(rows.index[0])
    before, after = df["country_as_printed"].iloc[at - 1], df["country_as_printed"].iloc[at + 1]
    assert before.startswith("Saint Bart") and after == "Saint Kitts and Nevis"


def test_other_wrapped_names(parsed):
    df = parsed[2019]["cybertipline_reports_by_country"].set_index("country_as_printed")
    assert df.loc["Saint Vincent and the Grenadines", "reports"] == 253
    assert df.loc["Congo, The Democratic Republic of the", "reports"] == 3_856
    assert df.loc["Lao People\u2019s Democratic Republic", "reports"] == 23_599
    assert df.loc["Samoa", "reports"] == 122  # the line under "Grenadines"
    assert df.loc["Cook Islands", "reports"] == 9  # the line under "Republic of the"


def test_2019_two_pairs_per_line(parsed):
    df = parsed[2019]["cybertipline_reports_by_country"]
    page2 = df[df["page"] == 2]["country_as_printed"].tolist()
    # Left column first (Afghanistan..Burundi), then the right one (Cambodia..Federated States...).
    assert page2[:2] == ["Afghanistan", "Aland Islands"]
    assert page2[36:39] == ["Burundi", "Cambodia", "Cameroon"]
    assert page2[-1] == "Federated States of Micronesia"
    # Running header "2019 Reports by ESP" on every table page is ignored; the year comes from the title.
    assert (df["calendar_year"] == 2019).all()


def test_dash_counts_are_zero(parsed):
    df = parsed[2020]["cybertipline_reports_by_country"].set_index("country_as_printed")
    assert df.loc[["Norfolk Island", SAINT_HELENA, "Svalbard"], "reports"].tolist() == [0, 0, 0]


def test_odd_names_as_printed(parsed):
    df = pd.concat(p["cybertipline_reports_by_country"] for p in parsed.values())
    pairs = set(zip(df["country_as_printed"], df["country_iso3"], strict=True))
    for pair in [
        ("Europe", "XEU"),
        ("Kosovo", "XKX"),
        ("Netherlands Antilles", "ANT"),
        ("Guiana, French", "GUF"),
        ("French Guiana", "GUF"),
        ("Macao/Macao", "MAC"),
        ("Macedonia/North Macedonia", "MKD"),
        ("Eretria", "ERI"),
        ("Sierre Leone", "SLE"),
        ("Saint Bartelemey", "BLM"),
        ("Turks and Calcos Islands", "TCA"),
        ("Yemen Arab Republic", "YEM"),
        ("Cote d\u2019Ivoire (Ivory Coast)", "CIV"),
        ("Pitcairn, Henderson, Ducie, and Oeno", "PCN"),
    ]:
        assert pair in pairs


@pytest.mark.parametrize("year", PDFS)
def test_real_editions_have_no_unknown_labels(parsed, year):
    """Every name in the real editions maps (the unknown-location row is not an unknown label)."""
    df = parsed[year]["cybertipline_reports_by_country"]
    assert unknown_labels("cybertipline_reports_by_country", df) == []
    assert df["country_iso3"].isna().tolist() == df["is_location_unknown"].tolist()


def test_year_must_match_registry(real):
    with pytest.raises(ParseError) as err:
        nc.parse_pages(real[2021][0], "ncmec_country_2020", 2020)
    assert str(err.value) == (
        "ncmec_country_2020, page 1: expected the title to name the registry's year 2020; "
        "found '2021'"
    )


# ------------------------------------------------------------------------------------------------
# Perturbed pages for the pure layer. Words get widths from their length (0.5 em per character),
# like a proportional font; rows are 16.3 pt apart like the real PDFs.
# ------------------------------------------------------------------------------------------------

DOC = "ncmec_country_2023"
PITCH = 16.3
SIZE = 11.0


def _words(text: str, x: float, top: float, *, right: bool = False, size: float = SIZE):
    """One cell's words; x is the left edge, or the right edge when right=True."""
    tokens = text.split()
    widths = [0.5 * size * len(t) for t in tokens]
    gap = 0.3 * size
    start = x - (sum(widths) + gap * (len(tokens) - 1)) if right else x
    out = []
    for token, width in zip(tokens, widths, strict=True):
        out.append(nc.Word(token, start, start + width, top, top + size, size))
        start += width + gap
    return out


# Column geometry of the real layouts: one pair (2020-2022) and two pairs (2019).
ONE_PAIR = [(122.2, 489.8)]
TWO_PAIRS = [(49.4, 283.6), (328.4, 562.6)]


def _page(number, blocks, *, title=None, running=None, footnote=True, rules=()):
    """A page of words. blocks: (header, pairs, columns) with header (name cell, count cell) or None,
    pairs the column geometry, columns one list of rows per pair. A row is (name, count): name None
    for a count-only line, count None for a name-only line, and an optional third element giving
    its distance from the previous line instead of the row pitch."""
    words = []
    top = 40.0 if title else 80.0  # like the PDFs: headers of later pages sit under the running one
    if title:
        words += _words(title, 150, top, size=18)
        top += 60
    if running:
        words += _words(running, 560, 36, right=True, size=13)
    for header, pairs, columns in blocks:
        if header:
            for x_name, x_count in pairs:
                words += _words(header[0], x_name, top, size=12)
                words += _words(header[1], x_count, top, right=True, size=12)
            top += 24
        bottom = top
        for (x_name, x_count), rows in zip(pairs, columns, strict=True):
            y = top
            for row in rows:
                name, count, *dy = row
                if dy:
                    y += dy[0] - PITCH
                if name:
                    words += _words(name, x_name, y)
                if count is not None:
                    words += _words(count, x_count, y, right=True)
                y += PITCH
            bottom = max(bottom, y)
        top = bottom + 10
    if footnote:
        words += _words("*Reasons include no IP address included in the report.", 108, top + 20)
    words += _words(
        "Copyright \u00a9 2024 National Center for Missing & Exploited Children.", 150, 750, size=8
    )
    return nc.PageWords(number, tuple(words), tuple(rules))


TITLE = "2023 CyberTipline Reports by Country"
NEW_HEADER = ("Country / Territory", "Number of Reports")


def _doc(*pages, year=2023):
    return nc.parse_pages(list(pages), DOC, year)


def _simple(rows_p1, rows_p2, header=NEW_HEADER, **kw):
    p1 = _page(1, [(header, ONE_PAIR, [rows_p1])], title=TITLE, footnote=False)
    p2 = _page(2, [(header, ONE_PAIR, [rows_p2])], running="2", **kw)
    return p1, p2


def test_renamed_header_and_new_unknown_spelling():
    p1, p2 = _simple(
        [("Afghanistan", "1,000"), ("Albania", "20")],
        [("Zimbabwe", "5"), ("Not Specified*", "300"), ("Total:", "1,325")],
    )
    out = _doc(p1, p2)
    df = out["cybertipline_reports_by_country"]
    assert df[
        ["country_as_printed", "country_iso3", "is_location_unknown", "reports", "page"]
    ].values.tolist() == [
        ["Afghanistan", "AFG", False, 1000, 1],
        ["Albania", "ALB", False, 20, 1],
        ["Zimbabwe", "ZWE", False, 5, 2],
        ["Not Specified*", None, True, 300, 2],
    ]
    assert out["cybertipline_reports_by_year"][["value", "page"]].values.tolist() == [[1325, 2]]


def test_pandera_validation_of_perturbed_output():
    p1, p2 = _simple([("Kosovo", "1")], [("N/A", "2"), ("Total", "3")])
    for name, frame in _doc(p1, p2).items():
        assert len(_validate(name, frame)) == len(frame)


@pytest.mark.parametrize(
    "label",
    [
        "No Country Listed*",
        "Null",
        "Unknown",
        "Not Specified",
        "No Country",
        "Country Unknown",
        "N/A",
    ],
)
def test_unknown_location_spellings(label):
    assert nc.is_unknown_location(label)
    p1, p2 = _simple([("Albania", "20")], [(label, "7"), ("Total", "27")])
    df = _doc(p1, p2)["cybertipline_reports_by_country"]
    assert df["is_location_unknown"].tolist() == [False, True]
    assert df["country_as_printed"].tolist() == ["Albania", label]


@pytest.mark.parametrize("label", ["Niger", "Unknown Islands", "Nullland", "Country"])
def test_unknown_location_rule_is_exact(label):
    assert not nc.is_unknown_location(label)


@pytest.mark.parametrize(
    "header",
    [
        ("Country", "Total Reports"),
        ("Country", "Reports"),
        ("Countries", "Count"),
        ("Country/Territory", "2023 Reports"),
        ("Country or Territory", "Number of CyberTipline Reports"),
    ],
)
def test_header_wordings(header):
    p1, p2 = _simple([("Albania", "20")], [("Total", "20")], header=header)
    assert len(_doc(p1, p2)["cybertipline_reports_by_country"]) == 1


@pytest.mark.parametrize("label", ["TOTAL", "Total:", "Total", "Grand Total", "Total Reports"])
def test_total_spellings(label):
    p1, p2 = _simple([("Albania", "20")], [(label, "20")])
    assert _doc(p1, p2)["cybertipline_reports_by_year"]["value"].tolist() == [20]


def test_header_with_unknown_wording_is_not_a_header():
    p1, p2 = _simple([("Albania", "20")], [("Total", "20")], header=("Nation", "Reports"))
    with pytest.raises(ParseError) as err:
        _doc(p1, p2)
    assert str(err.value) == (
        "ncmec_country_2023, page -: expected a table header such as 'Country / Territory  Number "
        "of Reports'; found 'no page has one'"
    )


def test_two_pairs_per_line_page_and_pair_count_from_header():
    """A 2019-style page (two pairs, stacked 'Total / Country / Reports' header, running header that
    names the wrong report), then a one-pair page: the pair count is read per header."""
    words = list(_words(TITLE, 150, 40, size=18))
    words += _words("2023 Reports by ESP 2", 540, 36, right=True, size=13)
    for x_name, x_count in TWO_PAIRS:
        words += _words("Total", x_count, 76.6, right=True, size=12)
        words += _words("Country", x_name, 83.8, size=12)
        words += _words("Reports", x_count, 91.0, right=True, size=12)
    left = [("Afghanistan", "163,120"), ("Aland Islands", "15"), ("Saint Vincent and the", "253")]
    right = [("Cambodia", "91,458"), ("Congo, The Democratic", "3,856")]
    y = 108.3
    for (name, count), (rname, rcount) in zip(left, right + [(None, None)], strict=True):
        words += _words(name, 49.4, y) + _words(count, 283.6, y, right=True)
        if rname:
            words += _words(rname, 328.4, y) + _words(rcount, 562.6, y, right=True)
        y += PITCH
    # Wrapped halves 13.2 pt under their first line, the next row 16.3 pt under it.
    words += _words("Grenadines", 49.4, 108.3 + 2 * PITCH + 13.2)
    words += _words("Republic of the", 328.4, 108.3 + PITCH + 13.2)
    words += _words("Samoa", 49.4, 108.3 + 3 * PITCH + 13.2) + _words(
        "122", 283.6, 108.3 + 3 * PITCH + 13.2, right=True
    )
    words += _words("Cook Islands", 328.4, 108.3 + 2 * PITCH + 13.2) + _words(
        "9", 562.6, 108.3 + 2 * PITCH + 13.2, right=True
    )
    p1 = nc.PageWords(1, tuple(words))
    p2 = _page(
        2,
        [
            (
                ("Country", "Total Reports"),
                ONE_PAIR,
                [[("No Country Listed*", "1"), ("TOTAL", "258,834")]],
            )
        ],
    )
    df = _doc(p1, p2)["cybertipline_reports_by_country"]
    assert df[["country_as_printed", "reports", "page"]].values.tolist() == [
        ["Afghanistan", 163120, 1],
        ["Aland Islands", 15, 1],
        ["Saint Vincent and the Grenadines", 253, 1],
        ["Samoa", 122, 1],
        ["Cambodia", 91458, 1],
        ["Congo, The Democratic Republic of the", 3856, 1],
        ["Cook Islands", 9, 1],
        ["No Country Listed*", 1, 2],
    ]


def test_2019_style_total_block_under_its_own_header():
    rows = [("Zambia", "2"), ("No Country Listed*", "3")]
    p1 = _page(
        1,
        [
            (("Country", "Total Reports"), TWO_PAIRS, [[("Yemen Arab Republic", "5")], rows]),
            (("Country", "Total Reports"), [(49.0, 563.0)], [[("TOTAL", "10")]]),
        ],
        title=TITLE,
    )
    df = _doc(p1)["cybertipline_reports_by_country"]
    assert df["country_as_printed"].tolist() == [
        "Yemen Arab Republic",
        "Zambia",
        "No Country Listed*",
    ]


def test_count_on_the_middle_line_of_a_wrapped_name_without_rules():
    rows = [
        ("Saint Bartelemey", "14"),
        ("Saint Helena, Ascension", None),  # as in 2022: the count half a line below the first
        (None, "1", 6.6),
        ("and Tristan da Cunha", None, 6.6),
        ("Saint Kitts and Nevis", "292", 16.4),
        ("Total", "307"),
    ]
    p1 = _page(1, [(NEW_HEADER, ONE_PAIR, [rows])], title=TITLE)
    df = _doc(p1)["cybertipline_reports_by_country"]
    assert df[["country_as_printed", "reports"]].values.tolist() == [
        ["Saint Bartelemey", 14],
        [SAINT_HELENA, 1],
        ["Saint Kitts and Nevis", 292],
    ]


def test_rules_decide_a_wrapped_line_that_geometry_cannot():
    # The wrapped half sits exactly between two counts; the rule under it says which row it ends.
    rows = [("Saint Vincent and the", "253"), ("Grenadines", None, 8.0), ("Samoa", "122", 8.0)]
    rows += [("Total", "375")]
    first = 40 + 60 + 24  # title, then header: where _page puts the first row
    rules = [nc.Rule(109.2, 502.8, first + 8.0 + SIZE / 2 + 4)]  # under "Grenadines"
    p1 = _page(1, [(NEW_HEADER, ONE_PAIR, [rows])], title=TITLE, rules=rules)
    df = _doc(p1)["cybertipline_reports_by_country"]
    assert df["country_as_printed"].tolist() == ["Saint Vincent and the Grenadines", "Samoa"]
    p1 = _page(1, [(NEW_HEADER, ONE_PAIR, [rows])], title=TITLE)
    with pytest.raises(ParseError) as err:
        _doc(p1)
    assert str(err.value) == (
        "ncmec_country_2023, page 1: expected a wrapped name line clearly nearer one count than "
        "another; found \"'Grenadines' between counts 253 and 122\""
    )


def test_dash_is_zero():
    p1 = _page(
        1,
        [(NEW_HEADER, ONE_PAIR, [[("Svalbard", "\u2013"), ("Niue", "4"), ("Total", "4")]])],
        title=TITLE,
    )
    df = _doc(p1)["cybertipline_reports_by_country"]
    assert df["reports"].tolist() == [0, 4]


def test_missing_total():
    p1, p2 = _simple([("Afghanistan", "1,000")], [("Zimbabwe", "1,902"), ("Null", "5")])
    with pytest.raises(ParseError) as err:
        _doc(p1, p2)
    assert err.value.document_id == DOC and err.value.page == 2
    assert str(err.value) == (
        "ncmec_country_2023, page 2: expected a grand-total row ('Total' and a count) after the "
        "last country; found 'last row Null 5'"
    )


def test_total_that_does_not_reconcile():
    p1, p2 = _simple([("Afghanistan", "1,000")], [("Zimbabwe", "1,902"), ("Total", "3,000")])
    with pytest.raises(ParseError) as err:
        _doc(p1, p2)
    assert str(err.value) == (
        "ncmec_country_2023, page 2: expected country rows adding up to the printed total 3,000; "
        "found 'they sum to 2,902 (difference -98)'"
    )


def test_missing_header():
    p1 = _page(1, [(None, ONE_PAIR, [[("Afghanistan", "1,000"), ("Total", "1,000")]])], title=TITLE)
    with pytest.raises(ParseError) as err:
        _doc(p1)
    assert str(err.value) == (
        "ncmec_country_2023, page -: expected a table header such as 'Country / Territory  Number "
        "of Reports'; found 'no page has one'"
    )


def test_table_page_without_its_header():
    p1 = _page(1, [(NEW_HEADER, ONE_PAIR, [[("Afghanistan", "1,000")]])], title=TITLE)
    p2 = _page(2, [(None, ONE_PAIR, [[("Zimbabwe", "2"), ("Total", "1,002")]])])
    with pytest.raises(ParseError) as err:
        _doc(p1, p2)
    assert str(err.value) == (
        "ncmec_country_2023, page 2: expected the table header repeated on every table page (last "
        "seen: 'Country / Territory Number of Reports'); found 'Zimbabwe 2'"
    )


def test_title_year_differs_from_registry():
    p1 = _page(1, [(NEW_HEADER, ONE_PAIR, [[("Albania", "1"), ("Total", "1")]])], title=TITLE)
    with pytest.raises(ParseError) as err:
        _doc(p1, year=2024)
    assert str(err.value) == (
        "ncmec_country_2023, page 1: expected the title to name the registry's year 2024; found '2023'"
    )


def test_unmappable_country_name_is_published_as_printed():
    # Data, not drift: no code, not the unknown-location row, and the schema accepts it.
    rows = [("Albania", "2"), ("Atlantis*", "1"), ("Total", "3")]
    p1 = _page(1, [(NEW_HEADER, ONE_PAIR, [rows])], title=TITLE)
    out = _doc(p1)
    df = out["cybertipline_reports_by_country"]
    assert df[
        ["country_as_printed", "country_iso3", "is_location_unknown", "reports", "page"]
    ].values.tolist() == [["Albania", "ALB", False, 2, 1], ["Atlantis*", None, False, 1, 1]]
    assert len(_validate("cybertipline_reports_by_country", df)) == 2


def test_unmappable_name_does_not_loosen_reconciliation():
    rows = [("Albania", "2"), ("Atlantis", "1"), ("Total", "4")]
    p1 = _page(1, [(NEW_HEADER, ONE_PAIR, [rows])], title=TITLE)
    with pytest.raises(ParseError) as err:
        _doc(p1)
    assert (err.value.page, err.value.expected, err.value.found) == (
        1,
        "country rows adding up to the printed total 4",
        "they sum to 3 (difference -1)",
    )


def test_unclassifiable_line_in_table_region():
    rows = [("Albania", "1"), ("Total", "1"), ("Reasons vary by provider", None, 40)]
    p1 = _page(1, [(NEW_HEADER, ONE_PAIR, [rows])], title=TITLE, footnote=False)
    with pytest.raises(ParseError) as err:
        _doc(p1)
    assert str(err.value) == (
        "ncmec_country_2023, page 1: expected a country name with a count on or next to its line; "
        "found 'Reasons vary by provider'"
    )


def test_unreadable_count():
    p1 = _page(1, [(NEW_HEADER, ONE_PAIR, [[("Albania", "1.234"), ("Total", "1")]])], title=TITLE)
    with pytest.raises(ParseError) as err:
        _doc(p1)
    assert (
        str(err.value)
        == "ncmec_country_2023, page 1: expected a count such as 1,234; found '1.234'"
    )


def test_two_unknown_rows_are_refused():
    rows = [("Null", "1"), ("Unknown", "2"), ("Total", "3")]
    p1 = _page(1, [(NEW_HEADER, ONE_PAIR, [rows])], title=TITLE)
    with pytest.raises(ParseError) as err:
        _doc(p1)
    assert str(err.value) == (
        "ncmec_country_2023, page 1: expected at most one unknown-location row; found 'Null, Unknown'"
    )


def test_rows_after_the_total_are_refused():
    rows = [("Albania", "1"), ("Total", "1"), ("Zambia", "2")]
    p1 = _page(1, [(NEW_HEADER, ONE_PAIR, [rows])], title=TITLE)
    with pytest.raises(ParseError) as err:
        _doc(p1)
    assert str(err.value) == (
        "ncmec_country_2023, page 1: expected no rows after the grand total; found 'Zambia 2'"
    )


# ------------------------------------------------------------------------------------------------
# countries.py
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, code",
    [
        ("Afghanistan", "AFG"),
        ("Aland Islands", "ALA"),  # diacritics folded: Åland
        ("Curacao", "CUW"),
        ("Cote d\u2019Ivoire (Ivory Coast)", "CIV"),  # alternatives, both resolve
        ("Burma/Myanmar", "MMR"),
        ("Bahrain/Bahrein", "BHR"),
        ("Romania/Rumania", "ROU"),
        ("Gambia, The", "GMB"),
        ("Congo", "COG"),
        ("Congo, The Democratic Republic of the", "COD"),
        ("Turkey", "TUR"),
        ("Russia", "RUS"),
        ("Kosovo", "XKX"),
        ("Netherlands Antilles", "ANT"),
        ("Saint Helena, Ascension and Tristan da Cunha", "SHN"),
        ("St. Kitts & Nevis", "KNA"),
        ("Iran", "IRN"),
        ("North Korea", "PRK"),
        ("South Korea", "KOR"),
    ],
)
def test_country_names(name, code):
    assert countries.to_iso3(name) == code


@pytest.mark.parametrize(
    "name, reason",
    [
        ("Germny", "no exact pycountry match and no override"),  # never fuzzy
        ("Serbia/Montenegro", "alternatives disagree (Serbia=SRB, Montenegro=MNE)"),
        ("Bahrain/Bahreyn", "alternative 'Bahreyn' does not resolve"),
        ("Burma, Socialist Republic of the Union of", "no exact pycountry match and no override"),
    ],
)
def test_unknown_country_names_raise(name, reason):
    with pytest.raises(countries.UnknownCountryError) as err:
        countries.to_iso3(name)
    assert str(err.value) == (
        f"unknown country name {name!r}: {reason}; add a reviewed entry to OVERRIDES in "
        "pipeline/countries.py"
    )


def test_overrides_never_contradict_pycountry():
    for name, code in countries.OVERRIDES.items():
        assert countries.to_iso3(name) == code
        assert re.fullmatch(r"[A-Z]{3}", code)


@pytest.mark.parametrize("year", PDFS)
def test_real_pages_parse_the_same_without_rules(real, parsed, year):
    """The ruled bands and the nearest-count fallback agree on every real row."""
    bare = [nc.PageWords(p.number, p.words) for p in real[year][0]]
    out = nc.parse_pages(bare, f"ncmec_country_{year}", year)
    pd.testing.assert_frame_equal(
        out["cybertipline_reports_by_country"], parsed[year]["cybertipline_reports_by_country"]
    )
