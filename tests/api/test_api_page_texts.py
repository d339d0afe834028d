"""The page's motivering and text to the person as HTML (issue 18 item 6); in a browser: tests/web/test_web_texts.py.

Both texts are paragraphs (a longer paragraph's first line its heading), never ``<pre>``; each has a copy
button and an ``aria-live`` status; the traceability line names the rulebook, its hashes (the statutes
table's only when the rulebook has one), the package version and the template hash.
"""

from __future__ import annotations

import html
from types import SimpleNamespace

from api.web.result_texts import Paragraph, paragraphs, trace

FORM = {"as_of": "2011-03-15", "person.birth_date": "1975-06-02", "person.employment": "arbetslos",
        "benefit.type": "sjukpenning", "benefit.sjukpenning_days_used": "700", "benefit.allvarlig_sjukdom": "nej"}


def test_a_text_is_paragraphs_and_a_longer_paragraph_starts_with_its_heading():
    text = "Bedömningen gäller den 15 mars 2011.\n\nSammanfattning\nPersonen kan delta.\nEn rad till.\n\n\n\nSlut."
    assert paragraphs(text) == [Paragraph(None, ("Bedömningen gäller den 15 mars 2011.",)),
                                Paragraph("Sammanfattning", ("Personen kan delta.", "En rad till.")),
                                Paragraph(None, ("Slut.",))]
    assert paragraphs("") == []


def test_the_trace_names_the_statutes_hash_only_when_the_rulebook_has_one():
    rulebook = SimpleNamespace(id="2010-01-01", content_hash="a" * 64)
    decision = SimpleNamespace(rulebook=rulebook, package_version="0.1.0", template_hash="b" * 64)
    assert trace(decision) == [("Regelversion", "2010-01-01"), ("Innehållshash", "a" * 12),
                               ("Programversion", "0.1.0"), ("Mallhash", "b" * 12)]
    rulebook.statutes_hash = None
    assert [label for label, _ in trace(decision)] == ["Regelversion", "Innehållshash", "Programversion", "Mallhash"]
    rulebook.statutes_hash = "c" * 64
    assert trace(decision)[2] == ("Lagtabellens hash", "c" * 12)


def test_the_page_shows_both_texts_as_paragraphs_with_copy_buttons_and_the_trace(client):
    decision = client.post("/v1/decisions", json={"as_of": "2011-03-15",
                                                  "person": {"birth_date": "1975-06-02", "employment": "arbetslos"},
                                                  "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 700,
                                                              "allvarlig_sjukdom": False}}).json()
    page = html.unescape(client.post("/", data=FORM).text)
    assert "<pre" not in page
    for name, heading, text in (("motivering", "Motivering", decision["explanation_sv"]),
                                ("person-text", "Text till personen", decision["person_text_sv"])):
        section = page[page.index(f'<section class="decision-text" aria-labelledby="{name}-heading">'):]
        section = section[:section.index("</section>")]
        assert f'<h3 id="{name}-heading">{heading}</h3>' in section
        assert f'data-copy="{name}" data-status="{name}-status"' in section
        assert f'<span class="copy-status" id="{name}-status" role="status" aria-live="polite"></span>' in section
        for paragraph in text.split("\n\n"):
            lines = paragraph.split("\n")
            if len(lines) > 1:
                assert f"<h4>{lines[0]}</h4>" in section
            assert "".join(f"<p>{line}</p>" for line in lines[1:] or lines) in section
    assert (f"Innehållshash <code>{decision['rulebook']['content_hash'][:12]}</code>" in page
            and f"Mallhash <code>{decision['template_hash'][:12]}</code>" in page)
