"""Law-change impact: the same caseload under two rulebooks.

For each programme: the transition matrix of statuses (eligible /
not_eligible / undetermined / not_in_force) from rulebook A to B, with
counts and shares, the conditions whose outcome changed in the cases that
moved, and example case ids per cell. Cases that one rulebook cannot decide
(e.g. tidsbegränsad sjukersättning under a rulebook without it) are counted
per rulebook, not hidden. The tallies are counted once, with polars, from
the result frames (``frame_schema.py``) of the caseload under A and under B.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from ..backends.frame import outcome_column
from ..case.read import BadLine, CaseLine
from ..decision.evaluator import Evaluator
from .batch import check_accounted, chunks
from .result_frame import result_frame
from .rows import NOT_IN_FORCE, programme_ids

STATUSES = ("eligible", "not_eligible", "undetermined", NOT_IN_FORCE)
EXAMPLES_PER_CELL = 3
ONLY_ONE = "(programmet finns bara i en av regelversionerna)"


@dataclass
class ProgrammeImpact:
    """Transitions of one programme."""

    programme: str
    matrix: Counter = field(default_factory=Counter)
    causes: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=lambda: defaultdict(list))
    cell_causes: Counter = field(default_factory=Counter)
    """``(status A, status B, condition)``: cases of that changed cell in which the condition's outcome differs
    (``ONLY_ONE`` for a programme that one rulebook does not have)."""

    @property
    def changed(self) -> int:
        """Cases whose status differs between A and B."""
        return sum(n for (a, b), n in self.matrix.items() if a != b)

    def merge(self, other: ProgrammeImpact) -> None:
        """Add another part of the caseload (examples keep input order, capped per cell)."""
        self.matrix.update(other.matrix)
        self.causes.update(other.causes)
        self.cell_causes.update(other.cell_causes)
        for cell, ids in other.examples.items():
            room = EXAMPLES_PER_CELL - len(self.examples[cell])
            self.examples[cell].extend(ids[:max(0, room)])


@dataclass
class ImpactReport:
    """The whole report."""

    rulebook_a: str
    rulebook_b: str
    decided: int = 0
    unreadable: int = 0
    errors_a: int = 0
    errors_b: int = 0
    changed_people: int = 0
    """Decided cases in which at least one programme's status differs between A and B."""
    programmes: dict[str, ProgrammeImpact] = field(default_factory=dict)
    # (line, reason) of every line not decided under both rulebooks, unreadable ones included.
    problems: list[tuple[int, str]] = field(default_factory=list)
    law: LawBehind | None = None
    """What changed in the rule files from A to B, per condition and programme (``law_behind``); filled in
    by ``impact`` once the tallies are merged (a Dask worker's part does without it)."""

    def merge(self, other: ImpactReport) -> None:
        """Add the report of another part of the same caseload."""
        self.problems += other.problems
        self.decided += other.decided
        self.unreadable += other.unreadable
        self.errors_a += other.errors_a
        self.errors_b += other.errors_b
        self.changed_people += other.changed_people
        for pid, tally in other.programmes.items():
            self.programmes.setdefault(pid, ProgrammeImpact(pid)).merge(tally)


@dataclass(frozen=True)
class LawChange:
    """One item of ``eligibility diff`` behind a changed outcome: a condition, parameter or programme that was
    added, removed or changed from A to B, in words, with the provisions it rests on (in force in B)."""

    kind: str
    """``villkor``, ``parameter`` or ``program``."""
    id: str
    change: str
    """``added``, ``removed`` or ``changed`` (``RulebookDiff``)."""
    text_sv: str
    """The condition's text, the parameter's description, the programme's name."""
    detail_sv: str
    """What changed: ``värdet från den 1 januari 2012: 6 → 3``, ``nytt villkor``, ``lydelse, delvillkor``."""
    provisions: tuple[str, ...]
    """``lagrum_sv`` of each provision in force (or the seed document in words, ``citations_sv``)."""


@dataclass
class LawBehind:
    """The law changes between two rulebooks that can explain a changed condition outcome or programme status."""

    names: dict[str, str] = field(default_factory=dict)
    """Programme id -> ``name_sv`` (newest rulebook that has it)."""
    in_text: dict[str, str] = field(default_factory=dict)
    """Programme id -> the programme as running text names it (``in_text_sv``)."""
    condition_text: dict[str, str] = field(default_factory=dict)
    """Condition id -> its text with the values in force (rulebook B where it has it, else A)."""
    conditions: dict[str, list[LawChange]] = field(default_factory=dict)
    """Condition id -> the changed items it rests on: itself, the parameters it reads, its sub-conditions'."""
    programmes: dict[str, list[LawChange]] = field(default_factory=dict)
    """Programme id -> the change of the programme itself (added, removed, its list of conditions)."""
    parameters: list[LawChange] = field(default_factory=list)
    """Every parameter that changed: what a derived fact (a benefit's end, an age) can rest on when the
    condition that reads it did not change."""


