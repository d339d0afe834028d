"""Schemathesis against /openapi.json: no 5xx, and every response conforms to the schema.

Bounded for CI: ``MAX_EXAMPLES`` generated requests per operation, fewer
for the batch route, whose generated bodies hold up to 1 000 cases each, and
for the admin reload, which recompiles every rulebook (~1 s), and for the PDF, rendered by a stand-in here (positive data from the schema; the hypothesis database
is off so the cost of a run does not grow). Errors are checked as
problem+json by the status code and content type conformance checks.
"""

from __future__ import annotations

import io

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

from api import create_app, pdf
from api.audit import AuditLog
from api.settings import Settings

MAX_EXAMPLES = 100
SLOW = {"/v1/decisions/batch": 10, "/v1/admin/reload": 2, "/v1/decisions/pdf": 20}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
app = create_app(Settings(), audit=AuditLog(io.StringIO()))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.exclude(path=list(SLOW)).parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case):
    case.call_and_validate(checks=CHECKS)


@schema.include(path="/v1/decisions/batch").parametrize()
@settings(max_examples=SLOW["/v1/decisions/batch"], deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_batch_conforms_to_its_schema(case):
    case.call_and_validate(checks=CHECKS)


@schema.include(path="/v1/admin/reload").parametrize()
@settings(max_examples=SLOW["/v1/admin/reload"], deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_reload_conforms_to_its_schema(case):
    case.call_and_validate(checks=CHECKS)


@schema.include(path="/v1/decisions/pdf").parametrize()
@settings(max_examples=SLOW["/v1/decisions/pdf"], deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_pdf_conforms_to_its_schema(case, monkeypatch):
    # The contract, not the layout: a stand-in renderer (tests/api/test_api_pdf.py renders a real PDF).
    monkeypatch.setattr(pdf, "_render", lambda document: b"%PDF-1.7 stand-in")
    case.call_and_validate(checks=CHECKS)
