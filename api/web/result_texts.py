"""How the page lays out a decision's texts: the paragraphs of a text, and the traceability line.

The library writes the motivering and the text to the person as paragraphs separated by a blank line,
a paragraph of more than one line starting with its heading ("Sammanfattning", a programme's name); the
page shows them as headings and ``<p>`` elements, not as preformatted text, and its copy buttons join
them back into the text as written (``static/app.js``). The traceability line names what reproduces the
text: the rulebook and its hashes, the package version and the template hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eligibility.decision.phrases_sv import date_sv
from eligibility.decision.texts_sv import fact_line_sv

def printing_time() -> datetime:
    """Now, in Swedish time when the machine knows the zone (else the machine's own): paper's "Utskrivet"."""
    try:
        return datetime.now(ZoneInfo("Europe/Stockholm"))
    except ZoneInfoNotFoundError:
        return datetime.now().astimezone()


def printed_at_sv(moment: datetime) -> str:
    """A printing time as paper writes it: ``den 2 december 2026 kl. 15.27`` (the page and the PDF)."""
    return f"{date_sv(moment.date())} kl. {moment:%H.%M}"


HASH_CHARS = 12
"""A hash is shown by its first 12 hex digits, as on the command line (the JSON has it whole)."""


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a text: its heading (``None`` for a paragraph of one line) and its lines."""

    heading: str | None
    lines: tuple[str, ...]


def paragraphs(text: str) -> list[Paragraph]:
    """The paragraphs of ``text`` (blank-line separated); the first line of a longer one is its heading."""
    result = []
    for block in text.split("\n\n"):
        lines = tuple(line for line in block.split("\n") if line.strip())
        if not lines:
            continue
        result.append(Paragraph(lines[0], lines[1:]) if len(lines) > 1 else Paragraph(None, lines))
    return result


def trace(decision: Any) -> list[tuple[str, str]]:
    """(label, value) of what reproduces the decision's texts: regelversion, innehållshash, lagtabellens hash
    (only when the rulebook has one), programversion, mallhash."""
    rulebook = decision.rulebook
    items = [("Regelversion", rulebook.id), ("Innehållshash", rulebook.content_hash[:HASH_CHARS])]
    statutes = getattr(rulebook, "statutes_hash", None)
    if statutes:
        items.append(("Lagtabellens hash", statutes[:HASH_CHARS]))
    items.append(("Programversion", decision.package_version or "–"))
    items.append(("Mallhash", decision.template_hash[:HASH_CHARS] or "–"))
    return items


def error_target(field: str, names: list[str]) -> str:
    """The form field an error of ``field`` is shown at: the field itself, else the first field of its section
    (a problem of the whole ``person``: personnummer or födelsedatum), else the bedömningsdag."""
    if field in names:
        return field
    return next((name for name in names if name.startswith(field + ".")), "as_of")


def fact_lines(facts_used: dict[str, Any], benefit_names: dict[str, str]) -> list[str]:
    """The facts a condition used, in Swedish ("Timmar per vecka: 12"); thresholds are in the condition's text."""
    return [fact_line_sv(name, value, benefit_names) for name, value in facts_used.items()
            if not name.startswith("threshold.")]


_STATUS_ORDER = {"eligible": 0, "undetermined": 1, "not_eligible": 2}


def programmes_in_order(decision: Any) -> list[Any]:
    """The decision's programmes, those the person can take part in first, then the open ones (stable)."""
    return sorted(decision.programmes.values(), key=lambda p: _STATUS_ORDER.get(p.status.value, 3))


@dataclass(frozen=True)
class CompareRow:
    """One condition of a programme under the two rulebooks (``None``: the rulebook does not have it)."""

    text_sv: str
    outcome_a: Any
    outcome_b: Any
    changed: bool


@dataclass(frozen=True)
class CompareTable:
    """One programme under the two rulebooks: its statuses and its conditions, those that differ first."""

    programme: str
    name_sv: str
    status_a: Any
    status_b: Any
    rows: tuple[CompareRow, ...]

    @property
    def changed(self) -> bool:
        return self.status_a != self.status_b or any(row.changed for row in self.rows)


def _record(decision: Any, condition: str) -> Any:
    try:
        return decision.record(condition)
    except KeyError:
        return None


def compare_tables(decisions: list[Any]) -> list[CompareTable]:
    """Per programme of either decision: condition | rulebook A | rulebook B, the differing rows first
    (layout only: the outcomes are the two decisions' own records)."""
    a, b = decisions
    tables = []
    for pid in dict.fromkeys([*a.programmes, *b.programmes]):
        pa, pb = a.programmes.get(pid), b.programmes.get(pid)
        rows = []
        for cid in dict.fromkeys([*(pa.conditions if pa else []), *(pb.conditions if pb else [])]):
            ra = _record(a, cid) if pa and cid in pa.conditions else None
            rb = _record(b, cid) if pb and cid in pb.conditions else None
            oa, ob = (ra.outcome if ra else None), (rb.outcome if rb else None)
            if ra or rb:
                rows.append(CompareRow((ra or rb).text_sv, oa, ob, oa != ob))
        rows.sort(key=lambda row: not row.changed)
        tables.append(CompareTable(pid, (pa or pb).name_sv, pa.status if pa else None, pb.status if pb else None,
                                   tuple(rows)))
    tables.sort(key=lambda table: not table.changed)
    return tables
