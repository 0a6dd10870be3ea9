"""The one rule set for reading figures out of prose (ICAC, USSC and BJS parsers): sentences, qualifiers,
period cues, relative years, dedupe and evidence spans.

Why one module: a figure printed in a sentence becomes "fiscal year N's count" only when its whole
sentence supports that, and a qualifier printed with it is data. Three parsers with three copies of
those rules drifted apart (one refused "roughly", two silently dropped it), so every prose parser
imports them from here and a change of rule is one edit.

The rules
  * Qualifiers. :data:`QUALIFIERS` (schemas/_common.py) are kept in the ``qualifier`` column.
    :data:`UNMAPPED_QUALIFIERS` are qualifiers too, but the schema has no word for them; meeting one
    before a number ("roughly 1,435", "in excess of", "some", "up to", "not more than" -- never read
    as "more than") or after it ("12,600+", "12,600 or more", "203,467 investigations (approx.)")
    is a ParseError naming the word
    (:func:`check_qualifier`), because dropping it or mapping it to another word would change what
    is published. Adding a word to QUALIFIERS is a deliberate schema decision.
  * Period cues (:func:`period_cues`), anywhere in the figure's clause (its sentence up to ";"),
    before or after the number:
      - cumulative: "since 1998", "since its inception", "inception", "to date", "in total",
        "cumulative(ly)", "all told", "during the same period", "over the past N years", "over the
        years", "throughout its history", "since then";
      - partial: "first three quarters / six months / half of", "through <month>", "as of", "year to
        date", "so far", "thus far", "midyear";
      - relative: "last year", "this year", "past year", "previous/prior/current year" (also with
        "fiscal").
    A cumulative or partial cue makes the figure not one fiscal year's count: it is skipped with that
    reason, and the evidence quoted for it includes the cue. A relative year is resolved only from
    the document's own date (:func:`document_date`, the "(April 2016)" in the registry title):
    "last year" in a report dated April 2016 is FY 2015, with a period note saying so; "this year"
    was still running when the report was written (partial); with no date, relative.
  * Carried anchors (:data:`CARRY_RE`): "That same year", "In the same fiscal year" take the fiscal
    year of the sentence before.
  * Trend endpoints ("rose from 2,972 in 2004 to 4,579 in 2013") are each one year's count; only
    partial and relative cues apply to them (a trend sentence often says "over the past ten years").
  * Impossible magnitudes (:func:`impossible_magnitude`): a number printed with thousands separators
    and a scale word ("1,575,032 million reports") is a typo; skipped as malformed, never fatal.
  * Damaged numbers: every number pattern starts and ends at :data:`NUM_START` / :data:`NUM_END`,
    so digits glued to a "(cid:NN)" glyph (a glyph pdfplumber could not map, often a digit) are
    never read as a number of their own ("1(cid:20)800 arrests" is not 800 arrests). A number that
    may be a piece of one wrapped over lines ("10,\n800", "$36.\n2 million": :func:`broken_number`)
    is skipped as malformed: it is never rejoined by guess, and never read as its tail.
  * Sentences (:func:`sentences`): a short PDF line ending in a qualifier ("approximately" /
    "1,234 defendants") or inside a number stays with the next line, and "approx." in any case
    does not end a sentence.
  * Dedupe (:func:`dedupe`): an identical restatement (same value and qualifier) is one row, quoted
    where first stated, and the restatement is listed as skipped (duplicate); two different values
    for the same key are a ParseError.
  * Evidence (:func:`evidence`, :func:`cover`): verbatim normalised page text, covering the number,
    its anchor and every cue that set its period, at most :data:`EVIDENCE_MAX` characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from pipeline.doctext import normalize
from pipeline.parsers.base import ParseError, Skipped
from schemas._common import EVIDENCE_MAX, QUALIFIERS

__all__ = [
    "QUALIFIERS",
    "UNMAPPED_QUALIFIERS",
    "ALL_QUALIFIERS",
    "QUALIFIER_ALTS",
    "qualifier_group",
    "postfix_qualifier",
    "qualifier_of",
    "check_qualifier",
    "GLYPH_NEXT",
    "NUM_START",
    "NUM_END",
    "GROUPED",
    "broken_number",
    "Cue",
    "period_cues",
    "clause_of",
    "CARRY_RE",
    "document_date",
    "resolve_relative",
    "impossible_magnitude",
    "dedupe",
    "cover",
    "evidence",
    "sentences",
    "clause_after",
    "word_lines",
    "EVIDENCE_MAX",
]

# Words whose tops differ by less than this (points) sit on one line.
SAME_LINE = 3.0
# A sentence ends at . ! ? followed by a capital, digit, quote, bracket or bullet, except after "U.S.",
# after "approx." in any case (a qualifier, not the end of a sentence) and between the two halves of
# a decimal wrapped over lines ("$36.\n2 million": see :func:`broken_number`).
SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!U\.S\.)(?<!\b[Aa][Pp][Pp][Rr][Oo][Xx]\.)(?!(?<=\d\.)\s+\d)"
    r"\s+(?=[A-Z0-9\"'(\u2022-])"
)
# A sentence up to this long is quoted whole; a longer one is quoted around the figure.
SENTENCE_QUOTE_MAX = 300

# ------------------------------------------------------------------------------------ qualifiers

# Qualifiers recognised as such but not in the schema's list: meeting one is a ParseError naming it.
UNMAPPED_QUALIFIERS = (
    "in excess of",
    "upwards of",
    "an estimated",
    "estimated",
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
    # bounds and vague forms: "not more than" / "no more than" must never be read as "more than"
    "not more than",
    "no more than",
    "up to",
    "as many as",
    "at most",
    "circa",
)
ALL_QUALIFIERS = tuple(QUALIFIERS) + UNMAPPED_QUALIFIERS
# Any qualifier, longest first, and with a negation before it ("not less than", "no fewer than"):
# the negated word is never read as the word itself (the opposite bound), it is a ParseError naming
# the whole phrase (check_qualifier).
QUALIFIER_ALTS = (
    r"(?:(?:not|no)\s+)?(?:"
    + "|".join(re.escape(q) for q in sorted(ALL_QUALIFIERS, key=len, reverse=True))
    + ")"
)
# A qualifier printed after the number ("12,600+", "12,600-plus", "12,600 or more") or after the
# figure's phrase ("203,467 investigations (approx.)").
_POSTFIX_NUMBER = re.compile(r"(?P<post>\+|-\s?plus\b|\s+plus\b|\s+or\s+more\b)", re.I)
_POSTFIX_PHRASE = re.compile(
    r"\s*(?P<post>\((?:approx(?:\.|imately)?|est(?:\.|imated)?|estimated?)\)|or\s+more\b)", re.I
)


def qualifier_group(name: str = "qual") -> str:
    """Regex for an optional qualifier (any of :data:`ALL_QUALIFIERS`) and the space after it, as group
    ``name``; put it right before a number pattern. Matching the unmapped words too is the point: a
    pattern that only knew the schema's words would read "roughly 1,435" as an exact 1,435."""
    return rf"(?:(?<![\w])(?P<{name}>{QUALIFIER_ALTS})(?:\s+|(?<=~)))?"


