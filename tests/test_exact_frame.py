"""The exact layer over the frame backend (``decision/exact_frame.py``) decides as the per-case evaluator.

The same shared code finds each open row's completions (``exact.prepare``);
the frame backend decides them; so statuses, condition outcomes and the
questions of a caseload must equal ``Evaluator(exact=True)`` case by case, on
random cases with unknowns and on the regression corpus, through the
caseload's result frame too.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligibility import CaseError
from eligibility.case.read import CaseLine
from eligibility.caseload.result_frame import result_frame
from eligibility.decision.exact_frame import EXACT_QUESTIONS, decide_caseload
from random_cases import generate_cases
from strategies import valid_cases

CORPUS = Path(__file__).parent / "regression" / "corpus.jsonl"
_VALUE = {"uppfyllt": True, "ej uppfyllt": False, "ej utrett": None}


def _mismatches(cases, books, exact_reference):
    rows = decide_caseload(cases, books, questions=True).to_dicts()
    found = []
    for case, row in zip(cases, rows):
        try:
            decision = exact_reference.evaluate(case, explain=False)
        except CaseError:
            assert row["error"] is not None
            continue
        expected = {f"status.{p}": r.status.value for p, r in decision.programmes.items()}
        groups = {g.target_group for g in decision.target_groups}
        expected.update({("target_group." if r.condition in groups else "condition.") + r.condition:
                         _VALUE[r.outcome.value] for r in decision.conditions})
        got = {name: row[name] for name in expected}
        asked = ";".join(q.fact for q in decision.questions)
        if got != expected or (row[EXACT_QUESTIONS] is not None and row[EXACT_QUESTIONS] != asked):
            found.append((case, {k: (got[k], v) for k, v in expected.items() if got[k] != v}))
    return found


def test_random_caseload_decides_as_case_by_case(books, exact_reference):
    assert _mismatches(generate_cases(300, 17), books, exact_reference) == []


def test_the_corpus_decides_as_case_by_case(books, exact_reference):
    cases = [json.loads(line)["case"] for line in CORPUS.read_text(encoding="utf-8").splitlines()][::3]
    assert _mismatches(cases, books, exact_reference) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases=st.lists(valid_cases(), min_size=1, max_size=6))
def test_any_chunk_decides_as_case_by_case(books, exact_reference, cases):
    assert _mismatches(cases, books, exact_reference) == []


def test_the_result_frame_asks_what_the_evaluator_asks(books, exact_reference):
    """The caseload's result frame (frame backend + exact layer) against the per-case adapter, both exact."""
    lines = [CaseLine(line=i + 1, case_id=str(i), data=case) for i, case in enumerate(generate_cases(150, 23))]
    framed = result_frame(lines, exact_reference)
    per_case = result_frame(lines, exact_reference, per_case=True)
    columns = [c for c in framed.columns if c.startswith(("status.", "condition.", "target_group.")) or c == "questions"]
    assert framed.select(columns).equals(per_case.select(columns))


def test_the_issue_example_is_decided_in_a_caseload(books):
    """300 of 914 days on 2010-05-01, allvarlig sjukdom not filled in: eligible either way, nothing asked."""
    case = {"as_of": "2010-05-01", "person": {"birth_date": "1970-05-05", "employment": "arbetslos"},
            "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 300},
            "assessment": {"fardigutredd": True, "capacity_can_improve": True, "sassam_done": True,
                           "hours_per_week": 12, "months_in_handlingsplansamverkan": 0,
                           "needs_vocational_rehabilitation": True, "stadigvarande_nedsatt_arbetsformaga": True}}
    row = decide_caseload([case], books, questions=True).to_dicts()[0]
    assert row["status.handlingsplansamverkan"] == "eligible"
    assert row["status.arbetslivsintroduktion"] == "not_eligible"
    assert "benefit.allvarlig_sjukdom" not in (row[EXACT_QUESTIONS] or "")
