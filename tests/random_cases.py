"""Deterministic random *valid* cases for the benchmarks, the soak run and the frame-backend tests.

``generate_cases(n, seed)`` returns ``n`` case dicts in the shape of the case
contract (domain brief section 6, ``src/eligibility/models.py``), dates as ISO
strings as they would arrive in JSON. Same ``n`` and ``seed``, same cases.

Every case satisfies the constraints the evaluator checks (otherwise it would
raise ``CaseError``):

* ``as_of`` in 2008-07-01 .. 2015-12-31 (covered by the rulebooks);
* aktivitetsersättning only for ages 18-29 on ``as_of``;
* tidsbegränsad sjukersättning only with ``as_of`` and ``decision_end`` on or
  before 2012-12-31 and at most 18 extension months;
* ``decision_end`` on or after ``as_of``;
* ``sjukpenning_days_used`` at most 914 unless ``allvarlig_sjukdom`` is true;
* benefit fields only for the benefit type they belong to;
* ``birth_date`` on or before ``as_of``.

Self-contained on purpose (only ``random``, ``datetime`` and the law's bounds
from rules/), so a benchmark does not depend on the code it measures to make
its input. Not ``caseload/synth.py``: that is the demo mix of ``eligibility
synth`` (other shares, ids); the two draw different cases. Lives in tests/ so
that tests never import from benchmarks/; the benchmarks import it from here.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from eligibility.rulebooks.law_bounds import law_bounds

AS_OF_FIRST = date(2008, 7, 1)
AS_OF_LAST = date(2015, 12, 31)
_LAW = law_bounds()   # the law's limits come from rules/, like everywhere else
TBS_LAST_DAY = _LAW.tbs_last_day
SP_MAX_DAYS = _LAW.sjukpenning_max_days
TBS_MAX_MONTHS = _LAW.tbs_max_extension_months
AGE_MIN, AGE_MAX = 17, 66
AE_AGE_MIN, AE_AGE_MAX = 18, 29

BENEFITS = ("sjukpenning", "tidsbegransad_sjukersattning", "sjukersattning", "aktivitetsersattning", "ingen")
P_UNKNOWN = 0.2  # chance that an optional fact is left unknown (None)


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
    if kind == "tidsbegransad_sjukersattning":
        as_of = _day_between(rng, AS_OF_FIRST, TBS_LAST_DAY)
    else:
        as_of = _day_between(rng, AS_OF_FIRST, AS_OF_LAST)
    age = rng.randint(AE_AGE_MIN, AE_AGE_MAX) if kind == "aktivitetsersattning" else rng.randint(AGE_MIN, AGE_MAX)
    birth = _birth_for_age(rng, as_of, age)

    benefit: dict[str, Any] = {"type": kind}
    if kind == "sjukpenning":
        serious = _bool(rng)
        benefit["allvarlig_sjukdom"] = serious
        most = 1400 if serious is True else SP_MAX_DAYS
        # Days near the limit are the interesting ones (HPS, ALI), so weight them.
        days = rng.randint(max(0, SP_MAX_DAYS - 250), most) if rng.random() < 0.5 else rng.randint(0, most)
        benefit["sjukpenning_days_used"] = _maybe(rng, days)
    elif kind == "tidsbegransad_sjukersattning":
        benefit["decision_end"] = _maybe(rng, _day_between(rng, as_of, TBS_LAST_DAY).isoformat())
        benefit["tbs_extension_months_used"] = _maybe(rng, rng.randint(0, TBS_MAX_MONTHS))
    elif kind == "aktivitetsersattning":
        benefit["decision_end"] = _maybe(rng, _day_between(rng, as_of, as_of + timedelta(days=3 * 365)).isoformat())

    employment = _maybe(rng, rng.choice(("arbetslos", "anstalld")))
    person: dict[str, Any] = {"birth_date": birth.isoformat(), "employment": employment}
    if employment != "arbetslos":
        person["can_return_to_employer"] = _bool(rng)

    assessment = {
        "fardigutredd": _bool(rng),
        "capacity_can_improve": _bool(rng),
        "sassam_done": _bool(rng),
        "hours_per_week": _maybe(rng, float(rng.choice((0, 5, 8, 10, 12, 15, 17.5, 20, 25, 30, 40)))),
        "stadigvarande_nedsatt_arbetsformaga": _bool(rng),
        "months_in_handlingsplansamverkan": _maybe(rng, float(rng.randint(0, 24))),
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
