"""Helpers the browser tests share: axe's accessibility check and where screenshots go."""

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
