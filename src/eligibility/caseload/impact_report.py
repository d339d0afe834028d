"""Render an impact report as self-contained HTML (inline SVG, no network) or Markdown."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .impact import STATUSES, ImpactReport

STATUS_SV = {"eligible": "Uppfyller", "not_eligible": "Uppfyller inte", "undetermined": "Kan inte avgöras",
             "not_in_force": "Finns inte"}
_TEMPLATES = Path(__file__).parent / "templates"


def _cells(report: ImpactReport, pid: str) -> list[dict]:
    tally = report.programmes[pid]
    total = sum(tally.matrix.values()) or 1
    return [{"from": a, "to": b, "count": n, "share": n / total, "examples": tally.examples[(a, b)]}
            for (a, b), n in sorted(tally.matrix.items(), key=lambda item: -item[1])]


def _context(report: ImpactReport) -> dict:
    return {
        "report": report,
        "statuses": STATUSES,
        "status_sv": STATUS_SV,
        "programmes": [
            {"id": pid, "tally": tally, "cells": _cells(report, pid),
             "matrix": {(a, b): tally.matrix.get((a, b), 0) for a in STATUSES for b in STATUSES},
             "causes": tally.causes.most_common(10), "max_cause": max(tally.causes.values(), default=1)}
            for pid, tally in report.programmes.items()
        ],
    }


def render_html(report: ImpactReport) -> str:
    """A single HTML file that opens offline."""
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    return env.get_template("impact.html.j2").render(**_context(report))


def render_markdown(report: ImpactReport) -> str:
    """The same report as Markdown."""
    lines = [f"# Konsekvensanalys: {report.rulebook_a} → {report.rulebook_b}", "",
             f"Beslutade ärenden: {report.decided}. Kunde inte beslutas enligt {report.rulebook_a}: {report.errors_a}; "
             f"enligt {report.rulebook_b}: {report.errors_b}. Oläsbara rader: {report.unreadable}.", ""]
    for programme in _context(report)["programmes"]:
        tally = programme["tally"]
        lines += [f"## {programme['id']}", "", f"Ändrad status: {tally.changed} ärenden.", "",
                  f"| {report.rulebook_a} \\ {report.rulebook_b} | " + " | ".join(STATUS_SV[s] for s in STATUSES) + " |",
                  "|---|" + "---:|" * len(STATUSES)]
        for a in STATUSES:
            lines.append(f"| {STATUS_SV[a]} | " + " | ".join(str(programme["matrix"][(a, b)]) for b in STATUSES) + " |")
        if programme["causes"]:
            lines += ["", "Villkor som ändrade utfall i de ärenden som bytte status:", ""]
            lines += [f"- `{cond}`: {count}" for cond, count in programme["causes"]]
        moved = [c for c in programme["cells"] if c["from"] != c["to"]]
        if moved:
            lines += ["", "Exempel:", ""]
            lines += [f"- {STATUS_SV[c['from']]} → {STATUS_SV[c['to']]} ({c['count']}, {c['share']:.1%}): "
                      f"{', '.join(c['examples'])}" for c in moved]
        lines.append("")
    return "\n".join(lines)
