"""The exact layer over the frame backend: persons/s against the Kleene frame backend, interleaved.

    .venv/bin/python benchmarks/bench_exact_frame.py [--cases 20000] [--runs 3]

The same cases as the population benchmark (``tests/random_cases.py``, seed 1)
as one frame in memory; each run times ``evaluate_caseload`` (Kleene) and then
``decide_caseload`` (exact: Kleene, then every open row's completions found by
the shared layer and decided by the frame backend in one frame). Prints the
share of open rows, each run's persons/s and the medians. Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from random_cases import generate_cases  # noqa: E402

from eligibility import load_rulebooks  # noqa: E402
from eligibility.backends.frame import evaluate_caseload  # noqa: E402
from eligibility.case.read_frame import to_frame, with_codes_as_enum  # noqa: E402
from eligibility.decision.exact_frame import decide_caseload  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    books = load_rulebooks()
    frame = with_codes_as_enum(to_frame(generate_cases(args.cases, 1)))
    kleene = evaluate_caseload(frame, books)  # warm-up (plans compiled)
    statuses = [c for c in kleene.columns if c.startswith("status.")]
    open_rows = kleene.select(pl.any_horizontal(pl.col(statuses).cast(pl.String) == "undetermined")
                              .fill_null(False)).to_series().sum()
    print(f"{args.cases} cases, {open_rows} ({open_rows / args.cases:.0%}) with an undetermined programme (Kleene)")
    rates: dict[str, list[float]] = {"kleene": [], "exact": []}
    for run in range(args.runs):
        for name, decide in (("kleene", evaluate_caseload), ("exact", decide_caseload)):
            started = time.perf_counter()
            decide(frame, books)
            rates[name].append(args.cases / (time.perf_counter() - started))
        print(f"run {run + 1}: kleene {rates['kleene'][-1]:,.0f} persons/s, exact {rates['exact'][-1]:,.0f} persons/s")
    kleene_rate, exact_rate = statistics.median(rates["kleene"]), statistics.median(rates["exact"])
    print(f"median: kleene {kleene_rate:,.0f} persons/s, exact {exact_rate:,.0f} persons/s "
          f"({kleene_rate / exact_rate:.0f}x slower)")


if __name__ == "__main__":
    main()
