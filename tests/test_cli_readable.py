"""Issue 19 item 5: the command line's tables and the batch and watch-list summaries are in Swedish.

No dotted fact name (``benefit.type``, ``threshold.…``), no ``True``/``False``/``None``, no ISO date
and no programme id in what a person reads; the ids stay in ``--json`` and the CSV/JSON files.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eligibility.caseload.synth import generate
from eligibility.cli import app
from eligibility.decision.texts_sv import table_fact_label_sv, fact_line_sv
from eligibility.rulebooks.loader import load_rulebooks

runner = CliRunner()
EXAMPLE = Path(__file__).parents[1] / "examples" / "hps_sjukpenning.yaml"
_ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_DOTTED = re.compile(r"\b(?:person|benefit|assessment|threshold)\.[a-z_]+")
_RAW = re.compile(r"\b(?:True|False|None)\b|=")


def _programme_ids() -> set[str]:
    ids: set[str] = set()
    for book in load_rulebooks():
        ids |= set(book.programmes) | set(book.meta.not_in_force)
    return ids


def _unreadable(text: str, *, allowed_iso: tuple[str, ...] = ()) -> list[str]:
    """What in ``text`` is a technical name or raw value rather than Swedish."""
    found = _DOTTED.findall(text) + _RAW.findall(text)
    found += [d for d in _ISO.findall(text) if d not in allowed_iso]
    # an id that is also a Swedish word ("arbetslivsintroduktion") may stand in running text
    found += [pid for pid in _programme_ids() if "_" in pid and pid in text]
    return found


@pytest.fixture(scope="module")
def caseload(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("readable") / "cases.jsonl"
    path.write_text("".join(json.dumps(case, ensure_ascii=False) + "\n" for case in generate(60, 7)),
                    encoding="utf-8")
    return path


def test_check_table_shows_labels_values_and_names_in_swedish():
    result = runner.invoke(app, ["check", str(EXAMPLE), "--table"], env={"COLUMNS": "400"})  # cells unwrapped
    assert result.exit_code == 0, result.output
    tables = result.output[result.output.index("Program"):result.output.index("\nMotivering\n")]
    flat = tables
    assert "Antal timmar per vecka som personen klarar: 12" in flat
    assert "Beslutets sista dag: inte utrett" in flat and "Kan återgå till anställningen: inte utrett" in flat
    assert "Anställningsform: arbetslös" in flat and "Ersättning: sjukpenning" in flat
    assert "inte uppfyllt" in flat and "Lagrum och källa" in flat
    assert _unreadable(tables) == []
    # the footer names the rulebook by its id (a date: what reproduces the text), nothing else is ISO
    assert _unreadable(result.output, allowed_iso=("2010-01-01",)) == []


def test_labels_for_facts_the_case_does_not_hold():
    assert "." not in table_fact_label_sv("threshold.minst_sex_manader_kvar")
    assert fact_line_sv("benefit_has_end", True) == "Ersättningen har en slutdag: ja"
    assert fact_line_sv("benefit.decision_end", None) == "Beslutets sista dag: inte utrett"
    assert table_fact_label_sv("some.new_fact") == "new fact"


def test_batch_and_watchlist_summaries_name_programmes_and_days_in_swedish(caseload, tmp_path):
    batch = runner.invoke(app, ["batch", str(caseload), "-o", str(tmp_path / "out.csv"), "--workers", "1"],
                          env={"COLUMNS": "80"})
    assert batch.exit_code == 0, batch.output
    assert "Handlingsplansamverkan" in batch.output and "Rehabiliteringssamverkan" in batch.output
    assert _unreadable(batch.output) == []
    assert max(len(line) for line in batch.output.splitlines()) <= 80   # whole words, inside the terminal
    # the CSV keeps its documented columns and ids (docs/caseload.md)
    assert "status_handlingsplansamverkan" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    watch = runner.invoke(app, ["watchlist", str(caseload), "--within", "26w"], env={"COLUMNS": "160"})
    assert watch.exit_code == 0, watch.output
    flat = watch.output
    assert re.search(r"den \d{1,2} [a-zé]+ \d{4}", flat), flat[:400]
    assert _unreadable(watch.output) == []
    as_csv = runner.invoke(app, ["watchlist", str(caseload), "--within", "26w", "--format", "csv"])
    assert _ISO.search(as_csv.output) and "händelse" in as_csv.output  # the file keeps ISO days and ids


def test_timeline_table_writes_days_in_words_and_conditions_by_their_text(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("as_of: 2015-10-01\nperson: {birth_date: 1970-05-05, employment: arbetslos}\n"
                    "benefit: {type: sjukpenning, sjukpenning_days_used: 750, allvarlig_sjukdom: false}\n")
    result = runner.invoke(app, ["timeline", str(case), "--months", "6"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert "den 1 februari 2016" in result.output and "Minst sex månader återstår av ersättningen." in result.output
    assert "minst_sex_manader_kvar" not in result.output
    assert _unreadable(result.output, allowed_iso=("2013-01-01", "2016-02-01")) == []  # rulebook ids only
