"""Benchmark ``eligibility batch``: cases/s and peak RSS for synthetic caseloads.

Usage: python benchmarks/bench_batch.py [--sizes 100000,1000000] [--workers N]

Targets (issue 5, 2 cores): >= 5 000 cases/s, peak RSS < 300 MB at 1 M.
Peak RSS is reported for the parent and, separately, for the largest worker
process (ru_maxrss of children); the memory a run needs is parent + workers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from eligibility.caseload.batch import run_batch
from eligibility.caseload.synth import generate


def _write_cases(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for case in generate(n, seed=42, later_facts=False):  # the frozen input, comparable across commits
            handle.write(json.dumps(case) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, workers: {args.workers}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            cases = Path(tmp) / f"cases_{n}.jsonl"
            _write_cases(cases, n)
            start = time.perf_counter()
            summary = run_batch(cases, Path(tmp) / "out.csv", Path(tmp) / "err.jsonl", workers=args.workers)
            elapsed = time.perf_counter() - start
            parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"{n:>9} cases: {elapsed:7.1f} s, {n / elapsed:7.0f} cases/s, decided {summary.decided}, "
                  f"errors {summary.errors}, peak RSS parent {parent:.0f} MB, largest worker {worker:.0f} MB")


if __name__ == "__main__":
    main()
