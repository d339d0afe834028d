"""Hypothesis strategies for random valid cases (and the facts left unknown).

Constraints mirror case/validate.py: aktivitetsersättning only at 18–29, TBS
only until 2012-12-31 with at most 18 extension months, decisions still
running on as_of. Dates cluster around the boundaries that matter,
including the rulebook boundaries 2012-01-01, 2013-01-01 and 2016-02-01
(from then on sjukpenning has no day limit, so more than 914 days is valid).
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

FIRST_DAY = date(2008, 7, 1)
LAST_DAY = date(2020, 12, 31)
TBS_LAST = date(2012, 12, 31)
SP_LIMIT_ABOLISHED = date(2016, 2, 1)
BOUNDARY_DAYS = [date(2008, 7, 1), date(2009, 12, 31), date(2010, 1, 1), date(2012, 2, 29), date(2012, 8, 31),
                 date(2012, 12, 31), date(2011, 2, 28), date(2015, 8, 31), date(2011, 12, 31), date(2012, 1, 1),
                 date(2013, 1, 1), date(2016, 1, 31), date(2016, 2, 1), date(2016, 2, 29)]

maybe_bool = st.one_of(st.none(), st.booleans())


def _day(low: date, high: date) -> st.SearchStrategy[date]:
    return st.integers(low.toordinal(), high.toordinal()).map(date.fromordinal)


@st.composite
def valid_cases(draw: st.DrawFn) -> dict:
    """A case dict that passes validation; any assessment fact may be unknown."""
    benefit_type = draw(st.sampled_from(["sjukpenning", "tidsbegransad_sjukersattning", "sjukersattning",
                                         "aktivitetsersattning", "ingen"]))
    last = TBS_LAST if benefit_type == "tidsbegransad_sjukersattning" else LAST_DAY
    as_of = draw(st.one_of(_day(FIRST_DAY, last), st.sampled_from([d for d in BOUNDARY_DAYS if d <= last])))
    if benefit_type == "aktivitetsersattning":
        age = draw(st.integers(18, 29))
    else:
        age = draw(st.integers(17, 66))
    birth = as_of - relativedelta(years=age) - timedelta(days=draw(st.integers(0, 364)))
    if benefit_type == "aktivitetsersattning" and relativedelta(as_of, birth).years != age:
        birth = as_of - relativedelta(years=age)
    benefit: dict = {"type": benefit_type}
    if benefit_type == "sjukpenning":
        benefit["allvarlig_sjukdom"] = draw(st.one_of(st.none(), st.just(False), st.just(False), st.just(True)))
        high = 2000 if benefit["allvarlig_sjukdom"] or as_of >= SP_LIMIT_ABOLISHED else 914
        benefit["sjukpenning_days_used"] = draw(st.one_of(st.none(), st.integers(0, high),
                                                          st.sampled_from([0, 730, 732, 913, 914])))
    if benefit_type in ("tidsbegransad_sjukersattning", "aktivitetsersattning"):
        top = TBS_LAST if benefit_type == "tidsbegransad_sjukersattning" else as_of + timedelta(days=1500)
        benefit["decision_end"] = draw(st.one_of(st.none(), _day(as_of, top), st.sampled_from([top])))
    if benefit_type == "tidsbegransad_sjukersattning":
        benefit["tbs_extension_months_used"] = draw(st.one_of(st.none(), st.integers(0, 18)))
    # Förstärkt samarbete facts (case/validate.py: lost sjukpenning only without benefit; nobody is
    # refused the benefit they have); absent, unknown (None) or a value.
    if benefit_type == "ingen":
        benefit["sjukpenning_ended"] = draw(maybe_bool)
    if benefit_type != "sjukersattning" and draw(st.booleans()):
        benefit["sjukersattning_refused"] = draw(maybe_bool)
    if benefit_type != "aktivitetsersattning" and draw(st.booleans()):
        benefit["aktivitetsersattning_refused"] = draw(maybe_bool)
    person = {
        "birth_date": birth.isoformat(),
        "employment": draw(st.one_of(st.none(), st.sampled_from(["arbetslos", "anstalld"]))),
        "can_return_to_employer": draw(maybe_bool),
    }
    assessment = {
        "fardigutredd": draw(maybe_bool),
        "capacity_can_improve": draw(maybe_bool),
        "sassam_done": draw(maybe_bool),
        "hours_per_week": draw(st.one_of(st.none(), st.sampled_from([0, 9.5, 10, 10.5, 40]))),
        "stadigvarande_nedsatt_arbetsformaga": draw(maybe_bool),
        "months_in_handlingsplansamverkan": draw(st.one_of(st.none(), st.sampled_from([0, 6, 11.9, 12, 13]))),
        "needs_vocational_rehabilitation": draw(maybe_bool),
    }
    return {"as_of": as_of.isoformat(), "person": person, "benefit": benefit, "assessment": assessment}
