"""Bureau of Justice Statistics reports on federal prosecution of child sexual exploitation.

Two documents so far: "Federal Prosecution of Child Sex Exploitation Offenders, 2006" (NCJ 219412) and
"Federal Prosecution of Commercial Sexual Exploitation of Children Cases, 2004-2013" (NCJ 250746).
BJS bulletins state the headline counts twice -- in prose ("U.S. attorneys referred 3,661 suspects
...", "increased from 2,972 in 2004 to 4,579 in 2013") and in numbered tables with one column per
fiscal year -- so both are read, and a figure found in both must agree (else ParseError).

Prose is read sentence by sentence from :func:`pipeline.doctext.document_pages` text normalised with
:func:`pipeline.doctext.normalize`, so each ``evidence`` is verbatim page text. Only three statement
shapes are accepted, each binding a count to the case-processing verb next to it:

* "<verb> <count> ... suspects|defendants" ("U.S. attorneys referred 3,661 suspects for ...");
* "<count> ... suspects|defendants (were) <verb>" ("3,661 suspects were referred ...");
* "<subject naming the stage> increased|rose|... from <count> (in <year>) to <count> (in <year>)",
  years given beside the counts or as "between <year> and <year>" in the sentence.

The offense scope of a prose figure must be named in its own clause (after the count, or in the
subject of a trend); a count whose clause names no scope is not read, because BJS bulletins also
quote all-offense totals ("Of all 150,000 suspects referred ...") and those must not be taken for
child-exploitation counts. A second trend chained in the same sentence with no offense words of its
own (", and defendants charged grew from ...") inherits the first one's scope. A single-count
statement needs exactly one year in its sentence, or none in a single-year report.

Tables: a "Table N." title, then a header line of year columns (at least two years, increasing, at
most three other words), then rows read until "Note:"/"Source:" or the next table. A value belongs to
the year column whose centre is within half a column spacing of its own; two values in one column, or
a value in no column, is a ParseError. Rows whose values are not all counts (percentages, rates) are
not count rows and are skipped, and so are rows whose label measures something else ("Median days
from referral to charge"). A row's stage comes from its label (or the section line above it),
else from the table title when that names exactly one stage; its scope from its label, else -- only
for total or stage rows ("Total", "Suspects referred") -- from the title, else the report's own scope
from page 1. Rows naming an offense outside the schema's scopes ("Sex abuse") are not read.

Periods and qualifiers follow the shared prose rules (:mod:`pipeline.parsers.prose`): a single-count
statement whose clause has a cumulative ("since 2004", "in total", "during the same period"), partial
("through March", "as of") or relative ("last year") cue is not a fiscal-year row; trend endpoints
are each one year's count, so only partial and relative cues apply to them. A qualifier the schema
has no word for ("roughly 3,661", "3,661+") is a ParseError naming it. Every prose count that matched
a stage but is not published is listed in ``ParseResult.skipped`` with its reason (also a count that
names no offense scope of the schema, a statement with several years, and restatements).

Required: a suspects-referred figure for the last fiscal year of the registry period, or ParseError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pdfplumber

from pipeline.doctext import document_pages, normalize
from pipeline.parsers import prose
from pipeline.parsers.base import COUNT_RE, ParseError, ParseResult, Skipped, parse_count
from pipeline.registry import Document

__all__ = ["parse", "COLUMNS"]

TABLE = "federal_prosecutions"
COLUMNS = [
    "fiscal_year",
    "offense_scope",
    "stage",
    "value",
    "qualifier",
    "evidence",
    "document_id",
    "page",
]
_NUMBER_LIKE = re.compile(r"^\(?[\d,.]+%?\)?$")
MISSING_MARKS = {"~", "--", "-", "\u2014", "\u2013", "/", "...", "\u2026", "NA", "N/A", "*"}

_QUAL = prose.qualifier_group("qual")
# A printed count not glued to a word, a decimal, a percent sign or a "(cid:NN)" glyph (the shared
# number boundaries of pipeline.parsers.prose); a "+" after it is read, so that it fails as a
# qualifier. A count that may be a piece of one wrapped over lines ("1,23\n4") is matched, then
# skipped as malformed (prose.broken_number).
_COUNT = rf"{prose.NUM_START}(?P<n>{prose.GROUPED}|\d+){prose.NUM_END}\+?(?!\w|,\d|\.\d|%| percent)"
_TREND_COUNT = rf"{prose.NUM_START}(?:{prose.GROUPED}|\d+){prose.NUM_END}"
_YEAR = re.compile(rf"{prose.NUM_START}((?:19|20)\d\d)(?!\w|,\d|\.\d){prose.GLYPH_NEXT}")
_BROKEN = "digits right before or after it across a space or line break: maybe a wrapped number"
_NOUN = r"(?:suspects|defendants|persons|individuals|offenders)"
# Sentence ends; "U.S. Attorneys" and "U.S. Sentencing Commission" do not end a sentence.

# Scopes in the order they are tried: the CSEC phrase must win over the looser ones it contains.
_SCOPES = [
    (
        "commercial_sexual_exploitation_of_children",
        re.compile(r"commercial sexual exploitation of children|\bCSEC\b", re.I),
    ),
    (
        "child_sex_exploitation",
        re.compile(
            r"child sex(?:ual)? exploitation|sex(?:ual)? exploitation of (?:a )?(?:children|minors?)",
            re.I,
        ),
    ),
    ("child_pornography", re.compile(r"child pornography", re.I)),
]
# Stage keywords, most specific first (a label "convicted and sentenced to prison" is the prison stage).
_STAGES = [
    (
        "defendants_sentenced_to_prison",
        re.compile(r"sentenced to prison|prison sentences?|incarcerat\w*|imprison\w*", re.I),
    ),
    ("defendants_convicted", re.compile(r"\bconvict(?:ed|ions?)\b", re.I)),
    ("defendants_prosecuted", re.compile(r"\bprosecut(?:ed|ions?)\b|\bcharged\b|\bfiled\b", re.I)),
    ("suspects_declined", re.compile(r"\bdeclin(?:ed|ations?)\b", re.I)),
    ("suspects_referred", re.compile(r"\breferr(?:ed|als?)\b", re.I)),
]
_VERB_STAGE = {
    "referred": "suspects_referred",
    "prosecuted": "defendants_prosecuted",
    "charged": "defendants_prosecuted",
    "convicted": "defendants_convicted",
    "declined": "suspects_declined",
    "sentenced to prison": "defendants_sentenced_to_prison",
    "incarcerated": "defendants_sentenced_to_prison",
}
_VERBS = "|".join(sorted(_VERB_STAGE, key=len, reverse=True))
_VERB_COUNT = re.compile(
    r"\b(?P<verb>"
    + _VERBS
    + r") "
    + _QUAL
    + _COUNT
    + r"(?P<mid>(?: [\w.-]+){0,4}?) "
    + _NOUN
    + r"\b",
    re.I,
)
_COUNT_VERB = re.compile(
    _QUAL
    + _COUNT
    + r"(?P<mid>(?: [\w.-]+){0,4}?) "
    + _NOUN
    + r" (?:(?:were|was|had been) )?(?P<verb>"
    + _VERBS
    + r")\b",
    re.I,
)
_TREND = re.compile(
    r"\b(?P<tverb>increased|rose|grew|declined|decreased|fell|dropped|climbed)\b(?: by [\d.]+(?:%| percent))?"
    r",? from "
    + prose.qualifier_group("q1")
    + rf"(?P<a>{_TREND_COUNT})(?: in (?:fiscal year |FY ?)?(?P<ya>(?:19|20)\d\d))?"
    r" to "
    + prose.qualifier_group("q2")
    + rf"(?P<b>{_TREND_COUNT})(?: in (?:fiscal year |FY ?)?(?P<yb>(?:19|20)\d\d))?"
    r"(?!\w|,\d|\.\d|%| percent)",
    re.I,
)
_SPAN = re.compile(
    r"\b(?:between|from) (?:fiscal years? |FY ?)?((?:19|20)\d\d) (?:and|to|through) (?:fiscal year |FY ?)?((?:19|20)\d\d)\b",
    re.I,
)
_OFFENSE_WORD = re.compile(r"\boffen[cs]es?\b|\bcrimes?\b|\bmatters?\b", re.I)
_TABLE_END = re.compile(r"^(?:Note|Notes|Source|Sources)\b:?", re.I)
_TOTAL_LABEL = re.compile(r"^(?:all|total)\b|\btotal$", re.I)
# Rows measuring something other than persons, whatever stage they mention ("Median days from referral").
_NOT_PERSONS = re.compile(
    r"\b(?:median|mean|average|percent|rate|ratio|days|months|years|share)\b", re.I
)


@dataclass
class _Row:
    fiscal_year: int
    offense_scope: str
    stage: str
    value: int
    qualifier: str | None
    evidence: str
    page: int
    order: int  # 0 prose, 1 table: prose first within a page when the same figure is in both


def _first_scope(text: str) -> str | None:
    hits = [(m.start(), name) for name, rx in _SCOPES for m in [rx.search(text)] if m]
    return min(hits)[1] if hits else None


def _stages_in(text: str) -> list[str]:
    found = [name for name, rx in _STAGES if rx.search(text)]
    if "defendants_sentenced_to_prison" in found and "defendants_convicted" in found:
        found.remove("defendants_convicted")
    return found


def report_scope(doc: Document, first_page: str) -> str:
    """The report's own offense scope, from its title on page 1."""
    scope = _first_scope(first_page)
    if scope is None:
        raise ParseError(
            doc.id,
            1,
            "a BJS report on child sex exploitation or commercial sexual exploitation of children "
            "(its title on page 1)",
            first_page[:120],
        )
    return scope


