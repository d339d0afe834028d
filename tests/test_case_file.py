"""Case files for ``check`` and ``timeline``: one YAML 1.2-core-like loader, clear errors, no traceback, no snippet.

Issue 14: an unquoted impossible date, a non-UTF-8 file, deep nesting and huge
integers gave tracebacks; a YAML syntax error printed the offending line (with
its personnummer); YAML 1.1 typing read ``11:40`` as 700, ``0x2BC`` as 700 and
``no`` as false, around the contract's strict types.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eligibility.case.file import MAX_CASE_FILE_BYTES, read_case_file
from eligibility.case.yaml_loader import MAX_DEPTH, load_case_yaml
from eligibility.cli import app
from eligibility.errors import CaseFileError

runner = CliRunner()
PNR = "19811228-9874"
CASE = """\
as_of: 2011-03-15
person:
  birth_date: 1975-06-02
  employment: arbetslos
benefit:
  type: sjukpenning
  sjukpenning_days_used: 700
  allvarlig_sjukdom: false
"""
COMMANDS = [["check"], ["timeline", "--months", "3"]]


def _run(tmp_path: Path, command: list[str], content: str | bytes, name: str = "case.yaml"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, [command[0], str(path), *command[1:]])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result, path


@pytest.mark.parametrize("command", COMMANDS, ids=["check", "timeline"])
def test_unquoted_impossible_date_is_a_field_error_on_as_of_naming_file_and_line(tmp_path, command):
    result, path = _run(tmp_path, command, CASE.replace("2011-03-15", "2015-02-29"))
    assert result.exit_code == 1, result.output          # a contract error, exactly as for "2015-02-29" quoted
    assert "CASE_INVALID" in result.output and f"{path}:1: as_of: expected" in result.output
    quoted, _ = _run(tmp_path, command, CASE.replace("2011-03-15", '"2015-02-29"'), "quoted.yaml")
    assert quoted.exit_code == 1 and "as_of: expected" in quoted.output


@pytest.mark.parametrize("command", COMMANDS, ids=["check", "timeline"])
@pytest.mark.parametrize(("content", "name", "reason"), [
    (b"as_of: 2011-03-15\nperson: {birth_date: \"1975-06-02\xff\"}\n", "case.yaml", ":2:33: not UTF-8"),
    (b"\xff\xfe{}", "case.json", ":1:1: not UTF-8"),
    ("as_of: " + "[" * 100_000 + "]" * 100_000 + "\n", "case.yaml", f":1:39: not a case: nested more than {MAX_DEPTH}"),
    ('{"as_of": ' + "[" * 100_000 + "]" * 100_000 + "}", "case.json", f": not a case: nested more than {MAX_DEPTH}"),
    ('{"as_of": ' + "[" * 200 + "]" * 200 + "}", "case.json", f": not a case: nested more than {MAX_DEPTH}"),
    (CASE.replace("700", "9" * 5_000), "case.yaml", ":7:26: not a case: a number of 5000 digits is too long"),
    ('{"benefit": {"sjukpenning_days_used": ' + "9" * 5_000 + "}}", "case.json", ":1:39: not a case: a number"),
    ("{not json", "case.json", ":1:2: not valid JSON: Expecting property name"),
    ("as_of: 2011-03-15\nperson: &p {employment: arbetslos}\nother: *p\n", "case.yaml", ":2:9: not a case: anchors"),
    ("as_of: !!timestamp 2011-03-15\n", "case.yaml", ":1:8: not a case: explicit tags"),
    ("as_of: 2011-03-15\x07\n", "case.yaml", ":1:18: not valid YAML: a control character"),
], ids=["yaml-not-utf8", "json-not-utf8", "yaml-deep", "json-deep-recursion", "json-deep", "yaml-huge-int",
        "json-huge-int", "json-syntax", "yaml-alias", "yaml-tag", "yaml-control-char"])
def test_unreadable_case_file_exits_2_naming_file_and_position_without_traceback(tmp_path, command, content,
                                                                                 name, reason):
    result, path = _run(tmp_path, command, content, name)
    assert result.exit_code == 2, result.output
    assert "CASE_FILE_INVALID" in result.output and f"{path}{reason}" in result.output.replace("\n", ""), \
        result.output


@pytest.mark.parametrize("command", COMMANDS, ids=["check", "timeline"])
def test_yaml_syntax_error_reports_file_line_column_and_kind_never_the_line(tmp_path, command):
    broken = f"as_of: 2011-03-15\nperson:\n  personnummer: {PNR}\n   employment: x: y\n"
    result, path = _run(tmp_path, command, broken)
    assert result.exit_code == 2
    assert f"{path}:4:" in result.output and "mapping values are not allowed here" in result.output
    unterminated = f'as_of: 2011-03-15\nperson: {{personnummer: "{PNR} is here'
    second, _ = _run(tmp_path, command, unterminated, "second.yaml")
    assert second.exit_code == 2 and "second.yaml:" in second.output
    for output in (result.output, second.output):
        for secret in (PNR, "811228", "employment: x", "^"):
            assert secret not in output, (secret, output)


@pytest.mark.parametrize("text", ["11:40", "0x2BC", "0o1274", "1_000", "no", "on", "yes", "off", "y", "~x"])
def test_yaml_1_1_implicit_types_stay_strings_and_the_contract_rejects_them_with_the_field_path(tmp_path, text):
    case = CASE.replace("sjukpenning_days_used: 700", f"sjukpenning_days_used: {text}")
    case = case.replace("allvarlig_sjukdom: false", f"allvarlig_sjukdom: {text}")
    data, _lines = load_case_yaml(case)
    assert data["benefit"]["sjukpenning_days_used"] == text and data["benefit"]["allvarlig_sjukdom"] == text
    result, path = _run(tmp_path, ["check"], case)
    assert result.exit_code == 1
    assert f"{path}:7: benefit.sjukpenning_days_used: expected" in result.output
    assert f"{path}:8: benefit.allvarlig_sjukdom: expected" in result.output


def test_case_yaml_keeps_core_types_and_dates_as_strings():
    data, lines = load_case_yaml("a: true\nb: False\nc: null\nd: ~\ne:\nf: -12\ng: 1.5\nh: 1e3\ni: 2011-03-15\n"
                                 "j: '7'\nk: [1, x]\nl: .inf\n")
    assert data == {"a": True, "b": False, "c": None, "d": None, "e": None, "f": -12, "g": 1.5, "h": 1000.0,
                    "i": "2011-03-15", "j": "7", "k": [1, "x"], "l": ".inf"}
    assert lines[("i",)] == 9 and lines[("k", 1)] == 11
    assert load_case_yaml("") == (None, {})


def test_example_case_files_decide_as_before():
    for path in sorted((Path(__file__).parents[1] / "examples").glob("*.yaml")):
        result = runner.invoke(app, ["check", str(path), "--json"])
        assert result.exit_code == 0, (path, result.output)
        assert json.loads(result.output)["rulebook"]["id"]


def test_oversized_and_missing_case_files_are_clear_errors(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("#" * (MAX_CASE_FILE_BYTES + 1), encoding="utf-8")
    with pytest.raises(CaseFileError, match="larger than"):
        read_case_file(big)
    result = runner.invoke(app, ["check", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2 and "missing.yaml: cannot read (No such file or directory)" in result.output
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 2 and "cannot read" in result.output


def test_cli_lists_at_most_50_problems_and_says_how_many_more(tmp_path):
    case = CASE + "".join(f"unknown_{i}: 1\n" for i in range(120))
    result, path = _run(tmp_path, ["check"], case)
    assert result.exit_code == 1
    assert result.output.count("no such field in the case contract") == 50
    assert "... and 70 more problems" in result.output
