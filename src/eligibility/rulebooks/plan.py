"""What can be worked out once per rulebook, before any case: the evaluation plan.

Conditions in dependency order (parts before the composites that use them),
each with its kind, parts, the facts it reads, the parameters it names and
its text template. Deciding a case then walks this list once.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..conditions import COMPOSITE_KINDS, LEAF_KINDS, CompositeKind, Kind
from .rule_text import placeholders
from .rulebook import Rulebook
from .schema import ConditionDef


@dataclass(frozen=True)
class PlannedCondition:
    """One condition, with everything about it that does not depend on the case.

    ``kind`` is the leaf kind or the composite kind; ``any_of`` (the composite
    is an OR) and ``derived`` (facts the kind derives itself, never asked for)
    are read off it once here.
    """

    cond_id: str
    definition: ConditionDef
    leaf: bool
    any_of: bool
    parts: tuple[str, ...]
    facts_read: tuple[str, ...]
    parameters: tuple[str, ...]
    kind: Kind | CompositeKind
    derived: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """The conditions of a rulebook in dependency order, and its checks by id."""

    book: Rulebook
    order: tuple[PlannedCondition, ...]
    by_id: dict[str, PlannedCondition]


def make_plan(book: Rulebook) -> Plan:
    """Plan ``book`` (already linted: no cycles, every part defined)."""
    conditions = book.all_conditions()
    ordered: list[PlannedCondition] = []
    placed: dict[str, PlannedCondition] = {}

    def place(cond_id: str) -> None:
        if cond_id in placed:
            return
        cond = conditions[cond_id]
        leaf = LEAF_KINDS.get(cond.check)
        composite = None if leaf else COMPOSITE_KINDS[cond.check]
        parts = tuple(composite.parts(cond)) if composite else ()
        for part in parts:
            place(part)
        planned = PlannedCondition(
            cond_id=cond_id, definition=cond, leaf=leaf is not None, any_of=bool(composite and composite.any_of),
            parts=parts, facts_read=tuple(leaf.facts_read(cond_id, cond)) if leaf else (),
            parameters=tuple(dict.fromkeys([*cond.parameters.values(), *placeholders(cond.text_sv)])),
            kind=leaf or composite, derived=tuple(leaf.derived_names(cond_id, cond)) if leaf else (),
        )
        placed[cond_id] = planned
        ordered.append(planned)

    for cond_id in conditions:
        place(cond_id)
    return Plan(book, tuple(ordered), placed)
