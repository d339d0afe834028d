"""The check-kind protocol is complete, and kind knowledge stays in ``conditions/`` (issue 15 item 3).

* (a) No kind name (a key of ``LEAF_KINDS`` / ``COMPOSITE_KINDS``) is a string
  literal in any module of ``src/eligibility`` or ``api`` outside
  ``conditions/``: the rest of the code asks the kind, it never names it.
* (b) Every registered kind implements the whole protocol (no abstract
  method left, the right base class).
* (c) Change points are right for every leaf condition of the bundled rules
  on the facts of the golden cases: the reference outcome is constant
  between consecutive points and differs across at least one.
* (d) Every leaf kind's ``Reason`` renders to Swedish for every outcome, and
  composites' reasons too.
* (e) The worked example of docs/rules.md ("Adding a check kind"): a kind
  defined here, registered with one line, decides a condition of a copied
  rulebook identically in the durable-rules engine, the reference oracle and
  the columnar backend, and is explained.
"""

from __future__ import annotations

import ast
import inspect
import operator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from eligibility import CaseError, Evaluator, load_rulebooks
from eligibility.backends.frame import evaluate_caseload
from eligibility.case.validate import birth_date_of, parse_case
from eligibility.case.yaml_loader import load_case_yaml
from eligibility.conditions import ALL_KINDS, COMPOSITE_KINDS, LEAF_KINDS, ChangePoint, CompositeKind, Kind, Reason
from eligibility.conditions.base import (
    Column, Expr, Facts, all_of, compare, exists, key, missing, require, three_valued,
)
from eligibility.facts.derive import build_facts
from eligibility.models import Utfall
from eligibility.rulebooks.schema import ConditionDef
from rule_copies import edit

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = Path(__file__).resolve().parent / "cases"
KIND_NAMES = set(LEAF_KINDS) | set(COMPOSITE_KINDS)
BOOKS = load_rulebooks()
EVALUATOR = Evaluator(BOOKS, "reference")


# --- (a) no kind name outside conditions/ -----------------------------------
def _modules_outside_conditions() -> list[Path]:
    paths = sorted((ROOT / "src" / "eligibility").rglob("*.py")) + sorted((ROOT / "api").rglob("*.py"))
    return [p for p in paths if "conditions" not in p.relative_to(ROOT).parts]


def test_no_kind_name_appears_outside_conditions():
    found = []
    for path in _modules_outside_conditions():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in KIND_NAMES:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert len(_modules_outside_conditions()) > 60
    assert found == [], "a kind is named outside conditions/: ask the kind instead"


# --- (b) the whole protocol ---------------------------------------------------
@pytest.mark.parametrize("name", sorted(LEAF_KINDS))
def test_every_leaf_kind_implements_the_whole_protocol(name):
    kind = LEAF_KINDS[name]
    assert isinstance(kind, Kind) and kind.name == name
    assert not getattr(type(kind), "__abstractmethods__", set())
    for method in ("problems", "facts_read", "derived_names", "derived_facts", "columnar_derived", "durable",
                   "evaluate", "columnar", "change_points", "reason"):
        assert callable(getattr(kind, method))


@pytest.mark.parametrize("name", sorted(COMPOSITE_KINDS))
def test_every_composite_kind_implements_the_whole_protocol(name):
    kind = COMPOSITE_KINDS[name]
    assert isinstance(kind, CompositeKind) and kind.name == name
    assert not getattr(type(kind), "__abstractmethods__", set())
    assert isinstance(kind.any_of, bool)
    assert ALL_KINDS == KIND_NAMES


def test_the_kind_says_whether_a_composite_is_and_or_or():
    # Kleene: with one ej uppfyllt and one uppfyllt part an AND fails and an OR holds.
    for kind in COMPOSITE_KINDS.values():
        got = kind.combine([Utfall.EJ_UPPFYLLT, Utfall.UPPFYLLT])
        assert got is (Utfall.UPPFYLLT if kind.any_of else Utfall.EJ_UPPFYLLT)


