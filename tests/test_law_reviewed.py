"""Law we have not reviewed (issue 16 item 4): ``reviewed_until`` in rulebook.yaml and the warning it gives.

The last rulebook (2016-02-01) is open-ended but its law is reviewed only
to 2017-01-31 (docs/decisions.md item 71). A decision on 2017-01-31 has no
warning; one on 2017-02-01 carries it in the data, the motivering, the CLI,
the API, both caseload backends and the web page. The browser check of the
banner at 320 px is in tests/web/test_web_law_warning.py.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from eligibility import Evaluator, load_rulebooks
from eligibility.case.read import CaseLine
from eligibility.caseload.batch import run_batch
from eligibility.caseload.result_frame import result_frame
from eligibility.cli import app
from eligibility.decision.texts_sv import date_long_sv, law_reviewed_sv
from rule_copies import edit, line_of, load_problems

LAST_REVIEWED, FIRST_UNREVIEWED = "2017-01-31", "2017-02-01"
SENTENCE = "Regelverket är granskat till och med 31 januari 2017; senare ändringar är inte inlagda."
CASE = {"person": {"birth_date": "1975-06-02", "employment": "arbetslos"},
        "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 700, "allvarlig_sjukdom": False},
        "assessment": {"fardigutredd": True, "capacity_can_improve": True, "sassam_done": True,
                       "hours_per_week": 12, "months_in_handlingsplansamverkan": 0}}
CLOSED = {"2008-07-01": "2009-12-31", "2010-01-01": "2011-12-31", "2012-01-01": "2012-12-31",
          "2013-01-01": "2016-01-31"}
runner = CliRunner()


def _case(as_of: str) -> dict:
    return {"as_of": as_of, **json.loads(json.dumps(CASE))}


# --- rulebook.yaml ---------------------------------------------------------------------------------

def test_every_bundled_rulebook_has_its_reviewed_until(books):
    reviewed = {book.id: book.meta.reviewed_until.isoformat() for book in books}
    assert reviewed == {**CLOSED, "2016-02-01": LAST_REVIEWED}
    assert all(book.valid_to is None or book.meta.reviewed_until == book.valid_to for book in books)
    last = books[-1].meta.not_reviewed_sv
    assert "33 kap. 16 § SFB" in last and "prop. 2021/22:220" in last and "prop. 2021/22:181" in last
    assert "inte verifierade" in last


def test_a_rulebook_without_reviewed_until_is_refused_with_file_and_line(rules):
    path = rules / "2008-07-01" / "rulebook.yaml"
    edit(path, "reviewed_until: 2009-12-31\n", "")
    line = line_of(path, 'id: "2008-07-01"')  # a missing key is reported at the mapping, as pydantic's others
    assert f"rules/2008-07-01/rulebook.yaml:{line}: reviewed_until: Field required" in load_problems(rules)


@pytest.mark.parametrize(("book", "old", "new", "reason"), [
    ("2008-07-01", "reviewed_until: 2009-12-31", "reviewed_until: 2008-06-30",
     "reviewed_until 2008-06-30 is before valid_from 2008-07-01"),
    ("2008-07-01", "reviewed_until: 2009-12-31", "reviewed_until: 2010-01-01",
     "reviewed_until 2010-01-01 is after valid_to 2009-12-31"),
    ("2016-02-01", "reviewed_until: 2017-01-31", "reviewed_until: 2016-01-31",
     "reviewed_until 2016-01-31 is before valid_from 2016-02-01"),
], ids=["before-valid-from", "after-valid-to", "open-ended-before-valid-from"])
def test_a_reviewed_until_outside_the_period_is_refused_with_file_and_line(rules, book, old, new, reason):
    path = rules / book / "rulebook.yaml"
    edit(path, old, new)
    line = line_of(path, new)
    assert f"rules/{book}/rulebook.yaml:{line}: reviewed_until: {reason}" in load_problems(rules)


def test_eligibility_lint_prints_the_reviewed_until_problem_and_exits_1(rules):
    path = rules / "2010-01-01" / "rulebook.yaml"
    edit(path, "reviewed_until: 2011-12-31", "reviewed_until: 2012-01-01")
    result = runner.invoke(app, ["lint", "--rules", str(rules)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    line = line_of(path, "reviewed_until: 2012-01-01")
    assert (f"rules/2010-01-01/rulebook.yaml:{line}: reviewed_until: reviewed_until 2012-01-01 is after valid_to "
            "2011-12-31") in result.output.replace("\n", " ")


# --- The decision: data and motivering ---------------------------------------------------------------

def test_swedish_long_dates():
    assert [date_long_sv(date(2017, month, 1)) for month in (1, 5, 12)] == [
        "1 januari 2017", "1 maj 2017", "1 december 2017"]
    assert date_long_sv(date(2017, 1, 31)) == "31 januari 2017" and date_long_sv(date(2012, 3, 1)) == "1 mars 2012"


def test_reviewed_until_may_end_a_closed_rulebook_early_and_then_warns_in_its_tail(rules):
    edit(rules / "2013-01-01" / "rulebook.yaml", "reviewed_until: 2016-01-31", "reviewed_until: 2015-06-30")
    evaluator = Evaluator(load_rulebooks(rules), "reference")
    assert not evaluator.evaluate(_case("2015-06-30")).beyond_reviewed_law
    late = evaluator.evaluate(_case("2015-07-01"))
    assert late.beyond_reviewed_law and late.law_warning_sv == law_reviewed_sv(date(2015, 6, 30))
    assert late.law_warning_sv == "Regelverket är granskat till och med 30 juni 2015; senare ändringar är inte inlagda."


@pytest.mark.parametrize("backend", ["engine", "reference"])
def test_a_decision_on_the_last_reviewed_day_has_no_warning(backend, engine, reference):
    evaluator = {"engine": engine, "reference": reference}[backend]
    decision = evaluator.evaluate(_case(LAST_REVIEWED))
    assert decision.rulebook.id == "2016-02-01" and decision.rulebook.reviewed_until == date(2017, 1, 31)
    assert decision.law_reviewed_until == date(2017, 1, 31)
    assert decision.beyond_reviewed_law is False and decision.law_warning_sv is None
    assert "granskat" not in decision.explanation_sv
    assert decision.explanation_sv.startswith("Bedömningen gäller den 31 januari 2017.")


@pytest.mark.parametrize("backend", ["engine", "reference"])
def test_a_decision_the_day_after_carries_the_warning_in_data_and_motivering(backend, engine, reference):
    evaluator = {"engine": engine, "reference": reference}[backend]
    decision = evaluator.evaluate(_case(FIRST_UNREVIEWED))
    assert decision.law_reviewed_until == date(2017, 1, 31) and decision.beyond_reviewed_law is True
    assert decision.law_warning_sv.startswith(SENTENCE + " Kända senare ändringar som inte är inlagda: 2017:")
    assert decision.explanation_sv.startswith(decision.law_warning_sv + "\n\nBedömningen gäller den 1 februari 2017.")
    dumped = decision.model_dump(mode="json")
    assert dumped["beyond_reviewed_law"] is True and dumped["law_reviewed_until"] == LAST_REVIEWED
    assert dumped["rulebook"]["reviewed_until"] == LAST_REVIEWED


def test_the_warning_does_not_change_statuses_and_stays_without_explanations(engine):
    before, after = engine.evaluate(_case(LAST_REVIEWED)), engine.evaluate(_case(FIRST_UNREVIEWED))
    assert {p: r.status for p, r in before.programmes.items()} == {p: r.status for p, r in after.programmes.items()}
    quiet = engine.evaluate(_case(FIRST_UNREVIEWED), explain=False)
    assert quiet.explanation_sv == "" and quiet.beyond_reviewed_law and quiet.law_warning_sv == after.law_warning_sv


def test_a_decision_under_a_named_older_rulebook_after_its_reviewed_until_warns(engine):
    decision = engine.evaluate(_case("2011-03-15"), "2008-07-01")
    assert decision.beyond_reviewed_law and decision.law_reviewed_until == date(2009, 12, 31)
    assert decision.explanation_sv.startswith(
        "Regelverket är granskat till och med 31 december 2009; senare ändringar är inte inlagda.\n\n")


# --- CLI -----------------------------------------------------------------------------------------------

def _case_file(tmp_path: Path, as_of: str) -> Path:
    path = tmp_path / f"case-{as_of}.json"
    path.write_text(json.dumps(_case(as_of)), encoding="utf-8")
    return path


def test_eligibility_check_shows_the_warning_above_the_tables_only_after_reviewed_until(tmp_path):
    quiet = runner.invoke(app, ["check", str(_case_file(tmp_path, LAST_REVIEWED))], env={"COLUMNS": "200"})
    loud = runner.invoke(app, ["check", str(_case_file(tmp_path, FIRST_UNREVIEWED)), "--table"],
                         env={"COLUMNS": "200"})
    assert quiet.exit_code == 0 and loud.exit_code == 0, (quiet.output, loud.output)
    assert "VARNING" not in quiet.output and "granskat" not in quiet.output
    lines = loud.output.splitlines()
    banner = next(i for i, line in enumerate(lines) if "VARNING: lag som inte är granskad" in line)
    assert banner == 1  # right below the heading line, before the summary and the tables
    assert SENTENCE in " ".join(line.strip("│ ") for line in lines[banner:banner + 4])
    assert loud.output.index("VARNING") < loud.output.index("Översikt") < loud.output.index("Program")


def test_eligibility_check_json_has_the_flag(tmp_path):
    result = runner.invoke(app, ["check", str(_case_file(tmp_path, FIRST_UNREVIEWED)), "--json"])
    body = json.loads(result.output)
    assert body["beyond_reviewed_law"] is True and body["law_reviewed_until"] == LAST_REVIEWED


def test_eligibility_rulebooks_lists_reviewed_until():
    result = runner.invoke(app, ["rulebooks"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "Granskad t.o.m." in result.output
    row = next(line for line in result.output.splitlines() if line.startswith("│ 2016-02-01"))
    assert LAST_REVIEWED in row


# --- Caseload: both backends, JSONL and CSV, batch --columnar ------------------------------------------------

def _caseload(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    days = [LAST_REVIEWED, FIRST_UNREVIEWED, "2011-03-15"]
    path.write_text("".join(json.dumps({"id": day, **_case(day)}) + "\n" for day in days)
                    + json.dumps({"id": "bad", "as_of": FIRST_UNREVIEWED, "person": {}, "benefit": {"type": "x"}})
                    + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("per_case", [False, True], ids=["frame-backend", "per-case"])
def test_batch_rows_have_the_flag_on_both_backends(tmp_path, per_case):
    cases = _caseload(tmp_path)
    run_batch(cases, tmp_path / "out.jsonl", tmp_path / "err.jsonl", per_case=per_case)
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["law_reviewed_until"], r["beyond_reviewed_law"]) for r in rows] == [
        (LAST_REVIEWED, LAST_REVIEWED, False), (FIRST_UNREVIEWED, LAST_REVIEWED, True),
        ("2011-03-15", "2011-12-31", False)]
    run_batch(cases, tmp_path / "out.csv", tmp_path / "err2.jsonl", per_case=per_case)
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as handle:
        table = list(csv.DictReader(handle))
    assert [(r["law_reviewed_until"], r["beyond_reviewed_law"]) for r in table] == [
        (LAST_REVIEWED, "false"), (LAST_REVIEWED, "true"), ("2011-12-31", "false")]


def test_the_result_frames_of_both_backends_have_the_same_flag(engine, books):
    items = [CaseLine(i, day, _case(day)) for i, day in enumerate([LAST_REVIEWED, FIRST_UNREVIEWED, "2011-03-15"], 1)]
    for rulebook in (None, books[0].id):
        frame = result_frame(items, engine, rulebook)
        assert frame["beyond_reviewed_law"].to_list() == result_frame(items, engine, rulebook, per_case=True)[
            "beyond_reviewed_law"].to_list()
    assert result_frame(items, engine)["beyond_reviewed_law"].to_list() == [False, True, False]
    assert result_frame(items, engine, books[0].id)["beyond_reviewed_law"].to_list() == [True, True, True]


def test_batch_columnar_has_the_column_and_null_for_an_invalid_row(tmp_path):
    cases = _caseload(tmp_path)
    result = runner.invoke(app, ["batch", str(cases), "-o", str(tmp_path / "out.parquet"), "--columnar"])
    assert result.exit_code == 0, result.output
    frame = pl.read_parquet(tmp_path / "out.parquet")
    assert frame["beyond_reviewed_law"].to_list() == [False, True, False, None]
    assert frame["error"].to_list()[:3] == [None, None, None]


# --- API -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client():
    import io

    from fastapi.testclient import TestClient

    from api import create_app
    from api.audit import AuditLog
    from api.settings import Settings

    with TestClient(create_app(Settings(), audit=AuditLog(io.StringIO()))) as test_client:
        yield test_client


def test_the_api_decision_has_the_flag(client):
    quiet = client.post("/v1/decisions", json=_case(LAST_REVIEWED)).json()
    loud = client.post("/v1/decisions", json=_case(FIRST_UNREVIEWED)).json()
    assert (quiet["beyond_reviewed_law"], quiet["law_warning_sv"]) == (False, None)
    assert quiet["law_reviewed_until"] == loud["law_reviewed_until"] == LAST_REVIEWED
    assert loud["beyond_reviewed_law"] is True and loud["law_warning_sv"].startswith(SENTENCE)
    assert loud["explanation_sv"].startswith(SENTENCE)
    assert loud["rulebook"]["reviewed_until"] == LAST_REVIEWED
    batch = client.post("/v1/decisions/batch", json={"cases": [_case(LAST_REVIEWED), _case(FIRST_UNREVIEWED)],
                                                     "explain": False}).json()
    assert [item["decision"]["beyond_reviewed_law"] for item in batch["results"]] == [False, True]


def test_the_openapi_document_describes_the_new_fields(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    decision = schemas["Decision"]["properties"]
    assert {"law_reviewed_until", "beyond_reviewed_law", "law_warning_sv"} <= set(decision)
    assert "reviewed_until" in schemas["RulebookRef"]["properties"]
    assert "reviewed_until" in schemas["RulebookSummary"]["properties"]


def test_the_rulebook_list_has_reviewed_until(client):
    books = {b["id"]: b for b in client.get("/v1/rulebooks").json()}
    assert books["2016-02-01"]["reviewed_until"] == LAST_REVIEWED
    assert "33 kap. 16 §" in books["2016-02-01"]["not_reviewed_sv"]
    assert books["2008-07-01"]["reviewed_until"] == "2009-12-31" and books["2008-07-01"]["not_reviewed_sv"] is None


# --- Web page ------------------------------------------------------------------------------------------

def _form(as_of: str, **extra: str) -> dict[str, str]:
    return {"as_of": as_of, "person.birth_date": "1975-06-02", "person.employment": "arbetslos",
            "benefit.type": "sjukpenning", "benefit.sjukpenning_days_used": "700",
            "benefit.allvarlig_sjukdom": "nej", **extra}


def test_the_page_shows_a_banner_above_the_result_only_after_reviewed_until(client):
    quiet = client.post("/", data=_form(LAST_REVIEWED))
    loud = client.post("/", data=_form(FIRST_UNREVIEWED))
    assert quiet.status_code == loud.status_code == 200
    assert 'class="law-warning"' not in quiet.text and "granskat till och med" not in quiet.text
    html = loud.text
    banner = html.index('<div class="law-warning" role="status"')
    assert html.index('id="summary-heading"') < banner < html.index('class="programmes"')  # the answer first
    assert SENTENCE in html[banner:html.index("</div>", banner)]
    assert "Kontrollera om senare lagändringar påverkar ärendet" in html


def test_a_comparison_names_the_rulebook_of_each_warning(client):
    html = client.post("/", data=_form(FIRST_UNREVIEWED, compare_rulebook="2013-01-01")).text
    assert html.count('class="law-warning"') == 2
    assert "Regelversion 2016-02-01: Regelverket är granskat till och med 31 januari 2017" in html
    assert "Regelversion 2013-01-01: Regelverket är granskat till och med 31 januari 2016" in html
