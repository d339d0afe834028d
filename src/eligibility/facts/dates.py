"""All date arithmetic of the product, each operation declared once with its two forms.

Semantics (docs/decisions.md, domain brief section 4):

* A benefit period is handled as ``end_exclusive`` = last paid day + 1 day, so
  "at least N months left on D" is simply ``D + N months <= end_exclusive``.
* Months are added with ``dateutil.relativedelta``'s rule, which clips to the
  last day of a shorter month (31 Aug + 6 months = 28/29 Feb). That matches
  lag (1930:173) om beräkning av lagstadgad tid: a day that is missing in the
  month is replaced by the month's last day.
* Age is counted in full years. Someone born on 29 February becomes a year
  older on 28 February in non-leap years, which is what relativedelta does.

Each operation is a ``DateFunction``: calling it is the per-case form (dates
in, a date or a number out); ``.frame(...)`` is the same operation over polars
columns, written for speed on the calendar tables of ``calendar.py``;
``.plain(...)`` applies the per-case form row by row, the oracle that
``tests/test_dates.py`` holds every frame form to. A new operation is added
here, both forms together, and joins ``DATE_FUNCTIONS`` (and so the test).
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any


if TYPE_CHECKING:
    import polars as pl

    from . import calendar as cal
else:  # the frame forms import polars on first use (lazy.py says why)
    from ..lazy import calendar as cal
    from ..lazy import pl

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class DateFunction:
    """One date operation: ``per_case`` on Python values, ``frame`` on polars columns.

    ``takes`` names the kind of each argument (``date``, ``months``, ``years``,
    ``days``) so that the pairwise test can draw them; ``returns`` is the
    polars type of the result; ``defined`` says for which arguments the
    operation has a meaning (an age before birth has none).
    """

    per_case: Callable[..., Any]
    frame: Callable[..., pl.Expr]
    takes: tuple[str, ...]
    returns: str = "Date"
    defined: Callable[..., bool] = lambda *args: True

    def __call__(self, *args: Any) -> Any:
        return self.per_case(*args)

    def plain(self, *args: pl.Expr | int) -> pl.Expr:
        """The per-case form applied to every row: slow, obviously right, the frame form's oracle."""
        columns = [a if isinstance(a, pl.Expr) else pl.lit(a) for a in args]
        names = [f"a{i}" for i in range(len(columns))]

        def one(row: dict[str, Any]) -> Any:
            values = [row[n] for n in names]
            return None if any(v is None for v in values) else self.per_case(*values)

        return pl.struct([c.alias(n) for c, n in zip(columns, names)]).map_elements(one, return_dtype=getattr(pl, self.returns))


# --- months and days ------------------------------------------------------------------------------------------
def _add_months(day: date, months: int) -> date:
    """Same result as ``day + relativedelta(months=months)`` without building a relativedelta (it runs
    several times per decision; ``tests/test_dates.py`` holds the two equal)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _add_months_frame(day: pl.Expr, months: pl.Expr | int, *, nulls: bool = True) -> pl.Expr:
    """A constant month count is one table gather; a per-row one goes by month index and clipped day.

    ``nulls=False`` (constant ``months`` only): no row that counts has a null ``day`` (a required date),
    so the null mask is saved.
    """
    if isinstance(months, int):
        return cal.per_day(cal.table("shift", months), day, nulls).cast(pl.Date)
    month = cal.per_day(cal.table("month_index"), day) + months
    dom = cal.per_day(cal.table("dom"), day)
    overflow = (dom - cal.per_month(cal.table("month_length"), month)).clip(lower_bound=0)
    return (cal.per_month(cal.table("month_start"), month) + dom - overflow - 1).cast(pl.Date)


add_months = DateFunction(_add_months, _add_months_frame, ("date", "months"))
"""``day`` plus ``months`` calendar months, clipped to the month's last day."""

add_days = DateFunction(lambda day, days: day + timedelta(days=days),
                        lambda day, days: (cal.day_number(day) + cal.day_count(days)).cast(pl.Date),
                        ("date", "days"))
"""``day`` plus ``days`` calendar days."""

days_between = DateFunction(lambda first, last: (last - first).days,
                            lambda first, last: cal.day_number(last) - cal.day_number(first),
                            ("date", "date"), "Int32")
"""``(last - first).days``."""


# --- ages --------------------------------------------------------------------------------------------------------
def _age_on(birth_date: date, day: date) -> int:
    """The birthday in a year is ``birthday(birth_date, n)``, so someone born on 29 February is a year
    older on 28 February; same result as ``relativedelta(day, birth_date).years``."""
    years = day.year - birth_date.year
    if years > 0 and day < _add_months(birth_date, 12 * years):
        years -= 1
    elif years < 0 and day > _add_months(birth_date, 12 * years):
        years += 1
    return years


