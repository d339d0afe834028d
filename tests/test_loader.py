"""Rule files: schema and lint errors name file, line and reason; bad files never replace good ones."""

from __future__ import annotations

from eligibility import load_rulebooks
from eligibility.decision.store import RulebookStore
from rule_copies import edit as _edit, line_of as _line_of, load_problems as _problems




def test_bundled_rules_are_clean():
    books = load_rulebooks()
    assert [b.id for b in books] == ["2008-07-01", "2010-01-01", "2012-01-01", "2013-01-01", "2016-02-01"]
    assert all(len(b.content_hash) == 64 for b in books)


def test_yaml_syntax_error_has_file_and_line(rules):
    path = rules / "2010-01-01" / "conditions.yaml"
    _edit(path, "  check: en_av\n  fact: benefit.type\n  values: [sjukpenning]\n",
          "  check: en_av\n  fact: benefit.type\n  values: [sjukpenning\n")
    problems = _problems(rules)
    assert any(p.startswith("rules/2010-01-01/conditions.yaml:") and "YAML syntax" in p for p in problems), problems


def test_schema_error_points_at_the_line(rules):
    path = rules / "2010-01-01" / "conditions.yaml"
    _edit(path, "  op: ge\n  parameters: {value: hps_minsta_timmar_per_vecka}",
          "  op: at_least\n  parameters: {value: hps_minsta_timmar_per_vecka}")
    line = _line_of(path, "op: at_least")
    problems = _problems(rules)
    assert f"rules/2010-01-01/conditions.yaml:{line}: klarar_minst_tio_timmar.op: Input should be 'ge', 'gt', 'le', 'lt' or 'eq'" in problems


def test_unknown_condition_in_programme(rules):
    path = rules / "2010-01-01" / "programmes.yaml"
    _edit(path, "    - sassam_kartlaggning_gjord\n", "    - sassam_kartlagning_gjord\n")
    problems = _problems(rules)
    assert any("programme 'handlingsplansamverkan': condition 'sassam_kartlagning_gjord' is not defined" in p
               and p.startswith("rules/2010-01-01/programmes.yaml:") for p in problems), problems


def test_undefined_parameter_is_reported(rules):
    path = rules / "2008-07-01" / "conditions.yaml"
    _edit(path, "parameters: {value: hps_langsta_tid_manader}", "parameters: {value: hps_langsta_tid_dagar}")
    line = _line_of(path, "hps_langsta_tid_dagar")
    assert (f"rules/2008-07-01/conditions.yaml:{line}: condition 'kortare_tid_an_ett_ar_i_samverkan': "
            "parameter 'hps_langsta_tid_dagar' is not defined in this rulebook") in _problems(rules)


def test_condition_without_source_document_or_lagrum(rules):
    path = rules / "2008-07-01" / "conditions.yaml"
    _edit(path, 'source: {document: seeds/002_cb8d6ae1e9d2971e.txt, provision: "kap. 3 Den nationella handlingsplansamverkan, rad 70 (Sassam-karta)"}',
          "source: {provision: somewhere}")
    assert any("condition 'sassam_kartlaggning_gjord': source names neither a document nor a lagrum" in p
               for p in _problems(rules))


def test_gap_between_periods(rules):
    _edit(rules / "2008-07-01" / "rulebook.yaml", "valid_to: 2009-12-31", "valid_to: 2009-12-30")
    _edit(rules / "2008-07-01" / "rulebook.yaml", "reviewed_until: 2009-12-31", "reviewed_until: 2009-12-30")
    assert any("gap: rulebook '2008-07-01' ends 2009-12-30, this starts 2010-01-01" in p for p in _problems(rules))


def test_overlap_between_periods(rules):
    _edit(rules / "2008-07-01" / "rulebook.yaml", "valid_to: 2009-12-31", "valid_to: 2010-03-31")
    assert any("period overlaps rulebook '2008-07-01'" in p for p in _problems(rules))


def test_parameter_not_defined_from_the_start_of_the_period(rules):
    _edit(rules / "2010-01-01" / "parameters.yaml", "hps_minsta_timmar_per_vecka:\n  description: Minsta antal timmar per vecka som personen initialt ska klara i en arbetslivsinriktad aktivitet\n  unit: hour\n  values:\n    2008-07-01:",
          "hps_minsta_timmar_per_vecka:\n  description: Minsta antal timmar per vecka som personen initialt ska klara i en arbetslivsinriktad aktivitet\n  unit: hour\n  values:\n    2010-02-01:")
    assert any("parameter 'hps_minsta_timmar_per_vecka' has no value on 2010-01-01" in p for p in _problems(rules))


def test_unknown_check_kind(rules):
    _edit(rules / "2008-07-01" / "conditions.yaml", "check: ar_sant\n  fact: assessment.fardigutredd",
          "check: python_code\n  fact: assessment.fardigutredd")
    assert any("unknown check 'python_code'" in p for p in _problems(rules))


def test_anchors_and_aliases_are_refused(rules):
    path = rules / "2008-07-01" / "target_groups.yaml"
    _edit(path, "malgrupp_1:\n  number: 1", "malgrupp_1: &grupp\n  number: 1")
    path.write_text(path.read_text(encoding="utf-8") + "malgrupp_6: *grupp\n", encoding="utf-8")
    assert any("anchors and aliases are not allowed" in p for p in _problems(rules))


def test_duplicate_keys_are_refused(rules):
    path = rules / "2008-07-01" / "programmes.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nhandlingsplansamverkan: {}\n", encoding="utf-8")
    assert any("duplicate key 'handlingsplansamverkan'" in p for p in _problems(rules))


def test_cycle_between_composites(rules):
    _edit(rules / "2008-07-01" / "conditions.yaml", "all_of: [har_sjukpenning, farre_an_sex_manader_kvar]",
          "all_of: [har_sjukpenning, farre_an_sex_manader_kvar, ersattningen_tar_slut_provning]")
    assert any("refers to itself" in p for p in _problems(rules))


def test_hash_changes_with_content(rules):
    before = {b.id: b.content_hash for b in load_rulebooks(rules)}
    _edit(rules / "2010-01-01" / "conditions.yaml", "text_sv: Personen har sjukpenning.", "text_sv: Personen har sjukpenning!")
    after = {b.id: b.content_hash for b in load_rulebooks(rules)}
    assert before["2008-07-01"] == after["2008-07-01"]
    assert before["2010-01-01"] != after["2010-01-01"]


def test_broken_reload_keeps_the_last_good_rulebooks(rules):
    store = RulebookStore(rules)
    good = store.evaluator
    _edit(rules / "2010-01-01" / "parameters.yaml", "value: 914", "value: [914]")
    error = store.reload()
    assert error is not None and "rules/2010-01-01/parameters.yaml:" in str(error)
    assert store.evaluator is good
    case = {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02"},
            "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 700, "allvarlig_sjukdom": False}}
    assert store.evaluator.evaluate(case).key_dates.sjukpenning_days_left == 214
    _edit(rules / "2010-01-01" / "parameters.yaml", "value: [914]", "value: 914")
    assert store.reload() is None and store.evaluator is not good and store.reloads == 1
