"""Batch rows: one per case, statuses, whether the law was reviewed, target groups, key dates, questions (no prose).

``batch_rows`` turns a result frame (``frame_schema.py``), whichever backend
produced it, into ``(ok, row)`` per line: a decided row, or the line's error
record. ``RowWriter`` writes the rows as JSONL or CSV.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import IO, Any

from ..decision.evaluator import Evaluator
from .csv_cells import safe_row

KEY_DATES = ("benefit_last_day", "beredningsgrupp_deadline", "last_day_with_hps_months_left",
             "birthday_30", "aktivitetsersattning_end", "sjukpenning_days_left")
NOT_IN_FORCE = "not_in_force"


def batch_rows(frame: Any, evaluator: Evaluator, programmes: list[str]) -> list[tuple[bool, dict[str, Any]]]:
    """``(ok, row)`` per row of a result frame, in order: the summary row (JSON-ready) or the error record.

    A row with ``decision`` set (``--full``) carries the whole decision too.
    """
    def column(name: str) -> list[Any]:
        return frame.get_column(name).to_list()

    records, lines, ids, as_of, rulebooks = (column(name) for name in ("error_record", "line", "id", "as_of",
                                                                      "rulebook"))
    statuses = [(pid, column(f"status.{pid}")) for pid in programmes]
    key_dates = [(name, column(f"key_dates.{name}")) for name in KEY_DATES]
    questions, decisions, beyond = column("questions"), column("decision"), column("beyond_reviewed_law")
    books = {book.id: book for book in evaluator.books}
    groups: dict[str, list[tuple[int, list[Any]]]] = {}
    results: list[tuple[bool, dict[str, Any]]] = []
    for index, record in enumerate(records):
        if record is not None:
            results.append((False, json.loads(record)))
            continue
        book = books[rulebooks[index]]
        if book.id not in groups:
            groups[book.id] = [(g.number, column(f"target_group.{gid}"))
                               for gid, g in sorted(book.target_groups.items(), key=lambda entry: entry[1].number)]
        row: dict[str, Any] = {
            "line": lines[index],
            "id": ids[index],
            "as_of": as_of[index].isoformat(),
            "rulebook": book.id,
            "rulebook_hash": book.content_hash,
            "law_reviewed_until": book.meta.reviewed_until.isoformat(),
            "beyond_reviewed_law": beyond[index],
            "programmes": {pid: values[index] or NOT_IN_FORCE for pid, values in statuses},
            "target_groups": [number for number, values in groups[book.id] if values[index]],
            "key_dates": {name: _plain(values[index]) for name, values in key_dates},
            "questions": questions[index].split(";") if questions[index] else [],
        }
        if decisions[index] is not None:
            row["decision"] = json.loads(decisions[index])
        results.append((True, row))
    return results


def _csv_bool(value: bool | None) -> str:
    """``true`` / ``false`` as in the JSONL rows (empty when unknown), not Python's ``True``."""
    return "" if value is None else ("true" if value else "false")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def csv_columns(programmes: list[str]) -> list[str]:
    """The fixed CSV header for a set of programmes."""
    return ["line", "id", "as_of", "rulebook", "rulebook_hash", "law_reviewed_until", "beyond_reviewed_law",
            *(f"status_{p}" for p in programmes),
            "target_groups", *KEY_DATES, "questions"]


def flatten(row: dict[str, Any]) -> dict[str, Any]:
    """A summary row as flat CSV cells."""
    flat = {k: row[k] for k in ("line", "id", "as_of", "rulebook", "rulebook_hash", "law_reviewed_until")}
    flat["beyond_reviewed_law"] = _csv_bool(row["beyond_reviewed_law"])
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


def programme_names(books: Any) -> dict[str, str]:
    """Every programme's Swedish name (``name_sv``), from the newest rulebook that has it, for the
    programmes a rulebook lists as not in force too (a table names them, never by id)."""
    names: dict[str, str] = {}
    for book in sorted(books, key=lambda b: b.valid_from):
        names.update({pid: p.name_sv for pid, p in book.programmes.items()})
    return names
