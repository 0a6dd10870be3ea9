"""``make bench``: time and memory of archiving and parsing the mirror, rerunnable.

Archives the mirror into a throwaway folder, then parses every family that has archived documents,
repeating each parse ``--repeat`` times; prints a table and writes ``bench-results/latest.json``
(git-ignored) so runs can be compared. Wall-clock timings depend on the machine; the row counts must not.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from pipeline.archive import REPO_ROOT, Archive
from pipeline.build import parsed_documents, parser_families
from pipeline.fetch import fetch_document
from pipeline.parse import parse_document
from pipeline.registry import registry

DEFAULT_MIRROR = REPO_ROOT.parent / "shared" / "sources" / "mirror"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mirror", default=os.environ.get("PIPELINE_MIRROR") or str(DEFAULT_MIRROR))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    results: dict = {"mirror": args.mirror, "repeat": args.repeat, "families": {}}
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive(Path(tmp) / "raw")
        t0 = time.perf_counter()
        fetched = [fetch_document(d, archive, mirror=args.mirror) for d in registry()]
        results["archive_seconds"] = round(time.perf_counter() - t0, 3)
        results["documents_archived"] = sum(r.ok for r in fetched)
        results["bytes_archived"] = sum(r.bytes for r in fetched if r.ok)

        print(
            f"archived {results['documents_archived']} documents ({results['bytes_archived']:,} bytes) "
            f"in {results['archive_seconds']:.2f}s"
        )
        print(f"{'family':<22}{'docs':>5}{'rows':>8}{'median s':>10}{'min s':>8}{'peak MB':>9}")
        for parser in parser_families():
            docs_of = [
                d for d in parsed_documents() if d.parser == parser and archive.versions(d.id)
            ]
            if not docs_of:
                results["families"][parser] = {"skipped": "no archived document"}
                print(f"{parser:<22}  skipped: no archived document")
                continue
            times, peak, rows, docs = [], 0, 0, 0

            def parse_all(docs_of=docs_of):
                # No cache: the point is the cost of parsing.
                return [parse_document(d, archive, cache=None) for d in docs_of]

            for _ in range(args.repeat):
                t = time.perf_counter()
                parses = parse_all()
                times.append(time.perf_counter() - t)
                used = [p for dp in parses for p in dp.used]
                rows, docs = sum(sum(p.rows().values()) for p in used), len(used)
            # Memory in a separate pass: tracemalloc slows Python down several-fold.
            tracemalloc.start()
            parse_all()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            entry = {
                "documents": docs,
                "rows": rows,
                "median_seconds": round(statistics.median(times), 3),
                "min_seconds": round(min(times), 3),
                "peak_python_mb": round(peak / 2**20, 1),
            }
            results["families"][parser] = entry
            print(
                f"{parser:<22}{docs:>5}{rows:>8}{entry['median_seconds']:>10.2f}{entry['min_seconds']:>8.2f}"
                f"{entry['peak_python_mb']:>9.1f}"
            )
    total = sum(f.get("median_seconds", 0) for f in results["families"].values())
    results["parse_all_median_seconds"] = round(total, 3)
    results["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(
        f"parse of all archived documents: {total:.2f}s (sum of medians); max RSS {results['max_rss_mb']} MB"
    )
    out = REPO_ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
