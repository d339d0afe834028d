"""The durable-rules engine agrees with the plain-Python reference evaluator.

At least 2 000 random valid cases per run (all benefit types, ages 17–66,
dates 2008–2020 across all rulebooks, unknown facts): every condition outcome and every
programme status must be identical.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

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
    assert {p: r.status for p, r in by_engine.programmes.items()} == \
        {p: r.status for p, r in by_reference.programmes.items()}
    assert by_engine.explanation_sv == by_reference.explanation_sv
