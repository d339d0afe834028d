"""What would change it (issue 17 item 3): the facts decisive against a programme and the smallest change.

The change is verified by deciding the changed case; the thresholds are read from the rulebook here too,
never written into the test.
"""

from __future__ import annotations

import copy
import io
import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eligibility.case.fields import IDENTITY, actionable_fields, contract_fields
from eligibility.cli import app
from eligibility.decision import remedies
from eligibility.decision import texts_sv as sv
from eligibility.decision.phrases_sv import number_sv
from eligibility.facts.derived import DERIVED
from eligibility.models import Status

HPS = "handlingsplansamverkan"
SASSAM, HOURS, FARDIG = "assessment.sassam_done", "assessment.hours_per_week", "assessment.fardigutredd"
CORPUS = Path(__file__).parent / "regression" / "corpus.jsonl"
BIRTH = "1975-06-02"


def _brief(**assessment) -> dict:
    """The case of the brief: sjukpenning 2011-03-15, unemployed, 300 of 914 days, Sassam not done, 8 hours."""
    return {"as_of": "2011-03-15", "person": {"birth_date": BIRTH, "employment": "arbetslos"},
            "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 300, "allvarlig_sjukdom": False},
            "assessment": {"fardigutredd": True, "capacity_can_improve": True, "sassam_done": False,
                           "hours_per_week": 8.0, "months_in_handlingsplansamverkan": 0.0, **assessment}}


def _changed(case: dict, changes: dict) -> dict:
    changed = copy.deepcopy(case)
    for path, value in changes.items():
        section, name = path.split(".")
        changed[section][name] = value
    return changed


def _threshold(evaluator, case: dict, fact: str):
    """The value the rulebook in force compares ``fact`` with (the condition that reads it, its parameter)."""
    book = evaluator.rulebook_for(date.fromisoformat(case["as_of"]))
    [cond] = [c for c in book.programmes[HPS].conditions if book.all_conditions()[c].fact == fact]
    return book.parameters_on(date.fromisoformat(case["as_of"]))[book.all_conditions()[cond].parameters["value"]].value


class _Counting:
    """The evaluator, counting the full decisions the search makes of changed cases."""

    def __init__(self, evaluator):
        self.evaluator, self.decided = evaluator, 0

    def plan_for(self, rulebook_id):
        return self.evaluator.plan_for(rulebook_id)

    def evaluate(self, case, rulebook_id=None, *, explain=True):
        self.decided += 1
        return self.evaluator.evaluate(case, rulebook_id, explain=explain)


def _with_count(evaluator, case: dict, monkeypatch):
    """The decision of ``case`` and the number of changed cases its search decided."""
    counting = _Counting(evaluator)
    real = remedies.attach_remedies
    monkeypatch.setattr("eligibility.decision.evaluator.attach_remedies",
                        lambda ev, decision, *rest: real(counting, decision, *rest))
    decision = evaluator.evaluate(case)
    return decision, counting.decided


# --- the case of the brief ----------------------------------------------------------------------

