"""Stand-in future editions (2023-2025) of NCMEC's "Reports by ESP" and "Reports by Country" PDFs,
generated with reportlab and run through the real ``parse(path, doc)``, pdfplumber included.

No real copy of those editions exists offline, so each test writes a small, plausible edition into
``tmp_path`` (file names contain "standin"; nothing is committed) that changes one or more things a
later edition may change: header wording, total spelling, font, column positions, wrapped names with
the count on either line, names with asterisks, ampersands, commas and diacritics, a page that ends
mid-table, the 2019 two-pairs-per-line layout, new unknown-location labels. Every positive variant
must reconcile to the exact rows (name, count, page) and total the generator printed; every negative
variant must fail with a ParseError that names the document and where it went wrong. The layout
mimics the real files: prose and a large title on page 1, a running header "YYYY Reports by ... N"
on later pages, the table header repeated on every page, a horizontal rule under every row, and the
copyright and MissingKids.org footers.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import pdfplumber
import pycountry
import pytest
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from pipeline.parsers import ncmec_country, ncmec_esp
from pipeline.parsers.base import ParseError
from pipeline.registry import Document, by_id

WIDTH, HEIGHT = letter
ESP_DOC = by_id("ncmec_esp_2023")
COUNTRY_DOC = by_id("ncmec_country_2024")
COPYRIGHT = (
    "Copyright \u00a9 {next} National Center for Missing & Exploited Children. All rights reserved."
)


# ------------------------------------------------------------------------------------------------
# The generator
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One table row as printed: its name over one or more lines, its count cell(s), and the name
    line the count sits on (0 = first; 0.5 = on a line of its own between the first two, as 2021)."""

    lines: tuple[str, ...]
    counts: tuple[str, ...]
    at: float = 0

    @property
    def name(self) -> str:
        return " ".join(self.lines)

    @property
    def value(self) -> int:
        text = self.counts[0] if self.counts else "-"  # a name-only line counts for nothing
        return 0 if text in {"-", "\u2013"} else int(text.replace(",", ""))


def row(name: str | tuple[str, ...], *counts: str, at: float = 0) -> Row:
    return Row((name,) if isinstance(name, str) else name, counts, at)


BREAK = Row((), ())  # forces the next row onto a new column or page: "a page that ends mid-table"


@dataclass(frozen=True)
class Layout:
    title: tuple[str, ...]
    prose: tuple[str, ...]
    running: str  # running header on pages 2+, formatted with page=
    header: tuple[str, ...]  # name label, then one label per count column; "\n" stacks a label
    columns: tuple[tuple[float, ...], ...]  # per pair on a page: name x, right edge of each count
    total_label: str
    font: str = "Helvetica"
    bold: str = "Helvetica-Bold"
    size: float = 11.0
    pitch: float = 16.3  # baseline to baseline between rows
    wrap: float = 13.2  # baseline to baseline inside a wrapped name
    bottom: float = 690.0  # no row baseline below this (from the top of the page)
    repeat_header: bool = True
    total_header: tuple[str, str] | None = None  # 2019: the total under its own full-width header
    footnote: str = ""


@dataclass(frozen=True)
class Built:
    path: Path
    rows: list[tuple[str, int, int]]  # (name, count, page) in reading order
    total: int
    total_page: int
    pages: int


class _Writer:
    def __init__(self, path: Path, layout: Layout):
        self.c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
        self.c.setCreator("tests/test_future_editions.py (generated stand-in, not a real document)")
        self.layout = layout
        self.page = 1
        self.c.setLineWidth(0.5)

    def text(self, x: float, baseline: float, s: str, *, bold=False, size=None, right=False):
        lay = self.layout
        self.c.setFont(lay.bold if bold else lay.font, size or lay.size)
        draw = self.c.drawRightString if right else self.c.drawString
        draw(x, HEIGHT - baseline, s)

    def rule(self, x0: float, x1: float, baseline: float) -> None:
        # Real files draw each rule as two segments meeting between the columns.
        mid = (x0 + x1) / 2
        self.c.line(x0, HEIGHT - baseline, mid, HEIGHT - baseline)
        self.c.line(mid, HEIGHT - baseline, x1, HEIGHT - baseline)

    def furniture(self) -> None:
        if self.page > 1:
            running = self.layout.running.format(page=self.page)
            self.text(540, 46, running, bold=True, size=13, right=True)
        self.text(WIDTH / 2, 736, "MissingKids.org/CyberTiplineData", bold=True, size=12)
        self.c.setFont(self.layout.font, 8)
        self.c.drawCentredString(WIDTH / 2, HEIGHT - 757, COPYRIGHT.format(next=2025))

    def new_page(self) -> None:
        self.furniture()
        self.c.showPage()
        self.c.setLineWidth(0.5)
        self.page += 1

    def intro(self) -> float:
        """Title and prose on page 1; returns the baseline for the table header."""
        b = 150.0
        for line in self.layout.title:
            self.c.setFont(self.layout.bold, 22)
            self.c.drawCentredString(WIDTH / 2, HEIGHT - b, line)
            b += 26
        b += 20
        for paragraph in self.layout.prose:
            for line in simpleSplit(paragraph, self.layout.font, self.layout.size, WIDTH - 144):
                self.text(72, b, line)
                b += 14
            b += 8
        return b + 24

    def header(self, pair: tuple[float, ...], labels: tuple[str, ...], b: float) -> float:
        """Draw one pair's header with rules above and below; returns the first row's baseline."""
        x0, x1 = pair[0] - 13, pair[-1] + 13
        stacked = any("\n" in label for label in labels)
        self.rule(x0, x1, b - (22 if stacked else 15))
        for i, label in enumerate(labels):
            parts = label.split("\n")
            for k, part in enumerate(parts):
                y = b + (k - (len(parts) - 1) / 2) * 14.4
                if i == 0:
                    self.text(pair[0], y, part, bold=True, size=12)
                else:
                    self.text(pair[i], y, part, bold=True, size=12, right=True)
        below = b + (14 if stacked else 9)
        self.rule(x0, x1, below)
        return below + 15

    def row(self, pair: tuple[float, ...], r: Row, b: float, *, bold=False) -> float:
        """Draw a row starting at baseline b; returns the next row's baseline."""
        for k, line in enumerate(r.lines):
            self.text(pair[0], b + k * self.layout.wrap, line, bold=bold)
        for i, count in enumerate(r.counts):
            self.text(pair[i + 1], b + r.at * self.layout.wrap, count, bold=bold, right=True)
        last = b + (len(r.lines) - 1) * self.layout.wrap
        self.rule(pair[0] - 13, pair[-1] + 13, last + (self.layout.pitch - 0.53 * 11) / 2)
        return last + self.layout.pitch

    def height(self, r: Row) -> float:
        return (len(r.lines) - 1) * self.layout.wrap + self.layout.pitch


