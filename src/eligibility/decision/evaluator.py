"""From case to explained decision: validate, derive, evaluate, combine, explain.

The durable-rules engine decides every condition and programme status; the
reference evaluator decides the leaves and this module folds them (Kleene
composition, programme status), so it stays an independent oracle. What
follows (records, questions, motivering) is shared, so the two backends can
only differ where they are compared: outcomes and statuses.
"""

from __future__ import annotations

import copy
from collections.abc import Container, Mapping
from datetime import date
from typing import Any, Literal, Protocol

from ..backends.engine import CompiledRulebook
from ..backends.reference import ReferenceRulebook
from ..case.fields import IDENTITY
from ..case.validate import birth_date_of, check_against_rulebook, flat_facts, validate_case
from ..rulebooks.loader import case_rulebook
from ..conditions import ALL_OF, STATUS_OF
from ..errors import CaseError, FieldProblem, RulebookNotFoundError
from ..facts.derive import FactSet, build_facts
from ..models import (Answer, Case, ConditionRecord, Decision, ParameterUse, ProgrammeResult, Question,
                     RulebookRef, Status, TargetGroupResult, Utfall)
from ..rulebooks.plan import Plan, make_plan
from ..rulebooks.rulebook import Rulebook
from .exact import Origin, Settled, prepare, settle
from .explain import format_text
from .motivering import PACKAGE_VERSION, TEMPLATE_HASH, write_texts
from .remedies import attach_remedies
from .texts_sv import QUESTION_SV, answer_effect_sv, answer_sv, law_warning_sv

Backend = Literal["engine", "reference"]


class _LeafEvaluator(Protocol):
    def evaluate_leaves(self, facts: FactSet) -> dict[str, Utfall]: ...


class Evaluator:
    """Decides cases under a fixed set of loaded rulebooks. Safe to share between threads."""

    def __init__(self, books: list[Rulebook], backend: Backend = "engine", *, exact: bool = True) -> None:
        if not books:
            raise RulebookNotFoundError("no rulebooks loaded")
        self.books = books
        self.backend = backend
        # Decide what every allowed answer decides (decision/exact.py, decisions 72, 75, 76): the default.
        # ``exact=False`` is the plain Kleene result (sound, cheaper, can leave open what every answer decides).
        self.exact = exact
        self._references = {book.id: ReferenceRulebook(book) for book in books}
        self._twins: dict[bool, Evaluator] = {exact: self}
        self._memo: dict[str, dict[Any, Any]] = {}  # the backend's decisions by leaf vector (exact.settle)
        make = CompiledRulebook if backend == "engine" else ReferenceRulebook
        self._backends: dict[str, _LeafEvaluator] = {book.id: make(book) for book in books}
        self._plans: dict[str, Plan] = {book.id: make_plan(book) for book in books}

    def with_exact(self, exact: bool) -> Evaluator:
        """This evaluator deciding exactly or not, sharing its compiled rulebooks (made once)."""
        if exact not in self._twins:
            twin = copy.copy(self)
            twin.exact = exact
            twin._twins = self._twins
            self._twins[exact] = twin
        return self._twins[exact]

    def exactly(self) -> Evaluator:
        """This evaluator deciding exactly (``exact=True``)."""
        return self.with_exact(True)

    def plan_for(self, rulebook_id: str) -> Plan:
        """The evaluation plan of a loaded rulebook (conditions in dependency order)."""
        return self._plans[rulebook_id]

    def rulebook_for(self, on: date, rulebook_id: str | None = None) -> Rulebook:
        """The rulebook named, or in force on ``on``; a date outside every period is a case error."""
        return case_rulebook(self.books, on, rulebook_id)

    def evaluate(self, case: Case | dict[str, Any], rulebook_id: str | None = None, *,
                 explain: bool = True, origin: Origin | None = None, questions: bool = True) -> Decision:
        """The full explained decision for one case.

        ``explain=False`` leaves the Swedish texts empty (``""``): bulk runs
        that only store statuses, outcomes and dates skip the prose.
        ``origin`` (the timeline, exact decisions): ``case`` is ``origin.case``
        moved to a later day, and the unknown facts are completed as allowed on
        the origin's own day. ``questions=False`` (exact decisions): no questions and no missing facts
        on the records of conditions left open, for callers that read statuses and outcomes only.
        Raises ``CaseError`` for invalid input and ``RulebookNotFoundError``
        for an unknown ``rulebook_id``.
        """
        # Every problem at once: types, identity and the rulebook's consistency rules (issue 19.4).
        case, birth, book = validate_case(case, lambda day: self.rulebook_for(day, rulebook_id), _not_computable)
        try:
            facts = build_facts(case, birth, book)
            plan, backend = self._plans[book.id], self._backends[book.id]
            outcomes, statuses = decide_outcomes(plan, backend, facts)
            settled = None
            if self.exact:
                settled = settle(case, birth, book, plan, lambda completed: decide_outcomes(plan, backend, completed),
                                 outcomes, statuses, missing_by_condition(plan, facts, outcomes),
                                 self._references[book.id], memo=self._memo.setdefault(book.id, {}),
                                 origin=origin, questions=questions)
        except (OverflowError, ValueError, KeyError) as exc:
            raise _not_computable(case, birth, book, exc) from None
        if settled is not None:
            decision = _assemble(plan, facts, settled.outcomes, settled.statuses, explain, settled)
        else:
            decision = _assemble(plan, facts, outcomes, statuses, explain)
        if not explain:
            return decision
        decision = attach_remedies(self, decision, case, rulebook_id, facts)  # issue 17.3
        return write_texts(plan, facts, decision, settled.decided_by_completion if settled is not None else None,
                           decision.law_warning_sv)


    def corner_cases(self, case: Case, limit: int = 64) -> list[Case] | None:
        """The allowed completions of ``case``'s unknown fields at both ends of every stretch on which no leaf
        changes, part by part, every leaf counted (the timeline's change days under exact decisions); None
        when there are more than ``limit`` or the completions are too many to settle."""
        birth = birth_date_of(case)
        book = self.rulebook_for(case.as_of)
        check_against_rulebook(case, birth, book)
        plan = self._plans[book.id]
        every_open = {planned.cond_id: Utfall.EJ_UTRETT for planned in plan.order}
        undetermined = {pid: Status.UNDETERMINED for pid in book.programmes}
        if not any(value is None for path, value in flat_facts(case).items() if path not in IDENTITY):
            return []
        pending = prepare(case, birth, book, plan, every_open, undetermined, {}, self._references[book.id])
        if pending is None:
            return None
        corners = pending.corner_cases()
        return corners if len(corners) <= limit else None


