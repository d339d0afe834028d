"""The motivering and the text to the person on the page (issue 18 item 6), in a real browser at 1280 px.

One submission serves every check (the browser suite is costly): both texts are paragraphs under their
own headings, each copy button copies its own text exactly as the API gives it (by keyboard too), the
``aria-live`` status says "Kopierad" and clears, the traceability line is on screen and on paper, and
axe finds nothing.
"""

from __future__ import annotations

import json

from browser_helpers import AXE, SCREENSHOTS, WCAG_AA, fill_sjukpenning

CASE = {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02", "employment": "arbetslos"},
        "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 700, "allvarlig_sjukdom": False},
        "assessment": {"fardigutredd": True, "capacity_can_improve": True, "sassam_done": True,
                       "stadigvarande_nedsatt_arbetsformaga": False, "hours_per_week": 12,
                       "months_in_handlingsplansamverkan": 0}}


def _clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def test_both_texts_with_their_copy_buttons_status_and_traceability(browser, server):
    context = browser.new_context(base_url=server, locale="sv-SE", viewport={"width": 1280, "height": 900},
                                  bypass_csp=True)   # so that axe can be injected
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    try:
        expected = page.request.post("/v1/decisions", data=CASE).json()
        page.clock.install()   # the status clears after a few seconds: run the clock instead of waiting
        fill_sjukpenning(page, "700", "nej", ja=("fardigutredd", "capacity_can_improve", "sassam_done"),
                         nej=("stadigvarande_nedsatt_arbetsformaga",), hours="12", months="0")
        page.click("button[type=submit]")
        page.wait_for_selector("#result")

        # Two sections, each with its heading; paragraphs (a longer one under its own heading), no <pre>.
        assert page.locator("#motivering-heading").inner_text() == "Motivering"
        assert page.locator("#person-text-heading").inner_text() == "Text till personen"
        assert page.locator("#result pre").count() == 0
        assert "Sammanfattning" in page.locator("#motivering h4").all_inner_texts()
        assert "Det här betyder bedömningen för dig" in page.locator("#person-text h4").all_inner_texts()
        assert page.locator("#motivering p").first.inner_text() == expected["explanation_sv"].split("\n")[0]

        # Each button copies its own text, as written (paragraphs, headings, blank lines), by mouse or keyboard.
        motivering_status, person_status = page.locator("#motivering-status"), page.locator("#person-text-status")
        assert motivering_status.get_attribute("aria-live") == "polite" and motivering_status.inner_text() == ""
        page.click("button[data-copy=motivering]")
        page.wait_for_function("document.getElementById('motivering-status').textContent === 'Kopierad'")
        assert _clipboard(page) == expected["explanation_sv"]
        assert person_status.inner_text() == ""
        page.focus("button[data-copy=person-text]")
        page.keyboard.press("Enter")
        page.wait_for_function("document.getElementById('person-text-status').textContent === 'Kopierad'")
        assert _clipboard(page) == expected["person_text_sv"]
        assert person_status.get_attribute("aria-live") == "polite"
        page.locator(".texts").screenshot(path=str(SCREENSHOTS / "result-texts.png"))
        page.clock.run_for(5_000)
        assert motivering_status.inner_text() == "" and person_status.inner_text() == ""

        # The traceability line: on screen, and on paper, where the form and the buttons are not.
        trace = page.locator(".texts .trace")
        assert trace.inner_text().split() == (
            f"Spårbarhet: Regelversion 2010-01-01 · Innehållshash {expected['rulebook']['content_hash'][:12]} · "
            f"Lagtabellens hash {expected['rulebook']['statutes_hash'][:12]} · "
            f"Programversion {expected['package_version']} · Mallhash {expected['template_hash'][:12]}").split()
        assert trace.is_visible()
        page.emulate_media(media="print")
        assert trace.is_visible() and page.locator("#motivering").is_visible()
        assert not page.locator("form").is_visible() and not page.locator("button.copy").first.is_visible()
        page.emulate_media(media="screen")

        page.add_script_tag(path=str(AXE))
        result = json.loads(page.evaluate(f"async () => JSON.stringify(await axe.run(document, {WCAG_AA}))"))
        assert result["violations"] == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                                            for v in result["violations"]]
        assert not [item for item in result["incomplete"] if "aria" in item["id"]], result["incomplete"]
    finally:
        context.close()
