"""Bevakningslista: the dates a handläggare must act on, within a window.

For each case the key dates of its decision become events: the last day to
raise the case in the beredningsgrupp, the last day with six months left,
the benefit's last day, the first day of arbetslivsintroduktion and the
30th birthday (aktivitetsersättning). The window starts on ``start`` (or,
without it, on each case's own ``as_of``) and includes its last day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

from ..case.read import BadLine, CaseLine
from ..decision.evaluator import Evaluator
from ..decision.texts_sv import WATCH_ACTION_SV
from ..errors import EligibilityError
from ..errors import UndecidableCase
from ..models import KeyDates
from .batch import check_accounted, chunks

_WINDOW = re.compile(r"^(\d+)([dwm])$")
HPS = "handlingsplansamverkan"
ALI = "arbetslivsintroduktion"
PROVNING = "provning_varaktig_sjukersattning"


@dataclass(frozen=True)
class WatchEvent:
    """One dated action for one case."""

    date: date
    case_id: str
    line: int
    event: str
    programme: str
    action_sv: str


def parse_window(text: str) -> relativedelta:
    """``8w`` / ``30d`` / ``6m`` as a relativedelta; anything else is a ValueError."""
    match = _WINDOW.match(text.strip())
    if not match:
        raise ValueError(f"window {text!r}: expected a number followed by d, w or m (e.g. 8w)")
    number, unit = int(match.group(1)), match.group(2)
    return {"d": relativedelta(days=number), "w": relativedelta(weeks=number), "m": relativedelta(months=number)}[unit]


def events_for(key_dates: KeyDates, ali_in_force: bool, benefit: str | None, case_id: str,
               line: int) -> list[WatchEvent]:
    """Every watch event of one case's key dates, whatever the window."""
    found: list[tuple[date | None, str, str]] = [
        (key_dates.beredningsgrupp_deadline, "beredningsgrupp_deadline", HPS),
        (key_dates.last_day_with_hps_months_left, "last_day_with_hps_months_left", HPS),
        (key_dates.benefit_last_day, "benefit_last_day", PROVNING),
    ]
    if ali_in_force and benefit in ("sjukpenning", "tidsbegransad_sjukersattning") and key_dates.benefit_end_exclusive:
        found.append((key_dates.benefit_end_exclusive, "ali_start", ALI))
    if benefit == "aktivitetsersattning":
        found.append((key_dates.birthday_30, "birthday_30", PROVNING))
    return [WatchEvent(day, case_id, line, name, programme, WATCH_ACTION_SV[name])
            for day, name, programme in found if day is not None]


def _benefit(item: CaseLine) -> str | None:
    benefit = item.data.get("benefit")
    return benefit.get("type") if isinstance(benefit, dict) else None


def _per_case(chunk: list[CaseLine], evaluator: Evaluator) -> Iterator[tuple[CaseLine, Any]]:
    """(case, (key dates, ALI in force, as_of)) or (case, error text), deciding case by case."""
    for item in chunk:
        try:
            decision = evaluator.evaluate(item.data, explain=False)
        except EligibilityError as exc:
            yield item, str(exc)
            continue
        except Exception as exc:  # noqa: BLE001 - one line never aborts the list: it becomes its error
            yield item, UndecidableCase(exc).message
            continue
        yield item, (decision.key_dates, ALI in decision.programmes, decision.as_of)


def _columnar(chunk: list[CaseLine], evaluator: Evaluator) -> Iterator[tuple[CaseLine, Any]]:
    """The same as ``_per_case`` for a whole chunk at once; invalid rows are decided case by case (their message)."""
    from .frame_rows import columnar_ready, evaluate_chunk

    ready = [item for item in chunk if columnar_ready(item.data)]
    frame = evaluate_chunk(ready, evaluator.books)
    if frame is None:  # nothing the backend can type, or it failed on these: case by case
        yield from _per_case(chunk, evaluator)
        return
    position = {id(item): index for index, item in enumerate(ready)}
    names = [f.name for f in fields(KeyDates)]
    columns = {name: frame.get_column(f"key_dates.{name}").to_list() if f"key_dates.{name}" in frame.columns
               else [None] * frame.height for name in names}
    ali = frame.get_column(f"status.{ALI}").to_list() if f"status.{ALI}" in frame.columns else [None] * frame.height
    as_of, error = frame.get_column("as_of").to_list(), frame.get_column("error").to_list()
    for item in chunk:
        index = position.get(id(item))
        if index is None or error[index] is not None:
            yield from _per_case([item], evaluator)
            continue
        key_dates = KeyDates(**{name: columns[name][index] for name in names})
        yield item, (key_dates, ali[index] is not None, as_of[index])


def watchlist(items: Iterable[CaseLine | BadLine], evaluator: Evaluator, window: relativedelta,
              start: date | None = None, *, per_case: bool = False, chunk_size: int = 20_000,
              source: Path | None = None) -> tuple[list[WatchEvent], list[tuple[int, str]]]:
    """Events within the window, sorted by date then case; plus (line, reason) for unreadable cases.

    Key dates come from the columnar backend, ``chunk_size`` cases at a time
    (``per_case``: the rule engine, one case at a time; the same events).
    With ``source`` (the file ``items`` were read from) every data line of it
    must be decided or reported, else ``LinesUnaccountedError``.
    """
    decided = 0
    events: list[WatchEvent] = []
    errors: list[tuple[int, str]] = []
    decide = _per_case if per_case else _columnar
    for chunk in chunks(items, chunk_size):
        cases = []
        for item in chunk:
            if isinstance(item, BadLine):
                errors.append((item.line, item.reason))
            else:
                cases.append(item)
        for item, result in decide(cases, evaluator) if cases else ():
            if isinstance(result, str):
                errors.append((item.line, result))
                continue
            decided += 1
            key_dates, ali_in_force, as_of = result
            first = start or as_of
            last = first + window
            case_id = item.case_id or f"rad {item.line}"
            events += [e for e in events_for(key_dates, ali_in_force, _benefit(item), case_id, item.line)
                       if first <= e.date <= last]
    if source is not None:
        check_accounted(source, decided, len(errors))
    errors.sort()
    events.sort(key=lambda e: (e.date, e.case_id, e.event))
    return events, errors
