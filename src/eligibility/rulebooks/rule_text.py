"""Placeholders in rule texts: ``{parameter}`` and nothing else.

A ``text_sv`` names parameters as plain ``{name}`` placeholders, filled with
the value in force. ``str.format`` is never used on a rule text: a format
spec such as ``{x:>999999999}`` would make the renderer allocate a gigabyte,
and an unbalanced ``{`` would raise at load time. The lint rejects anything
that is not a plain placeholder; the renderer replaces only plain
placeholders whose values it is given and leaves every other character as
written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_PLAIN = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_TOKEN = re.compile(r"\{([^{}]*)\}|[{}]")
_SHOWN = 40


def placeholders(text: str) -> list[str]:
    """The parameter names of the plain ``{name}`` placeholders in ``text``, in order."""
    return _PLAIN.findall(text)


def placeholder_problems(text: str) -> list[str]:
    """Why each brace in ``text`` that is not part of a plain ``{name}`` placeholder is wrong."""
    problems = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if _PLAIN.fullmatch(token):
            continue
        if len(token) == 1:
            problems.append(f"unbalanced '{token}' at character {match.start() + 1} "
                            "(a placeholder is written {parameter_name})")
        else:
            problems.append(f"placeholder '{token[:_SHOWN]}' is not a plain {{parameter_name}} "
                            "(no format specs, conversions, indexes or spaces)")
    return problems


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each plain placeholder named in ``values`` replaced by its value."""
    return _PLAIN.sub(lambda match: values.get(match.group(1), match.group(0)), text)
