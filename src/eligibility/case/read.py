"""Caseload input, one module for every caseload command: JSONL, CSV and Parquet.

``read_cases`` streams a file as ``CaseLine`` (line, id, nested case data) or
``BadLine`` (line, reason) items, so a million cases need no more memory than
one. ``batch`` (every mode), ``watchlist``, ``impact`` and the Dask partitions
all read through it; ``batch --columnar`` reads Parquet as a whole frame
(``read_parquet_frame``) after the same schema check.

One line, one item, whatever is on it. "Line" is the 1-based physical line of
a JSONL or CSV file (the CSV header is line 1) and the 1-based row of a
Parquet file. Blank lines are skipped. A line that cannot be read becomes a
``BadLine`` and the run carries on; nothing is echoed from it (no personal
data in error records). ``count_data_lines`` counts the same lines
independently of the parsing, so a run can check that every line was
accounted for (``batch``: decided + errors == data lines).

* JSONL: one JSON object per line, nested as in docs/case-format.md (``person``,
  ``benefit``, ``assessment``) plus an optional ``id``. Flat or dotted keys are
  not the contract: the case fails validation like any unknown field. A line
  that is not UTF-8, not JSON, nested too deeply, holds a number too long to
  read or a lone surrogate is a ``BadLine``.
* CSV (Excel exports included): UTF-8 with or without BOM, comma or semicolon
  separated, one case per physical line (a quoted cell may not span lines),
  header names as in docs/caseload.md (``as_of``, ``birth_date``,
  ``benefit_type`` ...) or dotted (``person.birth_date``). An empty cell is
  unknown; booleans are ``true/false`` or ``ja/nej``. A header that names no
  known column is not a header: ``InputError``.
* Parquet: dotted columns, struct columns (``person``: struct) or the CSV
  names; the types are checked once against the contract, and a column of
  the wrong type (or an unknown column) is an ``InputError`` naming it.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import InputError
from .fields import ContractField, contract_fields
from .read_frame import ID, _aliases

MAX_LINE_BYTES = 1_000_000
INPUT_SUFFIXES = (".jsonl", ".csv", ".parquet")
SECTIONS = ("person", "benefit", "assessment")
PARQUET_BATCH = 5_000

_FIELDS = contract_fields()
_ALIASES = _aliases(_FIELDS)               # accepted column name -> dotted field name
_TRUE, _FALSE = {"true", "ja", "yes", "1"}, {"false", "nej", "no", "0"}
_COLUMN_NAME = re.compile(r"[a-z_][a-z0-9_.]{0,63}")  # a name may be shown; any other text may be personal data
_HEADER_NAME = re.compile(r"[^\W\d][\w.\- ]{0,63}")
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_NUMBER = re.compile(r"[+-]?[0-9]{1,19}([.,][0-9]{0,19})?([eE][+-]?[0-9]{1,3})?")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


@dataclass(frozen=True)
class CaseLine:
    """A case read from input: its line, its id (if any) and the raw case data (nested dicts)."""

    line: int
    case_id: str | None
    data: Any


@dataclass(frozen=True)
class BadLine:
    """A line that could not be read as a case."""

    line: int
    reason: str


def shown_name(name: str, header: bool = False) -> str:
    """A key or column name as an error may show it: only if it looks like a field name.

    ``header``: a name from a row known to be a header (it names a known column), which may be any word
    that does not start with a digit; a key of a JSON line is shown only in the fields' own form.
    """
    pattern = _HEADER_NAME if header else _COLUMN_NAME
    return name if pattern.fullmatch(name) else "(a name that is not shown)"


def check_input_path(path: Path) -> None:
    """``InputError`` unless ``path`` is an existing file with a supported suffix."""
    if path.suffix.lower() not in INPUT_SUFFIXES:
        found = path.suffix or "no extension"
        raise InputError(f"{path}: expected a .jsonl, .csv or .parquet file, found '{found}'")
    if not path.is_file():
        raise InputError(f"{path}: no such file")


def check_input(path: Path) -> None:
    """Everything about ``path`` that fails the whole file, checked before a run: ``InputError``.

    Its suffix and existence, a CSV's header row, a Parquet file's columns.
    """
    check_input_path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _read_csv(path)
        next(rows, None)  # the header is read before the first row
        rows.close()
    elif suffix == ".parquet":
        parquet_columns(path)


def read_cases(path: Path) -> Iterator[CaseLine | BadLine]:
    """Cases from a .jsonl, .csv or .parquet file, in order (file-level problems: ``InputError``)."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return _read_jsonl(path)
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".parquet":
        return _read_parquet(path)
    raise InputError(f"{path}: expected a .jsonl, .csv or .parquet file, found '{suffix or 'no extension'}'")


