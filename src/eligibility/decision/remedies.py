"""What would change it (issue 17 item 3): per programme that is not eligible, what decided against it and
the smallest change a person or handläggare can act on that would make it eligible.

* ``decisive_against``: the facts read by the conditions that decide the programme's status (its
  ``decisive_conditions``, and below a composite the parts its kind names as decisive, as the motivering
  does): the list a handläggare communicates before an adverse decision (25 § förvaltningslagen). The
  values are those of ``ConditionRecord.facts_used``; an open condition adds the case fields that would
  settle it (value None). A kind's own derived facts (``threshold.<condition>``) are limits, not facts of
  the case, and the person's identity (birth date, personnummer) is never listed (the age is).
* ``would_change``: the fewest actionable facts (``ContractField.actionable``, marked in ``models.py``) that,
  changed together, make the programme eligible, and among those the values nearest the thresholds. The
  candidate values are where the reading conditions' outcomes change (each kind's ``change_points``, so the
  thresholds come from the rulebook, never from here), on the side that makes the condition uppfyllt.
  A candidate is first folded with Kleene logic (cheap, sound: what Kleene calls not eligible is not
  eligible); the survivors are decided in full by the same evaluator, backend and rulebook
  (``Evaluator.evaluate``, validation included), so a suggestion is exact, and one decision of a changed
  case serves every programme.

Search: fact sets of size 1, then 2, then 3 (``MAX_CHANGED_FACTS``), only sets that touch every failing
condition of the programme; within a size, the nearest values first. The work is capped per decision
(``MAX_VALUES_PER_FACT``, ``MAX_KLEENE_CHECKS``, ``MAX_DECISIONS``); a search cut by a cap says nothing
(``would_change_sv`` empty) rather than claim there is no change (docs/decisions.md 74).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..case.fields import BIRTH, IDENTITY, ContractField, actionable_fields
from ..conditions import ALL_OF
from ..errors import CaseError
from ..facts.derive import FactSet
from ..models import (DECIMALS, Case, ConditionRecord, Decision, DecisiveFact, FactChange, ProgrammeResult, Status,
                      Utfall)
from ..rulebooks.plan import Plan
from . import texts_sv as sv


class Decider(Protocol):
    """What the search needs of ``evaluator.Evaluator`` (named here so the two modules import in one direction)."""

    def plan_for(self, rulebook_id: str) -> Plan: ...

    def evaluate(self, case: Any, rulebook_id: str | None = None, *, explain: bool = True) -> Decision: ...

MAX_CHANGED_FACTS = 3
"""At most this many facts changed together (today there are three actionable fields, so the search is whole)."""
MAX_VALUES_PER_FACT = 3
"""The nearest candidate values tried per fact."""
MAX_KLEENE_CHECKS = 200
"""Candidate changes folded with Kleene logic per decision (each a few microseconds)."""
MAX_DECISIONS = 4
"""Changed cases decided in full per decision (each about as costly as a decision without explanations)."""

PERSONAL = frozenset((*IDENTITY, BIRTH))
"""Facts never listed: who the person is. The age is not personal data in this sense and is listed."""


def attach_remedies(evaluator: Decider, decision: Decision, case: Case, rulebook_id: str | None,
                    facts: FactSet) -> Decision:
    """Fill ``decisive_against``, ``would_change`` and ``would_change_sv`` of every programme that is not eligible.

    ``rulebook_id`` is the one the decision was asked under (None: in force on ``as_of``), so the changed
    cases are decided exactly like the case. Returns ``decision`` (its programme results are filled in).
    """
    plan = evaluator.plan_for(decision.rulebook.id)
    records = {record.condition: record for record in decision.conditions}
    benefit_names = plan.book.benefit_names()
    search = _Search(evaluator, case, rulebook_id, plan, facts, records)
    for programme in decision.programmes.values():
        if programme.status is Status.ELIGIBLE:
            continue
        programme.decisive_against = decisive_facts(plan, records, programme, benefit_names)
        found, complete = search.smallest_change(programme)
        programme.would_change = [change for change, _ in found]
        if found:
            programme.would_change_sv = sv.would_change_sv(programme.name_sv, [phrase for _, phrase in found])
        elif complete:
            open_ = any(records[cond_id].outcome is Utfall.EJ_UTRETT for cond_id in programme.conditions)
            programme.would_change_sv = sv.no_change_sv(programme.name_sv, open_)
    return decision


def decisive_facts(plan: Plan, records: Mapping[str, ConditionRecord], programme: ProgrammeResult,
                   benefit_names: dict[str, str] | None = None) -> list[DecisiveFact]:
    """The facts of the conditions that decided ``programme``'s status, each once, in the order first read."""
    found: dict[str, DecisiveFact] = {}

    def add(name: str, value: Any, cond_id: str) -> None:
        if name in PERSONAL:
            return
        item = found.get(name)
        if item is None:
            item = found[name] = DecisiveFact(name, value, sv.decisive_fact_sv(name, value, benefit_names))
        if cond_id not in item.conditions:
            item.conditions.append(cond_id)

    def walk(cond_id: str, seen: set[str]) -> None:
        if cond_id in seen:
            return
        seen.add(cond_id)
        record, planned = records[cond_id], plan.by_id[cond_id]
        if not planned.leaf:
            parts = [(part, records[part].outcome) for part in planned.parts]
            for part in planned.kind.decisive(record.outcome, parts):
                walk(part, seen)
            return
        open_ = record.outcome is Utfall.EJ_UTRETT
        for name, value in record.facts_used.items():
            if name not in planned.derived and not (open_ and value is None):
                add(name, value, cond_id)
        for name in record.missing_facts if open_ else ():
            add(name, None, cond_id)

    seen: set[str] = set()
    for cond_id in programme.decisive_conditions:
        walk(cond_id, seen)
    return list(found.values())


