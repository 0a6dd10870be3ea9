"""End to end: `python -m pipeline.refresh` (what `make refresh` runs) against the real mirror, then again
(nothing changes), then against a mirror holding a wrong document (nothing published is touched)."""

import hashlib
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from pipeline.registry import registry
from tests.conftest import MIRROR, NCMEC_PDFS, REPO
from tests.standins.__main__ import write_all

MIRRORED = {d.id for d in registry() if d.reference_sha256}


def refresh(env_dirs, mirror):
    env = {
        **os.environ,
        "DAGSTER_HOME": str(env_dirs / "home"),
        "PIPELINE_RAW_DIR": str(env_dirs / "raw"),
        "PIPELINE_PROCESSED_DIR": str(env_dirs / "processed"),
        "PIPELINE_MIRROR": str(mirror),
    }
    return subprocess.run(
        [sys.executable, "-m", "pipeline.refresh"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def digests(folder):
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        # The parse cache is derived data (rebuilt on a miss), not part of the archive.
        if p.is_file()
        and p.name not in ("manifest.csv", "attempts.jsonl")
        and ".parse-cache" not in p.parts
    }


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    dirs = tmp_path_factory.mktemp("refresh")
    (dirs / "home").mkdir()
    shutil.copy(REPO / "dagster.yaml", dirs / "home" / "dagster.yaml")
    proc = refresh(dirs, MIRROR)
    return dirs, proc


def test_first_refresh_archives_the_mirror_and_publishes_reports(first_run):
    dirs, proc = first_run
    out = proc.stdout
    # Documents outside the mirror are expected to be missing: not a failure of the refresh.
    assert proc.returncode == 0, out + proc.stderr
    absent = len(registry()) - 9
    assert f"fetch: 9 new, 0 unchanged, {absent} not in mirror, 0 no network, 0 failed" in out
    for doc_id in MIRRORED:
        assert f"fetched       {doc_id}: sha256 " in out
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("not in mirror"))
    assert f"{absent} documents (expected" in line and "ncmec_esp_2023" in line
    assert "parse: 9 documents parsed, 0 failed" in out
    for table in ("cybertipline_reports_by_esp", "cybertipline_reports_by_country"):
        assert f"published     {table}: " in out
    assert (
        "published     cybertipline_reports_by_esp: 782 rows (changed) from ncmec_esp_2019, " in out
    )
    esp = pd.read_csv(dirs / "processed" / "cybertipline_reports_by_esp.csv")
    assert esp.groupby("calendar_year")["reports"].sum().to_dict() == {
        2019: 16_836_694,
        2020: 21_447_786,
        2021: 29_157_083,
        2022: 31_802_525,
    }
    country = pd.read_csv(dirs / "processed" / "cybertipline_reports_by_country.csv")
    assert country.groupby("calendar_year")["reports"].sum().to_dict() == {
        2019: 16_987_361,
        2020: 21_751_085,
        2021: 29_397_681,
        2022: 32_059_029,
    }
    docs = pd.read_csv(dirs / "processed" / "documents.csv")
    assert set(docs["document_id"]) == MIRRORED
    assert docs["parser_verified"].all()
    for _parser, table in [
        ("icac", "icac_task_force_activity"),
        ("ussc_quick_facts", "federal_sentencing"),
        ("bjs", "federal_prosecutions"),
    ]:
        assert f"not built     {table}: none of its documents is archived" in out
        assert not (dirs / "processed" / f"{table}.csv").exists()
    for f in (dirs / "processed").glob("*.csv"):
        header = f.read_text().splitlines()[0].split(",")
        assert not ("calendar_year" in header and "fiscal_year" in header), f.name


def test_second_refresh_is_unchanged_and_byte_identical(first_run):
    dirs, _ = first_run
    raw_before, processed_before = digests(dirs / "raw"), digests(dirs / "processed")
    mtimes = {p.name: p.stat().st_mtime_ns for p in (dirs / "processed").iterdir()}
    proc = refresh(dirs, MIRROR)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert {p.name: p.stat().st_mtime_ns for p in (dirs / "processed").iterdir()} == mtimes
    assert "fetch: 0 new, 9 unchanged" in proc.stdout, proc.stdout + proc.stderr
    assert "parse: no document changed" in proc.stdout
    assert "build: no table's documents or code changed: nothing to publish" in proc.stdout
    assert digests(dirs / "raw") == raw_before
    assert digests(dirs / "processed") == processed_before


