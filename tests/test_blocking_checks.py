"""In Dagster, a failed blocking check stops publishing: bad rows never reach processed/."""

import hashlib

import dagster as dg
import pytest

from pipeline.archive import Archive
from pipeline.fetch import fetch_document
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


def run_build(monkeypatch, raw, processed):
    from pipeline.definitions import defs

    monkeypatch.setenv("PIPELINE_RAW_DIR", str(raw))
    monkeypatch.setenv("PIPELINE_PROCESSED_DIR", str(processed))
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
    result = run_build(monkeypatch, archived, tmp_path)
    got = checks(result)
    assert got[("cybertipline_reports_by_esp", "schema")] is True
    assert got[("cybertipline_reports_by_esp", "sums_to_stated_total")] is True
    assert got[("cybertipline_reports_by_country", "sums_to_stated_total")] is True
    assert got[("cybertipline_reports_to_law_enforcement", "classes_sum_to_total")] is True
    assert got[("cybertipline_reports_by_year", "revisions_across_documents")] is True
    assert "published_reports" in published(result)
    assert "published_outcomes" not in published(result)  # no outcome document archived


def test_bad_rows_fail_blocking_checks_and_nothing_is_published(monkeypatch, archived, tmp_path):
    run_build(monkeypatch, archived, tmp_path)  # a good publish first
    before = digests(tmp_path)

    from pipeline.parsers import ncmec_esp

    real_parse = ncmec_esp.parse

    def corrupt(path, doc):
        out = real_parse(path, doc)
        esp = out["cybertipline_reports_by_esp"].copy()
        if doc.id == "ncmec_esp_2021":
            esp.loc[0, "reports"] = -esp.loc[0, "reports"]  # a sign lost in extraction
        out["cybertipline_reports_by_esp"] = esp
        return out

    monkeypatch.setattr(ncmec_esp, "parse", corrupt)
    result = run_build(monkeypatch, archived, tmp_path)
    got = checks(result)
    assert got[("cybertipline_reports_by_esp", "schema")] is False
    assert got[("cybertipline_reports_by_esp", "sums_to_stated_total")] is False
    assert "published_reports" not in published(result)
    assert digests(tmp_path) == before
