"""The production topology on one machine: a real PostgreSQL server holding Dagster's run, event log and
schedule storage (dagster-postgres.yaml), `dagster-daemon run` working the run queue and the sensors, and
`dagster-webserver`. The fetch job is launched through the webserver's GraphQL API into the queue; the
run-status sensors then request the parse and build runs, and the tables are published.

Run with `make test-postgres` (`.ci/run` does). Without PostgreSQL server binaries the test is skipped,
except in CI (CI=true), where that fails it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import requests

from tests.conftest import MIRROR, REPO
from tests.pg_server import Unavailable, free_port, postgres_server

pytestmark = pytest.mark.postgres

LOCATION = "cybertipline"
REPOSITORY = "__repository__"
SENSORS = {
    "parse_documents_after_fetch_raw_success",
    "parse_documents_after_fetch_raw_failure",
    "build_tables_after_parse_documents_success",
    "build_tables_after_parse_documents_failure",
}
OUTCOMES_TABLES = {"icac_task_force_activity", "federal_sentencing", "federal_prosecutions"}
BIN = Path(sys.executable).parent  # the venv's bin: dagster-daemon, dagster-webserver

# Bounds (seconds). The chain has two sensor hops; a run-status sensor is evaluated every ~30 s. Most of
# the chain is the runs themselves: with Dagster's default multiprocess executor every step (about 80 in
# the three jobs) is a new Python process importing dagster and the pipeline, several minutes on 2 busy
# cores; with the in-process executor the whole chain took 80 s here.
STARTUP = 180  # webserver serving the code location, daemon having ticked every sensor once
CHAIN = 900  # from the launch of fetch_raw to build_tables finished


@pytest.fixture(scope="module")
def pg():
    try:
        with postgres_server() as server:
            yield server
    except Unavailable as why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL test: {why}")
        pytest.skip(str(why))


class Services:
    """Long-running processes, each in its own session so that teardown can end it with every process
    it started (code servers, run workers)."""

    def __init__(self, folder: Path, env: dict[str, str]):
        self.folder = folder
        self.env = env
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, cmd: list[str]) -> None:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.procs[name] = subprocess.Popen(
            cmd,
            cwd=REPO,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited with {proc.returncode}\n{self.logs()}")

    def logs(self, chars: int = 4000) -> str:
        out = []
        for name in self.procs:
            text = (self.folder / f"{name}.log").read_text(errors="replace")
            out.append(f"--- {name}.log (last {chars} chars) ---\n{text[-chars:]}")
        return "\n".join(out)

    def stop(self) -> None:
        for proc in self.procs.values():
            _signal_session(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        for proc in self.procs.values():
            _signal_session(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)


def _signal_session(sid: int, sig: int) -> None:
    """Send `sig` to every live process in session `sid` (a process started with start_new_session is
    its own session leader, and its children stay in its session)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state ppid pgrp session ...
        if int(fields[3]) == sid:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry.name), sig)


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    resp = requests.post(url, json={"query": query, "variables": variables or {}}, timeout=30)
    resp.raise_for_status()
    body = resp.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


WORKSPACE_QUERY = """
{ workspaceOrError { __typename ... on Workspace { locationEntries { name loadStatus
    locationOrLoadError { __typename ... on PythonError { message } } } } } }
"""
SENSORS_QUERY = """
query ($repo: RepositorySelector!) {
  sensorsOrError(repositorySelector: $repo) {
    __typename
    ... on Sensors { results { name sensorState { status ticks(limit: 1) { status } } } }
    ... on PythonError { message }
  }
}
"""
LAUNCH = """
mutation ($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on Error { message }
  }
}
"""


def wait_until(what: str, deadline: float, services: Services, probe, every: float = 2.0):
    """Call probe() until it returns something truthy; fail naming `what` at the deadline."""
    last = None
    while time.monotonic() < deadline:
        services.check_alive()
        try:
            last = probe()
        except requests.RequestException as err:  # the webserver is not listening yet
            last = err
        else:
            if last:
                return last
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})\n{services.logs()}")


