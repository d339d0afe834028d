"""POST /v1/decisions/pdf: the assessment as a PDF, read back as text (one rendering for the module)."""

from __future__ import annotations

import re

import io
import threading

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from api import create_app, pdf
from api.audit import AuditLog
from api.examples import HPS_SJUKPENNING
from api.settings import Settings

REFERENCE = "Dnr 2011/1234 – Åsa"


@pytest.fixture(scope="module")
def app_client(shared_store):
    log = io.StringIO()
    with TestClient(create_app(Settings(), shared_store, AuditLog(log))) as test_client:
        test_client.log = log
        yield test_client


@pytest.fixture(scope="module")
def rendered(app_client):
    """The one rendering: the response and the PDF's text, words joined by single spaces."""
    response = app_client.post("/v1/decisions/pdf", json={"case": HPS_SJUKPENNING, "reference": REFERENCE})
    assert response.status_code == 200, response.text
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return response, text


def test_pdf_holds_the_assessment(rendered, app_client):
    response, text = rendered
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="bedomningsunderlag-2011-03-15.pdf"'
    assert response.headers["cache-control"] == "no-store"
    assert text.startswith("Bedömningsunderlag")
    assert re.search(rf"Ärendereferens:? {re.escape(REFERENCE)}", text)
    assert re.search(r"Bedömningsdag:? den 15 mars 2011", text)
    assert re.search(r"Utskriv(en|et):? den \d+ \w+ \d{4} kl\. \d\d\.\d\d", text)
    for part in ("Sammanfattning", "Handlingsplansamverkan: Uppfyller villkoren", "Villkor för handlingsplansamverkan",
                 "Motivering", "Text till personen", "Sida 1 av"):
        assert part in text, part
    decision = app_client.post("/v1/decisions", json=HPS_SJUKPENNING).json()
    rulebook = decision["rulebook"]
    assert f"Regelversion {rulebook['id']}" in text and rulebook["content_hash"][:12] in text
    assert rulebook["statutes_hash"][:12] in text
    assert f"Programversion {decision['package_version']}" in text and decision["template_hash"][:12] in text


def test_pdf_has_no_form_and_no_buttons(rendered):
    _, text = rendered
    for absent in ("Bedöm ett ärende", "Hoppa till innehållet", "Kopiera motiveringen", "Jämför med"):
        assert absent not in text, absent


def test_render_is_measured_and_the_reference_never_logged(rendered, app_client):
    metrics = app_client.get("/metrics").text
    assert 'eligibility_pdf_renders_total{outcome="rendered"}' in metrics
    assert "eligibility_pdf_render_seconds_count" in metrics
    assert "Åsa" not in app_client.log.getvalue() and "1234" not in app_client.log.getvalue()


def test_over_the_limit_is_503_with_retry_after(app_client, monkeypatch):
    monkeypatch.setattr(pdf, "_slots", threading.BoundedSemaphore(1))
    pdf._slots.acquire()  # every slot taken
    response = app_client.post("/v1/decisions/pdf", json={"case": HPS_SJUKPENNING},
                               headers={"Accept-Language": "sv"})
    assert response.status_code == 503 and response.headers["retry-after"] == str(pdf.RETRY_AFTER_SECONDS)
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/renderer-busy") and problem["title"] == "PDF-tjänsten är upptagen"
    assert 'eligibility_pdf_renders_total{outcome="refused"}' in app_client.get("/metrics").text


@pytest.mark.parametrize("body, kind", [
    ({"case": HPS_SJUKPENNING, "reference": "rad ett\nrad två"}, "request-invalid"),
    ({"case": HPS_SJUKPENNING, "reference": "x" * (pdf.MAX_REFERENCE_CHARS + 1)}, "request-invalid"),
    ({"case": HPS_SJUKPENNING, "extra": 1}, "request-invalid"),
    (HPS_SJUKPENNING, "request-invalid"),  # the case itself, not wrapped
    ({"case": {**HPS_SJUKPENNING, "as_of": "15/3/2011"}}, "case-invalid"),
])
def test_bad_input_is_a_problem_before_any_rendering(app_client, body, kind):
    response = app_client.post("/v1/decisions/pdf", json=body)
    assert response.status_code == 422 and response.json()["type"].endswith(kind)
    assert "rad två" not in response.text


def test_the_renderer_loads_only_the_pages_own_files():
    fetcher = pdf._fetcher()
    css = fetcher.fetch(pdf.BASE_URL + "static/style.css")
    assert css.headers["Content-Type"] == "text/css"
    for url in ("http://example.org/x.css", pdf.BASE_URL + "static/../pdf.py", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
