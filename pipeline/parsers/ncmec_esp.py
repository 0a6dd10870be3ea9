"""NCMEC "CyberTipline Reports by Electronic Service Providers (ESP)" PDFs, 2019 onward.

Each edition is a prose page followed by a two-column table (name | count) that runs over several
pages, repeating its header on every page and ending in the ESP-only total. Editions differ in header
wording ("ESP | Number of Reports", "ESP | Reports", ...), total spelling ("Totals:", "Total:",
"Total"), page count, footers and where the table starts, so nothing here relies on fixed positions or
on one file's wording:

* the table starts at the first line that *looks like* its header: two cells far apart, the left one
  naming providers, the right one naming reports; everything above it (title, prose, notes) is ignored,
  and on later pages everything above the repeated header (the running header) is too;
* columns are told apart by the header too: a cell that starts right of the midpoint between the
  two header labels is a count, whatever the labels' or the counts' alignment;
* long names wrap over two lines. The count may sit on the first line (2019, 2020) or on a line of its
  own between the halves (2021). A name-only line therefore joins the count nearest to it *within the
  same ruled band*, because the horizontal rules drawn between rows are what makes a row a row. Pages
  without rules fall back to the nearest count no more than a line-height and a half away;
* the table ends at the first total line, and the rows must add up to it exactly, or ParseError;
* the header must have exactly two cells: a third column ("ESP | Reports | Incidents") is refused
  at the header, on its page, whichever side of the reports it sits.

Asterisks are kept as printed ("Automattic*", "Facebook*"): in 2019 and 2020 they point to the note
"Report totals for related platforms and companies have been combined", which changes what the count
means, and the name column is the only place in this table that can carry that mark.

The module has two layers so that tests can feed perturbed lines to the logic: :func:`read_lines` is
the only code that touches pdfplumber, :func:`read_table` is a pure function over its output.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pdfplumber

from pipeline.parsers.base import ParseError, footnote_note, footnotes, parse_count
from pipeline.registry import Document

__all__ = ["Cell", "Line", "EspRow", "EspTable", "parse", "read_lines", "read_table", "to_frames"]

# Words of one physical line share a top within this many points; the count of a wrapped row sits
# half a line (~6.6 pt) off its name halves, so it stays a line of its own.
SAME_LINE_TOLERANCE = 2.0
# Words closer than this belong to one cell. Word spaces are ~3 pt; the gap between the name and
# the count column is over 80 pt in every edition seen.
CELL_GAP = 12.0
# Without ruled bands, a name-only line may join a count at most this many line heights away
# (wrapped halves are 0.6-1.2 line heights from their count; the next row is 1.5).
MAX_WRAP = 1.45

_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_HEADER_NAME = re.compile(r"\b(ESPs?|providers?|compan(?:y|ies)|platforms?)\b", re.I)
_HEADER_COUNT = re.compile(r"\b(reports?|count)\b", re.I)
# "Totals: 1", "Total: 1", "Total 1", "Grand Total: 1", "Total ESP Reports: 1".
_TOTAL = re.compile(r"^(?:grand\s+)?totals?(?:\s+(?:ESP\s+)?reports)?\s*:?\s*(?P<count>\S+)$", re.I)
# Lines inside the table region that are furniture, not rows. Anchored so no ESP name can match.
_NOISE = (
    re.compile(r"^(?:19|20)\d\d\b.*\breports by\b", re.I),  # running header "2020 Reports by ESP 6"
    re.compile(r"^copyright\b|©", re.I),
    re.compile(r"^(?:https?://)?(?:www\.)?missingkids\.org\b", re.I),  # "MissingKids.org/Cyber..."
    re.compile(r"^\*"),  # footnote "*Report totals for related platforms ... combined."
    re.compile(r"^page \d+(?: of \d+)?$", re.I),
)


@dataclass(frozen=True)
class Cell:
    """Words of one line that sit close together, with their horizontal extent in points."""

    text: str
    x0: float
    x1: float


@dataclass(frozen=True)
class Line:
    """One physical line of text. ``band`` numbers the gap between horizontal rules the line sits in
    (None when the page has no rules); lines in one band belong to one table row."""

    page: int
    top: float
    bottom: float
    cells: tuple[Cell, ...]
    band: int | None = None

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class EspRow:
    name: str
    reports: int
    page: int


@dataclass(frozen=True)
class EspTable:
    year: int
    rows: list[EspRow]
    total: int
    total_page: int
    # Footnotes by marker; a name printed with a marker ("Automattic*") carries its footnote as a note.
    notes: dict[str, str] = field(default_factory=dict)


# --- PDF layer ------------------------------------------------------------------------------------


def read_lines(path: Path) -> list[Line]:
    """Every text line of the PDF, in reading order, as cells with x positions and ruled bands."""
    out: list[Line] = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            rules = sorted({round(e["top"], 1) for e in page.horizontal_edges})
            words = sorted(page.extract_words(), key=lambda w: (w["top"], w["x0"]))
            for group in _group(words, lambda w, g: w["top"] - g[0]["top"] <= SAME_LINE_TOLERANCE):
                top = min(w["top"] for w in group)
                bottom = max(w["bottom"] for w in group)
                band = bisect.bisect(rules, (top + bottom) / 2) if rules else None
                out.append(Line(number, top, bottom, _cells(group), band))
    return out


def _group(items: list, belongs) -> list[list]:
    """Split a sorted list into runs: an item joins the current run while ``belongs(item, run)``."""
    runs: list[list] = []
    for item in items:
        if runs and belongs(item, runs[-1]):
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _cells(words: list[dict]) -> tuple[Cell, ...]:
    words = sorted(words, key=lambda w: w["x0"])
    runs = _group(words, lambda w, g: w["x0"] - g[-1]["x1"] <= CELL_GAP)
    return tuple(Cell(" ".join(w["text"] for w in r), r[0]["x0"], r[-1]["x1"]) for r in runs)


# --- pure layer -----------------------------------------------------------------------------------


def _is_header(line: Line) -> bool:
    # Any later cell naming reports, not only the last one: a header with a third column ("ESP |
    # Reports | Incidents", plausible since 2024 counts bundled incidents) must still be found, so
    # that read_table can refuse it on its page instead of reporting no header anywhere.
    cells = line.cells
    return (
        len(cells) >= 2
        and bool(_HEADER_NAME.search(cells[0].text))
        and any(_HEADER_COUNT.search(c.text) for c in cells[1:])
    )


def _title_year(before_header: Sequence[Line], document_id: str, year: int) -> None:
    """The title ("2021 CyberTipline Reports by ...") is the first line above the table that names
    reports and a year; a file filed under the wrong year must not publish under it."""
    title = next(
        (ln for ln in before_header if "report" in ln.text.lower() and _YEAR.search(ln.text)), None
    )
    if title is None:
        raise ParseError(
            document_id, 1, "a title naming the year, such as '2021 CyberTipline Reports by'"
        )
    printed = int(_YEAR.search(title.text).group(1))
    if printed != year:
        raise ParseError(document_id, title.page, f"a title for {year}", title.text)


@dataclass
class _Entry:
    """A table line split into its name (may be None) and count (may be None)."""

    line: Line
    name: str | None
    count: int | None
    wrapped: list[_Entry] = field(default_factory=list)  # name-only lines that belong to this row


def _split(line: Line, count_from: float, document_id: str) -> _Entry:
    """One name cell and at most one count cell, the count right of ``count_from``, is the only
    layout known; a third column or a stray cell is drift, not something to glue onto a name."""
    counts = [c for c in line.cells if c.x0 >= count_from]
    names = [c for c in line.cells if c.x0 < count_from]
    if len(counts) > 1 or len(names) > 1:
        raise ParseError(document_id, line.page, "an ESP name and its count", line.text)
    count = parse_count(counts[0].text, document_id, line.page) if counts else None
    return _Entry(line, names[0].text if names else None, count)


def read_table(lines: Iterable[Line], document_id: str, year: int) -> EspTable:
    """The ESP rows and the stated total, reconciled. Raises ParseError on any structure it does not
    know rather than returning a short or padded table."""
    lines = list(lines)
    first = next((i for i, ln in enumerate(lines) if _is_header(ln)), None)
    if first is None:
        raise ParseError(document_id, None, "a table header such as 'ESP | Number of Reports'")
    if len(lines[first].cells) != 2:
        raise ParseError(
            document_id,
            lines[first].page,
            "a table header with exactly two columns, such as 'ESP | Number of Reports'",
            lines[first].text,
        )
    _title_year(lines[:first], document_id, year)
    name_label, count_label = lines[first].cells
    count_from = (name_label.x1 + count_label.x0) / 2
    # On every page, what sits above that page's header (running header, logo) is not table.
    header_top: dict[int, float] = {}
    for ln in lines[first:]:
        if _is_header(ln):
            header_top.setdefault(ln.page, ln.top)

    entries: list[_Entry] = []
    for ln in lines[first + 1 :]:
        if ln.top <= header_top.get(ln.page, -1.0) or any(p.search(ln.text) for p in _NOISE):
            continue
        if m := _TOTAL.match(ln.text):
            stated, total_page = parse_count(m["count"], document_id, ln.page), ln.page
            break  # the table ends at its total; what follows is footer
        entries.append(_split(ln, count_from, document_id))
    else:
        raise ParseError(document_id, lines[-1].page, "a total line such as 'Total: 1,234'")

    rows = _join_wraps(entries, document_id)
    summed = sum(r.reports for r in rows)
    if summed != stated:
        raise ParseError(
            document_id,
            total_page,
            f"ESP rows adding up to the stated total {stated:,}",
            f"{len(rows)} rows summing to {summed:,}",
        )
    return EspTable(year, rows, stated, total_page, footnotes([ln.text for ln in lines]))


def _join_wraps(entries: list[_Entry], document_id: str) -> list[EspRow]:
    """Give each name-only line to its row's count, then read each row's name top to bottom."""
    counted = [e for e in entries if e.count is not None]
    for e in entries:
        if e.count is None:
            _owner(e, counted, document_id).wrapped.append(e)
    rows = []
    for c in counted:
        parts = sorted([*c.wrapped, *([c] if c.name else [])], key=lambda p: p.line.top)
        if not parts:
            raise ParseError(document_id, c.line.page, "an ESP name for the count", c.line.text)
        rows.append(EspRow(" ".join(p.name for p in parts), c.count, c.line.page))
    return rows


def _owner(e: _Entry, counted: list[_Entry], document_id: str) -> _Entry:
    """The count a name-only line belongs to: the nearest one in the same ruled band of the same
    page. Without rules, only a count close enough to be the other half of a wrap qualifies. A line
    with no owner, or two equally near, is something this parser does not know (an unknown footer)."""
    ln = e.line
    same = [c for c in counted if c.line.page == ln.page and c.line.band == ln.band]
    dist = sorted((abs(c.line.middle - ln.middle), i) for i, c in enumerate(same))
    near = bool(dist) and (ln.band is not None or dist[0][0] <= MAX_WRAP * (ln.bottom - ln.top))
    tie = len(dist) > 1 and dist[1][0] - dist[0][0] < 0.5
    if not near or tie:
        raise ParseError(
            document_id, ln.page, "an ESP name with its count, or half of a wrapped name", ln.text
        )
    return same[dist[0][1]]


# --- tables ---------------------------------------------------------------------------------------


def parse(path: Path, doc: Document) -> dict[str, pd.DataFrame]:
    """Rows for ``cybertipline_reports_by_esp`` and the stated total for
    ``cybertipline_reports_by_year`` (measure ``reports_esp``)."""
    if doc.year is None:
        raise ParseError(doc.id, None, "a registry entry for one calendar year", doc.period)
    return to_frames(read_table(read_lines(Path(path)), doc.id, doc.year), doc.id)


def to_frames(table: EspTable, document_id: str) -> dict[str, pd.DataFrame]:
    """The published tables for one reconciled document, columns in schema order."""
    n = len(table.rows)
    by_esp = pd.DataFrame(
        {
            "calendar_year": [table.year] * n,
            "esp_name": [r.name for r in table.rows],
            "reports": [r.reports for r in table.rows],
            "note": [footnote_note(r.name, table.notes) for r in table.rows],
            "document_id": [document_id] * n,
            "page": [r.page for r in table.rows],
        }
    )
    by_year = pd.DataFrame(
        {
            "calendar_year": [table.year],
            "measure": ["reports_esp"],
            "value": [table.total],
            "qualifier": [None],
            "note": [None],
            "document_id": [document_id],
            "page": [table.total_page],
        }
    )
    return {"cybertipline_reports_by_esp": by_esp, "cybertipline_reports_by_year": by_year}