def test_queue_daemon_and_sensors_on_postgres(pg, tmp_path, monkeypatch):
    from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

    home, raw, processed, cache = (tmp_path / d for d in ("home", "raw", "processed", "cache"))
    for d in (home, raw, processed, cache):
        d.mkdir()
    shutil.copy(REPO / "dagster-postgres.yaml", home / "dagster.yaml")
    (tmp_path / "workspace.yaml").write_text(
        "load_from:\n"
        "  - python_module:\n"
        "      module_name: pipeline.definitions\n"
        f"      location_name: {LOCATION}\n"
        f"      working_directory: {REPO}\n"
    )
    env = {
        **os.environ,
        **pg.env,
        "DAGSTER_HOME": str(home),
        "PIPELINE_MIRROR": str(MIRROR),
        "PIPELINE_RAW_DIR": str(raw),
        "PIPELINE_PROCESSED_DIR": str(processed),
        "PIPELINE_PARSE_CACHE": str(cache),
        "PYTHONUNBUFFERED": "1",
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}/graphql"
    workspace = ["-w", str(tmp_path / "workspace.yaml")]
    services = Services(tmp_path, env)
    instance = None
    try:
        services.start("daemon", [str(BIN / "dagster-daemon"), "run", *workspace])
        services.start(
            "webserver",
            [str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port), *workspace],
        )
        deadline = time.monotonic() + STARTUP

        def location_loaded():
            entries = graphql(url, WORKSPACE_QUERY)["workspaceOrError"]["locationEntries"]
            entry = next(e for e in entries if e["name"] == LOCATION)
            loaded = entry["locationOrLoadError"]
            assert loaded is None or loaded["__typename"] != "PythonError", loaded
            return entry["loadStatus"] == "LOADED" and loaded is not None

        wait_until("the webserver to load the code location", deadline, services, location_loaded)

        # A run-status sensor's first tick only sets its cursor: it reacts to runs that finish after
        # it. So every sensor must have ticked once (the daemon is up) before the fetch is launched.
        repo = {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY}

        def sensors_ticked():
            result = graphql(url, SENSORS_QUERY, {"repo": repo})["sensorsOrError"]
            assert result["__typename"] == "Sensors", result
            ticked = {
                s["name"]
                for s in result["results"]
                if s["sensorState"]["status"] == "RUNNING" and s["sensorState"]["ticks"]
            }
            return ticked >= SENSORS

        wait_until("the daemon's first tick of every sensor", deadline, services, sensors_ticked)

        # Launch fetch_raw through the webserver: with the QueuedRunCoordinator it is only queued.
        launched = time.monotonic()
        params = {
            "selector": {**repo, "jobName": "fetch_raw"},
            "runConfigData": {},
            "executionMetadata": {"tags": [{"key": "test", "value": "postgres"}]},
        }
        result = graphql(url, LAUNCH, {"params": params})["launchRun"]
        assert result["__typename"] == "LaunchRunSuccess", result
        assert result["run"]["status"] in ("QUEUED", "NOT_STARTED"), result
        fetch_id = result["run"]["runId"]

        # From here on, read Dagster's run storage in PostgreSQL directly.
        for key, value in {**pg.env, "DAGSTER_HOME": str(home)}.items():
            monkeypatch.setenv(key, value)
        instance = DagsterInstance.from_config(str(home))
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        chain_deadline = launched + CHAIN
        done = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}

        def finished_run(job: str, after: str | None):
            """The run of `job` (requested by a sensor after run `after`), once it has finished."""
            runs = instance.get_runs(RunsFilter(job_name=job))
            if after is not None:
                runs = [r for r in runs if r.tags.get("dagster/run_key") == f"after-{after}"]
            return runs[0] if runs and runs[0].status in done else None

        fetch = wait_until(
            "fetch_raw to finish",
            chain_deadline,
            services,
            lambda: finished_run("fetch_raw", None),
        )
        parse = wait_until(
            "a sensor to run parse_documents after fetch_raw",
            chain_deadline,
            services,
            lambda: finished_run("parse_documents", fetch_id),
        )
        build = wait_until(
            "a sensor to run build_tables after parse_documents",
            chain_deadline,
            services,
            lambda: finished_run("build_tables", parse.run_id),
        )
        elapsed = time.monotonic() - launched
        print(
            f"fetch_raw {fetch.status.value}, parse_documents {parse.status.value}, "
            f"build_tables {build.status.value}; {elapsed:.0f} s from launch to built"
        )

        # The fetch came from the webserver; parse and build were requested by the sensors.
        assert fetch.run_id == fetch_id and fetch.tags.get("test") == "postgres"
        assert "dagster/sensor_name" not in fetch.tags
        status = fetch.status.value.lower()
        assert parse.tags["dagster/sensor_name"] == f"parse_documents_after_fetch_raw_{status}"
        status = parse.status.value.lower()
        assert build.tags["dagster/sensor_name"] == f"build_tables_after_parse_documents_{status}"
        # Every run went through the queue: enqueued, then started when the daemon dequeued it.
        for run in (fetch, parse, build):
            stored = {}
            for event in (DagsterEventType.RUN_ENQUEUED, DagsterEventType.RUN_STARTING):
                records = instance.get_records_for_run(run.run_id, of_type=event).records
                assert records, f"{run.job_name} {run.run_id} has no {event.value} event"
                stored[event] = records[0].storage_id
            assert stored[DagsterEventType.RUN_ENQUEUED] < stored[DagsterEventType.RUN_STARTING]
        # Documents missing from the mirror fail their fetch steps, and the outcomes tables (none of
        # their documents is in the mirror) fail their build steps; parsing fails nothing.
        assert fetch.status in (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE)
        assert parse.status == DagsterRunStatus.SUCCESS, services.logs()
        failed = {
            r.event_log_entry.step_key
            for r in instance.get_records_for_run(
                build.run_id, of_type=DagsterEventType.STEP_FAILURE
            ).records
        }
        assert failed <= OUTCOMES_TABLES, services.logs()
        assert build.status == (DagsterRunStatus.FAILURE if failed else DagsterRunStatus.SUCCESS)

        # The tables were published into this test's processed/ folder.
        esp = pd.read_csv(processed / "cybertipline_reports_by_esp.csv")
        assert len(esp) == 782
        assert esp.groupby("calendar_year")["reports"].sum().to_dict()[2022] == 31_802_525
        for name in ("cybertipline_reports_by_country.csv", "documents.csv"):
            assert (processed / name).is_file(), name
        assert len(list(raw.glob("*/*.pdf"))) == 9
    finally:
        services.stop()
        if instance is not None:
            instance.dispose()
