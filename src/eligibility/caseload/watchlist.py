"""Bevakningslista: the dates a handläggare must act on, within a window.

For each case the key dates of its decision become events: the last day to
raise the case in the beredningsgrupp, the last day with six months left,
the benefit's last day, the first day of arbetslivsintroduktion and the
30th birthday (aktivitetsersättning). The window starts on ``start`` (or,
without it, on each case's own ``as_of``) and includes its last day. The
events are read off the result frame (``frame_schema.py``), so they are the
same whichever backend decided.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

from ..case.read import BadLine, CaseLine
from ..decision.evaluator import Evaluator
from ..decision.texts_sv import WATCH_ACTION_SV
from ..models import KeyDates
from .batch import check_accounted, chunks
from .result_frame import result_frame

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


def chunk_events(frame: Any, window: relativedelta, start: date | None = None,
                 ) -> tuple[int, list[WatchEvent], list[tuple[int, str]]]:
    """(decided, events within the window, (line, reason) of every line not decided) of one result frame."""
    def column(name: str) -> list[Any]:
        return frame.get_column(name).to_list()

    names = [f.name for f in fields(KeyDates)]
    key_dates = [(name, column(f"key_dates.{name}")) for name in names]
    ali = column(f"status.{ALI}") if f"status.{ALI}" in frame.columns else [None] * frame.height  # null: not in force
    benefit = column("benefit_type")
    lines, ids, as_of, reasons = column("line"), column("id"), column("as_of"), column("error")
    decided, events, errors = 0, [], []
    for index, reason in enumerate(reasons):
        if reason is not None:
            errors.append((lines[index], reason))
            continue
        decided += 1
        first = start or as_of[index]
        last = first + window
        dates = KeyDates(**{name: values[index] for name, values in key_dates})
        case_id = ids[index] or f"rad {lines[index]}"
        events += [e for e in events_for(dates, ali[index] is not None, benefit[index], case_id, lines[index])
                   if first <= e.date <= last]
    return decided, events, errors


def watchlist(items: Iterable[CaseLine | BadLine], evaluator: Evaluator, window: relativedelta,
              start: date | None = None, *, per_case: bool = False, chunk_size: int = 20_000,
              source: Path | None = None) -> tuple[list[WatchEvent], list[tuple[int, str]]]:
    """Events within the window, sorted by date then case; plus (line, reason) for unreadable cases.

    Key dates come from the result frame of each ``chunk_size`` cases (the
    frame backend; ``per_case``: the per-case adapter), and ``chunk_events``
    makes the events, whichever backend decided.
    With ``source`` (the file ``items`` were read from) every data line of it
    must be decided or reported, else ``LinesUnaccountedError``.
    """
    decided = 0
    events: list[WatchEvent] = []
    errors: list[tuple[int, str]] = []
    for chunk in chunks(items, chunk_size):
        done, found, failed = chunk_events(result_frame(chunk, evaluator, per_case=per_case, questions=False),
                                           window, start)
        decided += done
        events += found
        errors += failed
    if source is not None:
        check_accounted(source, decided, len(errors))
    errors.sort()
    events.sort(key=lambda e: (e.date, e.case_id, e.event))
    return events, errors
