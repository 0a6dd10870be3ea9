"""NCMEC "CyberTipline Reports by Country" PDFs, 2019 onward (one edition per year).

Each edition is a title and prose, then a country | count table over several pages that repeats its
header on every page and ends with the grand total. Editions differ in header wording ("Country  Total
Reports", "Country  Number of Reports", "Country / Territory  Reports"), in the label of the
unknown-location row ("No Country Listed*", "Null"), in the total's spelling ("TOTAL", "Total:",
"Total"), in page count and in how long names wrap. 2019 prints **two** country/count pairs side by
side and its running header wrongly says "Reports by ESP". So the rules below read structure, not one
file's wording or coordinates:

* a *header* is a group of lines made only of header words (country, territory, number, of, reports,
  total, ...) that reads as one or more (name cell, count cell) pairs, left to right. The number of
  pairs on the page comes from the header, never from the year. Anything above a header on its page
  (title, prose, running header) is ignored; a header repeated lower on a page starts a new block
  (2019 prints its total under its own one-pair header);
* a block ends at the next header or at the first furniture line (footnote "*...", copyright, the
  MissingKids.org URL); everything between must be rows, or ParseError;
* a word is the count when it overlaps the header's count cell and reads as a count; the rest of the
  line is the name. Lines are split between pairs at the midpoint between one pair's count cell and
  the next pair's name cell;
* a wrapped name joins the count in the same ruled band (the PDFs draw a rule under every row); where
  a page has no rules, the nearest count no more than 1.6 line heights away, and ParseError if two
  counts are about equally near. That is how "Saint Helena, Ascension / and Tristan da Cunha" gets its
  count whether it is printed on the first line (2019, 2020) or between the halves (2022);
* a dash printed as a count ("-", 2020: Norfolk Island, Saint Helena ..., Svalbard) is the zero of the
  spreadsheet's accounting number format, so it is read as 0 - the rows still add up to the total;
* the unknown-location row is recognised by :data:`UNKNOWN_LOCATION_LABELS`; every other name is mapped
  to ISO 3166-1 through :mod:`pipeline.countries`. A name the mapper does not know (a misspelt
  territory, "Saint Helena, Ascencion and Tristan da Cunha") is data, not drift: it is published as
  printed with ``country_iso3`` empty and ``is_location_unknown`` false, and
  :func:`pipeline.labels.unknown_labels` lists it for review. What still stops the document: the year
  in the title must be the registry's year, and the rows must add up to the printed grand total
  exactly (so a misread row cannot hide behind an unknown name).

Two layers: :func:`read_pages` is the only code that touches pdfplumber; :func:`parse_pages` is a pure
function over its output, so tests can feed it perturbed pages.
"""

from __future__ import annotations

import bisect
import re
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pdfplumber

from pipeline import countries
from pipeline.parsers.base import COUNT_RE, ParseError, footnote_note, footnotes, parse_count
from pipeline.registry import Document

__all__ = [
    "Word",
    "Rule",
    "PageWords",
    "UNKNOWN_LOCATION_LABELS",
    "is_unknown_location",
    "read_pages",
    "parse_pages",
    "parse",
]

COUNTRY_TABLE = "cybertipline_reports_by_country"
YEAR_TABLE = "cybertipline_reports_by_year"

# ------------------------------------------------------------------------------------------------
# Wording rules: every spelling the parser knows lives here.
# ------------------------------------------------------------------------------------------------

# Labels of the row NCMEC prints for reports without a country, compared after _label_key (casefold,
# whitespace collapsed, footnote markers and a trailing ':' or '.' removed). Seen: "No Country
# Listed*" (2019-2021), "Null" (2022). The rest are spellings a later edition may plausibly use;
# the "specified" family was added when a stand-in edition printing "No Country Specified*"
# (tests/test_future_editions.py) stopped on it as an unmappable country name.
UNKNOWN_LOCATION_LABELS = frozenset(
    {
        "no country listed",
        "no country",
        "no country provided",
        "no country given",
        "no country specified",
        "no country/territory listed",
        "no country / territory listed",
        "no country/territory specified",
        "no country / territory specified",
        "no location",
        "no location listed",
        "no location specified",
        "country not listed",
        "country not specified",
        "location not specified",
        "country unknown",
        "unknown country",
        "unknown location",
        "location unknown",
        "unknown",
        "not specified",
        "unspecified",
        "not available",
        "not listed",
        "not determined",
        "undetermined",
        "n/a",
        "null",
        "(null)",
        "none",
        "blank",
        "(blank)",
        "other/unknown",
        "unknown/other",
    }
)

