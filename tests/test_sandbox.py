"""Hostile documents are parsed in a child process under hard limits (issue 9, items 1 and 2).

Each hostile file (generated in a temp folder by :mod:`tests.hostile`: no real attack is in the mirror)
is archived as a copy of ``ncmec_esp_2019`` and parsed through ``pipeline.parse``. Each test asserts the
copy fails on its own with a message naming the document and the limit, and that this process is fine:
the real 2019 by-ESP PDF parsed right after still gives its exact rows. Limits that real documents never
reach are lowered by environment variable where the test needs them low; no test measures time.
"""

from __future__ import annotations

import dataclasses
import hashlib

import pdfplumber
import pytest

from pipeline import sandbox
from pipeline.archive import Archive
from pipeline.fetch import fetch_document
from pipeline.parse import ParseCache, _run_parser, parse_copy, parse_document, warm_cache
from pipeline.pdfinfo import page_count
from pipeline.registry import by_id
from tests import hostile
from tests.conftest import MIRROR, ncmec_pdf

DOC = by_id("ncmec_esp_2019")
ESP_2019_ROWS, ESP_2019_TOTAL = 148, 16_836_694


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """The real 2019 by-ESP copy, archived."""
    archive = Archive(tmp_path_factory.mktemp("raw"))
    assert fetch_document(DOC, archive, mirror=str(MIRROR)).outcome == "new"
    (version,) = archive.versions(DOC.id)
    return version


@pytest.fixture(autouse=True)
def default_limits(monkeypatch):
    for var in sandbox.ENV.values():
        monkeypatch.delenv(var, raising=False)


