"""OJJDP-NCMEC Transparency Reports ("Report to the Committees on Appropriations"), CY2022 onward.

Each edition is a Word export of ~20 pages with ruled three-year tables (CY N-2, N-1, N) and an
Appendix A listing total CyberTipline reports per calendar year since 1998. Editions differ in page
count, label spelling and where cells wrap, so nothing here relies on page numbers or one file's
wording:

* **Finding tables.** A table is recognised by its caption (the text of its header cells, or the lines
  just above it when the header holds only years) *and* by its row labels, each matched by a tolerant
  pattern ("ICAC Task Forces" and "Internet Crimes Against Children (ICACs) Units" are the same row).
  Every expected row must be there exactly once and no unknown row may be: a table that is missing, or
  whose rows are not all recognised, raises :class:`ParseError` naming the page and what was expected.
  The recipients and feedback tables share their rows, so a caption mentioning feedback never names
  the recipients table. Recipient rows are structure, not free labels: they are a closed set that
  identifies these two tables, and the published ``recipient`` column is that set (no as-printed
  column), so an unrecognised recipient fails the document instead of being published with an empty
  recipient as an unknown country name is (see :mod:`pipeline.labels`). Misspelt words around the
  key word ("Federal Law Enforcment") are absorbed by the row patterns. A table broken by a page break is re-joined when the part opening the next
  page has no header, repeats the header, or repeats a years-only header with no text above it.
* **Placing characters.** pdfplumber's default ``extract_tables()`` assigns characters to cells by
  their font boxes, which these fonts put ~0.6 em below the glyphs: rows shift and a table's last row
  is lost (the ESP row of CY2022). :func:`extract_pages` fills the same cells with characters placed
  by their baseline instead.
* **Reading cells.** Cells hold several values ("Actionable: 395,173\\nInformational: 11,900\\nTotal:
  407,073") and numbers wrap mid-number ("24,768,90" / "3"). Labelled cells are read label by label
  (whitespace inside labels is ignored: "I n formational"); a count broken over lines is re-joined
  only when the pieces form one properly comma-grouped count. A row whose label cell holds several
  recognised labels and whose value cells hold as many counts is split into rows (cells that merged
  because a rule was missing).
* **Label typo.** The CY2022 edition prints "International: 590,383" inside the CY2021 federal cell,
  where "Informational:" is meant. Rule: in a recipient cell that already has Actionable and Total
  but no Informational, a single unrecognised label that looks like a misspelling of "Informational"
  is read as informational; the reading is only kept if actionable + it = total, and the correction
  is written to the row's ``note``.
* **Reconciliation.** Every printed total must equal its parts (actionable + informational per
  recipient-year, ESP + public, U.S. + international + unknown), else ParseError with the stated and
  summed values. Relations the document does not print as a total (incident categories summing to the
  year's total, the same year's total in several tables) are checked too, and a disagreement is
  written to the rows' ``note`` rather than raised: it is the publisher's inconsistency, not drift.
* **Appendix A vs the three-year tables.** The yearly total appears twice for the last three years
  (the public-vs-ESP table and Appendix A), but the published key is (document, year, measure), so one
  row is kept: the three-year table's (it reconciles with ESP + public). If Appendix A prints a
  different number, that number and its page go into the row's ``note``. Appendix years not covered by
  a three-year table are published from Appendix A.
* **1998.** The narrative says the CyberTipline was created in March 1998 while Appendix A labels its
  first row "CY1998 (1/1/98-12/31/98)"; the 1998 row's note says the figure covers only part of the
  year. If the narrative's first-year count ("in CY 1998, NCMEC received 4,560 reports") differs from
  Appendix A, the note says so too.

Two layers so tests can feed perturbed cells: :func:`extract_pages` is the only code that touches
pdfplumber; :func:`parse_pages` is a pure function over its output.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pdfplumber
from pdfplumber.utils import extract_text

from pipeline.doctext import normalize
from pipeline.parsers.base import COUNT_RE, ParseError, parse_count
from pipeline.registry import Document
from schemas._common import NOT_ARRESTS_NOTE
from schemas.cybertipline_reports_to_law_enforcement import RECIPIENTS

__all__ = [
    "RawTable",
    "ExtractedPage",
    "extract_pages",
    "parse",
    "parse_pages",
    "parse_labelled_cell",
    "read_count",
]

BY_YEAR = "cybertipline_reports_by_year"
TO_LE = "cybertipline_reports_to_law_enforcement"
FEEDBACK = "cybertipline_law_enforcement_feedback"

# The CyberTipline opened in 1998; Appendix A must run from here to the edition's year without gaps.
FIRST_CYBERTIPLINE_YEAR = 1998
REPORT_CLASSES = ("actionable", "informational", "total")

# --------------------------------------------------------------------------------------------------
# PDF layer


@dataclass
class RawTable:
    """One ruled table as pdfplumber sees it: rows of cells, ``None`` where cells are merged.

    ``context`` is the text just above the table, used to name it only when its own header holds no
    caption."""

    rows: list[list[str | None]]
    context: str = ""


@dataclass
class ExtractedPage:
    number: int  # 1-based
    text: str
    tables: list[RawTable] = field(default_factory=list)


def _glyph_box(char: dict, page_height: float) -> dict:
    """Place a character by its baseline instead of its font box.

    The Avenir fonts in these exports declare a descent of -0.8 em, so pdfminer puts every character
    box ~0.6 em below the glyph; pdfplumber assigns characters to cells by the box centre and then drops
    a table's last row and shifts the rest (the ESP row on page 4 of CY2022 vanishes). The baseline
    comes from the text matrix and does not depend on font metrics."""
    m = char.get("matrix")
    if not m or m[1] or m[2]:  # rotated or skewed text: leave as is
        return char
    baseline = page_height - m[5]
    size = char["size"]
    top = baseline - 0.8 * size
    return {
        **char,
        "top": top,
        "bottom": baseline + 0.2 * size,
        "doctop": char["doctop"] + (top - char["top"]),
    }


def _in_box(char: dict, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    v_mid = (char["top"] + char["bottom"]) / 2
    h_mid = (char["x0"] + char["x1"]) / 2
    return x0 <= h_mid < x1 and top <= v_mid < bottom


CONTEXT_HEIGHT = 40.0  # points above a table searched for its caption (about three text lines)


def extract_pages(path: Path) -> list[ExtractedPage]:
    """Text and ruled tables of every page; cells are filled like pdfplumber's ``Table.extract`` but
    with characters placed by baseline (see :func:`_glyph_box`)."""
    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            chars = [_glyph_box(c, page.height) for c in page.chars]
            tables = []
            for table in page.find_tables():
                rows = []
                for row in table.rows:
                    row_chars = [c for c in chars if _in_box(c, row.bbox)]
                    rows.append(
                        [
                            None
                            if cell is None
                            else extract_text([c for c in row_chars if _in_box(c, cell)])
                            for cell in row.cells
                        ]
                    )
                top = table.bbox[1]
                above = (0.0, max(0.0, top - CONTEXT_HEIGHT), float(page.width), top)
                context = extract_text([c for c in chars if _in_box(c, above)])
                tables.append(RawTable(rows=rows, context=context))
            pages.append(
                ExtractedPage(
                    number=page.page_number, text=page.extract_text() or "", tables=tables
                )
            )
    return pages


def parse(path: Path, doc: Document) -> dict[str, pd.DataFrame]:
    return parse_pages(extract_pages(path), doc.id, doc.year)


# --------------------------------------------------------------------------------------------------
# Cells

_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_PERCENT = re.compile(r"^\(?\d+(?:\.\d+)?\s*%\)?$")
_YEAR_HEADER = re.compile(r"^(?:CY|Calendar\s+Year)\s*((?:19|20)\d\d)\d?$|^((?:19|20)\d\d)$", re.I)
_YEAR_LABEL = re.compile(r"^(?:CY|Calendar\s+Year)\s*((?:19|20)\d\d)\b", re.I)
_LABELLED = re.compile(r"([A-Za-z][A-Za-z ]*?)\s*:")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _value_like(cell: str) -> bool:
    """A count, a percentage or ``Label: count`` pairs; not a row label or a year header."""
    if not re.search(r"\d", cell):
        return False
    return not re.search(r"[A-Za-z]{2,}(?![A-Za-z ]*:)", cell)


def _join_fragments(fragments: Sequence[str], document_id: str, page: int | None) -> int:
    """One count printed over one or more lines. Pieces are re-joined only if the result is a
    comma-grouped count ("24,768,90" + "3"), so two separate numbers never silently fuse."""
    if len(fragments) == 1:
        return parse_count(fragments[0], document_id, page)
    joined = "".join(fragments)
    if not _GROUPED.match(joined):
        raise ParseError(
            document_id,
            page,
            "one count such as 1,234 (possibly wrapped over lines)",
            " / ".join(fragments),
        )
    return int(joined.replace(",", ""))


def _count_fragments(cell: str) -> list[str]:
    return [ln.strip() for ln in cell.splitlines() if ln.strip() and not _PERCENT.match(ln.strip())]


def read_count(cell: str, document_id: str, page: int | None) -> int:
    """A cell holding one count, possibly with a percentage line under it ("887,252\\n4.1%") and
    possibly wrapped mid-number ("24,768,90\\n3")."""
    fragments = _count_fragments(cell)
    if not fragments:
        raise ParseError(document_id, page, "a count", cell)
    return _join_fragments(fragments, document_id, page)


def _label_key(label: str) -> str:
    return re.sub(r"[^a-z]", "", label.lower())


def _looks_like_informational(key: str) -> bool:
    return (
        key.startswith("in") and difflib.SequenceMatcher(None, key, "informational").ratio() >= 0.6
    )


def parse_labelled_cell(
    cell: str, document_id: str, page: int | None
) -> tuple[dict[str, int], str | None]:
    """Read a recipient cell: ``Actionable: a / Informational: i / Total: t`` (labels and values may
    wrap) or a single bare count, read as the total. Returns ``({class: count}, note)``; the note is
    set when a label was corrected by rule."""
    text = _squash(cell)
    matches = list(_LABELLED.finditer(text))
    if not matches:
        return {"total": read_count(cell, document_id, page)}, None
    if text[: matches[0].start()].strip():
        raise ParseError(document_id, page, "'Label: count' pairs", cell)
    printed: list[tuple[str, str, int]] = []  # (label as printed, key, value)
    for m, nxt in zip(matches, [*matches[1:], None], strict=True):
        value_text = text[m.end() : nxt.start() if nxt else len(text)]
        fragments = value_text.split()
        if not fragments:
            raise ParseError(document_id, page, f"a count after '{m.group(1)}:'", cell)
        printed.append(
            (
                m.group(1).strip(),
                _label_key(m.group(1)),
                _join_fragments(fragments, document_id, page),
            )
        )

    values: dict[str, int] = {}
    unknown = []
    for label, key, value in printed:
        cls = {"actionable": "actionable", "informational": "informational"}.get(key)
        if key in ("total", "totals"):
            cls = "total"
        if cls is None:
            unknown.append((label, key, value))
            continue
        if cls in values:
            raise ParseError(document_id, page, f"one '{cls}' value per cell", cell)
        values[cls] = value

    note = None
    if unknown:
        label, key, value = unknown[0]
        if (
            len(unknown) == 1
            and set(values) == {"actionable", "total"}
            and _looks_like_informational(key)
        ):
            values["informational"] = value
            note = (
                f"Label printed as '{label}:' read as 'Informational:' by rule: the cell already has "
                "'Actionable:' and 'Total:', and actionable + this value = the printed total."
            )
        else:
            raise ParseError(document_id, page, "labels Actionable, Informational and Total", cell)
    if set(values) not in ({"total"}, set(REPORT_CLASSES)):
        raise ParseError(document_id, page, "labels Actionable, Informational and Total", cell)
    if len(values) == 3:
        summed = values["actionable"] + values["informational"]
        if summed != values["total"]:
            raise ParseError(
                document_id,
                page,
                f"printed total {values['total']:,} to equal actionable + informational",
                f"{values['actionable']:,} + {values['informational']:,} = {summed:,}",
            )
    return values, note


# --------------------------------------------------------------------------------------------------
# Tables


@dataclass
class Row:
    label: str  # as printed, line breaks kept
    cells: list[str]
    page: int


@dataclass
class Table:
    page: int
    caption: str  # header text, or the text above the table when the header holds none
    years: list[int]
    rows: list[Row]
    headed: bool = True  # False: no years and no caption of its own (a continuation candidate)
    own_caption: bool = True  # False: the caption is the text above the table, not its header's


def _compact(row: Sequence[str | None]) -> list[str]:
    return [c.strip() for c in row if c is not None and c.strip()]


def _structure(raw: RawTable, page: int) -> Table:
    """Header (years and caption text) and data rows (label + value cells) of one raw table."""
    years: list[int] = []
    caption: list[str] = []
    data: list[Row] = []
    pending: list[str] = []  # label-only rows between data rows: a label wrapped out of its row
    for cells in map(_compact, raw.rows):
        if not cells:
            continue
        header_years = [_YEAR_HEADER.match(_squash(c)) for c in cells]
        if not data and not years and any(header_years):
            years = [int(m.group(1) or m.group(2)) for m in header_years if m]
            caption += [c for c, m in zip(cells, header_years, strict=True) if not m]
            continue
        if _value_like(cells[0]):
            label, values = "", cells
        else:
            label, values = cells[0], cells[1:]
        if values and all(_value_like(v) for v in values):
            data.append(Row(label="\n".join([*pending, label]).strip(), cells=values, page=page))
            pending = []
        elif not data:
            caption += cells
        elif not values:
            pending.append(label)
        else:  # text where values belong: kept, so the table's reader rejects it loudly
            data.append(Row(label=label, cells=values, page=page))
    if pending and data:
        data[-1].label = "\n".join([data[-1].label, *pending])
    own = _squash(" ".join(caption))
    own_caption = bool(re.search(r"[A-Za-z]{3,}", own))
    headed = bool(years) or own_caption
    text = own if own_caption else _squash(raw.context)
    return Table(
        page=page, caption=text, years=years, rows=data, headed=headed, own_caption=own_caption
    )


def _repeated_years_header(t: Table, prev: Table) -> bool:
    """``t`` repeats ``prev``'s header, which holds only years (its caption is the text above it):
    same years, no caption in either header, and no text above ``t`` -- a new table on the next page
    would have its caption there."""
    return t.years == prev.years and not (t.own_caption or prev.own_caption or t.caption)


def _tables(pages: Sequence[ExtractedPage]) -> list[Table]:
    """Structured tables. A table broken by a page break is put back together: the part that opens
    the next page either repeats the header (same caption and years, or the same years-only header
    with nothing above it) or has no header at all."""
    out: list[Table] = []
    for page in pages:
        for i, raw in enumerate(page.tables):
            t = _structure(raw, page.number)
            prev = out[-1] if out else None
            if (
                i == 0
                and prev is not None
                and prev.rows
                and t.rows
                and prev.rows[-1].page == page.number - 1
                and (
                    not t.headed
                    or (t.caption, t.years) == (prev.caption, prev.years)
                    or _repeated_years_header(t, prev)
                )
            ):
                prev.rows.extend(t.rows)
                continue
            out.append(t)
    return out


# --------------------------------------------------------------------------------------------------
# What each table looks like. Row patterns are tried in order on the lower-cased label; the first
# that matches names the row.


@dataclass(frozen=True)
class Spec:
    name: str
    caption: re.Pattern[str]
    rows: tuple[tuple[str, re.Pattern[str]], ...]
    counts: bool = True  # cells hold one count each (False: labelled multi-value cells)


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


_RECIPIENT_ROWS = (
    ("icac_task_forces", _p(r"\bicacs?\b|internet crimes against children")),
    ("international_law_enforcement", _p(r"\binternational\b|\bforeign\b|outside the u")),
    ("federal_law_enforcement", _p(r"\bfederal\b")),
    ("local_law_enforcement", _p(r"\blocal\b")),
)

TOTALS = Spec(
    "public vs ESP reports",
    _p(r"\bpublic\b"),
    (
        ("reports_total", _p(r"\btotal\b")),
        ("reports_public", _p(r"\bpublic\b")),
        ("reports_esp", _p(r"\besps?\b|electronic (?:communication )?service provider")),
    ),
)
LOCATION = Spec(
    "reported user location",
    _p(r"location|relating to u\.?\s?s\.?|international users|geograph"),
    (
        ("total", _p(r"^total\b")),
        ("reports_location_unknown", _p(r"unknown|undetermined|not (?:be )?determined")),
        ("reports_location_international", _p(r"\binternational\b|outside the u")),
        ("reports_location_us", _p(r"\bu\.?\s?s\.?(?![a-z])|united states|domestic")),
    ),
)
INCIDENTS = Spec(
    "categorization of reports (incident types)",
    _p(r"categori|type of (?:child sexual )?exploitation|incident type"),
    (
        ("reports_online_enticement", _p(r"enticement")),
        ("incident_child_sex_trafficking", _p(r"traffick")),
        ("incident_child_sex_tourism", _p(r"touris")),
        ("incident_child_sexual_molestation", _p(r"molest")),
        ("incident_unsolicited_obscene_material", _p(r"obscene")),
        ("incident_misleading_domain_name", _p(r"domain")),
        (
            "incident_misleading_words_or_images",
            _p(r"misleading (?:words|digital)|words or .*images"),
        ),
        ("incident_child_sexual_abuse_material", _p(r"pornography|sexual abuse material|\bcsam\b")),
    ),
)
UNIQUE = Spec(
    "ESP reports with unique and visually similar images/videos",
    _p(r"unique|visually similar"),
    (
        ("total", _p(r"^total\b")),
        ("reports_with_visually_similar_images_videos", _p(r"similar")),
        ("reports_with_unique_images_videos", _p(r"unique")),
    ),
)
# The recipients and feedback tables have the same rows, and a bare count is a valid recipient cell
# (read as the total), so only the caption tells them apart. Rule: a caption that mentions feedback
# is never the recipients table. Without it, "Instances of Feedback from Law Enforcement Recipients
# of CyberTipline Reports" made the feedback table a second recipients table (ParseError) or, with
# the recipients caption reworded, the only one: feedback instances published as reports made
# available.
RECIPIENTS_TABLE = Spec(
    "reports made available to law enforcement",
    _p(r"^(?!.*\bfeedback\b).*(?:recipient|made available)"),
    _RECIPIENT_ROWS,
    counts=False,
)
FEEDBACK_TABLE = Spec("law-enforcement feedback", _p(r"feedback"), _RECIPIENT_ROWS)
APPENDIX_CAPTION = _p(r"total number of cybertipline reports|reports received|date range|appendix")


def _key(label: str, spec: Spec) -> str | None:
    text = _squash(label).lower()
    return next((key for key, pattern in spec.rows if pattern.search(text)), None)


def _split_stacked(rows: list[Row], spec: Spec) -> list[Row]:
    """Rows merged into one because a rule between them is missing: the label cell holds k lines that
    each name a different row, and every value cell holds k counts."""
    out = []
    for row in rows:
        lines = [ln for ln in row.label.splitlines() if ln.strip()]
        keys = [_key(ln, spec) for ln in lines]
        pieces = [_count_fragments(c) for c in row.cells]
        k = len(lines)
        if (
            k >= 2
            and None not in keys
            and len(set(keys)) == k
            and all(len(p) == k and all(COUNT_RE.match(x) for x in p) for p in pieces)
        ):
            out += [Row(lines[j], [p[j] for p in pieces], row.page) for j in range(k)]
        else:
            out.append(row)
    return out


def _match_rows(rows: list[Row], spec: Spec) -> tuple[dict[str, Row], str | None]:
    """Rows by key, and what is wrong (None when every expected row is there once and nothing else)."""
    found: dict[str, Row] = {}
    problems = []
    for row in rows:
        key = _key(row.label, spec)
        if key is None:
            problems.append(f"unrecognised row {_squash(row.label)!r}")
        elif key in found:
            problems.append(
                f"two {key} rows: {_squash(found[key].label)!r}, {_squash(row.label)!r}"
            )
        else:
            found[key] = row
    missing = [key for key, _ in spec.rows if key not in found]
    if missing:
        problems.append(f"no row for {', '.join(missing)} among {[_squash(r.label) for r in rows]}")
    return found, "; ".join(problems) or None


def _find(
    tables: Sequence[Table], spec: Spec, document_id: str, year: int | None
) -> tuple[Table, dict[str, Row]]:
    """The one table with this caption whose rows are exactly the expected ones."""
    expected = f"the {spec.name} table with rows {[k for k, _ in spec.rows]}"
    matched, rejected = [], []
    for table in tables:
        if not spec.caption.search(table.caption):
            continue
        rows = _split_stacked(table.rows, spec) if spec.counts else table.rows
        found, problem = _match_rows(rows, spec)
        if problem:
            rejected.append((len(found), table, problem))
        else:
            matched.append((table, found))
    if not matched:
        if rejected:  # the candidate with most recognised rows is where the table most likely is
            _, table, problem = max(rejected, key=lambda r: r[0])
            raise ParseError(document_id, table.page, expected, problem)
        raise ParseError(
            document_id,
            None,
            f"{expected}, captioned like {spec.caption.pattern!r}",
            "no such table",
        )
    if len(matched) > 1:
        pages = [t.page for t, _ in matched]
        raise ParseError(
            document_id, matched[1][0].page, f"one {spec.name} table", f"tables on pages {pages}"
        )
    table, rows = matched[0]
    if not table.years or len(set(table.years)) != len(table.years):
        raise ParseError(
            document_id, table.page, f"{spec.name}: a header of distinct years", table.caption
        )
    if year is not None and max(table.years) != year:
        raise ParseError(
            document_id, table.page, f"{spec.name}: columns ending with CY{year}", f"{table.years}"
        )
    for row in rows.values():
        if len(row.cells) != len(table.years):
            raise ParseError(
                document_id,
                row.page,
                f"{spec.name}: {len(table.years)} values in row {_squash(row.label)!r}",
                " | ".join(row.cells),
            )
    return table, rows


def _counts(
    spec_rows: dict[str, Row], table: Table, document_id: str
) -> dict[str, dict[int, tuple[int, int]]]:
    """{row key: {year: (count, page)}} for a table of single-count cells."""
    return {
        key: {
            y: (read_count(cell, document_id, row.page), row.page)
            for y, cell in zip(table.years, row.cells, strict=True)
        }
        for key, row in spec_rows.items()
    }


def _reconcile(document_id: str, page: int, what: str, stated: int, parts: dict[str, int]) -> None:
    summed = sum(parts.values())
    if summed != stated:
        detail = " + ".join(f"{k} {v:,}" for k, v in parts.items())
        raise ParseError(
            document_id,
            page,
            f"{what}: printed total {stated:,} to equal the sum of its parts",
            f"{detail} = {summed:,}",
        )


def _add_note(record: dict, note: str) -> None:
    record["note"] = f"{record['note']} {note}" if record.get("note") else note


# --------------------------------------------------------------------------------------------------
# Narrative

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August")
_MONTHS += ("September", "October", "November", "December")
_START = re.compile(
    r"\bIn (" + "|".join(_MONTHS) + r") ((?:19|20)\d\d),? NCMEC (?:created|launched|established|"
    r"opened) the CyberTipline",
    re.I,
)
_NARRATIVE_COUNT = re.compile(r"\bin CY ?((?:19|20)\d\d),? NCMEC received ([\d,]+) reports", re.I)


def _narrative(pages: Sequence[ExtractedPage]):
    """(start month, start year, page) of the CyberTipline, and exact yearly counts stated in prose."""
    start = None
    counts: dict[int, tuple[str, int]] = {}
    for page in pages:
        text = normalize(page.text)
        if start is None and (m := _START.search(text)):
            start = (m.group(1).capitalize(), int(m.group(2)), page.number)
        for m in _NARRATIVE_COUNT.finditer(text):
            counts.setdefault(int(m.group(1)), (m.group(2), page.number))
    return start, counts


# --------------------------------------------------------------------------------------------------
# The document


def _appendix(
    tables: Sequence[Table], document_id: str, year: int | None
) -> list[tuple[int, int, int, str]]:
    """Appendix A rows as (year, count, page, label as printed), from 1998 to the edition's year."""
    expected = "Appendix A: one row per calendar year 'CYyyyy ...' with one count"
    candidates = [t for t in tables if APPENDIX_CAPTION.search(t.caption) and t.rows]
    good, rejected = [], []
    for table in candidates:
        bad = [
            r for r in table.rows if not _YEAR_LABEL.match(_squash(r.label)) or len(r.cells) != 1
        ]
        (rejected if bad else good).append((table, bad))
    if not good:
        if rejected:
            table, bad = max(rejected, key=lambda tb: len(tb[0].rows) - len(tb[1]))
            raise ParseError(
                document_id, bad[0].page, expected, f"{_squash(bad[0].label)} | {bad[0].cells}"
            )
        raise ParseError(document_id, None, expected, "no such table")
    if len(good) > 1:
        raise ParseError(
            document_id, good[1][0].page, "one Appendix A table", f"{len(good)} tables"
        )
    table = good[0][0]
    rows = []
    for r in table.rows:
        y = int(_YEAR_LABEL.match(_squash(r.label)).group(1))
        rows.append((y, read_count(r.cells[0], document_id, r.page), r.page, _squash(r.label)))
    years = [y for y, *_ in rows]
    last = year if year is not None else max(years)
    if sorted(years) != list(range(FIRST_CYBERTIPLINE_YEAR, last + 1)):
        raise ParseError(
            document_id,
            table.page,
            f"Appendix A: each year from {FIRST_CYBERTIPLINE_YEAR} to {last} once",
            f"years {sorted(years)}",
        )
    return rows


