"""ICAC Task Force Program activity, read from prose on the OJJDP program page and in DOJ reports.

OJJDP publishes the program's yearly figures only as sentences ("In FY 2023, ICAC task forces conducted
approximately 184,700 investigations, which led to the arrests of more than 10,800 offenders"), worded
differently from year to year and document to document. No table exists to anchor on, so the parser
reads sentence by sentence and states every rule it applies, because a wrong fiscal year or a dropped
"more than" would be a silent error in a table analysts trust.

How a figure becomes a row
  1. Page text comes from :mod:`pipeline.doctext` (the text the figure-verification check re-reads).
     HTML block elements and PDF pages bound sentences; line-break hyphens ("inves- tigations") are
     joined for matching only.
  2. A *figure* is a measure phrase with its number: arrests ("arrests of more than 10,800 offenders",
     "more than 12,600 arrests", "arrested 5,387 individuals", "10,800 offenders were arrested"),
     investigations, forensic examinations/exams/interviews (one measure; the word printed is kept in
     ``term_as_published``), people trained (split by the group printed: law enforcement,
     prosecutors, other professionals, or people in general) and funding ("$40.8 million").
  3. Each figure gets the *time anchor* that governs it: its own label in a list item ("Fiscal Year
     2023-$40.8 million" under a funding heading), else an anchor right after it ("10,800 arrests in
     FY 2023", also across a list "2,040 arrests and 9,600 exams in FY 2006"), else the nearest anchor
     before it in the sentence, else the first one after it, else the last anchor of one of the two
     preceding sentences ("These investigations led to ...") as long as the quoted span stays within
     400 characters. A carried anchor ("That same year", "In the same fiscal year") takes the last
     year of the sentence before, and the row's ``period_note`` says so.
  4. Only a single fiscal year yields a row: "FY 2023", "FY2023", "FY23", "fiscal year 2023", "fiscal
     year (FY) 2023", a bare year that opens a clause ("In 2015, ...") or follows the figure
     ("8,500 arrests in 2015"), and a relative year ("last year") in a document the registry dates
     ("... (April 2016)": FY 2015, with a period note). A bare year elsewhere ("set up in 1998") or
     with a present perfect ("in 1998 ... has made") yields no row.
  5. Honest periods (the shared rules of :mod:`pipeline.parsers.prose`): a cumulative or partial
     cue anywhere in the figure's clause, before or after the number ("..., since the program's
     inception in 1998", "In the first three quarters of FY 2009"), means the figure is not one
     fiscal year's count; a partial cue carries with a carried year.
  6. Never attributed to a fiscal year, and listed in ``skipped`` with a reason of
     :data:`pipeline.parsers.base.SKIP_REASONS`: cumulative (cues above; a founding date "created in
     1998" as the only time reference; a present perfect with no fiscal year), partial, relative (no
     document date; "this year" in a dated report is partial), range ("FY2010 and FY2011"),
     calendar_year, average ("each year", named operations), other_agency (the nearest sentence
     naming an agency must name ICAC; FBI, HSI, U.S. Attorneys ... do not count; NCMEC neither
     investigates nor arrests), no_year, malformed ("1,575,032 million reports", not a whole
     number, or a number that may be a piece of one wrapped over lines: "10,\n800 arrests" is
     neither 800 nor, by guess, 10,800) and duplicate (an identical restatement). Digits glued to
     a "(cid:NN)" glyph ("1(cid:20)800 arrests") are no number at all.
  7. ``evidence`` is the verbatim normalised span covering the anchor (and the carrying words) and
     the figure phrase (the figure phrase alone when that would exceed 400 characters); it is a slice
     of the page text. A skipped figure's evidence also holds the cue that set its period.

Failing loudly rather than short
  * nothing recognisable (no figure for a single fiscal year) -> ParseError naming page and expectation;
  * a qualifier outside the schema's list ("roughly", "in excess of", "some"), also after the number
    ("12,600+", "12,600 or more", "203,467 investigations (approx.)") -> ParseError naming it;
  * two different values (or qualifiers) for the same fiscal year and measure -> ParseError;
  * a trained group the parser cannot classify -> ParseError.
Missing is not malformed: figures but no arrests figure (or a year with investigations but no arrests)
publish what there is, and the absence is a warning of the ParseResult.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from pipeline.doctext import document_pages, normalize
from pipeline.parsers import prose
from pipeline.parsers.base import ParseError, ParseResult, Skipped
from pipeline.registry import Document
from schemas._common import EVIDENCE_MAX

__all__ = ["TABLE", "COLUMNS", "Extraction", "Row", "Skipped", "extract", "parse"]

TABLE = "icac_task_force_activity"
COLUMNS = [
    "fiscal_year",
    "measure",
    "value",
    "qualifier",
    "period_note",
    "term_as_published",
    "evidence",
    "document_id",
    "page",
    "capture_timestamp",
]
MAX_EVIDENCE = EVIDENCE_MAX
CARRY_SENTENCES = 2
# A "Funding History" list item counts as funding when a sentence this close before it names funding.
LIST_CONTEXT_SENTENCES = 6

# A printed number: 10,800 / 203467 / 12.6 thousand / $40.8 million / $39.9M. Not part of a longer
# number, a decimal, a percentage or an "N-plus" form, and not glued to a "(cid:NN)" glyph (the
# shared number boundaries of pipeline.parsers.prose). A number that may be a piece of one wrapped
# over lines ("10,\n800") is matched, then skipped as malformed (prose.broken_number).
_NUMBER = rf"(?P<num>{prose.GROUPED}(?:\.\d+)?|\d+(?:\.\d+)?){prose.NUM_END}"
_NUM = (
    rf"{prose.NUM_START}(?P<dollar>\$\s?)?{_NUMBER}"
    r"(?:\s?(?P<mult>million|billion|thousand)\b|(?-i:(?P<abbr>[MBK]))\b)?"
    r"(?![\d,]*\d)(?!\s?(?:%|percent\b|per\s?cent\b))"
)
_QNUM = prose.qualifier_group("qual") + _NUM
_QUALS = prose.QUALIFIER_ALTS
_UNITS = (
    r"(?:offenders|individuals|suspects|people|persons|perpetrators|predators|subjects|adults|"
    r"defendants|child\s+predators|alleged\s+offenders|suspected\s+offenders)"
)
# Modifier words allowed between a number and the measure noun (a whitelist: "61 task forces
# conducted investigations" must not read as 61 investigations).
_IMODS = (
    r"(?:(?:online|child|children's|sexual|sex|exploitation|abuse|technology-facilitated|ICAC|"
    r"internet|criminal|proactive|reactive|undercover|new|total|separate|additional|related|"
    r"crimes?|cyber|documented|reported|complaint-driven|exploitation-related)\s+){0,4}"
)
_AMODS = r"(?:(?:total|separate|additional|new|ICAC|task\s+force|documented|reported)\s+){0,2}"
_UMODS = r"(?:(?:suspected|alleged|individual|child|sex|sexual|online)\s+){0,2}"
_FMODS = r"(?:(?:separate|additional|total|new)\s+){0,2}"
_FORENSIC = (
    r"(?:(?:computer|digital|mobile|device|technical)\s+)?forensic\s+"
    r"(?:examinations|exams|interviews|analyses|reviews|investigations)"
)
_LINK = r"\s*(?::|\btotal(?:l)?ed\b|\bnumbered\b)\s*"

_FIGURE_PATTERNS: list[tuple[str, re.Pattern]] = [
    (m, re.compile(p, re.I))
    for m, p in [
        ("forensic_examinations", rf"{_QNUM}\s+{_FMODS}(?P<term>{_FORENSIC})\b"),
        ("forensic_examinations", rf"\b(?P<term>{_FORENSIC}){_LINK}{_QNUM}"),
        ("arrests", rf"\b(?P<term>arrests?)\s+of\s+{_QNUM}(?:\s+{_UMODS}{_UNITS})?\b"),
        ("arrests", rf"\b(?P<term>arrested)\s+{_QNUM}(?:\s+{_UMODS}{_UNITS})?\b"),
        (
            "arrests",
            rf"{_QNUM}\s+{_UMODS}{_UNITS}\s+(?:were\s+|had\s+been\s+|have\s+been\s+)?"
            rf"(?P<term>arrested)\b",
        ),
        ("arrests", rf"{_QNUM}\s+{_AMODS}(?P<term>arrests)\b"),
        ("arrests", rf"\b(?P<term>arrests){_LINK}{_QNUM}"),
        ("investigations", rf"{_QNUM}\s+{_IMODS}(?P<term>investigations)\b"),
        ("investigations", rf"\b(?P<term>investigations){_LINK}{_QNUM}"),
        (
            "funding_usd",
            rf"{_QNUM}\s+(?:in\s+|of\s+)?(?:[\w-]+\s+){{0,3}}?"
            rf"(?P<term>funding|grants?|awards?|appropriations?)\b",
        ),
        (
            "funding_usd",
            rf"\b(?P<term>funding|funded|appropriations?|appropriated|awarded|allocated|"
            rf"received|budget(?:ed)?)\b"
            rf"[^$;]{{0,80}}?{prose.qualifier_group('qual')}"
            rf"{prose.NUM_START}(?P<dollar>\$\s?){_NUMBER}"
            rf"(?:\s?(?P<mult>million|billion|thousand)\b|(?-i:(?P<abbr>[MBK]))\b)?",
        ),
    ]
]
# A list item "Fiscal Year 2023-$40.8 million" / "FY 2022: $31.2 million" (an em dash is "-" once
# normalised): funding for the year on its label, when a sentence near it names funding.
_LIST_FUNDING_RE = re.compile(
    r"\b(?P<label>(?:(?-i:FY)|fiscal\s+year)\s?'?(?:\d{4}|\d{2}))\s*(?:-|:)\s*"
    + prose.qualifier_group("qual")
    + r"(?P<dollar>\$\s?)?"
    + _NUMBER
    + r"(?:\s?(?P<mult>million|billion|thousand)\b|(?-i:(?P<abbr>[MBK]))\b)?(?![\d,]*\d)",
    re.I,
)
_FUNDING_WORD_RE = re.compile(
    r"\b(?:funding|funded|appropriations?|appropriated|budget(?:ed)?|awards?|awarded|grants?)\b",
    re.I,
)
# A number written out in full with a scale word after it ("1,575,032 million reports"): a typo.
_MALFORMED_RE = re.compile(
    prose.NUM_START
    + r"\$?\s?(?P<num>\d{1,3}(?:,\d{3})+)"
    + prose.NUM_END
    + r"\s?(?P<mult>million|billion|thousand)\b"
    r"(?:\s+(?P<noun>[A-Za-z][\w-]*))?",
    re.I,
)
_TRAINED_RE = re.compile(r"\b(?P<term>trained|provided\s+training\s+to|training\s+to)\s+", re.I)
_TRAIN_ITEM_RE = re.compile(
    rf"{_QNUM}\s+(?P<who>.+?)(?=(?:,\s*(?:and\s+)?|\s+and\s+)(?:(?:{_QUALS})\s+)?\$?\d|[;.]\s|[;.]?$)",
    re.I,
)
_TRAIN_SEP_RE = re.compile(r"(?:,\s*(?:and\s+)?|\s+and\s+)", re.I)
_WHO_HEAD_RE = re.compile(
    r"^(.*?)(?=\s+(?:in|on|from|working|across|during|for|who|through|at|to|nationwide|"
    r"worldwide)\b|$)",
    re.I,
)

# Time anchors, in priority order (an earlier kind wins where two overlap). The cumulative and relative
# kinds and the carried anchor are the shared rules of pipeline.parsers.prose.
_Y = r"(?:19|20)\d{2}"
_ANCHOR_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("cumulative", prose.CUMULATIVE_RE),
    (
        # "which began in 1998": not the year of any figure, and no scope for the ones after it
        "founding",
        re.compile(
            rf"\b(?:created|established|founded|launched|formed|began|begun|started|inception)"
            rf"(?:\s+[\w.']+){{0,4}}?\s+in\s+{_Y}\b",
            re.I,
        ),
    ),
    (
        "range",
        re.compile(
            r"\b(?:(?-i:FY)|fiscal\s+years?)\s*(?:\((?-i:FY)\)\s*)?'?(?:\d{4}|\d{2})\s*"
            r"(?:-|to|through|and|&)\s*(?:(?-i:FY)\s*)?'?(?:\d{4}|\d{2})\b"
            rf"|\b(?:between|from)\s+{_Y}\s+(?:and|to|through)\s+{_Y}\b"
            rf"|\b{_Y}\s*-\s*(?:{_Y}|\d{{2}})\b",
            re.I,
        ),
    ),
    (
        "calendar",
        re.compile(rf"\bcalendar\s+year\s*(?:\(CY\)\s*)?{_Y}\b|\b(?-i:CY)\s?'?{_Y}\b", re.I),
    ),
    (
        "fiscal",
        re.compile(
            r"(?:\b(?:in|during|for|throughout)\s+(?:the\s+)?)?"
            r"\b(?:(?-i:FY)\s?'?(?P<a>\d{4}|\d{2})|fiscal\s+year\s*(?:\((?-i:FY)\)\s*)?(?P<b>\d{4})"
            r"|fiscal\s+(?P<c>\d{4}))\b" + prose.GLYPH_NEXT,
            re.I,
        ),
    ),
    ("relative", prose.RELATIVE_RE),
    ("carry", prose.CARRY_RE),
    (
        "generic",
        re.compile(
            r"\b(?:each|every|per)\s+year\b|\bannually\b|\bon\s+average\b|\baverage\b"
            r"|\byearly\b|(?-i:\bOperation\s+[A-Z])",
            re.I,
        ),
    ),
    (
        "year",
        re.compile(
            rf"\b(?:in|during|for|throughout)\s+(?:the\s+year\s+)?(?P<y>{_Y})\b{prose.GLYPH_NEXT}",
            re.I,
        ),
    ),
]
# Anchor kinds that are not one fiscal year: (skip reason, detail).
_SKIP_REASON = {
    "cumulative": ("cumulative", "cumulative total"),
    "founding": ("cumulative", "founding date with no other time reference"),
    "range": ("range", "figure for a span of years"),
    "calendar": ("calendar_year", "calendar-year figure"),
    "generic": ("average", "average, per-year or single-operation figure"),
    "weak_year": ("no_year", "a year not stated as the period counted ('set up in 1998')"),
}
_PERFECT_RE = re.compile(
    r"\b(?:has|have)\s+(?:also\s+|now\s+|collectively\s+|\w+ly\s+)?(?:been\s+)?"
    r"[a-z]+(?:ed|de|en|ld|wn|ght)\b",
    re.I,
)
_TIGHT_GAP_RE = re.compile(r"\s*(?:(?:in|during|for|throughout)\s+(?:the\s+)?)?", re.I)
_LIST_GAP_RE = re.compile(r"\s*(?:,|,?\s*and|,?\s*as\s+well\s+as)\s*", re.I)
_ICAC_RE = re.compile(r"(?-i:\bICACs?\b)|\bInternet\s+Crimes\s+Against\s+Children\b", re.I)
_OTHER_AGENCY_RE = re.compile(
    r"(?-i:\b(?:FBI|ICE|HSI|USPIS|USSS|USMS|CEOS|INTERPOL|Interpol|Europol)\b)"
    r"|\bFederal\s+Bureau\s+of\s+Investigation\b|\bInnocent\s+Images\b"
    r"|\bImmigration\s+and\s+Customs\s+Enforcement\b|\bHomeland\s+Security\s+Investigations\b"
    r"|\bPostal\s+Inspect\w+\b|\bSecret\s+Service\b|\bMarshals\b"
    r"|\bU\.S\.\s+Attorneys?\b|\bUnited\s+States\s+Attorneys?\b",
    re.I,
)
_ABBREVIATIONS = {
    "u.s", "mr", "mrs", "ms", "dr", "no", "nos", "st", "jr", "sr", "inc", "co", "corp", "vs",
    "e.g", "i.e", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "fig", "approx", "pub", "l", "u.s.c", "stat", "rep", "sen", "gen", "gov", "dept",
    "ph.d", "p", "pp", "vol", "ch", "sec", "cf", "al",
}  # fmt: skip
_YEARFUL = ("fiscal", "year", "relative")  # anchor kinds that can give one fiscal year


@dataclass(frozen=True)
class _Anchor:
    start: int
    end: int
    kind: str  # fiscal | year | relative | carry | cumulative | range | calendar | generic | ...
    year: int | None


@dataclass
class _Figure:
    measure: str
    start: int
    end: int
    num_start: int
    num_end: int
    value: int | None  # None: not a whole number (a rate, an average); never emitted
    qualifier: str | None  # as printed, lower-cased
    term: str
    printed: str  # the number as printed ("$40.8 million", "12,600")
    # why the number is not a figure at all: "1,575,032 million" (an impossible magnitude), "10, 800"
    # (a piece of a number wrapped over lines); "" when it is one
    malformed: str = ""
    own_anchor: _Anchor | None = None  # a list item's year label


@dataclass
class _Sentence:
    page: int  # 1-based
    text: str  # cleaned (line-break hyphens joined)
    pos: list[int]  # pos[i] = index in the normalised page text of text[i]
    anchors: list[_Anchor] = field(default_factory=list)
    figures: list[_Figure] = field(default_factory=list)

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.pos[start], self.pos[end - 1] + 1


@dataclass(frozen=True)
class Row:
    fiscal_year: int
    measure: str
    value: int
    qualifier: str | None
    term_as_published: str
    evidence: str
    page: int
    period_note: str | None = None


@dataclass
class Extraction:
    rows: list[Row]
    skipped: list[Skipped]


# --------------------------------------------------------------------------------------- text


def _blocks(raw: str, fmt: str) -> tuple[str, list[tuple[int, str]]]:
    """The normalised page and its blocks (HTML block elements; a PDF page is one block)."""
    page = normalize(raw)
    if fmt == "html":
        lines = [ln for ln in (normalize(x) for x in raw.split("\n")) if ln]
        if " ".join(lines) == page:
            out, at = [], 0
            for ln in lines:
                out.append((at, ln))
                at += len(ln) + 1
            return page, out
    return page, ([(0, page)] if page else [])


def _dehyphenate(text: str, offset: int) -> tuple[str, list[int]]:
    """Join words broken at a line end ("inves- tigations"), keeping each char's page position."""
    chars, pos, i = [], [], 0
    for m in re.finditer(r"(?<=[a-z])- (?=[a-z])", text):
        chars.append(text[i : m.start()])
        pos.extend(range(offset + i, offset + m.start()))
        i = m.end()
    chars.append(text[i:])
    pos.extend(range(offset + i, offset + len(text)))
    return "".join(chars), pos