def test_a_wrong_document_fails_alone_and_the_last_good_copy_stays(first_run, tmp_path):
    """A mirror serving the 2021 by-country PDF at the 2020 by-ESP URL: the new bytes are archived beside
    the old, the parser refuses them naming document and page, the by-ESP table keeps the earlier
    copy's rows (every table file byte-identical), and documents.csv records both copies' status."""
    dirs, _ = first_run
    bad = tmp_path / "mirror"
    shutil.copytree(MIRROR, bad)
    rel = NCMEC_PDFS.relative_to(MIRROR)
    shutil.copy(NCMEC_PDFS / "2021-reports-by-country.pdf", bad / rel / "2020-reports-by-esp.pdf")
    raw_before, processed_before = digests(dirs / "raw"), digests(dirs / "processed")
    proc = refresh(dirs, bad)
    out = proc.stdout
    assert proc.returncode == 1, out
    assert "fetch: 1 new, 8 unchanged" in out, out
    failed = next(ln for ln in out.splitlines() if "FAILED" in ln and "ncmec_esp_2020" in ln)
    assert "ncmec_esp_2020: page " in failed and "rows kept from copy 82e876b529a74f32" in failed
    # only the changed document is parsed, only its tables are rebuilt
    assert "parse: 0 documents parsed, 1 failed" in out
    assert "published     cybertipline_reports_by_esp: 782 rows (rows unchanged)" in out
    assert "unchanged     cybertipline_reports_by_country: same documents and code" in out
    assert "exit 1: ncmec_esp_2020 failed to parse" in out
    raw_after = digests(dirs / "raw")
    assert all(raw_after[k] == v for k, v in raw_before.items())  # every archived file kept
    assert len(raw_after) == len(raw_before) + 1  # the wrong bytes too, for inspection
    processed_after = digests(dirs / "processed")
    for name, digest in processed_before.items():
        if name not in ("documents.csv", "CHANGES.md"):
            assert processed_after[name] == digest, name
    docs = pd.read_csv(dirs / "processed" / "documents.csv")
    esp2020 = docs[docs["document_id"] == "ncmec_esp_2020"].set_index("parse_status")
    assert sorted(esp2020.index) == ["failed", "parsed"]
    assert esp2020.loc["parsed", "sha256"].startswith("82e876b529a74f32")
    assert esp2020.loc["parsed", "used_in_tables"] == (
        "cybertipline_reports_by_esp;cybertipline_reports_by_year"
    )
    assert esp2020.loc["failed", "sha256"].startswith("ec1f91b0f1a21694")
    assert "ncmec_esp_2020, page " in esp2020.loc["failed", "parse_error"]
    assert not esp2020.loc["failed", "is_parsed"] and pd.isna(
        esp2020.loc["failed", "used_in_tables"]
    )


def test_stand_in_mirror_publishes_outcomes_unverified(tmp_path):
    """With a stand-in at every registered outcomes URL the three outcomes tables publish, each figure's
    evidence is on its page, and documents.csv says the parsers are not verified against real copies."""
    mirror = tmp_path / "mirror"
    shutil.copytree(MIRROR, mirror)
    written = write_all(mirror)
    outcomes = {d.id for d in registry() if d.family == "outcomes" and d.parser}
    assert len(written) == len(outcomes)
    (tmp_path / "home").mkdir()
    shutil.copy(REPO / "dagster.yaml", tmp_path / "home" / "dagster.yaml")
    proc = refresh(tmp_path, mirror)
    out = proc.stdout
    assert f"fetch: {9 + len(outcomes)} new" in out, out + proc.stderr
    assert proc.returncode == 0, out
    for table in ("icac_task_force_activity", "federal_sentencing", "federal_prosecutions"):
        assert f"published     {table}: " in out, out
    assert "NOT PUBLISHED" not in out
    processed = tmp_path / "processed"
    icac = pd.read_csv(processed / "icac_task_force_activity.csv")
    arrests = icac[icac["measure"] == "arrests"].set_index("fiscal_year")
    assert arrests.loc[2024, "value"] == 12600 and arrests.loc[2024, "qualifier"] == "more than"
    sentencing = pd.read_csv(processed / "federal_sentencing.csv")
    assert set(sentencing["fiscal_year"]) >= {2019, 2020, 2021, 2022, 2023, 2024}
    prosecutions = pd.read_csv(processed / "federal_prosecutions.csv")
    referred = prosecutions[prosecutions["stage"] == "suspects_referred"]
    assert 3661 in set(referred["value"]) and 4579 in set(referred["value"])
    docs = pd.read_csv(processed / "documents.csv").set_index("document_id")
    assert not docs.loc[sorted(outcomes), "parser_verified"].any()
    assert docs.loc["ncmec_esp_2021", "parser_verified"]
    for name in ("icac_task_force_activity", "federal_sentencing", "federal_prosecutions"):
        header = (processed / f"{name}.csv").read_text().splitlines()[0].split(",")
        assert "fiscal_year" in header and "calendar_year" not in header
