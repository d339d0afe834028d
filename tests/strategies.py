"""Hypothesis strategies for random valid cases (and the facts left unknown).

Every validity bound comes from the valid case space (``eligibility.case.space``,
read from the rulebooks): the benefit types and the benefit fields each may
give, the days each type exists on (tidsbegränsad sjukersättning up to its
last day), the aktivitetsersättning ages, the sjukpenning day limit on
``as_of`` (none from the day it was abolished and none with allvarlig
sjukdom, so more days are valid there), the TBS extension months, a
``decision_end`` from ``as_of`` to the benefit's last day, the contract's
numeric bounds and a birth date on or before ``as_of``. What is drawn inside
them is this module's own: dates cluster around the days that matter (the
space's boundary days, where a rulebook starts or a bound changes and the
day before, and a few calendar edges: leap days, month ends), day counts
around the day limit, hours and months around the HPS thresholds and at the
contract's ends; any assessment fact may be unknown.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

from eligibility.case.space import case_space

SPACE = case_space()
FIRST_DAY = SPACE.covered.first
LAST_DAY = date(2020, 12, 31)  # how far the cases go (the last rulebook has no end)
CALENDAR_DAYS = [date(2011, 2, 28), date(2012, 2, 29), date(2012, 8, 31), date(2015, 8, 31), date(2016, 2, 29)]
BOUNDARY_DAYS = sorted(set(SPACE.boundary_days) | set(CALENDAR_DAYS))
MOST_DAYS = 2000  # sjukpenning days drawn where the law sets no limit
DECISION_DAYS = 1500  # how far a decision_end goes where the law sets no last day
SP_LIMIT = SPACE.sjukpenning_day_limit
_HOURS = SPACE.number("assessment.hours_per_week")
_MONTHS = SPACE.number("assessment.months_in_handlingsplansamverkan")

maybe_bool = st.one_of(st.none(), st.booleans())


def _day(low: date, high: date) -> st.SearchStrategy[date]:
    return st.integers(low.toordinal(), high.toordinal()).map(date.fromordinal)


@st.composite
def valid_cases(draw: st.DrawFn) -> dict:
    """A case dict that passes validation; any assessment fact may be unknown."""
    benefit_type = draw(st.sampled_from(SPACE.benefit_types))
    span = SPACE.as_of(benefit_type)
    last = min(span.last or LAST_DAY, LAST_DAY)
    as_of = draw(st.one_of(_day(span.first, last),
                           st.sampled_from([d for d in BOUNDARY_DAYS if d in span and d <= last])))
    if benefit_type == "aktivitetsersattning":
        ages = SPACE.ae_ages(as_of)
        age = draw(st.integers(ages.low, ages.high))
    else:
        age = draw(st.integers(17, 66))
    birth = as_of - relativedelta(years=age) - timedelta(days=draw(st.integers(0, 364)))
    if benefit_type == "aktivitetsersattning" and relativedelta(as_of, birth).years != age:
        birth = as_of - relativedelta(years=age)
    elif benefit_type != "aktivitetsersattning" and draw(st.integers(0, 49)) == 49:
        birth = SPACE.latest_birth_date(as_of)  # born on as_of: the contract's edge
    fields = SPACE.fields(benefit_type)
    benefit: dict = {"type": benefit_type}
    if "sjukpenning_days_used" in fields:
        benefit["allvarlig_sjukdom"] = draw(st.one_of(st.none(), st.just(False), st.just(False), st.just(True)))
        valid = SPACE.sjukpenning_days(as_of, benefit["allvarlig_sjukdom"])
        high = min(valid.high, MOST_DAYS)
        near = [d for d in (valid.low, 730, 732, SP_LIMIT - 1, SP_LIMIT, SP_LIMIT + 1) if d <= high]
        benefit["sjukpenning_days_used"] = draw(st.one_of(st.none(), st.integers(valid.low, high),
                                                          st.sampled_from(near)))
    if "decision_end" in fields:
        ends = SPACE.decision_end(benefit_type, as_of)
        top = ends.last or as_of + timedelta(days=DECISION_DAYS)
        benefit["decision_end"] = draw(st.one_of(st.none(), _day(ends.first, top), st.sampled_from([ends.first, top])))
    if "tbs_extension_months_used" in fields:
        months = SPACE.tbs_extension_months(as_of)
        benefit["tbs_extension_months_used"] = draw(st.one_of(st.none(), st.integers(months.low, months.high)))
    point8 = SPACE.point8(as_of) if "tbs_after_aktivitetsersattning_at_30" in fields else None
    if point8 is not None and draw(st.integers(0, 3)) == 0:
        # TBS after AE ended at 30: the AE ended on the 1st of a month at most the TBS months back, at the
        # age limit (the birthday in that month); the decision ends within those months.
        age_limit, most = point8
        ended = as_of.replace(day=1) - relativedelta(months=draw(st.integers(0, most - 1)))
        birth = ended - relativedelta(years=age_limit) + timedelta(days=draw(st.integers(0, 27)))
        last = min(ended + relativedelta(months=most) - timedelta(days=1), SPACE.decision_end(benefit_type, as_of).last)
        benefit["tbs_after_aktivitetsersattning_at_30"] = True
        benefit["decision_end"] = draw(st.one_of(st.none(), _day(as_of, last), st.just(last)))
    elif point8 is not None or "tbs_after_aktivitetsersattning_at_30" in fields:
        benefit["tbs_after_aktivitetsersattning_at_30"] = draw(st.one_of(st.none(), st.just(False)))
    if "sickness_period_start" in fields:
        back = draw(st.one_of(st.none(), st.integers(0, 800), st.sampled_from([179, 180, 181, 365])))
        benefit["sickness_period_start"] = None if back is None else (as_of - timedelta(days=back)).isoformat()
    # Förstärkt samarbete facts (the space: lost sjukpenning only without benefit; nobody is
    # refused the benefit they have); absent, unknown (None) or a value.
    if "sjukpenning_ended" in fields:
        benefit["sjukpenning_ended"] = draw(maybe_bool)
    for refused in ("sjukersattning_refused", "aktivitetsersattning_refused"):
        if refused in fields and draw(st.booleans()):
            benefit[refused] = draw(maybe_bool)
    person = {
        "birth_date": birth.isoformat(),
        "employment": draw(st.one_of(st.none(), st.sampled_from(["arbetslos", "anstalld"]))),
        "can_return_to_employer": draw(maybe_bool),
    }
    assessment = {
        "fardigutredd": draw(maybe_bool),
        "capacity_can_improve": draw(maybe_bool),
        "sassam_done": draw(maybe_bool),
        "hours_per_week": draw(st.one_of(st.none(), st.sampled_from([_HOURS.low, 9.5, 10, 10.5, 40, _HOURS.high]))),
        "stadigvarande_nedsatt_arbetsformaga": draw(maybe_bool),
        "months_in_handlingsplansamverkan": draw(st.one_of(st.none(), st.sampled_from(
            [_MONTHS.low, 6, 11.9, 12, 13, _MONTHS.high]))),
        "needs_vocational_rehabilitation": draw(maybe_bool),
    }
    return {"as_of": as_of.isoformat(), "person": person, "benefit": benefit, "assessment": assessment}
