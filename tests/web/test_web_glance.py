"""Issue 19 in the browser: the summary first, readable tables, compare per programme, reflow, mobile taps.

Each test reuses one page load for several checks (the suite is close to its time limit).
"""

from __future__ import annotations

import json

from browser_helpers import AXE, SCREENSHOTS, WCAG_AA, fill_sjukpenning

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
OVERLAPS = """(selector) => {
  const boxes = [...document.querySelectorAll(selector)].map(e => e.getBoundingClientRect());
  let hits = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) hits++;
  }
  return hits;
}"""


# The timeline's SVG text: axe cannot see a background through an <svg> ("contains an image node") and asks
# for review; resolved here by computing each text's contrast against the white page (WCAG: 4.5:1).
SVG_TEXT_CONTRAST = """() => [...document.querySelectorAll('svg.timeline text')].map(t => {
  const lum = c => { const [r, g, b] = c.match(/\\d+/g).slice(0, 3).map(v => { v = v / 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  return 1.05 / (lum(getComputedStyle(t).fill) + 0.05);
})"""


def _axe(page) -> list:
    """axe's serious/critical violations and its unresolved serious/critical "needs review" results."""
    page.add_script_tag(path=str(AXE))
    result = json.loads(page.evaluate(f"async () => JSON.stringify(await axe.run(document, {WCAG_AA}))"))
    found = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
             if v["impact"] in ("serious", "critical")]
    for v in result["incomplete"]:
        if v["impact"] not in ("serious", "critical"):
            continue
        nodes = [n for n in v["nodes"] if not (v["id"] == "color-contrast" and n["html"].startswith("<text"))]
        if nodes:
            found.append(("review:" + v["id"], [n["target"] for n in nodes][:3]))
    if page.locator("svg.timeline text").count():
        assert min(page.evaluate(SVG_TEXT_CONTRAST)) >= 4.5
    return found


def _undetermined(page) -> None:
    fill_sjukpenning(page, "700", "nej")
    page.click("button[type=submit]")
    page.wait_for_selector("#summary")


def test_summary_first_with_questions_linked_to_fields(browser, server):
    context = browser.new_context(base_url=server, locale="sv-SE", viewport={"width": 1280, "height": 800},
                                  bypass_csp=True)
    page = context.new_page()
    try:
        fill_sjukpenning(page, "700", "nej", ja=("fardigutredd", "capacity_can_improve", "sassam_done"),
                         nej=("stadigvarande_nedsatt_arbetsformaga",), hours="12", months="0")
        page.click("button[type=submit]")
        page.wait_for_selector("#summary")
        # Focus and scroll land on the summary's heading, and the answer is in the first screenful.
        assert page.evaluate("document.activeElement.id") == "summary-heading"
        box = page.locator(".summary-eligible").bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= 800
        eligible = page.inner_text(".summary-eligible")
        assert "Handlingsplansamverkan" in eligible and "från den 15 mars 2011" in eligible
        assert page.locator(".summary-not-eligible li").count() >= 1
        assert "den " in page.inner_text(".summary-next")
        # The programme the person can take part in comes first; the condition table speaks Swedish.
        assert "Uppfyller villkoren" in page.locator("article.programme h3").first.inner_text()
        table = page.inner_text("article.programme table")
        assert "Antal timmar per vecka som personen klarar: 12" in table
        assert "benefit.type" not in table and " = " not in table and "True" not in table
        assert "uppfyllt" in table
        page.screenshot(path=str(SCREENSHOTS / "summary.png"))
        assert _axe(page) == []

        # An undetermined case: each open question links to its field and moves focus there.
        _undetermined(page)
        links = page.locator(".summary-questions a")
        assert links.count() >= 3
        for i in range(links.count()):
            assert page.locator("#" + links.nth(i).get_attribute("data-focus")).count() == 1
        links.first.click()
        assert page.evaluate("document.activeElement.name") == "assessment.fardigutredd"
        page.locator(".summary-questions a", has_text="timmar").click()
        assert page.evaluate("document.activeElement.id") == "assessment-hours_per_week"
    finally:
        context.close()


def test_compare_one_table_per_programme_readable_at_1280_and_390(browser, server):
    context = browser.new_context(base_url=server, locale="sv-SE", viewport={"width": 1280, "height": 900},
                                  bypass_csp=True)
    page = context.new_page()
    try:
        fill_sjukpenning(page, "850", "nej")
        page.select_option("#compare_rulebook", "2008-07-01")
        page.click("button[type=submit]")
        tables = page.locator(".compare table")
        assert tables.count() == 4
        first = tables.first
        assert first.locator("thead th").all_inner_texts() == ["Villkor", "Regelversion 2010-01-01",
                                                              "Regelversion 2008-07-01"]
        rows = first.locator("tbody tr")
        marked = [("changed" in (rows.nth(i).get_attribute("class") or "")) for i in range(rows.count())]
        assert marked[0] and marked == sorted(marked, reverse=True)   # the differing rows first
        assert "Skiljer sig" in rows.first.inner_text()                  # marked in words, not by colour alone
        assert page.evaluate(OVERFLOW) <= 0
        assert page.evaluate(OVERLAPS, ".compare table, .decision-column, .summary") == 0
        page.screenshot(path=str(SCREENSHOTS / "compare.png"))
        assert _axe(page) == []
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate(OVERFLOW) <= 0
        assert page.evaluate(OVERLAPS, ".compare table, .decision-column, .summary") == 0
    finally:
        context.close()


def test_reflow_at_320_px_and_at_200_percent_zoom(browser, server):
    for viewport, scale in (({"width": 320, "height": 640}, 1), ({"width": 640, "height": 450}, 2)):
        context = browser.new_context(base_url=server, locale="sv-SE", viewport=viewport, device_scale_factor=scale,
                                      bypass_csp=True)
        page = context.new_page()
        try:
            page.goto("/")
            assert page.evaluate(OVERFLOW) <= 0, ("form", viewport)
            _undetermined(page)
            assert page.evaluate(OVERFLOW) <= 0, ("result", viewport)
            if scale == 1:
                page.screenshot(path=str(SCREENSHOTS / "mobile-320px.png"))
                assert _axe(page) == []
        finally:
            context.close()


def test_every_control_can_be_tapped_in_mobile_emulation(browser, server):
    context = browser.new_context(base_url=server, locale="sv-SE", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True, device_scale_factor=3)
    page = context.new_page()
    try:
        page.goto("/")
        assert page.evaluate(OVERFLOW) <= 0
        page.select_option("#benefit-type", "sjukpenning")
        for radio in page.locator("#benefit-allvarlig_sjukdom input, #assessment-fardigutredd input").all():
            radio.tap()
            assert radio.is_checked()
        for field in ("#as_of", "#person-birth_date", "#benefit-sjukpenning_days_used"):
            page.tap(field)
            assert page.evaluate("document.activeElement.id") == field[1:]
        page.fill("#as_of", "2011-03-15")
        page.fill("#person-birth_date", "1975-06-02")
        page.fill("#benefit-sjukpenning_days_used", "700")
        page.tap("button[type=submit]")
        page.wait_for_selector("#summary")
        assert page.evaluate(OVERFLOW) <= 0
        page.screenshot(path=str(SCREENSHOTS / "mobile-390px.png"))
    finally:
        context.close()
