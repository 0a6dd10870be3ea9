"""A short, seeded fuzz run: real mirror PDFs, mutated, each parsed by ``pipeline.parse._run_parser``.

Mutations (all seeded, so a run is repeatable and a finding can be replayed from its mutant id):

* ``flip`` -- one to eight bytes anywhere in the file XOR-ed with a random non-zero byte;
* ``drop`` -- one whole ``N G obj ... endobj`` removed (the cross-reference table then points into
  the wrong bytes, and a page, font or content stream may be gone);
* ``truncate`` -- the file cut at a random offset;
* ``glyph`` -- one byte inside a text-showing string of a page's content stream changed, the stream
  re-deflated with its ``/Length`` fixed: the PDF stays well-formed but one printed character (often
  a digit of a count) is another, which is what the parsers' reconciliation must catch.

Each mutant is parsed in a forked child killed after :data:`WALL_SECONDS`, so one that hangs or
explodes is recorded as such and cannot stop the run. Inside it, ``_run_parser`` applies the
pipeline's own sandbox (:mod:`pipeline.sandbox`), set here to tighter limits through its
``PIPELINE_PARSE_*`` variables; where that module does not exist the child sets the rlimits itself. The outcome is judged only
by the pipeline's own contract (DESIGN.md, "Isolation"): a ``parsed`` :class:`CopyParse` whose rows
still reconcile (rows sum to printed totals, parts to totals, classes to totals), or a ``failed`` one
whose error names the document; never an exception escaping ``_run_parser``, never a hang.

``python -m tests.fuzz --seed 7 --rounds 3`` runs a longer campaign by hand and prints every outcome.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import multiprocessing
import os
import random
import re
import resource
import signal
import sys
import tempfile
import threading
import time
import traceback
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[1]
NCMEC_PDFS = (
    REPO.parent / "shared" / "sources" / "mirror" / "www.missingkids.org" / "content" / "dam"
)
NCMEC_PDFS = NCMEC_PDFS / "missingkids" / "pdfs"
KINDS = ("flip", "drop", "truncate", "glyph")

# Limits for one mutant's parse. The largest real mirror PDF parses in about 5 s and well under
# 500 MB; these leave a wide margin and still bound a hostile mutant. The fuzz's own kill comes after
# the sandbox's, so a hang reported here is one the sandbox did not stop.
CPU_SECONDS = 20
TIMEOUT_SECONDS = 25
MEMORY_MB = 2048
WALL_SECONDS = TIMEOUT_SECONDS + 10


@dataclass
class Mutant:
    source: str  # file name in the mirror
    document_id: str
    kind: str
    seed: str  # "<seed>:<source>:<kind>:<round>", enough to rebuild the mutant
    detail: str
    data: bytes = field(repr=False)

    @property
    def id(self) -> str:
        return f"{self.source}:{self.kind}:{self.seed.rsplit(':', 1)[-1]}"


@dataclass
class Outcome:
    mutant: str
    document_id: str
    detail: str
    status: str  # parsed | failed | hang | escaped | crashed
    error: str = ""
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # contract violations
    differs: bool = False  # parsed, with rows other than the unmutated copy's
    seconds: float = 0.0


# ------------------------------------------------------------------------------------ mutations

_OBJ = re.compile(rb"(?<![0-9])(\d+) (\d+) obj\b.*?\bendobj\b", re.S)
_STREAM = re.compile(rb"<<(?P<dict>(?:(?!>>\s*stream).)*?)>>\s*stream\r?\n", re.S)
# Text-showing operands in a content stream: (literal) or <hex> before Tj, or inside a TJ array.
_TEXT = re.compile(rb"\((?:\\.|[^\\()])*\)|<[0-9A-Fa-f\s]+>")


def _flip(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    out = bytearray(data)
    spots = sorted(rng.randrange(len(out)) for _ in range(rng.randint(1, 8)))
    for i in spots:
        out[i] ^= rng.randint(1, 255)
    return bytes(out), f"flipped bytes at {spots}"


def _drop(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    objs = list(_OBJ.finditer(data))
    m = rng.choice(objs)
    return data[: m.start()] + data[m.end() :], f"dropped object {int(m[1])} {int(m[2])}"


def _truncate(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    at = rng.randrange(1, len(data))
    return data[:at], f"truncated at {at} of {len(data)} bytes"


def _content_streams(data: bytes) -> list[tuple[re.Match, int, bytes]]:
    """(dict match, length, inflated bytes) of each Flate stream that shows text."""
    found = []
    for m in _STREAM.finditer(data):
        length = re.search(rb"/Length\s+(\d+)(?!\s+\d+\s+R)", m["dict"])
        if b"/FlateDecode" not in m["dict"] or not length:
            continue
        raw = data[m.end() : m.end() + int(length[1])]
        try:
            inflated = zlib.decompress(raw)
        except zlib.error:
            continue
        if re.search(rb"\bT[Jj]\b", inflated) and _TEXT.search(inflated):
            found.append((m, int(length[1]), inflated))
    return found


def _glyph(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    streams = _content_streams(data)
    if not streams:
        return _flip(data, rng)
    m, length, inflated = rng.choice(streams)
    strings = [s for s in _TEXT.finditer(inflated) if s.end() - s.start() > 2]
    s = rng.choice(strings)
    inner = range(s.start() + 1, s.end() - 1)
    out = bytearray(inflated)
    i = rng.choice(inner)
    if s.group(0).startswith(b"<"):
        hexdigits = b"0123456789ABCDEF"
        if chr(out[i]) in " \r\n\t":
            i = next((j for j in inner if chr(out[j]) not in " \r\n\t"), i)
        out[i] = rng.choice([c for c in hexdigits if c != out[i]])
    else:
        out[i] = rng.choice([c for c in b"0123456789" if c != out[i]])
    packed = zlib.compress(bytes(out), 9)
    head = (
        data[: m.start()]
        + b"<<"
        + re.sub(rb"/Length\s+\d+", b"/Length %d" % len(packed), m["dict"], count=1)
    )
    rest = data[m.end() + length :]
    mutated = head + data[m.end("dict") : m.end()] + packed + rest
    return mutated, f"changed one text byte at {i} of the content stream at offset {m.start()}"


MUTATORS = {"flip": _flip, "drop": _drop, "truncate": _truncate, "glyph": _glyph}


def mirror_documents() -> list[tuple[Path, object]]:
    """(mirror PDF, registry document) for every real PDF in the mirror the registry knows."""
    from pipeline.registry import registry

    by_name = {}
    for doc in registry():
        if doc.parser and doc.format == "pdf":
            by_name.setdefault(doc.url.rsplit("/", 1)[-1], doc)
    return [(p, by_name[p.name]) for p in sorted(NCMEC_PDFS.glob("*.pdf")) if p.name in by_name]


def mutants(seed: int, rounds: int = 1, kinds=KINDS) -> list[Mutant]:
    out = []
    for path, doc in mirror_documents():
        data = path.read_bytes()
        for r in range(rounds):
            for kind in kinds:
                key = f"{seed}:{path.name}:{kind}:{r}"
                mutated, detail = MUTATORS[kind](data, random.Random(key))
                out.append(Mutant(path.name, doc.id, kind, key, detail, mutated))
    return out


# ------------------------------------------------------------------------------ judging a result


def contract_problems(doc, result) -> list[str]:
    """How a CopyParse breaks the pipeline's contract for an untrusted copy (empty: it keeps it)."""
    from pipeline import reconcile
    from pipeline.parse import FAILED, PARSED, PARSER_TABLES

    if result.status == FAILED:
        problems = []
        if not result.error.startswith(f"{doc.id}, page "):
            problems.append(f"failure does not name the document: {result.error[:200]!r}")
        if not result.error_expected:
            problems.append("failure says nothing about what was expected")
        return problems
    if result.status != PARSED:
        return [f"status {result.status!r}"]
    t = result.tables
    problems = [f"undeclared table {n}" for n in t if n not in PARSER_TABLES[doc.parser]]
    by_year = t.get("cybertipline_reports_by_year")
    for parts in ("cybertipline_reports_by_esp", "cybertipline_reports_by_country"):
        if parts in t and by_year is not None:
            problems += [str(p) for p in reconcile.row_sums(parts, t[parts], by_year)]
    if by_year is not None:
        problems += [str(p) for p in reconcile.parts_equal_totals(by_year)]
    if "cybertipline_reports_to_law_enforcement" in t:
        problems += [
            str(p) for p in reconcile.class_totals(t["cybertipline_reports_to_law_enforcement"])
        ]
    for name, df in t.items():
        if not (df["document_id"] == doc.id).all():
            problems.append(f"{name}: rows with another document_id")
    return problems


