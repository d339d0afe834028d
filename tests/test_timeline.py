"""Timeline: statuses over time across rulebook boundaries (src/eligibility/history/timeline.py).

The change-day method must agree with a brute-force walk that evaluates
every single day; the named cases pin the law changes the issue is about.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eligibility.case.validate import parse_case
from eligibility.errors import CaseError
from eligibility.history.timeline import build_timeline, case_on
from strategies import valid_cases

SP_LATE_2015 = {"as_of": "2015-10-01", "person": {"birth_date": "1970-05-05", "employment": "arbetslos"},
                "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 750, "allvarlig_sjukdom": False}}


def _status_by_walk(reference, case, day):
    decision = reference.evaluate(case_on(case, day), explain=False)
    statuses = {pid: p.status.value for pid, p in decision.programmes.items()}
    statuses.update({pid: "not_in_force" for pid in decision.not_in_force})
    return statuses


SP_FLAG_UNKNOWN_900_DAYS = {"as_of": "2011-03-15", "person": {"birth_date": "1970-01-01", "employment": "arbetslos"},
                            "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 900}}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=valid_cases(), months=st.integers(1, 14))
@example(data=SP_FLAG_UNKNOWN_900_DAYS, months=3)  # found by a random run: the days-used-up day was missed
def test_change_days_agree_with_a_day_by_day_walk(reference, data, months):
    case = parse_case(data)
    timeline = build_timeline(reference, case, months)
    day = case.as_of
    while day <= timeline.until:
        for pid, status in _status_by_walk(reference, case, day).items():
            assert timeline.status_on(pid, day) == status, (pid, day)
        day += timedelta(days=1)
    if timeline.stop_reason == "benefit_ended" and timeline.until > case.as_of:
        decision = reference.evaluate(case_on(case, timeline.until), explain=False)
        assert decision.key_dates.benefit_end_exclusive == timeline.until + timedelta(days=1)
    elif timeline.stop_reason not in (None, "benefit_ended"):
        with pytest.raises(CaseError):
            reference.evaluate(case_on(case, timeline.until + timedelta(days=1)))


def test_ali_is_never_eligible_when_it_could_only_start_after_its_last_start_day(engine):
    """Sjukpenning in late 2015 whose days would run out in March 2016 (issue 16 item 3): the earliest start,
    the day after the benefit ends (2016-03-13), is after the last start day 2016-01-31, so ALI is not eligible
    on any day before it closes, and then it is not in force (it was eligible here before the last start day)."""
    timeline = build_timeline(engine, SP_LATE_2015, 24)
    assert timeline.status_on("arbetslivsintroduktion", date(2015, 10, 1)) == "not_eligible"
    assert timeline.status_on("arbetslivsintroduktion", date(2016, 1, 31)) == "not_eligible"
    assert timeline.status_on("arbetslivsintroduktion", date(2016, 2, 1)) == "not_in_force"
    assert [span.rulebook for span in timeline.rulebooks] == ["2013-01-01", "2016-02-01"]
    assert timeline.stop_reason is None and timeline.until == date(2017, 9, 30)
    change = next(c for c in timeline.changes if c.day == date(2016, 2, 1))
    assert change.rulebook_changed and change.statuses["arbetslivsintroduktion"] == ("not_eligible", "not_in_force")
    assert timeline.status_on("handlingsplansamverkan", date(2016, 2, 1)) == "undetermined"


def test_ali_opens_for_a_benefit_that_ends_by_the_last_start_day(engine):
    """853 of 914 days used on 2015-12-01: the benefit ends 2016-01-30, so ALI can start on 2016-01-31."""
    case = {**SP_LATE_2015, "as_of": "2015-12-01",
            "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 853, "allvarlig_sjukdom": False}}
    timeline = build_timeline(engine, case, 3)
    assert timeline.status_on("arbetslivsintroduktion", date(2015, 12, 1)) == "eligible"
    assert timeline.stop_reason == "benefit_ended" and timeline.until == date(2016, 1, 30)


def test_the_day_of_the_sickness_period_moves_the_employees_entry_on_day_181(engine):
    """An employee on sjukpenning from 2010-01-01: not in the entry on day 180 (2010-06-29), in it from day 181."""
    case = {"as_of": "2010-06-01", "person": {"birth_date": "1970-05-05", "employment": "anstalld"},
            "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 152, "allvarlig_sjukdom": False,
                        "sickness_period_start": "2010-01-01"}}
    timeline = build_timeline(engine, case, 2)
    segments = [(s.start, s.status) for s in timeline.programmes["anstalld_hela_arbetsmarknaden"]]
    assert segments == [(date(2010, 6, 1), "not_eligible"), (date(2010, 6, 30), "eligible")]


def test_sjukpenning_days_grow_until_the_benefit_ends(engine):
    # 2011-03-15, 700 days used: end_exclusive 2011-10-15; ALI opens when fewer than 6 months remain.
    case = {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02", "employment": "arbetslos"},
            "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 700, "allvarlig_sjukdom": False}}
    timeline = build_timeline(engine, case, 12)
    assert timeline.stop_reason == "benefit_ended"
    assert timeline.until == date(2011, 10, 14)
    ali = timeline.programmes["arbetslivsintroduktion"]
    assert [(s.start, s.status) for s in ali] == [(date(2011, 3, 15), "not_eligible"), (date(2011, 4, 16), "eligible")]
    # Last day with 6 months left is 2011-04-15 (README example); the assessment is unknown before it.
    assert timeline.status_on("handlingsplansamverkan", date(2011, 4, 15)) == "undetermined"
    assert timeline.status_on("handlingsplansamverkan", date(2011, 4, 16)) == "not_eligible"


def test_aktivitetsersattning_gains_ali_on_2012_01_01(engine):
    case = {"as_of": "2011-11-15", "person": {"birth_date": "1982-04-10", "employment": "arbetslos"},
            "benefit": {"type": "aktivitetsersattning", "decision_end": "2012-06-30"}}
    timeline = build_timeline(engine, case, 12)
    assert timeline.status_on("arbetslivsintroduktion", date(2011, 12, 31)) == "not_eligible"
    assert timeline.status_on("arbetslivsintroduktion", date(2012, 1, 1)) == "eligible"
    assert timeline.status_on("rehabiliteringssamverkan", date(2011, 12, 31)) == "not_in_force"
    # AE ends the month before the 30th birthday (2012-04-10): the timeline stops there.
    assert (timeline.until, timeline.stop_reason) == (date(2012, 3, 31), "benefit_ended")


def test_tbs_timeline_ends_with_the_transition(engine):
    case = {"as_of": "2012-09-01", "person": {"birth_date": "1960-01-01", "employment": "arbetslos"},
            "benefit": {"type": "tidsbegransad_sjukersattning", "decision_end": "2012-12-31",
                        "tbs_extension_months_used": 6}}
    timeline = build_timeline(engine, case, 24)
    assert timeline.until == date(2012, 12, 31)
    assert [span.rulebook for span in timeline.rulebooks] == ["2012-01-01"]


def test_exhausted_benefit_gives_a_one_day_timeline(engine):
    case = {"as_of": "2014-05-05", "person": {"birth_date": "1970-05-05"},
            "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 914, "allvarlig_sjukdom": False}}
    timeline = build_timeline(engine, case)
    assert (timeline.until, timeline.stop_reason) == (date(2014, 5, 5), "benefit_ended")
    assert timeline.status_on("arbetslivsintroduktion", date(2014, 5, 5)) == "eligible"


def test_invalid_case_is_a_case_error(engine):
    with pytest.raises(CaseError):
        build_timeline(engine, {**SP_LATE_2015, "as_of": "2008-06-30"})


def test_days_used_up_with_allvarlig_sjukdom_unknown_stop_the_timeline_that_day(reference):
    """900 of 914 days on 2011-03-15, flag blank: day 915 is 2011-03-30, not the next month start."""
    timeline = build_timeline(reference, SP_FLAG_UNKNOWN_900_DAYS, 3)
    assert (timeline.until, timeline.stop_reason) == (date(2011, 3, 29), "sjukpenning_days_used_up")
    assert "allvarlig sjukdom" in timeline.stop_text_sv and "2011-03-30" in timeline.stop_text_sv
    with pytest.raises(CaseError):
        reference.evaluate(case_on(parse_case(SP_FLAG_UNKNOWN_900_DAYS), date(2011, 3, 30)))


def test_days_used_up_is_no_stop_under_the_law_without_a_limit(reference):
    """From 2016-02-01 sjukpenning has no 914-day limit: the same days do not end the timeline."""
    case = {**SP_FLAG_UNKNOWN_900_DAYS, "as_of": "2016-03-01"}
    timeline = build_timeline(reference, case, 3)
    assert timeline.stop_reason is None and timeline.until == date(2016, 5, 31)
