"""The valid case space (``case/space.py``): the generators built on it, and the space against the rules.

(a) The generators keep their output: sha256 of a sample of each, pinned
    from the code before it was rebuilt on the space (decision 68). A change
    to rules/ that moves the space (a new rulebook, a changed limit) may
    change these on purpose; then re-pin in the same commit and say so.
(b) Whatever a generator draws is accepted by the validator: the hypothesis
    strategy, ``random_cases``, ``caseload/synth`` over random ranges and the
    regression corpus's case generator on every boundary day.
(c) The space is the rulebooks': its bounds are the parameter values in force
    day by day, each edge of the space is an edge of what validation accepts
    (the last valid value passes, the next one is refused), and in a copy of
    the rules with changed parameters the space and the generators follow.
"""

from __future__ import annotations

import hashlib
import json
import random
import typing
from datetime import date, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility import CaseError, Evaluator, load_rulebooks, select_rulebook
from eligibility.case.consistency import POINT8, YES_NO_BENEFIT_FIELDS
from eligibility.case.space import LATER_FACTS, LAW_PARAMETERS, CaseSpace, case_space
from eligibility.caseload.synth import generate, synth_case
from eligibility.history.snapshot import _synthetic_case, default_dir, read_jsonl, synthetic_corpus
from eligibility.models import Benefit
from random_cases import generate_cases
from rule_copies import edit
from strategies import BOUNDARY_DAYS, LAST_DAY, valid_cases

SPACE = case_space()
TBS, AE, SP = "tidsbegransad_sjukersattning", "aktivitetsersattning", "sjukpenning"


def _sha(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()


def _accepted(evaluator: Evaluator, case: dict[str, Any]) -> bool:
    try:
        evaluator.evaluate({k: v for k, v in case.items() if k != "id"}, explain=False)
    except CaseError:
        return False
    return True


# --- (a) the generators' output is pinned ------------------------------------------------------------------
@pytest.mark.parametrize(("seed", "digest"), [
    (0, "5a96952a12ed575fd0cf47bcb526486d8c7804a01541314fcf58a5a0246a186a"),
    (1, "0374ab3ba2fdbeea1ba9fdaadd2cfa699486b3371d0b579647052cf3dbf6f34b"),
    (7, "818f82a79da5b1285da79956a629edf8aa65046aec5cef9a29e600a4ab7725bb"),
])
def test_random_cases_are_pinned(seed, digest):
    assert _sha(generate_cases(800, seed)) == digest


@pytest.mark.parametrize(("seed", "days", "digest"), [
    (7, None, "3f54e407015c109d94c6431e4cdf70b9d1272cb741fa8ed766325f40cba17fbd"),
    (3, (date(2008, 7, 1), date(2020, 12, 31)), "0be7f69b146de735a3703bd2b9cda5d1bbbc43fbc7cdc955999721fe701fb029"),
    (11, (date(2013, 1, 1), date(2020, 12, 31)), "d5e3723d42cded954c89ea551b10c5fa6bf937186cf240700f2ceaa32ae570ea"),
])
def test_synth_is_pinned(seed, days, digest):
    """Without the facts added later (issue 16), synth writes what it wrote before: the batch benchmark's input."""
    cases = list(generate(800, seed, later_facts=False) if days is None else generate(800, seed, *days, later_facts=False))
    assert _sha(cases) == digest


def _without_later_facts(case: dict) -> dict:
    return {**case, "benefit": {k: v for k, v in case["benefit"].items() if k not in LATER_FACTS}}


def test_the_later_facts_only_add_fields(engine):
    """With the later facts every other field keeps its value (they come from a stream of their own)."""
    plain, full = list(generate(500, 7, later_facts=False)), list(generate(500, 7))
    assert [_without_later_facts(c) for c in full] == plain
    assert any(c["benefit"].get("sickness_period_start") for c in full)
    assert any(c["benefit"].get("tbs_after_aktivitetsersattning_at_30") is False for c in full)
    corpus = synthetic_corpus(engine, 120, 5)
    assert [{**item, "case": _without_later_facts(item["case"])} for item in corpus] == \
        synthetic_corpus(engine, 120, 5, later_facts=False)


def test_the_corpus_generator_still_makes_the_frozen_corpus(engine):
    corpus = synthetic_corpus(engine, 520, 20080701, later_facts=False)
    assert _sha(corpus) == "acb5e3c2138732dc1f114be5a5b49ad5398f6e6b5fd2ba264a96ca1596a6ff46"
    assert corpus == read_jsonl(default_dir() / "corpus.jsonl")
    assert _sha(synthetic_corpus(engine, 200, 5, later_facts=False)) == \
        "0cdf25b217cd98b63e8db536d54001394718abdd4f92eb7d2f85559331490340"


# --- (b) every generated case is valid -----------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(case=valid_cases())
def test_the_strategy_draws_only_valid_cases(engine, case):
    assert _accepted(engine, case), case


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_random_cases_are_valid(engine, seed):
    for case in generate_cases(20, seed):
        assert _accepted(engine, case), case


_DAYS = st.integers(SPACE.covered.first.toordinal(), LAST_DAY.toordinal()).map(date.fromordinal)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), first=st.one_of(_DAYS, st.sampled_from(BOUNDARY_DAYS)),
       length=st.integers(0, 4000))
