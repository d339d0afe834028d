"""How ``eligibility check`` shows a decision on the terminal.

By default what a handläggare reads first: the summary (``Decision.summary``: what the person can take
part in and from which day, what is not possible and why, what is still open, the questions, the next
date), then the motivering (or, with ``--person``, the text to the person), and a traceability footer
(rulebook, its hashes, package version, template hash: what reproduces the text). The law warning of a
decision beyond the reviewed law is boxed right below the first line, above everything else
(docs/decisions.md 71). ``--table`` adds the tables: programmes, what would change them, the questions
with what each answer does, and every condition record.

The decision's Swedish texts are written by ``decision/``; this module only lays them out, with the
command line's own headings and labels.
"""

from __future__ import annotations

import textwrap
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..decision.phrases_sv import citations_sv, date_sv
from ..decision.texts_sv import (DECISIVE_AGAINST_HEADING_SV, LAW_WARNING_ADVICE_SV, QUESTIONS_COLUMNS_SV,
                                 NOT_IN_FORCE_SV, OUTCOME_SV, QUESTIONS_TITLE_SV, REMEDIES_TITLE_SV, STATUS_SV,
                                 WOULD_CHANGE_HEADING_SV, programme_fallback_sv, fact_line_sv)
from ..models import Decision, Summary
from ..rulebooks.plan import Plan
from .common import out

# The command line's headings and labels (the decision's own texts come from decision/).
SUMMARY_HEADING_SV = "Översikt"
ELIGIBLE_HEADING_SV = "Kan delta i"
NOT_ELIGIBLE_HEADING_SV = "Inte möjligt"
UNDETERMINED_HEADING_SV = "Kan inte avgöras ännu"
QUESTIONS_HEADING_SV = "Frågor att utreda"
NEXT_DATE_HEADING_SV = "Nästa datum"
MOTIVERING_HEADING_SV = "Motivering"
PERSON_TEXT_HEADING_SV = "Text till personen"
TRACE_HEADING_SV = "Spårbarhet"
HASH_CHARS = 12
"""A hash is shown by its first 12 hex digits (48 bits: enough to tell versions apart; --json has it all)."""

_OUTCOME_STYLE = {"uppfyllt": "green", "ej uppfyllt": "red", "ej utrett": "yellow"}
_STATUS_STYLE = {"eligible": "bold green", "not_eligible": "bold red", "undetermined": "bold yellow"}


def print_decision(decision: Decision, plan: Plan, *, tables: bool = False, person: bool = False,
                   names: dict[str, str] | None = None) -> None:
    """The decision as ``check`` prints it: summary, [tables], motivering or person text, traceability."""
    out.print(f"[bold]Bedömning {date_sv(decision.as_of)}[/] · regelversion {decision.rulebook.id}")
    if decision.beyond_reviewed_law:
        out.print(_law_warning(decision))
    if decision.summary is not None:
        _print_summary(decision.summary)
    if tables:
        _print_tables(decision, plan, names)
    out.print()
    out.print(f"[bold underline]{PERSON_TEXT_HEADING_SV if person else MOTIVERING_HEADING_SV}[/]")
    _print_prose(decision.person_text_sv if person else decision.explanation_sv)
    out.print()
    _say(f"{TRACE_HEADING_SV}: " + " · ".join(trace_items(decision)), style="dim")


def trace_items(decision: Decision) -> list[str]:
    """What reproduces the decision's text, as labelled items: rulebook id and hash, the statutes table's
    hash (when the rulebook has one), package version, template hash."""
    rulebook = decision.rulebook
    items = [f"regelversion {rulebook.id}", f"innehållshash {rulebook.content_hash[:HASH_CHARS]}"]
    statutes = getattr(rulebook, "statutes_hash", None)
    if statutes:
        items.append(f"lagtabellens hash {statutes[:HASH_CHARS]}")
    items.append(f"programversion {decision.package_version or '–'}")
    items.append(f"mallhash {decision.template_hash[:HASH_CHARS] or '–'}")
    return items


def _print_summary(summary: Summary) -> None:
    out.print()
    out.print(f"[bold underline]{SUMMARY_HEADING_SV}[/]")  # in words it opens the motivering below
    sections = [
        (ELIGIBLE_HEADING_SV, [f"{p.name_sv} från och med {date_sv(p.from_date)}" if p.from_date else p.name_sv
                               for p in summary.eligible]),
        (NOT_ELIGIBLE_HEADING_SV, [_with_reason(p.name_sv, p.reason_sv) for p in summary.not_eligible]),
        (UNDETERMINED_HEADING_SV, [_with_reason(p.name_sv, p.reason_sv) for p in summary.undetermined]),
        (QUESTIONS_HEADING_SV, [q.text_sv for q in summary.questions]),
    ]
    if summary.next_date is not None:
        sections.append((NEXT_DATE_HEADING_SV, [summary.next_date.text_sv]))
    for heading, lines in sections:
        if lines:
            out.print()
            out.print(f"[bold]{heading}[/]")
            _bullets(lines)