@pytest.mark.parametrize("backend", ["engine", "reference"])
def test_the_brief_case_names_sassam_and_hours_and_needs_both(backend, request):
    evaluator = request.getfixturevalue(backend)
    case = _brief()
    decision = evaluator.evaluate(case)
    hps = decision.programmes[HPS]
    assert hps.status is Status.NOT_ELIGIBLE
    assert [(f.fact, f.value) for f in hps.decisive_against] == [(SASSAM, False), (HOURS, 8.0)]
    assert [f.conditions for f in hps.decisive_against] == [["sassam_kartlaggning_gjord"],
                                                            ["klarar_minst_tio_timmar"]]
    threshold = _threshold(evaluator, case, HOURS)
    assert [(c.fact, c.from_value, c.to_value) for c in hps.would_change] == [(SASSAM, False, True),
                                                                             (HOURS, 8.0, threshold)]
    assert hps.would_change_sv == (f"Om en kartläggning enligt Sassam görs och personen klarar minst {number_sv(threshold)} "
                                   "timmar i veckan uppfyller personen villkoren för handlingsplansamverkan.")
    assert [c.text_sv for c in hps.would_change] == [
        "En kartläggning enligt Sassam görs.", f"Personen klarar minst {number_sv(threshold)} timmar i veckan."]
    # the suggestion is exact: the changed case is eligible, and neither change alone is enough
    changes = {c.fact: c.to_value for c in hps.would_change}
    assert evaluator.evaluate(_changed(case, changes)).status_of(HPS) is Status.ELIGIBLE
    for fact, value in changes.items():
        assert evaluator.evaluate(_changed(case, {fact: value})).status_of(HPS) is Status.NOT_ELIGIBLE
    # the nearest threshold: just below it is not enough
    below = round(threshold - 10 ** -4, 4)
    assert evaluator.evaluate(_changed(case, {SASSAM: True, HOURS: below})).status_of(HPS) is Status.NOT_ELIGIBLE


def test_the_brief_case_costs_one_decision_of_a_changed_case(engine, monkeypatch):
    decision, decided = _with_count(engine, _brief(), monkeypatch)
    assert decision.programmes[HPS].would_change
    assert decided == 1


def test_one_fact_short_gives_the_single_change_in_the_brief_s_words(engine):
    case = _brief(sassam_done=True, hours_per_week=9.5)
    hps = engine.evaluate(case).programmes[HPS]
    threshold = _threshold(engine, case, HOURS)
    assert [(c.fact, c.from_value, c.to_value) for c in hps.would_change] == [(HOURS, 9.5, threshold)]
    assert hps.would_change_sv == (f"Om personen klarar minst {number_sv(threshold)} timmar i veckan uppfyller personen "
                                   "villkoren för handlingsplansamverkan.")
    assert [(f.fact, f.value) for f in hps.decisive_against] == [(HOURS, 9.5)]


def test_three_facts_short_are_changed_together(engine):
    case = _brief(fardigutredd=False)
    hps = engine.evaluate(case).programmes[HPS]
    assert [c.fact for c in hps.would_change] == [FARDIG, SASSAM, HOURS]
    assert engine.evaluate(_changed(case, {c.fact: c.to_value for c in hps.would_change})).status_of(HPS) \
        is Status.ELIGIBLE


def test_an_unknown_actionable_fact_can_be_the_change_of_an_undetermined_programme(engine):
    case = _brief(sassam_done=None, hours_per_week=12.0)
    hps = engine.evaluate(case).programmes[HPS]
    assert hps.status is Status.UNDETERMINED
    assert [(f.fact, f.value, f.text_sv) for f in hps.decisive_against] == [
        (SASSAM, None, "Sassam-kartläggning gjord: inte utrett")]
    assert [(c.fact, c.from_value, c.to_value) for c in hps.would_change] == [(SASSAM, None, True)]


# --- what the law fixes gets no suggestion ------------------------------------------------------

def test_only_the_benefit_end_against_gets_no_suggestion(engine, monkeypatch):
    case = _brief(sassam_done=True, hours_per_week=12.0)
    case["benefit"]["sjukpenning_days_used"] = 850   # fewer than six months left
    decision, decided = _with_count(engine, case, monkeypatch)
    hps = decision.programmes[HPS]
    assert hps.status is Status.NOT_ELIGIBLE and hps.decisive_conditions == ["minst_sex_manader_kvar"]
    assert {f.fact for f in hps.decisive_against} == {"as_of", "benefit_has_end", "benefit_end_exclusive"}
    assert hps.would_change == []
    assert hps.would_change_sv == sv.no_change_sv(hps.name_sv, False)
    assert decided == 0


