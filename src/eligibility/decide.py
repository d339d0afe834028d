"""From case to explained decision: validate, derive, evaluate, combine, explain.

The evaluation backend (durable-rules engine or reference evaluator) decides
the leaf conditions; everything after that (Kleene composition, programme
status, records, questions, motivering) is shared, so the two backends can
only differ where they should be compared: the leaf outcomes.
"""

from __future__ import annotations

import string
from datetime import date
from typing import Any, Literal, Protocol

from .conditions import COMPOSITE_KINDS, LEAF_KINDS, STATUS_OF, kleene_and
from .engine import CompiledRulebook
from .errors import CaseError, FieldProblem, RulebookNotFoundError
from .explain import explain_condition, explain_decision, format_text
from .facts import FactSet, build_facts
from .loader import select_rulebook
from .models import (Case, ConditionRecord, Decision, ParameterUse, ProgrammeResult, Question, RulebookRef,
                     Status, TargetGroupResult, Utfall)
from .reference import ReferenceRulebook
from .rulebook import Rulebook
from .texts_sv import QUESTION_SV
from .validate import birth_date_of, check_against_rulebook, parse_case

Backend = Literal["engine", "reference"]


class _LeafEvaluator(Protocol):
    def evaluate_leaves(self, facts: FactSet) -> dict[str, Utfall]: ...


class Evaluator:
    """Decides cases under a fixed set of loaded rulebooks. Safe to share between threads."""

    def __init__(self, books: list[Rulebook], backend: Backend = "engine") -> None:
        if not books:
            raise RulebookNotFoundError("no rulebooks loaded")
        self.books = books
        self.backend = backend
        make = CompiledRulebook if backend == "engine" else ReferenceRulebook
        self._backends: dict[str, _LeafEvaluator] = {book.id: make(book) for book in books}

    def rulebook_for(self, on: date, rulebook_id: str | None = None) -> Rulebook:
        """The rulebook named, or in force on ``on``; a date outside every period is a case error."""
        try:
            return select_rulebook(self.books, on, rulebook_id)
        except RulebookNotFoundError:
            if rulebook_id is not None:
                raise
            first = self.books[0].valid_from
            last = self.books[-1].valid_to
            period = f"{first} – {last}" if last else f"on or after {first}"
            raise CaseError([FieldProblem("as_of", f"a date covered by a rulebook ({period})", str(on),
                                          "no_rulebook_in_force")]) from None

    def evaluate(self, case: Case | dict[str, Any], rulebook_id: str | None = None) -> Decision:
        """The full explained decision for one case.

        Raises ``CaseError`` for invalid input and ``RulebookNotFoundError``
        for an unknown ``rulebook_id``.
        """
        if not isinstance(case, Case):
            case = parse_case(case)
        birth = birth_date_of(case)
        book = self.rulebook_for(case.as_of, rulebook_id)
        check_against_rulebook(case, birth, book)
        facts = build_facts(case, birth, book)
        leaves = self._backends[book.id].evaluate_leaves(facts)
        return _assemble(book, facts, leaves)


def combine(book: Rulebook, leaves: dict[str, Utfall]) -> dict[str, Utfall]:
    """Outcomes of all conditions, composites included (Kleene over their parts)."""
    conditions = book.all_conditions()
    outcomes = dict(leaves)

    def outcome_of(cond_id: str) -> Utfall:
        if cond_id not in outcomes:
            cond = conditions[cond_id]
            kind = COMPOSITE_KINDS[cond.check]
            outcomes[cond_id] = kind.combine(outcome_of(part) for part in kind.parts(cond))
        return outcomes[cond_id]

    for cond_id in conditions:
        outcome_of(cond_id)
    return outcomes


def programme_statuses(book: Rulebook, outcomes: dict[str, Utfall]) -> dict[str, Status]:
    """Status of each programme: Kleene AND of its conditions."""
    return {pid: STATUS_OF[kleene_and(outcomes[c] for c in p.conditions)] for pid, p in book.programmes.items()}


