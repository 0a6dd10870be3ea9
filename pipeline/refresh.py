"""``make refresh``: fetch every registered document, then build, check and publish the tables.

Runs the two Dagster jobs in process against the instance in ``$DAGSTER_HOME`` (so both runs show in the
UI), prints one line per document and a summary, and exits non-zero if any document or step failed.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from pipeline.archive import Archive
from pipeline.registry import registry

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


def _step_failures(result) -> list[str]:
    out = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            data = event.event_specific_data
            err = getattr(data, "error", None)
            user = getattr(data, "user_failure_data", None)
            # Unwrap Dagster's "error occurred while executing op" to the exception the code raised.
            while err is not None and err.cause is not None:
                err = err.cause
            msg = (getattr(user, "description", None) or (err.message if err else "")).strip()
            out.append(f"{event.step_key}: {msg.splitlines()[0] if msg else 'failed'}")
    return out


def _check_failures(result) -> list[str]:
    out = []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            ev = event.event_specific_data
            if not ev.passed:
                out.append(f"{ev.asset_key.to_user_string()}:{ev.check_name} ({ev.severity.value})")
    return out


def main() -> int:
    from pipeline.definitions import defs

    home = Path(os.environ.get("DAGSTER_HOME") or ".dagster")
    mirror = os.environ.get("PIPELINE_MIRROR")
    with single_refresh(home):
        instance = _instance()
        archive = Archive()
        start = len(archive.entries())
        print(
            f"refresh: {len(registry())} registered documents"
            + (f", mirror {mirror}" if mirror else "")
        )

        t0 = time.monotonic()
        fetch = defs.resolve_job_def("fetch_raw").execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET
        )
        t_fetch = time.monotonic() - t0
        counts = {"new": 0, "unchanged": 0, "failed": 0}
        for row in archive.entries()[start:]:
            counts[row["outcome"]] += 1
            label = {"new": "fetched", "unchanged": "unchanged", "failed": "FAILED"}[row["outcome"]]
            detail = (
                f"sha256 {row['sha256'][:16]}, {int(row['bytes']):,} bytes"
                if row["sha256"]
                else row["reason"]
            )
            print(
                f"  {label:<9} {row['document_id']}: {detail}"
                + ("" if row["sha256"] else f" [{row['url']}]")
            )

        t1 = time.monotonic()
        build = defs.resolve_job_def("build_tables").execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET
        )
        t_build = time.monotonic() - t1
        build_failures = _step_failures(build)
        check_failures = _check_failures(build)

        print(
            f"fetch: {counts['new']} new, {counts['unchanged']} unchanged, {counts['failed']} failed "
            f"({t_fetch:.1f}s, run {fetch.run_id[:8]})"
        )
        for line in build_failures:
            print(f"  build FAILED {line}")
        for line in check_failures:
            print(f"  check FAILED {line}")
        published = sorted(
            {
                e.asset_key.to_user_string()
                for e in build.get_asset_materialization_events()
                if e.asset_key.to_user_string().startswith("published_")
            }
        )
        print(
            f"build: {'ok' if build.success else 'FAILED'}; published: {', '.join(published) or 'nothing'} "
            f"({t_build:.1f}s, run {build.run_id[:8]})"
        )
        if not build.success or counts["failed"]:
            print("details of every failure: `make ui`, then the fetch_raw / build_tables runs")
        ok = counts["failed"] == 0 and build.success
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
