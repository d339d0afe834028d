"""This tree against another, run alternately: the benchmarks of issue 15 item 7 (API, columnar, batch).

    .venv/bin/python benchmarks/interleave.py --other /tmp/anchor --runs 5 columnar
    .venv/bin/python benchmarks/interleave.py --other /tmp/anchor --runs 5 batch
    .venv/bin/python benchmarks/interleave.py --other /tmp/anchor --runs 5 api

``--other`` is a checkout of another commit (e.g. ``git archive <commit> | tar -x -C /tmp/anchor``). Each
run starts every tree's *own* benchmark script in a fresh process, with that tree's ``src`` (and its
top-level ``api``) first on ``PYTHONPATH`` and the same virtualenv, so only the code differs; the trees
alternate, so a pair of runs sees about the same load of this shared machine. Printed: every run's
figure, the median of each tree, the ratio of the medians and the median of the paired ratios (the
least noisy figure here). A ratio above 1 means this tree takes longer (or serves fewer per second,
for a throughput, whose ratio is turned round so that > 1 is always "slower").

The figures:

* ``columnar``: ``bench_population.py --sizes 1000000 --repeat 5 --cross-check 0 --sample 200``, the
  median evaluation time of 1 M cases already in memory (s);
* ``batch``: ``bench_batch.py --sizes 1000000``, the wall time of ``run_batch`` on 1 M synthetic cases
  (JSONL in, CSV out, 2 workers; s);
* ``api``: ``bench_api.py`` with short phases; the closed-loop throughput of single decisions (8 in
  flight; requests/s), with p50 at a fixed 200 requests/s and the 1 000-case batch printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

THIS = Path(__file__).resolve().parents[1]


def _run(tree: Path, arguments: list[str]) -> str:
    env = {**os.environ, "PYTHONPATH": f"{tree / 'src'}{os.pathsep}{tree}"}
    env.pop("ELIGIBILITY_RULES_DIR", None)
    done = subprocess.run([sys.executable, *arguments], cwd=tree, env=env, capture_output=True, text=True,
                          check=False)
    if done.returncode:
        raise SystemExit(f"{tree}: {' '.join(arguments)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def columnar(tree: Path) -> tuple[float, str]:
    out = _run(tree, ["benchmarks/bench_population.py", "--sizes", "1000000", "--repeat", "5",
                      "--cross-check", "0", "--sample", "200"])
    median = float(re.search(r"columnar n=\s*1,000,000: evaluation best [\d.]+ s, median ([\d.]+) s", out).group(1))
    return median, f"median evaluation {median:.3f} s"


def batch(tree: Path) -> tuple[float, str]:
    out = _run(tree, ["benchmarks/bench_batch.py", "--sizes", "1000000"])
    match = re.search(r"1000000 cases:\s+([\d.]+) s,\s+(\d+) cases/s", out)
    return float(match.group(1)), f"{match.group(1)} s, {match.group(2)} cases/s"


def api(tree: Path) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "api.json"
        _run(tree, ["benchmarks/bench_api.py", "--duration", "10", "--steps", "200", "--step-duration", "3",
                    "--batch-repeats", "3", "--total", "8000", "--json", str(results)])
        found = json.loads(results.read_text())
    rate = found["closed_loop"]["throughput_rps"]
    return 1.0 / rate, (f"closed loop {rate:.0f} req/s; at 200 req/s p50 {found['fixed_rate']['p50_ms']} ms; "
                        f"batch of 1 000 {found['batch_plain']['median_ms']} ms")


BENCHMARKS = {"columnar": columnar, "batch": batch, "api": api}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmark", choices=sorted(BENCHMARKS))
    parser.add_argument("--other", type=Path, required=True, help="the other tree (a checkout of another commit)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    measure = BENCHMARKS[args.benchmark]
    trees = {"other": args.other.resolve(), "this": THIS}
    figures: dict[str, list[float]] = {label: [] for label in trees}
    for run in range(args.runs):
        for label, tree in trees.items():
            value, text = measure(tree)
            figures[label].append(value)
            print(f"run {run + 1} {label:<5} {text}", flush=True)
    medians = {label: statistics.median(values) for label, values in figures.items()}
    paired = statistics.median(a / b for a, b in zip(figures["this"], figures["other"]))
    print(f"{args.benchmark}: median other {medians['other']:.4g}, this {medians['this']:.4g} "
          f"(time per unit); this / other: medians {medians['this'] / medians['other']:.3f}, "
          f"median of {args.runs} paired ratios {paired:.3f}; load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
