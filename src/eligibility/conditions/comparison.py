"""``jamforelse``: a fact compared with a parameter (``hours_per_week ge 10``)."""

from __future__ import annotations

import operator
from typing import Any

from ..models import Utfall
from ..rulebooks.schema import ConditionDef
from .base import (
    Column, Expr, Facts, all_of, compare, exists, missing, param_key, require, three_valued,
)

_NEGATION = {"ge": "lt", "gt": "le", "le": "gt", "lt": "ge", "eq": "neq"}
_PYTHON = {"ge": operator.ge, "gt": operator.gt, "le": operator.le, "lt": operator.lt, "eq": operator.eq}


class Jamforelse:
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
