"""POST /v1/decisions/timeline (api/routes/timeline.py)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.audit import AuditLog
from api.routes import timeline
from api.settings import Settings

CASE = {"as_of": "2015-10-01", "person": {"birth_date": "1970-05-05", "employment": "arbetslos"},
        "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 750, "allvarlig_sjukdom": False}}


@pytest.fixture
def timeline_client(shared_store, log):
    app = create_app(Settings(), shared_store, AuditLog(log))
    if not any(getattr(r, "path", "") == "/v1/decisions/timeline" for r in app.routes):
        app.include_router(timeline.router)  # until api/main.py includes it
    with TestClient(app) as client:
        yield client


def test_timeline_shows_ali_closing_on_2016_02_01(timeline_client):
    response = timeline_client.post("/v1/decisions/timeline?months=12", json=CASE)
    assert response.status_code == 200, response.text
    body = response.json()
    ali = body["programmes"]["arbetslivsintroduktion"]
    # The benefit ends 2016-03-12, after ALI's last start day 2016-01-31: never eligible, then gone (issue 16).
    assert [(s["start"], s["status"]) for s in ali] == [("2015-10-01", "not_eligible"), ("2016-02-01", "not_in_force")]
    assert body["until"] == "2016-09-30"


def test_timeline_invalid_case_is_a_problem(timeline_client):
    response = timeline_client.post("/v1/decisions/timeline", json={**CASE, "as_of": "2008-01-01"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_timeline_months_bounded(timeline_client):
    assert timeline_client.post("/v1/decisions/timeline?months=0", json=CASE).status_code == 422
