"""Each case consistency rule's frame form equals its per-case form (``case/consistency.py``).

The rules are compiled twice: ``validate.check_against_rulebook`` runs the
per-case forms for one case, ``validate_frame.rulebook_rules`` the frame forms
over a caseload. Here every rule is held to itself on random, mostly
*inconsistent* rows (fields given for the wrong benefit, too many days, TBS
after its last day, AE at any age), under the parameters of every rulebook.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility.case.consistency import BENEFIT_FIELDS, DERIVED_READ, RULES
from eligibility.facts.derived import DERIVED_BY_NAME
from eligibility.case.validate import law_in_force
from eligibility.case.validate_frame import benefit_in_force, rulebook_rules
from eligibility.models import BenefitType

_maybe_bool = st.one_of(st.none(), st.booleans())
_day = st.dates(min_value=date(2008, 7, 1), max_value=date(2020, 12, 31))


@st.composite
def _rows(draw: st.DrawFn) -> dict:
    as_of = draw(_day)
    birth = as_of - timedelta(days=draw(st.integers(15 * 365, 70 * 365)))
    return {
        "as_of": as_of, "__birth": birth,
        "benefit.tbs_after_aktivitetsersattning_at_30": draw(_maybe_bool),
        "benefit.sickness_period_start": draw(st.one_of(st.none(), st.integers(-5, 800).map(
            lambda n: as_of - timedelta(days=n)))),
        "benefit.type": draw(st.sampled_from([t.value for t in BenefitType])),
        "benefit.sjukpenning_days_used": draw(st.one_of(st.none(), st.integers(0, 1200),
                                                        st.sampled_from([914, 915]))),
        "benefit.allvarlig_sjukdom": draw(_maybe_bool),
        "benefit.decision_end": draw(st.one_of(st.none(), st.integers(-3, 2000).map(
            lambda n: as_of + timedelta(days=n)))),
        "benefit.tbs_extension_months_used": draw(st.one_of(st.none(), st.integers(0, 30))),
        "benefit.sjukpenning_ended": draw(_maybe_bool),
        "benefit.sjukersattning_refused": draw(_maybe_bool),
        "benefit.aktivitetsersattning_refused": draw(_maybe_bool),
    }


def _laws(books):
    return [(book, law_in_force(book, day)) for book in books
            for day in sorted({book.valid_from} | {d for p in book.parameters.values() for d in p.values
                                                   if d > book.valid_from and (book.valid_to is None or d <= book.valid_to)})]


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(_rows(), min_size=1, max_size=30))
def test_every_frame_form_equals_its_per_case_form(books, rows):
    frame = pl.DataFrame(rows)
    for book, law in _laws(books):
        typed = frame.with_columns(benefit_in_force(book))
        for name in ("__birth_key", *DERIVED_READ):  # the derived facts the rules read (held to their per-case forms
            typed = typed.with_columns(DERIVED_BY_NAME[name].frame(law.params).alias(name))  # in test_derived_facts)
        for rule in RULES:
            mask = rule.frame(law, frozenset())
            expected = typed.select(rule.plain(law)).to_series().to_list()
            got = [False] * len(rows) if mask is None else typed.select(mask.fill_null(False)).to_series().to_list()
            for i, row in enumerate(rows):
                if rule.stops or row["benefit.type"] in law.benefits:  # the compiler gates the rest by IN_FORCE
                    assert got[i] == expected[i], (rule.field, rule.code, book.id, typed.row(i, named=True))


def test_a_rule_that_cannot_fire_is_left_out(books):
    """A field null on every row (``absent``) drops the rules that need it; the others stay."""
    book = books[0]
    law = law_in_force(book, book.valid_from)
    everything = rulebook_rules(book, dict(law.params))
    without = rulebook_rules(book, dict(law.params), frozenset({"benefit.decision_end"}))
    names = {r.meta.output_name() for r in everything} - {r.meta.output_name() for r in without}
    assert names == {"benefit.decision_end: decision_ended", "benefit.decision_end: tbs_after_last_day",
                     "benefit.decision_end: field_not_for_benefit", "benefit.decision_end: after_point8_months"}


@pytest.mark.parametrize(("case", "code"), [
    ({"benefit.type": "sjukpenning", "benefit.sjukpenning_days_used": 915, "benefit.allvarlig_sjukdom": False},
     "too_many_days"),
    ({"benefit.type": "aktivitetsersattning", "age": 30}, "age_outside_benefit"),
    ({"benefit.type": "sjukersattning", "benefit.sjukersattning_refused": True}, "field_not_for_benefit"),
])
def test_the_per_case_form_reports_the_law_it_read(books, case, code):
    book = books[0]
    law = law_in_force(book, date(2010, 3, 1))
    facts = {"as_of": date(2010, 3, 1), "age": 40, "__ae_limit": date(2000, 1, 1), "__tbs_point8_last_day": None,
             **dict.fromkeys(f"benefit.{name}" for name in BENEFIT_FIELDS), **case}
    broken = [rule for rule in RULES if rule.breaks(facts, law)]
    assert [rule.code for rule in broken] == [code]


def test_expected_texts_name_the_limits_of_the_rulebook(books):
    book = books[0]
    law = law_in_force(book, date(2010, 3, 1))
    texts = {rule.code: rule.expected(law, {}) for rule in RULES if rule.code in ("too_many_days", "too_many_months")}
    assert texts["too_many_days"] == f"at most {law['sjukpenning_max_dagar']} days unless allvarlig_sjukdom is true"
    assert texts["too_many_months"] == f"at most {law['tbs_max_forlangning_manader']}"
