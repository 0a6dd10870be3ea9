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
  3. Each figure gets the *time anchor* that governs it: an anchor right after it ("10,800 arrests in
     FY 2023", also across a list "2,040 arrests and 9,600 exams in FY 2006"), else the nearest anchor
     before it in the sentence, else the first one after it in the sentence, else the last anchor of
     one of the two preceding sentences ("These investigations led to ...") as long as the quoted span
     stays within 400 characters and the sentence itself has no cumulative cue.
  4. Only a single fiscal year yields a row: "FY 2023", "FY2023", "FY23", "fiscal year 2023", "fiscal
     year (FY) 2023", and a bare year that opens a clause ("In 2015, ...") or follows the figure
     ("8,500 arrests in 2015"), because ICAC counts by federal fiscal year and DOJ reports state it
     that way; the quoted evidence always shows the words used. A bare year elsewhere ("set up in
     1998") or with a present perfect ("in 1998 ... has made") yields no row.
  5. Never attributed to a fiscal year (figure skipped, reason kept in ``Extraction.skipped``):
     cumulative totals (anchor "since 1998", "since its inception", "to date", "overall", "in
     total", "over the past N years"; a founding date "created in 1998" when the sentence has no
     other time reference; or no anchor and a present perfect "have made more than 154,600
     arrests"), ranges ("FY2010 and FY2011", "2010-2015"), calendar years, per-year averages ("each
     year", "annually"), named operations ("Operation Broken Heart"), and figures whose subject is
     another agency (the nearest sentence naming an agency must name ICAC / Internet Crimes
     Against Children; FBI, HSI, Postal Inspection, U.S. Attorneys ... do not count; NCMEC is not a
     competitor, since it neither investigates nor arrests).
  6. ``evidence`` is the verbatim normalised span from the anchor to the end of the figure phrase
     (figure phrase alone when that would exceed 400 characters); it is a slice of the page text.

Failing loudly rather than short
  * nothing recognisable (no figure for a single fiscal year) -> ParseError naming page and expectation;
  * figures but no arrests figure anywhere, or a fiscal year with investigations or forensic figures
    and no arrests -> ParseError "expected an arrests figure ...";
  * a qualifier outside the schema's list ("roughly", "in excess of", "some"), also after the number
    ("12,600+", "12,600 or more", "203,467 investigations (approx.)") -> ParseError, because dropping
    it or mapping it to another word would change what was published;
  * two different values (or qualifiers) for the same fiscal year and measure -> ParseError; an
    identical restatement is one row, quoted where it is first stated;
  * a trained group the parser cannot classify -> ParseError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from pipeline.doctext import document_pages, normalize
from pipeline.parsers.base import ParseError
from pipeline.registry import Document
from schemas._common import QUALIFIERS

__all__ = ["TABLE", "COLUMNS", "Extraction", "Row", "Skipped", "extract", "parse"]

TABLE = "icac_task_force_activity"
COLUMNS = [
    "fiscal_year",
    "measure",
    "value",
    "qualifier",
    "term_as_published",
    "evidence",
    "document_id",
    "page",
    "capture_timestamp",
]
MAX_EVIDENCE = 400
CARRY_SENTENCES = 2

# Qualifiers the schema accepts (schemas/_common.py) and others that must not be dropped or renamed.
ALLOWED_QUALIFIERS = QUALIFIERS
_OTHER_QUALIFIERS = (
    "in excess of",
    "upwards of",
    "an estimated",
    "well over",
    "just over",
    "just under",
    "close to",
    "fewer than",
    "roughly",
    "around",
    "approx.",
    "some",
    "under",
    "~",
)
_QUALS = "|".join(
    re.escape(q) for q in sorted(ALLOWED_QUALIFIERS + _OTHER_QUALIFIERS, key=len, reverse=True)
)

# A printed number: 10,800 / 203467 / 12.6 thousand / $40.8 million / $39.9M. Not part of a longer
# number, a decimal, a percentage or an "N-plus" form.
_NUM = (
    r"(?<![\w$.,])(?P<dollar>\$\s?)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<mult>million|billion|thousand)\b|(?-i:(?P<abbr>[MBK]))\b)?"
    r"(?![\d,]*\d)(?!\s?(?:%|percent\b|per\s?cent\b))"
)
_QNUM = rf"(?:(?<![\w])(?P<qual>{_QUALS})\s+)?{_NUM}"
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
            rf"[^$;]{{0,80}}?(?:(?<![\w])(?P<qual>{_QUALS})\s+)?"
            rf"(?<![\w$.,])(?P<dollar>\$\s?)(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
            rf"(?:\s?(?P<mult>million|billion|thousand)\b|(?-i:(?P<abbr>[MBK]))\b)?",
        ),
    ]
]
# Qualifiers printed after the number or the phrase; none is in the schema's list, so they fail loudly.
_POSTFIX_NUM_RE = re.compile(r"(?P<post>\+|-\s?plus\b|\s+plus\b|\s+or\s+more\b)", re.I)
_POSTFIX_RE = re.compile(
    r"\s*(?P<post>\((?:approx(?:\.|imately)?|est(?:\.|imated)?|estimated?)\)|or\s+more\b)", re.I
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

# Time anchors, in priority order (an earlier kind wins where two overlap).
_Y = r"(?:19|20)\d{2}"
_ANCHOR_PATTERNS: list[tuple[str, re.Pattern]] = [
    (
        "cumulative",
        re.compile(
            rf"\bsince\s+(?:(?:its|the|the\s+program's|ICAC's|the\s+ICAC\s+program's)\s+)?"
            rf"(?:inception|creation|establishment|founding|beginning|start|launch)\b"
            rf"(?:\s+in\s+{_Y})?"
            rf"|\bsince\s+(?:(?-i:FY)\s*)?{_Y}\b|\bsince\s+then\b"
            rf"|\bto\s+date\b|\bcumulative(?:ly)?\b|\boverall\b|\bin\s+total\b|\ball\s+told\b"
            rf"|\bover\s+the\s+(?:past|last)\s+(?:\w+\s+)?(?:years|decades?)\b"
            rf"|\bover\s+the\s+years\b|\bthroughout\s+its\s+history\b",
            re.I,
        ),
    ),
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
            r"|fiscal\s+(?P<c>\d{4}))\b",
            re.I,
        ),
    ),
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
        re.compile(rf"\b(?:in|during|for|throughout)\s+(?:the\s+year\s+)?(?P<y>{_Y})\b", re.I),
    ),
]
_SKIP_REASON = {
    "cumulative": "cumulative total (not one fiscal year)",
    "founding": "cumulative total (not one fiscal year)",
    "range": "figure for a span of years",
    "calendar": "calendar-year figure",
    "generic": "average, per-year or single-operation figure",
    "weak_year": "a year not stated as the period counted ('set up in 1998')",
}
_PERFECT_RE = re.compile(
    r"\b(?:has|have)\s+(?:also\s+|now\s+|collectively\s+|\w+ly\s+)?(?:been\s+)?"
    r"[a-z]+(?:ed|de|en|ld|wn|ght)\b",
    re.I,
)
_TIGHT_GAP_RE = re.compile(r"\s*(?:(?:in|during|for|throughout)\s+(?:the\s+)?)?", re.I)
_LIST_GAP_RE = re.compile(r"\s*(?:,|,?\s*and|,?\s*as\s+well\s+as)\s*", re.I)
_ICAC_RE = re.compile(r"(?-i:\bICAC\b)|\bInternet\s+Crimes\s+Against\s+Children\b", re.I)
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


