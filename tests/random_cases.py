"""Deterministic random *valid* cases for the benchmarks, the soak run and the frame-backend tests.

``generate_cases(n, seed)`` returns ``n`` case dicts in the shape of the case
contract (domain brief section 6, ``src/eligibility/models.py``), dates as ISO
strings as they would arrive in JSON. Same ``n`` and ``seed``, same cases.

Every case is valid (the evaluator would otherwise raise ``CaseError``): each
bound comes from the one declaration of the valid case space,
``eligibility.case.space`` (benefit types and their fields, the days each type
exists on, the law's limits from rules/ on each ``as_of``, the contract's
numeric bounds). What is this generator's own is the distribution:

* all five benefit types in equal shares, ``as_of`` from the first covered day
  (2008-07-01) to 2015-12-31, tidsbegränsad sjukersättning only up to its
  last day (2012-12-31);
* ages 17-66 (aktivitetsersättning: the law's ages, 18-29), never born on 29 February;
* ``sjukpenning_days_used`` up to the day limit on ``as_of`` (914; at most
  1400 with ``allvarlig_sjukdom`` true), half of them within 250 days of the limit;
* ``decision_end`` from ``as_of`` to the benefit's last day (TBS) or three years on;
* about one optional fact in five unknown (``P_UNKNOWN``).

Makes its input from the declaration only (``random``, ``datetime`` and the
case space), never by running a decision. Not ``caseload/synth.py``: that is
the demo mix of ``eligibility synth`` (other shares, ids); the two draw
different cases. Lives in tests/ so that tests never import from benchmarks/;
the benchmarks import it from here. ``tests/test_case_space.py`` pins its
output (sha256) and checks that every case is accepted.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from eligibility.case.space import case_space

SPACE = case_space()  # every validity bound; the law's values come from rules/
AS_OF_FIRST = SPACE.covered.first
AS_OF_LAST = date(2015, 12, 31)  # the generator's own choice, not a bound of the law
SP_DAY_LIMIT = SPACE.sjukpenning_day_limit  # "near the limit" is measured from it
AGE_MIN, AGE_MAX = 17, 66
SERIOUS_MOST_DAYS = 1400  # the generator's cap where the law sets none (allvarlig_sjukdom)
DECISION_YEARS = 3  # decision_end at most three years on where the law sets no last day
HOURS = (0, 5, 8, 10, 12, 15, 17.5, 20, 25, 30, 40)
MONTHS_MOST = 24

BENEFITS = SPACE.benefit_types
P_UNKNOWN = 0.2  # chance that an optional fact is left unknown (None)
_HOURS = SPACE.number("assessment.hours_per_week")
_MONTHS = SPACE.number("assessment.months_in_handlingsplansamverkan")
assert all(hours in _HOURS for hours in HOURS) and MONTHS_MOST in _MONTHS


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year - years, day=28)


def _birth_for_age(rng: random.Random, as_of: date, age: int) -> date:
    """A birth date giving exactly ``age`` full years on ``as_of`` (never 29 Feb, to keep ages unambiguous)."""
    first = _years_before(as_of, age + 1) + timedelta(days=1)
    last = _years_before(as_of, age)
    while True:
        birth = _day_between(rng, first, last)
        if (birth.month, birth.day) != (2, 29):
            return birth


def _maybe(rng: random.Random, value: Any) -> Any:
    return None if rng.random() < P_UNKNOWN else value


def _bool(rng: random.Random) -> bool | None:
    return _maybe(rng, rng.random() < 0.5)


def generate_case(rng: random.Random) -> dict[str, Any]:
    """One random valid case drawn from ``rng``."""
    kind = rng.choice(BENEFITS)
    span = SPACE.as_of(kind)
    as_of = _day_between(rng, max(AS_OF_FIRST, span.first), min(AS_OF_LAST, span.last or AS_OF_LAST))
    if kind == "aktivitetsersattning":
        ages = SPACE.ae_ages(as_of)
        age = rng.randint(ages.low, ages.high)
    else:
        age = rng.randint(AGE_MIN, AGE_MAX)
    birth = _birth_for_age(rng, as_of, age)

    fields = SPACE.fields(kind)
    benefit: dict[str, Any] = {"type": kind}
    if "sjukpenning_days_used" in fields:
        serious = _bool(rng)
        benefit["allvarlig_sjukdom"] = serious
        valid = SPACE.sjukpenning_days(as_of, serious)
        most = min(valid.high, SERIOUS_MOST_DAYS)
        # Days near the limit are the interesting ones (HPS, ALI), so weight them.
        low = max(valid.low, SP_DAY_LIMIT - 250)
        days_used = rng.randint(low, most) if rng.random() < 0.5 else rng.randint(valid.low, most)
        benefit["sjukpenning_days_used"] = _maybe(rng, days_used)
    if "decision_end" in fields:
        ends = SPACE.decision_end(kind, as_of)
        last = ends.last or as_of + timedelta(days=DECISION_YEARS * 365)
        benefit["decision_end"] = _maybe(rng, _day_between(rng, ends.first, last).isoformat())
    if "tbs_extension_months_used" in fields:
        months = SPACE.tbs_extension_months(as_of)
        benefit["tbs_extension_months_used"] = _maybe(rng, rng.randint(months.low, months.high))

    employment = _maybe(rng, rng.choice(("arbetslos", "anstalld")))
    person: dict[str, Any] = {"birth_date": birth.isoformat(), "employment": employment}
    if employment != "arbetslos":
        person["can_return_to_employer"] = _bool(rng)

    assessment = {
        "fardigutredd": _bool(rng),
        "capacity_can_improve": _bool(rng),
        "sassam_done": _bool(rng),
        "hours_per_week": _maybe(rng, float(rng.choice(HOURS))),
        "stadigvarande_nedsatt_arbetsformaga": _bool(rng),
        "months_in_handlingsplansamverkan": _maybe(rng, float(rng.randint(_MONTHS.low, MONTHS_MOST))),
        "needs_vocational_rehabilitation": _bool(rng),
    }
    return {"as_of": as_of.isoformat(), "person": person, "benefit": benefit, "assessment": assessment}


def generate_cases(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` random valid cases; deterministic for a given ``seed``."""
    rng = random.Random(seed)
    return [generate_case(rng) for _ in range(n)]


if __name__ == "__main__":
    import json
    import sys

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    for case in generate_cases(count, seed=int(sys.argv[2]) if len(sys.argv) > 2 else 0):
        print(json.dumps(case, ensure_ascii=False))