# --- (c) change points ---------------------------------------------------------
def _golden_facts() -> list[tuple[Any, dict[str, Any], dict[str, Any]]]:
    """(rulebook, facts, parameter values) of every valid golden case."""
    found = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = load_case_yaml(path.read_text(encoding="utf-8"))[0]
        try:
            case = parse_case(data["case"])
            birth = birth_date_of(case)
            book = EVALUATOR.rulebook_for(case.as_of)
            facts = build_facts(case, birth, book)
        except Exception:  # an invalid golden case: nothing to sample
            continue
        found.append((book, facts.facts, facts.parameter_values()))
    return found


GOLDEN = _golden_facts()


def _outcome(kind: Kind, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any], fact: str,
             value: Any) -> Utfall:
    """The reference outcome with ``fact`` set to ``value`` (and the kind's own facts derived again)."""
    changed = {**facts, fact: value}
    changed.update(kind.derived_facts(cond_id, cond, changed, params))
    return kind.evaluate(cond_id, cond, changed, params)


def _step(value: Any) -> Any:
    return timedelta(days=1) if isinstance(value, date) else 1


def _side(value: Any, points: list[ChangePoint]) -> int:
    """Which interval between the points ``value`` lies in (the number of cuts at or below it)."""
    return sum(1 for p in points if (value >= p.value if p.inclusive else value > p.value))


def _check_ordered(kind, cond_id, cond, facts, params, fact, points) -> bool:
    """Constant inside each interval, and some interval differs; returns whether one differed."""
    samples = []
    for point in points:
        step = _step(point.value)
        samples += [point.value - 40 * step, point.value - step, point.value, point.value + step,
                    point.value + 40 * step]
    by_side: dict[int, set[Utfall]] = {}
    for value in samples:
        by_side.setdefault(_side(value, points), set()).add(_outcome(kind, cond_id, cond, facts, params, fact, value))
    assert all(len(outcomes) == 1 for outcomes in by_side.values()), (cond_id, fact, by_side)
    return len({next(iter(o)) for o in by_side.values()}) > 1


def _check_unordered(kind, cond_id, cond, facts, params, fact, points) -> bool:
    """Every unlisted value gives one outcome; some listed value gives another."""
    listed = {_outcome(kind, cond_id, cond, facts, params, fact, p.value) for p in points}
    others = {_outcome(kind, cond_id, cond, facts, params, fact, v) for v in ("__ingen_kod_1", "__ingen_kod_2")}
    if all(isinstance(p.value, bool) for p in points):
        return len(listed) > 1
    assert len(others) == 1, (cond_id, others)
    return bool(listed - others)


def test_change_points_cut_the_outcome_where_it_changes():
    differed: dict[str, int] = {name: 0 for name in LEAF_KINDS}
    checked = 0
    for book, facts, params in GOLDEN:
        for cond_id, cond in book.conditions.items():
            kind = LEAF_KINDS.get(cond.check)
            if kind is None:
                continue
            points = kind.change_points(cond_id, cond, facts, params)
            for fact in dict.fromkeys(p.fact for p in points):
                on_fact = [p for p in points if p.fact == fact]
                check = _check_ordered if on_fact[0].ordered else _check_unordered
                differed[cond.check] += check(kind, cond_id, cond, facts, params, fact, on_fact)
                checked += 1
    assert checked > 1000
    assert all(differed.values()), differed


# --- (d) reasons render to Swedish ---------------------------------------------
def _unknown(kind: Kind, cond_id: str, cond: ConditionDef, facts: Facts) -> Facts:
    """``facts`` without the case facts the condition reads: it is ej utrett."""
    own = set(kind.derived_names(cond_id, cond))
    return {n: v for n, v in facts.items() if n in own or n not in kind.facts_read(cond_id, cond) or n == "as_of"}


