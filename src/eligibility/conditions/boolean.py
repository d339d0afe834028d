"""``ar_sant`` / ``ar_falskt``: a yes/no fact must be yes (or no).

``ar_falskt`` exists for facts phrased positively in the case contract but
negatively in the law, e.g. target group 4 "kan inte återgå till sin
anställning" reads ``person.can_return_to_employer`` and wants ``false``.
"""

from __future__ import annotations

from typing import Any

from ..models import Utfall
from ..rulebooks.schema import ConditionDef
from .base import ChangePoint, Column, Expr, Facts, Kind, Reason, key, missing, require, three_valued


class ArSant(Kind):
    """The fact equals ``expected``: uppfyllt; the opposite: ej uppfyllt; unknown: ej utrett."""

    name = "ar_sant"
    expected = True

    def problems(self, cond: ConditionDef) -> list[str]:
        """Needs ``fact``."""
        return require(cond, fields=("fact",))

    def facts_read(self, cond_id: str, cond: ConditionDef) -> list[str]:
        """Only the fact itself."""
        return [cond.fact]

    def durable(self, cond_id: str, cond: ConditionDef) -> dict[Utfall, Expr]:
        """Equality with true / false, absence."""
        return {
            Utfall.UPPFYLLT: {key(cond.fact): self.expected},
            Utfall.EJ_UPPFYLLT: {key(cond.fact): not self.expected},
            Utfall.EJ_UTRETT: missing(cond.fact),
        }

    def evaluate(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any]) -> Utfall:
        """Plain lookup."""
        return three_valued(facts.get(cond.fact), lambda value: value is self.expected)

    def columnar(self, cond_id: str, cond: ConditionDef, fact: Column, params: dict[str, Any]) -> Any:
        """The boolean column itself (or its negation); null stays null."""
        column = fact(cond.fact)
        return column if self.expected else ~column

    def change_points(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any]) -> list[ChangePoint]:
        """Both answers decide: yes and no give opposite outcomes."""
        return [ChangePoint(cond.fact, self.expected, ordered=False), ChangePoint(cond.fact, not self.expected, ordered=False)]

    def reason(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any],
               outcome: Utfall) -> Reason:
        """The answer given, held against the one wanted."""
        return Reason(outcome, "is", cond.fact, self.expected, facts.get(cond.fact))


class ArFalskt(ArSant):
    """The fact is false: uppfyllt; true: ej uppfyllt; unknown: ej utrett."""

    name = "ar_falskt"
    expected = False
