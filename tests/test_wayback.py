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


def test_history_recovered_from_captures(server, policy, tmp_path):
    """Captures from three years (stand-in pages in two wordings) are archived, parsed, and every
    fiscal year the page ever showed comes back, each row tied to its capture and its evidence."""
    from pipeline.build import build_table, document_parses, evidence_paths
    from pipeline.evidence import unverified_rows
    from tests.standins.icac import program_page_html

    archive = Archive(tmp_path / "raw")
    doc = by_id("ojjdp_icac_program_page")
    base = f"https://localhost:{server.port}"
    pages = [
        ("20220310000000", program_page_html(2021, "a").encode()),
        ("20240205000000", program_page_html(2023, "b").encode()),
        ("20250301000000", program_page_html(2024, "a").encode()),
    ]
    serve_archive(server, pages)
    assert all(r.outcome == "new" for r in fetch_captures(doc, archive, base=base, policy=policy))

    parses = document_parses(archive, cache=False, docs=[doc])
    df = build_table("icac_task_force_activity", parses)
    arrests = df[df["measure"] == "arrests"].set_index("fiscal_year")
    assert arrests["value"].to_dict() == {2021: 10400, 2023: 10800, 2024: 12600}
    assert arrests["capture_timestamp"].to_dict() == {
        2021: "20220310000000",
        2023: "20240205000000",
        2024: "20250301000000",
    }
    assert set(arrests["qualifier"]) == {"more than"}
    assert unverified_rows(df, archive) == []
    assert unverified_rows(df, archive, evidence_paths(parses, archive)) == []
    # a row whose evidence is not on its capture's page is caught
    bad = df.copy()
    bad.loc[bad.index[0], "capture_timestamp"] = (
        "20250301000000" if bad.iloc[0]["fiscal_year"] != 2024 else "20220310000000"
    )
    assert (
        unverified_rows(bad.iloc[:1], archive)[0]["problem"]
        == "evidence not found on the cited page"
    )


def test_live_page_equal_to_a_capture_is_still_the_current_document(server, policy, tmp_path):
    from pipeline.fetch import fetch_document
    from pipeline.parse import parse_document

    archive = Archive(tmp_path / "raw")
    base = f"https://localhost:{server.port}"
    serve_archive(server, [("20250115000000", HTML_2025)])
    doc = by_id("ojjdp_icac_program_page")
    fetch_captures(doc, archive, base=base, policy=policy)
    assert archive.latest(doc.id) is None
    server.expect_request("/programs/icac").respond_with_data(HTML_2025, content_type="text/html")
    live = replace(doc, url=f"{base}/programs/icac")
    assert fetch_document(live, archive, policy=policy, mirror="").outcome == "new"
    latest = archive.latest(doc.id)
    assert latest is not None and latest.path.read_bytes() == HTML_2025
    assert latest.capture_timestamp == "20250115000000" and latest.seen_live
    parsed = parse_document(doc, archive, cache=False)
    # parsed once, as the current document, not also as a capture of history
    assert [v.sha256 for v, p in parsed.copies if p is not None] == [latest.sha256]
