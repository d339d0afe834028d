"""Command line: ``eligibility check | rulebooks | lint``.

Errors are printed as ``file:line: reason`` or ``field: expected ..., found
...`` with a non-zero exit code, never as a traceback.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer
from rich.console import Console
from rich.table import Table

from .canary import canary_cases, checked_evaluator
from .case_file import CaseFile, read_case_file
from .decide import Evaluator
from .errors import MAX_SHOWN_PROBLEMS, CaseError, CaseFileError, EligibilityError, FieldProblem, RulebookError
from .loader import load_rulebooks
from .models import Decision
from .texts_sv import STATUS_SV

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Regelbaserad bedömning för samverkan mellan Försäkringskassan och Arbetsförmedlingen.")
out = Console()
err = Console(stderr=True, soft_wrap=True)

RulesOption = Annotated[Optional[Path], typer.Option("--rules", help="Rules directory (default: bundled rules/).")]
_OUTCOME_STYLE = {"uppfyllt": "green", "ej uppfyllt": "red", "ej utrett": "yellow"}
_STATUS_STYLE = {"eligible": "bold green", "not_eligible": "bold red", "undetermined": "bold yellow"}


def _fail(exc: EligibilityError, code: int = 1, case: CaseFile | None = None) -> NoReturn:
    """Print the error's code and its problems (at most MAX_SHOWN_PROBLEMS), then exit with ``code``.

    With ``case`` given, each field problem is prefixed with ``file:line`` of its field.
    """
    err.print(f"[bold red]{exc.code}[/]")
    problems = getattr(exc, "problems", None) or [exc.message]
    for problem in problems[:MAX_SHOWN_PROBLEMS]:
        where = f"{case.where(problem)}: " if case is not None and isinstance(problem, FieldProblem) else ""
        err.print(f"  {where}{problem}", markup=False, highlight=False)
    if len(problems) > MAX_SHOWN_PROBLEMS:
        err.print(f"  ... and {len(problems) - MAX_SHOWN_PROBLEMS} more problems", markup=False, highlight=False)
    raise typer.Exit(code)


def _read_case(path: Path, as_of: str | None = None) -> CaseFile:
    """The case in ``path`` (YAML or JSON, see case_file.py), with ``as_of`` overridden when given.

    A file that cannot be read as a case exits 2 with file, line and column, never a traceback.
    """
    try:
        case = read_case_file(path)
    except CaseFileError as exc:
        _fail(exc, code=2)
    if as_of is not None and isinstance(case.data, dict):
        case.data["as_of"] = as_of
    return case


@app.command()
def check(
    case_file: Annotated[Path, typer.Argument(help="Case as YAML or JSON.")],
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Override the case's as_of (YYYY-MM-DD).")] = None,
    rulebook: Annotated[Optional[str], typer.Option("--rulebook", help="Evaluate under this rulebook id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
    rules: RulesOption = None,
) -> None:
    """Decide one case and explain the decision."""
    case = _read_case(case_file, as_of)
    try:
        decision = Evaluator(load_rulebooks(rules)).evaluate(case.data, rulebook)
    except (CaseError, EligibilityError) as exc:
        _fail(exc, case=case)
    if as_json:
        typer.echo(decision.model_dump_json(indent=2))
        return
    _print_decision(decision)


def _print_decision(decision: Decision) -> None:
    rb = decision.rulebook
    out.print(f"[bold]Bedömning {decision.as_of}[/] · regelversion {rb.id} · hash {rb.content_hash[:12]}")
    summary = Table(title="Program", show_lines=False)
    summary.add_column("Program")
    summary.add_column("Status")
    for programme in decision.programmes.values():
        style = _STATUS_STYLE[programme.status.value]
        summary.add_row(programme.name_sv, f"[{style}]{STATUS_SV[programme.status]}[/]")
    for pid in decision.not_in_force:
        summary.add_row(pid, "[dim]inte i kraft[/]")
    out.print(summary)
    table = Table(title="Villkor", show_lines=False)
    for column in ("Villkor", "Utfall", "Fakta", "Källa"):
        table.add_column(column, overflow="fold")
    for record in decision.conditions:
        facts = ", ".join(f"{k}={_show(v)}" for k, v in record.facts_used.items() if not k.startswith("threshold."))
        source = record.source.document or (record.source.lagrum[0].forfattning if record.source.lagrum else "")
        table.add_row(record.condition, f"[{_OUTCOME_STYLE[record.outcome.value]}]{record.outcome.value}[/]",
                      facts, source)
    out.print(table)
    out.print("[bold]Motivering[/]")
    out.print(decision.explanation_sv, markup=False, highlight=False)


def _show(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


@app.command()
def rulebooks(rules: RulesOption = None) -> None:
    """List the rulebooks, their periods and content hashes."""
    try:
        books = load_rulebooks(rules)
    except RulebookError as exc:
        _fail(exc)
    table = Table(title="Regelversioner")
    for column in ("Id", "Gäller från", "Gäller till", "Program", "Hash"):
        table.add_column(column)
    for book in books:
        table.add_row(book.id, str(book.valid_from), str(book.valid_to or "tills vidare"),
                      ", ".join(book.programmes), book.content_hash[:12])
    out.print(table)


@app.command()
def lint(rules: RulesOption = None) -> None:
    """Check every rule file (schema and meaning) and decide the canary cases; exit 1 on any problem."""
    try:
        books = checked_evaluator(rules).books
    except RulebookError as exc:
        _fail(exc)
    conditions = sum(len(book.all_conditions()) for book in books)
    out.print(f"OK: {len(books)} rulebooks, {conditions} conditions, {len(canary_cases())} canary cases decided, "
              "no problems.")


# Commands defined in their own modules register themselves on `app`.
from . import cli_caseload  # noqa: E402,F401  (registers batch, watchlist, impact, synth)
from . import cli_serve  # noqa: E402,F401  (registers 'serve')
from . import cli_columnar  # noqa: E402,F401  (registers batch --columnar)
from . import cli_law  # noqa: E402,F401  (registers diff, timeline, snapshot)

if __name__ == "__main__":  # pragma: no cover - `python -m eligibility` is the way (see __main__.py)
    from eligibility.cli import app as registered  # the module with every command registered on it

    registered()
