"""Web-archive captures of the overwritten ICAC page, from a loopback stand-in for web.archive.org."""

import json
from dataclasses import replace

from pipeline.archive import Archive
from pipeline.registry import by_id
from pipeline.wayback import fetch_captures, list_captures

PAGE = "https://ojjdp.ojp.gov/programs/internet-crimes-against-children-task-force-program"
HTML_2022 = b"<!DOCTYPE html><html><body><p>In FY 2021, ICAC task forces conducted more than 137,000 investigations.</p></body></html>"
HTML_2025 = b"<!DOCTYPE html><html><body><p>In FY 2024, ICAC task forces conducted about 203,467 investigations.</p></body></html>"


def serve_archive(server, stamps_and_bodies):
    rows = [["timestamp", "statuscode", "digest"]] + [
        [ts, "200", f"D{ts}"] for ts, _ in stamps_and_bodies
    ]
    server.expect_request("/cdx/search/cdx").respond_with_data(
        json.dumps(rows), content_type="application/json"
    )
    for ts, body in stamps_and_bodies:
        server.expect_request(f"/web/{ts}id_/{PAGE}").respond_with_data(
            body, content_type="text/html"
        )


def test_each_capture_archived_once_with_its_timestamp(server, policy, tmp_path):
    archive = Archive(tmp_path / "raw")
    doc = by_id("ojjdp_icac_program_page")
    base = f"https://localhost:{server.port}"
    serve_archive(server, [("20220301000000", HTML_2022), ("20250115000000", HTML_2025)])

    assert list_captures(PAGE, base=base, policy=policy) == ["20220301000000", "20250115000000"]
    results = fetch_captures(doc, archive, base=base, policy=policy)
    assert [(r.outcome, r.capture_timestamp) for r in results] == [
        ("new", "20220301000000"),
        ("new", "20250115000000"),
    ]
    versions = archive.versions(doc.id)
    assert [v.capture_timestamp for v in versions] == ["20220301000000", "20250115000000"]
    assert versions[0].path.read_bytes() == HTML_2022
    assert archive.latest(doc.id) is None  # captures are history, not the live page

    # A second run asks only for captures it does not have.
    server.clear()
    serve_archive(
        server,
        [
            ("20220301000000", HTML_2022),
            ("20250115000000", HTML_2025),
            ("20261001000000", HTML_2025 + b" "),
        ],
    )
    again = fetch_captures(doc, archive, base=base, policy=policy)
    assert [r.capture_timestamp for r in again] == ["20261001000000"]
    fetched = [req.path for req, _ in server.log]
    assert f"/web/20220301000000id_/{PAGE}" not in fetched


def test_capture_listing_host_must_be_allowed(server, policy, tmp_path):
    doc = by_id("ojjdp_icac_program_page")
    strict = replace(policy, allowed_hosts=frozenset({"web.archive.org"}))
    base = f"https://localhost:{server.port}"
    try:
        fetch_captures(doc, Archive(tmp_path / "raw"), base=base, policy=strict)
    except Exception as exc:  # noqa: BLE001 - the exact type and message are asserted below
        assert type(exc).__name__ == "FetchError"
        assert (
            str(exc)
            == f"refused localhost: host not on the allowlist ({base}/cdx/search/cdx?url=https%3A%2F%2Fojjdp.ojp.gov%2Fprograms%2Finternet-crimes-against-children-task-force-program&output=json&fl=timestamp,statuscode,digest&filter=statuscode:200&collapse=digest)"
        )
    else:
        raise AssertionError("listing from a host off the allowlist must be refused")
