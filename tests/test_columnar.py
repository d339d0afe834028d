"""The columnar backend agrees with the reference evaluator and the durable-rules engine.

* 3-way differential (hypothesis): at least 2 000 random valid cases per run,
  drawn in batches; each batch is evaluated at once by the columnar backend
  and case by case by the engine and the reference. Every condition outcome,
  target group, programme status and key date must be identical.
* Invalid cases: a row gets an ``error`` exactly when ``CaseError`` is raised.
* ``eligibility batch --columnar`` reads JSONL/CSV/Parquet and writes Parquet/CSV.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from eligibility import CaseError
from eligibility.backends.frame import evaluate_caseload
from eligibility.cli import app
from strategies import valid_cases

OUTCOME = {True: "uppfyllt", False: "ej uppfyllt", None: "ej utrett"}
BATCHES, BATCH_SIZE = 80, 26  # >= 2 080 cases per run


def _column(decision, condition: str) -> str:
    groups = {g.target_group for g in decision.target_groups}
    return ("target_group." if condition in groups else "condition.") + condition


def _key_dates(decision) -> dict:
    kd = decision.key_dates
    return dataclasses.asdict(kd) if dataclasses.is_dataclass(kd) else kd.model_dump()


def _assert_same(row: dict, decision) -> None:
    assert row["error"] is None
    assert row["rulebook"] == decision.rulebook.id
    for record in decision.conditions:
        assert OUTCOME[row[_column(decision, record.condition)]] == record.outcome.value, record.condition
    for pid, programme in decision.programmes.items():
        assert row[f"status.{pid}"] == programme.status.value, pid
    for name, value in _key_dates(decision).items():
        assert row[f"key_dates.{name}"] == value, name


@settings(max_examples=BATCHES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases=st.lists(valid_cases(), min_size=BATCH_SIZE, max_size=BATCH_SIZE))
def test_columnar_equals_reference_and_engine(books, engine, reference, cases):
    rows = evaluate_caseload(cases, books).to_dicts()
    assert len(rows) == len(cases)
    for case, row in zip(cases, rows):
        by_reference = reference.evaluate(case, explain=False)
        by_engine = engine.evaluate(case, explain=False)
        _assert_same(row, by_reference)
        _assert_same(row, by_engine)


def test_large_batch_keeps_order_and_agrees(books, reference):
    from random_cases import generate_cases

    cases = generate_cases(3000, seed=11)
    rows = evaluate_caseload(cases, books).to_dicts()
    for case, row in zip(cases, rows):
        assert row["as_of"].isoformat() == case["as_of"]
        _assert_same(row, reference.evaluate(case, explain=False))


_BREAKS = [
    ("as_of", lambda c: c.update(as_of="2030-01-01")),
    ("as_of", lambda c: c.update(as_of="2001-01-01")),
    ("person.birth_date", lambda c: c["person"].update(birth_date=(date.fromisoformat(c["as_of"]) + timedelta(days=1)).isoformat())),
    ("person", lambda c: c["person"].pop("birth_date")),
    ("person.personnummer", lambda c: c["person"].update(personnummer="19850602-1235")),
    ("benefit.sjukpenning_days_used", lambda c: c["benefit"].update(type="sjukpenning", allvarlig_sjukdom=False,
                                                                     sjukpenning_days_used=915, decision_end=None,
                                                                     tbs_extension_months_used=None)),
    ("benefit.sjukpenning_days_used", lambda c: c["benefit"].update(sjukpenning_days_used="700")),
    ("benefit.decision_end", lambda c: c["benefit"].update(type="sjukpenning", decision_end=c["as_of"],
                                                           tbs_extension_months_used=None)),
    ("benefit.type", lambda c: c["benefit"].update(type="pension")),
    ("benefit.type", lambda c: c["benefit"].pop("type")),
    ("assessment.fardigutredd", lambda c: c["assessment"].update(fardigutredd=1)),
    ("assessment.hours_per_week", lambda c: c["assessment"].update(hours_per_week=169)),
    ("person.employment", lambda c: c["person"].update(employment="student")),
    ("benefit.decision_end", lambda c: c["benefit"].update(type="aktivitetsersattning", sjukpenning_days_used=None,
                                                           allvarlig_sjukdom=None, tbs_extension_months_used=None,
                                                           decision_end=(date.fromisoformat(c["as_of"]) - timedelta(days=1)).isoformat())),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=valid_cases(), broken=st.sampled_from(range(len(_BREAKS))), keep_valid=st.booleans())
def test_invalid_rows_get_an_error_and_no_outcomes(books, reference, case, broken, keep_valid):
    field, mutate = _BREAKS[broken]
    bad = copy.deepcopy(case)
    mutate(bad)
    batch = [case, bad] if keep_valid else [bad]
    rows = evaluate_caseload(batch, books).to_dicts()
    row = rows[-1]
    try:
        reference.evaluate(bad, explain=False)
    except CaseError as exc:
        assert row["error"] is not None, exc.problems
        assert exc.problems[0].field in row["error"]
        assert all(v is None for k, v in row.items() if k.startswith(("status.", "condition.", "key_dates.")))
    else:
        _assert_same(row, reference.evaluate(bad, explain=False))
    if keep_valid:
        _assert_same(rows[0], reference.evaluate(case, explain=False))


def test_unknown_column_rejects_the_input(books):
    with pytest.raises(CaseError) as exc:
        evaluate_caseload(pl.DataFrame({"as_of": ["2011-03-15"], "shoe_size": [42]}), books)
    assert exc.value.problems[0].field == "shoe_size"


def test_polars_boolean_logic_is_kleene():
    frame = pl.DataFrame({"a": [True, False, None] * 3, "b": [True] * 3 + [False] * 3 + [None] * 3})
    result = frame.select(all_=pl.col("a") & pl.col("b"), any_=pl.col("a") | pl.col("b"))
    for a, b, all_, any_ in zip(frame["a"], frame["b"], result["all_"], result["any_"]):
        values = {a, b}
        assert all_ == (False if False in values else None if None in values else True)
        assert any_ == (True if True in values else None if None in values else False)


# -- CLI ---------------------------------------------------------------------------------------------

runner = CliRunner()


@pytest.mark.parametrize("source,target", [("jsonl", "parquet"), ("parquet", "csv"), ("csv", "parquet")])
def test_batch_columnar_files(tmp_path, books, reference, source, target):
    cases = [{"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02", "employment": "arbetslos"},
              "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 700, "allvarlig_sjukdom": False},
              "assessment": {"fardigutredd": True, "capacity_can_improve": True, "sassam_done": True,
                             "hours_per_week": 12, "months_in_handlingsplansamverkan": 0}},
             {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02"},
              "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 999, "allvarlig_sjukdom": False}}]
    path = tmp_path / f"cases.{source}"
    if source == "jsonl":
        path.write_text("\n".join(json.dumps(c) for c in cases) + "\n")
    elif source == "parquet":
        pl.DataFrame(cases).write_parquet(path)
    else:
        path.write_text("as_of;birth_date;employment;benefit_type;sjukpenning_days_used;allvarlig_sjukdom;"
                        "fardigutredd;capacity_can_improve;sassam_done;hours_per_week;months_in_handlingsplansamverkan\n"
                        "2011-03-15;1975-06-02;arbetslos;sjukpenning;700;nej;ja;ja;ja;12;0\n"
                        "2011-03-15;1975-06-02;;sjukpenning;999;false;;;;;\n")
    output = tmp_path / f"out.{target}"
    result = runner.invoke(app, ["batch", str(path), "-o", str(output), "--columnar"])
    assert result.exit_code == 0, result.output
    frame = pl.read_parquet(output) if target == "parquet" else pl.read_csv(output)
    assert frame.height == 2
    assert frame["status.handlingsplansamverkan"][0] == "eligible"
    assert "benefit.sjukpenning_days_used" in frame["error"][1]
    expected = reference.evaluate(cases[0], explain=False).key_dates.sjukpenning_days_left
    assert frame["key_dates.sjukpenning_days_left"][0] == expected
    assert not any("explanation" in name for name in frame.columns)


def test_batch_columnar_rejects_unknown_suffix(tmp_path):
    path = tmp_path / "cases.xlsx"
    path.write_text("x")
    result = runner.invoke(app, ["batch", str(path), "-o", str(tmp_path / "out.parquet"), "--columnar"])
    assert result.exit_code == 2


def test_enum_coded_parquet_gives_the_same_result(tmp_path, books):
    from random_cases import generate_cases

    from eligibility.case.read_frame import to_frame, with_codes_as_enum

    frame = to_frame(generate_cases(500, seed=5))
    path = tmp_path / "cases.parquet"
    with_codes_as_enum(frame).write_parquet(path)
    coded = pl.read_parquet(path)
    assert isinstance(coded.schema["benefit.type"], pl.Enum)
    assert evaluate_caseload(coded, books).equals(evaluate_caseload(frame, books))


def test_enum_helper_refuses_an_unknown_code():
    from eligibility.case.read_frame import with_codes_as_enum

    with pytest.raises(pl.exceptions.InvalidOperationError):
        with_codes_as_enum(pl.DataFrame({"benefit.type": ["sjukpenning", "pension"]}))


def test_batch_columnar_unwritable_output_leaves_no_file(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps({"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02"},
                                "benefit": {"type": "ingen"}}) + "\n")
    target = tmp_path / "missing-dir" / "out.parquet"
    result = runner.invoke(app, ["batch", str(path), "-o", str(target), "--columnar"])
    assert result.exit_code == 1  # as the streaming batch (docs/reliability.md, guarantee 6); was 2
    assert "cannot write" in result.output and "no output written" in result.output
    assert not target.exists() and not target.with_name("out.parquet.partial").exists()


def test_batch_columnar_disk_full_removes_the_partial_file(tmp_path, monkeypatch):
    import errno

    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps({"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02"},
                                "benefit": {"type": "ingen"}}) + "\n")

    def half_written(self, file, *args, **kwargs):
        Path(file).write_bytes(b"PAR1 half a file")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", half_written)
    target = tmp_path / "out.parquet"
    result = runner.invoke(app, ["batch", str(path), "-o", str(target), "--columnar"])
    assert result.exit_code == 1  # as the streaming batch (docs/reliability.md, guarantee 6); was 2
    assert "No space left on device" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl"]


@pytest.mark.parametrize("days", [10**9, 2**40, -5, 36_501])
def test_numbers_outside_the_contract_are_row_errors_not_crashes(books, days):
    # A huge sjukpenning_days_used once overflowed the date arithmetic of the whole caseload.
    case = {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02"},
            "benefit": {"type": "sjukpenning", "sjukpenning_days_used": days, "allvarlig_sjukdom": False}}
    good = {**case, "benefit": {**case["benefit"], "sjukpenning_days_used": 700}}
    rows = evaluate_caseload([good, case], books).to_dicts()
    code = "greater_than_equal" if days < 0 else "less_than_equal"
    assert rows[1]["error"] == f"benefit.sjukpenning_days_used: {code}"
    assert rows[1]["key_dates.benefit_last_day"] is None
    assert rows[0]["error"] is None and rows[0]["key_dates.benefit_last_day"] == date(2011, 10, 14)


def test_nan_and_infinity_are_row_errors(books):
    case = {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02"}, "benefit": {"type": "ingen"},
            "assessment": {"hours_per_week": float("nan"), "months_in_handlingsplansamverkan": float("inf")}}
    error = evaluate_caseload([case], books)["error"][0]
    assert error == ("assessment.hours_per_week: finite_number; "
                     "assessment.months_in_handlingsplansamverkan: less_than_equal")


def test_columns_follow_the_rulebooks_the_rows_fall_in(books):
    # Which groups are present is worked out from the as_of extremes plus a look in between:
    # a rulebook between the first and last date that no row falls in adds no columns.
    def case(as_of: str) -> dict:
        return {"as_of": as_of, "person": {"birth_date": "1975-06-02"}, "benefit": {"type": "ingen"}}

    ends = evaluate_caseload([case("2009-05-01"), case("2017-03-01")], books)
    assert "status.arbetslivsintroduktion" not in ends.columns
    assert ends["rulebook"].to_list() == ["2008-07-01", "2016-02-01"]
    middle = evaluate_caseload([case("2009-05-01"), case("2011-06-01"), case("2017-03-01")], books)
    assert middle["status.arbetslivsintroduktion"].to_list() == [None, "not_eligible", None]
    assert middle["rulebook"].to_list() == ["2008-07-01", "2010-01-01", "2016-02-01"]
    assert set(ends.columns) < set(middle.columns)


@pytest.mark.parametrize("field, value", [
    ("as_of", "1650-03-01"), ("as_of", "2400-06-01"), ("as_of", "9999-12-31"),
    ("birth_date", "0001-01-01"), ("birth_date", "1799-12-31"), ("decision_end", "2500-01-31"),
])
def test_dates_outside_the_tables_are_row_errors_not_crashes(books, field, value):
    # The date tables are read through masked indices: an outside date gives garbage in its own
    # (invalid, blanked) row, never a failure of the whole caseload; the text names the field.
    good = {"as_of": "2011-03-15", "person": {"birth_date": "1985-06-02"},
            "benefit": {"type": "aktivitetsersattning", "decision_end": "2013-06-30"}}
    bad = copy.deepcopy(good)
    {"as_of": bad, "birth_date": bad["person"], "decision_end": bad["benefit"]}[field][field] = value
    rows = evaluate_caseload([good, bad, good], books).to_dicts()
    path = {"as_of": "as_of", "birth_date": "person.birth_date", "decision_end": "benefit.decision_end"}[field]
    assert f"{path}: date_out_of_range" in rows[1]["error"]
    assert all(v is None for k, v in rows[1].items() if k.startswith(("status.", "condition.", "key_dates.")))
    assert rows[0] == rows[2] and rows[0]["error"] is None
    assert rows[0]["key_dates.benefit_end_exclusive"] == date(2013, 7, 1)


def test_a_given_but_unusable_value_is_not_also_missing(books):
    # An unknown code or a date outside the tables is blanked for the checks; it was still given.
    base = {"as_of": "2011-03-15", "person": {"birth_date": "1985-06-02"}, "benefit": {"type": "ingen"}}
    unknown_code = {**base, "benefit": {"type": "pension"}}
    outside = {**base, "as_of": "1650-03-15"}
    errors = evaluate_caseload([unknown_code, outside], books)["error"].to_list()
    assert errors == ["benefit.type: enum", "as_of: date_out_of_range"]
