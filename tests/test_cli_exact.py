"""Exact decisions on the caseload and time commands: impact, timeline, batch (issue 17 items 4 and 7).

Exact is the default; ``--exact`` gives the same output and ``--no-exact`` the Kleene result.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from eligibility.cli import app

runner = CliRunner()
ASSESSMENT = {"fardigutredd": True, "capacity_can_improve": True, "sassam_done": True, "hours_per_week": 12,
              "months_in_handlingsplansamverkan": 0, "needs_vocational_rehabilitation": True,
              "stadigvarande_nedsatt_arbetsformaga": True}
FLAG_UNKNOWN = {"as_of": "2014-05-01", "person": {"birth_date": "1970-05-05", "employment": "arbetslos"},
                "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 300}, "assessment": ASSESSMENT}


def test_impact_exact_counts_only_what_the_law_change_changes(tmp_path: Path):
    """300 of 914 days, allvarlig sjukdom unknown: eligible under 2013-01-01 whatever the answer (exact) and
    under 2016-02-01 (no end): unchanged. Kleene calls it open under 2013-01-01, so a change."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(FLAG_UNKNOWN) + "\n", encoding="utf-8")
    args = ["impact", str(cases), "--from", "2013-01-01", "--to", "2016-02-01"]
    kleene, exact = runner.invoke(app, [*args, "--no-exact"]), runner.invoke(app, args)
    assert kleene.exit_code == 0 and exact.exit_code == 0, (kleene.output, exact.output)
    assert runner.invoke(app, [*args, "--exact"]).output == exact.output
    section = lambda text: text.split("## Handlingsplansamverkan", 1)[1].split("##", 1)[0]  # noqa: E731
    assert "Ändrad bedömning: 1 person " in section(kleene.output)
    assert "Ändrad bedömning: 0 personer " in section(exact.output)


def test_timeline_exact_decides_the_first_month(tmp_path: Path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({**FLAG_UNKNOWN, "as_of": "2011-03-15",
                                "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 700}}), encoding="utf-8")
    result = runner.invoke(app, ["timeline", str(case), "--months", "3", "--json", "--exact"])
    assert result.exit_code == 0, result.output
    segments = json.loads(result.output)["programmes"]["handlingsplansamverkan"]
    assert [(s["start"], s["status"]) for s in segments] == [("2011-03-15", "eligible"), ("2011-04-16", "undetermined")]


def test_batch_decides_exactly_unless_told_not_to(tmp_path: Path):
    """``batch`` (per case and ``--columnar``) decides exactly by default; ``--no-exact`` gives the Kleene
    result that population-scale runs may choose for speed (docs/caseload.md)."""
    cases = tmp_path / "cases.jsonl"
    case = {**FLAG_UNKNOWN, "as_of": "2010-05-01"}
    cases.write_text(json.dumps(case) + "\n", encoding="utf-8")
    seen = {}
    for flags in ([], ["--no-exact"]):
        for columnar in ([], ["--columnar"]):
            output = tmp_path / f"out{len(seen)}.csv"
            result = runner.invoke(app, ["batch", str(cases), "-o", str(output), "--workers", "1", *flags, *columnar])
            assert result.exit_code == 0, result.output
            with output.open(encoding="utf-8-sig", newline="") as handle:
                row = next(csv.DictReader(handle))
            # the per-case batch names its columns status_<id>, the columnar result status.<id> (docs/caseload.md)
            seen[(bool(flags), bool(columnar))] = row.get("status_handlingsplansamverkan",
                                                          row.get("status.handlingsplansamverkan"))
    assert seen == {(False, False): "eligible", (False, True): "eligible",
                    (True, False): "undetermined", (True, True): "undetermined"}