def test_every_leaf_kind_explains_every_outcome_in_swedish(engine):
    """Every leaf kind's ``Reason`` becomes a Swedish sentence on the records, for each of the three outcomes
    (the golden cases, and each of them with the facts its conditions read left unknown)."""
    evaluator = engine
    seen: dict[str, set[Utfall]] = {name: set() for name in LEAF_KINDS}
    for path in sorted(CASES_DIR.glob("*.yaml")):
        spec = load_case_yaml(path.read_text(encoding="utf-8"))[0]
        bare = {**spec["case"], "assessment": {}, "person": {k: v for k, v in spec["case"]["person"].items()
                                                             if k in ("birth_date", "personnummer")}}
        for case in (spec["case"], bare):
            try:
                decision = evaluator.evaluate(case)
            except CaseError:  # an invalid golden case, or one not valid without the facts it was stripped of
                continue
            book = evaluator.rulebook_for(decision.as_of)
            for record in decision.conditions:
                check = book.all_conditions()[record.condition].check
                text = record.explanation_sv
                assert text.strip() and "{" not in text and text.endswith((".", "?")), (record.condition, text)
                if check in seen:
                    seen[check].add(record.outcome)
    assert all(len(outcomes) == 3 for outcomes in seen.values()), seen


@pytest.mark.parametrize("name", sorted(COMPOSITE_KINDS))
def test_composite_reasons_list_the_deciding_parts(name):
    kind = COMPOSITE_KINDS[name]
    parts = [("a", Utfall.UPPFYLLT), ("b", Utfall.EJ_UPPFYLLT), ("c", Utfall.EJ_UTRETT)]
    for outcome in Utfall:
        reason = kind.reason("x", None, outcome, parts)
        assert reason.outcome is outcome and reason.comparison in ("all_of", "any_of")
        assert reason.value and list(reason.value) == kind.decisive(outcome, parts)
        assert all(dict(parts)[p] is outcome for p in reason.value)


# --- (e) the worked example of docs/rules.md -----------------------------------
_PYTHON = {"ge": operator.ge, "gt": operator.gt, "le": operator.le, "lt": operator.lt, "eq": operator.eq}
_NEGATION = {"ge": "lt", "gt": "le", "le": "gt", "lt": "ge", "eq": "neq"}
# ``fact ge as_of`` holds while as_of <= fact: the cut in as_of lies just after the fact's date.
_AS_OF_FROM_FACT_DAY = {"ge": False, "gt": True, "le": True, "lt": False}


class JamforelseDatum(Kind):
    """``jamforelse_datum``: a date fact compared with the assessment day (``benefit.decision_end ge as_of``)."""

    name = "jamforelse_datum"

    def problems(self, cond: ConditionDef) -> list[str]:
        """Needs ``fact`` and ``op``."""
        return require(cond, fields=("fact", "op"))

    def facts_read(self, cond_id: str, cond: ConditionDef) -> list[str]:
        """The date fact and the day of the assessment."""
        return [cond.fact, "as_of"]

    def durable(self, cond_id: str, cond: ConditionDef) -> dict[Utfall, Expr]:
        """Both dates are day ordinals in the engine fact; ``as_of`` is always known."""
        return {
            Utfall.UPPFYLLT: all_of(exists(cond.fact), compare(cond.fact, cond.op, key("as_of"))),
            Utfall.EJ_UPPFYLLT: all_of(exists(cond.fact), compare(cond.fact, _NEGATION[cond.op], key("as_of"))),
            Utfall.EJ_UTRETT: missing(cond.fact),
        }

    def evaluate(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any]) -> Utfall:
        """Plain comparison of dates."""
        return three_valued(facts.get(cond.fact), lambda day: _PYTHON[cond.op](day, facts["as_of"]))

    def columnar(self, cond_id: str, cond: ConditionDef, fact: Column, params: dict[str, Any]) -> Any:
        """The same comparison of two date columns; a null date compares to null."""
        return _PYTHON[cond.op](fact(cond.fact), fact("as_of"))

    def change_points(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any]) -> list[ChangePoint]:
        """On the date fact: the assessment day; on the assessment day (the timeline): the fact's date."""
        points = [ChangePoint(cond.fact, facts["as_of"], inclusive=cond.op in ("ge", "eq", "lt"))]
        if cond.op == "eq":
            points.append(ChangePoint(cond.fact, facts["as_of"], inclusive=False))
        if facts.get(cond.fact) is not None and cond.op != "eq":
            points.append(ChangePoint("as_of", facts[cond.fact], inclusive=_AS_OF_FROM_FACT_DAY[cond.op]))
        return points

    def reason(self, cond_id: str, cond: ConditionDef, facts: Facts, params: dict[str, Any],
               outcome: Utfall) -> Reason:
        """Rendered like ``jamforelse``: the fact, the operator and the day it is compared with."""
        return Reason(outcome, cond.op, cond.fact, facts["as_of"], facts.get(cond.fact))


