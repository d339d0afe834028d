"""The one YAML reader for cases: YAML 1.2 core types only, so the contract's strict types hold.

``yaml.safe_load`` resolves plain scalars by YAML 1.1: ``11:40`` is the
sexagesimal 700, ``0x2BC`` is 700, ``no``/``on``/``yes`` are booleans and
``2015-02-29`` is a date that fails in the parser (a traceback, not a field
error). A case would then slip past ``StrictBool`` and ``Count``. Here a plain
scalar is only ``true``/``false``, ``null``/``~``/empty, a decimal integer or a
decimal float; everything else, dates included, stays a string, so the case
contract parses the date and an impossible one is a field error on ``as_of``.

Anchors, aliases and explicit tags are refused (a case never needs them; aliases
are the basis of "billion laughs"), and so is nesting deeper than ``MAX_DEPTH``
(the composer recurses). Every key's line is remembered so that a field error
can say where in the file it is.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from ..rulebooks.yaml_source import Lines

MAX_DEPTH = 32  # a case is three levels deep; this only stops stack exhaustion

_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_NON_SPECIFIC = {None, "!"}

_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
_INT_RE = re.compile(r"^[-+]?[0-9]+$")
_FLOAT_RE = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")


class CaseYamlError(yaml.MarkedYAMLError):
    """A case-file rule broken (alias, tag, depth, number size), marked where it happens."""


class _Resolver(BaseResolver):
    """YAML 1.2 core schema, without octal/hex integers and ``.inf``/``.nan``."""

    yaml_implicit_resolvers: dict[Any, Any] = {}


_Resolver.add_implicit_resolver(_BOOL, _BOOL_RE, list("tTfF"))
_Resolver.add_implicit_resolver(_NULL, _NULL_RE, ["~", "n", "N", ""])
_Resolver.add_implicit_resolver(_INT, _INT_RE, list("-+0123456789"))   # before float: "12" is an int
_Resolver.add_implicit_resolver(_FLOAT, _FLOAT_RE, list("-+.0123456789"))


class _Constructor(SafeConstructor):
    """Only the core types; anything else is an error at its mark, not a Python object."""

    yaml_constructors: dict[Any, Any] = {}

    def construct_core_int(self, node: yaml.ScalarNode) -> int:
        try:
            return int(node.value)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            raise CaseYamlError(None, None, f"a number of {len(node.value)} digits is too long to read",
                                node.start_mark) from None

    def construct_core_float(self, node: yaml.ScalarNode) -> float:
        return float(node.value)

    def construct_core_bool(self, node: yaml.ScalarNode) -> bool:
        return node.value.lower() == "true"

    def construct_core_null(self, node: yaml.ScalarNode) -> None:
        return None

    def construct_core_str(self, node: yaml.ScalarNode) -> str:
        return str(node.value)


_Constructor.add_constructor(_INT, _Constructor.construct_core_int)
_Constructor.add_constructor(_FLOAT, _Constructor.construct_core_float)
_Constructor.add_constructor(_BOOL, _Constructor.construct_core_bool)
_Constructor.add_constructor(_NULL, _Constructor.construct_core_null)
_Constructor.add_constructor(_STR, _Constructor.construct_core_str)
_Constructor.add_constructor(_SEQ, SafeConstructor.construct_yaml_seq)
_Constructor.add_constructor(_MAP, SafeConstructor.construct_yaml_map)


class _Composer(Composer):
    """The node tree, refusing anchors, aliases and explicit tags, and counting depth."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise CaseYamlError(None, None, "anchors and aliases are not allowed in a case file", event.start_mark)
        if isinstance(event, (ScalarEvent, SequenceStartEvent, MappingStartEvent)) and event.tag not in _NON_SPECIFIC:
            raise CaseYamlError(None, None, "explicit tags (!!...) are not allowed in a case file", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise CaseYamlError(None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _CaseLoader(Reader, Scanner, Parser, _Composer, _Constructor, _Resolver):
    """PyYAML's pure-Python pipeline with the parts above (the C loader cannot be given a depth limit)."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


def load_case_yaml(text: str) -> tuple[Any, Lines]:
    """Parse one case from YAML text; return the data and the line of every key path.

    Raises:
        yaml.YAMLError: on a syntax error or a broken case-file rule; a
            ``MarkedYAMLError`` carries the line and column.
    """
    loader = _CaseLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: Lines = {}
        _record_lines(node, (), lines)
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def _record_lines(node: yaml.Node, path: tuple[Any, ...], lines: Lines) -> None:
    """Remember the 1-based line of each key (depth is already bounded by the composer)."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            _record_lines(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines)