def postfix_qualifier(text: str, number_end: int, phrase_end: int | None = None) -> str | None:
    """A qualifier printed right after the number, or after the figure's phrase; None if there is none."""
    m = _POSTFIX_NUMBER.match(text, number_end)
    if not m and phrase_end is not None:
        m = _POSTFIX_PHRASE.match(text, phrase_end)
    return " ".join(m.group("post").lower().split()) if m else None


def qualifier_of(
    before: str | None, text: str, number_end: int, phrase_end: int | None = None
) -> str | None:
    """The qualifier printed before the number (``before``, as matched by :func:`qualifier_group`)
    and after it (:func:`postfix_qualifier`), as one string; None when there is neither."""
    post = postfix_qualifier(text, number_end, phrase_end)
    return " ".join(x.lower() for x in (before, post) if x) or None


def check_qualifier(
    qualifier: str | None, document_id: str, page: int | None, evidence_text: str
) -> str | None:
    """The qualifier as the schema stores it (lower case), or a ParseError naming an unmapped one."""
    if qualifier is None:
        return None
    q = " ".join(qualifier.lower().split())
    if q not in QUALIFIERS:
        raise ParseError(
            document_id,
            page,
            f"a qualifier the schema allows ({', '.join(QUALIFIERS)}), not {q!r}",
            evidence_text,
        )
    return q


