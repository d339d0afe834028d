"""Render an impact report as self-contained HTML (inline SVG, no network, no JavaScript) or Markdown.

What an analyst reads first: a headline of how many people get another assessment and which way
("312 personer får en annan bedömning: 120 blir berättigade till …"); then per programme, by its Swedish
name, a chart of how many people had each status before and after (with the same numbers as a table,
its text alternative), the transition matrix, and each changed cell attributed to the conditions whose
outcome changed there and the law changes behind them (what ``eligibility diff`` lists, with the
provision in force). Programme and condition ids appear only as the anchors of the HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..decision.texts_sv import (IMPACT_STATUS_SV, impact_headline_sv, impact_part_sv, people_sv,
                                 programme_fallback_sv)
from .impact import ONLY_ONE, STATUSES, ImpactReport, LawBehind

STATUS_SV = IMPACT_STATUS_SV
_TEMPLATES = Path(__file__).parent / "templates"
UNCHANGED_RULES_SV = ("Villkoret och dess gränsvärden är oförändrade; utfallet skiljer sig för att uppgifter "
                      "som villkoret läser härleds enligt den andra regelversionens regler. Ändrade gränsvärden "
                      "som de kan bero på:")
OTHER_SV = "övriga ändringar gäller om ett program kan avgöras eller finns i regelversionen"
ONLY_ONE_SV = "Programmet finns bara i en av regelversionerna."


def directions(matrix: Any) -> dict[str, int]:
    """Changed cases of one programme: ``gain`` (becomes eligible), ``loss`` (no longer eligible), ``other``."""
    gain = sum(n for (a, b), n in matrix.items() if b == "eligible" and a != "eligible")
    loss = sum(n for (a, b), n in matrix.items() if a == "eligible" and b != "eligible")
    changed = sum(n for (a, b), n in matrix.items() if a != b)
    return {"gain": gain, "loss": loss, "other": changed - gain - loss}


def headline(report: ImpactReport) -> str:
    """``N personer får en annan bedömning: X blir berättigade till …, Y är inte längre berättigade till …``."""
    law = report.law or LawBehind()
    parts = []
    for pid, tally in report.programmes.items():
        in_text = law.in_text.get(pid) or _name(law, pid).lower()
        parts += [impact_part_sv(n, way, in_text) for way, n in directions(tally.matrix).items()
                  if n and way != "other"]
    if any(directions(t.matrix)["other"] for t in report.programmes.values()):
        parts.append(OTHER_SV)
    return impact_headline_sv(report.changed_people, parts)


def _name(law: LawBehind, pid: str) -> str:
    return law.names.get(pid) or programme_fallback_sv(pid)


def _attribution(law: LawBehind, tally: Any, a: str, b: str) -> list[dict]:
    """The conditions whose outcome changed in cell (a, b), most cases first, each with its law changes."""
    causes = sorted(((cause, n) for (ca, cb, cause), n in tally.cell_causes.items() if (ca, cb) == (a, b)),
                    key=lambda item: (-item[1], item[0]))
    rows = []
    for cause, count in causes:
        if cause == ONLY_ONE:
            rows.append({"id": "", "text": ONLY_ONE_SV, "count": count,
                         "changes": law.programmes.get(tally.programme, []), "unchanged": False})
            continue
        changes = law.conditions.get(cause, [])
        rows.append({"id": cause, "text": law.condition_text.get(cause, cause), "count": count,
                     "changes": changes or law.parameters, "unchanged": not changes})
    return rows


def _context(report: ImpactReport) -> dict:
    law = report.law or LawBehind()
    programmes = []
    for pid, tally in report.programmes.items():
        before = {s: sum(n for (a, _), n in tally.matrix.items() if a == s) for s in STATUSES}
        after = {s: sum(n for (_, b), n in tally.matrix.items() if b == s) for s in STATUSES}
        total = sum(tally.matrix.values()) or 1
        cells = [{"from": a, "to": b, "count": n, "share": n / total, "examples": tally.examples[(a, b)],
                  "causes": _attribution(law, tally, a, b)}
                 for (a, b), n in sorted(tally.matrix.items(), key=lambda item: -item[1])]
        programmes.append({
            "id": pid, "name": _name(law, pid), "tally": tally, "cells": cells,
            "moved": [c for c in cells if c["from"] != c["to"]], "directions": directions(tally.matrix),
            "before": before, "after": after, "max": max([*before.values(), *after.values(), 1]),
            "matrix": {(a, b): tally.matrix.get((a, b), 0) for a in STATUSES for b in STATUSES},
        })
    return {"report": report, "statuses": STATUSES, "status_sv": STATUS_SV, "programmes": programmes,
            "headline": headline(report), "people_sv": people_sv, "percent_sv": percent_sv, "unchanged_sv": UNCHANGED_RULES_SV}


def render_html(report: ImpactReport) -> str:
    """A single HTML file that opens offline."""
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    return env.get_template("impact.html.j2").render(**_context(report))


def percent_sv(share: float) -> str:
    """``3,3 %``."""
    return f"{100 * share:.1f} %".replace(".", ",")


def _bar(count: int, largest: int, width: int = 30) -> str:
    return "█" * round(width * count / largest) if count else ""


def render_markdown(report: ImpactReport) -> str:
    """The same report as Markdown (the chart as bars of text beside the numbers)."""
    a, b = report.rulebook_a, report.rulebook_b
    context = _context(report)
    lines = [f"# Konsekvensanalys: {a} → {b}", "", f"**{context['headline']}**", "",
             f"Beslutade ärenden: {report.decided}. Kunde inte beslutas enligt {a}: {report.errors_a}; "
             f"enligt {b}: {report.errors_b}. Oläsbara rader: {report.unreadable}.", ""]
    for programme in context["programmes"]:
        tally, ways = programme["tally"], programme["directions"]
        lines += [f"## {programme['name']}", "",
                  f"Ändrad bedömning: {people_sv(tally.changed)} ({ways['gain']} blir berättigade, "
                  f"{ways['loss']} är inte längre berättigade, {ways['other']} annan ändring).", "",
                  f"| Status | Enligt {a} | Enligt {b} | Före | Efter |", "|---|---:|---:|---|---|"]
        for s in STATUSES:
            before, after = programme["before"][s], programme["after"][s]
            lines.append(f"| {STATUS_SV[s]} | {before} | {after} | {_bar(before, programme['max'])} | "
                         f"{_bar(after, programme['max'])} |")
        lines += ["", f"| {a} \\ {b} | " + " | ".join(STATUS_SV[s] for s in STATUSES) + " |",
                  "|---|" + "---:|" * len(STATUSES)]
        for sa in STATUSES:
            lines.append(f"| {STATUS_SV[sa]} | " + " | ".join(str(programme["matrix"][(sa, sb)]) for sb in STATUSES)
                         + " |")
        for cell in programme["moved"]:
            lines += ["", f"### {STATUS_SV[cell['from']]} → {STATUS_SV[cell['to']]}: {people_sv(cell['count'])} "
                          f"({percent_sv(cell['share'])})", "", f"Exempel: {', '.join(cell['examples'])}.", ""]
            for cause in cell["causes"]:
                lines.append(f"- {cause['text']} ({cause['count']} av {cell['count']})")
                if cause["unchanged"]:
                    lines.append(f"  - {UNCHANGED_RULES_SV}")
                for change in cause["changes"]:
                    cited = f" ({'; '.join(change.provisions)})" if change.provisions else ""
                    lines.append(f"  - {change.text_sv.rstrip('.')}: {change.detail_sv}{cited}")
        lines.append("")
    return "\n".join(lines)
