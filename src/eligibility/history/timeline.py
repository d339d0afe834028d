"""A person's status for each programme over time, day-precise, across rulebooks.

Semantics (docs/decisions.md, "Law over time"):

* The case describes the person on ``as_of``. The timeline covers
  ``as_of`` .. ``as_of + months - 1 day`` (``dates.add_months``).
* Time-dependent facts advance with the calendar: on day D the case is
  evaluated with ``as_of = D`` and, for sjukpenning, ``sjukpenning_days_used``
  grown by one per calendar day since ``as_of`` (every day counts, as the
  914-day limit does). ``decision_end``, the assessment and every other fact
  stay as given: the timeline shows what the law does to an unchanged
  situation, not a forecast of new decisions.
* The case is evaluated under the rulebook in force on D, so a law change
  shows on its first day (2016-02-01: sjukpenning loses its end, the route to
  arbetslivsintroduktion closes).
* Statuses can only change on a *change day*: a rulebook's first day, a day a
  parameter value takes effect, the first of a month, a birthday, the day
  after ``decision_end``, the benefit's end (end_exclusive), every day on
  which a leaf condition's kind says its outcome can change (its
  ``change_points`` on a fact that moves with the calendar: for a months-left
  condition with N months the first day with fewer than N months left,
  ``last_day_with_months_left(end, N) + 1``; birthdays for an age range) and,
  for sjukpenning whose
  ``allvarlig_sjukdom`` is not known to apply, the first day on which the days
  used would pass the rulebook's maximum. Between two change days
  every condition reads the same values, so evaluating only those days is
  exact (``tests/test_timeline.py`` checks it against a day-by-day walk).
* The timeline stops early when the benefit of the case ends (the first day
  without it: the case no longer describes the person, and what follows
  depends on decisions not yet made) or when the advanced case becomes
  invalid input (e.g. aktivitetsersättning after the 30th birthday). With
  ``allvarlig_sjukdom`` unknown the benefit end is unknown, but the days are
  used up on a known day: the timeline stops there with the reason
  ``sjukpenning_days_used_up`` (the case can only go on if allvarlig sjukdom
  applies, which the timeline never assumes). A case
  whose benefit has already ended on ``as_of`` gives a one-day timeline.
* A programme that the rulebook of a day does not have, or lists under
  ``not_in_force``, has the status ``not_in_force`` on that day.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..case.validate import validate_case
from ..conditions import LEAF_KINDS, ChangePoint
from ..decision.evaluator import Evaluator
from ..decision.exact import Origin
from ..decision.texts_sv import timeline_stop_sv
from ..errors import CaseError
from ..facts import dates
from ..facts.derived import DERIVED, SP_MAX_DAYS
from ..models import BenefitType, Case, Decision
from ..rulebooks.rulebook import Rulebook

TimelineStatus = Literal["eligible", "not_eligible", "undetermined", "not_in_force"]
NOT_IN_FORCE: TimelineStatus = "not_in_force"
DAYS_USED_UP = "sjukpenning_days_used_up"
DAILY_FACTS = frozenset(item.name for item in DERIVED if item.daily)


class TimelineSegment(BaseModel):
    """One interval (both ends inclusive) in which a programme's status is constant."""

    start: date
    end: date
    status: TimelineStatus
    rulebooks: list[str]
    decisive_conditions: list[str] = Field(default_factory=list)


class RulebookSpan(BaseModel):
    """The part of the timeline that one rulebook decided."""

    rulebook: str
    start: date
    end: date


class TimelineChange(BaseModel):
    """A day on which a status or the rulebook changed, and what changed."""

    day: date
    rulebook: str
    rulebook_changed: bool
    statuses: dict[str, tuple[TimelineStatus, TimelineStatus]]


class Timeline(BaseModel):
    """Status per programme from ``as_of`` to ``until`` (inclusive)."""

    as_of: date
    months: int
    horizon: date
    until: date
    stop_reason: str | None = None
    stop_text_sv: str | None = None
    rulebooks: list[RulebookSpan]
    programmes: dict[str, list[TimelineSegment]]
    changes: list[TimelineChange]
    evaluated_days: list[date]

    def status_on(self, programme: str, day: date) -> TimelineStatus:
        """The status of ``programme`` on ``day``; raises KeyError outside the timeline."""
        for segment in self.programmes.get(programme, []):
            if segment.start <= day <= segment.end:
                return segment.status
        raise KeyError(f"{programme} on {day}")


def case_on(case: Case, day: date) -> Case:
    """``case`` advanced to ``day``: new ``as_of``, sjukpenning days grown by the calendar days passed."""
    update: dict[str, Any] = {"as_of": day}
    benefit = case.benefit
    if benefit.type is BenefitType.SJUKPENNING and benefit.sjukpenning_days_used is not None:
        grown = benefit.sjukpenning_days_used + (day - case.as_of).days
        update["benefit"] = benefit.model_copy(update={"sjukpenning_days_used": grown})
    return case.model_copy(update=update)


