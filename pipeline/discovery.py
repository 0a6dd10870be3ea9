"""Find new editions by reading the publishers' landing pages (the pudl-archiver way).

Each ``[[discover]]`` rule in ``sources.toml`` names a landing page (a registered html document), a link
pattern with named groups and the series a match becomes. A discovery run

1. archives every landing page like any document (same fetch path: allowlist, mirror, conditional GET),
   because a landing page is the evidence of what was published when;
2. reads the links of each page's newest archived copy and applies the rules (:func:`evaluate`, pure);
3. records each document found that no hand-written entry names in ``<raw>/discovered.json``, with the
   rule, the link and the landing page that found it. Entries are only ever added or updated: a link
   that disappears from a page removes nothing (the archived copies stay, and so does the entry).

The registry merges that file (hand-written entries win), so after ``registry.cache_clear()`` the next
load of the Dagster definitions has ``raw_<id>`` and ``parsed_<id>`` assets for the documents found.

A rule whose landing page yields no matching link at all is a failed check (the page layout changed), not
silence; a landing page absent from a partial mirror, or unreachable offline, skips its rules (the
expected conditions of where the refresh runs, as for documents).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

from pipeline.archive import Archive, _atomic_write
from pipeline.fetch import FetchPolicy, FetchResult, fetch_document, is_unreachable
from pipeline.registry import (
    DISCOVERED_NAME,
    Document,
    RegistryError,
    Rule,
    Sources,
    discovered_document,
    read_discovered,
)
from pipeline.registry import sources as registry_sources

# What a match is, relative to the registry.
NEW = "new"  # no registry entry names it: written to discovered.json by this run
DISCOVERED = "discovered"  # found by an earlier run, already in discovered.json
CONFIRMS = "confirms"  # a hand-written entry names it, with the same URL
CONTRADICTS = "contradicts"  # a hand-written entry names it with another URL (it still wins)


# -- links of a page ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Link:
    url: str  # absolute, without fragment
    text: str  # anchor text, white-space collapsed


class _Anchors(HTMLParser):
    def __init__(self, base: str):
        super().__init__(convert_charrefs=True)
        self.base = base
        self.links: list[Link] = []
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "base" and attrs.get("href") and not self.links and not self._open:
            self.base = urljoin(self.base, attrs["href"])
        elif tag == "a" and attrs.get("href"):
            self._open.append((attrs["href"], [attrs.get("title") or ""]))
        elif tag == "img" and self._open:
            self._open[-1][1].append(attrs.get("alt") or "")

    def handle_data(self, data):
        for _, text in self._open:
            text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            self._close()

    def _close(self):
        href, text = self._open.pop()
        url = urldefrag(urljoin(self.base, href.strip()))[0]
        self.links.append(Link(url, " ".join(" ".join(text).split())))

    def close(self):
        super().close()
        while self._open:  # an <a> never closed still counts
            self._close()


def page_links(html: bytes | str, base_url: str) -> list[Link]:
    """Every ``<a href>`` of a page, resolved against the page's URL (or its ``<base>``)."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    parser = _Anchors(base_url)
    parser.feed(text)
    parser.close()
    return parser.links


# -- applying the rules (pure) -------------------------------------------------------------------------
@dataclass(frozen=True)
class Match:
    rule: str
    id: str  # registry id (after the rule's aliases)
    url: str
    text: str
    period: str
    title: str
    status: str = NEW  # new | discovered | confirms | contradicts
    registry_url: str = ""  # for confirms / contradicts: the hand-written URL
    registry_url_is_guess: bool = False


@dataclass
class RuleResult:
    """One rule's check: what it found on its landing page, and what is wrong, if anything."""

    rule: str
    landing_id: str
    landing_url: str
    links_matched: int = 0
    matches: list[Match] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # links that matched but cannot be documents
    problem: str = ""
    skipped: str = ""  # why the rule was not evaluated (landing page not in mirror, no network)
    landing_sha256: str = ""
    landing_retrieved_at: str = ""

    @property
    def status(self) -> str:
        return "skipped" if self.skipped else ("failed" if self.problem else "ok")

    @property
    def passed(self) -> bool:
        return not self.problem

    @property
    def documents(self) -> list[str]:
        return [m.id for m in self.matches]


