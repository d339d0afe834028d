"""Helpers the browser tests share: the sjukpenning form, axe's accessibility check, where screenshots go."""

from __future__ import annotations

import json
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
WCAG_AA = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}"


def serious_axe_violations(page, selector: str) -> list[tuple[str, str]]:
    """axe's serious and critical WCAG 2.1 AA violations inside ``selector``, as (id, help)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(f"async () => JSON.stringify(await axe.run('{selector}', {WCAG_AA}))")
    return [(v["id"], v["help"]) for v in json.loads(result)["violations"] if v["impact"] in ("serious", "critical")]


def fill_sjukpenning(page, days: str, allvarlig: str, *, ja: tuple[str, ...] = (), nej: tuple[str, ...] = (),
                     hours: str | None = None, months: str | None = None) -> None:
    """The form for an unemployed person born 1975-06-02 on sjukpenning on 2011-03-15 (not submitted).

    ``allvarlig``: the radio for allvarlig sjukdom (``ja`` / ``nej`` / ``vet_ej``); ``ja`` / ``nej``: the
    assessment questions answered so; ``hours`` / ``months``: the two numbers, when given.
    """
    page.goto("/")
    page.fill("#as_of", "2011-03-15")
    page.fill("#person-birth_date", "1975-06-02")
    page.select_option("#person-employment", "arbetslos")
    page.select_option("#benefit-type", "sjukpenning")
    page.fill("#benefit-sjukpenning_days_used", days)
    page.check(f"#benefit-allvarlig_sjukdom input[value={allvarlig}]")
    for answer, names in (("ja", ja), ("nej", nej)):
        for name in names:
            page.check(f"#assessment-{name} input[value={answer}]")
    if hours is not None:
        page.fill("#assessment-hours_per_week", hours)
    if months is not None:
        page.fill("#assessment-months_in_handlingsplansamverkan", months)
