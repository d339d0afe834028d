"""Synthetic caseloads for demos, tests and benchmarks. No real person data.

The mix (documented in docs/caseload.md) is a plausible FK/AF caseload,
not a statistic: 50 % sjukpenning, 15 % sjukersättning, 10 %
tidsbegränsad sjukersättning (only while it existed), 15 %
aktivitetsersättning, 10 % without benefit; 60 % unemployed; about one in
five assessment facts still unknown. Every generated case is valid for the
rulebook in force on its ``as_of``; birth dates are synthetic and no
personnummer is generated.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from ..rulebooks.law_bounds import LawBounds, law_bounds

BENEFIT_MIX = [("sjukpenning", 50), ("sjukersattning", 15), ("tidsbegransad_sjukersattning", 10),
               ("aktivitetsersattning", 15), ("ingen", 10)]
UNKNOWN_SHARE = 0.2


def _maybe(rng: random.Random, value: Any) -> Any:
    return None if rng.random() < UNKNOWN_SHARE else value


def _day_between(rng: random.Random, low: date, high: date) -> date:
    return date.fromordinal(rng.randint(low.toordinal(), high.toordinal()))


def synth_case(rng: random.Random, index: int, first: date, last: date, law: LawBounds) -> dict[str, Any]:
    """One valid synthetic case with id ``synth-<index>``."""
    tbs_last_day = law.tbs_last_day
    kinds, weights = zip(*BENEFIT_MIX)
    kind = rng.choices(kinds, weights)[0]
    if kind == "tidsbegransad_sjukersattning" and first > tbs_last_day:
        kind = "sjukpenning"
    as_of = _day_between(rng, first, min(last, tbs_last_day) if kind == "tidsbegransad_sjukersattning" else last)
    age = rng.randint(19, 28) if kind == "aktivitetsersattning" else rng.randint(20, 66)
    birth = as_of - relativedelta(years=age) - timedelta(days=rng.randint(0, 300))
    benefit: dict[str, Any] = {"type": kind}
    if kind == "sjukpenning":
        benefit["allvarlig_sjukdom"] = _maybe(rng, rng.random() < 0.05)
        benefit["sjukpenning_days_used"] = _maybe(rng, rng.choice([rng.randint(0, law.sjukpenning_max_days), rng.randint(700, law.sjukpenning_max_days)]))
    elif kind == "tidsbegransad_sjukersattning":
        benefit["decision_end"] = _maybe(rng, _day_between(rng, as_of, min(as_of + timedelta(days=540), tbs_last_day)).isoformat())
        benefit["tbs_extension_months_used"] = _maybe(rng, rng.randint(0, law.tbs_max_extension_months))
    elif kind == "aktivitetsersattning":
        benefit["decision_end"] = _maybe(rng, (as_of + timedelta(days=rng.randint(0, 1100))).isoformat())
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


def generate(n: int, seed: int, first: date = date(2010, 1, 1), last: date = date(2015, 12, 31)) -> Iterator[dict[str, Any]]:
    """``n`` valid synthetic cases, the same for the same seed."""
    rng = random.Random(seed)
    law = law_bounds()
    for index in range(n):
        yield synth_case(rng, index, first, last, law)
