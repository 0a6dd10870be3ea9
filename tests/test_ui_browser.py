"""The Dagster UI in a real browser: after a refresh against the mirror (`python -m pipeline.refresh`, whose
jobs run in process against a temporary DAGSTER_HOME), `dagster-webserver` serves that instance on a free
127.0.0.1 port and Debian's chromium, driven by Playwright, opens the pages a reviewer uses: the asset
catalog, the by-ESP table (row count, source sha256, a passed check with what it compared), a raw asset
whose download failed (its reason), the runs list and the overview timeline.

Screenshots are test artefacts: under $PIPELINE_TEST_ARTIFACTS when set (`make test-browser` sets it),
else in pytest's temporary folder; the path is printed. Debian's chromium is used through
``executable_path``: `playwright install` downloads browsers from elsewhere and is never run. Without
chromium the test is skipped, except under CI=true, where it fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import MIRROR, REPO

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("PIPELINE_CHROMIUM", "/usr/bin/chromium"))
BIN = Path(sys.executable).parent  # the venv's bin: dagster-webserver
LOCATION = "pipeline.definitions"  # the code location's name under `-m pipeline.definitions`
REPOSITORY = "__repository__"  # a Definitions object's repository
REFRESH_TIMEOUT = 600
STARTUP = 180  # webserver up and the code location loaded
PAGE_TIMEOUT_MS = 30_000
ESP_2019_SHA256 = "b60ad2e830e443c0b5097004037ca42a03739218c1bba82c1cf534c37503e4b3"


def _unavailable(why: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why} (CI installs it: .ci/run)")
    pytest.skip(f"{why}; `make test-browser` as root installs Debian's chromium, or run .ci/run")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """End the webserver and what it started (its code server): they share its process group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=20)
    # Whatever is left in the group (the leader, or a code server that outlived it).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("PIPELINE_TEST_ARTIFACTS") or tmp_path_factory.mktemp("ui-shots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser test artefacts (screenshots, logs): {folder}")
    return folder


@pytest.fixture(scope="module")
def ui(tmp_path_factory, artifacts):
    """A refreshed instance served by dagster-webserver; yields its base URL."""
    if not CHROMIUM.exists():
        _unavailable(f"Debian's chromium is not installed ({CHROMIUM} missing)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("playwright for Python is not installed (the dev extra: make venv)")
    if not MIRROR.is_dir():
        pytest.fail(f"the shared mirror is missing: expected {MIRROR} beside the repository")

    t0 = time.monotonic()
    root = tmp_path_factory.mktemp("ui")
    home, raw, processed, cache = (root / d for d in ("home", "raw", "processed", "cache"))
    for d in (home, raw, processed, cache):
        d.mkdir()
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "PIPELINE_RAW_DIR": str(raw),
        "PIPELINE_PROCESSED_DIR": str(processed),
        "PIPELINE_PARSE_CACHE": str(cache),
        "PIPELINE_MIRROR": str(MIRROR),
        "PYTHONUNBUFFERED": "1",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.refresh"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=REFRESH_TIMEOUT,
    )
    (artifacts / "refresh.log").write_text(proc.stdout + proc.stderr)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    # The refresh records each run's origin (pipeline/defs/ui.py), so the timeline can place it.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAGSTER_HOME", str(home))
        import dagster as dg

        with dg.DagsterInstance.get() as instance:
            runs = instance.get_runs()
            assert {r.job_name for r in runs} >= {"fetch_raw", "parse_documents", "build_tables"}
            for run in runs:
                assert run.remote_job_origin is not None, run.job_name
                assert run.tags[".dagster/repository"] == "__repository__@pipeline.definitions"
    refreshed = time.monotonic() - t0

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(artifacts / "webserver.log", "wb")  # noqa: SIM115 - closed below
    web = subprocess.Popen(
        [str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port), "-m", LOCATION],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    try:
        deadline = time.monotonic() + STARTUP
        query = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"
        last = None
        while True:
            if web.poll() is not None:
                pytest.fail(
                    f"dagster-webserver exited with {web.returncode}:\n"
                    + (artifacts / "webserver.log").read_text(errors="replace")[-4000:]
                )
            try:
                body = requests.post(f"{base}/graphql", json={"query": query}, timeout=10).json()
                entries = body["data"]["workspaceOrError"]["locationEntries"]
                last = entries
                if any(e["name"] == LOCATION and e["loadStatus"] == "LOADED" for e in entries):
                    break
            except (requests.RequestException, ValueError, KeyError, TypeError) as err:
                last = err
            if time.monotonic() > deadline:
                pytest.fail(f"the webserver did not load {LOCATION} in {STARTUP}s (last: {last!r})")
            time.sleep(1)
        print(f"refresh {refreshed:.0f}s, webserver ready {time.monotonic() - t0 - refreshed:.0f}s")
        yield base
    finally:
        _stop(web)