def _with_reason(name: str, reason: str) -> str:
    return f"{name}: {reason}" if reason else name


def _bullets(lines: list[str]) -> None:
    """Bulleted lines that wrap under their own text, not under the bullet."""
    for line in lines:
        _say(line, indent="  • ", hanging="    ")


def _say(text: str, style: str = "", indent: str = "", hanging: str = "") -> None:
    """``text`` wrapped to the terminal at word boundaries, each of its lines on its own, without the trailing
    blanks rich leaves where it wraps (the output is copied into letters and journals)."""
    width = max(out.width, 40)
    for line in text.split("\n"):
        wrapped = textwrap.fill(line, width, initial_indent=indent, subsequent_indent=hanging or indent,
                                break_long_words=False, break_on_hyphens=False)
        out.print(Text(wrapped, style=style), soft_wrap=True)


def _print_prose(text: str) -> None:
    """Paragraphs as written, separated by blank lines; a paragraph's first line is its heading when the
    paragraph has more lines (a section of the motivering: "Sammanfattning", a programme's name)."""
    for index, paragraph in enumerate(text.split("\n\n")):
        if index:
            out.print()
        first, _, rest = paragraph.partition("\n")
        if rest:
            _say(first, style="bold")
            _say(rest)
        else:
            _say(first)


def _print_tables(decision: Decision, plan: Plan, names: dict[str, str] | None = None) -> None:
    """The tables in Swedish: programme names, condition texts, ``Label: value`` facts, provisions (the
    technical names are in ``--json``). ``names``: programme names of every loaded rulebook, for the
    programmes this rulebook does not have."""
    out.print()
    programmes = Table(title="Program", show_lines=False)
    programmes.add_column("Program", overflow="fold")
    programmes.add_column("Status", overflow="fold")
    for programme in decision.programmes.values():
        style = _STATUS_STYLE[programme.status.value]
        programmes.add_row(programme.name_sv, f"[{style}]{STATUS_SV[programme.status]}[/]")
    for pid in decision.not_in_force:
        programmes.add_row((names or {}).get(pid) or programme_fallback_sv(pid), f"[dim]{NOT_IN_FORCE_SV}[/]")
    out.print(programmes)
    for table in (_remedies(decision), _questions(decision)):
        if table is not None:
            out.print(table)
    conditions = Table(title="Villkor", show_lines=True)
    for column in ("Villkor", "Utfall", "Uppgifter", "Lagrum och källa"):
        conditions.add_column(column, overflow="fold")
    benefit_names = plan.book.benefit_names()
    for record in decision.conditions:
        own = plan.by_id[record.condition].derived  # a kind's own facts (its limits) are not facts of the case
        facts = "\n".join(fact_line_sv(k, v, benefit_names) for k, v in record.facts_used.items()
                           if k not in own)
        source = "; ".join(citations_sv([record.source.in_force_on(decision.as_of)]))
        outcome = record.outcome
        conditions.add_row(Text(record.text_sv), f"[{_OUTCOME_STYLE[outcome.value]}]{OUTCOME_SV[outcome]}[/]",
                           Text(facts), Text(source))
    out.print(conditions)


def _remedies(decision: Decision) -> Table | None:
    """Per programme not eligible: the facts that decided against it and the change that would make it eligible."""
    table = Table(title=REMEDIES_TITLE_SV, show_lines=True)
    for column in ("Program", DECISIVE_AGAINST_HEADING_SV, WOULD_CHANGE_HEADING_SV):
        table.add_column(column, overflow="fold")
    for programme in decision.programmes.values():
        if programme.decisive_against or programme.would_change_sv:
            table.add_row(programme.name_sv, Text("\n".join(f.text_sv for f in programme.decisive_against)),
                          Text(programme.would_change_sv))
    return table if table.row_count else None


def _questions(decision: Decision) -> Table | None:
    """The questions that can change a programme, with what each answer does (exact decisions: ``--exact``)."""
    if not any(q.answers for q in decision.questions):
        return None
    table = Table(title=QUESTIONS_TITLE_SV, show_lines=True)
    for column in QUESTIONS_COLUMNS_SV:
        table.add_column(column, overflow="fold")
    for question in decision.questions:
        table.add_row(question.text_sv, Text("\n".join(answer.text_sv for answer in question.answers)))
    return table


def _law_warning(decision: Decision) -> Panel:
    """The warning of a decision made after its rulebook's ``reviewed_until``, boxed above everything else."""
    text = Text(decision.law_warning_sv or "", style="bold")
    text.append("\n" + LAW_WARNING_ADVICE_SV, style="not bold")
    return Panel(text, title="VARNING: lag som inte är granskad", title_align="left", border_style="bold red")