# --------------------------------------------------------------------------------------------------
# prose


def _read_prose(doc: Document, raw_pages: list[str], skipped: list[Skipped]) -> list[_Row]:
    rows: list[_Row] = []
    for pno, raw in enumerate(raw_pages, start=1):
        for s in prose.sentences(raw):
            rows.extend(_trend_rows(doc, pno, s, skipped))
            rows.extend(_single_rows(doc, pno, s, skipped))
    return rows


def _qualifier(doc, pno, s, m, group, number_end, ev) -> str | None:
    q = prose.qualifier_of(m.group(group), s, number_end, m.end())
    return prose.check_qualifier(q, doc.id, pno, ev)


def _trend_rows(doc: Document, pno: int, s: str, skipped: list[Skipped]) -> list[_Row]:
    rows = []
    span = _SPAN.search(s)
    subject_start = 0
    prev_scope = None
    for m in _TREND.finditer(s):
        subject = s[subject_start : m.start()]
        subject_start = m.end()
        stages = _stages_in(subject)
        scope = _first_scope(subject)
        if scope is None and prev_scope and not _OFFENSE_WORD.search(subject):
            scope = prev_scope  # ", and defendants charged grew from ..." continues the same scope
        if len(stages) != 1 or scope is None:
            continue
        ya, yb = m.group("ya"), m.group("yb")
        keep = [m.span("ya"), m.span("yb")] if ya and yb else []
        if not (ya and yb):
            if ya or yb or span is None:
                ev = prose.evidence(s, m.start(), m.end())
                for n in (m.group("a"), m.group("b")):
                    skipped.append(
                        Skipped(
                            pno, stages[0], n, "no_year", ev, "a trend with no year for each end"
                        )
                    )
                continue
            ya, yb = span.group(1), span.group(2)
            keep = [span.span()]
        prev_scope = scope
        # trend endpoints are each one year's count: only partial and relative cues apply
        cut = prose.period_skip(doc, s, m.start("a"), ("partial", "relative"))
        ev = prose.evidence(s, m.start(), m.end(), keep + (cut[2] if cut else []))
        for n, y, grp, g in ((m.group("a"), ya, "q1", "a"), (m.group("b"), yb, "q2", "b")):
            if cut:
                skipped.append(Skipped(pno, stages[0], n, cut[0], ev, cut[1]))
                continue
            if prose.broken_number(s, *m.span(g)):
                skipped.append(Skipped(pno, stages[0], n, "malformed", ev, _BROKEN))
                continue
            q = _qualifier(doc, pno, s, m, grp, m.end(g), ev)
            rows.append(_Row(int(y), scope, stages[0], parse_count(n, doc.id, pno), q, ev, pno, 0))
    return rows