def build(path: Path, layout: Layout, rows: list[Row], total: int | None = None) -> Built:
    """Write the stand-in and return what a correct parser must read from it."""
    assert "standin" in path.name
    w = _Writer(path, layout)
    data = [r for r in rows if r is not BREAK]
    total = sum(r.value for r in data) if total is None else total
    out: list[tuple[str, int, int]] = []

    def page_headers(b: float) -> float:
        return min(w.header(pair, layout.header, b) for pair in layout.columns)

    start = page_headers(w.intro())
    col, b, lowest = 0, start, start
    total_row = Row((layout.total_label,), (f"{total:,}",))
    room = 40.0 if layout.footnote else 0.0  # the footnote goes under the total
    for r in [*rows, total_row]:
        last = r is total_row
        if last and layout.total_header:
            break
        if r is BREAK or b + w.height(r) - layout.pitch + (room if last else 0) > layout.bottom:
            col += 1
            if col == len(layout.columns):
                w.new_page()
                start = page_headers(93.0) if layout.repeat_header else 93.0
                col, lowest = 0, start
            b = start
            if r is BREAK:
                continue
        b = w.row(layout.columns[col][: 2 if last else None], r, b, bold=last)
        lowest = max(lowest, b)
        if not last:
            out.append((r.name, r.value, w.page))
    if layout.total_header:  # 2019: under its own header, across both pairs, below both columns
        if lowest + 18 + 3 * layout.pitch + room > layout.bottom:
            w.new_page()
            lowest = page_headers(93.0)
        pair = (layout.columns[0][0], layout.columns[-1][-1])
        b = w.row(pair, total_row, w.header(pair, layout.total_header, lowest + 18), bold=True)
    if layout.footnote:
        w.text(72, b + 14, layout.footnote, size=9)
    w.furniture()
    w.c.save()
    with pdfplumber.open(path) as pdf:
        pages = len(pdf.pages)
    return Built(path, out, total, w.page, pages)


