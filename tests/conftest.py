"""Shared fixtures. Real documents are read from ../shared beside the repository, never copied in."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme
from pytest_httpserver import HTTPServer

from pipeline.fetch import FetchPolicy

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "sources"
MIRROR = SHARED / "mirror"
TRANSCRIPTIONS = SHARED / "transcriptions"
NCMEC_PDFS = MIRROR / "www.missingkids.org" / "content" / "dam" / "missingkids" / "pdfs"


@pytest.fixture(scope="session")
def mirror_dir() -> Path:
    if not MIRROR.is_dir():
        pytest.fail(f"the shared mirror is missing: expected {MIRROR} beside the repository")
    return MIRROR


@pytest.fixture(scope="session")
def transcriptions_dir() -> Path:
    return TRANSCRIPTIONS


def ncmec_pdf(name: str) -> Path:
    path = NCMEC_PDFS / name
    if not path.is_file():
        pytest.fail(f"real PDF missing from the shared mirror: {path}")
    return path


# -- loopback https servers (TLS with a throwaway CA), for the download path ---------------------
@pytest.fixture(scope="session")
def ca():
    return trustme.CA()


@pytest.fixture
def server(ca, tmp_path):
    """An https server on 127.0.0.1 whose certificate is trusted only through the test's CA bundle."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(ctx)
    srv = HTTPServer(host="localhost", ssl_context=ctx, threaded=True)
    srv.start()
    yield srv
    srv.clear()
    if srv.is_running():
        srv.stop()


@pytest.fixture
def policy(ca, tmp_path):
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return FetchPolicy(
        allowed_hosts=frozenset({"localhost"}),
        connect_timeout=2,
        read_timeout=0.5,
        retries=2,
        backoff_factor=0,
        verify=str(bundle),
    )