# The grand-total row: "TOTAL" (2019), "Total:" (2020, 2021), "Total" (2022); "Grand Total",
# "Total Reports" are plausible later.
TOTAL_LABEL_RE = re.compile(
    r"^(?:grand\s+)?totals?(?:\s+(?:number\s+of\s+)?(?:cybertipline\s+)?reports)?$", re.I
)

# Header cells. The name cell: "Country", "Country / Territory", "Countries and Territories"...
NAME_HEADER_RE = re.compile(
    r"^(?:countr(?:y|ies)|locations?)(?:\s*(?:/|or|and|&)\s*(?:territor(?:y|ies)|regions?))?$", re.I
)
# The count cell: "Total Reports" (2019), "Number of Reports" (2020, 2021), "Reports" (2022),
# perhaps "2023 Reports" later...
COUNT_HEADER_RE = re.compile(
    r"^(?:(?:19|20)\d\d\s+)?(?:(?:total|number\s+of|no\.?\s+of|#\s+of)\s+)?"
    r"(?:(?:19|20)\d\d\s+)?(?:cybertipline\s+)?reports?"
    r"(?:\s+(?:received|count))?$|^(?:report\s+)?count$|^total$",
    re.I,
)
# A line is a header candidate only if every word is one of these or a year (so prose and titles
# never are: they hold other words).
HEADER_VOCABULARY = frozenset(
    [
        "country",
        "countries",
        "territory",
        "territories",
        "location",
        "locations",
        "region",
        "regions",
        "or",
        "and",
        "&",
        "total",
        "number",
        "of",
        "no",
        "no.",
        "#",
        "cybertipline",
        "reports",
        "report",
        "received",
        "count",
    ]
)
_SEPARATORS = {"|", "/", "-", "\u2013", "\u2014"}

# Furniture that ends a table block: footnotes, copyright, the site URL, "Page n of m".
STOP_LINE_RES = (
    re.compile(r"^[*\u2020\u2021]\s*\S+(?:\s+\S+){2,}"),  # "*Reasons include no IP address ..."
    re.compile(r"^copyright\b|\u00a9", re.I),
    re.compile(r"^(?:https?://)?(?:www\.)?[\w-]+\.(?:org|com|gov|net)(?:/\S*)?$", re.I),
    re.compile(r"^(?:page\s+)?\d+\s+of\s+\d+$", re.I),
    re.compile(r"^(?:source|sources|note|notes)\s*:", re.I),
)

# A count printed as a dash: the accounting format's zero.
ZERO_DASHES = frozenset({"-", "\u2012", "\u2013", "\u2014", "\u2212"})
FOOTNOTE_MARKERS = "*\u2020\u2021"

_YEAR_RE = re.compile(r"\b((?:19|20)\d\d)\b")

# Geometry, in units of the line height (font size) so that it scales with the type.
SAME_LINE = 0.4  # words whose vertical centres differ by less than this share a line
CELL_GAP = 1.0  # a horizontal gap wider than this separates two cells of a line
MAX_WRAP_DISTANCE = 1.6  # furthest a name-only line may sit from its count (no rules)
AMBIGUOUS_RATIO = 0.9  # nearest count must be clearly nearer than the next one
HEADER_LINE_GAP = 0.5  # header lines closer than this (or overlapping) form one header