def _frames_equal(a: dict, b: dict) -> bool:
    return set(a) == set(b) and all(a[n].equals(b[n]) for n in a)


# ------------------------------------------------------------------------------ bounded runs


def _limits() -> None:
    """The sandbox's limits, tightened for the fuzz; rlimits here only when there is no sandbox (an
    outer hard limit below the sandbox's would make every parse fail to set its own)."""
    try:
        import pipeline.sandbox  # noqa: F401
    except ImportError:
        memory = MEMORY_MB * 1024**2
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 5))
        return
    os.environ.update(
        PIPELINE_PARSE_MAX_MEMORY_MB=str(MEMORY_MB),
        PIPELINE_PARSE_MAX_CPU_SECONDS=str(CPU_SECONDS),
        PIPELINE_PARSE_TIMEOUT_SECONDS=str(TIMEOUT_SECONDS),
    )


def _child(conn, document_id: str, path: str, baseline) -> None:
    """Parse one mutant under limits and send back a picklable summary."""
    try:
        _limits()
        from pipeline.parse import _run_parser
        from pipeline.registry import by_id

        doc = by_id(document_id)
        version = SimpleNamespace(sha256="fuzz", path=Path(path), capture_timestamp="")
        try:
            result = _run_parser(doc, version)
        except BaseException as exc:  # noqa: BLE001 - this is what the fuzz looks for
            conn.send(
                {
                    "status": "escaped",
                    "error": f"{type(exc).__name__}: {exc}"[:500],
                    "problems": [traceback.format_exc()[-2000:]],
                }
            )
            return
        conn.send(
            {
                "status": result.status,
                "error": result.error,
                "rows": result.rows(),
                "problems": contract_problems(doc, result),
                "differs": result.ok
                and baseline is not None
                and not _frames_equal(result.tables, baseline),
            }
        )
    except BaseException as exc:  # noqa: BLE001 - even the summary failed: report, don't hang
        with contextlib.suppress(BaseException):
            conn.send({"status": "crashed", "error": f"{type(exc).__name__}: {exc}"[:500]})
    finally:
        conn.close()
        os._exit(0)


