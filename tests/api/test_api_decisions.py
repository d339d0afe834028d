"""POST /v1/decisions, /batch and /compare: answers and every error, as problem+json."""

from __future__ import annotations

import json
import re

import pytest

from api.examples import ALI_BOUNDARY, HPS_SJUKPENNING, UNKNOWN_ASSESSMENT

PROBLEM = "application/problem+json"


def _problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"] == f"https://eligibility.example/problems/{slug}"
    assert body["status"] == status and body["title"] and body["detail"] and body["request_id"]
    assert "Traceback" not in response.text
    return body


def test_decision_is_the_full_decision_of_the_core(client, engine):
    response = client.post("/v1/decisions", json=HPS_SJUKPENNING)
    assert response.status_code == 200
    assert response.headers["x-request-id"]
    body = response.json()
    expected = json.loads(engine.evaluate(HPS_SJUKPENNING).model_dump_json())
    assert body == expected
    assert body["programmes"]["handlingsplansamverkan"]["status"] == "eligible"
    assert len(body["rulebook"]["content_hash"]) == 64
    assert body["explanation_sv"].startswith("Bedömningen")
    assert {r["condition"] for r in body["conditions"]} >= {"minst_sex_manader_kvar", "fardigutredd"}


def test_decision_has_the_summary_the_person_text_and_what_reproduces_the_texts(client):
    """Issue 18: ``summary``, ``person_text_sv``, ``package_version``, ``template_hash`` are in the schema and the
    answer (also in each batch item); without explanations the texts and their provenance are empty."""
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    decision = schema["Decision"]["properties"]
    assert {"summary", "person_text_sv", "package_version", "template_hash"} <= set(decision)
    assert {"$ref": "#/components/schemas/Summary"} in decision["summary"]["anyOf"]
    assert set(schema["Summary"]["properties"]) == {"eligible", "not_eligible", "undetermined", "questions",
                                                    "next_date", "text_sv"}
    assert {"programme", "name_sv", "status", "from_date", "reason_condition", "reason_sv",
            "open_facts"} == set(schema["SummaryProgramme"]["properties"])
    body = client.post("/v1/decisions", json=HPS_SJUKPENNING).json()
    [eligible] = body["summary"]["eligible"]
    assert (eligible["programme"], eligible["from_date"]) == ("handlingsplansamverkan", "2011-03-15")
    assert body["summary"]["next_date"]["kind"] == "beredningsgrupp_deadline"
    assert body["summary"]["text_sv"] in body["explanation_sv"]
    assert body["person_text_sv"].startswith("Försäkringskassan och Arbetsförmedlingen")
    assert body["package_version"] and len(body["template_hash"]) == 64
    [item] = client.post("/v1/decisions/batch", json={"cases": [HPS_SJUKPENNING]}).json()["results"]
    assert {k: item["decision"][k] for k in ("summary", "person_text_sv", "template_hash")} == \
        {k: body[k] for k in ("summary", "person_text_sv", "template_hash")}
    quiet = client.post("/v1/decisions", params={"explain": "false"}, json=HPS_SJUKPENNING).json()
    assert (quiet["summary"], quiet["person_text_sv"]) == (None, "")
    assert quiet["template_hash"] == body["template_hash"] and quiet["package_version"] == body["package_version"]


def test_unknown_facts_give_questions(client):
    body = client.post("/v1/decisions", json=UNKNOWN_ASSESSMENT).json()
    assert body["programmes"]["handlingsplansamverkan"]["status"] == "undetermined"
    assert "assessment.fardigutredd" in {q["fact"] for q in body["questions"]}


def test_named_rulebook_overrides_the_one_in_force(client):
    body = client.post("/v1/decisions", params={"rulebook": "2008-07-01"}, json=HPS_SJUKPENNING).json()
    assert body["rulebook"]["id"] == "2008-07-01"
    assert "arbetslivsintroduktion" in body["not_in_force"]


def test_explain_false_leaves_texts_empty(client):
    body = client.post("/v1/decisions", params={"explain": "false"}, json=HPS_SJUKPENNING).json()
    assert body["explanation_sv"] == ""
    assert body["programmes"]["handlingsplansamverkan"]["status"] == "eligible"


def test_invalid_case_lists_field_paths_with_what_was_expected(client):
    case = {**HPS_SJUKPENNING, "benefit": {"type": "sjukpenning", "sjukpenning_days_used": "700"}, "extra": 1}
    body = _problem(client.post("/v1/decisions", json=case), 422, "case-invalid")
    fields = {e["field"]: e for e in body["errors"]}
    assert set(fields) == {"benefit.sjukpenning_days_used", "extra"}
    assert fields["benefit.sjukpenning_days_used"]["expected"]
    assert body["code"] == "CASE_INVALID"


