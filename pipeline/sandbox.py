"""Run code on untrusted documents in a child process with hard limits.

Every PDF and HTML page the pipeline parses was downloaded from the open web, and the PDF library
(pdfminer.six under pdfplumber) is pure Python that trusts the file: a 1.5 MB PDF whose content stream
inflated to 1.5 GiB took 3.4 GB of memory, and a 2.3 MB PDF of 3,000 pages took 5 GB and 217 s before
failing. :func:`run` calls a function in a child process that cannot take the pipeline down with it:

* **address space** (``RLIMIT_AS``) and **CPU time** (``RLIMIT_CPU``, soft: ``SIGXCPU`` raised as an
  exception; hard, 2 s later: ``SIGKILL``), set in the child by :mod:`resource`;
* **wall clock**: the parent kills the child when no result has come back in time (a child blocked or
  starved, not computing: the CPU limit is what stops a computing one);
* **bytes inflated per stream**: pdfminer.six (20260107) has no option for it -- ``PDFStream.decode``
  calls ``zlib.decompress(data)`` on the whole stream, ``lzwdecode`` and ``rldecode`` likewise -- so the
  child replaces the ``zlib`` pdfminer's ``pdftypes`` module sees with one that inflates at most the cap
  (``decompressobj().decompress(data, max_length)``), and wraps the LZW, run-length and CCITT decoders.
  A stream that goes past the cap stops *before* its bytes exist, instead of after the memory limit;
* **no Ghostscript**: pdfplumber's ``repair=True`` runs ``gs`` on the file; in the child it raises;
* **pages**: the caller refuses a document over the page cap before parsing any page
  (:func:`pipeline.pdfinfo.count_pages` walks the page tree only: 0.2 s for 3,000 pages).

A broken limit is an :class:`Outcome` with a message naming the limit; the caller turns it into that
document's failure and the run goes on. Limits are reported by the child's exit code (no memory needed to
report running out of memory) or by the parent (wall clock, signals).

The child is a ``fork`` of the caller when the caller runs a single thread (``make refresh``, a Dagster
in-process run, pytest, the ``warm_cache`` pool workers): the caller's imports are already there. Otherwise
it is a child of a ``forkserver`` that preloaded pandas, pdfplumber and every parser, because forking a
process that runs other threads can deadlock on a lock held at fork time. Cost per document, measured on
this 2-core machine while other test suites ran (load 6-8): 8-16 ms per child with fork, 15-30 ms with the
forkserver plus 1.8-4.9 s once to start it; and the page count before parsing, 3-23 ms per real PDF (a
second open of the file). Against 0.2-3 s to parse a real document, the sandbox adds 1-5 %.

Why these limits (measured on this machine with the real parser of each of the nine real NCMEC PDFs in the
mirror: 5-19 pages, 85-268 KB; and on a generated 600-page prose PDF standing in for the DOJ reports to
Congress, a few hundred pages, that the ICAC parser reads and no copy of which is offline):

=================================  ==========================================  =================  ========
limit (environment variable)       measured                                    default            margin
=================================  ==========================================  =================  ========
pages (PIPELINE_PARSE_MAX_PAGES)   real: 5-19; DOJ reports: a few hundred      1,000              50x real
memory, address space              real: peak 244-351 MiB of address space,    3,072 MiB          9x real
(PIPELINE_PARSE_MAX_MEMORY_MB)     84-191 MiB resident (the interpreter alone
                                   maps 226-290 MiB);
                                   prose: ~5.6 MiB more per page read (text
                                   extraction keeps every page's objects), so
                                   a 400-page report needs ~2.5 GiB
CPU (PIPELINE_PARSE_MAX_CPU_       real: 0.17-2.05 s (transparency report,     120 s              58x real
SECONDS)                           19 pages); prose: 0.08 s per page
wall clock (PIPELINE_PARSE_        CPU time x 1-1.7 on this 2-core machine     300 s              2.5x CPU
TIMEOUT_SECONDS)                   under load
inflated per stream (PIPELINE_     real: largest stream 72 KB, all streams     100 MiB            1,400x
PARSE_MAX_INFLATED_MB)             of a document 0.5 MiB
=================================  ==========================================  =================  ========

The memory limit is the one real documents come closest to, and only because text extraction keeps every
page: a 1,000-page report of prose would exceed it (and 120 s of CPU), and fail on its own with a message
naming the limit rather than take the machine. Closing each page after extracting its text
(``page.close()`` in ``doctext.pdf_pages``) keeps memory flat -- measured on the 600-page stand-in: 3,480 ->
39 MiB resident, 46 -> 32 s of CPU -- after which 1,024 MiB would leave the same margin. The hostile files of issue 9 all fail in seconds: the
300 MiB inflation bomb at the first 100 MiB, the 3,000-page PDF before any page is parsed.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MIB = 1024 * 1024

ENV = {
    "max_pages": "PIPELINE_PARSE_MAX_PAGES",
    "max_memory_mb": "PIPELINE_PARSE_MAX_MEMORY_MB",
    "max_cpu_seconds": "PIPELINE_PARSE_MAX_CPU_SECONDS",
    "timeout_seconds": "PIPELINE_PARSE_TIMEOUT_SECONDS",
    "max_inflated_mb": "PIPELINE_PARSE_MAX_INFLATED_MB",
}

# Exit codes by which a child reports a broken limit: exiting needs no memory, a message might.
EXIT_MEMORY, EXIT_CPU, EXIT_INFLATE = 201, 202, 203
CPU_GRACE_SECONDS = 2  # soft limit -> SIGXCPU (an exception in the child); hard limit -> SIGKILL
RESERVE_BYTES = 4 * MIB  # freed in the child when memory runs out, so reporting can still run


@dataclass(frozen=True)
class Limits:
    max_pages: int = 1000
    max_memory_mb: int = 3072
    max_cpu_seconds: int = 120
    timeout_seconds: int = 300
    max_inflated_mb: int = 100

    @classmethod
    def from_env(cls, environ: dict | None = None) -> Limits:
        """The defaults, overridden by ``PIPELINE_PARSE_*``; a value that is not a positive integer is a
        configuration error naming the variable, raised before any document is touched."""
        environ = os.environ if environ is None else environ
        values = {}
        for name, var in ENV.items():
            raw = environ.get(var, "").strip()
            if not raw:
                continue
            try:
                value = int(raw)
            except ValueError:
                value = 0
            if value <= 0:
                raise ValueError(f"{var} must be a positive integer, got {raw!r}")
            values[name] = value
        return cls(**values)

    @property
    def cache_key(self) -> str:
        """The limits that decide a cached outcome (the wall clock's failures are never cached)."""
        return (
            f"p{self.max_pages}m{self.max_memory_mb}c{self.max_cpu_seconds}i{self.max_inflated_mb}"
        )

    # Messages and expectations, one place for each limit.
    def message(self, limit: str) -> str:
        return {
            "memory": f"memory limit of {self.max_memory_mb:,} MiB exceeded",
            "cpu": f"CPU time limit of {self.max_cpu_seconds:,} s exceeded",
            "inflate": f"a stream inflates past {self.max_inflated_mb:,} MiB",
            "timeout": f"killed after {self.timeout_seconds:,} s wall clock",
        }[limit]

    def expected(self, limit: str) -> str:
        return {
            "pages": f"at most {self.max_pages:,} pages ({ENV['max_pages']})",
            "memory": f"a parse within {self.max_memory_mb:,} MiB of address space "
            f"({ENV['max_memory_mb']})",
            "cpu": f"a parse within {self.max_cpu_seconds:,} s of CPU time ({ENV['max_cpu_seconds']})",
            "inflate": f"every stream inflating to at most {self.max_inflated_mb:,} MiB "
            f"({ENV['max_inflated_mb']})",
            "timeout": f"a parse within {self.timeout_seconds:,} s of wall-clock time "
            f"({ENV['timeout_seconds']})",
        }[limit]


@dataclass
class Outcome:
    """What came back from the child: ``value`` when ``ok``, else the limit broken (``memory``, ``cpu``,
    ``inflate``, ``timeout``) or ``crash`` / ``error`` with a ``message``. ``deterministic`` is False for
    outcomes that say more about the machine than about the document (wall clock, a kill by the system):
    those are not worth caching."""

    ok: bool
    value: Any = None
    limit: str = ""
    message: str = ""
    expected: str = ""
    deterministic: bool = True


# -- the child ----------------------------------------------------------------------------------------
class CpuTimeExceeded(BaseException):
    """Raised by the SIGXCPU handler. A BaseException, so the libraries' ``except Exception`` clauses
    (pdfplumber wraps what pdfminer raises) let it through."""


class InflateLimitExceeded(BaseException):
    """A stream inflates past the cap (a BaseException for the same reason)."""


_inflate_tripped = False


def _trip() -> None:
    global _inflate_tripped
    _inflate_tripped = True
    raise InflateLimitExceeded


class _BoundedZlib:
    """What ``pdfminer.pdftypes`` sees as ``zlib``: ``decompress`` and ``decompressobj`` that stop at the
    cap, and behave like zlib's below it (a truncated stream still raises ``zlib.error``, so pdfminer
    still falls back to its own recovery of corrupted data)."""

    def __init__(self, cap: int):
        self.cap = cap
        self.error = zlib.error

    def __getattr__(self, name):
        return getattr(zlib, name)

    def decompress(self, data, wbits=zlib.MAX_WBITS, bufsize=zlib.DEF_BUF_SIZE):
        d = zlib.decompressobj(wbits)
        out = d.decompress(data, self.cap + 1)
        if len(out) > self.cap:
            _trip()
        if not d.eof:
            raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
        return out

    def decompressobj(self, *args, **kwargs):
        return _BoundedDecompressor(zlib.decompressobj(*args, **kwargs), self.cap)


class _BoundedDecompressor:
    def __init__(self, inner, cap: int):
        self.inner, self.cap, self.total = inner, cap, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def decompress(self, data, max_length=0):
        room = self.cap + 1 - self.total
        out = self.inner.decompress(data, room if not max_length else min(max_length, room))
        self.total += len(out)
        if self.total > self.cap:
            _trip()
        return out


def _install_guards(limits: Limits) -> None:
    """Patch pdfminer and pdfplumber in this (child) process only."""
    from pdfminer import pdftypes
    from pdfminer.lzw import LZWDecoder

    cap = limits.max_inflated_mb * MIB
    pdftypes.zlib = _BoundedZlib(cap)

    def lzwdecode(data: bytes) -> bytes:
        import io

        out, total = [], 0
        for chunk in LZWDecoder(io.BytesIO(data)).run():
            total += len(chunk)
            if total > cap:
                _trip()
            out.append(chunk)
        return b"".join(out)

    def checked(decoder):
        # Run-length output is at most 64x its input and CCITT output is bounded by the image size, and
        # both are rare in text PDFs: checked after decoding (the memory limit covers the meantime).
        def wrapper(*args, **kwargs):
            out = decoder(*args, **kwargs)
            if len(out) > cap:
                _trip()
            return out

        return wrapper

    pdftypes.lzwdecode = lzwdecode
    pdftypes.rldecode = checked(pdftypes.rldecode)
    pdftypes.ccittfaxdecode = checked(pdftypes.ccittfaxdecode)

    import pdfplumber.pdf

    def no_repair(*_args, **_kwargs):
        raise RuntimeError("Ghostscript repair is disabled for untrusted documents")

    pdfplumber.pdf._repair = no_repair


def _apply_limits(limits: Limits) -> None:
    import resource

    def on_sigxcpu(*_):
        raise CpuTimeExceeded

    signal.signal(signal.SIGXCPU, on_sigxcpu)
    cpu = limits.max_cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + CPU_GRACE_SECONDS))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    memory = limits.max_memory_mb * MIB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def _out_of_memory(exc: BaseException | None) -> bool:
    """Whether ``exc`` says memory ran out: it is, wraps or was raised while handling a MemoryError
    (pdfplumber re-raises what pdfminer raises as ``PdfminerException(exc)``), or a SystemError (C code
    whose allocation failed can return NULL without a MemoryError), or the process's peak address space
    came within ``MEMORY_SLACK`` of the limit (an allocation failed and something swallowed it)."""
    seen = set()
    todo = [exc]
    while todo:
        e = todo.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, (MemoryError, SystemError)):
            return True
        todo += [e.__cause__, e.__context__, *e.args]
    return _near_memory_limit()


