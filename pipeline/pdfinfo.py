"""Small facts about archived PDFs."""

from pathlib import Path

import pdfplumber


def page_count(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)
