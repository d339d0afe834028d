"""Random valid cases *without unknowns*, for the benchmarks that compare against a commit without the exact layer.

``complete_cases(n, seed)`` draws cases with ``tests/random_cases.generate_cases`` (the benchmarks' usual
input) and keeps those in which the generator left no fact unknown (no ``None`` anywhere: about one case
in eight, since ``P_UNKNOWN`` = 0.2 per optional fact). The generator does not draw the benefit facts the
contract gained with issue 16 (``sjukpenning_ended``, ``sjukersattning_refused``,
``aktivitetsersattning_refused``, ``tbs_after_aktivitetsersattning_at_30``, ``sickness_period_start``), so
those are filled in from a second stream, each where the case space allows it for the case's benefit type
(``CaseSpace.fields``; the last two by ``case.space.draw_later_facts`` with no unknowns). Every kept case is
accepted by this tree's validation (checked here).

What stays unknown is only what a case of that benefit type cannot give: the contract forbids a
``*_refused`` fact for the benefit the person has and ``sjukpenning_ended`` for anyone with a benefit
(``field_not_for_benefit``). Kleene leaves a programme open on about one such case in nine; the exact layer
completes those facts as *nej* (decision/exact.py), so they cost it a few completions. These are the
"cases without unknowns" of issue 17 item 6: every fact the case can give is given.
"""

from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # random_cases.py
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from random_cases import generate_cases  # noqa: E402

from eligibility.case.space import case_space, draw_later_facts  # noqa: E402
from eligibility.case.validate import birth_date_of, check_against_rulebook, parse_case  # noqa: E402
from eligibility.rulebooks.loader import load_rulebooks, select_rulebook  # noqa: E402

YES_NO_LATER = ("sjukpenning_ended", "sjukersattning_refused", "aktivitetsersattning_refused")
"""Issue 16's yes/no benefit facts that ``random_cases`` does not draw (``draw_later_facts`` draws the other two)."""


def _given(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_given(v) for v in value.values())
    return value is not None


def complete_cases(n: int, seed: int = 2024) -> list[dict[str, Any]]:
    """``n`` random valid cases with every fact their benefit type allows given; deterministic for ``seed``."""
    space, books = case_space(), load_rulebooks()
    later = random.Random(f"{seed}:complete")
    found: list[dict[str, Any]] = []
    drawn = 0
    while len(found) < n:
        batch = generate_cases(max(8 * (n - len(found)), 64), seed + drawn)  # a fresh seed per top-up
        drawn += 1
        for case in batch:
            if not _given(case):
                continue
            kind, as_of = case["benefit"]["type"], date.fromisoformat(case["as_of"])
            allowed = space.fields(kind)
            case["benefit"].update({name: later.random() < 0.5 for name in YES_NO_LATER if name in allowed})
            case["benefit"].update(draw_later_facts(later, space, kind, as_of, unknown=0.0))
            parsed = parse_case(case)
            birth = birth_date_of(parsed)
            check_against_rulebook(parsed, birth, select_rulebook(books, parsed.as_of))  # raises if not valid
            found.append(case)
            if len(found) == n:
                break
    return found


if __name__ == "__main__":
    import json

    for one in complete_cases(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
        print(json.dumps(one, ensure_ascii=False))
