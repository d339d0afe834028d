"""Schema of the rule files (pydantic). Checked for every file at load time.

The schema checks shape; ``lint.py`` checks meaning across files. Kinds of
condition (``check``) come from the fixed vocabulary in ``conditions/``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..models import SourceRef

Snake = Field(pattern=r"^[a-z][a-z0-9_]*$")


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterValue(_Rule):
    """One dated value; ``value: null`` closes a parameter (the law ended it).

    The value is taken as YAML typed it, never converted: ``"6"`` is text, not
    six, and a date-time is not a date. Whether it fits the parameter's
    ``unit`` is checked by the lint (``lint.py``), which knows the unit.
    """

    value: int | float | bool | date | None
    source: SourceRef

    @field_validator("value", mode="plain")
    @classmethod
    def _as_written(cls, value: Any) -> int | float | bool | date | None:
        if value is None or type(value) in (int, float, bool, date):
            return value
        raise ValueError(f"expected a number, true/false, a date or null, found {_kind(value)}")


def _kind(value: Any) -> str:
    kinds = {str: "text", list: "a list", dict: "a mapping", datetime: "a date with a time", bytes: "binary data"}
    return kinds.get(type(value), type(value).__name__)


class ParameterDef(_Rule):
    """A named threshold or date, with every value it has had and why."""

    description: str
    unit: Literal["day", "month", "year", "hour", "date", "count"]
    values: dict[date, ParameterValue] = Field(min_length=1)


class ConditionDef(_Rule):
    """A declarative condition: a ``check`` kind plus the facts and parameters it reads."""

    text_sv: str
    check: str
    fact: str | None = None
    op: Literal["ge", "gt", "le", "lt", "eq"] | None = None
    values: list[str] | None = None
    at: Literal["as_of", "benefit_end"] | None = None
    parameters: dict[str, str] = Field(default_factory=dict)
    all_of: list[str] | None = None
    any_of: list[str] | None = None
    facts: list[str] = Field(default_factory=list)
    source: SourceRef
    valid_from: date


class ProgrammeDef(_Rule):
    """A programme: the list of condition ids that must all be uppfyllt."""

    name_sv: str
    description_sv: str
    in_text_sv: str | None = None
    """The programme as running text names it after "delta i" (``name_sv`` lower-cased when not given):
    "en prövning av rätten till varaktig sjukersättning"."""
    conditions: list[str] = Field(min_length=1)
    source: SourceRef
    valid_from: date
    starts: Literal["as_of", "after_benefit"] = "as_of"
    """When an eligible person can start: on ``as_of``, or (arbetslivsintroduktion) the day after the
    benefit's last day. The summary and the motivering give that day."""


class TargetGroupDef(_Rule):
    """One of the five target groups of seed 001: all of its conditions must hold."""

    number: int = Field(ge=1)
    name_sv: str
    all_of: list[str] = Field(min_length=1)
    source: SourceRef
    valid_from: date


class BenefitDef(_Rule):
    """A benefit type known to the rulebook."""

    name_sv: str
    time_limited: bool
    source: SourceRef


class NotInForce(_Rule):
    """A programme the product knows but that this period's law does not have."""

    note_sv: str
    source: SourceRef


class RulebookMeta(_Rule):
    """``rulebook.yaml``: identity, period, how far its law was reviewed, and the benefit types.

    ``reviewed_until`` (required) is the last day for which the law of the
    period was checked against the statute: a decision on a later ``as_of``
    carries a warning (``Decision.beyond_reviewed_law``). It lies inside the
    period; a closed rulebook normally has its ``valid_to``. ``not_reviewed_sv``
    lists, in Swedish, the known later changes that are not modelled.
    """

    id: str
    title_sv: str
    description_sv: str
    valid_from: date
    valid_to: date | None = None
    reviewed_until: date
    not_reviewed_sv: str | None = None
    benefits: dict[str, BenefitDef] = Field(min_length=1)
    not_in_force: dict[str, NotInForce] = Field(default_factory=dict)
    benefits_ended: dict[str, NotInForce] = Field(default_factory=dict)
    """Benefit types an earlier rulebook had and this one has not, with why (the case is rejected with it)."""

    @field_validator("valid_to")
    @classmethod
    def _period_not_empty(cls, value: date | None, info: Any) -> date | None:
        start = info.data.get("valid_from")
        if value is not None and start is not None and value < start:
            raise ValueError(f"valid_to {value} is before valid_from {start}")
        return value

    @field_validator("reviewed_until")
    @classmethod
    def _reviewed_inside_period(cls, value: date, info: Any) -> date:
        start, end = info.data.get("valid_from"), info.data.get("valid_to")
        if start is not None and value < start:
            raise ValueError(f"reviewed_until {value} is before valid_from {start}")
        if end is not None and value > end:
            raise ValueError(f"reviewed_until {value} is after valid_to {end}")
        return value


RULE_FILES: dict[str, type[_Rule] | None] = {
    "rulebook.yaml": RulebookMeta,
    "parameters.yaml": ParameterDef,
    "conditions.yaml": ConditionDef,
    "target_groups.yaml": TargetGroupDef,
    "programmes.yaml": ProgrammeDef,
}
"""Files of one rulebook; all but rulebook.yaml map an id to one model each."""
