"""One output row per case: statuses, target groups, key dates, questions (no prose).

``decide_chunk`` decides a chunk case by case into those rows; the batch, its
workers and the frame backend's fallback (``frame_rows.py``) all use it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import IO, Any

from ..case.read import BadLine, CaseLine
from ..decision.evaluator import Evaluator
from ..errors import CaseError, EligibilityError, UndecidableCase
from ..models import Decision
from .csv_cells import safe_row

KEY_DATES = ("benefit_last_day", "beredningsgrupp_deadline", "last_day_with_hps_months_left",
             "birthday_30", "aktivitetsersattning_end", "sjukpenning_days_left")
NOT_IN_FORCE = "not_in_force"


def decision_row(line: int, case_id: str | None, decision: Decision, programmes: Iterable[str],
                 full: bool = False) -> dict[str, Any]:
    """The summary of one decision (JSON-ready); ``full`` adds the whole decision."""
    statuses = {pid: decision.programmes[pid].status.value if pid in decision.programmes else NOT_IN_FORCE
                for pid in programmes}
    key_dates = decision.key_dates
    row: dict[str, Any] = {
        "line": line,
        "id": case_id,
        "as_of": decision.as_of.isoformat(),
        "rulebook": decision.rulebook.id,
        "rulebook_hash": decision.rulebook.content_hash,
        "programmes": statuses,
        "target_groups": [g.number for g in decision.target_groups if g.outcome.value == "uppfyllt"],
        "key_dates": {name: _plain(getattr(key_dates, name)) for name in KEY_DATES},
        "questions": [q.fact for q in decision.questions],
    }
    if full:
        row["decision"] = decision.model_dump(mode="json")
    return row


def error_row(line: int, case_id: str | None, error: Exception | str) -> dict[str, Any]:
    """The error record of one case that could not be decided (no personal data)."""
    if isinstance(error, CaseError):
        return {"line": line, "id": case_id, "error": error.code,
                "problems": [{"field": p.field, "expected": p.expected, "found": p.found} for p in error.problems]}
    if isinstance(error, EligibilityError):
        return {"line": line, "id": case_id, "error": error.code, "problems": [{"reason": error.message}]}
    return {"line": line, "id": case_id, "error": "LINE_UNREADABLE", "problems": [{"reason": str(error)}]}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def csv_columns(programmes: list[str]) -> list[str]:
    """The fixed CSV header for a set of programmes."""
    return ["line", "id", "as_of", "rulebook", "rulebook_hash", *(f"status_{p}" for p in programmes),
            "target_groups", *KEY_DATES, "questions"]


def flatten(row: dict[str, Any]) -> dict[str, Any]:
    """A summary row as flat CSV cells."""
    flat = {k: row[k] for k in ("line", "id", "as_of", "rulebook", "rulebook_hash")}
    flat.update({f"status_{p}": s for p, s in row["programmes"].items()})
    flat["target_groups"] = ";".join(str(n) for n in row["target_groups"])
    flat.update({k: "" if v is None else v for k, v in row["key_dates"].items()})
    flat["questions"] = ";".join(row["questions"])
    return flat


class RowWriter:
    """Writes summary rows as JSONL or CSV (UTF-8 with BOM so Excel keeps å/ä/ö; text cells formula-safe)."""

    def __init__(self, handle: IO[str], path: Path, programmes: list[str], header: bool = True) -> None:
        self.csv = path.suffix.lower() == ".csv"
        self.handle = handle
        if self.csv:
            self.writer = csv.DictWriter(handle, fieldnames=csv_columns(programmes), extrasaction="ignore")
            if header:  # False when appending to a resumed partial file
                self.writer.writeheader()

    @staticmethod
    def encoding_for(path: Path) -> str:
        """``utf-8-sig`` for CSV (Excel), plain UTF-8 otherwise."""
        return "utf-8-sig" if path.suffix.lower() == ".csv" else "utf-8"

    def write(self, row: dict[str, Any]) -> None:
        """One row."""
        if self.csv:
            self.writer.writerow(safe_row(flatten(row)))  # no cell a spreadsheet would run as a formula
        else:
            self.handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def programme_ids(evaluator: Evaluator) -> list[str]:
    """Every programme of every loaded rulebook, in first-seen order."""
    seen: dict[str, None] = {}
    for book in evaluator.books:
        for pid in [*book.programmes, *book.meta.not_in_force]:
            seen.setdefault(pid, None)
    return list(seen)


def decide_chunk(items: list[CaseLine | BadLine], evaluator: Evaluator, programmes: list[str],
                 full: bool = False) -> list[tuple[bool, dict[str, Any]]]:
    """Decide one chunk case by case (durable-rules engine): (ok, row) per item, in order."""
    results = []
    for item in items:
        if isinstance(item, BadLine):
            results.append((False, error_row(item.line, None, item.reason)))
            continue
        try:
            decision = evaluator.evaluate(item.data, explain=full)
            row = decision_row(item.line, item.case_id, decision, programmes, full)
        except EligibilityError as exc:
            results.append((False, error_row(item.line, item.case_id, exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - one line must never abort a caseload: it becomes its record
            results.append((False, error_row(item.line, item.case_id, UndecidableCase(exc))))
            continue
        results.append((True, row))
    return results