def count_lines(path: Path) -> int:
    """About the number of data lines (for progress and ETA), read in blocks."""
    if path.suffix.lower() == ".parquet":
        return count_data_lines(path)
    total = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            total += block.count(b"\n")
    return max(0, total - 1) if path.suffix.lower() == ".csv" else total


def count_data_lines(path: Path) -> int:
    """The exact number of data lines, counted without parsing them: what a run must account for.

    JSONL: non-blank lines; CSV: non-blank lines after the header; Parquet: rows.
    """
    if path.suffix.lower() == ".parquet":
        return _parquet_file(path).metadata.num_rows
    with path.open("rb") as handle:
        total = sum(1 for _ in _physical_lines(handle))
    return max(0, total - 1) if path.suffix.lower() == ".csv" else total


# --------------------------------------------------------------------------- lines


def _physical_lines(handle: Any) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, bytes, too_long) per non-blank line; a line over MAX_LINE_BYTES is skipped in blocks."""
    number = 0
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while not raw.endswith(b"\n"):
                raw = handle.readline(1 << 20)
                if not raw:
                    break
            yield number, b"", True
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if raw.strip():  # ASCII whitespace only: any other character makes the line a (bad) data line
            yield number, raw, False


def _text(number: int, raw: bytes, too_long: bool) -> str | BadLine:
    if too_long:
        return BadLine(number, f"line is longer than {MAX_LINE_BYTES} bytes")
    try:
        return raw.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        return BadLine(number, f"not UTF-8 ({exc.reason} at byte {exc.start}): save the file as UTF-8")


def _case_id(value: Any) -> str | None | BadLine:
    """An id as text; an id that is not a text or a whole number is refused (and not echoed)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10 ** 19:
        return str(value)
    return BadLine(0, "id: expected a text or a whole number")


# --------------------------------------------------------------------------- JSONL


def parse_json_line(text: str) -> Any:
    """One JSON value, or ``ValueError`` with a reason that echoes nothing of the line."""
    try:
        data = json.loads(text)  # a duplicate key: the last one wins, as in the API (decisions.md, 60)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise ValueError("not valid JSON: nested too deeply") from None
    except ValueError:  # a number over sys.get_int_max_str_digits() digits
        raise ValueError("not valid JSON: a number too long to read") from None
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("not valid JSON: a lone surrogate escape (\\ud800-\\udfff) is no character") from None
    return data


def _read_jsonl(path: Path) -> Iterator[CaseLine | BadLine]:
    with path.open("rb") as handle:
        for number, raw, too_long in _physical_lines(handle):
            text = _text(number, raw, too_long)
            if isinstance(text, BadLine):
                yield text
                continue
            try:
                data = parse_json_line(text)
            except ValueError as exc:
                yield BadLine(number, str(exc))
                continue
            if not isinstance(data, dict):
                yield BadLine(number, "expected a JSON object (one case per line)")
                continue
            case_id = _case_id(data.pop(ID, None))
            if isinstance(case_id, BadLine):
                yield BadLine(number, case_id.reason)
                continue
            yield CaseLine(number, case_id, data)


# --------------------------------------------------------------------------- CSV


def _described(value: str) -> str:
    return f"a text of {len(value)} characters"


def _cell(column: str, field: ContractField, value: str) -> Any:
    """A CSV cell as the contract's type; ``ValueError`` (without the value) when it is not one."""
    value = value.strip()
    if value == "":
        return None
    if field.type is bool:
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"column {column}: expected true/false or ja/nej, found {_described(value)}")
    if field.type is int:
        if not _INTEGER.fullmatch(value):
            raise ValueError(f"column {column}: expected a whole number, found {_described(value)}")
        return int(value)
    if field.type is float:
        if not _NUMBER.fullmatch(value):
            raise ValueError(f"column {column}: expected a number, found {_described(value)}")
        return float(value.replace(",", "."))
    return value


