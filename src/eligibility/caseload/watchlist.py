"""Bevakningslista: the dates a handläggare must act on, within a window.

For each case the key dates of its decision become events: the last day to
raise the case in the beredningsgrupp, the last day with six months left,
the benefit's last day, the first day of arbetslivsintroduktion and the
30th birthday (aktivitetsersättning). The window starts on ``start`` (or,
without it, on each case's own ``as_of``) and includes its last day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from ..decide import Evaluator
from ..errors import EligibilityError
from ..texts_sv import WATCH_ACTION_SV
from .io import BadLine, CaseLine

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


def events_for(decision, benefit: str | None, case_id: str, line: int) -> list[WatchEvent]:
    """Every watch event of one decision, whatever the window."""
    dates = decision.key_dates
    found: list[tuple[date | None, str, str]] = [
        (dates.beredningsgrupp_deadline, "beredningsgrupp_deadline", HPS),
        (dates.last_day_with_hps_months_left, "last_day_with_hps_months_left", HPS),
        (dates.benefit_last_day, "benefit_last_day", PROVNING),
    ]
    if ALI in decision.programmes and benefit in ("sjukpenning", "tidsbegransad_sjukersattning") and dates.benefit_end_exclusive:
        found.append((dates.benefit_end_exclusive, "ali_start", ALI))
    if benefit == "aktivitetsersattning":
        found.append((dates.birthday_30, "birthday_30", PROVNING))
    return [WatchEvent(day, case_id, line, name, programme, WATCH_ACTION_SV[name])
            for day, name, programme in found if day is not None]


def watchlist(items: Iterable[CaseLine | BadLine], evaluator: Evaluator, window: relativedelta,
              start: date | None = None) -> tuple[list[WatchEvent], list[tuple[int, str]]]:
    """Events within the window, sorted by date then case; plus (line, reason) for unreadable cases."""
    events: list[WatchEvent] = []
    errors: list[tuple[int, str]] = []
    for item in items:
        if isinstance(item, BadLine):
            errors.append((item.line, item.reason))
            continue
        try:
            decision = evaluator.evaluate(item.data, explain=False)
        except EligibilityError as exc:
            errors.append((item.line, str(exc)))
            continue
        first = start or decision.as_of
        last = first + window
        case_id = item.case_id or f"rad {item.line}"
        benefit = item.data.get("benefit", {}).get("type")
        events += [e for e in events_for(decision, benefit, case_id, item.line) if first <= e.date <= last]
    events.sort(key=lambda e: (e.date, e.case_id, e.event))
    return events, errors
