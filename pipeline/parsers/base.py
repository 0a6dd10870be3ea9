"""Helpers shared by every parser: the drift error and number reading."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

__all__ = [
    "ParseError",
    "ParseResult",
    "Skipped",
    "SKIP_REASONS",
    "as_result",
    "parse_count",
    "COUNT_RE",
]

# A count as printed: 1,234,567 or 1234 (NCMEC never prints decimals in counts). A grouped count's
# first group has no leading zero: "0,500" is no count (it is 0.5 in a comma-decimal locale).
COUNT_RE = re.compile(r"^[1-9]\d{0,2}(?:,\d{3})+$|^\d+$")


class ParseError(ValueError):
    """The document does not have the structure the parser knows.

    The message always names the document, the 1-based page (or ``-`` when the problem is not tied to
    one page) and what was expected, so a drifted edition fails loudly and is easy to locate.
    """

    def __init__(self, document_id: str, page: int | None, expected: str, found: str | None = None):
        self.document_id = document_id
        self.page = page
        self.expected = expected
        self.found = found
        where = f"page {page}" if page else "page -"
        msg = f"{document_id}, {where}: expected {expected}"
        if found is not None:
            snippet = found if len(found) <= 120 else found[:117] + "..."
            msg += f"; found {snippet!r}"
        super().__init__(msg)


def parse_count(text: str, document_id: str, page: int | None) -> int:
    """Read a printed count like ``21,447,786``; anything else is drift, not a zero."""
    t = text.strip()
    if not COUNT_RE.match(t):
        raise ParseError(document_id, page, "a count such as 1,234", t)
    return int(t.replace(",", ""))


# A footnote line: a marker, then text starting with a capital ("*Reasons include ...").
_FOOTNOTE_START = re.compile(r"^(?P<mark>\*{1,3}|\u2020|\u2021)\s*(?P<text>[A-Z].*)$")
_FURNITURE = re.compile(r"^(?:copyright\b|©|(?:https?://)?(?:www\.)?missingkids\.org\b)", re.I)


def footnotes(lines: list[str]) -> dict[str, str]:
    """Footnotes printed in a document, by marker: ``{"*": "Reasons include ..."}``.

    A footnote runs on over following lines while its text has not ended a sentence or the next line
    starts in lower case, and stops at another footnote or page furniture (URL, copyright)."""
    out: dict[str, str] = {}
    i = 0
    while i < len(lines):
        m = _FOOTNOTE_START.match(lines[i].strip())
        i += 1
        if not m:
            continue
        text = m["text"].strip()
        while i < len(lines):
            nxt = lines[i].strip()
            if not nxt or _FOOTNOTE_START.match(nxt) or _FURNITURE.match(nxt):
                break
            if re.search(r"[.!?]$", text) and not nxt[0].islower():
                break
            text += " " + nxt
            i += 1
        out.setdefault(m["mark"], text)
    return out


def footnote_note(name: str, notes: dict[str, str]) -> str | None:
    """The footnote a printed name points to with a trailing marker, as a row note."""
    m = re.search(r"(\*{1,3}|\u2020|\u2021)$", name.strip())
    if not m:
        return None
    text = notes.get(m[1])
    if text is None:
        return f"Marked '{m[1]}' in the document; no footnote for it was found."
    return f"Footnote '{m[1]}' in the document: {text}"


# -- what a parser returns ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Skipped:
    """A number that matched a measure but is not published, with the reason a reviewer needs.

    ``reason`` is one word from :data:`SKIP_REASONS` (why it is not one fiscal year's count); ``detail``
    says more in the document's own terms ("first three quarters of FY 2009", "since 1998")."""

    page: int | None
    measure: str
    value: str
    reason: str
    evidence: str
    detail: str = ""


# Why a figure that matched a measure is left out. One list for every prose parser.
SKIP_REASONS = (
    "cumulative",  # since 1998, since its inception, to date, in total, over the past N years
    "partial",  # first three quarters of, through March, as of, year to date, so far
    "relative",  # last year / this year with no document date to resolve it
    "range",  # FY2010 and FY2011, 2010-2015
    "average",  # each year, annually, per year
    "other_agency",  # FBI, HSI, U.S. Attorneys ...
    "calendar_year",  # a calendar-year figure in a fiscal-year table
    "no_year",  # no time anchor at all
    "duplicate",  # restated elsewhere in the document (kept once)
    "malformed",  # a number with a typo ("1,575,032 million reports")
    "other",  # anything else; detail says what
)


@dataclass
class ParseResult:
    """One document's rows per published table, plus what was read but left out, and warnings.

    ``warnings`` are things a reviewer should see that do not make the document unreadable: an
    expected measure that is absent ("no arrests figure on this page version"), a chart that could not
    be read while the prose figures were. They become a WARN check, never a failure."""

    tables: dict[str, pd.DataFrame]
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def as_result(out: ParseResult | dict[str, pd.DataFrame]) -> ParseResult:
    """Parsers that have nothing to skip may return just their tables."""
    return out if isinstance(out, ParseResult) else ParseResult(tables=dict(out))
