"""Golden cases under exact semantics (``Evaluator(exact=True)``, decision/exact.py, issue 17).

Each ``tests/cases_exact/*.yaml`` holds one case with unknown facts and what the
exact decision must say: the format of ``tests/cases/`` (``name`` in Swedish,
``source``, ``case``, ``expect`` with ``programmes``, ``conditions``,
``target_groups``, ``key_dates`` and ``questions``, the exact list of facts
asked) plus ``answers``: per asked fact, the programmes the question names and
its answers in order, each with its Swedish text (``answer_sv``) and, where
given, the statuses it gives the open programmes (``null``: still open) and
its key dates (partial; ``null``: the answer must not give that date).

Every case runs through the durable-rules engine and the reference evaluator,
both with ``exact=True``. The expectations are worked out from the rule files
(each file's comment says how); ``test_expectations_hold_by_brute_force``
checks them once more, independently of the exact layer, against every
allowed completion of the unknown facts (``tests/bruteforce.py``). A file with
``xfail_reason`` documents a known defect of the exact layer: expected to
fail (strictly, so a fix is noticed), while its expectations still hold by
brute force.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bruteforce import Oracle, answer_class, in_class
from eligibility import Evaluator, load_rulebooks
from test_golden import _check_decision as check_golden_decision, _compare
from eligibility.case.yaml_loader import load_case_yaml
from eligibility.models import Status, Utfall

CASES_DIR = Path(__file__).parent / "cases_exact"
FILE_KEYS = {"name", "source", "case", "expect", "xfail_reason"}
EXPECT_KEYS = {"rulebook", "programmes", "conditions", "target_groups", "key_dates", "questions", "answers"}
ANSWER_KEYS = {"answer_sv", "statuses", "key_dates", "text_sv"}

BOOKS = load_rulebooks()
EVALUATORS = {"engine": Evaluator(BOOKS, "engine", exact=True), "reference": Evaluator(BOOKS, "reference", exact=True)}


def _load(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)  # expect: dates as dates, compared with the decision's
    where = path.relative_to(CASES_DIR.parent.parent)
    assert isinstance(data, dict), f"{where}: expected a mapping at top level"
    data["case"] = load_case_yaml(text)[0].get("case")  # the one case loader (dates as strings)
    assert not set(data) - FILE_KEYS, f"{where}: unknown top-level keys {sorted(set(data) - FILE_KEYS)}"
    for key in ("name", "source", "case", "expect"):
        assert key in data, f"{where}: missing '{key}'"
    expect = data["expect"]
    assert not set(expect) - EXPECT_KEYS, f"{where}: unknown expect keys {sorted(set(expect) - EXPECT_KEYS)}"
    assert "questions" in expect, f"{where}: an exact golden case says which questions are asked"
    for fact, asked in (expect.get("answers") or {}).items():
        assert fact in expect["questions"], f"{where}: answers for {fact}, which is not in questions"
        assert set(asked) <= {"programmes", "answers"}, f"{where}: answers.{fact}: unknown keys"
        for answer in asked.get("answers", []):
            assert set(answer) <= ANSWER_KEYS and "answer_sv" in answer, f"{where}: answers.{fact}: {answer}"
    return data


def _params() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = _load(path)
        marks = [pytest.mark.xfail(reason=data["xfail_reason"], strict=True)] if data.get("xfail_reason") else []
        params.append(pytest.param(path, data, id=path.stem, marks=marks))
    return params




def _value(status: Status | None) -> str | None:
    return None if status is None else status.value


def _check_answers(fact: str, expected: dict[str, Any], question: Any, diffs: list[str]) -> None:
    if "programmes" in expected:
        _compare(f"answers.{fact}.programmes", sorted(expected["programmes"]), sorted(question.programmes), diffs)
    if "answers" not in expected:
        return
    _compare(f"answers.{fact} (answer texts)", [a["answer_sv"] for a in expected["answers"]],
             [a.answer_sv for a in question.answers], diffs)
    found = {a.answer_sv: a for a in question.answers}
    for want in expected["answers"]:
        answer = found.get(want["answer_sv"])
        if answer is None:
            continue
        label = f"answers.{fact}[{want['answer_sv']}]"
        for pid, status in (want.get("statuses") or {}).items():
            _compare(f"{label}.statuses.{pid}", status,
                     _value(answer.statuses[pid]) if pid in answer.statuses else "(not open)", diffs)
        for name, value in (want.get("key_dates") or {}).items():
            _compare(f"{label}.key_dates.{name}", value, answer.key_dates.get(name), diffs)
        if "text_sv" in want:
            _compare(f"{label}.text_sv", want["text_sv"], answer.text_sv, diffs)


def _check_decision(expect: dict[str, Any], case: dict[str, Any], evaluator: Evaluator) -> list[str]:
    """The checks of tests/test_golden.py (statuses, outcomes, key dates, questions), then each answer's."""
    diffs = check_golden_decision(expect, case, evaluator)
    if not diffs:
        asked = {q.fact: q for q in evaluator.evaluate(case).questions}
        for fact, expected in (expect.get("answers") or {}).items():
            if fact in asked:
                _check_answers(fact, expected, asked[fact], diffs)
    return diffs


