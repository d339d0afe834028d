"""Hostile input, fast: deep nesting, huge numbers, extreme dates, odd Unicode, duplicate keys, YAML bombs.

The long generated runs are in tests/fuzz (``make fuzz``).
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging

import pytest

from api import create_app, metrics
from api.audit import AuditLog
from api.examples import HPS_SJUKPENNING
from api.settings import Settings
from eligibility import CaseError, RulebookError
from eligibility.backends.frame import evaluate_caseload
from eligibility.rulebooks.loader import load_rulebooks
from eligibility.rulebooks.yaml_source import MAX_RULE_FILE_BYTES

PROBLEM = "application/problem+json"
CASE_ROUTES = [("/v1/decisions", {}), ("/v1/decisions/timeline", {"months": 3}),
               ("/v1/decisions/compare", {"a": "2008-07-01", "b": "2016-02-01"})]
TBS = {"as_of": "2009-03-15", "person": {"birth_date": "1970-01-01", "employment": "arbetslos"},
       "benefit": {"type": "tidsbegransad_sjukersattning", "decision_end": "2009-12-31",
                   "tbs_extension_months_used": 2}}
AE = {"as_of": "2011-03-15", "person": {"birth_date": "1990-01-01"},
      "benefit": {"type": "aktivitetsersattning", "decision_end": "2012-06-30"}}
DATE_FIELDS = [("as_of",), ("person", "birth_date"), ("benefit", "decision_end")]


def _post_raw(client, path, raw: bytes, params=None):
    return client.post(path, content=raw, params=params or {}, headers={"content-type": "application/json"})


def _is_problem(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    assert response.headers["content-type"] == PROBLEM


def _with(case, path, value):
    case = copy.deepcopy(case)
    target = case
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value
    return case


@pytest.mark.parametrize("depth", [1_000, 10_000, 100_000])
def test_deeply_nested_json_is_4xx_not_500(client, depth):
    for opening, closing in ((b"[", b"]"), (b'{"a":', b"}")):
        raw = opening * depth + b"1" + closing * depth
        for path, params in CASE_ROUTES:
            _is_problem(_post_raw(client, path, raw, params), 400, 413, 422)
        _is_problem(_post_raw(client, "/v1/decisions/batch", b'{"cases":[' + raw + b"]}"), 400, 413, 422)
        nested_case = b'{"as_of": "2011-03-15", "person": ' + raw + b"}"
        _is_problem(_post_raw(client, "/v1/decisions", nested_case), 400, 413, 422)


@pytest.mark.parametrize("number", [b"1" + b"0" * 400, b"-1" + b"0" * 400, b"1e309", b"-1e309", b"1e-400",
                                    b"NaN", b"Infinity", b"-Infinity", b"9" * 5000])
def test_huge_numbers_are_422(client, number):
    for field in (b'"sjukpenning_days_used"', b'"tbs_extension_months_used"'):
        raw = (b'{"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02"}, '
               b'"benefit": {"type": "sjukpenning", ' + field + b": " + number + b"}}")
        for path, params in CASE_ROUTES:
            _is_problem(_post_raw(client, path, raw, params), 400, 422)
    for field in (b'"hours_per_week"', b'"months_in_handlingsplansamverkan"'):
        raw = (b'{"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02"}, "benefit": {"type": "sjukpenning"}, '
               b'"assessment": {' + field + b": " + number + b"}}")
        for path, params in CASE_ROUTES:
            if number == b"1e-400":   # underflows to 0.0: a valid value
                assert _post_raw(client, path, raw, params).status_code == 200
            else:
                _is_problem(_post_raw(client, path, raw, params), 400, 422)
    _is_problem(_post_raw(client, "/v1/decisions/timeline", json.dumps(HPS_SJUKPENNING).encode(),
                          {"months": number.decode()}), 422)


@pytest.mark.parametrize("base", [HPS_SJUKPENNING, TBS, AE], ids=["sjukpenning", "tbs", "ae"])
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_extreme_dates_in_every_date_field_are_422_or_a_decision(client, shared_store, base, value):
    evaluator = shared_store.evaluator
    for path in DATE_FIELDS:
        case = _with(base, path, value)
        for rulebook in (None, "2008-07-01", "2016-02-01"):
            try:   # the library: a decision or a CaseError, never OverflowError / ValueError / KeyError
                evaluator.evaluate(case, rulebook)
            except CaseError as exc:
                assert all(p.found is None or value not in p.found for p in exc.problems)
        for route, params in CASE_ROUTES:
            response = client.post(route, json=case, params=params)
            assert response.status_code in (200, 422), (route, path, response.text[:300])
        items = client.post("/v1/decisions/batch", json={"cases": [case]}).json()["results"]
        assert items[0]["decision"] or items[0]["error"]["status"] == 422
        form = {"as_of": case["as_of"], "person.birth_date": case["person"]["birth_date"],
                **{f"benefit.{k}": str(v) for k, v in case["benefit"].items()}}
        assert client.post("/", data=form).status_code in (200, 422)


def test_date_overflow_is_a_case_error_naming_the_field(shared_store):
    case = _with(AE, ("benefit", "decision_end"), "9999-12-31")
    with pytest.raises(CaseError) as raised:
        shared_store.evaluator.evaluate(case)
    assert [p.field for p in raised.value.problems] == ["benefit.decision_end"]
    assert raised.value.problems[0].code == "date_out_of_range"


STRANGE = ["\u202e1102-30-51", "2011-03-15\u200f", "😀", "2011-03-15\x00", "\x00", "sjukpenning\u202e",
           "arbetslos\x00", "ａｒｂｅｔｓｌｏｓ", "2011‐03‐15", "٢٠١١-٠٣-١٥", "\ud800".encode("utf-8", "surrogatepass")
           .decode("utf-8", "replace"), "a" * 10_000]
STRING_FIELDS = [("as_of",), ("person", "birth_date"), ("person", "personnummer"), ("person", "employment"),
                 ("benefit", "type"), ("benefit", "decision_end")]


def test_strange_unicode_in_every_string_field_is_422(client):
    for path in STRING_FIELDS:
        for text in STRANGE:
            case = _with(HPS_SJUKPENNING, path, text)
            if path == ("person", "personnummer"):
                case["person"].pop("birth_date")
            response = client.post("/v1/decisions", json=case)
            _is_problem(response, 422)
            assert text not in response.text or len(text) < 2
    raw = json.dumps(HPS_SJUKPENNING).encode().replace(b"2011-03-15", b"2011-03-15\\u0000")
    _is_problem(_post_raw(client, "/v1/decisions", raw), 422)
    _is_problem(_post_raw(client, "/v1/decisions", b'{"as_of": "\xff\xfe"}'), 400)   # not UTF-8


def test_duplicate_json_keys_last_one_wins(client):
    """As json.loads: the last value of a duplicated key is used (docs/decisions.md, Security)."""
    body = json.dumps(HPS_SJUKPENNING)
    raw = ('{"as_of": "1900-01-01", ' + body[1:]).encode()   # first as_of would be outside every rulebook
    response = _post_raw(client, "/v1/decisions", raw)
    assert response.status_code == 200 and response.json()["as_of"] == "2011-03-15"
    raw = (body[:-1] + ', "as_of": "1900-01-01"}').encode()  # the last one is used: outside every rulebook
    _is_problem(_post_raw(client, "/v1/decisions", raw), 422)


def test_yaml_alias_bomb_is_refused_with_file_and_line(rules_copy):
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        bomb.append(f"{chr(97 + level)}: &{chr(97 + level)} [" + ", ".join([f"*{chr(96 + level)}"] * 9) + "]")
    path = rules_copy / "2008-07-01" / "target_groups.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + "\n".join(bomb) + "\n", encoding="utf-8")
    with pytest.raises(RulebookError) as raised:
        load_rulebooks(rules_copy)
    problems = [p for p in raised.value.problems if "aliases" in p.reason]
    assert problems and problems[0].file.endswith("target_groups.yaml") and problems[0].line is not None


def test_oversized_rule_file_is_refused_with_its_name(rules_copy):
    path = rules_copy / "2010-01-01" / "conditions.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "#" * MAX_RULE_FILE_BYTES, encoding="utf-8")
    with pytest.raises(RulebookError) as raised:
        load_rulebooks(rules_copy)
    assert any(p.file.endswith("conditions.yaml") and "larger than" in p.reason for p in raised.value.problems)


def _scope(path: str, body: bytes) -> dict:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "path": path,
            "raw_path": path.encode(), "query_string": b"", "root_path": "", "scheme": "http",
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {}}


def test_client_disconnect_mid_body_is_counted_as_499_not_500_and_logs_no_error(shared_store, log, caplog):
    """ASGI level, no sockets: the body's first part, then ``http.disconnect``, as uvicorn sends it."""
    app = create_app(Settings(), shared_store, AuditLog(log))
    body = json.dumps(HPS_SJUKPENNING).encode()
    labels = {"route": "/v1/decisions", "method": "POST"}
    before = {status: metrics.REGISTRY.get_sample_value("eligibility_http_requests_total",
                                                         {**labels, "status": status}) or 0
              for status in ("499", "500")}
    messages = [{"type": "http.request", "body": body[:25], "more_body": True}, {"type": "http.disconnect"}]
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    with caplog.at_level(logging.DEBUG):
        asyncio.run(app(_scope("/v1/decisions", body), receive, send))
    after = {status: metrics.REGISTRY.get_sample_value("eligibility_http_requests_total",
                                                        {**labels, "status": status}) or 0
             for status in ("499", "500")}
    assert after == {"499": before["499"] + 1, "500": before["500"]}
    assert sent == []                                   # nobody to answer
    entries = [json.loads(line) for line in log.getvalue().splitlines()]
    assert [e["event"] for e in entries] == ["request"] and entries[0]["status"] == 499
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_case_with_70000_unknown_keys_gets_at_most_50_errors_and_more(client):
    case = {**HPS_SJUKPENNING, **{f"k{i}": 1 for i in range(70_000)}}
    raw = json.dumps(case).encode()
    assert len(raw) < 1024 * 1024
    response = _post_raw(client, "/v1/decisions", raw)
    _is_problem(response, 422)
    problem = response.json()
    assert len(problem["errors"]) == 50 and problem["more"] == 70_000 - 50
    assert len(response.content) < 20_000
    few = {**HPS_SJUKPENNING, **{f"k{i}": 1 for i in range(120)}}
    item = client.post("/v1/decisions/batch", json={"cases": [few]}).json()["results"][0]["error"]
    assert len(item["errors"]) == 50 and item["more"] == 120 - 50
    small = client.post("/v1/decisions", json={**HPS_SJUKPENNING, "unknown": 1}).json()
    assert len(small["errors"]) == 1 and "more" not in small       # absent when nothing was left off
    assert "more" in client.get("/openapi.json").json()["components"]["schemas"]["Problem"]["properties"]


