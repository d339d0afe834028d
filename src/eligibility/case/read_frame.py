"""Caseloads as typed columns: read, flatten and type-check against the case contract.

The columns are derived from the pydantic case contract (``models.Case``) at
run time, so a field added there is read here without a code change. Column
names are the dotted fact names (``benefit.decision_end``); nested input
(JSON objects, Parquet structs) is flattened to them, and the flat caseload
CSV names of docs/caseload.md (``birth_date``, ``benefit_type``, ...) are
accepted as aliases. An ``id`` column is passed through; any other unknown
column rejects the whole input, as the contract rejects unknown fields.

Types are strict as in the contract, per cell: a cell of the wrong type is a
row error (``field: type``), the row is not evaluated. CSV has no types, so
there text is parsed (ISO dates, numbers, ``true/false/ja/nej``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from ..errors import CaseError, FieldProblem
from .fields import SUPPORTED_FIRST, SUPPORTED_LAST, ContractField, contract_fields

ID = "id"
_TRUE, _FALSE = ["true", "ja", "yes", "1"], ["false", "nej", "no", "0"]


_DTYPES = {date: pl.Date, bool: pl.Boolean, int: pl.Int64, float: pl.Float64, str: pl.String}


def column_type(field: ContractField) -> pl.DataType:
    """The polars type of a field's column: coded fields are an Enum of their codes."""
    return pl.Enum(field.codes) if field.codes else _DTYPES[field.type]


def _aliases(fields: Mapping[str, ContractField]) -> dict[str, str]:
    """Accepted column name -> dotted name (dotted itself, the bare name when unique, ``section_name``)."""
    names: dict[str, str] = {}
    bare = [name.rsplit(".", 1)[-1] for name in fields]
    for name in fields:
        names[name] = name
        short = name.rsplit(".", 1)[-1]
        names.setdefault(name.replace(".", "_"), name)
        if bare.count(short) == 1 and short != "type":
            names.setdefault(short, name)
    return names


def flatten(frame: pl.DataFrame) -> pl.DataFrame:
    """Struct columns (nested JSON objects, Parquet structs) as dotted columns."""
    while any(isinstance(dtype, pl.Struct) for dtype in frame.dtypes):
        frame = frame.select(
            pl.col(name).struct.unnest().name.prefix(f"{name}.") if isinstance(dtype, pl.Struct) else pl.col(name)
            for name, dtype in frame.schema.items())
    return frame


def _flat(case: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(case, dict):
        return {prefix.rstrip(".") or "(case)": case}
    flat: dict[str, Any] = {}
    for key, value in case.items():
        if not isinstance(value, dict):
            flat[f"{prefix}{key}"] = value
            continue
        for inner, item in value.items():  # the case contract's two levels without a call per section
            if isinstance(item, dict):
                flat.update(_flat(item, f"{prefix}{key}.{inner}."))
            else:
                flat[f"{prefix}{key}.{inner}"] = item
    return flat


def _is_date(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, date) and not hasattr(value, "hour"))


# Pydantic strict mode, per value: 1 is not true, 700.0 is not an int, a date is ISO text or a date.
_HAS_TYPE = {
    bool: lambda value: isinstance(value, bool),
    int: lambda value: isinstance(value, int) and not isinstance(value, bool),
    float: lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    date: _is_date,
    str: lambda value: isinstance(value, str),
}


