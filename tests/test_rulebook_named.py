"""A named rulebook decides with its own parameters (issue 17 item 4; docs/decisions.md item 73).

Deciding a case under a rulebook B that is not in force on its ``as_of`` (``--rulebook``, ``compare``,
``impact``, the page's comparison) keeps the case's facts of ``as_of`` and reads B's parameters on
``as_of`` clamped to B's period (``Rulebook.parameter_day``): before it on ``valid_from``, after it on
``valid_to``. Every path that picks parameter values comes through that one function: the facts, the
consistency rules, the frame backend's groups and the timeline.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from eligibility import CaseError
from eligibility.backends.frame import evaluate_caseload
from eligibility.case.read import CaseLine
from eligibility.caseload.impact import impact
from eligibility.cli import app
from eligibility.history.compare import compare_case
from eligibility.models import Status, Utfall
from strategies import valid_cases

RULES_OF_2016 = "bedömt enligt reglerna från den 1 februari 2016"
HPS = "handlingsplansamverkan"
# Unemployed, every assessment fact for handlingsplansamverkan positive, 800 of 914 days used on
# 2011-03-15: under the law of 2011 the sjukpenning runs to 2011-07-06, fewer than six months.
SP_2011 = {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02", "employment": "arbetslos"},
           "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 800, "allvarlig_sjukdom": False},
           "assessment": {"fardigutredd": True, "capacity_can_improve": True, "sassam_done": True,
                          "hours_per_week": 12, "months_in_handlingsplansamverkan": 0}}
OUTCOME = {True: "uppfyllt", False: "ej uppfyllt", None: "ej utrett"}


def _record(decision, condition):
    return next(r for r in decision.conditions if r.condition == condition)


def test_parameter_day_clamps_to_the_period(books):
    by_id = {book.id: book for book in books}
    closed, open_ended = by_id["2013-01-01"], by_id["2016-02-01"]
    assert closed.parameter_day(date(2011, 3, 15)) == date(2013, 1, 1)
    assert closed.parameter_day(date(2014, 5, 6)) == date(2014, 5, 6)
    assert closed.parameter_day(date(2017, 3, 1)) == date(2016, 1, 31)
    assert open_ended.parameter_day(date(2011, 3, 15)) == date(2016, 2, 1)
    assert open_ended.parameter_day(date(2030, 1, 1)) == date(2030, 1, 1)
    # 2016-02-01 carries 914 for the days before it (its history); a case decided under it never reads that.
    assert open_ended.parameters_on(date(2011, 3, 15))["sjukpenning_max_dagar"].value == 914
    limit = open_ended.parameters_for(date(2011, 3, 15))["sjukpenning_max_dagar"]
    assert (limit.value, limit.valid_from) == (None, date(2016, 2, 1))
    # 2008-07-01 lists a value from 2011-01-01 (after its period): a 2011 case under it reads its 2009-12-31.
    assert by_id["2008-07-01"].parameters_for(date(2011, 3, 15))["sjukpenning_max_dagar"].valid_from == date(2008, 7, 1)


@pytest.mark.parametrize("backend", ["engine", "reference"])
def test_a_2011_sjukpenning_case_under_2016_has_no_end_and_says_so(backend, engine, reference):
    evaluator = {"engine": engine, "reference": reference}[backend]
    decision = evaluator.evaluate(SP_2011, "2016-02-01")
    assert decision.rulebook.parameters_on == date(2016, 2, 1)
    assert decision.key_dates.benefit_last_day is None and decision.key_dates.benefit_end_exclusive is None
    assert decision.key_dates.sjukpenning_days_left is None
    text = decision.explanation_sv
    assert RULES_OF_2016 in text
    assert "räcker till och med" not in text and "6 juli 2011" not in text  # no contradicting benefit end
    assert "sjukpenningen har ingen bortre tidsgräns" in text
    assert _record(decision, "minst_sex_manader_kvar").outcome is Utfall.UPPFYLLT
    assert decision.programmes[HPS].status is Status.ELIGIBLE
    # Under its own rulebook the same case runs out on 2011-07-06 and is not in handlingsplansamverkan.
    own = evaluator.evaluate(SP_2011)
    assert own.rulebook.id == "2010-01-01" and own.rulebook.parameters_on == date(2011, 3, 15)
    assert own.key_dates.benefit_last_day == date(2011, 7, 6) and "bedömt enligt reglerna" not in own.explanation_sv
    assert own.programmes[HPS].status is Status.NOT_ELIGIBLE


def test_compare_with_2016_names_the_benefit_end_and_the_status_that_change(engine):
    result = compare_case(engine, SP_2011, "2010-01-01", "2016-02-01")
    assert (result.a.parameters_on, result.b.parameters_on) == (date(2011, 3, 15), date(2016, 2, 1))
    hps = next(p for p in result.programmes if p.programme == HPS)
    assert (hps.status_a, hps.status_b) == (Status.NOT_ELIGIBLE, Status.ELIGIBLE)
    assert "minst_sex_manader_kvar" in hps.differing_conditions
    ends = {change.path: (change.before, change.after) for change in result.key_dates}
    assert ends["benefit_last_day"] == (date(2011, 7, 6), None)
    leaf = next(c for c in result.conditions if c.condition == "minst_sex_manader_kvar")
    assert (leaf.outcome_a, leaf.outcome_b) == (Utfall.EJ_UPPFYLLT, Utfall.UPPFYLLT)
    assert "den 6 juli 2011" in leaf.explanation_a_sv and "6 juli 2011" not in leaf.explanation_b_sv


def test_after_the_period_the_rules_of_its_last_day(engine):
    # 2017, 800 days used: under 2013-01-01 (clamped to 2016-01-31) the 914-day limit still applies.
    case = {**SP_2011, "as_of": "2017-03-01"}
    decision = engine.evaluate(case, "2013-01-01")
    assert decision.rulebook.parameters_on == date(2016, 1, 31)
    assert decision.key_dates.sjukpenning_days_left == 114
    assert decision.key_dates.benefit_last_day == date(2017, 6, 22)
    assert "bedömt enligt reglerna som gällde den 31 januari 2016, regelversionens sista dag" in decision.explanation_sv
    assert engine.evaluate(case).key_dates.benefit_last_day is None  # the law in force has no limit


def test_a_case_inside_the_rulebooks_period_is_unchanged(engine, books):
    for book in books:
        day = book.valid_from.isoformat()
        case = {**SP_2011, "as_of": day}
        named, own = engine.evaluate(case, book.id), engine.evaluate(case)
        assert named.rulebook.id == own.rulebook.id == book.id
        assert named.model_dump() == own.model_dump()
        assert named.rulebook.parameters_on == book.valid_from
        assert "bedömt enligt reglerna" not in named.explanation_sv


def test_validation_under_the_named_rulebook_uses_its_law(engine, books):
    # 950 days in 2017 without allvarlig sjukdom: valid under 2016-02-01 (no limit), but 2013-01-01's law
    # (read on 2016-01-31) allows 914: both backends refuse it on the days, as 2013-01-01 would.
    case = {**SP_2011, "as_of": "2017-03-01", "benefit": {**SP_2011["benefit"], "sjukpenning_days_used": 950}}
    engine.evaluate(case)
    with pytest.raises(CaseError) as exc:
        engine.evaluate(case, "2013-01-01")
    assert [(p.field, p.code) for p in exc.value.problems] == [("benefit.sjukpenning_days_used", "too_many_days")]
    assert "at most 914 days" in exc.value.problems[0].expected
    row = evaluate_caseload([case], books, "2013-01-01").to_dicts()[0]
    assert row["error"] == "benefit.sjukpenning_days_used: too_many_days"
    # The other way round: a 2011 case with 950 days is invalid under its own law, valid under 2016-02-01.
    early = {**case, "as_of": "2011-03-15"}
    with pytest.raises(CaseError):
        engine.evaluate(early)
    assert engine.evaluate(early, "2016-02-01").programmes[HPS].status is Status.ELIGIBLE
    # A benefit B does not have stays refused on benefit.type (TBS under 2013-01-01).
    tbs = {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02"},
           "benefit": {"type": "tidsbegransad_sjukersattning", "decision_end": "2011-12-31"}}
    engine.evaluate(tbs)
    with pytest.raises(CaseError) as exc:
        engine.evaluate(tbs, "2013-01-01")
    assert exc.value.problems[0].code == "benefit_not_in_force"
    assert "benefit.type: benefit_not_in_force" in evaluate_caseload([tbs], books, "2013-01-01")["error"][0]


def _assert_same(row: dict, decision) -> None:
    groups = {g.target_group for g in decision.target_groups}
    assert row["error"] is None
    assert row["rulebook"] == decision.rulebook.id
    for record in decision.conditions:
        column = ("target_group." if record.condition in groups else "condition.") + record.condition
        assert OUTCOME[row[column]] == record.outcome.value, record.condition
    for pid, programme in decision.programmes.items():
        assert row[f"status.{pid}"] == programme.status.value, pid
    for name, value in dataclasses.asdict(decision.key_dates).items():
        assert row[f"key_dates.{name}"] == value, name
    assert row["beyond_reviewed_law"] == decision.beyond_reviewed_law


def _same_under(books, engine, cases, rulebook_id):
    rows = evaluate_caseload(cases, books, rulebook_id).to_dicts()
    assert len(rows) == len(cases)
    for case, row in zip(cases, rows):
        try:
            decision = engine.evaluate(case, rulebook_id, explain=False)
        except CaseError as exc:
            assert row["error"] is not None, exc.problems
            assert [f"{p.field}: {p.code}" for p in exc.problems] == row["error"].split("; ")
            continue
        _assert_same(row, decision)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases=st.lists(valid_cases(), min_size=20, max_size=20), pick=st.integers(0, 4))
def test_the_frame_backend_under_a_named_rulebook_equals_the_per_case_evaluator(books, engine, cases, pick):
    # Random valid cases of every period (each valid under its own rulebook), decided under one named
    # rulebook: every outcome, status, key date and error is the per-case evaluator's.
    _same_under(books, engine, cases, books[pick % len(books)].id)


@pytest.mark.parametrize("rulebook_id", ["2008-07-01", "2010-01-01", "2012-01-01", "2013-01-01", "2016-02-01"])
def test_golden_days_outside_the_period_under_both_backends(books, engine, rulebook_id):
    # Long before the first rulebook, the day before and the first day of each period, long after.
    days = ["1990-06-01", "2008-07-01", "2009-12-31", "2010-01-01", "2011-12-31", "2012-01-01", "2012-12-31",
            "2013-01-01", "2016-01-31", "2016-02-01", "2030-01-01"]
    cases = []
    for day in days:
        for used in (0, 800, 913, 950):
            for serious in (False, None, True):
                case = copy.deepcopy(SP_2011)
                case["as_of"] = day
                case["person"]["birth_date"] = "1960-01-31"
                case["benefit"].update(sjukpenning_days_used=used, allvarlig_sjukdom=serious)
                cases.append(case)
        cases.append({"as_of": day, "person": {"birth_date": "1990-02-15"},
                      "benefit": {"type": "aktivitetsersattning", "decision_end": "2020-12-31"}})
        cases.append({"as_of": day, "person": {"birth_date": "1960-02-15"},
                      "benefit": {"type": "tidsbegransad_sjukersattning", "decision_end": "2012-12-31",
                                  "tbs_extension_months_used": 3}})
    _same_under(books, engine, cases, rulebook_id)


def _shortly_running_out(count: int) -> list[CaseLine]:
    """Sjukpenning cases of 2014 with 800..800+count-1 of 914 days used: fewer than six months left."""
    items = []
    for i in range(count):
        case = copy.deepcopy(SP_2011)
        case["as_of"] = "2014-05-06"
        case["benefit"]["sjukpenning_days_used"] = 800 + 10 * i
        items.append(CaseLine(i + 1, f"sp-{i + 1}", case))
    items.append(CaseLine(count + 1, "plenty", {**SP_2011, "as_of": "2014-05-06",
                                                "benefit": {**SP_2011["benefit"], "sjukpenning_days_used": 100}}))
    return items


@pytest.mark.parametrize("per_case", [False, True])
def test_impact_2013_to_2016_changes_handlingsplansamverkan(engine, per_case):
    items = _shortly_running_out(6)
    report = impact(items, engine, "2013-01-01", "2016-02-01", per_case=per_case)
    assert report.decided == 7 and report.problems == []
    hps = report.programmes[HPS]
    assert hps.changed == 6
    assert hps.matrix[("not_eligible", "eligible")] == 6 and hps.matrix[("eligible", "eligible")] == 1
    assert hps.causes["minst_sex_manader_kvar"] == 6
    assert hps.examples[("not_eligible", "eligible")] == ["sp-1", "sp-2", "sp-3"]
    # The same caseload the other way round: the 2014 cases under 2016 have no end, under 2013 they do.
    back = impact(items, engine, "2016-02-01", "2013-01-01", per_case=per_case)
    assert back.programmes[HPS].matrix[("eligible", "not_eligible")] == 6


def test_cli_impact_reports_the_changed_statuses(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps({"id": item.case_id, **item.data}) + "\n" for item in _shortly_running_out(4)),
                    encoding="utf-8")
    for extra in ([], ["--per-case"]):
        result = CliRunner().invoke(app, ["impact", str(path), "--from", "2013-01-01", "--to", "2016-02-01",
                                          "--format", "md", *extra])
        assert result.exit_code == 0, result.output
        section = result.output.split("## Handlingsplansamverkan")[1].split("## ")[0]
        assert "Ändrad bedömning: 4 personer (4 blir berättigade" in section


def test_check_with_a_named_rulebook_says_which_rules_judged(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(SP_2011), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path), "--rulebook", "2016-02-01", "--json"])
    assert result.exit_code == 0, result.output
    decision = json.loads(result.output)
    assert decision["rulebook"]["parameters_on"] == "2016-02-01"
    assert decision["key_dates"]["benefit_last_day"] is None
    assert RULES_OF_2016 in decision["explanation_sv"]


@pytest.fixture(scope="module")
def client():
    import io

    from fastapi.testclient import TestClient

    from api import create_app
    from api.audit import AuditLog
    from api.settings import Settings

    with TestClient(create_app(Settings(), audit=AuditLog(io.StringIO()))) as test_client:
        yield test_client


def test_the_api_compare_decides_b_with_its_own_parameters(client):
    result = client.post("/v1/decisions/compare", params={"a": "2010-01-01", "b": "2016-02-01"}, json=SP_2011)
    assert result.status_code == 200, result.text
    body = result.json()
    assert (body["a"]["parameters_on"], body["b"]["parameters_on"]) == ("2011-03-15", "2016-02-01")
    hps = next(p for p in body["programmes"] if p["programme"] == HPS)
    assert (hps["status_a"], hps["status_b"]) == ("not_eligible", "eligible")
    named = client.post("/v1/decisions", params={"rulebook": "2016-02-01"}, json=SP_2011).json()
    assert named["key_dates"]["benefit_last_day"] is None and RULES_OF_2016 in named["explanation_sv"]


def _form(**extra: str) -> dict[str, str]:
    return {"as_of": "2011-03-15", "person.birth_date": "1975-06-02", "person.employment": "arbetslos",
            "benefit.type": "sjukpenning", "benefit.sjukpenning_days_used": "800", "benefit.allvarlig_sjukdom": "nej",
            "assessment.fardigutredd": "ja", "assessment.capacity_can_improve": "ja", "assessment.sassam_done": "ja",
            "assessment.hours_per_week": "12", "assessment.months_in_handlingsplansamverkan": "0", **extra}


def test_the_page_comparison_says_which_rules_judged_the_other_rulebook(client):
    html = client.post("/", data=_form(compare_rulebook="2016-02-01")).text
    assert html.count('class="parameter-day"') == 1
    assert RULES_OF_2016 in html
    plain = client.post("/", data=_form()).text
    assert 'class="parameter-day"' not in plain and "bedömt enligt reglerna" not in plain
