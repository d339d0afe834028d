"""Modules imported when first used, so that a single decision never loads polars.

The per-case path (``eligibility check``, the API's workers) needs no frame:
importing polars and the calendar tables would add about 150 ms to every
start. Modules that declare a rule's per-case and frame forms side by side
(``facts/dates.py``, ``facts/derived.py``, ``case/consistency.py``) name
polars through ``lazy.pl``; the import happens when a frame form first runs.
"""

from __future__ import annotations

import importlib
from typing import Any


class OnFirstUse:
    """A stand-in for a module: the first attribute read imports it."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)


pl: Any = OnFirstUse("polars")
calendar: Any = OnFirstUse("eligibility.facts.calendar")
