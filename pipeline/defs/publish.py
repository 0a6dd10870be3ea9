"""One publish step per table (``published_<table>``, group ``publish``).

Each table is published on its own, after its blocking checks pass, so a failed check on one table (an
ICAC evidence mismatch, a by-country total) holds back that table only. Every publish step also
rewrites documents.csv (merged so it speaks for every table published so far), datapackage.json and the
data dictionary for whatever is published; a lock in processed/ keeps concurrent steps apart.
"""

import dagster as dg

from pipeline.archive import Archive
from pipeline.build import PUBLISHED_TABLES
from pipeline.changes import table_version
from pipeline.defs.md import md_table
from pipeline.publish import publish


def published_asset_name(table: str) -> str:
    return f"published_{table}"


def build_publish_asset(table: str) -> dg.AssetsDefinition:
    def _publish(context: dg.AssetExecutionContext, **frames) -> dg.MaterializeResult:
        df = frames[table]
        report = publish({table: df, "documents": frames["documents"]})
        change = report.changes[table]
        return dg.MaterializeResult(
            # Build code + the table's documents: what pipeline.changes compares to skip this table.
            data_version=dg.DataVersion(table_version(table, Archive())),
            metadata={
                "files_written": ", ".join(report.written) or "none (unchanged)",
                # The release's charts (PNG): figures as printed, each side on its own axes.
                **{
                    f"chart_{png.stem}": dg.MetadataValue.path(str(png))
                    for png in sorted((report.out_dir / "charts").glob("*.png"))
                },
                "out_dir": dg.MetadataValue.path(str(report.out_dir)),
                "rows": dg.MetadataValue.int(change.rows),
                "documents": ", ".join(sorted(df["document_id"].astype(str).unique())),
                "changed": change.changed,
                "changes": md_table(
                    [
                        {"table": t, "rows": c.rows, "added": c.added, "removed": c.removed}
                        for t, c in report.changes.items()
                    ]
                ),
            },
        )

    return dg.asset(
        name=published_asset_name(table),
        group_name="publish",
        ins={table: dg.AssetIn(table), "documents": dg.AssetIn("documents")},
        kinds={"csv"},
        description=f"Write-audit-publish of processed/{table}.csv (with documents.csv and "
        "datapackage.json) once the table's blocking checks pass.",
    )(_publish)


publish_assets = [build_publish_asset(t) for t in PUBLISHED_TABLES]
