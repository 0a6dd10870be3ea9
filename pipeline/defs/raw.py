"""One asset per registered document (group ``raw``).

One asset per document rather than one partitioned asset: the documents differ in publisher, format and
parser, the lineage graph then shows exactly which PDFs feed which table, and a failed download is a red
box with the document's name on it. Adding a registry entry adds an asset; nothing here lists documents.
"""

import os

import dagster as dg

from pipeline.archive import Archive
from pipeline.fetch import FetchError, FetchResult, fetch_document
from pipeline.pdfinfo import page_count
from pipeline.registry import Document, registry
from pipeline.wayback import fetch_captures, wants_captures, wayback_base


def raw_asset_name(doc: Document) -> str:
    return f"raw_{doc.id}"


def _metadata(doc: Document, r: FetchResult) -> dict:
    md = {
        "url": dg.MetadataValue.url(doc.url),
        "final_url": dg.MetadataValue.text(r.final_url),
        "via": r.via,
        "outcome": r.outcome,
        "http_status": r.http_status if r.http_status is not None else "",
        "retrieved_at": r.retrieved_at,
    }
    if r.ok:
        md.update(
            sha256=r.sha256,
            bytes=dg.MetadataValue.int(r.bytes),
            path=dg.MetadataValue.path(str(r.path)),
        )
        pages = page_count(r.path) if doc.format == "pdf" else None
        if pages is not None:
            md["pages"] = dg.MetadataValue.int(pages)
    else:
        md["reason"] = r.reason
    return md


def _captures(context, doc: Document, archive: Archive) -> dict:
    """For pages overwritten each year: archive web-archive captures not archived yet."""
    if not wants_captures(doc):
        return {}
    base = wayback_base()
    if os.environ.get("PIPELINE_MIRROR") or base is None:
        return {"captures": "skipped (mirror in use or web archive disabled)"}
    try:
        results = fetch_captures(doc, archive, base=base)
    except FetchError as exc:
        context.log.warning(f"{doc.id}: web-archive listing failed: {exc.reason}")
        return {"captures": f"listing failed: {exc.reason}"}
    for r in results:
        context.log.info(r.one_line())
    failed = [r.one_line() for r in results if not r.ok]
    return {
        "captures_new": dg.MetadataValue.int(sum(r.outcome == "new" for r in results)),
        "captures_failed": "; ".join(failed) or "(none)",
        "captures_archived": dg.MetadataValue.int(
            len([v for v in archive.versions(doc.id) if v.capture_timestamp])
        ),
    }


def build_raw_asset(doc: Document) -> dg.AssetsDefinition:
    @dg.asset(
        name=raw_asset_name(doc),
        group_name="raw",
        kinds={doc.format},
        description=f"{doc.title} ({doc.publisher}). Archived bytes of {doc.url}"
        + (" (URL inferred from the publisher's naming pattern)." if doc.url_is_guess else "."),
        metadata={
            "url": dg.MetadataValue.url(doc.url),
            "family": doc.family,
            "parser": doc.parser or "(archived only)",
        },
        tags={"family": doc.family},
        pool="downloads",
    )
    def _raw(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        archive = Archive()
        result = fetch_document(doc, archive)
        context.log.info(result.one_line())
        captures_md = _captures(context, doc, archive)
        if not result.ok:
            kept = archive.latest(doc.id)
            md = _metadata(doc, result)
            md["archived_copy_kept"] = kept.sha256 if kept else "none"
            md.update(captures_md)
            # One line naming document and URL; an earlier archived copy stays usable downstream.
            raise dg.Failure(description=result.one_line(), metadata=md, allow_retries=False)
        # The bytes are the data version: a parse downstream is stale only when they change.
        return dg.MaterializeResult(
            metadata={**_metadata(doc, result), **captures_md},
            data_version=dg.DataVersion(result.sha256),
        )

    return _raw


raw_assets = [build_raw_asset(doc) for doc in registry()]
