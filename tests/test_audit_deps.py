"""The dependency audit (.ci/audit_deps.py) against a fake PyPI: what counts as checked, vulnerable, unverified."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import httpx

_SPEC = importlib.util.spec_from_file_location("audit_deps", Path(__file__).parents[1] / ".ci" / "audit_deps.py")
audit = importlib.util.module_from_spec(_SPEC)
sys.modules["audit_deps"] = audit  # dataclasses look their module up there
_SPEC.loader.exec_module(audit)

ADVISORY = {"id": "GHSA-xxxx", "fixed_in": ["2.0.1"], "withdrawn": None}
WITHDRAWN = {"id": "PYSEC-old", "fixed_in": ["1.0"], "withdrawn": "2024-01-01T00:00:00Z"}


def _pypi(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/pypi/vulnerable/json":
        return httpx.Response(200, json={"info": {"version": "2.0.0"}, "vulnerabilities": [ADVISORY, WITHDRAWN]})
    if path == "/pypi/clean/json":
        return httpx.Response(200, json={"info": {"version": "1.0.0"}, "vulnerabilities": [WITHDRAWN]})
    if path == "/pypi/older/json":
        return httpx.Response(200, json={"info": {"version": "3.0.0"}, "vulnerabilities": []})
    if path == "/pypi/older/2.0.0/json":
        return httpx.Response(200, json={"info": {"version": "2.0.0"}, "vulnerabilities": [ADVISORY]})
    return httpx.Response(404)


def _client() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(_pypi))


def test_latest_release_with_an_advisory_is_vulnerable():
    finding = audit.check(_client(), "vulnerable", "2.0.0")
    assert finding.verified and finding.advisories == ["GHSA-xxxx (fixed in 2.0.1)"]


def test_withdrawn_advisories_do_not_count():
    finding = audit.check(_client(), "clean", "1.0.0")
    assert finding.verified and finding.advisories == []


def test_older_release_uses_the_per_release_data_when_reachable():
    assert audit.check(_client(), "older", "2.0.0").advisories == ["GHSA-xxxx (fixed in 2.0.1)"]


def test_older_release_without_per_release_data_is_not_verified_never_safe():
    finding = audit.check(_client(), "older", "1.0.0")
    assert not finding.verified and "latest 3.0.0" in finding.note


def test_unreachable_pypi_is_reported_as_unreachable():
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route", request=request)

    finding = audit.check(httpx.Client(transport=httpx.MockTransport(down)), "clean", "1.0.0")
    assert not finding.reachable and not finding.verified
