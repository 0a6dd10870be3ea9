"""The source registry: what documents exist, where, and which parser reads them.

``sources.toml`` holds four kinds of entries:

* ``[series.<name>]`` -- what every edition of one publication shares (family, publisher, period type,
  landing page, format, parser, and templates for id and title), so a hand-written edition is two or
  three lines: ``series``, ``period``, ``url`` (its ``id`` and ``title`` follow from the templates);
* ``[[document]]`` -- one hand-written document, usually one edition of a series;
* ``[[landing]]`` -- a publisher's landing page, archived like any document (it is the evidence of what
  was published when) and read by discovery rules;
* ``[[discover]]`` -- a discovery rule: which landing page to read, which links to take (a regular
  expression with named groups ``year``, ``yy`` or ``edition``), which series a match becomes.

Documents found by the rules are written by :mod:`pipeline.discovery` to ``<raw>/discovered.json`` (beside
the manifest, committed with it) and merged here, so the next load of the Dagster code location has a
``raw_<id>`` (and ``parsed_<id>``) asset for each. Hand-written entries win over discovered ones with the
same id. Nothing else in the code enumerates documents.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

REGISTRY_PATH = Path(__file__).with_name("sources.toml")
DISCOVERED_NAME = "discovered.json"
FAMILIES = ("reports", "outcomes")
PERIOD_TYPES = ("calendar", "fiscal")
FORMATS = ("pdf", "html")
PERIOD_TYPE_OF = {"reports": "calendar", "outcomes": "fiscal"}
# A document id names its folder under raw/ (and its Dagster asset), so it must be one safe path
# component: no separators, no dots (so never ``..``), nothing a shell or a URL would need to quote.
SAFE_ID = re.compile(r"[a-z0-9_]{1,100}")
# Named groups a discovery rule may use; ``yy`` is a two-digit year (FY23 -> 2023).
RULE_GROUPS = ("year", "yy", "edition")


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
    # Provenance of the entry, kept out of repr (a parse is cached under the repr of the fields a
    # parser may read; these are not among them).
    series: str = field(default="", repr=False)
    discovered_by: str = field(default="", repr=False)  # the rule whose match made this entry
    is_landing_page: bool = field(default=False, repr=False)

    @property
    def host(self) -> str:
        return urlparse(self.url).hostname or ""

    @property
    def year(self) -> int | None:
        """The single year the document covers, when it covers exactly one."""
        return int(self.period) if self.period.isdigit() else None


@dataclass(frozen=True)
class Rule:
    """One discovery rule: links on ``landing`` (a registered html document's id) matching ``link``
    (and ``text``, on the link's anchor text, when set) become documents of ``series``."""

    name: str
    series: str
    landing: str
    link: re.Pattern
    text: re.Pattern | None = None
    id: str = ""  # id template; default: the series' id template
    period: str = "{year}"
    title: str = ""  # title template; default: the series' title template
    aliases: tuple[
        tuple[str, str], ...
    ] = ()  # id the rule makes -> registry id of the same document


@dataclass(frozen=True)
class Sources:
    """What sources.toml says: hand-written documents and landing pages, series and rules."""

    documents: tuple[Document, ...]
    series: dict
    rules: tuple[Rule, ...]

    def by_id(self, document_id: str) -> Document:
        for d in self.documents:
            if d.id == document_id:
                return d
        raise KeyError(document_id)

    @property
    def hosts(self) -> frozenset[str]:
        """Hosts of hand-written documents: the only hosts a discovered link may lead to."""
        return allowed_hosts(self.documents)


class RegistryError(ValueError):
    pass


# -- building and checking documents ---------------------------------------------------------------
def _fill(template: str, values: dict, where: str) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        raise RegistryError(f"{where}: template {template!r} cannot be filled ({exc})") from exc


def expand(entry: dict, series: dict, where: str = "") -> dict:
    """A document entry with its series' defaults filled in (the entry's own fields win)."""
    entry = dict(entry)
    name = entry.pop("series", "")
    if not name:
        return entry
    if name not in series:
        raise RegistryError(f"{where or entry.get('id', '?')}: unknown series {name!r}")
    out = {k: v for k, v in series[name].items()}
    out.update(entry)
    values = {k: v for k, v in out.items() if isinstance(v, str)}
    for key in ("id", "title", "notes"):
        if isinstance(out.get(key), str) and "{" in out[key]:
            out[key] = _fill(out[key], values, where or f"series {name}")
    out["series"] = name
    return out


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


def landing_document(entry: dict) -> dict:
    """A ``[[landing]]`` entry as a document entry: an html page, archived only, always current."""
    out = {
        "period": "current",
        "format": "html",
        "landing_page": entry.get("url", ""),
        "notes": "Landing page: read by discovery rules, archived as evidence of what was "
        "published when.",
        "is_landing_page": True,
    }
    out.update(entry)
    out.setdefault("period_type", PERIOD_TYPE_OF.get(out.get("family", ""), ""))
    return out


def _rule(entry: dict, series: dict, landings: set[str]) -> Rule:
    name = entry.get("rule", "?")
    where = f"discovery rule {name}"
    if not isinstance(name, str) or not SAFE_ID.fullmatch(name):
        raise RegistryError(f"{where}: rule must be a safe name ([a-z0-9_])")
    if entry.get("series") not in series:
        raise RegistryError(f"{where}: unknown series {entry.get('series')!r}")
    if entry.get("landing") not in landings:
        raise RegistryError(
            f"{where}: landing {entry.get('landing')!r} is not a registered html page"
        )
    try:
        link = re.compile(entry["link"], re.I)
        text = re.compile(entry["text"], re.I) if entry.get("text") else None
    except (KeyError, re.error) as exc:
        raise RegistryError(f"{where}: bad link/text pattern ({exc})") from exc
    groups = set(link.groupindex) | set(text.groupindex if text else ())
    unknown = groups - set(RULE_GROUPS)
    if unknown:
        raise RegistryError(
            f"{where}: named groups must be among {RULE_GROUPS} (got {sorted(unknown)})"
        )
    extra = set(entry) - {
        "rule",
        "series",
        "landing",
        "link",
        "text",
        "id",
        "period",
        "title",
        "aliases",
    }
    if extra:
        raise RegistryError(f"{where}: unknown fields {sorted(extra)}")
    return Rule(
        name=name,
        series=entry["series"],
        landing=entry["landing"],
        link=link,
        text=text,
        id=entry.get("id", ""),
        period=entry.get("period", "{year}"),
        title=entry.get("title", ""),
        aliases=tuple(sorted(entry.get("aliases", {}).items())),
    )


def load_sources(path: Path = REGISTRY_PATH) -> Sources:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    series = data.get("series", {})
    seen: set[str] = set()
    docs = [_check(expand(e, series), seen) for e in data.get("document", [])]
    docs += [_check(landing_document(e), seen) for e in data.get("landing", [])]
    html_pages = {d.id for d in docs if d.format == "html"}
    rules = [_rule(e, series, html_pages) for e in data.get("discover", [])]
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise RegistryError(f"discovery rules: duplicate rule names in {names}")
    return Sources(tuple(docs), series, tuple(rules))


# -- discovered documents ----------------------------------------------------------------------------
def discovered_path() -> Path:
    """``<raw>/discovered.json``: written by discovery, committed beside the manifest."""
    from pipeline.archive import default_raw_dir  # archive imports this module

    return default_raw_dir() / DISCOVERED_NAME


def read_discovered(path: Path | None) -> list[dict]:
    """The entries of a discovered-documents file; [] when there is none."""
    if path is None or not Path(path).is_file():
        return []
    try:
        data = json.loads(Path(path).read_text("utf-8"))
        entries = data["documents"]
    except (ValueError, KeyError, TypeError) as exc:
        raise RegistryError(f"{path}: not a discovered-documents file ({exc})") from exc
    return list(entries)


# Fields a discovered entry carries into its Document; the rest (rule, link text, landing sha256,
# first seen) is the record of how it was found.
_DISCOVERED_FIELDS = ("id", "series", "period", "url", "title", "landing_page")


def discovered_document(entry: dict, sources: Sources, seen: set[str]) -> Document:
    fields = {k: entry[k] for k in _DISCOVERED_FIELDS if entry.get(k)}
    fields["discovered_by"] = entry.get("rule", "")
    doc = _check(expand(fields, sources.series, f"discovered {entry.get('id', '?')}"), seen)
    if doc.host not in sources.hosts:
        raise RegistryError(
            f"discovered {doc.id}: host {doc.host} is not a host of any hand-written document"
        )
    return doc


def load_registry(path: Path = REGISTRY_PATH, discovered: Path | None = None) -> list[Document]:
    """Hand-written documents and landing pages, then discovered documents whose id no hand-written
    entry has (hand-written entries win)."""
    sources = load_sources(path)
    docs = list(sources.documents)
    seen = {d.id for d in docs}
    for entry in read_discovered(discovered):
        if entry.get("id") in seen:
            continue
        docs.append(discovered_document(entry, sources, seen))
    return docs


@cache
def sources() -> Sources:
    return load_sources()


@cache
def registry() -> tuple[Document, ...]:
    """Every document the pipeline knows, discovered ones included. Cached: after a discovery run call
    :func:`cache_clear` (and load the Dagster definitions again) to see what it found."""
    return tuple(load_registry(discovered=discovered_path()))


def cache_clear() -> None:
    """Forget the loaded registry (after discovery wrote new documents)."""
    registry.cache_clear()
    sources.cache_clear()


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
