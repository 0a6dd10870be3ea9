"""The raw archive: content-addressed document files plus an append-only manifest.

Layout (``PIPELINE_RAW_DIR``, default ``raw/``)::

    raw/manifest.csv                       one line per retrieval attempt, never rewritten
    raw/<document_id>/<sha256>.<ext>       the bytes, written once, never overwritten or deleted

Same bytes again -> no new file. Changed bytes at the same URL -> a new file beside the old one. The
manifest is committed to git (it is the provenance record); the document files are not.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

MANIFEST_FIELDS = [
    "document_id",
    "url",
    "final_url",
    "via",
    "http_status",
    "sha256",
    "bytes",
    "retrieved_at",
    "etag",
    "last_modified",
    "outcome",
    "reason",
    "capture_timestamp",
]
OUTCOMES = ("new", "unchanged", "failed")


def default_raw_dir() -> Path:
    return Path(os.environ.get("PIPELINE_RAW_DIR") or REPO_ROOT / "raw")


@dataclass(frozen=True)
class ArchivedVersion:
    """One distinct byte content archived for a document."""

    document_id: str
    sha256: str
    path: Path
    bytes: int
    url: str
    first_retrieved_at: str
    last_retrieved_at: str
    via: str  # how these bytes were first obtained: origin | mirror
    seen_via: frozenset[str]  # every transport these same bytes have arrived by
    etag: str
    last_modified: str
    capture_timestamp: str  # first web-archive capture (YYYYMMDDhhmmss) of these bytes, "" if none
    seen_live: bool = True  # these bytes were retrieved from the live URL (not only as a capture)


class Archive:
    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else default_raw_dir()
        self.manifest_path = self.root / "manifest.csv"

    # -- files -------------------------------------------------------------------------------------
    def blob_path(self, document_id: str, sha256: str, ext: str) -> Path:
        return self.root / document_id / f"{sha256}.{ext}"

    def temp_file(self, document_id: str) -> tuple[int, Path]:
        """A temp file in the document's folder, so the final rename stays on one filesystem."""
        folder = self.root / document_id
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix=".incoming-", suffix=".part")
        return fd, Path(name)

    def store(self, document_id: str, temp_path: Path, sha256: str, ext: str) -> tuple[Path, bool]:
        """Move a fully written, fsynced temp file into place. Returns (path, was_new).

        If a file with this hash already exists it is left untouched (its bytes are by definition the
        same) and the temp file is discarded.
        """
        final = self.blob_path(document_id, sha256, ext)
        if final.exists():
            temp_path.unlink(missing_ok=True)
            return final, False
        # os.link refuses to replace an existing file, unlike rename: a concurrent writer of the same
        # bytes can never clobber the first copy.
        try:
            os.link(temp_path, final)
        except FileExistsError:
            temp_path.unlink(missing_ok=True)
            return final, False
        temp_path.unlink()
        _fsync_dir(final.parent)
        return final, True

    # -- manifest ----------------------------------------------------------------------------------
    @contextmanager
    def _locked_manifest(self) -> Iterator:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.manifest_path, "a+", newline="", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield fh
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def record(self, entry: dict) -> None:
        """Append one retrieval to the manifest (creating it with a header), flushed and fsynced."""
        unknown = set(entry) - set(MANIFEST_FIELDS)
        if unknown:
            raise ValueError(f"unknown manifest fields: {sorted(unknown)}")
        if entry.get("outcome") not in OUTCOMES:
            raise ValueError(
                f"manifest outcome must be one of {OUTCOMES}: {entry.get('outcome')!r}"
            )
        with self._locked_manifest() as fh:
            fh.seek(0, os.SEEK_END)
            writer = csv.DictWriter(fh, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
            if fh.tell() == 0:
                writer.writeheader()
            row = {k: ("" if entry.get(k) is None else entry.get(k)) for k in MANIFEST_FIELDS}
            # One line per entry keeps the file greppable and append-only.
            row = {k: str(v).replace("\n", " ").replace("\r", " ") for k, v in row.items()}
            writer.writerow(row)
            fh.flush()
            os.fsync(fh.fileno())

    def entries(self, document_id: str | None = None) -> list[dict]:
        if not self.manifest_path.exists():
            return []
        with open(self.manifest_path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        if document_id is not None:
            rows = [r for r in rows if r["document_id"] == document_id]
        return rows

    def versions(self, document_id: str) -> list[ArchivedVersion]:
        """Distinct archived contents of a document whose file is present, oldest first."""
        by_sha: dict[str, list[dict]] = {}
        for row in self.entries(document_id):
            if row["outcome"] in ("new", "unchanged") and row["sha256"]:
                by_sha.setdefault(row["sha256"], []).append(row)
        out = []
        for sha, rows in by_sha.items():
            path = self._find_blob(document_id, sha)
            if path is None:
                continue  # recorded on another machine; the bytes are not here
            live = [r for r in rows if not r.get("capture_timestamp")]
            captures = [r["capture_timestamp"] for r in rows if r.get("capture_timestamp")]
            first, last = rows[0], (live or rows)[-1]
            out.append(
                ArchivedVersion(
                    document_id=document_id,
                    sha256=sha,
                    path=path,
                    bytes=path.stat().st_size,
                    url=first["url"],
                    first_retrieved_at=first["retrieved_at"],
                    last_retrieved_at=last["retrieved_at"],
                    via=first["via"],
                    seen_via=frozenset(r["via"] for r in rows),
                    etag=last["etag"],
                    last_modified=last["last_modified"],
                    capture_timestamp=min(captures) if captures else "",
                    seen_live=bool(live),
                )
            )
        return sorted(out, key=lambda v: (v.last_retrieved_at, v.first_retrieved_at))

    def latest(self, document_id: str) -> ArchivedVersion | None:
        """The most recently retrieved content of the live URL (bytes seen only as captures are
        history, not the current document)."""
        live = [v for v in self.versions(document_id) if v.seen_live]
        return live[-1] if live else None

    def _find_blob(self, document_id: str, sha256: str) -> Path | None:
        folder = self.root / document_id
        if not folder.is_dir():
            return None
        for p in folder.glob(f"{sha256}.*"):
            return p
        return None


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
