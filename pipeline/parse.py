"""Parse one archived copy of one document, on its own, cached by (sha256, parser code version).

The unit of failure is one copy of one document (DESIGN.md, "Isolation"): a copy that cannot be read, or
whose layout its parser does not know, becomes a ``failed`` :class:`CopyParse` naming document, page and
what was expected, and never an exception that stops other documents. :func:`parse_document` picks the
copies whose rows a table uses: the newest live copy, or, when that one fails, the newest earlier copy
that parses (last known good, so a newer unreadable copy never removes published rows); plus every
web-archive capture of a page that is overwritten each year.

Each copy is parsed in a child process under hard limits (pages, memory, CPU time, wall clock, bytes
inflated per stream; :mod:`pipeline.sandbox`): a copy that breaks one fails on its own with a message naming
the limit, and the run goes on.

Results are cached under ``<raw>/.parse-cache`` (``PIPELINE_PARSE_CACHE``) by the copy's sha256, the
parser's code version, the registry entry and the parse limits, so an unchanged document is parsed once; a
cache entry that fails to load is ignored and rebuilt. A copy killed on the wall clock is not cached.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from pipeline import sandbox
from pipeline.archive import Archive, ArchivedVersion
from pipeline.parsers.base import ParseError, Skipped, as_result
from pipeline.pdfinfo import count_pages, declared_pages, page_count
from pipeline.registry import Document
from pipeline.wayback import wants_captures

# Which published tables each parser contributes to, so Dagster can wire table assets to document
# assets without running anything. A parser returning any other table is a bug and fails its document.
PARSER_TABLES: dict[str, tuple[str, ...]] = {
    "ncmec_esp": ("cybertipline_reports_by_esp", "cybertipline_reports_by_year"),
    "ncmec_country": ("cybertipline_reports_by_country", "cybertipline_reports_by_year"),
    "ncmec_transparency": (
        "cybertipline_reports_by_year",
        "cybertipline_reports_to_law_enforcement",
        "cybertipline_law_enforcement_feedback",
    ),
    "icac": ("icac_task_force_activity",),
    "ussc_quick_facts": ("federal_sentencing",),
    "bjs": ("federal_prosecutions",),
}

PACKAGE = Path(__file__).resolve().parent
# Modules every parser's output depends on besides its own file: a change to any of them is a new
# code version for every parser.
SHARED_PARSER_CODE = (
    "parsers/base.py",
    "parsers/prose.py",
    "doctext.py",
    "countries.py",
    "parse.py",
    "sandbox.py",
    "pdfinfo.py",
)
# Bumped by hand when the cached object's shape changes in a way the code hash would not show.
CACHE_FORMAT = "1"

PARSED, FAILED, SUPERSEDED = "parsed", "failed", "superseded"


@dataclass
class CopyParse:
    """What one parser made of one archived copy."""

    document_id: str
    sha256: str
    capture_timestamp: str
    status: str  # parsed | failed
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    error_page: int | None = None
    error_expected: str = ""
    pages: int | None = None
    code_version: str = ""

    @property
    def ok(self) -> bool:
        return self.status == PARSED

    def rows(self) -> dict[str, int]:
        return {name: len(df) for name, df in self.tables.items()}

    def tables_with_rows(self) -> list[str]:
        return sorted(name for name, df in self.tables.items() if len(df))


@dataclass
class DocumentParse:
    """Every archived copy of one document and what became of it, plus the copies the tables use."""

    document: Document
    copies: list[tuple[ArchivedVersion, CopyParse | None]]  # None: superseded, not parsed
    used: list[CopyParse]

    @property
    def newest_failed(self) -> CopyParse | None:
        """The newest live copy's parse when it failed (the rows then come from an earlier copy)."""
        live = [(v, p) for v, p in self.copies if v.seen_live]
        if live and live[-1][1] is not None and not live[-1][1].ok:
            return live[-1][1]
        return None

    @property
    def failures(self) -> list[CopyParse]:
        return [p for _, p in self.copies if p is not None and not p.ok]

    def status_of(self, sha256: str) -> CopyParse | None:
        return next((p for v, p in self.copies if v.sha256 == sha256), None)


# -- code version and cache ---------------------------------------------------------------------------
@cache
def code_version(parser: str) -> str:
    """Hash of the parser's module and the helpers it relies on (Dagster ``code_version`` too)."""
    h = hashlib.sha256(CACHE_FORMAT.encode())
    for rel in (f"parsers/{parser}.py", *SHARED_PARSER_CODE):
        h.update(rel.encode())
        h.update((PACKAGE / rel).read_bytes())
    return h.hexdigest()[:16]


