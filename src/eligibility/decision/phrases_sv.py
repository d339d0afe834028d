"""The words of the motivering: facts as conclusions, open facts as clauses, numbers, dates, citations.

Kept apart from ``texts_sv`` (the fixed sentences) because these are the
building blocks ``motivering`` joins into connected text, in two voices: the
handläggare's ("personen") and the person's ("du", ``to_du``). Everything
here is about the case contract and Swedish, never about the law: the
requirements come from the rule files (``text_sv``), the provisions from
their ``lagrum`` and the statutes table.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Any

from babel.dates import format_date

from ..models import Lagrum, SourceRef

NUMBER_WORDS_SV = ("noll", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv")
"""Numbers one to twelve are written in words in running text (Språkrådets rekommendation)."""


def number_sv(value: Any, neuter: bool = False) -> str:
    """``6`` -> ``sex``; ``1`` -> ``en`` (``ett`` when ``neuter``); 13 and up, and decimals, as digits."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 12:
        return "ett" if value == 1 and neuter else NUMBER_WORDS_SV[value]
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


@functools.lru_cache(maxsize=4096)
def date_long_sv(day: date) -> str:
    """``15 mars 2011``: CLDR's Swedish ``d MMMM y``, by Babel (memoised: Babel takes ~50 µs a date)."""
    return format_date(day, "d MMMM y", locale="sv")


def date_sv(day: date) -> str:
    """``den 15 mars 2011``, as running text writes a date."""
    return "den " + date_long_sv(day)


SOON_DAYS = 30
"""A deadline this many days ahead or fewer is flagged ("om 12 dagar"). A reading aid, not law."""


def deadline_sv(day: date, as_of: date) -> str:
    """A deadline relative to the assessment day: ``i dag, den …``, ``den … (om tolv dagar)`` or ``den …``."""
    if day == as_of:
        return f"i dag, {date_sv(day)}"
    days = (day - as_of).days
    if 0 < days <= SOON_DAYS:
        return f"{date_sv(day)}, om {number_sv(days)} {'dag' if days == 1 else 'dagar'}"
    return date_sv(day)


# --- Benefits -----------------------------------------------------------------
BENEFIT_DEFINITE_SV = {
    "sjukpenning": "sjukpenningen",
    "tidsbegransad_sjukersattning": "den tidsbegränsade sjukersättningen",
    "sjukersattning": "sjukersättningen",
    "aktivitetsersattning": "aktivitetsersättningen",
    "ingen": "ersättningen",
}
BENEFIT_INDEFINITE_SV = {
    "sjukpenning": "sjukpenning",
    "tidsbegransad_sjukersattning": "tidsbegränsad sjukersättning",
    "sjukersattning": "sjukersättning",
    "aktivitetsersattning": "aktivitetsersättning",
}


def benefit_definite_sv(code: str | None) -> str:
    """``sjukpenningen``; ``ersättningen`` when the type is not known."""
    return BENEFIT_DEFINITE_SV.get(code or "", "ersättningen")


