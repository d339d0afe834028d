"""The result frame: what batch rows, watchlist events and impact tallies make of it, on hand-made frames.

Every caseload command reads only the result frame (``caseload/frame_schema.py``),
so its behaviour is tested here on small frames written by hand, with the
rows, events and tallies expected; that the frame backend produces the same
frame as the per-case adapter (the oracle) is tested in test_caseload.py and
test_hostile_caseload.py.
"""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from eligibility.caseload.frame_schema import schema_of
from eligibility.caseload.impact import ONLY_ONE, tally_frames
from eligibility.caseload.rows import batch_rows, programme_ids
from eligibility.caseload.watchlist import chunk_events, parse_window

A, B = "2010-01-01", "2012-01-01"
HPS, PROVNING = "handlingsplansamverkan", "provning_varaktig_sjukersattning"
SP_DATES = {"key_dates.benefit_end_exclusive": date(2011, 10, 15), "key_dates.benefit_last_day": date(2011, 10, 14),
            "key_dates.beredningsgrupp_deadline": date(2011, 3, 15),
            "key_dates.last_day_with_hps_months_left": date(2011, 4, 15), "key_dates.birthday_30": date(2005, 6, 2),
            "key_dates.sjukpenning_days_left": 214}
UNREADABLE = {"error": "not valid JSON", "unreadable": True,
              "error_record": json.dumps({"line": 4, "id": None, "error": "LINE_UNREADABLE",
                                          "problems": [{"reason": "not valid JSON"}]})}


def _frame(engine, rows: list[dict]) -> pl.DataFrame:
    return pl.from_dicts([{"unreadable": False, **row} for row in rows], schema=schema_of(engine))


def _decided(line: int, case_id: str | None, **columns) -> dict:
    return {"line": line, "id": case_id, "as_of": date(2011, 3, 15), "rulebook": A, "beyond_reviewed_law": False,
            **columns}


def test_batch_rows_are_the_decided_rows_and_the_error_records_in_order(engine):
    book = next(b for b in engine.books if b.id == A)
    gid, first_group = min(book.target_groups.items(), key=lambda entry: entry[1].number)
    frame = _frame(engine, [
        _decided(1, "a", **SP_DATES, **{f"status.{HPS}": "undetermined", f"status.{PROVNING}": "not_eligible",
                                      f"target_group.{gid}": True},
                 questions="assessment.fardigutredd;assessment.sassam_done", benefit_type="sjukpenning"),
        {"line": 4, "id": None, **UNREADABLE},
        _decided(5, None, questions="", decision=json.dumps({"whole": "decision"})),
    ])
    programmes = programme_ids(engine)
    (ok1, row1), (ok4, row4), (ok5, row5) = batch_rows(frame, engine, programmes)
    assert (ok1, ok4, ok5) == (True, False, True)
    assert row1 == {"line": 1, "id": "a", "as_of": "2011-03-15", "rulebook": A, "rulebook_hash": book.content_hash,
                    "law_reviewed_until": "2011-12-31", "beyond_reviewed_law": False,
                    "programmes": {pid: {HPS: "undetermined", PROVNING: "not_eligible"}.get(pid, "not_in_force")
                                   for pid in programmes},
                    "target_groups": [first_group.number],
                    "key_dates": {"benefit_last_day": "2011-10-14", "beredningsgrupp_deadline": "2011-03-15",
                                  "last_day_with_hps_months_left": "2011-04-15", "birthday_30": "2005-06-02",
                                  "aktivitetsersattning_end": None, "sjukpenning_days_left": 214},
                    "questions": ["assessment.fardigutredd", "assessment.sassam_done"]}
    assert row4 == json.loads(UNREADABLE["error_record"])
    assert row5["questions"] == [] and row5["target_groups"] == [] and row5["decision"] == {"whole": "decision"}
    assert "decision" not in row1