def _single_rows(doc: Document, pno: int, s: str, skipped: list[Skipped]) -> list[_Row]:
    rows = []
    year_hits = [(int(m.group(1)), m.span(1)) for m in _YEAR.finditer(s)]
    for rx in (_VERB_COUNT, _COUNT_VERB):
        for m in rx.finditer(s):
            if _TREND.search(s[max(m.start() - 40, 0) : m.end() + 40]):
                continue  # a count inside a trend statement is read by _trend_rows
            stage = _VERB_STAGE[m.group("verb").lower()]
            n = m.group("n")
            scope = _first_scope(prose.clause_after(s, m.start("n")))
            if scope is None:
                if not re.search(r"[.!?]$", s):
                    continue  # table text run together, not a statement
                ev = prose.evidence(s, m.start(), m.end())
                detail = "no offense scope of the table named in its clause (an all-offense count?)"
                skipped.append(Skipped(pno, stage, n, "other", ev, detail))
                continue
            own = [(y, sp) for y, sp in year_hits if sp != m.span("n")]
            years = {y for y, _ in own}
            cut = prose.period_skip(doc, s, m.start("n"), ("cumulative", "partial", "relative"))
            ev = prose.evidence(
                s, m.start(), m.end(), [sp for _, sp in own] + (cut[2] if cut else [])
            )
            if cut:
                skipped.append(Skipped(pno, stage, n, cut[0], ev, cut[1]))
                continue
            if prose.broken_number(s, *m.span("n")):
                skipped.append(Skipped(pno, stage, n, "malformed", ev, _BROKEN))
                continue
            if len(years) == 1:
                year = years.pop()
            elif not years and doc.year is not None:
                year = doc.year
            else:
                reason = "other" if years else "no_year"
                detail = (
                    f"the sentence names several years ({', '.join(map(str, sorted(years)))})"
                    if years
                    else "no year in the sentence of a report covering several years"
                )
                skipped.append(Skipped(pno, stage, n, reason, ev, detail))
                continue
            q = _qualifier(doc, pno, s, m, "qual", m.end("n"), ev)
            rows.append(_Row(year, scope, stage, parse_count(n, doc.id, pno), q, ev, pno, 0))
    return rows