def _age(day_key: pl.Expr, key_of_birth: pl.Expr) -> pl.Expr:
    return ((day_key - key_of_birth) // 10000).cast(pl.Int32, wrap_numerical=True)


birth_key = DateFunction(lambda birth: birth.year * 10000 + birth.month * 100 + birth.day,
                         lambda birth: cal.per_day(cal.table("age_key_birth"), birth), ("date",), "Int32")
"""The ``yyyymmdd`` age key of a birth date: in a frame one lookup that every age of the person shares."""


def _age_on_frame(birth: pl.Expr, day: pl.Expr, *, key: pl.Expr | None = None) -> pl.Expr:
    """Via ``yyyymmdd`` keys; ``key`` is ``birth_key.frame(birth)`` when it is already a column."""
    return _age(cal.per_day(cal.table("age_key_day"), day), birth_key.frame(birth) if key is None else key)


def _born_by(birth: date, day: date, *rest: Any) -> bool:
    return birth <= day


age_on = DateFunction(_age_on, _age_on_frame, ("date", "date"), "Int32", _born_by)
"""Full years of age on ``day``."""


def _age_at_month_end_frame(birth: pl.Expr, day: pl.Expr, *, key: pl.Expr | None = None) -> pl.Expr:
    return _age(cal.per_day(cal.table("age_key_month_end"), day), birth_key.frame(birth) if key is None else key)


age_at_month_end = DateFunction(lambda birth, day: _age_on(birth, _last_of_month(day)), _age_at_month_end_frame,
                                ("date", "date"), "Int32", _born_by)
"""``age_on(birth, last_of_month(day))``; in a frame one lookup fewer."""

birthday = DateFunction(lambda birth, years: _add_months(birth, 12 * years),  # relativedelta(years=...)'s clipping
                        lambda birth, years, *, nulls=True: _add_months_frame(birth, years * 12, nulls=nulls),
                        ("date", "years"))
"""The day the person turns ``years`` (29 Feb -> 28 Feb in non-leap years)."""


# --- months' first and last days ---------------------------------------------------------------------------------
def _last_of_month(day: date) -> date:
    return _add_months(day.replace(day=1), 1) - ONE_DAY


first_of_month = DateFunction(
    lambda day: day.replace(day=1),
    lambda day: cal.per_month(cal.table("month_start"), cal.per_day(cal.table("month_index"), day)).cast(pl.Date),
    ("date",))
"""The first day of ``day``'s month."""

last_of_month = DateFunction(_last_of_month, lambda day: cal.per_day(cal.table("last_of_month"), day).cast(pl.Date),
                             ("date",))
"""The last day of ``day``'s month."""

first_of_month_after = DateFunction(
    lambda day, months: _add_months(day, months).replace(day=1),
    lambda day, months, *, nulls=True: cal.per_day(cal.table("first_of_month_after", months), day, nulls)
    .cast(pl.Date),
    ("date", "months"))
"""``first_of_month(add_months(day, months))``; in a frame one lookup (the clipped day never changes the month)."""


# --- months left -------------------------------------------------------------------------------------------------
def has_months_left(day: date, end_exclusive: date, months: int) -> bool:
    """True when at least ``months`` months remain on ``day`` before ``end_exclusive``."""
    return _add_months(day, months) <= end_exclusive


def _last_day_with_months_left(end_exclusive: date, months: int) -> date:
    """``D + N months`` never decreases as D grows, so the qualifying days form a prefix of the calendar
    and this is its last element. ``end - N months`` qualifies but is not always the last: when the end
    falls on the last day of a short month, later days clip onto it too (end 28 Feb 2001, N = 1: 28, 29,
    30 and 31 January all give 28 February, so the answer is 31 Jan). Hence the short walk forward (at
    most three days)."""
    day = _add_months(end_exclusive, -months)  # = end_exclusive - relativedelta(months=months)
    while _add_months(day + ONE_DAY, months) <= end_exclusive:
        day += ONE_DAY
    return day


def _last_day_with_months_left_frame(end_exclusive: pl.Expr, months: pl.Expr | int) -> pl.Expr:
    """A constant month count is one table gather. Per row: ``end - N months`` plus the number of
    qualifying days among the next three (the prefix argument above)."""
    if isinstance(months, int):
        return cal.per_day(cal.table("last_day_with_months_left", months), end_exclusive).cast(pl.Date)
    first = _add_months_frame(end_exclusive, -months)
    steps = [(_add_months_frame(add_days.frame(first, k), months) <= end_exclusive).cast(pl.Int32)
             for k in (1, 2, 3)]
    return add_days.frame(first, pl.sum_horizontal(steps))


last_day_with_months_left = DateFunction(_last_day_with_months_left, _last_day_with_months_left_frame,
                                         ("date", "months"))
"""The last day on which at least ``months`` months remain before ``end_exclusive``."""

DATE_FUNCTIONS: dict[str, DateFunction] = {
    name: value for name, value in globals().items() if isinstance(value, DateFunction)}
"""Every date operation, for the pairwise test of its two forms."""
