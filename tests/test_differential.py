"""The durable-rules engine agrees with the plain-Python reference evaluator.

At least 2 000 random valid cases per run (all benefit types, ages 17–66,
dates 2008–2020 across all rulebooks, unknown facts): every condition outcome
(leaves, composites and target groups) and every programme status must be
identical. The engine decides all of them with its own rules; the reference
backend decides the leaves and folds them in Python (``decide.combine``,
``decide.programme_statuses``), so the two are computed independently.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from eligibility.decision.evaluator import combine, programme_statuses
from eligibility.backends.engine import CompiledRulebook
from eligibility.facts.derive import build_facts
from eligibility.backends.reference import ReferenceRulebook
from eligibility.case.validate import birth_date_of, check_against_rulebook, parse_case
from strategies import valid_cases


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=valid_cases())
def test_engine_equals_reference(engine, reference, case):
    by_engine = engine.evaluate(case)
    by_reference = reference.evaluate(case)
    assert by_engine.rulebook == by_reference.rulebook
    engine_outcomes = {r.condition: r.outcome for r in by_engine.conditions}
    reference_outcomes = {r.condition: r.outcome for r in by_reference.conditions}
    assert engine_outcomes == reference_outcomes
    assert set(engine_outcomes) == set(engine.rulebook_for(by_engine.as_of, by_engine.rulebook.id).all_conditions())
    assert by_engine.target_groups == by_reference.target_groups
    assert {p: r.status for p, r in by_engine.programmes.items()} == \
        {p: r.status for p, r in by_reference.programmes.items()}
    assert by_engine.explanation_sv == by_reference.explanation_sv


@pytest.fixture(scope="module")
def backends(books):
    """Both backends of every rulebook, with their plans, outside the evaluator."""
    return {book.id: (CompiledRulebook(book), ReferenceRulebook(book)) for book in books}


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=valid_cases())
def test_engine_statuses_equal_the_python_fold_of_reference_leaves(engine, backends, case):
    """What ``CompiledRulebook.decide`` returns, straight from the rules, against the oracle's fold."""
    parsed = parse_case(case)
    birth = birth_date_of(parsed)
    book = engine.rulebook_for(parsed.as_of)
    check_against_rulebook(parsed, birth, book)
    facts = build_facts(parsed, birth, book)
    compiled, reference = backends[book.id]
    outcomes, statuses = compiled.decide(facts)
    expected = combine(engine.plan_for(book.id), reference.evaluate_leaves(facts))
    assert outcomes == expected
    assert list(outcomes) == [planned.cond_id for planned in engine.plan_for(book.id).order]
    assert statuses == programme_statuses(book, expected)
