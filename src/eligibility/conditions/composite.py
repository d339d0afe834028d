"""``alla`` / ``nagon``: Kleene AND / OR over other conditions.

Kleene logic (domain brief section 5): for AND any ej uppfyllt decides, else
any ej utrett leaves it open; OR is the mirror image. Programme status is the
AND of the programme's conditions (``ALL_OF``), and so is a target group.
The durable-rules engine writes the same folds as chained rules; it reads
``any_of`` to know which, the reference oracle calls ``combine``.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable
from typing import Any

from ..models import Status, Utfall
from ..rulebooks.schema import ConditionDef
from .base import CompositeKind, require


def kleene_and(outcomes: Iterable[Utfall]) -> Utfall:
    """Any ej uppfyllt -> ej uppfyllt; else any ej utrett -> ej utrett; else uppfyllt."""
    values = set(outcomes)
    if Utfall.EJ_UPPFYLLT in values:
        return Utfall.EJ_UPPFYLLT
    return Utfall.EJ_UTRETT if Utfall.EJ_UTRETT in values else Utfall.UPPFYLLT


def kleene_or(outcomes: Iterable[Utfall]) -> Utfall:
    """Any uppfyllt -> uppfyllt; else any ej utrett -> ej utrett; else ej uppfyllt."""
    values = set(outcomes)
    if Utfall.UPPFYLLT in values:
        return Utfall.UPPFYLLT
    return Utfall.EJ_UTRETT if Utfall.EJ_UTRETT in values else Utfall.EJ_UPPFYLLT


STATUS_OF = {
    Utfall.UPPFYLLT: Status.ELIGIBLE,
    Utfall.EJ_UPPFYLLT: Status.NOT_ELIGIBLE,
    Utfall.EJ_UTRETT: Status.UNDETERMINED,
}


class Alla(CompositeKind):
    """All sub-conditions hold."""

    name = "alla"
    any_of = False

    def problems(self, cond: ConditionDef) -> list[str]:
        """Needs ``all_of``."""
        return require(cond, fields=("all_of",))

    def parts(self, cond: ConditionDef) -> list[str]:
        """The sub-condition ids."""
        return list(cond.all_of)

    def combine(self, outcomes: Iterable[Utfall]) -> Utfall:
        """Kleene AND."""
        return kleene_and(outcomes)

    def columnar(self, parts: list[Any]) -> Any:
        """Kleene AND of nullable boolean columns (polars' ``&`` is Kleene: false & null = false)."""
        return functools.reduce(operator.and_, parts)


class Nagon(CompositeKind):
    """At least one sub-condition holds."""

    name = "nagon"
    any_of = True

    def problems(self, cond: ConditionDef) -> list[str]:
        """Needs ``any_of``."""
        return require(cond, fields=("any_of",))

    def parts(self, cond: ConditionDef) -> list[str]:
        """The sub-condition ids."""
        return list(cond.any_of)

    def combine(self, outcomes: Iterable[Utfall]) -> Utfall:
        """Kleene OR."""
        return kleene_or(outcomes)

    def columnar(self, parts: list[Any]) -> Any:
        """Kleene OR of nullable boolean columns (polars' ``|`` is Kleene: true | null = true)."""
        return functools.reduce(operator.or_, parts)


ALL_OF = Alla()
"""The AND composite: what a programme's status and a target group are."""
