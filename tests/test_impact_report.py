"""Issue 19 item 8: the analysts' impact report, on a small synthetic caseload across the 2016 law change.

The headline's numbers are the changes counted case by case (each case decided under both rulebooks
on its own), programmes are named in Swedish, and each changed cell is attributed to the conditions
whose outcome changed there and to the items of ``eligibility diff`` behind them, with the provision.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from eligibility import Evaluator
from eligibility.case.read import CaseLine
from eligibility.caseload.impact import ONLY_ONE, impact
from eligibility.caseload.impact_report import directions, render_html, render_markdown
from eligibility.caseload.synth import generate
from eligibility.rulebooks.diff import diff_rulebooks

A, B = "2013-01-01", "2016-02-01"
N = 80


@pytest.fixture(scope="module")
def evaluator(books):
    return Evaluator(books, exact=False)


@pytest.fixture(scope="module")
def cases():
    from datetime import date
    drawn = generate(N, 11, date(2015, 6, 1), date(2016, 6, 30))
    return [CaseLine(i, case.pop("id"), case) for i, case in enumerate(drawn, 1)]  # as read_cases reads a line


@pytest.fixture(scope="module")
def report(cases, evaluator):
    return impact(cases, evaluator, A, B)


@pytest.fixture(scope="module")
def counted(cases, evaluator):
    """Per programme the (status A, status B) of every case, and the cases that changed, one case at a time."""
    moves: dict[str, Counter] = {}
    changed = 0
    for item in cases:
        a, b = (evaluator.evaluate(item.data, rid, explain=False, questions=False) for rid in (A, B))
        statuses = [(pid, _status(a, pid), _status(b, pid)) for pid in {*a.programmes, *a.not_in_force,
                                                                       *b.programmes, *b.not_in_force}]
        for pid, sa, sb in statuses:
            moves.setdefault(pid, Counter())[(sa, sb)] += 1
        changed += any(sa != sb for _, sa, sb in statuses)
    return moves, changed


def _status(decision, pid):
    return decision.programmes[pid].status.value if pid in decision.programmes else "not_in_force"


def test_headline_numbers_are_the_changes_counted_case_by_case(report, counted):
    moves, changed = counted
    assert report.decided == N and report.changed_people == changed > 0
    markdown = render_markdown(report)
    headline = markdown.splitlines()[2]
    assert headline.startswith(f"**{changed} personer får en annan bedömning: ")
    for pid, matrix in moves.items():
        ways = directions(report.programmes[pid].matrix)
        assert ways == directions(matrix)
        name = report.law.in_text[pid] if pid in report.law.in_text else None
        if ways["gain"]:
            assert f"{ways['gain']} blir berättigade till {name}" in headline
        if ways["loss"]:
            assert f"{ways['loss']} är inte längre berättigade till {name}" in headline
    assert directions(report.programmes["arbetslivsintroduktion"].matrix)["loss"] > 0  # ALI ends 2016-02-01


def test_programmes_are_named_in_swedish_not_by_id(report):
    markdown, html = render_markdown(report), render_html(report)
    for pid in report.programmes:
        name = report.law.names[pid]
        assert f"## {name}" in markdown and f">{name}</h2>" in html
        if "_" in pid:
            assert pid not in markdown and not re.search(rf">[^<]*{pid}", html)  # only as an anchor
    assert "## Prövning av varaktig sjukersättning" in markdown


def test_each_changed_cell_is_attributed_to_the_law_that_changed(report, books, evaluator):
    diff = diff_rulebooks(*(evaluator.rulebook_for(None, rid) for rid in (A, B)))
    listed = {item.id for section in ("conditions", "parameters", "programmes", "not_in_force")
              for item in getattr(diff, section)}
    markdown = render_markdown(report)
    for pid, tally in report.programmes.items():
        for (a, b), n in tally.matrix.items():
            if a == b or not n:
                continue
            causes = {cause: count for (ca, cb, cause), count in tally.cell_causes.items() if (ca, cb) == (a, b)}
            assert causes and max(causes.values()) <= n, (pid, a, b)
            for cause in causes:
                changes = report.law.programmes[pid] if cause == ONLY_ONE else report.law.conditions.get(cause, [])
                assert {c.id for c in changes} <= listed      # what eligibility diff lists, nothing else
    ali = report.law.programmes["arbetslivsintroduktion"]
    assert [c.change for c in ali] == ["removed"] and "30 b § förordningen (2000:634)" in ali[0].provisions[0]
    cond = report.law.conditions["ersattningen_tar_slut_provning"]
    removed = next(c for c in cond if c.id == "sjukpenningen_riskerar_att_ta_slut")
    assert removed.detail_sv == "villkoret finns inte längre" and "27 kap. 24 § socialförsäkringsbalken" in \
        " ".join(removed.provisions)
    assert "Sjukpenningdagarna riskerar att ta slut: villkoret finns inte längre (27 kap." in markdown
    days = next(c for c in report.law.parameters if c.id == "sjukpenning_max_dagar")
    assert days.detail_sv == "upphör från den 1 februari 2016"


def test_html_chart_has_a_text_alternative_and_needs_no_network(report):
    html = render_html(report)
    assert html.count("<svg") == len(report.programmes) and html.count('role="img"') == len(report.programmes)
    assert html.count("<title id=") == len(report.programmes)
    assert "Antal personer per status" in html and "<script" not in html
    assert "http" not in html.replace("http-equiv", "")
