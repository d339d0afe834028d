"""Exact decisions: the durable-rules engine and the reference evaluator agree, questions included.

The exact layer (decision/exact.py) decides every completion *by the backend*,
so the two backends can only agree on an exact decision if they agree on every
completed case. Both must give the same programme statuses, condition and
target group outcomes, key dates and the same questions: fact, programmes and,
per answer, its text, the statuses it gives the open programmes and its key
dates. Random valid cases (``strategies.valid_cases``) and the whole
regression corpus (every other case).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, settings

from bruteforce import decision_parts
from eligibility import CaseError, Evaluator
from strategies import valid_cases


def _differences(case, engine: Evaluator, reference: Evaluator) -> list[str]:
    """How the two exact decisions of ``case`` differ (both refusing it alike: no difference)."""
    try:
        by_engine = decision_parts(engine.evaluate(case, explain=False))
    except CaseError as exc:
        with pytest.raises(CaseError) as refused:
            reference.evaluate(case, explain=False)
        assert refused.value.problems == exc.problems
        return []
    by_reference = decision_parts(reference.evaluate(case, explain=False))
    found = []
    for part in ("statuses", "outcomes", "target_groups", "key_dates"):
        for name in sorted(set(by_engine[part]) | set(by_reference[part])):
            if by_engine[part].get(name) != by_reference[part].get(name):
                found.append(f"{part}.{name}: engine {by_engine[part].get(name)}, "
                             f"reference {by_reference[part].get(name)}")
    if by_engine["questions"] != by_reference["questions"]:
        found.append(f"questions:\n    engine    {by_engine['questions']}\n    reference {by_reference['questions']}")
    return found


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=valid_cases())
def test_engine_and_reference_decide_exactly_alike(exact_engine, exact_reference, case):
    problems = _differences(case, exact_engine, exact_reference)
    assert not problems, f"{case}\n  " + "\n  ".join(problems)
    event("questions with answers" if any(q.answers for q in _questions(exact_reference, case)) else "no answers")


def _questions(evaluator: Evaluator, case) -> list:
    try:
        return evaluator.evaluate(case, explain=False).questions
    except CaseError:
        return []


def test_engine_and_reference_decide_the_corpus_exactly_alike(exact_engine, exact_reference):
    """Every other case of the regression corpus (260)."""
    from eligibility.history.snapshot import default_dir, read_jsonl

    for item in read_jsonl(default_dir() / "corpus.jsonl")[::2]:
        problems = _differences(item["case"], exact_engine, exact_reference)
        assert not problems, f"{item['id']}\n  " + "\n  ".join(problems)
