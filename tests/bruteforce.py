"""A brute-force oracle for exact decisions (``Evaluator(exact=True)``, decision/exact.py).

Independent of the exact layer: it enumerates *completions* of a case's
unknown fields by values of its own choosing and decides each with the plain
Kleene evaluator (``Evaluator(books, "reference", exact=False)``). A completion is allowed
when validation accepts it (``evaluate`` raises ``CaseError`` otherwise).

Candidate values (generous rather than clever):

* yes/no fields: both answers; coded fields: every code;
* a number a ``jamforelse`` condition compares with a parameter: the
  parameter's value, one step below and above, one below and above that, and
  both ends of the contract's bounds (``contract_fields()`` ``ge``/``le``);
* the days used of sjukpenning and the decision's last day: the values that
  put the first day without benefit (``as_of + (max - days)``, ``decision_end
  + 1``; domain brief section 4) on, the day before and the day after every
  day where a leaf can change: ``as_of`` + the months of each months-left
  condition, arbetslivsintroduktion's last start day, the first of the month
  of every age limit's birthday (the age at the end of the benefit's month)
  and of the next month, the aktivitetsersättning age limit; for the decision
  also the day a ``jamforelse`` compares it with (the TBS last day), the end of
  the point-8 months, ``as_of`` and the far ends (2299-12-31, 9999-12-30);
  for days also 0, 1, the limit -1/+0/+1 and the contract's top (36 500);
* the sickness period's first day: the days that make day N of
  ``sjukperioden_har_passerat_dag_181`` (and rehabiliteringskedjan's other
  fixed days) fall on ``as_of``, +-1, plus ``as_of``, the day after and far back.

A yes/no field no value of which validation accepts for the case (nobody is
refused the benefit they have; only someone without benefit can have lost
sjukpenning) cannot hold: it is decided as *nej* (docs/decisions.md 72, the
domain brief section 5: never a question the contract would not accept). Any
other field no value of which is accepted (a field of another benefit) stays
unknown. Only the unknown fields some condition of the case's rulebook reads
(through the derived facts' declared reads) are completed.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from eligibility import CaseError, Evaluator
from eligibility.backends.reference import ReferenceRulebook
from eligibility.case.fields import IDENTITY, SUPPORTED_LAST, contract_fields
from eligibility.case.validate import birth_date_of, check_against_rulebook, parse_case
from eligibility.decision.evaluator import decide_outcomes
from eligibility.decision.texts_sv import FACT_LABEL_SV, date_long_sv, value_sv
from eligibility.facts.derive import build_facts
from eligibility.facts.derived import DERIVED_BY_NAME
from eligibility.models import Decision, Status, Utfall
from eligibility.rulebooks.plan import Plan, make_plan
from eligibility.rulebooks.rulebook import Rulebook

SPECS = contract_fields()
FILLABLE = tuple(p for p in SPECS if p.split(".", 1)[0] in ("person", "assessment") and p not in IDENTITY)
"""Fields no consistency rule reads: any value is valid, so a test may fill them in to keep a case small."""


def _expand(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
    if name in DERIVED_BY_NAME and name not in seen:
        return set().union(*(_expand(r, seen | {name}) for r in DERIVED_BY_NAME[name].reads))
    return {name}


_PLANS: dict[str, Plan] = {}


def plan_of(book: Rulebook) -> Plan:
    if book.id not in _PLANS:
        _PLANS[book.id] = make_plan(book)
    return _PLANS[book.id]


def fields_read(book: Rulebook) -> set[str]:
    """The case fields some leaf condition of ``book`` reads (through the derived facts)."""
    found: set[str] = set()
    for planned in plan_of(book).order:
        for name in planned.facts_read if planned.leaf else ():
            found |= _expand(name)
    return {f for f in found if f in SPECS and f not in IDENTITY and f != "as_of"}


def get(case: Mapping[str, Any], path: str) -> Any:
    section, name = path.split(".", 1)
    return (case.get(section) or {}).get(name)


def with_values(case: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    done = {k: (dict(v) if isinstance(v, dict) else v) for k, v in case.items()}
    for path, value in values.items():
        section, name = path.split(".", 1)
        done.setdefault(section, {})[name] = value.isoformat() if isinstance(value, date) else value
    return done


def unknown_fields(case: Mapping[str, Any], book: Rulebook) -> list[str]:
    """The unknown case fields the rulebook's conditions read, in contract order."""
    read = fields_read(book)
    return [p for p in SPECS if p in read and get(case, p) is None]


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _around(days: Iterable[date], spread: int = 1) -> set[date]:
    out = set()
    for day in days:
        for shift in range(-spread, spread + 1):
            try:
                out.add(day + timedelta(days=shift))
            except OverflowError:
                pass
    return out


