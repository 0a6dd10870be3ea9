"""Stand-in future editions of NCMEC's "Reports by ESP" and "Reports by Country" PDFs, written with
reportlab for tests and end-to-end runs where no real copy of a later edition exists offline.

Every file says it is a stand-in: in its metadata (Creator, Subject) and in a line of the prose on
page 1 (the parsers ignore what is above the table; the ESP parser would refuse an unknown footer).
The layout mimics the real files: prose and a large title on page 1, a running header "YYYY Reports by
... N" on later pages, the table header repeated on every page, a horizontal rule under every row, and
the copyright and MissingKids.org footers. Names and counts are MADE UP (country names are pycountry's).

Two entry points for end-to-end tests, each writing one document and returning what a reader of it
must find:

* :func:`write_country_unknown_spelling` -- a by-country edition that reconciles to its printed total
  and prints one territory misspelt ("Saint Helena, Ascencion and Tristan da Cunha", wrapped over two
  lines like the real files): it must parse, that row published as printed with no ISO code;
* :func:`write_country_broken_layout` -- a by-country edition whose later pages carry a header the
  parser does not recognise: it must be refused with a ParseError naming the page.

The lower-level :func:`build` (layout + rows -> PDF and the rows a correct parser reads) serves
tests/test_future_editions.py.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import pdfplumber
import pycountry
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

__all__ = [
    "Row",
    "row",
    "BREAK",
    "Layout",
    "Built",
    "build",
    "alphabetical",
    "counts",
    "esp_rows",
    "country_layout",
    "country_names",
    "country_rows",
    "write_country_unknown_spelling",
    "write_country_broken_layout",
]

WIDTH, HEIGHT = letter
COPYRIGHT = (
    "Copyright \u00a9 {next} National Center for Missing & Exploited Children. All rights reserved."
)
STANDIN_FOOTER = "Stand-in generated for tests; not a real NCMEC publication."


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
    continued_header: tuple[str, ...] | None = (
        None  # header on pages 2+, if it differs from page 1's
    )
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
        self.c.setCreator(
            "tests/standins/ncmec_future.py (generated stand-in, not a real document)"
        )
        self.c.setSubject(STANDIN_FOOTER)
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
        for paragraph in (*self.layout.prose, f"STAND-IN: {STANDIN_FOOTER}"):
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
    """Write the stand-in (creating its directory, e.g. a mirror location) and return what a correct
    parser must read from it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    w = _Writer(path, layout)
    data = [r for r in rows if r is not BREAK]
    total = sum(r.value for r in data) if total is None else total
    out: list[tuple[str, int, int]] = []

    def page_headers(b: float) -> float:
        labels = layout.header
        if w.page > 1 and layout.continued_header is not None:
            labels = layout.continued_header
        return min(w.header(pair, labels, b) for pair in layout.columns)

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
    n: int,
    seed: int,
    *,
    unknown: str,
    helena_at: float,
    extra: tuple[Row, ...] = (),
    helena: tuple[str, ...] = SAINT_HELENA,
) -> list[Row]:
    """n pycountry names, Saint Helena wrapped over two lines (count on line ``helena_at``) and
    ``extra`` rows, alphabetical, then the unknown-location row labelled ``unknown``."""
    names = country_names(n, seed)
    rows = [row(name, c) for name, c in zip(names, counts(seed, len(names)), strict=True)]
    rows += [row(helena, "4", at=helena_at), *extra]
    rows.sort(key=lambda r: alphabetical(r.name))
    rows.append(row(unknown, "1,662,916"))
    return rows


def country_layout(year: int, **changes) -> Layout:
    """COUNTRY_2024's layout for another year."""
    layout = replace(
        COUNTRY_2024,
        title=(f"{year} CyberTipline Reports by Country",),
        running=f"{year} Reports by Country {{page}}",
    )
    return replace(layout, **changes)


# Printed as the real files wrap it, count on the first line; "Ascencion" is the misspelling.
MISSPELT_HELENA = ("Saint Helena, Ascencion", "and Tristan da Cunha")


def write_country_unknown_spelling(path: Path, year: int) -> dict:
    """A by-country edition for ``year`` that reconciles to its printed total and prints one
    territory misspelt. Returns ``{"total", "rows", "unknown_label", "unknown_page"}``: the printed
    grand total, the number of country rows (unknown-location row included), the misspelt name as
    published and the page it is printed on."""
    rows = country_rows(
        80, seed=year, unknown="No Country Listed*", helena_at=0, helena=MISSPELT_HELENA
    )
    built = build(path, country_layout(year), rows)
    label = " ".join(MISSPELT_HELENA)
    page = next(page for name, _, page in built.rows if name == label)
    return {
        "total": built.total,
        "rows": len(built.rows),
        "unknown_label": label,
        "unknown_page": page,
    }


def write_country_broken_layout(path: Path, year: int) -> dict:
    """A by-country edition for ``year`` whose pages after the first print a table header the parser
    does not recognise ("Jurisdiction | Reports"): refused on the first such page that holds counts.
    Returns ``{"expected_error_page"}``."""
    layout = country_layout(year, continued_header=("Jurisdiction", "Reports"))
    rows = country_rows(80, seed=year, unknown="Null", helena_at=0)
    built = build(path, layout, rows)
    assert built.pages >= 2 and any(page == 2 for *_, page in built.rows)
    return {"expected_error_page": 2}
