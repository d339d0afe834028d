"""The case contract (input) and the decision (output), as pydantic models.

Field names are English snake_case; values are the Swedish domain codes of the
brief. A fact left out or set to ``null`` is *unknown*, never false: the
engine then records the condition as ``ej utrett`` and asks the question.
Inputs are strict: a string is not a number, ``1`` is not ``true`` and a date
is an ISO ``YYYY-MM-DD`` string or a YAML date, nothing else.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from typing import Annotated, Any

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, ValidationInfo,
                      model_validator)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    """Accept a date or an ISO date string only (pydantic would also take epoch numbers)."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    raise ValueError("expected a date written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
DECIMALS = 4
"""The precision of the contract's numbers (``Hours``, ``Months``): 1/10 000."""


def _quantised(value: float) -> float:
    """Round to 1/10 000: finer precision means nothing here, and the rule engine's JSON
    reader does not take exponent notation (1e-05), which Python writes below 1e-4."""
    return round(value, DECIMALS)


# Upper bounds keep numbers inside what every backend represents exactly
# (a century of days or months); the law's own limits are checked against the rulebook.
Count = Annotated[int, Field(strict=True, ge=0, le=36_500)]
Hours = Annotated[float, Field(strict=True, ge=0, le=168, allow_inf_nan=False), AfterValidator(_quantised)]
Months = Annotated[float, Field(strict=True, ge=0, le=1_200, allow_inf_nan=False),  # 1e309 is inf in JSON
                   AfterValidator(_quantised)]


class Employment(str, Enum):
    """Whether the person is unemployed or employed (seed 001 target groups)."""

    ARBETSLOS = "arbetslos"
    ANSTALLD = "anstalld"


class BenefitType(str, Enum):
    """The benefit the person has on ``as_of`` (domain brief section 1)."""

    SJUKPENNING = "sjukpenning"
    TIDSBEGRANSAD_SJUKERSATTNING = "tidsbegransad_sjukersattning"
    SJUKERSATTNING = "sjukersattning"
    AKTIVITETSERSATTNING = "aktivitetsersattning"
    INGEN = "ingen"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(_Strict):
    """The person. Exactly one of ``birth_date`` and ``personnummer`` is needed."""

    birth_date: IsoDate | None = None
    personnummer: str | None = Field(default=None, repr=False)
    employment: Employment | None = None
    can_return_to_employer: StrictBool | None = None


class Benefit(_Strict):
    """The benefit on ``as_of``; fields that do not belong to the type are rejected."""

    type: BenefitType
    sjukpenning_days_used: Count | None = None
    allvarlig_sjukdom: StrictBool | None = None
    decision_end: IsoDate | None = None
    tbs_extension_months_used: Count | None = None
    # Förstärkt samarbete (from 2012, seed 003 rad 7): the history that leads to omställningsmöte.
    sjukpenning_ended: StrictBool | None = None
    sjukersattning_refused: StrictBool | None = None
    aktivitetsersattning_refused: StrictBool | None = None
    # Tidsbegränsad sjukersättning granted because aktivitetsersättning ended at 30 (SFS 2009:554 punkt 8,
    # second sentence; from 2011 4 kap. 31 § lag (2010:111)): its 18 months count from the AE's end.
    tbs_after_aktivitetsersattning_at_30: StrictBool | None = None
    # The first day of the sickness period as rehabiliteringskedjan counts it (day 1), for sjukpenning.
    sickness_period_start: IsoDate | None = None


ACTIONABLE: dict[str, Any] = {"x-actionable": True}
"""Marks a contract field a person or handläggare can act on (``Field(json_schema_extra=ACTIONABLE)``): the
decision suggests changes to these facts only ("what would change it", docs/decisions.md 74). Not marked:
what the law or the past fixes (age, benefit, days used, months in samverkan) and the medical judgments."""


class Assessment(_Strict):
    """Assessment facts; each one may still be unknown (``null``)."""

    fardigutredd: StrictBool | None = Field(None, json_schema_extra=ACTIONABLE)
    capacity_can_improve: StrictBool | None = None
    sassam_done: StrictBool | None = Field(None, json_schema_extra=ACTIONABLE)
    hours_per_week: Hours | None = Field(None, json_schema_extra=ACTIONABLE)
    stadigvarande_nedsatt_arbetsformaga: StrictBool | None = None
    months_in_handlingsplansamverkan: Months | None = None
    needs_vocational_rehabilitation: StrictBool | None = None


