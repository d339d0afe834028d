"""rulebooks/diff.py: a rulebook as data, and what changed in law between two."""

from __future__ import annotations

import dataclasses
from datetime import date

from eligibility.rulebooks.diff import SECTIONS, RulebookDiff, describe, diff_rulebooks, summarise


def _book(books, rulebook_id):
    return next(b for b in books if b.id == rulebook_id)


def test_describe_holds_everything_with_sources(books):
    for book in books:
        detail = describe(book)
        assert detail.content_hash == book.content_hash
        assert set(detail.parameters) == set(book.parameters)
        for param in detail.parameters.values():
            starts = [v.valid_from for v in param.values]
            assert starts == sorted(starts) and all(v.source for v in param.values)
        assert set(detail.programmes) == set(book.programmes)
        detail.model_dump_json()  # serialisable


def test_diff_2008_to_2010_finds_ali_and_the_2011_values(books):
    diff = diff_rulebooks(_book(books, "2008-07-01"), _book(books, "2010-01-01"))
    assert not diff.identical
    assert ("arbetslivsintroduktion", "added") in [(p.id, p.change) for p in diff.programmes]
    assert "ersattningen_tar_slut_ali" in diff.changed_ids("conditions")
    sp = next(p for p in diff.parameters if p.id == "sjukpenning_max_dagar")
    assert sp.change == "changed"
    added = {f.path: f for f in sp.fields}
    assert added["values.2011-01-01.value"].before is None and added["values.2011-01-01.value"].after == 914
    assert "values.2008-07-01.value" not in added  # unchanged values are not reported
    assert {f.path for f in diff.rulebook} >= {"valid_from", "valid_to"}
    assert ("arbetslivsintroduktion", "removed") in [(n.id, n.change) for n in diff.not_in_force]


def test_diff_is_antisymmetric(books):
    a, b = _book(books, "2008-07-01"), _book(books, "2010-01-01")
    forward, backward = diff_rulebooks(a, b), diff_rulebooks(b, a)
    flip = {"added": "removed", "removed": "added", "changed": "changed"}
    for section in SECTIONS:
        assert [(i.id, flip[i.change]) for i in getattr(forward, section)] == \
               [(i.id, i.change) for i in getattr(backward, section)]


def test_a_rulebook_is_identical_to_itself(books):
    diff = diff_rulebooks(books[0], books[0])
    assert diff.identical and not any(getattr(diff, s) for s in SECTIONS) and not diff.rulebook


def test_a_changed_parameter_value_is_one_field_change(books):
    book = books[0]
    param = book.parameters["hps_minsta_kvarvarande_manader"]
    start, first = min(param.values.items())
    changed_param = param.model_copy(update={"values": {start: first.model_copy(update={"value": 7})}})
    other = dataclasses.replace(book, parameters={**book.parameters, "hps_minsta_kvarvarande_manader": changed_param})
    diff = diff_rulebooks(book, other)
    [item] = diff.parameters
    assert item.id == "hps_minsta_kvarvarande_manader" and item.change == "changed"
    assert [(f.path, f.before, f.after) for f in item.fields] == [(f"values.{start}.value", 6, 7)]
    assert diff.conditions == [] and not diff.identical


def test_result_round_trips_as_json(books):
    diff = diff_rulebooks(books[0], books[-1])
    assert RulebookDiff.model_validate_json(diff.model_dump_json()).changed_ids("programmes") == \
        diff.changed_ids("programmes")
    assert summarise(books[0]).id == books[0].id


def test_a_value_closed_with_null_is_a_change(books):
    book = books[0]
    param = book.parameters["sjukpenning_max_dagar"]
    _, first = min(param.values.items())
    closed = param.model_copy(update={"values": {**param.values, date(2016, 2, 1): first.model_copy(update={"value": None})}})
    other = dataclasses.replace(book, parameters={**book.parameters, "sjukpenning_max_dagar": closed})
    [item] = diff_rulebooks(book, other).parameters
    paths = {f.path: (f.before, f.after) for f in item.fields}
    assert paths["values.2016-02-01.value"] == (None, None)  # absent before, null after: still reported