def empty_report(evaluator: Evaluator, rulebook_a: str, rulebook_b: str) -> ImpactReport:
    """A report with no cases yet, one tally per programme; an unknown rulebook id fails here, early."""
    evaluator.rulebook_for(None, rulebook_a)
    evaluator.rulebook_for(None, rulebook_b)
    report = ImpactReport(rulebook_a, rulebook_b)
    report.programmes = {pid: ProgrammeImpact(pid) for pid in programme_ids(evaluator)}
    return report


def impact(items: Iterable[CaseLine | BadLine], evaluator: Evaluator, rulebook_a: str, rulebook_b: str,
           scheduler: str | None = None, rules_dir: str | None = None, *, per_case: bool = False,
           chunk_size: int = 50_000, source: Path | None = None) -> ImpactReport:
    """Decide every case under both rulebooks and tally the differences.

    The caseload is decided ``chunk_size`` cases at a time into result frames
    (the frame backend; ``per_case``: the per-case adapter), and each pair of
    frames is tallied by ``tally_frames``, whichever backend decided.
    With ``scheduler`` the chunks are tallied on a Dask cluster and merged
    in input order (same report as a local run). Every line not decided under
    both is in ``problems``; with ``source`` (the file ``items`` were read
    from) decided + problems must be its data lines, else ``LinesUnaccountedError``.
    """
    report = empty_report(evaluator, rulebook_a, rulebook_b)
    if scheduler is not None:
        from .on_dask import dask_results

        parts: Iterable[ImpactReport] = dask_results(scheduler, tally_chunk, chunks(items, chunk_size), rules_dir,
                                                     evaluator, rulebook_a, rulebook_b, per_case)
    else:
        parts = (tally_chunk(chunk, evaluator, rulebook_a, rulebook_b, per_case) for chunk in chunks(items, chunk_size))
    for part in parts:
        report.merge(part)
    report.problems.sort()
    if source is not None:
        check_accounted(source, report.decided, len(report.problems))
    report.law = law_behind(evaluator, rulebook_a, rulebook_b)
    return report


def tally_chunk(chunk: list[CaseLine | BadLine], evaluator: Evaluator, rulebook_a: str, rulebook_b: str,
                per_case: bool = False) -> ImpactReport:
    """The impact of one part of a caseload: its result frames under A and B (frame backend or, with
    ``per_case``, the per-case adapter), tallied by ``tally_frames``. The task of a Dask worker too."""
    a, b = (result_frame(chunk, evaluator, rid, per_case=per_case, questions=False) for rid in (rulebook_a, rulebook_b))
    return tally_frames(a, b, evaluator, rulebook_a, rulebook_b)


def tally_frames(a: pl.DataFrame, b: pl.DataFrame, evaluator: Evaluator, rulebook_a: str,
                 rulebook_b: str) -> ImpactReport:
    """The impact of the same lines' result frames under rulebook A (``a``) and B (``b``), row for row."""
    report = empty_report(evaluator, rulebook_a, rulebook_b)
    unreadable = a["unreadable"]
    failed_a, failed_b = a["error"].is_not_null() & ~unreadable, b["error"].is_not_null() & ~unreadable
    report.unreadable = int(unreadable.sum())
    report.errors_a, report.errors_b = int(failed_a.sum()), int(failed_b.sum())
    for line, gone, reason_a, reason_b in zip(a["line"], unreadable, a["error"], b["error"]):
        if gone:
            report.problems.append((line, reason_a))
        elif reason_a is not None or reason_b is not None:
            report.problems.append((line, "; ".join(f"{rid}: {reason}" for rid, reason in
                                                    ((rulebook_a, reason_a), (rulebook_b, reason_b)) if reason)))
    both = (a["error"].is_null() & b["error"].is_null())
    report.decided = int(both.sum())
    if not report.decided:
        return report
    a, b = a.filter(both), b.filter(both)
    ids = a.select(pl.col("id").fill_null(pl.lit("rad ") + pl.col("line").cast(pl.String))).to_series()
    book_a, book_b = (evaluator.rulebook_for(None, rid) for rid in (rulebook_a, rulebook_b))
    anyone = pl.Series([False] * report.decided)
    for pid, tally_ in report.programmes.items():
        status_a = a[f"status.{pid}"].fill_null(NOT_IN_FORCE)
        status_b = b[f"status.{pid}"].fill_null(NOT_IN_FORCE)
        cells = pl.DataFrame({"a": status_a, "b": status_b, "id": ids})
        for (sa, sb), group in cells.group_by(["a", "b"], maintain_order=True):
            tally_.matrix[(sa, sb)] += group.height
            tally_.examples[(sa, sb)].extend(group["id"].head(EXAMPLES_PER_CELL).to_list())
        moved = status_a != status_b
        anyone = anyone | moved
        one_only = moved & ((status_a == NOT_IN_FORCE) | (status_b == NOT_IN_FORCE))
        if one_only.any():
            tally_.causes[ONLY_ONE] += int(one_only.sum())
            _count_cells(tally_, cells, one_only, ONLY_ONE)
        changed = moved & ~one_only
        if not changed.any():
            continue
        conditions = set(book_a.programmes[pid].conditions) | set(book_b.programmes[pid].conditions)
        for cond in sorted(conditions):
            differs = _outcomes(a, book_a, cond).ne_missing(_outcomes(b, book_b, cond)) & changed
            if differs.any():
                tally_.causes[cond] += int(differs.sum())
                _count_cells(tally_, cells, differs, cond)
    report.changed_people = int(anyone.sum())
    return report


