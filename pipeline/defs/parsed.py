"""One parse asset per registered document with a parser (``parsed_<document id>``).

An asset per document (not a partition of one asset per parser): the documents of one parser differ in
year, URL and layout, and a reviewer must see at a glance which document is red, with its own page and
expectation, beside its raw asset in the lineage graph. The asset parses every copy the tables need
(:func:`pipeline.parse.parse_document`, cached by sha256 and parser code version) and fails, red, when the
newest copy cannot be parsed, even though the tables then keep an earlier copy's rows (last known good).

The parse run is its own Dagster run, before the build run that assembles and publishes the tables: in
one run Dagster skips everything downstream of a failed step, and one unreadable document must not stop
the other documents' tables.
"""

import dagster as dg

from pipeline.archive import Archive
from pipeline.build import is_known_real, parsed_documents
from pipeline.changes import document_version
from pipeline.defs.md import md_table
from pipeline.defs.raw import raw_asset_name
from pipeline.parse import DocumentParse, code_version, parse_document
from pipeline.registry import Document


def parsed_asset_name(doc: Document) -> str:
    return f"parsed_{doc.id}"


def _copies(dp: DocumentParse) -> list[dict]:
    rows = []
    for v, p in dp.copies:
        rows.append(
            {
                "sha256": v.sha256[:16],
                "retrieved_at": v.first_retrieved_at,
                "via": ",".join(sorted(v.seen_via)),
                "capture": v.capture_timestamp,
                "status": "superseded" if p is None else p.status,
                "used": any(u.sha256 == v.sha256 for u in dp.used),
                "rows": "" if p is None else sum(p.rows().values()),
                "error": "" if p is None else p.error,
            }
        )
    return rows


def _skipped(dp: DocumentParse) -> list[dict]:
    return [
        {
            "copy": p.sha256[:16],
            "page": s.page,
            "measure": s.measure,
            "value": s.value,
            "reason": s.reason,
            "detail": s.detail,
            "evidence": s.evidence,
        }
        for p in dp.used
        for s in p.skipped
    ]


def document_metadata(dp: DocumentParse) -> dict:
    """What a reviewer needs on the document's asset: every copy's status, the rows used, and every
    figure read but left out with its reason."""
    rows: dict[str, int] = {}
    for p in dp.used:
        for table, n in p.rows().items():
            rows[table] = rows.get(table, 0) + n
    versions = {v.sha256: v for v, _ in dp.copies}
    return {
        "document_id": dp.document.id,
        "url": dg.MetadataValue.url(dp.document.url),
        "parser": dp.document.parser,
        "parser_code_version": code_version(dp.document.parser),
        "copies": md_table(_copies(dp)),
        "copies_used": ", ".join(p.sha256[:16] for p in dp.used) or "none",
        "parser_verified_against_real_copy": any(
            is_known_real(dp.document, versions[p.sha256]) for p in dp.used
        ),
        "figures_left_out": md_table(_skipped(dp), limit=100),
        "figures_left_out_count": dg.MetadataValue.int(len(_skipped(dp))),
        "warnings": dg.MetadataValue.md(
            "\n".join(f"- {w}" for p in dp.used for w in p.warnings) or "(none)"
        ),
        **{f"rows_{t}": dg.MetadataValue.int(n) for t, n in sorted(rows.items())},
    }


def build_parsed_asset(doc: Document) -> dg.AssetsDefinition:
    @dg.asset(
        name=parsed_asset_name(doc),
        group_name=doc.family,
        deps=[raw_asset_name(doc)],
        kinds={"pdfplumber" if doc.format == "pdf" else doc.format},
        code_version=code_version(doc.parser),
        output_required=False,
        description=f"Rows read by pipeline/parsers/{doc.parser}.py from the archived copies of "
        f"{doc.id} ({doc.title}).",
        tags={"family": doc.family, "parser": doc.parser},
    )
    def _parsed(context: dg.AssetExecutionContext):
        archive = Archive()
        if not archive.versions(doc.id):
            # Nothing archived (not in the mirror, never downloaded): nothing to parse, and not a parse
            # failure; the raw asset says why the download failed.
            context.log.info(f"{doc.id}: no archived copy to parse")
            return
        dp = parse_document(doc, archive)
        metadata = document_metadata(dp)
        failed = dp.newest_failed
        if failed is not None:
            kept = dp.used[-1].sha256[:16] if dp.used else "none"
            raise dg.Failure(
                description=f"{failed.error} [copy {failed.sha256[:16]}; rows kept from copy {kept}]",
                metadata={
                    **metadata,
                    "failed_copy": failed.sha256,
                    "page": failed.error_page or "-",
                    "expected": failed.error_expected,
                    "last_known_good_copy": kept,
                },
                allow_retries=False,
            )
        if not dp.used:  # every copy is a capture and none parsed
            raise dg.Failure(
                description=dp.failures[-1].error if dp.failures else f"{doc.id}: nothing parsed",
                metadata=metadata,
                allow_retries=False,
            )
        yield dg.MaterializeResult(
            metadata=metadata,
            # Parser code + every archived copy: what pipeline.changes compares to skip this step.
            data_version=dg.DataVersion(document_version(doc, archive)),
        )

    return _parsed


def build_warnings_check(doc: Document) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=parsed_asset_name(doc),
        name="no_parser_warnings",
        blocking=False,
        description="Warns when the document parsed but lacks an expected measure or a part (a "
        "chart) could not be read; the figures it has are still published.",
    )
    def _check() -> dg.AssetCheckResult:
        dp = parse_document(doc, Archive())  # a cache hit: the asset has just parsed it
        warnings = [{"copy": p.sha256[:16], "warning": w} for p in dp.used for w in p.warnings]
        return dg.AssetCheckResult(
            passed=not warnings,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"warnings": md_table(warnings), "count": len(warnings)},
        )

    return _check


parsed_assets = [build_parsed_asset(d) for d in parsed_documents()]
parsed_checks = [build_warnings_check(d) for d in parsed_documents()]
