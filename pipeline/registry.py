"""The source registry: what documents exist, where, and which parser reads them.

``sources.toml`` is the single list of documents. Adding a new edition of a known document is one entry
there; nothing else in the code enumerates documents.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

REGISTRY_PATH = Path(__file__).with_name("sources.toml")
FAMILIES = ("reports", "outcomes")
PERIOD_TYPES = ("calendar", "fiscal")
FORMATS = ("pdf", "html")
# A document id names its folder under raw/ (and its Dagster asset), so it must be one safe path
# component: no separators, no dots (so never ``..``), nothing a shell or a URL would need to quote.
SAFE_ID = re.compile(r"[a-z0-9_]{1,100}")


@dataclass(frozen=True)
class Document:
    id: str
    family: str  # reports | outcomes
    publisher: str
    title: str
    period_type: str  # calendar | fiscal
    period: str  # "2019", or a span like "2010-2011", or "current" for pages overwritten yearly
    url: str
    landing_page: str
    format: str  # pdf | html
    parser: str = ""  # module name under pipeline.parsers; empty = archived only
    url_is_guess: bool = False  # True where the URL was inferred from a pattern, not seen
    reference_sha256: str = ""  # prefix of the sha256 of a known-real copy (from CATALOG.md)
    notes: str = ""
    extra_hosts: tuple[str, ...] = field(default_factory=tuple)  # e.g. web.archive.org

    @property
    def host(self) -> str:
        return urlparse(self.url).hostname or ""

    @property
    def year(self) -> int | None:
        """The single year the document covers, when it covers exactly one."""
        return int(self.period) if self.period.isdigit() else None


class RegistryError(ValueError):
    pass


def _check(entry: dict, seen: set[str]) -> Document:
    try:
        doc = Document(**{k: (tuple(v) if k == "extra_hosts" else v) for k, v in entry.items()})
    except TypeError as exc:
        raise RegistryError(f"registry entry {entry.get('id', '?')}: {exc}") from exc
    if not isinstance(doc.id, str) or not SAFE_ID.fullmatch(doc.id):
        raise RegistryError(
            f"registry entry {doc.id!r}: id must be 1-100 lowercase letters, digits or underscores "
            "(it names the document's folder under raw/)"
        )
    problems = []
    if doc.id in seen:
        problems.append("duplicate id")
    if doc.family not in FAMILIES:
        problems.append(f"family must be one of {FAMILIES}")
    if doc.period_type not in PERIOD_TYPES:
        problems.append(f"period_type must be one of {PERIOD_TYPES}")
    # The data contract: reports are counted by calendar year, outcomes by federal fiscal year.
    if (doc.family, doc.period_type) not in (("reports", "calendar"), ("outcomes", "fiscal")):
        problems.append("reports documents are calendar-year, outcomes documents fiscal-year")
    if doc.format not in FORMATS:
        problems.append(f"format must be one of {FORMATS}")
    if urlparse(doc.url).scheme != "https":
        problems.append("url must be https")
    if problems:
        raise RegistryError(f"registry entry {doc.id}: " + "; ".join(problems))
    seen.add(doc.id)
    return doc


def load_registry(path: Path = REGISTRY_PATH) -> list[Document]:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    seen: set[str] = set()
    return [_check(entry, seen) for entry in data.get("document", [])]


@cache
def registry() -> tuple[Document, ...]:
    return tuple(load_registry())


def by_id(document_id: str) -> Document:
    for doc in registry():
        if doc.id == document_id:
            return doc
    raise KeyError(document_id)


def allowed_hosts(docs: list[Document] | tuple[Document, ...] | None = None) -> frozenset[str]:
    """Hosts a download may touch, on the first request and on every redirect hop."""
    docs = registry() if docs is None else docs
    hosts = set()
    for d in docs:
        hosts.add(d.host)
        hosts.update(d.extra_hosts)
    return frozenset(hosts)
