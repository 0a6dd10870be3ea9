"""The one Definitions object of the code location (``dagster dev -m pipeline.definitions``)."""

import dagster as dg

from pipeline.defs.jobs import (
    build_after_fetch_failure,
    build_after_fetch_success,
    build_tables_job,
    fetch_raw_job,
    weekly_refresh,
)
from pipeline.defs.raw import raw_assets
from pipeline.defs.tables import (
    checks,
    documents_asset,
    parser_assets,
    publish_assets,
    table_assets,
)

defs = dg.Definitions(
    assets=[*raw_assets, *parser_assets, *table_assets, documents_asset, *publish_assets],
    asset_checks=checks,
    jobs=[fetch_raw_job, build_tables_job],
    schedules=[weekly_refresh],
    sensors=[build_after_fetch_success, build_after_fetch_failure],
)