@dataclass(frozen=True)
class _Value:
    """A candidate value of one fact: its rank (0 = nearest the threshold), its side, the conditions it meets."""

    value: Any
    rank: int
    upper: bool | None
    conditions: tuple[str, ...]


class _Exhausted(Exception):
    """A cap was reached: the search stops and says nothing it has not verified."""


class _Search:
    """The search of one decision: shared caps, and the full decisions of changed cases, by change."""

    def __init__(self, evaluator: Decider, case: Case, rulebook_id: str | None, plan: Plan, facts: FactSet,
                 records: Mapping[str, ConditionRecord]) -> None:
        self.evaluator, self.case, self.rulebook_id, self.plan = evaluator, case, rulebook_id, plan
        self.facts = facts.facts
        self.params = facts.parameter_values()
        self.outcomes = {cond_id: record.outcome for cond_id, record in records.items()}
        self.fields = {f.path: f for f in actionable_fields()}
        self.kleene_checks = 0
        self.decided: dict[tuple[tuple[str, Any], ...], dict[str, Status] | None] = {}
        self.exhausted = False
        self._data: dict[str, Any] | None = None

    # --- which facts, which values ---------------------------------------------------------------
    def _open_leaves(self, cond_id: str) -> Iterator[str]:
        """The leaves below ``cond_id`` (itself included) that are not uppfyllt."""
        planned = self.plan.by_id[cond_id]
        if planned.leaf:
            if self.outcomes[cond_id] is not Utfall.UPPFYLLT:
                yield cond_id
            return
        for part in planned.parts:
            yield from self._open_leaves(part)

    def _candidates(self, fact: str, leaves: list[str]) -> list[_Value]:
        """The values of ``fact`` at which one of ``leaves`` becomes uppfyllt, nearest the current value first."""
        field = self.fields[fact]
        current = self.facts.get(fact)
        found: dict[Any, tuple[bool | None, list[str]]] = {}
        for leaf in leaves:
            planned = self.plan.by_id[leaf]
            alone = not any(f in self.fields for f in planned.facts_read if f != fact)
            for point in planned.kind.change_points(leaf, planned.definition, self.facts, self.params):
                if point.fact != fact:
                    continue
                for value, upper in _sides(point.value, point.inclusive, point.ordered, field):
                    if value == current or not _in_bounds(value, field):
                        continue
                    changed = {**self.facts, fact: value}
                    if alone and planned.kind.evaluate(leaf, planned.definition, changed, self.params) \
                            is not Utfall.UPPFYLLT:
                        continue
                    _, meets = found.setdefault(value, (upper, []))
                    if leaf not in meets:
                        meets.append(leaf)
        values = list(found)
        if current is not None and field.step is not None:
            values.sort(key=lambda v: _distance(v, current))
        if len(values) > MAX_VALUES_PER_FACT:
            values = values[:MAX_VALUES_PER_FACT]
            self.exhausted = True
        return [_Value(v, rank, found[v][0], tuple(found[v][1])) for rank, v in enumerate(values)]

    # --- the search ----------------------------------------------------------------------------
    def smallest_change(self, programme: ProgrammeResult) -> tuple[list[tuple[FactChange, str]], bool]:
        """The smallest verified change that makes ``programme`` eligible (each fact's change with its clause
        for ``texts_sv.would_change_sv``), and whether the search was whole (so that no change exists)."""
        blockers: list[set[str]] = []
        leaves_of: dict[str, list[str]] = {}
        for cond_id in programme.conditions:
            if self.outcomes[cond_id] is Utfall.UPPFYLLT:
                continue
            touched: set[str] = set()
            for leaf in self._open_leaves(cond_id):
                for fact in self.plan.by_id[leaf].facts_read:
                    if fact in self.fields:
                        touched.add(fact)
                        if leaf not in leaves_of.setdefault(fact, []):
                            leaves_of[fact].append(leaf)
            if not touched:
                return [], True   # a failing condition no actionable fact reaches: the law fixes it
            blockers.append(touched)
        self.exhausted = False
        facts = [path for path in self.fields if path in leaves_of]   # contract order
        values = {fact: self._candidates(fact, leaves_of[fact]) for fact in facts}
        facts = [fact for fact in facts if values[fact]]
        try:
            for size in range(1, min(MAX_CHANGED_FACTS, len(facts)) + 1):
                found = self._of_size(programme, size, facts, values, blockers)
                if found is not None:
                    return found, True
        except _Exhausted:
            return [], False
        return [], not self.exhausted and len(facts) <= MAX_CHANGED_FACTS

    def _of_size(self, programme: ProgrammeResult, size: int, facts: list[str], values: dict[str, list[_Value]],
                 blockers: list[set[str]]) -> list[tuple[FactChange, str]] | None:
        combos = []
        for order, subset in enumerate(itertools.combinations(facts, size)):
            if not all(blocker.intersection(subset) for blocker in blockers):
                continue
            for chosen in itertools.product(*(values[fact] for fact in subset)):
                ranks = [v.rank for v in chosen]
                combos.append((sum(ranks), max(ranks), order, subset, chosen))
        combos.sort(key=lambda combo: combo[:3])
        for _, _, _, subset, chosen in combos:
            changes = dict(zip(subset, (v.value for v in chosen)))
            if not self._may_be_eligible(programme, changes):
                continue
            statuses = self._decide(changes)
            if statuses is not None and statuses.get(programme.programme) is Status.ELIGIBLE:
                return [self._change(fact, v) for fact, v in zip(subset, chosen)]
        return None

    def _change(self, fact: str, value: _Value) -> tuple[FactChange, str]:
        current = self.facts.get(fact)
        phrase = sv.change_phrase_sv(fact, current, value.value, value.upper)
        return FactChange(fact, current, value.value, sv.change_sv(phrase), list(value.conditions)), phrase

    def _may_be_eligible(self, programme: ProgrammeResult, changes: dict[str, Any]) -> bool:
        """Kleene over the changed leaves (the kinds' reference form): False only if surely not eligible."""
        self.kleene_checks += 1
        if self.kleene_checks > MAX_KLEENE_CHECKS:
            raise _Exhausted
        facts = {**self.facts, **changes}
        outcomes = dict(self.outcomes)
        for planned in self.plan.order:
            if planned.leaf:
                if any(fact in changes for fact in planned.facts_read):
                    outcomes[planned.cond_id] = planned.kind.evaluate(planned.cond_id, planned.definition, facts,
                                                                      self.params)
            else:
                outcomes[planned.cond_id] = planned.kind.combine(outcomes[p] for p in planned.parts)
        return ALL_OF.combine(outcomes[c] for c in programme.conditions) is not Utfall.EJ_UPPFYLLT

    def _decide(self, changes: dict[str, Any]) -> dict[str, Status] | None:
        """The statuses of the changed case, decided in full by the evaluator (None: validation refuses it)."""
        key = tuple(sorted(changes.items()))
        if key in self.decided:
            return self.decided[key]
        if len(self.decided) >= MAX_DECISIONS:
            raise _Exhausted
        if self._data is None:
            self._data = self.case.model_dump()
        data = {section: dict(value) if isinstance(value, dict) else value for section, value in self._data.items()}
        for path, value in changes.items():
            section, name = path.split(".", 1)
            data[section][name] = value
        try:
            decided = self.evaluator.evaluate(data, self.rulebook_id, explain=False)
        except CaseError:
            statuses = None
        else:
            statuses = {pid: result.status for pid, result in decided.programmes.items()}
        self.decided[key] = statuses
        return statuses


def _sides(value: Any, inclusive: bool, ordered: bool, field: ContractField) -> list[tuple[Any, bool | None]]:
    """The values on either side of a change point, in the field's type: (value, on the upper side)."""
    if not ordered or field.step is None:
        values = [value, *(code for code in field.codes if code != value)]
        return [(v, None) for v in values]
    value = field.type(value) if field.type in (int, float) else value
    step = field.step
    if inclusive:
        upper, lower = value, value - step
    else:
        upper, lower = value + step, value
    if field.type is float:
        upper, lower = _rounded(upper), _rounded(lower)
    return [(upper, True), (lower, False)]


def _rounded(value: float) -> float:
    return round(value, DECIMALS)


def _in_bounds(value: Any, field: ContractField) -> bool:
    if field.ge is not None and value < field.ge:
        return False
    return field.le is None or value <= field.le


def _distance(value: Any, current: Any) -> Any:
    difference = value - current
    return abs(difference.days) if hasattr(difference, "days") else abs(difference)
