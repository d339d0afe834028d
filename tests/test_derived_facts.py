"""Each case-level derived fact's frame form equals its per-case form (``facts/derived.py``).

The declarations are compiled twice: ``facts/derive.py`` runs the per-case
forms for one case, ``backends/frame.py`` the frame forms over a caseload.
Here every declaration is held to itself: over a frame of random valid cases
(unknown facts included) and the parameters of every rulebook, the frame
form's column equals, row by row, the per-case form run on that row
(``DerivedFact.plain``), each given the same input columns.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.case.fields import BIRTH
from eligibility.case.read_frame import normalise, to_frame
from eligibility.facts.derive import build_facts
from eligibility.facts.derived import DERIVED, FACT_NAMES, KEY_DATES
from eligibility.case.validate import birth_date_of, parse_case
from strategies import valid_cases


def _frame(cases: list[dict]) -> pl.DataFrame:
    frame, _ = normalise(to_frame(cases))
    return frame.with_columns(pl.col("person.birth_date").alias(BIRTH))


def _parameter_sets(books) -> list[dict]:
    """The parameter values of every rulebook on its first day and (where they change) later."""
    sets = []
    for book in books:
        days = sorted({book.valid_from} | {d for p in book.parameters.values() for d in p.values if d > book.valid_from
                                           and (book.valid_to is None or d <= book.valid_to)})
        sets += [{name: p.value for name, p in book.parameters_on(day).items()} for day in days]
    return sets


@settings(max_examples=30, deadline=None)
@given(cases=st.lists(valid_cases(), min_size=1, max_size=25))
def test_every_frame_form_equals_its_per_case_form(books, cases):
    for params in _parameter_sets(books):
        frame = _frame(cases)
        for item in DERIVED:
            frame = frame.with_columns(item.frame(params).alias(item.name))
            got = frame[item.name]
            expected = frame.select(item.plain(params)).to_series()
            assert got.to_list() == expected.to_list(), item.name


def test_each_declaration_reads_only_what_it_names(books):
    """``plain`` hands the per-case form only the columns in ``reads``: a rule reading more fails here."""
    cases = [{"as_of": "2011-03-15", "person": {"birth_date": "1983-04-30"},
              "benefit": {"type": "aktivitetsersattning", "decision_end": "2013-06-30"}},
             {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02"},
              "benefit": {"type": "sjukpenning", "allvarlig_sjukdom": False}}]
    frame = _frame(cases)
    params = _parameter_sets(books)[0]
    for item in DERIVED:
        frame = frame.with_columns(item.frame(params).alias(item.name))
        frame.select(item.plain(params))  # raises KeyError if the per-case form reads an undeclared fact


def test_frame_columns_are_what_the_per_case_facts_and_key_dates_hold(books):
    """The same declarations, end to end: ``build_facts`` (one case) and the frame (all rows) agree on the
    derived facts a condition reads and on the key dates, for an AE case capped by the age limit."""
    case = {"as_of": "2012-03-01", "person": {"birth_date": "1982-06-10"},
            "benefit": {"type": "aktivitetsersattning", "decision_end": "2013-12-31"}}
    parsed = parse_case(case)
    birth = birth_date_of(parsed)
    book = next(b for b in books if b.valid_from <= date(2012, 3, 1) and (b.valid_to is None or date(2012, 3, 1) <= b.valid_to))
    facts = build_facts(parsed, birth, book)
    params = facts.parameter_values()
    frame = _frame([case])
    for item in DERIVED:
        frame = frame.with_columns(item.frame(params).alias(item.name))
    row = frame.row(0, named=True)
    for name in FACT_NAMES:
        assert row[name] == facts.facts.get(name), name
    for item in KEY_DATES:
        assert row[item.name] == getattr(facts.key_dates, item.name.removeprefix("key_dates.")), item.name
    assert facts.key_dates.aktivitetsersattning_end == date(2012, 5, 31)  # the month before the 30th birthday


@pytest.mark.parametrize("name", ["benefit_has_end", "benefit_end_exclusive", "age_at_benefit_end"])
def test_an_unknown_end_names_the_field_that_would_make_it_known(books, name):
    case = {"as_of": "2010-05-01", "person": {"birth_date": "1970-01-01"},
            "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 300}}
    parsed = parse_case(case)
    book = next(b for b in books if b.valid_from <= date(2010, 5, 1) and (b.valid_to is None or date(2010, 5, 1) <= b.valid_to))
    facts = build_facts(parsed, birth_date_of(parsed), book)
    assert name not in facts.facts
    assert facts.unknown_because[name] == ["benefit.allvarlig_sjukdom"]
