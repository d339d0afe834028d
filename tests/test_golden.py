"""Golden cases: law as data (style guide section 6).

Each ``tests/cases/*.yaml`` file holds one case and the parts of the decision
that matter to it. Every case runs through all three backends: the
durable-rules engine and the reference evaluator (whole decisions), and the
frame backend (``evaluate_caseload`` on a one-row caseload), which is held to
the parts it produces: rulebook, programme statuses, condition and target
group outcomes, key dates and the rejected field and code. It has no
``not_in_force`` list and no questions (those are built from its facts in
``caseload/questions.py``), so those two are compared for the other two
backends only. A failure names the file, the backend and the field that
differed. A file with ``xfail_reason`` documents a suspected engine
bug: it is expected to fail (strictly, so a fix is noticed).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import dataclasses
import pytest
import yaml

from eligibility import Evaluator, load_rulebooks
from eligibility.backends.frame import evaluate_caseload
from eligibility.case.yaml_loader import load_case_yaml
from eligibility.errors import CaseError

CASES_DIR = Path(__file__).parent / "cases"
FILE_KEYS = {"name", "source", "case", "expect", "xfail_reason"}
EXPECT_KEYS = {"rulebook", "programmes", "not_in_force", "conditions", "target_groups", "key_dates",
               "questions", "error"}

BOOKS = load_rulebooks()
EVALUATORS = {"engine": Evaluator(BOOKS), "reference": Evaluator(BOOKS, "reference")}
FRAME_OUTCOME = {True: "uppfyllt", False: "ej uppfyllt", None: "ej utrett"}


def _load(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)   # expect: dates as dates, compared with the decision's
    where = path.relative_to(CASES_DIR.parent.parent)
    assert isinstance(data, dict), f"{where}: expected a mapping at top level"
    # The case as check/timeline read it: the one case loader (YAML 1.2 core types, dates as strings).
    data["case"] = load_case_yaml(text)[0].get("case")
    unknown = set(data) - FILE_KEYS
    assert not unknown, f"{where}: unknown top-level keys {sorted(unknown)}"
    for key in ("name", "source", "case", "expect"):
        assert key in data, f"{where}: missing '{key}'"
    unknown = set(data["expect"]) - EXPECT_KEYS
    assert not unknown, f"{where}: unknown expect keys {sorted(unknown)}"
    if "error" in data["expect"]:
        assert set(data["expect"]) == {"error"}, f"{where}: 'error' cannot be combined with other expectations"
    return data


def _params() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = _load(path)
        marks = []
        if data.get("xfail_reason"):
            marks.append(pytest.mark.xfail(reason=data["xfail_reason"], strict=True))
        params.append(pytest.param(path, data, id=path.stem, marks=marks))
    return params


def _show(value: Any) -> str:
    return str(value) if isinstance(value, date) else repr(value)


def _compare(label: str, expected: Any, found: Any, diffs: list[str]) -> None:
    if expected != found:
        diffs.append(f"{label}: expected {_show(expected)}, found {_show(found)}")


def _check_error(expected: dict[str, Any], case: dict[str, Any], evaluator: Evaluator) -> list[str]:
    unknown = set(expected) - {"field", "code", "expected_contains"}
    assert not unknown, f"unknown keys in expect.error: {sorted(unknown)}"
    try:
        decision = evaluator.evaluate(case)
    except CaseError as exc:
        found = [(p.field, p.code) for p in exc.problems]
        for problem in exc.problems:
            if problem.field == expected["field"] and expected.get("code") in (None, problem.code):
                says = expected.get("expected_contains")
                if says and says not in problem.expected:
                    return [f"error: the problem on {problem.field!r} says {problem.expected!r}, not {says!r}"]
                return []
        return [f"error: expected a problem on {expected['field']!r} (code {expected.get('code')!r}), "
                f"found problems {found}"]
    return [f"error: expected CaseError on {expected['field']!r}, got a decision "
            f"(rulebook {decision.rulebook.id})"]


def _check_decision(expect: dict[str, Any], case: dict[str, Any], evaluator: Evaluator) -> list[str]:
    try:
        decision = evaluator.evaluate(case)
    except CaseError as exc:
        return [f"evaluate: unexpected CaseError: {exc}"]
    diffs: list[str] = []
    if "rulebook" in expect:
        _compare("rulebook", str(expect["rulebook"]), decision.rulebook.id, diffs)
    for pid, status in (expect.get("programmes") or {}).items():
        found = decision.programmes[pid].status.value if pid in decision.programmes else "(not in rulebook)"
        _compare(f"programmes.{pid}", status, found, diffs)
    if "not_in_force" in expect:
        _compare("not_in_force", sorted(expect["not_in_force"] or []), sorted(decision.not_in_force), diffs)
    for cond_id, outcome in (expect.get("conditions") or {}).items():
        try:
            found = decision.record(cond_id).outcome.value
        except KeyError:
            found = "(not checked)"
        _compare(f"conditions.{cond_id}", outcome, found, diffs)
    groups = {g.target_group: g.outcome.value for g in decision.target_groups}
    for group, outcome in (expect.get("target_groups") or {}).items():
        _compare(f"target_groups.{group}", outcome, groups.get(group, "(unknown group)"), diffs)
    key_dates = dataclasses.asdict(decision.key_dates)
    for name, value in (expect.get("key_dates") or {}).items():
        assert name in key_dates, f"unknown key date {name!r}"
        _compare(f"key_dates.{name}", value, key_dates[name], diffs)
    if "questions" in expect:
        _compare("questions", sorted(expect["questions"] or []), sorted(q.fact for q in decision.questions), diffs)
    return diffs


def _frame_row(case: dict[str, Any]) -> dict[str, Any]:
    """The frame backend's row for ``case`` alone, or ``{"error": ..., "problems": ...}`` for a refused caseload."""
    try:
        return evaluate_caseload([case], BOOKS).to_dicts()[0]
    except CaseError as exc:  # a problem of the whole caseload (an unknown column): no rows at all
        return {"error": str(exc), "problems": [(p.field, p.code) for p in exc.problems]}


