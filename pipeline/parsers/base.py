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