def _static_change_days(evaluator: Evaluator, case: Case, birth: date, first: date, last: date) -> set[date]:
    days: set[date] = set()
    for book in evaluator.books:
        days.add(book.valid_from)
        for parameter in book.parameters.values():
            days.update(parameter.values)
    month = dates.first_of_month(first)
    while month <= last:
        days.add(month)
        month = dates.add_months(month, 1)
    for years in range(dates.age_on(birth, first), dates.age_on(birth, last) + 2):
        days.add(dates.birthday(birth, years))
    if case.benefit.decision_end is not None:
        days.add(dates.add_days(case.benefit.decision_end, 1))
    return {day for day in days if first < day <= last}


def _days_used_up(book: Rulebook, case: Case) -> date | None:
    """The first day on which ``case`` (on its ``as_of``) would have used more sjukpenning days than ``book`` allows.

    Only a change day while ``allvarlig_sjukdom`` is not true: with it the days have no limit, and with
    it false the benefit end (the same day) already stops the timeline.
    """
    benefit = case.benefit
    if (benefit.type is not BenefitType.SJUKPENNING or benefit.sjukpenning_days_used is None
            or benefit.allvarlig_sjukdom is True or SP_MAX_DAYS not in book.parameters):
        return None
    most = book.parameters_for(case.as_of).get(SP_MAX_DAYS)
    if most is None or most.value is None:
        return None
    return dates.add_days(case.as_of, most.value - benefit.sjukpenning_days_used + 1)


def _derived_change_days(evaluator: Evaluator, case: Case, decision: Decision, birth: date) -> set[date]:
    """The benefit end, the day the days are used up and the days each leaf condition's kind says it may flip.

    All under the decision's rulebook; ``case`` is the case advanced to the decision's day.
    """
    book = evaluator.rulebook_for(decision.as_of, decision.rulebook.id)
    used_up = _days_used_up(book, case)
    days = {used_up} if used_up is not None else set()
    end = decision.key_dates.benefit_end_exclusive
    if end is not None:
        days.add(end)
    conditions = book.all_conditions()
    for record in decision.conditions:
        cond = conditions[record.condition]
        kind = LEAF_KINDS.get(cond.check)
        if kind is None:
            continue
        params = {name: use.value for name, use in record.parameters_used.items()}
        points = kind.change_points(record.condition, cond, record.facts_used, params)
        days.update(day for day in (_day_of(point, case, birth, record.facts_used) for point in points)
                    if day is not None)
    return days


def _day_of(point: ChangePoint, case: Case, birth: date, facts: dict[str, Any]) -> date | None:
    """The day on which a fact that moves with the calendar reaches a change point (None: it does not move).

    ``as_of`` is the day itself, ``age`` turns on birthdays, sjukpenning days used grow by one a day
    (``case_on``), and so does a derived fact declared ``daily`` (the day of the sickness period): its
    value on ``as_of`` is in ``facts``; every other fact stays as given.
    """
    if point.fact in DAILY_FACTS and facts.get(point.fact) is not None:
        first = point.value if point.inclusive else point.value + 1
        now = facts[point.fact]
        return dates.add_days(case.as_of, first - now) if first > now else None
    if point.fact == "as_of":
        return point.value if point.inclusive else dates.add_days(point.value, 1)
    if point.fact == "age":
        try:
            return dates.birthday(birth, point.value if point.inclusive else point.value + 1)
        except (OverflowError, ValueError):  # an age beyond the calendar: never reached
            return None
    used = case.benefit.sjukpenning_days_used
    if point.fact == "benefit.sjukpenning_days_used" and case.benefit.type is BenefitType.SJUKPENNING \
            and used is not None:
        first = point.value if point.inclusive else point.value + 1
        return dates.add_days(case.as_of, first - used) if first > used else None
    return None


def _statuses(decision: Decision, programmes: list[str]) -> dict[str, tuple[TimelineStatus, list[str]]]:
    for pid in decision.programmes:
        if pid not in programmes:
            programmes.append(pid)
    for pid in decision.not_in_force:
        if pid not in programmes:
            programmes.append(pid)
    result: dict[str, tuple[TimelineStatus, list[str]]] = {}
    for pid in programmes:
        found = decision.programmes.get(pid)
        result[pid] = (found.status.value, list(found.decisive_conditions)) if found else (NOT_IN_FORCE, [])
    return result


