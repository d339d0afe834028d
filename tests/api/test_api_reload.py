"""POST /v1/admin/reload: a broken rule file is rejected with file:line; the last good rules keep serving."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.audit import AuditLog
from api.deps import reload_rules
from api.main import _log_failed_reload
from api.examples import HPS_SJUKPENNING
from api.settings import Settings
from eligibility.decision.store import RulebookStore


def test_broken_rule_file_is_rejected_and_last_good_rules_keep_serving(rules_copy):
    store = RulebookStore(rules_copy)
    log = io.StringIO()
    client = TestClient(create_app(Settings(rules_dir=rules_copy), store, AuditLog(log)))
    before = client.post("/v1/decisions", json=HPS_SJUKPENNING).json()["rulebook"]

    conditions = rules_copy / before["id"] / "conditions.yaml"
    good = conditions.read_text(encoding="utf-8")
    conditions.write_text(good + "\nnew_condition:\n  text_sv: Trasig.\n  check: finns_inte_alls\n  unknown_key: 1\n",
                          encoding="utf-8")
    response = client.post("/v1/admin/reload")
    assert response.status_code == 422
    body = response.json()
    assert body["type"].endswith("/rulebook-invalid")
    problem = body["rule_errors"][0]
    assert problem["file"].endswith("conditions.yaml") and problem["line"] > good.count("\n")

    after = client.post("/v1/decisions", json=HPS_SJUKPENNING)
    assert after.status_code == 200 and after.json()["rulebook"] == before
    ready = client.get("/readyz").json()
    assert ready["last_reload_error"] and "conditions.yaml:" in ready["last_reload_error"][0]
    assert '"outcome": "failure"' in log.getvalue()

    conditions.write_text(good + "\n# a comment changes the content hash\n", encoding="utf-8")
    response = client.post("/v1/admin/reload")
    assert response.status_code == 200 and response.json()["reloaded"] is True
    now = client.post("/v1/decisions", json=HPS_SJUKPENNING).json()["rulebook"]
    assert now["id"] == before["id"] and now["content_hash"] != before["content_hash"]
    assert client.get("/readyz").json()["last_reload_error"] is None


# --- Hostile rule files (issue 14) ----------------------------------------------------------------

def _replace(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line(path, needle: str) -> int:
    return next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in text)


def _dev_zero(rules):
    path = rules / "2010-01-01" / "programmes.yaml"
    path.unlink()
    path.symlink_to("/dev/zero")
    return "programmes.yaml", None


def _directory(rules):
    path = rules / "2010-01-01" / "programmes.yaml"
    path.unlink()
    path.mkdir()
    return "programmes.yaml", None


def _calendar_date(rules):
    _replace(rules / "2010-01-01" / "conditions.yaml", "  valid_from: 2008-07-01\n", "  valid_from: 2015-02-29\n")
    return "conditions.yaml", _line(rules / "2010-01-01" / "conditions.yaml", "2015-02-29")


def _unhashable_key(rules):
    path = rules / "2010-01-01" / "programmes.yaml"
    lines = path.read_text(encoding="utf-8").count("\n")
    path.write_text(path.read_text(encoding="utf-8") + "? [a, b]\n: 1\n", encoding="utf-8")
    return "programmes.yaml", lines + 1


def _unbalanced_brace(rules):
    _replace(rules / "2010-01-01" / "conditions.yaml", "text_sv: Personen har sjukpenning.",
             "text_sv: Personen har {sjukpenning.")
    return "conditions.yaml", _line(rules / "2010-01-01" / "conditions.yaml", "{sjukpenning.")


HPS_MONTHS = "      value: 6\n      source: {document: seeds/000_7ec5f587b07a68b8.txt, provision: \"avsnitt Samverkan"


def _fractional_months(rules):
    _replace(rules / "2010-01-01" / "parameters.yaml", HPS_MONTHS, HPS_MONTHS.replace("value: 6", "value: 6.5"))
    return "parameters.yaml", _line(rules / "2010-01-01" / "parameters.yaml", "value: 6.5")


HOSTILE = {"dev-zero": _dev_zero, "directory": _directory, "invalid-calendar-date": _calendar_date,
           "unhashable-key": _unhashable_key, "unbalanced-brace": _unbalanced_brace,
           "fractional-months": _fractional_months}


def _reloading_client(rules):
    log = io.StringIO()
    store = RulebookStore(rules)
    return TestClient(create_app(Settings(rules_dir=rules), store, AuditLog(log))), store, log


@pytest.mark.parametrize("breakage", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_rule_file_is_a_problem_json_listing_file_and_line_and_the_last_good_rules_keep_serving(
        rules_copy, breakage):
    client, _, _ = _reloading_client(rules_copy)
    before = client.post("/v1/decisions", json=HPS_SJUKPENNING).json()["rulebook"]
    file, line = HOSTILE[breakage](rules_copy)
    response = client.post("/v1/admin/reload")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"].endswith("/rulebook-invalid")
    assert {"file": f"rules/2010-01-01/{file}", "line": line} in [
        {"file": p["file"], "line": p["line"]} for p in body["rule_errors"]], body["rule_errors"]
    after = client.post("/v1/decisions", json=HPS_SJUKPENNING)
    assert after.status_code == 200 and after.json()["rulebook"] == before
    assert client.post("/v1/decisions/timeline", json=HPS_SJUKPENNING).status_code == 200
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready"
    assert any(f"rules/2010-01-01/{file}" in e for e in ready["last_reload_error"]), ready


def test_a_reload_the_canaries_refuse_answers_422_and_decisions_and_timelines_keep_working(rules_copy):
    client, store, _ = _reloading_client(rules_copy)
    good = store.evaluator
    # Passes the unit check (within the calendar), but no date arithmetic can add 119988 months.
    _replace(rules_copy / "2010-01-01" / "parameters.yaml", HPS_MONTHS, HPS_MONTHS.replace("value: 6", "value: 119988"))
    response = client.post("/v1/admin/reload")
    assert response.status_code == 422
    assert any(p["file"] == "rules/2010-01-01" and p["reason"].startswith("canary case")
               for p in response.json()["rule_errors"])
    assert store.evaluator is good
    assert client.post("/v1/decisions", json=HPS_SJUKPENNING).status_code == 200
    assert client.post("/v1/decisions/timeline", json=HPS_SJUKPENNING).status_code == 200


def test_readyz_shows_the_latest_reload_error_and_a_later_successful_reload_clears_it(rules_copy):
    client, _, _ = _reloading_client(rules_copy)
    programmes = rules_copy / "2010-01-01" / "programmes.yaml"
    good = programmes.read_bytes()
    _unhashable_key(rules_copy)
    assert client.post("/v1/admin/reload").status_code == 422
    first = client.get("/readyz").json()["last_reload_error"]
    assert any("programmes.yaml" in e for e in first)
    programmes.write_bytes(good)
    _calendar_date(rules_copy)
    assert client.post("/v1/admin/reload").status_code == 422
    latest = client.get("/readyz").json()["last_reload_error"]
    line = _line(rules_copy / "2010-01-01" / "conditions.yaml", "2015-02-29")
    assert latest and all("programmes.yaml" not in e for e in latest)
    assert any(f"conditions.yaml:{line}:" in e for e in latest)
    _replace(rules_copy / "2010-01-01" / "conditions.yaml", "  valid_from: 2015-02-29\n", "  valid_from: 2008-07-01\n")
    assert client.post("/v1/admin/reload").status_code == 200
    assert client.get("/readyz").json()["last_reload_error"] is None


def test_a_sighup_reload_of_a_hostile_file_logs_the_rejection_without_personal_data_and_updates_readyz(rules_copy):
    client, store, log = _reloading_client(rules_copy)
    good = store.evaluator
    case = {**HPS_SJUKPENNING, "person": {**HPS_SJUKPENNING["person"], "personnummer": "19750602-1234"}}
    client.post("/v1/decisions", json=case)
    _dev_zero(rules_copy)
    error = reload_rules(store, client.app.state.audit, "SIGHUP")  # what the SIGHUP handler runs, in a thread
    assert error is not None and store.evaluator is good
    entries = [json.loads(line) for line in log.getvalue().splitlines()]
    reload = [e for e in entries if e["event"] == "rulebook_reload"][-1]
    assert reload["trigger"] == "SIGHUP" and reload["outcome"] == "failure"
    assert reload["problems"] == ["rules/2010-01-01/programmes.yaml: expected a regular file, found a character device"]
    assert "19750602" not in log.getvalue() and "1975-06-02" not in log.getvalue()
    assert client.get("/readyz").json()["last_reload_error"] == reload["problems"]


def test_an_exception_escaping_a_sighup_reload_is_logged(caplog):
    loop = asyncio.new_event_loop()
    try:
        failed: asyncio.Future[None] = loop.create_future()
        failed.set_exception(RuntimeError("defect"))
        with caplog.at_level(logging.ERROR, logger="api"):
            _log_failed_reload(failed)
    finally:
        loop.close()
    assert "SIGHUP reload failed" in caplog.text and "RuntimeError: defect" in caplog.text
