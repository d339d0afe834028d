"""The law cited is the law in force on the decision day (``rules/statutes.yaml``, docs/rules.md "Att datera ett lagrum").

The lint refuses a citation outside its statute's (or provision's) period of force with file, line and
reason; a broken ``statutes.yaml`` or an unknown statute id is refused at load; a decision cites, on each
day, only the entries that apply that day (``SourceRef.in_force_on``); every decision carries the table's
hash. The broken copies are of the bundled rules (fixture ``rules``); loading them lints, it does not
decide canaries, so each test stays well under a second.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from eligibility import CaseError
from eligibility.case.yaml_loader import load_case_yaml
from eligibility.models import SourceRef
from eligibility.rulebooks.loader import default_rules_dir
from rule_copies import edit, line_of, load_problems

TESTS = Path(__file__).parent
SP = {"person": {"birth_date": "1970-01-01", "employment": "arbetslos"},
      "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 800}}


def _statutes_cited(decision) -> set[str]:
    sources = [record.source for record in decision.conditions] + [p.source for p in decision.programmes.values()]
    return {ref.statute for source in sources for ref in source.lagrum or []}


# --- The lint ---------------------------------------------------------------------------------------------
def test_lint_refuses_a_citation_of_a_repealed_statute_with_file_line_and_reason(rules):
    path = rules / "2012-01-01" / "conditions.yaml"
    edit(path, '      - {statute: sfb, kapitel: "27", paragraf: "21"}\n', '      - {statute: afl, kapitel: "3"}\n')
    line = line_of(path, '{statute: afl, kapitel: "3"}')
    assert (f"rules/2012-01-01/conditions.yaml:{line}: condition 'sjukpenningen_riskerar_att_ta_slut': lagrum 1: "
            "cites lagen (1962:381) om allmän försäkring for 2012-01-01–2012-12-31, but it was repealed on "
            "2011-01-01 (in force 1963-01-01–2010-12-31)") in load_problems(rules)


def test_lint_refuses_the_part_of_a_spanning_rulebook_the_citation_is_not_dated_for(rules):
    # 2010-01-01 runs to 2011-12-31: an AFL citation without valid_to reaches past the day AFL was repealed.
    path = rules / "2010-01-01" / "conditions.yaml"
    edit(path, '{statute: afl, kapitel: "7", valid_to: 2010-12-31}', '{statute: afl, kapitel: "7"}')
    line = line_of(path, '{statute: afl, kapitel: "7"}')
    assert (f"rules/2010-01-01/conditions.yaml:{line}: condition 'alder_for_sjukersattning': lagrum 1: cites lagen "
            "(1962:381) om allmän försäkring for 2010-01-01–2011-12-31, but it was repealed on 2011-01-01 (in force "
            "1963-01-01–2010-12-31)") in load_problems(rules)


def test_lint_holds_a_citation_to_its_provisions_period_and_a_parameter_value_to_its_days(rules):
    # 27 kap. 24 a § SFB was repealed from 2016-02-01 inside the balk's life; the value of 2016-02-01 applies from then.
    path = rules / "2016-02-01" / "parameters.yaml"
    edit(path, '        lagrum: [{statute: sfb, kapitel: "27", paragraf: "24", text: "ändrad genom SFS 2015:963", '
               'lydelse: 2016-02-01}]',
         '        lagrum: [{statute: sfb, kapitel: "27", paragraf: "24 a", lydelse: 2016-02-01}]')
    line = line_of(path, 'paragraf: "24 a", lydelse: 2016-02-01}]')
    problems = load_problems(rules)
    assert (f"rules/2016-02-01/parameters.yaml:{line}: parameter 'sjukpenning_max_dagar', value from 2016-02-01: "
            "lagrum 1: cites 27 kap. 24 a § socialförsäkringsbalken (2010:110) for 2016-02-01–, but it was repealed "
            "on 2016-02-01 (in force 2011-01-01–2016-01-31)") in problems
    assert (f"rules/2016-02-01/parameters.yaml:{line}: parameter 'sjukpenning_max_dagar', value from 2016-02-01: "
            "lagrum 1: cites the wording of 2016-02-01 (lydelse) of 27 kap. 24 a § socialförsäkringsbalken "
            "(2010:110), but it was repealed on 2016-02-01 (in force 2011-01-01–2016-01-31)") in problems


def test_lint_refuses_a_citation_before_the_statute_came_into_force(rules):
    path = rules / "2008-07-01" / "programmes.yaml"
    edit(path, '    lagrum: [{statute: afl, kapitel: "3", text: "rehabiliteringskedjan i lydelse enligt SFS 2008:480 '
               '(paragrafen ej verifierad)"}]', '    lagrum: [{statute: sfb, kapitel: "27", paragraf: "48"}]')
    line = line_of(path, '{statute: sfb, kapitel: "27", paragraf: "48"}')
    assert (f"rules/2008-07-01/programmes.yaml:{line}: programme 'anstalld_hela_arbetsmarknaden': lagrum 1: cites "
            "socialförsäkringsbalken (2010:110) for 2008-07-01–2009-12-31, but it came into force on 2011-01-01 "
            "(in force 2011-01-01–)") in load_problems(rules)


def test_lint_refuses_a_lagrum_without_lydelse_in_the_open_ended_rulebook(rules):
    path = rules / "2016-02-01" / "programmes.yaml"
    edit(path, '{statute: sfb, kapitel: "27", paragraf: "48", lydelse: 2016-02-01}',
         '{statute: sfb, kapitel: "27", paragraf: "48"}')
    line = line_of(path, '{statute: sfb, kapitel: "27", paragraf: "48"}')
    assert (f"rules/2016-02-01/programmes.yaml:{line}: programme 'anstalld_hela_arbetsmarknaden': lagrum 1: cites "
            "socialförsäkringsbalken (2010:110) without lydelse: an open-ended rulebook names the wording it cites "
            "(lydelse: YYYY-MM-DD), since the statute may change later") in load_problems(rules)


def test_lint_refuses_a_wording_cited_before_it_was_in_force(rules):
    path = rules / "2013-01-01" / "conditions.yaml"
    edit(path, '    lagrum: [{statute: sfb, kapitel: "33", paragraf: "16"}]',
         '    lagrum: [{statute: sfb, kapitel: "33", paragraf: "16", lydelse: 2016-02-01}]')
    line = line_of(path, 'paragraf: "16", lydelse: 2016-02-01}]')
    assert (f"rules/2013-01-01/conditions.yaml:{line}: condition 'alder_for_sjukersattning': lagrum 1: cites the "
            "wording of 2016-02-01 (lydelse) of socialförsäkringsbalken (2010:110) from 2013-01-01, before that "
            "wording was in force") in load_problems(rules)


def test_lint_refuses_a_seed_document_statutes_yaml_does_not_name(rules):
    edit(rules / "statutes.yaml", "  seeds/004_8135ec80e0ba5427.txt: projektbeskrivningen Kundlinjen\n", "")
    path = rules / "2012-01-01" / "conditions.yaml"
    line = line_of(path, "seeds/004_8135ec80e0ba5427.txt", after="sjukpenningen_har_upphort:")
    assert (f"rules/2012-01-01/conditions.yaml:{line}: condition 'sjukpenningen_har_upphort': source document "
            "'seeds/004_8135ec80e0ba5427.txt' is not named in rules/statutes.yaml documents:") in load_problems(rules)


# --- Loading ----------------------------------------------------------------------------------------------
def test_an_unknown_statute_id_is_refused_at_load_with_file_and_line(rules):
    path = rules / "2013-01-01" / "programmes.yaml"
    edit(path, "{statute: forordning_2000_634,", "{statute: forordningen_2000_634,")
    line = line_of(path, "forordningen_2000_634")
    assert (f"rules/2013-01-01/programmes.yaml:{line}: arbetslivsintroduktion.source.lagrum.0: unknown statute "
            "'forordningen_2000_634': a lagrum names its statute by its id in statutes.yaml (afl, forordning_2000_634, "
            "lag_2010_111, overgang_2008_480, sfb)") in load_problems(rules)


def test_a_lagrum_naming_its_forfattning_in_words_is_refused(rules):
    path = rules / "2013-01-01" / "programmes.yaml"
    edit(path, "{statute: forordning_2000_634,", '{forfattning: "förordning (2000:634) om arbetsmarknadspolitiska program",')
    line = line_of(path, "{forfattning:")
    assert any(p.startswith(f"rules/2013-01-01/programmes.yaml:{line}: arbetslivsintroduktion.source.lagrum.0: "
                            "write the statute's id (statute: …) instead of forfattning") for p in load_problems(rules))


@pytest.mark.parametrize("old, new, found", [
    ("in_force: {from: 1963-01-01, to: 2010-12-31}", "in_force: {from: 1963-01-01, to: 1962-12-31}",
     "statutes.afl.in_force.to: to 1962-12-31 is before from 1963-01-01"),
    ("    name_sv: lagen (1962:381) om allmän försäkring\n", "    namn_sv: lagen (1962:381) om allmän försäkring\n",
     "statutes.afl.namn_sv: Extra inputs are not permitted"),
    ("        in_force: {from: 2011-01-01, to: 2016-01-31}", "        in_force: {from: 2011-01-01, to: 2016-31-01}",
     "value '2016-31-01' cannot be read as a date"),
], ids=["period_backwards", "unknown_key", "not_a_date"])
def test_a_broken_statutes_yaml_is_refused_at_load_with_file_and_line(rules, old, new, found):
    path = rules / "statutes.yaml"
    edit(path, old, new)
    line = line_of(path, new.strip().split("\n")[0][:30])
    problems = load_problems(rules)
    assert any(p.startswith(f"rules/statutes.yaml:{line}: ") and found in p for p in problems), problems


def test_a_missing_statutes_yaml_is_refused(rules):
    (rules / "statutes.yaml").unlink()
    assert load_problems(rules) == ["rules/statutes.yaml: file is missing (the table of statutes the rule files cite)"]


def test_statutes_yaml_is_read_once_and_not_taken_for_a_rulebook(books):
    assert [book.id for book in books] == ["2008-07-01", "2010-01-01", "2012-01-01", "2013-01-01", "2016-02-01"]
    assert len({id(book.statutes) for book in books}) == 1
    digest = hashlib.sha256((default_rules_dir() / "statutes.yaml").read_bytes()).hexdigest()
    assert all(book.statutes_hash == digest for book in books)


# --- Deciding on the day ----------------------------------------------------------------------------------
def test_the_2010_rulebook_cites_afl_on_2010_12_31_and_sfb_from_2011_01_01(engine):
    before = engine.evaluate({"as_of": "2010-12-31", **SP}, explain=False)
    after = engine.evaluate({"as_of": "2011-01-01", **SP}, explain=False)
    assert before.rulebook.id == after.rulebook.id == "2010-01-01"
    assert "afl" in _statutes_cited(before) and "sfb" not in _statutes_cited(before)
    assert "sfb" in _statutes_cited(after) and "afl" not in _statutes_cited(after)
    assert "overgang_2008_480" in _statutes_cited(before) and "lag_2010_111" in _statutes_cited(after)
    cited = json.loads(after.model_dump_json())["conditions"]
    limit = next(record for record in cited if record["condition"] == "sjukpenningen_riskerar_att_ta_slut")
    assert [(ref["forfattning"], ref["kapitel"], ref["paragraf"]) for ref in limit["source"]["lagrum"]] == [
        ("socialförsäkringsbalken (2010:110)", "27", "21"), ("socialförsäkringsbalken (2010:110)", "27", "24"),
        ("socialförsäkringsbalken (2010:110)", "27", "24 a")]
    assert limit["source"]["document_sv"] == "projektbeskrivningen Aktivitetssamordnare"


def test_a_named_rulebook_cites_the_law_of_the_day_its_parameters_are_read(engine):
    # A 2009 case decided under 2010-01-01 reads that rulebook's first day (decision 73): AFL, not SFB.
    decision = engine.evaluate({"as_of": "2009-06-01", **SP}, "2010-01-01", explain=False)
    assert decision.rulebook.parameters_on == date(2010, 1, 1)
    assert "afl" in _statutes_cited(decision) and "sfb" not in _statutes_cited(decision)


def _golden_cases():
    for folder in ("cases", "cases_exact"):
        for path in sorted((TESTS / folder).glob("*.yaml")):
            yield path, load_case_yaml(path.read_text(encoding="utf-8"))[0]["case"]


def test_no_golden_decision_cites_a_statute_not_in_force_on_its_day(engine, books):
    decided = 0
    for path, case in _golden_cases():
        try:
            decision = engine.evaluate(case, explain=False)
        except CaseError:
            continue
        decided += 1
        cited = _statutes_cited(decision)
        assert decision.rulebook.statutes_hash == books[0].statutes_hash, path.name
        if decision.as_of >= date(2011, 1, 1):
            assert not cited & {"afl", "overgang_2008_480"}, path.name
        else:
            assert not cited & {"sfb", "lag_2010_111"}, path.name
    assert decided > 80


def test_in_force_on_gives_the_identical_source_for_every_day_of_a_stretch(books):
    source = books[1].conditions["sjukpenningen_riskerar_att_ta_slut"].source
    winter = source.in_force_on(date(2010, 12, 31))
    assert winter is source.in_force_on(date(2010, 1, 1))
    assert source.in_force_on(date(2011, 1, 1)) is source.in_force_on(date(2011, 12, 31))
    assert [ref.statute for ref in winter.lagrum] == ["afl"]
    undated = books[1].conditions["fardigutredd"].source
    assert undated.in_force_on(date(2011, 1, 1)) is undated
    assert SourceRef(document="x").in_force_on(date(2011, 1, 1)).lagrum is None
