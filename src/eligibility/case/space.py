"""The valid case space: what validation accepts, declared once, as ranges a generator draws from.

``validate.py`` *checks* a case; this module *states* the same rules so that
a generator of random valid cases can draw from them instead of restating
them with its own literals:

* the benefit types (``models.BenefitType``) and the benefit fields each
  type may give (``consistency.BENEFIT_FIELDS``);
* the ``as_of`` days on which each type exists (a rulebook is in force, the
  type is one of its benefits, the parameters validation reads for it have a
  value; tidsbegränsad sjukersättning only up to ``tbs_senaste_slutdag``);
* per ``as_of`` the law's bounds: the sjukpenning day limit
  (``sjukpenning_max_dagar``; none where its value is null and none with
  ``allvarlig_sjukdom`` true), the TBS extension months
  (``tbs_max_forlangning_manader``), the aktivitetsersättning ages
  (``ae_lagsta_alder`` .. ``ae_hogsta_alder``) and the last ``decision_end``
  (on or after ``as_of``; for TBS at most ``tbs_senaste_slutdag``);
* the contract's numeric bounds (``Field(ge=..., le=...)`` in ``models.py``,
  read as ``read_frame.contract_fields`` reads them) and the birth date on or
  before ``as_of``;
* the boundary days: where a rulebook starts or a declared bound changes,
  and the day before.

The law's values are read from the rulebooks (``rules/``) day by day as the
validator reads them (the rulebook in force on ``as_of``, its value on
``as_of``), so a rule change moves the space with it; no threshold, date or
age of the law is written here. The generators of random valid cases
(``tests/strategies.py``, ``tests/random_cases.py``, ``caseload/synth.py``
and the regression corpus in ``history/snapshot.py``) keep their own
distributions and take every validity bound from here;
``tests/test_case_space.py`` checks that whatever they draw is accepted.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from ..models import Benefit, BenefitType
from ..rulebooks.loader import load_rulebooks
from ..rulebooks.rulebook import Rulebook
from .fields import contract_fields
from .consistency import BENEFIT_FIELDS

SP_MAX_DAYS = "sjukpenning_max_dagar"
TBS_LAST_DAY = "tbs_senaste_slutdag"
TBS_MAX_MONTHS = "tbs_max_forlangning_manader"
AE_MIN_AGE, AE_MAX_AGE = "ae_lagsta_alder", "ae_hogsta_alder"
POINT8_FROM = "tbs_efter_ae_vid_30_fran"
LAW_PARAMETERS = (SP_MAX_DAYS, TBS_LAST_DAY, TBS_MAX_MONTHS, AE_MIN_AGE, AE_MAX_AGE, POINT8_FROM)
"""The parameters validation reads (``validate.check_against_rulebook``)."""

_TBS, _AE, _SP = (BenefitType.TIDSBEGRANSAD_SJUKERSATTNING.value, BenefitType.AKTIVITETSERSATTNING.value,
                  BenefitType.SJUKPENNING.value)
# What validation reads for a benefit type: the type exists only on days these parameters have a value
# (``None`` allowed: the parameter has no limit then; not allowed: the check would have nothing to compare).
_READS: dict[str, tuple[tuple[str, bool], ...]] = {
    _SP: ((SP_MAX_DAYS, True),),
    _TBS: ((TBS_LAST_DAY, False), (TBS_MAX_MONTHS, False)),
    _AE: ((AE_MIN_AGE, False), (AE_MAX_AGE, False)),
}


@dataclass(frozen=True)
class Span:
    """The days ``first`` .. ``last``, both included (``last`` None: no end)."""

    first: date
    last: date | None = None

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day and (self.last is None or day <= self.last)


@dataclass(frozen=True)
class Bound:
    """The numbers ``low`` .. ``high``, both included (None: no bound on that side)."""

    low: Any = None
    high: Any = None

    def __contains__(self, value: object) -> bool:
        return (isinstance(value, (int, float)) and not isinstance(value, bool)
                and (self.low is None or value >= self.low) and (self.high is None or value <= self.high))


@dataclass(frozen=True)
class Step:
    """A parameter's value on the days of ``span`` (merged over rulebooks where it stays the same)."""

    span: Span
    value: Any


def _end(span: Span) -> date:
    return date.max if span.last is None else span.last