def alphabetical(name: str) -> str:
    """Sort key as the real tables sort: diacritics ignored ("Åland Islands" next to "Albania")."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def counts(seed: int, n: int) -> list[str]:
    """Printed counts of many magnitudes, as the real tables have (1 to tens of millions)."""
    rnd = random.Random(seed)
    return [f"{int(10 ** rnd.uniform(0, 6.5)):,}" for _ in range(n)]


# ------------------------------------------------------------------------------------------------
# By ESP
# ------------------------------------------------------------------------------------------------

ESP_PROSE = (
    "NCMEC's CyberTipline is the nation's centralized reporting system for the online exploitation "
    "of children. In 2023, the CyberTipline received more than 36.2 million reports; most were from "
    "Electronic Service Providers that report instances of apparent child sexual abuse material.",
    "Higher numbers of reports can be indicative of a variety of things, including larger numbers "
    "of users on a platform or how robust an ESP's efforts are to identify and remove abusive content.",
    "The following is a breakdown of reports by electronic service providers.",
)
_ESP_WORDS = """Alder Apex Aurora Beacon Birch Bright Cedar Cobalt Coral Crest Delta Ember Falcon Fern
Granite Harbor Indigo Juniper Kestrel Lumen Maple Meadow Nimbus Onyx Orbit Pebble Quartz Raven Sable
Summit Tidal Umber Vela Willow Yarrow Zephyr"""
ESP_WORDS = _ESP_WORDS.split()
ESP_KINDS = ("Media", "Networks", "Hosting", "Labs", "Apps", "Systems", "Social", "Games", "Cloud")
ESP_FORMS = ("", "", " Inc.", " LLC", " Ltd", ", Inc.", " GmbH", " S.A.")
# Names that stress the name column: asterisks (combined platforms), ampersands, commas, diacritics.
ESP_SPECIAL = [
    row("Automattic*", "10,443"),
    row("AT&T Services, Inc.", "2,117"),
    row("Barnes & Noble", "38"),
    row("Meta Platforms, Inc.*", "22,118,952"),
    row("Zoom Video Communications, Inc.", "548"),
    row("\u017dabka Polska sp. z o.o.", "12"),
    row("\u00dcnver Medya", "7"),
    row("Soci\u00e9t\u00e9 G\u00e9n\u00e9rale", "3"),
]
# Long names over two lines: count on the first line (2019/2020), on the second, between (2021).
ESP_WRAPPED = [
    row(("Deluxe Corporation/ColoCrossing/", "HudsonValleyHost"), "22", at=0),
    row(("Hosting Services Inc/Midphase/WestHost/", "Autica/VPS"), "33", at=1),
    row(("EasyOnlineSolutions/MojoHost/", "North Tone/Hosthead"), "41", at=0.5),
]


def esp_rows(n: int, seed: int) -> list[Row]:
    """n plausible ESP rows, alphabetical like the real tables, special names included."""
    rnd = random.Random(seed)
    names: set[str] = set()
    while len(names) < n - len(ESP_SPECIAL) - len(ESP_WRAPPED):
        names.add(f"{rnd.choice(ESP_WORDS)} {rnd.choice(ESP_KINDS)}{rnd.choice(ESP_FORMS)}")
    plain = [row(name, c) for name, c in zip(sorted(names), counts(seed, len(names)), strict=True)]
    return sorted([*plain, *ESP_SPECIAL, *ESP_WRAPPED], key=lambda r: alphabetical(r.name))


ESP_2023 = Layout(
    title=("2023 CyberTipline Reports by", "Electronic Service Providers (ESP)"),
    prose=ESP_PROSE,
    running="2023 Reports by ESP {page}",
    header=("Electronic Service Provider", "Reports"),
    columns=((122.2, 489.8),),
    total_label="Total Reports:",
)


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

COUNTRY_PROSE = (
    "Reports by country reflect where the reporting ESP or the reporting person indicated the "
    "suspected offender or child victim is located. Country figures are based on information "
    "submitted to the CyberTipline, such as IP addresses, and may not be accurate.",
    "The following is a breakdown of reports by country.",
)
SAINT_HELENA = ("Saint Helena, Ascension", "and Tristan da Cunha")
COUNTRY_2024 = Layout(
    title=("2024 CyberTipline Reports by Country",),
    prose=COUNTRY_PROSE,
    running="2024 Reports by Country {page}",
    header=("Country / Territory", "Number of Reports"),
    columns=((122.2, 489.8),),
    total_label="Total:",
    footnote="*Reasons include no IP address included in the report, proxy IPs, etc.",
)
TWO_PAIRS = replace(
    COUNTRY_2024,
    running="2024 Reports by ESP {page}",  # 2019's running header names the wrong report
    header=("Country", "Total\nReports"),
    columns=((49.4, 283.6), (328.4, 562.6)),
    total_header=("Country", "Total Reports"),
    total_label="TOTAL",
    bottom=700.0,
)


def country_names(n: int, seed: int) -> list[str]:
    """n names pycountry spells the way NCMEC does (diacritics kept), alphabetical."""
    pool = [c.name for c in pycountry.countries if "," not in c.name and len(c.name) <= 30]
    chosen = set(random.Random(seed).sample(sorted(pool), n))
    chosen |= {"\u00c5land Islands", "C\u00f4te d'Ivoire", "Cura\u00e7ao", "T\u00fcrkiye"}
    return sorted(chosen, key=alphabetical)


def country_rows(
    n: int, seed: int, *, unknown: str, helena_at: float, extra: tuple[Row, ...] = ()
) -> list[Row]:
    names = country_names(n, seed)
    rows = [row(name, c) for name, c in zip(names, counts(seed, len(names)), strict=True)]
    rows += [row(SAINT_HELENA, "4", at=helena_at), *extra]
    rows.sort(key=lambda r: alphabetical(r.name))
    rows.append(row(unknown, "1,662,916"))
    return rows


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
    rows = country_rows(60, seed=2, unknown="Unknown", helena_at=0)
    rows.insert(3, row("Atlantis", "17"))
    built = build(tmp_path / "country-atlantis-standin.pdf", COUNTRY_2024, rows)
    assert country_error(built) == (
        "ncmec_country_2024, page 1: expected a country name pipeline/countries.py maps to "
        "ISO 3166-1 (or an unknown-location label in UNKNOWN_LOCATION_LABELS); found 'Atlantis'"
    )


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
