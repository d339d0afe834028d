"""Every problem of a case in one problem+json (issue 19.4), each with its field and what to write in Swedish."""

from __future__ import annotations

PROBLEM = "application/problem+json"
THREE_MISTAKES = {
    "as_of": "2011-03-15",
    "person": {"personnummer": "abc", "employment": "arbetslos"},
    "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 10, "decision_end": "2011-12-31"},
    "assessment": {"hours_per_week": "tolv"},
}


def test_three_mistakes_in_one_answer(client):
    response = client.post("/v1/decisions", json=THREE_MISTAKES, headers={"Accept-Language": "sv"})
    assert response.status_code == 422 and response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"].endswith("/case-invalid") and body["code"] == "CASE_INVALID"
    assert [(e["field"], e["code"], e["message_sv"]) for e in body["errors"]] == [
        ("person.personnummer", "personnummer_format", "Skriv personnumret som ÅÅÅÅMMDD-NNNN."),
        ("benefit.decision_end", "field_not_for_benefit", "Uppgiften gäller inte den valda ersättningen. Lämna den tom."),
        ("assessment.hours_per_week", "float_type", "Skriv ett tal, till exempel 12 eller 12.5."),
    ]
    assert all(e["expected"] for e in body["errors"])  # the English expectation stays beside it
    assert "abc" not in response.text


def test_wrong_check_digit_and_no_identity(client):
    case = {**THREE_MISTAKES, "person": {"personnummer": "19811228-9875"}, "assessment": {}}
    errors = client.post("/v1/decisions", json=case).json()["errors"]
    assert errors[0]["message_sv"] == "Personnumret är inte giltigt: kontrollsiffran stämmer inte."
    assert "19811228" not in str(errors)
    case["person"] = {"employment": "arbetslos"}
    errors = client.post("/v1/decisions", json=case).json()["errors"]
    assert (errors[0]["field"], errors[0]["message_sv"]) == ("person.birth_date",
                                                             "Fyll i personnummer eller födelsedatum.")
