"""Isolation: one bad document costs that document only, never a table or the release.

End to end (``python -m pipeline.refresh`` against mirrors): a refresh of the real mirror publishes the
reports tables; a second refresh meets a mirror that also holds stand-in documents nobody has parsed
before (STAND-INS, generated: no real copy exists offline) --
  * a 2024 by-country edition with a misspelt territory -> published as printed, empty ISO code, WARN;
  * a 2023 by-country edition whose header changed on page 2 -> that document fails, named with its page;
  * every outcomes document, with the FY2021 USSC Quick Facts replaced by an unreadable PDF -> that one
    document fails, the other sentencing documents and the ICAC and BJS tables still publish.
Plus last known good at the function level: copy 1 parses, copy 2 at the same URL is unreadable.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from pipeline.archive import Archive
from pipeline.build import build_all, documents_table
from pipeline.fetch import fetch_document, mirror_location
from pipeline.parse import parse_document
from pipeline.registry import by_id
from tests.conftest import MIRROR, REPO
from tests.standins.__main__ import write_all
from tests.standins.ncmec_future import (
    write_country_broken_layout,
    write_country_unknown_spelling,
)
from tests.test_refresh import digests, refresh

UNREADABLE_PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nthis is not a PDF body\n"


def at(mirror, document_id):
    path = mirror / mirror_location(by_id(document_id).url)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def two_refreshes(tmp_path_factory):
    dirs = tmp_path_factory.mktemp("isolation")
    (dirs / "home").mkdir()
    shutil.copy(REPO / "dagster.yaml", dirs / "home")
    first = refresh(dirs, MIRROR)
    before = {
        "digests": digests(dirs / "processed"),
        "country": pd.read_csv(dirs / "processed" / "cybertipline_reports_by_country.csv"),
    }

    mirror = dirs / "mirror"
    shutil.copytree(MIRROR, mirror)
    write_all(mirror)
    at(mirror, "ussc_quick_facts_child_pornography_fy2021").write_bytes(UNREADABLE_PDF)
    unknown = write_country_unknown_spelling(at(mirror, "ncmec_country_2024"), 2024)
    broken = write_country_broken_layout(at(mirror, "ncmec_country_2023"), 2023)
    second = refresh(dirs, mirror)
    return dirs, first, before, second, unknown, broken


def test_first_refresh_is_clean(two_refreshes):
    _, first, *_ = two_refreshes
    assert first.returncode == 0, first.stdout + first.stderr


def test_failing_documents_are_named_with_page_and_exit_is_non_zero(two_refreshes):
    _, _, _, second, _, broken = two_refreshes
    out = second.stdout
    assert second.returncode == 1, out + second.stderr
    lines = out.splitlines()
    country = next(ln for ln in lines if "FAILED" in ln and "ncmec_country_2023" in ln)
    assert f"ncmec_country_2023: page {broken['expected_error_page']}: expected " in country
    assert "rows kept from copy none" in country
    ussc = next(
        ln for ln in lines if "FAILED" in ln and "ussc_quick_facts_child_pornography_fy2021" in ln
    )
    assert "unreadable" in ussc
    assert "ncmec_country_2023 failed to parse" in lines[-2]
    assert "ussc_quick_facts_child_pornography_fy2021 failed to parse" in lines[-2]


def test_every_other_table_publishes(two_refreshes):
    dirs, _, _, second, *_ = two_refreshes
    out = second.stdout
    for table in (
        "cybertipline_reports_by_country",
        "cybertipline_reports_by_year",
        "icac_task_force_activity",
        "federal_sentencing",
        "federal_prosecutions",
    ):
        assert f"published     {table}: " in out, out
    assert "NOT PUBLISHED" not in out
    sentencing = pd.read_csv(dirs / "processed" / "federal_sentencing.csv")
    docs = set(sentencing["document_id"])
    assert "ussc_quick_facts_child_pornography_fy2021" not in docs
    assert {
        f"ussc_quick_facts_child_pornography_fy{y}" for y in (2019, 2020, 2022, 2023, 2024)
    } <= docs


def test_processed_changes_only_for_the_new_documents(two_refreshes):
    dirs, _, before, _, unknown, _ = two_refreshes
    after = digests(dirs / "processed")
    # Tables no new document feeds are byte-identical.
    for name in (
        "cybertipline_reports_by_esp.csv",
        "cybertipline_reports_to_law_enforcement.csv",
        "cybertipline_law_enforcement_feedback.csv",
    ):
        assert after[name] == before["digests"][name], name
    country = pd.read_csv(dirs / "processed" / "cybertipline_reports_by_country.csv")
    old_docs = set(before["country"]["document_id"])
    kept = country[country["document_id"].isin(old_docs)].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, before["country"])
    new = country[~country["document_id"].isin(old_docs)]
    assert set(new["document_id"]) == {"ncmec_country_2024"}
    assert len(new) == unknown["rows"]
    assert new["reports"].sum() == unknown["total"]


def test_unknown_spelling_is_published_as_printed_with_a_warning(two_refreshes):
    dirs, _, _, second, unknown, _ = two_refreshes
    country = pd.read_csv(dirs / "processed" / "cybertipline_reports_by_country.csv")
    row = country[country["country_as_printed"] == unknown["unknown_label"]]
    assert len(row) == 1 and row["document_id"].iloc[0] == "ncmec_country_2024"
    assert pd.isna(row["country_iso3"].iloc[0]) and not row["is_location_unknown"].iloc[0]
    line = next(
        ln
        for ln in second.stdout.splitlines()
        if "published     cybertipline_reports_by_country" in ln
    )
    assert "warnings: labels_known (warn)" in line


def test_documents_csv_records_every_copy_status(two_refreshes):
    dirs, *_ = two_refreshes
    docs = pd.read_csv(dirs / "processed" / "documents.csv").set_index("document_id")
    assert docs.loc["ncmec_country_2023", "parse_status"] == "failed"
    assert "page 2" in docs.loc["ncmec_country_2023", "parse_error"]
    assert not docs.loc["ncmec_country_2023", "is_parsed"]
    assert docs.loc["ussc_quick_facts_child_pornography_fy2021", "parse_status"] == "failed"
    assert docs.loc["ncmec_country_2024", "parse_status"] == "parsed"
    assert docs.loc["ncmec_country_2024", "used_in_tables"] == (
        "cybertipline_reports_by_country;cybertipline_reports_by_year"
    )
    # a stand-in is never a verified real copy
    assert not docs.loc["ncmec_country_2024", "parser_verified"]


# -- last known good, without Dagster ---------------------------------------------------------------
def test_unreadable_newer_copy_keeps_the_earlier_copys_rows(tmp_path):
    doc = by_id("ncmec_esp_2019")
    archive = Archive(tmp_path / "raw")
    assert fetch_document(doc, archive, mirror=str(MIRROR)).outcome == "new"
    tables, failures = build_all(archive, cache=False)
    rows_before = tables["cybertipline_reports_by_esp"]
    assert failures == {} and len(rows_before) == 148

    bad = tmp_path / "m2"
    at(bad, doc.id).write_bytes(UNREADABLE_PDF)
    assert fetch_document(doc, archive, mirror=str(bad)).outcome == "new"
    assert len(archive.versions(doc.id)) == 2

    dp = parse_document(doc, archive, cache=False)
    assert dp.newest_failed is not None and "unreadable" in dp.newest_failed.error
    assert [p.sha256[:16] for p in dp.used] == ["b60ad2e830e443c0"]
    tables, failures = build_all(archive, cache=False)
    pd.testing.assert_frame_equal(tables["cybertipline_reports_by_esp"], rows_before)
    assert "ncmec_esp_2019, page -: unreadable" in failures[doc.id]
    docs = documents_table(archive).set_index("parse_status")
    assert docs.loc["parsed", "sha256"].startswith("b60ad2e830e443c0")
    assert docs.loc["parsed", "is_parsed"] and not docs.loc["failed", "is_parsed"]
    assert pd.isna(docs.loc["failed", "pages"])  # no page count for an unreadable file


def test_cache_hit_needs_no_parser_and_a_damaged_entry_is_rebuilt(tmp_path, monkeypatch):
    from pipeline.parse import ParseCache
    from pipeline.parsers import ncmec_esp

    doc = by_id("ncmec_esp_2019")
    archive = Archive(tmp_path / "raw")
    assert fetch_document(doc, archive, mirror=str(MIRROR)).ok
    cache = ParseCache(tmp_path / "cache")
    first = parse_document(doc, archive, cache)
    (entry,) = list((tmp_path / "cache").rglob("*.pickle"))

    def refuse(*_):
        raise AssertionError("parsed again although the copy and the parser did not change")

    monkeypatch.setattr(ncmec_esp, "parse", refuse)
    again = parse_document(doc, archive, cache)
    assert again.used[0].rows() == first.used[0].rows()

    entry.write_bytes(b"not a pickle")
    monkeypatch.undo()
    rebuilt = parse_document(doc, archive, cache)
    assert rebuilt.used[0].rows() == first.used[0].rows()
