"""Parser assets, table assets with their checks, the documents table and the two publish assets.

Groups: ``reports`` (NCMEC), ``outcomes`` (DOJ/OJJDP, USSC, BJS), ``publish``. The reports and outcomes
graphs share nothing but the documents table, so a failure on one side never blocks the other.
"""

import dagster as dg
import pandas as pd

import schemas
from pipeline import reconcile
from pipeline.archive import Archive
from pipeline.build import (
    PARSER_TABLES,
    FamilyParseError,
    NothingArchivedError,
    assemble,
    documents_for,
    documents_table,
    is_known_real,
    parse_family,
    parser_families,
)
from pipeline.defs.raw import raw_asset_name
from pipeline.evidence import unverified_rows
from pipeline.publish import publish, validate
from pipeline.registry import by_id, registry

FAMILY_OF_PARSER = {d.parser: d.family for d in registry() if d.parser}


def _md_table(rows: list[dict], limit: int = 50) -> dg.MetadataValue:
    if not rows:
        return dg.MetadataValue.md("(none)")
    cols = list(dict.fromkeys(k for r in rows for k in r))
    lines = ["| " + " | ".join(cols) + " |", "|" + " --- |" * len(cols)]
    for r in rows[:limit]:
        lines.append("| " + " | ".join(str(r.get(c, "")) for c in cols) + " |")
    if len(rows) > limit:
        lines.append(f"\n... {len(rows) - limit} more")
    return dg.MetadataValue.md("\n".join(lines))


def _column_schema(table: str) -> dg.TableSchema:
    cols = schemas.TABLES[table].to_schema().columns
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name, str(c.dtype), description=c.description)
            for name, c in cols.items()
        ]
    )


# -- parser assets ---------------------------------------------------------------------------------
def build_parser_asset(parser: str) -> dg.AssetsDefinition:
    docs = documents_for(parser)

    @dg.asset(
        name=f"parsed_{parser}",
        group_name=FAMILY_OF_PARSER[parser],
        deps=[raw_asset_name(d) for d in docs],
        kinds={"pdfplumber", "pandas"},
        description=f"Rows read by pipeline/parsers/{parser}.py from the latest archived copy of each of: "
        + ", ".join(d.id for d in docs),
    )
    def _parsed(context: dg.AssetExecutionContext) -> dg.Output:
        try:
            fp = parse_family(parser, Archive())
        except (FamilyParseError, NothingArchivedError) as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from exc
        # Whether each copy is known to be the publisher's own (fetched from origin, or matching a
        # reference checksum): a parser run only on stand-ins stays "not verified".
        parsed = [
            {
                "document_id": v.document_id,
                "sha256": v.sha256[:16],
                "capture": v.capture_timestamp,
                "verified_real_copy": is_known_real(by_id(v.document_id), v),
            }
            for v in fp.parsed
        ]
        verified = all(row["verified_real_copy"] for row in parsed)
        return dg.Output(
            fp.tables,
            metadata={
                "documents_parsed": _md_table(parsed),
                "parser_verified_against_real_copies": verified,
                "documents_not_archived": ", ".join(fp.missing) or "(none)",
                **{f"rows_{t}": dg.MetadataValue.int(n) for t, n in fp.row_counts().items()},
            },
        )

    return _parsed


# -- table assets ----------------------------------------------------------------------------------
def _year_totals(table: str, df: pd.DataFrame) -> list[dict]:
    period = "calendar_year" if "calendar_year" in df.columns else "fiscal_year"
    value = next((c for c in ("reports", "feedback_instances") if c in df.columns), None)
    out = []
    for (year, doc), g in df.groupby([period, "document_id"], sort=True):
        row = {period: int(year), "document_id": doc, "rows": len(g)}
        if value:
            row[f"sum_{value}"] = f"{int(g[value].sum()):,}"
        out.append(row)
    return out


def build_table_asset(table: str) -> dg.AssetsDefinition:
    parsers = [p for p in parser_families() if table in PARSER_TABLES[p]]
    family = schemas.family_of(table)

    def _table(context: dg.AssetExecutionContext, **parsed) -> dg.Output:
        df = assemble(table, [tables[table] for tables in parsed.values()])
        return dg.Output(
            df,
            metadata={
                "dagster/row_count": dg.MetadataValue.int(len(df)),
                "dagster/column_schema": _column_schema(table),
                "rows_per_year_and_document": _md_table(_year_totals(table, df)),
                "preview": _md_table(
                    df.head(10).astype(object).where(df.head(10).notna(), "").to_dict("records")
                ),
            },
        )

    return dg.asset(
        name=table,
        group_name=family,
        ins={f"parsed_{p}": dg.AssetIn(f"parsed_{p}") for p in parsers},
        kinds={"pandas"},
        description=" ".join((schemas.TABLES[table].__doc__ or "").split()),
    )(_table)


