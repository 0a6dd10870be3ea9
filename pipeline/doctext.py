"""Text of an archived document, page by page, normalised the same way for parsing and for checking.

Outcome parsers quote an ``evidence`` span for every figure; the figure-verification check looks that span
up in this same text at the cited page. Both sides normalise through :func:`normalize`, so a figure passes
only if its words really are on that page.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
    }
)


def normalize(text: str) -> str:
    """NFKC, straight quotes and dashes, all whitespace runs (incl. line breaks) to one space."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip()


def pdf_pages(path: Path) -> list[str]:
    """Raw extracted text per page (1-based page n is element n-1)."""
    out = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            out.append(page.extract_text() or "")
            # pdfplumber keeps every page's layout objects until closed: about 5.6 MiB per page of
            # prose, so a long report would otherwise need gigabytes (measured on a 600-page file).
            page.close()
    return out


class _Visible(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "head"}
    _BLOCK = {
        "p",
        "div",
        "li",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "td",
        "th",
        "section",
        "article",
        "ul",
        "ol",
        "table",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(data: bytes | str) -> str:
    """Visible text of an HTML page, block elements on their own lines."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    p = _Visible()
    p.feed(data)
    p.close()
    lines = (re.sub(r"[ \t\r\f\v]+", " ", ln).strip() for ln in "".join(p.parts).split("\n"))
    return "\n".join(ln for ln in lines if ln)


def document_pages(path: Path, fmt: str) -> list[str]:
    """Text per page for a PDF; a single 'page' holding the visible text for HTML."""
    if fmt == "pdf":
        return pdf_pages(path)
    if fmt == "html":
        return [html_text(Path(path).read_bytes())]
    raise ValueError(f"unknown format {fmt!r}")