@dataclass(frozen=True)
class _Anchor:
    start: int
    end: int
    kind: str  # fiscal | year | cumulative | range | calendar | generic
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


@dataclass(frozen=True)
class Skipped:
    page: int
    measure: str
    text: str
    reason: str


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


def _figures(text: str, anchors: list[_Anchor]) -> list[_Figure]:
    found: list[_Figure] = []

    def add(measure: str, m: re.Match, term: str, start: int, end: int) -> None:
        ns, ne = m.span("num")
        if any(ns < f.num_end and f.num_start < ne for f in found):
            return  # the number is already read by a more specific pattern
        if any(ns < a.end and a.start < ne for a in anchors):
            return  # "2023" in "FY 2023 investigations" is a year, not a count
        if (measure == "funding_usd") != bool(m.group("dollar")):
            return
        qual = m.group("qual").lower() if m.group("qual") else None
        number_end = max(ne, m.end("mult"), m.end("abbr"))  # end() is -1 for an unmatched group
        post = _POSTFIX_NUM_RE.match(text, number_end) or _POSTFIX_RE.match(text, end)
        if post:  # "12,600+ arrests", "203,467 investigations (approx.)": printed after the number
            qual = " ".join(x for x in (qual, " ".join(post.group("post").lower().split())) if x)
        found.append(_Figure(measure, start, end, ns, ne, _value(m), qual, term))

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


