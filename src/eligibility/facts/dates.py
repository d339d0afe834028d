"""All date arithmetic of the product lives here.

Semantics (docs/decisions.md, domain brief section 4):

* A benefit period is handled as ``end_exclusive`` = last paid day + 1 day, so
  "at least N months left on D" is simply ``D + N months <= end_exclusive``.
* Months are added with ``dateutil.relativedelta``, which clips to the last day
  of a shorter month (31 Aug + 6 months = 28/29 Feb). That matches lag
  (1930:173) om beräkning av lagstadgad tid: a day that is missing in the month
  is replaced by the month's last day.
* Age is counted in full years. Someone born on 29 February becomes a year
  older on 28 February in non-leap years, which is what relativedelta does.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

ONE_DAY = timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clipped to the month's last day.

    Same result as ``day + relativedelta(months=months)`` (held equal by a
    hypothesis test), without building a relativedelta: this runs several
    times per decision.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def add_days(day: date, days: int) -> date:
    """``day`` plus ``days`` calendar days."""
    return day + timedelta(days=days)


def age_on(birth_date: date, day: date) -> int:
    """Full years of age on ``day``.

    Same result as ``relativedelta(day, birth_date).years`` (held equal by a
    hypothesis test): the birthday in a year is ``birthday(birth_date, n)``,
    so someone born on 29 February is a year older on 28 February.
    """
    years = day.year - birth_date.year
    if years > 0 and day < add_months(birth_date, 12 * years):
        years -= 1
    elif years < 0 and day > add_months(birth_date, 12 * years):
        years += 1
    return years


def birthday(birth_date: date, years: int) -> date:
    """The day the person turns ``years`` (29 Feb -> 28 Feb in non-leap years)."""
    return birth_date + relativedelta(years=years)


def first_of_month(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def last_of_month(day: date) -> date:
    """The last day of ``day``'s month."""
    return first_of_month(day) + relativedelta(months=1) - ONE_DAY


def has_months_left(day: date, end_exclusive: date, months: int) -> bool:
    """True when at least ``months`` months remain on ``day`` before ``end_exclusive``."""
    return add_months(day, months) <= end_exclusive


def last_day_with_months_left(end_exclusive: date, months: int) -> date:
    """The last day on which at least ``months`` months remain.

    ``D + N months`` never decreases as D grows, so the qualifying days form a
    prefix of the calendar and this is its last element. ``end - N months``
    qualifies but is not always the last: when the end falls on the last day
    of a short month, later days clip onto it too (end 28 Feb 2001, N = 1:
    28, 29, 30 and 31 January all give 28 February, so the answer is 31 Jan).
    Hence the short walk forward (at most three days).
    """
    day = end_exclusive - relativedelta(months=months)
    while add_months(day + ONE_DAY, months) <= end_exclusive:
        day += ONE_DAY
    return day
