"""Helpers shared by every parser: the drift error and number reading."""

from __future__ import annotations

import re

__all__ = ["ParseError", "parse_count", "COUNT_RE"]

# A count as printed: 1,234,567 or 1234 (NCMEC never prints decimals in counts).
COUNT_RE = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")


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