# ------------------------------------------------------------------------------------------------
# Input model (what the PDF layer produces, and what tests build by hand)
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float = 0.0  # font size; only used to find the title

    @property
    def mid(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Rule:
    """A horizontal rule drawn on the page (the PDFs rule every table row)."""

    x0: float
    x1: float
    y: float


@dataclass(frozen=True)
class PageWords:
    number: int  # 1-based
    words: tuple[Word, ...]
    rules: tuple[Rule, ...] = field(default_factory=tuple)


# ------------------------------------------------------------------------------------------------
# PDF layer
# ------------------------------------------------------------------------------------------------


def read_pages(path: Path) -> list[PageWords]:
    """Words (with font size) and horizontal rules of every page; nothing else touches pdfplumber."""
    pages = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            words = tuple(
                Word(
                    text=unicodedata.normalize("NFC", w["text"]),
                    x0=float(w["x0"]),
                    x1=float(w["x1"]),
                    top=float(w["top"]),
                    bottom=float(w["bottom"]),
                    size=float(w.get("size") or 0.0),
                )
                for w in page.extract_words(extra_attrs=["size"])
            )
            rules = tuple(
                Rule(float(o["x0"]), float(o["x1"]), (float(o["top"]) + float(o["bottom"])) / 2)
                for o in (*page.lines, *page.rects)
                if abs(float(o["bottom"]) - float(o["top"])) < 1.5 and o["x1"] - o["x0"] > 20
            )
            pages.append(PageWords(number, words, rules))
    return pages


# ------------------------------------------------------------------------------------------------
# Pure layer
# ------------------------------------------------------------------------------------------------


@dataclass
class _Line:
    words: list[Word]

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def mid(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True)
class _Pair:
    """One (name, count) column pair of a header, with the x-range its lines are read from."""

    left: float
    right: float
    name_x0: float
    count_x0: float
    count_x1: float


@dataclass(frozen=True)
class _Header:
    top: float
    bottom: float
    pairs: tuple[_Pair, ...]
    text: str


@dataclass
class _Row:
    page: int
    pair: int
    mid: float
    count_text: str
    names: list[tuple[float, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return " ".join(t for _, t in sorted(self.names))


def _line_height(words: Sequence[Word]) -> float:
    heights = [w.height for w in words if w.height > 0]
    return statistics.median(heights) if heights else 10.0


def _group_lines(words: Sequence[Word], height: float) -> list[_Line]:
    """Words -> physical lines (by vertical centre, anchored on a line's first word: no chaining)."""
    lines: list[_Line] = []
    anchor = None
    for w in sorted(words, key=lambda w: (w.mid, w.x0)):
        if lines and abs(w.mid - anchor) <= SAME_LINE * height:
            lines[-1].words.append(w)
        else:
            lines.append(_Line([w]))
            anchor = w.mid
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
    return lines


def _cells(line_words: Sequence[Word], height: float) -> list[list[Word]]:
    """Split one line's words (sorted by x) into cells at gaps wider than CELL_GAP line heights."""
    cells: list[list[Word]] = []
    for w in sorted(line_words, key=lambda w: w.x0):
        if cells and w.x0 - cells[-1][-1].x1 <= CELL_GAP * height:
            cells[-1].append(w)
        else:
            cells.append([w])
    return cells


def _is_header_word(text: str) -> bool:
    parts = [p for p in re.split(r"[/|]", text.casefold().strip(":")) if p]
    return text in _SEPARATORS or (
        bool(parts) and all(p in HEADER_VOCABULARY or _YEAR_RE.fullmatch(p) for p in parts)
    )


def _is_header_line(line: _Line) -> bool:
    return all(_is_header_word(w.text) for w in line.words) and any(
        w.text not in _SEPARATORS for w in line.words
    )


def _read_header(lines: list[_Line], height: float) -> _Header | None:
    """A group of header-word lines -> (name, count) pairs, or None if it does not read as a header."""
    segments = []  # (x0, x1, words)
    for line in lines:
        for cell in _cells([w for w in line.words if w.text not in {"|"}], height):
            segments.append([min(w.x0 for w in cell), max(w.x1 for w in cell), list(cell)])
    # Stacked header cells ("Total" over "Reports") are segments that overlap horizontally.
    segments.sort(key=lambda s: s[0])
    merged: list[list] = []
    for seg in segments:
        if merged and seg[0] < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], seg[1])
            merged[-1][2].extend(seg[2])
        else:
            merged.append(seg)
    cells = []
    for x0, x1, words in merged:
        text = " ".join(w.text for w in sorted(words, key=lambda w: (round(w.mid), w.x0)))
        text = re.sub(r"\s+", " ", text).strip()
        kind = (
            "name"
            if NAME_HEADER_RE.match(text)
            else "count"
            if COUNT_HEADER_RE.match(text)
            else None
        )
        if kind is None:
            return None
        cells.append((kind, x0, x1))
    kinds = [c[0] for c in cells]
    if not kinds or len(kinds) % 2 or kinds != ["name", "count"] * (len(kinds) // 2):
        return None
    raw = [(cells[i], cells[i + 1]) for i in range(0, len(cells), 2)]
    pairs = []
    for i, (name, count) in enumerate(raw):
        left = -float("inf") if i == 0 else (raw[i - 1][1][2] + name[1]) / 2
        right = float("inf") if i == len(raw) - 1 else (count[2] + raw[i + 1][0][1]) / 2
        pairs.append(_Pair(left, right, name[1], count[1], count[2]))
    text = " | ".join(line.text for line in lines)
    return _Header(min(ln.top for ln in lines), max(ln.bottom for ln in lines), tuple(pairs), text)


def _find_headers(lines: list[_Line], height: float) -> list[_Header]:
    headers = []
    group: list[_Line] = []
    for line in lines + [None]:
        if line is not None and _is_header_line(line):
            if group and line.top - group[-1].bottom > HEADER_LINE_GAP * height:
                headers.append(_read_header(group, height))
                group = []
            group.append(line)
            continue
        if group:
            headers.append(_read_header(group, height))
            group = []
    return [h for h in headers if h is not None]


def _is_stop_line(line: _Line) -> bool:
    text = line.text.strip()
    return any(rx.search(text) for rx in STOP_LINE_RES)


def _label_key(name: str) -> str:
    key = unicodedata.normalize("NFKC", name).casefold().replace("\u2019", "'")
    key = re.sub(r"\s+", " ", key).strip().strip(FOOTNOTE_MARKERS).strip()
    return re.sub(r"\s*[:.]$", "", key).strip(FOOTNOTE_MARKERS).strip()


def is_unknown_location(name: str) -> bool:
    """True for the label of the row without a country, in any spelling the parser knows."""
    return _label_key(name) in UNKNOWN_LOCATION_LABELS


def _is_total(name: str) -> bool:
    return bool(TOTAL_LABEL_RE.match(_label_key(name)))


def _is_count_text(text: str) -> bool:
    return bool(COUNT_RE.match(text)) or text in ZERO_DASHES


def _count_value(text: str, document_id: str, page: int) -> int:
    return 0 if text in ZERO_DASHES else parse_count(text, document_id, page)


def _title_year(pages: Sequence[PageWords], document_id: str) -> tuple[int, int]:
    """The year in the title: the largest type on the first page with words."""
    for page in pages:
        if not page.words:
            continue
        biggest = max(w.size for w in page.words)
        if biggest > 0:
            title_words = [w for w in page.words if w.size >= biggest - 0.5]
        else:  # no font sizes known: the first line is the title
            height = _line_height(page.words)
            title_words = _group_lines(page.words, height)[0].words
        title_words = sorted(title_words, key=lambda w: (round(w.top), w.x0))
        title = " ".join(w.text for w in title_words)
        years = sorted(set(_YEAR_RE.findall(title)))
        if len(years) != 1:
            raise ParseError(
                document_id,
                page.number,
                "exactly one year in the title (e.g. '2021 CyberTipline Reports by Country')",
                title,
            )
        return int(years[0]), page.number
    raise ParseError(document_id, None, "a page with text (the title)", "no words in the PDF")


def _rule_ys(page: PageWords, pair: _Pair, top: float, bottom: float) -> list[float]:
    """y of the rules that run under this pair's columns within the block."""
    left = pair.name_x0 if pair.left == -float("inf") else pair.left
    right = pair.count_x1 if pair.right == float("inf") else pair.right
    width = right - left
    cover: dict[float, float] = {}
    for r in page.rules:
        if top - 1 <= r.y <= bottom + 1:
            overlap = min(r.x1, right) - max(r.x0, left)
            if overlap > 0:
                key = round(r.y * 2) / 2
                cover[key] = cover.get(key, 0.0) + overlap
    return sorted(y for y, c in cover.items() if c >= 0.3 * width)


def _assign_wrapped(
    rows: list[_Row],
    line: _Line,
    rule_ys: list[float],
    height: float,
    document_id: str,
    page: int,
) -> None:
    """Attach a name-only line to the count of its ruled band, else to the clearly nearest count;
    either way no further than MAX_WRAP_DISTANCE line heights (the last band is open-ended)."""
    if rule_ys:
        band = bisect.bisect(rule_ys, line.mid)
        same = [r for r in rows if bisect.bisect(rule_ys, r.mid) == band]
        if len(same) == 1 and abs(same[0].mid - line.mid) <= MAX_WRAP_DISTANCE * height:
            same[0].names.append((line.mid, line.text))
            return
    near = sorted(
        (abs(r.mid - line.mid), i)
        for i, r in enumerate(rows)
        if abs(r.mid - line.mid) <= MAX_WRAP_DISTANCE * height
    )
    if not near:
        raise ParseError(
            document_id, page, "a country name with a count on or next to its line", line.text
        )
    if len(near) > 1 and near[0][0] > AMBIGUOUS_RATIO * near[1][0]:
        a, b = rows[near[0][1]], rows[near[1][1]]
        raise ParseError(
            document_id,
            page,
            "a wrapped name line clearly nearer one count than another",
            f"{line.text!r} between counts {a.count_text} and {b.count_text}",
        )
    rows[near[0][1]].names.append((line.mid, line.text))


def _read_block(
    page: PageWords,
    header: _Header,
    lines: list[_Line],
    height: float,
    document_id: str,
) -> list[_Row]:
    """Rows of one block (header to next header/furniture), reading order: pair by pair, downwards."""
    rows_out: list[_Row] = []
    block_top = header.bottom
    block_bottom = max((ln.bottom for ln in lines), default=header.bottom)
    for p, pair in enumerate(header.pairs):
        words = [w for ln in lines for w in ln.words if pair.left < (w.x0 + w.x1) / 2 <= pair.right]
        if not words:
            continue
        rows: list[_Row] = []
        name_only: list[_Line] = []
        for line in _group_lines(words, height):
            ws = line.words
            counts = [
                i
                for i, w in enumerate(ws)
                if w.x1 > pair.count_x0 - 0.5 * height
                and w.x0 < pair.count_x1 + 0.5 * height
                and (_is_count_text(w.text) or any(ch.isdigit() for ch in w.text))
            ]
            if len(counts) > 1:
                raise ParseError(document_id, page.number, "one count per row", line.text)
            if counts and counts[0] != len(ws) - 1:
                raise ParseError(
                    document_id, page.number, "the count as the last word of its row", line.text
                )
            if not counts:
                name_only.append(line)
                continue
            count = ws[-1]
            _count_value(count.text, document_id, page.number)  # drift check: raises if unreadable
            row = _Row(page.number, p, line.mid, count.text)
            if len(ws) > 1:
                row.names.append((line.mid, " ".join(w.text for w in ws[:-1])))
            rows.append(row)
        rule_ys = _rule_ys(page, pair, block_top, block_bottom)
        for line in name_only:
            if not rows:
                raise ParseError(
                    document_id, page.number, "a count beside each country name", line.text
                )
            _assign_wrapped(rows, line, rule_ys, height, document_id, page.number)
        for row in rows:
            if not row.names:
                raise ParseError(
                    document_id, page.number, "a country name beside each count", row.count_text
                )
        rows_out.extend(sorted(rows, key=lambda r: r.mid))
    return rows_out


def _table_rows(pages: Sequence[PageWords], document_id: str) -> list[_Row]:
    """All rows of the table, in reading order, from the first header to the grand total."""
    rows: list[_Row] = []
    last_header: _Header | None = None
    for page in pages:
        if not page.words:
            continue
        height = _line_height(page.words)
        lines = _group_lines(page.words, height)
        headers = _find_headers(lines, height)
        if not headers:
            if last_header is not None and not any(_is_total(r.name) for r in rows):
                _check_headerless_page(page, lines, last_header, height, document_id)
            continue
        last_header = headers[-1]
        for i, header in enumerate(headers):
            end = headers[i + 1].top if i + 1 < len(headers) else float("inf")
            block: list[_Line] = []
            for line in lines:
                if line.mid <= header.bottom or line.mid >= end:
                    continue
                if _is_stop_line(line):
                    break
                block.append(line)
            rows.extend(_read_block(page, header, block, height, document_id))
    if last_header is None:
        raise ParseError(
            document_id,
            None,
            "a table header such as 'Country / Territory  Number of Reports'",
            "no page has one",
        )
    return rows


def _check_headerless_page(
    page: PageWords, lines: list[_Line], header: _Header, height: float, document_id: str
) -> None:
    """A page inside the table without a header would be skipped: refuse if it holds counts."""
    for line in lines:
        if _is_stop_line(line):
            continue
        last = line.words[-1]
        if _is_count_text(last.text) and any(
            last.x1 > p.count_x0 - 0.5 * height and last.x0 < p.count_x1 + 0.5 * height
            for p in header.pairs
        ):
            raise ParseError(
                document_id,
                page.number,
                f"the table header repeated on every table page (last seen: {header.text!r})",
                line.text,
            )


def _iso3_or_none(name: str) -> str | None:
    """The ISO code, or None for a name pipeline/countries.py does not know: published as printed
    with the code empty (listed by pipeline.labels.unknown_labels), never guessed."""
    try:
        return countries.to_iso3(name.rstrip(FOOTNOTE_MARKERS).strip())
    except countries.UnknownCountryError:
        return None


def parse_pages(
    pages: Sequence[PageWords], document_id: str, year: int | None
) -> dict[str, pd.DataFrame]:
    """The pure parser: pages of words -> the two published tables. Raises ParseError on drift."""
    if year is None:
        raise ParseError(document_id, None, "a registry entry covering a single calendar year")
    printed_year, title_page = _title_year(pages, document_id)
    if printed_year != year:
        raise ParseError(
            document_id,
            title_page,
            f"the title to name the registry's year {year}",
            str(printed_year),
        )
    rows = _table_rows(pages, document_id)
    totals = [i for i, r in enumerate(rows) if _is_total(r.name)]
    if not totals:
        last = rows[-1] if rows else None
        raise ParseError(
            document_id,
            last.page if last else None,
            "a grand-total row ('Total' and a count) after the last country",
            f"last row {last.name} {last.count_text}" if last else "no rows",
        )
    if len(totals) > 1:
        second = rows[totals[1]]
        raise ParseError(document_id, second.page, "one grand-total row", second.name)
    total_row = rows[totals[0]]
    if totals[0] != len(rows) - 1:
        after = rows[totals[0] + 1]
        raise ParseError(
            document_id,
            after.page,
            "no rows after the grand total",
            f"{after.name} {after.count_text}",
        )
    stated = _count_value(total_row.count_text, document_id, total_row.page)

    notes = footnotes(
        [ln.text for page in pages for ln in _group_lines(page.words, _line_height(page.words))]
    )
    records = []
    seen: dict[str, int] = {}
    unknown_rows = []
    for r in rows[:-1]:
        name = r.name
        if name in seen:
            raise ParseError(
                document_id, r.page, "each country once", f"{name} (also page {seen[name]})"
            )
        seen[name] = r.page
        unknown = is_unknown_location(name)
        if unknown:
            unknown_rows.append(r)
            iso3 = None
        else:
            iso3 = _iso3_or_none(name)
        records.append(
            {
                "calendar_year": year,
                "country_as_printed": name,
                "country_iso3": iso3,
                "is_location_unknown": unknown,
                "reports": _count_value(r.count_text, document_id, r.page),
                "note": footnote_note(name, notes),
                "document_id": document_id,
                "page": r.page,
            }
        )
    # A footnote no row points to (2022 prints "Null" without the "*" earlier editions had) explains
    # the unknown-location row in every edition seen, so it travels with that row, saying so.
    marked = {m for r in records for m in FOOTNOTE_MARKERS if r["country_as_printed"].endswith(m)}
    orphans = [
        f"Footnote '{m}' (no row carries the marker): {t}"
        for m, t in notes.items()
        if m not in marked
    ]
    for rec in records:
        if rec["is_location_unknown"] and rec["note"] is None and orphans:
            rec["note"] = " ".join(orphans)
    if len(unknown_rows) > 1:
        raise ParseError(
            document_id,
            unknown_rows[1].page,
            "at most one unknown-location row",
            ", ".join(r.name for r in unknown_rows),
        )
    summed = sum(rec["reports"] for rec in records)
    if summed != stated:
        raise ParseError(
            document_id,
            total_row.page,
            f"country rows adding up to the printed total {stated:,}",
            f"they sum to {summed:,} (difference {summed - stated:+,})",
        )
    by_country = pd.DataFrame(
        records,
        columns=[
            "calendar_year",
            "country_as_printed",
            "country_iso3",
            "is_location_unknown",
            "reports",
            "note",
            "document_id",
            "page",
        ],
    )
    by_country = by_country.astype(
        {
            "calendar_year": "int64",
            "is_location_unknown": "bool",
            "reports": "int64",
            "page": "int64",
        }
    )
    # Plain None (not NaN) where there is no country, as the data contract reads "empty".
    for col in ("country_iso3", "note"):
        by_country[col] = pd.Series([r[col] for r in records], index=by_country.index, dtype=object)
    by_year = pd.DataFrame(
        [
            {
                "calendar_year": year,
                "measure": "reports_total",
                "value": stated,
                "qualifier": None,
                "note": None,
                "document_id": document_id,
                "page": total_row.page,
            }
        ]
    )
    return {COUNTRY_TABLE: by_country, YEAR_TABLE: by_year}


def parse(path: Path, doc: Document) -> dict[str, pd.DataFrame]:
    """Parse one "Reports by Country" PDF into the by-country table and its grand total."""
    return parse_pages(read_pages(Path(path)), doc.id, doc.year)
