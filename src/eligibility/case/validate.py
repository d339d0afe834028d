"""Case validation: the contract (pydantic) and consistency with the rulebook, in one pass.

``validate_case`` reports every problem of a case at once (issue 19.4): each
type error of the contract, the identity checks (personnummer, birth date) and
every consistency rule whose inputs are themselves valid (a rule reading a field
that failed its type check is skipped, not run on a wrong value). Problems come
in the contract's field order. A valid case pays nothing extra: the partial
typing of the fields runs only when pydantic has refused the case.

Errors name the field path and what was expected. Values of ``person.*``
fields (personnummer, birth date) are never echoed: error texts end up in
logs and responses.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import date
from enum import Enum
from typing import Annotated, Any

from personnummer import personnummer as pnr
from pydantic import BaseModel, TypeAdapter, ValidationError

from ..errors import CaseError, FieldProblem, number_shown
from ..facts.derived import DERIVED_BY_NAME
from ..models import Case
from ..rulebooks.rulebook import Rulebook
from .consistency import DERIVED_READ, RULES, ConsistencyRule, LawInForce
from .fields import BIRTH, contract_fields

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
    """Validate raw data (parsed JSON or YAML) against the case contract (its types only)."""
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise CaseError(type_problems(exc)) from None


def type_problems(exc: ValidationError) -> list[FieldProblem]:
    """pydantic's errors as field problems, never echoing a personal value."""
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
    return problems


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


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(digits[:9]):
        d = int(c) * (2 - i % 2)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10 == int(digits[9])


PERSONNUMMER_EXPECTED = {
    "personnummer_format": "a personnummer or samordningsnummer written YYYYMMDD-NNNN (or YYMMDD-NNNN), "
                           "in ASCII digits",
    "personnummer": "a valid Swedish personnummer or samordningsnummer: the check digit is wrong",
    "personnummer_date": "a valid Swedish personnummer or samordningsnummer: its first digits are not a "
                         "birth date",
}
"""What each way of being no personnummer expects (the code says which: the form, the check digit, the date)."""


def personnummer_problem(number: str) -> str:
    """Why ``number`` (refused by ``personnummer_birth_date``) is no personnummer: a key of ``PERSONNUMMER_EXPECTED``.

    Shared by the per-case and the columnar validation. Never says anything of the number itself."""
    if not isinstance(number, str) or not _PERSONNUMMER_FORM.fullmatch(number):
        return "personnummer_format"
    digits = number.replace("-", "").replace("+", "")[-10:]
    return "personnummer" if not _luhn_ok(digits) else "personnummer_date"


def _identity(facts: Mapping[str, Any], invalid: frozenset[str]) -> tuple[date | None, list[FieldProblem]]:
    """The birth date (None when it cannot be known) and the identity problems, from the typed fields."""
    number, given = facts.get("person.personnummer"), facts.get("person.birth_date")
    problems: list[FieldProblem] = []
    from_pnr = None
    if number is not None:
        from_pnr = personnummer_birth_date(number)
        if from_pnr is None:  # never echoed: found stays None
            code = personnummer_problem(number)
            problems.append(FieldProblem("person.personnummer", PERSONNUMMER_EXPECTED[code], None, code))
    if from_pnr and given and from_pnr != given:
        problems.append(FieldProblem("person.birth_date", "the same date as in person.personnummer", None, "mismatch"))
    if number is None and given is None and not invalid & {"person", "person.birth_date", "person.personnummer"}:
        problems.append(FieldProblem("person.birth_date", "person.birth_date or person.personnummer", None,
                                     "missing_identity"))
    birth = from_pnr or given
    if problems or "person.birth_date" in invalid or "person.personnummer" in invalid:
        return None, problems
    if birth is not None and "as_of" not in invalid and birth > facts["as_of"]:
        return None, [FieldProblem("person.birth_date", "a birth date on or before as_of", None, "after_as_of")]
    return birth, problems


def birth_date_of(case: Case) -> date:
    """The birth date, from ``birth_date`` or a checksum-valid ``personnummer``."""
    birth, problems = _identity(flat_facts(case), frozenset())
    if problems:
        raise CaseError(problems)
    assert birth is not None  # no problem: a birth date was given or follows from the personnummer
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
    facts = flat_facts(case)
    facts[BIRTH] = birth
    problems = rule_problems(facts, book, frozenset())
    if problems:
        raise CaseError(problems)


_BIRTH_READ = frozenset(DERIVED_READ)
"""The derived facts the rules read: each follows from the birth date (unknown when it is invalid)."""


def rule_problems(facts: dict[str, Any], book: Rulebook, invalid: frozenset[str]) -> list[FieldProblem]:
    """The problems of ``consistency.RULES`` under ``book``, skipping each rule that reads an ``invalid`` fact.

    ``facts`` are flat facts with ``BIRTH`` (None when the birth date is unknown: the rules reading the
    age and the dates derived from it are then skipped)."""
    law = law_in_force(book, facts["as_of"])
    if facts.get(BIRTH) is None:
        invalid = invalid | _BIRTH_READ
    else:
        for name in DERIVED_READ:  # by their declarations, the same the frame computes
            facts[name] = DERIVED_BY_NAME[name].per_case(facts, law.params)
    problems: list[FieldProblem] = []
    for rule in RULES:
        if invalid and _skipped(rule, invalid):
            continue
        if rule.breaks(facts, law):
            problems.append(FieldProblem(rule.field, rule.expected(law, facts), rule.found(facts), rule.code))
            if rule.stops:
                break
    return problems


