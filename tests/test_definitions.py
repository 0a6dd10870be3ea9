"""The Dagster code location loads, and the raw assets materialize in process against the mirror."""

import os
import shutil
import subprocess
import sys

import dagster as dg

import schemas
from pipeline.archive import Archive
from pipeline.registry import registry
from tests.conftest import MIRROR, REPO


def test_definitions_validate_cli(tmp_path):
    # What `dagster definitions validate` does in CI or before a deploy, with the project's instance
    # config installed the way the Makefile installs it.
    shutil.copy(REPO / "dagster.yaml", tmp_path / "dagster.yaml")
    proc = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-m", "pipeline.definitions"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DAGSTER_HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_asset_groups_and_jobs():
    from pipeline.definitions import defs

    graph = defs.resolve_asset_graph()
    groups = {}
    for key in graph.get_all_asset_keys():
        groups.setdefault(graph.get(key).group_name, set()).add(key.to_user_string())
    assert groups["raw"] == {f"raw_{d.id}" for d in registry()}
    assert "cybertipline_reports_by_esp" in groups["reports"]
    assert "icac_task_force_activity" in groups["outcomes"]
    tables = [t for t in schemas.TABLES if t != "documents"]
    assert groups["publish"] == {f"published_{t}" for t in tables} | {"documents"}
    # one parse asset per document with a parser, in its side's group, fed by its raw asset only
    for doc in registry():
        if doc.parser:
            node = graph.get(dg.AssetKey(f"parsed_{doc.id}"))
            assert node.group_name == doc.family
            assert {k.to_user_string() for k in node.parent_keys} == {f"raw_{doc.id}"}
    # reports and outcomes never feed each other
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.group_name in ("reports", "outcomes"):
            for parent in node.parent_keys:
                assert graph.get(parent).group_name in (node.group_name, "raw"), (key, parent)
    for job in ("fetch_raw", "parse_documents", "build_tables"):
        assert defs.resolve_job_def(job)


def test_raw_assets_materialize_against_mirror(tmp_path, monkeypatch):
    from pipeline.definitions import defs

    monkeypatch.setenv("PIPELINE_RAW_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("PIPELINE_MIRROR", str(MIRROR))
    job = defs.resolve_job_def("fetch_raw")
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    materialized = {
        e.asset_key.to_user_string(): e for e in result.get_asset_materialization_events()
    }
    mirrored = {d.id for d in registry() if d.reference_sha256}
    assert set(materialized) == {f"raw_{i}" for i in mirrored}
    md = materialized["raw_ncmec_esp_2021"].step_materialization_data.materialization.metadata
    assert md["sha256"].value.startswith("a98aa04b0b4171c4")
    assert md["pages"].value == 7 and md["via"].value == "mirror" and md["outcome"].value == "new"
    assert md["url"].value.endswith("2021-reports-by-esp.pdf")
    failed = {e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"}
    assert failed == {f"raw_{d.id}" for d in registry() if d.id not in mirrored}
    assert len(Archive(tmp_path / "raw").entries()) == len(registry())