def decide_outcomes(plan: Plan, backend: _LeafEvaluator, facts: FactSet) -> tuple[dict[str, Utfall], dict[str, Status]]:
    """Every condition outcome and programme status of a case.

    The durable-rules engine decides them all itself (composites, target
    groups and statuses are chained rules); for the reference backend they
    are the Kleene fold in Python, so it stays an independent oracle.
    """
    if isinstance(backend, CompiledRulebook):
        return backend.decide(facts)
    outcomes = combine(plan, backend.evaluate_leaves(facts))
    return outcomes, programme_statuses(plan.book, outcomes)


def _not_computable(case: Case, birth: date, book: Rulebook, exc: Exception) -> CaseError:
    """A ``CaseError`` for a valid case the rules cannot compute with (hostile or absurd dates).

    Date arithmetic past 9999-12-31 (``OverflowError``, ``ValueError``) names
    the date field farthest from the rulebook's period; a parameter without a
    value on ``as_of`` under a named rulebook (``KeyError``) names ``as_of``.
    Never echoes the value: it may be a birth date.
    """
    if isinstance(exc, KeyError):
        return CaseError([FieldProblem("as_of", f"a date on which rulebook {book.id}'s parameters have values",
                                       None, "no_parameter_value")])
    dates = {"as_of": case.as_of, "person.birth_date": birth, "benefit.decision_end": case.benefit.decision_end}
    field = max((f for f, d in dates.items() if d is not None), key=lambda f: abs((dates[f] - book.valid_from).days))
    return CaseError([FieldProblem(field, "a date the rules can compute with (too far from the rulebook's period)",
                                   None, "date_out_of_range")])


def combine(plan: Plan, leaves: dict[str, Utfall]) -> dict[str, Utfall]:
    """Outcomes of all conditions, composites included (Kleene over their parts)."""
    outcomes = dict(leaves)
    for planned in plan.order:
        if not planned.leaf:
            outcomes[planned.cond_id] = planned.kind.combine(outcomes[p] for p in planned.parts)
    return outcomes


