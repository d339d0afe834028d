"""The result frame: the one shape every caseload command reads.

One row per input item of a chunk, in input order. Both producers build it:
the frame backend (``result_frame.py``, the default) and the per-case adapter
(``per_case.py``, ``--per-case``, the oracle in tests). Batch rows
(``rows.py``), watchlist events (``watchlist.py``) and impact tallies
(``impact.py``) are each computed once, from these columns only.

Columns: ``line``, ``id``, ``as_of``, ``rulebook``; ``status.<programme>``
for every programme of every loaded rulebook (null: not in the row's
rulebook); ``condition.<id>`` and ``target_group.<id>`` (nullable booleans:
true = uppfyllt, false = ej uppfyllt, null = ej utrett, as the frame backend
has them); ``key_dates.<name>`` (every ``KeyDates`` field); ``beyond_reviewed_law``
(``as_of`` is after the rulebook's ``reviewed_until``: ``Decision.beyond_reviewed_law``); ``benefit_type``
(the case's own field, for the watchlist); ``questions`` (the facts asked
for, joined by ``;``, as the CSV has them; null when not asked for); ``error`` (why the row was not decided: the
text watchlist and impact print), ``error_record`` (batch's error record as
JSON), ``unreadable`` (the line could not be read at all) and ``decision``
(``--full``: the whole decision as JSON).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import polars as pl

from ..backends.frame import outcome_column
from ..decision.evaluator import Evaluator
from ..models import KeyDates
from .rows import programme_ids

KEY_DATE_FIELDS = tuple(f.name for f in fields(KeyDates))
_INT_DATES = {"sjukpenning_days_left"}
_SCHEMAS: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}


def schema_of(evaluator: Evaluator) -> dict[str, Any]:
    """Column name -> polars type of the result frame for ``evaluator``'s rulebooks (cached by content)."""
    key = tuple((book.id, book.content_hash) for book in evaluator.books)
    if key not in _SCHEMAS:
        schema: dict[str, Any] = {"line": pl.Int64, "id": pl.String, "as_of": pl.Date, "rulebook": pl.String}
        schema.update({f"status.{pid}": pl.String for pid in programme_ids(evaluator)})
        for book in evaluator.books:
            for cid in book.all_conditions():
                schema.setdefault(outcome_column(book, cid), pl.Boolean)
        schema.update({f"key_dates.{name}": pl.Int64 if name in _INT_DATES else pl.Date
                       for name in KEY_DATE_FIELDS})
        schema["beyond_reviewed_law"] = pl.Boolean
        schema.update({"benefit_type": pl.String, "questions": pl.String, "error": pl.String,
                       "error_record": pl.String, "unreadable": pl.Boolean, "decision": pl.String})
        _SCHEMAS[key] = schema
    return _SCHEMAS[key]


def benefit_type(data: Any) -> str | None:
    """The case's own ``benefit.type`` (the watchlist's events depend on it), None when absent."""
    benefit = data.get("benefit") if isinstance(data, dict) else None
    value = benefit.get("type") if isinstance(benefit, dict) else None
    return value if isinstance(value, str) else None
