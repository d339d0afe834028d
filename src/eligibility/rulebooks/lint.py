"""Semantic checks across rule files, run at every load and by ``eligibility lint``.

The schema checks each file's shape; this checks meaning: periods without gaps
or overlaps, references that resolve, a source on every rule, parameters
defined for the whole period in which they are used, facts that exist, and citations of law in force
on the days they apply (``citations.py``).
"""

from __future__ import annotations

from datetime import timedelta

from ..conditions import ALL_KINDS, COMPOSITE_KINDS, LEAF_KINDS
from ..errors import RuleProblem
from ..facts.derive import KNOWN_FACTS, REQUIRED_PARAMETERS
from .condition_graph import MAX_NESTING, cycles, depths
from .citations import lint_citations
from .rule_text import placeholder_problems, placeholders
from .rulebook import Rulebook
from .schema import ConditionDef
from .units import unit_problem


def lint_rulebooks(books: list[Rulebook]) -> list[RuleProblem]:
    """Every problem found in ``books`` (sorted by ``valid_from``); empty when clean."""
    problems = _periods(books)
    for book in books:
        problems += lint_rulebook(book)
    return problems


def _periods(books: list[Rulebook]) -> list[RuleProblem]:
    problems = []
    for earlier, later in zip(books, books[1:]):
        where = f"{later.directory}/rulebook.yaml"
        if earlier.valid_to is None:
            problems.append(RuleProblem(f"{earlier.directory}/rulebook.yaml", _line(earlier, "rulebook.yaml", "valid_to"),
                                        f"open-ended period overlaps rulebook '{later.id}'"))
        elif earlier.valid_to >= later.valid_from:
            problems.append(RuleProblem(where, _line(later, "rulebook.yaml", "valid_from"),
                                        f"period overlaps rulebook '{earlier.id}' (ends {earlier.valid_to})"))
        elif earlier.valid_to + timedelta(days=1) != later.valid_from:
            problems.append(RuleProblem(where, _line(later, "rulebook.yaml", "valid_from"),
                                        f"gap: rulebook '{earlier.id}' ends {earlier.valid_to}, this starts {later.valid_from}"))
    return problems


def _line(book: Rulebook, file: str, *path: object) -> int | None:
    lines = book.lines.get(file, {})
    for end in range(len(path), -1, -1):
        if tuple(path[:end]) in lines:
            return lines[tuple(path[:end])]
    return None


def lint_rulebook(book: Rulebook) -> list[RuleProblem]:
    """Problems inside one rulebook."""
    problems: list[RuleProblem] = []

    def report(file: str, path: tuple[object, ...], reason: str) -> None:
        problems.append(RuleProblem(f"{book.directory}/{file}", _line(book, file, *path), reason))

    if book.id != book.directory.rsplit("/", 1)[-1]:
        report("rulebook.yaml", ("id",), f"id '{book.id}' differs from the directory name")
    if book.id != book.valid_from.isoformat():
        report("rulebook.yaml", ("id",), f"id '{book.id}' should be the first valid day {book.valid_from}")
    for name in REQUIRED_PARAMETERS:
        if name not in book.parameters:
            report("parameters.yaml", (), f"parameter '{name}' is required by the date derivations and not defined")
    for name in book.parameters:
        _parameter_covers_period(book, name, report)

    conditions = book.all_conditions()
    clash = set(book.conditions) & set(book.target_groups)
    for name in sorted(clash):
        report("target_groups.yaml", (name,), f"target group '{name}' has the id of a condition")
    for cond_id, cond in book.conditions.items():
        _lint_condition(book, cond_id, cond, conditions, report)
    for group_id, group in book.target_groups.items():
        for part in group.all_of:
            if part not in conditions:
                report("target_groups.yaml", (group_id, "all_of"), f"target group '{group_id}': condition '{part}' is not defined in this rulebook")
    for prog_id, programme in book.programmes.items():
        for part in programme.conditions:
            if part not in conditions:
                report("programmes.yaml", (prog_id, "conditions"), f"programme '{prog_id}': condition '{part}' is not defined in this rulebook")
        if prog_id in book.meta.not_in_force:
            report("programmes.yaml", (prog_id,), f"programme '{prog_id}' is also listed as not in force")
    _target_group_numbers(book, report)
    lint_citations(book, report)
    looped = cycles(conditions)
    for cycle_at in looped:
        report("conditions.yaml", (cycle_at,), f"condition '{cycle_at}' refers to itself through its parts")
    if not looped:
        for cond_id, depth in depths(conditions).items():
            if depth == MAX_NESTING + 1:
                report("conditions.yaml", (cond_id,), f"condition '{cond_id}': composite conditions nest more than "
                                                       f"{MAX_NESTING} levels deep below it")
    return problems


