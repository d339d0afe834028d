"""Case validation: the contract (pydantic) and consistency with the rulebook.

Errors name the field path and what was expected. Values of ``person.*``
fields (personnummer, birth date) are never echoed: error texts end up in
logs and responses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import Any

from personnummer import personnummer as pnr
from pydantic import ValidationError

from ..errors import CaseError, FieldProblem, number_shown
from ..facts.derived import DERIVED_BY_NAME
from ..models import Case
from ..rulebooks.rulebook import Rulebook
from .consistency import BENEFIT_FIELDS, DERIVED_READ, RULES, LawInForce
from .fields import BIRTH

_PERSONAL = ("person",)


_FIELD_NAME = re.compile(r"[a-z_]{1,64}")


def _shown(value: Any, loc: tuple[Any, ...]) -> str | None:
    """What an error may say was found: never text or a long number (either may be personal data

    sent in the wrong field: a personnummer, a birth date, a name), only its kind."""
    if loc and loc[0] in _PERSONAL:
        return None
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float)):
        return number_shown(value)
    if isinstance(value, str):
        return f"a text of {len(value)} characters"
    return "an object" if isinstance(value, dict) else "a list" if isinstance(value, list) else type(value).__name__


def parse_case(data: Any) -> Case:
    """Validate raw data (parsed JSON or YAML) against the case contract."""
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            # An unknown key is named only if it looks like a field name: a key may itself be personal data.
            field = ".".join(str(part) if isinstance(part, int) or _FIELD_NAME.fullmatch(str(part)) else "(unknown key)"
                             for part in loc) or "(case)"
            expected = err["msg"].removeprefix("Value error, ")  # our validators' own texts read as they are
            if err["type"] == "extra_forbidden":
                expected = "no such field in the case contract (see docs/case-format.md)"
            elif err["type"] == "missing":
                expected = "a value (the field is required)"
            found = None if err["type"] == "missing" else _shown(err.get("input"), loc)
            problems.append(FieldProblem(field, expected, found, err["type"]))
        raise CaseError(problems) from None


# The written forms docs/case-format.md allows: YYMMDD or YYYYMMDD, an optional '-' or '+', four digits.
# ASCII digits only: the personnummer package (and Python's int()) would also take full-width or
# Arabic-Indic digits, which no register writes and which slip past checks that look for ASCII digits.
_PERSONNUMMER_FORM = re.compile(r"(?:[0-9]{2})?[0-9]{6}[-+]?[0-9]{4}")


def personnummer_birth_date(number: str) -> date | None:
    """The birth date a personnummer (or samordningsnummer) encodes, or None if it is not a valid one.

    Valid means written in ASCII digits in one of the usual forms and with a correct check digit.
    Shared by the per-case and the columnar validation so both accept exactly the same numbers.
    """
    if not isinstance(number, str) or not _PERSONNUMMER_FORM.fullmatch(number):
        return None
    try:
        got = pnr.Personnummer(number).get_date()
    except pnr.PersonnummerException:
        return None
    return got.date() if hasattr(got, "date") else got


def birth_date_of(case: Case) -> date:
    """The birth date, from ``birth_date`` or a checksum-valid ``personnummer``."""
    person = case.person
    from_pnr = None
    if person.personnummer is not None:
        from_pnr = personnummer_birth_date(person.personnummer)
        if from_pnr is None:  # never echoed: found stays None
            raise CaseError([FieldProblem("person.personnummer",
                                          "a valid Swedish personnummer or samordningsnummer in ASCII digits "
                                          "(YYYYMMDD-NNNN, correct check digit)", None, "personnummer")])
    if from_pnr and person.birth_date and from_pnr != person.birth_date:
        raise CaseError([FieldProblem("person.birth_date", "the same date as in person.personnummer", None, "mismatch")])
    birth = from_pnr or person.birth_date
    if birth is None:
        raise CaseError([FieldProblem("person", "person.birth_date or person.personnummer", None, "missing")])
    if birth > case.as_of:
        raise CaseError([FieldProblem("person.birth_date", "a birth date on or before as_of", None, "after_as_of")])
    return birth


def law_of(book: Rulebook, params: Mapping[str, Any]) -> LawInForce:
    """What the consistency rules read of ``book`` with these parameter values."""
    period = f"{book.valid_from} – {book.valid_to}" if book.valid_to else f"from {book.valid_from}"
    ended = {kind: note.note_sv for kind, note in book.meta.benefits_ended.items()}
    return LawInForce(tuple(book.meta.benefits), params, book.id, period, ended)


def law_in_force(book: Rulebook, day: date) -> LawInForce:
    """What the consistency rules read of ``book`` for a case dated ``day``: its parameters on ``day``
    clamped to its period (``Rulebook.parameters_for``, the same values the decision uses)."""
    return law_of(book, {name: p.value for name, p in book.parameters_for(day).items()})


def check_against_rulebook(case: Case, birth: date, book: Rulebook) -> None:
    """Reject cases the law of ``book`` cannot contain (TBS after 2012, AE at 35, ...): ``consistency.RULES``."""
    law = law_in_force(book, case.as_of)
    facts = flat_facts(case)
    facts[BIRTH] = birth
    for name in DERIVED_READ:  # by their declarations, the same the frame computes
        facts[name] = DERIVED_BY_NAME[name].per_case(facts, law.params)
    problems: list[FieldProblem] = []
    for rule in RULES:
        if rule.breaks(facts, law):
            problems.append(FieldProblem(rule.field, rule.expected(law, facts), rule.found(facts), rule.code))
            if rule.stops:
                break
    if problems:
        raise CaseError(problems)


def flat_facts(case: Case) -> dict[str, Any]:
    """The case as the rules read it: every field by its dotted name (codes as their values), and ``as_of``."""
    facts: dict[str, Any] = {"as_of": case.as_of}
    for section, model in (("person", case.person), ("benefit", case.benefit), ("assessment", case.assessment)):
        for name, value in model.__dict__.items():  # the fields' values, without pydantic's iteration
            facts[f"{section}.{name}"] = value.value if isinstance(value, Enum) else value
    return facts
