"""Download one registered document into the archive, safely and reproducibly.

Every retrieval, from the publisher (``via=origin``) or from a mirror (``via=mirror``), goes through the
same checks: host allowlist on every redirect hop, https only for origins, a byte cap that aborts early,
truncation detection, content sniffing, sha256, and an atomic write into the archive. Retries with
backoff on 429/5xx and connect timeouts come from urllib3's ``Retry`` rather than a hand-written loop; a
name that does not resolve, a refused connection or an unreachable network fail at once (asking again a
second later does not change the answer, and offline it turned one refresh into minutes of silence).

The one public entry point is :func:`fetch_document`; it never raises for a failed download, it records the
failure in the archive's attempts log and returns it, so one unreachable document never stops the others.
:func:`hosts_unreachable` lets a refresh find out within seconds that no registered host can be reached.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NameResolutionError, ReadTimeoutError
from urllib3.util.retry import Retry

from pipeline import config
from pipeline.archive import Archive
from pipeline.registry import Document, allowed_hosts

USER_AGENT = (
    "cybertipline-outcomes-pipeline/0.1 (open-data research pipeline; archives public reports "
    "once per refresh; python-requests)"
)
DEFAULT_MAX_BYTES = config.DEFAULT_MAX_BYTES
CHUNK = 64 * 1024
EXTENSIONS = {"pdf": "pdf", "html": "html"}


@dataclass(frozen=True)
class FetchPolicy:
    allowed_hosts: frozenset[str]
    max_bytes: int = DEFAULT_MAX_BYTES
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 3
    backoff_factor: float = 1.0
    max_redirects: int = 5
    verify: bool | str = True  # a CA bundle path in tests that serve TLS on loopback

    @classmethod
    def default(cls, **overrides) -> FetchPolicy:
        kw = {"allowed_hosts": allowed_hosts(), "max_bytes": config.max_bytes()}
        kw.update(overrides)
        return cls(**kw)


@dataclass
class FetchResult:
    document_id: str
    url: str
    outcome: str  # new | unchanged | failed
    via: str  # origin | mirror | web-archive
    reason: str = ""
    final_url: str = ""
    http_status: int | None = None
    sha256: str = ""
    bytes: int = 0
    path: Path | None = None
    etag: str = ""
    last_modified: str = ""
    retrieved_at: str = ""
    capture_timestamp: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome in ("new", "unchanged")

    def one_line(self) -> str:
        if self.ok:
            return f"{self.document_id}: {self.outcome} ({self.bytes:,} bytes, sha256 {self.sha256[:16]}, via {self.via})"
        return f"{self.document_id}: failed - {self.reason} [{self.url}]"


class FetchError(Exception):
    """A retrieval failed; ``reason`` is one line a person can act on."""

    def __init__(self, reason: str, *, status: int | None = None, final_url: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.final_url = final_url


# Reasons of failures that say "this machine cannot reach that host", not "this document is broken".
UNREACHABLE = re.compile(
    r"did not resolve|connection refused|network is unreachable|no route to host", re.I
)


def is_unreachable(reason: str) -> bool:
    """True for a failure reason that means the host could not be reached at all (offline, DNS)."""
    return bool(UNREACHABLE.search(reason))


def failure_kind(reason: str, via: str = "") -> str:
    """'not in mirror' and 'no network' are conditions of where the refresh runs, not faults of a
    document; anything else (HTTP 404 at the origin, a wrong file type, a truncated body) is 'failed'."""
    if reason.startswith("not in mirror") or (via == "mirror" and reason.startswith("HTTP 404")):
        return "not in mirror"
    if is_unreachable(reason):
        return "no network"
    return "failed"


def _exception_chain(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen or not isinstance(e, BaseException):
            continue
        seen.add(id(e))
        yield e
        todo.extend([e.__cause__, e.__context__, getattr(e, "reason", None)])
        todo.extend(a for a in e.args if isinstance(a, BaseException))


def _unreachable_kind(exc: BaseException) -> str | None:
    """``dns``, ``refused``, ``network`` or ``route`` when ``exc`` says the host cannot be reached."""
    for e in _exception_chain(exc):
        if isinstance(e, NameResolutionError | socket.gaierror):
            return "dns"
        code = getattr(e, "errno", None)
        if isinstance(e, ConnectionRefusedError) or code == errno.ECONNREFUSED:
            return "refused"
        if code == errno.ENETUNREACH:
            return "network"
        if code == errno.EHOSTUNREACH:
            return "route"
    return None


def _unreachable_reason(kind: str, host: str, port: int) -> str:
    return {
        "dns": f"DNS lookup failed: {host} did not resolve (not retried)",
        "refused": f"connection refused by {host}:{port} (not retried)",
        "network": f"network is unreachable: {host}:{port} (not retried)",
        "route": f"no route to host {host}:{port} (not retried)",
    }[kind]


class _FailFastRetry(Retry):
    """urllib3 counts a DNS failure and a refused connection as connect errors and retries them like a
    connect timeout; here they end the request at once (a 429/5xx or a timeout is still retried)."""

    def increment(
        self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None
    ):
        if error is not None and _unreachable_kind(error):
            raise MaxRetryError(_pool, url, error) from error
        return super().increment(method, url, response, error, _pool, _stacktrace)


def build_session(policy: FetchPolicy) -> requests.Session:
    retry = _FailFastRetry(
        total=policy.retries,
        connect=policy.retries,
        read=policy.retries,
        status=policy.retries,
        other=0,
        backoff_factor=policy.backoff_factor,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        # After the last retry hand back the 5xx response so the reason can say what the server said.
        raise_on_status=False,
        # Redirects are followed by hand below, so each hop is checked against the allowlist.
        redirect=0,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def mirror_location(url: str) -> str:
    """Where a URL lives in a mirror laid out as ``<host>/<url path>`` (what ``wget --mirror`` makes)."""
    u = urlparse(url)
    return f"{u.netloc}{unquote(u.path)}"


_PDF_HEADER = re.compile(rb"%PDF-[0-9]\.[0-9]")
_UTF8_BOM = b"\xef\xbb\xbf"
_PDF_WHITESPACE = b"\x00\t\n\x0c\r "  # ISO 32000-1, 7.2.2


def pdf_header_offset(head: bytes) -> int | None:
    """Where ``%PDF-n.n`` starts, if nothing but a UTF-8 byte-order mark and PDF white-space precede it
    (at most 1024 bytes of them); None otherwise.

    ISO 32000 puts the header on the first line. Acrobat accepts it anywhere in the first 1024 bytes,
    a tolerance meant for junk some transports prepend, and that junk is what this check exists to
    catch: an HTML error page quoting ``%PDF-``, a proxy banner. So only bytes that cannot carry content
    (a BOM, white-space) may come first. Every real PDF in the mirror starts at offset 0.
    """
    i = len(_UTF8_BOM) if head.startswith(_UTF8_BOM) else 0
    while i < len(head) and i <= 1024 and head[i] in _PDF_WHITESPACE:
        i += 1
    return i if i <= 1024 and _PDF_HEADER.match(head, i) else None


def sniff(head: bytes, fmt: str) -> str | None:
    """None if ``head`` looks like ``fmt``; otherwise a short description of what it is instead."""
    lowered = head[:4096].lstrip().lower()
    looks_html = lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered[:1024]
    looks_pdf = pdf_header_offset(head) is not None
    if fmt == "pdf":
        if looks_pdf:
            return None
        return "HTML" if looks_html else f"bytes starting {head[:8]!r}"
    if fmt == "html":
        if looks_html and not looks_pdf:
            return None
        return "a PDF" if looks_pdf else f"bytes starting {head[:8]!r}"
    raise ValueError(f"unknown format {fmt!r}")


class _Sink:
    """Streams chunks into an archive temp file, hashing and counting, enforcing the byte cap."""

    def __init__(self, archive: Archive, document_id: str, max_bytes: int):
        self.fd, self.path = archive.temp_file(document_id)
        self.hash = hashlib.sha256()
        self.count = 0
        self.head = b""
        self.max_bytes = max_bytes

    def write(self, chunk: bytes) -> None:
        self.count += len(chunk)
        if self.count > self.max_bytes:
            raise FetchError(f"body exceeds the {self.max_bytes:,}-byte cap; download aborted")
        if len(self.head) < 4096:
            self.head += chunk[: 4096 - len(self.head)]
        self.hash.update(chunk)
        os.write(self.fd, chunk)

    def finish(self) -> None:
        os.fsync(self.fd)
        os.close(self.fd)
        self.fd = -1

    def discard(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        self.path.unlink(missing_ok=True)
        # Leave no empty folder behind for a document that has never been archived.
        with contextlib.suppress(OSError):
            self.path.parent.rmdir()


def _check_hop(url: str, policy: FetchPolicy, mirror_base: str | None, redirected: bool) -> None:
    u = urlparse(url)
    host = u.hostname or ""
    mirror_host = urlparse(mirror_base).hostname if mirror_base else None
    if host == mirror_host and host:
        # An operator-configured http(s) mirror is trusted as transport; plain http is allowed only there.
        if u.scheme not in ("http", "https"):
            raise FetchError(f"refused {url}: mirror URLs must be http(s)")
        return
    if u.scheme != "https":
        raise FetchError(f"refused {url}: only https is allowed")
    if host not in policy.allowed_hosts:
        what = "redirect to " if redirected else ""
        raise FetchError(f"refused {what}{host}: host not on the allowlist ({url})")


def _http_get(
    session: requests.Session,
    url: str,
    headers: dict,
    policy: FetchPolicy,
    mirror_base: str | None,
) -> requests.Response:
    """GET following redirects by hand so every hop is checked."""
    for hop in range(policy.max_redirects + 1):
        _check_hop(url, policy, mirror_base, redirected=hop > 0)
        try:
            resp = session.get(
                url,
                headers=headers,
                stream=True,
                allow_redirects=False,
                timeout=(policy.connect_timeout, policy.read_timeout),
                verify=policy.verify,
            )
        except requests.exceptions.RetryError as exc:
            raise FetchError(f"gave up after {policy.retries} retries: {_cause(exc)}") from exc
        except requests.exceptions.ConnectTimeout as exc:
            raise FetchError(f"connect timeout after {policy.retries} retries") from exc
        except requests.exceptions.ReadTimeout as exc:
            raise FetchError(f"read timeout after {policy.retries} retries") from exc
        except requests.exceptions.SSLError as exc:
            raise FetchError(f"TLS error: {_cause(exc)}") from exc
        except requests.exceptions.ConnectionError as exc:
            kind = _unreachable_kind(exc)
            if kind:
                u = urlparse(url)
                port = u.port or (443 if u.scheme == "https" else 80)
                raise FetchError(_unreachable_reason(kind, u.hostname or "", port)) from exc
            # After the last retry urllib3 wraps a read timeout in a connection error; say which.
            if _is_read_timeout(exc):
                raise FetchError(f"read timeout after {policy.retries} retries") from exc
            raise FetchError(
                f"connection failed after {policy.retries} retries: {_cause(exc)}"
            ) from exc
        if resp.is_redirect:
            location = resp.headers.get("Location", "")
            resp.close()
            if not location:
                raise FetchError(f"redirect without Location from {url}", status=resp.status_code)
            url = urljoin(url, location)
            continue
        return resp
    raise FetchError(f"more than {policy.max_redirects} redirects", final_url=url)


def _is_read_timeout(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        reason = getattr(seen, "reason", None)
        if isinstance(seen, ReadTimeoutError | TimeoutError) or isinstance(
            reason, ReadTimeoutError
        ):
            return True
        if "timed out" in str(seen).lower() and "connect" not in str(seen).lower():
            return True
        seen = (
            seen.__cause__
            or seen.__context__
            or (seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None)
        )
    return False


def _cause(exc: BaseException) -> str:
    inner = exc
    while inner.__cause__ is not None or inner.__context__ is not None:
        inner = inner.__cause__ or inner.__context__
    text = str(inner) or type(inner).__name__
    return text.splitlines()[0][:200]


def _stream_response(resp: requests.Response, sink: _Sink, policy: FetchPolicy) -> None:
    declared = resp.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchError(
            f"Content-Length {int(declared):,} exceeds the {policy.max_bytes:,}-byte cap; not downloaded",
            status=resp.status_code,
        )
    try:
        for chunk in resp.iter_content(CHUNK):
            sink.write(chunk)
    except FetchError:
        raise
    except (requests.exceptions.RequestException, OSError) as exc:
        got = resp.raw.tell() if resp.raw is not None else sink.count
        of = f" of {int(declared):,}" if declared and declared.isdigit() else ""
        raise FetchError(f"truncated body: received {got:,}{of} bytes ({_cause(exc)})") from exc
    encoded = resp.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
    if declared and declared.isdigit() and not encoded and sink.count != int(declared):
        raise FetchError(f"truncated body: received {sink.count:,} of {int(declared):,} bytes")


def _read_mirror_dir(root: Path, url: str, sink: _Sink) -> str:
    rel = mirror_location(url)
    path = (root / rel).resolve()
    if root.resolve() not in path.parents:
        raise FetchError(f"refused mirror path outside the mirror: {rel}")
    if not path.is_file():
        raise FetchError(f"not in mirror: {rel}")
    if path.stat().st_size > sink.max_bytes:
        raise FetchError(
            f"mirror file is {path.stat().st_size:,} bytes, over the {sink.max_bytes:,}-byte cap"
        )
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            sink.write(chunk)
    return f"mirror:{rel}"


def fetch_document(
    doc: Document,
    archive: Archive,
    *,
    policy: FetchPolicy | None = None,
    mirror: str | None = None,
    session: requests.Session | None = None,
    url: str | None = None,
    capture_timestamp: str = "",
    via: str | None = None,
) -> FetchResult:
    """Retrieve ``doc`` (or ``url``, e.g. a web-archive capture of it) and archive it.

    ``mirror`` (default: ``PIPELINE_MIRROR``) is a directory or an http(s) base URL laid out as
    ``<host>/<url path>``; when set, the document is taken from there instead of its origin.
    ``via`` overrides the transport recorded (``web-archive`` for a capture standing in for an origin
    that no longer serves the document).
    """
    policy = policy or FetchPolicy.default()
    mirror = mirror if mirror is not None else (os.environ.get("PIPELINE_MIRROR") or None)
    source_url = url or doc.url
    via = via or ("mirror" if mirror else "origin")
    result = FetchResult(
        doc.id, source_url, "failed", via, retrieved_at=_now(), capture_timestamp=capture_timestamp
    )
    previous = archive.latest(doc.id) if not capture_timestamp else None
    sink = _Sink(archive, doc.id, policy.max_bytes)
    try:
        if mirror and not urlparse(mirror).scheme.startswith("http"):
            result.final_url = _read_mirror_dir(Path(mirror), source_url, sink)
        else:
            target = source_url
            if mirror:
                target = mirror.rstrip("/") + "/" + mirror_location(source_url).lstrip("/")
            headers = {}
            # Conditional GET only when the bytes it would vouch for are really here (validators
            # come from the last retrieval of the current bytes from this URL by this transport).
            etag, last_modified = ("", "")
            if previous is not None:
                etag, last_modified = archive.validators(doc.id, source_url, via)
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            own_session = session is None
            session = session or build_session(policy)
            try:
                resp = _http_get(session, target, headers, policy, mirror)
                with resp:
                    result.final_url = resp.url
                    result.http_status = resp.status_code
                    result.etag = resp.headers.get("ETag", "")
                    result.last_modified = resp.headers.get("Last-Modified", "")
                    if resp.status_code == 304:
                        if previous is None:
                            raise FetchError("304 Not Modified but no archived copy", status=304)
                        sink.discard()
                        result.etag = result.etag or etag
                        result.last_modified = result.last_modified or last_modified
                        return _record_unchanged(archive, result, previous)
                    if resp.status_code != 200:
                        raise FetchError(
                            f"HTTP {resp.status_code} {resp.reason or ''}".strip(),
                            status=resp.status_code,
                        )
                    _stream_response(resp, sink, policy)
            finally:
                if own_session:
                    session.close()
        if sink.count == 0:
            raise FetchError("empty body")
        wrong = sniff(sink.head, doc.format)
        if wrong:
            raise FetchError(f"expected {doc.format.upper()} content but got {wrong}")
        sink.finish()
    except FetchError as exc:
        sink.discard()
        result.reason = exc.reason
        result.http_status = exc.status or result.http_status
        result.final_url = exc.final_url or result.final_url
        _record(archive, result)
        return result
    except BaseException:
        sink.discard()
        raise

    sha = sink.hash.hexdigest()
    path, was_new = archive.store(doc.id, sink.path, sha, EXTENSIONS[doc.format])
    result.sha256, result.bytes, result.path = sha, sink.count, path
    # "unchanged" means: the latest archived bytes of this document are these bytes. Bytes seen
    # before but not latest (a reverted edit) still count as new here, so the change is visible.
    same_as_latest = previous is not None and previous.sha256 == sha
    result.outcome = (
        "unchanged" if (same_as_latest or (not was_new and capture_timestamp)) else "new"
    )
    _record(archive, result)
    return result


def _record_unchanged(archive: Archive, result: FetchResult, previous) -> FetchResult:
    result.outcome = "unchanged"
    result.sha256, result.bytes, result.path = previous.sha256, previous.bytes, previous.path
    _record(archive, result)
    return result


def _record(archive: Archive, r: FetchResult) -> None:
    archive.record(
        {
            "document_id": r.document_id,
            "url": r.url,
            "final_url": r.final_url,
            "via": r.via,
            "http_status": r.http_status,
            "sha256": r.sha256,
            "bytes": r.bytes if r.ok else "",
            "retrieved_at": r.retrieved_at,
            "etag": r.etag,
            "last_modified": r.last_modified,
            "outcome": r.outcome,
            "reason": r.reason,
            "capture_timestamp": r.capture_timestamp,
        }
    )


# -- is anybody out there? -----------------------------------------------------------------------------
def _split_host_port(target: str, default_port: int) -> tuple[str, int]:
    if target.startswith("["):  # [::1]:443
        host, _, rest = target[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else default_port
    if target.count(":") == 1:
        host, port = target.split(":")
        return host, int(port)
    return target, default_port


def probe_hosts(hosts: Iterable[str], timeout: float = 5.0, port: int = 443) -> dict[str, str]:
    """Host -> why it cannot be reached, "" when a TCP connection opened. ``hosts`` are names or
    ``host:port``. All hosts are probed at once (name lookup, then a TCP connect to ``port``) and the
    whole probe returns within about ``timeout`` seconds, whatever the resolver does."""
    targets = list(dict.fromkeys(hosts))
    results = {t: f"no answer within {timeout:g} s" for t in targets}
    deadline = time.monotonic() + timeout

    def probe(target: str) -> None:
        host, p = _split_host_port(target, port)
        try:
            infos = socket.getaddrinfo(host, p, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            results[target] = f"{host} did not resolve"
            return
        why = f"no answer within {timeout:g} s"
        for family, socktype, proto, _, addr in infos:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                with socket.socket(family, socktype, proto) as sock:
                    sock.settimeout(left)
                    sock.connect(addr)
            except OSError as exc:
                kind = _unreachable_kind(exc)
                why = (
                    _unreachable_reason(kind, host, p).removesuffix(" (not retried)")
                    if kind
                    else (
                        f"no answer within {timeout:g} s"
                        if isinstance(exc, TimeoutError)
                        else str(exc)
                    )
                )
                continue
            results[target] = ""
            return
        results[target] = why

    # Daemon threads: a resolver stuck past the deadline must not keep the process alive.
    threads = [threading.Thread(target=probe, args=(t,), daemon=True) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    return dict(results)


def hosts_unreachable(hosts: Iterable[str], timeout: float = 5.0) -> list[str]:
    """The hosts (names or ``host:port``, port 443 by default) that cannot be reached within
    ``timeout`` seconds, in the order given. When it returns every registered host, the machine is
    offline: say so and suggest ``make refresh MIRROR=...`` instead of failing each document."""
    return [h for h, why in probe_hosts(hosts, timeout).items() if why]
