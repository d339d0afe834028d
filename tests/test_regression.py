"""Regression gate: the frozen corpus must be decided exactly as recorded.

A failure means a rule or code change altered recorded decisions. If the
change is intended (a law change), run ``eligibility snapshot update``,
review the printed diff and commit the new records together with the rule
change (docs/law-changes.md).
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from eligibility.history.snapshot import compare_records, default_dir, read_jsonl, record_corpus, summary

CORPUS = read_jsonl(default_dir() / "corpus.jsonl")
RECORDS = read_jsonl(default_dir() / "records.jsonl")


def test_recorded_decisions_are_unchanged(exact_engine):
    diff = compare_records(RECORDS, record_corpus(exact_engine, CORPUS))
    if not diff.clean:
        names = ", ".join(change.id for change in diff.changed[:40])
        pytest.fail(f"recorded decisions changed for {len(diff.changed)} cases: {names}\n"
                    f"added: {diff.added} removed: {diff.removed}\n{summary(diff)}\n"
                    "If the change is intended: eligibility snapshot update, review, commit with the rules.",
                    pytrace=False)


def test_corpus_is_large_spread_and_synthetic():
    assert len(CORPUS) >= 500
    assert [item["id"] for item in CORPUS] == [record["id"] for record in RECORDS]
    days = sorted(date.fromisoformat(item["case"]["as_of"]) for item in CORPUS)
    assert days[0] <= date(2008, 7, 31) and days[-1] >= date(2020, 12, 1)
    assert {d.year for d in days} == set(range(2008, 2021))
    assert len({record.get("rulebook") for record in RECORDS}) >= 5
    text = json.dumps(CORPUS)
    assert "personnummer" not in text


def test_summary_counts_transitions():
    changed = [dict(RECORDS[0], statuses={**RECORDS[0]["statuses"], "handlingsplansamverkan": "changed"})]
    diff = compare_records(RECORDS[:1], changed)
    assert [c.id for c in diff.changed] == [RECORDS[0]["id"]]
    assert "handlingsplansamverkan" in summary(diff)


def test_the_records_only_decide_what_kleene_leaves_open(reference):
    """Issue 17 item 7: the gate records exact decisions; against the plain Kleene result of the same corpus
    they only ever turn ``undetermined`` / ``ej utrett`` into a decided value, never change a decided one."""
    kleene = record_corpus(reference, CORPUS)
    decided_more = 0
    for plain, recorded in zip(kleene, RECORDS, strict=True):
        assert plain["id"] == recorded["id"]
        assert ("error" in plain) == ("error" in recorded), plain["id"]
        for kind, open_value in (("statuses", "undetermined"), ("conditions", "ej utrett")):
            assert plain.get(kind, {}).keys() == recorded.get(kind, {}).keys(), plain["id"]
            for name, value in plain.get(kind, {}).items():
                if value != open_value:
                    assert recorded[kind][name] == value, (plain["id"], name, value, recorded[kind][name])
                elif recorded[kind][name] != open_value:
                    decided_more += 1
    assert decided_more > 0  # the corpus holds cases that only exact decisions decide (79 statuses, 285 conditions)
