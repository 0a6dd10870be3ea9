"""Offline and unreachable hosts fail fast, and say why; a 503 is still retried.

Everything stays on this machine: a refused connection is a closed port on 127.0.0.1, an unresolvable
host is a name under the reserved ``.invalid`` TLD (RFC 6761: it never resolves), and "offline" is a
resolver replaced by one that fails, so no test sends anything outside.
"""

from __future__ import annotations

import socket
import time
from dataclasses import replace

import pytest

from pipeline.archive import Archive
from pipeline.fetch import (
    FetchPolicy,
    fetch_document,
    hosts_unreachable,
    is_unreachable,
    probe_hosts,
)
from pipeline.registry import allowed_hosts, by_id

NOWHERE = "no-such-publisher.invalid"


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lookups(monkeypatch) -> list[str]:
    """Every name lookup made (urllib3 and the probe both call socket.getaddrinfo)."""
    seen: list[str] = []
    real = socket.getaddrinfo

    def counting(host, *args, **kwargs):
        seen.append(host)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", counting)
    return seen


def patient_policy(hosts) -> FetchPolicy:
    """Retries with real backoff (1 s, 2 s, ...): a retried failure could not finish in under 2 s."""
    return FetchPolicy(allowed_hosts=frozenset(hosts), retries=3, backoff_factor=1.0)


def test_refused_connection_fails_at_once(tmp_path, closed_port, lookups):
    doc = replace(by_id("ncmec_esp_2019"), url=f"https://127.0.0.1:{closed_port}/report.pdf")
    archive = Archive(tmp_path / "raw")
    t0 = time.monotonic()
    r = fetch_document(doc, archive, policy=patient_policy({"127.0.0.1"}), mirror="")
    elapsed = time.monotonic() - t0
    assert (r.outcome, r.reason) == (
        "failed",
        f"connection refused by 127.0.0.1:{closed_port} (not retried)",
    )
    assert lookups == ["127.0.0.1"]  # one attempt
    assert elapsed < 2, elapsed
    assert is_unreachable(r.reason)
    assert archive.attempts()[-1]["reason"] == r.reason and archive.manifest_rows() == []


def test_unresolvable_host_fails_at_once(tmp_path, lookups):
    doc = replace(by_id("ncmec_esp_2019"), url=f"https://{NOWHERE}/report.pdf")
    t0 = time.monotonic()
    r = fetch_document(doc, Archive(tmp_path / "raw"), policy=patient_policy({NOWHERE}), mirror="")
    elapsed = time.monotonic() - t0
    assert (r.outcome, r.reason) == (
        "failed",
        f"DNS lookup failed: {NOWHERE} did not resolve (not retried)",
    )
    assert lookups == [NOWHERE]
    assert elapsed < 2, elapsed
    assert is_unreachable(r.reason)


def test_503_is_still_retried(tmp_path, server, policy):
    path = "/busy.pdf"
    doc = replace(by_id("ncmec_esp_2019"), url=f"https://localhost:{server.port}{path}")
    server.expect_request(path).respond_with_data("busy", status=503)
    r = fetch_document(doc, Archive(tmp_path / "raw"), policy=policy, mirror="")
    assert (r.outcome, r.reason) == ("failed", "HTTP 503 SERVICE UNAVAILABLE")
    assert len(server.log) == 1 + policy.retries
    assert not is_unreachable(r.reason)


def test_probe_names_each_unreachable_host(server, closed_port):
    live = f"localhost:{server.port}"
    refused = f"127.0.0.1:{closed_port}"
    assert probe_hosts([live, refused, NOWHERE], timeout=3) == {
        live: "",
        refused: f"connection refused by 127.0.0.1:{closed_port}",
        NOWHERE: f"{NOWHERE} did not resolve",
    }
    assert hosts_unreachable([live, refused, NOWHERE], timeout=3) == [refused, NOWHERE]


def test_probe_is_bounded_by_its_timeout_whatever_the_resolver_does(monkeypatch, server):
    real = socket.getaddrinfo

    def hanging(host, *args, **kwargs):
        if host == "slow.invalid":
            time.sleep(5)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    t0 = time.monotonic()
    why = probe_hosts(["slow.invalid", f"localhost:{server.port}"], timeout=0.5)
    assert time.monotonic() - t0 < 2
    assert why == {"slow.invalid": "no answer within 0.5 s", f"localhost:{server.port}": ""}


def test_offline_every_registered_host_is_reported_unreachable(monkeypatch):
    """What a refresh checks before fetching: with no resolver, every registered host is listed, fast."""

    def offline(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", offline)
    hosts = sorted(allowed_hosts())
    t0 = time.monotonic()
    assert hosts_unreachable(hosts, timeout=5) == hosts
    assert time.monotonic() - t0 < 2
