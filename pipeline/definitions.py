"""The one Definitions object of the code location (``dagster dev -m pipeline.definitions``)."""

import dagster as dg

from pipeline.defs.discovery import discovery_assets
from pipeline.defs.jobs import jobs, schedules, sensors
from pipeline.defs.parsed import parsed_assets, parsed_checks
from pipeline.defs.publish import publish_assets
from pipeline.defs.raw import raw_assets
from pipeline.defs.tables import documents_asset, table_assets, table_checks

defs = dg.Definitions(
    assets=[
        *discovery_assets,
        *raw_assets,
        *parsed_assets,
        *table_assets,
        documents_asset,
        *publish_assets,
    ],
    asset_checks=[*parsed_checks, *table_checks],
    jobs=jobs,
    schedules=schedules,
    sensors=sensors,
)
