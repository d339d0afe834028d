"""Safe YAML reading that remembers the line of every key.

Rule files are read with ``yaml.SafeLoader`` node by node so that a schema
error can point at ``file:line``. Anchors and aliases are refused (they are
never needed in a rule file and are the basis of "billion laughs" bombs), and
files are capped in size.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import RuleProblem, RulebookError

MAX_RULE_FILE_BYTES = 1_000_000
# libyaml's parser when PyYAML has it (same nodes and marks, ~10x faster); the Python one otherwise.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Lines = dict[tuple[Any, ...], int]


def read_yaml_with_lines(path: Path, shown_as: str) -> tuple[Any, Lines]:
    """Parse ``path``; return plain data and a map from key path to 1-based line."""
    data = path.read_bytes()
    if len(data) > MAX_RULE_FILE_BYTES:
        raise RulebookError([RuleProblem(shown_as, None, f"file is larger than {MAX_RULE_FILE_BYTES} bytes")])
    try:
        text = data.decode("utf-8")
        node = yaml.compose(text, Loader=_LOADER)
    except UnicodeDecodeError as exc:
        raise RulebookError([RuleProblem(shown_as, None, f"not UTF-8: {exc.reason}")]) from None
    except yaml.MarkedYAMLError as exc:
        # An error at the end of the text is marked one line past a missing final newline: clamp to a real line.
        last = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
        line = min(exc.problem_mark.line + 1, last) if exc.problem_mark else None
        raise RulebookError([RuleProblem(shown_as, line, f"YAML syntax: {exc.problem}")]) from None
    if node is None:
        raise RulebookError([RuleProblem(shown_as, 1, "file is empty")])
    lines: Lines = {}
    constructor = yaml.SafeLoader(text)
    value = _build(node, (), lines, constructor, shown_as, set())
    return value, lines


def _build(node: yaml.Node, path: tuple[Any, ...], lines: Lines, ctor: yaml.SafeLoader,
           shown_as: str, seen: set[int]) -> Any:
    if id(node) in seen:
        raise RulebookError([RuleProblem(shown_as, node.start_mark.line + 1,
                                         "anchors and aliases are not allowed in rule files")])
    seen.add(id(node))
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = ctor.construct_object(key_node, deep=True)
            if key == "<<":
                raise RulebookError([RuleProblem(shown_as, key_node.start_mark.line + 1,
                                                 "merge keys (<<) are not allowed in rule files")])
            if key in result:
                raise RulebookError([RuleProblem(shown_as, key_node.start_mark.line + 1,
                                                 f"duplicate key '{key}'")])
            result[key] = _build(value_node, (*path, key), lines, ctor, shown_as, seen)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines, ctor, shown_as, seen) for i, item in enumerate(node.value)]
    return ctor.construct_object(node, deep=True)


def line_of(lines: Lines, loc: tuple[Any, ...]) -> int | None:
    """The line of the longest prefix of ``loc`` that has one (pydantic locs may go deeper)."""
    for end in range(len(loc), -1, -1):
        found = lines.get(tuple(loc[:end]))
        if found is not None:
            return found
    return None
