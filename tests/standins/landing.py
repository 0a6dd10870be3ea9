"""Stand-in landing pages (HTML written here, not copies of the publishers' pages) for discovery tests.

They mimic what the rules rely on and nothing more: a page of navigation and prose whose ``<a href>``
links point at the publisher's PDFs, some relative, some absolute, some with extra query strings or
fragments. Each page says STAND-IN in its title and text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

from tests.standins._page import mirror_path

NCMEC_LANDING = "https://www.missingkids.org/gethelpnow/cybertipline/cybertiplinedata"
PDFS = "/content/dam/missingkids/pdfs"


def landing_html(title: str, links: Sequence[tuple[str, str]], *, base: str = "") -> str:
    """A page with a navigation bar, a paragraph and one list item per (href, text)."""
    items = "\n".join(f'    <li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in links)
    base_tag = f'<base href="{escape(base)}">' if base else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} (STAND-IN)</title>{base_tag}</head>
<body>
  <nav><a href="/">Home</a> <a href="/gethelpnow">Get help now</a> <a href="#main">Skip</a></nav>
  <main id="main">
  <h1>{escape(title)}</h1>
  <p>STAND-IN landing page written for tests; not a real publication.</p>
  <ul>
{items}
  </ul>
  </main>
</body></html>
"""


def ncmec_links(
    esp: Iterable[int] = (2019, 2020, 2021, 2022),
    country: Iterable[int] = (2019, 2020, 2021, 2022),
    *,
    extra: Sequence[tuple[str, str]] = (),
) -> list[tuple[str, str]]:
    """Links as the NCMEC data page shows them: one per report and year (relative URLs, like the
    real page), the 2019 country file under its own name, the 2022 transparency report."""
    links = [(f"{PDFS}/{y}-reports-by-esp.pdf", f"{y} Reports by ESP") for y in esp]
    for y in country:
        name = "2019-cybertipline-reports-by-country" if y == 2019 else f"{y}-reports-by-country"
        links.append((f"{PDFS}/{name}.pdf#page=1", f"{y} Reports by Country"))
    links.append(
        (
            f"https://www.missingkids.org{PDFS}/OJJDP-NCMEC-Transparency_2022-Calendar-Year.pdf",
            "2022 OJJDP-NCMEC Transparency Report",
        )
    )
    links.append((f"{PDFS}/2023-CyberTipline-Report.pdf", "2023 CyberTipline Report"))
    return [*links, *extra]


def ncmec_landing(links: Sequence[tuple[str, str]]) -> str:
    return landing_html("CyberTipline Data", links)


def write_page(root: Path, url: str, html: str) -> Path:
    """Write a landing page at its mirror location (``<host>/<url path>``)."""
    path = mirror_path(root, url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
