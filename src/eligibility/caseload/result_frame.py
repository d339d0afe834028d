"""The result frame of a chunk from the frame backend, or from the per-case adapter (``--per-case``).

``result_frame`` is the one chunk function every caseload command calls,
locally, in worker threads and processes, and on Dask partitions. The frame
backend (``backends.frame.evaluate_caseload``) decides every case it can type
(``frame_input.columnar_ready``) and finds valid; every other line (unreadable,
untypable, invalid, or a whole chunk the backend failed on) goes to the
per-case adapter, so its error record is the adapter's. The two parts are
put back in input order.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ..case.read import BadLine, CaseLine
from ..decision.evaluator import Evaluator
from .frame_input import columnar_ready, evaluate_chunk
from .frame_schema import benefit_type, schema_of
from .per_case import per_case_frame
from .questions import frame_questions

_POSITION = "__position"


def result_frame(items: list[CaseLine | BadLine], evaluator: Evaluator, rulebook_id: str | None = None, *,
                 per_case: bool = False, full: bool = False, questions: bool = True) -> pl.DataFrame:
    """The result frame (``frame_schema.py``) of one chunk, one row per item, in order.

    ``rulebook_id`` decides every case under that rulebook (impact);
    ``per_case`` uses the adapter for every case, and ``full`` (whole
    decisions) always does; ``questions=False`` leaves the questions out
    (watchlist and impact do not ask them).
    """
    if per_case or full:
        return per_case_frame(items, evaluator, rulebook_id, full=full, questions=questions)
    ready = [item for item in items if isinstance(item, CaseLine) and columnar_ready(item.data)]
    frame = evaluate_chunk(ready, evaluator.books, rulebook_id, facts=questions, exact=evaluator.exact)
    if frame is None:  # nothing the backend can type, or it failed on these
        return per_case_frame(items, evaluator, rulebook_id, questions=questions)
    valid = frame.get_column("error").is_null()
    cases = [case for case, ok in zip(ready, valid.to_list()) if ok]
    decided = _shape(frame.filter(valid), cases, evaluator, questions)
    if len(cases) == len(items):
        return decided
    done = {id(case) for case in cases}
    rest = [item for item in items if id(item) not in done]
    position = {id(item): index for index, item in enumerate(items)}
    parts = [part.with_columns(pl.Series(_POSITION, [position[id(item)] for item in part_items], dtype=pl.Int64))
             for part, part_items in ((decided, cases),
                                      (per_case_frame(rest, evaluator, rulebook_id, questions=questions), rest))]
    return pl.concat(parts).sort(_POSITION).drop(_POSITION)


def _shape(frame: pl.DataFrame, cases: list[CaseLine], evaluator: Evaluator, questions: bool) -> pl.DataFrame:
    """The frame backend's valid rows in the result frame's columns and types."""
    schema = schema_of(evaluator)
    given: dict[str, Any] = {
        "line": pl.Series("line", [case.line for case in cases], dtype=pl.Int64),
        "id": pl.Series("id", [case.case_id for case in cases], dtype=pl.String),
        "benefit_type": pl.Series("benefit_type", [benefit_type(case.data) for case in cases], dtype=pl.String),
        "unreadable": pl.Series("unreadable", [False] * len(cases), dtype=pl.Boolean),
    }
    if questions:
        given["questions"] = pl.Series("questions", frame_questions(frame, evaluator), dtype=pl.String)
    present = set(frame.columns)
    columns = [pl.lit(given[name]) if name in given
               else pl.col(name).cast(dtype) if name in present
               else pl.lit(None, dtype).alias(name) for name, dtype in schema.items()]
    return frame.select(columns)
