"""Decisive unknowns for a caseload: the frame backend decides, the shared layer settles the open rows.

``decide_caseload`` is ``backends.frame.evaluate_caseload`` with the exact
semantics of ``decision/exact.py`` (issue 17): the frame backend decides
every row (Kleene); for the valid rows with an undetermined programme the
shared layer finds each row's allowed completions (``exact.prepare``, the same
code the per-case evaluator runs), the frame backend decides all of them in
one frame, and the layer aggregates (``exact.finish``). So the columnar
backend decides every status of every completion, as the durable-rules
engine does per case, and the statuses, outcomes and questions are those of
``Evaluator.evaluate`` (``tests/test_exact_frame.py``).

The completions are found case by case in Python: the cost grows with the
number of open rows, not with the caseload (docs/performance.md, issue 17).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import polars as pl

from ..backends.frame import CELL_OF_OUTCOME, OUTCOME_OF_CELL, evaluate_caseload, outcome_column
from ..backends.reference import ReferenceRulebook
from ..case.fields import contract_fields
from ..case.read_frame import normalise, to_frame
from ..case.validate import birth_date_of, parse_case
from ..errors import CaseError
from ..facts.derive import build_facts
from ..models import Status
from ..rulebooks.plan import Plan, make_plan
from ..rulebooks.rulebook import Rulebook
from .evaluator import MissingOnDemand
from .exact import Decided, Pending, Settled, finish, prepare

EXACT_QUESTIONS = "__exact_questions"
"""Column ``decide_caseload(..., questions=True)`` adds: the settled rows' questions joined by ``;`` (null:
the row was not settled, its questions are the missing-fact walk's)."""
_log = logging.getLogger(__name__)


class _Compiled:
    """Plans and reference leaves per rulebook, made once per rulebook content."""

    cache: dict[tuple[str, str], tuple[Plan, ReferenceRulebook]] = {}

    @classmethod
    def of(cls, book: Rulebook) -> tuple[Plan, ReferenceRulebook]:
        key = (book.id, book.content_hash)
        if key not in cls.cache:
            cls.cache[key] = (make_plan(book), ReferenceRulebook(book))
        return cls.cache[key]


def decide_caseload(data: Any, books: list[Rulebook], rulebook_id: str | None = None, *, text: bool = False,
                    facts: bool = False, questions: bool = False) -> pl.DataFrame:
    """``evaluate_caseload`` (same arguments, same columns) deciding exactly.

    ``questions`` adds the column ``EXACT_QUESTIONS`` for the caller that
    reports questions (the caseload's result frame).
    """
    source = to_frame(data)
    result = evaluate_caseload(source, books, rulebook_id, text=text, facts=facts)
    settled = settle_rows(result, source, books, rulebook_id, text=text)
    for name, series in settled.columns.items():
        result = result.with_columns(series.alias(name))
    if questions:
        asked = [None] * result.height
        for row, facts_asked in settled.questions.items():
            asked[row] = ";".join(facts_asked)
        result = result.with_columns(pl.Series(EXACT_QUESTIONS, asked, dtype=pl.String))
    return result


class SettledRows:
    """The changed columns (whole, patched) and the questions of the settled rows (row -> facts, ranked)."""

    def __init__(self) -> None:
        self.columns: dict[str, pl.Series] = {}
        self.questions: dict[int, list[str]] = {}


def settle_rows(result: pl.DataFrame, source: pl.DataFrame, books: list[Rulebook], rulebook_id: str | None,
                *, text: bool = False) -> SettledRows:
    """Settle every valid row of ``result`` with an undetermined programme (see the module docstring)."""
    found = SettledRows()
    statuses = [name for name in result.columns if name.startswith("status.")]
    if not result.height or not statuses:
        return found
    open_rows = result.select(
        (pl.col("error").is_null() & pl.any_horizontal(pl.col(statuses).cast(pl.String) == Status.UNDETERMINED.value))
        .fill_null(False)).to_series()
    if not open_rows.any():
        return found
    where = open_rows.arg_true().to_list()
    typed = normalise(source[where], text, quick=True)[0]  # the open rows' cases, typed as the backend typed them
    rows = typed.select(name for name in contract_fields() if name in typed.columns).to_dicts()
    by_id = {book.id: book for book in books}
    pending: dict[int, tuple[Rulebook, Pending]] = {}
    for row, flat, decided_row in zip(where, rows, result[where].to_dicts()):
        book = by_id[decided_row["rulebook"]]
        made = _prepare(book, flat, decided_row)
        if made is not None:
            pending[row] = (book, made)
    if not pending:
        return found
    decided = _decide_completions(pending, books, rulebook_id)
    changed: dict[str, dict[int, Any]] = {}
    for row, (book, made) in pending.items():
        per_leaves = decided.get(row)
        if per_leaves is None:
            continue
        settled = finish(made, per_leaves)
        _record(book, row, made, settled, changed)
        found.questions[row] = [question.fact for question in settled.questions]
    for name, values in changed.items():
        series = result.get_column(name).clone()
        indices = pl.Series(list(values), dtype=pl.UInt32)
        found.columns[name] = series.scatter(indices, pl.Series(list(values.values()), dtype=series.dtype))
    return found


