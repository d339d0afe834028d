"""Streaming case input (JSONL, CSV) and decision output (JSONL, CSV).

Input is read line by line so that a million cases need no more memory than
one. Each item carries its 1-based line number; a line that cannot be read
becomes a ``BadLine`` (line, reason) and the run carries on.

CSV (Excel exports included): UTF-8 with or without BOM, comma or semicolon
separated, one case per row, columns named as in docs/caseload.md
(``as_of``, ``birth_date``, ``benefit_type``, ``fardigutredd`` …). An empty
cell is unknown. Booleans are ``true/false`` or ``ja/nej``.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..case_fields import case_fields

MAX_LINE_BYTES = 1_000_000

_FIELDS = case_fields()
_CSV_NAME = {"benefit.type": "benefit_type"}   # "type" alone would be ambiguous in a flat file
COLUMN_FIELD = {_CSV_NAME.get(f.path, f.name): f for f in _FIELDS}
BOOLEAN_COLUMNS = {c for c, f in COLUMN_FIELD.items() if f.kind == "yesno"}
INTEGER_COLUMNS = {c for c, f in COLUMN_FIELD.items() if f.kind == "integer"}
NUMBER_COLUMNS = {c for c, f in COLUMN_FIELD.items() if f.kind == "number"}
CSV_COLUMNS = ("id", "as_of", *COLUMN_FIELD)
_TRUE, _FALSE = {"true", "ja", "yes", "1"}, {"false", "nej", "no", "0"}


@dataclass(frozen=True)
class CaseLine:
    """A case read from input: its line, its id (if any) and the raw case data."""

    line: int
    case_id: str | None
    data: Any


@dataclass(frozen=True)
class BadLine:
    """A line that could not be read as a case."""

    line: int
    reason: str


def read_cases(path: Path) -> Iterator[CaseLine | BadLine]:
    """Cases from a .jsonl or .csv file, in order."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _read_jsonl(path)
    elif suffix == ".csv":
        yield from _read_csv(path)
    else:
        raise ValueError(f"{path}: expected a .jsonl or .csv file, found '{suffix or 'no extension'}'")


def count_lines(path: Path) -> int:
    """Number of data lines (for progress and ETA), read in blocks."""
    total = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            total += block.count(b"\n")
    return max(0, total - 1) if path.suffix.lower() == ".csv" else total


def _split_id(data: Any) -> tuple[str | None, Any]:
    if isinstance(data, dict) and "id" in data:
        data = dict(data)
        case_id = data.pop("id")
        return (None if case_id is None else str(case_id)), data
    return None, data


def _lines(handle: Any) -> Iterator[tuple[bytes, bool]]:
    """(line, too_long) per line; a line over MAX_LINE_BYTES is skipped in blocks, never held whole."""
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        if len(raw) <= MAX_LINE_BYTES:
            yield raw, False
            continue
        while not raw.endswith(b"\n"):
            raw = handle.readline(1 << 20)
            if not raw:
                break
        yield b"", True


def _read_jsonl(path: Path) -> Iterator[CaseLine | BadLine]:
    with path.open("rb") as handle:
        for number, (raw, too_long) in enumerate(_lines(handle), 1):
            if too_long:
                yield BadLine(number, f"line is longer than {MAX_LINE_BYTES} bytes")
                continue
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8").strip()
            except UnicodeDecodeError as exc:
                yield BadLine(number, f"not UTF-8 ({exc.reason} at byte {exc.start})")
                continue
            if not text:
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                yield BadLine(number, f"not valid JSON: {exc.msg} (column {exc.colno})")
                continue
            if not isinstance(data, dict):
                yield BadLine(number, "expected a JSON object (one case per line)")
                continue
            case_id, data = _split_id(data)
            yield CaseLine(number, case_id, data)


def _cell(column: str, value: str) -> Any:
    value = value.strip()
    if value == "":
        return None
    lowered = value.lower()
    if column in BOOLEAN_COLUMNS:
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"column {column}: expected true/false or ja/nej, found {value!r}")
    if column in INTEGER_COLUMNS:
        if not value.lstrip("-").isdigit():
            raise ValueError(f"column {column}: expected a whole number, found {value!r}")
        return int(value)
    if column in NUMBER_COLUMNS:
        try:
            return float(value.replace(",", "."))
        except ValueError:
            raise ValueError(f"column {column}: expected a number, found {value!r}") from None
    return value


def row_to_case(row: dict[str, str]) -> tuple[str | None, dict[str, Any]]:
    """A flat CSV row as the nested case contract (unknown columns are an error)."""
    unknown = [c for c in row if c not in CSV_COLUMNS]
    if unknown:
        raise ValueError(f"unknown column(s) {', '.join(unknown)} (see docs/caseload.md)")
    cells = {c: _cell(c, v or "") for c, v in row.items()}
    case: dict[str, Any] = {"as_of": cells.get("as_of"), "person": {}, "benefit": {}, "assessment": {}}
    for column, value in cells.items():
        if value is not None and column in COLUMN_FIELD:
            field = COLUMN_FIELD[column]
            case[field.section][field.name] = value
    return cells.get("id"), case


def _not_utf8(row: dict[Any, Any]) -> bool:
    cells = [*row.keys(), *row.values()]
    return any(isinstance(c, str) and _SURROGATE.search(c) for c in cells)


_SURROGATE = re.compile("[\udc80-\udcff]")


def _read_csv(path: Path) -> Iterator[CaseLine | BadLine]:
    # surrogateescape: a byte that is not UTF-8 (a Latin-1/Windows-1252 export) fails only its own row.
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.DictReader(handle, delimiter=delimiter)
        try:
            for row in reader:
                line = reader.line_num
                if _not_utf8(row):
                    yield BadLine(line, "not UTF-8 (a Latin-1/Windows-1252 export?): save the file as UTF-8")
                    continue
                if None in row:
                    yield BadLine(line, "more cells than columns")
                    continue
                try:
                    case_id, case = row_to_case(row)
                except ValueError as exc:
                    yield BadLine(line, str(exc))
                    continue
                yield CaseLine(line, case_id, case)
        except (UnicodeDecodeError, csv.Error) as exc:
            yield BadLine(reader.line_num + 1, f"unreadable CSV: {exc}")
