"""The raw archive: content-addressed document files, a manifest of versions, a log of attempts.

Layout (``PIPELINE_RAW_DIR``, default ``raw/``)::

    raw/<document_id>/<sha256>.<ext>   the bytes, written once, never overwritten or deleted
    raw/manifest.csv                   committed: one row per version event (below), append-only
    raw/attempts.jsonl                 git-ignored: one JSON line per retrieval attempt
    raw/.manifest.lock                 serialises writers of both

The manifest is the provenance record, so it changes only when the archive learns something about the
documents' bytes; a refresh that finds nothing new leaves it (and ``git status``) untouched. Its rows
are *events*:

``new``      bytes never archived before for this document, from its live URL;
``current``  the live URL serves bytes archived earlier again (a reverted edit, or bytes so far known
             only as a web-archive capture): they are the current document once more;
``capture``  a web-archive capture archived (``capture_timestamp``), whether or not its bytes are new;
``via``      the current bytes obtained for the first time through another transport (``origin`` after
             ``mirror``): "fetched from the publisher at least once" decides ``parser_verified``, so it
             must survive a lost attempts log.

Everything else about a retrieval (unchanged and failed attempts, reasons, HTTP status, the freshest
ETag / Last-Modified) goes to the attempts log. It is a cache as far as correctness goes: without it
the next conditional GET falls back to the validators of the manifest row, which at worst makes the
server send the body again (same sha256, so "unchanged"); it can never change what ``versions()`` says.

The manifest is read strictly and line by line (one row is one line: values never contain a newline), so
one damaged row is reported with its line number and cannot swallow the rows after it.
``python -m pipeline.archive verify`` checks every version against its file's sha256;
``python -m pipeline.archive migrate`` turns a manifest of the older one-row-per-attempt format into
versions, moving its rows into the attempts log.
"""

from __future__ import annotations

import argparse
import csv
import fcntl
import hashlib
import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.registry import SAFE_ID

REPO_ROOT = Path(__file__).resolve().parents[1]

