"""The library's fixed Swedish strings: labels, questions, statuses, warnings, field errors, timeline
and watch-list texts (rule files hold the requirements; ``phrases_sv`` the building blocks the
motivering joins into sentences).
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Any


from ..models import Status, Utfall
from .phrases_sv import date_long_sv, date_sv, first_lower, first_upper, joined_sv, number_sv

STATUS_SV = {
    Status.ELIGIBLE: "Uppfyller villkoren",
    Status.NOT_ELIGIBLE: "Uppfyller inte villkoren",
    Status.UNDETERMINED: "Kan inte avgöras ännu",
}
OUTCOME_SV = {Utfall.UPPFYLLT: "uppfyllt", Utfall.EJ_UPPFYLLT: "inte uppfyllt", Utfall.EJ_UTRETT: "inte utrett"}

FACT_LABEL_SV = {
    "person.employment": "anställningsform",
    "person.can_return_to_employer": "kan återgå till anställningen",
    "benefit.type": "ersättning",
    "benefit.sjukpenning_days_used": "antal använda sjukpenningdagar",
    "benefit.allvarlig_sjukdom": "allvarlig sjukdom",
    "benefit.decision_end": "beslutets sista dag",
    "benefit.tbs_extension_months_used": "antal använda förlängningsmånader med tidsbegränsad sjukersättning",
    "benefit.sjukpenning_ended": "rätten till sjukpenning har upphört",
    "benefit.sjukersattning_refused": "ansökan om sjukersättning har fått avslag",
    "benefit.aktivitetsersattning_refused": "ansökan om aktivitetsersättning har fått avslag",
    "benefit.ends_at_age_limit": "aktivitetsersättningen upphör vid åldersgränsen",
    "benefit.tbs_after_aktivitetsersattning_at_30": "tidsbegränsad sjukersättning efter aktivitetsersättning som upphörde vid 30 år",
    "benefit.tbs_point8_limit_reached": "beslutet når de 18 månaderna efter aktivitetsersättningen",
    "benefit.sickness_period_start": "sjukperiodens första dag",
    "sickness_period_day": "dag i sjukperioden",
    "benefit_end_exclusive": "första dagen utan ersättning",
    "benefit.ends_by_ali_last_start_day": "ersättningen upphör senast dagen före arbetslivsintroduktionens sista startdag",
    "assessment.fardigutredd": "färdigutredd",
    "assessment.capacity_can_improve": "arbetsförmågan kan förbättras",
    "assessment.sassam_done": "Sassam-kartläggning gjord",
    "assessment.hours_per_week": "antal timmar per vecka som personen klarar",
    "assessment.stadigvarande_nedsatt_arbetsformaga": "stadigvarande nedsatt arbetsförmåga",
    "assessment.months_in_handlingsplansamverkan": "antal månader i handlingsplansamverkan",
    "assessment.needs_vocational_rehabilitation": "behov av arbetslivsinriktad rehabilitering",
    "age": "ålder",
    "age_at_benefit_end": "ålder när ersättningen tar slut",
}

QUESTION_SV = {
    "person.employment": "Är personen arbetslös eller anställd?",
    "person.can_return_to_employer": "Kan personen återgå till sin anställning?",
    "benefit.sjukpenning_days_used": "Hur många dagar med sjukpenning har personen använt?",
    "benefit.allvarlig_sjukdom": "Har personen en allvarlig sjukdom (då gäller ingen bortre tidsgräns)?",
    "benefit.decision_end": "Vilken är sista dagen i det nuvarande beslutet om ersättning?",
    "benefit.tbs_extension_months_used": "Hur många förlängningsmånader med tidsbegränsad sjukersättning har personen fått?",
    "benefit.sjukpenning_ended": "Har personen haft sjukpenning och inte längre rätt till den (avslag, indragning eller dagarna slut)?",
    "benefit.sjukersattning_refused": "Har personen fått avslag på en ansökan om sjukersättning?",
    "benefit.aktivitetsersattning_refused": "Har personen fått avslag på en ansökan om aktivitetsersättning?",
    "benefit.tbs_after_aktivitetsersattning_at_30": "Beviljades den tidsbegränsade sjukersättningen när personens aktivitetsersättning upphörde vid 30 år?",
    "benefit.sickness_period_start": "Vilken dag började sjukperioden (dag 1 i rehabiliteringskedjan)?",
    "assessment.fardigutredd": "Visar det medicinska underlaget att personen är färdigutredd?",
    "assessment.capacity_can_improve": "Bedömer läkaren att arbetsförmågan kan förbättras genom arbetslivsinriktad rehabilitering?",
    "assessment.sassam_done": "Är en Sassam-kartläggning gjord?",
    "assessment.hours_per_week": "Hur många timmar per vecka klarar personen initialt en arbetslivsinriktad aktivitet?",
    "assessment.stadigvarande_nedsatt_arbetsformaga": "Tyder det medicinska underlaget på att arbetsförmågan är stadigvarande nedsatt?",
    "assessment.months_in_handlingsplansamverkan": "Hur många månader har personen redan varit i handlingsplansamverkan?",
    "assessment.needs_vocational_rehabilitation": "Bedöms personen behöva arbetslivsinriktade rehabiliterande insatser?",
}

CODE_SV = {"arbetslos": "arbetslös", "anstalld": "anställd"}


def value_sv(value: Any, benefit_names: dict[str, str] | None = None) -> str:
    """A fact value as plain Swedish."""
    if value is None:
        return "uppgift saknas"
    if value is True:
        return "ja"
    if value is False:
        return "nej"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        if benefit_names and value in benefit_names:
            return benefit_names[value]
        return CODE_SV.get(value, value)
    return str(value)


def display_value_sv(value: Any, benefit_names: dict[str, str] | None = None) -> str:
    """A fact value as a table cell or a "label: value" line shows it: ``ja``, ``12``, ``den 6 juli 2011``,
    ``arbetslös``; an unknown value is ``inte utrett`` (the JSON keeps the raw value)."""
    if value is None:
        return "inte utrett"
    if isinstance(value, date):
        return date_sv(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}".replace(".", ",")
    return value_sv(value, benefit_names)


def fact_line_sv(fact: str, value: Any, benefit_names: dict[str, str] | None = None) -> str:
    """``Antal timmar per vecka som personen klarar: 12``, ``Beslutets sista dag: den 6 juli 2011``: a fact
    with its Swedish label (``table_fact_label_sv``: never a dotted name) and value (``display_value_sv``),
    for tables, lists and reports."""
    return f"{first_upper(table_fact_label_sv(fact))}: {display_value_sv(value, benefit_names)}"


def law_reviewed_sv(reviewed_until: date) -> str:
    """The warning sentence of a decision whose ``as_of`` is after the day its rulebook's law was reviewed to."""
    return f"Regelverket är granskat till och med {date_long_sv(reviewed_until)}; senare ändringar är inte inlagda."


