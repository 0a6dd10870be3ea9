"""A publish is one switch: a crash at any moment leaves the old or the new release whole, CHANGES.md
included; the next publish cleans up and publishes; the previous release is kept for rollback."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from pipeline import release
from pipeline.publish import neutralise_formula, publish, render_csv
from tests.conftest import REPO
from tests.test_publish import by_esp, by_year, documents

PUBLISH_IN_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tests.test_publish import by_esp, by_year, documents
    from pipeline.publish import publish
    esp = by_esp()
    esp.loc[0, "reports"] += int(sys.argv[2])  # a changed value, so the release really changes
    year = by_year()
    total = year["measure"] == "reports_esp"
    year.loc[total, "value"] = esp["reports"].sum()
    publish({"cybertipline_reports_by_esp": esp, "cybertipline_reports_by_year": year,
             "documents": documents()}, Path(sys.argv[1]))
    """
)


def tables(bump: int = 0) -> dict[str, pd.DataFrame]:
    esp = by_esp()
    esp.loc[0, "reports"] += bump
    year = by_year()
    year.loc[year["measure"] == "reports_esp", "value"] = esp["reports"].sum()
    return {
        "cybertipline_reports_by_esp": esp,
        "cybertipline_reports_by_year": year,
        "documents": documents(),
    }


def snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def publish_in_child(out, bump: int, fault: str | None) -> int:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop(release.FAULT_ENV, None)
    if fault:
        env[release.FAULT_ENV] = fault
    proc = subprocess.run(
        [sys.executable, "-c", PUBLISH_IN_CHILD, str(out), str(bump)], cwd=REPO, env=env
    )
    return proc.returncode


@pytest.fixture
def published(tmp_path):
    out = tmp_path / "processed"
    publish(tables(), out)
    return out


def test_kill_before_the_switch_leaves_the_old_release_whole(published):
    before = snapshot(published)
    assert publish_in_child(published, 7, "publish:before_switch") == -9  # SIGKILL
    assert snapshot(published) == before  # CHANGES.md included
    leftovers = list(published.parent.glob(".processed.staging-*"))
    assert len(leftovers) == 1  # the killed run's next release, never switched in
    # the next normal publish cleans up and publishes
    assert publish_in_child(published, 7, None) == 0
    assert not list(published.parent.glob(".processed.staging-*"))
    esp = pd.read_csv(published / "cybertipline_reports_by_esp.csv")
    assert esp.loc[0, "reports"] == by_esp().loc[0, "reports"] + 7
    changes = (published / "CHANGES.md").read_text()
    assert "1 changed" in changes and "reports 10 -> 17" in changes


def test_kill_right_after_the_switch_leaves_the_new_release_whole(published):
    old = snapshot(published)
    assert publish_in_child(published, 5, "publish:after_switch") == -9
    new = snapshot(published)
    assert new["cybertipline_reports_by_esp.csv"] != old["cybertipline_reports_by_esp.csv"]
    assert new["CHANGES.md"] != old["CHANGES.md"]  # the entry came with its release
    assert publish_in_child(published, 5, None) == 0  # nothing left to change, cleans up
    assert snapshot(published) == new
    assert not list(published.parent.glob(".processed.staging-*"))


def test_without_exchange_a_kill_between_renames_is_completed_next_time(published, monkeypatch):
    monkeypatch.setattr(release, "_exchange", lambda a, b: False)
    old = snapshot(published)
    env_fault = "publish:between_renames"
    monkeypatch.setenv(release.FAULT_ENV, env_fault)
    # In process the kill would end the test: run the fallback in a child with the exchange disabled.
    code = (
        textwrap.dedent(
            """
        import pipeline.release as r
        r._exchange = lambda a, b: False
        """
        )
        + PUBLISH_IN_CHILD
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), release.FAULT_ENV: env_fault}
    proc = subprocess.run([sys.executable, "-c", code, str(published), "3"], cwd=REPO, env=env)
    assert proc.returncode == -9
    assert (
        not published.exists()
    )  # the one moment with no folder: the next run completes the switch
    monkeypatch.delenv(release.FAULT_ENV)
    with release.locked(published):
        pass
    new = snapshot(published)
    assert new["cybertipline_reports_by_esp.csv"] != old["cybertipline_reports_by_esp.csv"]
    assert snapshot(release.previous_dir(published)) == old


def test_previous_release_is_kept_and_rollback_restores_it(published):
    first = snapshot(published)
    publish(tables(bump=11), published)
    second = snapshot(published)
    assert second != first
    assert snapshot(release.previous_dir(published)) == first
    release.rollback(published)
    assert snapshot(published) == first
    assert snapshot(release.previous_dir(published)) == second


def test_unchanged_publish_switches_nothing(published):
    mtimes = {p: p.stat().st_mtime_ns for p in published.rglob("*")}
    report = publish(tables(), published)
    assert report.written == []
    assert {p: p.stat().st_mtime_ns for p in published.rglob("*")} == mtimes
    assert not release.previous_dir(published).exists()


def test_unchanged_files_keep_their_mtime_when_another_table_changes(published):
    docs_mtime = (published / "documents.csv").stat().st_mtime_ns
    publish(tables(bump=1), published)
    assert (published / "documents.csv").stat().st_mtime_ns == docs_mtime


def test_formulas_in_text_cells_are_neutralised_numbers_untouched():
    assert neutralise_formula("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise_formula("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise_formula("+1 evil") == "'+1 evil"
    assert neutralise_formula("Facebook") == "Facebook"
    df = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "-x", "Ok"], "n": [-5, 3, 0]})
    assert render_csv(df) == (b"name,n\n'=cmd|' /C calc'!A0,-5\n'-x,3\nOk,0\n")


def test_refresh_killed_at_the_switch_then_the_next_refresh_publishes(tmp_path):
    """SIGKILL at the publish switch inside `make refresh`: nothing published changes, raw/ is intact,
    the killed run is marked failed on the next start (so the queue is not blocked), and the next
    normal refresh publishes."""
    import dagster as dg

    from pipeline.archive import Archive
    from tests.conftest import MIRROR
    from tests.test_refresh import digests, refresh

    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "dagster.yaml").write_bytes((REPO / "dagster.yaml").read_bytes())
    os.environ[release.FAULT_ENV] = "publish:before_switch"
    try:
        killed = refresh(tmp_path, MIRROR)
    finally:
        del os.environ[release.FAULT_ENV]
    assert killed.returncode == -9, killed.stdout + killed.stderr
    assert not (tmp_path / "processed").exists()  # the first release never switched in
    raw = digests(tmp_path / "raw")
    assert len(Archive(tmp_path / "raw").versions("ncmec_esp_2019")) == 1

    again = refresh(tmp_path, MIRROR)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "orphan run    build_tables " in again.stdout
    assert "published     cybertipline_reports_by_esp: 782 rows" in again.stdout
    assert digests(tmp_path / "raw") == raw
    assert not list(tmp_path.glob(".processed.staging-*"))
    os.environ["DAGSTER_HOME"], old = str(tmp_path / "home"), os.environ.get("DAGSTER_HOME")
    try:
        with dg.DagsterInstance.get() as instance:
            started = instance.get_runs(
                filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])
            )
            assert started == []
    finally:
        if old is None:
            del os.environ["DAGSTER_HOME"]
        else:
            os.environ["DAGSTER_HOME"] = old