def test_synth_cases_are_valid_on_any_range(engine, seed, first, length):
    rng = random.Random(seed)  # as generate() draws, without loading the rules for every example
    for index in range(20):
        case = synth_case(rng, index, first, first + timedelta(days=length), SPACE)
        assert _accepted(engine, case), case


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), as_of=st.one_of(_DAYS, st.sampled_from(BOUNDARY_DAYS)))
def test_the_corpus_generator_draws_only_valid_cases(engine, seed, as_of):
    rng = random.Random(seed)
    for _ in range(10):
        case = _synthetic_case(rng, as_of, SPACE)
        assert _accepted(engine, case), case


def test_the_strategy_covers_the_edges():
    """The variety the property tests rely on: every type, the boundary days, TBS to its last day, AE 18-29."""
    assert set(SPACE.benefit_types) == {SP, TBS, "sjukersattning", AE, "ingen"}
    assert set(SPACE.boundary_days) <= set(BOUNDARY_DAYS)
    assert SPACE.as_of(TBS).last in BOUNDARY_DAYS
    assert (SPACE.ae_ages(LAST_DAY).low, SPACE.ae_ages(LAST_DAY).high) == (18, 29)


# --- (c) the space is the rules' and validation's ------------------------------------------------------------
def _days_to_check(books) -> list[date]:
    days = set(SPACE.boundary_days) | {date(2011, 1, 1), date(2011, 6, 15), date(2014, 3, 3), LAST_DAY}
    for book in books:
        days |= {book.valid_from} | ({book.valid_to} if book.valid_to else set())
        days |= {start for p in book.parameters.values() for start in p.values if book.covers(start)}
    return sorted(days)


def test_the_bounds_are_the_parameter_values_in_force(books):
    space = case_space(books)
    assert space.covered.first == books[0].valid_from and space.covered.last == books[-1].valid_to
    for day in _days_to_check(books):
        book = select_rulebook(books, day)
        for name in LAW_PARAMETERS:
            assert space.value(name, day) == book.parameter(name, day).value, (name, day)
        for kind in space.benefit_types:
            assert space.has(kind, day) == (kind in book.meta.benefits and (
                kind != TBS or day <= (book.parameter("tbs_senaste_slutdag", day).value or date.min))), (kind, day)
        limit = book.parameter("sjukpenning_max_dagar", day).value
        assert space.sjukpenning_days(day).high == (space.number("benefit.sjukpenning_days_used").high
                                                    if limit is None else limit)
        assert space.ae_ages(day).low == book.parameter("ae_lagsta_alder", day).value
        assert space.ae_ages(day).high == book.parameter("ae_hogsta_alder", day).value
    assert space.sjukpenning_day_limit == 914  # seed 000: the limit, until it was abolished
    assert space.number("assessment.hours_per_week").high == 168


def _case(as_of: date, kind: str, age: int = 40, **benefit: Any) -> dict[str, Any]:
    birth = as_of - relativedelta(years=age)
    return {"as_of": as_of.isoformat(), "person": {"birth_date": birth.isoformat()},
            "benefit": {"type": kind, **benefit}}


