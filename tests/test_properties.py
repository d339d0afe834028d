"""Invariants that must hold for every valid case (hypothesis)."""

from __future__ import annotations

import copy
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility import Utfall
from strategies import valid_cases

UNKNOWABLE = ["fardigutredd", "capacity_can_improve", "sassam_done", "hours_per_week",
              "stadigvarande_nedsatt_arbetsformaga", "months_in_handlingsplansamverkan",
              "needs_vocational_rehabilitation"]


@settings(max_examples=300, deadline=None)
@given(case=valid_cases())
def test_deterministic(engine, case):
    assert engine.evaluate(case).model_dump() == engine.evaluate(copy.deepcopy(case)).model_dump()


@settings(max_examples=300, deadline=None)
@given(case=valid_cases())
def test_decision_names_the_rulebook_in_force(engine, books, case):
    decision = engine.evaluate(case)
    in_force = [b for b in books if b.covers(decision.as_of)]
    assert len(in_force) == 1
    assert decision.rulebook.id == in_force[0].id
    assert decision.rulebook.content_hash == in_force[0].content_hash


@settings(max_examples=300, deadline=None)
@given(case=valid_cases())
def test_every_record_has_a_source_and_unknowns_name_their_facts(engine, case):
    decision = engine.evaluate(case)
    for record in decision.conditions:
        assert record.source.document or record.source.lagrum, record.condition
        if record.outcome is Utfall.EJ_UTRETT:
            assert record.missing_facts, record.condition
    for programme in decision.programmes.values():
        if programme.status.value == "undetermined":
            assert any(programme.programme in q.programmes for q in decision.questions)


@settings(max_examples=300, deadline=None)
@given(case=valid_cases(), forget=st.sets(st.sampled_from(UNKNOWABLE + ["employment"]), min_size=1))
def test_unknown_never_becomes_ej_uppfyllt(engine, case, forget):
    """Making facts unknown can only turn an outcome into ej utrett (Kleene monotonicity)."""
    vaguer = copy.deepcopy(case)
    for name in forget:
        section = vaguer["person"] if name == "employment" else vaguer["assessment"]
        section[name] = None
    before = {r.condition: r.outcome for r in engine.evaluate(case).conditions}
    after = {r.condition: r.outcome for r in engine.evaluate(vaguer).conditions}
    for condition, outcome in after.items():
        assert outcome in (before[condition], Utfall.EJ_UTRETT), condition


@settings(max_examples=200, deadline=None)
@given(as_of=st.integers(date(2008, 7, 1).toordinal(), date(2015, 12, 31).toordinal()).map(date.fromordinal),
       used=st.integers(0, 914), more=st.integers(1, 400))
def test_more_days_used_never_gives_more_days_left(engine, as_of, used, more):
    def days_left(days_used: int) -> int:
        case = {"as_of": as_of.isoformat(), "person": {"birth_date": "1970-05-05"},
                "benefit": {"type": "sjukpenning", "sjukpenning_days_used": days_used, "allvarlig_sjukdom": False}}
        return engine.evaluate(case).key_dates.sjukpenning_days_left

    assert days_left(min(914, used + more)) <= days_left(used)
