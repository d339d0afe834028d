"""A hostile caseload: every kind of bad line, in every input format that can express it.

Each kind is ``(name, line, scope)``: ``scope`` is ``"line"`` for a line that
no rulebook can decide (unreadable, or against the case contract) and
``"rulebook"`` for one that only the rulebook in force refuses (``impact``,
which decides every case under two named rulebooks, may decide it). The
builders write the bad lines wrapped between good lines and return the line
numbers of both, so a test can check that every good line is decided and
every bad line is exactly one error record with its line number.

Personal numbers in here are test values; ``PERSONAL`` lists the texts that
must never appear in any error record or message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

# A checksum-valid test personnummer (born 1975-06-02) and one with a wrong check digit.
PNR_OK = "19750602-1232"
PNR_BAD = "19750602-1234"
PERSONAL = (PNR_OK, PNR_BAD, "197506021232", "Svensson")

SP = {"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02", "employment": "arbetslos"},
      "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 700, "allvarlig_sjukdom": False}}
GOOD_CASES = [
    SP,
    {**SP, "benefit": {**SP["benefit"], "sjukpenning_days_used": 100}},
    {"as_of": "2011-06-01", "person": {"birth_date": "1987-01-10"},
     "benefit": {"type": "aktivitetsersattning", "decision_end": "2012-12-31"}},
    {"as_of": "2012-02-01", "person": {"birth_date": "1960-04-04", "employment": "anstalld"},
     "benefit": {"type": "tidsbegransad_sjukersattning", "decision_end": "2012-06-30"},
     "assessment": {"fardigutredd": True, "hours_per_week": 12.5}},
    {"as_of": "2016-03-01", "person": {"birth_date": "1970-01-01"}, "benefit": {"type": "ingen"}},
]


def _with(section: str, **values: Any) -> dict[str, Any]:
    return {**SP, section: {**SP[section], **values}}


def _j(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


LINE, RULEBOOK = "line", "rulebook"

JSONL_KINDS: list[tuple[str, bytes, str]] = [
    # --- unreadable lines
    ("not json", b"{broken", LINE),
    ("truncated object", b'{"as_of": "2011-03-15", "person": {', LINE),
    ("trailing comma", b'{"as_of": "2011-03-15",}', LINE),
    ("single quotes", b"{'as_of': '2011-03-15'}", LINE),
    ("two objects on a line", _j(SP) + _j(SP), LINE),
    ("a json array", b"[1, 2]", LINE),
    ("a json string", b'"a case"', LINE),
    ("a json number", b"42", LINE),
    ("json null", b"null", LINE),
    ("json true", b"true", LINE),
    ("binary garbage", b"\x00\xff\xfe\x89PNG\r", LINE),
    ("latin-1 text", '{"id": "Åsa", "as_of": "2011-03-15"}'.encode("latin-1"), LINE),
    ("a line over 1 MB", b'{"as_of": "' + b"x" * 1_100_000 + b'"}', LINE),
    ("arrays nested 1000 deep", b"[" * 1000 + b"]" * 1000, LINE),
    ("objects nested 1000 deep", b'{"a":' * 1000 + b"1" + b"}" * 1000, LINE),
    ("an integer of 5000 digits", b'{"as_of": "2011-03-15", "benefit": {"sjukpenning_days_used": ' + b"9" * 5000
     + b"}}", LINE),
    ("a lone surrogate", b'{"id": "\\ud800", "as_of": "2011-03-15"}', LINE),
    ("only a no-break space", "\u00a0".encode(), LINE),
    ("id is an object", _j({"id": {"pnr": PNR_OK}, **SP}), LINE),
    ("id is a list", _j({"id": [1], **SP}), LINE),
    ("id is true", _j({"id": True, **SP}), LINE),
    ("id is a fraction", _j({"id": 1.5, **SP}), LINE),
    # --- against the contract's shape
    ("an empty object", b"{}", LINE),
    ("unknown top-level field", _j({**SP, "foo": 1}), LINE),
    ("unknown person field", _j(_with("person", name="Anna Svensson")), LINE),
    ("unknown field named like a personnummer", _j({**SP, PNR_OK: True}), LINE),
    ("flat dotted keys", _j({"as_of": "2011-03-15", "person.birth_date": "1975-06-02", "benefit.type": "ingen"}),
     LINE),
    ("flat alias keys", _j({"as_of": "2011-03-15", "birth_date": "1975-06-02", "benefit_type": "ingen"}), LINE),
    ("one dotted key beside nested ones", _j({**SP, "person.birth_date": "1975-06-02"}), LINE),
    ("benefit is null", _j({**SP, "benefit": None}), LINE),
    ("person is a text", _j({**SP, "person": "x"}), LINE),
    ("person is a list", _j({**SP, "person": []}), LINE),
    ("assessment is null", _j({**SP, "assessment": None}), LINE),
    ("assessment is a number", _j({**SP, "assessment": 5}), LINE),
    ("a field value is an object", _j(_with("person", birth_date={"a": {"b": 1}})), LINE),
    ("a field value is a list", _j(_with("benefit", type=["sjukpenning"])), LINE),
    # --- dates
    ("as_of is garbage", _j({**SP, "as_of": "garbage"}), LINE),
    ("as_of is missing", _j({k: v for k, v in SP.items() if k != "as_of"}), LINE),
    ("as_of is a number", _j({**SP, "as_of": 20110315}), LINE),
    ("as_of is not zero-padded", _j({**SP, "as_of": "2011-3-15"}), LINE),
    ("as_of does not exist", _j({**SP, "as_of": "2011-02-30"}), LINE),
    ("as_of is a timestamp", _j({**SP, "as_of": "2011-03-15T00:00:00"}), LINE),
    ("as_of has a NUL", _j({**SP, "as_of": "2011-03-15\u0000"}), LINE),
    ("as_of outside the calendar", _j({**SP, "as_of": "9999-12-31"}), LINE),
    ("as_of before every rulebook", _j({**SP, "as_of": "1990-01-01"}), RULEBOOK),
    ("born after as_of", _j(_with("person", birth_date="2020-01-01")), LINE),
    # --- the person
    ("no birth date and no personnummer", _j({**SP, "person": {"employment": "arbetslos"}}), LINE),
    ("personnummer with a wrong check digit", _j({**SP, "person": {"personnummer": PNR_BAD}}), LINE),
    ("personnummer and birth date disagree", _j({**SP, "person": {"personnummer": PNR_OK,
                                                                  "birth_date": "1980-01-01"}}), LINE),
    ("personnummer is a number", _j({**SP, "person": {"personnummer": 197506021232}}), LINE),
    ("personnummer of 100 000 characters", _j({**SP, "person": {"personnummer": "1" * 100_000}}), LINE),
    ("unknown employment code", _j(_with("person", employment="pensionar")), LINE),
    ("can_return_to_employer is a text", _j(_with("person", can_return_to_employer="yes")), LINE),
    # --- the benefit
    ("unknown benefit type", _j(_with("benefit", type="sjukbidrag")), LINE),
    ("benefit type missing", _j({**SP, "benefit": {"sjukpenning_days_used": 700}}), LINE),
    ("benefit type is a number", _j(_with("benefit", type=3)), LINE),
    ("days beyond int64", _j(_with("benefit", sjukpenning_days_used=10 ** 20)), LINE),
    ("days negative", _j(_with("benefit", sjukpenning_days_used=-5)), LINE),
    ("days over the contract's bound", _j(_with("benefit", sjukpenning_days_used=36_501)), LINE),
    ("days over the rulebook's limit", _j(_with("benefit", sjukpenning_days_used=915)), RULEBOOK),
    ("days as a text", _j(_with("benefit", sjukpenning_days_used="700")), LINE),
    ("days as a fraction", _j(_with("benefit", sjukpenning_days_used=700.0)), LINE),
    ("days as a boolean", _j(_with("benefit", sjukpenning_days_used=True)), LINE),
    ("allvarlig_sjukdom as a text", _j(_with("benefit", allvarlig_sjukdom="ja")), LINE),
    ("allvarlig_sjukdom as a number", _j(_with("benefit", allvarlig_sjukdom=1)), LINE),
    ("decision_end on sjukpenning", _j(_with("benefit", decision_end="2012-01-01")), LINE),
    ("decision ended before as_of", _j({**GOOD_CASES[3], "benefit": {**GOOD_CASES[3]["benefit"],
                                                                    "decision_end": "2011-01-01"}}), LINE),
    ("tidsbegränsad sjukersättning after its last day", _j({**GOOD_CASES[3], "as_of": "2013-06-01",
                                                            "benefit": {"type": "tidsbegransad_sjukersattning",
                                                                        "decision_end": "2013-12-31"}}), RULEBOOK),
    ("aktivitetsersättning at 40", _j({**GOOD_CASES[2], "person": {"birth_date": "1971-01-01"}}), RULEBOOK),
    # --- the assessment
    ("hours NaN", b'{"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02"}, "benefit": {"type": "ingen"}, '
     b'"assessment": {"hours_per_week": NaN}}', LINE),
    ("hours Infinity", b'{"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02"}, "benefit": {"type": "ingen"}, '
     b'"assessment": {"hours_per_week": Infinity}}', LINE),
    ("hours 1e400", b'{"as_of": "2011-03-15", "person": {"birth_date": "1975-06-02"}, "benefit": {"type": "ingen"}, '
     b'"assessment": {"hours_per_week": 1e400}}', LINE),
    ("hours over a week", _j({**SP, "assessment": {"hours_per_week": 200}}), LINE),
    ("hours negative", _j({**SP, "assessment": {"hours_per_week": -1}}), LINE),
    ("months enormous", _j({**SP, "assessment": {"months_in_handlingsplansamverkan": 1e9}}), LINE),
    ("fardigutredd as a text", _j({**SP, "assessment": {"fardigutredd": "true"}}), LINE),
]

CSV_HEADER = ("id;as_of;birth_date;personnummer;employment;benefit_type;sjukpenning_days_used;allvarlig_sjukdom;"
              "decision_end;hours_per_week;can_return_to_employer")
CSV_GOOD = [
    "g;2011-03-15;1975-06-02;;arbetslos;sjukpenning;700;nej;;;",
    "g;2011-03-15;1975-06-02;;arbetslos;sjukpenning;100;false;;12,5;ja",
    "g;2011-06-01;1987-01-10;;;aktivitetsersattning;;;2012-12-31;;",
    "g;2016-03-01;;" + PNR_OK + ";;ingen;;;;;",
]


def _row(**cells: str) -> str:
    values = dict(zip(CSV_HEADER.split(";"), CSV_GOOD[0].split(";")))
    values["id"] = "b"
    values.update(cells)
    return ";".join(values.values())


CSV_KINDS: list[tuple[str, bytes, str]] = [
    ("as_of garbage", _row(as_of="garbage").encode(), LINE),
    ("as_of empty", _row(as_of="").encode(), LINE),
    ("as_of not zero-padded", _row(as_of="2011-3-15").encode(), LINE),
    ("as_of does not exist", _row(as_of="2011-02-30").encode(), LINE),
    ("as_of outside the calendar", _row(as_of="9999-12-31").encode(), LINE),
    ("as_of before every rulebook", _row(as_of="1990-01-01").encode(), RULEBOOK),
    ("born after as_of", _row(birth_date="2020-01-01").encode(), LINE),
    ("no birth date and no personnummer", _row(birth_date="").encode(), LINE),
    ("personnummer with a wrong check digit", _row(birth_date="", personnummer=PNR_BAD).encode(), LINE),
    ("personnummer and birth date disagree", _row(birth_date="1980-01-01", personnummer=PNR_OK).encode(), LINE),
    ("unknown employment", _row(employment="pensionar").encode(), LINE),
    ("unknown benefit type", _row(benefit_type="sjukbidrag").encode(), LINE),
    ("benefit type empty", _row(benefit_type="").encode(), LINE),
    ("days as words", _row(sjukpenning_days_used="sjuhundra").encode(), LINE),
    ("days a fraction", _row(sjukpenning_days_used="700.5").encode(), LINE),
    ("days negative", _row(sjukpenning_days_used="-5").encode(), LINE),
    ("days of 20 digits", _row(sjukpenning_days_used="9" * 20).encode(), LINE),
    ("days beyond int64", _row(sjukpenning_days_used=str(2 ** 63)).encode(), LINE),
    ("days a personnummer", _row(sjukpenning_days_used=PNR_OK).encode(), LINE),
    ("days in Arabic-Indic digits", _row(sjukpenning_days_used="٧٠٠").encode(), LINE),
    ("days over the rulebook's limit", _row(sjukpenning_days_used="915").encode(), RULEBOOK),
    ("allvarlig_sjukdom maybe", _row(allvarlig_sjukdom="kanske").encode(), LINE),
    ("hours NaN", _row(hours_per_week="NaN").encode(), LINE),
    ("hours inf", _row(hours_per_week="inf").encode(), LINE),
    ("hours over a week", _row(hours_per_week="200").encode(), LINE),
    ("hours two commas", _row(hours_per_week="12,5,5").encode(), LINE),
    ("decision_end on sjukpenning", _row(decision_end="2012-01-01").encode(), LINE),
    ("can_return_to_employer 2", _row(can_return_to_employer="2").encode(), LINE),
    ("more cells than columns", (_row() + ";extra").encode(), LINE),
    ("fewer cells than columns", b"b;2011-03-15;1975-06-02", LINE),
    ("only delimiters", b";" * 10, LINE),
    ("unterminated quote", _row(as_of='"2011-03-15').encode(), LINE),
    ("text after a closing quote", _row(as_of='"2011"-03-15').encode(), LINE),
    ("latin-1 bytes", _row(id="Åsa").encode("latin-1"), LINE),
    ("a cell over 131 072 characters", _row(id="x" * 140_000).encode(), LINE),
    ("a line over 1 MB", _row(id="x" * 1_100_000).encode(), LINE),
    ("a NUL in a cell", _row(as_of="2011-03-15\x00").encode(), LINE),
]

# Parquet: one file, typed columns; the kinds a typed column can still hold (text dates, unsigned, NaN ...).
PARQUET_GOOD = [
    {"as_of": "2011-03-15", "person.birth_date": date(1975, 6, 2), "benefit.type": "sjukpenning",
     "benefit.sjukpenning_days_used": 700, "benefit.allvarlig_sjukdom": False},
    {"as_of": "2016-03-01", "person.personnummer": PNR_OK, "benefit.type": "ingen", "assessment.hours_per_week": 4.0},
    {"as_of": "2011-06-01", "person.birth_date": date(1987, 1, 10), "benefit.type": "aktivitetsersattning",
     "benefit.decision_end": date(2012, 12, 31)},
]
_P = PARQUET_GOOD[0]
PARQUET_KINDS: list[tuple[str, dict[str, Any], str]] = [
    ("as_of garbage", {**_P, "as_of": "garbage"}, LINE),
    ("as_of null", {**_P, "as_of": None}, LINE),
    ("as_of does not exist", {**_P, "as_of": "2011-02-30"}, LINE),
    ("as_of before every rulebook", {**_P, "as_of": "1990-01-01"}, RULEBOOK),
    ("born after as_of", {**_P, "person.birth_date": date(2020, 1, 1)}, LINE),
    ("born after the year 9999", {**_P, "person.birth_date": "days:3000000"}, LINE),
    ("no birth date and no personnummer", {**_P, "person.birth_date": None}, LINE),
    ("personnummer with a wrong check digit", {**_P, "person.birth_date": None, "person.personnummer": PNR_BAD}, LINE),
    ("unknown benefit type", {**_P, "benefit.type": "sjukbidrag"}, LINE),
    ("benefit type null", {**_P, "benefit.type": None}, LINE),
    ("days beyond int64", {**_P, "benefit.sjukpenning_days_used": 2 ** 64 - 1}, LINE),
    ("days over the rulebook's limit", {**_P, "benefit.sjukpenning_days_used": 915}, RULEBOOK),
    ("hours NaN", {**_P, "assessment.hours_per_week": float("nan")}, LINE),
    ("hours infinite", {**_P, "assessment.hours_per_week": float("inf")}, LINE),
    ("hours negative", {**_P, "assessment.hours_per_week": -1.0}, LINE),
    ("decision_end on sjukpenning", {**_P, "benefit.decision_end": date(2012, 1, 1)}, LINE),
]


@dataclass
class Corpus:
    """A written hostile file: where its good and bad lines are (1-based), and the scope of each bad one."""

    path: Path
    good: list[int] = field(default_factory=list)
    bad: dict[int, tuple[str, str]] = field(default_factory=dict)  # line -> (kind, scope)

    @property
    def lines(self) -> int:
        """Data lines in the file."""
        return len(self.good) + len(self.bad)


def write_jsonl(path: Path, kinds: list[tuple[str, bytes, str]] = JSONL_KINDS) -> Corpus:
    """Good, bad, good, bad, ..., good: every kind once, a good line between any two."""
    corpus = Corpus(path)
    with path.open("wb") as handle:
        number = 0
        for index, (name, raw, scope) in enumerate(kinds):
            number += 1
            case = GOOD_CASES[index % len(GOOD_CASES)]
            handle.write(_j({"id": f"good-{number}", **case}) + b"\n")
            corpus.good.append(number)
            number += 1
            handle.write(raw + b"\n")
            corpus.bad[number] = (name, scope)
        number += 1
        handle.write(_j({"id": f"good-{number}", **SP}) + b"\n")
        corpus.good.append(number)
    return corpus


def write_csv(path: Path, kinds: list[tuple[str, bytes, str]] = CSV_KINDS) -> Corpus:
    """The header, then good and bad rows in turn (line 1 is the header)."""
    corpus = Corpus(path)
    with path.open("wb") as handle:
        handle.write(b"\xef\xbb\xbf" + CSV_HEADER.encode() + b"\r\n")
        number = 1
        for index, (name, raw, scope) in enumerate(kinds):
            number += 1
            handle.write(CSV_GOOD[index % len(CSV_GOOD)].replace("g;", f"good-{number};", 1).encode() + b"\r\n")
            corpus.good.append(number)
            number += 1
            handle.write(raw + b"\r\n")
            corpus.bad[number] = (name, scope)
        number += 1
        handle.write(CSV_GOOD[0].replace("g;", f"good-{number};", 1).encode() + b"\r\n")
        corpus.good.append(number)
    return corpus


PARQUET_TYPES = {"id": "string", "as_of": "string", "person.birth_date": "date32", "person.personnummer": "string",
                 "benefit.type": "string", "benefit.sjukpenning_days_used": "uint64",
                 "benefit.allvarlig_sjukdom": "bool", "benefit.decision_end": "date32",
                 "assessment.hours_per_week": "float64"}


def write_parquet(path: Path, kinds: list[tuple[str, dict[str, Any], str]] = PARQUET_KINDS) -> Corpus:
    """Rows in turn as above, in typed columns (row 1 is line 1)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    corpus = Corpus(path)
    rows: list[dict[str, Any]] = []
    for index, (name, row, scope) in enumerate(kinds):
        rows.append({"id": f"good-{len(rows) + 1}", **PARQUET_GOOD[index % len(PARQUET_GOOD)]})
        corpus.good.append(len(rows))
        rows.append({"id": f"bad-{len(rows) + 1}", **row})
        corpus.bad[len(rows)] = (name, scope)
    rows.append({"id": f"good-{len(rows) + 1}", **_P})
    corpus.good.append(len(rows))
    columns = {}
    for name, kind in PARQUET_TYPES.items():
        values = [row.get(name) for row in rows]
        if kind == "date32":  # "days:N" is a day number past what Python's dates hold
            days = [None if v is None else int(v.split(":")[1]) if isinstance(v, str)
                    else (v - date(1970, 1, 1)).days for v in values]
            columns[name] = pa.array(days, pa.int32()).cast(pa.date32())
        else:
            columns[name] = pa.array(values, getattr(pa, kind)() if kind != "bool" else pa.bool_())
    pq.write_table(pa.table(columns), path)
    return corpus
