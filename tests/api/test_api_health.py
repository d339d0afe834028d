"""GET /healthz, /readyz, /metrics and the OpenAPI document."""

from __future__ import annotations

from api.examples import HPS_SJUKPENNING


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_lists_rulebooks_with_hashes(client, books):
    body = client.get("/readyz").json()
    assert body["status"] == "ready" and body["last_reload_error"] is None
    assert [(b["id"], b["content_hash"]) for b in body["rulebooks"]] == [(b.id, b.content_hash) for b in books]


def test_metrics_count_requests_decisions_and_reloads(client):
    client.post("/v1/decisions", json=HPS_SJUKPENNING)
    client.post("/v1/decisions", json={})
    client.post("/v1/admin/reload")
    text = client.get("/metrics").text
    assert 'eligibility_http_requests_total{method="POST",route="/v1/decisions",status="200"}' in text
    assert 'eligibility_http_requests_total{method="POST",route="/v1/decisions",status="422"}' in text
    assert 'eligibility_http_request_duration_seconds_bucket{le="0.01",method="POST",route="/v1/decisions"}' in text
    assert 'eligibility_decisions_total{programme="handlingsplansamverkan",status="eligible"}' in text
    assert 'eligibility_rulebook_reloads_total{outcome="success"}' in text
    assert 'eligibility_case_errors_total{type="case-invalid"}' in text


def test_unmatched_paths_are_one_label(client):
    client.get("/v1/rulebooks/198506021234/whatever")
    assert "198506021234" not in client.get("/metrics").text


def test_openapi_has_every_route_with_examples(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/v1/decisions", "/v1/decisions/batch", "/v1/decisions/compare", "/v1/rulebooks",
                 "/v1/rulebooks/{rulebook_id}", "/v1/rulebooks/{a}/diff/{b}", "/v1/admin/reload",
                 "/healthz", "/readyz", "/metrics"):
        assert path in paths, path
    for path in ("/v1/decisions", "/v1/decisions/compare", "/v1/decisions/batch"):
        assert paths[path]["post"]["requestBody"]["content"]["application/json"]["examples"]
    assert "422" in paths["/v1/decisions"]["post"]["responses"]
    assert client.get("/docs").status_code == 200
