"""Security of the API: rate limit, no CORS, security headers, keys and personal data never logged."""

from __future__ import annotations

import base64
import hmac
import io
import logging

import pytest
from fastapi.testclient import TestClient

from api import create_app, deps
from api.audit import AuditLog
from api.examples import HPS_SJUKPENNING
from api.security import TokenBuckets
from api.settings import ApiKey, Settings, SettingsError, hash_key

USER_KEY, ADMIN_KEY = "user-secret-key", "admin-secret-key"  # as in conftest.keyed_client
PROBLEM = "application/problem+json"


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _limited(shared_store, limit, keys=()):
    return TestClient(create_app(Settings(keys=keys, rate_limit=limit), shared_store, AuditLog(io.StringIO())))


# --- rate limit ---------------------------------------------------------------------------------------------


def test_rate_limit_gives_429_problem_with_retry_after(shared_store):
    with _limited(shared_store, (3, 60)) as client:
        assert [client.get("/v1/rulebooks").status_code for _ in range(3)] == [200, 200, 200]
        response = client.post("/v1/decisions", json=HPS_SJUKPENNING)
        assert response.status_code == 429
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["type"] == "https://eligibility.example/problems/rate-limited"
        assert response.json()["status"] == 429 and response.json()["code"] == "RATE_LIMITED"
        assert 1 <= int(response.headers["retry-after"]) <= 20   # one token per 20 s
        assert response.headers["x-request-id"] and response.headers["x-content-type-options"] == "nosniff"
        for path in ("/healthz", "/readyz", "/metrics"):   # exempt
            assert client.get(path).status_code == 200, path


def test_rate_limit_is_per_key(shared_store):
    keys = (ApiKey("team-a", hash_key(USER_KEY)), ApiKey("ops", hash_key(ADMIN_KEY), admin=True))
    with _limited(shared_store, (2, 60), keys) as client:
        assert [client.get("/v1/rulebooks", headers=auth(USER_KEY)).status_code for _ in range(3)] == [200, 200, 429]
        assert client.get("/v1/rulebooks", headers=auth(ADMIN_KEY)).status_code == 200   # its own bucket
        basic = base64.b64encode(f"x:{ADMIN_KEY}".encode()).decode()
        assert client.get("/", headers={"Authorization": f"Basic {basic}"}).status_code == 200
        assert client.get("/v1/rulebooks", headers=auth(ADMIN_KEY)).status_code == 429   # same key via Basic
        # requests without a valid key share the client's IP bucket (and still get 401 until it is empty)
        assert [client.get("/v1/rulebooks", headers=auth("wrong")).status_code for _ in range(3)] == [401, 401, 429]


def test_no_rate_limit_by_default(client):
    assert Settings.from_env({}).rate_limit is None
    assert all(client.get("/healthz").status_code == 200 for _ in range(5))
    assert [client.get("/v1/rulebooks").status_code for _ in range(50)] == [200] * 50


def test_rate_limit_from_env():
    assert Settings.from_env({"ELIGIBILITY_RATE_LIMIT": "600/60"}).rate_limit == (600, 60.0)
    assert Settings.from_env({"ELIGIBILITY_RATE_LIMIT": "off"}).rate_limit is None
    for bad in ("600", "0/60", "x/y", "10/0"):
        with pytest.raises(SettingsError):
            Settings.from_env({"ELIGIBILITY_RATE_LIMIT": bad})


def test_token_bucket_refills_at_its_rate():
    now = [0.0]
    buckets = TokenBuckets(2, 10.0, clock=lambda: now[0])   # 0.2 tokens per second
    assert buckets.take("a") == 0 and buckets.take("a") == 0
    assert buckets.take("a") == pytest.approx(5.0)
    assert buckets.take("b") == 0
    now[0] = 5.0
    assert buckets.take("a") == 0
    assert buckets.take("a") > 0


# --- CORS and headers ----------------------------------------------------------------------------------------


