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


# --- Every problem at once (issue 19.4) ----------------------------------------------------------------------------
THREE_MISTAKES = {
    "as_of": "2011-03-15",
    "person": {"personnummer": "abc", "employment": "arbetslos"},                         # not a personnummer
    "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 10,
                "decision_end": "2011-12-31"},                                            # not for sjukpenning
    "assessment": {"hours_per_week": "tolv"},                                             # not a number
}
THREE_PROBLEMS = [("person.personnummer", "personnummer_format"), ("benefit.decision_end", "field_not_for_benefit"),
                  ("assessment.hours_per_week", "float_type")]


def test_three_different_mistakes_come_in_one_error_in_contract_order(engine):
    error = _problem(engine, copy.deepcopy(THREE_MISTAKES))
    assert [(p.field, p.code) for p in error.problems] == THREE_PROBLEMS
    assert "abc" not in str(error)


def test_a_rule_reading_a_field_that_failed_its_type_is_skipped(engine):
    # as_of is no date: no rulebook can be chosen, so no rule runs; the other type errors are still all there.
    case = _with("as_of", "15/03/2011")
    case["benefit"]["sjukpenning_days_used"] = "many"
    case["benefit"]["decision_end"] = "2011-12-31"
    error = _problem(engine, case)
    assert [(p.field, p.code) for p in error.problems] == [("as_of", "value_error"),
                                                           ("benefit.sjukpenning_days_used", "int_type")]
    # A bad benefit type: the rules about the benefit are not run on it, the identity still is.
    case = _with("benefit.type", "sjukbidrag")
    case["person"] = {"personnummer": BAD_PNR}
    error = _problem(engine, case)
    assert [(p.field, p.code) for p in error.problems] == [("person.personnummer", "personnummer"),
                                                           ("benefit.type", "enum")]


def test_an_invalid_birth_date_skips_the_rules_on_age(engine):
    case = copy.deepcopy(BASE)
    case["person"]["birth_date"] = "1975-02-30"
    case["benefit"] = {"type": "aktivitetsersattning", "decision_end": "2010-12-31"}
    error = _problem(engine, case)
    assert [(p.field, p.code) for p in error.problems] == [("person.birth_date", "date_from_datetime_parsing"),
                                                           ("benefit.decision_end", "decision_ended")]


@pytest.mark.parametrize(("number", "code", "sv"), [
    ("abc", "personnummer_format", "Skriv personnumret som ÅÅÅÅMMDD-NNNN."),
    ("1981-12-28", "personnummer_format", "Skriv personnumret som ÅÅÅÅMMDD-NNNN."),
    (BAD_PNR, "personnummer", "Personnumret är inte giltigt: kontrollsiffran stämmer inte."),
    ("19811328-9873", "personnummer_date", "Personnumret är inte giltigt: de första siffrorna är inte ett födelsedatum."),
])
def test_personnummer_problem_says_what_is_wrong(engine, number, code, sv):
    from eligibility.decision.texts_sv import problem_sv

    case = copy.deepcopy(BASE)
    case["person"] = {"personnummer": number, "employment": "arbetslos"}
    (problem,) = _problem(engine, case).problems
    assert (problem.field, problem.code) == ("person.personnummer", code)
    assert problem_sv(problem.code, problem.expected, problem.field) == sv
    assert number not in str(problem) and problem.found is None


def test_personnummer_as_a_number_asks_for_the_written_form(engine):
    from eligibility.decision.texts_sv import problem_sv

    (problem,) = _problem(engine, _with("person.personnummer", 198112289874)).problems
    assert problem.code == "string_type"
    assert problem_sv(problem.code, problem.expected, problem.field) == "Skriv personnumret som ÅÅÅÅMMDD-NNNN."


def test_neither_birth_date_nor_personnummer(engine):
    from eligibility.case.fields import contract_fields
    from eligibility.decision.texts_sv import problem_sv

    case = copy.deepcopy(BASE)
    case["person"] = {"employment": "arbetslos"}
    case["benefit"]["sjukpenning_days_used"] = -1
    error = _problem(engine, case)
    assert [(p.field, p.code) for p in error.problems] == [("person.birth_date", "missing_identity"),
                                                           ("benefit.sjukpenning_days_used", "greater_than_equal")]
    assert error.problems[0].field in contract_fields()  # the form has a field to link to
    assert problem_sv("missing_identity", error.problems[0].expected) == "Fyll i personnummer eller födelsedatum."


