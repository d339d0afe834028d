"""The motivering and the person's text: reviewed golden texts, readability, and what no text may hold.

* ``tests/motivering/*.yaml``: a case and the two texts it must give, word for word (recorded by
  ``tests/motivering/record.py`` and read before they were committed).
* LIX (läsbarhetsindex, ``textstat.lix`` at the pinned version, on the text exactly as shown): at most 45
  for the person's text and 50 for the handläggare's, on every golden case.
* Properties over generated cases: every decisive condition's provision is cited; no seed file, JSON code,
  field path, condition id or status code, and no word of ``DENY``, in either text; the summary names
  every programme the person can take part in.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import textstat
import yaml
from hypothesis import HealthCheck, given, settings

from eligibility.case.fields import case_fields
from eligibility.decision import phrases_sv as ph
from eligibility.models import Decision, Status
from strategies import valid_cases

GOLDEN = sorted((Path(__file__).parent / "motivering").glob("*.yaml"))
PERSON_LIX, HANDLAGGARE_LIX = 45, 50

DENY = ("Enligt uppgift", "uppgift saknas", "extern uppgift", "Källa:", "Alla 1 villkor", "innehållshash",
        "True", "False", "None", "måste räcka till och med minst", "Villkoret är inte utrett:")
"""Phrases of the old list-motivering, and raw values, that must never come back."""
CODES = ("ej uppfyllt", "ej utrett", "not_eligible", "undetermined", "eligible", "not_in_force")


def _spec(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def golden(exact_engine) -> list[tuple[str, dict, Decision]]:
    return [(path.stem, spec, exact_engine.evaluate(spec["case"], spec.get("rulebook")))
            for path in GOLDEN for spec in [_spec(path)]]


def test_there_are_enough_golden_texts_and_they_cover_every_programme_and_benefit(golden, books):
    assert len(golden) >= 15
    programmes = {pid for book in books for pid in book.programmes}
    shown = {pid for _, _, d in golden for pid, r in d.programmes.items() if r.status is not Status.NOT_ELIGIBLE}
    assert programmes <= shown, programmes - shown
    benefits = {spec["case"]["benefit"]["type"] for _, spec, _ in golden}
    assert benefits == {"sjukpenning", "tidsbegransad_sjukersattning", "sjukersattning", "aktivitetsersattning",
                        "ingen"}
    assert any(r.status is Status.UNDETERMINED for _, _, d in golden for r in d.programmes.values())


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_the_texts_are_the_reviewed_ones(path, golden):
    _, spec, decision = next(item for item in golden if item[0] == path.stem)
    assert decision.explanation_sv + "\n" == spec["motivering"], "run tests/motivering/record.py and review the diff"
    assert decision.person_text_sv + "\n" == spec["person_text"], "run tests/motivering/record.py and review the diff"


def test_every_golden_text_is_easy_enough_to_read(golden):
    scores = {name: (textstat.lix(d.person_text_sv), textstat.lix(d.explanation_sv)) for name, _, d in golden}
    too_hard = {name: s for name, s in scores.items() if s[0] > PERSON_LIX or s[1] > HANDLAGGARE_LIX}
    assert not too_hard, too_hard


def test_the_golden_cases_cover_deadlines_passed_today_and_soon(golden):
    texts = " ".join(d.explanation_sv for _, _, d in golden)
    assert "skulle ha tagits upp i den gemensamma beredningsgruppen senast" in texts  # passed: past tense
    assert "senast i dag, den" in texts
    assert re.search(r"senast den \d+ \w+ \d{4}, om [a-zåäö]+ dagar", texts)


def _forbidden(decision: Decision, books: list) -> list[str]:
    """What no text may hold: seed paths, codes, field paths, condition ids, deny-listed phrases."""
    book = next(b for b in books if b.id == decision.rulebook.id)
    words = [*DENY, "seeds/", *CODES, *(f.path for f in case_fields()), *book.all_conditions(), decision.rulebook.content_hash[:12]]
    found = []
    for name, text in (("motivering", decision.explanation_sv), ("person", decision.person_text_sv)):
        for word in words:
            if re.search(rf"(?<![\wåäö]){re.escape(word)}(?![\wåäö])", text):
                found.append(f"{name}: {word}")
    return found


def _is_cited(text: str, source) -> bool:
    """Each provision of ``source`` is in ``text`` (a whole chapter also by one of its paragraphs), or, for a
    source without provisions, its seed document named in words."""
    if not source.lagrum:
        return source.document_sv is None or source.document_sv in text
    for ref in source.lagrum:
        if ph.lagrum_sv(ref) in text:
            continue
        if not (ref.paragraf or ref.punkt) and re.search(
                rf"{re.escape(ref.kapitel or '')} kap\. [^.]*?§ {re.escape(ref.forfattning)}", text):
            continue
        return False
    return True


def _check_texts(decision: Decision, books: list) -> None:
    assert not _forbidden(decision, books)
    for result in decision.programmes.values():
        for condition in result.decisive_conditions:
            source = decision.record(condition).source
            assert _is_cited(decision.explanation_sv, source), (result.programme, condition, source)
    summary = decision.summary
    book = next(b for b in books if b.id == decision.rulebook.id)
    for result in decision.programmes.values():
        if result.status is Status.ELIGIBLE:
            assert result.programme in [item.programme for item in summary.eligible]
            named = book.programmes[result.programme].in_text_sv or ph.first_lower(result.name_sv)
            assert f"kan delta i {named} från och med" in summary.text_sv, (result.programme, summary.text_sv)


def test_the_golden_texts_hold_none_of_what_they_may_not(golden, books):
    for _, _, decision in golden:
        _check_texts(decision, books)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(case=valid_cases())
def test_no_text_holds_ids_codes_or_files_and_every_provision_is_cited(case, engine, books):
    decision = engine.evaluate(case)
    _check_texts(decision, books)
    assert decision.template_hash and decision.package_version


def test_every_case_field_can_be_said_as_a_fact_and_asked_about():
    """A field a condition reads needs a statement (what its value says) and an indirect question (what is not
    known): both in ``phrases_sv``, where a new case fact adds them (docs/architecture.md)."""
    fields = [f for f in case_fields() if f.path not in ("as_of", "person.birth_date", "person.personnummer")]
    assert [f.path for f in fields if f.path not in ph.WHETHER_SV] == []
    without = [f.path for f in fields if f.path not in ph.STATEMENT_SV and f.path != "benefit.type"]
    assert without == []
