"""Table assets with their checks, and the documents table (groups ``reports``, ``outcomes``,
``publish``).

Each table is assembled from the copies its documents' parse assets chose (read back from the parse
cache, so nothing is parsed twice), and carries its own blocking checks: a failed check stops that table's
publish step only. The reports and outcomes tables share nothing but the documents table.
"""

import dagster as dg
import pandas as pd

import schemas
from pipeline import reconcile
from pipeline.archive import Archive
from pipeline.build import (
    PUBLISHED_TABLES,
    build_table,
    document_parses,
    documents_for_table,
    documents_table,
    evidence_paths,
    table_sources,
)
from pipeline.defs.md import column_schema, md_table
from pipeline.defs.parsed import parsed_asset_name
from pipeline.defs.raw import raw_asset_name
from pipeline.evidence import unverified_rows
from pipeline.labels import LABEL_COLUMNS, unknown_labels
from pipeline.publish import validate
from pipeline.registry import by_id, registry


def _parses(table: str):
    return document_parses(Archive(), docs=documents_for_table(table))


def _year_totals(df: pd.DataFrame) -> list[dict]:
    """Rows per year and document, and the sum of the counted column where summing means something:
    each figure counted once (the law-enforcement table prints actionable, informational and their
    total: only the totals are summed)."""
    period = "calendar_year" if "calendar_year" in df.columns else "fiscal_year"
    value = next((c for c in ("reports", "feedback_instances") if c in df.columns), None)
    out = []
    for (year, doc), g in df.groupby([period, "document_id"], sort=True):
        row = {period: int(year), "document_id": doc, "rows": len(g)}
        if value:
            counted = g[g["report_class"] == "total"] if "report_class" in g.columns else g
            row[f"sum_{value}"] = f"{int(counted[value].sum()):,}"
        out.append(row)
    return out


def _stated_totals(table: str, parses) -> dict[str, tuple[int, int]]:
    """document id -> (printed total, page) for tables reconciled against a printed total."""
    if table not in reconcile.ROW_SUM_RULES:
        return {}
    measure, _ = reconcile.ROW_SUM_RULES[table]
    by_year = build_table("cybertipline_reports_by_year", parses)
    if by_year is None:
        return {}
    stated = by_year[by_year["measure"] == measure]
    return {
        d: (int(v), int(p))
        for d, v, p in zip(stated["document_id"], stated["value"], stated["page"], strict=True)
    }


def _sources(table: str, parses) -> list[dict]:
    """Where every row of the table comes from: one line per archived copy used."""
    totals = _stated_totals(table, parses)
    out = []
    for p in table_sources(table, parses):
        doc = by_id(p.document_id)
        rows = p.tables[table]
        pages = sorted({int(x) for x in rows["page"].dropna()}) if "page" in rows else []
        line = {
            "document_id": p.document_id,
            "raw_asset": raw_asset_name(doc),
            "url": f"[{doc.url.rsplit('/', 1)[-1] or doc.url}]({doc.url})",
            "sha256": p.sha256,
            "capture": p.capture_timestamp or "",
            "pages_used": ", ".join(map(str, pages)),
            "pages_in_copy": p.pages or "",
            "rows": len(rows),
        }
        if table in reconcile.ROW_SUM_RULES:
            total, page = totals.get(p.document_id, (None, None))
            line["printed_total"] = f"{total:,}" if total is not None else "(none)"
            line["printed_total_page"] = page or ""
        out.append(line)
    return out


def build_table_asset(table: str) -> dg.AssetsDefinition:
    docs = documents_for_table(table)

    def _table(context: dg.AssetExecutionContext):
        parses = _parses(table)
        df = build_table(table, parses)
        if df is None:
            if not parses:
                # Nothing archived for this table (offline, or a partial mirror): not a failure, and
                # nothing downstream runs, so its checks are skipped rather than shown as failed.
                context.log.info(f"{table}: none of its documents is archived; nothing to build")
                return
            # Publishing an empty table would erase the previous release: the step fails instead, and
            # what is published stays as it is.
            raise dg.Failure(
                description=f"{table}: no document has a parsed copy "
                f"({', '.join(d.id for d in docs)}); the published table is left as it is",
                allow_retries=False,
            )
        yield dg.Output(
            df,
            metadata={
                "dagster/row_count": dg.MetadataValue.int(len(df)),
                "dagster/column_schema": column_schema(table),
                "sources": md_table(_sources(table, parses)),
                "rows_per_year_and_document": md_table(_year_totals(df)),
                "preview": md_table(
                    df.head(10).astype(object).where(df.head(10).notna(), "").to_dict("records")
                ),
            },
        )

    return dg.asset(
        name=table,
        output_required=False,
        group_name=schemas.family_of(table),
        deps=[parsed_asset_name(d) for d in docs],
        kinds={"pandas"},
        description=" ".join((schemas.TABLES[table].__doc__ or "").split()),
    )(_table)