MANIFEST_FIELDS = [
    "document_id",
    "sha256",
    "bytes",
    "event",
    "retrieved_at",
    "via",
    "url",
    "final_url",
    "etag",
    "last_modified",
    "capture_timestamp",
]
EVENTS = ("new", "current", "capture", "via")
# One retrieval attempt (the attempts log); also the columns of the manifest before it held versions.
ATTEMPT_FIELDS = [
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
LEGACY_MANIFEST_FIELDS = ATTEMPT_FIELDS
OUTCOMES = ("new", "unchanged", "failed")
VIAS = ("origin", "mirror", "web-archive")

_SHA256 = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_CAPTURE = re.compile(r"\d{14}")
_DIGITS = re.compile(r"[0-9]+")
_EXT = re.compile(r"[a-z0-9]{1,8}")


def default_raw_dir() -> Path:
    return Path(os.environ.get("PIPELINE_RAW_DIR") or REPO_ROOT / "raw")


class ArchiveError(ValueError):
    """The archive refuses an operation (an unsafe document id, a manifest it cannot migrate)."""


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
    via: str  # how these bytes were first obtained: origin | mirror | web-archive
    seen_via: frozenset[str]  # every transport these same bytes have arrived by
    etag: str
    last_modified: str
    capture_timestamp: str  # first web-archive capture (YYYYMMDDhhmmss) of these bytes, "" if none
    seen_live: bool = True  # these bytes were retrieved from the live URL (not only as a capture)


@dataclass(frozen=True)
class ManifestProblem:
    """Something wrong with one manifest line (``line`` is 1-based, the header is line 1).

    ``kind``: ``malformed`` (the row is not used), ``legacy`` (old format, still readable),
    ``missing`` (a version whose file is not on this machine) or ``altered`` (its file differs).
    """

    line: int
    kind: str
    message: str
    document_id: str = ""

    def __str__(self) -> str:
        return f"manifest.csv line {self.line}: {self.message}"


@dataclass
class _Manifest:
    fmt: str  # current | legacy | empty
    rows: list[dict]  # version rows (a legacy manifest is replayed into them), each with "_line"
    problems: list[ManifestProblem]
    legacy_rows: list[dict] = field(default_factory=list)
    by_doc: dict[str, list[dict]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for row in self.rows:
            self.by_doc.setdefault(row["document_id"], []).append(row)


# -- reading the manifest ------------------------------------------------------------------------------
def _validate_common(row: Mapping[str, str]) -> str | None:
    if not SAFE_ID.fullmatch(row["document_id"]):
        return f"document_id is not a safe folder name (got {row['document_id']!r})"
    if not _TIME.fullmatch(row["retrieved_at"]):
        return f"retrieved_at must look like 2025-01-31T12:00:00Z (got {row['retrieved_at']!r})"
    if row["via"] not in VIAS:
        return f"via must be one of {', '.join(VIAS)} (got {row['via']!r})"
    ts = row["capture_timestamp"]
    if ts and not _CAPTURE.fullmatch(ts):
        return f"capture_timestamp must be 14 digits (got {ts!r})"
    return None


def _validate_sha_and_bytes(row: Mapping[str, str]) -> str | None:
    if not _SHA256.fullmatch(row["sha256"]):
        return f"sha256 must be 64 lowercase hex digits (got {row['sha256']!r})"
    if not _DIGITS.fullmatch(row["bytes"]):
        return f"bytes must be a whole number (got {row['bytes']!r})"
    return None


def _validate_version(row: Mapping[str, str]) -> str | None:
    problem = _validate_common(row)
    if problem:
        return problem
    if row["event"] not in EVENTS:
        return f"unknown event {row['event']!r} (must be one of {', '.join(EVENTS)})"
    problem = _validate_sha_and_bytes(row)
    if problem:
        return problem
    if (row["event"] == "capture") != bool(row["capture_timestamp"]):
        return "capture rows, and only they, carry a capture_timestamp"
    return None


def _validate_legacy(row: Mapping[str, str]) -> str | None:
    problem = _validate_common(row)
    if problem:
        return problem
    if row["outcome"] not in OUTCOMES:
        return f"unknown outcome {row['outcome']!r} (must be one of {', '.join(OUTCOMES)})"
    if row["outcome"] != "failed":
        return _validate_sha_and_bytes(row)
    return None


def _split_line(raw: bytes) -> tuple[list[str] | None, str | None]:
    """One physical line -> its fields, or None and what is wrong with it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    try:
        records = list(csv.reader([text], strict=True))
    except csv.Error as exc:
        hint = " (an unclosed quote?)" if "end of data" in str(exc) else ""
        return None, f"malformed CSV: {exc}{hint}"
    return (records[0] if records else []), None


def parse_manifest(data: bytes) -> _Manifest:
    """Read manifest bytes strictly, line by line; bad rows become problems, the rest is kept."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if not lines:
        return _Manifest("empty", [], [])
    problems: list[ManifestProblem] = []
    header, err = _split_line(lines[0].rstrip(b"\r"))
    if header == MANIFEST_FIELDS:
        fmt, names, validate = "current", MANIFEST_FIELDS, _validate_version
    elif header == LEGACY_MANIFEST_FIELDS:
        fmt, names, validate = "legacy", LEGACY_MANIFEST_FIELDS, _validate_legacy
        problems.append(
            ManifestProblem(
                1,
                "legacy",
                "one row per attempt (the older format): run `python -m pipeline.archive migrate`",
            )
        )
    else:
        # Read on as the current format: rows that fit are kept, the others are reported one by one.
        fmt, names, validate = "current", MANIFEST_FIELDS, _validate_version
        got = err or ",".join(header or [])
        problems.append(
            ManifestProblem(
                1, "malformed", f"header must be {','.join(MANIFEST_FIELDS)} (got {got})"
            )
        )
    rows = []
    for number, raw in enumerate(lines[1:], start=2):
        raw = raw.rstrip(b"\r")
        if not raw.strip():
            continue
        fields, err = _split_line(raw)
        if fields is not None and len(fields) != len(names):
            err = f"expected {len(names)} fields, found {len(fields)}"
        row = dict(zip(names, fields, strict=False)) if fields is not None and not err else None
        if row is not None:
            err = validate(row)
        if err:
            doc = row["document_id"] if row else ""
            problems.append(ManifestProblem(number, "malformed", err, doc))
            continue
        row["_line"] = number
        rows.append(row)
    if fmt == "legacy":
        return _Manifest(fmt, replay_attempts(rows), problems, legacy_rows=rows)
    return _Manifest(fmt, rows, problems)


# -- which attempts are versions -----------------------------------------------------------------------
def _order(row: Mapping) -> tuple[str, int]:
    return row["retrieved_at"], row["_line"]


def _current_sha(doc_rows: list[dict]) -> str | None:
    live = [r for r in doc_rows if not r["capture_timestamp"]]
    return max(live, key=_order)["sha256"] if live else None


def version_event(doc_rows: list[dict], attempt: Mapping[str, str]) -> str | None:
    """The manifest event an attempt adds to a document's version rows, or None when it adds nothing."""
    if attempt.get("outcome") not in ("new", "unchanged") or not attempt.get("sha256"):
        return None
    sha, ts = attempt["sha256"], attempt.get("capture_timestamp") or ""
    if ts:
        return None if any(r["capture_timestamp"] == ts for r in doc_rows) else "capture"
    if sha != _current_sha(doc_rows):
        return "current" if any(r["sha256"] == sha for r in doc_rows) else "new"
    if attempt.get("via") not in {r["via"] for r in doc_rows if r["sha256"] == sha}:
        return "via"
    return None


def _version_row(attempt: Mapping[str, str], event: str) -> dict:
    row = {k: str(attempt.get(k) or "") for k in MANIFEST_FIELDS if k != "event"}
    row["event"] = event
    return row


def replay_attempts(attempts: list[dict]) -> list[dict]:
    """Version rows of a sequence of attempts (oldest first), each keeping the attempt's ``_line``."""
    by_doc: dict[str, list[dict]] = {}
    out = []
    for n, a in enumerate(attempts, start=1):
        doc_rows = by_doc.setdefault(a["document_id"], [])
        event = version_event(doc_rows, a)
        if event:
            row = _version_row(a, event)
            row["_line"] = a.get("_line", n)
            doc_rows.append(row)
            out.append(row)
    return out


# -- the archive -------------------------------------------------------------------------------------
class Archive:
    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else default_raw_dir()
        self.manifest_path = self.root / "manifest.csv"
        self.attempts_path = self.root / "attempts.jsonl"
        self.lock_path = self.root / ".manifest.lock"
        self._manifest_cache: tuple[tuple, _Manifest] | None = None
        self._attempts_cache: tuple[tuple, list[dict], dict[str, list[dict]]] | None = None

    # -- files -------------------------------------------------------------------------------------
    def document_dir(self, document_id: str) -> Path:
        """The document's folder, refusing any id that is not one safe folder name under the root."""
        if not isinstance(document_id, str) or not SAFE_ID.fullmatch(document_id):
            raise ArchiveError(
                f"unsafe document id {document_id!r}: must be lowercase letters, digits or "
                f"underscores, one folder under {self.root}"
            )
        folder = self.root / document_id
        # A symlinked document folder could still lead elsewhere.
        if folder.resolve().parent != self.root.resolve():
            raise ArchiveError(f"document folder {folder} resolves outside {self.root}")
        return folder

    def blob_path(self, document_id: str, sha256: str, ext: str) -> Path:
        if not _SHA256.fullmatch(sha256) or not _EXT.fullmatch(ext):
            raise ArchiveError(f"not an archive file name: {sha256!r}.{ext!r}")
        return self.document_dir(document_id) / f"{sha256}.{ext}"

    def temp_file(self, document_id: str) -> tuple[int, Path]:
        """A temp file in the document's folder, so the final rename stays on one filesystem."""
        folder = self.document_dir(document_id)
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

    def _find_blob(self, document_id: str, sha256: str) -> Path | None:
        folder = self.document_dir(document_id)
        if not folder.is_dir():
            return None
        for p in folder.glob(f"{sha256}.*"):
            return p
        return None

    # -- writing -----------------------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def record(self, entry: dict) -> str | None:
        """Log one retrieval attempt; add a manifest row when it teaches the archive something new
        about the document's bytes. Returns the manifest event written, or None."""
        unknown = set(entry) - set(ATTEMPT_FIELDS)
        if unknown:
            raise ValueError(f"unknown attempt fields: {sorted(unknown)}")
        if entry.get("outcome") not in OUTCOMES:
            raise ValueError(f"attempt outcome must be one of {OUTCOMES}: {entry.get('outcome')!r}")
        # One line per attempt keeps both files greppable.
        attempt = {
            k: ("" if entry.get(k) is None else str(entry[k])).replace("\n", " ").replace("\r", " ")
            for k in ATTEMPT_FIELDS
        }
        with self._locked():
            manifest = self._manifest()
            if manifest.fmt == "legacy":
                self._migrate_locked(manifest)
                manifest = self._manifest()
            event = version_event(manifest.by_doc.get(attempt["document_id"], []), attempt)
            if event:
                row = _version_row(attempt, event)
                problem = _validate_version(row)
                if problem:
                    raise ValueError(f"refusing to archive version row: {problem}")
                self._append_manifest([row])
            self._append_attempts([attempt])
        return event

    def _append_manifest(self, rows: list[dict]) -> None:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        created = not self.manifest_path.exists()
        fd = os.open(self.manifest_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size == 0:
                writer.writerow(MANIFEST_FIELDS)
            for row in rows:
                writer.writerow([row[k] for k in MANIFEST_FIELDS])
            data = buf.getvalue().encode("utf-8")
            # A hand edit or a torn write may have left the last line unterminated; never glue onto it.
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            _fsync_dir(self.root)

    def _append_attempts(self, attempts: list[dict]) -> None:
        data = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in attempts).encode("utf-8")
        fd = os.open(self.attempts_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    # -- reading -----------------------------------------------------------------------------------
    @staticmethod
    def _stat_key(path: Path) -> tuple | None:
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def _manifest(self) -> _Manifest:
        key = self._stat_key(self.manifest_path)
        if self._manifest_cache is None or self._manifest_cache[0] != key:
            data = self.manifest_path.read_bytes() if key is not None else b""
            self._manifest_cache = (key, parse_manifest(data))
        return self._manifest_cache[1]

    def _attempts(self) -> list[dict]:
        key = self._stat_key(self.attempts_path)
        if self._attempts_cache is None or self._attempts_cache[0] != key:
            rows = []
            if key is not None:
                for line in self.attempts_path.read_bytes().splitlines():
                    try:
                        obj = json.loads(line)
                    except ValueError:
                        continue  # a torn last line after a crash; the log is advisory
                    if isinstance(obj, dict) and obj.get("outcome") in OUTCOMES:
                        rows.append({k: str(obj.get(k) or "") for k in ATTEMPT_FIELDS})
            by_doc: dict[str, list[dict]] = {}
            for row in rows:
                by_doc.setdefault(row["document_id"], []).append(row)
            self._attempts_cache = (key, rows, by_doc)
        return self._attempts_cache[1]

    def _doc_attempts(self, document_id: str) -> list[dict]:
        """The document's attempts, read-only (shared with the cache)."""
        m = self._manifest()
        if m.fmt == "legacy":
            return [r for r in m.legacy_rows if r["document_id"] == document_id]
        self._attempts()
        return self._attempts_cache[2].get(document_id, [])

    def manifest_rows(self, document_id: str | None = None) -> list[dict]:
        """Version rows (a legacy manifest replayed), oldest line first, without malformed ones."""
        m = self._manifest()
        rows = m.rows if document_id is None else m.by_doc.get(document_id, [])
        return [{k: v for k, v in r.items() if k != "_line"} for r in rows]

    def attempt_count(self) -> int:
        """How many attempts are logged; pass it as ``since`` to get only the attempts after now."""
        m = self._manifest()
        return len(m.legacy_rows) if m.fmt == "legacy" else len(self._attempts())

    def attempts(self, document_id: str | None = None, since: int | str = 0) -> list[dict]:
        """Retrieval attempts, oldest first, as dicts of ``ATTEMPT_FIELDS`` (string values; ``outcome``
        new | unchanged | failed, ``reason``, ``http_status``, ``sha256``, ``bytes``, ``via``, ...).

        ``since``: an :meth:`attempt_count` taken earlier (only later attempts), or a ``retrieved_at``
        timestamp (attempts at or after it).
        """
        m = self._manifest()
        if m.fmt == "legacy":  # not migrated yet: its rows are the attempts
            rows = [{k: r[k] for k in ATTEMPT_FIELDS} for r in m.legacy_rows]
        else:
            rows = self._attempts()
        if isinstance(since, int):
            rows = rows[since:]
        else:
            rows = [r for r in rows if r["retrieved_at"] >= since]
        if document_id is not None:
            rows = [r for r in rows if r["document_id"] == document_id]
        return [dict(r) for r in rows]

    def entries(self, document_id: str | None = None) -> list[dict]:
        """The older name of :meth:`attempts` (the manifest used to hold one row per attempt)."""
        return self.attempts(document_id)

    def _live_sightings(self, document_id: str, sha256: str) -> list[tuple[tuple, dict]]:
        """Every retrieval of these bytes from a live URL, manifest rows and logged attempts, with a
        sort key (time; a logged attempt after the manifest row of the same moment)."""
        out = [
            ((r["retrieved_at"], 0, r["_line"]), r)
            for r in self._manifest().by_doc.get(document_id, [])
            if r["sha256"] == sha256 and not r["capture_timestamp"]
        ]
        for n, a in enumerate(self._doc_attempts(document_id)):
            if a["sha256"] == sha256 and a["outcome"] != "failed" and not a["capture_timestamp"]:
                out.append(((a["retrieved_at"], 1, n), a))
        return out

    def _versions_with_keys(self, document_id: str) -> list[tuple[tuple, ArchivedVersion]]:
        self.document_dir(document_id)
        by_sha: dict[str, list[dict]] = {}
        for row in self._manifest().by_doc.get(document_id, []):
            by_sha.setdefault(row["sha256"], []).append(row)
        out = []
        for sha, rows in by_sha.items():
            path = self._find_blob(document_id, sha)
            if path is None:
                continue  # recorded on another machine; the bytes are not here
            live = [r for r in rows if not r["capture_timestamp"]]
            captures = [r["capture_timestamp"] for r in rows if r["capture_timestamp"]]
            first, last = min(rows, key=_order), max(live or rows, key=_order)
            sightings = self._live_sightings(document_id, sha)
            newest = max(sightings, key=lambda s: s[0])[1] if sightings else last
            version = ArchivedVersion(
                document_id=document_id,
                sha256=sha,
                path=path,
                bytes=path.stat().st_size,
                url=first["url"],
                first_retrieved_at=first["retrieved_at"],
                last_retrieved_at=max(last["retrieved_at"], newest["retrieved_at"]),
                via=first["via"],
                seen_via=frozenset(r["via"] for r in rows),
                etag=newest["etag"],
                last_modified=newest["last_modified"],
                capture_timestamp=min(captures) if captures else "",
                seen_live=bool(live),
            )
            # Order by the manifest alone (the most recent event), so a lost attempts log cannot
            # change which copy is current.
            out.append((_order(last), version))
        return sorted(out, key=lambda kv: kv[0])

    def versions(self, document_id: str) -> list[ArchivedVersion]:
        """Distinct archived contents of a document whose file is present, oldest first (the order in
        which they became current; the last live one is the current document)."""
        return [v for _, v in self._versions_with_keys(document_id)]

    def latest(self, document_id: str) -> ArchivedVersion | None:
        """The most recently retrieved content of the live URL (bytes seen only as captures are
        history, not the current document)."""
        live = [v for v in self.versions(document_id) if v.seen_live]
        return live[-1] if live else None

    def validators(self, document_id: str, url: str, via: str) -> tuple[str, str]:
        """(ETag, Last-Modified) for a conditional GET of ``url`` by ``via``: those of the most recent
        retrieval of the current bytes from that URL by that transport, ("", "") when there is none.
        They only ever vouch for bytes that are here, so a 304 can never stand for bytes we lack."""
        latest = self.latest(document_id)
        if latest is None:
            return "", ""
        same = [
            (key, s)
            for key, s in self._live_sightings(document_id, latest.sha256)
            if s["url"] == url and s["via"] == via
        ]
        if not same:
            return "", ""
        newest = max(same, key=lambda kv: kv[0])[1]
        return newest["etag"], newest["last_modified"]

    def capture_timestamps(self, document_id: str) -> set[str]:
        """Web-archive captures of the document whose bytes are on this machine."""
        return {
            r["capture_timestamp"]
            for r in self._manifest().by_doc.get(document_id, [])
            if r["event"] == "capture" and self._find_blob(document_id, r["sha256"]) is not None
        }

    # -- damage ------------------------------------------------------------------------------------
    def _first_rows(self) -> dict[tuple[str, str], dict]:
        first: dict[tuple[str, str], dict] = {}
        for row in self._manifest().rows:
            first.setdefault((row["document_id"], row["sha256"]), row)
        return first

    def manifest_problems(self, *, files: bool = True) -> list[ManifestProblem]:
        """Malformed rows (not used), an old format, and with ``files`` versions whose file is missing
        here or has another size than recorded (cheap: no hashing; :meth:`verify` hashes)."""
        out = list(self._manifest().problems)
        if files:
            for (doc, sha), row in self._first_rows().items():
                path = self._find_blob(doc, sha)
                if path is None:
                    out.append(_missing(row))
                elif path.stat().st_size != int(row["bytes"]):
                    out.append(
                        ManifestProblem(
                            row["_line"],
                            "altered",
                            f"{doc}/{path.name} is {path.stat().st_size:,} bytes; the manifest "
                            f"records {int(row['bytes']):,}",
                            doc,
                        )
                    )
        return sorted(out, key=lambda p: p.line)

    def verify(self) -> VerifyReport:
        """Check every version against its file's sha256."""
        report = VerifyReport(problems=self.manifest_problems(files=False))
        recorded = set()
        for (doc, sha), row in self._first_rows().items():
            report.versions += 1
            recorded.add((doc, sha))
            path = self._find_blob(doc, sha)
            if path is None:
                report.problems.append(_missing(row))
                continue
            actual = sha256_file(path)
            if actual != sha:
                report.problems.append(
                    ManifestProblem(
                        row["_line"],
                        "altered",
                        f"{doc}/{path.name} has sha256 {actual}; the file was altered",
                        doc,
                    )
                )
                continue
            report.ok += 1
        folders = sorted(self.root.iterdir()) if self.root.is_dir() else []
        for folder in (f for f in folders if f.is_dir() and SAFE_ID.fullmatch(f.name)):
            for p in sorted(folder.iterdir()):
                sha = p.name.split(".", 1)[0]
                if _SHA256.fullmatch(sha) and (folder.name, sha) not in recorded:
                    report.notes.append(
                        f"{folder.name}/{p.name}: archived but not in the manifest (a run stopped "
                        "between storing and recording; the next fetch of the document records it)"
                    )
        report.problems.sort(key=lambda p: p.line)
        return report

    # -- migration ---------------------------------------------------------------------------------
    def migrate(self) -> MigrationResult:
        """Turn a one-row-per-attempt manifest into version rows, moving every row to the attempts
        log. Idempotent; refuses (changing nothing) when a row is malformed."""
        with self._locked():
            manifest = self._manifest()
            if manifest.fmt != "legacy":
                return MigrationResult(False, len(manifest.rows), len(manifest.rows), 0)
            return self._migrate_locked(manifest)

    def _migrate_locked(self, manifest: _Manifest) -> MigrationResult:
        bad = [p for p in manifest.problems if p.kind == "malformed"]
        if bad:
            raise ArchiveError(
                "cannot migrate a damaged manifest; repair these lines first: "
                + "; ".join(str(p) for p in bad)
            )
        attempts = [{k: r[k] for k in ATTEMPT_FIELDS} for r in manifest.legacy_rows]
        lines = [json.dumps(a, ensure_ascii=False) + "\n" for a in attempts]
        existing = self.attempts_path.read_text("utf-8") if self.attempts_path.exists() else ""
        # A migration interrupted after writing the log must not log the same attempts twice.
        if not existing.startswith("".join(lines)):
            _atomic_write(self.attempts_path, ("".join(lines) + existing).encode("utf-8"))
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(MANIFEST_FIELDS)
        for row in manifest.rows:
            writer.writerow([row[k] for k in MANIFEST_FIELDS])
        _atomic_write(self.manifest_path, buf.getvalue().encode("utf-8"))
        return MigrationResult(True, len(manifest.legacy_rows), len(manifest.rows), len(attempts))


@dataclass
class VerifyReport:
    versions: int = 0
    ok: int = 0
    problems: list[ManifestProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(p.kind == kind for p in self.problems)

    @property
    def failed(self) -> bool:
        return any(p.kind in ("malformed", "missing", "altered") for p in self.problems)


@dataclass(frozen=True)
class MigrationResult:
    migrated: bool
    rows_before: int
    rows_after: int
    attempts_moved: int


def _missing(row: Mapping[str, str]) -> ManifestProblem:
    return ManifestProblem(
        row["_line"],
        "missing",
        f"{row['document_id']}/{row['sha256']}.*: file missing (archived {row['retrieved_at']}; "
        "on another machine, or deleted)",
        row["document_id"],
    )


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


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


# -- command line ------------------------------------------------------------------------------------
def _cmd_verify(archive: Archive) -> int:
    report = archive.verify()
    for p in report.problems:
        print(f"{p.kind:<9} {p}")
    for note in report.notes:
        print(f"{'note':<9} {note}")
    print(
        f"verify {archive.manifest_path}: {report.versions} versions, {report.ok} ok, "
        f"{report.count('missing')} missing, {report.count('altered')} altered, "
        f"{report.count('malformed')} malformed rows"
    )
    return 1 if report.failed else 0


def _cmd_migrate(archive: Archive) -> int:
    try:
        result = archive.migrate()
    except ArchiveError as exc:
        print(f"migrate: {exc}", file=sys.stderr)
        return 1
    if not result.migrated:
        print(f"migrate: {archive.manifest_path} already holds versions ({result.rows_after} rows)")
    else:
        print(
            f"migrate: {archive.manifest_path}: {result.rows_before} attempt rows -> "
            f"{result.rows_after} version rows; {result.attempts_moved} attempts moved to "
            f"{archive.attempts_path}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m pipeline.archive", description=__doc__.split("\n")[0]
    )
    ap.add_argument("command", choices=("verify", "migrate"))
    ap.add_argument("--raw", help="archive root (default: PIPELINE_RAW_DIR or raw/)")
    args = ap.parse_args(argv)
    archive = Archive(args.raw)
    return _cmd_verify(archive) if args.command == "verify" else _cmd_migrate(archive)


if __name__ == "__main__":
    sys.exit(main())