# --- Facts as conclusions -----------------------------------------------------
# Per case field: what a known value says, as a statement ("Personen är arbetslös"). Yes/no fields by the
# answer, coded fields by the code, numbers through a template with {value}.
STATEMENT_SV: dict[str, dict[Any, str]] = {
    "person.employment": {"arbetslos": "personen är arbetslös", "anstalld": "personen är anställd"},
    "person.can_return_to_employer": {True: "personen kan återgå till sin anställning",
                                      False: "personen kan inte återgå till sin anställning"},
    "benefit.allvarlig_sjukdom": {True: "personen har en allvarlig sjukdom",
                                  False: "personen har inte en allvarlig sjukdom"},
    "benefit.sjukpenning_ended": {True: "personen har haft sjukpenning men har inte längre rätt till den",
                                  False: "personen har inte förlorat rätten till sjukpenning"},
    "benefit.sjukersattning_refused": {True: "personen har fått avslag på en ansökan om sjukersättning",
                                       False: "personen har inte fått avslag på en ansökan om sjukersättning"},
    "benefit.aktivitetsersattning_refused": {
        True: "personen har fått avslag på en ansökan om aktivitetsersättning",
        False: "personen har inte fått avslag på en ansökan om aktivitetsersättning"},
    "benefit.ends_at_age_limit": {True: "aktivitetsersättningen upphör när personen når åldersgränsen",
                                  False: "aktivitetsersättningen upphör inte vid åldersgränsen"},
    "benefit.tbs_after_aktivitetsersattning_at_30": {
        True: "den tidsbegränsade sjukersättningen beviljades när aktivitetsersättningen upphörde vid 30 år",
        False: "den tidsbegränsade sjukersättningen beviljades inte när aktivitetsersättningen upphörde vid 30 år"},
    "benefit.tbs_point8_limit_reached": {
        True: "beslutet om tidsbegränsad sjukersättning räcker till slutet av den längsta tiden efter "
              "aktivitetsersättningen",
        False: "beslutet om tidsbegränsad sjukersättning räcker inte till slutet av den längsta tiden efter "
               "aktivitetsersättningen"},
    "benefit.ends_by_ali_last_start_day": {
        True: "ersättningen tar slut i tid för att arbetslivsintroduktionen ska kunna börja senast den "
              "sista startdagen",
        False: "ersättningen tar inte slut i tid för att arbetslivsintroduktionen ska kunna börja senast den "
               "sista startdagen"},
    "assessment.fardigutredd": {True: "det medicinska underlaget visar att personen är färdigutredd",
                                False: "det medicinska underlaget visar inte att personen är färdigutredd"},
    "assessment.capacity_can_improve": {
        True: "läkaren bedömer att arbetsförmågan kan förbättras genom arbetslivsinriktad rehabilitering",
        False: "läkaren bedömer inte att arbetsförmågan kan förbättras genom arbetslivsinriktad rehabilitering"},
    "assessment.sassam_done": {True: "en kartläggning enligt Sassam är gjord",
                               False: "ingen kartläggning enligt Sassam är gjord"},
    "assessment.stadigvarande_nedsatt_arbetsformaga": {
        True: "det medicinska underlaget tyder på att arbetsförmågan är stadigvarande nedsatt",
        False: "det medicinska underlaget tyder inte på att arbetsförmågan är stadigvarande nedsatt"},
    "assessment.needs_vocational_rehabilitation": {
        True: "personen bedöms behöva arbetslivsinriktade rehabiliterande insatser",
        False: "personen bedöms inte behöva arbetslivsinriktade rehabiliterande insatser"},
    "assessment.hours_per_week": {"value": "personen klarar {value} timmar i veckan"},
    "assessment.months_in_handlingsplansamverkan": {"value": "personen har varit i handlingsplansamverkan i {value} "
                                                             "månader",
                                                    "zero": "personen har inte varit i handlingsplansamverkan"},
    "benefit.sjukpenning_days_used": {"value": "personen har använt {value} dagar med sjukpenning"},
    "benefit.decision_end": {"value": "beslutet om ersättning gäller till och med {value}"},
    "benefit.tbs_extension_months_used": {"value": "personen har fått {value} förlängningsmånader",
                                          "zero": "personen har inte fått några förlängningsmånader"},
    "sickness_period_day": {"value": "bedömningsdagen är dag {value} i sjukperioden"},
    "benefit.sickness_period_start": {"value": "sjukperioden började {value}"},
}

# Per case field: what is not known, as an indirect question after "det är inte utrett" / "det beror på".
WHETHER_SV: dict[str, str] = {
    "person.employment": "om personen är arbetslös eller anställd",
    "person.can_return_to_employer": "om personen kan återgå till sin anställning",
    "benefit.type": "vilken ersättning personen har",
    "benefit.sjukpenning_days_used": "hur många dagar med sjukpenning personen har använt",
    "benefit.allvarlig_sjukdom": "om personen har en allvarlig sjukdom",
    "benefit.decision_end": "vilken dag det nuvarande beslutet om ersättning gäller till",
    "benefit.tbs_extension_months_used": "hur många förlängningsmånader personen har fått",
    "benefit.sjukpenning_ended": "om personen har förlorat rätten till sjukpenning",
    "benefit.sjukersattning_refused": "om personen har fått avslag på en ansökan om sjukersättning",
    "benefit.aktivitetsersattning_refused": "om personen har fått avslag på en ansökan om aktivitetsersättning",
    "benefit.tbs_after_aktivitetsersattning_at_30": ("om den tidsbegränsade sjukersättningen beviljades när "
                                                     "aktivitetsersättningen upphörde vid 30 år"),
    "benefit.sickness_period_start": "vilken dag sjukperioden började",
    "assessment.fardigutredd": "om det medicinska underlaget visar att personen är färdigutredd",
    "assessment.capacity_can_improve": "om arbetsförmågan kan förbättras genom arbetslivsinriktad rehabilitering",
    "assessment.sassam_done": "om en kartläggning enligt Sassam är gjord",
    "assessment.hours_per_week": "hur många timmar i veckan personen klarar",
    "assessment.stadigvarande_nedsatt_arbetsformaga": "om arbetsförmågan är stadigvarande nedsatt",
    "assessment.months_in_handlingsplansamverkan": "hur länge personen redan har varit i handlingsplansamverkan",
    "assessment.needs_vocational_rehabilitation": "om personen behöver arbetslivsinriktade rehabiliterande insatser",
    "person.birth_date": "när personen är född",
}


def statement_sv(fact: str, value: Any, benefit_names: dict[str, str]) -> str | None:
    """What a known fact says, as a clause (lower case, no full stop); None for a fact without one."""
    if fact == "benefit.type":
        if value == "ingen":
            return "personen har inte längre någon ersättning från sjukförsäkringen"
        return f"personen har {BENEFIT_INDEFINITE_SV.get(value, benefit_names.get(value, str(value)))}"
    phrases = STATEMENT_SV.get(fact)
    if phrases is None:
        return None
    if value == 0 and "zero" in phrases:
        return phrases["zero"]
    if "value" in phrases:
        return phrases["value"].replace("{value}", date_sv(value) if isinstance(value, date) else number_sv(value))
    return phrases.get(value)