def _skipped(rule: ConsistencyRule, invalid: frozenset[str]) -> bool:
    """A rule reading an invalid fact is not run; nor is any but the first when the benefit type is invalid
    (they hold only for a benefit the rulebook has, as their frame forms do)."""
    return any(name in invalid for name in rule.reads) or (not rule.stops and "benefit.type" in invalid)


NotComputable = Callable[[Case, date, Rulebook, Exception], CaseError]


def validate_case(data: Any, rulebook_for: Callable[[date], Rulebook],
                  not_computable: NotComputable | None = None) -> tuple[Case, date, Rulebook]:
    """The case, its birth date and its rulebook; or one ``CaseError`` with every problem (issue 19.4).

    ``rulebook_for(as_of)`` picks the rulebook (it raises ``CaseError`` for a day outside every rulebook,
    ``RulebookNotFoundError`` for an unknown name, which is not a problem of the case and goes through).
    Date arithmetic the rules cannot do (hostile dates: ``OverflowError``, ``ValueError``, ``KeyError``)
    becomes ``not_computable(case, birth, book, exc)`` for a typed case (without it, the case is returned
    and deciding it names the date); for a case with other problems the rules are left out.
    """
    if isinstance(data, Case):
        case, typing_problems, invalid = data, [], frozenset()
        facts = flat_facts(case)
    else:
        try:
            case = Case.model_validate(data)
        except ValidationError as exc:
            case, typing_problems = None, type_problems(exc)
            facts, invalid = _partial_facts(data, exc)
        else:
            typing_problems, invalid = [], frozenset()
            facts = flat_facts(case)
    birth, problems = _identity(facts, invalid)
    problems = typing_problems + problems
    book = None
    if "as_of" not in invalid:
        try:
            book = rulebook_for(facts["as_of"])
        except CaseError as exc:
            problems += exc.problems
    if book is not None:
        facts[BIRTH] = birth
        try:
            problems += rule_problems(facts, book, invalid)
        except (OverflowError, ValueError, KeyError) as exc:
            if problems or case is None or birth is None:
                raise CaseError(in_contract_order(problems)) from None
            if not_computable is not None:
                raise not_computable(case, birth, book, exc) from None
            # No handler: the case is typed and the rules cannot say more; deciding it names the date.
    if problems:
        raise CaseError(in_contract_order(problems))
    assert case is not None and birth is not None and book is not None
    return case, birth, book


@functools.cache
def _order() -> dict[str, float]:
    """Each contract path's place; a section's own problems come before its fields, unknown keys after."""
    places: dict[str, float] = {"(case)": -1.0}
    for index, path in enumerate(contract_fields()):
        section = path.split(".", 1)[0]
        places.setdefault(section, index - 0.5)
        places[path] = float(index)
        places[f"{section}.*"] = index + 0.5
    return places


def contract_place(field: str) -> float:
    """Where a problem of ``field`` is listed: its place in the contract (the frame's error texts use it too)."""
    places = _order()
    got = places.get(field)
    if got is None:
        got = places.get(f"{field.split('.', 1)[0]}.*", float(len(places)))
    return got


def in_contract_order(problems: list[FieldProblem]) -> list[FieldProblem]:
    """``problems`` in the contract's field order (stable: a field's type problem before its rule problems)."""
    return sorted(problems, key=lambda problem: contract_place(problem.field))


@functools.cache
def _adapters() -> dict[str, TypeAdapter[Any]]:
    """Dotted path -> an adapter typing that one field as the contract does (used only for invalid cases)."""
    adapters: dict[str, TypeAdapter[Any]] = {}
    for section, info in Case.model_fields.items():
        model = info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            for name, sub in model.model_fields.items():
                adapters[f"{section}.{name}"] = TypeAdapter(Annotated[(sub.annotation, *sub.metadata)]
                                                            if sub.metadata else sub.annotation)
        else:
            adapters[section] = TypeAdapter(Annotated[(info.annotation, *info.metadata)]
                                            if info.metadata else info.annotation)
    return adapters


def _partial_facts(data: Any, exc: ValidationError) -> tuple[dict[str, Any], frozenset[str]]:
    """Flat facts of a case pydantic refused: each field that is valid by itself typed, the others None.

    Returns the facts and the invalid paths (a field that failed, or whose section is missing or no mapping)."""
    invalid: set[str] = set()
    for err in exc.errors():
        loc = tuple(str(part) for part in err["loc"])
        if err["type"] == "extra_forbidden":
            continue  # an unknown key makes no contract field invalid
        if loc:
            invalid.add(".".join(loc[:2]))
    raw = data if isinstance(data, Mapping) else {}
    facts: dict[str, Any] = {}
    for path, adapter in _adapters().items():
        section, _, name = path.partition(".")
        if path in invalid or section in invalid:
            invalid.add(path)
            facts[path] = None
            continue
        node = raw.get(section) if name else raw
        value = node.get(name or section) if isinstance(node, Mapping) else None
        if value is None:
            facts[path] = None
            continue
        try:
            typed = adapter.validate_python(value)
        except ValidationError:  # not reported by pydantic as such (a model-level error): treat as invalid
            invalid.add(path)
            facts[path] = None
            continue
        facts[path] = typed.value if isinstance(typed, Enum) else typed
    if not isinstance(data, Mapping):
        invalid.update(_adapters())
    return facts, frozenset(invalid)


def flat_facts(case: Case) -> dict[str, Any]:
    """The case as the rules read it: every field by its dotted name (codes as their values), and ``as_of``."""
    facts: dict[str, Any] = {"as_of": case.as_of}
    for section, model in (("person", case.person), ("benefit", case.benefit), ("assessment", case.assessment)):
        for name, value in model.__dict__.items():  # the fields' values, without pydantic's iteration
            facts[f"{section}.{name}"] = value.value if isinstance(value, Enum) else value
    return facts