def _from_dicts(cases: list[Any]) -> pl.DataFrame:
    """Case dicts as columns, type-checked per value: a wrong value becomes null plus a ``__wrong`` mark."""
    fields = contract_fields()
    aliases = _aliases(fields)
    rows = [_flat(case) for case in cases]
    names = list(dict.fromkeys(name for row in rows for name in row))
    columns: dict[str, pl.Series] = {}
    for name in names:
        values = [row.get(name) for row in rows]
        field = fields.get(aliases.get(name, ""))
        if field is None:
            columns[name] = pl.Series(name, [None if v is None else str(v) for v in values], dtype=pl.String)
            continue
        has_type = _HAS_TYPE[field.type]
        wrong = [v is not None and not has_type(v) for v in values]
        kept = [None if w else v for v, w in zip(values, wrong)] if any(wrong) else values
        marks = pl.Series(wrong, dtype=pl.Boolean)
        if field.type is date:  # ISO text or dates; anything else is a wrong type
            text = pl.Series(name, [v.isoformat() if isinstance(v, date) else v for v in kept], dtype=pl.String)
            parsed = text.str.to_date("%Y-%m-%d", strict=False).set(text.str.len_bytes() != 10, None)
            marks = marks | (text.is_not_null() & parsed.is_null())
            columns[name] = parsed
        else:
            columns[name] = pl.Series(name, kept, dtype=_DTYPES[field.type])
        if marks.any():
            columns[f"__wrong.{aliases[name]}"] = marks.alias(f"__wrong.{aliases[name]}")
    return pl.DataFrame(list(columns.values())) if columns else pl.DataFrame({"as_of": [None] * len(cases)})


def to_frame(data: Any) -> pl.DataFrame:
    """A polars frame from a frame, a pyarrow table or a list of case dicts."""
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, list):
        return _from_dicts(data)
    return pl.from_arrow(data)  # pyarrow Table or RecordBatch


def with_codes_as_enum(frame: pl.DataFrame) -> pl.DataFrame:
    """The coded fields (``benefit.type``, ...) of a dotted frame as polars Enums, for writing Parquet.

    Parquet keeps the Enum (a dictionary column), so the columnar backend reads
    codes without comparing text. Strict: a value outside the codes raises.
    """
    fields = contract_fields()
    return frame.with_columns(pl.col(name).cast(column_type(fields[name]))
                              for name in frame.columns if name in fields and fields[name].codes)


def _typed(column: pl.Expr, dtype: pl.DataType, field: ContractField, text: bool) -> tuple[pl.Expr, pl.Expr]:
    """(typed column, mask of cells whose value has the wrong type)."""
    if field.type is date:
        if dtype == pl.Date:
            return column, pl.lit(False)
        if dtype == pl.String:
            # YYYY-MM-DD exactly: ten characters that parse with that format (no regex: 1 M rows).
            parsed = pl.when(column.str.len_bytes() == 10).then(column.str.to_date("%Y-%m-%d", strict=False))
            return parsed, column.is_not_null() & parsed.is_null()
    elif field.type is bool:
        if dtype == pl.Boolean:
            return column, pl.lit(False)
        if dtype == pl.String and text:
            lower = column.str.strip_chars().str.to_lowercase()
            parsed = pl.when(lower.is_in(_TRUE)).then(True).when(lower.is_in(_FALSE)).then(False)
            return parsed, column.is_not_null() & parsed.is_null()
    elif field.type in (int, float):
        if dtype == pl.UInt64 and field.type is int:  # past int64: a wrong value, not a failed caseload
            typed = column.cast(pl.Int64, strict=False)
            return typed, column.is_not_null() & typed.is_null()
        if dtype.is_integer():  # no fractions possible: nothing to check
            return column.cast(_DTYPES[field.type]), pl.lit(False)
        if dtype.is_numeric() and field.type is float:  # every number is a float: nothing to check
            return column.cast(pl.Float64), pl.lit(False)
        if dtype.is_numeric() or (dtype == pl.String and text):
            number = column.cast(pl.Float64, strict=False) if dtype == pl.String else column.cast(pl.Float64)
            bad = column.is_not_null() & number.is_null()
            if field.type is int:
                bad = bad | (number.is_not_null() & (number != number.floor()))
                return number.cast(pl.Int64, strict=False), bad
            return number, bad
    elif field.codes and (dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)):
        # Codes become an Enum: comparisons are then on small integers, not text (1 M rows).
        return column.cast(pl.Enum(field.codes), strict=False), pl.lit(False)
    elif dtype == pl.String:
        return column, pl.lit(False)
    if dtype == pl.Null:
        return pl.lit(None, dtype=column_type(field)), pl.lit(False)
    return pl.lit(None, dtype=column_type(field)), column.is_not_null()


