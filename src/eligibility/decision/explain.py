"""Explanations: one sentence per condition record, and the whole motivering.

The motivering follows 32 § förvaltningslagen (2017:900): it names the
provisions applied and the circumstances that decided, connected in plain
language, not as a bare list of facts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..facts.derive import FactSet
from ..facts.derived import HPS_MONTHS
from ..models import ConditionRecord, KeyDates, ProgrammeResult, Question, Status, Utfall
from ..rulebooks.plan import Plan, PlannedCondition
from ..rulebooks.rule_text import fill
from ..rulebooks.rulebook import Rulebook
from . import phrases_sv as ph
from . import texts_sv as sv


def explain_condition(book: Rulebook, planned: PlannedCondition, outcome: Utfall, facts: FactSet,
                      params: dict[str, Any], missing: list[str], part_records: list[ConditionRecord]) -> str:
    """The plain-language sentence for one condition record: its kind's ``Reason``, in Swedish.

    ``params`` are the plain parameter values (``FactSet.parameter_values``), taken once per decision.
    """
    kind, cond = planned.kind, planned.definition
    if planned.leaf:
        reason = kind.reason(planned.cond_id, cond, facts.facts, params, outcome)
        return sv.reason_sv(reason, missing, book.benefit_names())
    reason = kind.reason(planned.cond_id, cond, outcome, [(r.condition, r.outcome) for r in part_records])
    return sv.reason_sv(reason, missing, book.benefit_names(), {r.condition: r.text_sv for r in part_records})


def _decisive_parts(planned: PlannedCondition, outcome: Utfall, parts: list[ConditionRecord]) -> list[ConditionRecord]:
    """The part records that decided a composite, as its kind says."""
    by_id = {r.condition: r for r in parts}
    return [by_id[p] for p in planned.kind.decisive(outcome, [(r.condition, r.outcome) for r in parts])]


def _lines_for(record: ConditionRecord, records: dict[str, ConditionRecord], plan: Plan,
               depth: int, seen: set[str]) -> list[str]:
    """A bullet for a record, then (for composites) its decisive parts below it."""
    lines = [sv.condition_line_sv(record.text_sv, record.explanation_sv if not record.sub_conditions
                                  else sv.OUTCOME_SV[record.outcome].capitalize() + ".", record.source, depth)]
    if record.sub_conditions:
        parts = [records[p] for p in record.sub_conditions]
        for part in _decisive_parts(plan.by_id[record.condition], record.outcome, parts):
            if part.condition not in seen:
                seen.add(part.condition)
                lines += _lines_for(part, records, plan, depth + 1, seen)
    return lines


def explain_decision(plan: Plan, facts: FactSet, programmes: dict[str, ProgrammeResult],
                     records: dict[str, ConditionRecord], questions: list[Question], key_dates: KeyDates,
                     warning: str | None = None) -> str:
    """The whole motivering, programme by programme.

    ``warning`` (``texts_sv.law_warning_sv``) is set when ``as_of`` is after
    the day the rulebook's law was reviewed to; it is then the first paragraph.
    """
    as_of = facts.facts["as_of"]
    book = plan.book
    paragraphs = [warning] if warning else []
    paragraphs.append(sv.header_sv(as_of, book.id, book.meta.title_sv, book.content_hash, book.parameter_day(as_of)))
    dates_text = sv.key_dates_sv(key_dates.benefit_last_day, key_dates.beredningsgrupp_deadline,
                                 key_dates.last_day_with_hps_months_left, key_dates.sjukpenning_days_left,
                                 facts.parameters[HPS_MONTHS].value)
    if dates_text:
        paragraphs.append(dates_text)
    for programme in programmes.values():
        lines = [sv.programme_sv(programme.name_sv, programme.status),
                 sv.decisive_intro_sv(programme.status, len(programme.decisive_conditions))]
        seen: set[str] = set()
        for cond_id in programme.decisive_conditions:
            lines += _lines_for(records[cond_id], records, plan, 0, seen)
        if programme.status is Status.UNDETERMINED:
            asked = [q.text_sv for q in questions if programme.programme in q.programmes]
            if asked:
                lines.append(sv.questions_sv(asked))
        lines.append(f"Programmets grund: {sv.cite(programme.source)}.")
        paragraphs.append("\n".join(lines))
    for note in book.meta.not_in_force.values():
        paragraphs.append(sv.not_in_force_sv(note.note_sv))
    return "\n\n".join(paragraphs)


def format_text(text: str, params: dict[str, Any], names: tuple[str, ...]) -> str:
    """Fill the ``{parameter}`` placeholders ``names`` of a rule text with the values in force.

    Plain placeholders only, never ``str.format``: a format spec in a rule
    text must not size the output (see ``rule_text``).
    """
    if "{" not in text:
        return text
    key = (text, tuple((name, params[name].value) for name in names))
    filled = _FILLED.get(key)
    if filled is None:  # a rule text and the values in force: the same few per rulebook period
        if len(_FILLED) > 20_000:
            _FILLED.clear()
        filled = _FILLED[key] = fill(text, {name: _in_text(params[name].value) for name in names})
    return filled


_FILLED: dict[tuple[Any, ...], str] = {}


def _in_text(value: Any) -> str:
    """A parameter value in running text: one to twelve in words, a date as ``den 6 juli 2011``."""
    if isinstance(value, date):
        return ph.date_sv(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return ph.number_sv(value)
    return sv.value_sv(value)
