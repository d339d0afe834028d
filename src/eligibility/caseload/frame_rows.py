"""Batch rows from the columnar backend: the same rows as deciding case by case, for a whole chunk at once.

``decide_chunk_columnar`` is a drop-in for ``rows.decide_chunk`` (same
items in, same ``(ok, row)`` out, in order): statuses, target groups and key
dates come from ``backends.frame.evaluate_caseload``; the questions (missing facts
of undetermined programmes) are worked out per row by the same functions
``decision/evaluator.py`` uses (``question_facts``, the missing-fact walk), from the
fact columns the backend returns. Rows the backend finds invalid are decided
case by case, so their error records are exactly the per-case ones.
``tests/test_caseload.py`` holds the two paths equal.

Rows the backend cannot type are never given to it: ``columnar_ready`` lets
through only cases in the contract's shape (the three sections as objects,
known fields, scalar values, whole numbers within 64 bits); the others (an
unknown or dotted key, ``"benefit": null``, a number past int64 ...) are
decided case by case, which turns each into its own error record. Should the
backend still fail on a chunk, ``evaluate_chunk`` says so in the log and the
whole chunk is decided case by case: one line never costs a chunk.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from ..backends.frame import END_CAUSE, END_FACTS, evaluate_caseload
from ..case.read import BadLine, CaseLine
from ..case.read_frame import contract_fields
from ..decision.evaluator import Evaluator, MissingOnDemand, question_facts
from ..models import BenefitType, Status, Utfall
from ..rulebooks.rulebook import Rulebook
from .rows import KEY_DATES, NOT_IN_FORCE, decide_chunk

_log = logging.getLogger(__name__)
_INT64 = (-(2 ** 63), 2 ** 63 - 1)
_SECTION_FIELDS: dict[str, frozenset[str]] = {}
for _name in contract_fields():
    _section, _, _leaf = _name.partition(".")
    _SECTION_FIELDS[_section] = _SECTION_FIELDS.get(_section, frozenset()) | ({_leaf} if _leaf else set())
_OUTCOME = {True: Utfall.UPPFYLLT, False: Utfall.EJ_UPPFYLLT, None: Utfall.EJ_UTRETT}
_AGE_LIMIT_FACT = "benefit.ends_at_age_limit"


class _RowOutcomes(Mapping[str, Utfall]):
    """The outcomes of one row, read from the columns only for the conditions asked for."""

    def __init__(self, columns: dict[str, list[Any]], index: int) -> None:
        self.columns, self.index = columns, index

    def __getitem__(self, cond_id: str) -> Utfall:
        return _OUTCOME[self.columns[cond_id][self.index]]

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)


class _RowFacts:
    """``evaluator.KnownFacts`` for one row: which facts are known, and why the benefit's end is not.

    Mirrors ``facts.derive.build_facts``' ``unknown_because``; values are read lazily.
    """

    def __init__(self, columns: dict[str, list[Any]], index: int) -> None:
        self.facts = _KnownNames(columns, index)
        cause = columns[END_CAUSE][index]
        causes = [cause] if cause else []
        self.unknown_because = {name: causes for name in END_FACTS if name not in self.facts}
        benefit = columns.get("benefit.type")
        if benefit is not None and benefit[index] == BenefitType.AKTIVITETSERSATTNING.value \
                and "benefit_end_exclusive" not in self.facts:
            self.unknown_because[_AGE_LIMIT_FACT] = causes


class _KnownNames:
    """``name in known``: the row has a value for that fact."""

    def __init__(self, columns: dict[str, list[Any]], index: int) -> None:
        self.columns, self.index = columns, index

    def __contains__(self, name: object) -> bool:
        column = self.columns.get(name)  # type: ignore[call-overload]
        return column is not None and column[self.index] is not None


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


class _Rows:
    """Turns the columns of one evaluated chunk into batch rows (column lists looked up once per rulebook)."""

    def __init__(self, evaluator: Evaluator, programmes: list[str], columns: dict[str, list[Any]]) -> None:
        self.evaluator, self.programmes, self.columns = evaluator, programmes, columns
        self.books: dict[str, Rulebook] = {book.id: book for book in evaluator.books}
        self.facts = {name.removeprefix("fact."): values for name, values in columns.items()
                      if name.startswith("fact.")}
        self.key_dates = [(name, columns.get(f"key_dates.{name}")) for name in KEY_DATES]
        self._per_book: dict[str, tuple[Any, ...]] = {}

    def _book_columns(self, book: Rulebook) -> tuple[Any, ...]:
        if book.id not in self._per_book:
            statuses = [(pid, self.columns[f"status.{pid}"]) for pid in book.programmes]
            groups = [(g.number, self.columns[f"target_group.{gid}"])
                      for gid, g in sorted(book.target_groups.items(), key=lambda entry: entry[1].number)]
            outcomes = {cid: self.columns[("target_group." if cid in book.target_groups else "condition.") + cid]
                        for cid in book.all_conditions()}
            self._per_book[book.id] = (statuses, groups, outcomes, self.evaluator.plan_for(book.id))
        return self._per_book[book.id]

    def row(self, index: int, item: CaseLine) -> dict[str, Any]:
        book = self.books[self.columns["rulebook"][index]]
        status_columns, groups, outcome_columns, plan = self._book_columns(book)
        statuses = {pid: values[index] for pid, values in status_columns}
        questions: list[str] = []
        if Status.UNDETERMINED.value in statuses.values():
            outcomes = _RowOutcomes(outcome_columns, index)
            missing = MissingOnDemand(plan, _RowFacts(self.facts, index), outcomes)
            questions = list(question_facts(book, {pid: Status(s) for pid, s in statuses.items()}, outcomes, missing))
        return {
            "line": item.line,
            "id": item.case_id,
            "as_of": self.columns["as_of"][index].isoformat(),
            "rulebook": book.id,
            "rulebook_hash": book.content_hash,
            "programmes": {pid: statuses.get(pid) or NOT_IN_FORCE for pid in self.programmes},
            "target_groups": [number for number, values in groups if values[index]],
            "key_dates": {name: None if values is None else _plain(values[index]) for name, values in self.key_dates},
            "questions": questions,
        }


def _scalar(value: Any) -> bool:
    if value is None or isinstance(value, (str, bool, float, date)):
        return True
    return isinstance(value, int) and _INT64[0] <= value <= _INT64[1]


def columnar_ready(data: Any) -> bool:
    """Whether the columnar backend can type this case (else it is decided case by case).

    The contract's shape only: top-level ``as_of`` and the sections, each
    section an object of known fields, every value a scalar (a whole number
    within 64 bits). Wrong types among scalars are the backend's own row
    errors. Every case refused here fails the contract, so none is decided
    differently.
    """
    if not isinstance(data, dict):
        return False
    for key, value in data.items():
        fields = _SECTION_FIELDS.get(key)
        if fields is None:
            return False
        if not fields:  # as_of
            if not _scalar(value):
                return False
            continue
        if not isinstance(value, dict):
            return False
        for leaf, item in value.items():
            if leaf not in fields or not _scalar(item):
                return False
    return True


def evaluate_chunk(cases: Sequence[CaseLine], books: list[Rulebook], rulebook_id: str | None = None, *,
                   facts: bool = False) -> Any:
    """``evaluate_caseload`` of these cases, or None if the backend fails on them (decide them case by case)."""
    if not cases:
        return None
    try:
        return evaluate_caseload([case.data for case in cases], books, rulebook_id, facts=facts)
    except Exception as exc:  # noqa: BLE001 - the per-case path decides the chunk exactly; never lose it
        _log.warning("columnar backend failed on a chunk of %d cases (lines %d-%d: %s); deciding it case by case",
                     len(cases), cases[0].line, cases[-1].line, type(exc).__name__)
        return None


def decide_chunk_columnar(items: list[CaseLine | BadLine], evaluator: Evaluator,
                          programmes: list[str]) -> list[tuple[bool, dict[str, Any]]]:
    """``rows.decide_chunk`` (without ``full``) through the columnar backend: identical rows, in order."""
    ready = [item for item in items if isinstance(item, CaseLine) and columnar_ready(item.data)]
    frame = evaluate_chunk(ready, evaluator.books, facts=True)
    if frame is None:
        return decide_chunk(items, evaluator, programmes)
    columns = {name: frame.get_column(name).to_list() for name in frame.columns}
    rows = _Rows(evaluator, programmes, columns)
    position = {id(item): index for index, item in enumerate(ready)}
    results: list[tuple[bool, dict[str, Any]]] = []
    for item in items:
        index = position.get(id(item))
        if index is None or columns["error"][index] is not None:
            results += decide_chunk([item], evaluator, programmes)  # the exact per-case record
        else:
            results.append((True, rows.row(index, item)))
    return results


def _contract_errors(data: Any) -> str:
    """The ``error`` text (``field: code; ...``) of a case the backend cannot type, from the per-case validation."""
    from ..errors import CaseError
    from ..case.validate import parse_case

    try:
        parse_case(data)
    except CaseError as exc:
        return "; ".join(f"{problem.field}: {problem.code}" for problem in exc.problems)
    except Exception as exc:  # noqa: BLE001 - one line never aborts the caseload
        return f"(case): could not be decided ({type(exc).__name__})"
    return "(case): not in the contract's shape"  # not reached: columnar_ready refuses only invalid cases


def evaluate_lines(items: Iterable[CaseLine | BadLine], books: list[Rulebook],
                   rulebook_id: str | None = None) -> Any:
    """``batch --columnar`` for streamed lines: one row per line (``line``, ``id``, the backend's columns).

    The cases the backend can type are evaluated at once; a line that cannot
    be read or typed is a row with only ``line``, ``id`` and ``error`` set
    (the reason, or ``field: code`` from the contract), so every line is
    in the result, in order.
    """
    import polars as pl

    ready: list[CaseLine] = []
    bad: list[tuple[int, str | None, str]] = []
    for item in items:
        if isinstance(item, BadLine):
            bad.append((item.line, None, item.reason))
        elif columnar_ready(item.data):
            ready.append(item)
        else:
            bad.append((item.line, item.case_id, _contract_errors(item.data)))
    frame = evaluate_caseload([case.data for case in ready], books, rulebook_id)
    frame = frame.select(pl.Series("line", [case.line for case in ready], dtype=pl.Int64),
                         pl.Series("id", [case.case_id for case in ready], dtype=pl.String),
                         pl.all().exclude("id"))
    if not bad:
        return frame
    rows = pl.DataFrame(bad, schema={"line": pl.Int64, "id": pl.String, "error": pl.String}, orient="row")
    return pl.concat([frame, rows], how="diagonal_relaxed").sort("line")
