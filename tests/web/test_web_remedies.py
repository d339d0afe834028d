"""What would change it (issue 17 item 3) on the page, in a real browser at 320 px: readable and accessible.

The HTML itself (under which programme, the texts) is checked without a browser in tests/test_remedies.py.
"""

from __future__ import annotations

from browser_helpers import SCREENSHOTS, fill_sjukpenning, serious_axe_violations


def _submit_brief_case(page) -> None:
    fill_sjukpenning(page, "300", "nej", ja=("fardigutredd", "capacity_can_improve"), nej=("sassam_done",),
                     hours="8", months="0")
    page.click("button[type=submit]")
    page.wait_for_selector("#result")


def test_what_would_change_it_is_under_the_programme_readable_at_320_px_and_accessible(narrow_page):
    page = narrow_page
    _submit_brief_case(page)
    article = page.locator("article.programme", has_text="Handlingsplansamverkan").first
    block = article.locator(".remedies")
    assert block.count() == 1 and block.is_visible()
    text = block.inner_text()
    assert "Det som talar emot" in text and "Sassam-kartläggning gjord: nej" in text
    assert "Detta skulle ändra bedömningen" in text and "uppfyller personen villkoren för" in text
    box = block.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320     # no sideways scrolling to read it
    sentence = block.locator(".would-change")
    sentence_box = sentence.bounding_box()
    assert sentence_box["x"] + sentence_box["width"] <= 320
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.would-change')).fontSize)") >= 16
    block.screenshot(path=str(SCREENSHOTS / "what-would-change-320px.png"))
    assert serious_axe_violations(page, ".remedies") == []
