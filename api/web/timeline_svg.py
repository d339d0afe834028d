"""Geometry of the timeline shown under a decision (an accessible inline SVG).

Markers: the assessment day, the last beredningsgrupp day, the last day with
enough months left for handlingsplansamverkan, the benefit's last day, the
30th birthday and the boundaries of the rulebook in force. Dates far outside
the others are still drawn; the axis spans all of them plus a margin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from eligibility.models import Decision

WIDTH, LEFT, RIGHT = 900, 40, 40
KEY_DATE_LABELS_SV = {
    "benefit_last_day": "Sista ersättningsdag",
    "beredningsgrupp_deadline": "Senast i beredningsgruppen",
    "last_day_with_hps_months_left": "Sista dag med minst 6 mån kvar",
    "birthday_30": "30-årsdagen",
    "aktivitetsersattning_end": "Aktivitetsersättningens sista dag",
    "sjukpenning_days_left": "Sjukpenningdagar kvar",
    "tbs_point8_last_day": "Sista dag för tidsbegränsad sjukersättning efter aktivitetsersättning vid 30",
    "sickness_day_any_work_at_employer": "Sjukperioden: prövning mot alla arbeten hos arbetsgivaren från",
    "sickness_day_whole_labour_market": "Sjukperioden: prövning mot hela arbetsmarknaden från",
    "sickness_day_after_one_year": "Sjukperioden: ett år har gått",
}
"""The key dates' Swedish labels on the page (the timeline and the questions' answers); ``benefit_end_exclusive``,
the day after the last benefit day, is not shown."""


@dataclass(frozen=True)
class Marker:
    """One dated marker on the axis."""

    day: date
    label: str
    x: float
    row: int
    kind: str


@dataclass(frozen=True)
class Timeline:
    """Everything the template needs to draw the SVG."""

    markers: list[Marker]
    ticks: list[tuple[float, str]]
    width: int
    height: int
    axis_y: int
    start: date
    end: date


def timeline(decision: Decision) -> Timeline:
    """Markers and year ticks for ``decision``."""
    k = decision.key_dates
    candidates = [
        (decision.as_of, "Bedömningsdag", "today"),
        (k.beredningsgrupp_deadline, KEY_DATE_LABELS_SV["beredningsgrupp_deadline"], "deadline"),
        (k.last_day_with_hps_months_left, KEY_DATE_LABELS_SV["last_day_with_hps_months_left"], "deadline"),
        (k.benefit_last_day, KEY_DATE_LABELS_SV["benefit_last_day"], "end"),
        (k.birthday_30, KEY_DATE_LABELS_SV["birthday_30"], "birthday"),
        (decision.rulebook.valid_from, f"Regelversion {decision.rulebook.id} börjar", "rulebook"),
    ]
    if decision.rulebook.valid_to:
        candidates.append((decision.rulebook.valid_to + timedelta(days=1), "Nästa regelversion", "rulebook"))
    dated = [(d, label, kind) for d, label, kind in candidates if d is not None]
    first = min(d for d, _, _ in dated) - timedelta(days=30)
    last = max(d for d, _, _ in dated) + timedelta(days=30)
    span = max(1, (last - first).days)

    def x_of(day: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - first).days / span, 1)

    markers = [Marker(d, label, x_of(d), i % 4, kind)
               for i, (d, label, kind) in enumerate(sorted(dated, key=lambda item: item[0]))]
    ticks = [(x_of(date(year, 1, 1)), str(year)) for year in range(first.year + 1, last.year + 1)]
    if len(ticks) > 12:
        step = len(ticks) // 12 + 1
        ticks = ticks[::step]
    return Timeline(markers, ticks, WIDTH, 230, 170, first, last)
