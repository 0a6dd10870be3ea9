"""Shared fixtures. Real documents are read from ../shared beside the repository, never copied in."""

from __future__ import annotations

from pathlib import Path

import pytest

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
