"""What the PDF stand-ins share: a small top-down page writer and where a stand-in goes in a mirror."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from pipeline.fetch import mirror_location

WIDTH, HEIGHT = letter
MARGIN = 60


def mirror_path(root: Path, url: str) -> Path:
    """Where ``url`` lives in a mirror rooted at ``root`` (the layout pipeline.fetch reads)."""
    return Path(root) / mirror_location(url)


def n(x: int) -> str:
    return f"{x:,}"


class PageWriter:
    """Headings and wrapped paragraphs top-down, page breaks on demand, a stand-in footer on every
    page. Subclasses set the house style and add their own furniture (mastheads, tables, charts)."""

    FOOTER = "Stand-in generated for tests; not a real publication."
    BODY_FONT = "Helvetica"
    TEXT_GAP = 4.0
    HEADING_SIZE = 13.0
    HEADING_PAD = 6.0
    HEADING_GAP = 2.0

    def __init__(self, path: Path, title: str):
        self.c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
        self.c.setTitle(title)
        self.c.setSubject(self.FOOTER)
        self.c.setCreator("tests/standins (generated stand-in, not a real document)")
        self.page = 1
        self.y = HEIGHT - MARGIN

    def text(
        self,
        s: str,
        size: float = 10,
        font: str | None = None,
        gap: float | None = None,
        indent: float = 0,
    ):
        font = font or self.BODY_FONT
        for line in simpleSplit(s, font, size, WIDTH - 2 * MARGIN - indent):
            self.c.setFont(font, size)
            self.c.drawString(MARGIN + indent, self.y, line)
            self.y -= size * 1.3
        self.y -= self.TEXT_GAP if gap is None else gap

    def heading(self, s: str, size: float | None = None):
        self.y -= self.HEADING_PAD
        self.text(s, size=size or self.HEADING_SIZE, font="Helvetica-Bold", gap=self.HEADING_GAP)

    def new_page(self):
        self._footer()
        self.c.showPage()
        self.page += 1
        self.y = HEIGHT - MARGIN

    def _footer(self):
        self.c.setFont("Helvetica-Oblique", 7)
        self.c.drawString(MARGIN, 30, self.FOOTER)
        self.c.drawRightString(WIDTH - MARGIN, 30, f"Page {self.page}")

    def save(self):
        self._footer()
        self.c.save()