MEMORY_SLACK = 32 * MIB
_active: Limits | None = None  # the limits of this child process (None in the parent)


def _near_memory_limit() -> bool:
    if _active is None:
        return False
    try:
        with open("/proc/self/status", "rb") as fh:
            status = fh.read()
        peak = int(status.split(b"VmPeak:")[1].split()[0]) * 1024
    except MemoryError:
        return True
    except (OSError, IndexError, ValueError):
        return False
    return peak >= _active.max_memory_mb * MIB - MEMORY_SLACK


def reraise_limit(exc: BaseException) -> None:
    """For a target that turns exceptions into results: let a broken limit through instead."""
    if _out_of_memory(exc):
        raise MemoryError from exc
    if _inflate_tripped:
        raise InflateLimitExceeded from exc


def _child(conn, target: Callable, args: tuple, limits: Limits) -> None:
    reserve = bytearray(RESERVE_BYTES)  # noqa: F841 - allocated before the limit, freed on MemoryError
    try:
        global _active
        _active = limits
        _install_guards(limits)
        _apply_limits(limits)
        value = target(*args)
        if _inflate_tripped:  # swallowed somewhere on the way: the result cannot be trusted
            raise InflateLimitExceeded
        payload = pickle.dumps(("ok", value), protocol=pickle.HIGHEST_PROTOCOL)
        conn.send_bytes(payload)
    except MemoryError:
        del reserve
        os._exit(EXIT_MEMORY)
    except CpuTimeExceeded:
        os._exit(EXIT_CPU)
    except InflateLimitExceeded:
        os._exit(EXIT_INFLATE)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as this call's error
        if _out_of_memory(exc):
            os._exit(EXIT_MEMORY)
        try:
            first = (str(exc).splitlines() or [""])[0][:200]
            conn.send_bytes(pickle.dumps(("error", f"{type(exc).__name__}: {first}")))
        except BaseException:  # noqa: BLE001
            os._exit(1)
    os._exit(0)  # no atexit handlers, no flushing of inherited buffers: the parent owns those


