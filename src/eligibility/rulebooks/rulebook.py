"""A loaded rulebook: the rule files of one period, validated and hashed."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..conditions.composite import ALL_OF
from .schema import ConditionDef, ParameterDef, ProgrammeDef, RulebookMeta, TargetGroupDef
from .statutes import StatuteTable
from .yaml_source import Lines


@dataclass(frozen=True)
class ParameterValueOn:
    """A parameter's value on a given day and the day that value took effect."""

    name: str
    value: Any
    valid_from: date


@dataclass
class Rulebook:
    """The law of one period as data. Immutable once loaded."""

    meta: RulebookMeta
    parameters: dict[str, ParameterDef]
    conditions: dict[str, ConditionDef]
    target_groups: dict[str, TargetGroupDef]
    programmes: dict[str, ProgrammeDef]
    content_hash: str
    directory: str
    lines: dict[str, Lines] = field(default_factory=dict, repr=False)
    statutes: StatuteTable | None = field(default=None, repr=False, compare=False)
    """The statutes its ``lagrum`` entries name (``rules/statutes.yaml``, shared by every rulebook loaded with it)."""
    _all_conditions: dict[str, ConditionDef] | None = field(default=None, repr=False, compare=False)
    _parameters_on: dict[int, dict[str, ParameterValueOn]] = field(default_factory=dict, repr=False, compare=False)
    _change_days: list[date] | None = field(default=None, repr=False, compare=False)
    _benefit_names: dict[str, str] | None = field(default=None, repr=False, compare=False)

    @property
    def id(self) -> str:
        """The rulebook id, by convention its first valid day."""
        return self.meta.id

    @property
    def valid_from(self) -> date:
        """First day the rulebook is in force."""
        return self.meta.valid_from

    @property
    def valid_to(self) -> date | None:
        """Last day in force (inclusive); ``None`` while open-ended."""
        return self.meta.valid_to

    @property
    def statutes_hash(self) -> str | None:
        """SHA-256 of the ``statutes.yaml`` its citations were resolved with."""
        return self.statutes.content_hash if self.statutes is not None else None

    def covers(self, day: date) -> bool:
        """True when the rulebook is in force on ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def parameter(self, name: str, on: date) -> ParameterValueOn:
        """The value of parameter ``name`` in force on ``on`` (the latest dated value not after it)."""
        values = self.parameters[name].values
        starts = [start for start in values if start <= on]
        if not starts:
            raise KeyError(f"parameter '{name}' has no value on {on}")
        start = max(starts)
        return ParameterValueOn(name, values[start].value, start)

    def change_days(self) -> list[date]:
        """Every day on which some parameter takes a value, in order (computed once; treat as read-only)."""
        if self._change_days is None:
            self._change_days = sorted({start for p in self.parameters.values() for start in p.values})
        return self._change_days

    def parameters_on(self, on: date) -> dict[str, ParameterValueOn]:
        """Every parameter that has a value on ``on`` (treat as read-only).

        Cached per period in which no parameter changes: every day of a period gets the same dict, so a
        caseload spread over thousands of days builds a handful of them.
        """
        period = bisect.bisect_right(self.change_days(), on)
        cached = self._parameters_on.get(period)
        if cached is None:
            cached = {name: self.parameter(name, on) for name, definition in self.parameters.items()
                      if any(start <= on for start in definition.values)}
            self._parameters_on[period] = cached
        return cached

    def parameter_day(self, day: date) -> date:
        """The day on which this rulebook's parameters are read for a case dated ``day``.

        ``day`` itself inside the rulebook's period; before it, ``valid_from``;
        after it, ``valid_to``. A rulebook carries the values of earlier (and
        later) days for its history, but deciding under it means deciding with
        its own law: a case dated 2011 decided under 2016-02-01 reads that
        rulebook's values of 2016-02-01 (no 914-day limit), never the 914 it
        lists for 2011 (docs/decisions.md item 73). The one place that choice
        is made; every path that reads a case's parameters comes here.
        """
        if day < self.valid_from:
            return self.valid_from
        if self.valid_to is not None and day > self.valid_to:
            return self.valid_to
        return day

    def parameters_for(self, day: date) -> dict[str, ParameterValueOn]:
        """The parameter values that decide a case dated ``day`` under this rulebook: ``parameters_on``
        the ``parameter_day`` (treat as read-only)."""
        return self.parameters_on(self.parameter_day(day))

    def benefit_names(self) -> dict[str, str]:
        """Benefit code -> Swedish name (built once; treat as read-only)."""
        if self._benefit_names is None:
            self._benefit_names = {code: benefit.name_sv for code, benefit in self.meta.benefits.items()}
        return self._benefit_names

    def target_group_condition(self, group_id: str) -> ConditionDef:
        """A target group seen as a composite condition (all of its parts)."""
        group = self.target_groups[group_id]
        return ConditionDef(
            text_sv=f"Personen tillhör målgrupp {group.number}: {group.name_sv.lower()}.",
            check=ALL_OF.name,
            all_of=list(group.all_of),
            source=group.source,
            valid_from=group.valid_from,
        )

    def all_conditions(self) -> dict[str, ConditionDef]:
        """Conditions of conditions.yaml plus the target groups as composite conditions (built once)."""
        if self._all_conditions is None:
            merged = dict(self.conditions)
            for group_id in self.target_groups:
                merged[group_id] = self.target_group_condition(group_id)
            self._all_conditions = merged
        return self._all_conditions
