"""The time "what would change it" (issue 17 item 3) adds to an explained decision, in one process.

    .venv/bin/python benchmarks/remedies_cost.py --runs 5 [--exact]

Each run decides the same cases with the search switched off (the hook returns the decision as it is)
and on, alternately, so both see about the same load of this shared machine. Printed per set of cases:
the median over the runs of the mean time per decision, without and with, and the difference. The sets:
the regression corpus (its valid cases), the case of the brief (one changed case decided), and random
valid cases (``tests/random_cases.py``). Small: a few seconds, not one of the gated benchmarks.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from random_cases import generate_cases  # noqa: E402

from eligibility import CaseError, Evaluator, load_rulebooks  # noqa: E402
from eligibility.decision import evaluator as evaluator_module  # noqa: E402

BRIEF = {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02", "employment": "arbetslos"},
         "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 300, "allvarlig_sjukdom": False},
         "assessment": {"fardigutredd": True, "capacity_can_improve": True, "sassam_done": False,
                        "hours_per_week": 8.0, "months_in_handlingsplansamverkan": 0.0}}


def _valid(evaluator: Evaluator, cases: list[dict]) -> list[dict]:
    kept = []
    for case in cases:
        try:
            evaluator.evaluate(case, explain=False)
        except CaseError:
            continue
        kept.append(case)
    return kept


def _mean_ms(evaluator: Evaluator, cases: list[dict]) -> float:
    started = time.perf_counter()
    for case in cases:
        evaluator.evaluate(case)
    return (time.perf_counter() - started) / len(cases) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--random", type=int, default=1000, help="how many random cases")
    parser.add_argument("--exact", action="store_true", help="with the exact layer (decision 72)")
    args = parser.parse_args()
    evaluator = Evaluator(load_rulebooks(), exact=args.exact)
    corpus = [json.loads(line)["case"] for line in (ROOT / "tests" / "regression" / "corpus.jsonl")
              .read_text(encoding="utf-8").splitlines() if line.strip()]
    sets = {"regression corpus": _valid(evaluator, corpus), "case of the brief": [BRIEF] * 300,
            "random valid cases": _valid(evaluator, generate_cases(args.random, seed=17))}
    real = evaluator_module.attach_remedies

    def off(_evaluator, decision, *_rest):
        return decision

    for name, cases in sets.items():
        without, with_ = [], []
        _mean_ms(evaluator, cases[:50])   # warm
        for _ in range(args.runs):
            evaluator_module.attach_remedies = off
            without.append(_mean_ms(evaluator, cases))
            evaluator_module.attach_remedies = real
            with_.append(_mean_ms(evaluator, cases))
        a, b = statistics.median(without), statistics.median(with_)
        print(f"{name} ({len(cases)} decisions): without {a:.3f} ms, with {b:.3f} ms, "
              f"added {b - a:.3f} ms per decision ({(b / a - 1) * 100:+.0f} %)")


if __name__ == "__main__":
    main()
