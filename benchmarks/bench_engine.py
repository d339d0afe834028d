"""Throughput, latency, memory and thread-safety of the evaluator.

Run::

    .venv/bin/python benchmarks/bench_engine.py [--cases 20000] [--rss-decisions 200000]
                                                [--thread-cases 5000] [--threads 4] [--seed 2024]
                                                [--json results.json]

What it measures, on cases from ``tests/random_cases.py`` (random, valid,
deterministic for a seed):

1. Full decisions (``Evaluator.evaluate`` on a case dict: validation, facts,
   leaf evaluation, Kleene combination, records and Swedish explanation) for
   the durable-rules backend and the reference backend: decisions/s and
   p50/p99 latency per decision.
2. Leaf evaluation only (``CompiledRulebook.evaluate_leaves`` /
   ``ReferenceRulebook.evaluate_leaves`` on prebuilt ``FactSet`` s), to
   separate the rule engine's cost from the cost of building the explained
   decision.
3. VmRSS before and after ``--rss-decisions`` engine decisions (cycling the
   cases) and the growth.
4. ``--threads`` threads sharing one engine evaluator: the decisions must equal
   the single-threaded ones.

``--interleave OTHER_SRC [--runs 7]`` instead compares this tree's engine
decisions with another tree's (e.g. a ``git archive`` of an older commit's
``src``): it alternates fresh subprocesses, one per run and tree, each timing
``--cases`` full engine decisions, and prints the median CPU time per decision
of each tree, their ratio and the median of the per-pair ratios. Alternating runs see the same machine load.
The cases are drawn once, by this tree (``random_cases`` reads this tree's case
space), and both trees decide the same JSON, so the other tree's ``src`` need
not have the generator's imports (it needs its ``rules/`` next to it). ``--exact`` has this tree decide
exactly (``Evaluator(..., exact=True)``; the other tree with its own default, e.g. a commit that has no
exact layer); ``--complete`` draws cases without unknowns (``benchmarks/complete_cases.py``) instead.
Every run also reports its p99 (CPU), and the medians of the runs' p99 are compared too.

Everything runs on one core unless stated; the targets are printed next to the
measurements.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # random_cases.py
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from random_cases import generate_cases  # noqa: E402

from eligibility import Evaluator, load_rulebooks  # noqa: E402
from eligibility.backends.engine import CompiledRulebook  # noqa: E402
from eligibility.backends.reference import ReferenceRulebook  # noqa: E402
from eligibility.case.validate import birth_date_of, check_against_rulebook, parse_case  # noqa: E402
from eligibility.facts.derive import FactSet, build_facts  # noqa: E402

TARGET_DPS = 3000.0
TARGET_P99_MS = 2.0
TARGET_RSS_MB = 20.0


def rss_mb() -> float:
    """Resident set size of this process (VmRSS), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def time_each(func: Callable[[Any], Any], items: list[Any]) -> dict[str, float]:
    """Call ``func`` on every item, timing each call in wall-clock and in this thread's CPU time.

    Wall-clock is what a caller sees; CPU time leaves out the time the thread
    waited for a core, so it stays meaningful when other processes compete
    for the machine's two cores.
    """
    wall: list[float] = []
    cpu: list[float] = []
    clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    start, cpu_start = clock(), cpu_clock()
    for item in items:
        t0, c0 = clock(), cpu_clock()
        func(item)
        cpu.append((cpu_clock() - c0) / 1e6)
        wall.append((clock() - t0) / 1e6)
    total = (clock() - start) / 1e9
    cpu_total = (cpu_clock() - cpu_start) / 1e9
    wall.sort()
    cpu.sort()
    return {
        "n": len(items),
        "seconds": total,
        "per_s": len(items) / total,
        "mean_ms": sum(wall) / len(wall),
        "p50_ms": percentile(wall, 50),
        "p99_ms": percentile(wall, 99),
        "max_ms": wall[-1],
        "cpu_seconds": cpu_total,
        "cpu_per_s": len(items) / cpu_total,
        "cpu_mean_ms": sum(cpu) / len(cpu),
        "cpu_p50_ms": percentile(cpu, 50),
        "cpu_p99_ms": percentile(cpu, 99),
    }


