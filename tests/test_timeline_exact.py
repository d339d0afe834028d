"""The timeline under exact decisions (issue 17 item 4): completions fixed on ``as_of``, change days complete.

On every day of the timeline the case is decided exactly with the unknown
facts completed as allowed on the case's own ``as_of`` and moved to the day
(``exact.Origin``): advancing time never makes an unknown fact known. The
change days include those of every allowed completion at the ends of its
stretches, so evaluating only them is exact: a day-by-day walk agrees.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eligibility import Evaluator
from eligibility.case.validate import parse_case
from eligibility.decision.exact import Origin
from eligibility.history.timeline import build_timeline, case_on
from strategies import valid_cases

SP_FLAG_UNKNOWN = {"as_of": "2011-03-15", "person": {"birth_date": "1970-01-01", "employment": "arbetslos"},
                   "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 700},
                   "assessment": {"fardigutredd": True, "capacity_can_improve": True, "sassam_done": True,
                                  "hours_per_week": 12, "months_in_handlingsplansamverkan": 0}}


def _walk(evaluator, case, day):
    origin = Origin(case, evaluator.rulebook_for(case.as_of), lambda completed: case_on(completed, day))
    decision = evaluator.evaluate(case_on(case, day), explain=False, origin=origin)
    statuses = {pid: p.status.value for pid, p in decision.programmes.items()}
    statuses.update({pid: "not_in_force" for pid in decision.not_in_force})
    return statuses


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=valid_cases(), months=st.integers(1, 4))
@example(data=SP_FLAG_UNKNOWN, months=3)
def test_exact_change_days_agree_with_a_day_by_day_walk(exact_reference, data, months):
    case = parse_case(data)
    timeline = build_timeline(exact_reference, case, months)
    day = case.as_of
    while day <= timeline.until:
        for pid, status in _walk(exact_reference, case, day).items():
            assert timeline.status_on(pid, day) == status, (pid, day)
        day += timedelta(days=1)


def test_the_first_day_is_the_exact_decision(exact_reference):
    """On ``as_of`` the timeline shows the exact decision itself (the completions are those of that day)."""
    case = parse_case(SP_FLAG_UNKNOWN)
    timeline = build_timeline(exact_reference, case, 2)
    decision = exact_reference.evaluate(case, explain=False)
    for pid, result in decision.programmes.items():
        assert timeline.status_on(pid, case.as_of) == result.status.value


def test_the_issue_example_over_time(exact_reference, books):
    """700 of 914 days on 2011-03-15, allvarlig sjukdom unknown: at least six months are left either way until
    2011-04-15, so handlingsplansamverkan is eligible; from 2011-04-16 fewer than six are left unless the
    illness is serious: open (Kleene: open from the first day)."""
    timeline = build_timeline(exact_reference, SP_FLAG_UNKNOWN, 3)
    segments = [(s.start.isoformat(), s.status) for s in timeline.programmes["handlingsplansamverkan"]]
    assert segments == [("2011-03-15", "eligible"), ("2011-04-16", "undetermined")]
    kleene = build_timeline(Evaluator(books, "reference", exact=False), SP_FLAG_UNKNOWN, 3)
    assert [s.status for s in kleene.programmes["handlingsplansamverkan"]] == ["undetermined"]
