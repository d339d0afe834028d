"""POST /v1/admin/reload: a broken rule file is rejected with file:line; the last good rules keep serving."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient

from api import create_app
from api.audit import AuditLog
from api.examples import HPS_SJUKPENNING
from api.settings import Settings
from eligibility.store import RulebookStore


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