# -- the parent ---------------------------------------------------------------------------------------
_preloaded = False


def _context():
    import multiprocessing

    if threading.active_count() == 1:
        # What every child patches and opens, imported once here rather than in every child.
        import pdfminer.lzw  # noqa: F401
        import pdfminer.pdfdocument  # noqa: F401
        import pdfminer.pdfpage  # noqa: F401
        import pdfplumber.pdf  # noqa: F401

        return multiprocessing.get_context("fork")
    global _preloaded
    ctx = multiprocessing.get_context("forkserver")
    if not _preloaded:
        # Once, in the server: the caller's main module (multiprocessing imports it in every child
        # otherwise, as ``__mp_main__``; it must be guarded by ``if __name__ == "__main__"`` as usual)
        # and the heavy imports of every parse.
        import pkgutil

        import pipeline.parsers

        main = getattr(getattr(sys.modules.get("__main__"), "__spec__", None), "name", None)
        mains = [main] if main and not main.endswith("__main__") else []
        parsers = [
            f"pipeline.parsers.{m.name}" for m in pkgutil.iter_modules(pipeline.parsers.__path__)
        ]
        ctx.set_forkserver_preload(
            ["__main__", *mains, "pandas", "pdfplumber", "pipeline.parse", *parsers]
        )
        _preloaded = True
    return ctx


