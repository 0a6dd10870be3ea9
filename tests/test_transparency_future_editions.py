"""The OJJDP-NCMEC transparency parser on stand-ins for editions that are not available offline.

The CY2023 and CY2024 editions exist upstream but not here, and the parser will meet them. This
module generates, with reportlab, PDFs that follow the real CY2022 edition (ruled Word-style tables
with the caption in the header's first cell, multi-line row labels, "Label: count" cells, a
percentage line under each location count, Appendix A from 1998, the narrative about 1998, and
distractor tables: files, ESP registrations, images/videos, hash sharing) and runs them end to end
through ``parse(path, doc)``. Every page says it is a generated stand-in; file names contain
"standin"; files are written under pytest's tmp directory (each once per module), never committed.

Figures (dictionaries below): CY2021 and CY2022 values are the real ones printed in the CY2022
edition; CY2023 uses CATALOG.md's published figures (total, ESP, public, ICAC reports made available
with their actionable/informational split, ICAC feedback, online enticement) and MADE-UP but
consistent values elsewhere; CY2024 total and ESP are third-party quotes, all else MADE UP.

Outcomes pinned here:

* CY2023 as the CY2022 template would print it (renamed recipients caption and ICAC labels, numbers
  wrapped mid-number, the CY2021 "International:" typo reprinted, Appendix A through 2023) parses to
  exactly the printed figures, reconciles and passes the pandera schemas. So do: a layout variant
  (captions above years-only headers, "Calendar Year 2023", every "Label:" above its count, Appendix
  A broken over a page with its header repeated); the recipients table broken by a page break with
  its years-only header repeated; a feedback caption that also names "Law Enforcement Recipients".
* Must fail loudly (ParseError naming document, page and expectation): "Referrals:" in the CY2024
  recipient cells; CY2024 totals split into referral and informational rows; a Total that does not
  equal its parts; a missing feedback table; a recipients caption reworded beyond recognition while
  the feedback caption names recipients (feedback counts must never become reports made available).
* A CY2024 edition printed with unchanged labels parses; the bundling caveat is added downstream.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pytest
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

import schemas
from pipeline.caveats import DERIVED_COLUMNS
from pipeline.parsers import ncmec_transparency as nt
from pipeline.parsers.base import ParseError
from pipeline.registry import by_id
from schemas._common import NOT_ARRESTS_NOTE

BY_YEAR, TO_LE, FEEDBACK = nt.BY_YEAR, nt.TO_LE, nt.FEEDBACK
NOTICE = "STAND-IN generated for tests; not an NCMEC or OJJDP publication."
RECIPIENT_KEYS = (
    "icac_task_forces",
    "local_law_enforcement",
    "federal_law_enforcement",
    "international_law_enforcement",
)

# --------------------------------------------------------------------------------------------------
# Figures

# Reports received: (total, ESP, public). 2021-2022: CY2022 edition page 4. 2023: CATALOG.md [P].
# 2024: total and ESP are third-party quotes (CATALOG.md); public = total - ESP (derived, MADE UP).
TOTALS = {
    2021: (29_397_681, 29_157_083, 240_598),
    2022: (32_059_029, 31_802_525, 256_504),
    2023: (36_210_368, 35_944_826, 265_542),
    2024: (20_512_803, 20_348_306, 164_497),
}
# Reported user location: (U.S., international, unknown). 2021-2022 real; 2023 and 2024 MADE UP
# (they sum to the year's total). Percentages as printed in the CY2022 edition; later ones computed.
LOCATION = {
    2021: (724_503, 27_479_912, 1_193_266),
    2022: (1_920_963, 28_825_411, 1_312_655),
    2023: (1_912_386, 32_871_640, 1_426_342),  # made up
    2024: (1_102_611, 18_561_020, 849_172),  # made up
}
LOCATION_PERCENT = {2021: ("2.5%", "93.5%", "4%"), 2022: ("6%", "89.9%", "4.1%")}
# Incident categories, in the CY2022 edition's row order. 2021-2022 real. 2023: online enticement is
# CATALOG.md [P] (186,819); every other 2023 value is MADE UP, child pornography chosen so that the
# categories sum to the year's total as they do in the real editions. 2024: all MADE UP, same rule.
INCIDENT_ROWS = (  # labels as printed; the table wraps them to the cell
    (
        "incident_child_sexual_abuse_material",
        "Child Pornography\n(possession, manufacture, distribution)",
    ),
    ("incident_misleading_words_or_images", "Misleading Words or Digital Images on the Internet"),
    ("reports_online_enticement", "Online Enticement of Children for Sexual Acts"),
    ("incident_child_sex_trafficking", "Child Sex Trafficking"),
    ("incident_unsolicited_obscene_material", "Unsolicited Obscene Material Sent to a Child"),
    ("incident_misleading_domain_name", "Misleading Domain Name"),
    ("incident_child_sexual_molestation", "Child Sexual Molestation"),
    ("incident_child_sex_tourism", "Child Sex Tourism"),
)
INCIDENTS = {
    2021: (29_309_106, 5_825, 44_155, 16_032, 5_177, 3_304, 12_458, 1_624),
    2022: (31_901_234, 7_517, 80_524, 18_336, 35_624, 1_948, 12_906, 940),
    2023: (35_932_062, 6_840, 186_819, 17_353, 51_226, 1_571, 13_426, 1_071),  # made up but 186,819
    2024: (19_945_721, 5_210, 456_014, 26_823, 62_117, 1_204, 14_902, 812),  # made up
}
# ESP reports with unique / visually similar images and videos. 2021-2022 real; later MADE UP.
UNIQUE = {
    2021: (21_814_959, 16_589_193),
    2022: (23_404_207, 19_307_139),
    2023: (25_131_774, 20_418_539),  # made up
    2024: (14_210_455, 11_601_307),  # made up
}
# Reports made available to law enforcement: {recipient: (actionable, informational)}. 2021-2022
# real. 2023: ICAC is CATALOG.md [P] (670,491 + 238,271 = 908,762); local, federal and
# international are MADE UP. 2024: all MADE UP.
RECIPIENTS = {
    2021: ((395_173, 11_900), (1_731, 3), (916_064, 590_383), (17_129_598, 10_400_331)),
    2022: ((491_655, 400_715), (1_462, 3), (1_356_988, 997_475), (13_995_567, 15_010_413)),
    2023: ((670_491, 238_271), (1_318, 5), (1_482_907, 1_104_226), (16_941_220, 16_170_902)),
    2024: ((512_334, 201_446), (1_102, 2), (1_011_775, 802_114), (9_870_215, 9_311_090)),
}
# Instances of law-enforcement feedback, same recipient order. 2021-2022 real. 2023: ICAC is
# CATALOG.md [P] (312,343); local, federal, international MADE UP. 2024: all MADE UP.
FEEDBACK_COUNTS = {
    2021: (226_879, 91, 303, 36_948),
    2022: (204_517, 51, 478, 56_689),
    2023: (312_343, 64, 512, 61_204),
    2024: (298_120, 40, 455, 58_330),
}
# Appendix A. 1998-2022: the CY2022 edition's page 19; 2023: CATALOG.md [P]; 2024: third-party.
APPENDIX = {
    1998: 4_560, 1999: 9_668, 2000: 19_245, 2001: 24_442, 2002: 43_078, 2003: 81_987,
    2004: 112_017, 2005: 70_768, 2006: 76_584, 2007: 105_261, 2008: 102_029, 2009: 119_547,
    2010: 223_374, 2011: 326_310, 2012: 415_650, 2013: 505_280, 2014: 1_106_071,
    2015: 4_403_657, 2016: 8_297_923, 2017: 10_214_753, 2018: 18_462_422, 2019: 16_987_361,
    2020: 21_751_085, 2021: 29_397_681, 2022: 32_059_029, 2023: 36_210_368, 2024: 20_512_803,
}  # fmt: skip
# Distractor tables the parser must not take for anything (2021-2022 real, later MADE UP).
FILES = {
    2021: (39_939_298, 44_856_209, 196_228),
    2022: (49_404_779, 37_775_034, 1_197_394),
    2023: (55_123_807, 49_391_207, 1_620_119),
    2024: (40_210_331, 30_118_452, 1_402_377),
}
ESPS_REGISTERED = {2021: 149, 2022: 68, 2023: 245, 2024: 197}
NGO_HASHES = {2021: 1_487_992, 2022: 1_141_667, 2023: 1_310_254, 2024: 988_410}

# --------------------------------------------------------------------------------------------------
# The edition, as printed


@dataclass(frozen=True)
class Edition:
    """What a stand-in prints. ``cells`` overrides single printed cells: {(table, row, year): text}
    with table one of totals, location, incidents, unique, recipients, feedback, appendix."""

    year: int
    name: str
    recipients_caption: str = "CyberTipline Reports\nMade Available to Law\nEnforcement"
    feedback_caption: str = (
        "Instances of Law Enforcement\nFeedback Relating to\nCyberTipline Reports"
    )
    recipient_labels: tuple[str, ...] = (
        "Internet Crimes Against\nChildren (ICAC) Task\nForces",
        "Local Law\nEnforcement",
        "Federal Law\nEnforcement",
        "International Law\nEnforcement",
    )
    feedback_labels: tuple[str, ...] = (
        "ICAC Task Forces",
        "Local Law Enforcement",
        "Federal Law Enforcement",
        "International Law Enforcement",
    )
    class_labels: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # year -> labels
    cells: dict[tuple[str, str, int], str] = field(default_factory=dict)
    extra_total_rows: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (label, printed cells)
    year_header: str = "CY {}"
    caption_above: bool = False  # caption in the prose above, header holding only years
    separate_values: bool = False  # "Label:" and its count on separate lines in every cell
    appendix_break: int | None = None  # Appendix A rows on its first page (rest on the next)
    # The recipients table broken by a page break: (data rows before the break, header repeated?)
    recipients_split: tuple[int, bool] | None = None
    feedback_table: bool = True

    @property
    def years(self) -> tuple[int, int, int]:
        return (self.year - 2, self.year - 1, self.year)


def _n(x: int) -> str:
    return f"{x:,}"


def _pct(part: int, total: int) -> str:
    return f"{round(100 * part / total, 1):g}%"


def _recipient_cell(ed: Edition, year: int, i: int) -> str:
    actionable, informational = RECIPIENTS[year][i]
    labels = ed.class_labels.get(year, ("Actionable", "Informational", "Total"))
    values = (actionable, informational, actionable + informational)
    lines = []
    for label, value in zip(labels, values, strict=True):
        line = f"{label}: {_n(value)}"
        # As in Word: a "Label: count" wider than the cell wraps after the colon (the CY2022 edition
        # prints "Informational:" and "11,380,684" on two lines in the international row).
        if ed.separate_values or _width(line) > YEAR_WIDTH - 2 * PADDING:
            line = f"{label}:\n{_n(value)}"
        lines.append(line)
    return "\n".join(lines)


def _rows(ed: Edition) -> dict[str, list[tuple[str, str, list[str]]]]:
    """{table: [(row key, label, printed cells for the three years)]}."""
    ys = ed.years

    def cells(table: str, key: str, printer) -> list[str]:
        return [ed.cells.get((table, key, y), printer(y)) for y in ys]

    def loc(i: int):
        def printer(y: int) -> str:
            value = LOCATION[y][i]
            pct = LOCATION_PERCENT.get(y, (None,) * 3)[i] or _pct(value, TOTALS[y][0])
            return f"{_n(value)}\n{pct}"

        return printer

    out = {
        "totals": [
            ("reports_total", "Total CyberTipline Reports", lambda y: _n(TOTALS[y][0])),
            ("reports_public", "Public CyberTipline Reports", lambda y: _n(TOTALS[y][2])),
            ("reports_esp", "ESP CyberTipline Reports", lambda y: _n(TOTALS[y][1])),
        ],
        "location": [
            ("reports_location_us", "U.S.", loc(0)),
            ("reports_location_international", "International", loc(1)),
            ("reports_location_unknown", "Unknown", loc(2)),
            ("total", "Total", lambda y: _n(TOTALS[y][0])),
        ],
        "incidents": [
            (key, label, lambda y, i=i: _n(INCIDENTS[y][i]))
            for i, (key, label) in enumerate(INCIDENT_ROWS)
        ],
        "unique": [
            ("total", "Total CyberTipline reports", lambda y: _n(TOTALS[y][0])),
            (
                "reports_with_unique_images_videos",
                "CyberTipline reports disaggregated by\nreports containing unique images based\n"
                "on MD5 hash values",
                lambda y: _n(UNIQUE[y][0]),
            ),
            (
                "reports_with_visually_similar_images_videos",
                "CyberTipline reports disaggregated by\nreports containing visually similar\n"
                "images/videos determined by PhotoDNA\nand Videntifier technology",
                lambda y: _n(UNIQUE[y][1]),
            ),
        ],
        "recipients": [
            (key, label, lambda y, i=i: _recipient_cell(ed, y, i))
            for i, (key, label) in enumerate(zip(RECIPIENT_KEYS, ed.recipient_labels, strict=True))
        ],
        "feedback": [
            (key, label, lambda y, i=i: _n(FEEDBACK_COUNTS[y][i]))
            for i, (key, label) in enumerate(zip(RECIPIENT_KEYS, ed.feedback_labels, strict=True))
        ],
    }
    printed = {
        table: [(key, label, cells(table, key, printer)) for key, label, printer in rows]
        for table, rows in out.items()
    }
    for i, (label, printed_cells) in enumerate(ed.extra_total_rows):  # after the total row
        printed["totals"].insert(1 + i, ("extra", label, list(printed_cells)))
    return printed


# --------------------------------------------------------------------------------------------------
# Layout (reportlab platypus; Helvetica; ruled grid tables like the Word export)

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14, spaceAfter=8)
HEADING = ParagraphStyle("heading", parent=BODY, fontName="Helvetica-Bold", fontSize=12)
CELL_FONT = 9
PADDING = 6  # reportlab's default cell padding
LABEL_WIDTH, YEAR_WIDTH = 170.0, 105.0
GRID = [
    ("GRID", (0, 0), (-1, -1), 0.75, colors.black),
    ("FONTNAME", (0, 0), (-1, -1), "Helvetica"),
    ("FONTSIZE", (0, 0), (-1, -1), CELL_FONT),
    ("LEADING", (0, 0), (-1, -1), 11),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("ALIGN", (1, 0), (-1, -1), "CENTER"),
    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.85, 0.89, 0.95)),
]


def _width(line: str) -> float:
    return stringWidth(line, "Helvetica", CELL_FONT)


def _wrap(text: str, width: float) -> str:
    """Word-style wrapping at spaces; explicit line breaks are kept. A single word wider than the
    cell is a mistake in the stand-in (the text would spill into the next cell)."""
    lines = []
    for para in text.splitlines():
        line = ""
        for word in para.split(" "):
            assert _width(word) <= width, f"{word!r} does not fit in {width} pt"
            if line and _width(f"{line} {word}") > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return "\n".join(lines)


def _table(data: list[list[str]], widths: list[float], style: list) -> Table:
    """A ruled table whose cell text is wrapped to the cell (a row whose other cells are empty is a
    caption spanning the table)."""
    data = [
        [_wrap(row[0], sum(widths) - 2 * PADDING)] + row[1:]
        if all(c == "" for c in row[1:])
        else [_wrap(c, w - 2 * PADDING) for c, w in zip(row, widths, strict=True)]
        for row in data
    ]
    table = Table(data, colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(text.replace("\n", " "), style)


def _three_year_table(ed: Edition, caption: str, rows, intro: str, split=None) -> list:
    """Intro paragraph and ruled table; ``split`` = (rows before a page break, header repeated?)."""
    years = [ed.year_header.format(y) for y in ed.years]
    flow = [_p(intro)]
    if ed.caption_above:  # the caption as a bold line above a table whose header holds only years
        flow.append(_p(caption, HEADING))
        header = ["", *years]
    else:
        header = [caption, *years]
    body = [[label, *cells] for _, label, cells in rows]
    parts = [[header, *body]]
    if split:
        cut, repeat = split
        parts = [[header, *body[:cut]], ([header] if repeat else []) + body[cut:]]
    for i, data in enumerate(parts):
        table = _table(data, [LABEL_WIDTH] + [YEAR_WIDTH] * 3, GRID)
        flow += [PageBreak(), table] if i else [table]
    return [*flow, Spacer(1, 14)]


def _single_row_table(caption: str, years, values) -> Table:
    """Hash-sharing charts: caption across the top, a row of years, a row of counts."""
    data = [[caption, "", ""], [f"CY {y}" for y in years], [_n(v) for v in values]]
    return _table(data, [160.0] * 3, [*GRID, ("SPAN", (0, 0), (-1, 0))])


def _appendix_table(ed: Edition, years: list[int]) -> Table:
    header = [
        "Date Range (Calendar Year)",
        "Total Number of CyberTipline\nReports Received by NCMEC",
    ]
    data = [header]
    for y in years:
        yy = f"{y % 100:02d}"
        label = f"CY{y} (1/1/{yy}-12/31/{yy})"
        data.append([label, ed.cells.get(("appendix", "reports_total", y), _n(APPENDIX[y]))])
    return _table(data, [200.0, 200.0], GRID)


def _pages(ed: Edition) -> list[list]:
    """One list of flowables per page; pages are separated by explicit page breaks so every table
    lands on a known page (the tests check the page count)."""
    y, ys = ed.year, ed.years
    rows = _rows(ed)
    cy = ", ".join(f"CY {x}" for x in ys[:2]) + f", and CY {ys[2]}"
    pages = [
        [
            _p("Office of Justice Programs<br/>U.S. Department of Justice", HEADING),
            _p(f"CY {y} Report to the Committees on Appropriations", HEADING),
            _p("National Center for Missing and Exploited Children (NCMEC) Transparency", HEADING),
        ],
        [
            _p("I. Introduction", HEADING),
            _p(
                "NCMEC is a private, non-profit organization that serves as a national "
                "clearinghouse and resource center for families, victims, private organizations, "
                "law enforcement and the public on issues relating to missing and sexually "
                "exploited children."
            ),
        ],
        [
            _p("II. Background on the CyberTipline", HEADING),
            _p(
                "In March 1998, NCMEC created the CyberTipline to serve as an online mechanism for "
                "members of the public and electronic communication service providers (ESPs) to "
                "report incidents of suspected child sexual exploitation."
            ),
            _p(
                "When the CyberTipline became operational in CY 1998, NCMEC received 4,560 reports "
                "relating to child sexual exploitation. Appendix A contains a chart showing the "
                f"total number of CyberTipline reports received from CY 1998 to CY {y}."
            ),
        ],
        [
            _p("A. Public vs. ESP Reporting and Geographic Location", HEADING),
            *_three_year_table(
                ed,
                "CyberTipline Reports\nSubmitted by Members of\nthe Public and ESPs",
                rows["totals"],
                f"The chart below shows the number of CyberTipline reports NCMEC received from "
                f"members of the public in {cy}.",
            ),
            *_three_year_table(
                ed,
                "CyberTipline Reports\nRelating to U.S. and\nInternational Users",
                rows["location"],
                f"The chart below shows the number of CyberTipline reports NCMEC received in {cy} "
                "that related to U.S. users and international users.",
            ),
        ],
        [
            *_three_year_table(
                ed,
                "Categorization of CyberTipline\nReports",
                rows["incidents"],
                "All reports submitted to the CyberTipline are categorized by the type of child "
                f"sexual exploitation that is being reported, shown below for {cy}.",
            ),
            *_three_year_table(
                ed,
                "Files Uploaded with CyberTipline\nReports Submitted by ESPs\n(Images, Videos, "
                "Other Content)",
                [
                    (label, label, [_n(FILES[x][i]) for x in ys])
                    for i, label in enumerate(("Images", "Videos", "Other Content"))
                ]
                + [("Total", "Total", [_n(sum(FILES[x])) for x in ys])],
                f"The chart below shows the files submitted to NCMEC's CyberTipline in {cy}.",
            ),
        ],
        [
            *_three_year_table(
                ed,
                "CyberTipline Reports Submitted by\nESPs Containing Unique and\nVisually Similar "
                "Images/Videos Based\non MD5 and Hash-Matching\nTechnologies",
                rows["unique"],
                "The chart below shows reports containing unique images and videos based on MD5 "
                "hashing and visually similar images and videos based on PhotoDNA and Videntifier.",
            ),
        ],
        [
            _p(
                "The chart below shows unique and visually similar images and videos submitted to "
                f"the CyberTipline by ESPs in {cy}."
            ),
            _distractor_unique_images(ys),
        ],
        [
            *_three_year_table(
                ed,
                "ESPs Registered to Report to\nthe CyberTipline",
                [("e", "New ESPs Registered by NCMEC", [_n(ESPS_REGISTERED[x]) for x in ys])],
                "NCMEC registers ESPs that want to report to the CyberTipline.",
            ),
            _p("D. CyberTipline Reports Made Available to Law Enforcement", HEADING),
            *_three_year_table(
                ed,
                ed.recipients_caption,
                rows["recipients"],
                "The chart below shows CyberTipline reports made available to law enforcement "
                f"agencies in {cy}. Reports are sometimes made available to more than one agency.",
                ed.recipients_split,
            ),
        ],
        [
            _p("E. Law Enforcement Feedback", HEADING),
            _p(
                "Law enforcement agencies are not generally required by law to provide feedback on "
                "CyberTipline reports. Despite NCMEC's efforts to facilitate and obtain feedback, "
                "most agencies provide little or no feedback."
            ),
        ],
        [
            *(
                _three_year_table(
                    ed,
                    ed.feedback_caption,
                    rows["feedback"],
                    "The chart below shows the amount of help provided by law enforcement relating "
                    f"to CyberTipline reports submitted to NCMEC in {cy}.",
                )
                if ed.feedback_table
                else [_p("[This edition prints no table here.]")]
            ),
            _p("F. NCMEC's Voluntary Initiatives for ESPs", HEADING),
            _single_row_table(
                "NCMEC MD5 Hashes Added to Non-Governmental Apparent Child Pornography "
                "Hash-Sharing Initiative",
                ys,
                [NGO_HASHES[x] for x in ys],
            ),
        ],
    ]
    appendix_years = list(range(y, 1997, -1))  # newest first, as in the CY2022 edition
    cut = ed.appendix_break or len(appendix_years)
    pages.append([_p("Appendix A", HEADING), _appendix_table(ed, appendix_years[:cut])])
    if appendix_years[cut:]:
        pages.append([_appendix_table(ed, appendix_years[cut:])])
    return pages


def _distractor_unique_images(ys) -> Table:
    """The images/videos chart whose caption also says "Unique and Visually Similar": the parser
    must reject it by its rows (Images, Videos), not take it for the reports table. MADE UP."""
    caption = (
        "Unique and Visually Similar Images/Videos Contained in CyberTipline Reports "
        "Submitted by ESPs as Determined by Hash-Matching Technology"
    )
    header = [""] + [f"CY {x}-\n{kind}" for x in ys for kind in ("MD5", "PhotoDNA")]
    data = [[caption] + [""] * 6, header]
    images = (26_421_535, 18_821_051, 27_102_310, 19_004_554, 28_317_909, 19_550_120)
    videos = (16_978_366, 8_315_811, 17_220_410, 8_611_002, 17_901_555, 9_002_317)
    data += [["Images", *map(_n, images)], ["Videos", *map(_n, videos)]]
    return _table(data, [80.0] + [66.0] * 6, [*GRID, ("SPAN", (0, 0), (-1, 0))])


def write_standin(path: Path, ed: Edition) -> tuple[Path, int]:
    """Write the stand-in; returns (path, number of pages laid out)."""
    assert "standin" in path.name
    story = []
    for i, page in enumerate(_pages(ed)):
        story += page if i == 0 else [PageBreak(), *page]
    page_count = 1 + sum(isinstance(f, PageBreak) for f in story)  # build() consumes the story

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica-Oblique", 7)
        canvas.drawString(72, 30, f"{NOTICE} Edition: CY {ed.year} ({ed.name}).")
        canvas.drawRightString(letter[0] - 72, 30, str(doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(path),
        pagesize=letter,
        leftMargin=60,
        rightMargin=60,
        topMargin=60,
        bottomMargin=60,
        title=f"STAND-IN OJJDP-NCMEC Transparency CY {ed.year} ({ed.name})",
        subject=NOTICE,
        creator="tests/test_transparency_future_editions.py (generated stand-in)",
        invariant=1,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return path, page_count


# --------------------------------------------------------------------------------------------------
# The editions under test

DOC_2023 = "ncmec_transparency_2023"
DOC_2024 = "ncmec_transparency_2024"

# CY2023 as it most plausibly looks: the CY2022 template with a renamed recipients caption and ICAC
# labels, two numbers wrapped mid-number in narrow cells, and the CY2021 federal cell reprinted
# with the CY2022 edition's "International:" typo.
CY2023 = Edition(
    2023,
    "a",
    cells={
        ("recipients", "federal_law_enforcement", 2021): (
            "Actionable: 916,064\nInternational: 590,383\nTotal: 1,506,447"
        ),
        ("recipients", "international_law_enforcement", 2023): (
            "Actionable:\n16,941,22\n0\nInformational:\n16,170,902\nTotal: 33,112,122"
        ),
        ("feedback", "icac_task_forces", 2023): "312,34\n3",
    },
)
RECIPIENTS_RECAPTIONED = "Law Enforcement\nRecipients of\nCyberTipline Reports"
FEEDBACK_FROM_RECIPIENTS = (
    "Instances of Feedback from\nLaw Enforcement Recipients of\nCyberTipline Reports"
)
REFERRALS = ("Referrals", "Informational", "Total")

EDITIONS: dict[str, tuple[str, Edition]] = {
    "cy2023": (DOC_2023, CY2023),
    # Captions as bold lines above years-only headers, "Calendar Year 2023", every "Label:" with its
    # count on the next line, Appendix A broken over two pages with its header repeated.
    "cy2023_layout": (
        DOC_2023,
        replace(
            CY2023,
            name="b",
            caption_above=True,
            year_header="Calendar Year {}",
            separate_values=True,
            appendix_break=12,
        ),
    ),
    # The recipients table broken by a page break, its years-only header repeated on the next page.
    "cy2023_page_break": (
        DOC_2023,
        replace(CY2023, name="c", caption_above=True, recipients_split=(2, True)),
    ),
    # The feedback caption names the recipients too.
    "cy2023_feedback_recipients": (
        DOC_2023,
        replace(
            CY2023,
            name="d",
            recipients_caption=RECIPIENTS_RECAPTIONED,
            feedback_caption=FEEDBACK_FROM_RECIPIENTS,
        ),
    ),
    # ... and the recipients caption reworded beyond recognition: only the feedback table is left.
    "cy2023_recipients_unrecognised": (
        DOC_2023,
        replace(
            CY2023,
            name="e",
            recipients_caption="CyberTipline Reports\nShared with Law\nEnforcement",
            feedback_caption=FEEDBACK_FROM_RECIPIENTS,
        ),
    ),
    "cy2023_icac_total_off": (
        DOC_2023,
        replace(
            CY2023,
            name="f",
            cells={
                **CY2023.cells,
                ("recipients", "icac_task_forces", 2023): (
                    "Actionable: 670,491\nInformational: 238,271\nTotal: 908,763"
                ),
            },
        ),
    ),
    "cy2023_public_off": (
        DOC_2023,
        replace(
            CY2023, name="g", cells={**CY2023.cells, ("totals", "reports_public", 2023): "265,543"}
        ),
    ),
    "cy2023_no_feedback": (DOC_2023, replace(CY2023, name="h", feedback_table=False)),
    # CY2024-like: the new referral/informational split printed in the recipient cells ...
    "cy2024_referrals": (DOC_2024, Edition(2024, "i", class_labels={2024: REFERRALS})),
    # ... or as rows of the totals table (MADE UP: referrals + informational = the 2024 total).
    "cy2024_totals_split": (
        DOC_2024,
        Edition(
            2024,
            "j",
            extra_total_rows=(
                ("Referrals", ("N/A", "N/A", "12,305,226")),
                ("Informational Reports", ("N/A", "N/A", "8,207,577")),
            ),
        ),
    ),
    # CY2024 printed exactly like CY2023 (labels unchanged).
    "cy2024_unchanged": (DOC_2024, Edition(2024, "k")),
}
PARSES = ("cy2023", "cy2023_layout", "cy2023_page_break", "cy2023_feedback_recipients")
# Where each table of the main stand-in is: the recipients table on page 8, feedback on page 10, ...
MAIN_PAGES = {"totals": 4, "incidents": 5, "unique": 6, "recipients": 8, "feedback": 10}


@dataclass
class Run:
    edition: Edition
    path: Path
    page_count: int  # pages laid out by the generator
    pages: list  # what parse() extracted (captured on the way through)
    out: dict[str, pd.DataFrame] | None
    error: ParseError | None


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """run(key): the stand-in for EDITIONS[key], written and parsed once per module."""
    root = tmp_path_factory.mktemp("transparency_standins")
    cache: dict[str, Run] = {}
    extract = nt.extract_pages

    def get(key: str) -> Run:
        if key not in cache:
            doc_id, ed = EDITIONS[key]
            path, page_count = write_standin(root / f"{doc_id}_{key}_standin.pdf", ed)
            seen: list = []
            out, error = None, None
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(nt, "extract_pages", lambda p: seen.append(extract(p)) or seen[-1])
                try:
                    out = nt.parse(path, by_id(doc_id))
                except ParseError as exc:
                    error = exc
            assert len(seen) == 1 and len(seen[0]) == page_count, "stand-in layout overflowed"
            cache[key] = Run(ed, path, page_count, seen[0], out, error)
        return cache[key]

    return get


def _parsed(run, key: str) -> dict[str, pd.DataFrame]:
    r = run(key)
    assert r.error is None, f"{key}: {r.error}"
    return r.out


def _error(run, key: str) -> ParseError:
    r = run(key)
    assert r.error is not None, f"{key} parsed; it must fail loudly"
    return r.error


def _records(df: pd.DataFrame) -> list[dict]:
    return [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in df.to_dict("records")]


def _values(df: pd.DataFrame, keys: list[str], value: str) -> dict:
    return {tuple(r[k] for k in keys): r[value] for r in df.to_dict("records")}


def _raw_cells(r: Run, page: int) -> list[str]:
    return [c for t in r.pages[page - 1].tables for row in t.rows for c in row if c]


# What the stand-ins print, as the parser must publish it (from the figure dictionaries, not from
# the printed strings, so wrapped and mislabelled cells are checked too).
def expected_by_year(year: int) -> dict[tuple[int, str], int]:
    ys = range(year - 2, year + 1)
    out = {(y, "reports_total"): APPENDIX[y] for y in range(1998, year + 1)}
    for y in ys:
        total, esp, public = TOTALS[y]
        out |= {(y, "reports_total"): total, (y, "reports_esp"): esp, (y, "reports_public"): public}
        for m, v in zip(
            ("reports_location_us", "reports_location_international", "reports_location_unknown"),
            LOCATION[y],
            strict=True,
        ):
            out[(y, m)] = v
        out |= {(y, m): v for (m, _), v in zip(INCIDENT_ROWS, INCIDENTS[y], strict=True)}
        out[(y, "reports_with_unique_images_videos")] = UNIQUE[y][0]
        out[(y, "reports_with_visually_similar_images_videos")] = UNIQUE[y][1]
    return out


def expected_to_le(year: int) -> dict[tuple[int, str, str], int]:
    out = {}
    for y in range(year - 2, year + 1):
        for key, (a, i) in zip(RECIPIENT_KEYS, RECIPIENTS[y], strict=True):
            out |= {
                (y, key, "actionable"): a,
                (y, key, "informational"): i,
                (y, key, "total"): a + i,
            }
    return out


def expected_feedback(year: int) -> dict[tuple[int, str], int]:
    return {
        (y, key): v
        for y in range(year - 2, year + 1)
        for key, v in zip(RECIPIENT_KEYS, FEEDBACK_COUNTS[y], strict=True)
    }


# --------------------------------------------------------------------------------------------------
# The stand-in data itself


def test_standin_figures_are_consistent():
    for y in (2021, 2022, 2023, 2024):
        total, esp, public = TOTALS[y]
        assert esp + public == total == sum(LOCATION[y]) == sum(INCIDENTS[y]) == APPENDIX[y]
    assert TOTALS[2023] == (36_210_368, 35_944_826, 265_542)  # CATALOG.md [P]
    assert RECIPIENTS[2023][0] == (670_491, 238_271) and sum(RECIPIENTS[2023][0]) == 908_762
    assert FEEDBACK_COUNTS[2023][0] == 312_343 and INCIDENTS[2023][2] == 186_819


# --------------------------------------------------------------------------------------------------
# CY2023: parses to exactly the printed figures


def test_cy2023_standin_has_the_quirks_it_claims(run):
    r = run("cy2023")
    assert "standin" in r.path.name and r.page_count == 11
    assert NOTICE in r.pages[0].text
    recipients = _raw_cells(r, MAIN_PAGES["recipients"])
    assert "CyberTipline Reports\nMade Available to Law\nEnforcement" in recipients  # renamed
    assert any("(ICAC) Task" in c for c in recipients)  # renamed row label
    assert "Actionable:\n16,941,22\n0\nInformational:\n16,170,902\nTotal: 33,112,122" in recipients
    assert "Actionable: 916,064\nInternational: 590,383\nTotal: 1,506,447" in recipients
    assert "Actionable: 670,491\nInformational: 238,271\nTotal: 908,762" in recipients
    feedback = _raw_cells(r, MAIN_PAGES["feedback"])
    assert "312,34\n3" in feedback and "ICAC Task Forces" in feedback
    assert {"CY2023 (1/1/23-12/31/23)", "CY1998 (1/1/98-12/31/98)"} <= set(_raw_cells(r, 11))


def test_cy2023_key_figures_exact_rows(run):
    out = _parsed(run, "cy2023")
    by_year = out[BY_YEAR]
    key = ["reports_total", "reports_esp", "reports_public", "reports_online_enticement"]
    rows = by_year[(by_year["calendar_year"] == 2023) & by_year["measure"].isin(key)]
    base = {"calendar_year": 2023, "qualifier": None, "note": None, "document_id": DOC_2023}
    assert _records(rows) == [
        {**base, "measure": "reports_esp", "value": 35_944_826, "page": 4},
        {**base, "measure": "reports_online_enticement", "value": 186_819, "page": 5},
        {**base, "measure": "reports_public", "value": 265_542, "page": 4},
        {**base, "measure": "reports_total", "value": 36_210_368, "page": 4},
    ]
    to_le = out[TO_LE]
    icac = to_le[(to_le["calendar_year"] == 2023) & (to_le["recipient"] == "icac_task_forces")]
    base = {"calendar_year": 2023, "recipient": "icac_task_forces", "note": None, "page": 8}
    base["document_id"] = DOC_2023
    assert _records(icac) == [
        {**base, "report_class": "actionable", "reports": 670_491},
        {**base, "report_class": "informational", "reports": 238_271},
        {**base, "report_class": "total", "reports": 908_762},
    ]
    fb = out[FEEDBACK]
    assert _records(
        fb[(fb["calendar_year"] == 2023) & (fb["recipient"] == "icac_task_forces")]
    ) == [
        {
            "calendar_year": 2023,
            "recipient": "icac_task_forces",
            "feedback_instances": 312_343,
            "note": NOT_ARRESTS_NOTE,
            "document_id": DOC_2023,
            "page": 10,
        }
    ]


@pytest.mark.parametrize("key", PARSES)
def test_every_figure_as_printed(run, key):
    out = _parsed(run, key)
    assert _values(out[BY_YEAR], ["calendar_year", "measure"], "value") == expected_by_year(2023)
    assert _values(
        out[TO_LE], ["calendar_year", "recipient", "report_class"], "reports"
    ) == expected_to_le(2023)
    assert _values(
        out[FEEDBACK], ["calendar_year", "recipient"], "feedback_instances"
    ) == expected_feedback(2023)
    for df in out.values():
        assert set(df["document_id"]) == {DOC_2023}


@pytest.mark.parametrize("key", PARSES)
@pytest.mark.parametrize("name", [BY_YEAR, TO_LE, FEEDBACK])
def test_every_table_validates(run, key, name):
    df = _parsed(run, key)[name]
    validated = schemas.TABLES[name].validate(df, lazy=True)
    assert len(validated) == len(df) > 0
    # the parser gives every column but those assembly derives across documents
    derived = DERIVED_COLUMNS.get(name, ())
    assert list(df.columns) == [
        c for c in schemas.TABLES[name].to_schema().columns if c not in derived
    ]


def test_cy2023_reconciles(run):
    out = _parsed(run, "cy2023")
    v = _values(out[BY_YEAR], ["calendar_year", "measure"], "value")
    for y in (2021, 2022, 2023):
        assert v[(y, "reports_esp")] + v[(y, "reports_public")] == v[(y, "reports_total")]
        location = [v[(y, f"reports_location_{k}")] for k in ("us", "international", "unknown")]
        assert sum(location) == v[(y, "reports_total")]
        incidents = [v[(y, m)] for m, _ in INCIDENT_ROWS]
        assert sum(incidents) == v[(y, "reports_total")]
    le = _values(out[TO_LE], ["calendar_year", "recipient", "report_class"], "reports")
    for (y, rec, cls), n in le.items():
        if cls == "total":
            assert le[(y, rec, "actionable")] + le[(y, rec, "informational")] == n
    # Nothing disagreed, so the only notes are the 1998 caveat and the reprinted label typo.
    by_year = out[BY_YEAR]
    noted = by_year[by_year["note"].notna()]
    assert noted[["calendar_year", "measure"]].values.tolist() == [[1998, "reports_total"]]
    assert noted.iloc[0]["note"] == (
        "The narrative (page 3) says NCMEC created the CyberTipline in March 1998, so this count "
        "covers part of CY1998 although Appendix A labels it 1/1/98-12/31/98."
    )
    to_le = out[TO_LE]
    noted = to_le[to_le["note"].notna()]
    assert noted[["calendar_year", "recipient", "report_class", "reports"]].values.tolist() == [
        [2021, "federal_law_enforcement", "informational", 590_383]
    ]


def test_cy2023_pages(run):
    out = _parsed(run, "cy2023")
    by_year = out[BY_YEAR]
    pages = by_year.groupby("measure")["page"].unique().map(sorted).to_dict()
    assert pages["reports_total"] == [MAIN_PAGES["totals"], 11]  # Appendix A for 1998-2020
    assert pages["reports_esp"] == pages["reports_location_us"] == [MAIN_PAGES["totals"]]
    assert pages["reports_online_enticement"] == [MAIN_PAGES["incidents"]]
    assert pages["reports_with_unique_images_videos"] == [MAIN_PAGES["unique"]]
    assert set(out[TO_LE]["page"]) == {MAIN_PAGES["recipients"]}
    assert set(out[FEEDBACK]["page"]) == {MAIN_PAGES["feedback"]}


def test_layout_variant_has_the_quirks_it_claims(run):
    r = run("cy2023_layout")
    assert r.page_count == 12
    recipients = _raw_cells(r, 8)
    assert "Calendar Year 2023" in recipients and "Actionable:\n670,491" in "\n".join(recipients)
    assert not any("Made Available" in c for c in recipients)  # the caption is above the table
    appendix = [_raw_cells(r, n) for n in (11, 12)]
    assert all("Date Range (Calendar Year)" in cells for cells in appendix)  # header repeated
    assert "CY2012 (1/1/12-12/31/12)" in appendix[0] and "CY2011 (1/1/11-12/31/11)" in appendix[1]
    out = _parsed(run, "cy2023_layout")[BY_YEAR]
    assert set(out.loc[out["calendar_year"] <= 2011, "page"]) == {12}


def test_page_break_rows_keep_their_pages(run):
    out = _parsed(run, "cy2023_page_break")
    assert run("cy2023_page_break").page_count == 12
    pages = out[TO_LE].groupby("recipient")["page"].unique().map(list).to_dict()
    assert pages == {
        "icac_task_forces": [8],
        "local_law_enforcement": [8],
        "federal_law_enforcement": [9],
        "international_law_enforcement": [9],
    }
    assert set(out[FEEDBACK]["page"]) == {11}


def test_a_new_table_at_the_top_of_a_page_is_not_a_continuation(run):
    """The page-break rule joins a years-only header only when no text sits above it: with a caption
    above, the same table is a new (unrecognised) table and the recipients table is incomplete."""
    pages = copy.deepcopy(run("cy2023_page_break").pages)
    continuation = pages[8].tables[0]
    assert continuation.context == ""
    continuation.context = "Instances of Law Enforcement Feedback Relating to CyberTipline Reports"
    with pytest.raises(ParseError) as err:
        nt.parse_pages(pages, DOC_2023, 2023)
    assert str(err.value).startswith(
        f"{DOC_2023}, page 8: expected the reports made available to law enforcement table"
    )
    assert "no row for international_law_enforcement, federal_law_enforcement" in str(err.value)


def test_feedback_is_never_read_as_reports_made_available(run):
    """The feedback caption names "Law Enforcement Recipients" and the recipients caption is
    unrecognised: the feedback counts (bare counts, which a recipient cell may be) must not be
    published as reports made available."""
    err = _error(run, "cy2023_recipients_unrecognised")
    assert (err.document_id, err.page) == (DOC_2023, None)
    assert str(err).startswith(
        f"{DOC_2023}, page -: expected the reports made available to law enforcement table with "
        "rows ['icac_task_forces', 'international_law_enforcement', 'federal_law_enforcement', "
        "'local_law_enforcement'], captioned like"
    )
    assert str(err).endswith("found 'no such table'")


# --------------------------------------------------------------------------------------------------
# Must fail loudly


def test_cy2024_referrals_label_fails_loudly(run):
    r = run("cy2024_referrals")
    assert any("Referrals: 512,334" in c for c in _raw_cells(r, 8))
    err = _error(run, "cy2024_referrals")
    assert (err.document_id, err.page) == (DOC_2024, 8)
    assert str(err) == (
        f"{DOC_2024}, page 8: expected labels Actionable, Informational and Total; "
        "found 'Referrals: 512,334\\nInformational: 201,446\\nTotal: 713,780'"
    )


def test_cy2024_totals_split_into_referrals_fails_loudly(run):
    err = _error(run, "cy2024_totals_split")
    assert (err.document_id, err.page) == (DOC_2024, 4)
    assert str(err) == (
        f"{DOC_2024}, page 4: expected the public vs ESP reports table with rows "
        "['reports_total', 'reports_public', 'reports_esp']; "
        "found \"unrecognised row 'Referrals'; unrecognised row 'Informational Reports'\""
    )


def test_cy2024_with_unchanged_labels_parses_and_gets_the_bundling_caveat(run):
    """Nothing in such an edition says the counts changed meaning; the 2024 bundling caveat is added
    downstream (pipeline.caveats) to every 2024 report count."""
    from pipeline.caveats import BUNDLING_NOTE, apply_caveats

    out = _parsed(run, "cy2024_unchanged")
    assert _values(out[BY_YEAR], ["calendar_year", "measure"], "value") == expected_by_year(2024)
    assert _values(
        out[TO_LE], ["calendar_year", "recipient", "report_class"], "reports"
    ) == expected_to_le(2024)
    df = apply_caveats(TO_LE, out[TO_LE])
    assert (df.loc[df["calendar_year"] == 2024, "note"] == BUNDLING_NOTE).all()
    assert not df.loc[df["calendar_year"] < 2024, "note"].fillna("").str.contains("bundle").any()


def test_recipient_total_that_does_not_equal_its_parts(run):
    err = _error(run, "cy2023_icac_total_off")
    assert str(err) == (
        f"{DOC_2023}, page 8: expected printed total 908,763 to equal actionable + informational; "
        "found '670,491 + 238,271 = 908,762'"
    )


def test_yearly_total_that_does_not_equal_esp_plus_public(run):
    err = _error(run, "cy2023_public_off")
    assert str(err) == (
        f"{DOC_2023}, page 4: expected CY2023 reports (ESP + public): printed total 36,210,368 to "
        "equal the sum of its parts; found 'reports_esp 35,944,826 + reports_public 265,543 = "
        "36,210,369'"
    )


def test_missing_feedback_table(run):
    err = _error(run, "cy2023_no_feedback")
    assert (err.document_id, err.page) == (DOC_2023, None)
    assert str(err) == (
        f"{DOC_2023}, page -: expected the law-enforcement feedback table with rows "
        "['icac_task_forces', 'international_law_enforcement', 'federal_law_enforcement', "
        "'local_law_enforcement'], captioned like 'feedback'; found 'no such table'"
    )