@pytest.fixture(scope="module")
def browser(ui):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
        b = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"], timeout=60_000
        )
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1100})
    pg = context.new_page()
    pg.set_default_timeout(PAGE_TIMEOUT_MS)
    # A first visit may open a "Join the Dagster community" dialog over the page: dismiss it.
    pg.add_locator_handler(
        pg.get_by_text("Join the Dagster community"),
        lambda: pg.get_by_role("button", name="Skip").click(),
    )
    yield pg
    context.close()


def _text(page) -> str:
    return page.inner_text("body")


def test_catalog_lists_the_tables_and_raw_assets(ui, page, artifacts):
    from playwright.sync_api import expect

    page.goto(f"{ui}/assets")
    page.get_by_text("cybertipline_reports_by_esp", exact=True).first.wait_for()
    # The catalog is virtualised (only rows on screen are rendered): filter it to the raw NCMEC
    # by-ESP documents, and wait for every status to load.
    page.locator(".CodeMirror").first.click()  # the selection box is a CodeMirror editor
    page.keyboard.type("raw_ncmec_esp")
    page.keyboard.press("Enter")
    page.get_by_text("raw_ncmec_esp_2023", exact=True).first.wait_for()
    expect(page.get_by_text("Loading...")).to_have_count(0, timeout=PAGE_TIMEOUT_MS)
    page.screenshot(path=artifacts / "01_catalog_raw_esp.png", full_page=True)
    for year in (2019, 2020, 2021, 2022, 2023):
        expect(page.get_by_text(f"raw_ncmec_esp_{year}", exact=True).first).to_be_visible()
    text = _text(page)
    assert "Materialized" in text and "Failed" in text, text


def test_table_asset_shows_row_count_sources_and_passed_checks(ui, page, artifacts):
    page.goto(f"{ui}/assets/cybertipline_reports_by_esp")
    status = page.locator("div", has=page.get_by_text("Row count", exact=True)).last
    status.get_by_text("782", exact=True).wait_for()
    page.screenshot(path=artifacts / "02_esp_table_overview.png", full_page=True)

    # The sources table (document, raw asset, URL, full sha256, pages, rows, printed total) is long
    # markdown: the overview shows a button that opens it in a dialog.
    row = page.locator("tr", has=page.get_by_text("sources", exact=True))
    row.get_by_text("Show Markdown").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text(ESP_2019_SHA256).wait_for()
    sources = dialog.inner_text()
    page.wait_for_timeout(700)  # the dialog fades in
    page.screenshot(path=artifacts / "03_esp_table_sources.png")
    assert "ncmec_esp_2019" in sources and "raw_ncmec_esp_2019" in sources
    assert "16,836,694" in sources  # the printed total the rows were reconciled against
    dialog.get_by_role("button", name="Close").click()

    page.goto(f"{ui}/assets/cybertipline_reports_by_esp?view=checks")
    page.get_by_text("sums_to_stated_total").first.click()
    page.get_by_text("Passed", exact=True).first.wait_for()
    page.screenshot(path=artifacts / "04_esp_table_checks.png", full_page=True)
    text = _text(page)
    assert text.count("Succeeded") == 2 and "Passed" in text  # schema and sums_to_stated_total
    assert "Failed" not in text
    # What the row-sum check compared, per document: the rows' sum against the printed total.
    row = page.locator("tr", has=page.get_by_text("compared", exact=True))
    row.get_by_text("Show Markdown").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("16,836,694").first.wait_for()
    page.wait_for_timeout(700)  # the dialog fades in
    page.screenshot(path=artifacts / "05_esp_check_compared.png")
    assert "ncmec_esp_2019" in dialog.inner_text()


def test_failed_download_shows_its_reason_on_the_raw_asset(ui, page, artifacts):
    page.goto(f"{ui}/assets/raw_ncmec_esp_2023")
    page.get_by_text("not in mirror (expected", exact=False).first.wait_for()
    page.screenshot(path=artifacts / "06_raw_failed_download.png", full_page=True)
    text = _text(page)
    assert (
        "not in mirror: www.missingkids.org/content/dam/missingkids/pdfs/2023-reports-by-esp.pdf"
        in text
    )
    assert "archived_copy_in_use" in text and "mirror" in text


def test_refresh_runs_in_runs_list_and_timeline(ui, page, artifacts):
    page.goto(f"{ui}/runs")
    for job in ("fetch_raw", "parse_documents", "build_tables"):
        page.get_by_text(job, exact=True).first.wait_for()
    page.screenshot(path=artifacts / "07_runs.png", full_page=True)

    page.goto(f"{ui}/overview/timeline")
    for job in ("fetch_raw", "parse_documents", "build_tables"):
        page.get_by_text(job, exact=True).first.wait_for()
    page.screenshot(path=artifacts / "08_timeline.png", full_page=True)
    assert "No runs or scheduled ticks" not in _text(page)

    page.goto(f"{ui}/locations/{LOCATION}/jobs/build_tables/runs")
    page.get_by_text("Success", exact=True).first.wait_for()
    page.screenshot(path=artifacts / "09_job_runs.png", full_page=True)
    assert "No runs found" not in _text(page)
