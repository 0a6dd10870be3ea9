"""Discovery from landing pages and the web-archive fallback, against stand-in landing pages (HTML written
in tests/standins/landing.py) served from a mirror folder or a loopback https server. No test reaches
the internet.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import replace

import dagster as dg
import pytest

from pipeline import discovery
from pipeline.archive import Archive
from pipeline.fetch import fetch_document
from pipeline.registry import by_id, load_registry, load_sources, sources
from pipeline.wayback import fetch_with_fallback, stand_in
from tests.conftest import REPO, ncmec_pdf
from tests.standins.landing import (
    NCMEC_LANDING,
    PDFS,
    landing_html,
    ncmec_landing,
    ncmec_links,
    write_page,
)
from tests.standins.ncmec_future import ESP_2023, build, esp_rows

NEW_ESP = f"https://www.missingkids.org{PDFS}/cybertiplinedata2026/2026-reports-by-esp.pdf"
MOVED_2023 = f"https://www.missingkids.org{PDFS}/cybertiplinedata2023/2023-reports-by-esp.pdf"
STATE_2023 = f"https://www.missingkids.org{PDFS}/2023-reports-by-state.pdf"


def ncmec_rules():
    """The real rules, restricted to those reading the NCMEC data page (the others' pages are not in
    these tests' mirrors and would only be skipped)."""
    s = sources()
    return replace(
        s, rules=tuple(r for r in s.rules if r.landing == "landing_ncmec_cybertiplinedata")
    )


def write_2026(mirror):
    layout = replace(
        ESP_2023,
        title=("2026 CyberTipline Reports by", "Electronic Service Providers (ESP)"),
        running="2026 Reports by ESP {page}",
    )
    from tests.standins._page import mirror_path

    return build(mirror_path(mirror, NEW_ESP), layout, esp_rows(40, seed=2026))


NEW_LINKS = [
    (NEW_ESP.removeprefix("https://www.missingkids.org"), "2026 Reports by ESP"),
    (MOVED_2023, "2023 Reports by ESP"),
    (STATE_2023 + "?v=2", "2023 Reports by State"),
]


# -- links and rules, pure ------------------------------------------------------------------------------
def test_page_links_resolve_relative_urls_base_and_fragments():
    html = landing_html(
        "x", [("a.pdf#p=2", "A  one"), ("/b.pdf", "B"), ("https://x.org/c.pdf", "C")], base="/dir/"
    )
    links = discovery.page_links(html, "https://www.missingkids.org/gethelpnow/page")
    assert [(lk.url, lk.text) for lk in links if lk.url.endswith(".pdf")] == [
        ("https://www.missingkids.org/dir/a.pdf", "A one"),
        ("https://www.missingkids.org/b.pdf", "B"),
        ("https://x.org/c.pdf", "C"),
    ]


def test_every_rule_matches_the_urls_registered_for_its_series():
    """Each rule would find the hand-written editions of its series at their registered URLs (so a
    registered URL the rule cannot match would be a bug in the rule)."""
    s = sources()
    for rule in s.rules:
        docs = [d for d in s.documents if d.series == rule.series and not d.is_landing_page]
        if rule.text is not None or rule.name.startswith("bjs_"):
            continue  # the year is in the link text / the rule names one publication
        aliases = {v: k for k, v in rule.aliases}
        for d in docs:
            groups = discovery.match_link(rule, discovery.Link(d.url, d.title))
            if d.id in aliases or not d.year:
                continue
            assert groups is not None, (rule.name, d.url)
            values = discovery._values(rule, groups)
            assert values["period"] == d.period, (rule.name, d.url)


def test_rules_of_the_text_kind_read_the_year_from_the_link_text():
    s = sources()
    eousa = next(r for r in s.rules if r.name == "eousa_annual_statistical_report")
    link = discovery.Link(
        "https://www.justice.gov/usao/media/1234/dl?inline", "FY 2023 Annual Statistical Report"
    )
    assert discovery.match_link(eousa, link) == {"year": "2023"}
    strategy = next(r for r in s.rules if r.name == "doj_national_strategy")
    assert discovery.match_link(
        strategy,
        discovery.Link(
            "https://www.justice.gov/psc/file/842411/download", "2016 National Strategy Report"
        ),
    ) == {"year": "2016"}
    assert (
        discovery.match_link(
            strategy, discovery.Link("https://www.justice.gov/psc/file/1/download", "2016 budget")
        )
        is None
    )


# -- acceptance: a year nobody registered -------------------------------------------------------------
def test_new_year_on_the_landing_page_is_archived_parsed_and_listed(tmp_path):
    from pipeline.build import documents_table
    from pipeline.parse import parse_document

    mirror = tmp_path / "mirror"
    write_page(mirror, NCMEC_LANDING, ncmec_landing(ncmec_links(extra=NEW_LINKS)))
    built = write_2026(mirror)
    archive = Archive(tmp_path / "raw")

    report = discovery.run(archive, sources=ncmec_rules(), mirror=str(mirror))

    assert [(m.id, m.rule, m.url) for m in report.new] == [
        ("ncmec_esp_2026", "ncmec_esp", NEW_ESP),
        ("ncmec_state_2023", "ncmec_state", STATE_2023 + "?v=2"),
    ]
    by_rule = {r.rule: r for r in report.results}
    assert {r: (x.status, x.links_matched) for r, x in by_rule.items()} == {
        "ncmec_esp": ("ok", 6),
        "ncmec_country": ("ok", 4),
        "ncmec_state": ("ok", 1),
        "ncmec_transparency": ("ok", 1),
        "ncmec_cybertipline_report": ("ok", 1),
    }
    assert by_rule["ncmec_country"].documents == [f"ncmec_country_{y}" for y in range(2019, 2023)]
    # the registered 2023 URL was a guess; the page links another one: reported, registry kept
    (contra,) = report.contradicted
    assert (contra.id, contra.url, contra.registry_url_is_guess) == (
        "ncmec_esp_2023",
        MOVED_2023,
        True,
    )
    assert contra.registry_url == by_id("ncmec_esp_2023").url
    lines = discovery.summary_lines(report)
    assert f"  discovered    ncmec_esp_2026: rule ncmec_esp, link {NEW_ESP}" in lines
    assert lines[-1] == (
        "discovery: 5 rules (5 ok, 0 failed, 0 skipped), 13 links matched, 2 new documents, "
        "1 registry URLs contradicted"
    )

    # the landing page is archived like a document, and listed as an archived-only row
    (landing,) = archive.versions("landing_ncmec_cybertiplinedata")
    assert landing.via == "mirror"
    docs_csv = documents_table(archive, parses={})
    row = docs_csv[docs_csv["document_id"] == "landing_ncmec_cybertiplinedata"].iloc[0]
    assert (row["parse_status"], row["family"], row["period"]) == (
        "archived_only",
        "reports",
        "current",
    )

    # the registry (as the next code-location load sees it) has the new document, with its series
    entries = json.loads(report.path.read_text())["documents"]
    assert [e["id"] for e in entries] == ["ncmec_esp_2026", "ncmec_state_2023"]
    assert entries[0]["landing_sha256"] == landing.sha256
    docs = {d.id: d for d in load_registry(discovered=report.path)}
    new = docs["ncmec_esp_2026"]
    assert (new.parser, new.family, new.period, new.url, new.discovered_by) == (
        "ncmec_esp",
        "reports",
        "2026",
        NEW_ESP,
        "ncmec_esp",
    )
    assert new.title == "2026 CyberTipline Reports by Electronic Service Providers (ESP)"
    assert docs["ncmec_state_2023"].parser == ""
    assert docs["ncmec_esp_2023"].url == by_id("ncmec_esp_2023").url  # hand-written wins

    # fetched through the same path, and parsed: the parser has never seen 2026
    assert fetch_document(new, archive, mirror=str(mirror)).outcome == "new"
    parsed = parse_document(new, archive, cache=False)
    (used,) = parsed.used
    esp = used.tables["cybertipline_reports_by_esp"]
    assert int(esp["reports"].sum()) == built.total
    assert len(esp) == len(built.rows)

    # a second run finds the same documents and writes nothing
    again = discovery.run(archive, sources=ncmec_rules(), mirror=str(mirror))
    assert again.new == [] and not again.written
    assert {m.status for r in again.results for m in r.matches if m.id == "ncmec_esp_2026"} == {
        "discovered"
    }


def test_next_code_location_load_has_assets_for_discovered_documents(tmp_path):
    mirror = tmp_path / "mirror"
    write_page(mirror, NCMEC_LANDING, ncmec_landing(ncmec_links(extra=NEW_LINKS)))
    raw = tmp_path / "raw"
    discovery.run(Archive(raw), sources=ncmec_rules(), mirror=str(mirror))
    script = (
        "from pipeline.definitions import defs\n"
        "keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}\n"
        "print(sorted(k for k in keys if '2026' in k or 'state' in k))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PIPELINE_RAW_DIR": str(raw)},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(
        ["parsed_ncmec_esp_2026", "raw_ncmec_esp_2026", "raw_ncmec_state_2023"]
    )


# -- acceptance: no matching link -------------------------------------------------------------------
def test_landing_page_without_matching_link_fails_the_rule_check(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    # The page was redesigned: the ESP reports now sit behind a script, no link names them.
    links = ncmec_links(esp=(), extra=NEW_LINKS[2:])
    write_page(mirror, NCMEC_LANDING, ncmec_landing(links))
    report = discovery.run(Archive(tmp_path / "raw"), sources=ncmec_rules(), mirror=str(mirror))
    (failed,) = report.failed
    assert failed.rule == "ncmec_esp" and failed.links_matched == 0 and failed.documents == []
    assert failed.problem == (
        f"rule ncmec_esp: no link on {NCMEC_LANDING} matches "
        "'/(?P<year>\\\\d{4})-reports-by-esp\\\\.pdf$' (has the page layout changed?)"
    )
    assert report.problems == [failed.problem]
    assert f"  RULE FAILED   ncmec_esp: {failed.problem}" in discovery.summary_lines(report)

    # In Dagster: the discovery asset's check for that rule fails; the page's other rules pass, and
    # rules whose landing page is not in the mirror pass as skipped.
    from pipeline.defs.discovery import discovery_assets

    monkeypatch.setenv("PIPELINE_MIRROR", str(mirror))
    monkeypatch.setenv("PIPELINE_RAW_DIR", str(tmp_path / "raw2"))
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(discovery_assets, instance=instance, raise_on_error=False)
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert {n for n, e in checks.items() if not e.passed} == {"rule_ncmec_esp"}
    assert checks["rule_ncmec_esp"].metadata["problem"].value == failed.problem
    assert checks["rule_uscourts_d2"].metadata["status"].value == "skipped"
    assert checks["rule_uscourts_d2"].metadata["problem"].value == "landing page not in mirror"
    assert len(checks) == len(sources().rules)


# -- acceptance: a removed link -------------------------------------------------------------------------
def test_removed_link_deletes_nothing(tmp_path):
    mirror = tmp_path / "mirror"
    write_page(mirror, NCMEC_LANDING, ncmec_landing(ncmec_links(extra=NEW_LINKS)))
    write_2026(mirror)
    archive = Archive(tmp_path / "raw")
    first = discovery.run(archive, sources=ncmec_rules(), mirror=str(mirror))
    doc = {d.id: d for d in load_registry(discovered=first.path)}["ncmec_esp_2026"]
    assert fetch_document(doc, archive, mirror=str(mirror)).outcome == "new"
    files_before = sorted(p.relative_to(archive.root) for p in archive.root.rglob("*.pdf"))
    entries_before = json.loads(first.path.read_text())["documents"]

    # NCMEC drops the 2026 link from the page
    write_page(mirror, NCMEC_LANDING, ncmec_landing(ncmec_links(extra=NEW_LINKS[2:])))
    second = discovery.run(archive, sources=ncmec_rules(), mirror=str(mirror))
    assert second.new == [] and second.failed == [] and not second.written
    assert json.loads(second.path.read_text())["documents"] == entries_before
    assert "ncmec_esp_2026" in {d.id for d in load_registry(discovered=second.path)}
    assert sorted(p.relative_to(archive.root) for p in archive.root.rglob("*.pdf")) == files_before
    assert len(archive.versions("ncmec_esp_2026")) == 1
    # both versions of the landing page are kept: the evidence of what was published when
    assert len(archive.versions("landing_ncmec_cybertiplinedata")) == 2


def test_moved_file_updates_the_discovered_url_and_keeps_the_old_one(tmp_path):
    mirror = tmp_path / "mirror"
    write_page(mirror, NCMEC_LANDING, ncmec_landing(ncmec_links(extra=NEW_LINKS[:1])))
    archive = Archive(tmp_path / "raw")
    discovery.run(archive, sources=ncmec_rules(), mirror=str(mirror))
    moved = f"{PDFS}/2026/2026-reports-by-esp.pdf"
    write_page(mirror, NCMEC_LANDING, ncmec_landing(ncmec_links(extra=[(moved, "2026")])))
    report = discovery.run(archive, sources=ncmec_rules(), mirror=str(mirror))
    assert report.moved == [("ncmec_esp_2026", NEW_ESP, f"https://www.missingkids.org{moved}")]
    (entry,) = json.loads(report.path.read_text())["documents"]
    assert entry["previous_urls"] == [NEW_ESP]


# -- a mirror works for everything, and discovers exactly as the origin -----------------------------
def origin_sources(tmp_path, port: int):
    """A registry whose NCMEC landing page and documents live on the loopback server."""
    base = f"https://localhost:{port}"
    path = tmp_path / "sources.toml"
    path.write_text(
        f"""
[series.ncmec_esp]
id = "ncmec_esp_{{period}}"
family = "reports"
publisher = "NCMEC"
title = "{{period}} CyberTipline Reports by Electronic Service Providers (ESP)"
period_type = "calendar"
landing_page = "{base}/gethelpnow/cybertipline/cybertiplinedata"
format = "pdf"
parser = "ncmec_esp"

[[landing]]
id = "landing_ncmec_cybertiplinedata"
family = "reports"
publisher = "NCMEC"
title = "CyberTipline Data"
url = "{base}/gethelpnow/cybertipline/cybertiplinedata"

[[discover]]
rule = "ncmec_esp"
series = "ncmec_esp"
landing = "landing_ncmec_cybertiplinedata"
link = '/(?P<year>\\d{{4}})-reports-by-esp\\.pdf$'

[[document]]
series = "ncmec_esp"
period = "2019"
url = "{base}{PDFS}/2019-reports-by-esp.pdf"
"""
    )
    return load_sources(path)


def test_mirror_folder_http_mirror_and_origin_discover_the_same(tmp_path, server, policy):
    html = ncmec_landing(ncmec_links(extra=NEW_LINKS[:1]))  # relative links only
    landing_path = "/gethelpnow/cybertipline/cybertiplinedata"
    # origin
    server.expect_request(landing_path).respond_with_data(html, content_type="text/html")
    origin = discovery.run(
        Archive(tmp_path / "a"),
        sources=origin_sources(tmp_path, server.port),
        policy=policy,
        mirror="",
    )
    # a mirror folder and an http(s) mirror holding the same page at its URL path
    folder = tmp_path / "mirror"
    write_page(folder, NCMEC_LANDING, html)
    server.expect_request(f"/www.missingkids.org{landing_path}").respond_with_data(
        html, content_type="text/html"
    )
    rules = replace(
        ncmec_rules(), rules=tuple(r for r in ncmec_rules().rules if r.name == "ncmec_esp")
    )
    by_folder = discovery.run(Archive(tmp_path / "b"), sources=rules, mirror=str(folder))
    by_http = discovery.run(
        Archive(tmp_path / "c"),
        sources=rules,
        policy=policy,
        mirror=f"https://localhost:{server.port}",
    )

    def found(report):
        return [
            (m.id, m.status, m.url.split("/content/", 1)[1])
            for r in report.results
            for m in r.matches
        ]

    assert found(by_folder) == found(by_http)
    assert [(i, u) for i, _, u in found(origin)] == [(i, u) for i, _, u in found(by_folder)]
    assert [f.via for f in origin.landing_fetches] == ["origin"]
    assert [f.via for f in by_folder.landing_fetches + by_http.landing_fetches] == ["mirror"] * 2
    assert {r.status for r in origin.results + by_folder.results + by_http.results} == {"ok"}


def test_landing_page_gone_at_the_origin_fails_its_rules(tmp_path, server, policy):
    server.expect_request("/gethelpnow/cybertipline/cybertiplinedata").respond_with_data(
        "gone", status=404
    )
    report = discovery.run(
        Archive(tmp_path / "raw"),
        sources=origin_sources(tmp_path, server.port),
        policy=policy,
        mirror="",
    )
    (r,) = report.results
    assert r.status == "failed"
    assert r.problem == (
        f"landing page https://localhost:{server.port}/gethelpnow/cybertipline/cybertiplinedata "
        "could not be retrieved: HTTP 404 NOT FOUND"
    )


def test_links_to_hosts_off_the_registry_are_refused(tmp_path):
    mirror = tmp_path / "mirror"
    evil = "https://evil.example/content/dam/missingkids/pdfs/2027-reports-by-esp.pdf"
    write_page(mirror, NCMEC_LANDING, ncmec_landing(ncmec_links(extra=[(evil, "2027")])))
    report = discovery.run(Archive(tmp_path / "raw"), sources=ncmec_rules(), mirror=str(mirror))
    esp = next(r for r in report.results if r.rule == "ncmec_esp")
    assert report.new == [] and "ncmec_esp_2027" not in esp.documents
    assert esp.refused == [
        f"{evil}: discovered ncmec_esp_2027: host evil.example is not a host of any hand-written "
        "document"
    ]


# -- acceptance: web-archive fallback -----------------------------------------------------------------
PDF = ncmec_pdf("2019-reports-by-esp.pdf").read_bytes()
PDF_2020 = ncmec_pdf("2020-reports-by-esp.pdf").read_bytes()
QF = "/sites/default/files/pdf/research-and-publications/quick-facts/Child_Pornography_FY19.pdf"


def serve_captures(server, url, stamps_and_bodies):
    rows = [["timestamp", "statuscode", "digest"]] + [
        [ts, "200", f"D{ts}"] for ts, _ in stamps_and_bodies
    ]
    server.expect_request("/cdx/search/cdx").respond_with_data(
        json.dumps(rows), content_type="application/json"
    )
    for ts, body in stamps_and_bodies:
        server.expect_request(f"/web/{ts}id_/{url}").respond_with_data(
            body, content_type="application/pdf"
        )


@pytest.fixture
def qf(server):
    return replace(
        by_id("ussc_quick_facts_child_pornography_fy2019"),
        url=f"https://localhost:{server.port}{QF}",
    )


def test_origin_404_archives_the_newest_capture_with_its_timestamp(tmp_path, server, policy, qf):
    import schemas
    from pipeline.build import documents_table

    archive = Archive(tmp_path / "raw")
    base = f"https://localhost:{server.port}"
    server.expect_request(QF).respond_with_data("Not Found", status=404)
    serve_captures(server, qf.url, [("20200101000000", PDF_2020), ("20230501120000", PDF)])

    origin, capture = fetch_with_fallback(qf, archive, base=base, policy=policy, mirror="")
    assert (origin.outcome, origin.http_status) == ("failed", 404)
    assert (capture.outcome, capture.via, capture.capture_timestamp) == (
        "new",
        "web-archive",
        "20230501120000",
    )
    (version,) = archive.versions(qf.id)
    assert version.path.read_bytes() == PDF and version.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (version.via, version.capture_timestamp, version.seen_live) == (
        "web-archive",
        "20230501120000",
        False,
    )
    assert archive.latest(qf.id) is None  # a capture is not the live document
    (row,) = archive.manifest_rows(qf.id)
    assert (row["event"], row["via"], row["capture_timestamp"]) == (
        "capture",
        "web-archive",
        "20230501120000",
    )
    # documents.csv says so, and the schema accepts it
    docs = documents_table(archive, parses={})
    docs = docs[docs["document_id"] == qf.id]
    assert docs[["via", "capture_timestamp"]].values.tolist() == [["web-archive", "20230501120000"]]
    schemas.TABLES["documents"].validate(docs.assign(parse_status="archived_only"))

    # Still gone next time: nothing fetched again; the capture stands in.
    server.clear()
    server.expect_request(QF).respond_with_data("Not Found", status=404)
    origin, capture = fetch_with_fallback(qf, archive, base=base, policy=policy, mirror="")
    assert capture is None and stand_in(archive, qf.id) == version
    assert not [r for r, _ in server.log if r.path.startswith(("/cdx", "/web/"))]

    # The origin comes back: its bytes are the document; the capture stays as history.
    server.clear()
    server.expect_request(QF).respond_with_data(PDF_2020, content_type="application/pdf")
    origin, capture = fetch_with_fallback(qf, archive, base=base, policy=policy, mirror="")
    assert origin.outcome == "new" and capture is None
    assert archive.latest(qf.id).sha256 == hashlib.sha256(PDF_2020).hexdigest()
    assert [v.via for v in archive.versions(qf.id)] == ["web-archive", "origin"]
    assert stand_in(archive, qf.id) is None


def test_a_capture_never_replaces_origin_bytes(tmp_path, server, policy, qf):
    archive = Archive(tmp_path / "raw")
    base = f"https://localhost:{server.port}"
    server.expect_oneshot_request(QF).respond_with_data(PDF, content_type="application/pdf")
    assert fetch_document(qf, archive, policy=policy, mirror="").outcome == "new"
    server.expect_request(QF).respond_with_data("Gone", status=410)
    serve_captures(server, qf.url, [("20230501120000", PDF_2020)])
    origin, capture = fetch_with_fallback(qf, archive, base=base, policy=policy, mirror="")
    assert origin.http_status == 410 and capture is None
    assert [v.via for v in archive.versions(qf.id)] == ["origin"]
    assert not [r for r, _ in server.log if r.path.startswith(("/cdx", "/web/"))]


def test_host_that_no_longer_resolves_falls_back_to_a_capture(tmp_path, server, policy, qf):
    gone = replace(qf, url="https://gone.invalid/quick-facts/Child_Pornography_FY19.pdf")
    wide = replace(policy, allowed_hosts=policy.allowed_hosts | {"gone.invalid"})
    serve_captures(server, gone.url, [("20190601000000", PDF)])
    archive = Archive(tmp_path / "raw")
    origin, capture = fetch_with_fallback(
        gone, archive, base=f"https://localhost:{server.port}", policy=wide, mirror=""
    )
    assert "did not resolve" in origin.reason
    assert (capture.outcome, capture.capture_timestamp) == ("new", "20190601000000")


def test_no_fallback_through_a_mirror_or_for_other_failures(tmp_path, server, policy, qf):
    archive = Archive(tmp_path / "raw")
    base = f"https://localhost:{server.port}"
    serve_captures(server, qf.url, [("20230501120000", PDF)])
    server.expect_request(QF).respond_with_data("busy", status=403)
    origin, capture = fetch_with_fallback(qf, archive, base=base, policy=policy, mirror="")
    assert origin.http_status == 403 and capture is None
    origin, capture = fetch_with_fallback(
        qf, archive, base=base, policy=policy, mirror=str(tmp_path / "empty-mirror")
    )
    assert origin.reason.startswith("not in mirror") and capture is None
    assert archive.versions(qf.id) == []


def test_no_capture_available_is_said(tmp_path, server, policy, qf):
    server.expect_request(QF).respond_with_data("Not Found", status=404)
    serve_captures(server, qf.url, [])
    origin, capture = fetch_with_fallback(
        qf,
        Archive(tmp_path / "raw"),
        base=f"https://localhost:{server.port}",
        policy=policy,
        mirror="",
    )
    assert capture.outcome == "failed"
    assert (
        capture.reason == f"origin HTTP 404 NOT FOUND; the web archive holds no capture of {qf.url}"
    )


def test_fallback_lines_for_the_refresh_summary(tmp_path, server, policy, qf):
    from pipeline.wayback import fallback_lines

    archive = Archive(tmp_path / "raw")
    start = archive.attempt_count()
    server.expect_request(QF).respond_with_data("Not Found", status=404)
    serve_captures(server, qf.url, [("20230501120000", PDF)])
    fetch_with_fallback(
        qf, archive, base=f"https://localhost:{server.port}", policy=policy, mirror=""
    )
    assert fallback_lines(archive, start) == [
        f"  web-archive   {qf.id}: origin no longer serves {qf.url}; archived the capture of "
        f"20230501120000 (sha256 {hashlib.sha256(PDF).hexdigest()[:16]})"
    ]