def programme_statuses(book: Rulebook, outcomes: dict[str, Utfall]) -> dict[str, Status]:
    """Status of each programme: Kleene AND of its conditions."""
    return {pid: STATUS_OF[ALL_OF.combine(outcomes[c] for c in p.conditions)] for pid, p in book.programmes.items()}


class KnownFacts(Protocol):
    """What the missing-fact walk needs of a case's facts (``FactSet`` has it; so do columnar rows)."""

    facts: Container[str]  # the names of the known facts
    unknown_because: dict[str, list[str]]


def _missing_facts(facts: KnownFacts, read: tuple[str, ...], derived: tuple[str, ...]) -> list[str]:
    """The case fields behind the unknown facts in ``read``; a kind's own derived facts are never asked for."""
    missing: list[str] = []
    for name in read:
        if name in facts.facts or name in derived:
            continue
        for cause in facts.unknown_because.get(name, [name]):
            if cause not in missing:
                missing.append(cause)
    return missing


class MissingOnDemand:
    """``missing_by_condition``'s values, computed only for the conditions asked for (memoised).

    Questions need the missing facts of a few open conditions, not of all of
    them; the result for any one condition is the same as the full walk's.
    """

    def __init__(self, plan: Plan, facts: KnownFacts, outcomes: Mapping[str, Utfall]) -> None:
        self.plan, self.facts, self.outcomes = plan, facts, outcomes
        self.found: dict[str, list[str]] = {}

    def __getitem__(self, cond_id: str) -> list[str]:
        if cond_id not in self.found:
            planned = self.plan.by_id[cond_id]
            found: list[str] = []
            if self.outcomes[cond_id] is Utfall.EJ_UTRETT:
                if planned.leaf:
                    found = _missing_facts(self.facts, planned.facts_read, planned.derived)
                else:
                    for part in planned.parts:
                        if self.outcomes[part] is Utfall.EJ_UTRETT:
                            found += [m for m in self[part] if m not in found]
            self.found[cond_id] = found
        return self.found[cond_id]


def missing_by_condition(plan: Plan, facts: KnownFacts, outcomes: dict[str, Utfall]) -> dict[str, list[str]]:
    """For each condition: the case fields that would settle it if it is ej utrett (else [])."""
    missing = MissingOnDemand(plan, facts, outcomes)
    return {planned.cond_id: missing[planned.cond_id] for planned in plan.order}


def _records(plan: Plan, facts: FactSet, outcomes: dict[str, Utfall], explain: bool,
             settled: Settled | None = None) -> dict[str, ConditionRecord]:
    records: dict[str, ConditionRecord] = {}
    known = facts.facts
    params = facts.parameters
    on_demand = MissingOnDemand(plan, facts, outcomes)  # only open conditions have missing facts
    day = plan.book.parameter_day(known["as_of"])  # the law cited is the law in force on the day that decides

    def missing_for(cond_id: str) -> list[str]:
        if outcomes[cond_id] is not Utfall.EJ_UTRETT:
            return []
        if settled is not None:  # only the fields whose answer can change the condition
            return settled.condition_fields.get(cond_id, [])
        return on_demand[cond_id]
    for planned in plan.order:
        cond_id, cond = planned.cond_id, planned.definition
        outcome = outcomes[cond_id]
        missing = missing_for(cond_id)
        records[cond_id] = ConditionRecord(
            condition=cond_id,
            outcome=outcome,
            text_sv=format_text(cond.text_sv, params, planned.parameters),
            explanation_sv="",  # written with the motivering (motivering.write_texts)
            facts_used={name: known.get(name) for name in planned.facts_read},
            source=cond.source.in_force_on(day),
            parameters_used={name: ParameterUse(params[name].value, params[name].valid_from)
                             for name in planned.parameters},
            missing_facts=missing,
            sub_conditions=list(planned.parts),
        )
    return records


def _decisive(status: Status, ids: list[str], outcomes: Mapping[str, Utfall]) -> list[str]:
    wanted = {Status.ELIGIBLE: Utfall.UPPFYLLT, Status.NOT_ELIGIBLE: Utfall.EJ_UPPFYLLT,
              Status.UNDETERMINED: Utfall.EJ_UTRETT}[status]
    return [cid for cid in ids if outcomes[cid] is wanted]


