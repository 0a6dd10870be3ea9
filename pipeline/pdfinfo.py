"""Small facts about archived PDFs."""

from pathlib import Path

import pdfplumber


def page_count(path: Path) -> int | None:
    """Pages of a PDF, or None when the file cannot be opened: an unreadable archived copy must not
    fail the table that lists it (its parse says why it is unreadable)."""
    try:
        with pdfplumber.open(path) as pdf:
            return len(pdf.pages)
    except Exception:  # noqa: BLE001 - untrusted bytes
        return None
