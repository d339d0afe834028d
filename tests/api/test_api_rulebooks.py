"""GET /v1/rulebooks, /v1/rulebooks/{id}, /v1/rulebooks/{a}/diff/{b}."""

from __future__ import annotations


def test_list_rulebooks(client, books):
    body = client.get("/v1/rulebooks").json()
    assert [b["id"] for b in body] == [b.id for b in books]
    assert all(len(b["content_hash"]) == 64 and b["programmes"] for b in body)


def test_one_rulebook_in_full(client, books):
    book = books[-1]
    body = client.get(f"/v1/rulebooks/{book.id}").json()
    assert body["id"] == book.id and body["content_hash"] == book.content_hash
    param = body["parameters"]["sjukpenning_max_dagar"]
    assert param["values"][0]["value"] == 914 and param["values"][0]["source"]["document"]
    assert set(body["conditions"]) == set(book.conditions)
    assert set(body["programmes"]) == set(book.programmes)
    assert body["valid_from"] == str(book.valid_from)


def test_diff_shows_what_changed_in_law(client):
    body = client.get("/v1/rulebooks/2008-07-01/diff/2010-01-01").json()
    assert body["identical"] is False
    assert {"id": "arbetslivsintroduktion", "change": "added"}.items() <= next(
        p for p in body["programmes"] if p["id"] == "arbetslivsintroduktion").items()
    assert "ersattningen_tar_slut_ali" in [c["id"] for c in body["conditions"]]
    changed = next(p for p in body["parameters"] if p["id"] == "sjukpenning_max_dagar")
    assert any(f["path"] == "values.2011-01-01.value" and f["after"] == 914 for f in changed["fields"])


def test_diff_with_itself_is_identical(client):
    body = client.get("/v1/rulebooks/2010-01-01/diff/2010-01-01").json()
    assert body["identical"] is True and body["parameters"] == []


def test_unknown_rulebook_is_404_problem(client):
    for path in ("/v1/rulebooks/1999-01-01", "/v1/rulebooks/2010-01-01/diff/nope", "/v1/rulebooks/x/diff/2010-01-01"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"].endswith("/rulebook-not-found")