@dataclass(frozen=True)
class LandingPage:
    """What discovery knows of one landing page: its newest archived bytes, or why there are none."""

    id: str
    url: str
    html: bytes | None = None
    sha256: str = ""
    retrieved_at: str = ""
    problem: str = ""  # could not be retrieved (and no archived copy): the rules fail
    skipped: str = ""  # expected absence (not in mirror, no network): the rules are skipped


def _values(rule: Rule, groups: dict[str, str]) -> dict[str, str]:
    values = {k: v for k, v in groups.items() if v is not None}
    if "yy" in values and "year" not in values:
        values["year"] = str(2000 + int(values["yy"]))
    values["period"] = rule.period.format(**values)
    return values


def match_link(rule: Rule, link: Link) -> dict[str, str] | None:
    """The named groups of a link the rule matches, or None."""
    # A query string (``?v=2``, ``?inline``) may or may not be part of what the pattern expects.
    m = rule.link.search(link.url) or rule.link.search(link.url.split("?", 1)[0])
    if m is None:
        return None
    groups = dict(m.groupdict())
    if rule.text is not None:
        t = rule.text.search(link.text)
        if t is None:
            return None
        groups.update({k: v for k, v in t.groupdict().items() if v is not None})
    return groups


def apply_rule(rule: Rule, landing: LandingPage, sources: Sources, known: set[str]) -> RuleResult:
    """One rule on one landing page. ``known``: ids already in discovered.json."""
    result = RuleResult(
        rule.name,
        landing.id,
        landing.url,
        landing_sha256=landing.sha256,
        landing_retrieved_at=landing.retrieved_at,
    )
    if landing.skipped:
        result.skipped = landing.skipped
        return result
    if landing.html is None:
        result.problem = landing.problem or f"landing page {landing.url} has no archived copy"
        return result
    series = sources.series[rule.series]
    hand_written = {d.id: d for d in sources.documents}
    aliases = dict(rule.aliases)
    seen: dict[str, Match] = {}
    for link in page_links(landing.html, landing.url):
        groups = match_link(rule, link)
        if groups is None:
            continue
        result.links_matched += 1
        try:
            values = _values(rule, groups)
            made = (rule.id or series.get("id", "")).format(**values)
            title = (rule.title or series.get("title", "") or link.text).format(**values)
        except (KeyError, ValueError, IndexError) as exc:
            result.refused.append(f"{link.url}: cannot make an id ({exc})")
            continue
        doc_id = aliases.get(made, made)
        if doc_id in seen:
            if seen[doc_id].url != link.url:
                result.refused.append(
                    f"{link.url}: also makes {doc_id}, already taken by {seen[doc_id].url}"
                )
            continue
        match = Match(rule.name, doc_id, link.url, link.text, values["period"], title)
        if doc_id in hand_written:
            d = hand_written[doc_id]
            status = CONFIRMS if d.url == link.url else CONTRADICTS
            match = _with(match, status=status, registry_url=d.url, url_is_guess=d.url_is_guess)
        else:
            problem = _refusal(match, rule, sources)
            if problem:
                result.refused.append(f"{link.url}: {problem}")
                continue
            match = _with(match, status=DISCOVERED if doc_id in known else NEW)
        seen[doc_id] = match
    result.matches = list(seen.values())
    if result.links_matched == 0:
        text = f" with link text matching {rule.text.pattern!r}" if rule.text else ""
        result.problem = (
            f"rule {rule.name}: no link on {landing.url} matches {rule.link.pattern!r}{text} "
            "(has the page layout changed?)"
        )
    return result


def _with(m: Match, *, status: str, registry_url: str = "", url_is_guess: bool = False) -> Match:
    return Match(m.rule, m.id, m.url, m.text, m.period, m.title, status, registry_url, url_is_guess)