def test_an_actionable_fact_beside_the_benefit_end_gets_no_suggestion_either(engine, monkeypatch):
    case = _brief(sassam_done=True, hours_per_week=8.0)
    case["benefit"]["sjukpenning_days_used"] = 850
    decision, decided = _with_count(engine, case, monkeypatch)
    hps = decision.programmes[HPS]
    assert {f.fact for f in hps.decisive_against} >= {HOURS, "benefit_end_exclusive"}
    assert hps.would_change == [] and decided == 0


def test_only_the_age_against_gets_no_suggestion(engine, monkeypatch):
    case = {"as_of": "2012-06-01", "person": {"birth_date": "1947-03-02", "employment": "arbetslos"},
            "benefit": {"type": "tidsbegransad_sjukersattning", "decision_end": "2012-12-31",
                        "tbs_extension_months_used": 18},
            "assessment": {"stadigvarande_nedsatt_arbetsformaga": True}}
    decision, decided = _with_count(engine, case, monkeypatch)
    provning = decision.programmes["provning_varaktig_sjukersattning"]
    assert provning.status is Status.NOT_ELIGIBLE
    assert [f.fact for f in provning.decisive_against] == ["age_at_benefit_end"]
    assert provning.would_change == [] and decided == 0


@pytest.mark.parametrize("hours, suggested", [(12, 12.0), (12.5, 12.5), (200, None)])
def test_the_threshold_comes_from_the_rule_file(rules, hours, suggested):
    """Edit the rulebook's threshold: the suggestion follows; one beyond the contract's bound (168) is none."""
    from eligibility import Evaluator, load_rulebooks
    from rule_copies import edit

    threshold = "aktivitet\n  unit: hour\n  values:\n    2008-07-01:\n      value: "
    edit(rules / "2010-01-01" / "parameters.yaml", threshold + "10\n", f"{threshold}{hours}\n")
    evaluator = Evaluator(load_rulebooks(rules))
    hps = evaluator.evaluate(_brief()).programmes[HPS]
    if suggested is None:
        assert hps.would_change == [] and hps.would_change_sv == sv.no_change_sv(hps.name_sv, False)
    else:
        assert [(c.fact, c.to_value) for c in hps.would_change] == [(SASSAM, True), (HOURS, suggested)]
        assert f"klarar minst {number_sv(suggested)} timmar" in hps.would_change_sv


def test_an_open_condition_the_person_cannot_act_on_is_named_as_still_to_be_utrett(books):
    """allvarlig_sjukdom unknown: under Kleene the months left stay open, so no actionable change is sure to be
    enough; the exact layer (issue 17 item 1) decides them, and the change is found and verified under it."""
    from eligibility import Evaluator

    case = _brief()
    del case["benefit"]["allvarlig_sjukdom"]
    kleene = Evaluator(books, exact=False).evaluate(case).programmes[HPS]
    assert kleene.status is Status.NOT_ELIGIBLE and kleene.would_change == []
    assert kleene.would_change_sv == sv.no_change_sv(kleene.name_sv, True)
    assert "innan det som saknas är utrett" in kleene.would_change_sv
    exact = Evaluator(books, exact=True)
    hps = exact.evaluate(case).programmes[HPS]
    assert [(c.fact, c.to_value) for c in hps.would_change] == [(SASSAM, True), (HOURS, _threshold(exact, case, HOURS))]
    changed = _changed(case, {c.fact: c.to_value for c in hps.would_change})
    assert exact.evaluate(changed).status_of(HPS) is Status.ELIGIBLE


def test_a_search_cut_by_the_cap_claims_nothing(engine, monkeypatch):
    monkeypatch.setattr(remedies, "MAX_DECISIONS", 0)
    hps = engine.evaluate(_brief()).programmes[HPS]
    assert hps.would_change == [] and hps.would_change_sv == ""
    assert hps.decisive_against   # what decided is still listed