def _entry_key(doc: Document) -> str:
    """The registry fields a parser may read (period, title, ...): a changed entry is a new parse. So
    are changed parse limits: a copy refused under one limit may parse under a higher one."""
    key = repr(doc) + sandbox.Limits.from_env().cache_key
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def default_cache_dir(archive: Archive) -> Path:
    return Path(os.environ.get("PIPELINE_PARSE_CACHE") or archive.root / ".parse-cache")


class ParseCache:
    """Pickled :class:`CopyParse` objects, one file per key, written atomically."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, doc: Document, version: ArchivedVersion) -> Path:
        key = f"{version.sha256}-{code_version(doc.parser)}-{_entry_key(doc)}"
        return self.root / doc.id / f"{key}.pickle"

    def load(self, doc: Document, version: ArchivedVersion) -> CopyParse | None:
        path = self.path(doc, version)
        try:
            with open(path, "rb") as fh:
                obj = pickle.load(fh)
        except FileNotFoundError:
            return None
        except Exception:  # a damaged or foreign entry is a miss, rebuilt below
            return None
        return obj if isinstance(obj, CopyParse) else None

    def store(self, doc: Document, version: ArchivedVersion, result: CopyParse) -> None:
        path = self.path(doc, version)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only or full cache only costs a re-parse next time


# -- parsing ------------------------------------------------------------------------------------------
def _failed(doc: Document, version: ArchivedVersion, **fields) -> CopyParse:
    return CopyParse(
        document_id=doc.id,
        sha256=version.sha256,
        capture_timestamp=version.capture_timestamp,
        status=FAILED,
        code_version=code_version(doc.parser),
        **fields,
    )


def _parse_in_child(doc: Document, version: ArchivedVersion, max_pages: int) -> CopyParse:
    """The parse proper, run by :func:`_run_parser` in a sandboxed child process."""
    base = _failed(doc, version)  # until the parser succeeds
    if doc.format == "pdf":
        try:
            base.pages = count_pages(version.path, stop_after=max_pages)
        except Exception as exc:  # noqa: BLE001 - unreadable: the parser below says how
            sandbox.reraise_limit(exc)
        if base.pages is not None and base.pages > max_pages:
            declared = _declared_pages(version.path)
            found = (
                f"{declared:,} pages" if declared > max_pages else f"more than {max_pages:,} pages"
            )
            base.pages = None  # not counted to the end
            base.error = f"{doc.id}, page -: refused: over the {max_pages:,}-page limit ({found})"
            base.error_expected = sandbox.Limits(max_pages=max_pages).expected("pages")
            return base
    module = importlib.import_module(f"pipeline.parsers.{doc.parser}")
    try:
        result = as_result(module.parse(version.path, doc))
    except ParseError as exc:
        sandbox.reraise_limit(exc)
        base.error, base.error_page, base.error_expected = str(exc), exc.page, exc.expected
        return base
    except Exception as exc:  # noqa: BLE001 - untrusted bytes: any crash is this copy's failure
        sandbox.reraise_limit(exc)
        first = (str(exc).splitlines() or [""])[0][:200]
        base.error = f"{doc.id}, page -: unreadable ({type(exc).__name__}: {first})"
        base.error_expected = "a document the PDF library can read"
        return base
    undeclared = sorted(set(result.tables) - set(PARSER_TABLES[doc.parser]))
    if undeclared:
        base.error = (
            f"{doc.id}, page -: parser {doc.parser} returned undeclared tables {undeclared}"
        )
        base.error_expected = f"only the tables in PARSER_TABLES[{doc.parser!r}]"
        return base
    base.status = PARSED
    base.tables = {name: df.reset_index(drop=True) for name, df in result.tables.items()}
    base.skipped = list(result.skipped)
    base.warnings = list(result.warnings)
    return base


def _declared_pages(path: Path) -> int:
    try:
        return declared_pages(path) or 0
    except Exception:  # noqa: BLE001 - only for the message
        return 0


def _parse_sandboxed(doc: Document, version: ArchivedVersion) -> tuple[CopyParse, bool]:
    """The copy's parse and whether it may be cached: every outcome is, but those that depend on the
    machine more than on the bytes (killed on the wall clock, or by the system). A wall-clock kill
    means the child was blocked or starved, not computing (the CPU limit stops a computing one): on a
    loaded machine the next run may well finish, so it is tried again rather than remembered."""
    limits = sandbox.Limits.from_env()
    # Imported here too, so a forked child starts with it (a forkserver child has it preloaded).
    importlib.import_module(f"pipeline.parsers.{doc.parser}")
    outcome = sandbox.run(_parse_in_child, doc, version, limits.max_pages, limits=limits)
    if outcome.ok:
        return outcome.value, True
    failed = _failed(
        doc,
        version,
        error=f"{doc.id}, page -: {outcome.message}",
        error_expected=outcome.expected or "a parse that completes",
        pages=page_count(version.path) if doc.format == "pdf" else None,
    )
    return failed, outcome.deterministic


def _run_parser(doc: Document, version: ArchivedVersion) -> CopyParse:
    """Parse one copy in a child process under the limits of :mod:`pipeline.sandbox`: a copy that
    breaks one fails on its own, with a message naming the limit."""
    return _parse_sandboxed(doc, version)[0]


def parse_copy(doc: Document, version: ArchivedVersion, cache: ParseCache | None) -> CopyParse:
    """One copy's parse, from the cache when this copy was parsed by this code before."""
    result = cache.load(doc, version) if cache is not None else None
    if result is None:
        result, cacheable = _parse_sandboxed(doc, version)
        if cache is not None and cacheable:
            cache.store(doc, version, result)
    # The capture time of these bytes may be learnt after they were parsed: stamp it on the way out.
    result.capture_timestamp = version.capture_timestamp
    result.tables = {
        name: df.assign(capture_timestamp=version.capture_timestamp or None)
        if "capture_timestamp" in df.columns
        else df
        for name, df in result.tables.items()
    }
    return result