# ------------------------------------------------------------------------------------ numbers

# Where a printed number may start and end, for every prose number pattern. pdfplumber prints a glyph
# without a Unicode map as "(cid:NN)" (with many fonts cid 19..28 are the digits 0..9), so digits
# glued to such a glyph ("1(cid:20)800", "10,800(cid:3)") are a damaged number, never a number of
# their own: no number starts right after a word character, "$", ".", ",", ")" or inside
# "(cid:NN)", and none ends right before a digit or a glyph, directly or after one "," or "."
# ("10,8" of "10,800", "$36" of "$36.(cid:3)2"). A pattern may add more (a percent sign after it).
GLYPH_NEXT = r"(?![,.]?\(cid:)"
NUM_START = r"(?<![\w$.,)])(?<!cid:)"
NUM_END = r"(?![,.]?(?:\d|\(cid:))"
# A grouped count's first group has no leading zero ("0,500" is no count: it is 0.5 in a
# comma-decimal locale).
GROUPED = r"[1-9]\d{0,2}(?:,\d{3})+"

# A number as a whole: grouped by threes or plain digits, with an optional decimal part.
_WHOLE_NUMBER = re.compile(rf"(?:{GROUPED}|\d+)(?:\.\d+)?")
_DIGITS_BEFORE = re.compile(r"(?<![\w.,])(\d[\d,.]*)\s+$")
_DIGITS_AFTER = re.compile(r"\s*([,.]?)\s*(\d[\d,]*(?:\.\d+)?)(?![\d,])")


def broken_number(text: str, start: int, end: int) -> bool:
    """True when the number printed at ``text[start:end]`` may be a piece of a longer number broken
    over lines: PDF text wraps a narrow column inside a number ("10,\n800", "10,8\n00", "$36.\n2
    million"), and once line breaks are spaces, "10, 800" reads as 800. A number is a piece when the
    digits right before it (across white space) or right after it (across white space, with a "," or
    "." between) join it into one well-formed number: "10," + "800", "1" + "0,800", "36" + ".2".
    Such a number is not read: it cannot be told from two numbers, and guessing either way may publish
    a wrong figure. "In 2010, 800 arrests" is not a piece ("2010,800" is no number); "In 2010 800
    arrests" is (it could be 2,010,800 or 2010 and 800), and so is a decimal after a sentence
    ending in a number ("in 2023. 5 arrests" could be 2023.5)."""
    before = _DIGITS_BEFORE.search(text, 0, start)
    if before is not None and _WHOLE_NUMBER.fullmatch(before.group(1) + text[start:end]):
        return True
    after = _DIGITS_AFTER.match(text, end)
    if after is not None and after.start(2) > end + len(after.group(1)):
        joined = text[start:end] + after.group(1) + after.group(2)
        return bool(_WHOLE_NUMBER.fullmatch(joined))
    return False


# ------------------------------------------------------------------------------------ period cues

