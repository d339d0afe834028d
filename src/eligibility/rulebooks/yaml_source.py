"""Safe YAML reading that remembers the line of every key.

Rule files are read with ``yaml.SafeLoader`` node by node so that a schema
error can point at ``file:line``. Anchors and aliases are refused (they are
never needed in a rule file and are the basis of "billion laughs" bombs), and
files are capped in size. Reading is bounded too: only regular files are
read, and at most ``MAX_RULE_FILE_BYTES + 1`` bytes, so a rule file replaced by
a symlink to ``/dev/zero`` or a FIFO is refused instead of hanging the loader.
Every failure is a ``RulebookError`` with file, line and reason, never a
``ValueError`` from a constructor (``2015-02-29``) or a ``TypeError`` from an
unhashable key.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from ..errors import RuleProblem, RulebookError

MAX_RULE_FILE_BYTES = 1_000_000
# libyaml's parser when PyYAML has it (same nodes and marks, ~10x faster); the Python one otherwise.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SHOWN_SCALAR = 40
_TAG_SHOWN = {"timestamp": "a date", "int": "a whole number", "float": "a number", "bool": "true/false"}

Lines = dict[tuple[Any, ...], int]


def _kind_of(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def read_rule_bytes(path: Path, shown_as: str) -> bytes:
    """The bytes of one rule file: a regular file (symlinks followed) of at most ``MAX_RULE_FILE_BYTES``.

    The file is opened first and checked with ``fstat`` on the open
    descriptor, so the check and the read concern the same file even if the
    path is replaced in between. ``O_NONBLOCK`` keeps ``open`` of a FIFO from
    waiting for a writer.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise RulebookError([RuleProblem(shown_as, None, f"cannot read the file ({exc.strerror})")]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            found = _kind_of(info.st_mode)
            raise RulebookError([RuleProblem(shown_as, None, f"expected a regular file, found {found}")])
        if info.st_size > MAX_RULE_FILE_BYTES:
            raise RulebookError([RuleProblem(shown_as, None, f"file is larger than {MAX_RULE_FILE_BYTES} bytes")])
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_RULE_FILE_BYTES:
            chunk = os.read(fd, MAX_RULE_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise RulebookError([RuleProblem(shown_as, None, f"cannot read the file ({exc.strerror})")]) from None
    finally:
        os.close(fd)
    if size > MAX_RULE_FILE_BYTES:  # grew after fstat
        raise RulebookError([RuleProblem(shown_as, None, f"file is larger than {MAX_RULE_FILE_BYTES} bytes")])
    return b"".join(chunks)


def read_yaml_with_lines(path: Path, shown_as: str) -> tuple[Any, Lines]:
    """Read (bounded) and parse ``path``; return plain data and a map from key path to 1-based line."""
    return parse_yaml_with_lines(read_rule_bytes(path, shown_as), shown_as)


def parse_yaml_with_lines(data: bytes, shown_as: str) -> tuple[Any, Lines]:
    """Parse the bytes of a rule file; return plain data and a map from key path to 1-based line."""
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
    except (yaml.YAMLError, RecursionError) as exc:
        raise RulebookError([RuleProblem(shown_as, None, f"YAML syntax: {type(exc).__name__}")]) from None
    if node is None:
        raise RulebookError([RuleProblem(shown_as, 1, "file is empty")])
    lines: Lines = {}
    constructor = yaml.SafeLoader(text)
    try:
        value = _build(node, (), lines, constructor, shown_as, set())
    except RecursionError:
        raise RulebookError([RuleProblem(shown_as, None, "nested too deeply")]) from None
    return value, lines


def _scalar(node: yaml.Node, ctor: yaml.SafeLoader, shown_as: str) -> Any:
    """A scalar's value; a constructor's refusal (``2015-02-29``, an unknown tag) becomes file:line."""
    try:
        return ctor.construct_object(node, deep=True)
    except (ValueError, TypeError, OverflowError, yaml.YAMLError) as exc:
        shown = str(node.value)[:_SHOWN_SCALAR]
        reason = getattr(exc, "problem", None) or str(exc)
        tag = node.tag.rsplit(":", 1)[-1]
        raise RulebookError([RuleProblem(shown_as, node.start_mark.line + 1,
                                         f"value '{shown}' cannot be read as {_TAG_SHOWN.get(tag, tag)}: {reason}")]
                            ) from None


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
            if not isinstance(key_node, yaml.ScalarNode):
                found = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
                reason = f"expected a key that is a plain text, number or date, found {found}"
                raise RulebookError([RuleProblem(shown_as, key_node.start_mark.line + 1, reason)])
            key = _scalar(key_node, ctor, shown_as)
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
    return _scalar(node, ctor, shown_as)


def line_of(lines: Lines, loc: tuple[Any, ...]) -> int | None:
    """The line of the longest prefix of ``loc`` that has one (pydantic locs may go deeper)."""
    for end in range(len(loc), -1, -1):
        found = lines.get(tuple(loc[:end]))
        if found is not None:
            return found
    return None
