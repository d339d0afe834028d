"""The missing-fact questions of frame backend rows, as the ``Evaluator`` asks them of one case.

The frame backend returns outcomes, statuses and the fact columns
(``facts=True``); the questions of a row whose programme is undetermined are
worked out from them by the functions ``decision/evaluator.py`` uses
(``question_facts``, the missing-fact walk ``MissingOnDemand``), so both
producers of the result frame ask the same questions (tested with random
cases, unknown facts included).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import polars as pl

from ..backends.frame import OUTCOME_OF_CELL, outcome_column
from ..facts.derived import CAUSE_READS, DERIVED, FACT_NAMES
from ..decision.evaluator import Evaluator, MissingOnDemand, question_facts
from ..decision.exact_frame import EXACT_QUESTIONS
from ..models import Status, Utfall



class _RowOutcomes(Mapping[str, Utfall]):
    """The outcomes of one row, read from the columns only for the conditions asked for."""

    def __init__(self, columns: dict[str, list[Any]], index: int) -> None:
        self.columns, self.index = columns, index

    def __getitem__(self, cond_id: str) -> Utfall:
        return OUTCOME_OF_CELL[self.columns[cond_id][self.index]]

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)


class _RowFacts:
    """``evaluator.KnownFacts`` for one row: which facts are known, and why an unknown derived one is.

    The causes come from the derived facts' own declarations (``facts/derived.py``), as in
    ``facts.derive.build_facts``; values are read lazily.
    """

    def __init__(self, columns: dict[str, list[Any]], index: int) -> None:
        self.facts = _KnownNames(columns, index)
        row = {name: columns[name][index] for name in CAUSE_READS if name in columns}
        self.unknown_because = {}
        for item in DERIVED:
            if item.name in FACT_NAMES and item.name not in self.facts:
                causes = item.unknown_because(row)
                if causes is not None:
                    self.unknown_because[item.name] = causes


class _KnownNames:
    """``name in known``: the row has a value for that fact."""

    def __init__(self, columns: dict[str, list[Any]], index: int) -> None:
        self.columns, self.index = columns, index

    def __contains__(self, name: object) -> bool:
        column = self.columns.get(name)  # type: ignore[call-overload]
        return column is not None and column[self.index] is not None


def frame_questions(frame: pl.DataFrame, evaluator: Evaluator) -> list[str]:
    """The questions of every row of a frame backend result (``facts=True``, valid rows only).

    Each as the facts asked for joined by ``;`` (``""``: none): one text
    column is cheap to build, where polars builds a list column of 5 000
    rows from Python lists slower than it evaluates the rules. Only rows with
    an undetermined programme have questions, so only those are read.
    """
    asked = [""] * frame.height
    statuses = [name for name in frame.columns if name.startswith("status.")]
    if not frame.height or not statuses:
        return asked
    open_rows = frame.select(pl.any_horizontal(pl.col(statuses).cast(pl.String) == Status.UNDETERMINED.value)
                             .fill_null(False)).to_series()
    if EXACT_QUESTIONS in frame.columns:  # the rows the exact layer settled have their questions already
        settled = frame.get_column(EXACT_QUESTIONS)
        for row in settled.is_not_null().arg_true().to_list():
            asked[row] = settled[row]
        open_rows = open_rows & settled.is_null()
    if not open_rows.any():
        return asked
    where = open_rows.arg_true().to_list()
    part = frame.filter(open_rows)
    columns = {name: part.get_column(name).to_list() for name in part.columns}
    facts = {name.removeprefix("fact."): values for name, values in columns.items() if name.startswith("fact.")}
    per_book: dict[str, tuple[Any, ...]] = {}
    books = {book.id: book for book in evaluator.books}
    for index, row in enumerate(where):
        book = books[columns["rulebook"][index]]
        if book.id not in per_book:
            outcome_columns = {cid: columns[outcome_column(book, cid)] for cid in book.all_conditions()}
            per_book[book.id] = ([(pid, columns[f"status.{pid}"]) for pid in book.programmes], outcome_columns,
                                 evaluator.plan_for(book.id))
        status_columns, outcome_columns, plan = per_book[book.id]
        row_statuses = {pid: Status(values[index]) for pid, values in status_columns}
        outcomes = _RowOutcomes(outcome_columns, index)
        missing = MissingOnDemand(plan, _RowFacts(facts, index), outcomes)
        asked[row] = ";".join(question_facts(book, row_statuses, outcomes, missing))
    return asked
