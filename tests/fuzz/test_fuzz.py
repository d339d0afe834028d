"""Hostile input at scale (``make fuzz``; deselected from ``make test`` by the ``fuzz`` marker).

Two generators, together well over 10 000 requests against the in-process app:

* hypothesis-jsonschema draws case bodies from the OpenAPI ``Case`` schema
  (so mostly well-formed cases with any dates 0001-9999, any counts, any
  floats) and mixes in arbitrary JSON; each body goes to
  ``/v1/decisions``, ``/v1/decisions/timeline`` and
  ``/v1/decisions/compare``, and lists of them to ``/v1/decisions/batch``;
* schemathesis runs every operation of the schema with positive and negative
  data (``FUZZ_EXAMPLES`` per operation).

Each response must be below 500, and every 4xx must be
``application/problem+json``; batch items must each carry a decision or a problem.
"""

from __future__ import annotations

import io
import json
from datetime import date
from collections import Counter

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from schemathesis.checks import not_a_server_error

from api import create_app
from api.audit import AuditLog
from api.settings import Settings


pytestmark = pytest.mark.fuzz
FUZZ_REQUESTS: Counter[str] = Counter()
FUZZ_STATUSES: Counter[int] = Counter()

CASE_EXAMPLES = 2500      # x 3 routes
BATCH_EXAMPLES = 300
FUZZ_EXAMPLES = 400       # per schemathesis operation and generation mode

app = create_app(Settings(), audit=AuditLog(io.StringIO()))
client = TestClient(app)
_openapi = app.openapi()
_components = _openapi["components"]["schemas"]


def _strategy(schema: dict) -> st.SearchStrategy:
    """Objects and ``anyOf`` built here, leaves by hypothesis-jsonschema's ``from_schema``.

    (hypothesis-jsonschema 0.23's own object strategy fails against current
    hypothesis internals: ``'many' object has no attribute 'more'``.)
    """
    if "$ref" in schema:
        return _strategy(_components[schema["$ref"].rsplit("/", 1)[1]])
    if "anyOf" in schema:
        return st.one_of([_strategy(part) for part in schema["anyOf"]])
    if schema.get("type") == "object" and "properties" in schema:
        required = set(schema.get("required", []))
        props = schema["properties"]
        return st.fixed_dictionaries({k: _strategy(v) for k, v in props.items() if k in required},
                                     optional={k: _strategy(v) for k, v in props.items() if k not in required})
    leaf = from_schema({k: v for k, v in schema.items() if k not in ("title", "description", "examples")})
    if schema.get("format") == "date":   # also dates inside the rulebooks' periods, so that many cases are decided
        return leaf | st.dates(date(1940, 1, 1), date(2030, 12, 31)).map(str) \
            | st.dates(date(2008, 7, 1), date(2020, 12, 31)).map(str)
    return leaf


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                        max_size=4), max_leaves=12)
cases = _strategy(_components["Case"]) | json_values


def _post(path: str, body, **params):
    """JSON as a hostile client may send it: NaN and Infinity included (json.dumps allows them)."""
    return client.post(path, content=json.dumps(body).encode(), params=params,
                       headers={"content-type": "application/json"})


def _check(response, source: str) -> None:
    FUZZ_REQUESTS[source] += 1
    FUZZ_STATUSES[response.status_code] += 1
    assert response.status_code < 500, (source, response.status_code, response.text[:300])
    if 400 <= response.status_code < 500:
        assert response.headers["content-type"] == "application/problem+json", (source, response.headers)
        body = response.json()
        assert body["status"] == response.status_code and body["type"].startswith("https://")


_fast = settings(max_examples=CASE_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@_fast
@given(case=cases)
def test_generated_cases_never_cause_5xx(case):
    _check(_post("/v1/decisions", case), "jsonschema:/v1/decisions")
    _check(_post("/v1/decisions/timeline", case, months=3), "jsonschema:/v1/decisions/timeline")
    _check(_post("/v1/decisions/compare", case, a="2008-07-01", b="2016-02-01"),
           "jsonschema:/v1/decisions/compare")


@settings(max_examples=BATCH_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(batch=st.lists(cases, min_size=1, max_size=8))
def test_generated_batches_never_cause_5xx(batch):
    response = _post("/v1/decisions/batch", {"cases": batch, "explain": False})
    _check(response, "jsonschema:/v1/decisions/batch")
    if response.status_code == 200:
        results = response.json()["results"]
        assert len(results) == len(batch)
        for item in results:
            assert (item["decision"] is None) != (item["error"] is None)
            if item["error"]:
                assert item["error"]["status"] == 422, item["error"]


schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.exclude(path="/v1/admin/reload").parametrize()
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_never_causes_5xx(case):
    response = case.call()
    FUZZ_REQUESTS[f"schemathesis:{case.operation.path}"] += 1
    FUZZ_STATUSES[response.status_code] += 1
    case.validate_response(response, checks=[not_a_server_error])
    if 400 <= response.status_code < 500:
        assert response.headers["content-type"][0] == "application/problem+json"