@pytest.mark.parametrize(("code", "expected", "sv"), [
    ("value_error", "expected a date written YYYY-MM-DD", "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2011-07-06."),
    ("int_type", "Input should be a valid integer", "Skriv ett heltal, till exempel 12."),
    ("greater_than_equal", "Input should be greater than or equal to 0", "Skriv ett värde som är minst 0."),
    ("too_many_days", "at most 914 days unless allvarlig_sjukdom is true",
     "Skriv högst 914 dagar, om personen inte har en allvarlig sjukdom."),
    ("no_rulebook_in_force", "a date covered by a rulebook (on or after 2008-07-01)",
     "Det finns ingen regelversion för bedömningsdagen. Välj en bedömningsdag inom regelversionernas period "
     "(från och med 2008-07-01)."),
])
def test_swedish_problem_texts_say_what_to_write(code, expected, sv):
    from eligibility.decision.texts_sv import problem_sv

    assert problem_sv(code, expected) == sv


def test_every_problem_code_has_a_swedish_text(engine):
    """Each code the consistency rules and the identity checks report has its own text (no 'Ogiltigt värde')."""
    from eligibility.case.consistency import RULES
    from eligibility.case.validate import PERSONNUMMER_EXPECTED
    from eligibility.decision.texts_sv import _PROBLEM_SV

    codes = {rule.code for rule in RULES} | set(PERSONNUMMER_EXPECTED) | {"mismatch", "after_as_of",
                                                                           "missing_identity", "no_rulebook_in_force"}
    assert codes <= set(_PROBLEM_SV), codes - set(_PROBLEM_SV)


def test_frame_and_per_case_give_the_same_problems_at_once(books, engine):
    """The columnar validation reports the same problems, in the same order, as the per-case one."""
    from eligibility.backends.frame import evaluate_caseload
    from eligibility.case.read import CaseLine
    from eligibility.caseload.frame_input import evaluate_lines

    typed = copy.deepcopy(THREE_MISTAKES)
    typed["assessment"] = {"hours_per_week": 200}   # typed, outside the bounds: the frame blanks it
    cases = [typed, _with("person.personnummer", BAD_PNR), {**BASE, "person": {"employment": "arbetslos"}}]
    for case in cases:
        per_case = "; ".join(f"{p.field}: {p.code}" for p in _problem(engine, copy.deepcopy(case)).problems)
        assert evaluate_caseload([case], books)["error"][0] == per_case
    # A value the frame cannot type ("tolv" for a number): the frame names its field with the code ``type``.
    rows = evaluate_lines([CaseLine(1, "a", copy.deepcopy(THREE_MISTAKES))], books, exact=False)
    assert [text.split(": ")[0] for text in rows["error"][0].split("; ")] == [field for field, _ in THREE_PROBLEMS]


def test_check_prints_every_problem_with_field_and_swedish_text(tmp_path):
    from typer.testing import CliRunner

    from eligibility.cli import app

    path = tmp_path / "case.yaml"
    path.write_text("as_of: 2011-03-15\nperson:\n  personnummer: abc\n  employment: arbetslos\nbenefit:\n"
                    "  type: sjukpenning\n  sjukpenning_days_used: 10\n  decision_end: 2011-12-31\n"
                    "assessment:\n  hours_per_week: tolv\n")
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{path}:3: person.personnummer: expected" in result.output
    assert f"{path}:8: benefit.decision_end: expected" in result.output
    assert f"{path}:10: assessment.hours_per_week: expected" in result.output
    for text in ("Skriv personnumret som ÅÅÅÅMMDD-NNNN.", "Uppgiften gäller inte den valda ersättningen. Lämna den tom.",
                 "Skriv ett tal, till exempel 12 eller 12.5."):
        assert f"      {text}" in lines
    assert "abc" not in result.output