def test_eligible_programmes_and_decisions_without_explanations_carry_nothing(engine):
    case = _brief(sassam_done=True, hours_per_week=12.0)
    hps = engine.evaluate(case).programmes[HPS]
    assert hps.status is Status.ELIGIBLE
    assert (hps.decisive_against, hps.would_change, hps.would_change_sv) == ([], [], "")
    quiet = engine.evaluate(_brief(), explain=False).programmes[HPS]
    assert (quiet.decisive_against, quiet.would_change, quiet.would_change_sv) == ([], [], "")


def test_a_named_rulebook_decides_the_changed_cases_under_that_rulebook(engine):
    case = _brief()
    hps = engine.evaluate(case, "2010-01-01").programmes[HPS]
    changes = {c.fact: c.to_value for c in hps.would_change}
    assert engine.evaluate(_changed(case, changes), "2010-01-01").status_of(HPS) is Status.ELIGIBLE


# --- over the regression corpus: exact, actionable, never personal -----------------------------

def _corpus():
    return [json.loads(line)["case"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_suggestion_in_the_corpus_is_exact_actionable_and_impersonal(engine):
    from eligibility import CaseError

    actionable = {f.path for f in actionable_fields()}
    suggested = 0
    for case in _corpus():
        try:
            decision = engine.evaluate(case)
        except CaseError:
            continue
        text = json.dumps([[f.fact for f in p.decisive_against] for p in decision.programmes.values()])
        for programme in decision.programmes.values():
            if programme.status is Status.ELIGIBLE:
                assert not programme.decisive_against and not programme.would_change
                continue
            assert programme.decisive_against, (programme.programme, case)
            assert not {f.fact for f in programme.decisive_against} & {*IDENTITY, "__birth"}
            if not programme.would_change:
                continue
            suggested += 1
            assert {c.fact for c in programme.would_change} <= actionable
            changed = _changed(case, {c.fact: c.to_value for c in programme.would_change})
            assert engine.evaluate(changed, explain=False).status_of(programme.programme) is Status.ELIGIBLE
            assert programme.would_change_sv.startswith("Om ")
        for value in (case["person"].get("birth_date"), case["person"].get("personnummer")):
            assert value is None or str(value) not in text
    assert suggested >= 20


def test_a_personnummer_never_appears_among_the_decisive_facts(engine):
    case = _brief()
    case["person"] = {"personnummer": "19811228-9874", "employment": "arbetslos"}
    decision = engine.evaluate(case)
    dumped = json.dumps([[(f.fact, str(f.value), f.text_sv) for f in p.decisive_against] +
                         [(c.fact, c.text_sv) for c in p.would_change] for p in decision.programmes.values()])
    assert "19811228" not in dumped and "9874" not in dumped and "1981-12-28" not in dumped


# --- the contract -------------------------------------------------------------------------------

def test_the_actionable_fields_are_declared_in_the_contract():
    assert [f.path for f in actionable_fields()] == [FARDIG, SASSAM, HOURS]
    fields = contract_fields()
    assert not fields["assessment.capacity_can_improve"].actionable   # a medical judgment
    assert not fields["benefit.sjukpenning_days_used"].actionable and not fields["person.birth_date"].actionable


def test_no_derived_fact_reads_an_actionable_field_and_conditions_read_each_directly(books):
    """The search changes a field and re-folds the conditions that read it; a derived fact in between would
    go stale in the cheap Kleene filter (the full decision would still be right)."""
    actionable = {f.path for f in actionable_fields()}
    assert not [item.name for item in DERIVED if actionable & set(item.reads)]
    read = {fact for book in books for cond in book.all_conditions().values() for fact in cond.facts or []}
    assert actionable <= read


def test_every_fact_a_condition_reads_has_a_swedish_label(engine, books):
    unlabelled = set()
    for book in books:
        plan = engine.plan_for(book.id)
        for planned in plan.order:
            for fact in planned.facts_read:
                if fact not in planned.derived and sv.fact_label_sv(fact) == fact:
                    unlabelled.add(fact)
    assert unlabelled == set()


# --- JSON, CLI, API, page -----------------------------------------------------------------------

def test_the_decision_json_has_the_new_members(engine):
    data = json.loads(engine.evaluate(_brief()).model_dump_json())
    hps = data["programmes"][HPS]
    assert hps["decisive_against"][0] == {"fact": SASSAM, "value": False, "text_sv": "Sassam-kartläggning gjord: nej",
                                          "conditions": ["sassam_kartlaggning_gjord"]}
    assert [(c["fact"], c["from_value"], c["to_value"]) for c in hps["would_change"]][0] == (SASSAM, False, True)
    assert hps["would_change_sv"].startswith("Om en kartläggning enligt Sassam görs")
    ali = data["programmes"]["arbetslivsintroduktion"]
    assert {"fact": "benefit_end_exclusive", "value": "2012-11-18"}.items() <= ali["decisive_against"][2].items()


def test_eligibility_check_prints_what_would_change_it(tmp_path, engine):
    threshold = _threshold(engine, _brief(), HOURS)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(_brief()), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path), "--table"], env={"COLUMNS": "400"})   # one line per cell
    assert result.exit_code == 0, result.output
    assert sv.DECISIVE_AGAINST_HEADING_SV in result.output and sv.WOULD_CHANGE_HEADING_SV in result.output
    assert "Sassam-kartläggning gjord: nej" in result.output
    assert f"personen klarar minst {number_sv(threshold)} timmar i veckan uppfyller personen villkoren för" in result.output
    as_json = CliRunner().invoke(app, ["check", str(path), "--json"])
    assert json.loads(as_json.output)["programmes"][HPS]["would_change"]