def test_no_cors_headers_for_cross_origin_requests(client):
    origin = {"Origin": "https://evil.example"}
    responses = [
        client.get("/v1/rulebooks", headers=origin),
        client.post("/v1/decisions", json=HPS_SJUKPENNING, headers=origin),
        client.options("/v1/decisions", headers={**origin, "Access-Control-Request-Method": "POST",
                                                 "Access-Control-Request-Headers": "content-type"}),
    ]
    for response in responses:
        assert not any(h.lower().startswith("access-control-") for h in response.headers), response.headers


def test_nosniff_on_every_response(client):
    responses = [
        client.get("/healthz"), client.get("/metrics"), client.get("/v1/rulebooks"), client.get("/openapi.json"),
        client.get("/static/app.js"), client.get("/nowhere"), client.post("/v1/decisions", json={}),
        client.post("/v1/decisions", content=b"{", headers={"content-type": "application/json"}),
        client.post("/v1/decisions", content=b"x", headers={"content-type": "text/plain"}),
        client.post("/v1/decisions", content=b" " * (1024 * 1024 + 1), headers={"content-type": "application/json"}),
        client.post("/v1/decisions", json=HPS_SJUKPENNING), client.get("/"),
    ]
    assert {r.status_code for r in responses} >= {200, 400, 404, 413, 415, 422}
    for response in responses:
        assert response.headers.get_list("x-content-type-options") == ["nosniff"], response.request.url


