"""The motivering (for the handläggare) and the text for the person, written from the condition records.

32 § förvaltningslagen (2017:900) asks a motivering to state which provisions were applied and which
circumstances were decisive; DIGG's guidance on automated decisions adds that the person must be able
to follow how the computer reasoned, in plain language. So the text is connected prose, not a list:

1. a summary (``Decision.summary``, also data): what the person can take part in and from which day,
   what is not possible and why, what is left to find out, the next date that matters;
2. the dates a handläggare plans by, in the tense they have relative to ``as_of`` (a passed deadline
   in the past, today's flagged as "i dag", one within a month with the days left);
3. per programme, the decisive reasons as sentences that state the facts as conclusions, the
   requirement and the provision, and the fulfilled conditions in one sentence.

The person's text is the same reasoning in the du-form (``phrases_sv.to_du``), without the
handläggare's working dates, and with what the person can do (from "what would change it"). Neither
text carries ids, file names or hashes: those are in the decision's data (``source``, ``rulebook``).
Deterministic: the same decision gives the same text, byte for byte.
"""

from __future__ import annotations

import hashlib
from datetime import date
from importlib import metadata
from pathlib import Path

from ..facts.derive import FactSet
from ..facts.derived import HPS_MONTHS
from ..models import Decision, ProgrammeResult, Status, Summary, Utfall
from ..rulebooks.plan import Plan
from . import phrases_sv as ph
from .grounds import Ground, Grounds
from .summary import build_summary
from .texts_sv import parameter_day_sv

_WORKING_DATES = frozenset(("beredningsgrupp_deadline",))
"""Key dates that are the authorities' own working deadlines, not news for the person."""
_TEMPLATES = ("motivering.py", "grounds.py", "summary.py", "phrases_sv.py", "texts_sv.py", "explain.py")


def _template_hash() -> str:
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in _TEMPLATES:
        digest.update(name.encode() + b"\0" + (here / name).read_bytes())
    return digest.hexdigest()


def _package_version() -> str:
    try:
        return metadata.version("eligibility")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "0+unknown"


TEMPLATE_HASH = _template_hash()
"""SHA-256 of the modules that write the texts: with the rulebook hash and the package version, a text
can be reproduced (the decision carries all three)."""
PACKAGE_VERSION = _package_version()


def write_texts(plan: Plan, facts: FactSet, decision: Decision, decided_whatever: dict[str, list[str]] | None,
                warning: str | None) -> Decision:
    """Fill the decision's summary, motivering and person text (its records and remedies are in place)."""
    records = {record.condition: record for record in decision.conditions}
    grounds = Grounds(plan, facts, records, decided_whatever)
    for record in decision.conditions:  # each record's own sentence, as the condition table shows it
        record.explanation_sv = " ".join(s for leaf in grounds.leaves(record.condition)
                                         for s in grounds.fact_sentences(leaf))
    summary = build_summary(grounds, decision)
    writer = _Writer(grounds, decision, summary)
    summary.text_sv = writer.summary_text()
    decision.summary = summary
    decision.explanation_sv = writer.motivering(warning)
    decision.person_text_sv = writer.person_text(warning)
    return decision