def _rule(mask: pl.Expr, field: str, code: str) -> pl.Expr:
    """A row-error rule: a boolean mask named ``field: code`` (null counts as not fired)."""
    return mask.alias(f"{field}: {code}")


def _out_of_bounds(typed: pl.Expr, field: ContractField) -> list[tuple[str, pl.Expr]]:
    """(pydantic error code, mask) for each bound of a numeric field that a value can break."""
    found = []
    number = typed
    if field.type is float:  # polars orders NaN above every number: report it once, as not finite
        found.append(("finite_number", typed.is_nan()))
        number = pl.when(typed.is_not_nan()).then(typed)
    if field.ge is not None:
        found.append(("greater_than_equal", number < field.ge))
    if field.le is not None:
        found.append(("less_than_equal", number > field.le))
    return found


@dataclass(frozen=True)
class _Extremes:
    """Smallest and largest value of a typed column, and whether it holds a NaN (None: not known)."""

    low: Any
    high: Any
    nan: bool


def _extremes(frame: pl.DataFrame, schema: pl.Schema, fields: Mapping[str, ContractField]) -> dict[str, _Extremes]:
    """The extremes of every date and number column that is already typed (Parquet, JSON), in one pass.

    The exact form of ``normalise`` leaves out a check that the extremes prove
    can fire on no row, so that the blanking of one broken field does not
    touch the others.
    """
    names = [name for name, dtype in schema.items() if name in fields
             and ((dtype == pl.Date and fields[name].type is date)
                  or (dtype.is_numeric() and fields[name].type in (int, float)))]
    if not names or frame.height == 0:
        return {}
    floats = [name for name in names if schema[name].is_float()]
    row = frame.select([pl.col(n).min().alias(f"min.{n}") for n in names]
                       + [pl.col(n).max().alias(f"max.{n}") for n in names]
                       + [pl.col(n).is_nan().any().alias(f"nan.{n}") for n in floats]).row(0, named=True)
    return {n: _Extremes(row[f"min.{n}"], row[f"max.{n}"], bool(row.get(f"nan.{n}", False))) for n in names}


def _can_break(code: str, field: ContractField, extremes: _Extremes | None) -> bool:
    """Whether some value can break the bound ``code`` (unknown extremes: assume it can)."""
    if extremes is None:
        return True
    if code == "finite_number":
        return extremes.nan
    if extremes.low is None:  # only nulls
        return False
    if code == "greater_than_equal":
        return bool(extremes.low < field.ge)
    return bool(extremes.high > field.le)


def _outside_calendar(extremes: _Extremes | None) -> bool:
    """Whether a date can lie outside the calendar tables (unknown extremes: assume it can)."""
    if extremes is None:
        return True
    return extremes.low is not None and not (SUPPORTED_FIRST <= extremes.low
                                             and extremes.high <= SUPPORTED_LAST)


def _limits(field: ContractField) -> tuple[Any, Any] | None:
    """The range a field's values must lie in (dates: the calendar tables), or None when unbounded."""
    if field.type is date:
        return SUPPORTED_FIRST, SUPPORTED_LAST
    if field.type in (int, float) and (field.ge is not None or field.le is not None or field.type is float):
        low, high = (-math.inf, math.inf) if field.type is float else (-(2 ** 63), 2 ** 63 - 1)
        return (low if field.ge is None else field.ge), (high if field.le is None else field.le)
    return None


