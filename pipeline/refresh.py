"""``make refresh``: fetch every registered document, parse each one, then build, check and publish.

Runs the three Dagster jobs in process against the instance in ``$DAGSTER_HOME`` (so the runs show in
the UI) and prints a summary that says, per document, what was fetched and what failed to parse and why,
and, per table, what was published from which documents or what held it back. The exit code is non-zero
when a download failed for a reason other than an expected one (a document missing from a partial
mirror), a document failed to parse, or a table's blocking check or publish step failed.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from pipeline import discovery, wayback
from pipeline import registry as registry_module
from pipeline.archive import Archive
from pipeline.build import PUBLISHED_TABLES, documents_for_table
from pipeline.changes import build_selection, stale_documents, stale_tables
from pipeline.config import ConfigError, validate_config
from pipeline.fetch import failure_kind, hosts_unreachable
from pipeline.parse import parse_document, warm_cache
from pipeline.registry import allowed_hosts, by_id, registry

# The summary below says what failed in one line each; full logs and stack traces are kept in the
# instance (open `make ui`) rather than flooding the terminal.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@contextmanager
def single_refresh(home: Path):
    """At most one refresh at a time on this instance (in-process runs bypass Dagster's run queue)."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "refresh.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.exit(f"another refresh is running (lock held on {home / 'refresh.lock'})")
        yield


def _instance() -> dg.DagsterInstance:
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


# -- reading a run's own results -------------------------------------------------------------------
def step_failures(result) -> dict[str, str]:
    """Step key -> the first line of what the step's code raised."""
    out = {}
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            data = event.event_specific_data
            err = getattr(data, "error", None)
            user = getattr(data, "user_failure_data", None)
            # Unwrap Dagster's "error occurred while executing op" to the exception the code raised.
            while err is not None and err.cause is not None:
                err = err.cause
            msg = (getattr(user, "description", None) or (err.message if err else "")).strip()
            out[event.step_key] = msg.splitlines()[0] if msg else "failed"
    return out


def check_results(result) -> list[tuple[str, str, bool, str]]:
    """(asset, check, passed, severity) for every check evaluated in the run."""
    out = []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            ev = event.event_specific_data
            out.append((ev.asset_key.to_user_string(), ev.check_name, ev.passed, ev.severity.value))
    return out


def materializations(result) -> dict[str, dict]:
    """Asset -> metadata values of its materialization in the run."""
    return {
        e.asset_key.to_user_string(): {
            k: getattr(v, "value", v) for k, v in e.materialization.metadata.items()
        }
        for e in result.get_asset_materialization_events()
    }


@dataclass
class Summary:
    """What the terminal shows, and a detail log (``$DAGSTER_HOME/refresh.log``, git-ignored, newest
    refresh appended) with everything the terminal only counts, e.g. every figure left out and why."""

    log_path: Path = Path("refresh.log")
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        self.lines.append(text)
        print(text, flush=True)
        self.detail(text)

    def detail(self, text: str) -> None:
        with open(self.log_path, "a", encoding="utf-8") as fh:
            fh.write(text + "\n")


# -- the three stages --------------------------------------------------------------------------------
def report_fetch(s: Summary, archive: Archive, start: int, run, seconds: float) -> None:
    counts: Counter = Counter()
    absent: list[str] = []
    rows = archive.attempts(since=start)
    for row in rows:
        if row["outcome"] != "failed":
            counts[row["outcome"]] += 1
            label = "fetched" if row["outcome"] == "new" else "unchanged"
            s.say(
                f"  {label:<13} {row['document_id']}: sha256 {row['sha256'][:16]}, "
                f"{int(row['bytes']):,} bytes"
            )
            continue
        kind = failure_kind(row["reason"], row.get("via", "")).replace("failed", "FAILED")
        if kind == "FAILED" and wayback.stand_in(archive, row["document_id"]) is not None:
            kind = "origin gone"  # a web-archive capture stands in (said below), not a failure
        counts[kind] += 1
        if kind == "not in mirror":
            absent.append(row["document_id"])  # one line for all of them, below
            continue
        s.say(f"  {kind:<13} {row['document_id']}: {row['reason']} [{row['url']}]")
        if kind == "FAILED":
            s.problems.append(f"download of {row['document_id']} failed")
    # A fetch step that crashed before recording anything is a failure too.
    recorded = {r["document_id"] for r in rows}
    for step, msg in step_failures(run).items():
        doc_id = step.removeprefix("raw_")
        if doc_id not in recorded:
            counts["FAILED"] += 1
            s.say(f"  {'FAILED':<13} {doc_id}: {msg}")
            s.problems.append(f"fetch step {step} crashed")
    for line in wayback.fallback_lines(archive, start):
        s.say(line)
    if absent:
        s.say(
            f"  {'not in mirror':<13} {len(absent)} documents (expected: the mirror holds only "
            f"some documents; earlier archived copies stay in use): {', '.join(absent)}"
        )
    s.say(
        f"fetch: {counts['new']} new, {counts['unchanged']} unchanged, "
        f"{counts['not in mirror']} not in mirror, {counts['no network']} no network, "
        f"{counts['FAILED']} failed ({seconds:.1f}s, run {run.run_id[:8]})"
    )
    if counts["no network"]:
        s.problems.append("some hosts could not be reached (no network?): try MIRROR=")


def report_parse(s: Summary, archive: Archive, run, seconds: float) -> None:
    failures = step_failures(run)
    done = materializations(run)
    for step, msg in sorted(failures.items()):
        doc_id = step.removeprefix("parsed_")
        s.say(f"  {'FAILED':<13} {doc_id}: {msg.removeprefix(doc_id + ', ')}")
        s.problems.append(f"{doc_id} failed to parse")
    for asset in sorted(done):
        doc_id = asset.removeprefix("parsed_")
        dp = parse_document(by_id(doc_id), archive)  # a cache hit: the run has just parsed it
        skipped = [(p, k) for p in dp.used for k in p.skipped]
        if skipped:
            reasons = Counter(k.reason for _, k in skipped)
            s.say(
                f"  {'left out':<13} {doc_id}: {len(skipped)} figure(s) not published as one fiscal "
                f"year's count ({', '.join(f'{r} {n}' for r, n in sorted(reasons.items()))}); "
                f"each in {s.log_path}"
            )
        for p, k in skipped:
            s.detail(
                f"left out {doc_id} copy {p.sha256[:16]} page {k.page}: {k.measure} {k.value} "
                f"[{k.reason}{': ' + k.detail if k.detail else ''}] {k.evidence!r}"
            )
        for w in (w for p in dp.used for w in p.warnings):
            s.say(f"  {'warning':<13} {doc_id}: {w}")
    s.say(
        f"parse: {len(done)} documents parsed, {len(failures)} failed "
        f"({seconds:.1f}s, run {run.run_id[:8]})"
    )


def report_build(s: Summary, archive: Archive, run, seconds: float, tables: list[str]) -> None:
    failures = step_failures(run)
    done = materializations(run)
    checks = check_results(run)
    s.say(f"build ({seconds:.1f}s, run {run.run_id[:8]}):")
    for table in PUBLISHED_TABLES:
        if table not in tables:
            if any(archive.versions(d.id) for d in documents_for_table(table)):
                s.say(f"  {'unchanged':<13} {table}: same documents and code as its last publish")
            else:
                s.say(f"  {'not built':<13} {table}: none of its documents is archived")
            continue
        published = done.get(f"published_{table}")
        failed_checks = [
            f"{c} ({sev.lower()})" for a, c, ok, sev in checks if a == table and not ok
        ]
        if published is not None:
            state = "changed" if published.get("changed") else "rows unchanged"
            s.say(
                f"  {'published':<13} {table}: {published.get('rows')} rows ({state}) from "
                f"{published.get('documents')}"
                + (f"; warnings: {', '.join(failed_checks)}" if failed_checks else "")
            )
            continue
        why = failures.get(table) or failures.get(f"published_{table}")
        blocking = [c for c in failed_checks if c.endswith("(error)")]
        reason = (
            f"blocking check failed: {', '.join(blocking)}"
            if blocking
            else (why or "skipped (an upstream step failed)")
        )
        s.say(f"  {'NOT PUBLISHED':<13} {table}: {reason}; the published file is unchanged")
        s.problems.append(f"{table} not published")
    if "documents" in failures:
        s.say(f"  {'FAILED':<13} documents: {failures['documents']}")
        s.problems.append("documents table failed")


RUN_PID_TAG = "pipeline/pid"


def mark_orphaned_runs(instance: dg.DagsterInstance, s: Summary) -> None:
    """A refresh killed mid-run leaves its run "started" for ever, which would also block the run
    queue. Under the refresh lock no other refresh runs, so a run started by a refresh process that no
    longer exists is marked failed, with the reason."""
    live = (dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING)
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=list(live))):
        pid = run.tags.get(RUN_PID_TAG)
        if not pid or not pid.isdigit() or _alive(int(pid)):
            continue
        instance.report_run_failed(
            run, f"the refresh process ({pid}) that ran it ended without finishing it (killed?)"
        )
        s.say(
            f"  {'orphan run':<13} {run.job_name} {run.run_id[:8]}: marked failed (process {pid} gone)"
        )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def report_manifest(s: Summary, archive: Archive) -> None:
    """Damaged manifest rows are named with their line; versions whose file is on another machine (a
    fresh clone) are one line, not a failure."""
    problems = archive.manifest_problems()
    missing = [p for p in problems if p.kind == "missing"]
    for p in problems:
        if p.kind != "missing":
            s.say(f"  {'MANIFEST':<13} {p}")
            s.problems.append(f"manifest.csv line {p.line}: {p.kind}")
    if missing:
        s.say(
            f"  {'not here':<13} {len(missing)} archived versions have no file on this machine "
            "(archived elsewhere); they are fetched again if still published"
        )


