"""What the exact layer (decision/exact.py) costs per case: the distribution over random cases with unknowns.

    .venv/bin/python benchmarks/bench_exact.py [--cases 2000] [--runs 5] [--seed 2024]
    .venv/bin/python benchmarks/bench_exact.py --complete            # cases without unknowns (complete_cases.py)
    .venv/bin/python benchmarks/bench_exact.py --profile 1000        # cProfile of exact decisions
    .venv/bin/python benchmarks/bench_exact.py --breakdown           # where settle()'s time goes (no profiler)

The cases are ``tests/random_cases.py``'s (about one optional fact in five unknown; the facts of issue 16
are never drawn there, so they are unknown in every case). Two engine evaluators decide each case, one
after the other: ``Evaluator(books, "engine")`` (Kleene) and ``Evaluator(books, "engine", exact=True)``,
each timed in this thread's CPU time; each run goes over every case, the runs are repeated ``--runs``
times, for ``explain=False`` and ``explain=True``. Per case the median over the runs is taken, and the
exact layer's cost of a case is its exact decision less its Kleene decision. ``settle`` (the layer's
entry, called by ``Evaluator.evaluate``) is also timed on its own through a wrapper, with the number of
completions it decided. Printed: p50 / p90 / p99 / max over the cases of each, the share of cases where
the layer had anything to do, and the median over the runs of each run's p50 / p99.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # random_cases.py
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from random_cases import generate_cases  # noqa: E402

import eligibility.decision.evaluator as evaluator_module  # noqa: E402
from eligibility import Evaluator, load_rulebooks  # noqa: E402


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def spread(values: list[float]) -> str:
    return (f"p50 {pct(values, 50):7.3f}  p90 {pct(values, 90):7.3f}  p99 {pct(values, 99):7.3f}  "
            f"max {max(values):7.3f}  mean {statistics.fmean(values):7.3f} ms")


class SettleTimer:
    """Wraps ``evaluator.settle``: the CPU time of every call while one case is decided, and the completions
    of the first call (the case's own; with ``explain=True`` the remedies' verification decisions of
    changed cases call it again, and their time is counted too)."""

    def __init__(self) -> None:
        self.inner = evaluator_module.settle
        self.reset()

    def reset(self) -> None:
        self.ms, self.calls, self.completions = 0.0, 0, None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        c0 = time.thread_time_ns()
        settled = self.inner(*args, **kwargs)
        self.ms += (time.thread_time_ns() - c0) / 1e6
        self.calls += 1
        if self.completions is None:
            self.completions = settled.completions if settled is not None else 0
        return settled


def measure(cases: list[dict[str, Any]], runs: int, explain: bool, kleene: Evaluator, exact: Evaluator,
            timer: SettleTimer) -> dict[str, Any]:
    n = len(cases)
    times: dict[str, list[list[float]]] = {"kleene": [[0.0] * n for _ in range(runs)],
                                           "exact": [[0.0] * n for _ in range(runs)],
                                           "settle": [[0.0] * n for _ in range(runs)]}
    completions = [0] * n
    calls = [0] * n
    clock = time.thread_time_ns
    for run in range(runs):
        for i, case in enumerate(cases):  # A, B per case: both see the same moment of the machine
            c0 = clock()
            kleene.evaluate(case, explain=explain)
            times["kleene"][run][i] = (clock() - c0) / 1e6
            timer.reset()
            c0 = clock()
            exact.evaluate(case, explain=explain)
            times["exact"][run][i] = (clock() - c0) / 1e6
            times["settle"][run][i], completions[i], calls[i] = timer.ms, timer.completions or 0, timer.calls
        print(f"  explain={explain!s:<5} run {run + 1}: kleene p50 {pct(times['kleene'][run], 50):.3f} "
              f"p99 {pct(times['kleene'][run], 99):.3f} ms; exact p50 {pct(times['exact'][run], 50):.3f} "
              f"p99 {pct(times['exact'][run], 99):.3f} max {max(times['exact'][run]):.2f} ms; "
              f"load {os.getloadavg()[0]:.2f}", flush=True)
    per_case = {label: [statistics.median(rows[run][i] for run in range(runs)) for i in range(n)]
                for label, rows in times.items()}
    added = [e - k for e, k in zip(per_case["exact"], per_case["kleene"])]
    run_level = {label: {"p50": statistics.median(pct(rows[run], 50) for run in range(runs)),
                         "p99": statistics.median(pct(rows[run], 99) for run in range(runs))}
                 for label, rows in times.items() if label != "settle"}
    return {"per_case": per_case, "added": added, "completions": completions, "calls": calls,
            "run_level": run_level}


def profile(n: int, seed: int) -> int:
    import cProfile
    import pstats

    exact = Evaluator(load_rulebooks(), "engine", exact=True)
    cases = generate_cases(n, seed)
    for case in cases[:50]:
        exact.evaluate(case, explain=False)
    profiler = cProfile.Profile()
    profiler.enable()
    for case in cases:
        exact.evaluate(case, explain=False)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs()
    print(f"cProfile of {n} exact engine decisions, explain=False (times include profiler overhead)")
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats(35)
    return 0


def breakdown(n: int, seed: int, runs: int) -> int:
    """Inclusive CPU time of settle()'s parts over ``n`` exact decisions (explain=False), by thin wrappers.

    The parts nest: ``_Completer.run`` (facts and reference leaves of one completion; ``_derived`` inside it:
    validation and ``build_facts`` of a completion not seen before) is called from ``prepare`` (through
    ``_valid_range``, ``_guesses`` and ``_stretches``) and ``finish`` (the key dates of the answers); the
    backend decides the distinct completions between the two; ``_changes`` runs inside ``finish``. Each
    wrapper costs about a microsecond per call.
    """
    import eligibility.decision.exact as exact_module

    totals: dict[str, float] = {}
    counts: dict[str, int] = {}
    inside = {"settle": False}

    def wrapped(name: str, func: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            c0 = time.thread_time_ns()
            try:
                return func(*args, **kwargs)
            finally:
                if name != "backend decide (completions)" or inside["settle"]:
                    totals[name] = totals.get(name, 0.0) + (time.thread_time_ns() - c0) / 1e6
                    counts[name] = counts.get(name, 0) + 1
        return call

    settle = evaluator_module.settle

    def timed_settle(*args: Any, **kwargs: Any) -> Any:
        inside["settle"] = True
        try:
            return wrapped("settle", settle)(*args, **kwargs)
        finally:
            inside["settle"] = False

    evaluator_module.settle = timed_settle
    evaluator_module.decide_outcomes = wrapped("backend decide (completions)", evaluator_module.decide_outcomes)
    for name in ("prepare", "finish", "_valid_range", "_guesses", "_stretches", "_changes"):
        setattr(exact_module, name, wrapped(name, getattr(exact_module, name)))
    for name in ("run", "_derived"):
        setattr(exact_module._Completer, name, wrapped(f"_Completer.{name}", getattr(exact_module._Completer, name)))
    exact = Evaluator(load_rulebooks(), "engine", exact=True)
    cases = generate_cases(n, seed)
    for case in cases[:100]:
        exact.evaluate(case, explain=False)
    totals.clear()
    counts.clear()
    c0 = time.thread_time_ns()
    for _ in range(runs):
        for case in cases:
            exact.evaluate(case, explain=False)
    whole = (time.thread_time_ns() - c0) / 1e6
    decisions = n * runs
    print(f"{n} random cases x {runs} runs, exact engine decisions, explain=False: {whole / decisions:.3f} ms CPU per "
          f"decision (wrappers included); load average {os.getloadavg()[0]:.2f}")
    print(f"  {'part (inclusive)':<32} {'ms per decision':>15} {'share':>6} {'calls per decision':>19}")
    for name, total in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"  {name:<32} {total / decisions:15.3f} {100 * total / whole:5.0f}% {counts[name] / decisions:19.1f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--profile", type=int, metavar="N", help="only cProfile N exact decisions")
    parser.add_argument("--breakdown", action="store_true", help="only time settle()'s parts (thin wrappers)")
    parser.add_argument("--complete", action="store_true",
                        help="cases without unknowns (benchmarks/complete_cases.py) instead of random_cases'")
    args = parser.parse_args()
    if args.profile:
        return profile(args.profile, args.seed)
    if args.breakdown:
        return breakdown(args.cases, args.seed, args.runs)
    books = load_rulebooks()
    kleene = Evaluator(books, "engine")
    exact = Evaluator(books, "engine", exact=True)
    timer = SettleTimer()
    evaluator_module.settle = timer  # the name Evaluator.evaluate calls
    if args.complete:
        from complete_cases import complete_cases
        cases = complete_cases(args.cases, args.seed)
    else:
        cases = generate_cases(args.cases, args.seed)
    for case in cases[:200]:  # warm-up
        for explain in (False, True):
            kleene.evaluate(case, explain=explain)
            exact.evaluate(case, explain=explain)
    kind = "cases without unknowns (complete_cases.py" if args.complete else "random cases with unknowns (tests/random_cases.py"
    print(f"{len(cases)} {kind}, seed {args.seed}), {args.runs} runs, "
          f"CPU time per decision, Kleene and exact alternating per case; load average {os.getloadavg()[0]:.2f}")
    for explain in (False, True):
        found = measure(cases, args.runs, explain, kleene, exact, timer)
        per_case, added, completions = found["per_case"], found["added"], found["completions"]
        worked = [i for i, c in enumerate(completions) if c]
        print(f"\nexplain={explain}: per case, median of {args.runs} runs")
        print(f"  Kleene decision          {spread(per_case['kleene'])}")
        print(f"  exact decision           {spread(per_case['exact'])}")
        print(f"  exact layer (exact - K)  {spread(added)}")
        print(f"  settle() alone           {spread(per_case['settle'])}")
        if worked:
            print(f"  settle() where it completed ({len(worked)} cases) {spread([per_case['settle'][i] for i in worked])}")
        if explain:
            print(f"  settle() calls per decision (the remedies' verifications call it too): p50 "
                  f"{pct(found['calls'], 50)}, p99 {pct(found['calls'], 99)}, max {max(found['calls'])}")
        print(f"  cases whose own settle() decided completions: {len(worked)} of {len(cases)} "
              f"({100 * len(worked) / len(cases):.0f} %); completions per such case p50 "
              f"{pct([completions[i] for i in worked], 50) if worked else 0}, p99 "
              f"{pct([completions[i] for i in worked], 99) if worked else 0}, max {max(completions)}")
        for label, level in found["run_level"].items():
            print(f"  {label:<6} median over runs of the run's p50 {level['p50']:.3f} ms, p99 {level['p99']:.3f} ms")
    print(f"\nload average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
