"""History of pages that are overwritten every year, from web-archive captures of the same URL.

The Wayback CDX API lists captures; ``/web/<timestamp>id_/<url>`` returns a capture's original bytes
(without the archive's toolbar). Each capture is archived as its own version of the document, tagged
with its capture timestamp, so every fiscal year the page ever showed can be parsed back out.
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