def _limit_outcome(limits: Limits, limit: str, deterministic: bool = True) -> Outcome:
    return Outcome(
        ok=False,
        limit=limit,
        message=limits.message(limit),
        expected=limits.expected(limit),
        deterministic=deterministic,
    )


def _from_exit(limits: Limits, exitcode: int | None) -> Outcome:
    if exitcode == EXIT_MEMORY:
        return _limit_outcome(limits, "memory")
    if exitcode in (EXIT_CPU, -signal.SIGXCPU):
        return _limit_outcome(limits, "cpu")
    if exitcode == EXIT_INFLATE:
        return _limit_outcome(limits, "inflate")
    if exitcode == -signal.SIGKILL:
        hard = limits.max_cpu_seconds + CPU_GRACE_SECONDS
        how = f"killed by SIGKILL (the CPU time hard limit of {hard:,} s, or the system out of memory)"
    elif exitcode is not None and exitcode < 0:
        how = f"crashed with {signal.Signals(-exitcode).name}"
    else:
        how = f"exited with status {exitcode} and no result"
    return Outcome(
        ok=False,
        limit="crash",
        message=f"the parsing process {how}",
        expected="a parse that finishes within its limits",
        deterministic=False,
    )


def run(target: Callable, *args, limits: Limits | None = None) -> Outcome:
    """``target(*args)`` in a child process under ``limits`` (default: from the environment). ``target``
    must be a module-level function; its arguments and result are pickled."""
    limits = limits or Limits.from_env()
    ctx = _context()
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(writer, target, args, limits), name="parse-sandbox")
    child.start()
    writer.close()
    message, timed_out = None, False
    try:
        if reader.poll(limits.timeout_seconds):
            # EOF: the child ended without a word, and its exit code says why.
            with contextlib.suppress(EOFError, OSError):
                message = pickle.loads(reader.recv_bytes())
            child.join(10)
        else:
            timed_out = True
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        exitcode = child.exitcode
        reader.close()
        child.close()
    if timed_out:
        return _limit_outcome(limits, "timeout", deterministic=False)
    if message is None:
        return _from_exit(limits, exitcode)
    kind, value = message
    if kind == "ok":
        return Outcome(ok=True, value=value)
    return Outcome(ok=False, limit="error", message=value)