def question_facts(book: Rulebook, statuses: dict[str, Status], outcomes: Mapping[str, Utfall],
                   missing: Mapping[str, list[str]] | MissingOnDemand) -> dict[str, list[str]]:
    """Fact -> programmes it would settle: the missing facts of every undetermined programme's open conditions."""
    asked: dict[str, list[str]] = {}
    for pid, programme in book.programmes.items():
        if statuses[pid] is not Status.UNDETERMINED:
            continue
        for cond_id in _decisive(Status.UNDETERMINED, list(programme.conditions), outcomes):
            for fact in missing[cond_id]:
                asked.setdefault(fact, [])
                if pid not in asked[fact]:
                    asked[fact].append(pid)
    return asked


def _questions(book: Rulebook, statuses: dict[str, Status], outcomes: dict[str, Utfall],
               records: dict[str, ConditionRecord]) -> list[Question]:
    missing = {cid: record.missing_facts for cid, record in records.items()}
    return [Question(fact=fact, text_sv=QUESTION_SV.get(fact, fact), programmes=progs)
            for fact, progs in question_facts(book, statuses, outcomes, missing).items()]


def _exact_questions(book: Rulebook, settled: Settled) -> list[Question]:
    """The questions of an exact decision, each with what every answer makes of the open programmes."""
    names = {pid: p.name_sv for pid, p in book.programmes.items()}
    found = []
    for question in settled.questions:
        classes = [answer for answer, _ in question.answers]
        first = next((a.low for a in classes if a.low is not None), None)
        last = next((a.high for a in reversed(classes) if a.high is not None), None)
        answers = []
        dates_of = question.key_dates or [{} for _ in question.answers]
        for (answer, by), key_dates in zip(question.answers, dates_of):
            said = answer_sv(question.fact, answer.value, answer.low, answer.high, first, last)
            concerned = [(names[p], s) for p, s in by.items() if p in question.programmes]  # what this answer moves
            effect = answer_effect_sv(said, concerned, key_dates.get("benefit_last_day"))
            answers.append(Answer(said, dict(by), effect, key_dates))
        found.append(Question(fact=question.fact, text_sv=QUESTION_SV.get(question.fact, question.fact),
                              programmes=question.programmes, answers=answers))
    return found


def _assemble(plan: Plan, facts: FactSet, outcomes: dict[str, Utfall], statuses: dict[str, Status],
              explain: bool = True, settled: Settled | None = None) -> Decision:
    book = plan.book
    records = _records(plan, facts, outcomes, explain, settled)
    day = book.parameter_day(facts.facts["as_of"])
    programmes = {
        pid: ProgrammeResult(
            programme=pid, name_sv=p.name_sv, status=statuses[pid], conditions=list(p.conditions),
            decisive_conditions=_decisive(statuses[pid], list(p.conditions), outcomes),
            source=p.source.in_force_on(day))
        for pid, p in book.programmes.items()
    }
    questions = _exact_questions(book, settled) if settled is not None else \
        _questions(book, statuses, outcomes, records)
    target_groups = [
        TargetGroupResult(target_group=gid, number=g.number, name_sv=g.name_sv, outcome=outcomes[gid])
        for gid, g in sorted(book.target_groups.items(), key=lambda item: item[1].number)
    ]
    as_of = facts.facts["as_of"]
    reviewed_until = book.meta.reviewed_until
    beyond = as_of > reviewed_until
    warning = law_warning_sv(reviewed_until, book.meta.not_reviewed_sv) if beyond else None
    return Decision.model_construct(
        as_of=as_of,
        rulebook=RulebookRef.model_construct(id=book.id, valid_from=book.valid_from, valid_to=book.valid_to,
                                             content_hash=book.content_hash, reviewed_until=reviewed_until,
                                             parameters_on=book.parameter_day(as_of),
                                             statutes_hash=book.statutes_hash),
        programmes=programmes,
        not_in_force={pid: note.note_sv for pid, note in book.meta.not_in_force.items()},
        target_groups=target_groups,
        conditions=list(records.values()),
        key_dates=facts.key_dates,
        questions=questions,
        explanation_sv="",
        law_reviewed_until=reviewed_until,
        beyond_reviewed_law=beyond,
        law_warning_sv=warning,
        package_version=PACKAGE_VERSION,
        template_hash=TEMPLATE_HASH,
    )