@pytest.fixture(scope="module")
def client():
    from fastapi.testclient import TestClient

    from api import create_app
    from api.audit import AuditLog
    from api.settings import Settings

    with TestClient(create_app(Settings(), audit=AuditLog(io.StringIO()))) as test_client:
        yield test_client


def test_the_api_serves_it_and_its_schema_describes_it(client, engine):
    answer = client.post("/v1/decisions", json=_brief())
    assert answer.status_code == 200
    library = json.loads(engine.evaluate(_brief()).model_dump_json())
    assert answer.json()["programmes"][HPS] == library["programmes"][HPS]
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    programme = schemas["ProgrammeResult"]["properties"]
    assert {"decisive_against", "would_change", "would_change_sv"} <= set(programme)
    assert {"fact", "from_value", "to_value", "text_sv"} <= set(schemas["FactChange"]["properties"])
    quiet = client.post("/v1/decisions?explain=false", json=_brief()).json()
    assert quiet["programmes"][HPS]["would_change"] == []


def test_the_page_shows_it_under_each_programme(client, engine):
    threshold = _threshold(engine, _brief(), HOURS)
    form = {"as_of": "2011-03-15", "person.birth_date": BIRTH, "person.employment": "arbetslos",
            "benefit.type": "sjukpenning", "benefit.sjukpenning_days_used": "300", "benefit.allvarlig_sjukdom": "nej",
            "assessment.fardigutredd": "ja", "assessment.capacity_can_improve": "ja", "assessment.sassam_done": "nej",
            "assessment.hours_per_week": "8", "assessment.months_in_handlingsplansamverkan": "0"}
    page = client.post("/", data=form)
    assert page.status_code == 200
    html = page.text
    article = html[html.index("<article class=\"programme status-not_eligible\">"):]
    article = article[:article.index("</article>")]
    assert "Handlingsplansamverkan" in article
    assert f"<h4>{sv.DECISIVE_AGAINST_HEADING_SV}</h4>" in article
    assert f"<h4>{sv.WOULD_CHANGE_HEADING_SV}</h4>" in article
    assert "<li>Sassam-kartläggning gjord: nej</li>" in article
    assert (f"Om en kartläggning enligt Sassam görs och personen klarar minst {number_sv(threshold)} timmar i veckan uppfyller "
            "personen villkoren för handlingsplansamverkan.") in article
