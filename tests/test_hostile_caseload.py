"""Hostile caseloads: no line, and no mix of lines in a chunk, ever costs a caseload its good decisions.

The corpus (tests/hostile/corpus.py) holds every kind of bad line in every
format that can express it, each between two good lines. It runs in-process
through every caseload command (``batch`` in every mode, ``watchlist``,
``impact``, Dask partitions) and both backends: every good line is decided,
every bad line is exactly one error record with its line number, exit 0, no
traceback, no personal data in any error. Then the chunk shapes (all
invalid, all valid, empty, one row), the regressions of the hostile-input
review one by one, and the "every line accounted for" invariant.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hostile.corpus import (CSV_HEADER, CSV_KINDS, GOOD_CASES, JSONL_KINDS, LINE, PARQUET_KINDS, PERSONAL, PNR_OK,
                            SP, Corpus, write_csv, write_jsonl, write_parquet)
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from eligibility import Evaluator
from eligibility.case.read import BadLine, CaseLine, count_data_lines, read_cases
from eligibility.caseload import batch as batch_module
from eligibility.caseload.batch import run_batch
from eligibility.caseload.impact import impact
from eligibility.caseload.impact_report import render_markdown
from eligibility.caseload.result_frame import result_frame
from eligibility.caseload.rows import batch_rows, programme_ids
from eligibility.caseload.watchlist import parse_window, watchlist
from eligibility.cli import app
from eligibility.errors import InputError, LinesUnaccountedError

runner = CliRunner()
FORMATS = ("jsonl", "csv", "parquet")
IMPACT_PAIR = ("2010-01-01", "2012-01-01")  # both decide every good case of the corpus


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> dict[str, Corpus]:
    folder = tmp_path_factory.mktemp("hostile")
    return {"jsonl": write_jsonl(folder / "hostile.jsonl"), "csv": write_csv(folder / "hostile.csv"),
            "parquet": write_parquet(folder / "hostile.parquet")}


@pytest.fixture(scope="module")
def evaluator(engine) -> Evaluator:
    return engine


@pytest.fixture(autouse=True)
def _no_chunk_fallback(caplog):
    """The columnar path must type or route every line itself: its whole-chunk fallback is never needed here."""
    with caplog.at_level(logging.WARNING, logger="eligibility.caseload.frame_input"):
        yield
    assert not [r for r in caplog.records if "columnar backend failed" in r.getMessage()]


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _no_personal_data(*texts: str) -> None:
    for text in texts:
        for secret in PERSONAL:
            assert secret not in text, f"personal data {secret!r} echoed"


def _invoke(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    return result.output


def test_the_corpus_is_as_large_as_promised(corpora):
    assert len(JSONL_KINDS) >= 60 and len(CSV_KINDS) >= 30 and len(PARQUET_KINDS) >= 10
    for fmt, corpus in corpora.items():
        assert count_data_lines(corpus.path) == corpus.lines, fmt


# --------------------------------------------------------------------------- the corpus through every command


@pytest.mark.parametrize("mode", ["columnar", "per_case", "full"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_batch_decides_every_good_line_and_records_every_bad_one(corpora, tmp_path, fmt, mode):
    corpus = corpora[fmt]
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    flags = {"columnar": [], "per_case": ["--per-case"], "full": ["--full"]}[mode]
    output = _invoke(["batch", str(corpus.path), "-o", str(out), "--errors", str(errors), "--workers", "1", *flags])
    rows, records = _jsonl(out), _jsonl(errors)
    assert [row["line"] for row in rows] == corpus.good
    assert [record["line"] for record in records] == sorted(corpus.bad), \
        {corpus.bad[n][0] for n in set(corpus.bad) ^ {r["line"] for r in records} if n in corpus.bad}
    assert all(record["error"] and record["problems"] for record in records)
    _no_personal_data(errors.read_text(encoding="utf-8"), output)


@pytest.mark.parametrize("fmt", FORMATS)
def test_batch_columnar_has_one_row_per_line_and_an_error_on_each_bad_one(corpora, tmp_path, fmt):
    corpus = corpora[fmt]
    out = tmp_path / "out.parquet"
    _invoke(["batch", str(corpus.path), "-o", str(out), "--columnar"])
    frame = pl.read_parquet(out)
    assert frame["line"].to_list() == sorted([*corpus.good, *corpus.bad])
    erred = frame.filter(pl.col("error").is_not_null())["line"].to_list()
    assert erred == sorted(corpus.bad), {corpus.bad.get(n, ("good", ""))[0] for n in set(erred) ^ set(corpus.bad)}
    _no_personal_data(*frame["error"].drop_nulls().to_list())


@pytest.mark.parametrize("per_case", [False, True], ids=["columnar", "per-case"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_watchlist_reports_every_bad_line_once(corpora, evaluator, fmt, per_case):
    corpus = corpora[fmt]
    events, errors = watchlist(read_cases(corpus.path), evaluator, parse_window("12m"), per_case=per_case,
                               chunk_size=7, source=corpus.path)
    assert [line for line, _ in errors] == sorted(corpus.bad)
    assert {e.line for e in events} <= set(corpus.good) and events
    _no_personal_data(*(reason for _, reason in errors))


@pytest.mark.parametrize("per_case", [False, True], ids=["columnar", "per-case"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_impact_decides_every_good_line_and_reports_the_rest(corpora, evaluator, fmt, per_case):
    corpus = corpora[fmt]
    report = impact(read_cases(corpus.path), evaluator, *IMPACT_PAIR, per_case=per_case, chunk_size=9,
                    source=corpus.path)
    problems = [line for line, _ in report.problems]
    assert len(problems) == len(set(problems))
    # A line no rulebook decides is a problem; one only the rulebook in force refuses may be decided under A and B.
    assert {n for n, (_, scope) in corpus.bad.items() if scope == LINE} <= set(problems) <= set(corpus.bad)
    assert report.decided == corpus.lines - len(problems)
    _no_personal_data(*(reason for _, reason in report.problems))


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_frame_backend_gives_the_adapters_result_frame_for_the_corpus(corpora, evaluator, fmt):
    # The adapter is the oracle: every bad line's error record and reason, and every good line's result,
    # are the same from the frame backend, under the rulebook in force and under impact's fixed ones.
    items = list(read_cases(corpora[fmt].path))
    for rulebook in (None, *IMPACT_PAIR):
        assert_frame_equal(result_frame(items, evaluator, rulebook), result_frame(items, evaluator, rulebook,
                                                                                 per_case=True))


@pytest.mark.parametrize("fmt", FORMATS)
def test_watchlist_and_impact_commands_exit_0_and_name_every_bad_line(corpora, tmp_path, fmt):
    corpus = corpora[fmt]
    output = _invoke(["watchlist", str(corpus.path), "--within", "12m", "--format", "json",
                      "-o", str(tmp_path / "watch.json")])
    assert sorted(int(line.split()[1].rstrip(":")) for line in output.splitlines() if line.startswith("rad ")) \
        == sorted(corpus.bad)
    output = _invoke(["impact", str(corpus.path), "--from", IMPACT_PAIR[0], "--to", IMPACT_PAIR[1],
                      "-o", str(tmp_path / "impact.md")])
    assert {n for n, (_, scope) in corpus.bad.items() if scope == LINE} <= \
        {int(line.split()[1].rstrip(":")) for line in output.splitlines() if line.startswith("rad ")}
    _no_personal_data(output)


def test_dask_partitions_decide_the_corpus_like_a_local_run(corpora, tmp_path, evaluator):
    distributed = pytest.importorskip("dask.distributed")
    corpus = corpora["jsonl"]
    run_batch(corpus.path, tmp_path / "local.jsonl", tmp_path / "local.err")
    local = impact(read_cases(corpus.path), evaluator, *IMPACT_PAIR)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        run_batch(corpus.path, tmp_path / "dask.jsonl", tmp_path / "dask.err", scheduler=cluster.scheduler_address)
        remote = impact(read_cases(corpus.path), evaluator, *IMPACT_PAIR, scheduler=cluster.scheduler_address,
                        chunk_size=9, source=corpus.path)
    assert (tmp_path / "local.jsonl").read_bytes() == (tmp_path / "dask.jsonl").read_bytes()
    assert (tmp_path / "local.err").read_bytes() == (tmp_path / "dask.err").read_bytes()
    assert remote.problems == local.problems and render_markdown(remote) == render_markdown(local)


# --------------------------------------------------------------------------- chunk shapes


def _items(shape: str) -> list[CaseLine | BadLine]:
    good = [CaseLine(i, f"g{i}", case) for i, case in enumerate(GOOD_CASES, 1)]
    invalid = [CaseLine(10, None, {"as_of": "garbage"}), CaseLine(11, None, {**SP, "foo": 1}),
               CaseLine(12, None, {**SP, "benefit": None}), BadLine(13, "not valid JSON"),
               CaseLine(14, None, {**SP, "as_of": "1990-01-01"})]
    return {"all invalid": invalid, "all valid": good, "empty": [], "one row": good[:1],
            "one invalid row": invalid[:1], "one untypable row": invalid[1:2], "mixed": [*good, *invalid]}[shape]


SHAPES = ["all invalid", "all valid", "empty", "one row", "one invalid row", "one untypable row", "mixed"]


@pytest.mark.parametrize("shape", SHAPES)
def test_every_chunk_shape_gives_the_per_case_adapters_frame(evaluator, shape):
    # The adapter is the oracle: whatever a chunk holds, the frame backend's result frame is the adapter's,
    # error records included, and batch has one row or one record per line, in order.
    items = _items(shape)
    frame = result_frame(items, evaluator)
    assert frame.to_dicts() == result_frame(items, evaluator, per_case=True).to_dicts()
    rows = batch_rows(frame, evaluator, programme_ids(evaluator))
    assert [row["line"] for _, row in rows] == [item.line for item in items]
    assert [ok for ok, _ in rows] == [item.line < 10 for item in items]


@pytest.mark.parametrize("per_case", [False, True], ids=["columnar", "per-case"])
@pytest.mark.parametrize("shape", ["last chunk invalid", "only invalid lines", "empty file", "one line",
                                   "all valid"])
def test_batch_writes_every_decision_whatever_its_chunks_hold(tmp_path, monkeypatch, per_case, shape):
    monkeypatch.setattr(batch_module, "COLUMNAR_CHUNK", 3)
    monkeypatch.setattr(batch_module, "CHUNK", 3)
    good = [json.dumps({"id": f"g{i}", **case}) for i, case in enumerate(GOOD_CASES)]
    lines = {"last chunk invalid": [*good[:3], '{"as_of": "garbage"}'],   # the example
             "only invalid lines": ['{"as_of": "garbage"}', "{broken", json.dumps({**SP, "foo": 1})],
             "empty file": [], "one line": good[:1], "all valid": good}[shape]
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    summary = run_batch(path, tmp_path / "out.jsonl", tmp_path / "err.jsonl", per_case=per_case)
    bad = sum("garbage" in line or "broken" in line or "foo" in line for line in lines)
    assert (summary.decided, summary.errors) == (len(lines) - bad, bad)
    assert len(_jsonl(tmp_path / "out.jsonl")) == len(lines) - bad
    assert len(_jsonl(tmp_path / "err.jsonl")) == bad
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize("per_case", [False, True], ids=["columnar", "per-case"])
@pytest.mark.parametrize("shape", SHAPES)
def test_watchlist_and_impact_take_every_chunk_shape(evaluator, per_case, shape):
    items = _items(shape)
    events, errors = watchlist(items, evaluator, parse_window("12m"), per_case=per_case, chunk_size=2)
    assert {line for line, _ in errors} == {item.line for item in items if item.line >= 10}
    report = impact(items, evaluator, *IMPACT_PAIR, per_case=per_case, chunk_size=2)
    assert report.decided + len(report.problems) == len(items)


# --------------------------------------------------------------------------- the review's findings, one by one


REVIEW_LINES = {
    "unknown person field": json.dumps({**SP, "person": {**SP["person"], "name": "x"}}),
    "unknown top-level field": json.dumps({**SP, "foo": 1}),
    "benefit null": json.dumps({**SP, "benefit": None}),
    "person a text": json.dumps({**SP, "person": "x"}),
    "integer beyond int64": json.dumps({**SP, "benefit": {**SP["benefit"], "sjukpenning_days_used": 10 ** 20}}),
    "a flat alias key beside nested lines": json.dumps({"as_of": "2011-03-15", "person.birth_date": "1975-06-02",
                                                        "benefit": {"type": "ingen"}}),
    "json nested 1000 deep": '{"a":' * 1000 + "1" + "}" * 1000,
    "an integer over 4300 digits": '{"as_of": "2011-03-15", "x": ' + "9" * 4400 + "}",
}


@pytest.mark.parametrize("kind", list(REVIEW_LINES))
@pytest.mark.parametrize("mode", [[], ["--per-case"], ["--full"]], ids=["default", "per-case", "full"])
def test_one_line_never_aborts_batch(tmp_path, kind, mode):
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join([json.dumps(SP), REVIEW_LINES[kind], json.dumps(SP)]) + "\n", encoding="utf-8")
    _invoke(["batch", str(path), "-o", str(tmp_path / "out.jsonl"), "--workers", "1", *mode])
    assert [row["line"] for row in _jsonl(tmp_path / "out.jsonl")] == [1, 3]
    assert [record["line"] for record in _jsonl(tmp_path / "out.errors.jsonl")] == [2]


@pytest.mark.parametrize("kind", list(REVIEW_LINES))
def test_one_line_never_aborts_watchlist_or_impact(tmp_path, kind):
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join([json.dumps(SP), REVIEW_LINES[kind], json.dumps(SP)]) + "\n", encoding="utf-8")
    for flags in ([], ["--per-case"]):
        output = _invoke(["watchlist", str(path), "--within", "12m", "--format", "json", *flags])
        assert "rad 2:" in output
        output = _invoke(["impact", str(path), "--from", IMPACT_PAIR[0], "--to", IMPACT_PAIR[1], *flags])
        assert "rad 2:" in output


def test_flat_dotted_keys_are_refused_by_every_mode_and_by_check(tmp_path):
    flat = {"as_of": "2011-03-15", "person.birth_date": "1975-06-02", "benefit.type": "ingen"}
    path = tmp_path / "flat.jsonl"
    path.write_text(json.dumps(flat) + "\n", encoding="utf-8")
    for per_case in (False, True):
        summary = run_batch(path, tmp_path / "out.jsonl", tmp_path / "err.jsonl", per_case=per_case)
        assert (summary.decided, summary.errors) == (0, 1)
    single = tmp_path / "flat.json"
    single.write_text(json.dumps(flat), encoding="utf-8")
    assert runner.invoke(app, ["check", str(single)]).exit_code != 0


def test_a_huge_csv_cell_fails_only_its_row(tmp_path):
    # A cell over 131 072 characters once ended the CSV reader: 1 000 of 1 002 rows vanished with exit 0.
    good = "a;2011-03-15;1975-06-02;arbetslos;sjukpenning;700;nej"
    rows = [good] * 2 + ["b;" + "x" * 140_000 + ";1975-06-02;arbetslos;sjukpenning;700;nej"] + [good] * 999
    path = tmp_path / "cases.csv"
    path.write_text("id;as_of;birth_date;employment;benefit_type;sjukpenning_days_used;allvarlig_sjukdom\n"
                    + "\n".join(rows) + "\n", encoding="utf-8")
    for per_case in (False, True):
        summary = run_batch(path, tmp_path / "out.csv", tmp_path / "err.jsonl", per_case=per_case)
        assert (summary.decided, summary.errors) == (1001, 1)
        assert _jsonl(tmp_path / "err.jsonl")[0]["line"] == 4


def test_lost_lines_are_never_a_success(tmp_path, monkeypatch):
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(SP) + "\n" for _ in range(5)), encoding="utf-8")
    real = batch_module.read_cases
    monkeypatch.setattr(batch_module, "read_cases", lambda p: (item for item in real(p) if item.line != 3))
    with pytest.raises(LinesUnaccountedError, match="1 unaccounted"):
        run_batch(path, tmp_path / "out.jsonl", tmp_path / "err.jsonl")
    assert not (tmp_path / "out.jsonl").exists()
    result = runner.invoke(app, ["batch", str(path), "-o", str(tmp_path / "out.jsonl"), "--workers", "1"])
    assert result.exit_code == 1 and "LINES_UNACCOUNTED" in result.output
    assert not (tmp_path / "out.jsonl").exists()


def test_a_csv_without_a_header_is_refused_without_echoing_its_first_case(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(f"{PNR_OK};2011-03-15;arbetslos;sjukpenning;700;nej\n" * 3, encoding="utf-8")
    for args in (["batch", str(path), "-o", str(tmp_path / "out.jsonl")], ["watchlist", str(path)],
                 ["impact", str(path), "--from", IMPACT_PAIR[0], "--to", IMPACT_PAIR[1]],
                 ["batch", str(path), "-o", str(tmp_path / "out.parquet"), "--columnar"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "not a header row" in result.output, args
        _no_personal_data(result.output)


def test_an_unknown_csv_column_is_refused_by_name(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(CSV_HEADER + ";anstallning\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(path), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 2 and "anstallning" in result.output


def test_parquet_nan_is_an_error_not_unknown(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "cases.parquet"
    pq.write_table(pa.table({"as_of": [date(2011, 3, 15)] * 2, "person.birth_date": [date(1975, 6, 2)] * 2,
                             "benefit.type": ["ingen"] * 2, "assessment.hours_per_week": [4.0, float("nan")]}), path)
    for per_case in (False, True):
        summary = run_batch(path, tmp_path / "out.jsonl", tmp_path / "err.jsonl", per_case=per_case)
        assert (summary.decided, summary.errors) == (1, 1)
        assert _jsonl(tmp_path / "err.jsonl")[0]["problems"][0]["field"] == "assessment.hours_per_week"
    _invoke(["batch", str(path), "-o", str(tmp_path / "out.parquet"), "--columnar"])
    assert pl.read_parquet(tmp_path / "out.parquet")["error"].to_list() == \
        [None, "assessment.hours_per_week: finite_number"]


@pytest.mark.parametrize("column,values,expected", [
    ("benefit.sjukpenning_days_used", [700.0, 1.0], "benefit.sjukpenning_days_used"),
    ("as_of", ["2011-03-15 00:00"], None),     # text dates are checked per row
    ("person.name", ["x", "y"], "person.name"),
    ("benefit.allvarlig_sjukdom", ["ja", "nej"], "benefit.allvarlig_sjukdom"),
])
def test_a_parquet_column_of_the_wrong_type_is_one_file_level_error(tmp_path, column, values, expected):
    import pyarrow as pa
    import pyarrow.parquet as pq

    base = {"as_of": ["2011-03-15"] * 2, "person.birth_date": [date(1975, 6, 2)] * 2, "benefit.type": ["ingen"] * 2}
    path = tmp_path / "cases.parquet"
    pq.write_table(pa.table({**base, column: (values * 2)[:2]}), path)
    commands = [["batch", str(path), "-o", str(tmp_path / "out.jsonl")],
                ["batch", str(path), "-o", str(tmp_path / "out.jsonl"), "--per-case"],
                ["batch", str(path), "-o", str(tmp_path / "out.parquet"), "--columnar"],
                ["watchlist", str(path)], ["impact", str(path), "--from", IMPACT_PAIR[0], "--to", IMPACT_PAIR[1]]]
    for args in commands:
        result = runner.invoke(app, args)
        assert "Traceback" not in result.output
        if expected is None:
            assert result.exit_code == 0, result.output
        else:
            assert result.exit_code == 2 and expected in result.output, (args, result.output)


def test_a_file_that_is_not_parquet_is_refused(tmp_path):
    path = tmp_path / "cases.parquet"
    path.write_text("not parquet", encoding="utf-8")
    with pytest.raises(InputError):
        list(read_cases(path))
    assert runner.invoke(app, ["batch", str(path), "-o", str(tmp_path / "out.jsonl")]).exit_code == 2


def test_every_format_gives_the_same_decisions(tmp_path):
    # The same cases as JSONL, CSV and Parquet (dotted and struct columns): the same rows.
    import pyarrow as pa
    import pyarrow.parquet as pq

    cases = [{"id": "a", **SP}, {"id": "b", **GOOD_CASES[2]}]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    (tmp_path / "in.csv").write_text("id,as_of,birth_date,employment,benefit_type,sjukpenning_days_used,"
                                     "allvarlig_sjukdom,decision_end\n"
                                     "a,2011-03-15,1975-06-02,arbetslos,sjukpenning,700,nej,\n"
                                     "b,2011-06-01,1987-01-10,,aktivitetsersattning,,,2012-12-31\n", encoding="utf-8")
    pq.write_table(pa.Table.from_pylist(cases), tmp_path / "in.parquet")   # struct columns
    outputs = []
    for name in ("in.jsonl", "in.csv", "in.parquet"):
        run_batch(tmp_path / name, tmp_path / "out.jsonl", tmp_path / "err.jsonl")
        outputs.append([{**row, "line": None} for row in _jsonl(tmp_path / "out.jsonl")])  # CSV: line 1 is the header
        assert (tmp_path / "err.jsonl").read_text(encoding="utf-8") == ""
    assert outputs[0] == outputs[1] == outputs[2]
