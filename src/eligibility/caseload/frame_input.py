"""The frame backend's input side for streamed lines: which cases it can type, and one chunk through it.

Rows the backend cannot type are never given to it: ``columnar_ready`` lets
through only cases in the contract's shape (the three sections as objects,
known fields, scalar values, whole numbers within 64 bits); the others (an
unknown or dotted key, ``"benefit": null``, a number past int64 ...) go to
the per-case adapter (``per_case.py``), which turns each into its own error
record. Should the backend still fail on a chunk, ``evaluate_chunk`` says so
in the log and returns None, and the whole chunk is decided case by case:
one line never costs a chunk. ``evaluate_lines`` is ``batch --columnar``
(every column of the backend, one row per line).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from ..backends.frame import evaluate_caseload
from ..decision.exact_frame import decide_caseload
from ..case.read import BadLine, CaseLine
from ..case.fields import contract_fields
from ..rulebooks.rulebook import Rulebook

_log = logging.getLogger(__name__)
_INT64 = (-(2 ** 63), 2 ** 63 - 1)
_SECTION_FIELDS: dict[str, frozenset[str]] = {}
for _name in contract_fields():
    _section, _, _leaf = _name.partition(".")
    _SECTION_FIELDS[_section] = _SECTION_FIELDS.get(_section, frozenset()) | ({_leaf} if _leaf else set())


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
                   facts: bool = False, exact: bool = True) -> Any:
    """The frame backend's result for these cases (``exact``: ``decide_caseload``, with the settled rows'
    questions when ``facts``), or None if the backend fails on them (decide them case by case)."""
    if not cases:
        return None
    try:
        data = [case.data for case in cases]
        if exact:
            return decide_caseload(data, books, rulebook_id, facts=facts, questions=facts)
        return evaluate_caseload(data, books, rulebook_id, facts=facts)
    except Exception as exc:  # noqa: BLE001 - the per-case adapter decides the chunk exactly; never lose it
        _log.warning("columnar backend failed on a chunk of %d cases (lines %d-%d: %s); deciding it case by case",
                     len(cases), cases[0].line, cases[-1].line, type(exc).__name__)
        return None


def _contract_errors(data: Any, books: list[Rulebook], rulebook_id: str | None) -> str:
    """The ``error`` text (``field: code; ...``) of a case the backend cannot type, from the per-case validation
    (every problem at once: its types, its identity and the rulebook's rules on its valid fields)."""
    from ..errors import CaseError
    from ..case.validate import validate_case
    from ..rulebooks.loader import case_rulebook

    try:
        validate_case(data, lambda day: case_rulebook(books, day, rulebook_id))
    except CaseError as exc:
        return "; ".join(f"{problem.field}: {problem.code}" for problem in exc.problems)
    except Exception as exc:  # noqa: BLE001 - one line never aborts the caseload
        return f"(case): could not be decided ({type(exc).__name__})"
    return "(case): not in the contract's shape"  # not reached: columnar_ready refuses only invalid cases


def evaluate_lines(items: Iterable[CaseLine | BadLine], books: list[Rulebook],
                   rulebook_id: str | None = None, *, exact: bool = True) -> Any:
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
            bad.append((item.line, item.case_id, _contract_errors(item.data, books, rulebook_id)))
    decide = decide_caseload if exact else evaluate_caseload
    frame = decide([case.data for case in ready], books, rulebook_id)
    frame = frame.select(pl.Series("line", [case.line for case in ready], dtype=pl.Int64),
                         pl.Series("id", [case.case_id for case in ready], dtype=pl.String),
                         pl.all().exclude("id"))
    if not bad:
        return frame
    rows = pl.DataFrame(bad, schema={"line": pl.Int64, "id": pl.String, "error": pl.String}, orient="row")
    return pl.concat([frame, rows], how="diagonal_relaxed").sort("line")