CONDITION = """
beslutet_galler_efter_bedomningsdagen:
  text_sv: Beslutet om ersättning gäller även efter bedömningsdagen.
  check: jamforelse_datum
  fact: benefit.decision_end
  op: gt
  facts: [benefit.decision_end, as_of]
  source: {document: seeds/000_7ec5f587b07a68b8.txt, provision: "exempel i docs/rules.md"}
  valid_from: 2008-07-01
"""


@pytest.fixture
def example_kind(monkeypatch):
    """The one registry line of the worked example, undone after the test."""
    monkeypatch.setitem(LEAF_KINDS, JamforelseDatum.name, JamforelseDatum())
    ALL_KINDS.add(JamforelseDatum.name)
    yield LEAF_KINDS[JamforelseDatum.name]
    ALL_KINDS.discard(JamforelseDatum.name)


def test_the_worked_example_kind_runs_in_all_three_backends(example_kind, rules):
    conditions = rules / "2016-02-01" / "conditions.yaml"
    conditions.write_text(conditions.read_text(encoding="utf-8") + CONDITION, encoding="utf-8")
    edit(rules / "2016-02-01" / "programmes.yaml", "    - tillhor_malgrupp\n",
         "    - tillhor_malgrupp\n    - beslutet_galler_efter_bedomningsdagen\n")
    books = load_rulebooks(rules)
    engine, reference = Evaluator(books), Evaluator(books, "reference")
    base = {"as_of": "2020-03-01", "person": {"birth_date": "1995-01-15", "employment": "arbetslos"},
            "assessment": {"fardigutredd": True}}
    cases = [{**base, "benefit": {"type": "aktivitetsersattning", "decision_end": end}}
             for end in ("2020-03-01", "2020-03-02", "2020-09-30")]
    cases.append({**base, "benefit": {"type": "aktivitetsersattning"}})
    expected = ["ej uppfyllt", "uppfyllt", "uppfyllt", "ej utrett"]
    frame = evaluate_caseload(cases, books).to_dicts()
    for case, want, row in zip(cases, expected, frame):
        by_engine, by_reference = engine.evaluate(case), reference.evaluate(case)
        records = [{r.condition: r for r in d.conditions}["beslutet_galler_efter_bedomningsdagen"]
                   for d in (by_engine, by_reference)]
        assert [r.outcome.value for r in records] == [want, want]
        assert {True: "uppfyllt", False: "ej uppfyllt", None: "ej utrett"}[row["condition.beslutet_galler_efter_bedomningsdagen"]] == want
        assert by_engine.programmes.keys() == by_reference.programmes.keys()
        assert all(by_engine.programmes[p].status == by_reference.programmes[p].status for p in by_engine.programmes)
        assert records[0].explanation_sv == records[1].explanation_sv and records[0].explanation_sv
    first = {r.condition: r for r in engine.evaluate(cases[0]).conditions}["beslutet_galler_efter_bedomningsdagen"]
    assert first.explanation_sv == "Beslutet om ersättning gäller till och med den 1 mars 2020."


def test_the_worked_example_kind_has_right_change_points(example_kind):
    cond = ConditionDef(text_sv="x", check=example_kind.name, fact="benefit.decision_end", op="ge",
                        facts=["benefit.decision_end", "as_of"], source={"document": "d"}, valid_from=date(2008, 7, 1))
    facts = {"as_of": date(2020, 3, 1), "benefit.decision_end": date(2020, 9, 30)}
    points = example_kind.change_points("c", cond, facts, {})
    for fact in ("benefit.decision_end", "as_of"):
        assert _check_ordered(example_kind, "c", cond, facts, {}, fact, [p for p in points if p.fact == fact])


def test_the_worked_example_is_the_code_in_docs():
    """docs/rules.md shows this very class, so the documented example is one that runs."""
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert inspect.getsource(JamforelseDatum) in doc