LAW_WARNING_ADVICE_SV = ("Bedömningen bygger på regelverket så som det är inlagt. Kontrollera om senare "
                         "lagändringar påverkar ärendet innan beslut fattas.")
"""Shown with the warning on the page and by ``eligibility check`` (not part of the decision's data)."""


@functools.lru_cache(maxsize=64)
def law_warning_sv(reviewed_until: date, not_reviewed: str | None) -> str:
    """The whole warning: the sentence, then the known later changes the rulebook lists (``not_reviewed_sv``)."""
    sentence = law_reviewed_sv(reviewed_until)
    return f"{sentence} {not_reviewed.strip()}" if not_reviewed and not_reviewed.strip() else sentence


def parameter_day_sv(as_of: date, parameter_day: date) -> str | None:
    """Under a rulebook whose period does not hold ``as_of``: the case is judged by the rules of the
    period's nearest day (``Rulebook.parameter_day``); ``None`` when that day is ``as_of`` itself."""
    if parameter_day == as_of:
        return None
    if parameter_day > as_of:
        return ("Bedömningsdagen ligger före regelversionens giltighetstid; ärendet är bedömt enligt reglerna "
                f"från den {date_long_sv(parameter_day)}.")
    return ("Bedömningsdagen ligger efter regelversionens giltighetstid; ärendet är bedömt enligt reglerna "
            f"som gällde den {date_long_sv(parameter_day)}, regelversionens sista dag.")


