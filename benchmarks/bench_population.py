"""Population-scale benchmark: columnar backend vs one case at a time.

    .venv/bin/python benchmarks/bench_population.py [--sizes 100000 1000000] [--cross-check 1000000]

For each size: the same synthetic cases (``tests/random_cases.py``) are written
to Parquet once; then
* columnar: ``evaluate_caseload`` on the frame already in memory (the
  evaluation step, file reading excluded), timed ``--repeat`` times after
  one warm-up; persons/s at the best, median and worst time (on a shared
  machine the spread is wide: the median is the figure to quote);
* reference and engine: ``Evaluator.evaluate(explain=False)`` one case at a
  time on a sample, cases/s;
* Parquet -> Parquet end to end: ``eligibility batch IN.parquet -o OUT.parquet
  --columnar`` in a fresh process (interpreter start included), wall time and
  that process's peak RSS.
The cross-check compares every status, condition outcome and key date of the
columnar result with the reference evaluator for the first N cases of the
largest size, on all cores.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # random_cases.py
from random_cases import generate_cases  # noqa: E402

from eligibility import Evaluator, load_rulebooks  # noqa: E402
from eligibility.backends.frame import evaluate_caseload  # noqa: E402
from eligibility.case.read_frame import to_frame, with_codes_as_enum  # noqa: E402

ROOT = Path(__file__).parents[1]
CACHE = Path(tempfile.gettempdir()) / "eligibility-bench"
OUTCOME = {True: "uppfyllt", False: "ej uppfyllt", None: "ej utrett"}


def caseload(n: int, seed: int) -> Path:
    """Parquet file of ``n`` synthetic cases, codes as Enum (docs/caseload.md), cached between runs."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"cases_{n}_{seed}.enum.parquet"
    if not path.exists():
        with_codes_as_enum(to_frame(generate_cases(n, seed))).write_parquet(path)
    return path


def per_case_rate(backend: str, cases: list[dict]) -> float:
    evaluator = Evaluator(load_rulebooks(), backend, exact=False)  # type: ignore[arg-type]  # as the Kleene frame
    started = time.perf_counter()
    for case in cases:
        evaluator.evaluate(case, explain=False)
    return len(cases) / (time.perf_counter() - started)


def _check_chunk(args: tuple[list[dict], pl.DataFrame]) -> tuple[int, int, list[str]]:
    cases, frame = args
    evaluator = Evaluator(load_rulebooks(), "reference", exact=False)  # the frame below is Kleene
    mismatches, examples = 0, []
    for case, row in zip(cases, frame.iter_rows(named=True)):
        decision = evaluator.evaluate(case, explain=False)
        groups = {g.target_group for g in decision.target_groups}
        got = {f"status.{p}": r.status.value for p, r in decision.programmes.items()}
        got.update({("target_group." if r.condition in groups else "condition.") + r.condition: r.outcome.value
                    for r in decision.conditions})
        got.update({f"key_dates.{k}": getattr(decision.key_dates, k) for k in
                    [c.removeprefix("key_dates.") for c in row if c.startswith("key_dates.")]})
        seen = {k: (OUTCOME[v] if k.startswith(("condition.", "target_group.")) else v)
                for k, v in row.items() if k in got}
        if seen != got or row["error"] is not None:
            mismatches += 1
            if len(examples) < 3:
                examples.append(f"{case}: {sorted(k for k in got if seen.get(k) != got[k])}")
    return len(cases), mismatches, examples


def cross_check(n: int, seed: int, result: pl.DataFrame, workers: int) -> tuple[int, int, float]:
    cases = generate_cases(n, seed)
    chunk = 20_000
    jobs = [(cases[i:i + chunk], result.slice(i, chunk)) for i in range(0, n, chunk)]
    started = time.perf_counter()
    checked = mismatched = 0
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for count, bad, examples in pool.map(_check_chunk, jobs):
            checked, mismatched = checked + count, mismatched + bad
            for example in examples:
                print("  MISMATCH", example[:300])
    return checked, mismatched, time.perf_counter() - started


_CHILD = """
import resource, sys
from eligibility.cli import app
try:
    app(sys.argv[1:], prog_name="eligibility")
except SystemExit as exit:
    if exit.code:
        raise
print("PEAK_RSS_KIB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def end_to_end(source: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of a fresh ``eligibility batch --columnar`` process.

    The child reports its own peak (``RUSAGE_CHILDREN`` would also count the
    parent's pages, which a forked child shares until it execs).
    """
    target = source.with_name(source.stem + ".out.parquet")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, "batch", str(source), "-o", str(target), "--columnar"],
                          check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    peak = next(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK_RSS_KIB"))
    return wall, peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sample", type=int, default=5_000, help="cases timed one by one per backend")
    parser.add_argument("--cross-check", type=int, default=1_000_000, help="cases checked against the reference")
    parser.add_argument("--repeat", type=int, default=15, help="timed columnar evaluations per size")
    args = parser.parse_args()
    books = load_rulebooks()
    print(f"polars {pl.__version__}, {pl.thread_pool_size()} threads, {os.cpu_count()} cores")
    sample = generate_cases(args.sample, args.seed + 1)
    reference_rate = per_case_rate("reference", sample)
    engine_rate = per_case_rate("engine", sample)
    print(f"reference, one case at a time: {reference_rate:12,.0f} cases/s")
    print(f"engine,    one case at a time: {engine_rate:12,.0f} cases/s")
    result = None
    for n in args.sizes:
        path = caseload(n, args.seed)
        read_started = time.perf_counter()
        frame = pl.read_parquet(path)
        read = time.perf_counter() - read_started
        started = time.perf_counter()
        result = evaluate_caseload(frame, books)  # first call: builds the plan (and date tables) once per process
        first = time.perf_counter() - started
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = evaluate_caseload(frame, books)
            times.append(time.perf_counter() - started)
        best, median, worst = min(times), statistics.median(times), max(times)
        wall, rss = end_to_end(path)
        print(f"columnar n={n:>9,}: evaluation best {best:.3f} s, median {median:.3f} s, worst {worst:.3f} s "
              f"= {n / best:,.0f} / {n / median:,.0f} / {n / worst:,.0f} persons/s ({args.repeat} runs; "
              f"first call {first:.3f} s; read {read:.3f} s); Parquet->Parquet process {wall:.2f} s, its peak RSS {rss:,.0f} MiB")
    if args.cross_check and result is not None:
        n = min(args.cross_check, args.sizes[-1])
        checked, bad, seconds = cross_check(n, args.seed, result.head(n), os.cpu_count() or 1)
        print(f"cross-check columnar == reference: {checked:,} cases, {bad} mismatches ({seconds:.0f} s)")
        if bad:
            sys.exit(1)


if __name__ == "__main__":
    main()