def test_consistency_error_names_the_field(client):
    case = {**HPS_SJUKPENNING, "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 915}}
    body = _problem(client.post("/v1/decisions", json=case), 422, "case-invalid")
    assert body["errors"][0]["field"] == "benefit.sjukpenning_days_used"


def test_as_of_outside_every_rulebook_is_a_case_error(client):
    body = _problem(client.post("/v1/decisions", json={**HPS_SJUKPENNING, "as_of": "2001-01-01"}), 422, "case-invalid")
    assert body["errors"][0]["field"] == "as_of"


def test_personnummer_is_never_echoed(client):
    case = {**HPS_SJUKPENNING, "person": {"personnummer": "19811228-9875"}}
    response = client.post("/v1/decisions", json=case)
    _problem(response, 422, "case-invalid")
    assert "9875" not in response.text and "19811228" not in response.text


@pytest.mark.parametrize("raw", [b"{", b"", b"\xff\xfe", b"[" * 5000 + b"]" * 5000])
def test_malformed_json_is_400(client, raw):
    response = client.post("/v1/decisions", content=raw, headers={"content-type": "application/json"})
    assert response.status_code in (400, 422), response.text  # an empty body is valid-length but not JSON
    assert response.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize("payload", [[], "text", None, 42, [HPS_SJUKPENNING], {"case": HPS_SJUKPENNING}])
def test_json_that_is_not_a_case_is_422(client, payload):
    response = client.post("/v1/decisions", content=json.dumps(payload), headers={"content-type": "application/json"})
    _problem(response, 422, "case-invalid")


def test_wrong_content_type_is_415(client):
    response = client.post("/v1/decisions", content=json.dumps(HPS_SJUKPENNING), headers={"content-type": "text/plain"})
    _problem(response, 415, "unsupported-media-type")


def test_body_over_one_mib_is_413(client):
    big = b'{"as_of": "' + b"x" * (1024 * 1024) + b'"}'
    _problem(client.post("/v1/decisions", content=big, headers={"content-type": "application/json"}), 413,
             "payload-too-large")


def test_streamed_body_over_one_mib_is_413(client):
    def chunks():
        for _ in range(20):
            yield b" " * 65536  # no Content-Length: the limit is enforced while reading
    response = client.post("/v1/decisions", content=chunks(), headers={"content-type": "application/json"})
    _problem(response, 413, "payload-too-large")


def test_unknown_rulebook_is_404(client):
    _problem(client.post("/v1/decisions", params={"rulebook": "1999-01-01"}, json=HPS_SJUKPENNING), 404,
             "rulebook-not-found")


@pytest.mark.parametrize("case", [
    {"as_of": "2011-03-15", "person": {"birth_date": "1985-01-01"},
     "benefit": {"type": "aktivitetsersattning", "decision_end": "9999-12-31"}},
])
def test_values_the_core_cannot_compute_with_are_422_not_500(client, case):
    response = client.post("/v1/decisions", json=case)
    assert response.status_code == 422, response.text
    assert response.json()["type"].rsplit("/", 1)[1] in ("case-invalid", "case-not-evaluable")


@pytest.mark.parametrize("assessment", [{"months_in_handlingsplansamverkan": 1e308}, {"hours_per_week": 1e-300}])
def test_floats_the_engine_rejects_are_422_not_500(client, log, assessment):
    case = {**HPS_SJUKPENNING, "assessment": assessment}
    response = client.post("/v1/decisions", json=case)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422 and response.json()["type"].endswith("/case-not-evaluable"):
        assert '"event": "core_failure"' in log.getvalue()


def test_named_rulebook_far_before_its_period_decides_with_the_rules_of_its_first_day(client):
    # Once a 422 (no parameter value on as_of); since docs/decisions.md item 73 the named rulebook's
    # parameters are read on as_of clamped to its period, so every date has them.
    case = {**HPS_SJUKPENNING, "as_of": "1900-01-01", "person": {"birth_date": "1850-01-01"}}
    response = client.post("/v1/decisions", params={"rulebook": "2010-01-01"}, json=case)
    assert response.status_code == 200, response.text
    decision = response.json()
    assert decision["rulebook"]["parameters_on"] == "2010-01-01"
    first = decision["explanation_sv"].split("\n\n")[0]      # the wording is texts_sv's; the day is the point
    assert re.search(r"bedömt enligt [^.]*den 1 januari 2010\.", first), first


def test_detail_follows_accept_language(client):
    sv = client.post("/v1/decisions", json={}, headers={"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5"}).json()
    en = client.post("/v1/decisions", json={}, headers={"Accept-Language": "en-GB, sv;q=0.2"}).json()
    assert sv["title"] == "Ogiltigt ärende" and "Ärendet" in sv["detail"]
    assert en["title"] == "Invalid case"
    assert sv["type"] == en["type"]


def test_batch_gives_each_item_its_decision_or_its_own_error(client):
    bad = {**HPS_SJUKPENNING, "benefit": {"type": "okand"}}
    response = client.post("/v1/decisions/batch", json={"cases": [HPS_SJUKPENNING, bad, UNKNOWN_ASSESSMENT, 7]})
    assert response.status_code == 200
    body = response.json()
    assert (body["decided"], body["failed"]) == (2, 2)
    assert [r["index"] for r in body["results"]] == [0, 1, 2, 3]
    assert body["results"][0]["decision"]["programmes"]["handlingsplansamverkan"]["status"] == "eligible"
    assert body["results"][1]["decision"] is None
    assert body["results"][1]["error"]["errors"][0]["field"] == "benefit.type"
    assert body["results"][1]["error"]["instance"].endswith("#/cases/1")
    assert body["results"][3]["error"]["status"] == 422


def test_batch_limits(client):
    _problem(client.post("/v1/decisions/batch", json={"cases": []}), 422, "request-invalid")
    too_many = {"cases": [UNKNOWN_ASSESSMENT] * 1001}
    body = _problem(client.post("/v1/decisions/batch", json=too_many), 422, "request-invalid")
    assert body["errors"][0]["field"] == "body.cases"
    _problem(client.post("/v1/decisions/batch", json=[HPS_SJUKPENNING]), 422, "request-invalid")
    _problem(client.post("/v1/decisions/batch", params={"rulebook": "x"}, json={"cases": [HPS_SJUKPENNING]}), 404,
             "rulebook-not-found")


def test_batch_explain_false_and_named_rulebook(client):
    body = client.post("/v1/decisions/batch", params={"rulebook": "2008-07-01"},
                       json={"cases": [HPS_SJUKPENNING], "explain": False}).json()
    decision = body["results"][0]["decision"]
    assert decision["rulebook"]["id"] == "2008-07-01" and decision["explanation_sv"] == ""


def test_compare_shows_which_statuses_and_conditions_differ_and_why(client):
    response = client.post("/v1/decisions/compare", params={"a": "2008-07-01", "b": "2010-01-01"}, json=ALI_BOUNDARY)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["a"]["id"], body["b"]["id"]) == ("2008-07-01", "2010-01-01")
    ali = next(p for p in body["programmes"] if p["programme"] == "arbetslivsintroduktion")
    assert ali["changed"] and ali["status_a"] is None and ali["status_b"] == "eligible"
    assert ali["not_in_force_a"] and "ersattningen_tar_slut_ali" in ali["differing_conditions"]
    condition = next(c for c in body["conditions"] if c["condition"] == "ersattningen_tar_slut_ali")
    assert condition["outcome_a"] is None and condition["outcome_b"] == "uppfyllt"
    assert condition["explanation_b_sv"]
    assert body["same_statuses"] is False