def parse_document(
    doc: Document, archive: Archive | None = None, cache: ParseCache | None | bool = True
) -> DocumentParse:
    """Parse what the tables need of one document; see the module docstring for which copies."""
    archive = archive or Archive()
    if cache is True:
        cache = ParseCache(default_cache_dir(archive))
    elif cache is False:
        cache = None
    versions = archive.versions(doc.id)
    results: dict[str, CopyParse | None] = {v.sha256: None for v in versions}
    used: list[CopyParse] = []
    live = [v for v in versions if v.seen_live]
    newest = live[-1] if live else None
    captures = [v for v in versions if v.capture_timestamp and v is not newest]
    # Web-archive captures of a page overwritten each year (wants_captures) are each a year of
    # history: every one is parsed and used (the newest live copy is the current page, below).
    history = captures if wants_captures(doc) else []
    for v in history:
        results[v.sha256] = parse_copy(doc, v, cache)
        if results[v.sha256].ok:
            used.append(results[v.sha256])
    # The current document: newest live copy first, walking back to the last copy known to parse. For
    # any other document a capture only stands in while the origin never served a copy (web-archive
    # fallback), and never beside the origin's bytes, which would count the edition twice.
    current = [v for v in live if v not in history] or ([] if history else captures)
    for v in reversed(current):
        results[v.sha256] = parse_copy(doc, v, cache)
        if results[v.sha256].ok:
            used.append(results[v.sha256])
            break
    return DocumentParse(doc, [(v, results[v.sha256]) for v in versions], used)


# -- parsing several documents on both cores ----------------------------------------------------------
def _needs_parse(doc: Document, archive: Archive, cache: ParseCache) -> bool:
    return any(not cache.path(doc, v).exists() for v in archive.versions(doc.id))


def _warm(args: tuple[str, str, str]) -> str:
    raw_root, cache_root, doc_id = args
    from pipeline.registry import by_id

    parse_document(by_id(doc_id), Archive(raw_root), ParseCache(Path(cache_root)))
    return doc_id


def warm_cache(docs: list[Document], archive: Archive, workers: int = 2) -> list[str]:
    """Parse, in ``workers`` processes, the documents whose copies are not in the cache yet, so the
    per-document Dagster steps that follow (run one after another, in process) are cache hits. Returns
    the ids parsed. pdfminer is pure Python: threads would not use the second core."""
    import threading
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    cache = ParseCache(default_cache_dir(archive))
    todo = [d for d in docs if _needs_parse(d, archive, cache)]
    if len(todo) < 2 or workers < 2:
        return [d.id for d in todo]  # not worth a process: the Dagster step parses it
    # Forking a process that runs other threads can deadlock on a lock held at fork time.
    context = get_context("fork" if threading.active_count() == 1 else "spawn")
    # Longest first (the transparency report), so both workers finish together.
    todo.sort(key=lambda d: -max(v.bytes for v in archive.versions(d.id)))
    args = [(str(archive.root), str(cache.root), d.id) for d in todo]
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_warm, args))
