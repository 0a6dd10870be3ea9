"""What changed since the last build: data versions for documents and tables, compared with what the
Dagster instance recorded, so a refresh (or a sensor) runs only the steps whose inputs changed.

A document's data version is its parser's code version plus the sha256 (and capture time) of every
archived copy: new bytes, a new capture or a changed parser make it stale. A table's data version is the
code version of the build (assembly, checks, schemas, publishing) plus the data versions of its
documents. Both are recorded on materializations (``parsed_<id>`` and ``published_<table>``); a step that
failed records nothing, so it is tried again next time.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import dagster as dg

from pipeline.archive import Archive
from pipeline.build import PUBLISHED_TABLES, documents_for_table, parsed_documents
from pipeline.parse import code_version
from pipeline.registry import Document, registry

PACKAGE = Path(__file__).resolve().parent
# Code whose change alters a published file although no parse changed.
BUILD_CODE = (
    "build.py",
    "caveats.py",
    "reconcile.py",
    "evidence.py",
    "labels.py",
    "esp_names.py",
    "changes_report.py",
    "countries.py",
    "publish.py",
    "metadata.py",
    "defs/tables.py",
    "defs/publish.py",
)


@cache
def build_code_version() -> str:
    h = hashlib.sha256()
    files = [PACKAGE / rel for rel in BUILD_CODE] + sorted(
        (PACKAGE.parent / "schemas").glob("*.py")
    )
    for path in files:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def document_version(doc: Document, archive: Archive) -> str:
    """Parser code plus every archived copy of the document (sha256 and capture time)."""
    h = hashlib.sha256((code_version(doc.parser) if doc.parser else "archived-only").encode())
    for v in archive.versions(doc.id):
        h.update(f"{v.sha256}:{v.capture_timestamp}:{v.seen_live};".encode())
    return h.hexdigest()[:16]


def table_version(table: str, archive: Archive) -> str:
    """Build code plus its documents' versions; plus the archived-only documents, which appear only in
    documents.csv, which every table's publish rewrites."""
    h = hashlib.sha256(build_code_version().encode())
    docs = documents_for_table(table) + [d for d in registry() if not d.parser]
    for doc in docs:
        h.update(f"{doc.id}={document_version(doc, archive)};".encode())
    return h.hexdigest()[:16]


def recorded_version(instance: dg.DagsterInstance, asset: str) -> str | None:
    event = instance.get_latest_materialization_event(dg.AssetKey(asset))
    if event is None or event.asset_materialization is None:
        return None
    return event.asset_materialization.tags.get("dagster/data_version")


def stale_documents(instance: dg.DagsterInstance, archive: Archive) -> list[Document]:
    """Documents with an archived copy whose parse asset has not recorded their current version."""
    return [
        d
        for d in parsed_documents()
        if archive.versions(d.id)
        and recorded_version(instance, f"parsed_{d.id}") != document_version(d, archive)
    ]


def stale_tables(instance: dg.DagsterInstance, archive: Archive) -> list[str]:
    """Tables with at least one archived document whose publish has not recorded their version."""
    return [
        t
        for t in PUBLISHED_TABLES
        if any(archive.versions(d.id) for d in documents_for_table(t))
        and recorded_version(instance, f"published_{t}") != table_version(t, archive)
    ]


def build_selection(tables: list[str]) -> list[dg.AssetKey]:
    """The table assets, their publish steps and the documents table they all need."""
    keys = [dg.AssetKey("documents")]
    for t in tables:
        keys += [dg.AssetKey(t), dg.AssetKey(f"published_{t}")]
    return keys