def _csv_header(path: Path, number: int, text: str) -> tuple[str, list[tuple[str, str | None]]]:
    """(delimiter, [(column name, dotted field or None for ``id``)]) from the header line."""
    delimiter = ";" if text.count(";") > text.count(",") else ","
    try:
        names = [name.strip() for name in next(csv.reader([text], delimiter=delimiter, strict=True))]
    except csv.Error:
        raise InputError(f"{path}: line {number}: the header row is not valid CSV") from None
    known = [name for name in names if name == ID or name in _ALIASES]
    if not known:
        raise InputError(f"{path}: line {number} is not a header row (it names no column of docs/caseload.md); "
                         "the first line must name the columns")
    unknown = [shown_name(name, header=True) for name in names if name != ID and name not in _ALIASES]
    if unknown:
        raise InputError(f"{path}: unknown column(s) {', '.join(unknown)} (see docs/caseload.md); "
                         "a misspelt column must not silently become 'unknown'")
    columns: list[tuple[str, str | None]] = [(name, None if name == ID else _ALIASES[name]) for name in names]
    seen: dict[str, str] = {}
    for name, field in columns:
        key = field or ID
        if key in seen:
            raise InputError(f"{path}: columns {seen[key]} and {name} are the same field ({key})")
        seen[key] = name
    return delimiter, columns


def csv_row_to_case(columns: list[tuple[str, str | None]], cells: list[str]) -> tuple[str | None, dict[str, Any]]:
    """A CSV row (cells in header order) as the nested case contract; ``ValueError`` for a bad cell."""
    case: dict[str, Any] = {"as_of": None, "person": {}, "benefit": {}, "assessment": {}}
    case_id = None
    for (name, dotted), raw in zip(columns, cells):
        if dotted is None:
            case_id = raw.strip() or None
            continue
        value = _cell(name, _FIELDS[dotted], raw)
        if value is None:
            continue
        section, _, leaf = dotted.partition(".")
        if leaf:
            case[section][leaf] = value
        else:
            case[section] = value
    return case_id, case


def _read_csv(path: Path) -> Iterator[CaseLine | BadLine]:
    with path.open("rb") as handle:
        lines = _physical_lines(handle)
        first = next(lines, None)
        if first is None:
            return
        header = _text(*first)
        if isinstance(header, BadLine):
            raise InputError(f"{path}: line {first[0]}: the header row is unreadable ({header.reason})")
        delimiter, columns = _csv_header(path, first[0], header)
        width = len(columns)
        for number, raw, too_long in lines:
            text = _text(number, raw, too_long)
            if isinstance(text, BadLine):
                if "not UTF-8" in text.reason:
                    text = BadLine(number, "not UTF-8 (a Latin-1/Windows-1252 export?): save the file as UTF-8")
                yield text
                continue
            try:
                cells = next(csv.reader([text], delimiter=delimiter, strict=True))
            except csv.Error as exc:
                reason = "a cell is longer than the CSV limit" if "field limit" in str(exc) else str(exc)
                yield BadLine(number, f"unreadable CSV ({reason}; a quoted cell may not span lines)")
                continue
            if len(cells) != width:
                more = "more" if len(cells) > width else "fewer"
                yield BadLine(number, f"{more} cells than columns ({len(cells)} for {width})")
                continue
            try:
                case_id, case = csv_row_to_case(columns, cells)
            except ValueError as exc:
                yield BadLine(number, str(exc))
                continue
            yield CaseLine(number, case_id, case)


# --------------------------------------------------------------------------- Parquet


def _parquet_file(path: Path) -> Any:
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for a file that is not Parquet
        raise InputError(f"{path}: not a readable Parquet file ({type(exc).__name__})") from None