# 19811228-9874 (a valid personnummer) in full-width, Arabic-Indic and Devanagari digits.
FOREIGN_DIGITS = ["１９８１１２２８-９８７４", "١٩٨١١٢٢٨-٩٨٧٤", "१९८११२२८-९८७४", "19811228-９８７４"]


@pytest.mark.parametrize("number", FOREIGN_DIGITS, ids=["full-width", "arabic-indic", "devanagari", "mixed"])
def test_personnummer_in_non_ascii_digits_is_rejected_without_echo(client, shared_store, number):
    case = {**HPS_SJUKPENNING, "person": {"personnummer": number, "employment": "arbetslos"}}
    with pytest.raises(CaseError) as raised:
        shared_store.evaluator.evaluate(case)
    assert [(p.field, p.found) for p in raised.value.problems] == [("person.personnummer", None)]
    row = evaluate_caseload([case], shared_store.evaluator.books).to_dicts()[0]   # the columnar backend agrees
    assert "person.personnummer" in row["error"] and number not in row["error"]
    response = client.post("/v1/decisions", json=case)
    _is_problem(response, 422)
    assert response.json()["errors"][0]["field"] == "person.personnummer"
    assert number not in response.text and number not in response.content.decode("unicode_escape", "ignore")
    for ascii_form in ("19811228-9874", "811228-9874", "198112289874"):   # the usual forms still work
        ok = {**case, "person": {"personnummer": ascii_form, "employment": "arbetslos"}}
        assert client.post("/v1/decisions", json=ok).status_code == 200, ascii_form
