"""One asset per registered document (group ``raw``).

One asset per document rather than one partitioned asset: the documents differ in publisher, format and
parser, the lineage graph then shows exactly which PDFs feed which table, and a failed download is a red
box with the document's name on it. Adding a registry entry adds an asset; nothing here lists documents.
"""

import os

import dagster as dg

from pipeline.archive import Archive, ArchivedVersion
from pipeline.fetch import FetchError, FetchResult, failure_kind, fetch_document
from pipeline.pdfinfo import page_count
from pipeline.registry import Document, registry
from pipeline.wayback import (
    fallback_note,
    fetch_captures,
    fetch_with_fallback,
    origin_gone,
    stand_in,
    wants_captures,
    wayback_base,
)


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
    if r.capture_timestamp:
        md["capture_timestamp"] = r.capture_timestamp
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


# What a failed download means, in the words the refresh summary uses (pipeline.refresh).
EXPECTED_FAILURES = {
    "not in mirror": "expected: the mirror holds only some documents",
    "no network": "expected offline: no registered host could be reached",
}


def _failure_metadata(doc: Document, r: FetchResult, kept: ArchivedVersion | None) -> dict:
    """What a reviewer needs on the raw asset's page when its download failed: which URL, by which
    transport, why, whether that is expected where the refresh ran, and which archived copy the tables
    still use."""
    kind = failure_kind(r.reason, r.via)
    md = {
        "download": f"{kind} ({EXPECTED_FAILURES[kind]})"
        if kind in EXPECTED_FAILURES
        else "FAILED",
        "failure_kind": kind,
        "expected": dg.MetadataValue.bool(kind in EXPECTED_FAILURES),
        "reason": r.reason,
        "url": dg.MetadataValue.url(doc.url),
        "via": r.via,
        "attempted_at": r.retrieved_at,
    }
    if kept is None:
        md["archived_copy_in_use"] = (
            "none (nothing archived yet: the tables leave this document out)"
        )
    else:
        md.update(
            archived_copy_in_use=kept.sha256,
            archived_copy_first_retrieved_at=kept.first_retrieved_at,
            archived_copy_via=kept.via,
            archived_copy_path=dg.MetadataValue.path(str(kept.path)),
        )
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


def _description(doc: Document) -> str:
    text = f"{doc.title} ({doc.publisher}). Archived bytes of {doc.url}"
    if doc.url_is_guess:
        text += " (URL inferred from the publisher's naming pattern)"
    if doc.discovered_by:
        text += f" (found on {doc.landing_page} by discovery rule {doc.discovered_by})"
    if doc.is_landing_page:
        text += " (a landing page read by the discovery rules)"
    return text + "."


def _static_metadata(doc: Document) -> dict:
    md = {
        "url": dg.MetadataValue.url(doc.url),
        "family": doc.family,
        "parser": doc.parser or "(archived only)",
    }
    if doc.discovered_by:
        md["discovered_by"] = doc.discovered_by
        md["landing_page"] = dg.MetadataValue.url(doc.landing_page)
    return md


def _fetch(context, doc: Document, archive: Archive) -> tuple[FetchResult, dict]:
    """The document from its origin (or the mirror); when the origin is gone and nothing is archived
    yet, its newest web-archive capture (``via`` web-archive), said so in the metadata."""
    base = wayback_base()
    if os.environ.get("PIPELINE_MIRROR") or base is None or doc.is_landing_page:
        # A mirror is the offline transport; a landing page that vanished must fail its rules.
        # No log line per document: the metadata and the refresh summary say it (measured: 45 fewer
        # events make the fetch run ~10 % faster).
        return fetch_document(doc, archive), {}
    origin, capture = fetch_with_fallback(doc, archive, base=base)
    if capture is None:
        return origin, {}
    note = fallback_note(origin, capture)
    context.log.warning(f"{doc.id}: {note}")
    md = {
        "web_archive_fallback": note,
        "origin_http_status": origin.http_status if origin.http_status is not None else "",
    }
    return (capture if capture.ok else origin), md


def build_raw_asset(doc: Document) -> dg.AssetsDefinition:
    @dg.asset(
        name=raw_asset_name(doc),
        group_name="raw",
        kinds={doc.format},
        description=_description(doc),
        metadata=_static_metadata(doc),
        tags={"family": doc.family},
        pool="downloads",
    )
    def _raw(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        archive = Archive()
        result, fallback_md = _fetch(context, doc, archive)
        captures_md = _captures(context, doc, archive)
        standing = stand_in(archive, doc.id) if origin_gone(result) else None
        if standing is not None:
            # Still gone at the origin; the capture archived earlier stands in (not a new failure).
            md = {**_metadata(doc, result), **fallback_md, **captures_md}
            md.update(
                via="web-archive",
                sha256=standing.sha256,
                capture_timestamp=standing.capture_timestamp,
                web_archive_fallback=md.get("web_archive_fallback")
                or f"origin {result.reason}; the web-archive capture of "
                f"{standing.capture_timestamp} archived earlier stands in",
            )
            return dg.MaterializeResult(metadata=md, data_version=dg.DataVersion(standing.sha256))
        if not result.ok:
            versions = archive.versions(doc.id)
            kept = archive.latest(doc.id) or (versions[-1] if versions else None)
            failure_md = _failure_metadata(doc, result, kept)
            md = {**_metadata(doc, result), **fallback_md, **failure_md}
            md["archived_copy_kept"] = kept.sha256 if kept else "none"
            md.update(captures_md)
            # Dagster keeps a Failure's metadata in the run log only (this version emits no
            # failed-materialization event for the asset page), so the reason is also recorded as an
            # observation of the asset: its page and its Events tab show url, via, reason, whether it
            # is expected, and the archived copy still in use.
            context.log_event(
                dg.AssetObservation(
                    asset_key=context.asset_key,
                    description=f"Download {failure_md['download']}: {result.reason}",
                    metadata={**failure_md, **fallback_md},
                )
            )
            # One line naming document and URL; an earlier archived copy stays usable downstream.
            raise dg.Failure(description=result.one_line(), metadata=md, allow_retries=False)
        # The bytes are the data version: a parse downstream is stale only when they change.
        return dg.MaterializeResult(
            metadata={**_metadata(doc, result), **fallback_md, **captures_md},
            data_version=dg.DataVersion(result.sha256),
        )

    return _raw


raw_assets = [build_raw_asset(doc) for doc in registry()]