def _governing_anchor(sentences: list[_Sentence], i: int, f: _Figure) -> tuple[int, _Anchor] | str:
    """(sentence index, anchor) for figure ``f`` of sentence ``i``, or the reason there is none."""
    s = sentences[i]
    # A founding date governs a figure only when the sentence has no other time reference.
    anchors = [a for a in s.anchors if a.kind != "founding"] or s.anchors
    # the end of the list the figure belongs to ("2,040 arrests and 9,600 exams in FY 2006")
    end = f.end
    for g in s.figures:
        if g.start >= end and _LIST_GAP_RE.fullmatch(s.text[end : g.start]):
            end = g.end
    after = [a for a in anchors if a.start >= end]
    if after and _TIGHT_GAP_RE.fullmatch(s.text[end : after[0].start]):
        a = after[0]  # "8,500 individuals in 2015": a year right after the figure is its year
        return i, (_Anchor(a.start, a.end, "year", a.year) if a.kind == "weak_year" else a)
    before = [a for a in anchors if a.end <= f.start]
    chosen = before[-1] if before else after[0] if after else anchors[0] if anchors else None
    if chosen is not None:
        # "The program, set up by Congress in 1998, has made ...": a bare year with a present
        # perfect is a starting point, not the year counted.
        if chosen.kind == "year" and _PERFECT_RE.search(s.text):
            return "cumulative total (present perfect, bare year)"
        return i, chosen
    if _PERFECT_RE.search(s.text):
        return "cumulative total (present perfect, no fiscal year)"
    for j in range(i - 1, max(i - 1 - CARRY_SENTENCES, -1), -1):
        p = sentences[j]
        if p.page != s.page:
            break
        if p.anchors:
            a = p.anchors[-1]
            if s.span(f.start, f.end)[1] - p.span(a.start, a.end)[0] > MAX_EVIDENCE:
                break
            return j, a
        if _PERFECT_RE.search(p.text):
            break
    return "no fiscal year stated near the figure"


def _is_icac(sentences: list[_Sentence], i: int) -> bool:
    """The nearest sentence naming an agency (this one, else the closest before) names ICAC."""
    for j in range(i, -1, -1):
        text = sentences[j].text
        if _ICAC_RE.search(text):
            return True
        if _OTHER_AGENCY_RE.search(text):
            return False
    return False