def parse_pages(
    pages: Sequence[ExtractedPage], document_id: str, year: int | None = None
) -> dict[str, pd.DataFrame]:
    """The three published tables from the extracted pages of one transparency report.

    ``year`` is the edition's calendar year (the last column of every three-year table), if known."""
    tables = _tables(pages)
    by_year: dict[tuple[int, str], dict] = {}

    def emit(y: int, measure: str, value: int, page: int, note: str | None = None) -> dict:
        record = {
            "calendar_year": y,
            "measure": measure,
            "value": value,
            "qualifier": None,
            "note": note,
            "document_id": document_id,
            "page": page,
        }
        if (y, measure) in by_year:
            raise ParseError(document_id, page, f"one {measure} figure for CY{y}", "two")
        by_year[(y, measure)] = record
        return record

    # Totals: ESP + public = total.
    table, rows = _find(tables, TOTALS, document_id, year)
    totals = _counts(rows, table, document_id)
    for y in table.years:
        stated, page = totals["reports_total"][y]
        parts = {k: totals[k][y][0] for k in ("reports_esp", "reports_public")}
        _reconcile(document_id, page, f"CY{y} reports (ESP + public)", stated, parts)
        for measure, values in totals.items():
            emit(y, measure, *values[y])
    year_total = {y: totals["reports_total"][y] for y in table.years}

    def compare_total(y: int, stated: int, what: str) -> str | None:
        if y not in year_total or year_total[y][0] == stated:
            return None
        total, page = year_total[y]
        return (
            f"{what} for CY{y} is {stated:,}; the year's total reports are {total:,} (page {page})."
        )

    # Reported user location: U.S. + international + unknown = total.
    table, rows = _find(tables, LOCATION, document_id, year)
    location = _counts(rows, table, document_id)
    for y in table.years:
        stated, page = location["total"][y]
        parts = {k: v[y][0] for k, v in location.items() if k != "total"}
        _reconcile(document_id, page, f"CY{y} reports by user location", stated, parts)
        note = compare_total(y, stated, "The location table's total")
        for measure in parts:
            emit(y, measure, *location[measure][y], note=note)

    # Incident types: no printed total; the categories are exclusive, so they should sum to the year.
    table, rows = _find(tables, INCIDENTS, document_id, year)
    incidents = _counts(rows, table, document_id)
    for y in table.years:
        summed = sum(v[y][0] for v in incidents.values())
        note = compare_total(y, summed, "The sum of the incident categories")
        for measure, values in incidents.items():
            emit(y, measure, *values[y], note=note)

    # ESP reports with unique / visually similar content (overlapping, so no sum check).
    table, rows = _find(tables, UNIQUE, document_id, year)
    unique = _counts(rows, table, document_id)
    for y in table.years:
        note = compare_total(y, unique["total"][y][0], "This table's total")
        for measure, values in unique.items():
            if measure != "total":
                emit(y, measure, *values[y], note=note)

    # Appendix A: one row per (year, reports_total); the three-year table wins where both exist.
    start, narrative_counts = _narrative(pages)
    for y, value, page, label in _appendix(tables, document_id, year):
        record = by_year.get((y, "reports_total"))
        if record is None:
            record = emit(y, "reports_total", value, page)
        elif record["value"] != value:
            _add_note(
                record,
                f"Appendix A (page {page}) prints {value:,} for CY{y}; this value is the "
                "three-year table's, which reconciles with ESP + public reports.",
            )
        if start and start[1] == y and start[0] != "January":
            printed_range = re.search(r"\(([^)]*)\)", label)
            _add_note(
                record,
                f"The narrative (page {start[2]}) says NCMEC created the CyberTipline in "
                f"{start[0]} {y}, so this count covers part of CY{y}"
                + (
                    f" although Appendix A labels it {printed_range.group(1)}."
                    if printed_range
                    else "."
                ),
            )
        if y in narrative_counts:
            text, npage = narrative_counts[y]
            if COUNT_RE.match(text) and int(text.replace(",", "")) != record["value"]:
                _add_note(record, f"The narrative (page {npage}) says {text} reports for CY{y}.")

    # Reports made available to law enforcement: actionable + informational = total per cell.
    le_records = []
    table, rows = _find(tables, RECIPIENTS_TABLE, document_id, year)
    for recipient, row in rows.items():
        for y, cell in zip(table.years, row.cells, strict=True):
            values, note = parse_labelled_cell(cell, document_id, row.page)
            for report_class, reports in values.items():
                le_records.append(
                    {
                        "calendar_year": y,
                        "recipient": recipient,
                        "report_class": report_class,
                        "reports": reports,
                        "note": note if report_class == "informational" else None,
                        "document_id": document_id,
                        "page": row.page,
                    }
                )

    # Law-enforcement feedback: counts only, always with the "not arrests" caveat.
    table, rows = _find(tables, FEEDBACK_TABLE, document_id, year)
    feedback = _counts(rows, table, document_id)
    fb_records = [
        {
            "calendar_year": y,
            "recipient": recipient,
            "feedback_instances": feedback[recipient][y][0],
            "note": NOT_ARRESTS_NOTE,
            "document_id": document_id,
            "page": feedback[recipient][y][1],
        }
        for recipient in feedback
        for y in table.years
    ]

    recipient_order = {r: i for i, r in enumerate(RECIPIENTS)}
    class_order = {c: i for i, c in enumerate(REPORT_CLASSES)}
    return {
        BY_YEAR: _frame(by_year.values(), lambda r: (r["calendar_year"], r["measure"])),
        TO_LE: _frame(
            le_records,
            lambda r: (
                r["calendar_year"],
                recipient_order[r["recipient"]],
                class_order[r["report_class"]],
            ),
        ),
        FEEDBACK: _frame(
            fb_records, lambda r: (r["calendar_year"], recipient_order[r["recipient"]])
        ),
    }


def _frame(records, key: Callable[[dict], tuple]) -> pd.DataFrame:
    return pd.DataFrame(sorted(records, key=key)).reset_index(drop=True)
