"""Reading figures out of prose-heavy fact sheets and bulletins (USSC, BJS): sentences, clauses,
evidence spans and word lines, shared so every outcome parser quotes its evidence the same way."""

from __future__ import annotations

import re

from pipeline.doctext import normalize

# Words whose tops differ by less than this (points) sit on one line.
SAME_LINE = 3.0
# A sentence ends at . ! ? followed by a capital, digit, quote, bracket or bullet, except after "U.S.".
SENTENCE_END = re.compile(r"(?<=[.!?])(?<!U\.S\.)\s+(?=[A-Z0-9\"'(\u2022-])")
EVIDENCE_MAX = 300


def sentences(raw: str) -> list[str]:
    """Normalised sentences of one page's raw text.

    Besides sentence punctuation, a line that is short (under 60% of the page's longest), has no
    closing punctuation and is followed by a line starting with a capital or digit ends a unit: it is
    a heading, a table row or a chart label, and must not run into the statement after it (which would
    make that statement's evidence start with the heading). Units are split at whitespace in the raw
    text, so each normalised sentence is still a substring of the normalised page.
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
        ):
            blocks.append(" ".join(current))
            current = []
    return [s for b in blocks for s in SENTENCE_END.split(normalize(b)) if s]


def evidence(sentence: str, start: int, end: int) -> str:
    """The sentence if short enough, else the span ``start:end`` with up to 60 characters either side,
    cut at word boundaries (verbatim, normalised)."""
    if len(sentence) <= EVIDENCE_MAX:
        return sentence
    a = sentence.rfind(" ", 0, max(start - 60, 0)) + 1
    b = sentence.find(" ", end + 60)
    return sentence[a : b if b != -1 else len(sentence)]


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