def candidate_values(path: str, as_of: date, birth: date, book: Rulebook) -> list[Any]:
    """The values a completion tries for ``path`` (see the module docstring)."""
    spec = SPECS[path]
    if spec.type is bool:
        return [True, False]
    if spec.codes:
        return list(spec.codes)
    params = {name: p.value for name, p in book.parameters_for(as_of).items()}
    conditions = book.all_conditions()
    compared = [params[c.parameters["value"]] for c in conditions.values()
                if c.check == "jamforelse" and c.fact == path and params.get(c.parameters["value"]) is not None]
    if spec.type in (int, float) and path != "benefit.sjukpenning_days_used":
        step = 1 if spec.type is int else 10 ** -4
        values = {spec.ge or 0, spec.le if spec.le is not None else 36_500}
        for limit in compared:
            values |= {limit - 2 * step, limit - step, limit, limit + step, limit + 2 * step, limit - 1, limit + 1}
        return sorted(round(v, 4) if spec.type is float else int(v) for v in values
                      if (spec.ge is None or v >= spec.ge) and (spec.le is None or v <= spec.le))
    # The days where a leaf reading the benefit's end can change (for the first day without benefit).
    ends: set[date] = set()
    for cond in conditions.values():
        if cond.check in ("kvarvarande_tid_minst", "kvarvarande_tid_under"):
            ends.add(as_of + relativedelta(months=params[cond.parameters["months"]]))
        if cond.check == "alder_inom":
            for age in (params[cond.parameters["min"]], params[cond.parameters["max"]] + 1):
                birthday = birth + relativedelta(years=age)
                ends |= {_first_of_month(birthday), _first_of_month(birthday) + relativedelta(months=1), birthday}
    if params.get("ali_senaste_startdag") is not None:
        ends |= {params["ali_senaste_startdag"], params["ali_senaste_startdag"] + timedelta(days=1)}
    ae_limit = _first_of_month(birth + relativedelta(years=params["ae_hogsta_alder"] + 1))
    ends.add(ae_limit)
    ends.add(as_of)
    ends = _around(ends)
    if path == "benefit.sjukpenning_days_used":
        most = params.get("sjukpenning_max_dagar")
        values = {0, 1, 36_500}
        if most is not None:
            values |= {most - 1, most, most + 1}
            # More days than the limit need allvarlig sjukdom, and then the days do not end the benefit.
            values |= {most - (end - as_of).days for end in ends if most - (end - as_of).days <= most + 2}
        return sorted(v for v in values if 0 <= v <= 36_500)
    if path == "benefit.decision_end":
        days = {end - timedelta(days=1) for end in ends}
        days |= _around(v for v in compared if isinstance(v, date))
        if params.get("tbs_max_forlangning_manader") is not None:
            days |= _around([ae_limit + relativedelta(months=params["tbs_max_forlangning_manader"]) - timedelta(days=1)])
        days |= _around([as_of]) | {SUPPORTED_LAST, date(9999, 12, 30)}
        return sorted(days)
    if path == "benefit.sickness_period_start":
        days = {as_of, as_of + timedelta(days=1), as_of - timedelta(days=36_500), date(1800, 1, 1)}
        numbers = [params[c.parameters["value"]] for c in conditions.values()
                   if c.check == "jamforelse" and c.fact == "sickness_period_day"]
        numbers += [params[n] for n in params if n.startswith("rehabkedjan_dag")]
        days |= _around(as_of - timedelta(days=n - 1) for n in numbers)
        return sorted(days)
    raise AssertionError(f"no candidate values for {path}")


@dataclass
class Outcome:
    """What the Kleene evaluator decides for one allowed completion."""

    values: tuple[Any, ...]
    statuses: dict[str, Status]
    outcomes: dict[str, Utfall]
    key_dates: dict[str, Any]