# --- Vad som skulle ändra bedömningen (decision/remedies.py) -----------------
DECISIVE_AGAINST_HEADING_SV = "Det som talar emot"
WOULD_CHANGE_HEADING_SV = "Detta skulle ändra bedömningen"
REMEDIES_TITLE_SV = "Vad som skulle ändra bedömningen"
# Facts a decisive condition reads beside the case fields (FACT_LABEL_SV has the rest).
_DECISIVE_LABEL_SV = {"as_of": "bedömningsdag", "benefit_has_end": "ersättningen har en slutdag"}
# What a person or handläggare would do, per actionable field: for a yes/no field by the value it gets,
# for a number by whether it goes up or down ({value}: the value it gets, from the rulebook's threshold).
CHANGE_SV: dict[str, dict[Any, str]] = {
    "assessment.sassam_done": {True: "en kartläggning enligt Sassam görs"},
    "assessment.fardigutredd": {True: "det medicinska underlaget visar att personen är färdigutredd"},
    "assessment.hours_per_week": {"up": "personen klarar minst {value} timmar i veckan",
                                  "down": "personen klarar högst {value} timmar i veckan"},
}


def fact_label_sv(fact: str) -> str:
    """The Swedish name of a fact a condition reads (its dotted name when it has none)."""
    return FACT_LABEL_SV.get(fact) or _DECISIVE_LABEL_SV.get(fact, fact)


def decisive_fact_sv(fact: str, value: Any, benefit_names: dict[str, str] | None = None) -> str:
    """'Sassam-kartläggning gjord: nej'."""
    return fact_line_sv(fact, value, benefit_names)


def change_phrase_sv(fact: str, from_value: Any, to_value: Any, upper: bool | None) -> str:
    """What changes, as a clause after 'Om': 'personen klarar minst 10 timmar i veckan'.

    ``upper``: the new value lies on the upper side of the threshold (None for yes/no and codes).
    """
    phrases = CHANGE_SV.get(fact, {})
    if isinstance(to_value, bool) or upper is None:
        phrase = phrases.get(to_value)
    else:
        going_up = to_value > from_value if from_value is not None else upper
        phrase = phrases.get("up" if going_up else "down")
    if phrase is None:
        return f"{fact_label_sv(fact)} blir {value_sv(to_value)}"
    return phrase.replace("{value}", number_sv(to_value))


def change_sv(phrase: str) -> str:
    """One change as a sentence: 'Personen klarar minst 10 timmar i veckan.'"""
    return first_upper(phrase) + "."


def would_change_sv(programme_name: str, phrases: list[str]) -> str:
    """'Om personen klarar minst 10 timmar i veckan uppfyller personen villkoren för handlingsplansamverkan.'"""
    return f"Om {joined_sv(phrases)} uppfyller personen villkoren för {first_lower(programme_name)}."


def no_change_sv(programme_name: str, open_: bool) -> str:
    """No change of actionable facts makes the programme eligible (``open_``: while some of its conditions are
    not yet utredda)."""
    name = first_lower(programme_name)
    if open_:
        return (f"Ingen ändring av uppgifter som går att påverka räcker för att personen ska uppfylla villkoren "
                f"för {name} innan det som saknas är utrett.")
    return f"Ingen ändring av uppgifter som går att påverka gör att personen uppfyller villkoren för {name}."


