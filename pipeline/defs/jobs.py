"""Four jobs, run one after the other: discover new documents on the landing pages, fetch every document,
parse each document, build and publish.

They are separate runs because within one run Dagster skips everything downstream of a failed step: a
failed download must not stop the parse of the copies already archived, and a document whose newest copy
cannot be parsed (a red ``parsed_*`` asset) must not stop any table, including its own, which keeps the
rows of the last copy that parsed.
"""

import dagster as dg

from pipeline.defs.discovery import discovery_assets
from pipeline.defs.parsed import parsed_assets

PARSED = dg.AssetSelection.assets(*parsed_assets)
# Every job runs its steps in one process: a process per step re-imports Dagster and the pipeline each
# time (measured through the daemon: 815 s instead of 79 s for fetch, parse and build of the mirror).
# `make refresh` parses on both cores anyway (pipeline.parse.warm_cache).
IN_PROCESS = dg.in_process_executor
DISCOVERY = dg.AssetSelection.assets(*discovery_assets)

discover_job = dg.define_asset_job(
    "discover",
    executor_def=IN_PROCESS,
    selection=DISCOVERY,
    description="Read the publishers' landing pages and record the documents they link "
    "(raw/discovered.json); a rule that matches no link fails its check. Documents found appear as "
    "assets once the code location is loaded again.",
    tags={"pipeline/refresh": "discover"},
)

fetch_raw_job = dg.define_asset_job(
    "fetch_raw",
    executor_def=IN_PROCESS,
    selection=dg.AssetSelection.groups("raw"),
    description="Fetch every registered document into the raw archive (one asset per document).",
    tags={"pipeline/refresh": "fetch"},
)
parse_documents_job = dg.define_asset_job(
    "parse_documents",
    executor_def=IN_PROCESS,
    selection=PARSED,
    description="Parse each archived document on its own (cached by sha256 and parser version).",
    tags={"pipeline/refresh": "parse"},
)
build_tables_job = dg.define_asset_job(
    "build_tables",
    executor_def=IN_PROCESS,
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("raw") - PARSED - DISCOVERY,
    description="Assemble every table from the parsed documents, check it, and publish each table "
    "whose blocking checks pass.",
    tags={"pipeline/refresh": "build"},
)

weekly_refresh = dg.ScheduleDefinition(
    name="weekly_refresh",
    job=discover_job,
    cron_schedule="0 6 * * 1",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every Monday 06:00 UTC look for new editions on the landing pages; fetch, parse and "
    "build follow via the sensors.",
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
    _next(dg.DagsterRunStatus.SUCCESS, discover_job, fetch_raw_job, "Fetch after discovery."),
    _next(
        dg.DagsterRunStatus.FAILURE,
        discover_job,
        fetch_raw_job,
        "Fetch after a discovery in which a rule failed: the registered documents are still fetched.",
    ),
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
jobs = [discover_job, fetch_raw_job, parse_documents_job, build_tables_job]
schedules = [weekly_refresh]
