"""Figure verification for outcome tables: each figure's ``evidence`` text must be on the cited page.

Outcome figures are read from prose, so a parser bug could invent a number. This check re-reads the
archived document independently of the parser and fails any row whose quoted span is not on its page.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from pipeline.archive import Archive
from pipeline.doctext import document_pages, normalize
from pipeline.registry import by_id


@lru_cache(maxsize=64)
def _pages(path: Path, fmt: str) -> tuple[str, ...]:
    return tuple(normalize(t) for t in document_pages(path, fmt))


def _version_path(archive: Archive, document_id: str, capture: str | None) -> Path | None:
    versions = archive.versions(document_id)
    if capture:
        hits = [v for v in versions if v.capture_timestamp == capture]
        return hits[-1].path if hits else None
    latest = archive.latest(document_id)
    return latest.path if latest else None


def unverified_rows(
    df: pd.DataFrame, archive: Archive | None = None, paths: dict | None = None
) -> list[dict]:
    """Rows whose evidence is not on the cited page. ``paths`` maps (document_id, capture or None) to
    the copy the rows were read from (see ``build.evidence_paths``): when the newest copy failed to
    parse and an earlier one supplies the rows, the earlier one is what must hold the evidence."""
    archive = archive or Archive()
    problems = []
    for i, row in df.iterrows():
        capture = row.get("capture_timestamp") if "capture_timestamp" in df.columns else None
        capture = capture if isinstance(capture, str) and capture else None
        doc = by_id(row["document_id"])
        if paths is not None:
            path = paths.get((row["document_id"], capture))
        else:
            path = _version_path(archive, row["document_id"], capture)
        if path is None:
            problems.append(
                {"row": i, "document_id": row["document_id"], "problem": "no archived copy"}
            )
            continue
        pages = _pages(path, doc.format)
        page = row.get("page")
        evidence = normalize(str(row["evidence"]))
        if pd.isna(page) or not (1 <= int(page) <= len(pages)):
            problems.append(
                {
                    "row": i,
                    "document_id": row["document_id"],
                    "page": page,
                    "problem": "page out of range",
                }
            )
        elif evidence not in pages[int(page) - 1]:
            problems.append(
                {
                    "row": i,
                    "document_id": row["document_id"],
                    "page": int(page),
                    "evidence": evidence,
                    "problem": "evidence not found on the cited page",
                }
            )
    return problems