def _leaves(schema: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    import pyarrow as pa

    for item in schema:
        if pa.types.is_struct(item.type):
            yield from _leaves(list(item.type), f"{prefix}{item.name}.")
        else:
            yield f"{prefix}{item.name}", item.type


def _fits(arrow_type: Any, field: ContractField | None) -> bool:
    """Whether a Parquet column of ``arrow_type`` can hold the field's values (None: the ``id``)."""
    import pyarrow as pa

    t = pa.types
    if t.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if t.is_null(arrow_type):
        return True
    text = t.is_string(arrow_type) or t.is_large_string(arrow_type) or getattr(t, "is_string_view", bool)(arrow_type)
    if field is None:
        return text or t.is_integer(arrow_type)
    if field.type is date:
        return t.is_date(arrow_type) or text  # text: ISO dates, checked per row
    if field.type is bool:
        return t.is_boolean(arrow_type)
    if field.type is int:
        return t.is_integer(arrow_type)
    if field.type is float:
        return t.is_integer(arrow_type) or t.is_floating(arrow_type)
    return text


def parquet_columns(path: Path) -> dict[str, str | None]:
    """Parquet column (dotted leaf) -> dotted field (None: ``id``); ``InputError`` for any unfit column."""
    schema = _parquet_file(path).schema_arrow
    columns: dict[str, str | None] = {}
    problems = []
    for name, arrow_type in _leaves(schema):
        if name == ID:
            field = None
        elif name in _ALIASES:
            field = _ALIASES[name]
        else:
            problems.append(f"{shown_name(name, header=True)}: no such field in the case contract")
            continue
        if not _fits(arrow_type, None if field is None else _FIELDS[field]):
            what = "id" if field is None else field
            problems.append(f"{shown_name(name)}: a column of type {arrow_type} cannot hold {what}")
            continue
        if field in columns.values():
            problems.append(f"{shown_name(name)}: a second column for {field or ID}")
            continue
        columns[name] = field
    if problems:
        raise InputError(f"{path}: {'; '.join(problems)} (see docs/caseload.md)")
    return columns


def read_parquet_frame(path: Path) -> Any:
    """The whole Parquet file as a polars frame of dotted columns, after the schema check."""
    import polars as pl

    from .read_frame import flatten

    parquet_columns(path)
    try:
        frame = flatten(pl.read_parquet(path))
    except Exception as exc:
        raise InputError(f"{path}: not a readable Parquet file ({type(exc).__name__})") from None
    # A date Python cannot hold (past 9999) would fail the whole frame: pin it to the last one Python has, which
    # lies outside the calendar tables too, so that the row gets its own error (date_out_of_range).
    dates = [name for name, dtype in frame.schema.items() if dtype == pl.Date]
    if not dates or frame.height == 0:
        return frame
    days = frame.select([pl.col(n).cast(pl.Int32).min().alias(f"min.{n}") for n in dates]
                        + [pl.col(n).cast(pl.Int32).max().alias(f"max.{n}") for n in dates]).row(0, named=True)
    outside = [n for n in dates if days[f"min.{n}"] is not None
               and (days[f"min.{n}"] < _DAYS[0] or days[f"max.{n}"] > _DAYS[1])]
    low, high = pl.lit(date.min, pl.Date), pl.lit(date.max, pl.Date)
    return frame.with_columns(pl.when(pl.col(name) > high).then(high).when(pl.col(name) < low).then(low)
                              .otherwise(pl.col(name)).alias(name) for name in outside)


_EPOCH = date(1970, 1, 1).toordinal()
_DAYS = (date.min.toordinal() - _EPOCH, date.max.toordinal() - _EPOCH)


class _OutsideCalendar:
    """A Parquet date that Python cannot hold (before year 1 or after 9999)."""


def _column_values(column: Any) -> list[Any]:
    """A batch column as Python values; a date column through its day numbers (years past 9999 cannot fail it)."""
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if not pa.types.is_date(column.type):
        return column.to_pylist()
    days = column.cast(pa.date32()).cast(pa.int32()).to_pylist()
    low, high = _DAYS
    return [None if d is None else date.fromordinal(d + _EPOCH) if low <= d <= high else _OutsideCalendar
            for d in days]


def _read_parquet(path: Path) -> Iterator[CaseLine | BadLine]:
    import pyarrow as pa

    columns = parquet_columns(path)
    file = _parquet_file(path)
    number = 0
    try:
        for batch in file.iter_batches(batch_size=PARQUET_BATCH):
            table = pa.Table.from_batches([batch])
            while any(pa.types.is_struct(f.type) for f in table.schema):
                table = table.flatten()
            fields = [columns[name] for name in table.schema.names]
            values = [_column_values(table.column(i).combine_chunks()) for i in range(table.num_columns)]
            for row in zip(*values):
                number += 1
                case: dict[str, Any] = {"as_of": None, "person": {}, "benefit": {}, "assessment": {}}
                case_id, outside = None, None
                for dotted, value in zip(fields, row):
                    if dotted is None:
                        case_id = None if value is None else str(value)
                    elif value is _OutsideCalendar:
                        outside = dotted
                    elif value is not None:
                        section, _, leaf = dotted.partition(".")
                        if leaf:
                            case[section][leaf] = value
                        else:
                            case[section] = value
                if outside is not None:
                    yield BadLine(number, f"{outside}: a date outside the years 1-9999")
                else:
                    yield CaseLine(number, case_id, case)
    except Exception as exc:  # a corrupt page or row group: the file, not a row, is unreadable
        raise InputError(f"{path}: row {number + 1} onwards: not readable ({type(exc).__name__})") from None
