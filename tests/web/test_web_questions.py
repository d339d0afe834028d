"""The questions of an exact decision on the page (issue 17), in a real browser at 320 px.

The issue's example: an unemployed person on sjukpenning with 800 of 914 days used on 2011-03-15,
allvarlig sjukdom not known, the assessment all positive. The page decides exactly, so the one question
is whether the illness is serious, and each answer says what the three open programmes become; the
answer *nej* fixes the benefit's end and so the key dates. The HTML itself is checked without a browser
in tests/api/test_api_page_questions.py.
"""

from __future__ import annotations

from browser_helpers import SCREENSHOTS, fill_sjukpenning, serious_axe_violations


def _submit_issue_example(page) -> None:
    fill_sjukpenning(page, "800", "vet_ej", ja=("fardigutredd", "capacity_can_improve", "sassam_done",
                                                "stadigvarande_nedsatt_arbetsformaga",
                                                "needs_vocational_rehabilitation"), hours="12", months="0")
    page.click("button[type=submit]")
    page.wait_for_selector("#result")


def test_each_question_says_what_every_answer_does_readable_at_320_px_and_accessible(narrow_page):
    page = narrow_page
    _submit_issue_example(page)
    questions = page.locator("ul.questions > li")
    assert questions.count() == 1
    question = questions.first
    assert "allvarlig sjukdom" in question.locator(".question").inner_text()
    answers = question.locator("ul.answers > li")
    assert answers.count() == 2
    yes, no = (answers.nth(i).inner_text() for i in range(2))
    assert yes.startswith("Om ja: Handlingsplansamverkan uppfyller villkoren")
    assert "Arbetslivsintroduktion uppfyller inte villkoren" in yes
    assert no.startswith("Om nej: Handlingsplansamverkan uppfyller inte villkoren")
    assert "Arbetslivsintroduktion uppfyller villkoren" in no and "6 juli 2011" in no
    # The key dates depend on the answer: only nej gives the benefit an end.
    assert answers.nth(0).locator("dl.answer-dates").count() == 0
    dates = answers.nth(1).locator("dl.answer-dates")
    assert dates.locator("dt").all_inner_texts()[:2] == ["Sista ersättningsdag", "Senast i beredningsgruppen"]
    assert dates.locator("dd").all_inner_texts()[:2] == ["6 juli 2011", "7 december 2010"]
    # The programme no answer moves keeps what decided against it.
    employed = page.locator("article.programme", has_text="Anställda som prövas mot hela arbetsmarknaden").first
    assert "Anställningsform: arbetslös" in employed.locator(".remedies").inner_text()
    for block in (question, dates):                              # no sideways scrolling to read them
        box = block.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert page.evaluate("document.querySelector('ul.questions').scrollWidth") <= 320
    question.screenshot(path=str(SCREENSHOTS / "questions-answers-320px.png"))
    assert serious_axe_violations(page, "#result") == []
