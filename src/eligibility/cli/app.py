"""The ``eligibility`` command: one typer app, every command registered here, explicitly.

The commands of one case and of the rules (``check | rulebooks | lint``) are
defined here; the others live in their own modules (``caseload.py``,
``frame.py``, ``history.py``, ``serve.py``), which import only ``common.py``
and never this module, so there is no import circle. ``cli/__init__.py``
re-exports ``app`` (the ``eligibility`` entry point is ``eligibility.cli:app``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..decision.evaluator import Evaluator
from ..decision.texts_sv import (DECISIVE_AGAINST_HEADING_SV, LAW_WARNING_ADVICE_SV, QUESTIONS_COLUMNS_SV,
                                 QUESTIONS_TITLE_SV, REMEDIES_TITLE_SV, STATUS_SV,
                                 WOULD_CHANGE_HEADING_SV)
from ..errors import CaseError, EligibilityError, RulebookError
from ..models import Decision
from ..rulebooks.canary import canary_cases, checked_evaluator
from ..rulebooks.loader import load_rulebooks
from ..rulebooks.plan import Plan
from . import caseload, frame, history, serve
from .common import ExactOption, RulesOption, _fail, _read_case, out

_OUTCOME_STYLE = {"uppfyllt": "green", "ej uppfyllt": "red", "ej utrett": "yellow"}
_STATUS_STYLE = {"eligible": "bold green", "not_eligible": "bold red", "undetermined": "bold yellow"}


def check(
    case_file: Annotated[Path, typer.Argument(help="Case as YAML or JSON.")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Override the case's as_of (YYYY-MM-DD).")] = None,
    rulebook: Annotated[Optional[str], typer.Option("--rulebook", help="Evaluate under this rulebook id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
    exact: ExactOption = True,
    rules: RulesOption = None,
) -> None:
    """Decide one case and explain the decision."""
    case = _read_case(case_file, as_of)
    try:
        evaluator = Evaluator(load_rulebooks(rules), exact=exact)
        decision = evaluator.evaluate(case.data, rulebook)
    except (CaseError, EligibilityError) as exc:
        _fail(exc, case=case)
    if as_json:
        typer.echo(decision.model_dump_json(indent=2))
        return
    _print_decision(decision, evaluator.plan_for(decision.rulebook.id))


def _print_decision(decision: Decision, plan: Plan) -> None:
    rb = decision.rulebook
    out.print(f"[bold]Bedömning {decision.as_of}[/] · regelversion {rb.id} · hash {rb.content_hash[:12]}")
    if decision.beyond_reviewed_law:
        out.print(_law_warning(decision))
    summary = Table(title="Program", show_lines=False)
    summary.add_column("Program")
    summary.add_column("Status")
    for programme in decision.programmes.values():
        style = _STATUS_STYLE[programme.status.value]
        summary.add_row(programme.name_sv, f"[{style}]{STATUS_SV[programme.status]}[/]")
    for pid in decision.not_in_force:
        summary.add_row(pid, "[dim]inte i kraft[/]")
    out.print(summary)
    remedies = _remedies(decision)
    if remedies is not None:
        out.print(remedies)
    questions = _questions(decision)
    if questions is not None:
        out.print(questions)
    table = Table(title="Villkor", show_lines=False)
    for column in ("Villkor", "Utfall", "Fakta", "Källa"):
        table.add_column(column, overflow="fold")
    for record in decision.conditions:
        own = plan.by_id[record.condition].derived  # a kind's own facts (its limits) are not facts of the case
        facts = ", ".join(f"{k}={_show(v)}" for k, v in record.facts_used.items() if k not in own)
        source = record.source.document or (record.source.lagrum[0].forfattning if record.source.lagrum else "")
        table.add_row(record.condition, f"[{_OUTCOME_STYLE[record.outcome.value]}]{record.outcome.value}[/]",
                      facts, source)
    out.print(table)
    out.print("[bold]Motivering[/]")
    out.print(decision.explanation_sv, markup=False, highlight=False)


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
    """The warning of a decision made after its rulebook's ``reviewed_until``, boxed above the tables."""
    text = Text(decision.law_warning_sv or "", style="bold")
    text.append("\n" + LAW_WARNING_ADVICE_SV, style="not bold")
    return Panel(text, title="VARNING: lag som inte är granskad", title_align="left", border_style="bold red")


def _show(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def rulebooks(rules: RulesOption = None) -> None:
    """List the rulebooks, their periods and content hashes."""
    try:
        books = load_rulebooks(rules)
    except RulebookError as exc:
        _fail(exc)
    table = Table(title="Regelversioner")
    for column in ("Id", "Gäller från", "Gäller till", "Granskad t.o.m.", "Program", "Hash"):
        table.add_column(column)
    for book in books:
        table.add_row(book.id, str(book.valid_from), str(book.valid_to or "tills vidare"),
                      str(book.meta.reviewed_until), ", ".join(book.programmes), book.content_hash[:12])
    out.print(table)


def lint(rules: RulesOption = None) -> None:
    """Check every rule file (schema and meaning) and decide the canary cases; exit 1 on any problem."""
    try:
        books = checked_evaluator(rules).books
    except RulebookError as exc:
        _fail(exc)
    conditions = sum(len(book.all_conditions()) for book in books)
    out.print(f"OK: {len(books)} rulebooks, {conditions} conditions, {len(canary_cases())} canary cases decided, "
              "no problems.")


def build_app() -> typer.Typer:
    """The ``eligibility`` app with every command, in the order ``--help`` lists them."""
    cli = typer.Typer(add_completion=False, no_args_is_help=True,
                      help="Regelbaserad bedömning för samverkan mellan Försäkringskassan och Arbetsförmedlingen.")
    for command in (check, rulebooks, lint, caseload.batch, caseload.watchlist, caseload.impact, caseload.synth,
                    serve.serve):
        cli.command()(command)
    frame.add_columnar(cli)  # batch --columnar (the frame backend) on the per-case batch command
    cli.command()(history.diff)
    cli.command()(history.timeline)
    cli.add_typer(history.snapshot_app, name="snapshot")
    return cli


app = build_app()
