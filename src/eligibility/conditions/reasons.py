"""What a kind says about an outcome beyond the outcome itself: where it changes and why it is what it is.

Plain data, so that the stages above can use it without knowing the kind:
the timeline turns change points into days, ``decision/texts_sv.py`` turns
a reason into Swedish (no Swedish here: the rule files and ``texts_sv``
hold it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..models import Utfall


@dataclass(frozen=True)
class ChangePoint:
    """A value of one fact at which a condition's outcome can change (all other facts held).

    For an ordered fact (number, date) the points cut the fact's values into
    intervals on which the outcome is constant: ``inclusive`` says the point
    is the first value of the upper interval (``ge 10``: 10 already counts),
    otherwise the last of the lower one (``gt 10``: 10 does not count yet).
    For a yes/no or coded fact (``ordered`` false) the points are the values
    that decide; any value not listed gives the same outcome as any other.
    The timeline turns points on facts that move with the calendar into
    days; the questions on unknown facts can name the values that matter.
    """

    fact: str
    value: Any
    inclusive: bool = True
    ordered: bool = True


@dataclass(frozen=True)
class Reason:
    """Why a condition has its outcome, as data: ``texts_sv`` turns it into Swedish.

    ``comparison`` says how ``value`` (the fact's value in the case, None when
    unknown) was held against ``threshold`` (the parameter value or values):
    an operator of ``jamforelse`` (``ge``, ``gt``, ``le``, ``lt``, ``eq``),
    ``is`` (a yes/no fact must be ``threshold``), ``one_of``, ``between``
    (``threshold`` is ``(low, high)``), ``months_left_at_least`` /
    ``months_left_under`` (``threshold`` months, ``value`` the first day without
    the benefit, ``limit`` the day it must reach, ``subject`` the benefit code)
    or, for composites, ``all_of`` / ``any_of`` (``value``: the ids of the
    parts that decided).
    """

    outcome: Utfall
    comparison: str
    fact: str | None = None
    threshold: Any = None
    value: Any = None
    limit: Any = None
    subject: Any = None
