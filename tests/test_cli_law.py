"""eligibility diff | timeline | snapshot (src/eligibility/cli/history.py)."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from eligibility.cli import app
from eligibility.history.snapshot import default_dir, read_jsonl, write_jsonl

runner = CliRunner()


def test_diff_shows_the_2016_law_change():
    result = runner.invoke(app, ["diff", "2013-01-01", "2016-02-01"])
    assert result.exit_code == 0, result.output
    assert "value from 2016-02-01: — -> null (in force before: 914)" in result.output
    assert "- arbetslivsintroduktion (removed)" in result.output
    assert "- sjukpenningen_riskerar_att_ta_slut (removed)" in result.output


def test_diff_json_and_unknown_rulebook():
    result = runner.invoke(app, ["diff", "2010-01-01", "2012-01-01", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert {"omstallningsmote", "rehabiliteringssamverkan"} <= {p["id"] for p in body["programmes"]
                                                               if p["change"] == "added"}
    assert runner.invoke(app, ["diff", "2010-01-01", "1999-01-01"]).exit_code == 1


def test_timeline_table_and_json(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("as_of: 2015-10-01\nperson: {birth_date: 1970-05-05, employment: arbetslos}\n"
                    "benefit: {type: sjukpenning, sjukpenning_days_used: 750, allvarlig_sjukdom: false}\n")
    result = runner.invoke(app, ["timeline", str(case), "--months", "12"])
    assert result.exit_code == 0, result.output
    assert "regelversion 2016-02-01 börjar gälla" in result.output
    result = runner.invoke(app, ["timeline", str(case), "--json"])
    body = json.loads(result.output)
    assert body["programmes"]["arbetslivsintroduktion"][-1]["status"] == "not_in_force"


def test_snapshot_check_update_cycle(tmp_path):
    """Record 25 cases of the corpus, tamper with one record: check finds it, update rewrites it.

    The records are made here, not copied from tests/regression/: this tests the commands, and the bundled
    records are held to the current decisions by tests/test_regression.py (a text change re-records them)."""
    shutil.copy(default_dir() / "corpus.jsonl", tmp_path / "corpus.jsonl")
    write_jsonl(tmp_path / "corpus.jsonl", read_jsonl(tmp_path / "corpus.jsonl")[:25])
    assert runner.invoke(app, ["snapshot", "update", "--dir", str(tmp_path)]).exit_code == 0
    records = read_jsonl(tmp_path / "records.jsonl")
    first = records[0]
    pid = next(iter(first["statuses"]))
    first["statuses"][pid] = "tampered"
    write_jsonl(tmp_path / "records.jsonl", records)
    result = runner.invoke(app, ["snapshot", "check", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{pid}: tampered ->" in result.output and first["id"] in result.output
    result = runner.invoke(app, ["snapshot", "update", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1 of 25 recorded decisions changed" in result.output
    assert runner.invoke(app, ["snapshot", "check", "--dir", str(tmp_path)]).exit_code == 0
    assert runner.invoke(app, ["snapshot", "corpus", "--dir", str(tmp_path)]).exit_code == 2
