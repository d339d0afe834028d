"""Rule texts filled with the values in force: a condition's ``text_sv`` with its ``{parameter}`` placeholders.

The motivering itself is written by ``motivering`` (from ``grounds`` and ``summary``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..rulebooks.rule_text import fill
from . import phrases_sv as ph
from . import texts_sv as sv


def format_text(text: str, params: dict[str, Any], names: tuple[str, ...]) -> str:
    """Fill the ``{parameter}`` placeholders ``names`` of a rule text with the values in force.

    Plain placeholders only, never ``str.format``: a format spec in a rule
    text must not size the output (see ``rule_text``).
    """
    if "{" not in text:
        return text
    key = (text, tuple((name, params[name].value) for name in names))
    filled = _FILLED.get(key)
    if filled is None:  # a rule text and the values in force: the same few per rulebook period
        if len(_FILLED) > 20_000:
            _FILLED.clear()
        filled = _FILLED[key] = fill(text, {name: _in_text(params[name].value) for name in names})
    return filled


_FILLED: dict[tuple[Any, ...], str] = {}


def _in_text(value: Any) -> str:
    """A parameter value in running text: one to twelve in words, a date as ``den 6 juli 2011``."""
    if isinstance(value, date):
        return ph.date_sv(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return ph.number_sv(value)
    return sv.value_sv(value)
