"""NCMEC "Reports by ESP": the four real editions, then the pure layer fed perturbed lines.

The real PDFs come from the shared mirror and are read once per session (reading all four takes about
two seconds). Stand-in lines, not PDFs, model later editions: the family rules live in
:func:`read_table`, which takes lines, so a renamed header or a new total spelling needs no fake PDF.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache

import pandas as pd
import pytest

import schemas
from pipeline.parsers import ncmec_esp
from pipeline.parsers.base import ParseError
from pipeline.parsers.ncmec_esp import Cell, EspRow, Line, read_lines, read_table
from pipeline.registry import by_id
from tests.conftest import TRANSCRIPTIONS, ncmec_pdf

YEARS = (2019, 2020, 2021, 2022)
ESP_COLUMNS = ["calendar_year", "esp_name", "reports", "note", "document_id", "page"]

# year: (rows, stated ESP total, page the total is printed on, pages in the PDF)
EXPECTED = {
    2019: (148, 16_836_694, 5, 5),
    2020: (168, 21_447_786, 6, 6),
    2021: (230, 29_157_083, 7, 7),
    2022: (236, 31_802_525, 7, 7),
}
# year: (first row, last row) as (esp_name, reports, page)
FIRST_LAST = {
    2019: (("4chan", 1_380, 1), ("Zoom Video Communications, Inc", 57, 5)),
    2020: (("4chan", 1_143, 1), ("Zoom Video Communications", 499, 6)),
    2021: (("4chan", 973, 1), ("Zvelo", 1, 7)),
    2022: (("4chan", 1_374, 1), ("Zvelo", 1, 7)),
}
# Names printed over two lines. 2019/2020 print the count on the first line, 2021 on a line of its
# own between the halves; 2022 widened the name column and wraps nothing.
WRAPPED = {
    2019: [
        ("Deluxe Corporation/ColoCrossing / HudsonValleyHost", 22, 2),
        ("EasyOnlineSolutions/MojoHost/ North Tone/ Hosthead", 18, 2),
        ("Hosting Services Inc/Midphase/WestHost/ Autica/VPS", 46, 2),
        ("Multi Media, LLC/Zmedianow, LLC/ Chaturbate", 1_466, 3),
        ("Web.com/Network Solutions/Register/ NameBargain", 1, 5),
    ],
    2020: [
        ("Deluxe Corporation/ColoCrossing/ HudsonValleyHost", 14, 2),
        ("EasyOnlineSolutions/MojoHost/North Tone/ Hosthead", 23, 2),
        ("Hosting Services Inc/Midphase/WestHost/ Autica/VPS", 26, 3),
        ("Multi Media, LLC/Zmedianow, LLC/ Chaturbate", 1_367, 4),
        ("Web.com/Network Solutions/ Register/ NameBargain", 2, 5),
    ],
    2021: [
        ("EasyOnlineSolutions/MojoHost/ North Tone/Hosthead", 41, 2),
        ("Hosting Services Inc/Midphase/ WestHost/Autica/VPS", 33, 3),
        ("Web.com/Network Solutions/ Register/NameBargain", 3, 7),
    ],
    2022: [],
}


@cache
def real_lines(year: int) -> tuple[Line, ...]:
    return tuple(read_lines(ncmec_pdf(f"{year}-reports-by-esp.pdf")))


@cache
def real_parse(year: int) -> dict[str, pd.DataFrame]:
    """What parse() returns, built from the cached lines so each PDF is read once per session."""
    return ncmec_esp.to_frames(
        read_table(real_lines(year), f"ncmec_esp_{year}", year), f"ncmec_esp_{year}"
    )


@pytest.fixture(scope="module", params=YEARS, ids=str)
def year(request) -> int:
    return request.param


# --- real PDFs ------------------------------------------------------------------------------------


def test_rows_reconcile_with_the_printed_total(year):
    n_rows, total, total_page, _ = EXPECTED[year]
    out = real_parse(year)
    esp, by_year = out["cybertipline_reports_by_esp"], out["cybertipline_reports_by_year"]
    assert list(esp.columns) == ESP_COLUMNS
    assert len(esp) == n_rows
    assert int(esp["reports"].sum()) == total
    assert by_year.to_dict("records") == [
        {
            "calendar_year": year,
            "measure": "reports_esp",
            "value": total,
            "qualifier": None,
            "note": None,
            "document_id": f"ncmec_esp_{year}",
            "page": total_page,
        }
    ]
    assert set(esp["calendar_year"]) == {year}
    assert set(esp["document_id"]) == {f"ncmec_esp_{year}"}


def test_first_and_last_rows(year):
    esp = real_parse(year)["cybertipline_reports_by_esp"]
    rows = list(esp[["esp_name", "reports", "page"]].itertuples(index=False, name=None))
    assert (rows[0], rows[-1]) == FIRST_LAST[year]


def test_wrapped_names_are_joined_with_their_count(year):
    esp = real_parse(year)["cybertipline_reports_by_esp"]
    rows = esp[["esp_name", "reports", "page"]].itertuples(index=False, name=None)
    # A row is wrapped when its name is not the name cell of any single printed line.
    one_line = {ln.cells[0].text for ln in real_lines(year) if len(ln.cells) == 2}
    assert [r for r in rows if r[0] not in one_line] == WRAPPED[year]


def test_2021_wrapped_rows_have_the_count_between_the_halves():
    count_only = [
        ln for ln in real_lines(2021) if [c.text for c in ln.cells] in (["41"], ["33"], ["3"])
    ]
    assert [(ln.page, ln.cells[0].text) for ln in count_only] == [(2, "41"), (3, "33"), (7, "3")]
    esp = real_parse(2021)["cybertipline_reports_by_esp"]
    wrapped = esp[esp["esp_name"].isin([name for name, _, _ in WRAPPED[2021]])]
    assert wrapped["reports"].tolist() == [41, 33, 3]


def test_no_furniture_leaks_into_rows(year):
    esp = real_parse(year)["cybertipline_reports_by_esp"]
    names = esp["esp_name"]
    assert not names.str.contains(r"Copyright|©|Reports by|MissingKids\.org|^Totals?\b|^ESP$").any()
    assert (names == names.str.strip()).all() and not names.str.contains(r"\s{2,}|\n").any()
    assert esp["esp_name"].is_unique
    pages = esp["page"].tolist()
    assert pages == sorted(pages) and set(pages) == set(range(1, EXPECTED[year][3] + 1))


def test_asterisks_are_kept_as_printed():
    def starred(year):
        esp = real_parse(year)["cybertipline_reports_by_esp"]
        return dict(esp[esp["esp_name"].str.endswith("*")][["esp_name", "reports"]].values)

    assert starred(2019)["Automattic*"] == 10_443
    assert starred(2019)["Facebook*"] == 15_884_511
    assert sorted(starred(2020)) == [
        "Automattic*", "Endurance International Group*", "Facebook*", "Globtech*", "INHOPE*",
        "Match Group*", "MediaLab AI*", "Meet Group*", "Microsoft*", "MindGeek*", "TikTok*",
    ]  # fmt: skip
    assert starred(2021) == {} and starred(2022) == {}


def test_tables_pass_their_schemas(year):
    for name, df in real_parse(year).items():
        schemas.TABLES[name].validate(df, lazy=True)


def test_parse_end_to_end_equals_the_cached_reading():
    # The one extra read of a real PDF: parse() itself, on the smallest edition.
    out = ncmec_esp.parse(ncmec_pdf("2019-reports-by-esp.pdf"), by_id("ncmec_esp_2019"))
    assert out.keys() == real_parse(2019).keys()
    for name, df in out.items():
        pd.testing.assert_frame_equal(df, real_parse(2019)[name])


def test_wrong_year_in_registry_is_refused():
    with pytest.raises(ParseError) as err:
        read_table(real_lines(2020), "ncmec_esp_2021", 2021)
    assert str(err.value) == (
        "ncmec_esp_2021, page 1: expected a title for 2021; found '2020 CyberTipline Reports by'"
    )


# Printed names of the platforms that apparebit/diaphanous transcribed from these PDFs (its NCMEC
# rows), in its row order per year, read off the PDFs by hand. Null transcriptions are skipped.
TRANSCRIBED_AS_PRINTED = {
    2019: {
        "Alphabet": ["Google*"], "Amazon": ["Amazon"], "Apple": ["Apple Inc"],
        "Automattic": ["Automattic*"], "Discord": ["Discord Inc."], "GitHub": ["GitHub"],
        "LinkedIn": ["LinkedIn Corporation"], "Meta": ["Facebook*"], "Microsoft": ["Microsoft*"],
        "Omegle": ["Omegle.com LLC"], "Pinterest": ["Pinterest Inc."], "Quora": ["Quora"],
        "Reddit": ["Reddit, Inc."], "Snap": ["Snapchat"], "TikTok": ["TikTok"],
        "Twitch": ["Twitch Interactive, Inc."], "Twitter": ["Twitter, Inc."],
        "Wikimedia": ["Wikimedia Foundation Inc."],
    },
    2020: {
        "Alphabet": ["Google"], "Amazon": ["Amazon / Twitch"], "Apple": ["Apple"],
        "Automattic": ["Automattic*"], "Discord": ["Discord"], "GitHub": ["GitHub"],
        "LinkedIn": ["LinkedIn"], "Meta": ["Facebook*"], "Microsoft": ["Microsoft*"],
        "MindGeek": ["MindGeek*"], "Omegle": ["Omegle"], "Pinterest": ["Pinterest"],
        "Quora": ["Quora"], "Reddit": ["Reddit"], "Snap": ["Snapchat"], "TikTok": ["TikTok*"],
        "Twitter": ["Twitter"], "Wikimedia": ["Wikimedia Foundation"],
    },
    2021: {
        "Alphabet": ["Google"], "Amazon": ["Amazon", "Amazon Games", "Amazon Photos"],
        "Apple": ["Apple"], "Discord": ["Discord"], "Facebook": ["Facebook"], "GitHub": ["GitHub"],
        "Instagram": ["Instagram"], "LinkedIn": ["LinkedIn"],
        "MindGeek": [
            "MG Freesites", "MG Freesites (Redtube)", "MG Freesites (Tube8)", "MG Freesites (Youporn)"
        ],
        "Microsoft": ["Microsoft", "Microsoft - Xbox"], "Omegle": ["Omegle"],
        "Pinterest": ["Pinterest"], "Pornhub": ["MG Freesites (Pornhub)"], "Quora": ["Quora"],
        "Reddit": ["Reddit"], "Snap": ["Snapchat"], "TikTok": ["TikTok"], "Tumblr": ["Tumblr"],
        "Twitch": ["Twitch"], "Twitter": ["Twitter"], "WhatsApp": ["WhatsApp"],
        "Wikimedia": ["Wikimedia Foundation"], "Wordpress": ["WordPress.com (Automattic)"],
    },
    2022: {
        "Alphabet": ["Google"], "Amazon": ["Amazon", "Amazon Photos"], "Apple": ["Apple Inc"],
        "Discord": ["Discord Inc."], "Facebook": ["Facebook"], "GitHub": ["GitHub"],
        "Instagram": ["Instagram, Inc."], "LinkedIn": ["LinkedIn Corporation"],
        "MindGeek": [
            "MG Freesites Ltd", "MG Freesites Ltd (dba Redtube)", "MG Freesites Ltd (dba Youporn)"
        ],
        "Microsoft": [
            "Microsoft - Online Operations", "Microsoft- other products", "Microsoft - Xbox"
        ],
        "Omegle": ["Omegle.com LLC"], "Pinterest": ["Pinterest Inc."],
        "Pornhub": ["MG Freesites Ltd (dba Pornhub)"], "Quora": ["Quora"],
        "Reddit": ["Reddit, Inc."], "Snap": ["Snapchat"], "TikTok": ["TikTok Inc."],
        "Tumblr": ["Tumblr"], "Twitch": ["Twitch Interactive, Inc."], "Twitter": ["Twitter, Inc."],
        "WhatsApp": ["WhatsApp Inc."], "Wikimedia": ["Wikimedia Foundation Inc."],
        "Wordpress": ["WordPress.com/Automattic"],
    },
}  # fmt: skip


def test_matches_the_independent_transcription(year):
    data = json.loads((TRANSCRIPTIONS / "ocse-reports-per-platform.json").read_text())["NCMEC"]
    transcribed: dict[str, list[int]] = {}
    for entry in data["rows"]:
        ((y, (platform, reports, *_)),) = entry.items()
        if int(y) == year and reports is not None:
            transcribed.setdefault(platform, []).append(reports)
    out = real_parse(year)
    by_name = dict(out["cybertipline_reports_by_esp"][["esp_name", "reports"]].values)
    assert transcribed.pop("ESP Total") == [out["cybertipline_reports_by_year"]["value"].item()]
    transcribed.pop("Total")  # ESP + public reports: not in this document
    parsed = {p: [by_name[n] for n in names] for p, names in TRANSCRIBED_AS_PRINTED[year].items()}
    assert parsed == transcribed


# --- family rules on stand-in lines ---------------------------------------------------------------

DOC = "ncmec_esp_2023"
NAME_X, COUNT_X1, CHAR = 122.0, 490.0, 5.0


def cell_left(text: str) -> Cell:
    return Cell(text, NAME_X, NAME_X + CHAR * len(text))


def cell_right(text: str) -> Cell:
    return Cell(text, COUNT_X1 - CHAR * len(text), COUNT_X1)


def row(page: int, top: float, name: str | None, count: str | None = None, band=None) -> Line:
    """A table line as read_lines makes it: name flush left, count flush right."""
    cells = ([cell_left(name)] if name else []) + ([cell_right(count)] if count else [])
    return Line(page, top, top + 11.0, tuple(cells), band)


def prose(page: int, top: float, text: str, x0: float = 72.0) -> Line:
    return Line(page, top, top + 11.0, (Cell(text, x0, x0 + CHAR * len(text)),))


def document(
    header=("ESP", "Number of Reports"),
    total=("Total:", "1,500"),
    extra_page2=(),
    zoom_top=160.0,
    after_total=(),
    title="2023 CyberTipline Reports by",
) -> list[Line]:
    """A small two-page edition shaped like the real ones: title, prose, note, header and rows on
    page 1; running header, repeated header, rows (``extra_page2`` goes between "Zeta" and "Zoom"),
    total and footers on page 2. Rows sum to 1,500. No rules, so wraps are judged by distance."""
    head = (cell_left(header[0]), cell_right(header[1]))
    total_cells = (cell_left(total[0]), *(cell_right(t) for t in total[1:]))
    return [
        prose(1, 160, title),
        prose(1, 230, "In 2023, the CyberTipline received more than 36.2 million reports."),
        prose(1, 330, "*Report totals for related platforms and companies have been combined."),
        Line(1, 360, 371, head),
        row(1, 385, "Automattic*", "1,000"),
        row(1, 401, "Bumble", "400"),
        prose(1, 750, "Copyright © 2024 National Center for Missing & Exploited Children."),
        prose(2, 36, "2023 Reports by ESP 2", x0=372.4),
        Line(2, 84, 95, head),
        row(2, 108, "Zeta", "99"),
        *extra_page2,
        row(2, zoom_top, "Zoom", "1"),
        Line(2, zoom_top + 30, zoom_top + 41, total_cells),
        *after_total,
        prose(2, 730, "MissingKids.org/CyberTiplineData", x0=203.5),
        prose(2, 750, "Copyright © 2024 National Center for Missing & Exploited Children."),
    ]


def names_and_counts(table) -> list[tuple[str, int]]:
    return [(r.name, r.reports) for r in table.rows]


def test_stand_in_edition_reads_as_expected():
    table = read_table(document(), DOC, 2023)
    assert table.rows == [
        EspRow("Automattic*", 1_000, 1),
        EspRow("Bumble", 400, 1),
        EspRow("Zeta", 99, 2),
        EspRow("Zoom", 1, 2),
    ]
    assert (table.total, table.total_page) == (1_500, 2)


@pytest.mark.parametrize(
    "header",
    [
        ("ESP", "Reports"),
        ("Electronic Service Provider", "Reports"),
        ("Electronic Service Provider (ESP)", "Number of CyberTipline Reports"),
        ("Company", "Report Count"),
    ],
)
def test_renamed_header(header):
    assert names_and_counts(read_table(document(header=header), DOC, 2023))[-1] == ("Zoom", 1)


def test_header_labels_centred_over_their_columns():
    # Labels need not line up with the cells below them: columns split halfway between the labels.
    centred = (Cell("ESP", 200.0, 215.0), Cell("Reports", 430.0, 465.0))
    lines = [replace(ln, cells=centred) if ln.text == "ESP Number of Reports" else ln
             for ln in document()]  # fmt: skip
    assert names_and_counts(read_table(lines, DOC, 2023)) == [
        ("Automattic*", 1_000), ("Bumble", 400), ("Zeta", 99), ("Zoom", 1)
    ]  # fmt: skip


@pytest.mark.parametrize(
    "total",
    [
        ("Totals:", "1,500"),
        ("Total", "1,500"),
        ("Grand Total:", "1,500"),
        ("Grand Total", "1500"),
        ("TOTAL ESP REPORTS:", "1,500"),
        ("Total: 1,500",),  # printed as one cell in the name column
    ],
)
def test_total_spellings(total):
    table = read_table(document(total=total), DOC, 2023)
    assert (table.total, table.total_page, len(table.rows)) == (1_500, 2, 4)


def test_wrapped_name_with_count_between_the_halves():
    # 2021 layout: the halves 13.2 pt apart, the count on a line of its own halfway between them.
    wrap = (
        row(2, 124.3, "EasyOnlineSolutions/MojoHost/"),
        row(2, 130.9, None, "41"),
        row(2, 137.5, "North Tone/Hosthead"),
    )
    lines = document(total=("Total:", "1,541"), extra_page2=wrap)
    assert names_and_counts(read_table(lines, DOC, 2023))[2:] == [
        ("Zeta", 99), ("EasyOnlineSolutions/MojoHost/ North Tone/Hosthead", 41), ("Zoom", 1)
    ]  # fmt: skip


def test_wrapped_name_with_count_on_the_first_line():
    # 2019/2020 layout and spacing: the continuation is 13.2 pt below its count, the next row 16.3.
    wrap = (
        row(2, 124.3, "Deluxe Corporation/ColoCrossing/", "14"),
        row(2, 137.5, "HudsonValleyHost"),
    )
    lines = document(total=("Total:", "1,514"), extra_page2=wrap, zoom_top=153.8)
    assert names_and_counts(read_table(lines, DOC, 2023))[2:] == [
        ("Zeta", 99), ("Deluxe Corporation/ColoCrossing/ HudsonValleyHost", 14), ("Zoom", 1)
    ]  # fmt: skip


def test_wrapped_name_with_count_on_the_last_line():
    wrap = (row(2, 124.3, "Hosting Services Inc/Midphase/"), row(2, 137.5, "WestHost", "33"))
    lines = document(total=("Total:", "1,533"), extra_page2=wrap)
    assert names_and_counts(read_table(lines, DOC, 2023))[3] == (
        "Hosting Services Inc/Midphase/ WestHost",
        33,
    )


def test_ruled_bands_decide_where_a_continuation_belongs():
    # Equidistant from two counts, so geometry alone cannot tell; the rules drawn between rows can.
    lines = [
        prose(1, 160, "2023 CyberTipline Reports by"),
        Line(1, 360, 371, (cell_left("ESP"), cell_right("Reports")), band=0),
        row(1, 385, "First row that wraps", "7", band=1),
        row(1, 400, "onto a second line", band=1),
        row(1, 415, "Second", "3", band=2),
        row(1, 440, "Total", "10", band=3),
    ]
    assert names_and_counts(read_table(lines, DOC, 2023)) == [
        ("First row that wraps onto a second line", 7), ("Second", 3)
    ]  # fmt: skip
    unruled = [replace(ln, band=None) for ln in lines]
    with pytest.raises(ParseError) as err:
        read_table(unruled, DOC, 2023)
    assert str(err.value) == (
        "ncmec_esp_2023, page 1: expected an ESP name with its count, or half of a wrapped name; "
        "found 'onto a second line'"
    )


def test_real_tables_read_the_same_without_rules(year):
    # Editions drawn without row rules fall back to distance; on the real files both agree.
    ruled = read_table(real_lines(year), "x", year)
    assert read_table([replace(ln, band=None) for ln in real_lines(year)], "x", year) == ruled


def test_real_tables_read_the_same_with_new_wording(year):
    # Rename every header and respell the total as a later edition might.
    def reword(ln: Line) -> Line:
        texts = [c.text for c in ln.cells]
        if texts in (["ESP", "Number of Reports"], ["ESP", "Reports"]):
            return replace(ln, cells=(replace(ln.cells[0], text="Electronic Service Provider"),
                                      replace(ln.cells[1], text="Reports")))  # fmt: skip
        if texts[0] in ("Totals:", "Total:", "Total"):
            return replace(ln, cells=(replace(ln.cells[0], text="Grand Total"), *ln.cells[1:]))
        return ln

    reworded = [reword(ln) for ln in real_lines(year)]
    assert read_table(reworded, "x", year) == read_table(real_lines(year), "x", year)


def test_a_real_row_lost_in_extraction_is_refused():
    # Drop the last ESP line of 2021 ("Zvelo 1"), as a page-boundary or extraction slip might.
    lines = [ln for ln in real_lines(2021) if ln.text != "Zvelo 1"]
    with pytest.raises(ParseError) as err:
        read_table(lines, "ncmec_esp_2021", 2021)
    assert str(err.value) == (
        "ncmec_esp_2021, page 7: expected ESP rows adding up to the stated total 29,157,083; "
        "found '229 rows summing to 29,157,082'"
    )


def test_unknown_footer_inside_the_table_is_refused():
    footer = prose(2, 130.0, "Prepared by NCMEC Analytics", x0=250.0)
    with pytest.raises(ParseError) as err:
        read_table(document(extra_page2=(footer,)), DOC, 2023)
    assert str(err.value) == (
        "ncmec_esp_2023, page 2: expected an ESP name with its count, or half of a wrapped name; "
        "found 'Prepared by NCMEC Analytics'"
    )


def test_unknown_footer_after_the_total_is_ignored():
    lines = document(after_total=(prose(2, 700, "Prepared by NCMEC Analytics"),))
    assert read_table(lines, DOC, 2023).total == 1_500


def test_broken_total_names_document_page_and_both_sums():
    with pytest.raises(ParseError) as err:
        read_table(document(total=("Total:", "1,501")), DOC, 2023)
    assert (err.value.document_id, err.value.page) == (DOC, 2)
    assert str(err.value) == (
        "ncmec_esp_2023, page 2: expected ESP rows adding up to the stated total 1,501; "
        "found '4 rows summing to 1,500'"
    )


def test_unreadable_total_is_refused():
    with pytest.raises(ParseError) as err:
        read_table(document(total=("Total:", "1.5 million")), DOC, 2023)
    assert str(err.value) == (
        "ncmec_esp_2023, page 2: expected a count such as 1,234; found '1.5 million'"
    )


def test_missing_header_is_refused():
    lines = [ln for ln in document() if "Reports" not in ln.text or "by" in ln.text]
    with pytest.raises(ParseError) as err:
        read_table(lines, DOC, 2023)
    assert str(err.value) == (
        "ncmec_esp_2023, page -: expected a table header such as 'ESP | Number of Reports'"
    )


def test_missing_total_is_refused():
    lines = [ln for ln in document() if not ln.text.startswith("Total")]
    with pytest.raises(ParseError) as err:
        read_table(lines, DOC, 2023)
    assert str(err.value) == "ncmec_esp_2023, page 2: expected a total line such as 'Total: 1,234'"


def test_title_year_must_match_the_registry():
    with pytest.raises(ParseError) as err:
        read_table(document(title="2022 CyberTipline Reports by"), DOC, 2023)
    assert str(err.value) == (
        "ncmec_esp_2023, page 1: expected a title for 2023; found '2022 CyberTipline Reports by'"
    )
    lines = [ln for ln in document() if "CyberTipline Reports" not in ln.text]
    lines = [ln for ln in lines if "36.2 million" not in ln.text]
    with pytest.raises(ParseError) as err:
        read_table(lines, DOC, 2023)
    assert str(err.value) == (
        "ncmec_esp_2023, page 1: expected a title naming the year, "
        "such as '2021 CyberTipline Reports by'"
    )


def test_count_without_a_name_is_refused():
    with pytest.raises(ParseError) as err:
        read_table(document(extra_page2=(row(2, 130.0, None, "12"),)), DOC, 2023)
    assert (
        str(err.value) == "ncmec_esp_2023, page 2: expected an ESP name for the count; found '12'"
    )


def test_non_count_in_the_count_column_is_refused():
    with pytest.raises(ParseError) as err:
        read_table(document(extra_page2=(row(2, 130.0, "Yubo", "n/a"),)), DOC, 2023)
    assert str(err.value) == "ncmec_esp_2023, page 2: expected a count such as 1,234; found 'n/a'"


def test_extra_column_is_refused():
    # A later edition adding e.g. a share column must not have it glued into names or counts.
    line = Line(2, 130.0, 141.0, (cell_left("Yubo"), cell_right("12"), Cell("0.1%", 520, 540)))
    with pytest.raises(ParseError) as err:
        read_table(document(extra_page2=(line,)), DOC, 2023)
    assert str(err.value) == (
        "ncmec_esp_2023, page 2: expected an ESP name and its count; found 'Yubo 12 0.1%'"
    )


def test_parse_refuses_a_multi_year_registry_entry():
    doc = replace(by_id("ncmec_esp_2021"), period="2021-2022")
    with pytest.raises(ParseError) as err:
        ncmec_esp.parse(ncmec_pdf("2021-reports-by-esp.pdf"), doc)
    assert str(err.value) == (
        "ncmec_esp_2021, page -: expected a registry entry for one calendar year; found '2021-2022'"
    )