def _target_group_numbers(book: Rulebook, report) -> None:
    """Target groups are known by number (seed 001 numbers them 1-5): two with one number is an error."""
    first_with: dict[int, str] = {}
    for group_id, group in book.target_groups.items():
        if group.number in first_with:
            report("target_groups.yaml", (group_id, "number"),
                   f"target group '{group_id}': number {group.number} is already the number of target group "
                   f"'{first_with[group.number]}'")
        else:
            first_with[group.number] = group_id
        if "{" in group.name_sv or "}" in group.name_sv:
            report("target_groups.yaml", (group_id, "name_sv"),
                   f"target group '{group_id}': name_sv may not contain '{{' or '}}' (it becomes part of a rule text)")


def _parameter_covers_period(book: Rulebook, name: str, report) -> None:
    definition = book.parameters[name]
    values = definition.values
    for start, entry in values.items():
        wrong = unit_problem(definition.unit, entry.value)
        if wrong:
            report("parameters.yaml", (name, "values", start, "value"),
                   f"parameter '{name}' (unit {definition.unit}), value from {start}: {wrong}")
    if min(values) > book.valid_from:
        report("parameters.yaml", (name, "values"),
               f"parameter '{name}' has no value on {book.valid_from}, the first day of the rulebook")
    for start, entry in values.items():
        in_period = book.covers(start) or start <= book.valid_from
        if entry.value is None and in_period and _used(book, name):
            report("parameters.yaml", (name, "values", start),
                   f"parameter '{name}' is closed on {start} but conditions of this rulebook use it")
        if not (entry.source.document or entry.source.lagrum):
            report("parameters.yaml", (name, "values", start), f"parameter '{name}': source names neither a document nor a lagrum")


def _used(book: Rulebook, name: str) -> bool:
    return any(name in cond.parameters.values() or name in placeholders(cond.text_sv)
               for cond in book.conditions.values())


def _lint_condition(book: Rulebook, cond_id: str, cond: ConditionDef, conditions: dict, report) -> None:
    path = (cond_id,)
    if cond.check not in ALL_KINDS:
        report("conditions.yaml", (cond_id, "check"),
               f"condition '{cond_id}': unknown check '{cond.check}' (known: {', '.join(sorted(ALL_KINDS))})")
        return
    kind = LEAF_KINDS.get(cond.check) or COMPOSITE_KINDS[cond.check]
    for problem in kind.problems(cond):
        report("conditions.yaml", path, f"condition '{cond_id}': {problem}")
    if not (cond.source.document or cond.source.lagrum):
        report("conditions.yaml", (cond_id, "source"), f"condition '{cond_id}': source names neither a document nor a lagrum")
    if cond.valid_from > book.valid_from:
        report("conditions.yaml", (cond_id, "valid_from"),
               f"condition '{cond_id}': valid_from {cond.valid_from} is after the rulebook starts ({book.valid_from})")
    for role, name in cond.parameters.items():
        if name not in book.parameters:
            report("conditions.yaml", (cond_id, "parameters", role),
                   f"condition '{cond_id}': parameter '{name}' is not defined in this rulebook")
    for problem in placeholder_problems(cond.text_sv):
        report("conditions.yaml", (cond_id, "text_sv"), f"condition '{cond_id}': text_sv: {problem}")
    for name in placeholders(cond.text_sv):
        if name not in book.parameters:
            report("conditions.yaml", (cond_id, "text_sv"), f"condition '{cond_id}': text refers to unknown parameter '{name}'")
    for fact in cond.facts:
        if fact not in KNOWN_FACTS:
            report("conditions.yaml", (cond_id, "facts"), f"condition '{cond_id}': unknown fact '{fact}'")
    if cond.check in LEAF_KINDS and not kind.problems(cond):
        own = set(kind.derived_names(cond_id, cond))
        read = [f for f in kind.facts_read(cond_id, cond) if f not in own]
        for fact in read:
            if fact not in KNOWN_FACTS:
                report("conditions.yaml", path, f"condition '{cond_id}': unknown fact '{fact}'")
            elif fact not in cond.facts:
                report("conditions.yaml", (cond_id, "facts"), f"condition '{cond_id}': reads '{fact}' but does not list it in facts")
    if cond.check in COMPOSITE_KINDS and not kind.problems(cond):
        for part in kind.parts(cond):
            if part not in conditions:
                report("conditions.yaml", (cond_id,), f"condition '{cond_id}': part '{part}' is not defined in this rulebook")