@dg.asset(
    name="documents",
    group_name="publish",
    deps=[raw_asset_name(d) for d in registry()]
    + [parsed_asset_name(d) for d in registry() if d.parser],
    kinds={"pandas"},
    description=" ".join((schemas.TABLES["documents"].__doc__ or "").split()),
)
def documents_asset(context: dg.AssetExecutionContext) -> dg.Output:
    df = documents_table(Archive())
    status = df["parse_status"].value_counts().to_dict()
    return dg.Output(
        df,
        metadata={
            "dagster/row_count": dg.MetadataValue.int(len(df)),
            **{f"copies_{k}": dg.MetadataValue.int(int(v)) for k, v in sorted(status.items())},
            "failed_copies": md_table(
                df[df["parse_status"] == "failed"][
                    ["document_id", "sha256", "parse_error"]
                ].to_dict("records")
            ),
        },
    )


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
        metadata={"problems": md_table(problems), "count": len(problems)},
    )


def build_row_sum_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=table,
        name="sums_to_stated_total",
        blocking=True,
        description="Rows of each document sum exactly to the total printed in the same document.",
    )
    def _check(df: pd.DataFrame) -> dg.AssetCheckResult:
        # The printed totals come from the same documents' parses (not from the by-year table asset,
        # so a problem in that table cannot skip this check).
        parses = _parses(table)
        stated = build_table("cybertipline_reports_by_year", parses)
        if stated is None:
            stated = pd.DataFrame(columns=["document_id", "measure", "value", "page"])
        result = _problems_result(reconcile.row_sums(table, df, stated))
        _, col = reconcile.ROW_SUM_RULES[table]
        totals = _stated_totals(table, parses)
        compared = [
            {
                "document_id": d,
                "rows": len(g),
                "sum_of_rows": f"{int(g[col].sum()):,}",
                "printed_total": f"{totals[d][0]:,}" if d in totals else "(none)",
                "page": totals[d][1] if d in totals else "",
                "equal": d in totals and int(g[col].sum()) == totals[d][0],
            }
            for d, g in df.groupby("document_id", sort=True)
        ]
        return dg.AssetCheckResult(
            passed=result.passed,
            severity=result.severity,
            metadata={**result.metadata, "compared": md_table(compared)},
        )

    return _check


@dg.asset_check(
    asset="cybertipline_reports_by_year",
    name="parts_equal_totals",
    blocking=True,
    description="ESP + public = total and U.S. + international + unknown = total, per document and year.",
)
def by_year_parts_check(df: pd.DataFrame) -> dg.AssetCheckResult:
    result = _problems_result(reconcile.parts_equal_totals(df))
    groups = df.groupby(["document_id", "calendar_year"]).ngroups
    return dg.AssetCheckResult(
        passed=result.passed,
        metadata={**result.metadata, "document_years_compared": groups},
    )


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
    asset="cybertipline_reports_by_year",
    name="documents_agree",
    blocking=False,
    description="Warns where two documents print different values for comparable figures (e.g. U.S.-"
    "located reports in the by-country PDF and in the transparency report), with the known reason "
    "(definitions differ, revision) or the part left unexplained. Both values stay published.",
)
def by_year_disagreements_check(df: pd.DataFrame) -> dg.AssetCheckResult:
    by_country = build_table(
        "cybertipline_reports_by_country", _parses("cybertipline_reports_by_country")
    )
    found = reconcile.disagreements(df, by_country)
    unexplained = [p for p in found if p["kind"] != "definitions differ"]
    return dg.AssetCheckResult(
        passed=not unexplained,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "disagreements": md_table(found),
            "count": len(found),
            "not_explained_by_definitions": len(unexplained),
        },
    )


@dg.asset_check(
    asset="cybertipline_reports_to_law_enforcement",
    name="classes_sum_to_total",
    blocking=True,
    description="actionable + informational = total for each recipient, year and document.",
)
def to_le_totals_check(df: pd.DataFrame) -> dg.AssetCheckResult:
    result = _problems_result(reconcile.class_totals(df))
    groups = df.groupby(["document_id", "calendar_year", "recipient"]).ngroups
    return dg.AssetCheckResult(
        passed=result.passed,
        metadata={**result.metadata, "recipient_years_compared": groups},
    )


def build_evidence_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=table,
        name="evidence_on_cited_page",
        blocking=True,
        description="Every figure's evidence text is found, at the cited page, in the archived copy the "
        "row was read from.",
    )
    def _check(df: pd.DataFrame) -> dg.AssetCheckResult:
        archive = Archive()
        paths = evidence_paths(_parses(table), archive)
        return _problems_result(unverified_rows(df, archive, paths))

    return _check


def build_unknown_labels_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=table,
        name="labels_known",
        blocking=False,
        description="Warns about every label (country name) the normalisation tables do not know: it "
        "is published as printed with the normalised column empty. Confirm a suggestion by adding it "
        "to pipeline/countries.py OVERRIDES with a reason; nothing is matched automatically.",
    )
    def _check(df: pd.DataFrame) -> dg.AssetCheckResult:
        return _problems_result(unknown_labels(table, df), dg.AssetCheckSeverity.WARN)

    return _check


table_assets = [build_table_asset(t) for t in PUBLISHED_TABLES]
table_checks = (
    [build_schema_check(t) for t in schemas.TABLES]
    + [build_row_sum_check(t) for t in reconcile.ROW_SUM_RULES]
    + [by_year_parts_check, by_year_revisions_check, by_year_disagreements_check]
    + [to_le_totals_check]
    + [build_evidence_check(t) for t in PUBLISHED_TABLES if schemas.family_of(t) == "outcomes"]
    + [build_unknown_labels_check(t) for t in PUBLISHED_TABLES if LABEL_COLUMNS.get(t)]
)