def whether_sv(fact: str) -> str:
    """The indirect question for an unknown fact; a readable fallback for a field without one."""
    return WHETHER_SV.get(fact, "en uppgift som saknas")


def joined_sv(items: list[str], word: str = "och") -> str:
    """``a``, ``a och b``, ``a, b och c``."""
    items = list(dict.fromkeys(items))
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1]


def same_subject_sv(clauses: list[str], subject: str = "personen") -> list[str]:
    """Sentences from clauses, those in a row with ``subject`` as subject joined into one
    (``Personen är arbetslös och har sjukpenning.``): short sentences, no repeated subject."""
    sentences: list[str] = []
    run: list[str] = []
    prefix = subject + " "

    def flush() -> None:
        if run:
            sentences.append(sentence(prefix + joined_sv(run)))
            run.clear()
    for clause in clauses:
        if clause.startswith(prefix):
            run.append(clause[len(prefix):])
        else:
            flush()
            sentences.append(sentence(clause))
    flush()
    return sentences


def first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def first_lower(text: str) -> str:
    """Lower-case the first letter (a rule text never begins with a name such as ``Sassam``)."""
    return text[:1].lower() + text[1:]


def clause_sv(text_sv: str) -> str:
    """A rule's requirement sentence as a clause after ``krävs att``: first letter lower case, no full stop."""
    return first_lower(text_sv.strip().rstrip("."))


_MAIN_NEGATION = re.compile(r"\b(kan|är|har|ska|får|visar|tyder|bedöms|bedömer|gäller) (inte längre|inte|redan|längre)\b")


def subclause_sv(text_sv: str) -> str:
    """A requirement or statement as a clause after ``att`` or ``om``: like ``clause_sv``, with the negation
    before the verb as a Swedish subordinate clause has it (``… inte kan förlängas``)."""
    return _MAIN_NEGATION.sub(lambda m: f"{m.group(2)} {m.group(1)}", clause_sv(text_sv))


def sentence(text: str) -> str:
    """A clause as a sentence: capital first letter, one full stop."""
    text = text.strip()
    return first_upper(text) + ("" if text.endswith((".", "?", "!")) else ".")


# --- Du-form --------------------------------------------------------------------
_DU_WORDS = {"Personens": "Din", "personens": "din", "Personen": "Du", "personen": "du",
             "sin": "din", "sitt": "ditt", "sina": "dina", "sig": "dig"}
_DU = re.compile(r"\b(" + "|".join(_DU_WORDS) + r")\b")


def to_du(text: str) -> str:
    """The handläggare's third person as the person's ``du``: every requirement and statement of the rule
    files and of this module has the person as subject (``personen``) or as owner (``sin``)."""
    return _DU.sub(lambda match: _DU_WORDS[match.group(1)], text)


# --- Citations ------------------------------------------------------------------
def lagrum_sv(ref: Lagrum) -> str:
    """``27 kap. 21 § socialförsäkringsbalken (2010:110)``, ``punkt 8 i övergångsbestämmelserna …``,
    ``30 b § förordningen (2000:634) …``; the wording cited when it is dated (``i lydelse den …``)."""
    name = ref.forfattning
    if ref.punkt:
        text = f"punkt {ref.punkt} i {name}"
    else:
        parts = []
        if ref.kapitel:
            parts.append(f"{ref.kapitel} kap.")
        if ref.paragraf:
            parts.append(f"{ref.paragraf} {'§§' if '-' in ref.paragraf or ',' in ref.paragraf else '§'}")
        parts.append(name)
        text = " ".join(parts)
    lydelse = getattr(ref, "lydelse", None)
    if lydelse is not None:
        text += f" i lydelse {date_sv(lydelse)}"
    return text


def document_sv(source: SourceRef) -> str | None:
    """The seed document a rule comes from, named in words (``SourceRef.document_sv``, from the statutes
    table); None when it has no name there."""
    return getattr(source, "document_sv", None)


def citations_sv(sources: list[SourceRef]) -> list[str]:
    """What ``sources`` rest on, in order: each source's provisions (the lagrum in force), or, for a source
    without one, its seed document named in words (an agreement or report the requirement comes from)."""
    refs = [ref for source in sources for ref in (source.lagrum or [])]
    # a whole chapter is not cited beside one of its paragraphs ("33 kap. 16 §" says it)
    specific = {(ref.forfattning, ref.kapitel) for ref in refs if ref.paragraf or ref.punkt}
    cited: list[str] = []
    for source in sources:
        if source.lagrum:
            cited += [lagrum_sv(ref) for ref in source.lagrum
                      if ref.paragraf or ref.punkt or (ref.forfattning, ref.kapitel) not in specific]
        elif (name := document_sv(source)) is not None:
            cited.append(name)
    return list(dict.fromkeys(cited))