@pytest.mark.parametrize(("path", "data"), _params())
def test_exact_golden(path: Path, data: dict[str, Any]) -> None:
    """The exact decision for the file's case matches its expectations on both backends."""
    problems = []
    for backend, evaluator in EVALUATORS.items():
        problems += [f"[{backend}] {diff}" for diff in _check_decision(data["expect"], data["case"], evaluator)]
    if problems:
        pytest.fail(f"tests/cases_exact/{path.name} ({data['name']}):\n  " + "\n  ".join(problems), pytrace=False)


ORACLE = Oracle(BOOKS)


def _brute_force_problems(expect: dict[str, Any], case: dict[str, Any]) -> list[str]:
    bf = ORACLE.enumerate(case)
    found: list[str] = []
    for pid, status in (expect.get("programmes") or {}).items():
        seen = {s.value for s in bf.statuses(pid)}
        if (status == Status.UNDETERMINED.value) != (len(seen) > 1) or status != "undetermined" and seen != {status}:
            found.append(f"programmes.{pid}: expected {status}, completions give {sorted(seen)}")
    for cond_id, outcome in {**(expect.get("conditions") or {}), **(expect.get("target_groups") or {})}.items():
        seen = {o.value for o in bf.outcomes(cond_id)}
        if (outcome == Utfall.EJ_UTRETT.value) != (len(seen) > 1) or outcome != "ej utrett" and seen != {outcome}:
            found.append(f"conditions.{cond_id}: expected {outcome}, completions give {sorted(seen)}")
    moving = {path for path in bf.fields if bf.moves(path)}
    if set(expect["questions"] or []) != moving:
        found.append(f"questions: expected {sorted(expect['questions'] or [])}, the fields that change a status "
                     f"alone are {sorted(moving)}")
    for fact, expected in (expect.get("answers") or {}).items():
        if fact not in bf.fields:
            continue
        if "programmes" in expected and set(expected["programmes"]) != bf.moves(fact):
            found.append(f"answers.{fact}.programmes: expected {sorted(expected['programmes'])}, "
                         f"it moves {sorted(bf.moves(fact))}")
        index = bf.fields.index(fact)
        for want in expected.get("answers", []):
            klass = answer_class(fact, want["answer_sv"])
            rows = [row for row in bf.rows if in_class(row.values[index], klass)]
            if not rows:
                found.append(f"answers.{fact}[{want['answer_sv']}]: no allowed completion has such an answer")
                continue
            for pid, status in (want.get("statuses") or {}).items():
                seen = {row.statuses[pid].value for row in rows}
                if (status is None) != (len(seen) > 1) or status is not None and seen != {status}:
                    found.append(f"answers.{fact}[{want['answer_sv']}].{pid}: expected {status}, "
                                 f"completions give {sorted(seen)}")
            for name, value in (want.get("key_dates") or {}).items():
                seen_dates = {row.key_dates[name] for row in rows}
                if value is not None and seen_dates != {value} or value is None and len(seen_dates) == 1 \
                        and None not in seen_dates:
                    found.append(f"answers.{fact}[{want['answer_sv']}].key_dates.{name}: expected {value}, "
                                 f"completions give {sorted(map(str, seen_dates))}")
    return found


@pytest.mark.parametrize(("path", "data"), [pytest.param(p.values[0], p.values[1], id=p.id) for p in _params()])
def test_expectations_hold_by_brute_force(path: Path, data: dict[str, Any]) -> None:
    """The file's expectations, checked against every allowed completion with the plain Kleene evaluator
    (independent of the exact layer): a decided status or outcome is that of every completion, an open one
    differs between two, the questions are exactly the fields that alone change a status, and an answer's
    statuses and key dates hold for every completion with that answer (``null``: they differ)."""
    problems = _brute_force_problems(data["expect"], data["case"])
    if problems:
        pytest.fail(f"tests/cases_exact/{path.name} ({data['name']}):\n  " + "\n  ".join(problems), pytrace=False)