def _context():
    # Forking a process that runs other threads can deadlock on a lock held at fork time.
    return multiprocessing.get_context("fork" if threading.active_count() == 1 else "spawn")


def baselines() -> dict[str, dict]:
    """The unmutated copies' tables, by document id (every real mirror PDF parses)."""
    from pipeline.parse import _run_parser

    out = {}
    for path, doc in mirror_documents():
        r = _run_parser(doc, SimpleNamespace(sha256="real", path=path, capture_timestamp=""))
        out[doc.id] = r.tables if r.ok else None
    return out


def run(batch: list[Mutant], workdir: Path, base: dict, workers: int = 2) -> list[Outcome]:
    """Parse every mutant in a bounded child, ``workers`` at a time; outcomes in ``batch`` order."""
    # Imported once here, so each forked child starts with them (about 2 s of CPU per child if not).
    import pipeline.parse  # noqa: F401
    import pipeline.reconcile  # noqa: F401
    from pipeline.registry import by_id

    for parser in sorted({by_id(m.document_id).parser for m in batch}):
        importlib.import_module(f"pipeline.parsers.{parser}")
    ctx = _context()
    pending = list(enumerate(batch))
    running: dict[int, tuple] = {}
    outcomes: dict[int, Outcome] = {}
    while pending or running:
        while pending and len(running) < workers:
            i, m = pending.pop(0)
            path = workdir / f"mutant-{i}.pdf"
            path.write_bytes(m.data)
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(
                target=_child, args=(send, m.document_id, str(path), base.get(m.document_id))
            )
            proc.start()
            send.close()
            running[i] = (m, proc, recv, time.monotonic())
        time.sleep(0.02)
        for i, (m, proc, recv, started) in list(running.items()):
            elapsed = time.monotonic() - started
            got = None
            if recv.poll():
                try:
                    got = recv.recv()
                except EOFError:
                    got = {"status": "crashed", "error": f"child died (exit {proc.exitcode})"}
            elif not proc.is_alive():
                proc.join()
                if recv.poll():
                    continue  # the answer arrived as it exited: read it next turn
                sig = -proc.exitcode if proc.exitcode and proc.exitcode < 0 else None
                why = signal.Signals(sig).name if sig else f"exit {proc.exitcode}"
                got = {"status": "crashed", "error": f"child died without an answer ({why})"}
            elif elapsed > WALL_SECONDS:
                proc.kill()
                got = {"status": "hang", "error": f"no answer within {WALL_SECONDS} s"}
            if got is None:
                continue
            proc.join(5)
            recv.close()
            (workdir / f"mutant-{i}.pdf").unlink(missing_ok=True)
            outcomes[i] = Outcome(
                m.id,
                m.document_id,
                m.detail,
                got["status"],
                got.get("error", ""),
                got.get("rows", {}),
                got.get("problems", []),
                got.get("differs", False),
                round(elapsed, 2),
            )
            del running[i]
    return [outcomes[i] for i in range(len(batch))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=20240)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    base = baselines()
    batch = mutants(args.seed, args.rounds)
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = run(batch, Path(tmp), base, args.workers)
    bad = 0
    for o in outcomes:
        flag = "BAD " if o.problems or o.status in ("hang", "escaped", "crashed") else "ok  "
        bad += flag == "BAD "
        diff = " (rows differ from the real copy)" if o.differs else ""
        print(f"{flag}{o.status:8} {o.seconds:5.1f}s {o.mutant} [{o.detail}] {o.error[:150]}{diff}")
        for p in o.problems:
            print("      ", p[:300])
    print(f"{len(outcomes)} mutants, {bad} bad, {time.monotonic() - start:.1f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