_Y = r"(?:19|20)\d{2}"
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_COUNTWORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})"
CUMULATIVE_RE = re.compile(
    r"\bsince\s+(?:(?:its|the|their|this|that|ICAC's|the\s+[\w-]+'s|the\s+ICAC\s+[\w-]+'s)\s+)?"
    r"(?:inception|creation|establishment|founding|beginning|start|launch)\b"
    rf"(?:\s+in\s+{_Y})?"
    rf"|\bsince\s+(?:(?:(?-i:FY)|fiscal\s+year|calendar\s+year)\s*)?'?{_Y}\b"
    r"|\bsince\s+then\b|\binception\b"
    r"|(?<!year )(?<!year-)\bto\s+date\b|\bcumulative(?:ly)?\b|\bin\s+total\b|\ball\s+told\b"
    r"|\b(?:during|in|over)\s+the\s+same\s+(?:time\s+)?period\b"
    r"|\bover\s+the\s+(?:past|last|previous)\s+(?:[\w-]+\s+){0,2}(?:years|decades?)\b"
    r"|\bover\s+the\s+years\b|\bthroughout\s+(?:its|their|the\s+[\w-]+'s)\s+history\b",
    re.I,
)
PARTIAL_RE = re.compile(
    rf"\b(?:in\s+|during\s+)?the\s+first\s+(?:{_COUNTWORD}\s+)?"
    r"(?:quarters?|months?|half|weeks?|days?)\s+of\b"
    rf"|\b(?:through|thru|until|till)\s+(?:the\s+end\s+of\s+)?{_MONTH}(?:\s+\d{{1,2}})?"
    r"|\bas\s+of\b|\byear[\s-]+to[\s-]+date\b|\bso\s+far\b|\bthus\s+far\b|\bmid-?year\b",
    re.I,
)
RELATIVE_RE = re.compile(
    r"\b(?P<which>last|this|past|previous|prior|current)\s+(?:fiscal\s+)?year\b(?!s)", re.I
)
# "That same year, ...", "In the same fiscal year, ...": the year of the sentence before.
CARRY_RE = re.compile(
    r"\b(?:that|the)\s+same\s+(?:fiscal\s+)?year\b|\bthat\s+(?:fiscal\s+)?year\b(?!')", re.I
)


@dataclass(frozen=True)
class Cue:
    """Words that set a figure's period: ``kind`` is cumulative, partial or relative."""

    kind: str
    start: int
    end: int
    text: str


def period_cues(
    text: str, kinds: Iterable[str] = ("cumulative", "partial", "relative")
) -> list[Cue]:
    """Every period cue in ``text`` (a clause or sentence), in order; where two overlap the earlier
    kind in (cumulative, partial, relative) wins."""
    found: list[Cue] = []
    for kind, rx in (
        ("cumulative", CUMULATIVE_RE),
        ("partial", PARTIAL_RE),
        ("relative", RELATIVE_RE),
    ):
        if kind not in kinds:
            continue
        for m in rx.finditer(text):
            if any(m.start() < c.end and c.start < m.end() for c in found):
                continue
            found.append(Cue(kind, m.start(), m.end(), m.group(0)))
    return sorted(found, key=lambda c: c.start)


def clause_of(text: str, pos: int) -> tuple[int, int]:
    """(start, end) of the clause holding ``pos``: a sentence is cut at ";" since a semicolon joins two
    statements ("Since 1998, the program has grown to 61 task forces; in FY 2024 ...")."""
    start = text.rfind(";", 0, pos) + 1
    end = text.find(";", pos)
    return start, (end if end != -1 else len(text))


_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_DATED = re.compile(
    r"\((?P<month>January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+(?P<year>(?:19|20)\d{2})\)",
    re.I,
)


def document_date(doc) -> tuple[int, int] | None:
    """(year, month) the document is dated, from its registry title ("... (April 2016)"); None when
    the registry does not date it (web pages overwritten every year are never dated this way)."""
    m = _DATED.search(getattr(doc, "title", "") or "")
    return (int(m.group("year")), _MONTHS[m.group("month").lower()]) if m else None


