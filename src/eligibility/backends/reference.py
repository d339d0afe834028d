"""The reference backend: the same leaf semantics in plain Python.

It exists to be obviously right, not fast; the differential test holds the
durable-rules engine to it for every condition outcome.
"""

from __future__ import annotations

from ..conditions import LEAF_KINDS
from ..facts.derive import FactSet
from ..models import Utfall
from ..rulebooks.rulebook import Rulebook


class ReferenceRulebook:
    """Evaluates a rulebook's leaf conditions without any rule engine."""

    def __init__(self, book: Rulebook) -> None:
        self.book = book

    def evaluate_leaves(self, facts: FactSet) -> dict[str, Utfall]:
        """Outcome of every leaf condition."""
        params = facts.parameter_values()
        return {
            cond_id: LEAF_KINDS[cond.check].evaluate(cond_id, cond, facts.facts, params)
            for cond_id, cond in self.book.conditions.items()
            if cond.check in LEAF_KINDS
        }
