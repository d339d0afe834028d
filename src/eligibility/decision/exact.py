"""Decisive unknowns: decide what every allowed answer decides, ask only what can change an outcome.

Kleene logic is sound but incomplete: one unknown fact that feeds a derived
fact (the benefit's end) or several conditions can leave a programme open
although every answer gives it the same status (issue 17: sjukpenning with
300 of 914 days used and ``allvarlig_sjukdom`` unknown has at least six
months left either way). This layer sits above the backends:

1. The backend decides the case as given (Kleene). Nothing open: done.
2. The unknown case fields behind the open (``ej utrett``) conditions are
   completed: a yes/no fact by both answers, a coded fact by each code, a
   number or date by one value from every stretch of its allowed range on
   which no leaf condition changes. Those stretches are found by bisection
   on the leaf outcomes (the reference leaves: cheap), which is exact because
   every leaf kind is monotone in the fields it reads (a comparison, a
   months-left test, an age range at a moving end: none flips back); the
   allowed range is the contract's bounds narrowed by validation.
3. Every allowed completion (validation accepts it) is decided *by the
   backend* (the durable-rules engine included), one per distinct vector of
   leaf outcomes; this layer only aggregates. A condition, target group or
   programme is decided when all completions agree.
4. A question is an unknown field whose answer changes some programme's
   status for some answers of the others; each answer says what the open
   programmes become.

A yes/no fact that cannot hold for the case's benefit (nobody is refused the
benefit they have; only someone without benefit can have lost sjukpenning)
has one allowed answer, *nej* (validation refuses *ja*, decision 75), so it is
completed as *nej* and never asked. When the completions would exceed
``MAX_COMPLETIONS`` the Kleene result stands (sound, only less decided).

The work is split in two so that a backend can decide the completions of many
cases at once: ``prepare`` finds a case's allowed completions (one per
distinct vector of leaf outcomes, ``Pending.distinct``), the backend decides
them (``settle``: one at a time; ``exact_frame``: every open row of a caseload
in one frame), ``finish`` aggregates. docs/decisions.md 72 records the method.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..backends.reference import ReferenceRulebook
from ..case.fields import IDENTITY, SUPPORTED_FIRST, SUPPORTED_LAST, ContractField, contract_fields
from ..case.consistency import RULES
from ..case.validate import check_against_rulebook, flat_facts
from ..errors import CaseError
from ..facts.derive import FactSet, build_facts
from ..facts.derived import DERIVED_BY_NAME, KEY_DATES
from ..models import DECIMALS, Case, KeyDates, Status, Utfall
from ..rulebooks.plan import Plan
from ..rulebooks.rulebook import Rulebook

PLAIN = frozenset(path for path in contract_fields()
                  if path not in {r for item in DERIVED_BY_NAME.values() for r in item.reads}
                  and path not in {r for rule in RULES for r in rule.reads} and path not in IDENTITY
                  and path.split(".", 1)[0] in ("person", "assessment"))
"""Fields no derived fact and no consistency rule reads: a completion sets them in the facts directly
(a kind's own derived facts read ``as_of`` and the derived facts, never these)."""
MAX_COMPLETIONS = 256
"""More completions than this and the layer leaves the Kleene result (documented, sound): it bounds the cost
of one decision (each completion is validated and derived, ~0.1 ms)."""
MEMO_SIZE = 100_000
"""Leaf vectors kept per rulebook in a shared ``memo`` before it is emptied (a bound on memory)."""
FLOAT_SCALE = 10 ** DECIMALS  # the contract quantises numbers to DECIMALS places (models.py)


@dataclass(frozen=True)
class AnswerClass:
    """One answer to a question: a value, or (numbers, dates) the stretch ``low``..``high`` of values."""

    value: Any
    low: Any = None
    high: Any = None


@dataclass
class ExactQuestion:
    """An unknown field whose answer changes an open programme, with what each answer makes of them."""

    fact: str
    programmes: list[str]
    answers: list[tuple[AnswerClass, dict[str, Status | None]]]
    """Each answer and, per open programme, its status under it (None: still open under that answer)."""
    settled_by_every: int = 0
    settled_by_best: int = 0
    key_dates: list[dict[str, Any]] = field(default_factory=list)
    """Per answer (in the order of ``answers``): the key dates that answer fixes and another answer changes."""


@dataclass
class Settled:
    """The exact outcomes and statuses of a case, the questions, and the fields each open condition needs."""

    outcomes: dict[str, Utfall]
    statuses: dict[str, Status]
    questions: list[ExactQuestion]
    condition_fields: dict[str, list[str]] = field(default_factory=dict)
    completions: int = 0
    decided_by_completion: dict[str, list[str]] = field(default_factory=dict)
    """Condition -> the unknown fields it read, for the conditions Kleene left open and every answer decides."""


Decide = Callable[[FactSet], tuple[dict[str, Utfall], dict[str, Status]]]
Leaves = tuple[Utfall, ...]
Decided = tuple[dict[str, Utfall], dict[str, Status]]


@dataclass(frozen=True)
class Origin:
    """Where a timeline's day comes from: the case as given, its rulebook, and how a completion of it moves
    to the day decided (``history.timeline.case_on``).

    The completions allowed are those validation accepts for the case *as given* on its own ``as_of``, each
    moved to the day: advancing time never makes an unknown fact known (issue 17 item 4).
    """

    case: Case
    book: Rulebook
    advance: Callable[[Case], Case]


class _Completer:
    """The completed cases of one case: validity, facts and reference leaves, memoised."""

    def __init__(self, case: Case, birth: date, book: Rulebook, reference: ReferenceRulebook,
                 origin: Origin | None = None) -> None:
        self.case, self.birth, self.book, self.reference = case, birth, book, reference
        self.origin = origin
        self.as_of = origin.case.as_of if origin is not None else case.as_of
        self.memo: dict[tuple[tuple[str, Any], ...], tuple[FactSet, tuple[Utfall, ...]] | None] = {}
        self.deep: dict[tuple[tuple[str, Any], ...], FactSet | None] = {}

    def completed(self, values: Mapping[str, Any]) -> Case:
        """The case decided, completed with ``values`` (under an origin: the origin completed, then moved)."""
        if self.origin is not None:
            return self.origin.advance(_complete(self.origin.case, values))
        return _complete(self.case, values)

    def _check(self, values: Mapping[str, Any], case: Case) -> None:
        """Raises ``CaseError`` unless validation accepts the completion (under an origin: of the origin, on
        its own day and under its rulebook)."""
        if self.origin is not None:
            check_against_rulebook(_complete(self.origin.case, values), self.birth, self.origin.book)
        else:
            check_against_rulebook(case, self.birth, self.book)

    def run(self, values: Mapping[str, Any]) -> tuple[FactSet, tuple[Utfall, ...]] | None:
        """Facts and leaf outcomes of the case completed with ``values``; None when validation refuses it.

        A field no derived fact and no consistency rule reads (the assessment, employment) is set in the
        facts directly; only the others go through validation and the derivations (memoised apart).
        """
        key = tuple(sorted(values.items()))
        if key not in self.memo:
            base = self._derived({p: v for p, v in values.items() if p not in PLAIN})
            if base is None:
                self.memo[key] = None
                return None
            facts = FactSet(dict(base.facts), base.parameters, base.unknown_because, base.key_dates)
            for path, value in values.items():
                if path in PLAIN:
                    facts.facts[path] = value
            leaves = self.reference.evaluate_leaves(facts)
            self.memo[key] = (facts, tuple(leaves[c] for c in sorted(leaves)))
        return self.memo[key]

    def _derived(self, values: Mapping[str, Any]) -> FactSet | None:
        key = tuple(sorted(values.items()))
        if key not in self.deep:
            case = self.completed(values)
            try:
                self._check(values, case)
                facts = build_facts(case, self.birth, self.book)
            except (CaseError, OverflowError, ValueError):
                self.deep[key] = None
                return None
            self.deep[key] = facts
        return self.deep[key]

    def valid(self, values: Mapping[str, Any]) -> bool:
        return self.run(values) is not None


def _complete(case: Case, values: Mapping[str, Any]) -> Case:
    """``case`` with ``values`` (dotted field -> value) filled in."""
    updates: dict[str, dict[str, Any]] = {}
    for path, value in values.items():
        section, name = path.split(".", 1)
        updates.setdefault(section, {})[name] = value
    return case.model_copy(update={section: getattr(case, section).model_copy(update=changed)
                                   for section, changed in updates.items()})


def _encode(spec: ContractField, value: Any) -> int:
    if spec.type is date:
        return value.toordinal()
    return round(value * FLOAT_SCALE) if spec.type is float else int(value)


def _decode(spec: ContractField, number: int) -> Any:
    if spec.type is date:
        return date.fromordinal(number)
    return number / FLOAT_SCALE if spec.type is float else number


def _bounds(spec: ContractField) -> tuple[int, int]:
    if spec.type is date:
        return SUPPORTED_FIRST.toordinal(), SUPPORTED_LAST.toordinal()
    low = 0 if spec.ge is None else spec.ge
    high = 36_500 if spec.le is None else spec.le
    return _encode(spec, low), _encode(spec, high)


def _valid_range(completer: _Completer, path: str, spec: ContractField, base: Mapping[str, Any],
                 as_of: date) -> tuple[int, int] | None:
    """The allowed values of ``path`` given ``base`` (an interval: the consistency rules are bounds)."""
    low, high = _bounds(spec)

    def ok(number: int) -> bool:
        return completer.valid({**base, path: _decode(spec, number)})

    seeds = [low, high] + ([as_of.toordinal()] if spec.type is date else [])
    seed = next((s for s in seeds if low <= s <= high and ok(s)), None)
    if seed is None:
        return None
    return _edge(ok, seed, low - 1), _edge(ok, seed, high + 1)


def _edge(ok: Callable[[int], bool], inside: int, outside: int) -> int:
    """The last value from ``inside`` towards ``outside`` (exclusive) for which ``ok`` holds (ok: an interval).

    The two commonest edges are tried first: the seed itself (``decision_end`` from ``as_of`` on) and the
    contract's bound (nothing narrows it); else bisection.
    """
    step = 1 if outside > inside else -1
    if abs(outside - inside) > 1:
        if not ok(inside + step):
            return inside
        inside += step
    if abs(outside - inside) > 1 and ok(outside - step):
        return outside - step
    while abs(outside - inside) > 1:
        mid = (inside + outside) // 2
        if ok(mid):
            inside = mid
        else:
            outside = mid
    return inside


def _stretches(leaves: Callable[[int], Any], first: int, last: int,
               guesses: list[int] = ()) -> list[tuple[int, int]]:  # type: ignore[assignment]
    """``first``..``last`` cut where the leaf outcomes change (exact for leaves monotone in the value).

    ``guesses`` (values where a leaf is likely to change) are looked at first: between two neighbouring
    values with the same leaf outcomes nothing changes, so bisection is left only for the gaps where the
    guesses were wrong. They save work; they never change the result.
    """
    found: list[tuple[int, int]] = []
    points = sorted({first, last, *(g for g in guesses if first <= g <= last)})
    stack = list(zip(points, points[1:])) or [(first, last)]
    while stack:
        low, high = stack.pop()
        if leaves(low) == leaves(high):
            found.append((low, high))
        elif high - low == 1:
            found += [(low, low), (high, high)]
        else:
            mid = (low + high) // 2
            stack += [(mid + 1, high), (low, mid)]
    found.sort()
    merged: list[tuple[int, int]] = []
    for low, high in found:
        if merged and leaves(merged[-1][0]) == leaves(low):
            merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged


def _as_number(value: Any) -> int | float | None:
    if isinstance(value, date):
        return value.toordinal()
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _guesses(completer: _Completer, plan: Plan, reads: Mapping[str, set[str]], path: str, spec: ContractField,
             base: Mapping[str, Any], span: tuple[int, int]) -> list[int]:
    """Where the leaves that read ``path`` probably change: for each fact such a leaf reads that moves with
    ``path`` (the benefit's end with the days used), the value at which it would meet each fact or parameter
    the leaf compares it with that does not move (the threshold date), were it affine (a guess:
    ``_stretches`` checks it)."""
    low, high = span
    if high - low < 3:
        return []
    at_low = completer.run({**base, path: _decode(spec, low)})
    at_high = completer.run({**base, path: _decode(spec, high)})
    if at_low is None or at_high is None:
        return []
    first, last = at_low[0].facts, at_high[0].facts
    values = {name: p.value for name, p in at_low[0].parameters.items()}
    found: set[int] = set()
    for planned in plan.order:
        if not planned.leaf or path not in reads.get(planned.cond_id, ()):
            continue
        fixed = [_as_number(first.get(n)) for n in planned.facts_read if first.get(n) == last.get(n)]
        fixed += [_as_number(values.get(n)) for n in planned.parameters]
        for name in planned.facts_read:
            start, end = _as_number(first.get(name)), _as_number(last.get(name))
            if start is None or end is None or start == end:
                continue
            slope = (end - start) / (high - low)
            for target in (t for t in fixed if t is not None):
                guess = low + round((target - start) / slope)
                found |= {guess - 1, guess, guess + 1}
    return sorted(found)


def _corners(combo: tuple[AnswerClass, ...]) -> Iterator[tuple[Any, ...]]:
    """The values at both ends of every stretch in ``combo`` (a yes/no or coded answer: its one value)."""
    return itertools.product(*({a.low, a.high} if a.low is not None else {a.value} for a in combo))


@dataclass
class Part:
    """One group of unknown fields that share no leaf, consistency rule or key date with the others: its
    allowed completions (the other unknown fields left unknown) and their leaf outcomes."""

    fields: list[str]
    positions: list[int]
    """The places in the leaf vector of the leaves that read a field of this part."""
    rows: list[tuple[tuple[AnswerClass, ...], Leaves]]

    @functools.cached_property
    def vectors(self) -> dict[tuple[Utfall, ...], tuple[AnswerClass, ...]]:
        """Each distinct outcome of this part's leaves, with one completion that gives it."""
        found: dict[tuple[Utfall, ...], tuple[AnswerClass, ...]] = {}
        for combo, leaves in self.rows:
            found.setdefault(tuple(leaves[i] for i in self.positions), combo)
        return found


@dataclass
class Pending:
    """A case's allowed completions, part by part, awaiting the backend's decisions.

    The parts are independent (no leaf, rule or key date reads fields of two parts), so every allowed
    completion's leaf vector is one distinct vector of each part put together: the backend decides those
    combinations only (``distinct``), not the product of every field's answers.
    """

    completer: _Completer
    fields: list[str]
    domains: dict[str, list[AnswerClass]]
    parts: list[Part]
    base: Leaves
    outcomes: dict[str, Utfall]
    statuses: dict[str, Status]
    missing: Mapping[str, list[str]]

    def combined(self, choice: tuple[tuple[Utfall, ...], ...]) -> Leaves:
        """The leaf vector of one distinct vector per part."""
        full = list(self.base)
        for part, partial in zip(self.parts, choice):
            for position, outcome in zip(part.positions, partial):
                full[position] = outcome
        return tuple(full)

    def choices(self) -> list[tuple[tuple[tuple[Utfall, ...], tuple[AnswerClass, ...]], ...]]:
        """Every combination of one distinct vector (with its completion) per part."""
        return list(itertools.product(*(list(part.vectors.items()) for part in self.parts)))

    def distinct(self) -> dict[Leaves, dict[str, Any]]:
        """One completion (field -> value) per distinct vector of leaf outcomes: what the backend must decide."""
        found: dict[Leaves, dict[str, Any]] = {}
        for choice in self.choices():
            values: dict[str, Any] = {}
            for part, (_, combo) in zip(self.parts, choice):
                values.update({path: answer.value for path, answer in zip(part.fields, combo)})
            found.setdefault(self.combined(tuple(partial for partial, _ in choice)), values)
        return found

    def key_dates_across(self, fields: list[str], combo: tuple[AnswerClass, ...]) -> list[KeyDates]:
        """The key dates at both ends of every stretch in ``combo`` (of ``fields``; the other unknown fields
        left unknown): a key date that is the same at all of them is the same for every value of the
        stretches (key dates are monotone in each field)."""
        found = []
        for values in _corners(combo):
            run = self.completer.run(dict(zip(fields, values)))
            if run is not None:
                found.append(run[0].key_dates)
        return found

    def corner_cases(self) -> list[Case]:
        """Each part's allowed completions at both ends of every stretch, the other parts left unknown, as
        cases: a leaf reads one part only, so the days on which some leaf changes for some allowed answer
        are those on which it changes for one of these (the timeline's change days)."""
        found: dict[tuple[Any, ...], Case] = {}
        for part in self.parts:
            for combo, _ in part.rows:
                for values in _corners(combo):
                    completion = dict(zip(part.fields, values))
                    key = tuple(sorted(completion.items(), key=lambda item: item[0]))
                    if key not in found and self.completer.valid(completion):
                        found[key] = self.completer.completed(completion)
        return list(found.values())

    def facts_of(self, values: Mapping[str, Any]) -> FactSet:
        """The facts of the case completed with ``values`` (as the per-case backends are given them)."""
        run = self.completer.run(values)
        assert run is not None  # only allowed completions are handed out
        return run[0]

    def completed_data(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The case completed with ``values`` as case data in the contract's JSON shape (the frame's input)."""
        data = self.completer.case.model_dump(mode="json", exclude_none=True)
        for path, value in values.items():
            section, name = path.split(".", 1)
            data.setdefault(section, {})[name] = value.isoformat() if isinstance(value, date) else value
        return data


def settle(case: Case, birth: date, book: Rulebook, plan: Plan, decide: Decide,
           outcomes: dict[str, Utfall], statuses: dict[str, Status],
           missing: Mapping[str, list[str]], reference: ReferenceRulebook,
           memo: dict[Leaves, Decided] | None = None, origin: Origin | None = None,
           questions: bool = True) -> Settled | None:
    """The exact decision of ``case``, each completion decided by ``decide`` (one backend, one case at a time);
    None when Kleene already decided everything or nothing can be done. ``questions``: see ``finish``.

    ``memo`` (per rulebook): the backend's decisions by vector of leaf outcomes, shared between cases. The
    conditions above the leaves, the target groups and the statuses depend on the leaf outcomes only, so a
    vector the backend has decided once need not be decided again.
    """
    pending = prepare(case, birth, book, plan, outcomes, statuses, missing, reference, origin)
    if pending is None:
        return None
    memo = {} if memo is None else memo
    decided = {}
    for leaves, values in pending.distinct().items():
        if leaves not in memo:
            if len(memo) > MEMO_SIZE:
                memo.clear()
            memo[leaves] = decide(pending.facts_of(values))
        decided[leaves] = memo[leaves]
    return finish(pending, decided, questions=questions)


def prepare(case: Case, birth: date, book: Rulebook, plan: Plan, outcomes: dict[str, Utfall],
            statuses: dict[str, Status], missing: Mapping[str, list[str]],
            reference: ReferenceRulebook, origin: Origin | None = None) -> Pending | None:
    """The allowed completions of ``case`` behind its open conditions, or None when there is nothing to settle."""
    open_conditions = _open_under(plan, outcomes, [pid for pid, s in statuses.items() if s is Status.UNDETERMINED])
    if not open_conditions:
        return None
    specs = contract_fields()
    reads = _fields_of_leaves(plan)
    # Every unknown field an open leaf depends on (through the derived facts' declared reads), not only the
    # first cause of an unknown fact: with allvarlig sjukdom and the days used both unknown, the days matter
    # under one answer of the first (the missing-fact walk names only that).
    depended_on = set().union(*(reads[c] for c in open_conditions if c in reads))
    given = flat_facts(case)
    fields = [p for p in specs if p in depended_on and p not in IDENTITY and given.get(p) is None]
    if not fields:
        return None
    completer = _Completer(case, birth, book, reference, origin)
    finite = [p for p in fields if specs[p].type is bool or specs[p].codes]
    numeric = [p for p in fields if p not in finite]
    domains: dict[str, list[AnswerClass]] = {
        p: [AnswerClass(v) for v in ([True, False] if specs[p].type is bool else specs[p].codes)] for p in finite}
    if math.prod(len(domains[p]) for p in finite) > MAX_COMPLETIONS:
        return None
    for path in list(numeric):
        spec = specs[path]
        cuts: set[int] = set()
        whole: tuple[int, int] | None = None
        # Only the yes/no and coded fields that share a leaf with it can move its stretches.
        sharing = [p for p in finite if any(path in fs and p in fs for fs in reads.values())]
        for combo in itertools.product(*(domains[p] for p in sharing)):
            base = {p: a.value for p, a in zip(sharing, combo)}
            span = _valid_range(completer, path, spec, base, completer.as_of)
            if span is None:
                continue
            whole = span if whole is None else (min(whole[0], span[0]), max(whole[1], span[1]))

            def leaves(number: int, base: dict[str, Any] = base) -> Any:
                run = completer.run({**base, path: _decode(spec, number)})
                return None if run is None else run[1]
            for low, _ in _stretches(leaves, *span, _guesses(completer, plan, reads, path, spec, base, span)):
                cuts.add(low)
            cuts.add(span[1] + 1)
        if whole is None:  # no value of it is allowed for this case (a field of another benefit): stays unknown
            fields.remove(path)
            continue
        starts = sorted(c for c in cuts if whole[0] <= c <= whole[1])
        bounds = starts + [whole[1] + 1]
        domains[path] = [AnswerClass(_decode(spec, low), _decode(spec, low), _decode(spec, high - 1))
                         for low, high in zip(bounds, bounds[1:])]
    if not fields:
        return None
    leaf_ids = sorted(reads)
    parts: list[Part] = []
    base: Leaves | None = None
    for group in _independent_groups(fields, plan):
        if math.prod(len(domains[path]) for path in group) > MAX_COMPLETIONS:
            return None
        positions = [i for i, leaf in enumerate(leaf_ids) if reads[leaf] & set(group)]
        rows = []
        for combo in itertools.product(*(domains[p] for p in group)):
            run = completer.run({p: a.value for p, a in zip(group, combo)})
            if run is not None:
                rows.append((combo, run[1]))
                base = run[1] if base is None else base
        if not rows:
            return None  # no allowed completion (cannot happen for a valid case; stay with Kleene)
        parts.append(Part(group, positions, rows))
    if base is None or math.prod(len(part.vectors) for part in parts) > MAX_COMPLETIONS:
        return None
    return Pending(completer, fields, domains, parts, base, outcomes, statuses, missing)


def finish(pending: Pending, decided: Mapping[Leaves, Decided], *, questions: bool = True) -> Settled:
    """Aggregate the backend's decisions of the distinct completions into the exact decision and its questions.

    A status is decided when every combination of the parts' vectors gives it; a field of part K is asked
    when, with the other fields of K and the other parts' vectors held, its answer changes an open
    programme: each part's table is its completions times the other parts' distinct vectors.
    ``questions=False`` (the timeline's later days, which read statuses and condition outcomes only) skips
    the questions and the fields of each open condition: four fifths of an exact day's cost there.
    """
    choices = pending.choices()
    full = [decided[pending.combined(tuple(partial for partial, _ in choice))] for choice in choices]
    exact_outcomes = dict(pending.outcomes)
    for cond_id, outcome in pending.outcomes.items():
        seen = {row[0][cond_id] for row in full}
        if outcome is Utfall.EJ_UTRETT and len(seen) == 1:
            exact_outcomes[cond_id] = seen.pop()
    exact_statuses = dict(pending.statuses)
    for pid, status in pending.statuses.items():
        seen_status = {row[1][pid] for row in full}
        if status is Status.UNDETERMINED and len(seen_status) == 1:
            exact_statuses[pid] = seen_status.pop()
    asked: list[ExactQuestion] = []
    condition_fields: dict[str, list[str]] = {c: [] for c, o in exact_outcomes.items() if o is Utfall.EJ_UTRETT}
    for index, part in enumerate(pending.parts if questions else ()):
        others = [list(p.vectors) for k, p in enumerate(pending.parts) if k != index]
        table = []
        for combo, leaves in part.rows:
            own = tuple(leaves[i] for i in part.positions)
            for rest in itertools.product(*others):
                choice = (*rest[:index], own, *rest[index:])
                outcomes, statuses = decided[pending.combined(choice)]
                table.append(((*combo, *rest), outcomes, statuses))
        asked += _questions_of(part.fields, pending.domains, table, exact_statuses,
                               lambda combo, part=part: pending.key_dates_across(part.fields, combo))
        for cond_id in condition_fields:
            condition_fields[cond_id] += [path for i, path in enumerate(part.fields)
                                          if _changes(table, i, lambda row, c=cond_id: row[1][c])]
    order = list(contract_fields())
    asked.sort(key=lambda q: (-q.settled_by_every, -q.settled_by_best, order.index(q.fact)))
    settled = Settled(exact_outcomes, exact_statuses, asked, condition_fields, len(full))
    settled.decided_by_completion = {c: list(pending.missing[c]) for c, o in exact_outcomes.items()
                                     if pending.outcomes[c] is Utfall.EJ_UTRETT and o is not Utfall.EJ_UTRETT}
    return settled


def _questions_of(fields: list[str], domains: dict[str, list[AnswerClass]], table: list[Any],
                  statuses: dict[str, Status],
                  key_dates_across: Callable[[tuple[AnswerClass, ...]], list[KeyDates]]) -> list[ExactQuestion]:
    """The questions among ``fields`` (the first entries of each row's combo) over one part's table."""
    open_programmes = [pid for pid, s in statuses.items() if s is Status.UNDETERMINED]
    questions = []
    for index, path in enumerate(fields):
        if not _changes(table, index, lambda row: tuple(row[2][p] for p in open_programmes)):
            continue
        answers: list[tuple[AnswerClass, dict[str, Status | None]]] = []
        key_dates: list[dict[str, Any]] = []
        for answer in domains[path]:
            rows = [row for row in table if row[0][index] == answer]
            if not rows:
                continue  # no allowed case has this answer
            by = {pid: _single({row[2][pid] for row in rows}) for pid in open_programmes}
            combos = {row[0][:len(fields)] for row in rows}
            dates = _key_dates_of([kd for combo in combos for kd in key_dates_across(combo)])
            if answers and answer.low is not None and answers[-1][1] == by and key_dates[-1] == dates:
                previous = answers[-1][0]  # the next stretch says the same: one answer
                answers[-1] = (AnswerClass(previous.value, previous.low, answer.high), by)
                continue
            answers.append((answer, by))
            key_dates.append(dates)
        if len(answers) < 2:
            continue  # every allowed answer says the same (stretches split by a leaf no open programme feels)
        settled = [sum(status is not None for status in by.values()) for _, by in answers]
        questions.append(ExactQuestion(path, [pid for pid in open_programmes if _varies(table, index, pid)],
                                       answers, min(settled, default=0), max(settled, default=0),
                                       _differing(key_dates)))
    return questions


def _open_under(plan: Plan, outcomes: Mapping[str, Utfall], programmes: list[str]) -> list[str]:
    """The open (ej utrett) conditions in the condition trees of the undetermined ``programmes``."""
    found: list[str] = []
    stack = [c for pid in programmes for c in plan.book.programmes[pid].conditions]
    while stack:
        cond_id = stack.pop()
        if cond_id in found or outcomes[cond_id] is not Utfall.EJ_UTRETT:
            continue
        found.append(cond_id)
        stack += list(plan.by_id[cond_id].parts)
    return found


_LEAF_FIELDS: dict[tuple[str, str], dict[str, set[str]]] = {}


def _fields_of_leaves(plan: Plan) -> dict[str, set[str]]:
    """Leaf -> the case fields it depends on, through the declared reads of the derived facts
    (a property of the rulebook: computed once per rulebook content)."""
    key = (plan.book.id, plan.book.content_hash)
    if key not in _LEAF_FIELDS:
        _LEAF_FIELDS[key] = _leaf_fields(plan)
    return _LEAF_FIELDS[key]


def _fields_of(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
    """The case fields a fact depends on, through the derived facts' declared reads."""
    if name in DERIVED_BY_NAME and name not in seen:
        return set().union(*(_fields_of(r, seen | {name}) for r in DERIVED_BY_NAME[name].reads))
    return {name}


def _leaf_fields(plan: Plan) -> dict[str, set[str]]:
    return {p.cond_id: set().union(*(_fields_of(f) for f in p.facts_read)) if p.facts_read else set()
            for p in plan.order if p.leaf}


_LINKS: dict[tuple[str, str], list[set[str]]] = {}


def _independent_groups(fields: list[str], plan: Plan) -> list[list[str]]:
    """``fields`` split into groups no leaf, consistency rule or key date reads across (contract order kept):
    what one group's answers do to the leaves does not depend on another's."""
    key = (plan.book.id, plan.book.content_hash)
    if key not in _LINKS:
        _LINKS[key] = ([reads for reads in _fields_of_leaves(plan).values()]
                       + [set().union(*(_fields_of(r) for r in rule.reads)) for rule in RULES]
                       + [_fields_of(item.name) for item in KEY_DATES])
    group_of = {path: {path} for path in fields}
    for link in _LINKS[key]:
        joined = [path for path in fields if path in link]
        for path in joined[1:]:
            if group_of[path] is not group_of[joined[0]]:
                merged = group_of[joined[0]] | group_of[path]
                for member in merged:
                    group_of[member] = merged
    groups: list[list[str]] = []
    for path in fields:
        if not any(path in group for group in groups):
            groups.append([p for p in fields if p in group_of[path]])
    return groups


def _key_dates_of(all_key_dates: list[KeyDates]) -> dict[str, Any]:
    """The key dates all of these agree on (None where they differ or are unknown)."""
    found: dict[str, Any] = {}
    for name in KeyDates.__slots__:
        seen = {getattr(key_dates, name) for key_dates in all_key_dates}
        found[name] = seen.pop() if len(seen) == 1 else None
    return found


def _differing(per_answer: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of each answer's key dates, those that some other answer gives differently."""
    names = [n for n in (per_answer[0] if per_answer else {})
             if len({repr(a.get(n)) for a in per_answer}) > 1]
    return [{n: a[n] for n in names if a[n] is not None} for a in per_answer]


def _single(values: set[Any]) -> Any:
    return next(iter(values)) if len(values) == 1 else None


def _changes(table: list[Any], index: int, what: Callable[[Any], Any]) -> bool:
    """Whether, with every other field held, some two answers of field ``index`` give different ``what``."""
    by_context: dict[tuple[Any, ...], set[Any]] = {}
    for row in table:
        context = row[0][:index] + row[0][index + 1:]
        seen = by_context.setdefault(context, set())
        seen.add(what(row))
        if len(seen) > 1:
            return True
    return False


def _varies(table: list[Any], index: int, pid: str) -> bool:
    return _changes(table, index, lambda row: row[2][pid])

