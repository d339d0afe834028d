"""Issue 19 in the browser: every error at once at its field, fields that cannot apply hidden, text date inputs,
the print layout, Spara ärendet / Öppna ärende, Ny bedömning. One page load serves several checks."""

from __future__ import annotations

import json

from browser_helpers import SCREENSHOTS, fill_sjukpenning
from test_web_glance import _axe

RED = "rgb(160, 20, 30)"


def test_every_error_at_once_linked_to_its_field(browser, server):
    context = browser.new_context(base_url=server, locale="en-US", viewport={"width": 1280, "height": 900},
                                  bypass_csp=True)
    page = context.new_page()
    try:
        page.goto("/")
        # Date fields are text inputs taking ÅÅÅÅ-MM-DD whatever the browser's locale (here en-US).
        assert page.get_attribute("#as_of", "type") == "text"
        assert page.get_attribute("#as_of", "pattern") == r"\d{4}-\d{2}-\d{2}"
        page.fill("#as_of", "15/03/2011")
        page.select_option("#benefit-type", "sjukpenning")
        page.fill("#benefit-sjukpenning_days_used", "x")
        page.fill("#assessment-hours_per_week", "många")
        page.click("button[type=submit]")
        links = page.locator("#error-summary a")
        assert links.count() >= 3
        for i in range(links.count()):
            link = links.nth(i)
            target = link.get_attribute("href")[1:]
            assert page.locator(f"[id='{target}']").count() == 1, target
            assert link.locator(".error-label").inner_text() and link.locator(".error-message").inner_text()
        for field in ("as_of", "benefit-sjukpenning_days_used", "assessment-hours_per_week"):
            described = page.get_attribute(f"#{field}", "aria-describedby")
            assert page.get_attribute(f"#{field}", "aria-invalid") == "true"
            assert any(page.locator(f"[id='{d}']").count() == 1 and d.endswith("-error") for d in described.split())
            assert page.evaluate(f"getComputedStyle(document.getElementById('{field}')).borderTopColor") == RED
        assert page.input_value("#assessment-hours_per_week") == "många"   # what was typed is kept
        links.nth(1).click()
        assert page.evaluate("document.activeElement.id") == links.nth(1).get_attribute("data-focus")
        page.screenshot(path=str(SCREENSHOTS / "errors-all-at-once.png"))
        assert _axe(page) == []
    finally:
        context.close()


def test_fields_that_cannot_apply_are_hidden_with_and_without_javascript(browser, server):
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    try:
        fill = {"as_of": "2011-03-15", "person.birth_date": "1975-06-02", "person.employment": "arbetslos",
                "benefit.type": "sjukpenning", "benefit.sjukpenning_days_used": "700",
                "benefit.decision_end": "2011-07-06", "person.can_return_to_employer": "ja"}
        page.goto("/")
        assert page.locator("#save-case").is_hidden()          # Spara/Öppna need JavaScript
        for name, value in fill.items():
            field = page.locator(f"[name='{name}']").first
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            elif field.get_attribute("type") == "radio":
                page.check(f"[name='{name}'][value='{value}']")
            else:
                field.fill(value)
        page.click("button[type=submit]")
        page.wait_for_selector("#summary")
        assert page.locator("#person-can_return_to_employer").is_hidden()      # not employed
        assert page.locator("#benefit-decision_end").is_hidden()               # not a sjukpenning field
        assert page.locator("#benefit-sjukersattning_refused").is_hidden()     # förstärkt samarbete: from 2012
        assert page.locator("#benefit-sjukpenning_days_used").is_visible()
    finally:
        context.close()
    context = browser.new_context(base_url=server)
    page = context.new_page()
    try:
        page.goto("/")
        assert page.locator("#person-can_return_to_employer").is_visible()
        page.select_option("#person-employment", "arbetslos")
        assert page.locator("#person-can_return_to_employer").is_hidden()
        page.select_option("#person-employment", "anstalld")
        assert page.locator("#person-can_return_to_employer").is_visible()
    finally:
        context.close()


def test_print_layout_save_and_open_and_new_assessment(browser, server, tmp_path):
    context = browser.new_context(base_url=server, locale="sv-SE", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    try:
        fill_sjukpenning(page, "700", "nej", ja=("fardigutredd",), hours="12")
        page.fill("#case_ref", "Ärende 2011/4711")
        with page.expect_download() as download:
            page.click("#save-case")
        saved = tmp_path / "arende.json"
        download.value.save_as(saved)
        values = json.loads(saved.read_text())["values"]
        assert values["benefit.sjukpenning_days_used"] == "700" and values["assessment.fardigutredd"] == "ja"
        assert "case_ref" in values and "benefit.decision_end" not in values        # hidden fields are not saved
        page.click("button[type=submit]")
        page.wait_for_selector("#summary")

        page.emulate_media(media="print")
        assert page.locator(".print-title").inner_text() == "Bedömningsunderlag"
        meta = page.inner_text(".print-meta")
        assert "Ärende 2011/4711" in meta and "den 15 mars 2011" in meta and "Utskrivet" in meta
        for shown in ("#summary", "#motivering", "article.programme table", ".trace"):
            assert page.locator(shown).first.is_visible(), shown
        for gone in ("form", "button", "#new-assessment", ".skip"):
            assert all(not e.is_visible() for e in page.locator(gone).all()), gone
        page.screenshot(path=str(SCREENSHOTS / "print.png"), full_page=True)
        page.emulate_media(media="screen")

        page.click(".summary-actions a.button")                    # Ny bedömning: an empty form
        page.wait_for_selector("#case-form")
        assert page.input_value("#benefit-sjukpenning_days_used") == ""
        page.set_input_files("#open-case", str(saved))              # Öppna ärende: the saved case back in the form
        page.wait_for_function("document.getElementById('case-file-status').textContent.length > 0")
        assert page.input_value("#benefit-sjukpenning_days_used") == "700"
        assert page.input_value("#case_ref") == "Ärende 2011/4711"
        assert page.is_checked("#assessment-fardigutredd input[value=ja]")
    finally:
        context.close()
