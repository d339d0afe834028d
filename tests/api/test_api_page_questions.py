"""The page and the API decide the issue-17 example exactly: the question, and what every answer does.

An unemployed person on sjukpenning with 800 of 914 days used on 2011-03-15, allvarlig sjukdom not
known, the assessment all positive. Kleene leaves the three programmes that read the benefit's end open;
exactly, the one question is still allvarlig sjukdom (each answer settles all three, differently), and
*nej* gives the benefit an end on 2011-07-06 with the dates that follow from it. The page shows it in a
real browser in tests/web/test_web_questions.py.
"""

from __future__ import annotations

import html

CASE = {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02", "employment": "arbetslos"},
        "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 800},
        "assessment": {"fardigutredd": True, "capacity_can_improve": True, "sassam_done": True, "hours_per_week": 12,
                       "months_in_handlingsplansamverkan": 0, "needs_vocational_rehabilitation": True,
                       "stadigvarande_nedsatt_arbetsformaga": True}}
FORM = {"as_of": "2011-03-15", "person.birth_date": "1975-06-02", "person.employment": "arbetslos",
        "benefit.type": "sjukpenning", "benefit.sjukpenning_days_used": "800", "benefit.allvarlig_sjukdom": "vet_ej",
        "assessment.fardigutredd": "ja", "assessment.capacity_can_improve": "ja", "assessment.sassam_done": "ja",
        "assessment.hours_per_week": "12", "assessment.months_in_handlingsplansamverkan": "0",
        "assessment.needs_vocational_rehabilitation": "ja", "assessment.stadigvarande_nedsatt_arbetsformaga": "ja"}
OPEN = ("handlingsplansamverkan", "provning_varaktig_sjukersattning", "arbetslivsintroduktion")
YES = ("Om ja: Handlingsplansamverkan uppfyller villkoren, Prövning av varaktig sjukersättning uppfyller inte "
       "villkoren, Arbetslivsintroduktion uppfyller inte villkoren.")
NO = ("Om nej: Handlingsplansamverkan uppfyller inte villkoren, Prövning av varaktig sjukersättning uppfyller "
      "villkoren, Arbetslivsintroduktion uppfyller villkoren. Ersättningen räcker då till och med 6 juli 2011.")


def _section(page: str, start: str, end: str) -> str:
    part = page[page.index(start):]
    return part[:part.index(end)]


def test_the_api_gives_the_question_with_what_every_answer_does(client):
    body = client.post("/v1/decisions?exact=true", json=CASE).json()
    assert {p: body["programmes"][p]["status"] for p in OPEN} == dict.fromkeys(OPEN, "undetermined")
    assert body["programmes"]["anstalld_hela_arbetsmarknaden"]["status"] == "not_eligible"
    [question] = body["questions"]
    assert question["fact"] == "benefit.allvarlig_sjukdom" and question["programmes"] == list(OPEN)
    yes, no = question["answers"]
    assert (yes["answer_sv"], yes["text_sv"], yes["key_dates"]) == ("ja", YES, {})
    assert yes["statuses"] == {"handlingsplansamverkan": "eligible", "provning_varaktig_sjukersattning": "not_eligible",
                               "arbetslivsintroduktion": "not_eligible"}
    assert (no["answer_sv"], no["text_sv"]) == ("nej", NO)
    assert no["statuses"] == {"handlingsplansamverkan": "not_eligible", "provning_varaktig_sjukersattning": "eligible",
                              "arbetslivsintroduktion": "eligible"}
    assert no["key_dates"] == {"benefit_last_day": "2011-07-06", "benefit_end_exclusive": "2011-07-07",
                               "beredningsgrupp_deadline": "2010-12-07",
                               "last_day_with_hps_months_left": "2011-01-07", "sjukpenning_days_left": 114}


def test_the_page_decides_exactly_and_shows_every_answer_with_its_dates(client):
    response = client.post("/", data=FORM)
    assert response.status_code == 200
    page = html.unescape(response.text)
    questions = _section(page, '<ul class="questions"', "motivering-heading")
    assert "<span class=\"question\">Har personen en allvarlig sjukdom (då gäller ingen bortre tidsgräns)?</span>" \
        in questions
    answers = questions.split('<ul class="answers">')[1].split("<li>")[1:]
    assert [a.split("\n")[0] for a in answers] == [YES, NO]
    assert "answer-dates" not in answers[0]          # ja: no end, so no dates that differ
    assert "<dt>Sista ersättningsdag</dt><dd>6 juli 2011</dd>" in answers[1]
    assert "<dt>Senast i beredningsgruppen</dt><dd>7 december 2010</dd>" in answers[1]
    assert "<dt>Sista dag med minst 6 mån kvar</dt><dd>7 januari 2011</dd>" in answers[1]
    assert "<dt>Sjukpenningdagar kvar</dt><dd>114</dd>" in answers[1]
    # What decided against the programme no answer moves, and that no change of actionable facts helps.
    employed = _section(page, "Anställda som prövas mot hela arbetsmarknaden:", "</article>")
    assert "<li>Anställningsform: arbetslös</li>" in employed
    assert "Ingen ändring av uppgifter som går att påverka" in employed


def test_a_number_is_asked_by_the_boundary_that_matters_without_the_dates_of_one_value(client):
    """Days used unknown (allvarlig sjukdom nej): the answers are the stretches on either side of the
    boundary, 730 | 731. Their key dates are those of one value of the stretch, so the page shows none."""
    form = {**FORM, "benefit.sjukpenning_days_used": "", "benefit.allvarlig_sjukdom": "nej"}
    page = html.unescape(client.post("/", data=form).text)
    questions = _section(page, '<ul class="questions"', "motivering-heading")
    assert "Hur många dagar med sjukpenning har personen använt?" in questions
    assert "Om antal använda sjukpenningdagar högst 730: Handlingsplansamverkan uppfyller villkoren" in questions
    assert "Om antal använda sjukpenningdagar minst 731: Handlingsplansamverkan uppfyller inte villkoren" in questions
    assert "answer-dates" not in questions


def test_exact_false_gives_the_kleene_questions(client):
    body = client.post("/v1/decisions?exact=false", json=CASE).json()
    assert [q["answers"] for q in body["questions"]] == [[]]
