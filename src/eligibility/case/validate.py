"""Case validation: the contract (pydantic) and consistency with the rulebook.

Errors name the field path and what was expected. Values of ``person.*``
fields (personnummer, birth date) are never echoed: error texts end up in
logs and responses.
"""

from __future__ import annotations

from datetime import date
import re
from typing import Any

from personnummer import personnummer as pnr
from pydantic import ValidationError

from ..errors import CaseError, FieldProblem
from ..facts.dates import age_on
from ..models import BenefitType, Case
from ..rulebooks.rulebook import Rulebook

_PERSONAL = ("person",)
_BENEFIT_FIELDS = {
    "sjukpenning_days_used": {BenefitType.SJUKPENNING},
    "allvarlig_sjukdom": {BenefitType.SJUKPENNING},
    "decision_end": {BenefitType.TIDSBEGRANSAD_SJUKERSATTNING, BenefitType.AKTIVITETSERSATTNING},
    "tbs_extension_months_used": {BenefitType.TIDSBEGRANSAD_SJUKERSATTNING},
    # Only someone without benefit can have lost sjukpenning; nobody is refused the benefit they have.
    "sjukpenning_ended": {BenefitType.INGEN},
    "sjukersattning_refused": set(BenefitType) - {BenefitType.SJUKERSATTNING},
    "aktivitetsersattning_refused": set(BenefitType) - {BenefitType.AKTIVITETSERSATTNING},
}


_FIELD_NAME = re.compile(r"[a-z_]{1,64}")


def _shown(value: Any, loc: tuple[Any, ...]) -> str | None:
    """What an error may say was found: never text or a long number (either may be personal data

    sent in the wrong field: a personnummer, a birth date, a name), only its kind."""
    if loc and loc[0] in _PERSONAL:
        return None
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float)):
        return _number_shown(value)
    if isinstance(value, str):
        return f"a text of {len(value)} characters"
    return "an object" if isinstance(value, dict) else "a list" if isinstance(value, list) else type(value).__name__


def _number_shown(value: Any) -> str:
    text = repr(value)
    return text if sum(c.isdigit() for c in text) <= 6 else "a number with more than 6 digits"


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


def check_against_rulebook(case: Case, birth: date, book: Rulebook) -> None:
    """Reject cases the law of ``book`` cannot contain (TBS after 2012, AE at 35, ...)."""
    problems: list[FieldProblem] = []
    benefit = case.benefit
    kind = benefit.type
    if kind.value not in book.meta.benefits:
        known = ", ".join(book.meta.benefits)
        period = f"{book.valid_from} – {book.valid_to}" if book.valid_to else f"from {book.valid_from}"
        problems.append(FieldProblem("benefit.type", f"a benefit that exists under rulebook {book.id}, "
                                     f"in force {period} ({known})",
                                     repr(kind.value), "benefit_not_in_force"))
        raise CaseError(problems)
    for field, types in _BENEFIT_FIELDS.items():
        if getattr(benefit, field) is not None and kind not in types:
            allowed = " or ".join(sorted(t.value for t in types))
            problems.append(FieldProblem(f"benefit.{field}", f"only given for {allowed}", f"given for {kind.value!r}",
                                         "field_not_for_benefit"))

    def param(name: str) -> Any:
        return book.parameter(name, case.as_of).value

    if benefit.decision_end is not None and benefit.decision_end < case.as_of:
        problems.append(FieldProblem("benefit.decision_end", "a date on or after as_of (the benefit must still be running)",
                                     None, "decision_ended"))
    if kind is BenefitType.TIDSBEGRANSAD_SJUKERSATTNING:
        last = param("tbs_senaste_slutdag")
        if last is None or case.as_of > last:
            problems.append(FieldProblem("as_of", f"a date on or before {last} for tidsbegränsad sjukersättning "
                                         "(it could not be paid after that day)", None, "tbs_after_last_day"))
        if benefit.decision_end is not None and last is not None and benefit.decision_end > last:
            problems.append(FieldProblem("benefit.decision_end", f"a date on or before {last}",
                                         None, "tbs_after_last_day"))
        most = param("tbs_max_forlangning_manader")
        if benefit.tbs_extension_months_used is not None and benefit.tbs_extension_months_used > most:
            problems.append(FieldProblem("benefit.tbs_extension_months_used", f"at most {most}",
                                         _number_shown(benefit.tbs_extension_months_used), "too_many_months"))
    if kind is BenefitType.AKTIVITETSERSATTNING:
        low, high = param("ae_lagsta_alder"), param("ae_hogsta_alder")
        if not low <= age_on(birth, case.as_of) <= high:
            problems.append(FieldProblem("benefit.type", f"aktivitetsersättning only for ages {low}-{high} on as_of",
                                         "a person outside that age", "age_outside_benefit"))
    if kind is BenefitType.SJUKPENNING and benefit.sjukpenning_days_used is not None:
        most = param("sjukpenning_max_dagar")
        if most is not None and benefit.allvarlig_sjukdom is not True and benefit.sjukpenning_days_used > most:
            problems.append(FieldProblem("benefit.sjukpenning_days_used",
                                         f"at most {most} days unless allvarlig_sjukdom is true",
                                         _number_shown(benefit.sjukpenning_days_used), "too_many_days"))
    if problems:
        raise CaseError(problems)
