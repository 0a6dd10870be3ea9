"""Discovery in Dagster: one asset (``discovered_documents``, group ``discovery``) with one check per rule.

Why not dynamic partitions: every document here is its own asset (``raw_<id>``, ``parsed_<id>``), because
documents of one series differ in layout and a reviewer must see which one is red. Discovery therefore
writes the documents it finds to ``raw/discovered.json``, which the registry merges; the next load of
the code location (``make refresh`` loads it after discovering; in ``dagster dev`` reload the location)
has an asset per discovered document, fetched, parsed and checked like any other.

A rule whose landing page yields no matching link is a failed check named after the rule (the page
layout changed), not silence; a landing page absent from the mirror or unreachable offline passes its
checks with the reason in the metadata (the expected conditions of where a refresh runs).
"""

import os

import dagster as dg

from pipeline import discovery
from pipeline.archive import Archive
from pipeline.defs.md import md_table
from pipeline.registry import registry, sources

ASSET = "discovered_documents"


def check_name(rule: str) -> str:
    return f"rule_{rule}"


def _check_result(r: discovery.RuleResult) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=check_name(r.rule),
        passed=r.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=r.problem or r.skipped or f"{r.links_matched} links matched",
        metadata={
            "rule": r.rule,
            "status": r.status,
            "landing_page": dg.MetadataValue.url(r.landing_url),
            "links_matched": dg.MetadataValue.int(r.links_matched),
            "documents": ", ".join(r.documents) or "(none)",
            "problem": r.problem or r.skipped or "(none)",
            "refused_links": "; ".join(r.refused) or "(none)",
        },
    )


def _found(report: discovery.DiscoveryReport) -> list[dict]:
    return [
        {
            "document": m.id,
            "status": m.status,
            "rule": m.rule,
            "link": m.url,
            "link_text": m.text,
            "registry_url": m.registry_url,
        }
        for r in report.results
        for m in r.matches
    ]


def build_discovery_asset() -> dg.AssetsDefinition:
    rules = sources().rules

    @dg.asset(
        name=ASSET,
        group_name="discovery",
        kinds={"html"},
        description="Reads each publisher's landing page (archived as landing_* documents) and records "
        "the documents its links name in raw/discovered.json; one check per discovery rule.",
        check_specs=[
            dg.AssetCheckSpec(
                check_name(r.name),
                asset=ASSET,
                description=f"Landing page {r.landing} has a link matching {r.link.pattern!r}",
            )
            for r in rules
        ],
        pool="downloads",
    )
    def _discovered(context: dg.AssetExecutionContext):
        report = discovery.run(Archive(), mirror=os.environ.get("PIPELINE_MIRROR") or None)
        for line in discovery.summary_lines(report):
            context.log.info(line)
        loaded = {d.id for d in registry()}
        waiting = [m.id for m in report.new if m.id not in loaded]
        return dg.MaterializeResult(
            metadata={
                "new_documents": dg.MetadataValue.int(len(report.new)),
                "new": ", ".join(m.id for m in report.new) or "(none)",
                "contradicted_registry_urls": dg.MetadataValue.int(len(report.contradicted)),
                "failed_rules": ", ".join(r.rule for r in report.failed) or "(none)",
                "rules": md_table(discovery.rule_table(report.results)),
                "found": md_table(_found(report), limit=200),
                "discovered_file": dg.MetadataValue.path(str(report.path)),
                "reload_needed": (
                    f"reload the code location to get assets for {', '.join(waiting)}"
                    if waiting
                    else "no"
                ),
            },
            check_results=[_check_result(r) for r in report.results],
        )

    return _discovered


discovery_assets = [build_discovery_asset()]
