"""``en_av``: a coded fact is one of a set (``benefit.type`` in [sjukpenning, ...])."""

from __future__ import annotations

from typing import Any

from ..models import Utfall
from ..rulebooks.schema import ConditionDef
from .base import (
    ChangePoint, Column, Expr, Facts, Kind, Reason, all_of, any_of, compare, exists, key, missing, require,
    three_valued,
)


class EnAv(Kind):
    """The fact's code is among ``values``."""

    name = "en_av"

    def problems(self, cond: ConditionDef) -> list[str]:
        """Needs ``fact`` and ``values``."""
        return require(cond, fields=("fact", "values"))

    def facts_read(self, cond_id: str, cond: ConditionDef) -> list[str]:
        """Only the coded fact."""
        return [cond.fact]

    def durable(self, cond_id: str, cond: ConditionDef) -> dict[Utfall, Expr]:
        """A disjunction of equalities and a conjunction of inequalities."""
        return {
            Utfall.UPPFYLLT: any_of(*({key(cond.fact): v} for v in cond.values)),
            Utfall.EJ_UPPFYLLT: all_of(exists(cond.fact),
                                       *(compare(cond.fact, "neq", v, other_is_field=False) for v in cond.values)),
            Utfall.EJ_UTRETT: missing(cond.fact),
        }

    def evaluate(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any]) -> Utfall:
        """Plain membership."""
        return three_valued(facts.get(cond.fact), lambda value: value in cond.values)

    def columnar(self, cond_id: str, cond: ConditionDef, fact: Column, params: dict[str, Any]) -> Any:
        """Membership; a null code gives null (ej utrett), not false: polars' ``is_in`` keeps nulls."""
        return fact(cond.fact).is_in(list(cond.values))

    def change_points(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any]) -> list[ChangePoint]:
        """The listed codes; every other code is ej uppfyllt alike."""
        return [ChangePoint(cond.fact, value, ordered=False) for value in cond.values]

    def reason(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any],
               outcome: Utfall) -> Reason:
        """The code given, held against the set."""
        return Reason(outcome, "one_of", cond.fact, tuple(cond.values), facts.get(cond.fact))