def _merged(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Sorted spans with overlapping and adjacent ones joined."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: s.first):
        if out and (out[-1].last is None or span.first <= out[-1].last + timedelta(days=1)):
            last = None if out[-1].last is None or span.last is None else max(out[-1].last, span.last)
            out[-1] = Span(out[-1].first, last)
        else:
            out.append(span)
    return tuple(out)


def _intersection(a: tuple[Span, ...], b: tuple[Span, ...]) -> tuple[Span, ...]:
    out = []
    for x in a:
        for y in b:
            first, last = max(x.first, y.first), min(_end(x), _end(y))
            if first <= last:
                out.append(Span(first, None if last == date.max else last))
    return _merged(out)


def _steps(books: list[Rulebook], name: str) -> tuple[Step, ...]:
    """``name``'s value day by day as validation reads it: in the rulebook in force, on that day."""
    steps: list[Step] = []
    for book in books:
        if name not in book.parameters:
            continue
        starts = sorted(book.parameters[name].values)
        points = [book.valid_from] + [s for s in starts if book.covers(s) and s > book.valid_from]
        for i, point in enumerate(points):
            if starts[0] > point:  # no value yet on this day
                continue
            last = points[i + 1] - timedelta(days=1) if i + 1 < len(points) else book.valid_to
            value = book.parameter(name, point).value
            previous = steps[-1] if steps else None
            if (previous is not None and previous.value == value and previous.span.last is not None
                    and previous.span.last + timedelta(days=1) == point):
                steps[-1] = Step(Span(previous.span.first, last), value)
            else:
                steps.append(Step(Span(point, last), value))
    return tuple(steps)


@dataclass(frozen=True)
class CaseSpace:
    """Every case validation accepts under one set of rulebooks (build it with ``case_space``)."""

    covered: Span
    """The ``as_of`` days some rulebook is in force on."""
    benefit_types: tuple[str, ...]
    """``models.BenefitType`` values, in contract order."""
    benefit_fields: Mapping[str, frozenset[str]]
    """Benefit type -> the benefit fields (besides ``type``) a case of that type may give."""
    as_of_spans: Mapping[str, tuple[Span, ...]]
    """Benefit type -> the ``as_of`` days a case of that type is valid on."""
    law: Mapping[str, tuple[Step, ...]]
    """Parameter (``LAW_PARAMETERS``) -> its values over the covered days."""
    contract: Mapping[str, Bound]
    """Dotted field name -> the contract's numeric bound (every field with ``ge``/``le`` in ``models.py``)."""
    boundary_days: tuple[date, ...]
    """The first covered day, and each day a rulebook starts or a declared bound changes and the day before."""
    _starts: Mapping[str, list[date]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Generators look bounds up per case (a million cases for a benchmark): the step starts, once.
        object.__setattr__(self, "_starts", {name: [s.span.first for s in steps] for name, steps in self.law.items()})

    def fields(self, kind: str) -> frozenset[str]:
        """The benefit fields a case of benefit type ``kind`` may give."""
        return self.benefit_fields[_code(kind)]

    def as_of(self, kind: str) -> Span:
        """The ``as_of`` days of benefit type ``kind``, as one span (``ValueError`` if the rules leave a gap)."""
        spans = self.as_of_spans[_code(kind)]
        if len(spans) != 1:
            raise ValueError(f"{kind} is valid on {len(spans)} separate spans of days, not one: {spans}")
        return spans[0]

    def has(self, kind: str, as_of: date) -> bool:
        """Whether a case of benefit type ``kind`` is valid on ``as_of`` (as far as the day goes)."""
        return any(as_of in span for span in self.as_of_spans[_code(kind)])

    def value(self, name: str, day: date) -> Any:
        """The value of law parameter ``name`` on ``day`` (``KeyError`` where it has none)."""
        steps = self.law[name]
        at = bisect.bisect_right(self._starts[name], day) - 1
        if at < 0 or day not in steps[at].span:
            raise KeyError(f"parameter '{name}' has no value on {day}")
        return steps[at].value

    def sjukpenning_days(self, as_of: date, allvarlig_sjukdom: bool | None = None) -> Bound:
        """The valid ``sjukpenning_days_used``: the contract's bound, at most the day limit on ``as_of``

        (none where the limit is null, none with ``allvarlig_sjukdom`` true)."""
        contract = self.contract["benefit.sjukpenning_days_used"]
        limit = None if allvarlig_sjukdom is True else self.value(SP_MAX_DAYS, as_of)
        return contract if limit is None else Bound(contract.low, min(limit, contract.high))

    @property
    def sjukpenning_day_limit(self) -> int | None:
        """The lowest sjukpenning day limit any rulebook sets (None if none does): valid on every day."""
        limits = [step.value for step in self.law[SP_MAX_DAYS] if step.value is not None]
        return min(limits) if limits else None

    def tbs_extension_months(self, as_of: date) -> Bound:
        """The valid ``tbs_extension_months_used`` on ``as_of`` (a day of tidsbegränsad sjukersättning)."""
        contract = self.contract["benefit.tbs_extension_months_used"]
        return Bound(contract.low, min(self.value(TBS_MAX_MONTHS, as_of), contract.high))

    def ae_ages(self, as_of: date) -> Bound:
        """The ages (full years on ``as_of``) at which aktivitetsersättning is valid."""
        return Bound(self.value(AE_MIN_AGE, as_of), self.value(AE_MAX_AGE, as_of))

    def decision_end(self, kind: str, as_of: date) -> Span:
        """The valid ``decision_end`` of benefit type ``kind`` on ``as_of``: on or after it (TBS: up to its last day)."""
        if "decision_end" not in self.fields(kind):
            raise ValueError(f"{kind} has no decision_end")
        return Span(as_of, self.value(TBS_LAST_DAY, as_of) if _code(kind) == _TBS else None)

    def point8(self, as_of: date) -> tuple[int, int] | None:
        """For TBS after aktivitetsersättning ended at 30 (``tbs_after_aktivitetsersattning_at_30``) on
        ``as_of``: (the age at which AE ends, the months the TBS may run from the first day without AE),
        or None when the fact cannot be true on that day (``case/consistency.py``): the AE ends on the 1st
        of the month of the birthday after the top AE age, and ``as_of`` and ``decision_end`` lie within
        those months from it."""
        try:
            since = self.value(POINT8_FROM, as_of)
        except KeyError:
            return None
        if since is None or as_of < since or not self.has(_TBS, as_of):
            return None
        return self.value(AE_MAX_AGE, as_of) + 1, self.value(TBS_MAX_MONTHS, as_of)

    @staticmethod
    def latest_birth_date(as_of: date) -> date:
        """The latest valid birth date: ``as_of`` itself."""
        return as_of

    def number(self, field: str) -> Bound:
        """The contract's bound of the numeric field ``field`` (dotted, e.g. ``assessment.hours_per_week``)."""
        return self.contract[field]


def _code(kind: str) -> str:
    """A benefit type's code (``BenefitType`` members hash by name, not by their code)."""
    return kind.value if isinstance(kind, BenefitType) else kind


def _benefit_fields() -> dict[str, frozenset[str]]:
    every = set(BenefitType)
    return {kind.value: frozenset(name for name in Benefit.model_fields
                                  if name != "type" and kind in BENEFIT_FIELDS.get(name, every))
            for kind in BenefitType}


def case_space(books: list[Rulebook] | None = None) -> CaseSpace:
    """The valid case space under ``books`` (default: the bundled rules)."""
    books = sorted(books or load_rulebooks(), key=lambda book: book.valid_from)
    law = {name: _steps(books, name) for name in LAW_PARAMETERS}
    periods = _merged(Span(book.valid_from, book.valid_to) for book in books)
    covered = Span(periods[0].first, periods[-1].last)  # the loader refuses gaps between rulebooks
    spans: dict[str, tuple[Span, ...]] = {}
    for kind in BenefitType:
        days = _merged(Span(b.valid_from, b.valid_to) for b in books if kind.value in b.meta.benefits)
        for name, none_allowed in _READS.get(kind.value, ()):
            days = _intersection(days, tuple(s.span for s in law[name] if none_allowed or s.value is not None))
        if kind.value == _TBS:  # only up to its last day
            days = _intersection(days, tuple(Span(s.span.first, min(_end(s.span), s.value)) for s in law[TBS_LAST_DAY]
                                             if s.value is not None and s.value >= s.span.first))
        spans[kind.value] = days
    changes = {book.valid_from for book in books}
    changes |= {step.span.first for steps in law.values() for step in steps}
    changes |= {span.first for days in spans.values() for span in days}
    changes |= {span.last + timedelta(days=1) for days in spans.values() for span in days if span.last is not None}
    boundaries = {covered.first} | {d for c in changes for d in (c - timedelta(days=1), c) if d in covered}
    contract = {name: Bound(f.ge, f.le) for name, f in contract_fields().items() if f.ge is not None or f.le is not None}
    return CaseSpace(
        covered=covered,
        benefit_types=tuple(kind.value for kind in BenefitType),
        benefit_fields=MappingProxyType(_benefit_fields()),
        as_of_spans=MappingProxyType(spans),
        law=MappingProxyType(law),
        contract=MappingProxyType(contract),
        boundary_days=tuple(sorted(boundaries)),
    )


LATER_FACTS = ("tbs_after_aktivitetsersattning_at_30", "sickness_period_start")
"""Benefit facts the contract gained after the seeded generators' outputs were frozen (issue 16)."""


def draw_later_facts(rng: random.Random, space: CaseSpace, kind: str, as_of: date,
                     unknown: float = 0.2) -> dict[str, Any]:
    """Values for ``LATER_FACTS`` that fit a case of benefit type ``kind`` on ``as_of``, from their own stream.

    A seeded generator draws these from a second ``random.Random`` so that every field it drew before
    keeps its value (a generator called with ``later_facts=False`` still writes its frozen output, the
    benchmarks' input). ``tbs_after_aktivitetsersattning_at_30`` is drawn false or unknown only: a true
    value needs a birth date in the window it allows, which the hypothesis strategy and the golden
    cases draw. ``sickness_period_start`` lies on or before ``as_of``.
    """
    fields = space.fields(kind)
    drawn: dict[str, Any] = {}
    if "tbs_after_aktivitetsersattning_at_30" in fields:
        drawn["tbs_after_aktivitetsersattning_at_30"] = None if rng.random() < unknown else False
    if "sickness_period_start" in fields:
        start = as_of - timedelta(days=rng.randint(0, 700))
        drawn["sickness_period_start"] = None if rng.random() < unknown else max(start, space.covered.first).isoformat()
    return drawn