def _count_cells(tally_: ProgrammeImpact, cells: pl.DataFrame, rows: pl.Series, cause: str) -> None:
    """Add the rows picked by ``rows`` to ``cell_causes`` under ``cause``, per (status A, status B)."""
    for (sa, sb), group in cells.filter(rows).group_by(["a", "b"]):
        tally_.cell_causes[(sa, sb, cause)] += group.height


def _outcomes(frame: pl.DataFrame, book: Any, cond: str) -> pl.Series:
    """A condition's outcome per row as text; ``absent`` where the rulebook has no such condition."""
    if cond not in book.all_conditions():
        return pl.Series(["absent"] * frame.height, dtype=pl.String)
    return frame[outcome_column(book, cond)].cast(pl.String).fill_null("ej_utrett")


_FIELD_SV = {"text_sv": "lydelse", "check": "slag av prövning", "op": "jämförelse", "values": "godtagna värden",
             "parameters": "gränsvärden", "all_of": "delvillkor", "any_of": "delvillkor", "facts": "uppgifter som prövas",
             "fact": "uppgift som prövas", "at": "tidpunkt", "source": "källa", "valid_from": "giltig från",
             "applies_to": "ersättningar som villkoret gäller", "conditions": "villkor", "name_sv": "namn",
             "description_sv": "beskrivning", "in_text_sv": "namn i löptext", "starts": "startdag", "unit": "enhet",
             "description": "beskrivning", "note_sv": "anteckning"}
_CHANGE_SV = {"villkor": {"added": "nytt villkor", "removed": "villkoret finns inte längre"},
              "parameter": {"added": "ny parameter", "removed": "parametern finns inte längre"},
              "program": {"added": "nytt program", "removed": "programmet finns inte längre"}}


