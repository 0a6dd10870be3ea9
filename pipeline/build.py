"""From per-document parses to assembled tables: plain functions, callable without Dagster.

``document_parses`` parses every archived document on its own (:mod:`pipeline.parse`); ``build_table``
concatenates the rows the documents' used copies contribute to one published table and orders them
deterministically; ``documents_table`` describes every archived copy with its parse status.
``build_all`` chains them for scripts, tests and benchmarks.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import schemas
from pipeline.archive import Archive, ArchivedVersion
from pipeline.caveats import DERIVED_COLUMNS, apply_caveats
from pipeline.parse import (
    FAILED,
    PARSED,
    PARSER_TABLES,
    SUPERSEDED,
    DocumentParse,
    ParseCache,
    default_cache_dir,
    parse_document,
)
from pipeline.pdfinfo import page_count
from pipeline.registry import Document, registry

__all__ = [
    "PARSER_TABLES",
    "assemble",
    "build_all",
    "build_table",
    "document_parses",
    "documents_for_table",
    "documents_table",
    "evidence_paths",
    "is_known_real",
    "parser_families",
]

# Row order within a published table: by period, then document, keeping each document's own order.
SORT_KEYS = ("calendar_year", "fiscal_year", "document_id", "capture_timestamp")
PUBLISHED_TABLES = [t for t in schemas.TABLES if t != "documents"]


def parser_families(family: str | None = None) -> list[str]:
    names = sorted(
        {d.parser for d in registry() if d.parser and (family is None or d.family == family)}
    )
    unknown = [n for n in names if n not in PARSER_TABLES]
    if unknown:
        raise KeyError(
            f"registry names parsers with no table mapping in parse.PARSER_TABLES: {unknown}"
        )
    return names


def parsed_documents() -> list[Document]:
    """Registered documents that have a parser (the others are archived only)."""
    parser_families()  # fail early on a parser with no table mapping
    return [d for d in registry() if d.parser]


def documents_for_table(table: str) -> list[Document]:
    return [d for d in parsed_documents() if table in PARSER_TABLES[d.parser]]


def document_parses(
    archive: Archive | None = None,
    cache: ParseCache | None | bool = True,
    docs: list[Document] | None = None,
) -> dict[str, DocumentParse]:
    """Every document with a parser (or those in ``docs``) and at least one archived copy, parsed
    copy by copy."""
    archive = archive or Archive()
    if cache is True:
        cache = ParseCache(default_cache_dir(archive))
    out = {}
    for doc in parsed_documents() if docs is None else docs:
        if archive.versions(doc.id):
            out[doc.id] = parse_document(doc, archive, cache or None)
    return out


def _concat(table: str, parts: list[pd.DataFrame]) -> pd.DataFrame:
    columns = list(schemas.TABLES[table].to_schema().columns)
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=columns)
    derived = DERIVED_COLUMNS.get(table, ())  # added by apply_caveats, never by parsers
    return pd.concat(parts, ignore_index=True)[[c for c in columns if c not in derived]]


def assemble(table: str, parts: list[pd.DataFrame]) -> pd.DataFrame:
    """One published table from the parts parsers produced, with caveats and a stable row order."""
    df = _concat(table, parts)
    df = apply_caveats(table, df)
    keys = [k for k in SORT_KEYS if k in df.columns]
    if keys and len(df):
        df = df.sort_values(keys, kind="stable", na_position="first")
    return df.reset_index(drop=True)


def table_sources(table: str, parses: dict[str, DocumentParse]) -> list:
    """The used copies that contribute rows to ``table``, in registry order."""
    return [
        p
        for doc in documents_for_table(table)
        if doc.id in parses
        for p in parses[doc.id].used
        if table in p.tables
    ]


def build_table(table: str, parses: dict[str, DocumentParse]) -> pd.DataFrame | None:
    """The table from every document's used copies; None when no document has a usable copy (then
    nothing is published and the previous release of the table stands)."""
    sources = table_sources(table, parses)
    if not sources:
        return None
    return assemble(table, [p.tables[table] for p in sources])


def evidence_paths(parses: dict[str, DocumentParse], archive: Archive) -> dict:
    """(document_id, capture_timestamp or None) -> path of the copy its rows were read from, so the
    evidence check re-reads exactly that copy (not a newer one that failed to parse)."""
    out: dict[tuple[str, str | None], Path] = {}
    for doc_id, dp in parses.items():
        paths = {v.sha256: v.path for v, _ in dp.copies}
        for p in dp.used:
            out[(doc_id, p.capture_timestamp or None)] = paths[p.sha256]
            # Rows of a live copy seen also as a capture carry its capture time; either key finds it.
            out.setdefault((doc_id, None), paths[p.sha256])
    return out


def _status(doc: Document, dp: DocumentParse | None, v: ArchivedVersion):
    if not doc.parser:
        return "archived_only", None, None
    p = dp.status_of(v.sha256) if dp else None
    if p is None:
        return SUPERSEDED, None, None
    return (PARSED if p.ok else FAILED), (p.error or None), p


def documents_table(
    archive: Archive | None = None, parses: dict[str, DocumentParse] | None = None
) -> pd.DataFrame:
    """Every archived copy of every registered document: provenance, parse status and which tables
    use its rows (``used_in_tables``; publish merges it with what is already published)."""
    archive = archive or Archive()
    parses = document_parses(archive) if parses is None else parses
    rows = []
    for doc in registry():
        dp = parses.get(doc.id)
        used = {p.sha256: p for p in dp.used} if dp else {}
        for v in archive.versions(doc.id):
            status, error, p = _status(doc, dp, v)
            tables = used[v.sha256].tables_with_rows() if v.sha256 in used else []
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
                    "pages": p.pages
                    if p is not None
                    else (page_count(v.path) if doc.format == "pdf" else None),
                    "is_parsed": bool(tables),
                    "parser": doc.parser or None,
                    "parser_verified": bool(doc.parser) and is_known_real(doc, v),
                    "capture_timestamp": v.capture_timestamp or None,
                    "parse_status": status,
                    "parse_error": error,
                    "used_in_tables": ";".join(tables) or None,
                }
            )
    df = pd.DataFrame(rows, columns=list(schemas.TABLES["documents"].to_schema().columns))
    df["pages"] = df["pages"].astype("Int64")
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


def build_all(
    archive: Archive | None = None, cache: ParseCache | None | bool = True
) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Parse every document and assemble every table that has rows. Returns (tables, failures by
    document id: the newest failing copy's error)."""
    archive = archive or Archive()
    parses = document_parses(archive, cache)
    tables = {}
    for name in PUBLISHED_TABLES:
        df = build_table(name, parses)
        if df is not None:
            tables[name] = df
    tables["documents"] = documents_table(archive, parses)
    failures = {d: dp.failures[-1].error for d, dp in parses.items() if dp.failures}
    return tables, failures