# --- Bevakningslista (caseload/watchlist.py) ---------------------------------
WATCH_ACTION_SV = {
    "beredningsgrupp_deadline": "Ta upp ärendet i den gemensamma beredningsgruppen senast denna dag.",
    "last_day_with_hps_months_left": "Sista dag med minst sex månader kvar: handlingsplansamverkan måste påbörjas.",
    "benefit_last_day": "Ersättningen tar slut: pröva arbetslivsintroduktion eller varaktig sjukersättning.",
    "ali_start": "Arbetslivsintroduktion kan börja dagen efter att ersättningen tagit slut.",
    "birthday_30": "Personen fyller 30 år: aktivitetsersättningen har upphört; pröva sjukersättning.",
}


# --- Tidslinje och regeländringar (history/, cli/history.py) -------
TIMELINE_STATUS_SV = {
    "eligible": STATUS_SV[Status.ELIGIBLE],
    "not_eligible": STATUS_SV[Status.NOT_ELIGIBLE],
    "undetermined": STATUS_SV[Status.UNDETERMINED],
    "not_in_force": "Inte i kraft",
}


def timeline_stop_sv(reason: str, day: date, problem: str | None) -> str:
    """Why a timeline ends before its horizon."""
    if reason == "benefit_ended":
        return (f"Ersättningen tar slut: {day.isoformat()} är första dagen utan den. Därefter beskriver "
                "ärendet inte längre personens situation och en ny bedömning behövs.")
    if reason == "sjukpenning_days_used_up":
        return (f"Sjukpenningdagarna är förbrukade: från {day.isoformat()} har personen fler dagar än "
                "regelverket tillåter. Sjukpenning kan därefter bara fortsätta om personen har en allvarlig "
                "sjukdom; uppgiften saknas, så tidslinjen slutar dagen före.")
    return f"Från {day.isoformat()} är ärendet inte längre giltigt ({problem}); tidslinjen slutar dagen före."


