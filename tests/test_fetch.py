"""The download path against real loopback servers (TLS with a throwaway CA), serving the real mirror PDFs.

Every test seeds the archive with an earlier real retrieval and asserts, besides the exact outcome, that no
earlier archived file changed, that the manifest only ever grew, and that a failure left no stray file behind.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from pipeline.archive import Archive
from pipeline.fetch import FetchPolicy, fetch_document
from pipeline.registry import by_id
from tests.conftest import MIRROR, ncmec_pdf

PDF_2019 = ncmec_pdf("2019-reports-by-esp.pdf").read_bytes()
PDF_2020 = ncmec_pdf("2020-reports-by-esp.pdf").read_bytes()
SHA_2019 = hashlib.sha256(PDF_2019).hexdigest()
SHA_2020 = hashlib.sha256(PDF_2020).hexdigest()
PATH = "/content/dam/missingkids/pdfs/2019-reports-by-esp.pdf"


@pytest.fixture
def doc(server):
    return replace(by_id("ncmec_esp_2019"), url=f"https://localhost:{server.port}{PATH}")


BOOKKEEPING = {"manifest.csv", "attempts.jsonl", ".manifest.lock"}


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and p.name not in BOOKKEEPING
    }


@pytest.fixture
def seeded(tmp_path, doc, server, policy):
    """An archive that already holds one real retrieval of the 2019 PDF (ETag "v1")."""
    archive = Archive(tmp_path / "raw")
    server.expect_oneshot_request(PATH).respond_with_data(
        PDF_2019, content_type="application/pdf", headers={"ETag": '"v1"'}
    )
    first = fetch_document(doc, archive, policy=policy, mirror="")
    assert first.outcome == "new", first.reason
    server.clear()
    before, manifest_before = snapshot(archive.root), archive.manifest_path.read_bytes()
    yield archive
    after = snapshot(archive.root)
    for name, digest in before.items():
        assert after.get(name) == digest, f"earlier archived file changed or vanished: {name}"
    assert archive.manifest_path.read_bytes().startswith(manifest_before), "manifest rewritten"
    assert not [p for p in archive.root.rglob(".incoming-*")], "temp files left behind"


def last_attempt(archive: Archive) -> dict:
    return archive.attempts()[-1]


def test_success_archives_content_addressed_with_provenance(seeded, doc):
    row = last_attempt(seeded)
    assert seeded.blob_path(doc.id, SHA_2019, "pdf").read_bytes() == PDF_2019
    assert row["outcome"] == "new" and row["via"] == "origin" and row["http_status"] == "200"
    assert row["sha256"] == SHA_2019 and row["bytes"] == str(len(PDF_2019))
    assert row["etag"] == '"v1"' and row["retrieved_at"].endswith("Z")
    assert SHA_2019.startswith(by_id("ncmec_esp_2019").reference_sha256)
    (version,) = seeded.manifest_rows()
    assert (version["event"], version["sha256"], version["bytes"]) == (
        "new",
        SHA_2019,
        str(len(PDF_2019)),
    )
    assert (version["via"], version["etag"], version["url"]) == ("origin", '"v1"', doc.url)


def test_404_fails_with_status_and_keeps_archive(seeded, doc, server, policy):
    server.expect_request(PATH).respond_with_data("nope", status=404)
    r = fetch_document(doc, seeded, policy=policy, mirror="")
    assert (r.outcome, r.reason, r.http_status) == ("failed", "HTTP 404 NOT FOUND", 404)
    row = last_attempt(seeded)
    assert (
        row["outcome"] == "failed" and row["reason"] == "HTTP 404 NOT FOUND" and row["sha256"] == ""
    )
    assert row["http_status"] == "404"
    assert seeded.latest(doc.id).sha256 == SHA_2019
    assert len(seeded.manifest_rows()) == 1  # a failed attempt is not a version


def test_500_then_200_is_retried(seeded, doc, server, policy):
    server.expect_ordered_request(PATH).respond_with_data("busy", status=500)
    server.expect_ordered_request(PATH).respond_with_data(PDF_2020, content_type="application/pdf")
    r = fetch_document(doc, seeded, policy=policy, mirror="")
    assert r.outcome == "new" and r.sha256 == SHA_2020 and r.http_status == 200
    assert len(server.log) == 2
    assert seeded.blob_path(doc.id, SHA_2020, "pdf").read_bytes() == PDF_2020


def test_500_forever_gives_up_after_retries(seeded, doc, server, policy):
    server.expect_request(PATH).respond_with_data("busy", status=503)
    r = fetch_document(doc, seeded, policy=policy, mirror="")
    assert (r.outcome, r.reason) == ("failed", "HTTP 503 SERVICE UNAVAILABLE")
    assert len(server.log) == 1 + policy.retries


def test_read_timeout(seeded, doc, server, policy):
    def slow(_request):
        time.sleep(1.5)
        return Response(PDF_2019, content_type="application/pdf")

    server.expect_request(PATH).respond_with_handler(slow)
    r = fetch_document(doc, seeded, policy=policy, mirror="")
    assert r.outcome == "failed"
    assert r.reason == f"read timeout after {policy.retries} retries"


def test_html_error_page_served_as_pdf_is_refused(seeded, doc, server, policy):
    server.expect_request(PATH).respond_with_data(
        "<!DOCTYPE html><html><body>Page not found</body></html>", content_type="text/html"
    )
    r = fetch_document(doc, seeded, policy=policy, mirror="")
    assert (r.outcome, r.reason) == ("failed", "expected PDF content but got HTML")


def test_truncated_body_is_detected(seeded, doc, server, policy):
    def short(_request):
        resp = Response(PDF_2020[:5000], content_type="application/pdf")
        resp.headers["Content-Length"] = str(len(PDF_2020))
        return resp

    server.expect_request(PATH).respond_with_handler(short)
    r = fetch_document(doc, seeded, policy=policy, mirror="")
    assert r.outcome == "failed"
    assert r.reason.startswith(f"truncated body: received 5,000 of {len(PDF_2020):,} bytes")


def test_oversize_content_length_rejected_up_front(seeded, doc, server, policy):
    server.expect_request(PATH).respond_with_data(PDF_2020, content_type="application/pdf")
    small = replace(policy, max_bytes=10_000)
    r = fetch_document(doc, seeded, policy=small, mirror="")
    assert (r.outcome, r.reason) == (
        "failed",
        f"Content-Length {len(PDF_2020):,} exceeds the 10,000-byte cap; not downloaded",
    )


def test_oversize_streamed_body_aborts_early(seeded, doc, server, policy):
    sent = []

    def endless(_request):
        def gen():
            for _ in range(10_000):  # 640 MB if nobody stopped reading
                sent.append(1)
                yield b"%PDF-1.4 " + b"x" * (64 * 1024 - 9)

        return Response(gen(), content_type="application/pdf")  # chunked, no Content-Length

    server.expect_request(PATH).respond_with_handler(endless)
    r = fetch_document(doc, seeded, policy=replace(policy, max_bytes=200_000), mirror="")
    assert (r.outcome, r.reason) == (
        "failed",
        "body exceeds the 200,000-byte cap; download aborted",
    )
    assert len(sent) < 100


def test_redirect_off_allowlist_is_refused(seeded, doc, server, policy):
    server.expect_request(PATH).respond_with_data(
        "", status=302, headers={"Location": "https://evil.example/payload.pdf"}
    )
    r = fetch_document(doc, seeded, policy=policy, mirror="")
    assert (r.outcome, r.reason) == (
        "failed",
        "refused redirect to evil.example: host not on the allowlist (https://evil.example/payload.pdf)",
    )


def test_redirect_hop_checked_each_time_and_followed_when_allowed(seeded, doc, server, policy):
    server.expect_request(PATH).respond_with_data(
        "", status=301, headers={"Location": "/moved.pdf"}
    )
    server.expect_request("/moved.pdf").respond_with_data(
        "", status=302, headers={"Location": f"http://localhost:{server.port}/plain.pdf"}
    )
    r = fetch_document(doc, seeded, policy=policy, mirror="")
    assert (r.outcome, r.reason) == (
        "failed",
        f"refused http://localhost:{server.port}/plain.pdf: only https is allowed",
    )
    server.clear()
    server.expect_request(PATH).respond_with_data(
        "", status=301, headers={"Location": "/moved.pdf"}
    )
    server.expect_request("/moved.pdf").respond_with_data(PDF_2020, content_type="application/pdf")
    r = fetch_document(doc, seeded, policy=policy, mirror="")
    assert r.outcome == "new" and r.final_url.endswith("/moved.pdf")


def test_304_on_conditional_get_is_unchanged(seeded, doc, server, policy):
    seen = {}

    def conditional(request):
        seen["inm"] = request.headers.get("If-None-Match")
        return Response(status=304, headers={"ETag": '"v1"'})

    server.expect_request(PATH).respond_with_handler(conditional)
    r = fetch_document(doc, seeded, policy=policy, mirror="")
    assert seen["inm"] == '"v1"'
    assert (r.outcome, r.http_status, r.sha256) == ("unchanged", 304, SHA_2019)
    assert len(list((seeded.root / doc.id).iterdir())) == 1
    assert len(seeded.manifest_rows()) == 1 and len(seeded.attempts()) == 2


def test_same_bytes_again_writes_no_new_file(seeded, doc, server, policy):
    server.expect_request(PATH).respond_with_data(PDF_2019, content_type="application/pdf")
    r = fetch_document(doc, seeded, policy=policy, mirror="")
    assert (r.outcome, r.sha256) == ("unchanged", SHA_2019)
    assert len(list((seeded.root / doc.id).iterdir())) == 1
    assert len(seeded.manifest_rows()) == 1


def test_changed_bytes_kept_beside_the_old(seeded, doc, server, policy):
    server.expect_request(PATH).respond_with_data(PDF_2020, content_type="application/pdf")
    r = fetch_document(doc, seeded, policy=policy, mirror="")
    assert r.outcome == "new"
    files = sorted(p.name for p in (seeded.root / doc.id).iterdir())
    assert files == sorted([f"{SHA_2019}.pdf", f"{SHA_2020}.pdf"])
    assert seeded.latest(doc.id).sha256 == SHA_2020
    assert [v.sha256 for v in seeded.versions(doc.id)] == [SHA_2019, SHA_2020]
    assert [(m["event"], m["sha256"]) for m in seeded.manifest_rows()] == [
        ("new", SHA_2019),
        ("new", SHA_2020),
    ]


def test_mirror_directory(tmp_path):
    archive = Archive(tmp_path / "raw")
    doc = by_id("ncmec_country_2019")
    r = fetch_document(doc, archive, mirror=str(MIRROR))
    assert (r.outcome, r.via) == ("new", "mirror")
    assert (
        r.final_url
        == "mirror:www.missingkids.org/content/dam/missingkids/pdfs/2019-cybertipline-reports-by-country.pdf"
    )
    assert r.sha256.startswith(doc.reference_sha256)
    manifest = archive.manifest_path.read_bytes()
    again = fetch_document(doc, archive, mirror=str(MIRROR))
    assert again.outcome == "unchanged"
    assert archive.manifest_path.read_bytes() == manifest  # nothing new, nothing written
    missing = fetch_document(by_id("ncmec_esp_2023"), archive, mirror=str(MIRROR))
    assert (missing.outcome, missing.reason) == (
        "failed",
        "not in mirror: www.missingkids.org/content/dam/missingkids/pdfs/2023-reports-by-esp.pdf",
    )
    assert archive.manifest_path.read_bytes() == manifest
    assert [a["outcome"] for a in archive.attempts()] == ["new", "unchanged", "failed"]


def test_mirror_http_base_url(tmp_path):
    """A plain-http mirror on loopback goes through the same checks (sniffing included)."""

    def serve_mirror(request):
        path = MIRROR / request.path.lstrip("/")
        if not path.is_file():
            return Response("missing", status=404)
        return Response(path.read_bytes(), content_type="application/pdf")

    with HTTPServer(host="127.0.0.1") as srv:
        srv.expect_request("").respond_with_handler(serve_mirror)
        for prefix in ("/", "/content/"):
            srv.expect_request(__import__("re").compile(prefix + ".*")).respond_with_handler(
                serve_mirror
            )
        archive = Archive(tmp_path / "raw")
        base = f"http://127.0.0.1:{srv.port}/"
        doc = by_id("ncmec_esp_2022")
        r = fetch_document(doc, archive, mirror=base, policy=FetchPolicy.default(retries=0))
        assert (r.outcome, r.via, r.http_status) == ("new", "mirror", 200)
        assert r.sha256.startswith(doc.reference_sha256)
        assert (
            r.final_url
            == base + "www.missingkids.org/content/dam/missingkids/pdfs/2022-reports-by-esp.pdf"
        )
        gone = fetch_document(
            by_id("ncmec_esp_2024"), archive, mirror=base, policy=FetchPolicy.default(retries=0)
        )
        assert (gone.outcome, gone.reason) == ("failed", "HTTP 404 NOT FOUND")


# -- content sniffing: %PDF- at the start, not somewhere in the first KB --------------------------------
@pytest.mark.parametrize(
    "head, fmt, verdict",
    [
        (PDF_2019[:4096], "pdf", None),
        (b"\xef\xbb\xbf" + PDF_2019[:4096], "pdf", None),  # a byte-order mark
        (b"\r\n \t" + PDF_2019[:4096], "pdf", None),  # PDF white-space
        (b"<html><body>see %PDF-1.7 below</body></html>", "pdf", "HTML"),
        (b"HTTP/1.1 200 OK\r\n\r\n%PDF-1.7\n", "pdf", "bytes starting b'HTTP/1.1'"),
        (b" " * 1025 + b"%PDF-1.7\n", "pdf", "bytes starting b'        '"),
        (b"%PDF-\n<html>", "pdf", "HTML"),  # no version number
        (b"<!DOCTYPE html><html><p>Download the %PDF-1.4 file</p></html>", "html", None),
        (PDF_2019[:4096], "html", "a PDF"),
    ],
)
def test_sniff_wants_the_pdf_header_at_the_start(head, fmt, verdict):
    from pipeline.fetch import sniff

    assert sniff(head, fmt) == verdict


def test_html_quoting_the_pdf_header_is_refused(seeded, doc, server, policy):
    server.expect_request(PATH).respond_with_data(
        b"<!DOCTYPE html><html><body>Moved. %PDF-1.7</body></html>", content_type="application/pdf"
    )
    r = fetch_document(doc, seeded, policy=policy, mirror="")
    assert (r.outcome, r.reason) == ("failed", "expected PDF content but got HTML")


# -- configuration is validated up front ----------------------------------------------------------------
@pytest.mark.parametrize("value", ["abc", "0", "-5", "1.5", "10MB"])
def test_bad_max_bytes_is_named_with_its_value(monkeypatch, value):
    from pipeline.config import ConfigError, validate_config

    message = f"PIPELINE_MAX_BYTES must be a positive integer (got {value!r})"
    with pytest.raises(ConfigError) as err:
        validate_config({"PIPELINE_MAX_BYTES": value})
    assert str(err.value) == message
    # a fetch called without the refresh's up-front check says the same, not int()'s complaint
    monkeypatch.setenv("PIPELINE_MAX_BYTES", value)
    with pytest.raises(ConfigError) as err:
        FetchPolicy.default()
    assert str(err.value) == message


def test_config_problems_are_all_named_at_once(tmp_path):
    from pipeline.config import ConfigError, validate_config

    validate_config({"PIPELINE_MAX_BYTES": "1000", "PIPELINE_MIRROR": str(MIRROR)})
    assert FetchPolicy.default(allowed_hosts=frozenset()).max_bytes > 0
    afile = tmp_path / "file"
    afile.write_text("")
    with pytest.raises(ConfigError) as err:
        validate_config(
            {
                "PIPELINE_MAX_BYTES": "",  # empty means the default
                "PIPELINE_MIRROR": str(tmp_path / "no-mirror"),
                "PIPELINE_WAYBACK_BASE": "web.archive.org",
                "PIPELINE_RAW_DIR": str(afile),
            }
        )
    assert str(err.value) == (
        f"PIPELINE_MIRROR must be an existing directory or an http(s) URL (got "
        f"'{tmp_path / 'no-mirror'}'); PIPELINE_WAYBACK_BASE must be an http(s) URL or 'off' "
        f"(got 'web.archive.org'); PIPELINE_RAW_DIR must be a directory (got '{afile}', which is "
        "a file)"
    )