def extract(pages: list[str], document_id: str, fmt: str) -> Extraction:
    """Figures from raw page texts (as :func:`pipeline.doctext.document_pages` returns them)."""
    normalised, sentences = _sentences(pages, fmt)
    for s in sentences:
        s.anchors = _anchors(s.text)
        s.figures = _figures(s.text, s.anchors)

    rows: list[Row] = []
    skipped: list[Skipped] = []
    for i, s in enumerate(sentences):
        for f in s.figures:
            fs, fe = s.span(f.start, f.end)
            quote = normalised[s.page - 1][fs:fe]
            if not _is_icac(sentences, i):
                skipped.append(Skipped(s.page, f.measure, quote, "subject is not ICAC"))
                continue
            got = _governing_anchor(sentences, i, f)
            if isinstance(got, str):
                skipped.append(Skipped(s.page, f.measure, quote, got))
                continue
            j, a = got
            if a.kind not in ("fiscal", "year"):
                skipped.append(Skipped(s.page, f.measure, quote, _SKIP_REASON[a.kind]))
                continue
            if f.value is None:
                skipped.append(Skipped(s.page, f.measure, quote, "not a whole number"))
                continue
            a_start, a_end = sentences[j].span(a.start, a.end)
            start, end = min(a_start, fs), max(a_end, fe)
            evidence = normalised[s.page - 1][start:end]
            if len(evidence) > MAX_EVIDENCE:
                evidence = quote
            if f.measure == "people_trained?":
                raise ParseError(
                    document_id,
                    s.page,
                    "a trained group: law enforcement, prosecutors, other professionals or people",
                    evidence,
                )
            if f.qualifier is not None and f.qualifier not in ALLOWED_QUALIFIERS:
                raise ParseError(
                    document_id,
                    s.page,
                    f"a qualifier the schema allows ({', '.join(ALLOWED_QUALIFIERS)}), "
                    f"not {f.qualifier!r}",
                    evidence,
                )
            rows.append(Row(a.year, f.measure, f.value, f.qualifier, f.term, evidence, s.page))
    return Extraction(_deduplicate(rows, document_id), skipped)


def _deduplicate(rows: list[Row], document_id: str) -> list[Row]:
    """One row per fiscal year and measure; a restatement must agree with the first statement."""
    first: dict[tuple[int, str], Row] = {}
    for r in rows:
        key = (r.fiscal_year, r.measure)
        if key not in first:
            first[key] = r
        elif (first[key].value, first[key].qualifier) != (r.value, r.qualifier):
            f = first[key]
            raise ParseError(
                document_id,
                r.page,
                f"one {r.measure} figure for FY {r.fiscal_year} (page {f.page} says {f.evidence!r})",
                r.evidence,
            )
    return list(first.values())


# ------------------------------------------------------------------------------------- checks


def _check(ex: Extraction, pages: list[str], document_id: str) -> None:
    rows = ex.rows
    if not rows:
        if ex.skipped:
            # the most telling one: an ICAC arrests figure before others, another agency's last
            s = min(
                ex.skipped,
                key=lambda k: (k.reason == "subject is not ICAC", k.measure != "arrests"),
            )
            raise ParseError(
                document_id,
                s.page,
                "an ICAC figure stated for a single fiscal year (e.g. 'In FY 2023, ICAC task forces "
                "... arrests of more than 10,800 offenders'); every figure found was skipped "
                f"({s.reason})",
                s.text,
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
    if not any(r.measure == "arrests" for r in rows):
        found = "; ".join(f"{r.measure} FY{r.fiscal_year} ({r.evidence})" for r in rows)
        raise ParseError(
            document_id,
            rows[0].page,
            "an arrests figure (e.g. 'the arrests of more than 10,800 offenders') beside the "
            f"{len(rows)} other ICAC figure(s) found",
            found,
        )
    arrest_years = {r.fiscal_year for r in rows if r.measure == "arrests"}
    for r in rows:
        if r.measure in ("investigations", "forensic_examinations") and (
            r.fiscal_year not in arrest_years
        ):
            raise ParseError(
                document_id,
                r.page,
                f"an arrests figure for FY {r.fiscal_year}, which has a {r.measure} figure",
                r.evidence,
            )


def parse(path: Path, doc: Document) -> dict[str, pd.DataFrame]:
    pages = document_pages(Path(path), doc.format)
    ex = extract(pages, doc.id, doc.format)
    _check(ex, pages, doc.id)
    df = pd.DataFrame(
        [
            {
                "fiscal_year": r.fiscal_year,
                "measure": r.measure,
                "value": r.value,
                "qualifier": r.qualifier,
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
    return {TABLE: df.astype({"fiscal_year": "int64", "value": "int64", "page": "int64"})}
