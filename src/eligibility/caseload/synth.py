"""Synthetic caseloads for demos, tests and benchmarks. No real person data.

The mix (documented in docs/caseload.md) is a plausible FK/AF caseload,
not a statistic: 50 % sjukpenning, 15 % sjukersättning, 10 %
tidsbegränsad sjukersättning (only while it existed), 15 %
aktivitetsersättning, 10 % without benefit; 60 % unemployed; about one in
five assessment facts still unknown. Every generated case is valid for the
rulebook in force on its ``as_of``: each bound (the days a benefit exists
on, its fields, the law's limits on ``as_of``) comes from the valid case
space (``case/space.py``); the shares, ages and ranges inside those bounds
are this module's own. Birth dates are synthetic and no personnummer is
generated.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from ..case.space import CaseSpace, case_space, draw_later_facts

BENEFIT_MIX = [("sjukpenning", 50), ("sjukersattning", 15), ("tidsbegransad_sjukersattning", 10),
               ("aktivitetsersattning", 15), ("ingen", 10)]
FALLBACK = "sjukpenning"  # drawn instead of a benefit that exists on no day of the range
UNKNOWN_SHARE = 0.2
NEAR_LIMIT_DAYS = 700  # half the sjukpenning cases have at least this many days (capped at the limit)
DECISION_DAYS = {"tidsbegransad_sjukersattning": 540, "aktivitetsersattning": 1100}
"""How long after ``as_of`` a decision ends at most (and never after the last day the space allows)."""


def _maybe(rng: random.Random, value: Any) -> Any:
    return None if rng.random() < UNKNOWN_SHARE else value


def _day_between(rng: random.Random, low: date, high: date) -> date:
    return date.fromordinal(rng.randint(low.toordinal(), high.toordinal()))


def _as_of_range(space: CaseSpace, kind: str, first: date, last: date) -> tuple[date, date]:
    """``first`` .. ``last`` within the days ``kind`` is valid on (empty: low > high)."""
    span = space.as_of(kind)
    return max(first, span.first), min(last, span.last or last)


def synth_case(rng: random.Random, index: int, first: date, last: date, space: CaseSpace) -> dict[str, Any]:
    """One valid synthetic case with id ``synth-<index>``."""
    kinds, weights = zip(*BENEFIT_MIX)
    kind = rng.choices(kinds, weights)[0]
    low, high = _as_of_range(space, kind, first, last)
    if low > high:
        kind = FALLBACK
        low, high = _as_of_range(space, kind, first, last)
    as_of = _day_between(rng, low, high)
    if kind == "aktivitetsersattning":
        ages = space.ae_ages(as_of)
        age = rng.randint(ages.low + 1, ages.high - 1)  # a year inside the law's ages at each end
    else:
        age = rng.randint(20, 66)
    birth = as_of - relativedelta(years=age) - timedelta(days=rng.randint(0, 300))
    benefit: dict[str, Any] = {"type": kind}
    fields = space.fields(kind)
    if "sjukpenning_days_used" in fields:
        low = space.number("benefit.sjukpenning_days_used").low
        limit = space.sjukpenning_day_limit  # the lowest limit: valid on every as_of, also where none applies
        benefit["allvarlig_sjukdom"] = _maybe(rng, rng.random() < 0.05)
        benefit["sjukpenning_days_used"] = _maybe(rng, rng.choice([rng.randint(low, limit),
                                                                   rng.randint(min(NEAR_LIMIT_DAYS, limit), limit)]))
    if "decision_end" in fields:
        ends = space.decision_end(kind, as_of)
        horizon = as_of + timedelta(days=DECISION_DAYS[kind])
        benefit["decision_end"] = _maybe(rng, _day_between(rng, ends.first, min(horizon, ends.last or horizon)).isoformat())
    if "tbs_extension_months_used" in fields:
        months = space.tbs_extension_months(as_of)
        benefit["tbs_extension_months_used"] = _maybe(rng, rng.randint(months.low, months.high))
    employment = rng.choices(["arbetslos", "anstalld"], [60, 40])[0]
    return {
        "id": f"synth-{index}",
        "as_of": as_of.isoformat(),
        "person": {"birth_date": birth.isoformat(), "employment": _maybe(rng, employment),
                   "can_return_to_employer": _maybe(rng, rng.random() < 0.3) if employment == "anstalld" else None},
        "benefit": benefit,
        "assessment": {
            "fardigutredd": _maybe(rng, rng.random() < 0.7),
            "capacity_can_improve": _maybe(rng, rng.random() < 0.6),
            "sassam_done": _maybe(rng, rng.random() < 0.6),
            "hours_per_week": _maybe(rng, rng.choice([5, 8, 10, 12, 20, 40])),
            "stadigvarande_nedsatt_arbetsformaga": _maybe(rng, rng.random() < 0.3),
            "months_in_handlingsplansamverkan": _maybe(rng, rng.choice([0, 0, 3, 6, 11, 12])),
            "needs_vocational_rehabilitation": _maybe(rng, rng.random() < 0.5),
        },
    }


def generate(n: int, seed: int, first: date = date(2010, 1, 1), last: date = date(2015, 12, 31), *,
             later_facts: bool = True) -> Iterator[dict[str, Any]]:
    """``n`` valid synthetic cases, the same for the same seed.

    ``later_facts=False`` leaves out the facts the contract gained after this generator's output was
    frozen (``case/space.py`` ``LATER_FACTS``): what ``benchmarks/bench_batch.py`` writes, so that its
    input stays byte-identical across commits. They come from a second stream, so every other field is
    the same either way.
    """
    rng, later = random.Random(seed), random.Random(f"{seed}:later-facts")
    space = case_space()
    for index in range(n):
        case = synth_case(rng, index, first, last, space)
        if later_facts:
            case["benefit"].update(draw_later_facts(later, space, case["benefit"]["type"], date.fromisoformat(case["as_of"])))
        yield case