def show(label: str, result: dict[str, float], targets: bool = False) -> None:
    print(f"  {label:<34} wall {result['per_s']:>7.0f} /s   p50 {result['p50_ms']:6.3f} ms   "
          f"p99 {result['p99_ms']:6.3f} ms   max {result['max_ms']:7.2f} ms   ({result['n']} in {result['seconds']:.1f} s)")
    print(f"  {'':<34} cpu  {result['cpu_per_s']:>7.0f} /s   p50 {result['cpu_p50_ms']:6.3f} ms   "
          f"p99 {result['cpu_p99_ms']:6.3f} ms")
    if targets:
        print(f"  {'':<34} target >= {TARGET_DPS:.0f} /s: {verdict(result['per_s'] >= TARGET_DPS)} (wall), "
              f"{verdict(result['cpu_per_s'] >= TARGET_DPS)} (cpu);  target p99 < {TARGET_P99_MS} ms: "
              f"{verdict(result['p99_ms'] < TARGET_P99_MS)} (wall), {verdict(result['cpu_p99_ms'] < TARGET_P99_MS)} (cpu)")


def prebuilt_facts(evaluator: Evaluator, cases: list[dict[str, Any]]) -> list[tuple[str, FactSet]]:
    """(rulebook id, FactSet) per case, built the way ``Evaluator.evaluate`` builds them."""
    out = []
    for raw in cases:
        case = parse_case(raw)
        birth = birth_date_of(case)
        book = evaluator.rulebook_for(case.as_of)
        check_against_rulebook(case, birth, book)
        out.append((book.id, build_facts(case, birth, book)))
    return out


def profile(n: int, seed: int) -> int:
    """cProfile ``n`` full engine decisions; print the top functions by own and by cumulative time."""
    import cProfile
    import pstats

    engine = Evaluator(load_rulebooks())
    cases = generate_cases(n, seed)
    for case in cases[:100]:
        engine.evaluate(case)
    profiler = cProfile.Profile()
    profiler.enable()
    for case in cases:
        engine.evaluate(case)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs()
    print(f"cProfile of {n} engine decisions (times include profiler overhead)")
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(30)
    return 0


_RUN_ONE = """
import json, math, statistics, sys, time
src, cases_path, exact = sys.argv[1], sys.argv[2], sys.argv[3] == "exact"
sys.path[:0] = [src]
import eligibility
from eligibility import Evaluator, load_rulebooks
assert eligibility.__file__.startswith(src), eligibility.__file__
engine = Evaluator(load_rulebooks(), exact=True) if exact else Evaluator(load_rulebooks())
with open(cases_path, encoding="utf-8") as handle:
    cases = json.load(handle)  # made once by this tree: the same input for both trees, whatever their src holds
for case in cases[:200]:
    engine.evaluate(case)
times = []
for case in cases:
    c0 = time.thread_time_ns()
    engine.evaluate(case)
    times.append((time.thread_time_ns() - c0) / 1e6)
times.sort()
print(json.dumps({"mean_ms": statistics.fmean(times), "p50_ms": statistics.median(times),
                  "p99_ms": times[max(1, math.ceil(0.99 * len(times))) - 1], "max_ms": times[-1]}))
"""