def test_web_page_csp_forbids_inline_script_and_framing(client):
    for response in (client.get("/"), client.post("/", data={"as_of": "2011-03-15"})):
        csp = response.headers["content-security-policy"]
        directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["script-src"] == ["'self'"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "<script>" not in response.text and " onclick=" not in response.text.lower()


# --- keys ---------------------------------------------------------------------------------------------------


def test_keys_and_their_hashes_are_never_logged(keyed_client, log, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-secret-key-123"
    basic = base64.b64encode(f"user:{USER_KEY}".encode()).decode()
    for headers in (auth(USER_KEY), auth(ADMIN_KEY), auth(wrong), {"Authorization": f"Basic {basic}"}):
        keyed_client.post("/v1/decisions", json=HPS_SJUKPENNING, headers=headers)
        keyed_client.get("/v1/rulebooks", headers=headers)
        keyed_client.post("/v1/admin/reload", headers=headers)
        keyed_client.get("/", headers=headers)
    written = log.getvalue() + "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert '"key_id": "team-a"' in written and '"key_id": "ops"' in written
    for secret in (USER_KEY, ADMIN_KEY, wrong, basic):
        assert secret not in written
        assert hash_key(secret) not in written


def test_match_key_compares_against_every_key(monkeypatch):
    calls, original = [], hmac.compare_digest

    def spy(a, b):
        calls.append(b)
        return original(a, b)

    monkeypatch.setattr(deps.hmac, "compare_digest", spy)
    keys = tuple(ApiKey(f"k{i}", hash_key(f"secret-{i}")) for i in range(5))
    for secret, expected in (("secret-0", "k0"), ("secret-4", "k4"), ("nope", None)):
        calls.clear()
        found = deps.match_key(keys, secret)
        assert (found.key_id if found else None) == expected
        assert calls == [k.sha256 for k in keys]   # no early exit, whichever key matches


# --- personal data --------------------------------------------------------------------------------------------

PNR, PNR_DIGITS, BIRTH, NAME = "19811228-9874", "198112289874", "1981-12-28", "Astrid Lindgren"
BAD_PNR = "19811228-9875"   # wrong check digit
FORBIDDEN = ("19811228", "811228-9874", "8112289874", "811228-9875", BIRTH, "1981-12-29", "28/12/1981",
             "Astrid", "Lindgren")


def _personal_cases() -> list[dict]:
    person = {"personnummer": PNR, "employment": "arbetslos"}
    base = {k: v for k, v in HPS_SJUKPENNING.items() if k != "person"}
    return [
        {**base, "person": person},                                                  # valid
        {**base, "person": {**person, "birth_date": BIRTH}},                         # both, consistent
        {**base, "person": {**person, "birth_date": "1981-12-29"}},                  # both, mismatch
        {**base, "person": {"personnummer": BAD_PNR}},                               # bad check digit
        {**base, "person": {"personnummer": PNR_DIGITS}},                            # 12 digits
        {**base, "person": {"personnummer": "811228-9874"}},                         # 10 digits
        {**base, "person": {"birth_date": "28/12/1981"}},                            # malformed birth date
        {**base, "person": {"birth_date": PNR}},                                     # pnr in the wrong field
        {**base, "as_of": PNR, "person": {"birth_date": BIRTH}},                     # pnr as as_of
        {**base, "as_of": BIRTH, "person": {"personnummer": PNR}},                   # birth date as as_of
        {**base, "person": {**person, "name": NAME}},                                # unknown field
        {**base, "name": NAME, "patient": {"pnr": PNR}, "person": {"birth_date": BIRTH}},   # unknown top-level
        {**base, "benefit": {"type": PNR, "decision_end": BIRTH}, "person": person},  # wrong fields
        {**base, "assessment": {"hours_per_week": PNR}, "person": {"personnummer": 198112289874}},  # wrong types
        {**base, "as_of": "1970-01-01", "person": {"birth_date": BIRTH}},            # birth after as_of
        {**base, "as_of": "9999-12-31", "person": {"birth_date": BIRTH}},            # far future
        PNR, [PNR, BIRTH], {PNR: BIRTH},                                             # not a case at all
    ]


def _form(case) -> dict[str, str]:
    if not isinstance(case, dict):
        return {"person.personnummer": str(case)}
    flat = {"as_of": str(case.get("as_of", ""))}
    for section in ("person", "benefit", "assessment"):
        for key, value in (case.get(section) or {}).items() if isinstance(case.get(section), dict) else ():
            flat[f"{section}.{key}"] = "" if value is None else str(value)
    return flat


def test_no_personal_data_in_logs_or_error_responses_on_any_route(client, log, caplog):
    caplog.set_level(logging.DEBUG)
    responses = []
    for case in _personal_cases():
        responses += [
            client.post("/v1/decisions", json=case),
            client.post("/v1/decisions/timeline", json=case, params={"months": 3}),
            client.post("/v1/decisions/compare", params={"a": "2008-07-01", "b": "2010-01-01"}, json=case),
            client.post("/v1/decisions/batch", json={"cases": [case]}),
            client.post("/v1/decisions/batch", json={"cases": [case], "explain": PNR}),
        ]
        client.post("/", data=_form(case))   # the page shows the handläggare's own input back; logs only
    responses += [
        client.post("/v1/decisions/batch", json={"cases": _personal_cases()}),
        client.post("/v1/decisions", params={"rulebook": PNR}, json=_personal_cases()[0]),
        client.post("/v1/decisions/timeline", params={"months": PNR}, json=_personal_cases()[0]),
        client.get(f"/v1/rulebooks/{PNR}"), client.get(f"/v1/{NAME}"),
        client.post("/v1/decisions", content=f'{{"person": {{"personnummer": "{PNR}"'.encode(),
                    headers={"content-type": "application/json"}),
        client.post("/v1/decisions", content=PNR.encode(), headers={"content-type": "text/plain"}),
    ]
    server_records = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]
    written = log.getvalue() + "\n".join(server_records)
    assert written.count('"event": "decision"') >= 10 and written.count('"event": "request"') >= 100
    for text in FORBIDDEN:
        assert text not in written, text
    errors = [r for r in responses if r.status_code >= 400]
    assert len(errors) >= 50
    assert all(r.status_code < 500 for r in responses), [r.status_code for r in responses]
    batch_errors = [item["error"] for r in responses if r.status_code == 200 and r.url.path.endswith("/batch")
                    for item in r.json()["results"] if item["error"]]
    assert len(batch_errors) >= 10
    error_text = "\n".join(r.text for r in errors) + repr(batch_errors)
    for text in FORBIDDEN:
        assert text not in error_text, text
