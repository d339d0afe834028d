"""Turn a validated case into the flat fact set the conditions read.

Derived quantities (age, benefit end, thresholds) are computed here from the
rulebook's parameters, before any rule runs. A fact that cannot be known is
left out (unknown); ``unknown_because`` remembers which case fields would
make it known, so an undetermined decision can ask the right questions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..conditions import LEAF_KINDS
from ..models import BenefitType, Case, KeyDates
from ..rulebooks.rulebook import ParameterValueOn, Rulebook
from . import dates

CASE_FACTS = (
    "person.employment",
    "person.can_return_to_employer",
    "benefit.type",
    "benefit.sjukpenning_days_used",
    "benefit.allvarlig_sjukdom",
    "benefit.decision_end",
    "benefit.tbs_extension_months_used",
    "benefit.sjukpenning_ended",
    "benefit.sjukersattning_refused",
    "benefit.aktivitetsersattning_refused",
    "assessment.fardigutredd",
    "assessment.capacity_can_improve",
    "assessment.sassam_done",
    "assessment.hours_per_week",
    "assessment.stadigvarande_nedsatt_arbetsformaga",
    "assessment.months_in_handlingsplansamverkan",
    "assessment.needs_vocational_rehabilitation",
)
DERIVED_FACTS = ("as_of", "age", "age_at_benefit_end", "benefit_has_end", "benefit_end_exclusive",
                 "benefit.ends_at_age_limit")
KNOWN_FACTS = frozenset(CASE_FACTS + DERIVED_FACTS)

# Parameters the derivations below read by name (their values live in rules/).
SP_MAX_DAYS = "sjukpenning_max_dagar"
AE_MAX_AGE = "ae_hogsta_alder"
HPS_MONTHS = "hps_minsta_kvarvarande_manader"
BEREDNING_MONTHS = "beredningsgrupp_manader_fore_slut"
REQUIRED_PARAMETERS = (SP_MAX_DAYS, AE_MAX_AGE, HPS_MONTHS, BEREDNING_MONTHS)


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
    sections = {"person": case.person, "benefit": case.benefit, "assessment": case.assessment}
    facts: dict[str, Any] = {}
    for name in CASE_FACTS:
        section, attribute = name.split(".")
        value = getattr(sections[section], attribute)
        if value is not None:
            facts[name] = value.value if hasattr(value, "value") else value
    return facts


def _benefit_end(case: Case, birth: date, params: dict[str, Any]) -> tuple[bool | None, date | None, list[str]]:
    """(has_end, end_exclusive, case fields that would make an unknown end known)."""
    benefit, as_of = case.benefit, case.as_of
    kind = benefit.type
    if kind in (BenefitType.SJUKERSATTNING, BenefitType.INGEN):
        return False, None, []
    if kind is BenefitType.SJUKPENNING:
        if params[SP_MAX_DAYS] is None:  # the limit itself is abolished
            return False, None, []
        if benefit.allvarlig_sjukdom is None:
            return None, None, ["benefit.allvarlig_sjukdom"]
        if benefit.allvarlig_sjukdom:
            return False, None, []
        if benefit.sjukpenning_days_used is None:
            return True, None, ["benefit.sjukpenning_days_used"]
        left = params[SP_MAX_DAYS] - benefit.sjukpenning_days_used
        return True, dates.add_days(as_of, left), []
    if benefit.decision_end is None:
        return True, None, ["benefit.decision_end"]
    end = dates.add_days(benefit.decision_end, 1)
    if kind is BenefitType.AKTIVITETSERSATTNING:
        end = min(end, _ae_age_limit_end(birth, params))
    return True, end, []


def _ae_age_limit_end(birth: date, params: dict[str, Any]) -> date:
    """First day without aktivitetsersättning: the 1st of the month of the birthday after the top age."""
    return dates.first_of_month(dates.birthday(birth, params[AE_MAX_AGE] + 1))


def build_facts(case: Case, birth: date, book: Rulebook) -> FactSet:
    """All facts for ``case`` under ``book``; ``birth`` is already validated."""
    parameters = book.parameters_on(case.as_of)
    values = {name: p.value for name, p in parameters.items()}
    facts = _case_facts(case)
    facts["as_of"] = case.as_of
    facts["age"] = dates.age_on(birth, case.as_of)
    unknown_because: dict[str, list[str]] = {}

    has_end, end, causes = _benefit_end(case, birth, values)
    if has_end is not None:
        facts["benefit_has_end"] = has_end
    if end is not None:
        facts["benefit_end_exclusive"] = end
        facts["age_at_benefit_end"] = dates.age_on(birth, dates.last_of_month(end))
    elif has_end is False:
        facts["age_at_benefit_end"] = facts["age"]
    for name in ("benefit_has_end", "benefit_end_exclusive", "age_at_benefit_end"):
        if name not in facts:
            unknown_because[name] = causes
    if case.benefit.type is BenefitType.AKTIVITETSERSATTNING:
        if end is not None:
            facts["benefit.ends_at_age_limit"] = end == _ae_age_limit_end(birth, values)
        else:
            unknown_because["benefit.ends_at_age_limit"] = causes

    for cond_id, cond in book.conditions.items():
        kind = LEAF_KINDS.get(cond.check)
        if kind is not None:
            facts.update(kind.derived_facts(cond_id, cond, facts, values))

    return FactSet(facts, parameters, unknown_because, _key_dates(case, birth, facts, values))


def _key_dates(case: Case, birth: date, facts: dict[str, Any], params: dict[str, Any]) -> KeyDates:
    end = facts.get("benefit_end_exclusive")
    key = KeyDates(birthday_30=dates.birthday(birth, params[AE_MAX_AGE] + 1))
    if end is not None:
        key.benefit_end_exclusive = end
        key.benefit_last_day = dates.add_days(end, -1)
        key.beredningsgrupp_deadline = dates.last_day_with_months_left(end, params[BEREDNING_MONTHS])
        key.last_day_with_hps_months_left = dates.last_day_with_months_left(end, params[HPS_MONTHS])
    if case.benefit.type is BenefitType.AKTIVITETSERSATTNING:
        key.aktivitetsersattning_end = key.benefit_last_day
    if case.benefit.type is BenefitType.SJUKPENNING and end is not None:
        key.sjukpenning_days_left = max(0, (end - case.as_of).days)
    return key
