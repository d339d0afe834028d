"""The same case under two rulebooks: which statuses and conditions differ, and why.

``compare_decisions`` works on two finished decisions, so it does not care
which backend made them. A programme's status differs because some of its
conditions (directly or through a composite) got another outcome; each
differing condition carries both outcomes, both Swedish explanations and the
facts and parameter values that differ, which is the "why". A programme or
condition that exists under only one rulebook has ``None`` on the other side.
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from ..case.validate import validate_case
from ..decision.evaluator import Evaluator
from ..models import Case, Decision, RulebookRef, Status, Utfall
from ..rulebooks.diff import FieldChange


class ConditionDifference(BaseModel):
    """A condition whose outcome, facts or parameter values differ between a and b."""

    condition: str
    text_sv: str
    outcome_a: Utfall | None
    outcome_b: Utfall | None
    explanation_a_sv: str | None
    explanation_b_sv: str | None
    facts_changed: list[FieldChange] = Field(default_factory=list)
    parameters_changed: list[FieldChange] = Field(default_factory=list)


class ProgrammeDifference(BaseModel):
    """A programme's status under a and b; ``None`` where it is not part of that rulebook."""

    programme: str
    status_a: Status | None
    status_b: Status | None
    changed: bool
    not_in_force_a: str | None = None
    not_in_force_b: str | None = None
    differing_conditions: list[str] = Field(default_factory=list)
    """Conditions of this programme (directly or inside a composite) that differ: the reason."""


class DecisionComparison(BaseModel):
    """One case decided under rulebooks a and b."""

    as_of: date
    a: RulebookRef
    b: RulebookRef
    same_statuses: bool
    programmes: list[ProgrammeDifference]
    conditions: list[ConditionDifference]
    key_dates: list[FieldChange] = Field(default_factory=list)


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, BaseModel):
        return value.model_dump()
    return value


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    return [FieldChange(path=key, before=_plain(before.get(key)), after=_plain(after.get(key)))
            for key in sorted(before.keys() | after.keys()) if _plain(before.get(key)) != _plain(after.get(key))]


def _closure(decision: Decision, roots: list[str]) -> list[str]:
    """The condition ids ``roots`` stand on, composites expanded to their parts."""
    subs = {record.condition: list(record.sub_conditions) for record in decision.conditions}
    seen: dict[str, None] = {}
    stack = list(reversed(roots))
    while stack:
        cond_id = stack.pop()
        if cond_id in seen:
            continue
        seen[cond_id] = None
        stack.extend(reversed(subs.get(cond_id, [])))
    return list(seen)


def _condition_differences(a: Decision, b: Decision) -> list[ConditionDifference]:
    records_a = {r.condition: r for r in a.conditions}
    records_b = {r.condition: r for r in b.conditions}
    order = list(dict.fromkeys([*records_a, *records_b]))
    differences = []
    for cond_id in order:
        ra, rb = records_a.get(cond_id), records_b.get(cond_id)
        facts = _changes(ra.facts_used if ra else {}, rb.facts_used if rb else {})
        params = _changes(ra.parameters_used if ra else {}, rb.parameters_used if rb else {})
        outcome_a, outcome_b = (ra.outcome if ra else None), (rb.outcome if rb else None)
        if outcome_a == outcome_b and not facts and not params:
            continue
        differences.append(ConditionDifference(
            condition=cond_id, text_sv=(rb or ra).text_sv, outcome_a=outcome_a, outcome_b=outcome_b,
            explanation_a_sv=ra.explanation_sv if ra else None, explanation_b_sv=rb.explanation_sv if rb else None,
            facts_changed=facts, parameters_changed=params))
    return differences


def compare_decisions(a: Decision, b: Decision) -> DecisionComparison:
    """Compare two decisions of the same case (normally under two rulebooks)."""
    conditions = _condition_differences(a, b)
    # Only an outcome change can change a status; fact or parameter changes
    # with the same outcome are reported on the condition but are no reason.
    outcome_changed = {c.condition for c in conditions if c.outcome_a != c.outcome_b}
    programmes = []
    for pid in dict.fromkeys([*a.programmes, *a.not_in_force, *b.programmes, *b.not_in_force]):
        pa, pb = a.programmes.get(pid), b.programmes.get(pid)
        roots = [*(pa.conditions if pa else []), *(pb.conditions if pb else [])]
        used = [*_closure(a, roots), *_closure(b, roots)]
        status_a, status_b = (pa.status if pa else None), (pb.status if pb else None)
        programmes.append(ProgrammeDifference(
            programme=pid, status_a=status_a, status_b=status_b, changed=status_a != status_b,
            not_in_force_a=a.not_in_force.get(pid), not_in_force_b=b.not_in_force.get(pid),
            differing_conditions=[c for c in dict.fromkeys(used) if c in outcome_changed]))
    return DecisionComparison(
        as_of=a.as_of, a=a.rulebook, b=b.rulebook,
        same_statuses=not any(p.changed for p in programmes),
        programmes=programmes, conditions=conditions,
        key_dates=_changes(_plain(a.key_dates), _plain(b.key_dates)),
    )


def compare_case(evaluator: Evaluator, case: Case | dict[str, Any], rulebook_a: str, rulebook_b: str,
                 explain: bool = True) -> DecisionComparison:
    """Decide ``case`` under ``rulebook_a`` and ``rulebook_b`` and compare.

    Raises ``CaseError`` for an invalid case (also one the law of either
    rulebook cannot contain) and ``RulebookNotFoundError`` for an unknown id.
    """
    # Every problem at once (issue 19.4): the types, the identity and the first rulebook's checks.
    parsed = validate_case(case, lambda day: evaluator.rulebook_for(day, rulebook_a))[0]
    first = evaluator.evaluate(parsed, rulebook_a, explain=explain)
    second = evaluator.evaluate(parsed, rulebook_b, explain=explain)
    return compare_decisions(first, second)