@pytest.mark.parametrize(("start", "expected"), [
    # From each case's own as_of (2011-03-15), 8 weeks: the beredningsgrupp deadline is that very day.
    (None, [(date(2011, 3, 15), "sp", "beredningsgrupp_deadline"), (date(2011, 4, 15), "sp", "last_day_with_hps_months_left")]),
    # A window whose last day is the benefit's last day includes it, but not the ALI start the day after.
    (date(2011, 10, 14) - parse_window("8w"), [(date(2011, 9, 10), "ae", "birthday_30"),
                                               (date(2011, 10, 14), "sp", "benefit_last_day")]),
    # The AE case's 30th birthday (the SP case's is no event: not aktivitetsersättning); the ALI start.
    (date(2011, 9, 1), [(date(2011, 9, 10), "ae", "birthday_30"), (date(2011, 10, 14), "sp", "benefit_last_day"),
                        (date(2011, 10, 15), "sp", "ali_start")]),
])
def test_watchlist_events_are_the_key_dates_in_the_window(engine, start, expected):
    frame = _frame(engine, [
        _decided(1, "sp", **SP_DATES, **{"status.arbetslivsintroduktion": "not_eligible"}, benefit_type="sjukpenning"),
        _decided(2, "ae", **{"key_dates.birthday_30": date(2011, 9, 10)}, benefit_type="aktivitetsersattning"),
        {"line": 3, "id": "bad", "error": "as_of: not a date", "error_record": "{}"},
    ])
    decided, events, errors = chunk_events(frame, parse_window("8w"), start)
    assert decided == 2 and errors == [(3, "as_of: not a date")]
    assert sorted((e.date, e.case_id, e.event) for e in events) == expected


def test_watchlist_has_no_ali_start_where_the_rulebook_has_no_ali(engine):
    frame = _frame(engine, [_decided(1, "sp", **SP_DATES, benefit_type="sjukpenning")])  # ALI status null
    _, events, _ = chunk_events(frame, parse_window("12m"), date(2011, 9, 1))
    assert [e.event for e in events] == ["benefit_last_day"]


def test_impact_tallies_transitions_causes_examples_and_problems(engine):
    book_a, book_b = (next(b for b in engine.books if b.id == rid) for rid in (A, B))
    cond = "minst_sex_manader_kvar"
    assert cond in book_a.programmes[HPS].conditions and cond in book_b.programmes[HPS].conditions
    same = {f"condition.{c}": True for c in book_a.programmes[HPS].conditions if c != cond}
    rows_a = [_decided(1, "a", **same, **{f"status.{HPS}": "eligible", f"condition.{cond}": True,
                                          f"status.{PROVNING}": "not_eligible"}),
              _decided(2, None, **{f"status.{HPS}": "undetermined"}),
              _decided(3, "c", **{f"status.{HPS}": "eligible"}),
              {"line": 4, "id": None, **UNREADABLE}]
    rows_b = [_decided(1, "a", **same, **{f"status.{HPS}": "not_eligible", f"condition.{cond}": False}),
              _decided(2, None, **{f"status.{HPS}": "undetermined"}),
              {"line": 3, "id": "c", "error": "benefit.type: unknown", "error_record": "{}"},
              {"line": 4, "id": None, **UNREADABLE}]
    report = tally_frames(_frame(engine, rows_a), _frame(engine, rows_b), engine, A, B)
    assert (report.decided, report.unreadable, report.errors_a, report.errors_b) == (2, 1, 0, 1)
    assert report.problems == [(3, f"{B}: benefit.type: unknown"), (4, "not valid JSON")]
    hps = report.programmes[HPS]
    assert hps.matrix == {("eligible", "not_eligible"): 1, ("undetermined", "undetermined"): 1}
    assert hps.causes == {cond: 1} and hps.changed == 1
    assert dict(hps.examples) == {("eligible", "not_eligible"): ["a"], ("undetermined", "undetermined"): ["rad 2"]}
    provning = report.programmes[PROVNING]  # status only under A in row 1: the programme "exists in one only"
    assert provning.matrix == {("not_eligible", "not_in_force"): 1, ("not_in_force", "not_in_force"): 1}
    assert provning.causes == {ONLY_ONE: 1}