def build_timeline(evaluator: Evaluator, case: Case | dict[str, Any], months: int = 24) -> Timeline:
    """The timeline of ``case`` over ``months`` months (see the module docstring).

    Raises ``CaseError`` when the case itself is invalid on its ``as_of``.
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    case, birth, _ = validate_case(case, evaluator.rulebook_for)  # every problem at once (issue 19.4)
    start = case.as_of
    horizon = dates.add_months(start, months)
    last = dates.add_days(horizon, -1)
    evaluated: list[tuple[date, Decision]] = [(start, evaluator.evaluate(case, explain=False))]
    origin_book = evaluator.rulebook_for(case.as_of)
    pending = _static_change_days(evaluator, case, birth, start, last)
    pending |= {d for d in _completion_change_days(evaluator, case, last) if start < d <= last}
    pending |= {d for d in _derived_change_days(evaluator, case, evaluated[0][1], birth) if start < d <= last}
    until, stop_reason, stop_text = last, None, None
    end = evaluated[0][1].key_dates.benefit_end_exclusive
    if end is not None and end <= start:
        until, stop_reason = start, "benefit_ended"
        stop_text = timeline_stop_sv("benefit_ended", end, None)
        pending = set()
    while pending:
        day = min(pending)
        pending.discard(day)
        if end is not None and day >= end:
            until, stop_reason = dates.add_days(end, -1), "benefit_ended"
            stop_text = timeline_stop_sv("benefit_ended", end, None)
            break
        advanced = case_on(case, day)
        try:
            decision = evaluator.evaluate(advanced, explain=False, questions=False, origin=Origin(
                case, origin_book, lambda completed, day=day: case_on(completed, day)) if evaluator.exact else None)
        except CaseError as exc:
            until, stop_reason, stop_text = dates.add_days(day, -1), *_invalid_stop(exc, day)
            break
        evaluated.append((day, decision))
        end = decision.key_dates.benefit_end_exclusive
        pending |= {d for d in _derived_change_days(evaluator, advanced, decision, birth) if day < d <= last}
    return _assemble(start, months, horizon, until, stop_reason, stop_text, evaluated)


def _completion_change_days(evaluator: Evaluator, case: Case, last: date) -> set[date]:
    """Under exact decisions: the days on which a status can change for some allowed answer to the unknown
    facts: those of each part's completions at the ends of their stretches (the Kleene timeline of the case
    with that part filled in); every day when there are too many of them."""
    if not evaluator.exact:
        return set()
    corners = evaluator.corner_cases(case)
    if corners is None:
        return {dates.add_days(case.as_of, n) for n in range(1, (last - case.as_of).days + 1)}
    plain = evaluator.with_exact(False)
    months = 1
    while dates.add_months(case.as_of, months) <= last:
        months += 1
    found: set[date] = set()
    for corner in corners:
        found |= set(build_timeline(plain, corner, months).evaluated_days)
    return found


def _invalid_stop(exc: CaseError, day: date) -> tuple[str, str]:
    """Reason and Swedish text for a timeline that stops because the advanced case is invalid on ``day``."""
    codes = [problem.code for problem in exc.problems]
    if "too_many_days" in codes:
        return DAYS_USED_UP, timeline_stop_sv(DAYS_USED_UP, day, None)
    return (codes[0] if codes else exc.code), timeline_stop_sv("invalid", day, str(exc))


def _assemble(start: date, months: int, horizon: date, until: date, stop_reason: str | None,
              stop_text: str | None, evaluated: list[tuple[date, Decision]]) -> Timeline:
    programmes: list[str] = []
    per_day = [(day, decision.rulebook.id, _statuses(decision, programmes)) for day, decision in evaluated]
    ends = [dates.add_days(day, -1) for day, _, _ in per_day[1:]] + [until]
    segments: dict[str, list[TimelineSegment]] = {pid: [] for pid in programmes}
    spans: list[RulebookSpan] = []
    changes: list[TimelineChange] = []
    previous: dict[str, TimelineStatus] = {}
    for (day, book_id, statuses), end in zip(per_day, ends):
        if spans and spans[-1].rulebook == book_id:
            spans[-1].end = end
        else:
            spans.append(RulebookSpan(rulebook=book_id, start=day, end=end))
        changed: dict[str, tuple[TimelineStatus, TimelineStatus]] = {}
        for pid in programmes:
            status, decisive = statuses.get(pid, (NOT_IN_FORCE, []))
            runs = segments[pid]
            if runs and runs[-1].status == status:
                runs[-1].end = end
                if book_id not in runs[-1].rulebooks:
                    runs[-1].rulebooks.append(book_id)
            else:
                runs.append(TimelineSegment(start=day, end=end, status=status, rulebooks=[book_id],
                                            decisive_conditions=decisive))
            if pid in previous and previous[pid] != status:
                changed[pid] = (previous[pid], status)
            previous[pid] = status
        new_book = len(spans) > 1 and spans[-1].start == day
        if changed or new_book:
            changes.append(TimelineChange(day=day, rulebook=book_id, rulebook_changed=new_book, statuses=changed))
    return Timeline(as_of=start, months=months, horizon=horizon, until=until, stop_reason=stop_reason,
                    stop_text_sv=stop_text, rulebooks=spans, programmes=segments, changes=changes,
                    evaluated_days=[day for day, _ in evaluated])
