"""Three jobs, run one after the other: fetch every document, parse each document, build and publish.

They are separate runs because within one run Dagster skips everything downstream of a failed step: a
failed download must not stop the parse of the copies already archived, and a document whose newest copy
cannot be parsed (a red ``parsed_*`` asset) must not stop any table, including its own, which keeps the
rows of the last copy that parsed.
"""

import dagster as dg

from pipeline.defs.parsed import parsed_assets

PARSED = dg.AssetSelection.assets(*parsed_assets)

fetch_raw_job = dg.define_asset_job(
    "fetch_raw",
    selection=dg.AssetSelection.groups("raw"),
    description="Fetch every registered document into the raw archive (one asset per document).",
    tags={"pipeline/refresh": "fetch"},
)
parse_documents_job = dg.define_asset_job(
    "parse_documents",
    selection=PARSED,
    description="Parse each archived document on its own (cached by sha256 and parser version).",
    tags={"pipeline/refresh": "parse"},
)
build_tables_job = dg.define_asset_job(
    "build_tables",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("raw") - PARSED,
    description="Assemble every table from the parsed documents, check it, and publish each table "
    "whose blocking checks pass.",
    tags={"pipeline/refresh": "build"},
)

weekly_refresh = dg.ScheduleDefinition(
    name="weekly_refresh",
    job=fetch_raw_job,
    cron_schedule="0 6 * * 1",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every Monday 06:00 UTC look for new editions; parse and build follow via the sensors.",
)


def _next(status: dg.DagsterRunStatus, after: dg.JobDefinition, then: dg.JobDefinition, why: str):
    def _request(context: dg.RunStatusSensorContext):
        return dg.RunRequest(run_key=f"after-{context.dagster_run.run_id}")

    return dg.run_status_sensor(
        run_status=status,
        name=f"{then.name}_after_{after.name}_{status.value.lower()}",
        monitored_jobs=[after],
        request_job=then,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=why,
    )(_request)


# A fetch or parse run with failed documents still goes on: earlier archived copies stay usable.
sensors = [
    _next(dg.DagsterRunStatus.SUCCESS, fetch_raw_job, parse_documents_job, "Parse after a fetch."),
    _next(
        dg.DagsterRunStatus.FAILURE,
        fetch_raw_job,
        parse_documents_job,
        "Parse after a fetch in which some documents failed to download.",
    ),
    _next(
        dg.DagsterRunStatus.SUCCESS, parse_documents_job, build_tables_job, "Build after a parse."
    ),
    _next(
        dg.DagsterRunStatus.FAILURE,
        parse_documents_job,
        build_tables_job,
        "Build after a parse in which some documents failed: the others' tables still publish.",
    ),
]
jobs = [fetch_raw_job, parse_documents_job, build_tables_job]
schedules = [weekly_refresh]