@dg.asset(
    name="documents",
    group_name="publish",
    deps=[raw_asset_name(d) for d in registry()],
    kinds={"pandas"},
    description=" ".join((schemas.TABLES["documents"].__doc__ or "").split()),
)
def documents_asset(context: dg.AssetExecutionContext) -> dg.Output:
    df = documents_table(Archive())
    return dg.Output(df, metadata={"dagster/row_count": dg.MetadataValue.int(len(df))})


# -- checks ----------------------------------------------------------------------------------------
def build_schema_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=table,
        name="schema",
        blocking=True,
        description=f"pandera model schemas/{table}.py (lazy: every failure listed) and the data contract.",
    )
    def _check(df: pd.DataFrame) -> dg.AssetCheckResult:
        _, problems = validate(table, df)
        expected = list(schemas.TABLES[table].to_schema().columns)
        return dg.AssetCheckResult(
            passed=not problems,
            metadata={
                "failures": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems) or "(none)"),
                "missing_columns": ", ".join(c for c in expected if c not in df.columns)
                or "(none)",
                "extra_columns": ", ".join(c for c in df.columns if c not in expected) or "(none)",
                "rows": len(df),
            },
        )

    return _check


def _problems_result(
    problems: list[dict], severity=dg.AssetCheckSeverity.ERROR
) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=not problems,
        severity=severity,
        metadata={"problems": _md_table(problems), "count": len(problems)},
    )


def build_row_sum_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=table,
        name="sums_to_stated_total",
        blocking=True,
        additional_ins={"by_year": dg.AssetIn("cybertipline_reports_by_year")},
        description="Rows of each document sum exactly to the total printed in the same document.",
    )
    def _check(df: pd.DataFrame, by_year: pd.DataFrame) -> dg.AssetCheckResult:
        return _problems_result(reconcile.row_sums(table, df, by_year))

    return _check


@dg.asset_check(
    asset="cybertipline_reports_by_year",
    name="parts_equal_totals",
    blocking=True,
    description="ESP + public = total and U.S. + international + unknown = total, per document and year.",
)
def by_year_parts_check(df: pd.DataFrame) -> dg.AssetCheckResult:
    return _problems_result(reconcile.parts_equal_totals(df))


@dg.asset_check(
    asset="cybertipline_reports_by_year",
    name="revisions_across_documents",
    blocking=False,
    description="Warns where documents print different values for the same year and measure (revisions).",
)
def by_year_revisions_check(df: pd.DataFrame) -> dg.AssetCheckResult:
    return _problems_result(
        reconcile.revisions(df, ["calendar_year", "measure"]), dg.AssetCheckSeverity.WARN
    )


@dg.asset_check(
    asset="cybertipline_reports_to_law_enforcement",
    name="classes_sum_to_total",
    blocking=True,
    description="actionable + informational = total for each recipient, year and document.",
)
def to_le_totals_check(df: pd.DataFrame) -> dg.AssetCheckResult:
    return _problems_result(reconcile.class_totals(df))


def build_evidence_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=table,
        name="evidence_on_cited_page",
        blocking=True,
        description="Every figure's evidence text is found in the archived document's text at the cited page.",
    )
    def _check(df: pd.DataFrame) -> dg.AssetCheckResult:
        return _problems_result(unverified_rows(df, Archive()))

    return _check


# -- publish ---------------------------------------------------------------------------------------
def build_publish_asset(family: str) -> dg.AssetsDefinition:
    tables = [t for t in schemas.TABLES if schemas.family_of(t) == family] + ["documents"]

    def _publish(context: dg.AssetExecutionContext, **frames) -> dg.MaterializeResult:
        report = publish(frames)
        return dg.MaterializeResult(
            metadata={
                "out_dir": dg.MetadataValue.path(str(report.out_dir)),
                "changes": _md_table(
                    [
                        {"table": t, "rows": c.rows, "added": c.added, "removed": c.removed}
                        for t, c in report.changes.items()
                    ]
                ),
            }
        )

    return dg.asset(
        name=f"published_{family}",
        group_name="publish",
        ins={t: dg.AssetIn(t) for t in tables},
        kinds={"csv"},
        description=f"Write-audit-publish of the {family} tables (and documents.csv) to processed/.",
    )(_publish)


parser_assets = [build_parser_asset(p) for p in parser_families()]
table_names = [t for t in schemas.TABLES if t != "documents"]
table_assets = [build_table_asset(t) for t in table_names]
publish_assets = [build_publish_asset(f) for f in ("reports", "outcomes")]
checks = (
    [build_schema_check(t) for t in schemas.TABLES]
    + [build_row_sum_check(t) for t in reconcile.ROW_SUM_RULES]
    + [by_year_parts_check, by_year_revisions_check, to_le_totals_check]
    + [build_evidence_check(t) for t in table_names if schemas.family_of(t) == "outcomes"]
)