# --------------------------------------------------------------------------------------------------
# tables


def _line_text(line: list[dict], text_lines: list[dict], page_norm: str) -> str:
    """The normalised extracted text line holding these words (verbatim page text)."""
    top = min(w["top"] for w in line)
    for tl in text_lines:
        if abs(tl["top"] - top) < prose.SAME_LINE:
            t = normalize(tl["text"])
            if t in page_norm and all(w["text"] in t for w in line):
                return t
    return normalize(" ".join(w["text"] for w in line))


def _is_header(line: list[dict]) -> bool:
    years = [w for w in line if re.fullmatch(r"(?:19|20)\d\d", w["text"])]
    others = len(line) - len(years)
    ys = [int(w["text"]) for w in years]
    return len(years) >= 2 and others <= 3 and ys == sorted(set(ys))


def _split_row(
    line: list[dict], centres: list[float], spacing: float
) -> tuple[list[dict], list[dict]]:
    """(label words, value words): values start at the first number-like word that sits in a year
    column; everything left of it is the label (labels may reach into the first column's band)."""
    for idx, w in enumerate(line):
        cx = (w["x0"] + w["x1"]) / 2
        if (_NUMBER_LIKE.match(w["text"]) or w["text"] in MISSING_MARKS) and min(
            abs(c - cx) for c in centres
        ) <= spacing / 2:
            return line[:idx], line[idx:]
    return line, []


def _read_tables(
    doc: Document, path: Path, norm_pages: list[str], default_scope: str
) -> list[_Row]:
    rows: list[_Row] = []
    with pdfplumber.open(path) as pdf:
        for pno, page in enumerate(pdf.pages, start=1):
            lines = prose.word_lines(page.extract_words())
            text_lines = page.extract_text_lines()
            i = 0
            while i < len(lines):
                ln = lines[i]
                if (
                    len(ln) >= 2
                    and ln[0]["text"] == "Table"
                    and re.fullmatch(r"\d+[A-Za-z]?\.?", ln[1]["text"])
                ):
                    i, found = _read_table(
                        doc, pno, lines, i, text_lines, norm_pages[pno - 1], default_scope
                    )
                    rows.extend(found)
                else:
                    i += 1
    return rows