def offline(s: Summary) -> bool:
    """No registered host reachable: say so at once instead of failing every document in turn."""
    hosts = sorted(allowed_hosts())
    down = hosts_unreachable(hosts, timeout=5.0)
    if hosts and len(down) == len(hosts):
        s.say(
            f"refresh: none of the {len(hosts)} publisher hosts can be reached (no network?); "
            "nothing fetched or changed. Offline, use a mirror: make refresh MIRROR=../shared/sources/mirror"
        )
        return True
    return False


def main() -> int:
    try:
        validate_config()  # before any step: a bad setting would otherwise crash every fetch step
    except ConfigError as exc:
        print(f"refresh: configuration error: {exc}", file=sys.stderr)
        return 2
    home = Path(os.environ.get("DAGSTER_HOME") or ".dagster")
    mirror = os.environ.get("PIPELINE_MIRROR")
    with single_refresh(home):
        instance = _instance()
        archive = Archive()
        s = Summary(log_path=home / "refresh.log")
        s.detail(f"\n# refresh started {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}")
        s.say("refresh" + (f": mirror {mirror}" if mirror else ""))
        mark_orphaned_runs(instance, s)
        report_manifest(s, archive)
        if not mirror and offline(s):
            return 1
        # Discovery first: the publishers' landing pages may list editions no registry entry names yet.
        # Its results (raw/discovered.json) join the registry, so the definitions are loaded after it.
        found = discovery.run(archive, mirror=mirror)
        for line in discovery.summary_lines(found):
            s.say(line)
        s.problems += [f"discovery rule {r.rule} failed" for r in found.failed]
        registry_module.cache_clear()
        from pipeline.definitions import defs
        from pipeline.defs import ui

        start = archive.attempt_count()  # what the fetch run tries from here on
        s.say(f"refresh: {len(registry())} registered documents")

        def run(job: str, selection=None):
            t0 = time.monotonic()
            result = defs.resolve_job_def(job).execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config=QUIET,
                asset_selection=selection,
                tags={RUN_PID_TAG: str(os.getpid()), **ui.run_tags()},
            )
            ui.record_origin(instance, result.dagster_run)  # so the UI's timeline shows it
            return result, time.monotonic() - t0

        fetch, t = run("fetch_raw")
        report_fetch(s, archive, start, fetch, t)

        # Only what changed: documents whose bytes or parser changed, tables whose documents or build
        # code changed (pipeline.changes); an unchanged world parses nothing and writes nothing.
        docs = stale_documents(instance, archive)
        if docs:
            t0 = time.monotonic()
            warm_cache(docs, archive)
            parse, t = run("parse_documents", [dg.AssetKey(f"parsed_{d.id}") for d in docs])
            report_parse(s, archive, parse, t + (time.monotonic() - t0 - t))
        else:
            s.say("parse: no document changed (same bytes, same parser code): nothing to parse")
        tables = stale_tables(instance, archive)
        if tables:
            build, t = run("build_tables", build_selection(tables))
            report_build(s, archive, build, t, tables)
        else:
            s.say("build: no table's documents or code changed: nothing to publish")

        if s.problems:
            s.say(f"exit 1: {'; '.join(s.problems)}")
            s.say(
                "details of every failure: `make ui`, then the fetch_raw / parse_documents / build_tables runs"
            )
            return 1
        s.say("exit 0: everything archived was parsed and every table with documents was published")
        return 0


if __name__ == "__main__":
    sys.exit(main())