def test_compare_errors(client):
    _problem(client.post("/v1/decisions/compare", params={"a": "2008-07-01", "b": "nope"}, json=ALI_BOUNDARY), 404,
             "rulebook-not-found")
    _problem(client.post("/v1/decisions/compare", params={"a": "2008-07-01"}, json=ALI_BOUNDARY), 422,
             "request-invalid")
    _problem(client.post("/v1/decisions/compare", params={"a": "2008-07-01", "b": "2010-01-01"}, json={}), 422,
             "case-invalid")


def test_unknown_route_and_method_are_problems(client):
    _problem(client.get("/v1/nothing"), 404, "not-found")
    _problem(client.get("/v1/decisions"), 405, "method-not-allowed")


def test_exact_decides_what_every_answer_decides(client):
    """Exact by default (issue 17 item 7): 300 of 914 days, allvarlig sjukdom not filled in: eligible for
    handlingsplansamverkan either way, and no question about it; ``?exact=false`` (Kleene) leaves it open."""
    case = {"as_of": "2010-05-01", "person": {"birth_date": "1970-05-05", "employment": "arbetslos"},
            "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 300},
            "assessment": {"fardigutredd": True, "capacity_can_improve": True, "sassam_done": True,
                           "hours_per_week": 12, "months_in_handlingsplansamverkan": 0,
                           "needs_vocational_rehabilitation": True, "stadigvarande_nedsatt_arbetsformaga": True}}
    plain = client.post("/v1/decisions?exact=false", json=case).json()
    assert plain["programmes"]["handlingsplansamverkan"]["status"] == "undetermined"
    assert all(q["answers"] == [] for q in plain["questions"])
    assert client.post("/v1/decisions?exact=true", json=case).json() == client.post("/v1/decisions", json=case).json()
    exact = client.post("/v1/decisions", json=case).json()
    assert exact["programmes"]["handlingsplansamverkan"]["status"] == "eligible"
    assert "benefit.allvarlig_sjukdom" not in [q["fact"] for q in exact["questions"]]
