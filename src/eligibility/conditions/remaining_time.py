"""``kvarvarande_tid_minst`` / ``kvarvarande_tid_under``: months left of the benefit.

"At least N months left on D" is ``D + N months <= end_exclusive`` (domain
brief section 4). The date ``as_of + N months`` is derived per condition,
before the facts are asserted, with ``dates.add_months`` (relativedelta
month-end clipping). A benefit without end (sjukersättning tills vidare,
sjukpenning vid allvarlig sjukdom, no benefit) always has "enough" time left:
it cannot run out.
"""

from __future__ import annotations

from typing import Any

from ..facts import dates
from ..models import Utfall
from ..rulebooks.schema import ConditionDef
from .base import (
    ChangePoint, Column, Expr, Facts, Kind, Reason, all_of, any_of, compare, exists, key, missing, require,
)

HAS_END = "benefit_has_end"
END = "benefit_end_exclusive"


def threshold_fact(cond_id: str) -> str:
    """Name of the derived fact ``as_of + N months`` for one condition."""
    return f"threshold.{cond_id}"


class _RemainingTime(Kind):
    """Shared parts; ``at_least`` says which side is uppfyllt."""

    name = ""
    at_least = True

    def problems(self, cond: ConditionDef) -> list[str]:
        """Needs parameter role ``months``."""
        return require(cond, parameters=("months",))

    def facts_read(self, cond_id: str, cond: ConditionDef) -> list[str]:
        """The benefit end and the derived threshold date."""
        return ["as_of", HAS_END, END, threshold_fact(cond_id)]

    def derived_names(self, cond_id: str, cond: ConditionDef) -> list[str]:
        """The threshold date is this condition's own."""
        return [threshold_fact(cond_id)]

    def derived_facts(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any]) -> Facts:
        """``as_of + N months``, the latest end that is still too early."""
        months = params[cond.parameters["months"]]
        return {threshold_fact(cond_id): dates.add_months(facts["as_of"], months)}

    def durable(self, cond_id: str, cond: ConditionDef) -> dict[Utfall, Expr]:
        """Enough left: no end, or end >= threshold; too little: end < threshold."""
        limit = key(threshold_fact(cond_id))
        enough = any_of({key(HAS_END): False}, all_of(exists(END), compare(END, "ge", limit)))
        too_little = all_of(exists(END), compare(END, "lt", limit))
        unknown = any_of(missing(HAS_END), all_of({key(HAS_END): True}, missing(END)))
        yes, no = (enough, too_little) if self.at_least else (too_little, enough)
        return {Utfall.UPPFYLLT: yes, Utfall.EJ_UPPFYLLT: no, Utfall.EJ_UTRETT: unknown}

    def evaluate(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any]) -> Utfall:
        """Plain comparison of dates."""
        has_end = facts.get(HAS_END)
        if has_end is None or (has_end and facts.get(END) is None):
            return Utfall.EJ_UTRETT
        enough = not has_end or facts[END] >= facts[threshold_fact(cond_id)]
        return Utfall.UPPFYLLT if enough == self.at_least else Utfall.EJ_UPPFYLLT

    def columnar_derived(self, cond_id: str, cond: ConditionDef, fact: Column, params: dict[str, Any]) -> dict[str, Any]:
        """The threshold column ``as_of + N months`` (``dates.add_months.frame``)."""
        # as_of is required: a row without it is invalid and blanked, so no null mask is needed.
        return {threshold_fact(cond_id): dates.add_months.frame(fact("as_of"), params[cond.parameters["months"]],
                                                             nulls=False)}

    def columnar(self, cond_id: str, cond: ConditionDef, fact: Column, params: dict[str, Any]) -> Any:
        """No end: enough; end known: compare with the threshold; else null (ej utrett)."""
        import polars as pl

        has_end, end = fact(HAS_END), fact(END)
        enough = pl.when(has_end.not_()).then(True).otherwise(end >= fact(threshold_fact(cond_id)))  # null end: null
        return enough if self.at_least else enough.not_()

    def change_points(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any]) -> list[ChangePoint]:
        """The first day (``as_of``) with fewer than N months left, given a known benefit end."""
        end = facts.get(END)
        if end is None:
            return []
        months = params[cond.parameters["months"]]
        return [ChangePoint("as_of", dates.add_days(dates.last_day_with_months_left(end, months), 1))]

    def reason(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any],
               outcome: Utfall) -> Reason:
        """The benefit's end against the day it must reach; no end when ``value`` is None and the outcome known."""
        return Reason(outcome, "months_left_at_least" if self.at_least else "months_left_under", END,
                      params[cond.parameters["months"]], facts.get(END), limit=facts.get(threshold_fact(cond_id)),
                      subject=facts.get("benefit.type"))


class KvarvarandeTidMinst(_RemainingTime):
    """At least N months of the benefit remain on ``as_of``."""

    name = "kvarvarande_tid_minst"
    at_least = True


class KvarvarandeTidUnder(_RemainingTime):
    """Less than N months remain, or the benefit is already used up (it has an end)."""

    name = "kvarvarande_tid_under"
    at_least = False
