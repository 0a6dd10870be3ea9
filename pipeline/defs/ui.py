"""Make runs that ``make refresh`` executes in process show in the Dagster UI like launched runs.

The UI's overview timeline places a run by its remote origin (repository @ code location), which
``execute_in_process`` does not record, and a job's Runs tab filters on the hidden tag
``.dagster/repository``. These are Dagster internals (no public API sets them for in-process runs), so
they live in this one place; `tests/test_ui_browser.py` checks the result in a real browser.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dagster._core.remote_origin import (
    ManagedGrpcPythonEnvCodeLocationOrigin,
    RemoteJobOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.storage.tags import REPOSITORY_LABEL_TAG
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

# The code location `make ui` serves (`dagster dev -m pipeline.definitions` names it after the module).
LOCATION = "pipeline.definitions"
REPOSITORY = "__repository__"


def repository_origin() -> RemoteRepositoryOrigin:
    return RemoteRepositoryOrigin(
        ManagedGrpcPythonEnvCodeLocationOrigin(
            LoadableTargetOrigin(
                module_name=LOCATION, working_directory=str(Path(__file__).resolve().parents[2])
            ),
            location_name=LOCATION,
        ),
        REPOSITORY,
    )


def run_tags() -> dict[str, str]:
    """Tags to give an in-process run when it is created (the tag row cannot be added afterwards by
    the call that records the origin)."""
    return {REPOSITORY_LABEL_TAG: repository_origin().get_label()}


def record_origin(instance: dg.DagsterInstance, run: dg.DagsterRun) -> None:
    """After the run: record its origin, so the timeline places it under the code location."""
    instance.run_storage.replace_job_origin(run, RemoteJobOrigin(repository_origin(), run.job_name))