def _edges_hold(space: CaseSpace, evaluator: Evaluator, days: list[date]) -> None:
    """On each day, the space's last valid value is accepted and the next one refused."""
    def ok(case):
        return _accepted(evaluator, case)

    for kind in space.benefit_types:
        for span in space.as_of_spans[kind]:
            assert ok(_case(span.first, kind, 20)) and ok(_case(span.last or LAST_DAY, kind, 20)), (kind, span)
            assert not ok(_case(span.first - timedelta(days=1), kind, 20)), (kind, span)
            if span.last is not None:
                assert not ok(_case(span.last + timedelta(days=1), kind, 20)), (kind, span)
    for day in days:
        most = space.sjukpenning_days(day).high
        assert ok(_case(day, SP, sjukpenning_days_used=most)), day
        assert not ok(_case(day, SP, sjukpenning_days_used=most + 1)), day
        assert ok(_case(day, SP, sjukpenning_days_used=space.sjukpenning_day_limit + 1, allvarlig_sjukdom=True)), day
        ages = space.ae_ages(day)
        assert ok(_case(day, AE, ages.low)) and ok(_case(day, AE, ages.high)), day
        assert not ok(_case(day, AE, ages.low - 1)) and not ok(_case(day, AE, ages.high + 1)), day
        assert ok(_case(day, AE, ages.low, decision_end=day.isoformat()))
        assert not ok(_case(day, AE, ages.low, decision_end=(day - timedelta(days=1)).isoformat()))
        assert ok(_case(day, "ingen", 0)) and not ok(_case(day, "ingen", -1)), day  # born on as_of at the latest
        if not space.has(TBS, day):
            continue
        months = space.tbs_extension_months(day)
        assert ok(_case(day, TBS, tbs_extension_months_used=months.high)), day
        assert not ok(_case(day, TBS, tbs_extension_months_used=months.high + 1)), day
        end = space.decision_end(TBS, day).last
        assert ok(_case(day, TBS, decision_end=end.isoformat())), day
        assert not ok(_case(day, TBS, decision_end=(end + timedelta(days=1)).isoformat())), day
    for kind in space.benefit_types:
        day = space.as_of(kind).first
        for name in sorted(set().union(*space.benefit_fields.values())):
            age = space.ae_ages(day).low if kind == AE else 40
            if name in YES_NO_BENEFIT_FIELDS:  # false is consistent with every benefit type (decision 75)
                assert ok(_case(day, kind, age, **{name: False})), (kind, name)
                if name == POINT8.split(".", 1)[1]:
                    continue  # its true has rules of its own (from 2009-06-15, after the AE ended)
            assert ok(_case(day, kind, age, **{name: _a_value(name, day)})) == (name in space.fields(kind)), (kind, name)


def _a_value(name: str, day: date) -> Any:
    """A value of benefit field ``name`` that no rule but the field's benefit type refuses on ``day`` (a yes/no
    field: true, since false is consistent with every benefit type)."""
    annotation = Benefit.model_fields[name].annotation
    while typing.get_origin(annotation) is not None:  # Optional[...] and Annotated[...] down to the type
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return {date: day.isoformat(), int: 1, float: 1.0}.get(annotation, True)


def test_the_edges_of_the_space_are_the_edges_of_validation(reference, books):
    _edges_hold(SPACE, reference, _days_to_check(books))


def test_the_space_follows_the_rules(rules):
    """Changed limits in a copy of the rules: the space, validation and the corpus generator move together."""
    edit(rules / "2012-01-01" / "parameters.yaml", "      value: 2012-12-31", "      value: 2012-06-30")
    edit(rules / "2010-01-01" / "parameters.yaml",
         "    2011-01-01:\n      value: 914", "    2011-01-01:\n      value: 800")
    edit(rules / "2010-01-01" / "parameters.yaml",
         "    2011-01-01:\n      value: 18", "    2011-01-01:\n      value: 12")
    edit(rules / "2016-02-01" / "parameters.yaml", "      value: 29", "      value: 31")
    books = load_rulebooks(rules)
    space = case_space(books)
    assert space.as_of(TBS).last == date(2012, 6, 30)
    assert {date(2012, 6, 30), date(2012, 7, 1), date(2010, 12, 31), date(2011, 1, 1)} <= set(space.boundary_days)
    assert space.decision_end(TBS, date(2012, 3, 1)).last == date(2012, 6, 30)
    assert space.sjukpenning_days(date(2011, 6, 1)).high == 800 and space.sjukpenning_days(date(2012, 6, 1)).high == 914
    assert space.sjukpenning_day_limit == 800
    assert space.tbs_extension_months(date(2011, 6, 1)).high == 12
    assert space.tbs_extension_months(date(2010, 6, 1)).high == 18
    assert space.ae_ages(date(2016, 2, 1)).high == 31 and space.ae_ages(date(2016, 1, 31)).high == 29
    evaluator = Evaluator(books, "reference")
    _edges_hold(space, evaluator, _days_to_check(books))
    rng = random.Random(3)
    for day in _days_to_check(books):
        for _ in range(5):
            case = _synthetic_case(rng, day, space)
            assert _accepted(evaluator, case), case
