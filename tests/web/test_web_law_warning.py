"""The banner of a decision beyond the reviewed law (issue 16 item 4) in a real browser, at 320 px.

The HTML itself (where the banner is, its text, none on 2017-01-31) is checked without a browser in
tests/test_law_reviewed.py.
"""

from __future__ import annotations

from browser_helpers import SCREENSHOTS, serious_axe_violations
SENTENCE = "Regelverket är granskat till och med 31 januari 2017; senare ändringar är inte inlagda."


def _submit(page, as_of: str) -> None:
    page.goto("/")
    page.fill("#as_of", as_of)
    page.fill("#person-birth_date", "1975-06-02")
    page.select_option("#person-employment", "arbetslos")
    page.select_option("#benefit-type", "sjukpenning")
    page.fill("#benefit-sjukpenning_days_used", "700")
    page.check("#benefit-allvarlig_sjukdom input[value=nej]")
    page.click("button[type=submit]")
    page.wait_for_selector("#result")


def test_the_banner_is_above_the_result_readable_at_320_px_and_accessible(narrow_page):
    page = narrow_page
    _submit(page, "2017-01-31")
    assert page.locator(".law-warning").count() == 0
    _submit(page, "2017-02-01")
    banner = page.locator(".law-warning[role=status]")
    assert banner.count() == 1 and banner.is_visible()
    assert SENTENCE in banner.inner_text()
    box, first_programme = banner.bounding_box(), page.locator("article.programme").first.bounding_box()
    assert box["y"] < first_programme["y"]                      # above the result
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320     # no sideways scrolling to read it
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.law-warning')).fontSize)") >= 16
    banner.screenshot(path=str(SCREENSHOTS / "law-warning-320px.png"))
    assert serious_axe_violations(page, ".law-warning") == []
