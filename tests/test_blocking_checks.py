"""In Dagster, a failed blocking check stops publishing: bad rows never reach processed/."""

import hashlib

import dagster as dg
import pytest

import schemas
from pipeline.archive import Archive
from pipeline.fetch import fetch_document
from pipeline.parsers.base import as_result
from pipeline.registry import registry
from tests.conftest import MIRROR


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    root = tmp_path_factory.mktemp("raw")
    archive = Archive(root)
    for doc in registry():
        if doc.reference_sha256:
            assert fetch_document(doc, archive, mirror=str(MIRROR)).ok
    return root


def run_build(monkeypatch, raw, processed, cache):
    from pipeline.definitions import defs

    monkeypatch.setenv("PIPELINE_RAW_DIR", str(raw))
    monkeypatch.setenv("PIPELINE_PROCESSED_DIR", str(processed))
    monkeypatch.setenv("PIPELINE_PARSE_CACHE", str(cache))
    with dg.DagsterInstance.ephemeral() as instance:
        return defs.resolve_job_def("build_tables").execute_in_process(
            instance=instance, raise_on_error=False
        )


def checks(result):
    return {
        (
            e.event_specific_data.asset_key.to_user_string(),
            e.event_specific_data.check_name,
        ): e.event_specific_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def published(result):
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def digests(folder):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()
    }


def test_good_build_passes_every_check_and_publishes_reports(monkeypatch, archived, tmp_path):
    result = run_build(monkeypatch, archived, tmp_path, tmp_path / "cache")
    got = checks(result)
    assert got[("cybertipline_reports_by_esp", "schema")] is True
    assert got[("cybertipline_reports_by_esp", "sums_to_stated_total")] is True
    assert got[("cybertipline_reports_by_country", "sums_to_stated_total")] is True
    assert got[("cybertipline_reports_to_law_enforcement", "classes_sum_to_total")] is True
    assert got[("cybertipline_reports_by_year", "revisions_across_documents")] is True
    reports = [t for t in schemas.TABLES if schemas.family_of(t) == "reports"]
    outcomes = [t for t in schemas.TABLES if schemas.family_of(t) == "outcomes"]
    assert {f"published_{t}" for t in reports} <= published(result)
    assert not {f"published_{t}" for t in outcomes} & published(result)  # none archived


def test_bad_rows_fail_blocking_checks_and_only_that_table_is_held(
    monkeypatch, archived, tmp_path_factory
):
    out = tmp_path_factory.mktemp("processed")
    run_build(monkeypatch, archived, out, out.parent / "cache1")  # a good publish first
    before = digests(out)

    from pipeline.parsers import ncmec_esp

    real_parse = ncmec_esp.parse

    def corrupt(path, doc):
        out = as_result(real_parse(path, doc))
        esp = out.tables["cybertipline_reports_by_esp"].copy()
        if doc.id == "ncmec_esp_2021":
            esp.loc[0, "reports"] = -esp.loc[0, "reports"]  # a sign lost in extraction
        out.tables["cybertipline_reports_by_esp"] = esp
        return out

    monkeypatch.setattr(ncmec_esp, "parse", corrupt)
    # A fresh parse cache, so the corrupted parser really runs.
    result = run_build(monkeypatch, archived, out, out.parent / "cache2")
    got = checks(result)
    assert got[("cybertipline_reports_by_esp", "schema")] is False
    assert got[("cybertipline_reports_by_esp", "sums_to_stated_total")] is False
    assert got[("cybertipline_reports_by_country", "sums_to_stated_total")] is True
    assert "published_cybertipline_reports_by_esp" not in published(result)
    # the other tables are published (with the same rows as before), by-ESP is held back
    assert "published_cybertipline_reports_by_country" in published(result)
    assert "published_cybertipline_reports_by_year" in published(result)
    assert digests(out) == before