def _refusal(match: Match, rule: Rule, sources: Sources) -> str:
    """Why a match cannot become a registry entry ("" when it can)."""
    u = urlparse(match.url)
    if u.scheme != "https":
        return "only https links become documents"
    try:
        discovered_document(_entry(match, rule, None), sources, set())
    except RegistryError as exc:
        return str(exc)
    return ""


def evaluate(
    sources: Sources, pages: dict[str, LandingPage], known: set[str] = frozenset()
) -> list[RuleResult]:
    """Every rule's result, given the landing pages (by document id). Pure: no I/O."""
    out = []
    for rule in sources.rules:
        landing = pages.get(rule.landing) or LandingPage(
            rule.landing, sources.by_id(rule.landing).url, problem="landing page not read"
        )
        out.append(apply_rule(rule, landing, sources, set(known)))
    return out


# -- the discovered-documents file ---------------------------------------------------------------------
def _entry(match: Match, rule: Rule, landing: RuleResult | None) -> dict:
    entry = {
        "id": match.id,
        "series": rule.series,
        "period": match.period,
        "url": match.url,
        "title": match.title,
        "rule": rule.name,
        "link_text": match.text,
    }
    if landing is not None:
        entry.update(
            landing_page=landing.landing_url,
            landing_document=landing.landing_id,
            landing_sha256=landing.landing_sha256,
            first_seen=landing.landing_retrieved_at,
        )
    return entry


def merge(existing: list[dict], results: list[RuleResult], sources: Sources) -> list[dict]:
    """discovered.json after this run: entries found now added (or their URL updated when the
    publisher moved the file), every earlier entry kept. Sorted by id, so the file is stable."""
    rules = {r.name: r for r in sources.rules}
    by_id = {e["id"]: dict(e) for e in existing}
    for result in results:
        for m in result.matches:
            if m.status not in (NEW, DISCOVERED):
                continue
            entry = _entry(m, rules[m.rule], result)
            if m.id in by_id:
                old = by_id[m.id]
                if old.get("url") != m.url:
                    old.setdefault("previous_urls", []).append(old.get("url", ""))
                    old.update(url=m.url, link_text=m.text, landing_sha256=result.landing_sha256)
                continue
            by_id[m.id] = entry
    return [by_id[k] for k in sorted(by_id)]


