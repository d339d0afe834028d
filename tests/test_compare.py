"""compare: the same case under two rulebooks; statuses and conditions that differ, and why."""

from __future__ import annotations

import pytest

from eligibility import CaseError, RulebookNotFoundError
from eligibility.history.compare import compare_case, compare_decisions
from eligibility.models import Status, Utfall

# Sjukpenning with 14 days left on 2009-12-31: ALI does not exist under 2008-07-01, applies under 2010-01-01.
RUNNING_OUT = {"as_of": "2009-12-31", "person": {"birth_date": "1970-01-01", "employment": "arbetslos"},
               "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 900, "allvarlig_sjukdom": False}}


def test_programme_only_in_one_rulebook(engine):
    result = compare_case(engine, RUNNING_OUT, "2008-07-01", "2010-01-01")
    ali = next(p for p in result.programmes if p.programme == "arbetslivsintroduktion")
    assert ali.changed and ali.status_a is None and ali.status_b is Status.ELIGIBLE
    assert ali.not_in_force_a and ali.not_in_force_b is None
    assert ali.differing_conditions[0] == "ersattningen_tar_slut_ali"
    cond = next(c for c in result.conditions if c.condition == "ersattningen_tar_slut_ali")
    assert (cond.outcome_a, cond.outcome_b) == (None, Utfall.UPPFYLLT)
    assert cond.explanation_a_sv is None and cond.explanation_b_sv
    assert not result.same_statuses
    hps = next(p for p in result.programmes if p.programme == "handlingsplansamverkan")
    assert not hps.changed and hps.differing_conditions == []


def test_same_rulebook_twice_has_no_differences(engine):
    result = compare_case(engine, RUNNING_OUT, "2010-01-01", "2010-01-01")
    assert result.same_statuses and result.conditions == [] and result.key_dates == []
    assert all(not p.changed for p in result.programmes)


def test_status_change_names_the_condition_and_the_facts(engine):
    before = engine.evaluate({**RUNNING_OUT, "as_of": "2011-03-15",
                              "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 700,
                                          "allvarlig_sjukdom": False}})
    after = engine.evaluate({**RUNNING_OUT, "as_of": "2011-03-15",
                             "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 800,
                                         "allvarlig_sjukdom": False}})
    result = compare_decisions(before, after)
    ali = next(p for p in result.programmes if p.programme == "arbetslivsintroduktion")
    assert (ali.status_a, ali.status_b) == (Status.NOT_ELIGIBLE, Status.ELIGIBLE)
    # The composite and the leaf under it are both named; the leaf carries the facts that moved.
    assert {"sjukpenningen_riskerar_att_ta_slut", "farre_an_sex_manader_kvar"} <= set(ali.differing_conditions)
    leaf = next(c for c in result.conditions if c.condition == "farre_an_sex_manader_kvar")
    assert (leaf.outcome_a, leaf.outcome_b) == (Utfall.EJ_UPPFYLLT, Utfall.UPPFYLLT)
    assert "benefit_end_exclusive" in {f.path for f in leaf.facts_changed}
    assert leaf.explanation_a_sv != leaf.explanation_b_sv
    assert "benefit_last_day" in {f.path for f in result.key_dates}


def test_errors(engine):
    with pytest.raises(RulebookNotFoundError):
        compare_case(engine, RUNNING_OUT, "2008-07-01", "1999-01-01")
    with pytest.raises(CaseError):
        compare_case(engine, {**RUNNING_OUT, "benefit": {"type": "okand"}}, "2008-07-01", "2010-01-01")