def _sentence_bounds(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in re.finditer(r"[.!?][\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9$])", text):
        word = re.search(r"([\w.]+)[.!?][\"')\]]*\s+$", text[start : m.end()])
        if m.group(0)[0] == "." and word:
            w = word.group(1).lower()
            if w in _ABBREVIATIONS or re.fullmatch(r"[a-z]", w):
                continue
        bounds.append((start, m.start() + len(m.group(0).rstrip())))
        start = m.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


def _sentences(pages: list[str], fmt: str) -> tuple[list[str], list[_Sentence]]:
    normalised, out = [], []
    for pno, raw in enumerate(pages, start=1):
        page, blocks = _blocks(raw, fmt)
        normalised.append(page)
        for offset, block in blocks:
            text, pos = _dehyphenate(block, offset)
            for s, e in _sentence_bounds(text):
                out.append(_Sentence(pno, text[s:e], pos[s:e]))
    return normalised, out


# ------------------------------------------------------------------------------------ matching
# ------------------------------------------------------------------------------------ matching


def _anchors(text: str) -> list[_Anchor]:
    found: list[_Anchor] = []
    for kind, rx in _ANCHOR_PATTERNS:
        for m in rx.finditer(text):
            if any(m.start() < a.end and a.start < m.end() for a in found):
                continue
            year = None
            if kind == "fiscal":
                y = m.group("a") or m.group("b") or m.group("c")
                year = int(y) if len(y) == 4 else (2000 + int(y) if int(y) < 90 else 1900 + int(y))
            elif kind == "year":
                year = int(m.group("y"))
                # "In 2015, ..." opens a clause; "set up in 1998" does not say what is counted
                if not re.search(r"(?:^|[,;:(]|\band)\s*$", text[: m.start()]):
                    kind = "weak_year"
            found.append(_Anchor(m.start(), m.end(), kind, year))
    return sorted(found, key=lambda a: a.start)


def _value(m: re.Match) -> int | None:
    try:
        x = Decimal(m.group("num").replace(",", ""))
    except InvalidOperation:
        return None
    mult = (m.group("mult") or m.group("abbr") or "").lower()
    x *= {"": 1, "thousand": 10**3, "k": 10**3, "million": 10**6, "m": 10**6}.get(mult, 10**9)
    return int(x) if x == x.to_integral_value() else None


def _figures(text: str, anchors: list[_Anchor], funding_context: str) -> list[_Figure]:
    """Figures of one sentence; ``funding_context`` is the funding word of a nearby heading or
    sentence ("Funding History"), or "" when there is none (then list items are not read)."""
    found: list[_Figure] = []

    def add(
        measure: str, m: re.Match, term: str, start: int, end: int, own: _Anchor | None = None
    ) -> None:
        ns, ne = m.span("num")
        if any(ns < f.num_end and f.num_start < ne for f in found):
            return  # the number is already read by a more specific pattern
        if any(ns < a.end and a.start < ne for a in anchors):
            return  # "2023" in "FY 2023 investigations" is a year, not a count
        if own is None and (measure == "funding_usd") != bool(m.group("dollar")):
            return
        qual = m.group("qual").lower() if m.group("qual") else None
        number_end = max(ne, m.end("mult"), m.end("abbr"))  # end() is -1 for an unmatched group
        post = prose.postfix_qualifier(text, number_end, end)
        if post:  # "12,600+ arrests", "203,467 investigations (approx.)": printed after the number
            qual = " ".join(x for x in (qual, post) if x)
        printed = text[m.start("dollar") if m.group("dollar") else ns : number_end]
        bad = (
            f"{printed!r}: a number written out in full with a scale word after it"
            if prose.impossible_magnitude(m.group("num"), m.group("mult"))
            else ""
        )
        found.append(_Figure(measure, start, end, ns, ne, _value(m), qual, term, printed, bad, own))

    if funding_context:
        for m in _LIST_FUNDING_RE.finditer(text):
            if not (m.group("dollar") or (m.group("mult") or "").lower() in ("million", "billion")):
                continue
            own = next((a for a in anchors if a.start <= m.start("label") < a.end), None)
            if own is not None and own.kind == "fiscal":
                add("funding_usd", m, funding_context, m.start(), m.end(), own)

    for measure, rx in _FIGURE_PATTERNS:
        for m in rx.finditer(text):
            add(measure, m, re.sub(r"\s+", " ", m.group("term")), m.start(), m.end())

    for t in _TRAINED_RE.finditer(text):
        at = t.end()
        while True:
            m = _TRAIN_ITEM_RE.match(text, at)
            if not m:
                break
            who = m.group("who").strip()
            head = _WHO_HEAD_RE.match(who).group(1).strip() or who
            group = _trained_group(who)
            start = t.start() if at == t.end() else m.start()
            add(group or "people_trained?", m, head, start, m.start("who") + len(head))
            sep = _TRAIN_SEP_RE.match(text, m.end())
            if not sep:
                break
            at = sep.end()

    # a typo'd magnitude next to a word no measure pattern knows ("1,575,032 million reports")
    for m in _MALFORMED_RE.finditer(text):
        ns, ne = m.span("num")
        if any(ns < f.num_end and f.num_start < ne for f in found):
            continue
        noun = m.group("noun") or "(no noun)"
        printed = text[m.start() : m.end("mult")]
        bad = f"{printed!r}: a number written out in full with a scale word after it"
        found.append(_Figure(noun, m.start(), m.end(), ns, ne, None, None, noun, printed, bad))
    return sorted(found, key=lambda f: f.start)


def _trained_group(who: str) -> str | None:
    w = who.lower()
    groups = set()
    if re.search(r"\bother\b", w):
        groups.add("people_trained_other")
        w = re.sub(r"\bother\b.*", "", w)
    if re.search(r"law\s+enforcement|officers?\b|investigators?\b|police|agents?\b", w):
        groups.add("people_trained_law_enforcement")
    if re.search(r"prosecutors?\b|attorneys?\b", w):
        groups.add("people_trained_prosecutors")
    if len(groups) == 1:
        return groups.pop()
    if groups or re.search(r"people|individuals|professionals|persons|participants|attendees", w):
        return "people_trained"
    return None


# ----------------------------------------------------------------------------------- resolving


@dataclass(frozen=True)
class _Governed:
    """A figure's time anchor: the sentence ``j`` it is in, and the "That same year" words of the
    figure's own sentence when they carried it there."""

    j: int
    anchor: _Anchor
    carry: _Anchor | None = None


def _carried(
    sentences: list[_Sentence], i: int, f: _Figure, cue: _Anchor | None
) -> _Governed | tuple[str, str]:
    """The anchor a figure without one of its own borrows from the (up to CARRY_SENTENCES) sentences
    before it on its page. With a carry cue ("That same year") it is the last year-giving anchor of
    the nearest sentence that has one; without, the last anchor of the nearest sentence with any,
    kept only while the quote from it stays within MAX_EVIDENCE and no present perfect intervenes."""
    s = sentences[i]
    for j in range(i - 1, max(i - 1 - CARRY_SENTENCES, -1), -1):
        p = sentences[j]
        if p.page != s.page:
            break
        anchors = [a for a in p.anchors if a.kind in _YEARFUL] if cue else p.anchors
        if anchors:
            a = anchors[-1]
            if cue is None:
                if s.span(f.start, f.end)[1] - p.span(a.start, a.end)[0] > MAX_EVIDENCE:
                    break
                if a.kind == "carry":  # the sentence before carries its own year: follow it
                    return _carried(sentences, j, f, a)
                if a.kind not in _YEARFUL:
                    said = p.text[a.start : a.end]
                    return (
                        "no_year",
                        f"no fiscal year in its sentence; the one before has {said!r}",
                    )
            return _Governed(j, a, cue)
        if cue is None and _PERFECT_RE.search(p.text):
            break
    if cue is not None:
        return (
            "no_year",
            f"{s.text[cue.start : cue.end]!r} with no fiscal year in the sentence before",
        )
    return ("no_year", "no fiscal year stated near the figure")


def _governing_anchor(
    sentences: list[_Sentence], i: int, f: _Figure
) -> _Governed | tuple[str, str]:
    """The anchor that governs figure ``f`` of sentence ``i``, or (skip reason, detail)."""
    s = sentences[i]
    if f.own_anchor is not None:
        return _Governed(i, f.own_anchor)
    # A founding date governs a figure only when the sentence has no other time reference.
    anchors = [a for a in s.anchors if a.kind != "founding"] or s.anchors
    # the end of the list the figure belongs to ("2,040 arrests and 9,600 exams in FY 2006")
    end = f.end
    for g in s.figures:
        if g.start >= end and _LIST_GAP_RE.fullmatch(s.text[end : g.start]):
            end = g.end
    after = [a for a in anchors if a.start >= end]
    chosen = None
    if after and _TIGHT_GAP_RE.fullmatch(s.text[end : after[0].start]):
        a = after[0]  # "8,500 individuals in 2015": a year right after the figure is its year
        chosen = _Anchor(a.start, a.end, "year", a.year) if a.kind == "weak_year" else a
    else:
        before = [a for a in anchors if a.end <= f.start]
        chosen = before[-1] if before else after[0] if after else anchors[0] if anchors else None
    if chosen is not None:
        # "The program, set up by Congress in 1998, has made ...": a bare year with a present
        # perfect is a starting point, not the year counted.
        if chosen.kind == "year" and _PERFECT_RE.search(s.text):
            return ("cumulative", "present perfect with a bare year ('set up in 1998, has made')")
        if chosen.kind == "carry":
            return _carried(sentences, i, f, chosen)
        return _Governed(i, chosen)
    if _PERFECT_RE.search(s.text):
        return ("cumulative", "present perfect and no fiscal year ('have made more than ...')")
    return _carried(sentences, i, f, None)


def _is_icac(sentences: list[_Sentence], i: int) -> bool:
    """The nearest sentence naming an agency (this one, else the closest before) names ICAC."""
    for j in range(i, -1, -1):
        text = sentences[j].text
        if _ICAC_RE.search(text):
            return True
        if _OTHER_AGENCY_RE.search(text):
            return False
    return False


def _funding_context(sentences: list[_Sentence], i: int) -> str:
    """The funding word ("Funding") of this sentence or a close one before it on the same page."""
    for j in range(i, max(i - 1 - LIST_CONTEXT_SENTENCES, -1), -1):
        if sentences[j].page != sentences[i].page:
            break
        m = _FUNDING_WORD_RE.search(sentences[j].text)
        if m:
            return m.group(0)
    return ""


def _cues(
    s: _Sentence, pos: int, kinds: tuple[str, ...] = ("cumulative", "partial")
) -> list[prose.Cue]:
    """Period cues of the clause of ``s`` holding ``pos``, positioned in the sentence."""
    cs, ce = prose.clause_of(s.text, pos)
    return [
        prose.Cue(c.kind, c.start + cs, c.end + cs, c.text)
        for c in prose.period_cues(s.text[cs:ce], kinds)
    ]


def _cue_detail(s: _Sentence, cue: prose.Cue) -> str:
    """The cue in the document's words, with the year it qualifies: "first three quarters of FY 2009"."""
    end = cue.end
    nxt = [a for a in s.anchors if a.start >= cue.end and a.kind in _YEARFUL]
    if nxt and nxt[0].start - cue.end <= 3:
        end = nxt[0].end
    return re.sub(r"^(?:(?:in|during)\s+)?the\s+", "", s.text[cue.start : end], flags=re.I)


def _quote(page_text: str, spans: list[tuple[int, int]]) -> str:
    """Verbatim page text covering ``spans`` (figure, anchor, cues), or their pieces joined by " ... "
    when one span would be longer than MAX_EVIDENCE."""
    a, b = prose.cover(spans)
    if b - a <= MAX_EVIDENCE:
        return page_text[a:b]
    pieces = sorted(set(spans))
    return " ... ".join(page_text[x:y] for x, y in pieces)


def extract(
    pages: list[str], document_id: str, fmt: str, dated: tuple[int, int] | None = None
) -> Extraction:
    """Figures from raw page texts (as :func:`pipeline.doctext.document_pages` returns them).

    ``dated`` is the document's own (year, month) (:func:`pipeline.parsers.prose.document_date`):
    with it, "last year" is resolved to a fiscal year; without, such figures are skipped."""
    normalised, sentences = _sentences(pages, fmt)
    for k, s in enumerate(sentences):
        s.anchors = _anchors(s.text)
        s.figures = _figures(s.text, s.anchors, _funding_context(sentences, k))
        page = normalised[s.page - 1]
        for f in s.figures:
            # on the page text, not the sentence: "$36.\n2 million" is cut into two sentences
            if not f.malformed and prose.broken_number(page, *s.span(f.num_start, f.num_end)):
                f.malformed = (
                    f"{f.printed!r} has digits right before or after it across a space or line "
                    "break: it may be a piece of a number wrapped over lines"
                )

    rows: list[Row] = []
    skipped: list[Skipped] = []
    for i, s in enumerate(sentences):
        for f in s.figures:
            row = _resolve(sentences, i, f, normalised[s.page - 1], document_id, dated, skipped)
            if row is not None:
                rows.append(row)
    rows = prose.dedupe(
        rows,
        key=lambda r: (r.fiscal_year, r.measure),
        document_id=document_id,
        what=lambda r: f"{r.measure} figure for FY {r.fiscal_year}",
        skipped=skipped,
        measure=lambda r: r.measure,
        shown=lambda r: f"{r.value:,}",
    )
    return Extraction(rows, skipped)


def _resolve(
    sentences: list[_Sentence],
    i: int,
    f: _Figure,
    page_text: str,
    document_id: str,
    dated: tuple[int, int] | None,
    skipped: list[Skipped],
) -> Row | None:
    """One figure as a row, or None after listing it in ``skipped`` with its reason."""
    s = sentences[i]
    fig = s.span(f.start, f.end)

    # the year words of the figure's clause, quoted with a skipped figure so a reviewer sees them
    cs, _ = prose.clause_of(s.text, f.num_start)
    year_words = [
        s.span(a.start, a.end)
        for a in s.anchors
        if a.kind in _YEARFUL and cs <= a.start and a.end <= f.start
    ][-1:]

    def skip(reason: str, detail: str, spans: list[tuple[int, int]] = ()) -> None:
        quote = _quote(page_text, [fig, *year_words, *spans])
        skipped.append(Skipped(s.page, f.measure, f.printed, reason, quote, detail))

    if not _is_icac(sentences, i):
        skip("other_agency", "the nearest sentence naming an agency does not name ICAC")
        return None
    if f.malformed:
        skip("malformed", f.malformed)
        return None
    got = _governing_anchor(sentences, i, f)
    src = sentences[got.j] if isinstance(got, _Governed) else s
    anchor_spans = (
        [src.span(got.anchor.start, got.anchor.end)] if isinstance(got, _Governed) else []
    )
    cues = _cues(s, f.num_start)
    if cues:
        cue = next((c for c in cues if c.kind == "cumulative"), cues[0])
        skip(cue.kind, _cue_detail(s, cue), [s.span(c.start, c.end) for c in cues] + anchor_spans)
        return None
    if isinstance(got, tuple):
        skip(*got)
        return None
    a = got.anchor
    carry_spans = [s.span(got.carry.start, got.carry.end)] if got.carry is not None else []
    if got.j != i:  # a carried year: a partial period stated with it carries too
        part = _cues(src, a.start, ("partial",))
        if part:
            spans = anchor_spans + carry_spans + [src.span(c.start, c.end) for c in part]
            skip("partial", _cue_detail(src, part[0]), spans)
            return None
    note = None
    if a.kind == "relative":
        year, reason, detail = prose.resolve_relative(src.text[a.start : a.end], dated)
        if year is None:
            skip(reason, detail, anchor_spans + carry_spans)
            return None
        note = detail
    elif a.kind in ("fiscal", "year"):
        year = a.year
    else:
        reason, detail = _SKIP_REASON[a.kind]
        skip(reason, f"{detail} ({src.text[a.start : a.end]!r})", anchor_spans + carry_spans)
        return None
    if got.carry is not None:
        said = s.text[got.carry.start : got.carry.end]
        carried = f"{said!r} carries FY {year} from the sentence before"
        note = f"{note}; {carried}" if note else carried
    if f.value is None:
        skip("malformed", "not a whole number")
        return None
    start, end = prose.cover([*anchor_spans, *carry_spans, fig])
    evidence = page_text[start:end]
    if len(evidence) > MAX_EVIDENCE:
        start, end = prose.cover([*carry_spans, fig])
        evidence = page_text[start:end]
    if f.measure == "people_trained?":
        raise ParseError(
            document_id,
            s.page,
            "a trained group: law enforcement, prosecutors, other professionals or people",
            evidence,
        )
    qualifier = prose.check_qualifier(f.qualifier, document_id, s.page, evidence)
    return Row(year, f.measure, f.value, qualifier, f.term, evidence, s.page, note)


# ------------------------------------------------------------------------------------- checks


def _check(ex: Extraction, pages: list[str], document_id: str) -> list[str]:
    """ParseError when the document gives no single-year ICAC figure at all; otherwise the warnings
    a reviewer should see: an expected measure that is absent is not a reason to drop the rest."""
    rows = ex.rows
    if not rows:
        if ex.skipped:
            # the most telling one: an ICAC arrests figure before others, another agency's last
            s = min(
                ex.skipped,
                key=lambda k: (k.reason == "other_agency", k.measure != "arrests"),
            )
            raise ParseError(
                document_id,
                s.page,
                "an ICAC figure stated for a single fiscal year (e.g. 'In FY 2023, ICAC task forces "
                "... arrests of more than 10,800 offenders'); every figure found was skipped "
                f"({s.reason}: {s.detail})",
                s.evidence,
            )
        first = next((i for i, p in enumerate(pages, 1) if normalize(p)), 1)
        raise ParseError(
            document_id,
            first if len(pages) > 1 else 1,
            "ICAC Task Force Program figures for a fiscal year (e.g. 'In FY 2023, ICAC task forces "
            "conducted approximately 184,700 investigations, which led to the arrests of more than "
            "10,800 offenders'); found no such figure on any page",
            normalize(pages[first - 1]) if pages else "",
        )
    by_year: dict[int, list[str]] = {}
    for r in rows:
        by_year.setdefault(r.fiscal_year, []).append(r.measure)
    arrest_years = {y for y, ms in by_year.items() if "arrests" in ms}
    if not arrest_years:
        has = "; ".join(f"{', '.join(ms)} for FY {y}" for y, ms in sorted(by_year.items()))
        return [f"no arrests figure in this document (it has {has})"]
    return [
        f"no arrests figure for FY {y} (the document has {', '.join(ms)} for FY {y})"
        for y, ms in sorted(by_year.items())
        if y not in arrest_years
        and any(m in ("investigations", "forensic_examinations") for m in ms)
    ]


def parse(path: Path, doc: Document) -> ParseResult:
    pages = document_pages(Path(path), doc.format)
    ex = extract(pages, doc.id, doc.format, prose.document_date(doc))
    warnings = _check(ex, pages, doc.id)
    df = pd.DataFrame(
        [
            {
                "fiscal_year": r.fiscal_year,
                "measure": r.measure,
                "value": r.value,
                "qualifier": r.qualifier,
                "period_note": r.period_note,
                "term_as_published": r.term_as_published,
                "evidence": r.evidence,
                "document_id": doc.id,
                "page": r.page,
                "capture_timestamp": None,
            }
            for r in ex.rows
        ],
        columns=COLUMNS,
    )
    df = df.astype({"fiscal_year": "int64", "value": "int64", "page": "int64"})
    return ParseResult(tables={TABLE: df}, skipped=ex.skipped, warnings=warnings)
