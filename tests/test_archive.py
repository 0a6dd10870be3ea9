"""The archive's bookkeeping: a manifest of versions (committed), a log of attempts (local), strict
reading of a damaged manifest, ``verify``, the migration of the older one-row-per-attempt format, and
document ids that cannot leave raw/. Real mirror PDFs where bytes matter; all in temp dirs."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from pipeline.archive import (
    ATTEMPT_FIELDS,
    MANIFEST_FIELDS,
    Archive,
    ArchiveError,
    main,
)
from pipeline.fetch import fetch_document
from pipeline.registry import by_id
from tests.conftest import REPO, ncmec_pdf

PDF_A = ncmec_pdf("2019-reports-by-esp.pdf").read_bytes()
PDF_B = ncmec_pdf("2020-reports-by-esp.pdf").read_bytes()
SHA_A = hashlib.sha256(PDF_A).hexdigest()
SHA_B = hashlib.sha256(PDF_B).hexdigest()
DOC = "ncmec_esp_2019"
URL = "https://www.missingkids.org/content/dam/missingkids/pdfs/2019-reports-by-esp.pdf"
HEADER = ",".join(MANIFEST_FIELDS)


def put(archive: Archive, data: bytes, at: str, **kw) -> str | None:
    """Store ``data`` as if just downloaded and record the attempt; returns the manifest event."""
    sha = hashlib.sha256(data).hexdigest()
    path = archive.blob_path(DOC, sha, "pdf")
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(data)
    entry = {
        "document_id": DOC,
        "url": URL,
        "via": "origin",
        "http_status": 200,
        "sha256": sha,
        "bytes": len(data),
        "retrieved_at": at,
        "outcome": "new",
    }
    entry.update(kw)
    return archive.record(entry)


def version_line(sha: str, event: str = "new", at: str = "2025-01-01T00:00:00Z", **kw) -> str:
    row = dict.fromkeys(MANIFEST_FIELDS, "")
    row.update(
        document_id=DOC, sha256=sha, bytes="10", event=event, retrieved_at=at, via="origin", url=URL
    )
    row.update(kw)
    return ",".join(row[k] for k in MANIFEST_FIELDS)


# -- versions, not attempts ------------------------------------------------------------------------
def test_only_new_bytes_add_manifest_rows(tmp_path):
    archive = Archive(tmp_path / "raw")
    assert put(archive, PDF_A, "2025-01-01T00:00:00Z", etag='"a1"') == "new"
    manifest = archive.manifest_path.read_bytes()
    # unchanged, failed, unchanged with a new ETag: attempts only
    assert put(archive, PDF_A, "2025-01-02T00:00:00Z", outcome="unchanged", etag='"a1"') is None
    assert (
        archive.record(
            {
                "document_id": DOC,
                "url": URL,
                "via": "origin",
                "http_status": 503,
                "retrieved_at": "2025-01-03T00:00:00Z",
                "outcome": "failed",
                "reason": "HTTP 503 SERVICE UNAVAILABLE",
            }
        )
        is None
    )
    assert put(archive, PDF_A, "2025-01-04T00:00:00Z", outcome="unchanged", etag='"a2"') is None
    assert archive.manifest_path.read_bytes() == manifest
    assert [a["outcome"] for a in archive.attempts()] == ["new", "unchanged", "failed", "unchanged"]
    assert archive.attempts()[2]["reason"] == "HTTP 503 SERVICE UNAVAILABLE"
    assert set(archive.attempts()[0]) == set(ATTEMPT_FIELDS)
    (v,) = archive.versions(DOC)
    assert (v.first_retrieved_at, v.last_retrieved_at) == (
        "2025-01-01T00:00:00Z",
        "2025-01-04T00:00:00Z",
    )
    assert v.etag == '"a2"'  # the freshest validator, from the attempts log
    assert archive.validators(DOC, URL, "origin") == ('"a2"', "")
    assert archive.validators(DOC, URL, "mirror") == ("", "")  # never another transport's
    # A lost attempts log costs a full download at most: the manifest's validator, same version.
    archive.attempts_path.unlink()
    assert archive.validators(DOC, URL, "origin") == ('"a1"', "")
    (again,) = archive.versions(DOC)
    assert (again.sha256, again.path, again.seen_via) == (SHA_A, v.path, frozenset({"origin"}))


def test_revert_transport_and_captures_are_version_events(tmp_path):
    archive = Archive(tmp_path / "raw")
    t = "2025-01-01T00:00:0{}Z".format
    assert put(archive, PDF_A, t(1), via="mirror") == "new"
    assert put(archive, PDF_A, t(2), outcome="unchanged") == "via"  # first from the publisher
    assert put(archive, PDF_A, t(3), outcome="unchanged") is None
    assert put(archive, PDF_B, t(4)) == "new"
    assert put(archive, PDF_A, t(4)) == "current"  # reverted, in the same second
    assert archive.latest(DOC).sha256 == SHA_A
    assert [v.sha256 for v in archive.versions(DOC)] == [SHA_B, SHA_A]
    assert archive.latest(DOC).seen_via == frozenset({"mirror", "origin"})
    assert put(archive, PDF_B, t(5), capture_timestamp="20250101000000") == "capture"
    assert put(archive, PDF_B, t(6), capture_timestamp="20250101000000") is None
    assert archive.capture_timestamps(DOC) == {"20250101000000"}
    assert [m["event"] for m in archive.manifest_rows()] == [
        "new",
        "via",
        "new",
        "current",
        "capture",
    ]
    # Ordering comes from the manifest alone: without the attempts log nothing changes.
    before = archive.versions(DOC)
    archive.attempts_path.unlink()
    assert [v.sha256 for v in archive.versions(DOC)] == [v.sha256 for v in before]
    assert archive.latest(DOC).sha256 == SHA_A


def test_changed_etag_on_same_bytes_drives_the_next_conditional_get(server, policy, tmp_path):
    archive = Archive(tmp_path / "raw")
    path = "/content/dam/missingkids/pdfs/2019-reports-by-esp.pdf"
    doc = replace(by_id(DOC), url=f"https://localhost:{server.port}{path}")
    sent = []

    def respond(etag):
        def handler(request):
            from werkzeug import Response

            sent.append(request.headers.get("If-None-Match"))
            if request.headers.get("If-None-Match") == etag:
                return Response(status=304, headers={"ETag": etag})
            return Response(PDF_A, content_type="application/pdf", headers={"ETag": etag})

        return handler

    server.expect_request(path).respond_with_handler(respond('"v1"'))
    assert fetch_document(doc, archive, policy=policy, mirror="").outcome == "new"
    server.clear()
    server.expect_request(path).respond_with_handler(respond('"v2"'))  # same bytes, new ETag
    assert fetch_document(doc, archive, policy=policy, mirror="").outcome == "unchanged"
    r = fetch_document(doc, archive, policy=policy, mirror="")
    assert (r.outcome, r.http_status) == ("unchanged", 304)
    assert sent == [None, '"v1"', '"v2"']
    assert len(archive.manifest_rows()) == 1
    assert [(a["outcome"], a["http_status"]) for a in archive.attempts()] == [
        ("new", "200"),
        ("unchanged", "200"),
        ("unchanged", "304"),
    ]


def test_attempts_since_a_count_or_a_time(tmp_path):
    archive = Archive(tmp_path / "raw")
    put(archive, PDF_A, "2025-01-01T00:00:00Z")
    start = archive.attempt_count()
    put(archive, PDF_A, "2025-02-01T00:00:00Z", outcome="unchanged")
    put(archive, PDF_B, "2025-02-01T00:00:01Z")
    assert start == 1
    assert [a["sha256"] for a in archive.attempts(since=start)] == [SHA_A, SHA_B]
    assert [a["outcome"] for a in archive.attempts(since="2025-02-01T00:00:01Z")] == ["new"]
    assert archive.entries() == archive.attempts()  # the old name still answers


# -- damage ------------------------------------------------------------------------------------------
def test_damaged_rows_are_reported_by_line_and_never_swallow_others(tmp_path):
    archive = Archive(tmp_path / "raw")
    good_a = version_line(SHA_A, bytes=str(len(PDF_A)))
    good_b = version_line(SHA_B, at="2025-02-01T00:00:00Z", bytes=str(len(PDF_B)))
    lines = [
        HEADER,
        good_a,  # 2
        version_line(SHA_A, etag='"unclosed'),  # 3
        version_line(SHA_A) + ",extra",  # 4
        version_line("not-a-sha"),  # 5
        version_line(SHA_A, event="changed"),  # 6
        version_line(SHA_A, document_id="../../x"),  # 7
        good_b,  # 8
    ]
    archive.root.mkdir()
    archive.manifest_path.write_text("\n".join(lines) + "\n")
    for data in (PDF_A, PDF_B):
        sha = hashlib.sha256(data).hexdigest()
        archive.blob_path(DOC, sha, "pdf").parent.mkdir(exist_ok=True)
        archive.blob_path(DOC, sha, "pdf").write_bytes(data)
    problems = archive.manifest_problems()
    assert [(p.line, p.kind) for p in problems] == [(n, "malformed") for n in (3, 4, 5, 6, 7)]
    assert [p.message for p in problems] == [
        "malformed CSV: unexpected end of data (an unclosed quote?)",
        "expected 11 fields, found 12",
        "sha256 must be 64 lowercase hex digits (got 'not-a-sha')",
        "unknown event 'changed' (must be one of new, current, capture, via)",
        "document_id is not a safe folder name (got '../../x')",
    ]
    assert str(problems[0]) == (
        "manifest.csv line 3: malformed CSV: unexpected end of data (an unclosed quote?)"
    )
    # the rows after the damage are read
    assert [v.sha256 for v in archive.versions(DOC)] == [SHA_A, SHA_B]
    # and the next append starts on a line of its own even without a final newline
    archive.manifest_path.write_text("\n".join(lines))
    assert put(archive, PDF_A, "2025-03-01T00:00:00Z", outcome="new") == "current"
    text = archive.manifest_path.read_text().splitlines()
    assert text[7] == good_b and text[8].startswith(f"{DOC},{SHA_A},")
    assert archive.latest(DOC).sha256 == SHA_A


def test_missing_and_resized_files_are_reported_not_skipped_silently(tmp_path):
    archive = Archive(tmp_path / "raw")
    put(archive, PDF_A, "2025-01-01T00:00:00Z")
    put(archive, PDF_B, "2025-01-02T00:00:00Z")
    archive.blob_path(DOC, SHA_A, "pdf").unlink()
    archive.blob_path(DOC, SHA_B, "pdf").write_bytes(PDF_B[:1000])
    assert [(p.line, p.kind, p.message) for p in archive.manifest_problems()] == [
        (
            2,
            "missing",
            f"{DOC}/{SHA_A}.*: file missing (archived 2025-01-01T00:00:00Z; on another machine, "
            "or deleted)",
        ),
        (3, "altered", f"{DOC}/{SHA_B}.pdf is 1,000 bytes; the manifest records {len(PDF_B):,}"),
    ]
    assert [v.sha256 for v in archive.versions(DOC)] == [SHA_B]  # what is here stays usable


def run_cli(*args, raw):
    return subprocess.run(
        [sys.executable, "-m", "pipeline.archive", *args, "--raw", str(raw)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_verify_checks_every_file_against_its_sha256(tmp_path):
    archive = Archive(tmp_path / "raw")
    put(archive, PDF_A, "2025-01-01T00:00:00Z")
    put(archive, PDF_B, "2025-01-02T00:00:00Z")
    ok = run_cli("verify", raw=archive.root)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.splitlines()[-1].endswith(
        ": 2 versions, 2 ok, 0 missing, 0 altered, 0 malformed rows"
    )
    # same size, other bytes: only hashing sees it
    altered = bytearray(PDF_B)
    altered[-10] ^= 0xFF
    archive.blob_path(DOC, SHA_B, "pdf").write_bytes(bytes(altered))
    archive.blob_path(DOC, SHA_A, "pdf").unlink()
    with open(archive.manifest_path, "a") as fh:
        fh.write('ncmec_esp_2019,"oops\n')
    bad = run_cli("verify", raw=archive.root)
    assert bad.returncode == 1
    out = bad.stdout.splitlines()
    assert out[0].startswith(f"missing   manifest.csv line 2: {DOC}/{SHA_A}.*: file missing")
    assert out[1] == (
        f"altered   manifest.csv line 3: {DOC}/{SHA_B}.pdf has sha256 "
        f"{hashlib.sha256(altered).hexdigest()}; the file was altered"
    )
    assert out[2] == (
        "malformed manifest.csv line 4: malformed CSV: unexpected end of data (an unclosed quote?)"
    )
    assert out[-1].endswith(": 2 versions, 0 ok, 1 missing, 1 altered, 1 malformed rows")


def test_make_verify_archive_target_exists():
    makefile = (REPO / "Makefile").read_text()
    assert "verify-archive:" in makefile and "-m pipeline.archive verify" in makefile


# -- migration ---------------------------------------------------------------------------------------
def legacy_row(outcome, at, sha="", via="mirror", etag="", ts="", reason="", status=""):
    size = {SHA_A: len(PDF_A), SHA_B: len(PDF_B)}.get(sha, "")
    values = {
        "document_id": DOC,
        "url": URL,
        "final_url": "mirror:x" if via == "mirror" else URL,
        "via": via,
        "http_status": status,
        "sha256": sha,
        "bytes": str(size),
        "retrieved_at": at,
        "etag": etag,
        "last_modified": "",
        "outcome": outcome,
        "reason": reason,
        "capture_timestamp": ts,
    }
    return ",".join(values[k] for k in ATTEMPT_FIELDS)


LEGACY = [
    ",".join(ATTEMPT_FIELDS),
    legacy_row("failed", "2025-01-01T00:00:00Z", reason="not in mirror: x"),
    legacy_row("new", "2025-01-02T00:00:00Z", SHA_A),
    legacy_row("unchanged", "2025-01-03T00:00:00Z", SHA_A),
    legacy_row("unchanged", "2025-01-04T00:00:00Z", SHA_A, via="origin", etag="e1", status="200"),
    legacy_row("new", "2025-01-05T00:00:00Z", SHA_B, via="origin", etag="e2", status="200"),
    legacy_row("unchanged", "2025-01-06T00:00:00Z", SHA_B, via="origin", etag="e3", status="304"),
    legacy_row("new", "2025-01-07T00:00:00Z", SHA_A, via="origin", ts="20200101000000"),
]


def test_migration_keeps_every_version_and_moves_attempts(tmp_path):
    archive = Archive(tmp_path / "raw")
    archive.root.mkdir()
    archive.manifest_path.write_text("\n".join(LEGACY) + "\n")
    # read as before, still unmigrated (blobs absent: versions recorded elsewhere are kept)
    assert [p.kind for p in archive.manifest_problems(files=False)] == ["legacy"]
    assert len(archive.attempts()) == 7
    assert main(["migrate", "--raw", str(archive.root)]) == 0
    rows = archive.manifest_rows()
    assert archive.manifest_path.read_text().splitlines()[0] == HEADER
    assert [(r["event"], r["sha256"], r["via"], r["retrieved_at"][8:10]) for r in rows] == [
        ("new", SHA_A, "mirror", "02"),
        ("via", SHA_A, "origin", "04"),
        ("new", SHA_B, "origin", "05"),
        ("capture", SHA_A, "origin", "07"),
    ]
    assert [a["outcome"] for a in archive.attempts()] == [
        "failed",
        "new",
        "unchanged",
        "unchanged",
        "new",
        "unchanged",
        "new",
    ]
    assert archive.attempts()[0]["reason"] == "not in mirror: x"
    # the blobs arrive (a copy from the machine that has them): the history is whole
    for data in (PDF_A, PDF_B):
        p = archive.blob_path(DOC, hashlib.sha256(data).hexdigest(), "pdf")
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(data)
    versions = archive.versions(DOC)
    assert [(v.sha256, v.seen_via, v.capture_timestamp) for v in versions] == [
        (SHA_A, frozenset({"mirror", "origin"}), "20200101000000"),
        (SHA_B, frozenset({"origin"}), ""),
    ]
    assert archive.latest(DOC).sha256 == SHA_B and archive.latest(DOC).etag == "e3"
    # idempotent
    manifest, log = archive.manifest_path.read_bytes(), archive.attempts_path.read_bytes()
    assert archive.migrate().migrated is False
    assert (archive.manifest_path.read_bytes(), archive.attempts_path.read_bytes()) == (
        manifest,
        log,
    )


def test_first_write_migrates_and_a_damaged_legacy_manifest_is_refused(tmp_path):
    archive = Archive(tmp_path / "raw")
    archive.root.mkdir()
    archive.manifest_path.write_text("\n".join(LEGACY[:3]) + "\n")
    put(archive, PDF_B, "2025-02-01T00:00:00Z")
    assert [r["event"] for r in archive.manifest_rows()] == ["new", "new"]
    assert len(archive.attempts()) == 3

    damaged = Archive(tmp_path / "raw2")
    damaged.root.mkdir()
    damaged.manifest_path.write_text(
        "\n".join([*LEGACY[:3], LEGACY[3].replace("unchanged", "skipped")]) + "\n"
    )
    before = damaged.manifest_path.read_bytes()
    with pytest.raises(ArchiveError) as err:
        damaged.migrate()
    assert str(err.value) == (
        "cannot migrate a damaged manifest; repair these lines first: manifest.csv line 4: "
        "unknown outcome 'skipped' (must be one of new, unchanged, failed)"
    )
    assert damaged.manifest_path.read_bytes() == before and not damaged.attempts_path.exists()


def test_committed_manifest_is_in_the_version_format():
    archive = Archive(REPO / "raw")
    assert archive.manifest_path.read_text().splitlines()[0] == HEADER
    assert [p for p in archive.manifest_problems(files=False)] == []
    rows = archive.manifest_rows()
    assert len(rows) == len({(r["document_id"], r["sha256"]) for r in rows}) == 9


# -- ids that would leave raw/ -----------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["../../x", "..", "a/b", "/etc", "Ncmec", "", "x.pdf"])
def test_archive_refuses_unsafe_document_ids(tmp_path, bad):
    archive = Archive(tmp_path / "raw")
    with pytest.raises(ArchiveError, match="unsafe document id"):
        archive.temp_file(bad)
    with pytest.raises(ArchiveError, match="unsafe document id"):
        archive.versions(bad)
    assert not (tmp_path / "x").exists() and not archive.root.exists()


def test_archive_refuses_a_document_folder_that_leads_outside(tmp_path):
    archive = Archive(tmp_path / "raw")
    archive.root.mkdir()
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", archive.root / "ncmec_esp_2019")
    with pytest.raises(ArchiveError, match="resolves outside"):
        archive.temp_file("ncmec_esp_2019")
    assert list((tmp_path / "elsewhere").iterdir()) == []
