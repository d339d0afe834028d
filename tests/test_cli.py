"""The command line: readable output, JSON output, errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from eligibility.cli import app
from eligibility.rulebooks.loader import default_rules_dir

runner = CliRunner()
EXAMPLE = Path(__file__).parents[1] / "examples" / "hps_sjukpenning.yaml"


def _decision() -> dict:
    result = runner.invoke(app, ["check", str(EXAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_check_prints_the_summary_the_motivering_and_what_reproduces_it_without_tables():
    decision = _decision()
    result = runner.invoke(app, ["check", str(EXAMPLE)], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    output = result.output
    assert output.splitlines()[0] == "Bedömning den 15 mars 2011 · regelversion 2010-01-01"
    summary_at, motivering_at = output.index("\nÖversikt\n"), output.index("\nMotivering\n")
    assert summary_at < motivering_at < output.index("\nSpårbarhet: ")
    flat = " ".join(output.split())          # the texts are wrapped to the terminal's width
    assert " ".join(decision["summary"]["text_sv"].split()) in flat
    assert "Kan delta i • Handlingsplansamverkan från och med den 15 mars 2011" in flat
    assert "Inte möjligt • Prövning av varaktig sjukersättning: " in flat
    assert "Nästa datum • Ärendet behöver tas upp i den gemensamma beredningsgruppen senast i dag" in flat
    assert " ".join(decision["explanation_sv"].split()) in flat   # the whole motivering, paragraphs as written
    trace = flat[flat.index("Spårbarhet:"):]
    assert trace == (f"Spårbarhet: regelversion 2010-01-01 · innehållshash {decision['rulebook']['content_hash'][:12]}"
                     f" · lagtabellens hash {decision['rulebook']['statutes_hash'][:12]}"
                     f" · programversion {decision['package_version']} · mallhash {decision['template_hash'][:12]}")
    assert "Villkor" not in output and "┃" not in output and "minst_sex_manader_kvar" not in output
    assert not any(line.endswith(" ") for line in output.splitlines())


def test_check_table_adds_the_tables_and_person_prints_the_text_to_the_person():
    tables = runner.invoke(app, ["check", str(EXAMPLE), "--table"], env={"COLUMNS": "200"})
    assert tables.exit_code == 0, tables.output
    assert "Villkor" in tables.output and "uppfyllt" in tables.output
    # the condition by its text, not its id (tests/test_cli_readable.py)
    assert "Minst sex månader återstår" in tables.output and "minst_sex_manader_kvar" not in tables.output
    assert tables.output.index("Översikt") < tables.output.index("Villkor") < tables.output.index("Motivering")
    person = runner.invoke(app, ["check", str(EXAMPLE), "--person"], env={"COLUMNS": "100"})
    assert person.exit_code == 0, person.output
    assert "\nText till personen\n" in person.output and "\nMotivering\n" not in person.output
    assert " ".join(_decision()["person_text_sv"].split()) in " ".join(person.output.split())


def test_check_json_is_a_decision():
    decision = _decision()
    assert decision["programmes"]["handlingsplansamverkan"]["status"] == "eligible"
    assert decision["key_dates"]["sjukpenning_days_left"] == 214
    assert len(decision["rulebook"]["content_hash"]) == 64
    assert decision["summary"]["eligible"][0]["programme"] == "handlingsplansamverkan"
    assert decision["person_text_sv"] and len(decision["template_hash"]) == 64 and decision["package_version"]


def test_check_as_of_override_selects_older_rulebook():
    result = runner.invoke(app, ["check", str(EXAMPLE), "--as-of", "2009-03-15", "--json"])
    assert json.loads(result.output)["rulebook"]["id"] == "2008-07-01"


def test_check_bad_case_is_a_clear_error(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02"},
                                "benefit": {"type": "sjukbidrag"}}), encoding="utf-8")
    result = runner.invoke(app, ["check", str(case)])
    assert result.exit_code == 1
    assert "CASE_INVALID" in result.output and "benefit.type" in result.output
    assert "Traceback" not in result.output


def test_check_unreadable_and_malformed_files(tmp_path):
    assert runner.invoke(app, ["check", str(tmp_path / "missing.yaml")]).exit_code == 2
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["check", str(broken)])
    assert result.exit_code == 2 and "not valid JSON" in result.output


def test_rulebooks_lists_versions():
    result = runner.invoke(app, ["rulebooks"])
    assert result.exit_code == 0
    assert "2008-07-01" in result.output and "2010-01-01" in result.output


def test_lint_ok_and_failing(tmp_path):
    assert runner.invoke(app, ["lint"]).exit_code == 0
    (tmp_path / "statutes.yaml").write_bytes((default_rules_dir() / "statutes.yaml").read_bytes())  # the cited law
    (tmp_path / "2010-01-01").mkdir()
    (tmp_path / "2010-01-01" / "rulebook.yaml").write_text("id: [", encoding="utf-8")
    result = runner.invoke(app, ["lint", "--rules", str(tmp_path)])
    assert result.exit_code == 1
    assert "rulebook.yaml:1" in result.output and "parameters.yaml: file is missing" in result.output


def test_check_exact_shows_what_each_answer_does(tmp_path):
    """``check --table`` (exact by default; ``--exact`` the same): the questions table says, per answer, what the
    programmes it can move become; ``--no-exact`` gives the Kleene questions, which have no answers table."""
    case = tmp_path / "case.yaml"
    case.write_text("as_of: 2011-03-15\nperson: {birth_date: 1975-06-02, employment: arbetslos}\n"
                    "benefit: {type: sjukpenning, sjukpenning_days_used: 750}\n"
                    "assessment: {fardigutredd: true, capacity_can_improve: true, sassam_done: true, "
                    "hours_per_week: 12, months_in_handlingsplansamverkan: 0}\n")
    result = CliRunner().invoke(app, ["check", "--exact", "--table", str(case)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Frågor som kan ändra bedömningen" in result.output
    assert "Om nej: Handlingsplansamverkan uppfyller inte villkoren" in result.output
    assert "25 augusti 2011" in result.output
    assert CliRunner().invoke(app, ["check", "--table", str(case)], env={"COLUMNS": "200"}).output == result.output
    plain = CliRunner().invoke(app, ["check", "--no-exact", "--table", str(case)], env={"COLUMNS": "200"})
    assert "Frågor som kan ändra bedömningen" not in plain.output  # Kleene questions have no answers table
