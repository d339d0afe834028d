"""Decisive unknowns (decision/exact.py, issue 17 items 1-2): decide what every allowed answer decides.

The examples of the issue decide as described; a property test holds the
layer to brute force on random cases: a status the layer decides holds for
randomly drawn allowed completions of the unknown facts too (soundness), and
every programme it leaves open has a question whose answers differ for it.
"""

from __future__ import annotations

import copy
import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings

from eligibility import CaseError
from eligibility.case.fields import contract_fields
from eligibility.models import Status
from strategies import valid_cases

ALL_POSITIVE = {"fardigutredd": True, "capacity_can_improve": True, "sassam_done": True, "hours_per_week": 12,
                "months_in_handlingsplansamverkan": 0, "needs_vocational_rehabilitation": True,
                "stadigvarande_nedsatt_arbetsformaga": True}


def test_allvarlig_sjukdom_unknown_decides_when_both_answers_agree(exact_engine, kleene):
    """The issue's first example: 300 of 914 days on 2010-05-01, allvarlig sjukdom not filled in."""
    case = {"as_of": "2010-05-01", "person": {"birth_date": "1970-05-05", "employment": "arbetslos"},
            "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 300}, "assessment": ALL_POSITIVE}
    assert kleene.evaluate(case).status_of("handlingsplansamverkan") is Status.UNDETERMINED
    decided = exact_engine.evaluate(case)
    assert decided.status_of("handlingsplansamverkan") is Status.ELIGIBLE
    assert decided.status_of("arbetslivsintroduktion") is Status.NOT_ELIGIBLE
    assert "benefit.allvarlig_sjukdom" not in [q.fact for q in decided.questions]
    assert decided.record("minst_sex_manader_kvar").outcome.value == "uppfyllt"
    assert "oavsett om personen har en allvarlig sjukdom" in decided.record("minst_sex_manader_kvar").explanation_sv


def test_decision_end_unknown_with_the_30th_birthday_four_months_away(exact_engine, kleene):
    """The issue's second example: aktivitetsersättning, decision_end unknown, the age limit in four months:
    fewer than six months are left whatever the decision says."""
    case = {"as_of": "2011-01-10", "person": {"birth_date": "1981-05-20", "employment": "arbetslos"},
            "benefit": {"type": "aktivitetsersattning"}, "assessment": ALL_POSITIVE}
    assert kleene.evaluate(case).record("minst_sex_manader_kvar").outcome.value == "ej utrett"
    decided = exact_engine.evaluate(case)
    assert decided.record("minst_sex_manader_kvar").outcome.value == "ej uppfyllt"
    assert decided.status_of("handlingsplansamverkan") is Status.NOT_ELIGIBLE


def test_employment_unknown_but_a_target_group_under_either_answer(exact_engine, kleene):
    """The issue's third example: employment unknown, but unemployed -> group 1 and employed who cannot return
    -> group 4: tillhör målgrupp either way."""
    case = {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02", "can_return_to_employer": False},
            "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 300, "allvarlig_sjukdom": False},
            "assessment": ALL_POSITIVE}
    assert kleene.evaluate(case).record("tillhor_malgrupp").outcome.value == "ej utrett"
    decided = exact_engine.evaluate(case)
    assert decided.record("tillhor_malgrupp").outcome.value == "uppfyllt"
    assert decided.status_of("handlingsplansamverkan") is Status.ELIGIBLE


def test_a_question_says_what_each_answer_does(exact_engine):
    """750 of 914 days on 2011-03-15 (end 2011-08-19): with allvarlig sjukdom handlingsplansamverkan holds,
    without it fewer than six months are left: the question names both answers' effects."""
    case = {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02", "employment": "arbetslos"},
            "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 750}, "assessment": ALL_POSITIVE}
    decided = exact_engine.evaluate(case)
    question = next(q for q in decided.questions if q.fact == "benefit.allvarlig_sjukdom")
    texts = {a.answer_sv: a.statuses["handlingsplansamverkan"] for a in question.answers}
    assert texts == {"ja": Status.ELIGIBLE, "nej": Status.NOT_ELIGIBLE}
    assert question.answers[0].text_sv.startswith("Om ja: Handlingsplansamverkan uppfyller villkoren")
    # Key dates that depend on the answer are given per answer: without allvarlig sjukdom the 164 days left
    # end on 2011-08-25; with it there is no end (no date given).
    no = next(a for a in question.answers if a.answer_sv == "nej")
    assert no.key_dates["benefit_last_day"] == date(2011, 8, 25) and no.key_dates["sjukpenning_days_left"] == 164
    assert no.text_sv.endswith("Ersättningen räcker då till och med 25 augusti 2011.")
    assert "benefit_last_day" not in next(a for a in question.answers if a.answer_sv == "ja").key_dates


def test_a_forbidden_fact_is_never_asked(exact_engine):
    """Nobody is refused the benefit they have: an aktivitetsersättning case is not asked about it."""
    case = {"as_of": "2012-03-01", "person": {"birth_date": "1990-01-01", "employment": "arbetslos"},
            "benefit": {"type": "aktivitetsersattning", "decision_end": "2013-06-30"}}
    asked = [q.fact for q in exact_engine.evaluate(case).questions]
    assert "benefit.aktivitetsersattning_refused" not in asked


def _random_completion(rng: random.Random, case: dict, fields: list[str]) -> dict:
    done = copy.deepcopy(case)
    specs = contract_fields()
    as_of = date.fromisoformat(case["as_of"])
    for path in fields:
        spec, (section, name) = specs[path], path.split(".", 1)
        if spec.type is bool:
            value = rng.random() < 0.5
        elif spec.codes:
            value = rng.choice(spec.codes)
        elif spec.type is date:
            value = (as_of + timedelta(days=rng.randint(-800, 2000))).isoformat()
        elif spec.type is int:
            value = rng.choice([rng.randint(0, 1000), rng.randint(0, int(spec.le or 100))])
        else:
            value = round(rng.uniform(0, float(spec.le or 100)), 1)
        done.setdefault(section, {})[name] = value
    return done


@settings(max_examples=60, deadline=None)
@given(case=valid_cases())
def test_decided_statuses_hold_for_every_sampled_completion(exact_reference, reference, case):
    """Soundness against brute force: what the layer decides holds for random allowed completions."""
    kleene = reference.evaluate(case, explain=False)
    decided = exact_reference.evaluate(case, explain=False)
    settled = [pid for pid, p in decided.programmes.items()
               if kleene.programmes[pid].status is Status.UNDETERMINED and p.status is not Status.UNDETERMINED]
    for pid, programme in kleene.programmes.items():
        if programme.status is not Status.UNDETERMINED:  # Kleene is sound: the layer never changes it
            assert decided.programmes[pid].status is programme.status, pid
    if not settled:
        return
    unknown = sorted({f for r in kleene.conditions for f in r.missing_facts if f in contract_fields()})
    rng = random.Random(str(case))
    for _ in range(60):
        try:
            completed = reference.evaluate(_random_completion(rng, case, unknown), explain=False)
        except CaseError:
            continue
        for pid in settled:
            status = completed.programmes[pid].status
            assert status in (decided.programmes[pid].status, Status.UNDETERMINED), (pid, status)


@settings(max_examples=25, deadline=None)
@given(case=valid_cases())
def test_every_open_programme_has_a_question_that_can_change_it(exact_reference, case):
    decided = exact_reference.evaluate(case, explain=False)
    for pid, programme in decided.programmes.items():
        if programme.status is Status.UNDETERMINED:
            assert any(pid in q.programmes for q in decided.questions), pid


@pytest.mark.parametrize(("case", "fact", "settled"), [
    # number: days used unknown, allvarlig sjukdom false, 2011-03-15: at most 730 days used leaves six months.
    ({"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02", "employment": "arbetslos"},
      "benefit": {"type": "sjukpenning", "allvarlig_sjukdom": False}, "assessment": ALL_POSITIVE},
     "benefit.sjukpenning_days_used", {"handlingsplansamverkan"}),
    # date: the decision's last day unknown for TBS in 2012: it decides handlingsplansamverkan's six months.
    ({"as_of": "2012-03-01", "person": {"birth_date": "1965-03-10", "employment": "arbetslos"},
      "benefit": {"type": "tidsbegransad_sjukersattning", "tbs_extension_months_used": 5,
                  "tbs_after_aktivitetsersattning_at_30": False}, "assessment": {**ALL_POSITIVE}},
     "benefit.decision_end", {"handlingsplansamverkan"}),
    # code: employment unknown for someone on sjukersättning who could return to the employer: group 2 if
    # unemployed, no group if employed.
    ({"as_of": "2011-03-15", "person": {"birth_date": "1960-06-02", "can_return_to_employer": True},
      "benefit": {"type": "sjukersattning"}, "assessment": ALL_POSITIVE},
     "person.employment", {"handlingsplansamverkan"}),
])
def test_each_kind_of_unknown_is_asked_with_the_boundary_that_matters(exact_engine, case, fact, settled):
    """A number, a date and a code whose answer decides: asked, with answers that settle the programme."""
    decided = exact_engine.evaluate(case)
    question = next(q for q in decided.questions if q.fact == fact)
    assert settled <= set(question.programmes)
    statuses = {a.statuses["handlingsplansamverkan"] for a in question.answers}
    assert statuses == {Status.ELIGIBLE, Status.NOT_ELIGIBLE}, [a.text_sv for a in question.answers]
    if fact != "person.employment":  # a number or a date: the answers are stretches around the boundary
        assert any("högst" in a.answer_sv for a in question.answers)
        assert any("minst" in a.answer_sv for a in question.answers)


def test_the_boundary_of_a_number_is_exact(exact_engine):
    """2011-03-15 + 6 months = 2011-09-15, 184 days on: with 730 of 914 days used the first day without
    sjukpenning is 2011-09-15 (exactly six months: handlingsplansamverkan holds), with 731 it is a day
    short: the answer stretches cut exactly there."""
    case = {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02", "employment": "arbetslos"},
            "benefit": {"type": "sjukpenning", "allvarlig_sjukdom": False}, "assessment": ALL_POSITIVE}
    question = next(q for q in exact_engine.evaluate(case).questions if q.fact == "benefit.sjukpenning_days_used")
    by_answer = {a.answer_sv: a.statuses["handlingsplansamverkan"] for a in question.answers}
    assert by_answer == {"antal använda sjukpenningdagar högst 730": Status.ELIGIBLE,
                         "antal använda sjukpenningdagar minst 731": Status.NOT_ELIGIBLE}
