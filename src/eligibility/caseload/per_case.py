"""``--per-case``: decide each case with the durable-rules ``Evaluator`` into the result frame.

The adapter from per-case ``Decision`` objects to the one shape of
``frame_schema.py``. It is the oracle the frame backend is tested against
(for random cases the two frames are equal), and it gives every error record:
the frame backend hands it the lines it cannot decide, so a bad line's record
is the same whichever backend runs.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from ..backends.frame import CELL_OF_OUTCOME, outcome_column
from ..case.read import BadLine, CaseLine
from ..decision.evaluator import Evaluator
from ..decision.texts_sv import problem_sv
from ..errors import CaseError, EligibilityError, UndecidableCase
from ..models import Decision
from .frame_schema import KEY_DATE_FIELDS, benefit_type, schema_of



def error_row(line: int, case_id: str | None, error: Exception | str) -> dict[str, Any]:
    """The error record of one case that could not be decided (no personal data)."""
    if isinstance(error, CaseError):
        return {"line": line, "id": case_id, "error": error.code,
                "problems": [{"field": p.field, "expected": p.expected, "found": p.found, "code": p.code,
                              "message_sv": problem_sv(p.code, p.expected, p.field)} for p in error.problems]}
    if isinstance(error, EligibilityError):
        return {"line": line, "id": case_id, "error": error.code, "problems": [{"reason": error.message}]}
    return {"line": line, "id": case_id, "error": "LINE_UNREADABLE", "problems": [{"reason": str(error)}]}


def per_case_frame(items: list[CaseLine | BadLine], evaluator: Evaluator, rulebook_id: str | None = None, *,
                   full: bool = False, questions: bool = True) -> pl.DataFrame:
    """The result frame of ``items``, each decided on its own (``rulebook_id``: under that rulebook)."""
    return pl.from_dicts([_row(item, evaluator, rulebook_id, full, questions) for item in items],
                         schema=schema_of(evaluator))


def _row(item: CaseLine | BadLine, evaluator: Evaluator, rulebook_id: str | None, full: bool,
         questions: bool) -> dict[str, Any]:
    if isinstance(item, BadLine):
        return _failed(item.line, None, item.reason, error_row(item.line, None, item.reason), unreadable=True)
    try:
        decision = evaluator.evaluate(item.data, rulebook_id, explain=full)
        return _decided(item, decision, evaluator, full, questions)
    except EligibilityError as exc:
        return _failed(item.line, item.case_id, str(exc), error_row(item.line, item.case_id, exc))
    except Exception as exc:  # noqa: BLE001 - one line must never abort a caseload: it becomes its record
        undecidable = UndecidableCase(exc)
        return _failed(item.line, item.case_id, undecidable.message, error_row(item.line, item.case_id, undecidable))


def _failed(line: int, case_id: str | None, reason: str, record: dict[str, Any], *,
            unreadable: bool = False) -> dict[str, Any]:
    return {"line": line, "id": case_id, "error": reason, "error_record": json.dumps(record, ensure_ascii=False),
            "unreadable": unreadable}


def _decided(item: CaseLine, decision: Decision, evaluator: Evaluator, full: bool,
             questions: bool) -> dict[str, Any]:
    book = evaluator.rulebook_for(None, decision.rulebook.id)
    row: dict[str, Any] = {"line": item.line, "id": item.case_id, "as_of": decision.as_of,
                           "rulebook": decision.rulebook.id, "benefit_type": benefit_type(item.data),
                           "unreadable": False}
    row.update({f"status.{pid}": result.status.value for pid, result in decision.programmes.items()})
    row.update({outcome_column(book, r.condition): CELL_OF_OUTCOME[r.outcome] for r in decision.conditions})
    row.update({f"target_group.{g.target_group}": CELL_OF_OUTCOME[g.outcome] for g in decision.target_groups})
    row.update({f"key_dates.{name}": getattr(decision.key_dates, name) for name in KEY_DATE_FIELDS})
    row["beyond_reviewed_law"] = decision.beyond_reviewed_law
    if questions:
        row["questions"] = ";".join(q.fact for q in decision.questions)
    if full:
        row["decision"] = json.dumps(decision.model_dump(mode="json"), ensure_ascii=False)
    return row
