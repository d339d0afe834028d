"""Map the web form to the case contract and back, without losing what was typed.

The form is generated from the case models, so a new case fact appears on the
page with its Swedish question as label. Yes/no facts are three radio
buttons (ja / nej / vet ej); "vet ej" and empty inputs are unknown, never
false. Nothing is converted silently: a number field that is not a number is
passed on as text and the library's validation names the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eligibility.case.consistency import BENEFIT_FIELDS, YES_NO_BENEFIT_FIELDS
from eligibility.case.fields import case_fields
from eligibility.decision.texts_sv import QUESTION_SV
from eligibility.models import BenefitType, Employment

YES, NO, UNKNOWN = "ja", "nej", "vet_ej"
BENEFIT_LABELS_SV = {
    BenefitType.SJUKPENNING.value: "Sjukpenning",
    BenefitType.TIDSBEGRANSAD_SJUKERSATTNING.value: "Tidsbegränsad sjukersättning",
    BenefitType.SJUKERSATTNING.value: "Sjukersättning tills vidare",
    BenefitType.AKTIVITETSERSATTNING.value: "Aktivitetsersättning",
    BenefitType.INGEN.value: "Ingen ersättning",
}
EMPLOYMENT_LABELS_SV = {Employment.ARBETSLOS.value: "Arbetslös", Employment.ANSTALLD.value: "Anställd"}
LABELS_SV = {
    "as_of": "Bedömningsdag",
    "person.personnummer": "Personnummer (ÅÅÅÅMMDD-NNNN)",
    "person.birth_date": "Födelsedatum (om personnummer saknas)",
    "person.can_return_to_employer": "Kan personen återgå till sin anställning?",
    "person.employment": "Anställningsform",
    "benefit.type": "Ersättning",
    "rulebook": "Regelversion",
    "case_ref": "Ärendereferens (frivillig, visas bara på utskriften)",
    "compare_rulebook": "Jämför med annan regelversion",
}


@dataclass(frozen=True)
class FormField:
    """One input of the form."""

    name: str          # dotted case path, also the HTML name
    label: str
    kind: str          # yesno | number | date | text | select
    options: tuple[tuple[str, str], ...] = ()
    benefit_types: tuple[str, ...] = ()   # shown for these benefit types only (empty = always)
    step: str = "any"


# Which benefit types a benefit field is shown for: the consistency rules' own list (a field that fits
# every type but one, like the refusals, is shown always: its one wrong type is named by validation).
_BENEFIT_OWNER = {name: tuple(sorted(t.value for t in types)) for name, types in BENEFIT_FIELDS.items()
                  if len(types) <= 2}
_FORM_KIND = {"yesno": "yesno", "integer": "number", "number": "number", "date": "date", "choice": "select",
              "text": "text"}
_SECTION_SV = {"person": "Person", "benefit": "Ersättning", "assessment": "Bedömning"}
_OPTIONS = {"person.employment": tuple(EMPLOYMENT_LABELS_SV.items()), "benefit.type": tuple(BENEFIT_LABELS_SV.items())}


def form_fields() -> dict[str, list[FormField]]:
    """The form's sections and fields, derived from the case contract (``eligibility.case.fields``)."""
    sections: dict[str, list[FormField]] = {title: [] for title in _SECTION_SV.values()}
    for field in case_fields():
        label = LABELS_SV.get(field.path) or QUESTION_SV.get(field.path, field.name)
        sections[_SECTION_SV[field.section]].append(FormField(
            field.path, label, _FORM_KIND[field.kind], _OPTIONS.get(field.path, ()),
            benefit_types=_BENEFIT_OWNER.get(field.name, ()) if field.section == "benefit" else (),
            step="1" if field.kind == "integer" else "any"))
    # The personnummer is what a handläggare has at hand; the birth date is the fallback.
    sections["Person"].sort(key=lambda f: f.name != "person.personnummer")
    return sections


DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
"""Date fields are text inputs that take and show ÅÅÅÅ-MM-DD whatever the browser's locale."""
# Asked only for an employed person (a form rule, not law: the question is about the person's employer).
EMPLOYMENT_ONLY = {"person.can_return_to_employer": Employment.ANSTALLD.value}


def hidden_fields(values: dict[str, str], read_by_rulebook: set[str] | None = None,
                  read_by_any: set[str] | None = None) -> set[str]:
    """The fields that cannot apply to what was submitted: not asked, not shown, their values not sent.

    A benefit field that does not belong to the chosen benefit type (the consistency rules' own list), a
    question for employed persons when the person is not employed, and a yes/no benefit field that the
    rulebook in force never reads although another rulebook does (the förstärkt samarbete facts before
    2012): ``read_by_rulebook`` / ``read_by_any`` are the facts the rulebooks' conditions read.
    """
    hidden: set[str] = set()
    chosen = values.get("benefit.type", "")
    employment = values.get("person.employment", "")
    for fields in form_fields().values():
        for field in fields:
            if chosen and field.benefit_types and chosen not in field.benefit_types:
                hidden.add(field.name)
            if field.name in EMPLOYMENT_ONLY and employment and employment != EMPLOYMENT_ONLY[field.name]:
                hidden.add(field.name)
            name = field.name.split(".", 1)[1]
            if (read_by_rulebook is not None and read_by_any is not None and field.name.startswith("benefit.")
                    and name in YES_NO_BENEFIT_FIELDS and field.name in read_by_any
                    and field.name not in read_by_rulebook):
                hidden.add(field.name)
    return hidden


def _number(text: str) -> int | float | str:
    cleaned = text.strip().replace(",", ".")
    try:
        return int(cleaned)
    except ValueError:
        try:
            return float(cleaned)
        except ValueError:
            return text  # validation will name the field


def form_to_case(form: dict[str, str], hidden: set[str] = frozenset()) -> dict[str, Any]:
    """The case dict from submitted form values; blanks, "vet ej" and hidden fields are left out (unknown)."""
    case: dict[str, Any] = {"person": {}, "benefit": {}, "assessment": {}}
    if form.get("as_of", "").strip():
        case["as_of"] = form["as_of"].strip()
    for fields in form_fields().values():
        for field in fields:
            raw = form.get(field.name, "").strip()
            if raw in ("", UNKNOWN) or field.name in hidden:
                continue
            section, key = field.name.split(".", 1)
            if field.kind == "yesno":
                value: Any = {YES: True, NO: False}.get(raw, raw)
            elif field.kind == "number":
                value = _number(raw)
            else:
                value = raw
            case[section][key] = value
    return case