def write_discovered(path: Path, entries: list[dict]) -> bool:
    """Write the file when its content changes; True if it did."""
    text = json.dumps({"documents": entries}, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if path.is_file() and path.read_text("utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, text.encode("utf-8"))
    return True


# -- a discovery run -----------------------------------------------------------------------------------
@dataclass
class DiscoveryReport:
    results: list[RuleResult]
    landing_fetches: list[FetchResult]
    new: list[Match]  # documents first found by this run
    moved: list[tuple[str, str, str]]  # (id, old url, new url) of documents found before
    path: Path
    written: bool

    @property
    def failed(self) -> list[RuleResult]:
        return [r for r in self.results if r.problem]

    @property
    def contradicted(self) -> list[Match]:
        return [m for r in self.results for m in r.matches if m.status == CONTRADICTS]

    @property
    def problems(self) -> list[str]:
        return [r.problem for r in self.failed]


def _expected_absence(reason: str, via: str) -> str:
    if reason.startswith("not in mirror") or (via == "mirror" and reason.startswith("HTTP 404")):
        return "landing page not in mirror"
    if is_unreachable(reason):
        return f"no network ({reason})"
    return ""


def read_landing(doc: Document, archive: Archive, fetched: FetchResult | None) -> LandingPage:
    """The landing page as discovery sees it: its newest archived copy (the one just fetched, or an
    earlier one when the retrieval failed)."""
    latest = archive.latest(doc.id)
    if latest is None:
        versions = archive.versions(doc.id)  # a page known only from a web-archive capture
        latest = versions[-1] if versions else None
    if latest is not None:
        return LandingPage(
            doc.id, doc.url, latest.path.read_bytes(), latest.sha256, latest.last_retrieved_at
        )
    if fetched is None:
        return LandingPage(doc.id, doc.url, skipped="landing page not retrieved")
    absence = _expected_absence(fetched.reason, fetched.via)
    if absence:
        return LandingPage(doc.id, doc.url, skipped=absence)
    return LandingPage(
        doc.id,
        doc.url,
        problem=f"landing page {doc.url} could not be retrieved: {fetched.reason}",
    )


def run(
    archive: Archive | None = None,
    *,
    sources: Sources | None = None,
    policy: FetchPolicy | None = None,
    mirror: str | None = None,
    session=None,
    fetch: bool = True,
    path: Path | None = None,
) -> DiscoveryReport:
    """Archive the landing pages (unless ``fetch`` is False), apply every rule, record what was found
    in ``path`` (default ``<archive root>/discovered.json``). Never raises for a failed page."""
    archive = archive or Archive()
    sources = sources or registry_sources()
    path = path or archive.root / DISCOVERED_NAME
    existing = read_discovered(path)
    known = {e["id"] for e in existing}
    pages, fetches = {}, []
    for landing_id in dict.fromkeys(r.landing for r in sources.rules):
        doc = sources.by_id(landing_id)
        result = None
        if fetch:
            result = fetch_document(doc, archive, policy=policy, mirror=mirror, session=session)
            fetches.append(result)
        pages[landing_id] = read_landing(doc, archive, result)
    results = evaluate(sources, pages, known)
    entries = merge(existing, results, sources)
    old_urls = {e["id"]: e.get("url") for e in existing}
    new = [m for r in results for m in r.matches if m.status == NEW]
    moved = [
        (m.id, old_urls[m.id], m.url)
        for r in results
        for m in r.matches
        if m.status == DISCOVERED and old_urls.get(m.id) != m.url
    ]
    written = write_discovered(path, entries)
    return DiscoveryReport(results, fetches, new, moved, path, written)


# -- what a person reads ----------------------------------------------------------------------------
def summary_lines(report: DiscoveryReport) -> list[str]:
    """Lines for the refresh summary: what was found, by which rule and link; what failed."""
    lines = []
    for m in report.new:
        lines.append(f"  {'discovered':<13} {m.id}: rule {m.rule}, link {m.url}")
    for doc_id, old, new in report.moved:
        lines.append(f"  {'moved':<13} {doc_id}: {old} -> {new}")
    for m in report.contradicted:
        what = "guessed URL" if m.registry_url_is_guess else "URL"
        lines.append(
            f"  {'contradicted':<13} {m.id}: registry {what} {m.registry_url}, but the landing "
            f"page links {m.url} (rule {m.rule}; the registry entry is kept)"
        )
    for r in report.results:
        if r.problem:
            lines.append(f"  {'RULE FAILED':<13} {r.rule}: {r.problem}")
        elif r.skipped:
            lines.append(f"  {'rule skipped':<13} {r.rule}: {r.skipped} ({r.landing_url})")
        for refused in r.refused:
            lines.append(f"  {'refused link':<13} {r.rule}: {refused}")
    counts = {s: sum(r.status == s for r in report.results) for s in ("ok", "failed", "skipped")}
    lines.append(
        f"discovery: {len(report.results)} rules ({counts['ok']} ok, {counts['failed']} failed, "
        f"{counts['skipped']} skipped), {sum(r.links_matched for r in report.results)} links "
        f"matched, {len(report.new)} new documents, {len(report.contradicted)} registry URLs "
        "contradicted"
    )
    return lines


def rule_table(results: list[RuleResult]) -> list[dict]:
    """One row per rule, for asset metadata."""
    return [
        {
            "rule": r.rule,
            "status": r.status,
            "landing_page": r.landing_url,
            "links_matched": r.links_matched,
            "documents": ", ".join(r.documents),
            "problem": r.problem or r.skipped,
        }
        for r in results
    ]
