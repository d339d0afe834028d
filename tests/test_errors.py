"""Bad input: a clear error naming the field and what was expected, never a default."""

from __future__ import annotations

import copy

import pytest

from eligibility import CaseError, RulebookNotFoundError

BASE = {
    "as_of": "2011-03-15",
    "person": {"birth_date": "1975-06-02", "employment": "arbetslos"},
    "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 700, "allvarlig_sjukdom": False},
    "assessment": {"fardigutredd": True},
}
VALID_PNR = "198112289874"   # fictitious, correct check digit
BAD_PNR = "198112289875"


def _with(path: str, value):
    case = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node = case
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return case


def _problem(engine, case):
    with pytest.raises(CaseError) as caught:
        engine.evaluate(case)
    return caught.value


@pytest.mark.parametrize(("path", "value", "field", "expected_words"), [
    ("benefit.colour", "blue", "benefit.colour", "no such field"),
    ("benefit.type", "sjukbidrag", "benefit.type", "sjukpenning"),
    ("benefit.sjukpenning_days_used", -1, "benefit.sjukpenning_days_used", "greater than or equal to 0"),
    ("benefit.sjukpenning_days_used", 10.5, "benefit.sjukpenning_days_used", "integer"),
    ("benefit.sjukpenning_days_used", "700", "benefit.sjukpenning_days_used", "integer"),
    ("benefit.allvarlig_sjukdom", "ja", "benefit.allvarlig_sjukdom", "boolean"),
    ("benefit.sjukpenning_days_used", 915, "benefit.sjukpenning_days_used", "at most 914"),
    ("as_of", "15/03/2011", "as_of", "YYYY-MM-DD"),
    ("as_of", 1300000000, "as_of", "YYYY-MM-DD"),
    ("as_of", "2008-06-30", "as_of", "covered by a rulebook"),
    ("person.birth_date", "2012-01-01", "person.birth_date", "on or before as_of"),
    ("assessment.hours_per_week", 200, "assessment.hours_per_week", "less than or equal to 168"),
])
def test_field_errors_name_field_and_expectation(engine, path, value, field, expected_words):
    error = _problem(engine, _with(path, value))
    matching = [p for p in error.problems if p.field == field]
    assert matching, error.problems
    assert expected_words in matching[0].expected


def test_missing_required_field(engine):
    case = copy.deepcopy(BASE)
    del case["benefit"]["type"]
    error = _problem(engine, case)
    assert error.problems[0].field == "benefit.type"
    assert "required" in error.problems[0].expected


def test_all_problems_are_reported_at_once(engine):
    case = _with("benefit.sjukpenning_days_used", -3)
    case["benefit"]["extra"] = 1
    error = _problem(engine, case)
    assert {p.field for p in error.problems} == {"benefit.sjukpenning_days_used", "benefit.extra"}


def test_personnummer_gives_birth_date(engine):
    case = copy.deepcopy(BASE)
    case["person"] = {"personnummer": VALID_PNR, "employment": "arbetslos"}
    decision = engine.evaluate(case)
    assert decision.key_dates.birthday_30.isoformat() == "2011-12-28"


def test_invalid_personnummer_is_rejected_without_echo(engine):
    case = copy.deepcopy(BASE)
    case["person"] = {"personnummer": BAD_PNR}
    error = _problem(engine, case)
    assert error.problems[0].field == "person.personnummer"
    assert "check digit" in error.problems[0].expected
    assert BAD_PNR not in str(error) and "19811228" not in str(error)


def test_personnummer_and_birth_date_must_agree(engine):
    case = copy.deepcopy(BASE)
    case["person"] = {"personnummer": VALID_PNR, "birth_date": "1981-12-29"}
    error = _problem(engine, case)
    assert error.problems[0].field == "person.birth_date"
    assert "1981" not in str(error)


def test_person_without_birth_date_or_personnummer(engine):
    case = copy.deepcopy(BASE)
    case["person"] = {"employment": "arbetslos"}
    problem = _problem(engine, case).problems[0]
    assert (problem.field, problem.code) == ("person.birth_date", "missing_identity")  # a field that exists


def test_person_values_are_never_echoed(engine):
    case = _with("person.personnummer", 1234567890)
    error = _problem(engine, case)
    assert "1234567890" not in str(error)


def test_tbs_after_2012_is_inconsistent(engine):
    # From 2013-01-01 the rulebook has no tidsbegränsad sjukersättning at all (rules/2013-01-01).
    case = copy.deepcopy(BASE)
    case["as_of"] = "2013-01-02"
    case["benefit"] = {"type": "tidsbegransad_sjukersattning", "decision_end": "2013-06-30"}
    error = _problem(engine, case)
    assert [(p.field, p.code) for p in error.problems] == [("benefit.type", "benefit_not_in_force")]
    assert "rulebook 2013-01-01" in str(error)
    # Dated in 2012, a decision running past 2012-12-31 is still named on its own field.
    case["as_of"] = "2012-12-30"
    error = _problem(engine, case)
    assert "benefit.decision_end" in {p.field for p in error.problems}
    assert "2012-12-31" in str(error)


def test_aktivitetsersattning_outside_ages(engine):
    case = copy.deepcopy(BASE)
    case["benefit"] = {"type": "aktivitetsersattning", "decision_end": "2011-12-31"}
    error = _problem(engine, case)  # born 1975: 35 years old
    assert error.problems[0].field == "benefit.type"
    assert "18-29" in error.problems[0].expected


def test_field_for_another_benefit_type(engine):
    case = copy.deepcopy(BASE)
    case["benefit"]["decision_end"] = "2011-12-31"
    error = _problem(engine, case)
    assert error.problems[0].field == "benefit.decision_end"
    assert "tidsbegransad_sjukersattning" in error.problems[0].expected


def test_unknown_rulebook_name(engine):
    with pytest.raises(RulebookNotFoundError, match="does not exist"):
        engine.evaluate(BASE, rulebook_id="1999-01-01")


def test_named_rulebook_is_used(engine):
    decision = engine.evaluate(_with("as_of", "2010-03-15"), rulebook_id="2008-07-01")
    assert decision.rulebook.id == "2008-07-01"
    assert "arbetslivsintroduktion" in decision.not_in_force
