"""The graph of composite conditions (AND / OR kinds and their parts): cycles and depth.

Walked iteratively, never by recursion: a rule file may chain thousands of
composites, and a recursive walk would end in ``RecursionError`` instead of
a lint problem. The depth limit is technical, not law: the plan, the
backends and the explanation recurse over parts, so nesting is capped well
below Python's recursion limit (the bundled rules nest at most 3 deep).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..conditions import COMPOSITE_KINDS
from .schema import ConditionDef

MAX_NESTING = 50


def _parts(conditions: dict[str, ConditionDef], cond_id: str) -> Iterator[str]:
    cond = conditions[cond_id]
    kind = COMPOSITE_KINDS.get(cond.check)
    if kind and not kind.problems(cond):
        yield from (part for part in kind.parts(cond) if part in conditions)


def cycles(conditions: dict[str, ConditionDef]) -> list[str]:
    """Each condition that reaches a condition still on the walk's path (so lies on a cycle)."""
    found: list[str] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in conditions:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, _parts(conditions, root))]
        while stack:
            cond_id, parts = stack[-1]
            for part in parts:
                if state.get(part) == 1:
                    found.append(cond_id)
                elif part not in state:
                    state[part] = 1
                    stack.append((part, _parts(conditions, part)))
                    break
            else:
                state[cond_id] = 2
                stack.pop()
    return found


def depths(conditions: dict[str, ConditionDef]) -> dict[str, int]:
    """How many composite levels lie below each condition (a leaf is 0). Only for a graph without cycles."""
    depth: dict[str, int] = {}
    for root in conditions:
        stack = [root]
        while stack:
            cond_id = stack[-1]
            if cond_id in depth:
                stack.pop()
                continue
            pending = [part for part in _parts(conditions, cond_id) if part not in depth]
            if pending:
                stack.extend(pending)
                continue
            depth[cond_id] = max((depth[part] + 1 for part in _parts(conditions, cond_id)), default=0)
            stack.pop()
    return depth
