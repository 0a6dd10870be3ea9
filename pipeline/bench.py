"""``make bench``: what a refresh costs, against a naive parse of the same PDFs, rerunnable.

Scenarios, each run ``--repeat`` times in a fresh process (medians reported), against the mirror served
over HTTP on 127.0.0.1 (so conditional requests and downloaded bodies are real and counted):

* ``naive``: open each mirror PDF with pdfplumber and run ``extract_tables()`` on every page -- the cost
  of reading the documents at all, the yardstick for the others;
* ``cold``: ``python -m pipeline.refresh`` into empty raw/, processed/, parse cache and DAGSTER_HOME;
* ``no-op``: the same refresh again, nothing changed at the source;
* ``one changed``: one document re-issued with different bytes (same content plus a PDF comment after
  ``%%EOF``), everything else unchanged.

For each: wall seconds, PDFs parsed (new parse-cache entries), HTTP bodies downloaded (200 responses
for documents; 304s are not bodies), peak RSS, and the ratio to naive. Then the per-parser timings of
parsing alone. Results go to ``bench-results/latest.json`` (git-ignored). Timings depend on the machine
and on what else it runs: read the ratios.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipeline.archive import REPO_ROOT, Archive
from pipeline.build import parsed_documents, parser_families
from pipeline.fetch import fetch_document, mirror_location
from pipeline.parse import parse_document
from pipeline.registry import by_id, registry

DEFAULT_MIRROR = REPO_ROOT.parent / "shared" / "sources" / "mirror"
CHANGED_DOCUMENT = "ncmec_esp_2020"
NAIVE = """
import sys, pdfplumber
for path in sys.argv[1:]:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_tables()
"""


# -- a loopback mirror that counts what it sends ------------------------------------------------------
class _Counting(SimpleHTTPRequestHandler):
    bodies = 0
    not_modified = 0
    lock = threading.Lock()

    def send_response(self, code, message=None):
        with self.lock:
            if code == 200:
                type(self).bodies += 1
            elif code == 304:
                type(self).not_modified += 1
        super().send_response(code, message)

    def log_message(self, *args):  # quiet
        pass


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(_Counting, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


# -- measuring one process ------------------------------------------------------------------------------
def run_measured(cmd: list[str], env: dict) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB of the process and the workers it waited for, exit code)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.stderr.write(out.decode(errors="replace"))
    return wall, usage.ru_maxrss / 1024, proc.returncode


def cache_entries(cache: Path) -> int:
    return sum(1 for _ in cache.rglob("*.pickle")) if cache.exists() else 0


class Scenario:
    def __init__(self, name: str):
        self.name, self.runs = name, []

    def add(self, wall: float, rss: float, parses: int | None, bodies: int | None) -> None:
        self.runs.append({"wall": wall, "rss": rss, "parses": parses, "bodies": bodies})

    def summary(self) -> dict:
        med = statistics.median
        return {
            "runs": len(self.runs),
            "median_seconds": round(med(r["wall"] for r in self.runs), 3),
            "min_seconds": round(min(r["wall"] for r in self.runs), 3),
            "pdf_parses": max(r["parses"] for r in self.runs)
            if self.runs[0]["parses"] is not None
            else None,
            "http_bodies": max(r["bodies"] for r in self.runs)
            if self.runs[0]["bodies"] is not None
            else None,
            "peak_rss_mb": round(max(r["rss"] for r in self.runs), 1),
        }


def refresh_env(work: Path, mirror_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIPELINE_")}
    env.update(
        DAGSTER_HOME=str(work / "home"),
        PIPELINE_RAW_DIR=str(work / "raw"),
        PIPELINE_PROCESSED_DIR=str(work / "processed"),
        PIPELINE_PARSE_CACHE=str(work / "cache"),
        PIPELINE_MIRROR=mirror_url,
    )
    return env


def fresh_work(root: Path, i: int) -> Path:
    work = root / f"work{i}"
    (work / "home").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "dagster.yaml", work / "home" / "dagster.yaml")
    return work


def refresh_once(work: Path, url: str, scenario: Scenario) -> None:
    before = cache_entries(work / "cache")
    _Counting.bodies = 0
    wall, rss, code = run_measured(
        [sys.executable, "-m", "pipeline.refresh"], refresh_env(work, url)
    )
    if code != 0:
        raise SystemExit(f"bench: refresh exited {code} in {work}")
    scenario.add(wall, rss, cache_entries(work / "cache") - before, _Counting.bodies)


def reissue(mirror: Path, n: int) -> None:
    """New bytes for one document, same content: what a publisher re-uploading a file looks like."""
    path = mirror / mirror_location(by_id(CHANGED_DOCUMENT).url)
    with open(path, "ab") as fh:
        fh.write(f"\n% re-issued {n}\n".encode())


def refresh_scenarios(mirror: Path, repeat: int, tmp: Path) -> dict[str, Scenario]:
    served = tmp / "mirror"
    shutil.copytree(mirror, served)
    for p in served.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    pdfs = sorted(str(p) for p in served.rglob("*.pdf"))
    server, url = serve(served)
    out = {name: Scenario(name) for name in ("naive", "cold", "no-op", "one changed")}
    try:
        for _ in range(repeat):
            wall, rss, _ = run_measured([sys.executable, "-c", NAIVE, *pdfs], dict(os.environ))
            out["naive"].add(wall, rss, len(pdfs), None)
        works = [fresh_work(tmp, i) for i in range(repeat)]
        for work in works:
            refresh_once(work, url, out["cold"])
        for work in works:
            refresh_once(work, url, out["no-op"])
        for i, work in enumerate(works):
            reissue(served, i)
            refresh_once(work, url, out["one changed"])
    finally:
        server.shutdown()
    return out


# -- parsing alone, per parser --------------------------------------------------------------------------
def parser_timings(mirror: Path, repeat: int, tmp: Path) -> dict:
    archive = Archive(tmp / "raw-parsers")
    for d in registry():
        fetch_document(d, archive, mirror=str(mirror))
    results = {}
    for parser in parser_families():
        docs = [d for d in parsed_documents() if d.parser == parser and archive.versions(d.id)]
        if not docs:
            results[parser] = {"skipped": "no archived document"}
            continue

        def parse_all(docs=docs):
            return [parse_document(d, archive, cache=None) for d in docs]  # no cache: parsing cost

        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            parses = parse_all()
            times.append(time.perf_counter() - t)
        used = [p for dp in parses for p in dp.used]
        tracemalloc.start()  # a separate pass: tracemalloc slows Python down several-fold
        parse_all()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        results[parser] = {
            "documents": len(used),
            "rows": sum(sum(p.rows().values()) for p in used),
            "median_seconds": round(statistics.median(times), 3),
            "peak_python_mb": round(peak / 2**20, 1),
        }
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mirror", default=os.environ.get("PIPELINE_MIRROR") or str(DEFAULT_MIRROR))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    mirror = Path(args.mirror)

    with tempfile.TemporaryDirectory() as tmp:
        scenarios = refresh_scenarios(mirror, args.repeat, Path(tmp))
        parsers = parser_timings(mirror, args.repeat, Path(tmp))

    results = {"mirror": str(mirror), "repeat": args.repeat, "scenarios": {}, "parsers": parsers}
    naive = scenarios["naive"].summary()["median_seconds"]
    print(
        f"{'scenario':<13}{'median s':>9}{'min s':>8}{'x naive':>9}{'parses':>8}{'bodies':>8}{'peak MB':>9}"
    )
    for name, sc in scenarios.items():
        s = sc.summary()
        s["ratio_to_naive"] = round(s["median_seconds"] / naive, 2)
        results["scenarios"][name] = s
        dash = "-"
        print(
            f"{name:<13}{s['median_seconds']:>9.2f}{s['min_seconds']:>8.2f}{s['ratio_to_naive']:>9.2f}"
            f"{s['pdf_parses'] if s['pdf_parses'] is not None else dash:>8}"
            f"{s['http_bodies'] if s['http_bodies'] is not None else dash:>8}{s['peak_rss_mb']:>9.1f}"
        )
    print(f"\n{'parser':<22}{'docs':>5}{'rows':>8}{'median s':>10}{'peak MB':>9}")
    for parser, p in parsers.items():
        if "skipped" in p:
            print(f"{parser:<22}  skipped: {p['skipped']}")
        else:
            print(
                f"{parser:<22}{p['documents']:>5}{p['rows']:>8}{p['median_seconds']:>10.2f}"
                f"{p['peak_python_mb']:>9.1f}"
            )
    results["bench_max_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    out = REPO_ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
