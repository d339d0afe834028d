"""What value a parameter of each ``unit`` may have. Generic per unit, never per parameter.

The rule files are the single source of legal truth, so no threshold lives
here; only what a unit means. Durations (days, months, years) and counts are
whole numbers from 0; a duration is also at most the span of the calendar
(0001-01-01 .. 9999-12-31), beyond which no date arithmetic can succeed.
Hours may be fractional but finite and not negative. A ``date`` parameter is
a date. ``true``/``false`` is no unit's value (YAML would let it pass as 1/0).
A ``null`` closes a parameter and is always allowed.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

_CALENDAR_DAYS = (date.max - date.min).days
_CALENDAR_YEARS = date.max.year
_WHOLE_MAX: dict[str, int | None] = {
    "day": _CALENDAR_DAYS,
    "month": _CALENDAR_YEARS * 12,
    "year": _CALENDAR_YEARS,
    "count": None,
}
_PLURAL = {"day": "days", "month": "months", "year": "years", "count": "items"}


def shown(value: Any) -> str:
    """A parameter value as the rule author wrote it (YAML spelling)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, float):
        return ".nan" if math.isnan(value) else (".inf" if value == math.inf else "-.inf" if value == -math.inf
                                                else repr(value))
    return repr(value)


def unit_problem(unit: str, value: Any) -> str | None:
    """What is wrong with ``value`` for a parameter of ``unit``, or ``None`` when it fits."""
    if value is None:
        return None
    if unit == "date":
        return None if type(value) is date else f"expected a date (YYYY-MM-DD), found {shown(value)}"
    if unit == "hour":
        if type(value) in (int, float) and math.isfinite(value) and value >= 0:
            return None
        return f"expected a number of hours of at least 0, found {shown(value)}"
    if unit in _WHOLE_MAX:
        limit = _WHOLE_MAX[unit]
        bound = f"from 0 to {limit}" if limit is not None else "of at least 0"
        if type(value) is int and value >= 0 and (limit is None or value <= limit):
            return None
        return f"expected a whole number of {_PLURAL[unit]} {bound}, found {shown(value)}"
    return f"unknown unit '{unit}'"
