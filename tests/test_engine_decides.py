"""The durable-rules engine decides composites, target groups and programme statuses itself.

Three things are shown here: the chained Kleene rules are right on hand-built
outcomes (every u/n/x combination, AND and ANY, at two levels); the engine
backend's decision does not go through the Python Kleene fold at all; and the
engine's invariants (exactly one outcome per condition and level) raise
``EngineError`` when broken.
"""

from __future__ import annotations

import itertools
import json

import durable_rules_engine as dre
import pytest

from eligibility.decision import evaluator as decide
from eligibility.conditions import kleene_and, kleene_or
from eligibility.backends.engine import Combined, CompiledRulebook, kleene_rules, levels
from eligibility.errors import EngineError
from eligibility.models import Utfall
from eligibility.rulebooks.plan import make_plan

CODE = {Utfall.UPPFYLLT: "u", Utfall.EJ_UPPFYLLT: "n", Utfall.EJ_UTRETT: "x"}
OUTCOME = {code: outcome for outcome, code in CODE.items()}

# Level 1 over leaves a, b, c; level 2 over level 1 and leaf d.
LEVEL_1 = [Combined("all_abc", ("a", "b", "c"), False), Combined("any_abc", ("a", "b", "c"), True)]
LEVEL_2 = [Combined("all_top", ("all_abc", "any_abc", "d"), False), Combined("any_top", ("all_abc", "d"), True)]


@pytest.fixture(scope="module")
def chained():
    """A ruleset of only the two hand-built levels, driven like the engine drives its own."""
    rules = {}
    for level, members in ((1, LEVEL_1), (2, LEVEL_2)):
        for member in members:
            rules.update(kleene_rules(member, level))
    handle = dre.create_ruleset("test_engine_decides_chained", json.dumps(rules))
    sessions = itertools.count()

    def run(leaves: dict[str, str]) -> dict[str, str]:
        sid = str(next(sessions))
        codes = dict(leaves)
        try:
            for level in (1, 2):
                fired = _fire(handle, {"t": f"l{level}", "sid": sid, **codes})
                for rule in fired:
                    name, code = rule.rsplit("|", 1)
                    assert name not in codes, f"{name} decided twice ({fired})"
                    codes[name] = code
        finally:
            dre.delete_state(handle, sid)
        return codes

    return run


def _fire(handle: int, fact: dict[str, str]) -> list[str]:
    state = dre.assert_fact(handle, json.dumps(fact))[1]
    action = dre.start_action_for_state(handle, state)
    message = action[1] if action else None
    fired = []
    while message:
        fired.append(message[2:message.index('"', 2)])
        message = dre.complete_and_start_action(handle, state)
    return fired


def _kleene(item: Combined, codes: dict[str, str]) -> str:
    fold = kleene_or if item.any_of else kleene_and
    return CODE[fold(OUTCOME[codes[part]] for part in item.parts)]


@pytest.mark.parametrize("a, b, c, d", list(itertools.product("unx", repeat=4)))
def test_chained_kleene_rules_on_hand_built_outcomes(chained, a, b, c, d):
    codes = chained({"a": a, "b": b, "c": c, "d": d})
    expected = {"a": a, "b": b, "c": c, "d": d}
    for item in [*LEVEL_1, *LEVEL_2]:
        expected[item.name] = _kleene(item, expected)
    assert codes == expected


def test_levels_follow_the_plan(books):
    for book in books:
        found = levels(make_plan(book))
        depth = {item.name: level for level, members in enumerate(found) for item in members}
        assert {name for name in depth if not name.startswith("programme:")} == set(book.all_conditions())
        assert {name[len("programme:"):] for name in depth if name.startswith("programme:")} == set(book.programmes)
        for level, members in enumerate(found):
            for item in members:
                if level:
                    assert max(depth[part] for part in item.parts) == level - 1


def test_engine_decision_does_not_use_the_python_fold(engine, reference, monkeypatch):
    # tests/cases/malgrupp_1_sjukskriven_arbetslos.yaml without hours_per_week: undetermined and not
    # eligible programmes, composites of all three outcomes.
    case = {"as_of": "2011-03-15", "person": {"personnummer": "198506021230", "employment": "arbetslos"},
            "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 300, "allvarlig_sjukdom": False},
            "assessment": {"fardigutredd": True, "capacity_can_improve": True, "sassam_done": True,
                           "months_in_handlingsplansamverkan": 0}}
    expected = reference.evaluate(case)

    def forbidden(*args, **kwargs):
        raise AssertionError("the engine backend must not fold outcomes in Python")

    monkeypatch.setattr(decide, "combine", forbidden)
    monkeypatch.setattr(decide, "programme_statuses", forbidden)
    decision = engine.evaluate(case)
    assert {p: r.status for p, r in decision.programmes.items()} == \
        {p: r.status for p, r in expected.programmes.items()}
    assert [(r.condition, r.outcome) for r in decision.conditions] == \
        [(r.condition, r.outcome) for r in expected.conditions]
    assert decision.target_groups == expected.target_groups
    with pytest.raises(AssertionError, match="must not fold"):
        reference.evaluate(case)


@pytest.fixture(scope="module")
def compiled(books):
    return CompiledRulebook(books[-1])


def _level_1_fired(compiled: CompiledRulebook) -> list[str]:
    return [f"{item.name}|u" for item in compiled._levels[1]]


def test_a_level_with_a_missing_outcome_raises(compiled):
    fired = _level_1_fired(compiled)[1:]
    with pytest.raises(EngineError, match="no rule fired for"):
        compiled._check(1, fired, {})


def test_a_condition_with_two_outcomes_raises(compiled):
    fired = _level_1_fired(compiled)
    name = fired[0].rsplit("|", 1)[0]
    with pytest.raises(EngineError, match=f"'{name}' got two outcomes"):
        compiled._check(1, [*fired, f"{name}|n"], {})


def test_a_rule_firing_outside_its_level_raises(compiled):
    leaf = compiled.leaves[0]
    with pytest.raises(EngineError, match="outside its level"):
        compiled._check(1, [*_level_1_fired(compiled), f"{leaf}|u"], {})
