"""Explanations: one sentence per condition record, and the whole motivering.

The motivering follows 32 § förvaltningslagen (2017:900): it names the
provisions applied and the circumstances that decided, connected in plain
language, not as a bare list of facts.
"""

from __future__ import annotations

from typing import Any

from ..conditions.age import AGE_FACTS
from ..conditions.remaining_time import END, HAS_END, threshold_fact
from ..facts.derive import HPS_MONTHS, FactSet
from ..models import ConditionRecord, KeyDates, ProgrammeResult, Question, Status, Utfall
from ..rulebooks.plan import Plan
from ..rulebooks.rule_text import fill
from ..rulebooks.rulebook import Rulebook
from ..rulebooks.schema import ConditionDef
from . import texts_sv as sv


def explain_condition(book: Rulebook, cond_id: str, cond: ConditionDef, outcome: Utfall, facts: FactSet,
                      missing: list[str], part_records: list[ConditionRecord]) -> str:
    """The plain-language sentence for one condition record."""
    values = facts.facts
    params = facts.parameters
    benefit_names = book.benefit_names()
    check = cond.check
    if check in ("alla", "nagon"):
        decisive = _decisive_parts(check, outcome, part_records)
        return sv.composite_sv(outcome, check == "nagon", [r.text_sv for r in decisive])
    if check in ("kvarvarande_tid_minst", "kvarvarande_tid_under"):
        end = values.get(END)
        last_day = end.fromordinal(end.toordinal() - 1) if end else None
        benefit = benefit_names.get(values.get("benefit.type"), "ersättningen")
        return sv.remaining_sv(outcome, check.endswith("minst"), params[cond.parameters["months"]].value,
                               benefit, last_day, values[threshold_fact(cond_id)], values.get(HAS_END), missing)
    if check == "alder_inom":
        return sv.age_sv(outcome, values.get(AGE_FACTS[cond.at]), params[cond.parameters["min"]].value,
                         params[cond.parameters["max"]].value, cond.at == "benefit_end", missing)
    label = sv.FACT_LABEL_SV.get(cond.fact, cond.fact)
    if check == "jamforelse":
        return sv.comparison_sv(outcome, label, values.get(cond.fact), cond.op,
                                params[cond.parameters["value"]].value, missing)
    return sv.fact_sv(outcome, label, values.get(cond.fact), missing, benefit_names)


def _decisive_parts(check: str, outcome: Utfall, parts: list[ConditionRecord]) -> list[ConditionRecord]:
    """The parts that decided a composite: the first that holds for a satisfied OR, else those with its outcome."""
    matching = [r for r in parts if r.outcome is outcome]
    if check == "nagon" and outcome is Utfall.UPPFYLLT:
        return matching[:1]
    return matching


def _lines_for(record: ConditionRecord, records: dict[str, ConditionRecord], checks: dict[str, str],
               depth: int, seen: set[str]) -> list[str]:
    """A bullet for a record, then (for composites) its decisive parts below it."""
    lines = [sv.condition_line_sv(record.text_sv, record.explanation_sv if not record.sub_conditions
                                  else sv.OUTCOME_SV[record.outcome].capitalize() + ".", record.source, depth)]
    if record.sub_conditions:
        parts = [records[p] for p in record.sub_conditions]
        for part in _decisive_parts(checks[record.condition], record.outcome, parts):
            if part.condition not in seen:
                seen.add(part.condition)
                lines += _lines_for(part, records, checks, depth + 1, seen)
    return lines


def explain_decision(plan: Plan, facts: FactSet, programmes: dict[str, ProgrammeResult],
                     records: dict[str, ConditionRecord], questions: list[Question], key_dates: KeyDates) -> str:
    """The whole motivering, programme by programme."""
    as_of = facts.facts["as_of"]
    book = plan.book
    checks = {cid: planned.definition.check for cid, planned in plan.by_id.items()}
    paragraphs = [sv.header_sv(as_of, book.id, book.meta.title_sv, book.content_hash)]
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
            lines += _lines_for(records[cond_id], records, checks, 0, seen)
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
    return fill(text, {name: sv.value_sv(params[name].value) for name in names})
