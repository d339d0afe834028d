"""The ``eligibility`` command: one typer app, every command registered here, explicitly.

The commands of one case and of the rules (``check | rulebooks | lint``) are
defined here (how ``check`` lays out a decision is ``show.py``); the others
live in their own modules (``caseload.py``, ``frame.py``, ``history.py``,
``serve.py``), which import only ``common.py`` and never this module, so
there is no import circle. ``cli/__init__.py``
re-exports ``app`` (the ``eligibility`` entry point is ``eligibility.cli:app``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ..caseload.rows import programme_names
from ..decision.evaluator import Evaluator
from ..errors import CaseError, EligibilityError, RulebookError
from ..rulebooks.canary import canary_cases, checked_evaluator
from ..rulebooks.loader import load_rulebooks
from . import caseload, frame, history, serve
from .common import ExactOption, RulesOption, _fail, _read_case, out
from .show import print_decision


def check(
    case_file: Annotated[Path, typer.Argument(help="Case as YAML or JSON.")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Override the case's as_of (YYYY-MM-DD).")] = None,
    rulebook: Annotated[Optional[str], typer.Option("--rulebook", help="Evaluate under this rulebook id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
    table: Annotated[bool, typer.Option("--table", help=(
        "Also print the tables: programmes, what would change them, questions, every condition."))] = False,
    person: Annotated[bool, typer.Option("--person", help=(
        "Print the text to the person (du-form) instead of the motivering."))] = False,
    exact: ExactOption = True,
    rules: RulesOption = None,
) -> None:
    """Decide one case: print the summary, the motivering and what reproduces it (--table: the tables too)."""
    case = _read_case(case_file, as_of)
    try:
        evaluator = Evaluator(load_rulebooks(rules), exact=exact)
        decision = evaluator.evaluate(case.data, rulebook)
    except (CaseError, EligibilityError) as exc:
        _fail(exc, case=case)
    if as_json:
        typer.echo(decision.model_dump_json(indent=2))
        return
    print_decision(decision, evaluator.plan_for(decision.rulebook.id), tables=table, person=person,
                   names=programme_names(evaluator.books))


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
