"""Audit log: one JSON entry per decision, and never a personnummer, name or birth date in any log line."""

from __future__ import annotations

import json
import logging

from api.examples import HPS_SJUKPENNING

PNR, BIRTH, NAME = "19811228-9874", "1981-12-28", "Astrid Lindgren"
FORBIDDEN = ("19811228", "811228-9874", "198112289874", BIRTH, "Astrid", "Lindgren")


def _cases() -> list[dict]:
    person = {"personnummer": PNR, "employment": "arbetslos"}
    return [
        {**HPS_SJUKPENNING, "person": person},                                        # valid
        {**HPS_SJUKPENNING, "person": {**person, "birth_date": BIRTH}},               # valid, both given
        {**HPS_SJUKPENNING, "person": {**person, "birth_date": "1981-12-29"}},        # mismatch
        {**HPS_SJUKPENNING, "person": {"personnummer": "19811228-9875"}},             # bad check digit
        {**HPS_SJUKPENNING, "person": {**person, "name": NAME}},                      # unknown field
        {**HPS_SJUKPENNING, "name": NAME, "person": {"birth_date": BIRTH}},           # unknown top-level field
        {**HPS_SJUKPENNING, "as_of": "1970-01-01", "person": {"birth_date": BIRTH}},  # birth after as_of
    ]


def test_no_personal_data_in_any_log_line(client, log, caplog):
    caplog.set_level(logging.DEBUG)
    for case in _cases():
        client.post("/v1/decisions", json=case, headers={"X-Request-ID": PNR})
        client.post("/v1/decisions/compare", params={"a": "2008-07-01", "b": "2010-01-01"}, json=case)
    client.post("/v1/decisions/batch", json={"cases": _cases()})
    client.post(f"/v1/decisions?rulebook={PNR}", json=_cases()[0])
    client.get(f"/v1/rulebooks/{PNR}")
    client.get(f"/v1/{NAME}")
    # httpx's own records are the test client's, not the server's.
    server_records = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    written = log.getvalue() + "\n".join(server_records)
    assert written.count('"event": "decision"') >= 3
    for text in FORBIDDEN:
        assert text not in written, text


def test_one_audit_entry_per_decision_without_case_data(client, log):
    response = client.post("/v1/decisions", json=HPS_SJUKPENNING)
    client.post("/v1/decisions/batch", json={"cases": [HPS_SJUKPENNING, {}, HPS_SJUKPENNING]})
    entries = [json.loads(line) for line in log.getvalue().splitlines()]
    decisions = [e for e in entries if e["event"] == "decision"]
    assert len(decisions) == 3
    first = decisions[0]
    assert first["request_id"] == response.headers["x-request-id"]
    assert first["key_id"] == "anonymous" and first["route"] == "/v1/decisions"
    assert first["rulebook_id"] == response.json()["rulebook"]["id"]
    assert first["rulebook_hash"] == response.json()["rulebook"]["content_hash"]
    assert first["programmes"]["handlingsplansamverkan"] == "eligible"
    assert first["latency_ms"] >= 0
    assert set(first) == {"event", "ts", "request_id", "key_id", "route", "rulebook_id", "rulebook_hash",
                          "programmes", "latency_ms"}
    assert [d["batch_index"] for d in decisions[1:]] == [0, 2]
    requests = [e for e in entries if e["event"] == "request"]
    assert {r["route"] for r in requests} == {"/v1/decisions", "/v1/decisions/batch"}
