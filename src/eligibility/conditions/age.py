"""``alder_inom``: age in full years within [min, max] on a reference day.

``at: as_of`` uses the age on the case date. ``at: benefit_end`` uses the age
at the end of the month in which the benefit ends: sjukersättning is a monthly
benefit, and someone whose aktivitetsersättning stops on the first day of the
month they turn 30 is 30 within that month (docs/decisions.md).
"""

from __future__ import annotations

from typing import Any

from ..models import Utfall
from ..rulebooks.schema import ConditionDef
from .base import (
    ChangePoint, Column, Expr, Facts, Kind, Reason, all_of, any_of, compare, exists, missing, param_key, require,
    three_valued,
)

AGE_FACTS = {"as_of": "age", "benefit_end": "age_at_benefit_end"}


class AlderInom(Kind):
    """``min <= age <= max``."""

    name = "alder_inom"

    def problems(self, cond: ConditionDef) -> list[str]:
        """Needs ``at`` and parameter roles ``min`` and ``max``."""
        return require(cond, fields=("at",), parameters=("min", "max"))

    def facts_read(self, cond_id: str, cond: ConditionDef) -> list[str]:
        """The age on the reference day."""
        return [AGE_FACTS[cond.at]]

    def durable(self, cond_id: str, cond: ConditionDef) -> dict[Utfall, Expr]:
        """Within both bounds / outside one of them / unknown."""
        age = AGE_FACTS[cond.at]
        low, high = param_key(cond.parameters["min"]), param_key(cond.parameters["max"])
        return {
            Utfall.UPPFYLLT: all_of(exists(age), compare(age, "ge", low), compare(age, "le", high)),
            Utfall.EJ_UPPFYLLT: all_of(exists(age), any_of(compare(age, "lt", low), compare(age, "gt", high))),
            Utfall.EJ_UTRETT: missing(age),
        }

    def evaluate(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any]) -> Utfall:
        """Plain range check."""
        low, high = params[cond.parameters["min"]], params[cond.parameters["max"]]
        return three_valued(facts.get(AGE_FACTS[cond.at]), lambda age: low <= age <= high)

    def columnar(self, cond_id: str, cond: ConditionDef, fact: Column, params: dict[str, Any]) -> Any:
        """Range check on the age column; a null age gives null."""
        age = fact(AGE_FACTS[cond.at])
        return age.is_between(params[cond.parameters["min"]], params[cond.parameters["max"]])

    def change_points(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any]) -> list[ChangePoint]:
        """Turning ``min`` enters the range, turning ``max + 1`` leaves it (the timeline makes them birthdays)."""
        age = AGE_FACTS[cond.at]
        return [ChangePoint(age, params[cond.parameters["min"]]), ChangePoint(age, params[cond.parameters["max"]] + 1)]

    def reason(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any],
               outcome: Utfall) -> Reason:
        """The age on the reference day and the range."""
        age = AGE_FACTS[cond.at]
        return Reason(outcome, "between", age, (params[cond.parameters["min"]], params[cond.parameters["max"]]),
                      facts.get(age))