def copy_of(real, path):
    """``path`` as if it were an archived copy of the 2019 by-ESP document."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return dataclasses.replace(real, path=path, sha256=digest, bytes=path.stat().st_size)


def assert_good_document_still_parses(real):
    parsed = _run_parser(DOC, real)
    assert parsed.ok, parsed.error
    esp = parsed.tables["cybertipline_reports_by_esp"]
    assert len(esp) == ESP_2019_ROWS
    assert int(esp["reports"].sum()) == ESP_2019_TOTAL
    assert parsed.pages == 5


def assert_fails_on(result, message, variable, document_id="ncmec_esp_2019"):
    assert not result.ok
    assert result.tables == {}
    assert result.error == f"{document_id}, page -: {message}"
    assert variable in result.error_expected


# -- the limits ---------------------------------------------------------------------------------------
def test_an_inflation_bomb_stops_at_the_inflation_cap(real, tmp_path):
    bomb = hostile.write_inflation_bomb(tmp_path / "bomb.pdf", inflated_mib=300)
    assert bomb["bytes"] < 400_000  # 300 MiB of content in a third of a megabyte
    result = _run_parser(DOC, copy_of(real, bomb["path"]))
    assert_fails_on(result, "a stream inflates past 100 MiB", "PIPELINE_PARSE_MAX_INFLATED_MB")
    assert result.pages == 1  # counting pages inflates no content stream
    assert_good_document_still_parses(real)


def test_the_inflation_cap_is_configurable(real, tmp_path, monkeypatch):
    bomb = hostile.write_inflation_bomb(tmp_path / "bomb.pdf", inflated_mib=20)
    monkeypatch.setenv("PIPELINE_PARSE_MAX_INFLATED_MB", "10")
    result = _run_parser(DOC, copy_of(real, bomb["path"]))
    assert_fails_on(result, "a stream inflates past 10 MiB", "PIPELINE_PARSE_MAX_INFLATED_MB")
    assert_good_document_still_parses(real)


def test_thousands_of_pages_are_refused_before_any_page_is_parsed(real, tmp_path):
    many = hostile.write_many_pages(tmp_path / "pages.pdf", pages=3000)
    result = _run_parser(DOC, copy_of(real, many["path"]))
    assert_fails_on(
        result, "refused: over the 1,000-page limit (3,000 pages)", "PIPELINE_PARSE_MAX_PAGES"
    )
    assert result.pages is None
    assert page_count(many["path"]) is None  # not counted past the cap either
    assert_good_document_still_parses(real)


def test_a_page_tree_that_understates_its_pages_is_refused_too(real, tmp_path, monkeypatch):
    monkeypatch.setenv("PIPELINE_PARSE_MAX_PAGES", "100")
    liar = hostile.write_many_pages(tmp_path / "liar.pdf", pages=300, declared=1)
    result = _run_parser(DOC, copy_of(real, liar["path"]))
    assert_fails_on(
        result, "refused: over the 100-page limit (more than 100 pages)", "PIPELINE_PARSE_MAX_PAGES"
    )
    assert_good_document_still_parses(real)


def test_cpu_time_is_limited(real, tmp_path, monkeypatch):
    # About 30 s of CPU for pdfminer; one second is a thirtieth of it on any machine.
    burner = hostile.write_cpu_burner(tmp_path / "cpu.pdf")
    monkeypatch.setenv("PIPELINE_PARSE_MAX_CPU_SECONDS", "1")
    result = _run_parser(DOC, copy_of(real, burner["path"]))
    assert_fails_on(result, "CPU time limit of 1 s exceeded", "PIPELINE_PARSE_MAX_CPU_SECONDS")
    assert_good_document_still_parses(real)


def test_memory_is_limited_on_a_real_document(real, tmp_path, monkeypatch):
    # Less than the interpreter itself maps: the first fresh allocation in the child fails. The
    # 19-page transparency report needs ~100 MiB of new objects, so memory the forked child inherits
    # (which differs between a plain and an xdist run) cannot carry it through.
    doc = by_id("ncmec_transparency_2022")
    archive = Archive(tmp_path / "raw")
    assert fetch_document(doc, archive, mirror=str(MIRROR)).outcome == "new"
    (version,) = archive.versions(doc.id)
    monkeypatch.setenv("PIPELINE_PARSE_MAX_MEMORY_MB", "64")
    result = _run_parser(doc, version)
    assert_fails_on(
        result,
        "memory limit of 64 MiB exceeded",
        "PIPELINE_PARSE_MAX_MEMORY_MB",
        "ncmec_transparency_2022",
    )
    monkeypatch.delenv("PIPELINE_PARSE_MAX_MEMORY_MB")
    assert_good_document_still_parses(real)


def test_memory_is_limited_when_the_inflation_cap_is_lifted(real, tmp_path, monkeypatch):
    bomb = hostile.write_inflation_bomb(tmp_path / "bomb.pdf", inflated_mib=300)
    monkeypatch.setenv("PIPELINE_PARSE_MAX_INFLATED_MB", "1000")
    monkeypatch.setenv("PIPELINE_PARSE_MAX_MEMORY_MB", "512")
    result = _run_parser(DOC, copy_of(real, bomb["path"]))
    assert_fails_on(result, "memory limit of 512 MiB exceeded", "PIPELINE_PARSE_MAX_MEMORY_MB")
    monkeypatch.delenv("PIPELINE_PARSE_MAX_MEMORY_MB")
    assert_good_document_still_parses(real)


def test_the_wall_clock_kills_and_is_not_cached(real, tmp_path, monkeypatch):
    burner = hostile.write_cpu_burner(tmp_path / "cpu.pdf")
    monkeypatch.setenv("PIPELINE_PARSE_TIMEOUT_SECONDS", "1")
    cache = ParseCache(tmp_path / "cache")
    version = copy_of(real, burner["path"])
    result = parse_copy(DOC, version, cache)
    assert_fails_on(result, "killed after 1 s wall clock", "PIPELINE_PARSE_TIMEOUT_SECONDS")
    assert not cache.path(DOC, version).exists()  # a loaded machine may finish it next time
    assert_good_document_still_parses(real)


def test_a_limit_failure_is_cached_until_the_limit_changes(real, tmp_path, monkeypatch):
    monkeypatch.setenv("PIPELINE_PARSE_MAX_PAGES", "100")
    many = hostile.write_many_pages(tmp_path / "pages.pdf", pages=300)
    version = copy_of(real, many["path"])
    cache = ParseCache(tmp_path / "cache")
    first = parse_copy(DOC, version, cache)
    assert "refused: over the 100-page limit (300 pages)" in first.error
    assert cache.load(DOC, version).error == first.error  # deterministic: cached like a ParseError
    monkeypatch.setenv("PIPELINE_PARSE_MAX_PAGES", "1000")
    assert cache.load(DOC, version) is None  # a new limit is a new parse
    second = parse_copy(DOC, version, cache)
    assert second.error_page is None and "refused" not in second.error
    assert second.pages == 300


# -- broken files -------------------------------------------------------------------------------------
def test_a_truncated_real_pdf_fails_on_its_own(real, tmp_path):
    half = hostile.write_truncated(tmp_path / "half.pdf", ncmec_pdf("2019-reports-by-esp.pdf"))
    result = _run_parser(DOC, copy_of(real, half["path"]))
    assert not result.ok and result.error.startswith("ncmec_esp_2019, page ")
    assert_good_document_still_parses(real)


def test_garbage_after_the_pdf_header_is_unreadable(real, tmp_path):
    garbage = hostile.write_garbage(tmp_path / "garbage.pdf")
    result = _run_parser(DOC, copy_of(real, garbage["path"]))
    assert result.error.startswith("ncmec_esp_2019, page -: unreadable (")
    assert result.error_expected == "a document the PDF library can read"
    assert result.pages is None and page_count(garbage["path"]) is None
    assert_good_document_still_parses(real)


@pytest.mark.parametrize("write", [hostile.write_deep_nesting, hostile.write_circular_pages])
def test_deep_or_circular_nesting_fails_on_its_own(real, tmp_path, write):
    made = write(tmp_path / "nested.pdf")
    result = _run_parser(DOC, copy_of(real, made["path"]))
    assert not result.ok
    assert result.error_page is None and result.error.startswith("ncmec_esp_2019, page -: ")
    assert page_count(made["path"]) == 1
    assert_good_document_still_parses(real)


# -- the rest of the contract -------------------------------------------------------------------------
def test_page_count_of_real_and_unreadable_files(real, tmp_path):
    assert page_count(real.path) == 5
    assert page_count(ncmec_pdf("OJJDP-NCMEC-Transparency_2022-Calendar-Year.pdf")) == 19
    (tmp_path / "html.pdf").write_text("<html>not a pdf</html>")
    assert page_count(tmp_path / "html.pdf") is None
    assert page_count(tmp_path / "missing.pdf") is None


@pytest.mark.parametrize("var", sorted(sandbox.ENV.values()))
@pytest.mark.parametrize("value", ["abc", "0", "-5", "1.5"])
def test_a_limit_that_is_not_a_positive_integer_is_a_clear_error(real, monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(ValueError, match=f"^{var} must be a positive integer, got '{value}'$"):
        _run_parser(DOC, real)


def open_with_repair(path):
    with pdfplumber.open(path, repair=True) as pdf:
        return len(pdf.pages)


def test_ghostscript_repair_is_never_run(real):
    outcome = sandbox.run(open_with_repair, real.path)
    assert not outcome.ok
    assert outcome.message == "RuntimeError: Ghostscript repair is disabled for untrusted documents"


def test_pool_workers_sandbox_too(real, tmp_path, monkeypatch):
    """warm_cache parses in worker processes; each worker's parses run under the same limits."""
    archive = Archive(tmp_path / "raw")
    assert fetch_document(DOC, archive, mirror=str(MIRROR)).ok
    bad = by_id("ncmec_esp_2020")
    mirror = tmp_path / "mirror"
    at = mirror / bad.url.split("://", 1)[1]
    at.parent.mkdir(parents=True)
    hostile.write_inflation_bomb(at, inflated_mib=200)
    assert fetch_document(bad, archive, mirror=str(mirror)).ok
    monkeypatch.setenv("PIPELINE_PARSE_CACHE", str(tmp_path / "cache"))
    assert sorted(warm_cache([DOC, bad], archive)) == [DOC.id, bad.id]
    failed = parse_document(bad, archive).newest_failed
    assert failed.error == "ncmec_esp_2020, page -: a stream inflates past 100 MiB"
    good = parse_document(DOC, archive).used[0]
    assert int(good.tables["cybertipline_reports_by_esp"]["reports"].sum()) == ESP_2019_TOTAL


def test_a_process_running_threads_parses_through_the_forkserver(real, tmp_path):
    """Forking a process that runs other threads can deadlock, so such a process (a Dagster run may be
    one) parses in children of a forkserver instead; the limits and the results are the same."""
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        assert sandbox._context().get_start_method() == "forkserver"
        bomb = hostile.write_inflation_bomb(tmp_path / "bomb.pdf", inflated_mib=150)
        result = _run_parser(DOC, copy_of(real, bomb["path"]))
        assert_fails_on(result, "a stream inflates past 100 MiB", "PIPELINE_PARSE_MAX_INFLATED_MB")
        assert_good_document_still_parses(real)
    finally:
        stop.set()
        thread.join()
    assert sandbox._context().get_start_method() == "fork"