def _prepare(book: Rulebook, flat: dict[str, Any], decided: dict[str, Any]) -> Pending | None:
    """The shared layer's completions of one open row (its case rebuilt from the typed columns; ``decided``:
    the row of the frame backend's result)."""
    nested: dict[str, Any] = {}
    for name, value in flat.items():
        if value is None:
            continue
        section, _, leaf = name.partition(".")
        if leaf:
            nested.setdefault(section, {})[leaf] = value
        else:
            nested[section] = value
    for section in ("person", "benefit", "assessment"):
        nested.setdefault(section, {})
    try:
        case = parse_case(nested)
        birth = birth_date_of(case)
    except CaseError:  # the frame found it valid; should the per-case contract not, keep the frame's result
        _log.warning("a row the frame backend found valid is invalid case by case; its Kleene result stands")
        return None
    plan, reference = _Compiled.of(book)
    outcomes = {cid: OUTCOME_OF_CELL[decided[outcome_column(book, cid)]] for cid in book.all_conditions()}
    statuses = {pid: Status(decided[f"status.{pid}"]) for pid in book.programmes}
    facts = build_facts(case, birth, book)
    return prepare(case, birth, book, plan, outcomes, statuses, MissingOnDemand(plan, facts, outcomes), reference)


def _decide_completions(pending: Mapping[int, tuple[Rulebook, Pending]], books: list[Rulebook],
                        rulebook_id: str | None) -> dict[int, dict[Any, Decided]]:
    """Every open row's distinct completions decided by the frame backend in one frame."""
    owners: list[tuple[int, Any]] = []
    cases: list[dict[str, Any]] = []
    for row, (_, made) in pending.items():
        for leaves, values in made.distinct().items():
            owners.append((row, leaves))
            cases.append(made.completed_data(values))
    frame = evaluate_caseload(cases, books, rulebook_id)
    errors = frame.get_column("error").to_list()
    columns = {name: frame.get_column(name).to_list() for name in frame.columns
               if name.startswith(("status.", "condition.", "target_group."))}
    decided: dict[int, dict[Any, Decided]] = {}
    refused: set[int] = set()
    for position, (row, leaves) in enumerate(owners):
        book = pending[row][0]
        if errors[position] is not None:  # the per-case validation allowed it; the frame must too
            refused.add(row)
            continue
        outcomes = {cid: OUTCOME_OF_CELL[columns[outcome_column(book, cid)][position]] for cid in book.all_conditions()}
        statuses = {pid: Status(columns[f"status.{pid}"][position]) for pid in book.programmes}
        decided.setdefault(row, {})[leaves] = (outcomes, statuses)
    if refused:
        _log.warning("%d open rows had a completion the frame backend refused; their Kleene results stand",
                     len(refused))
    return {row: per for row, per in decided.items() if row not in refused}


def _record(book: Rulebook, row: int, made: Pending, settled: Settled, changed: dict[str, dict[int, Any]]) -> None:
    """Note the outcomes and statuses the layer decided (only those that changed)."""
    for cid, outcome in settled.outcomes.items():
        if outcome is not made.outcomes[cid]:
            changed.setdefault(outcome_column(book, cid), {})[row] = CELL_OF_OUTCOME[outcome]
    for pid, status in settled.statuses.items():
        if status is not made.statuses[pid]:
            changed.setdefault(f"status.{pid}", {})[row] = status.value
