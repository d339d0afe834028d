"""``jamforelse``: a fact compared with a parameter (``hours_per_week ge 10``)."""

from __future__ import annotations

import operator
from typing import Any

from ..models import Utfall
from ..rulebooks.schema import ConditionDef
from .base import (
    ChangePoint, Column, Expr, Facts, Kind, Reason, all_of, compare, exists, missing, param_key, require,
    three_valued,
)

_NEGATION = {"ge": "lt", "gt": "le", "le": "gt", "lt": "ge", "eq": "neq"}
# Whether the limit itself lies on the upper side of the cut (``ge 10``: 10 counts as much as 11).
_LIMIT_IS_UPPER = {"ge": True, "gt": False, "le": False, "lt": True}
_PYTHON = {"ge": operator.ge, "gt": operator.gt, "le": operator.le, "lt": operator.lt, "eq": operator.eq}


class Jamforelse(Kind):
    """``fact <op> parameter.value``; dates compare as days."""

    name = "jamforelse"

    def problems(self, cond: ConditionDef) -> list[str]:
        """Needs ``fact``, ``op`` and parameter role ``value``."""
        return require(cond, fields=("fact", "op"), parameters=("value",))

    def facts_read(self, cond_id: str, cond: ConditionDef) -> list[str]:
        """Only the compared fact."""
        return [cond.fact]

    def durable(self, cond_id: str, cond: ConditionDef) -> dict[Utfall, Expr]:
        """The comparison and its negation, both guarded by the fact being known."""
        limit = param_key(cond.parameters["value"])
        return {
            Utfall.UPPFYLLT: all_of(exists(cond.fact), compare(cond.fact, cond.op, limit)),
            Utfall.EJ_UPPFYLLT: all_of(exists(cond.fact), compare(cond.fact, _NEGATION[cond.op], limit)),
            Utfall.EJ_UTRETT: missing(cond.fact),
        }

    def evaluate(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any]) -> Utfall:
        """Plain comparison."""
        limit = params[cond.parameters["value"]]
        return three_valued(facts.get(cond.fact), lambda value: _PYTHON[cond.op](value, limit))

    def columnar(self, cond_id: str, cond: ConditionDef, fact: Column, params: dict[str, Any]) -> Any:
        """The same comparison on the column; a null fact compares to null."""
        return _PYTHON[cond.op](fact(cond.fact), params[cond.parameters["value"]])

    def change_points(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any]) -> list[ChangePoint]:
        """The limit; equality cuts on both sides of it."""
        limit = params[cond.parameters["value"]]
        if cond.op == "eq":
            return [ChangePoint(cond.fact, limit, inclusive=True), ChangePoint(cond.fact, limit, inclusive=False)]
        return [ChangePoint(cond.fact, limit, inclusive=_LIMIT_IS_UPPER[cond.op])]

    def reason(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any],
               outcome: Utfall) -> Reason:
        """The fact's value, the operator and the limit."""
        return Reason(outcome, cond.op, cond.fact, params[cond.parameters["value"]], facts.get(cond.fact))
