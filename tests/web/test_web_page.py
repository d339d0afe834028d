"""The handläggare's page in a real browser: fill, submit, read, compare, keyboard, accessibility."""

from __future__ import annotations

import json

from browser_helpers import AXE, SCREENSHOTS, fill_sjukpenning


def _fill_sjukpenning(page, days: str, *, assessment: bool = True) -> None:
    if not assessment:
        fill_sjukpenning(page, days, "nej")
        return
    fill_sjukpenning(page, days, "nej", ja=("fardigutredd", "capacity_can_improve", "sassam_done"),
                     nej=("stadigvarande_nedsatt_arbetsformaga",), hours="12", months="0")


def _programme(page, name: str) -> str:
    return page.locator("article.programme h3", has_text=name).inner_text()


def test_eligible_handlingsplansamverkan(page):
    _fill_sjukpenning(page, "700")
    page.click("button[type=submit]")
    assert "Uppfyller villkoren" in _programme(page, "Handlingsplansamverkan")
    assert "Det återstår 214 dagar med sjukpenning." in page.inner_text("#motivering")
    assert "2010-01-01" in page.inner_text(".summary-day")
    assert page.locator(".timeline-list li").count() >= 4
    assert "den 15 mars 2011" in page.inner_text(".timeline-list")
    page.screenshot(path=str(SCREENSHOTS / "hps-eligible.png"), full_page=True)


def test_arbetslivsintroduktion_when_days_run_out(page):
    _fill_sjukpenning(page, "850")
    page.click("button[type=submit]")
    assert "Uppfyller villkoren" in _programme(page, "Arbetslivsintroduktion")
    assert "Uppfyller inte villkoren" in _programme(page, "Handlingsplansamverkan")


def test_undetermined_case_lists_questions(page):
    _fill_sjukpenning(page, "700", assessment=False)
    page.click("button[type=submit]")
    assert "Kan inte avgöras ännu" in _programme(page, "Handlingsplansamverkan")
    questions = page.locator("ul.questions li").all_inner_texts()
    assert any("färdigutredd" in q for q in questions)
    page.screenshot(path=str(SCREENSHOTS / "undetermined-questions.png"), full_page=True)


def test_bad_input_is_shown_next_to_the_field_and_kept(page):
    _fill_sjukpenning(page, "-5")
    page.click("button[type=submit]")
    error = page.locator("#benefit-sjukpenning_days_used-error")
    assert "Skriv ett värde som är minst 0." in error.inner_text()  # says what to write (issue 19.4)
    assert page.input_value("#benefit-sjukpenning_days_used") == "-5"
    assert page.input_value("#person-birth_date") == "1975-06-02"
    assert page.get_attribute("#benefit-sjukpenning_days_used", "aria-invalid") == "true"
    assert page.locator("#error-summary a").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "bad-input.png"), full_page=True)


def test_compare_with_another_rulebook(page):
    _fill_sjukpenning(page, "850")
    page.select_option("#compare_rulebook", "2008-07-01")
    page.click("button[type=submit]")
    first = page.locator(".compare table").first   # the programme that differs comes first
    table = first.inner_text()
    assert "2010-01-01" in table and "2008-07-01" in table
    assert "Arbetslivsintroduktion" in first.locator("caption").inner_text() and "Finns inte" in table
    assert page.locator(".decision-column").count() == 2


def test_keyboard_only_submission(page):
    page.goto("/")
    page.keyboard.press("Tab")            # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip"
    page.focus("#as_of")                  # a text input that takes ÅÅÅÅ-MM-DD whatever the locale
    page.keyboard.press("Control+a")
    page.keyboard.type("2011-03-15")
    page.focus("#person-personnummer")
    page.keyboard.type("198112289874")    # fictitious, valid check digit
    page.keyboard.press("Tab")            # focus order follows the form
    assert page.evaluate("document.activeElement.id") == "person-birth_date"
    page.focus("#benefit-type")
    page.keyboard.press("ArrowDown")      # Välj ersättning -> Sjukpenning
    page.focus("#benefit-sjukpenning_days_used")
    page.keyboard.type("700")
    page.focus("button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#result")
    assert page.evaluate("document.activeElement.id") == "summary-heading"
    assert page.locator("article.programme").count() == 4  # 2011: three programmes and the entry from day 181


def test_no_serious_accessibility_violations(browser, server):
    context = browser.new_context(base_url=server, bypass_csp=True)
    page = context.new_page()
    try:
        for submit in (False, True):
            if submit:
                _fill_sjukpenning(page, "700")
                page.click("button[type=submit]")
            else:
                page.goto("/")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("async () => JSON.stringify(await axe.run(document, "
                                   "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}))")
            violations = [v for v in json.loads(result)["violations"] if v["impact"] in ("serious", "critical")]
            assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    finally:
        context.close()


def test_security_headers_and_no_case_data_in_urls(page, server):
    response = page.goto("/")
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    _fill_sjukpenning(page, "700")
    page.click("button[type=submit]")
    assert page.url.rstrip("/") == server.rstrip("/")