def law_behind(evaluator: Evaluator, rulebook_a: str, rulebook_b: str) -> LawBehind:
    """What ``eligibility diff A B`` lists, attached to the conditions and programmes it can explain, in words."""
    from ..decision.explain import format_text
    from ..decision.phrases_sv import citations_sv
    from ..rulebooks.diff import diff_rulebooks
    from .rows import programme_names

    book_a, book_b = (evaluator.rulebook_for(None, rid) for rid in (rulebook_a, rulebook_b))
    diff = diff_rulebooks(book_a, book_b)
    law = LawBehind(names=programme_names(evaluator.books))
    for book in (book_a, book_b):
        law.in_text.update({pid: p.in_text_sv or p.name_sv[:1].lower() + p.name_sv[1:]
                            for pid, p in book.programmes.items()})

    def cited(source: Any, book: Any) -> tuple[str, ...]:
        return tuple(citations_sv([source.in_force_on(book.valid_from)]))

    def fields_sv(item: Any) -> str:
        return ", ".join(dict.fromkeys(_field_sv(f.path) for f in item.fields))

    parameters: dict[str, LawChange] = {}
    for item in diff.parameters:
        book = book_b if item.id in book_b.parameters else book_a
        definition = book.parameters[item.id]
        values = [f for f in item.fields if f.path.startswith("values.") and f.path.endswith(".value")]
        if item.change != "changed":
            detail = _CHANGE_SV["parameter"][item.change]
        elif values:
            detail = "; ".join(_value_change_sv(f) for f in values)
        else:
            detail = fields_sv(item)
        days = [date.fromisoformat(f.path.split(".")[1]) for f in values] or sorted(definition.values)[-1:]
        source = definition.values[max(d for d in days if d in definition.values)].source \
            if any(d in definition.values for d in days) else definition.values[max(definition.values)].source
        if item.change != "changed" or _substantive(item):
            parameters[item.id] = LawChange("parameter", item.id, item.change, definition.description, detail,
                                            cited(source, book))
    law.parameters = list(parameters.values())
    own: dict[str, LawChange] = {}
    for item in diff.conditions:
        book = book_b if item.id in book_b.conditions else book_a
        cond = book.conditions[item.id]
        detail = _CHANGE_SV["villkor"].get(item.change) or fields_sv(item)
        if item.change == "changed" and not _substantive(item):
            continue  # a new citation or wording changes no outcome
        own[item.id] = LawChange("villkor", item.id, item.change, _condition_text(evaluator, book, item.id, format_text),
                                 detail, cited(cond.source, book))
    for item in [*diff.programmes, *diff.not_in_force]:
        book = book_b if item.id in book_b.programmes else book_a
        programme = book.programmes.get(item.id)
        if programme is not None:
            source, text = programme.source, programme.name_sv
        else:  # only ever listed as not in force
            note = (book_b.meta.not_in_force.get(item.id) or book_a.meta.not_in_force[item.id])
            source, text = note.source, note.note_sv
        in_force = item.id in book_b.programmes
        change = item.change if item in diff.programmes else ("added" if in_force else "removed")
        detail = _CHANGE_SV["program"].get(change) or fields_sv(item)
        if item.id in law.programmes or (change == "changed" and not _substantive(item)):
            continue  # removed from programmes and listed as not in force: one change
        law.programmes.setdefault(item.id, []).append(
            LawChange("program", item.id, change, law.names.get(item.id, text), detail, cited(source, book)))

    def behind(cond_id: str, seen: frozenset[str] = frozenset()) -> list[LawChange]:
        found: list[LawChange] = [own[cond_id]] if cond_id in own else []
        for book in (book_a, book_b):
            cond = book.all_conditions().get(cond_id)
            if cond is None:
                continue
            found += [parameters[name] for name in cond.parameters.values() if name in parameters]
            for sub in [*(cond.all_of or []), *(cond.any_of or [])]:
                if sub not in seen:
                    found += behind(sub, seen | {cond_id})
        return list(dict.fromkeys(found))

    for book in (book_b, book_a):
        for cond_id in book.all_conditions():
            law.condition_text.setdefault(cond_id, _condition_text(evaluator, book, cond_id, format_text))
            law.conditions.setdefault(cond_id, behind(cond_id))
    return law


_WORDING = {"source", "text_sv", "description", "description_sv", "name_sv", "in_text_sv", "note_sv", "valid_from"}


def _substantive(item: Any) -> bool:
    """Whether a changed item changes what is decided, not only its citation, wording or first day."""
    return any(not (set(f.path.split(".")) & {"source"}) and f.path.split(".")[0] not in _WORDING
               for f in item.fields)


def _field_sv(path: str) -> str:
    parts = path.split(".")
    if "source" in parts:
        return "källa"
    if parts[0] == "values" and len(parts) > 1:
        return "värden"
    return _FIELD_SV.get(parts[0], parts[0].replace("_", " "))


def condition_text(evaluator: Evaluator, book: Any, cond_id: str) -> str:
    """A condition's text with the values in force on the rulebook's first day (as a decision writes it)."""
    from ..decision.explain import format_text

    return _condition_text(evaluator, book, cond_id, format_text)


def _condition_text(evaluator: Evaluator, book: Any, cond_id: str, format_text: Any) -> str:
    cond = book.all_conditions()[cond_id]
    try:
        planned = evaluator.plan_for(book.id).by_id[cond_id]
        return format_text(cond.text_sv, book.parameters_on(book.valid_from), planned.parameters)
    except KeyError:  # a parameter not in force on that day: the text as written
        return cond.text_sv


def _value_change_sv(change: Any) -> str:
    """``värdet från den 1 januari 2012: 6 → 3`` (``—``: no value; ``upphör``: closed with ``null``)."""
    from ..decision.phrases_sv import date_sv
    from ..decision.texts_sv import display_value_sv

    day = date.fromisoformat(change.path.split(".")[1])

    if change.after is None:
        return f"upphör från {date_sv(day)}"

    def shown(value: Any) -> str:
        try:
            return display_value_sv(date.fromisoformat(value)) if isinstance(value, str) else display_value_sv(value)
        except ValueError:
            return display_value_sv(value)
    before = "—" if change.before is None else shown(change.before)
    return f"värdet från {date_sv(day)}: {before} → {shown(change.after)}"
