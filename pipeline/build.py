"""From archived documents to assembled tables: plain functions, callable without Dagster.

``parse_family`` runs one parser over the archived copies of every document registered for it;
``assemble`` concatenates the parts of one published table and orders its rows deterministically;
``documents_table`` describes every archived version. ``build_all`` chains them for scripts and benchmarks.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import pandas as pd

import schemas
from pipeline.archive import Archive, ArchivedVersion
from pipeline.caveats import apply_caveats
from pipeline.parsers.base import ParseError
from pipeline.pdfinfo import page_count
from pipeline.registry import Document, registry

# Which published tables each parser contributes to, so Dagster can wire table assets to parser assets
# without running anything.
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
# Row order within a published table: by period, then document, keeping each document's own order.
SORT_KEYS = ("calendar_year", "fiscal_year", "document_id", "capture_timestamp")


class FamilyParseError(RuntimeError):
    """One or more documents of a family could not be parsed; lists every one."""

    def __init__(self, parser: str, problems: list[str]):
        self.parser = parser
        self.problems = problems
        super().__init__(
            f"{parser}: {len(problems)} document(s) failed to parse: " + " | ".join(problems)
        )


class NothingArchivedError(RuntimeError):
    """No registered document of a family has an archived copy to parse."""


@dataclass
class FamilyParse:
    parser: str
    tables: dict[str, pd.DataFrame]
    parsed: list[ArchivedVersion] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def row_counts(self) -> dict[str, int]:
        return {name: len(df) for name, df in self.tables.items()}


def parser_families(family: str | None = None) -> list[str]:
    names = sorted(
        {d.parser for d in registry() if d.parser and (family is None or d.family == family)}
    )
    unknown = [n for n in names if n not in PARSER_TABLES]
    if unknown:
        raise KeyError(
            f"registry names parsers with no table mapping in build.PARSER_TABLES: {unknown}"
        )
    return names


def documents_for(parser: str) -> list[Document]:
    return [d for d in registry() if d.parser == parser]


def versions_to_parse(doc: Document, archive: Archive) -> list[ArchivedVersion]:
    """The latest copy; plus every web-archive capture, for pages overwritten each year."""
    latest = archive.latest(doc.id)
    captures = [
        v
        for v in archive.versions(doc.id)
        if v.capture_timestamp and (latest is None or v.sha256 != latest.sha256)
    ]
    return captures + ([latest] if latest else [])


def parse_family(parser: str, archive: Archive | None = None) -> FamilyParse:
    archive = archive or Archive()
    module = importlib.import_module(f"pipeline.parsers.{parser}")
    result = FamilyParse(parser, {name: [] for name in PARSER_TABLES[parser]})
    problems: list[str] = []
    for doc in documents_for(parser):
        versions = versions_to_parse(doc, archive)
        if not versions:
            result.missing.append(doc.id)
            continue
        for version in versions:
            try:
                out = module.parse(version.path, doc)
            except ParseError as exc:
                problems.append(f"{exc} [sha256 {version.sha256[:16]}]")
                continue
            for name, df in out.items():
                if name not in result.tables:
                    raise KeyError(f"parser {parser} returned undeclared table {name}")
                if "capture_timestamp" in df.columns:
                    df = df.assign(capture_timestamp=version.capture_timestamp or None)
                result.tables[name].append(df)
            result.parsed.append(version)
    if problems:
        raise FamilyParseError(parser, problems)
    if not result.parsed:
        raise NothingArchivedError(
            f"{parser}: no archived copy of any registered document to parse "
            f"({', '.join(result.missing)}); see the raw assets for why each download failed"
        )
    result.tables = {name: _concat(name, parts) for name, parts in result.tables.items()}
    return result


def _concat(table: str, parts: list[pd.DataFrame]) -> pd.DataFrame:
    columns = list(schemas.TABLES[table].to_schema().columns)
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def assemble(table: str, parts: list[pd.DataFrame]) -> pd.DataFrame:
    """One published table from the parts parsers produced, with caveats and a stable row order."""
    df = _concat(table, parts)
    df = apply_caveats(table, df)
    keys = [k for k in SORT_KEYS if k in df.columns]
    if keys and len(df):
        df = df.sort_values(keys, kind="stable", na_position="first")
    return df.reset_index(drop=True)


def documents_table(archive: Archive | None = None) -> pd.DataFrame:
    """Every archived version of every registered document, with provenance."""
    archive = archive or Archive()
    rows = []
    for doc in registry():
        parsed = {v.sha256 for v in versions_to_parse(doc, archive)} if doc.parser else set()
        for v in archive.versions(doc.id):
            rows.append(
                {
                    "document_id": doc.id,
                    "family": doc.family,
                    "publisher": doc.publisher,
                    "title": doc.title,
                    "period_type": doc.period_type,
                    "period": doc.period,
                    "url": doc.url,
                    "via": v.via,
                    "retrieved_at": v.first_retrieved_at,
                    "sha256": v.sha256,
                    "bytes": v.bytes,
                    "pages": page_count(v.path) if doc.format == "pdf" else None,
                    "is_parsed": v.sha256 in parsed,
                    "parser": doc.parser or None,
                    "parser_verified": bool(doc.parser) and is_known_real(doc, v),
                    "capture_timestamp": v.capture_timestamp or None,
                }
            )
    df = pd.DataFrame(rows, columns=list(schemas.TABLES["documents"].to_schema().columns))
    return df.sort_values(["document_id", "retrieved_at", "sha256"], kind="stable").reset_index(
        drop=True
    )


def is_known_real(doc: Document, version: ArchivedVersion) -> bool:
    """Bytes known to be the publisher's own: fetched from the publisher's URL at least once, or equal
    to a reference checksum recorded from a copy known to be real. A stand-in placed in a mirror is
    neither, so a parser tested only on stand-ins stays unverified."""
    if "origin" in version.seen_via:
        return True
    return bool(doc.reference_sha256) and version.sha256.startswith(doc.reference_sha256)


def build_all(archive: Archive | None = None) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Parse every family and assemble every table. Returns (tables, failures by parser)."""
    archive = archive or Archive()
    parts: dict[str, list[pd.DataFrame]] = {
        name: [] for name in schemas.TABLES if name != "documents"
    }
    failures: dict[str, str] = {}
    failed_tables: set[str] = set()
    for parser in parser_families():
        try:
            fp = parse_family(parser, archive)
        except (FamilyParseError, NothingArchivedError) as exc:
            failures[parser] = str(exc)
            failed_tables.update(PARSER_TABLES[parser])
            continue
        for name, df in fp.tables.items():
            parts[name].append(df)
    tables = {name: assemble(name, p) for name, p in parts.items() if name not in failed_tables}
    tables["documents"] = documents_table(archive)
    return tables, failures