# --- Field errors in Swedish (web page, Accept-Language: sv) -----------------
_PROBLEM_SV = {
    # Each text says what to write (issue 19.4); the field's label is shown beside it, not in it.
    "missing": "Fyll i uppgiften.",
    "missing_identity": "Fyll i personnummer eller födelsedatum.",
    "extra_forbidden": "Okänt fält: det finns inte i ärendeformatet. Ta bort det.",
    "model_type": "Skriv uppgifterna som ett objekt med fält (se ärendeformatet).",
    "dict_type": "Skriv uppgifterna som ett objekt med fält (se ärendeformatet).",
    "string_type": "Skriv en text.",
    "int_type": "Skriv ett heltal, till exempel 12.",
    "int_parsing": "Skriv ett heltal, till exempel 12.",
    "int_from_float": "Skriv ett heltal utan decimaler, till exempel 12.",
    "float_type": "Skriv ett tal, till exempel 12 eller 12.5.",
    "float_parsing": "Skriv ett tal, till exempel 12 eller 12.5.",
    "finite_number": "Skriv ett tal, till exempel 12 eller 12.5.",
    "bool_type": "Svara ja eller nej.",
    "bool_parsing": "Svara ja eller nej.",
    "greater_than_equal": "Skriv ett värde som är minst {number}.",
    "less_than_equal": "Skriv ett värde som är högst {number}.",
    "enum": "Välj ett av alternativen.",
    "value_error": "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2011-07-06.",
    "date_type": "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2011-07-06.",
    "date_parsing": "Datumet finns inte. Skriv ett giltigt datum som ÅÅÅÅ-MM-DD.",
    "date_from_datetime_parsing": "Datumet finns inte. Skriv ett giltigt datum som ÅÅÅÅ-MM-DD.",
    "date_out_of_range": "Skriv ett datum närmare regelversionens period.",
    "personnummer_format": "Skriv personnumret som ÅÅÅÅMMDD-NNNN.",
    "personnummer": "Personnumret är inte giltigt: kontrollsiffran stämmer inte.",
    "personnummer_date": "Personnumret är inte giltigt: de första siffrorna är inte ett födelsedatum.",
    "mismatch": "Födelsedatumet stämmer inte med personnumret. Rätta det ena eller lämna födelsedatumet tomt.",
    "after_as_of": "Skriv ett födelsedatum som ligger före bedömningsdagen.",
    "no_rulebook_in_force": "Det finns ingen regelversion för bedömningsdagen. Välj en bedömningsdag inom "
                            "regelversionernas period ({period}).",
    "no_parameter_value": "Regelversionen har inga värden för bedömningsdagen. Välj en annan bedömningsdag.",
    "benefit_not_in_force": "Ersättningen finns inte enligt regelversionen för bedömningsdagen. Välj en annan "
                            "ersättning eller bedömningsdag.",
    "field_not_for_benefit": "Uppgiften gäller inte den valda ersättningen. Lämna den tom.",
    "decision_ended": "Beslutets sista dag ligger före bedömningsdagen. Skriv en dag samma dag eller senare.",
    "tbs_after_last_day": "Tidsbegränsad sjukersättning kunde inte betalas ut efter {date}. Skriv en dag "
                          "senast {date}.",
    "too_many_days": "Skriv högst {number} dagar, om personen inte har en allvarlig sjukdom.",
    "too_many_months": "Skriv högst {number} månader.",
    "age_outside_benefit": "Aktivitetsersättning gäller bara personer som är {range} år på bedömningsdagen.",
    "start_after_as_of": "Skriv en dag samma dag som bedömningsdagen eller tidigare.",
    "point8_not_in_force": "Svara nej: regeln gällde först från {date}.",
    "aktivitetsersattning_not_ended": "Svara nej: aktivitetsersättningen har inte upphört vid åldersgränsen ännu.",
    "point8_months_passed": "Svara nej: de {number} månaderna efter aktivitetsersättningen har redan gått.",
    "after_point8_months": "Skriv en dag högst {number} månader efter att aktivitetsersättningen upphörde.",
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PERIOD = re.compile(r"\d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2}|on or after \d{4}-\d{2}-\d{2}")
_RANGE = re.compile(r"\d+-\d+")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_PERSONAL_SV = {"person.personnummer": {"string_type": "personnummer_format"},
                "person.birth_date": {"missing": "missing_identity"}}
"""Codes that say more on a given field: a personnummer sent as a number is written wrong, not 'no text'."""


def problem_sv(code: str, expected: str, field: str | None = None) -> str:
    """A field error in Swedish that says what to write; numbers and dates are taken from the (English)
    expectation. ``field`` (optional) makes a general code specific (``string_type`` on the personnummer)."""
    if field is not None:
        code = _PERSONAL_SV.get(field, {}).get(code, code)
    template = _PROBLEM_SV.get(code)
    if template is None:
        return f"Ogiltigt värde ({expected})."
    found = {"date": _DATE.search(expected), "range": _RANGE.search(expected), "number": _NUMBER.search(expected)}
    values = {k: (m.group(0) if m else "?") for k, m in found.items()}
    period = _PERIOD.search(expected)
    values["period"] = period.group(0).replace("on or after ", "från och med ") if period else "regelversionernas datum"
    return template.format(**values)


# --- Avgörande frågor (decision/exact.py) -----------------------------------------
QUESTIONS_TITLE_SV = "Frågor som kan ändra bedömningen"
QUESTIONS_COLUMNS_SV = ("Fråga", "Vad svaret betyder")
def _number_sv(value: Any) -> str:
    return date_long_sv(value) if isinstance(value, date) else value_sv(value)


def answer_sv(fact: str, value: Any, low: Any, high: Any, first: Any, last: Any) -> str:
    """One answer to a question: ``ja``, a code, or for a number or date the stretch that matters."""
    if low is None:
        return value_sv(value)
    label = FACT_LABEL_SV.get(fact, fact)
    if low == first and high == last:
        return f"{label}: vilket värde som helst"
    if low == first:
        return f"{label} högst {_number_sv(high)}"
    if high == last:
        return f"{label} minst {_number_sv(low)}"
    return f"{label} från {_number_sv(low)} till och med {_number_sv(high)}"


def answer_effect_sv(answer: str, effects: list[tuple[str, Status | None]], last_day: date | None = None) -> str:
    """``Om ja: handlingsplansamverkan uppfyller villkoren, arbetslivsintroduktion kan fortfarande inte avgöras.``

    ``last_day``: the benefit's last day under this answer, when the answer decides it."""
    parts = [f"{name} {STATUS_SV[status].lower() if status is not None else 'kan fortfarande inte avgöras'}"
             for name, status in effects]
    text = f"Om {answer}: {', '.join(parts)}."
    return f"{text} Ersättningen räcker då till och med {date_long_sv(last_day)}." if last_day else text


# --- Tabeller i terminalen och analysrapporter (cli/, caseload/) -------------
# Facts a table can show that have no label above: a condition's own limit (``threshold.<condition>``,
# conditions/remaining_time.py) and the dates the watch list and batch summary name.
THRESHOLD_LABEL_SV = "senaste slutdag som är för tidig för villkoret"
NOT_IN_FORCE_SV = "Inte i kraft"
KEY_DATE_LABEL_SV = {
    "benefit_last_day": "ersättningens sista dag",
    "benefit_end_exclusive": "första dagen utan ersättning",
    "beredningsgrupp_deadline": "sista dag att ta upp ärendet i beredningsgruppen",
    "last_day_with_hps_months_left": "sista dag med tillräckligt lång tid kvar för handlingsplansamverkan",
    "birthday_30": "dagen personen fyller 30 år",
    "aktivitetsersattning_end": "aktivitetsersättningens sista dag",
    "sjukpenning_days_left": "antal sjukpenningdagar kvar",
    "tbs_point8_last_day": "sista dag enligt punkt 8 i övergångsbestämmelserna",
    "sickness_day_any_work_at_employer": "dag i sjukperioden då arbetsförmågan prövas mot allt arbete hos arbetsgivaren",
}


def table_fact_label_sv(fact: str) -> str:
    """A fact's Swedish name for a table or report: ``fact_label_sv``, a condition's own limit, a key date,
    or (a fact no one has named yet) its last part in words; never a dotted name."""
    if fact.startswith("threshold."):
        return THRESHOLD_LABEL_SV
    label = fact_label_sv(fact)
    if label == fact:
        label = KEY_DATE_LABEL_SV.get(fact) or fact.rsplit(".", 1)[-1].replace("_", " ")
    return label


def programme_fallback_sv(programme: str) -> str:
    """A programme no loaded rulebook names (``name_sv``): its id in words."""
    return first_upper(programme.replace("_", " "))


# Konsekvensanalysen (caseload/impact_report.py): statuses as a report on people names them.
IMPACT_STATUS_SV = {"eligible": "Uppfyller villkoren", "not_eligible": "Uppfyller inte villkoren",
                    "undetermined": "Kan inte avgöras", "not_in_force": "Programmet finns inte"}
LAW_CHANGE_KIND_SV = {"added": "nytt", "removed": "borttaget", "changed": "ändrat"}


def people_sv(count: int) -> str:
    """``1 person``, ``312 personer``."""
    return f"{count} {'person' if count == 1 else 'personer'}"


def impact_headline_sv(changed: int, parts: list[str]) -> str:
    """``312 personer får en annan bedömning: 120 blir berättigade till handlingsplansamverkan, ….``"""
    if not changed:
        return "Ingen person får en annan bedömning."
    head = f"{people_sv(changed)} får en annan bedömning"
    return f"{head}: {joined_sv(parts)}." if parts else f"{head}."


def impact_part_sv(count: int, direction: str, programme_in_text: str) -> str:
    """One programme's share of the headline: ``120 blir berättigade till handlingsplansamverkan``."""
    verb = {"gain": "blir berättigade till", "loss": "är inte längre berättigade till",
            "other": "får en annan bedömning av"}[direction]
    if count == 1:
        verb = verb.replace("berättigade", "berättigad")
    return f"{count} {verb} {programme_in_text}"