@dataclass
class BruteForce:
    """Every allowed completion of a case's unknown fields, each decided by the Kleene evaluator."""

    case: dict[str, Any]
    book: Rulebook
    fields: list[str]
    """The enumerated unknown fields (those with some allowed value)."""
    domains: dict[str, list[Any]]
    forced_false: list[str]
    """Yes/no fields no answer of which validation accepts for the case: decided as nej."""
    left_unknown: list[str]
    """Other unknown fields no value of which is accepted (another benefit's): stay unknown."""
    rows: list[Outcome] = field(default_factory=list)

    def statuses(self, pid: str) -> set[Status]:
        return {row.statuses[pid] for row in self.rows}

    def outcomes(self, cond_id: str) -> set[Utfall]:
        return {row.outcomes[cond_id] for row in self.rows}

    def contexts(self, index: int) -> dict[tuple[Any, ...], list[Outcome]]:
        """The rows grouped by the values of every field but ``fields[index]``."""
        groups: dict[tuple[Any, ...], list[Outcome]] = {}
        for row in self.rows:
            groups.setdefault(row.values[:index] + row.values[index + 1:], []).append(row)
        return groups

    def moves(self, path: str) -> set[str]:
        """The programmes whose status changes between two completions that differ only in ``path``."""
        index = self.fields.index(path)
        moved: set[str] = set()
        for rows in self.contexts(index).values():
            for pid in rows[0].statuses:
                if len({row.statuses[pid] for row in rows}) > 1:
                    moved.add(pid)
        return moved

    def witness(self, path: str, pid: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """Two completions that differ only in ``path`` and give ``pid`` different statuses (as field values)."""
        index = self.fields.index(path)
        for rows in self.contexts(index).values():
            for a, b in itertools.combinations(rows, 2):
                if a.statuses[pid] is not b.statuses[pid]:
                    return dict(zip(self.fields, a.values)), dict(zip(self.fields, b.values))
        return None


class Oracle:
    """Brute force over candidate completions with the plain Kleene evaluator."""

    def __init__(self, books: list[Rulebook]) -> None:
        self.kleene = Evaluator(books, "reference", exact=False)
        self._refs = {book.id: ReferenceRulebook(book) for book in books}
        self._spaces: dict[str, Any] = {}

    def decide(self, case: Mapping[str, Any], forced_false: list[str] = ()) -> Outcome | None:
        """The Kleene decision of one completed case; None when validation refuses it."""
        if not forced_false:
            try:
                decision = self.kleene.evaluate(dict(case), explain=False)
            except CaseError:
                return None
            return Outcome((), {p: r.status for p, r in decision.programmes.items()},
                           {r.condition: r.outcome for r in decision.conditions},
                           dataclasses.asdict(decision.key_dates))
        # A forbidden yes/no fact cannot hold: the same Kleene decision with it set to nej in the facts.
        try:
            parsed = parse_case(dict(case))
            birth = birth_date_of(parsed)
            book = self.kleene.rulebook_for(parsed.as_of)
            check_against_rulebook(parsed, birth, book)
            facts = build_facts(parsed, birth, book)
        except (CaseError, OverflowError, ValueError):
            return None
        for name in forced_false:
            facts.facts[name] = False
        outcomes, statuses = decide_outcomes(plan_of(book), self._refs[book.id], facts)
        return Outcome((), statuses, outcomes, dataclasses.asdict(facts.key_dates))

    def space(self, case: Mapping[str, Any]) -> tuple[Rulebook, list[str], dict[str, list[Any]], list[str], list[str]]:
        """The case's rulebook, enumerated fields with their candidate values, forced-nej and left-unknown fields."""
        key = repr(case)
        if key not in self._spaces:
            if len(self._spaces) > 256:
                self._spaces.clear()
            self._spaces[key] = self._space(case)
        return self._spaces[key]

    def _space(self, case: Mapping[str, Any]) -> tuple[Rulebook, list[str], dict[str, list[Any]], list[str], list[str]]:
        parsed = parse_case(dict(case))
        birth = birth_date_of(parsed)
        book = self.kleene.rulebook_for(parsed.as_of)
        fields, domains, forced, left = [], {}, [], []
        for path in unknown_fields(case, book):
            values = candidate_values(path, parsed.as_of, birth, book)
            alone = any(self.decide(with_values(case, {path: v})) is not None for v in values)
            if not alone and SPECS[path].type is bool:
                forced.append(path)
            elif not alone and not _any_valid_with_others(self, case, path, values):
                left.append(path)
            else:
                fields.append(path)
                domains[path] = values
        return book, fields, domains, forced, left

    def size(self, case: Mapping[str, Any]) -> int:
        """How many completions ``enumerate`` tries (allowed or not)."""
        _, fields, domains, _, _ = self.space(case)
        total = 1
        for path in fields:
            total *= len(domains[path])
        return total

    def rough_size(self, case: Mapping[str, Any]) -> int:
        """An upper bound of ``size`` without any validation (cheap)."""
        parsed = parse_case(dict(case))
        birth = birth_date_of(parsed)
        book = self.kleene.rulebook_for(parsed.as_of)
        total = 1
        for path in unknown_fields(case, book):
            total *= len(candidate_values(path, parsed.as_of, birth, book))
        return total

    def enumerate(self, case: Mapping[str, Any]) -> BruteForce:
        book, fields, domains, forced, left = self.space(case)
        result = BruteForce(dict(case), book, fields, domains, forced, left)
        for combo in itertools.product(*(domains[p] for p in fields)):
            outcome = self.decide(with_values(case, dict(zip(fields, combo))), forced)
            if outcome is not None:
                outcome.values = combo
                result.rows.append(outcome)
        return result


def _any_valid_with_others(oracle: Oracle, case: Mapping[str, Any], path: str, values: list[Any]) -> bool:
    """Whether some value of ``path`` is accepted once one other unknown yes/no field is answered (the
    consistency rules tie one yes/no field to a value: days over the limit need allvarlig sjukdom, a TBS
    decision's last day the point-8 flag)."""
    parsed = parse_case(dict(case))
    book = oracle.kleene.rulebook_for(parsed.as_of)
    others = [p for p in unknown_fields(case, book) if p != path and SPECS[p].type is bool]
    for base in [{other: answer} for other in others for answer in (True, False)]:
        if any(oracle.decide(with_values(case, {**base, path: v})) is not None for v in values):
            return True
    return False


# --- reading the answers of an exact question ------------------------------------------------------------------
_MONTHS_SV = {date_long_sv(date(2001, m, 1)).split(" ")[1]: m for m in range(1, 13)}


def _parse_value(path: str, text: str) -> Any:
    spec = SPECS[path]
    if spec.type is date:
        day, month, year = text.split(" ")
        return date(int(year), _MONTHS_SV[month], int(day))
    return spec.type(float(text)) if spec.type is int else float(text)


def answer_class(path: str, answer_sv: str) -> tuple[Any, Any] | Any:
    """The values an answer stands for: ``("value", v)`` for yes/no and codes, ``("range", low, high)`` for
    numbers and dates (``None``: open at that end), read back from the Swedish answer text."""
    spec = SPECS[path]
    if spec.type is bool or spec.codes:
        by_text = {value_sv(v): v for v in ([True, False] if spec.type is bool else spec.codes)}
        assert answer_sv in by_text, (path, answer_sv)
        return ("value", by_text[answer_sv])
    label = FACT_LABEL_SV.get(path, path)
    assert answer_sv.startswith(label), (path, answer_sv)
    rest = answer_sv[len(label):]
    if rest == ": vilket värde som helst":
        return ("range", None, None)
    if rest.startswith(" högst "):
        return ("range", None, _parse_value(path, rest[len(" högst "):]))
    if rest.startswith(" minst "):
        return ("range", _parse_value(path, rest[len(" minst "):]), None)
    assert rest.startswith(" från ") and " till och med " in rest, (path, answer_sv)
    low, high = rest[len(" från "):].split(" till och med ")
    return ("range", _parse_value(path, low), _parse_value(path, high))


def in_class(value: Any, klass: tuple[Any, ...]) -> bool:
    if klass[0] == "value":
        return value == klass[1]
    _, low, high = klass
    return (low is None or value >= low) and (high is None or value <= high)


def decision_parts(decision: Decision) -> dict[str, Any]:
    """What two exact decisions must agree on: statuses, outcomes, key dates and the questions with answers."""
    return {
        "statuses": {p: r.status for p, r in decision.programmes.items()},
        "outcomes": {r.condition: r.outcome for r in decision.conditions},
        "target_groups": {g.target_group: g.outcome for g in decision.target_groups},
        "key_dates": dataclasses.asdict(decision.key_dates),
        "questions": [(q.fact, list(q.programmes),
                       [(a.answer_sv, dict(a.statuses), a.text_sv, dict(a.key_dates)) for a in q.answers])
                      for q in decision.questions],
    }