def _placeholders(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def _missing_facts(facts: FactSet, read: list[str]) -> list[str]:
    missing: list[str] = []
    for name in read:
        if name in facts.facts or name.startswith("threshold."):
            continue
        for cause in facts.unknown_because.get(name, [name]):
            if cause not in missing:
                missing.append(cause)
    return missing


def _records(book: Rulebook, facts: FactSet, outcomes: dict[str, Utfall]) -> dict[str, ConditionRecord]:
    conditions = book.all_conditions()
    records: dict[str, ConditionRecord] = {}

    def record_of(cond_id: str) -> ConditionRecord:
        if cond_id in records:
            return records[cond_id]
        cond = conditions[cond_id]
        outcome = outcomes[cond_id]
        leaf = LEAF_KINDS.get(cond.check)
        parts = [] if leaf else COMPOSITE_KINDS[cond.check].parts(cond)
        part_records = [record_of(p) for p in parts]
        read = leaf.facts_read(cond_id, cond) if leaf else []
        missing = _missing_facts(facts, read) if outcome is Utfall.EJ_UTRETT else []
        if not leaf and outcome is Utfall.EJ_UTRETT:
            for part in part_records:
                missing += [m for m in part.missing_facts if m not in missing and part.outcome is Utfall.EJ_UTRETT]
        used_params = list(dict.fromkeys([*cond.parameters.values(), *_placeholders(cond.text_sv)]))
        records[cond_id] = ConditionRecord.model_construct(
            condition=cond_id,
            outcome=outcome,
            text_sv=format_text(cond.text_sv, facts.parameters),
            explanation_sv=explain_condition(book, cond_id, cond, outcome, facts, missing, part_records),
            facts_used={name: facts.facts.get(name) for name in read},
            parameters_used={name: ParameterUse.model_construct(value=facts.parameters[name].value,
                                                                valid_from=facts.parameters[name].valid_from)
                             for name in used_params},
            missing_facts=missing,
            sub_conditions=parts,
            source=cond.source,
        )
        return records[cond_id]

    for cond_id in conditions:
        record_of(cond_id)
    return records


def _decisive(status: Status, ids: list[str], outcomes: dict[str, Utfall]) -> list[str]:
    wanted = {Status.ELIGIBLE: Utfall.UPPFYLLT, Status.NOT_ELIGIBLE: Utfall.EJ_UPPFYLLT,
              Status.UNDETERMINED: Utfall.EJ_UTRETT}[status]
    return [cid for cid in ids if outcomes[cid] is wanted]


def _questions(book: Rulebook, programmes: dict[str, ProgrammeResult],
               records: dict[str, ConditionRecord]) -> list[Question]:
    asked: dict[str, list[str]] = {}
    for programme in programmes.values():
        if programme.status is not Status.UNDETERMINED:
            continue
        for cond_id in programme.decisive_conditions:
            for fact in records[cond_id].missing_facts:
                asked.setdefault(fact, [])
                if programme.programme not in asked[fact]:
                    asked[fact].append(programme.programme)
    return [Question.model_construct(fact=fact, text_sv=QUESTION_SV.get(fact, fact), programmes=progs)
            for fact, progs in asked.items()]


def _assemble(book: Rulebook, facts: FactSet, leaves: dict[str, Utfall]) -> Decision:
    outcomes = combine(book, leaves)
    statuses = programme_statuses(book, outcomes)
    records = _records(book, facts, outcomes)
    programmes = {
        pid: ProgrammeResult.model_construct(
            programme=pid, name_sv=p.name_sv, status=statuses[pid], conditions=list(p.conditions),
            decisive_conditions=_decisive(statuses[pid], list(p.conditions), outcomes), source=p.source)
        for pid, p in book.programmes.items()
    }
    questions = _questions(book, programmes, records)
    target_groups = [
        TargetGroupResult.model_construct(target_group=gid, number=g.number, name_sv=g.name_sv, outcome=outcomes[gid])
        for gid, g in sorted(book.target_groups.items(), key=lambda item: item[1].number)
    ]
    return Decision.model_construct(
        as_of=facts.facts["as_of"],
        rulebook=RulebookRef.model_construct(id=book.id, valid_from=book.valid_from, valid_to=book.valid_to,
                                             content_hash=book.content_hash),
        programmes=programmes,
        not_in_force={pid: note.note_sv for pid, note in book.meta.not_in_force.items()},
        target_groups=target_groups,
        conditions=list(records.values()),
        key_dates=facts.key_dates,
        questions=questions,
        explanation_sv=explain_decision(book, facts, programmes, records, questions, facts.key_dates),
    )