def _read_table(doc, pno, lines, start, text_lines, page_norm, default_scope):
    title_words = [w["text"] for w in lines[start]]
    j = start + 1
    while j < len(lines) and not _is_header(lines[j]):
        if lines[j][0]["text"] == "Table" or _TABLE_END.match(lines[j][0]["text"]) or j - start > 4:
            raise ParseError(
                doc.id,
                pno,
                f"a header line of fiscal-year columns under {' '.join(title_words[:2])}",
                " ".join(w["text"] for w in lines[j]),
            )
        title_words += [w["text"] for w in lines[j]]  # a wrapped title
        j += 1
    if j >= len(lines):
        raise ParseError(
            doc.id, pno, f"a header line of fiscal-year columns under {' '.join(title_words[:2])}"
        )
    title = " ".join(title_words)
    header = [w for w in lines[j] if re.fullmatch(r"(?:19|20)\d\d", w["text"])]
    centres = [(w["x0"] + w["x1"]) / 2 for w in header]
    spacing = min(b - a for a, b in zip(centres, centres[1:], strict=False))
    title_stages = _stages_in(title)
    title_scope = _first_scope(title)
    rows: list[_Row] = []
    section = ""
    k = j + 1
    while k < len(lines):
        ln = lines[k]
        if ln[0]["text"] == "Table" or _TABLE_END.match(ln[0]["text"]):
            break
        label_words, values = _split_row(ln, centres, spacing)
        label = " ".join(w["text"] for w in label_words)
        k += 1
        if not values:
            section = label  # a section line, or the first half of a wrapped label
            continue
        if not all(COUNT_RE.match(w["text"]) or w["text"] in MISSING_MARKS for w in values):
            continue  # percentages, rates, medians, or words after the numbers: not a count row
        cells: dict[int, dict] = {}
        for w in values:
            cx = (w["x0"] + w["x1"]) / 2
            col = min(range(len(centres)), key=lambda c: abs(centres[c] - cx))
            if abs(centres[col] - cx) > spacing / 2 or col in cells:
                raise ParseError(
                    doc.id,
                    pno,
                    f"one value per fiscal-year column in {' '.join(title_words[:2])}",
                    " ".join(w["text"] for w in ln),
                )
            cells[col] = w
        full_label = f"{section} {label}".strip()
        if _NOT_PERSONS.search(full_label):
            continue
        stages = _stages_in(full_label) or (title_stages if len(title_stages) == 1 else [])
        if len(_stages_in(full_label)) > 1:
            raise ParseError(
                doc.id, pno, "a table row naming one case-processing stage", full_label
            )
        scope = _first_scope(label) or _first_scope(section)
        if scope is None and (_TOTAL_LABEL.search(label) or _stages_in(label)):
            scope = title_scope or default_scope
        if len(stages) != 1 or scope is None:
            continue
        ev = _line_text(ln, text_lines, page_norm)
        for col, w in sorted(cells.items()):
            if w["text"] in MISSING_MARKS:
                continue
            year = int(header[col]["text"])
            rows.append(
                _Row(year, scope, stages[0], parse_count(w["text"], doc.id, pno), None, ev, pno, 1)
            )
    return k, rows


# --------------------------------------------------------------------------------------------------


def _period_end(doc: Document) -> int:
    m = re.fullmatch(r"((?:19|20)\d\d)(?:-((?:19|20)\d\d))?", doc.period)
    if not m:
        raise ParseError(
            doc.id, None, "a registry period that is a fiscal year or a span of them", doc.period
        )
    return int(m.group(2) or m.group(1))


def parse(path: Path, doc: Document) -> ParseResult:
    path = Path(path)
    end = _period_end(doc)
    raw_pages = document_pages(path, "pdf")
    pages = [normalize(t) for t in raw_pages]
    if not pages:
        raise ParseError(doc.id, 1, "a PDF with pages")
    scope = report_scope(doc, pages[0])
    skipped: list[Skipped] = []
    found = _read_prose(doc, raw_pages, skipped) + _read_tables(doc, path, pages, scope)
    found.sort(key=lambda r: (r.page, r.order))
    for r in found:
        if r.fiscal_year > end:
            raise ParseError(
                doc.id,
                r.page,
                f"fiscal years up to {end} (registry period {doc.period})",
                r.evidence,
            )
    kept = prose.dedupe(
        found,
        key=lambda r: (r.fiscal_year, r.offense_scope, r.stage),
        document_id=doc.id,
        what=lambda r: f"value for {r.stage} ({r.offense_scope}, {r.fiscal_year})",
        skipped=skipped,
        measure=lambda r: r.stage,
        shown=lambda r: f"{r.value:,}",
    )
    if not any(r.fiscal_year == end and r.stage == "suspects_referred" for r in kept):
        raise ParseError(
            doc.id,
            1,
            f"the number of suspects referred to U.S. attorneys in fiscal year {end} "
            f"(searched prose and tables on pages 1-{len(pages)})",
        )
    # the contract the figure-verification check relies on
    for r in kept:
        if r.evidence not in pages[r.page - 1]:
            raise ParseError(doc.id, r.page, "evidence that is verbatim page text", r.evidence)
    df = pd.DataFrame(
        [
            {
                "fiscal_year": r.fiscal_year,
                "offense_scope": r.offense_scope,
                "stage": r.stage,
                "value": r.value,
                "qualifier": r.qualifier,
                "evidence": r.evidence,
                "document_id": doc.id,
                "page": r.page,
            }
            for r in kept
        ],
        columns=COLUMNS,
    )
    df = df.sort_values(["fiscal_year", "offense_scope", "stage"], kind="stable").reset_index(
        drop=True
    )
    return ParseResult(tables={TABLE: df}, skipped=skipped)
