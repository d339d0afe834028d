"""The grounds of a decision: per programme, the conditions and facts that decided it, as sentences.

A programme's decisive conditions are walked down to the leaves that decided
them, as their kinds say (``CompositeKind.decisive``); an OR that is not
uppfyllt keeps only the branches that concern the person's own benefit (a
sjukpenning case is not told why tidsbegränsad sjukersättning does not apply).
Each leaf says what the case shows as a conclusion ("Sjukpenningen räcker
till och med …"), never as "enligt uppgift". ``motivering`` joins the grounds
into text; ``summary`` takes the main reason from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ..case.fields import actionable_fields
from ..facts.derive import FactSet
from ..models import ConditionRecord, ProgrammeResult, SourceRef, Utfall
from ..rulebooks.plan import Plan
from . import phrases_sv as ph
from .texts_sv import fact_label_sv

BENEFIT_TYPE = "benefit.type"
_AGE_WHEN = {"age": "", "age_at_benefit_end": " när ersättningen tar slut"}
_MEASURED = frozenset(("months_left_at_least", "months_left_under", "between", "ge", "gt", "le", "lt", "eq"))
"""How a leaf's ``Reason`` compares (asked of the kind, never by its name): a yes/no or coded fact, whose
requirement says all there is to say, or a measured one (a date, an age, a number), whose facts matter."""
_ACTIONABLE = frozenset(f.path for f in actionable_fields())


@dataclass
class Ground:
    """One reason: the sentences that state the facts and the requirement, and the sources they rest on."""

    condition: str
    facts: list[str]
    requirement: str | None
    sources: list[SourceRef] = field(default_factory=list)
    conclusion: str = ""
    """What the facts come to, as one clause (``minst sex månader återstår av sjukpenningen``)."""
    open: bool = False
    """The condition is not utrett and its requirement says all there is to say (a yes/no or coded fact)."""


class Grounds:
    """Reads a decision's records against its plan: the leaves that decided, and what they say."""

    def __init__(self, plan: Plan, facts: FactSet, records: dict[str, ConditionRecord],
                 decided_whatever: dict[str, list[str]] | None = None) -> None:
        self.plan, self.facts, self.records = plan, facts, records
        self.book = plan.book
        self.benefit_names = self.book.benefit_names()
        self.params = facts.parameter_values()
        self.decided_whatever = decided_whatever or {}
        self.benefit = facts.facts.get(BENEFIT_TYPE)
        self._conclusions: dict[str, str] = {}
        self._reasons: dict[str, Any] = {}
        self._sentences: dict[str, list[str]] = {}
        self._leaves: dict[str, list[str]] = {}

    # --- which conditions decided -------------------------------------------------
    def _parts(self, cond_id: str) -> list[ConditionRecord]:
        return [self.records[p] for p in self.records[cond_id].sub_conditions]

    def _decisive_parts(self, cond_id: str) -> list[ConditionRecord]:
        record, planned = self.records[cond_id], self.plan.by_id[cond_id]
        parts = self._parts(cond_id)
        by_id = {r.condition: r for r in parts}
        return [by_id[p] for p in planned.kind.decisive(record.outcome, [(r.condition, r.outcome) for r in parts])]

    def fails_on_benefit_type(self, cond_id: str) -> bool:
        """The condition is not uppfyllt because it is for another benefit than the person's."""
        record, planned = self.records[cond_id], self.plan.by_id[cond_id]
        if record.outcome is not Utfall.EJ_UPPFYLLT:
            return False
        if planned.leaf:
            return planned.facts_read == (BENEFIT_TYPE,)
        parts = self._decisive_parts(cond_id)
        if planned.any_of:
            return all(self.fails_on_benefit_type(p.condition) for p in parts)
        return any(self.fails_on_benefit_type(p.condition) for p in parts)

    def reads_actionable(self, cond_id: str) -> bool:
        """Whether a change a person or handläggare can make could touch the condition (its facts, all down)."""
        planned = self.plan.by_id[cond_id]
        if planned.leaf:
            return bool(_ACTIONABLE.intersection(planned.facts_read))
        return any(self.reads_actionable(p) for p in planned.parts)

    def leaves(self, cond_id: str) -> list[str]:
        """The conditions that decided ``cond_id`` for this person, each stated on its own: leaves, conditions
        every answer decides, and ORs with several branches that concern the person (their alternatives
        belong together in one requirement)."""
        known = self._leaves.get(cond_id)
        if known is None:
            known = self._leaves[cond_id] = self._find_leaves(cond_id)
        return known

    def _find_leaves(self, cond_id: str) -> list[str]:
        planned, record = self.plan.by_id[cond_id], self.records[cond_id]
        if planned.leaf or cond_id in self.decided_whatever:
            return [cond_id]
        parts = self._decisive_parts(cond_id)
        if planned.any_of and record.outcome is not Utfall.UPPFYLLT:
            concerning = [p for p in parts if not self.fails_on_benefit_type(p.condition)]
            if len(concerning) != 1:  # for another benefit only, or alternatives: the OR itself is the reason
                return [cond_id]
            parts = concerning
        found: list[str] = []
        for part in parts:
            found += [leaf for leaf in self.leaves(part.condition) if leaf not in found]
        return found

    def _alternatives(self, cond_id: str) -> list[str]:
        """Below an OR stated as one reason: the leaves of its branches that concern the person."""
        parts = [p for p in self._decisive_parts(cond_id) if not self.fails_on_benefit_type(p.condition)]
        found: list[str] = []
        for part in parts:
            found += [leaf for leaf in self.leaves(part.condition) if leaf not in found]
        return found

    def main_reason(self, programme: ProgrammeResult) -> str | None:
        """The first decisive condition that no actionable change can fix, else the first decisive one."""
        decisive = programme.decisive_conditions
        if not decisive:
            return None
        fixed = next((c for c in decisive if not self.reads_actionable(c)), None)
        return fixed or decisive[0]

    def comparison(self, cond_id: str) -> str:
        """How the condition compares, as its kind's ``Reason`` says (``all_of``/``any_of`` for composites)."""
        planned = self.plan.by_id[cond_id]
        if not planned.leaf:
            return "any_of" if planned.any_of else "all_of"
        return self._reason(cond_id).comparison

    def _reason(self, cond_id: str) -> Any:
        reason = self._reasons.get(cond_id)
        if reason is None:
            planned = self.plan.by_id[cond_id]
            reason = self._reasons[cond_id] = planned.kind.reason(
                cond_id, planned.definition, self.facts.facts, self.params, self.records[cond_id].outcome)
        return reason

    def measured(self, cond_id: str) -> bool:
        """A leaf on a date, an age or a number: its facts are worth a sentence even when it is uppfyllt."""
        return self.comparison(cond_id) in _MEASURED

    # --- what a leaf says ------------------------------------------------------------
    def requirement(self, cond_id: str) -> str:
        """The rule's requirement as a clause (``personen är arbetslös``)."""
        return ph.subclause_sv(self.records[cond_id].text_sv)

    def fact_sentences(self, cond_id: str) -> list[str]:
        """What the case shows for a decided leaf, as sentences; for an open one, what is not known."""
        known = self._sentences.get(cond_id)
        if known is None:
            known = self._sentences[cond_id] = self._say(cond_id)
        return known

    def _say(self, cond_id: str) -> list[str]:
        record, planned = self.records[cond_id], self.plan.by_id[cond_id]
        if cond_id in self.decided_whatever:
            whether = self._whether(self.decided_whatever[cond_id])
            regardless = ph.sentence(f"så är det oavsett {whether}")
            if record.outcome is Utfall.UPPFYLLT:
                return [ph.sentence(ph.clause_sv(record.text_sv)), regardless]
            return [ph.sentence(f"det gäller inte att {self.requirement(cond_id)}"), regardless]
        if not planned.leaf:
            alternatives = self._alternatives(cond_id)
            if alternatives:  # an OR whose branches concern the person: what each branch's facts show
                return [sentence for leaf in alternatives for sentence in self.fact_sentences(leaf)]
            # an OR for other benefits only: the benefit is the fact
            return [ph.sentence(ph.statement_sv(BENEFIT_TYPE, self.benefit, self.benefit_names) or "")] \
                if self.benefit else []
        reason = self._reason(cond_id)
        if record.outcome is Utfall.EJ_UTRETT:
            return [self._open_sentence(reason, record)]
        if reason.comparison in ("months_left_at_least", "months_left_under"):
            return self._months_left(cond_id, reason)
        if reason.comparison == "between":
            return [ph.sentence(f"personen är {reason.value} år{_AGE_WHEN.get(reason.fact, '')}")]
        said = ph.statement_sv(reason.fact, reason.value, self.benefit_names)
        if said is None:
            said = f"{ph.first_lower(fact_label_sv(reason.fact))} är {ph.number_sv(reason.value)}"
        return [ph.sentence(said)]

    def _whether(self, fields: list[str]) -> str:
        return ph.joined_sv([ph.whether_sv(f) for f in fields] or ["en uppgift som saknas"])

    def _open_sentence(self, reason: Any, record: ConditionRecord) -> str:
        missing = self._whether(record.missing_facts)
        if reason.comparison in ("months_left_at_least", "months_left_under"):
            return ph.sentence(f"det går inte att räkna ut när {ph.benefit_definite_sv(self.benefit)} tar slut, "
                               f"eftersom det inte är utrett {missing}")
        return ph.sentence(f"det är inte utrett {missing}")

    def _months_left(self, cond_id: str, reason: Any) -> list[str]:
        benefit = ph.benefit_definite_sv(reason.subject)
        end, limit, months = reason.value, reason.limit, ph.number_sv(reason.threshold)
        if end is None:
            return [ph.sentence(f"{benefit} har ingen slutdag")]
        last, must = end - timedelta(days=1), limit - timedelta(days=1)
        left = "minst" if last >= must else "färre än"
        self._conclusions[cond_id] = f"{left} {months} månader återstår av {benefit}"
        return [ph.sentence(f"{benefit} räcker till och med {ph.date_sv(last)}"),
                ph.sentence(f"{months} månader räknat från bedömningsdagen går till och med {ph.date_sv(must)}"),
                ph.sentence(f"alltså återstår {left} {months} månader av {benefit}")]

    # --- grounds of a programme --------------------------------------------------------
    def ground(self, top: str, leaf: str) -> Ground:
        """A reason of a programme: the leaf's facts, its requirement, the sources of the leaf and of ``top``."""
        sources = [self.records[top].source] if top == leaf else [self.records[top].source, self.records[leaf].source]
        facts = self.fact_sentences(leaf)
        conclusion = self._conclusions.get(leaf) or (ph.clause_sv(facts[-1]) if facts and self.plan.by_id[leaf].leaf
                                                     else "")
        if leaf in self.decided_whatever:  # the fact sentence states the requirement already
            return Ground(leaf, facts, None, sources, conclusion)
        plain_open = (self.records[leaf].outcome is Utfall.EJ_UTRETT and leaf not in self.decided_whatever
                      and (not self.plan.by_id[leaf].leaf or self.comparison(leaf) not in
                           ("months_left_at_least", "months_left_under", "between")))
        return Ground(leaf, facts, self.requirement(leaf), sources, conclusion, plain_open)

    def grounds(self, programme: ProgrammeResult) -> list[Ground]:
        """The reasons of a programme's status, in its conditions' order, each leaf once."""
        found: list[Ground] = []
        seen: set[str] = set()
        for top in programme.decisive_conditions:
            for leaf in self.leaves(top):
                if leaf not in seen:
                    seen.add(leaf)
                    found.append(self.ground(top, leaf))
        return found

    def open_facts(self, programme: ProgrammeResult) -> list[str]:
        """The case fields an undetermined programme waits for (its open conditions' missing facts)."""
        fields: list[str] = []
        for top in programme.decisive_conditions:
            for leaf in self.leaves(top):
                fields += [f for f in self.records[leaf].missing_facts if f not in fields]
        return fields