class _Writer:
    """Writes the two texts of one decision."""

    def __init__(self, grounds: Grounds, decision: Decision, summary: Summary) -> None:
        self.g, self.d, self.summary = grounds, decision, summary
        self.as_of: date = decision.as_of
        self.book = grounds.book
        self._programmes: list[str] | None = None

    # --- the parts ---------------------------------------------------------------------
    def _from(self, day: date) -> str:
        if day == self.as_of:
            return f"i dag, {ph.date_sv(day)}"
        benefit = ph.benefit_definite_sv(self.g.benefit)
        return f"{ph.date_sv(day)}, dagen efter att {benefit} tar slut"

    def summary_text(self, for_person: bool = False) -> str:
        """The summary in words; the person's leaves out the handläggare's working dates."""
        s = self.summary
        lines: list[str] = []
        for item in s.eligible:
            lines.append(ph.sentence(f"personen kan delta i {_in_text(self.book, item.programme, item.name_sv)} från och med {self._from(item.from_date)}"))
        for item in s.not_eligible:
            lines.append(ph.sentence(f"personen kan inte delta i {_in_text(self.book, item.programme, item.name_sv)}") +
                         (f" {item.reason_sv}" if item.reason_sv else ""))
        for item in s.undetermined:
            lines.append(ph.sentence(f"det går ännu inte att avgöra om personen kan delta i {_in_text(self.book, item.programme, item.name_sv)}") +
                         (f" {item.reason_sv}" if item.reason_sv else ""))
            asked = [q.text_sv for q in self.d.questions if item.programme in q.programmes]
            if asked:
                lines.append("Det som behöver utredas är: " + " ".join(asked))
        if s.next_date is not None and not (for_person and s.next_date.kind in _WORKING_DATES):
            lines.append(s.next_date.text_sv)
        return " ".join(lines)

    def header(self) -> str:
        text = (f"Bedömningen gäller {ph.date_sv(self.as_of)}. Den bygger på regelversionen från "
                f"{ph.date_sv(self.book.valid_from)}.")
        day = self.d.rulebook.parameters_on
        outside = parameter_day_sv(self.as_of, day) if day is not None else None
        return f"{text} {outside}" if outside else text

    def dates(self, for_person: bool) -> str:
        dates = self.d.key_dates
        if dates.benefit_last_day is None:
            return ""
        benefit = ph.benefit_definite_sv(self.g.benefit)
        text = [ph.sentence(f"{benefit} räcker till och med {ph.date_sv(dates.benefit_last_day)}")]
        if dates.sjukpenning_days_left is not None:
            text.append(f"Det återstår {ph.number_sv(dates.sjukpenning_days_left)} dagar med sjukpenning.")
        if for_person:
            return " ".join(text)
        months = ph.number_sv(self.g.facts.parameters[HPS_MONTHS].value)
        if dates.beredningsgrupp_deadline is not None:
            day = dates.beredningsgrupp_deadline
            if day < self.as_of:
                text.append(f"Ärendet skulle ha tagits upp i den gemensamma beredningsgruppen senast {ph.date_sv(day)}.")
            else:
                text.append("Ärendet behöver tas upp i den gemensamma beredningsgruppen senast "
                            f"{ph.deadline_sv(day, self.as_of)}.")
        if dates.last_day_with_hps_months_left is not None:
            day = dates.last_day_with_hps_months_left
            if day < self.as_of:
                text.append(f"Den sista dagen med minst {months} månader kvar var {ph.date_sv(day)}.")
            else:
                text.append(f"Den sista dagen med minst {months} månader kvar är {ph.deadline_sv(day, self.as_of)}.")
        return " ".join(text)

    def programmes(self) -> list[str]:
        """The programme paragraphs (written once: both texts use them)."""
        if self._programmes is None:
            self._programmes = [self.programme(result) for result in self.d.programmes.values()]
        return self._programmes

    def programme(self, result: ProgrammeResult) -> str:
        name = _in_text(self.book, result.programme, result.name_sv)
        grounds = self.g.grounds(result)
        sentences: list[str] = []
        if result.status is Status.ELIGIBLE:
            day = next(item.from_date for item in self.summary.eligible if item.programme == result.programme)
            sentences.append(ph.sentence(f"personen kan delta i {name} från och med {self._from(day)}"))
            concrete = [g for g in grounds if self._quantitative(g.condition)]
            plain = [g for g in grounds if not self._quantitative(g.condition)]
            for ground in concrete:
                sentences += ground.facts
            if plain:
                sentences += ph.same_subject_sv([self._fulfilled(g) for g in plain])
        else:
            lead = (f"personen kan inte delta i {name}" if result.status is Status.NOT_ELIGIBLE else
                    f"det går ännu inte att avgöra om personen kan delta i {name}")
            sentences.append(ph.sentence(lead))
            for ground in grounds:
                if ground.open and ground.requirement:
                    sentences.append(ph.sentence(f"för det krävs att {ground.requirement}, och det är inte utrett ännu"))
                    continue
                sentences += ground.facts
                if ground.requirement:
                    sentences.append(ph.sentence(f"för det krävs att {ground.requirement}"))
            sentences += self._the_rest(result)
        cited = ph.citations_sv([source for ground in grounds for source in ground.sources] + [result.source])
        if cited:
            sentences.append(ph.sentence(f"det framgår av {ph.joined_sv(cited)}"))
        return f"{result.name_sv}\n" + " ".join(sentences)

    def _quantitative(self, cond_id: str) -> bool:
        return self.g.measured(cond_id)

    def _fulfilled(self, ground: Ground) -> str:
        """A fulfilled plain condition as a clause: what the case shows (the requirement, when it says more)."""
        facts = " ".join(ground.facts)
        return ph.clause_sv(facts) if facts and "." not in facts.rstrip(".") else (ground.requirement or "")

    def _the_rest(self, result: ProgrammeResult) -> list[str]:
        others = [c for c in result.conditions if c not in result.decisive_conditions]
        if not others:
            return []
        outcomes = {self.g.records[c].outcome for c in others}
        if outcomes == {Utfall.UPPFYLLT}:
            return ["Övriga villkor är uppfyllda."]
        if result.status is Status.NOT_ELIGIBLE:
            failing = len(result.decisive_conditions)
            return ["Övriga villkor behöver inte prövas, eftersom " +
                    ("villkoret ovan inte är uppfyllt." if failing == 1 else "villkoren ovan inte är uppfyllda.")]
        return []

    def remedies(self) -> list[str]:
        """What the person can do: the changes that would make a programme possible, in the du-form."""
        found = []
        for result in self.d.programmes.values():
            if result.would_change:
                phrases = [ph.clause_sv(change.text_sv) for change in result.would_change]
                found.append(ph.sentence(f"om {ph.joined_sv(phrases)} kan personen delta i {_in_text(self.book, result.programme, result.name_sv)}"))
        return found

    # --- the two texts ----------------------------------------------------------------------
    def motivering(self, warning: str | None) -> str:
        paragraphs = [warning] if warning else []
        paragraphs += [self.header(), "Sammanfattning\n" + self.summary.text_sv]
        dates = self.dates(for_person=False)
        if dates:
            paragraphs.append("Viktiga datum\n" + dates)
        paragraphs += self.programmes()
        paragraphs += [note.note_sv for note in self.book.meta.not_in_force.values()]
        return "\n\n".join(paragraphs)

    def person_text(self, warning: str | None) -> str:
        paragraphs = [ph.to_du(warning)] if warning else []
        paragraphs.append(f"Försäkringskassan och Arbetsförmedlingen har bedömt vilka insatser du kan få. "
                          f"Bedömningen gäller {ph.date_sv(self.as_of)}.")
        paragraphs.append("Det här betyder bedömningen för dig\n" + ph.to_du(self.summary_text(for_person=True)))
        dates = self.dates(for_person=True)
        if dates:
            paragraphs.append(ph.first_upper(dates))
        paragraphs += [ph.to_du(paragraph) for paragraph in self.programmes()]
        todo = self.remedies()
        if todo:
            paragraphs.append("Det här kan du göra\n" + ph.to_du(" ".join(todo)))
        return "\n\n".join(paragraphs)


def _name(name_sv: str) -> str:
    return ph.first_lower(name_sv)


def _in_text(book: object, programme: str, name_sv: str) -> str:
    """The programme's name after "delta i": its ``in_text_sv``, else its name in lower case."""
    definition = book.programmes.get(programme)  # type: ignore[attr-defined]
    return definition.in_text_sv if definition is not None and definition.in_text_sv else _name(name_sv)


