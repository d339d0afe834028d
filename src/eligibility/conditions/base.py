"""The contract every kind of condition implements, once per backend.

A kind turns a declarative ``ConditionDef`` into
* ``durable``: three durable-rules expressions, one per outcome, over the flat
  engine fact (keys with ``.`` written ``__``, dates as ordinals, parameters as
  ``p__<name>``; an unknown fact is an absent key);
* ``evaluate``: the plain-Python reference of the same semantics;
* ``columnar``: a polars expression over a whole caseload, a nullable boolean
  (true = uppfyllt, false = ej uppfyllt, null = ej utrett), facts as columns
  named like the facts (null = unknown), parameters as constants.
All read the same facts; ``tests/test_differential.py`` and
``tests/test_columnar.py`` hold them equal. A kind also says where its
outcome can change (``change_points``: the timeline) and why it has it
(``reason``: a ``Reason`` that ``decision/texts_sv.py`` puts into Swedish),
so no module outside ``conditions/`` needs to know any kind by name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from typing import Any

from ..models import Utfall
from ..rulebooks.schema import ConditionDef
from .reasons import ChangePoint, Reason

Facts = dict[str, Any]
"""Fact name -> value; a name that is absent is unknown."""

Expr = dict[str, Any]
"""A durable-rules JSON expression over the current fact (``m``)."""

Column = Callable[[str], Any]
"""Fact name -> ``polars.Expr`` of that fact's column (columnar backend)."""


class Kind(ABC):
    """One kind of leaf condition check: everything about it lives in its own module."""

    name: str

    @abstractmethod
    def problems(self, cond: ConditionDef) -> list[str]:
        """What is missing or superfluous in ``cond`` for this kind."""

    @abstractmethod
    def facts_read(self, cond_id: str, cond: ConditionDef) -> list[str]:
        """Names of the facts the check reads (recorded as ``facts_used``), its own derived facts included."""

    def derived_names(self, cond_id: str, cond: ConditionDef) -> list[str]:
        """Names of the facts this kind derives itself (no case field can make them known)."""
        return []

    def derived_facts(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any]) -> Facts:
        """This condition's own derived facts for one case (none unless the kind needs them)."""
        return {}

    def columnar_derived(self, cond_id: str, cond: ConditionDef, fact: Column,
                         params: dict[str, Any]) -> dict[str, Any]:
        """The same derived facts as ``polars.Expr`` columns, for the columnar backend."""
        return {}

    @abstractmethod
    def durable(self, cond_id: str, cond: ConditionDef) -> dict[Utfall, Expr]:
        """One durable-rules expression per outcome; exactly one must match any fact."""

    @abstractmethod
    def evaluate(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any]) -> Utfall:
        """The reference outcome, in plain Python."""

    @abstractmethod
    def columnar(self, cond_id: str, cond: ConditionDef, fact: Column, params: dict[str, Any]) -> Any:
        """The outcome for a whole caseload: a nullable boolean ``polars.Expr`` (null = ej utrett)."""

    @abstractmethod
    def change_points(self, cond_id: str, cond: ConditionDef, facts: Facts,
                      params: dict[str, Any]) -> list[ChangePoint]:
        """Where the outcome can change, given the other facts of the case (see ``ChangePoint``)."""

    @abstractmethod
    def reason(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any],
               outcome: Utfall) -> Reason:
        """Why the condition has ``outcome`` on these facts."""


class CompositeKind(ABC):
    """A Kleene combination of other conditions' outcomes (domain brief section 5).

    ``any_of`` says which: OR (any uppfyllt decides) or AND (any ej uppfyllt
    decides); both backends and the explanation read it, never the name.
    """

    name: str
    any_of: bool

    @abstractmethod
    def problems(self, cond: ConditionDef) -> list[str]:
        """What is missing in ``cond`` for this kind."""

    @abstractmethod
    def parts(self, cond: ConditionDef) -> list[str]:
        """The sub-condition ids."""

    @abstractmethod
    def combine(self, outcomes: Iterable[Utfall]) -> Utfall:
        """The Kleene fold of the parts' outcomes (the reference oracle's composite)."""

    @abstractmethod
    def columnar(self, parts: list[Any]) -> Any:
        """The same fold over nullable boolean columns."""

    def decisive(self, outcome: Utfall, parts: list[tuple[str, Utfall]]) -> list[str]:
        """The parts (id, outcome, in order) that decided ``outcome``: the first that holds for a satisfied OR,
        else all with that outcome."""
        matching = [part for part, got in parts if got is outcome]
        return matching[:1] if self.any_of and outcome is Utfall.UPPFYLLT else matching

    def reason(self, cond_id: str, cond: ConditionDef, outcome: Utfall, parts: list[tuple[str, Utfall]]) -> Reason:
        """The decisive parts, for ``texts_sv`` to list."""
        return Reason(outcome, "any_of" if self.any_of else "all_of", value=tuple(self.decisive(outcome, parts)))


_DURABLE_OPS = {"ge": "$gte", "gt": "$gt", "le": "$lte", "lt": "$lt", "neq": "$neq"}


def three_valued(value: Any, holds: Callable[[Any], bool]) -> Utfall:
    """The reference outcome of a one-fact check: unknown -> ej utrett, else by ``holds``."""
    if value is None:
        return Utfall.EJ_UTRETT
    return Utfall.UPPFYLLT if holds(value) else Utfall.EJ_UPPFYLLT


def key(name: str) -> str:
    """The engine's attribute name for a fact (durable-rules paths may not contain dots)."""
    return name.replace(".", "__")


def param_key(name: str) -> str:
    """The engine's attribute name for a parameter value."""
    return f"p__{name}"


def exists(name: str) -> Expr:
    """The fact is known."""
    return {"$ex": {key(name): 1}}


def missing(name: str) -> Expr:
    """The fact is unknown."""
    return {"$nex": {key(name): 1}}


def compare(name: str, op: str, other: Any, *, other_is_field: bool = True) -> Expr:
    """``fact <op> other``; ``other`` is a field of the same fact unless told otherwise."""
    right = {"$m": other} if other_is_field else other
    if op == "eq":
        return {key(name): right}
    return {_DURABLE_OPS[op]: {key(name): right}}


def all_of(*exprs: Expr) -> Expr:
    """Every expression holds."""
    return {"$and": list(exprs)}


def any_of(*exprs: Expr) -> Expr:
    """At least one expression holds."""
    return {"$or": list(exprs)}


def require(cond: ConditionDef, *, fields: tuple[str, ...] = (), parameters: tuple[str, ...] = ()) -> list[str]:
    """Problems for absent fields or parameter roles."""
    problems = [f"check '{cond.check}' needs '{name}'" for name in fields if getattr(cond, name) in (None, [])]
    problems += [f"check '{cond.check}' needs parameter '{role}'" for role in parameters if role not in cond.parameters]
    return problems
