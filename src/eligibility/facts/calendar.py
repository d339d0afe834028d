"""The calendar tables behind the frame forms of ``dates.py``: the frame's optimisation, nothing else.

``dates.py`` declares every date operation once, its per-case and its frame
form side by side; the frame forms read these tables. Semantics live there.

Dates are handled as day numbers (polars' physical ``Date``, days since
1970-01-01). Every derivation is a lookup table over the day numbers of
``FIRST_YEAR``-``LAST_YEAR``, built once with numpy: a date shifted by a
constant number of months, the last day with N months left, ... is then a
single gather per row, which is what makes a million cases cheap. A month
count that varies per row (a parameter dated inside a rulebook's period)
takes the general path: month index + N, clipped day of month. The columnar
case validation only accepts dates in ``SUPPORTED_FIRST``-``SUPPORTED_LAST``,
so shifts of up to a century never leave the tables; a date outside them
(an invalid row) is read through a masked index and gives garbage, never an
error (docs/decisions.md 44a).

The helpers take and return ``pl.Expr``; a null date gives a null result.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import numpy as np
import polars as pl

from ..case.fields import SUPPORTED_FIRST, SUPPORTED_LAST  # the contract's date range, inside the tables

FIRST_YEAR, LAST_YEAR = 1700, 2399
_I = pl.Int32
_EPOCH = date(1970, 1, 1).toordinal()
_DAY0 = date(FIRST_YEAR, 1, 1).toordinal() - _EPOCH  # day number of the first table entry


class _Calendar:
    """numpy arrays indexed by day (``day number - _DAY0``) or by month index (``12 * (year - FIRST_YEAR) + month - 1``)."""

    def __init__(self) -> None:
        first, last = date(FIRST_YEAR, 1, 1).toordinal(), date(LAST_YEAR, 12, 31).toordinal()
        days = np.arange(first - _EPOCH, last - _EPOCH + 1).astype("datetime64[D]")
        months = days.astype("datetime64[M]")
        self.year = (days.astype("datetime64[Y]").astype(np.int64) + 1970).astype(np.int32)
        month = (months.astype(np.int64) % 12 + 1).astype(np.int32)
        self.dom = ((days - months).astype(np.int64) + 1).astype(np.int32)
        self.month_index = (self.year - FIRST_YEAR) * 12 + month - 1
        leap = ((self.year % 4 == 0) & (self.year % 100 != 0)) | (self.year % 400 == 0)
        code = month * 100 + self.dom
        # Age key year*10000 + month*100 + day; 28 Feb of a non-leap year counts as 29 Feb (the birthday
        # of someone born on 29 February, lag 1930:173).
        self.age_key_birth = self.year * 10000 + code
        self.age_key_day = self.year * 10000 + np.where((code == 228) & ~leap, 229, code)
        self.month_start = (np.flatnonzero(self.dom == 1) + _DAY0).astype(np.int32)
        self.month_length = np.diff(np.append(self.month_start, last - _EPOCH + 1)).astype(np.int32)
        self.day_number = np.arange(len(days), dtype=np.int32) + _DAY0

    def shift(self, months: int) -> np.ndarray:
        """Day number of every day plus ``months`` months (relativedelta clipping)."""
        month = np.clip(self.month_index + months, 0, len(self.month_start) - 1)
        return self.month_start[month] + np.minimum(self.dom, self.month_length[month]) - 1

    def last_day_with_months_left(self, months: int) -> np.ndarray:
        """For each end_exclusive: the last day with at least ``months`` months left (see dates.py)."""
        first = self.shift(-months)
        forward = self.shift(months)
        count = np.zeros_like(first)
        for step in (1, 2, 3):
            following = np.clip(first + step - _DAY0, 0, len(forward) - 1)
            count += (forward[following] <= self.day_number)
        return first + count


@lru_cache(maxsize=1)
def _calendar() -> _Calendar:
    return _Calendar()


# Per-day tables are circular: the entry of day number d is at d mod DAY_SLOTS (2**18 > the ~255 600 days of
# FIRST_YEAR-LAST_YEAR), so any Int32 index masked with DAY_SLOTS - 1 is in bounds. A row with a date outside the
# tables (a row error, ``date_out_of_range``) or with garbage from wrapping arithmetic reads some other day's
# entry instead of stopping the whole caseload; its outputs are blanked. Per-month tables likewise.
DAY_SLOTS, MONTH_SLOTS = 1 << 18, 1 << 14
_PER_MONTH = ("month_start", "month_length")


@lru_cache(maxsize=256)
def table(name: str, arg: int = 0) -> pl.Series:
    cal = _calendar()
    if name == "shift":
        values = cal.shift(arg)
    elif name == "last_day_with_months_left":
        values = cal.last_day_with_months_left(arg)
    elif name == "last_of_month":
        values = cal.month_start[cal.month_index] + cal.month_length[cal.month_index] - 1
    elif name == "age_key_month_end":  # the age key of the last day of each day's month
        values = cal.age_key_day[cal.month_start[cal.month_index] + cal.month_length[cal.month_index] - 1 - _DAY0]
    elif name == "first_of_month_after":  # the 1st of the month ``arg`` months after each day's month
        values = cal.month_start[np.clip(cal.month_index + arg, 0, len(cal.month_start) - 1)]
    else:
        values = getattr(cal, name)
    slots = np.zeros(MONTH_SLOTS if name in _PER_MONTH else DAY_SLOTS, dtype=np.int32)
    if name in _PER_MONTH:
        slots[:len(values)] = values
    else:
        slots[(np.arange(len(values)) + _DAY0) & (DAY_SLOTS - 1)] = values
    return pl.Series(slots)


def day_number(day: pl.Expr) -> pl.Expr:
    """A date (or day number) as its Int32 day number, unchecked: a value out of range reads a masked slot."""
    return day.cast(_I, wrap_numerical=True)


def _index(day: pl.Expr) -> pl.Expr:
    """Slot of ``day`` in a per-day table; a null day reads slot 0 (masked by the caller).

    Unsigned and without nulls: polars gathers such indices two to three
    times faster than signed ones with nulls. Masked, so always in bounds.
    """
    return (day_number(day).fill_null(0) & (DAY_SLOTS - 1)).cast(pl.UInt32, wrap_numerical=True)


def per_month(table: pl.Series, month: pl.Expr) -> pl.Expr:
    return pl.lit(table).gather((month & (MONTH_SLOTS - 1)).cast(pl.UInt32, wrap_numerical=True))


def per_day(table: pl.Series, day: pl.Expr, nulls: bool = True) -> pl.Expr:
    """``table`` at ``day``; a null day gives null, unless ``nulls=False`` says no row that counts has one.

    ``nulls=False`` is for required dates (``as_of``, the birth date): a row
    without one is invalid and blanked, so the mask pass can be saved.
    """
    value = pl.lit(table).gather(_index(day))
    return pl.when(day.is_not_null()).then(value) if nulls else value


def day_count(value: pl.Expr | int) -> pl.Expr:
    """A count of days or months as Int32, without a checked cast: the case contract bounds them."""
    return value.cast(_I, wrap_numerical=True) if isinstance(value, pl.Expr) else pl.lit(value, dtype=_I)


def capped(day: pl.Expr, cap: pl.Expr, where: pl.Expr) -> pl.Expr:
    """``day``, or ``cap`` where ``where`` holds and ``cap`` is earlier; null where ``day`` is null.

    A null ``cap`` leaves ``day`` as it is. (``min_horizontal`` on dates is slow here.)
    """
    return pl.when(where & (day > cap)).then(cap).otherwise(day)