def resolve_relative(cue_text: str, dated: tuple[int, int] | None) -> tuple[int | None, str, str]:
    """Read a relative year against the document's date: (fiscal year or None, skip reason, note).

    "last/past/previous/prior year" in a report dated <Month YYYY> is FY YYYY-1 (the last fiscal year
    that had ended, named as the report names its own date); "this/current year" was still running
    when the report was written, so it is partial. Without a date, nothing is resolved (relative)."""
    which = cue_text.split()[0].lower()
    if dated is None:
        return None, "relative", f"{cue_text!r} and no document date to resolve it"
    year, month = dated
    when = f"{list(_MONTHS)[month - 1].capitalize()} {year}"
    if which in ("this", "current"):
        return None, "partial", f"{cue_text!r} in a report dated {when}: a year still running"
    return year - 1, "", f"{cue_text!r} in a report dated {when}, read as FY {year - 1}"


def period_skip(
    doc, s: str, pos: int, kinds: tuple[str, ...] | None = None
) -> tuple[str, str, list[tuple[int, int]]] | None:
    """For a table without a period-note column (USSC, BJS): (reason, detail, cue spans) when a cue in
    the clause holding ``pos`` says the figure is not one fiscal year's count; None when nothing does.
    A relative year the document's date resolves is still skipped: no column could say how it was read."""
    cs, ce = clause_of(s, pos)
    cues = period_cues(s[cs:ce], kinds) if kinds is not None else period_cues(s[cs:ce])
    if not cues:
        return None
    cue = next((c for c in cues if c.kind == "cumulative"), cues[0])
    spans = [(c.start + cs, c.end + cs) for c in cues]
    if cue.kind != "relative":
        return cue.kind, cue.text, spans
    year, reason, detail = resolve_relative(cue.text, document_date(doc))
    if year is not None:
        reason, detail = "relative", f"{detail}; not published without a period note"
    return reason, detail, spans


_IMPOSSIBLE = re.compile(r"^\d{1,3}(?:,\d{3})+$")


def impossible_magnitude(number: str, scale: str | None) -> bool:
    """ "1,575,032 million": a number already written out in full with a scale word after it."""
    return (
        bool(scale)
        and scale.lower() in ("thousand", "million", "billion")
        and bool(_IMPOSSIBLE.match(number.strip()))
    )


# ------------------------------------------------------------------------------------ dedupe

R = TypeVar("R")


def dedupe(
    rows: Iterable[R],
    key: Callable[[R], Hashable],
    *,
    document_id: str,
    what: Callable[[R], str],
    skipped: list[Skipped],
    measure: Callable[[R], str],
    shown: Callable[[R], str],
) -> list[R]:
    """One row per ``key``, the first statement kept. A restatement with the same value and qualifier
    is appended to ``skipped`` (reason duplicate); a different one is a ParseError naming both.

    Rows need ``value``, ``qualifier``, ``page`` and ``evidence`` attributes; ``what(row)`` names the
    key for the message ("arrests figure for FY 2024"), ``shown(row)`` prints the value."""
    first: dict[Hashable, R] = {}
    for r in rows:
        k = key(r)
        if k not in first:
            first[k] = r
            continue
        f = first[k]
        if (f.value, f.qualifier) != (r.value, r.qualifier):
            raise ParseError(
                document_id,
                r.page,
                f"one {what(r)} (page {f.page} says {f.evidence!r})",
                r.evidence,
            )
        skipped.append(
            Skipped(
                r.page,
                measure(r),
                shown(r),
                "duplicate",
                r.evidence,
                f"restates the figure kept from page {f.page}",
            )
        )
    return list(first.values())


# ------------------------------------------------------------------------------------ evidence