class Case(_Strict):
    """One case as sent by a handläggare or a system (domain brief section 6)."""

    as_of: IsoDate
    person: Person
    benefit: Benefit
    assessment: Assessment = Field(default_factory=Assessment)


class Utfall(str, Enum):
    """Outcome of one condition: the brief's three values, exactly."""

    UPPFYLLT = "uppfyllt"
    EJ_UPPFYLLT = "ej uppfyllt"
    EJ_UTRETT = "ej utrett"


class Status(str, Enum):
    """A programme's status, by Kleene logic over its conditions."""

    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    UNDETERMINED = "undetermined"


class Lagrum(BaseModel):
    """A structured legal reference (författning, kapitel, paragraf, ...), dated where the law moved.

    In the rule files an entry names its statute by id (``statute: sfb``, a key of ``rules/statutes.yaml``)
    and the loader fills ``forfattning`` with the statute's name as cited (``socialförsäkringsbalken
    (2010:110)``), so a decision's JSON keeps a readable reference. ``valid_from`` / ``valid_to``
    (inclusive) say on which days this citation applies (a rule whose law moved from one statute to
    another cites both, each with its days); ``lydelse`` is the day of the wording cited ("i lydelse
    den 1 februari 2016"). See docs/rules.md, "Att datera ett lagrum".
    """

    model_config = ConfigDict(extra="forbid")

    forfattning: str
    kapitel: str | None = None
    paragraf: str | None = None
    stycke: str | None = None
    punkt: str | None = None
    text: str | None = None
    statute: str | None = None
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None
    lydelse: IsoDate | None = None

    @model_validator(mode="before")
    @classmethod
    def _statute_named(cls, data: Any, info: ValidationInfo) -> Any:
        """In a rule file (validated with the statutes as context): ``statute`` names the författning."""
        names = (info.context or {}).get(STATUTE_NAMES)
        if names is None or not isinstance(data, dict):
            return data
        if "forfattning" in data:
            raise ValueError("write the statute's id (statute: …) instead of forfattning: the name is filled "
                             "in from statutes.yaml")
        statute = data.get("statute")
        if statute not in names:
            known = ", ".join(sorted(names))
            found = "no statute" if statute is None else f"unknown statute {statute!r}"
            raise ValueError(f"{found}: a lagrum names its statute by its id in statutes.yaml ({known})")
        return {**data, "forfattning": names[statute]}

    def holds_on(self, day: date) -> bool:
        """True when this citation applies on ``day`` (``valid_from`` .. ``valid_to``, inclusive)."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


STATUTE_NAMES = "statute_names"
DOCUMENT_NAMES = "document_names"
"""Validation-context keys with which the rulebook loader validates rule files: statute id -> ``name_sv``,
and seed document -> its name in words (``rules/statutes.yaml``)."""

_IN_FORCE: dict[int, tuple[SourceRef, list[date], dict[int, SourceRef]]] = {}


class SourceRef(BaseModel):
    """Where a rule comes from: a seed document and, where known, the statute.

    ``document_sv`` is the seed document's name in words ("rapporten Samverkan mellan …"), filled in at
    load time from ``rules/statutes.yaml`` ``documents:``; ``document`` stays the file (traceability).
    """

    model_config = ConfigDict(extra="forbid")

    document: str | None = None
    provision: str | None = None
    lagrum: list[Lagrum] | None = None
    external: bool = False
    note: str | None = None
    document_sv: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_document_name(cls, data: Any, info: ValidationInfo) -> Any:
        if DOCUMENT_NAMES in (info.context or {}) and isinstance(data, dict) and "document_sv" in data:
            raise ValueError("document_sv is filled in from statutes.yaml documents:; leave it out")
        return data

    @model_validator(mode="after")
    def _document_named(self, info: ValidationInfo) -> SourceRef:
        names = (info.context or {}).get(DOCUMENT_NAMES)
        if names is not None and self.document is not None:
            self.document_sv = names.get(self.document)  # a document not named there: the lint says so
        return self

    def in_force_on(self, day: date) -> SourceRef:
        """This source with only the ``lagrum`` entries that apply on ``day`` (``Lagrum.holds_on``).

        ``self`` when every entry applies. Memoised per stretch of days on which the same entries apply,
        so every day of a stretch gets the identical object (the explanation's citations are memoised per
        object); ``lagrum`` is ``None`` on a day no entry applies.
        """
        memo = _IN_FORCE.get(id(self))
        if memo is None or memo[0] is not self:
            if len(_IN_FORCE) > 50_000:  # sources are built once per loaded rulebook: a bound for reloads
                _IN_FORCE.clear()
            cuts = sorted({cut for ref in self.lagrum or () for cut in
                           (ref.valid_from, ref.valid_to and ref.valid_to + timedelta(days=1)) if cut is not None})
            memo = _IN_FORCE.setdefault(id(self), (self, cuts, {}))
        _, cuts, by_stretch = memo
        if not cuts:
            return self
        stretch = bisect.bisect_right(cuts, day)
        found = by_stretch.get(stretch)
        if found is None:
            kept = [ref for ref in self.lagrum or () if ref.holds_on(day)]
            found = self if len(kept) == len(self.lagrum or ()) else self.model_copy(update={"lagrum": kept or None})
            found = by_stretch.setdefault(stretch, found)
        return found


# Decision parts are plain dataclasses: a decision holds ~60 of them and is
# built thousands of times per second; pydantic validates and serialises them
# as fields of ``Decision`` all the same.


@dataclass(slots=True)
class ParameterUse:
    """The value of a parameter that a condition used, and since when it applies."""

    value: Any
    valid_from: date


@dataclass(slots=True)
class ConditionRecord:
    """One condition checked for one case: outcome, facts used, source, text."""

    condition: str
    outcome: Utfall
    text_sv: str
    explanation_sv: str
    facts_used: dict[str, Any]
    source: SourceRef
    parameters_used: dict[str, ParameterUse] = field(default_factory=dict)
    missing_facts: list[str] = field(default_factory=list)
    sub_conditions: list[str] = field(default_factory=list)


@dataclass(slots=True)
class DecisiveFact:
    """A fact that decided against a programme, with its value in the case (never the person's identity).

    The list a handläggare communicates before an adverse decision (25 § förvaltningslagen): the facts
    the decisive conditions read (``value`` None: unknown), and the conditions that read them.
    """

    fact: str
    value: Any
    text_sv: str
    conditions: list[str] = field(default_factory=list)


@dataclass(slots=True)
class FactChange:
    """One fact of the smallest change a person or handläggare can act on that makes a programme eligible."""

    fact: str
    from_value: Any
    to_value: Any
    text_sv: str
    conditions: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ProgrammeResult:
    """A programme's status and the conditions it was decided on.

    For a programme that is not eligible or undetermined, an explained decision also says what would
    change it (``decision/remedies.py``): ``decisive_against``, and ``would_change``, the smallest change of
    actionable facts that makes it eligible (all of them together; empty when there is none), in words
    ``would_change_sv``. A decision without explanations (``explain=False``) leaves them empty.
    """

    programme: str
    name_sv: str
    status: Status
    conditions: list[str]
    decisive_conditions: list[str]
    source: SourceRef
    decisive_against: list[DecisiveFact] = field(default_factory=list)
    would_change: list[FactChange] = field(default_factory=list)
    would_change_sv: str = ""


@dataclass(slots=True)
class TargetGroupResult:
    """Whether the person belongs to one of the five target groups (seed 001)."""

    target_group: str
    number: int
    name_sv: str
    outcome: Utfall


@dataclass(slots=True)
class Answer:
    """One answer to a question and what each open programme would then be (``None``: still open)."""

    answer_sv: str
    statuses: dict[str, Status | None]
    text_sv: str
    key_dates: dict[str, Any] = field(default_factory=dict)
    """The key dates this answer fixes where another answer gives them differently (e.g. the benefit's end)."""


@dataclass(slots=True)
class Question:
    """A fact whose answer would decide an undetermined programme."""

    fact: str
    text_sv: str
    programmes: list[str]
    answers: list[Answer] = field(default_factory=list)
    """With exact decisions (``Evaluator(exact=True)``): per answer, what the open programmes become."""


@dataclass(slots=True)
class KeyDates:
    """Derived dates; ``None`` where the benefit has no end or a fact is unknown."""

    benefit_last_day: date | None = None
    benefit_end_exclusive: date | None = None
    beredningsgrupp_deadline: date | None = None
    last_day_with_hps_months_left: date | None = None
    birthday_30: date | None = None
    aktivitetsersattning_end: date | None = None
    sjukpenning_days_left: int | None = None
    tbs_point8_last_day: date | None = None
    sickness_day_any_work_at_employer: date | None = None
    sickness_day_whole_labour_market: date | None = None
    sickness_day_after_one_year: date | None = None


@dataclass(slots=True)
class SummaryProgramme:
    """One programme as the summary gives it: eligible from which day, or why not, or what is open.

    ``from_date``: an eligible programme's first day (``as_of``, or for a programme that starts when the
    benefit ends, the day after its last day). ``reason_condition``: for a programme that is not eligible,
    the main reason (the first decisive condition that no actionable change can fix, else the first
    decisive condition in the programme's order); ``reason_sv`` says it in one sentence. An undetermined
    programme names the case fields still to find out in ``open_facts``.
    """

    programme: str
    name_sv: str
    status: Status
    from_date: date | None = None
    reason_condition: str | None = None
    reason_sv: str = ""
    open_facts: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SummaryQuestion:
    """An open question of the summary: the case field (dotted path) and the question in Swedish."""

    fact: str
    text_sv: str


@dataclass(slots=True)
class NextDate:
    """The next day that matters from ``as_of`` on, and what happens then (``kind``: the key date's name)."""

    day: date
    kind: str
    text_sv: str


@dataclass(slots=True)
class Summary:
    """What the decision comes to, as data, so that the CLI, the API and the page render the same summary.

    ``text_sv`` is the summary in words, the first part of the motivering.
    """

    eligible: list[SummaryProgramme] = field(default_factory=list)
    not_eligible: list[SummaryProgramme] = field(default_factory=list)
    undetermined: list[SummaryProgramme] = field(default_factory=list)
    questions: list[SummaryQuestion] = field(default_factory=list)
    next_date: NextDate | None = None
    text_sv: str = ""


class RulebookRef(BaseModel):
    """Which rulebook decided: its id, period, SHA-256 content hash and how far its law was reviewed."""

    id: str
    valid_from: date
    valid_to: date | None
    content_hash: str
    reviewed_until: date | None = None
    parameters_on: date | None = None
    """The day whose parameter values of this rulebook decided: ``as_of``, or, under a named rulebook not in
    force on ``as_of``, the nearest day of its period (``valid_from`` or ``valid_to``; docs/decisions.md item 73)."""
    statutes_hash: str | None = None
    """SHA-256 of ``rules/statutes.yaml``, the table of statutes the sources cite (names and periods of force)."""


class Decision(BaseModel):
    """The full, explained decision for one case."""

    as_of: date
    rulebook: RulebookRef
    programmes: dict[str, ProgrammeResult]
    not_in_force: dict[str, str] = Field(default_factory=dict)
    target_groups: list[TargetGroupResult]
    conditions: list[ConditionRecord]
    key_dates: KeyDates
    questions: list[Question]
    explanation_sv: str
    law_reviewed_until: date = Field(description=(
        "The last day for which the law of the deciding rulebook was reviewed (its rulebook.yaml "
        "`reviewed_until`)."))
    beyond_reviewed_law: bool = Field(False, description=(
        "True when `as_of` is after `law_reviewed_until`: later changes in law are not modelled, "
        "so the decision may rest on law that no longer applies."))
    law_warning_sv: str | None = Field(None, description=(
        "The Swedish warning shown with a decision beyond the reviewed law (null otherwise): "
        "\"Regelverket är granskat till och med …; senare ändringar är inte inlagda.\" and the known "
        "later changes."))

    summary: Summary | None = Field(None, description=(
        "What the decision comes to: the programmes the person can take part in and from which day, those "
        "not possible with the main reason, the open questions and the next date that matters (null when "
        "the decision was made without explanations)."))
    person_text_sv: str = Field("", description=(
        "The same reasoning written to the person (du-form), as it would stand in a letter: no ids, file "
        "names or hashes."))
    package_version: str = Field("", description="The version of the eligibility package that wrote the texts.")
    template_hash: str = Field("", description=(
        "SHA-256 of the text templates (the modules that write the Swedish texts): with the rulebook's "
        "content hash and the package version, what reproduces a text."))

    def status_of(self, programme: str) -> Status:
        """The status of ``programme``; raises KeyError when not in this rulebook."""
        return self.programmes[programme].status

    def record(self, condition: str) -> ConditionRecord:
        """The record of ``condition``; raises KeyError when it was not checked."""
        for record in self.conditions:
            if record.condition == condition:
                return record
        raise KeyError(condition)
