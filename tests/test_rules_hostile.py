"""Hostile rule files (issue 14): every broken file is a RulebookError with file, line and reason.

Covers the loader (bounded reads, YAML constructor errors, keys), the lint
(parameter values against their unit, placeholders, target-group numbers),
the canary cases a reload must decide before it swaps, the content hash of
the bytes that were parsed, and the CLI commands that load rules. The API's
side of a rejected reload is in tests/api/test_api_reload.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eligibility import RulebookError, load_rulebooks
from rule_copies import edit as _edit, line_of as _line_of, load_problems as _problems
from eligibility.cli import app
from eligibility.decision.evaluator import Evaluator
from eligibility.decision.explain import format_text
from eligibility.decision.store import RulebookStore
from eligibility.rulebooks import canary
from eligibility.rulebooks.canary import canary_cases, canary_problems, checked_evaluator
from eligibility.rulebooks.condition_graph import MAX_NESTING
from eligibility.rulebooks.loader import content_hash
from eligibility.rulebooks.rulebook import ParameterValueOn
from eligibility.rulebooks.units import unit_problem
from eligibility.rulebooks.yaml_source import MAX_RULE_FILE_BYTES, read_rule_bytes

EXAMPLE = Path(__file__).parents[1] / "examples" / "hps_sjukpenning.yaml"
PARAMETERS = "2010-01-01/parameters.yaml"
CONDITIONS = "2010-01-01/conditions.yaml"
TARGET_GROUPS = "2010-01-01/target_groups.yaml"
HPS_MONTHS_VALUE = ("hps_minsta_kvarvarande_manader:\n"
                    "  description: Minsta tid som ska återstå av ersättningen för handlingsplansamverkan\n"
                    "  unit: month\n  values:\n    2008-07-01:\n      value: 6\n")
HPS = "hps_minsta_kvarvarande_manader"
runner = CliRunner()




def _set_hps_months(rules: Path, value: str) -> int:
    """Give hps_minsta_kvarvarande_manader of 2010-01-01 the YAML ``value``; the line of that value."""
    path = rules / PARAMETERS
    _edit(path, HPS_MONTHS_VALUE, HPS_MONTHS_VALUE.replace("value: 6\n", f"value: {value}\n"))
    return _line_of(path, "value:", after="hps_minsta_kvarvarande_manader:")


# --- Parameter values against their unit ----------------------------------------------------------

def test_a_fractional_month_parameter_is_rejected_with_file_and_line(rules):
    line = _set_hps_months(rules, "6.5")
    assert (f"rules/{PARAMETERS}:{line}: parameter 'hps_minsta_kvarvarande_manader' (unit month), value from "
            "2008-07-01: expected a whole number of months from 0 to 119988, found 6.5") in _problems(rules)


@pytest.mark.parametrize("value, found", [
    ("2012-01-01", "found the date 2012-01-01"), (".inf", "found .inf"), (".nan", "found .nan"),
    ("1.0e+11", "found 100000000000.0"), ("true", "found true"), ("-6", "found -6"),
    ("100000000000", "found 100000000000"),
], ids=["date", "inf", "nan", "1e11-float", "true", "negative", "beyond-the-calendar"])
def test_a_month_parameter_that_is_not_a_whole_number_of_months_is_rejected_with_file_and_line(rules, value, found):
    line = _set_hps_months(rules, value)
    problems = _problems(rules)
    assert any(p.startswith(f"rules/{PARAMETERS}:{line}: parameter 'hps_minsta_kvarvarande_manader' (unit month)")
               and p.endswith(found) for p in problems), problems


@pytest.mark.parametrize("value", ["1e11", '"6"', "[6]", "2012-01-01 10:00:00"],
                         ids=["1e11-is-text-in-yaml", "quoted-number", "list", "date-time"])
def test_a_parameter_value_that_is_not_a_plain_yaml_scalar_is_rejected_at_the_value_line(rules, value):
    line = _set_hps_months(rules, value)
    problems = _problems(rules)
    assert any(p.startswith(f"rules/{PARAMETERS}:{line}: hps_minsta_kvarvarande_manader.values.2008-07-01.value:")
               and "expected a number, true/false, a date or null" in p for p in problems), problems


def test_a_day_parameter_given_as_a_date_is_rejected_with_file_and_line(rules):
    path = rules / PARAMETERS
    _edit(path, "      value: 914\n", "      value: 2012-01-01\n")
    line = _line_of(path, "value: 2012-01-01")
    assert (f"rules/{PARAMETERS}:{line}: parameter 'sjukpenning_max_dagar' (unit day), value from 2008-07-01: "
            "expected a whole number of days from 0 to 3652058, found the date 2012-01-01") in _problems(rules)


def test_a_date_parameter_given_as_a_number_is_rejected_with_file_and_line(rules):
    path = rules / PARAMETERS
    _edit(path, "      value: 2012-12-31\n", "      value: 2012\n")
    line = _line_of(path, "value: 2012\n".strip())
    assert (f"rules/{PARAMETERS}:{line}: parameter 'tbs_senaste_slutdag' (unit date), value from 2008-07-01: "
            "expected a date (YYYY-MM-DD), found 2012") in _problems(rules)


@pytest.mark.parametrize("unit, value, fits", [
    ("hour", 7.5, True), ("hour", 0, True), ("hour", -1, False), ("hour", float("inf"), False),
    ("hour", True, False), ("year", 29, True), ("year", 29.0, False), ("count", 3, True), ("count", -1, False),
    ("day", 0, True), ("month", None, True), ("date", None, True),
])
def test_each_unit_accepts_only_its_kind_of_value_and_a_closing_null(unit, value, fits):
    assert (unit_problem(unit, value) is None) is fits


def test_every_bundled_parameter_value_fits_its_unit():
    for book in load_rulebooks():
        for name, definition in book.parameters.items():
            for start, entry in definition.values.items():
                assert unit_problem(definition.unit, entry.value) is None, (book.id, name, start)


# --- Files and YAML the loader used to crash on ---------------------------------------------------

def _invalid_valid_from(rules: Path) -> tuple[str, int]:
    path = rules / CONDITIONS
    _edit(path, "  valid_from: 2008-07-01\n", "  valid_from: 2015-02-29\n")
    return CONDITIONS, _line_of(path, "2015-02-29")


def _invalid_date_key(rules: Path) -> tuple[str, int]:
    path = rules / PARAMETERS
    _edit(path, "    2008-07-01:\n", "    2008-02-30:\n")
    return PARAMETERS, _line_of(path, "2008-02-30")


def _unhashable_key(rules: Path) -> tuple[str, int]:
    path = rules / "2010-01-01" / "programmes.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n? [a, b]\n: 1\n", encoding="utf-8")
    return "2010-01-01/programmes.yaml", _line_of(path, "? [a, b]")


def _directory_instead_of_file(rules: Path) -> tuple[str, None]:
    path = rules / "2010-01-01" / "programmes.yaml"
    path.unlink()
    path.mkdir()
    return "2010-01-01/programmes.yaml", None


def _unbalanced_brace(rules: Path) -> tuple[str, int]:
    path = rules / CONDITIONS
    _edit(path, "text_sv: Personen har sjukpenning.", "text_sv: Personen har {sjukpenning.")
    return CONDITIONS, _line_of(path, "Personen har {sjukpenning.")


def _symlink_to_dev_zero(rules: Path) -> tuple[str, None]:
    path = rules / "2010-01-01" / "programmes.yaml"
    path.unlink()
    path.symlink_to("/dev/zero")
    return "2010-01-01/programmes.yaml", None


BROKEN = {
    "invalid-calendar-date": (_invalid_valid_from, "value '2015-02-29' cannot be read as a date: day is out of range"),
    "invalid-date-key": (_invalid_date_key, "value '2008-02-30' cannot be read as a date: day is out of range"),
    "unhashable-key": (_unhashable_key, "expected a key that is a plain text, number or date, found a list"),
    "directory": (_directory_instead_of_file, "expected a regular file, found a directory"),
    "unbalanced-brace": (_unbalanced_brace, "condition 'har_sjukpenning': text_sv: unbalanced '{' at character 14"),
    "dev-zero": (_symlink_to_dev_zero, "expected a regular file, found a character device"),
}


def _expected(rules_name: str, file: str, line: int | None, reason: str) -> str:
    return f"{rules_name}/{file}:{line}: {reason}" if line else f"{rules_name}/{file}: {reason}"


@pytest.mark.parametrize("breakage", BROKEN, ids=list(BROKEN))
def test_a_broken_rule_file_is_a_rulebook_error_with_file_line_and_reason(rules, breakage):
    breaker, reason = BROKEN[breakage]
    file, line = breaker(rules)
    expected = _expected("rules", file, line, reason)
    assert any(p.startswith(expected) for p in _problems(rules)), (expected, _problems(rules))


@pytest.mark.parametrize("command", ["lint", "check", "serve"])
@pytest.mark.parametrize("breakage", BROKEN, ids=list(BROKEN))
def test_cli_commands_print_the_broken_file_and_line_and_exit_non_zero_without_traceback(rules, breakage, command):
    breaker, reason = BROKEN[breakage]
    file, line = breaker(rules)
    args = {"lint": ["lint"], "check": ["check", str(EXAMPLE)], "serve": ["serve", "--port", "9"]}[command]
    result = runner.invoke(app, [*args, "--rules", str(rules)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert "RULEBOOK_INVALID" in result.output
    assert _expected("rules", file, line, reason) in result.output.replace("\n", " ")


def test_a_fifo_in_place_of_a_rule_file_is_refused_without_waiting_for_a_writer(rules):
    path = rules / "2010-01-01" / "programmes.yaml"
    path.unlink()
    os.mkfifo(path)
    assert "rules/2010-01-01/programmes.yaml: expected a regular file, found a FIFO" in _problems(rules)


def test_reading_a_rule_file_is_bounded_in_size(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_RULE_FILE_BYTES + 1))
    with pytest.raises(RulebookError, match=f"larger than {MAX_RULE_FILE_BYTES} bytes"):
        read_rule_bytes(big, "big.yaml")
    exact = tmp_path / "exact.yaml"
    exact.write_bytes(b"#" * MAX_RULE_FILE_BYTES)
    assert len(read_rule_bytes(exact, "exact.yaml")) == MAX_RULE_FILE_BYTES


def test_an_unknown_yaml_tag_is_reported_with_file_and_line(rules):
    path = rules / "2010-01-01" / "programmes.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nx: !custom value\n", encoding="utf-8")
    line = _line_of(path, "!custom")
    assert any(p.startswith(f"rules/2010-01-01/programmes.yaml:{line}: value 'value' cannot be read")
               for p in _problems(rules)), _problems(rules)


# --- Placeholders in text_sv ----------------------------------------------------------------------

@pytest.mark.parametrize("placeholder", [f"{{{HPS}{tail}}}" for tail in (":>999999999", "!r", "[0]", ".real")]
                         + ["{}", f"{{ {HPS} }}"],
                         ids=["format-spec", "conversion", "index", "attribute", "empty", "spaces"])
def test_a_placeholder_that_is_not_a_plain_name_is_rejected_with_file_and_line(rules, placeholder):
    path = rules / CONDITIONS
    _edit(path, "text_sv: Personen har sjukpenning.", f"text_sv: 'Personen har sjukpenning {placeholder}.'")
    line = _line_of(path, "Personen har sjukpenning {")
    assert (f"rules/{CONDITIONS}:{line}: condition 'har_sjukpenning': text_sv: placeholder '{placeholder[:40]}' "
            "is not a plain {parameter_name} (no format specs, conversions, indexes or spaces)") in _problems(rules)


def test_the_renderer_never_applies_a_format_spec():
    params = {"p": ParameterValueOn("p", 6, None)}  # type: ignore[arg-type]
    text = "Minst {p:>999999999} och {p} månader."
    assert format_text(text, params, ("p",)) == "Minst {p:>999999999} och sex månader."  # 1–12 in words


def test_a_brace_in_a_target_group_name_is_rejected_with_file_and_line(rules):
    path = rules / TARGET_GROUPS
    _edit(path, "name_sv: Sjukskrivna arbetslösa", "name_sv: Sjukskrivna {arbetslösa")
    line = _line_of(path, "{arbetslösa")
    assert any(p.startswith(f"rules/{TARGET_GROUPS}:{line}: target group 'malgrupp_1': name_sv may not contain")
               for p in _problems(rules)), _problems(rules)


# --- Target groups --------------------------------------------------------------------------------

def test_two_target_groups_with_one_number_are_rejected_with_file_and_line(rules):
    path = rules / TARGET_GROUPS
    _edit(path, "malgrupp_2:\n  number: 2\n", "malgrupp_2:\n  number: 1\n")
    line = _line_of(path, "number: 1", after="malgrupp_2:")
    assert (f"rules/{TARGET_GROUPS}:{line}: target group 'malgrupp_2': number 1 is already the number of "
            "target group 'malgrupp_1'") in _problems(rules)


# --- The content hash is of the bytes that were parsed --------------------------------------------

def test_the_content_hash_is_of_the_bytes_parsed_even_when_a_file_is_replaced_during_the_load(rules):
    target = rules / CONDITIONS
    original = target.read_bytes()
    replaced = original.replace(b"text_sv: Personen har sjukpenning.", b"text_sv: Personen har sjukpenning!")
    parsed: dict[str, bytes] = {}

    def replace_after_read(path: Path, data: bytes) -> None:
        if path.parent.name == "2010-01-01":
            parsed[path.name] = data
        if path == target:
            target.write_bytes(replaced)

    books = {b.id: b for b in load_rulebooks(rules, on_read=replace_after_read)}
    book = books["2010-01-01"]
    assert parsed["conditions.yaml"] == original
    assert book.conditions["har_sjukpenning"].text_sv == "Personen har sjukpenning."
    assert book.content_hash == content_hash(parsed)
    reread = {b.id: b for b in load_rulebooks(rules)}["2010-01-01"]
    assert reread.conditions["har_sjukpenning"].text_sv == "Personen har sjukpenning!"
    assert reread.content_hash != book.content_hash


def test_a_store_reload_hashes_the_bytes_it_parsed(rules):
    target = rules / CONDITIONS
    armed: list[bytes] = []

    def replace_after_read(path: Path, data: bytes) -> None:
        if path == target and armed:
            target.write_bytes(armed.pop())

    store = RulebookStore(rules, on_read=replace_after_read)
    before = {b.id: b.content_hash for b in store.evaluator.books}
    armed.append(target.read_bytes().replace(b"Personen har sjukpenning.", b"Personen har sjukpenning!"))
    assert store.reload() is None
    after = {b.id: b for b in store.evaluator.books}
    assert after["2010-01-01"].content_hash == before["2010-01-01"]
    assert after["2010-01-01"].conditions["har_sjukpenning"].text_sv == "Personen har sjukpenning."


# --- Canary cases ---------------------------------------------------------------------------------

def test_the_canary_cases_cover_every_benefit_type_of_every_rulebook():
    evaluator = Evaluator(load_rulebooks())
    covered = {(evaluator.rulebook_for(case.as_of).id, case.benefit.type.value) for _, case in canary_cases()}
    wanted = {(book.id, benefit) for book in evaluator.books for benefit in book.meta.benefits}
    assert wanted <= covered
    assert 15 <= len(canary_cases()) <= 30


def test_the_bundled_rules_decide_every_canary_case():
    assert canary_problems(Evaluator(load_rulebooks())) == []


def test_the_canary_cases_ship_as_package_data():
    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"rulebooks/canary_cases.yaml"' in pyproject and canary.CANARY_FILE.parent.name == "rulebooks"


def _months_beyond_date_arithmetic(rules: Path) -> None:
    # Within the calendar's span, so the unit check passes; but no case can add that many months.
    _set_hps_months(rules, "119988")


def test_rules_that_lint_passes_but_no_case_can_use_are_refused_by_the_canaries(rules):
    _months_beyond_date_arithmetic(rules)
    load_rulebooks(rules)  # schema and lint accept it
    with pytest.raises(RulebookError) as caught:
        checked_evaluator(rules)
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith("rules/2010-01-01: canary case '2010 sjukpenning") and "date_out_of_range" in p
               for p in problems), problems


def test_a_reload_refused_by_the_canaries_keeps_the_last_good_rules(rules):
    store = RulebookStore(rules)
    good = store.evaluator
    _months_beyond_date_arithmetic(rules)
    error = store.reload()
    assert error is not None and "canary case" in str(error)
    assert store.evaluator is good and store.last_error is error and store.reloads == 0


def test_a_canary_that_fails_only_on_its_timeline_refuses_the_rules(rules, monkeypatch):
    def broken_timeline(*_args: object, **_kwargs: object) -> None:
        raise TypeError("'float' object cannot be interpreted as an integer")

    monkeypatch.setattr(canary, "build_timeline", broken_timeline)
    with pytest.raises(RulebookError) as caught:
        checked_evaluator(rules)
    assert len(caught.value.problems) == len(canary_cases())
    assert "TypeError: 'float' object cannot be interpreted as an integer" in caught.value.problems[0].reason


def test_an_unexpected_error_during_a_reload_is_refused_and_the_last_good_rules_keep_serving(rules, monkeypatch):
    store = RulebookStore(rules)
    good = store.evaluator

    def crash(*_args: object, **_kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr("eligibility.decision.store.checked_evaluator", crash)
    error = store.reload()
    assert error is not None and "could not be loaded (MemoryError)" in str(error)
    assert store.evaluator is good and store.last_error is error


def test_eligibility_lint_runs_the_canary_cases(rules):
    clean = runner.invoke(app, ["lint", "--rules", str(rules)])
    assert clean.exit_code == 0 and f"{len(canary_cases())} canary cases decided" in clean.output
    _months_beyond_date_arithmetic(rules)
    result = runner.invoke(app, ["lint", "--rules", str(rules)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "rules/2010-01-01: canary case" in result.output and "Traceback" not in result.output


# --- Composite conditions nested without bound --------------------------------------------------

def test_a_chain_of_composite_conditions_deeper_than_the_recursion_limit_is_a_lint_error(rules):
    path = rules / CONDITIONS
    source = '{document: seeds/001_d90e694da1fdaa6d.txt, provision: "rad 9"}'
    links = 1_200  # beyond Python's default recursion limit of 1 000
    chain = "".join(
        f"kedja_{i}:\n  text_sv: Kedja.\n  check: alla\n  all_of: [{f'kedja_{i + 1}' if i + 1 < links else 'har_sjukpenning'}]"
        f"\n  source: {source}\n  valid_from: 2008-07-01\n" for i in range(links))
    path.write_text(path.read_text(encoding="utf-8") + "\n" + chain, encoding="utf-8")
    first_too_deep = links - (MAX_NESTING + 1)  # kedja_i has links - i composite levels below and including it
    line = _line_of(path, f"kedja_{first_too_deep}:")
    assert _problems(rules) == [f"rules/{CONDITIONS}:{line}: condition 'kedja_{first_too_deep}': composite conditions "
                                f"nest more than {MAX_NESTING} levels deep below it"]


def test_a_cycle_through_a_long_chain_is_reported_without_recursion(rules):
    path = rules / CONDITIONS
    source = '{document: seeds/001_d90e694da1fdaa6d.txt, provision: "rad 9"}'
    links = 1_200
    chain = "".join(f"ring_{i}:\n  text_sv: Ring.\n  check: nagon\n  any_of: [ring_{(i + 1) % links}]\n"
                    f"  source: {source}\n  valid_from: 2008-07-01\n" for i in range(links))
    path.write_text(path.read_text(encoding="utf-8") + "\n" + chain, encoding="utf-8")
    assert any("condition 'ring_" in p and "refers to itself through its parts" in p for p in _problems(rules))