def _frame_problems(row: dict[str, Any]) -> list[tuple[str, str]]:
    if "problems" in row:
        return row["problems"]
    return [tuple(text.split(": ", 1)) for text in row["error"].split("; ")]  # "field: code; field: code"


def _check_frame_error(expected: dict[str, Any], case: dict[str, Any]) -> list[str]:
    row = _frame_row(case)
    if row["error"] is None:
        return [f"error: expected an error on {expected['field']!r}, got a row (rulebook {row['rulebook']})"]
    found = _frame_problems(row)
    if any(field == expected["field"] and expected.get("code") in (None, code) for field, code in found):
        return []
    return [f"error: expected a problem on {expected['field']!r} (code {expected.get('code')!r}), found {found}"]


def _frame_outcome(row: dict[str, Any], name: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if f"{prefix}.{name}" in row:
            return FRAME_OUTCOME[row[f"{prefix}.{name}"]]
    return "(not checked)"


def _check_frame(expect: dict[str, Any], case: dict[str, Any]) -> list[str]:
    row = _frame_row(case)
    if row["error"] is not None:
        return [f"evaluate_caseload: unexpected error: {row['error']}"]
    diffs: list[str] = []
    if "rulebook" in expect:
        _compare("rulebook", str(expect["rulebook"]), row["rulebook"], diffs)
    for pid, status in (expect.get("programmes") or {}).items():
        _compare(f"programmes.{pid}", status, row.get(f"status.{pid}") or "(not in rulebook)", diffs)
    for cond_id, outcome in (expect.get("conditions") or {}).items():
        _compare(f"conditions.{cond_id}", outcome, _frame_outcome(row, cond_id, ("condition", "target_group")), diffs)
    for group, outcome in (expect.get("target_groups") or {}).items():
        _compare(f"target_groups.{group}", outcome, _frame_outcome(row, group, ("target_group",)), diffs)
    for name, value in (expect.get("key_dates") or {}).items():
        _compare(f"key_dates.{name}", value, row.get(f"key_dates.{name}", "(no such column)"), diffs)
    return diffs


@pytest.mark.parametrize(("path", "data"), _params())
def test_golden(path: Path, data: dict[str, Any]) -> None:
    """The decision for the file's case matches its expectations under all three backends."""
    expect = data["expect"]
    problems = []
    for backend, evaluator in EVALUATORS.items():
        if "error" in expect:
            diffs = _check_error(expect["error"], data["case"], evaluator)
        else:
            diffs = _check_decision(expect, data["case"], evaluator)
        problems += [f"[{backend}] {diff}" for diff in diffs]
    diffs = _check_frame_error(expect["error"], data["case"]) if "error" in expect else _check_frame(expect, data["case"])
    problems += [f"[frame] {diff}" for diff in diffs]
    if problems:
        pytest.fail(f"tests/cases/{path.name} ({data['name']}):\n  " + "\n  ".join(problems), pytrace=False)
