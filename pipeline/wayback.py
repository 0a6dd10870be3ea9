"""Web-archive captures: the history of pages overwritten every year, and a fallback for documents
that vanished from their origin.

The Wayback CDX API lists captures; ``/web/<timestamp>id_/<url>`` returns a capture's original bytes
(without the archive's toolbar). Each capture is archived as its own version of the document, tagged
with its capture timestamp, so every fiscal year the page ever showed can be parsed back out.

:func:`fetch_with_fallback` serves every document: when the origin answers 404/410 or its host no longer
resolves, and no copy of the document is archived yet, the newest capture of that exact URL is archived
with ``via = web-archive`` and its capture time. It is a capture like any other (``Archive.latest()``
stays None: it is not the live document), so it never replaces bytes fetched from the origin, and once
any copy is archived the fallback is not tried again.
"""

from __future__ import annotations

import json
import re

import requests

from pipeline.archive import Archive
from pipeline.fetch import (
    FetchError,
    FetchPolicy,
    FetchResult,
    _http_get,
    _now,
    build_session,
    fetch_document,
)
from pipeline.registry import Document

WAYBACK = "https://web.archive.org"


def wayback_base() -> str | None:
    """Where captures come from; ``PIPELINE_WAYBACK_BASE`` overrides, ``off`` disables."""
    import os

    base = os.environ.get("PIPELINE_WAYBACK_BASE", WAYBACK)
    return None if base in ("", "off", "0") else base.rstrip("/")


_TS = re.compile(r"^\d{14}$")


def wants_captures(doc: Document) -> bool:
    return "web.archive.org" in doc.extra_hosts


def list_captures(
    url: str,
    *,
    base: str = WAYBACK,
    policy: FetchPolicy | None = None,
    session: requests.Session | None = None,
) -> list[str]:
    """Timestamps of distinct (by content digest) successful captures of ``url``, oldest first."""
    policy = policy or FetchPolicy.default()
    session = session or build_session(policy)
    query = f"{base}/cdx/search/cdx?url={requests.utils.quote(url, safe='')}&output=json&fl=timestamp,statuscode,digest&filter=statuscode:200&collapse=digest"
    resp = _http_get(session, query, {}, policy, None)
    with resp:
        if resp.status_code != 200:
            raise FetchError(f"CDX listing: HTTP {resp.status_code}", status=resp.status_code)
        body = resp.raw.read(policy.max_bytes + 1, decode_content=True)
    if len(body) > policy.max_bytes:
        raise FetchError("CDX listing exceeds the byte cap")
    try:
        rows = json.loads(body or b"[]")
    except ValueError as exc:
        raise FetchError("CDX listing is not JSON") from exc
    if rows and rows[0][:1] == ["timestamp"]:
        rows = rows[1:]  # header row
    stamps = sorted({r[0] for r in rows if r and _TS.match(str(r[0]))})
    return stamps


def fetch_captures(
    doc: Document,
    archive: Archive,
    *,
    base: str = WAYBACK,
    policy: FetchPolicy | None = None,
    session: requests.Session | None = None,
) -> list[FetchResult]:
    """Archive every capture not archived yet. Raises FetchError only if the listing itself fails."""
    policy = policy or FetchPolicy.default()
    # Captures whose bytes are here (a fresh clone fetches again what the manifest records elsewhere).
    done = archive.capture_timestamps(doc.id)
    results = []
    for ts in list_captures(doc.url, base=base, policy=policy, session=session):
        if ts in done:
            continue
        capture_url = f"{base}/web/{ts}id_/{doc.url}"
        results.append(
            fetch_document(
                doc,
                archive,
                policy=policy,
                mirror="",
                session=session,
                url=capture_url,
                capture_timestamp=ts,
            )
        )
    return results


# -- fallback for a document gone from its origin -------------------------------------------------------
GONE_STATUSES = (404, 410)
WEB_ARCHIVE = "web-archive"


def origin_gone(result: FetchResult) -> bool:
    """The origin says the document is not there (404/410), or its host no longer resolves."""
    if result.ok or result.via != "origin":
        return False
    return result.http_status in GONE_STATUSES or "did not resolve" in result.reason


def fetch_with_fallback(
    doc: Document,
    archive: Archive,
    *,
    base: str | None = WAYBACK,
    policy: FetchPolicy | None = None,
    mirror: str | None = None,
    session: requests.Session | None = None,
    tries: int = 3,
) -> tuple[FetchResult, FetchResult | None]:
    """Fetch ``doc`` from its origin (or mirror); when the origin is gone and nothing of the document is
    archived, archive its newest web-archive capture instead. Returns (origin result, fallback result
    or None when no fallback was tried). Never raises for a failed download."""
    policy = policy or FetchPolicy.default()
    result = fetch_document(doc, archive, policy=policy, mirror=mirror, session=session)
    if base is None or not origin_gone(result) or archive.versions(doc.id):
        return result, None
    why = f"origin {result.reason}"
    try:
        stamps = list_captures(doc.url, base=base, policy=policy, session=session)
    except FetchError as exc:
        return result, _failed(doc, f"{why}; web-archive listing failed: {exc.reason}")
    if not stamps:
        return result, _failed(doc, f"{why}; the web archive holds no capture of {doc.url}")
    capture = None
    for ts in reversed(stamps[-tries:]):  # newest first; an unusable capture tries the one before
        capture = fetch_document(
            doc,
            archive,
            policy=policy,
            mirror="",
            session=session,
            url=f"{base}/web/{ts}id_/{doc.url}",
            capture_timestamp=ts,
            via=WEB_ARCHIVE,
        )
        if capture.ok:
            break
    return result, capture


def stand_in(archive: Archive, document_id: str):
    """The web-archive capture standing in for a document its origin never served us (no live copy is
    archived), or None."""
    if archive.latest(document_id) is not None:
        return None
    captures = [v for v in archive.versions(document_id) if v.via == WEB_ARCHIVE]
    return captures[-1] if captures else None


def _failed(doc: Document, reason: str) -> FetchResult:
    return FetchResult(doc.id, doc.url, "failed", WEB_ARCHIVE, reason=reason, retrieved_at=_now())


def fallback_note(origin: FetchResult, capture: FetchResult) -> str:
    """One line for metadata and summaries: what the origin said and which capture stands in."""
    if capture.ok:
        return (
            f"origin {origin.reason}; archived the web-archive capture of {capture.capture_timestamp} "
            "instead (not the publisher's live bytes; it never replaces a copy from the origin)"
        )
    return f"origin {origin.reason}; no usable web-archive capture: {capture.reason}"


def fallback_lines(archive: Archive, since: int | str = 0) -> list[str]:
    """Refresh-summary lines for the web-archive captures archived as stand-ins since ``since`` (an
    :meth:`Archive.attempt_count` taken before the fetch run)."""
    return [
        f"  {'web-archive':<13} {a['document_id']}: origin no longer serves {a['url'].split('id_/', 1)[-1]}; "
        f"archived the capture of {a['capture_timestamp']} (sha256 {a['sha256'][:16]})"
        for a in archive.attempts(since=since)
        if a["via"] == WEB_ARCHIVE and a["outcome"] != "failed"
    ]
