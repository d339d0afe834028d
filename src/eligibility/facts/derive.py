"""Turn a validated case into the flat fact set the conditions read.

Derived quantities (age, benefit end, key dates) are the declarations of
``derived.py``, computed here in their per-case form from the rulebook's
parameters, before any rule runs; then each leaf kind adds its own facts
(``threshold.<condition>``). A fact that cannot be known is left out
(unknown); ``unknown_because`` remembers which case fields would make it
known, so an undetermined decision can ask the right questions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..case.fields import case_fact_names
from ..case.validate import flat_facts
from ..conditions import LEAF_KINDS
from ..models import Case, KeyDates
from ..rulebooks.rulebook import ParameterValueOn, Rulebook
from .derived import BIRTH, DERIVED, FACT_NAMES, KEY_DATES, REQUIRED_PARAMETERS, derive_all

CASE_FACTS = case_fact_names()
"""The case's own facts a condition may read: every contract field but the person's identity."""
DERIVED_FACTS = ("as_of", *FACT_NAMES)
KNOWN_FACTS = frozenset(CASE_FACTS + DERIVED_FACTS)
__all__ = ["CASE_FACTS", "DERIVED_FACTS", "KNOWN_FACTS", "REQUIRED_PARAMETERS", "FactSet", "build_facts"]


@dataclass
class FactSet:
    """Facts of one case under one rulebook, with the parameter values in force."""

    facts: dict[str, Any]
    parameters: dict[str, ParameterValueOn]
    unknown_because: dict[str, list[str]] = field(default_factory=dict)
    key_dates: KeyDates = field(default_factory=KeyDates)

    def parameter_values(self) -> dict[str, Any]:
        """Parameter name -> plain value."""
        return {name: p.value for name, p in self.parameters.items()}


def _case_facts(case: Case) -> dict[str, Any]:
    """The case's known facts a condition may read (``validate.flat_facts``, the one flattening of a case)."""
    return {name: value for name, value in flat_facts(case).items() if value is not None and name in _CASE_FACT_SET}


_CASE_FACT_SET = frozenset(CASE_FACTS)


def build_facts(case: Case, birth: date, book: Rulebook) -> FactSet:
    """All facts for ``case`` under ``book``; ``birth`` is already validated.

    The case's facts are those of its ``as_of``; the parameters are ``book``'s
    on ``as_of`` clamped to its period (``Rulebook.parameters_for``), so a case
    decided under a rulebook not in force on its ``as_of`` gets that rulebook's law.
    """
    parameters = book.parameters_for(case.as_of)
    values = {name: p.value for name, p in parameters.items()}
    facts = _case_facts(case)
    facts["as_of"] = case.as_of
    derived = derive_all({**facts, BIRTH: birth}, values)
    unknown_because: dict[str, list[str]] = {}
    for item in _CONDITION_FACTS:
        value = derived[item.name]
        if value is not None:
            facts[item.name] = value
        else:
            causes = item.unknown_because(derived)
            if causes is not None:
                unknown_because[item.name] = causes
    key_dates = KeyDates(**{name: derived[item.name] for name, item in _KEY_DATES})
    for cond_id, cond, kind in _kinds_with_facts(book):
        facts.update(kind.derived_facts(cond_id, cond, facts, values))
    return FactSet(facts, parameters, unknown_because, key_dates)


_CONDITION_FACTS = tuple(item for item in DERIVED if item.name in FACT_NAMES)
_KEY_DATES = tuple((item.name.removeprefix("key_dates."), item) for item in KEY_DATES)
_WITH_FACTS: dict[tuple[str, str], list[tuple[str, Any, Any]]] = {}


def _kinds_with_facts(book: Rulebook) -> list[tuple[str, Any, Any]]:
    """The leaf conditions of ``book`` whose kind derives facts of its own (cached per rulebook content)."""
    key = (book.id, book.content_hash)
    if key not in _WITH_FACTS:
        _WITH_FACTS[key] = [(cond_id, cond, kind) for cond_id, cond in book.conditions.items()
                            if (kind := LEAF_KINDS.get(cond.check)) is not None and kind.derived_names(cond_id, cond)]
    return _WITH_FACTS[key]
