"""The law's limits that synthetic-case generators must respect, read from the rulebooks.

Generators (``caseload.synth``, the regression corpus in ``snapshot``) must
only produce valid cases; the limits they obey are law, so they come from
``rules/`` like every other threshold, not from Python literals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .loader import load_rulebooks
from .rulebook import Rulebook


@dataclass(frozen=True)
class LawBounds:
    """Last day of tidsbegränsad sjukersättning, the sjukpenning day limit, the TBS extension months."""

    tbs_last_day: date
    sjukpenning_max_days: int
    tbs_max_extension_months: int


def law_bounds(books: list[Rulebook] | None = None) -> LawBounds:
    """The limits in force in the first rulebook (where all three exist)."""
    first = (books or load_rulebooks())[0]

    def value(name: str):
        return first.parameter(name, first.valid_from).value

    return LawBounds(value("tbs_senaste_slutdag"), value("sjukpenning_max_dagar"),
                     value("tbs_max_forlangning_manader"))