def interleave(other_src: Path, runs: int, n: int, seed: int, exact: bool = False, complete: bool = False) -> int:
    """Median CPU ms per full engine decision of this tree and of ``other_src``, runs alternating.

    ``exact``: this tree decides with ``exact=True`` (the other with its default); ``complete``: cases
    without unknowns (``complete_cases.py``) instead of ``generate_cases``.
    """
    import statistics
    import subprocess
    import tempfile

    trees = {"other": other_src.resolve(), "this": Path(__file__).resolve().parents[1] / "src"}
    # The cases are drawn here, by this tree's tests/random_cases.py (which reads the case space of this
    # tree's src), and handed to both trees as JSON: an older src need not have the generator's imports.
    found: dict[str, list[dict[str, float]]] = {label: [] for label in trees}
    with tempfile.TemporaryDirectory() as tmp:
        cases_path = Path(tmp) / "cases.json"
        if complete:
            from complete_cases import complete_cases
            cases = complete_cases(n, seed)
        else:
            cases = generate_cases(n, seed)
        cases_path.write_text(json.dumps(cases), encoding="utf-8")
        mode = {"other": "default", "this": "exact" if exact else "default"}
        print(f"{n} {'complete ' if complete else ''}cases (seed {seed}); this tree "
              f"{'exact=True' if exact else 'default'}, other tree default; load average {os.getloadavg()[0]:.2f}",
              flush=True)
        for run in range(runs):
            for label, src in trees.items():
                out = subprocess.run([sys.executable, "-c", _RUN_ONE, str(src), str(cases_path), mode[label]],
                                     check=True, capture_output=True, text=True).stdout
                found[label].append(json.loads(out))
                print(f"  run {run + 1} {label:<5} mean {found[label][-1]['mean_ms']:.3f} ms cpu, "
                      f"p50 {found[label][-1]['p50_ms']:.3f} ms, p99 {found[label][-1]['p99_ms']:.3f} ms, "
                      f"max {found[label][-1]['max_ms']:.2f} ms", flush=True)
    median = {label: statistics.median(r["mean_ms"] for r in results) for label, results in found.items()}
    median_p50 = {label: statistics.median(r["p50_ms"] for r in results) for label, results in found.items()}
    median_p99 = {label: statistics.median(r["p99_ms"] for r in results) for label, results in found.items()}
    for label, src in trees.items():
        print(f"{label:<5} {src}: median of {runs} runs: mean {median[label]:.3f} ms cpu per decision, "
              f"p50 {median_p50[label]:.3f} ms, p99 {median_p99[label]:.3f} ms")
    # Each run pair ran back to back, under nearly the same load: the median of their ratios is the
    # least noisy figure on a shared machine.
    paired = statistics.median(a["mean_ms"] / b["mean_ms"] for a, b in zip(found["this"], found["other"]))
    paired_p50 = statistics.median(a["p50_ms"] / b["p50_ms"] for a, b in zip(found["this"], found["other"]))
    paired_p99 = statistics.median(a["p99_ms"] / b["p99_ms"] for a, b in zip(found["this"], found["other"]))
    print(f"this / other: medians' ratio {median['this'] / median['other']:.3f} (mean), "
          f"{median_p50['this'] / median_p50['other']:.3f} (p50), {median_p99['this'] / median_p99['other']:.3f} (p99);"
          f" median of the {runs} paired ratios {paired:.3f} (mean), {paired_p50:.3f} (p50), {paired_p99:.3f} (p99)"
          f"; load average at the end {os.getloadavg()[0]:.2f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20000, help="cases for throughput and latency (default 20000)")
    parser.add_argument("--rss-decisions", type=int, default=200000,
                        help="engine decisions for the memory run (default 200000; 0 skips it)")
    parser.add_argument("--thread-cases", type=int, default=5000, help="cases for the thread check (default 5000)")
    parser.add_argument("--threads", type=int, default=4, help="threads for the thread check (default 4)")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the case generator (default 2024)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--profile", type=int, metavar="N",
                        help="only profile N engine decisions with cProfile and print the top costs")
    parser.add_argument("--interleave", type=Path, metavar="OTHER_SRC",
                        help="only compare engine decisions with another tree's src (alternating subprocesses)")
    parser.add_argument("--runs", type=int, default=7, help="runs per tree for --interleave (default 7)")
    parser.add_argument("--exact", action="store_true",
                        help="--interleave: this tree decides with exact=True (the other with its default)")
    parser.add_argument("--complete", action="store_true",
                        help="--interleave: cases without unknowns (benchmarks/complete_cases.py)")
    args = parser.parse_args(argv)
    if args.interleave:
        return interleave(args.interleave, args.runs, args.cases, args.seed, args.exact, args.complete)
    if args.profile:
        return profile(args.profile, args.seed)

    results: dict[str, Any] = {
        "machine": {"nproc": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
    }
    print(f"python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} cores"
          f" (all runs single-threaded unless stated); load average {os.getloadavg()[0]:.2f} at start")

    t0 = time.perf_counter()
    books = load_rulebooks()
    engine = Evaluator(books)
    reference = Evaluator(books, "reference")
    print(f"rulebooks: {', '.join(b.id for b in books)}; loaded and compiled in {time.perf_counter() - t0:.2f} s")

    cases = generate_cases(args.cases, args.seed)
    benefit_mix: dict[str, int] = {}
    for case in cases:
        benefit_mix[case["benefit"]["type"]] = benefit_mix.get(case["benefit"]["type"], 0) + 1
    print(f"cases: {len(cases)} (seed {args.seed}); " + ", ".join(f"{k} {v}" for k, v in sorted(benefit_mix.items())))

    # Warm up both backends (first-call costs, caches) on a few cases.
    for case in cases[:200]:
        engine.evaluate(case)
        reference.evaluate(case)

    # 1. Full decisions.
    print("\n1. full decision (Evaluator.evaluate on a case dict, explanation included), one thread")
    full_engine = time_each(engine.evaluate, cases)
    show("engine (durable-rules)", full_engine, targets=True)
    full_reference = time_each(reference.evaluate, cases)
    show("reference (plain Python)", full_reference)
    results["full"] = {"engine": full_engine, "reference": full_reference}

    # 2. Leaf evaluation only, on prebuilt fact sets.
    print("\n2. leaf evaluation only (evaluate_leaves on prebuilt FactSets), one thread")
    t_prep = time.thread_time()
    facts = prebuilt_facts(engine, cases)
    prep_seconds = time.thread_time() - t_prep
    compiled = {book.id: CompiledRulebook(book) for book in books}
    plain = {book.id: ReferenceRulebook(book) for book in books}
    leaves_engine = time_each(lambda item: compiled[item[0]].evaluate_leaves(item[1]), facts)
    show("engine leaves (CompiledRulebook)", leaves_engine)
    leaves_reference = time_each(lambda item: plain[item[0]].evaluate_leaves(item[1]), facts)
    show("reference leaves", leaves_reference)
    prep_ms = prep_seconds * 1000 / len(cases)
    print(f"  parse + validate + build_facts: {prep_ms:.3f} ms cpu per case ({len(cases) / prep_seconds:.0f} /s)")
    total_ms = full_engine["cpu_mean_ms"]
    rest_ms = total_ms - prep_ms - leaves_engine["cpu_mean_ms"]
    print(f"  => of the engine's mean {total_ms:.3f} ms cpu per decision: "
          f"input+facts {prep_ms:.3f} ms ({100 * prep_ms / total_ms:.0f}%), "
          f"rule engine {leaves_engine['cpu_mean_ms']:.3f} ms ({100 * leaves_engine['cpu_mean_ms'] / total_ms:.0f}%), "
          f"records+explanation {rest_ms:.3f} ms ({100 * rest_ms / total_ms:.0f}%)")
    mismatched = sum(1 for item in facts
                     if compiled[item[0]].evaluate_leaves(item[1]) != plain[item[0]].evaluate_leaves(item[1]))
    print(f"  engine vs reference leaf outcomes: {'identical' if not mismatched else f'{mismatched} cases differ'}")
    results["leaves"] = {"engine": leaves_engine, "reference": leaves_reference, "prep_ms_per_case": prep_ms,
                         "assemble_ms_per_case": rest_ms, "engine_vs_reference_mismatches": mismatched}
    del facts

    # 3. Memory over many engine decisions.
    if args.rss_decisions:
        print(f"\n3. memory: VmRSS around {args.rss_decisions} engine decisions (cycling the {len(cases)} cases)")
        gc.collect()
        before = rss_mb()
        checkpoints = []
        step = max(1, args.rss_decisions // 4)
        start = time.perf_counter()
        for i in range(args.rss_decisions):
            engine.evaluate(cases[i % len(cases)])
            if (i + 1) % step == 0 and i + 1 < args.rss_decisions:
                checkpoints.append((i + 1, rss_mb()))
        seconds = time.perf_counter() - start
        gc.collect()
        after = rss_mb()
        # "before" can include memory the earlier phases freed since; growth after the first
        # checkpoint shows the steady state. The verdict takes the larger of the two.
        growth = after - before
        steady = after - checkpoints[0][1] if checkpoints else growth
        worst = max(growth, steady)
        trail = ", ".join(f"{n}: {mb:.1f}" for n, mb in checkpoints)
        print(f"  VmRSS before {before:.1f} MB, after {after:.1f} MB, growth {growth:+.1f} MB"
              f"   target < {TARGET_RSS_MB:.0f} MB: {verdict(worst < TARGET_RSS_MB)}")
        print(f"  along the way (decisions: MB): {trail}; growth after the first checkpoint {steady:+.1f} MB;"
              f" {args.rss_decisions / seconds:.0f} decisions/s")
        results["rss"] = {"decisions": args.rss_decisions, "before_mb": before, "after_mb": after,
                          "growth_mb": growth, "steady_growth_mb": steady, "checkpoints": checkpoints,
                          "per_s": args.rss_decisions / seconds}

    # 4. Threads.
    n_threads = min(args.thread_cases, len(cases))
    print(f"\n4. threads: {args.threads} threads sharing one engine Evaluator on {n_threads} cases")
    subset = cases[:n_threads]
    shared = Evaluator(books)
    start = time.perf_counter()
    single = [shared.evaluate(case).model_dump(mode="json") for case in subset]
    single_s = time.perf_counter() - start
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        threaded = list(pool.map(lambda case: shared.evaluate(case).model_dump(mode="json"), subset))
    threaded_s = time.perf_counter() - start
    mismatches = sum(1 for a, b in zip(single, threaded) if a != b)
    print("  threads: identical" if not mismatches else f"  threads: {mismatches} of {n_threads} decisions differ")
    print(f"  throughput: 1 thread {n_threads / single_s:.0f} /s, {args.threads} threads {n_threads / threaded_s:.0f} /s"
          f" (the GIL and the per-ruleset lock serialise the work)")
    results["threads"] = {"threads": args.threads, "cases": n_threads, "mismatches": mismatches,
                          "single_per_s": n_threads / single_s, "threaded_per_s": n_threads / threaded_s}

    results["loadavg_end"] = os.getloadavg()
    busy = os.getloadavg()[0] > 1.5
    print(f"\nload average at the end (1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
          + (" - other processes were competing for the cores; times are inflated" if busy else ""))
    print("\nsummary against targets:")
    print(f"  engine decisions/s (one core) {full_engine['per_s']:.0f} wall, {full_engine['cpu_per_s']:.0f} cpu"
          f"  (target >= {TARGET_DPS:.0f}): {verdict(max(full_engine['per_s'], full_engine['cpu_per_s']) >= TARGET_DPS)}")
    print(f"  engine p99 latency {full_engine['p99_ms']:.3f} ms wall, {full_engine['cpu_p99_ms']:.3f} ms cpu"
          f"  (target < {TARGET_P99_MS} ms): "
          f"{verdict(min(full_engine['p99_ms'], full_engine['cpu_p99_ms']) < TARGET_P99_MS)}")
    if "rss" in results:
        worst = max(results["rss"]["growth_mb"], results["rss"]["steady_growth_mb"])
        print(f"  RSS growth over {args.rss_decisions} decisions {results['rss']['growth_mb']:+.1f} MB"
              f" (after the first checkpoint {results['rss']['steady_growth_mb']:+.1f} MB)"
              f"  (target < {TARGET_RSS_MB:.0f} MB): {verdict(worst < TARGET_RSS_MB)}")
    print(f"  threads: {'identical' if not mismatches else f'{mismatches} mismatches'}")

    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