def cover(spans: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """The smallest span holding all ``spans``."""
    spans = list(spans)
    return min(s for s, _ in spans), max(e for _, e in spans)


def evidence(sentence: str, start: int, end: int, keep: Iterable[tuple[int, int]] = ()) -> str:
    """The quote for a figure at ``start:end`` of ``sentence``: the whole sentence when it is short
    (SENTENCE_QUOTE_MAX), else the span covering the figure and every ``keep`` span (its year, the
    cues that set its period) with up to 60 characters either side, cut at word boundaries. Never
    longer than EVIDENCE_MAX: the context goes first, then the ``keep`` spans (verbatim, normalised)."""
    if len(sentence) <= SENTENCE_QUOTE_MAX:
        return sentence
    for s, e in (cover([(start, end), *keep]), (start, end)):
        for pad in (60, 20, 0):
            a = sentence.rfind(" ", 0, max(s - pad, 0)) + 1 if s - pad > 0 else 0
            b = sentence.find(" ", e + pad) if pad else e
            quote = sentence[a : b if b != -1 else len(sentence)].strip()
            if len(quote) <= EVIDENCE_MAX:
                return quote
    return sentence[start:end]


# ------------------------------------------------------------------------------------ text


def sentences(raw: str) -> list[str]:
    """Normalised sentences of one page's raw text.

    Besides sentence punctuation, a line that is short (under 60% of the page's longest), has no
    closing punctuation and is followed by a line starting with a capital or digit ends a unit: it is
    a heading, a table row or a chart label, and must not run into the statement after it (which would
    make that statement's evidence start with the heading). Not so when the break is inside a figure
    (:func:`_joined_across`): a qualifier ending the line ("approximately" / "1,234 defendants",
    "MORE" / "THAN 1,234") stays with its number, and a number wrapped over the lines ("1,23" / "4")
    stays one piece, for the number pattern to see it is broken. Units are split at whitespace in
    the raw text, so each normalised sentence is still a substring of the normalised page.
    """
    lines = [ln.strip() for ln in raw.splitlines() if ln.strip()]
    if not lines:
        return []
    longest = max(len(ln) for ln in lines)
    blocks: list[str] = []
    current: list[str] = []
    for i, ln in enumerate(lines):
        current.append(ln)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if (
            not nxt
            or len(ln) < 0.6 * longest
            and not re.search(r"[.!?:;,]$", ln)
            and re.match(r"[A-Z0-9\"'(\u2022]", nxt)
            and not _joined_across(" ".join(current[-3:]), " ".join(lines[i + 1 : i + 4]))
        ):
            blocks.append(" ".join(current))
            current = []
    return [s for b in blocks for s in SENTENCE_END.split(normalize(b)) if s]


_QUALIFIER_AT = re.compile(rf"(?<!\w)(?:{QUALIFIER_ALTS})(?!\w)", re.I)


def _joined_across(line: str, nxt: str) -> bool:
    """A figure runs over the break between ``line`` (the unit so far) and ``nxt`` (the lines after): a
    qualifier ends the line right before a number ("approximately" / "1,234", "more" / "than" /
    "1,234"), a qualifier's words are split by it ("MORE" / "THAN 1,234"), or digits meet across it
    ("1,23" / "4", "$36." / "2 million")."""
    line, nxt = normalize(line), normalize(nxt)
    joined = f"{line} {nxt}"
    if re.search(r"\d[,.]?$", line) and re.match(r"\d", nxt):
        return broken_number(
            joined, len(line) + 1, len(line) + 1 + re.match(r"[\d,.]*\d", nxt).end()
        )
    for m in _QUALIFIER_AT.finditer(joined, max(len(line) - 20, 0)):
        if m.start() < len(line) < m.end():
            return True  # "more" / "than"
        if m.end() == len(line) and re.match(r"[\d$~]", nxt):
            return True  # "approximately" / "1,234"
    return False


def clause_after(s: str, pos: int) -> str:
    """Text from ``pos`` to the end of its clause (a comma inside "3,661" does not end it)."""
    return re.split(r",\s|;", s[pos:], maxsplit=1)[0]


def word_lines(words: list[dict]) -> list[list[dict]]:
    """pdfplumber words grouped into lines by their top, each line ordered left to right."""
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(w["top"] - lines[-1][0]["top"]) < SAME_LINE:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(ln, key=lambda w: w["x0"]) for ln in lines]
