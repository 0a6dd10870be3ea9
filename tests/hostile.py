"""Hostile PDFs for the sandbox tests, written to a temporary folder (never committed).

STAND-INS by necessity: no real copy of an attack exists in the mirror. Each generator writes the PDF
objects by hand (a few lines each, fast) so the test controls exactly what is hostile about the file:

* :func:`write_inflation_bomb` -- one FlateDecode content stream, ~300 KB on disk, 300 MiB inflated;
* :func:`write_many_pages` -- thousands of tiny pages sharing one content stream;
* :func:`write_cpu_burner` -- one page whose content stream is millions of ``q Q`` operators: small
  when inflated, but pdfminer interprets it one Python call at a time (tens of seconds of CPU);
* :func:`write_truncated` -- the first half of a real PDF;
* :func:`write_garbage` -- ``%PDF-`` followed by random bytes;
* :func:`write_deep_nesting` / :func:`write_circular_pages` -- arrays nested twenty thousand deep in the
  catalogue, and a page tree whose ``/Kids`` point back at itself.
"""

from __future__ import annotations

import random
import zlib
from pathlib import Path

MIB = 1024 * 1024


def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF with a correct cross-reference table: ``objects[i]`` is object ``i + 1``."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _one_page(content: bytes, flate: bool) -> bytes:
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            _stream(content, b" /Filter /FlateDecode" if flate else b""),
        ]
    )


def _deflate_repeated(chunk: bytes, total: int) -> bytes:
    """zlib level 9 of ``chunk`` repeated up to ``total`` bytes, without holding them in memory."""
    z = zlib.compressobj(9)
    block = chunk * (MIB // len(chunk))
    parts, done = [], 0
    while done < total:
        piece = block[: total - done]
        parts.append(z.compress(piece))
        done += len(piece)
    parts.append(z.flush())
    return b"".join(parts)


def write_inflation_bomb(path: Path, inflated_mib: int = 300) -> dict:
    """One page whose content stream is ``inflated_mib`` MiB of spaces, deflated (about 1,000 : 1)."""
    data = _deflate_repeated(b" ", inflated_mib * MIB)
    path.write_bytes(_one_page(data, flate=True))
    return {"path": path, "bytes": path.stat().st_size, "inflated": inflated_mib * MIB}


def write_cpu_burner(path: Path, operators: int = 4_000_000) -> dict:
    """One page of ``operators`` save/restore pairs: 16 MB inflated (under every inflation cap), nothing
    kept in memory, but one interpreter call per operator -- far more CPU than any real page."""
    data = _deflate_repeated(b"q Q ", 4 * operators)
    path.write_bytes(_one_page(data, flate=True))
    return {"path": path, "bytes": path.stat().st_size}


def write_many_pages(path: Path, pages: int = 3000, declared: int | None = None) -> dict:
    """``pages`` tiny pages (one shared content stream) under one flat page tree that claims
    ``declared`` pages (default: the truth)."""
    first = 4
    kids = b" ".join(b"%d 0 R" % (first + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (kids, pages if declared is None else declared),
        _stream(b"BT ET"),
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /Contents 3 0 R >>"
    objects += [page] * pages
    path.write_bytes(_pdf(objects))
    return {"path": path, "bytes": path.stat().st_size, "pages": pages}


def write_truncated(path: Path, source: Path, fraction: float = 0.5) -> dict:
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return {"path": path, "bytes": path.stat().st_size}


def write_garbage(path: Path, size: int = 64 * 1024, seed: int = 9) -> dict:
    rng = random.Random(seed)
    path.write_bytes(b"%PDF-1.7\n" + rng.randbytes(size))
    return {"path": path, "bytes": path.stat().st_size}


def write_deep_nesting(path: Path, depth: int = 20_000) -> dict:
    """A catalogue entry holding an array nested ``depth`` deep (and the same in the document info)."""
    nested = b"[" * depth + b"]" * depth
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Deep %s >>" % nested,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        _stream(b"BT ET"),
        b"<< /Title %s >>" % nested,
    ]
    data = _pdf(objects)
    data = data.replace(b"/Root 1 0 R", b"/Root 1 0 R /Info 5 0 R")
    path.write_bytes(data)
    return {"path": path, "bytes": path.stat().st_size}


def write_circular_pages(path: Path) -> dict:
    """A page tree whose node lists itself (and its parent) among its kids."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [3 0 R 2 0 R 4 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 612 792] /Contents 5 0 R >>",
        _stream(b"BT ET"),
    ]
    path.write_bytes(_pdf(objects))
    return {"path": path, "bytes": path.stat().st_size}
