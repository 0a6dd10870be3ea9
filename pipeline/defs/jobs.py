"""Two jobs, run one after the other: fetch every document, then build and publish the tables.

They are separate runs because a failed download must not stop the build: a document that could not be
fetched is simply absent (or its earlier archived copy is used), and in a single run Dagster would skip
everything downstream of the failed step.
"""

import dagster as dg

fetch_raw_job = dg.define_asset_job(
    "fetch_raw",
    selection=dg.AssetSelection.groups("raw"),
    description="Fetch every registered document into the raw archive (one asset per document).",
    tags={"pipeline/refresh": "fetch"},
)
build_tables_job = dg.define_asset_job(
    "build_tables",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("raw"),
    description="Parse the archived documents, validate every table, and publish what passes.",
    tags={"pipeline/refresh": "build"},
)

weekly_refresh = dg.ScheduleDefinition(
    name="weekly_refresh",
    job=fetch_raw_job,
    cron_schedule="0 6 * * 1",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every Monday 06:00 UTC look for new editions; the build follows via the sensors below.",
)


def _build_after_fetch(context: dg.RunStatusSensorContext):
    return dg.RunRequest(run_key=f"after-{context.dagster_run.run_id}")


build_after_fetch_success = dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="build_after_fetch_success",
    monitored_jobs=[fetch_raw_job],
    request_job=build_tables_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Build the tables after every fetch run.",
)(_build_after_fetch)

# A fetch with some failed documents still builds: earlier archived copies stay usable.
build_after_fetch_failure = dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.FAILURE,
    name="build_after_fetch_failure",
    monitored_jobs=[fetch_raw_job],
    request_job=build_tables_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Build the tables after a fetch run in which some documents failed.",
)(_build_after_fetch)