def normalise(frame: pl.DataFrame, text: bool = False, quick: bool = False) -> tuple[pl.DataFrame, list[pl.Expr]]:
    """Typed dotted columns for every contract field, and the row-error rules of the contract itself.

    The exact form (``quick=False``) names every broken bound (``greater_than_equal``,
    ``finite_number``, ``date_out_of_range``, ...) and blanks the value, as the
    error texts need. Only rules that can fire are returned: on typed columns
    the extremes (and null counts) show which checks no row can break.

    ``quick=True`` is for the validity mask only: one range test per bounded
    field (NaN and infinity fail it too), no extremes, nothing blanked. The
    date functions read their tables through masked indices, so a value out
    of range gives garbage in a row that is invalid anyway, never a failure;
    the error texts of the (few) invalid rows then come from the exact form.

    Raises ``CaseError`` for a column that is not in the contract (the whole
    input is wrong, not one row).
    """
    fields = contract_fields()
    aliases = _aliases(fields)
    frame = flatten(frame)
    wrong = {name for name in frame.columns if name.startswith("__wrong.")}
    unknown = [name for name in frame.columns if name != ID and name not in aliases and name not in wrong]
    if unknown:
        raise CaseError([FieldProblem(name, "no such field in the case contract (see docs/case-format.md)", None,
                                      "extra_forbidden") for name in unknown])
    frame = frame.rename({name: aliases[name] for name in frame.columns if name != ID and name not in wrong})
    schema = frame.schema  # built anew on every access: once here
    extremes = _extremes(frame, schema, fields) if not (text or quick) else {}
    columns, codes, rules, bounds = [], [], [], []
    for name, field in fields.items():
        if name not in schema:
            columns.append(pl.lit(None, dtype=column_type(field)).alias(name))
            if field.required:
                rules.append(_rule(pl.lit(True), name, "missing"))
            continue
        dtype = schema[name]
        typed, bad = _typed(pl.col(name), dtype, field, text)
        if f"__wrong.{name}" in wrong:
            bad = bad | pl.col(f"__wrong.{name}")
        blanked: list[pl.Expr] = []  # marks of cells that were given but blanked: not also "missing"
        limits = _limits(field)
        if quick and limits is not None:
            bounds.append(_rule(pl.col(name).is_between(*limits).not_(), name, "out_of_range"))
        elif field.type is date and _outside_calendar(extremes.get(name)):
            # Outside the calendar tables: an error, and blanked so that it sets off no second rule.
            outside = typed.is_not_null() & ~typed.is_between(SUPPORTED_FIRST,
                                                              SUPPORTED_LAST)
            columns.append(outside.alias(f"__outside.{name}"))
            rules.append(_rule(pl.col(f"__outside.{name}"), name, "date_out_of_range"))
            typed = pl.when(outside.not_()).then(typed)
            blanked.append(pl.col(f"__outside.{name}"))
        # Numbers outside the contract's bounds (and NaN): an error, and blanked so that it sets off no second
        # rule (``too_many_days`` after ``less_than_equal``), as the per-case validation stops at the first.
        for code, mask in [] if quick else _out_of_bounds(typed, field):
            if not _can_break(code, field, extremes.get(name)):
                continue
            columns.append(mask.alias(f"__{code}.{name}"))
            bounds.append(_rule(pl.col(f"__{code}.{name}"), name, code))
            typed = pl.when(mask.fill_null(False).not_()).then(typed)
            blanked.append(pl.col(f"__{code}.{name}").fill_null(False))
        if field.codes and dtype != column_type(field):  # a code outside the list is null after the Enum cast
            rules.append(_rule(pl.col(f"__code.{name}"), name, "enum"))
            given = pl.col(name).is_not_null().alias(f"__given.{name}")
            columns.append(given)
            codes.append((pl.col(f"__given.{name}") & pl.col(name).is_null() & bad.not_()).alias(f"__code.{name}"))
            blanked.append(pl.col(f"__code.{name}"))
        columns.append(typed.alias(name))
        missing = pl.col(name).is_null()
        if blanked:  # a value given but blanked (outside the tables, an unknown code) is not also "missing"
            missing = missing & pl.any_horizontal(blanked).not_()
        # A typed column (Parquet, JSON) can have no wrong cells: no mask column, no rule to check.
        typed_input = bad.meta.eq(pl.lit(False))
        if not typed_input:
            columns.append(bad.alias(f"__bad.{name}"))
            rules.append(_rule(pl.col(f"__bad.{name}"), name, "type"))
            missing = missing & pl.col(f"__bad.{name}").not_()
        if field.required and not (typed_input and not blanked and frame[name].null_count() == 0):
            rules.append(_rule(missing, name, "missing"))
    frame = frame.with_columns(columns).with_columns(codes)
    return frame, rules + bounds
