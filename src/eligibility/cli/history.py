"""Command line for law over time: ``eligibility diff | timeline | snapshot update/check/corpus``.

Thin: the logic is in ``rulebooks/diff.py``, ``history/timeline.py`` and ``history/snapshot.py``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.table import Table
from rich.text import Text

from ..caseload.impact import condition_text
from ..decision.evaluator import Evaluator
from ..decision.phrases_sv import date_sv
from ..decision.texts_sv import TIMELINE_STATUS_SV
from ..errors import CaseError, EligibilityError, RulebookError
from ..history.snapshot import (compare_records, default_dir, read_jsonl, record_corpus, summary, synthetic_corpus,
                       write_jsonl)
from ..history.timeline import Timeline, build_timeline
from ..rulebooks.diff import ItemChange, RulebookDiff, diff_rulebooks
from ..rulebooks.loader import load_rulebooks, select_rulebook
from ..rulebooks.rulebook import Rulebook
from .common import ExactOption, RulesOption, _fail, _read_case, err, out

snapshot_app = typer.Typer(add_completion=False, no_args_is_help=True,
                           help="Regression gate: recorded decisions of a frozen case corpus.")

_STYLE = {"eligible": "bold green", "not_eligible": "bold red", "undetermined": "bold yellow", "not_in_force": "dim"}
_MARK = {"added": "+", "removed": "-", "changed": "~"}
DirOption = Annotated[Optional[Path], typer.Option("--dir", help="Corpus and records directory "
                                                   "(default: tests/regression of the checkout).")]


def _books(rules: Path | None) -> list[Rulebook]:
    try:
        return load_rulebooks(rules)
    except RulebookError as exc:
        _fail(exc)
    raise AssertionError  # pragma: no cover


# --- diff --------------------------------------------------------------------
def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return "null" if value is None else str(value)


def _parameter_lines(item: ItemChange, a: Rulebook, b: Rulebook) -> list[str]:
    """Dated values as 'from DAY: old -> new'; '—' where the rulebook has no such dated value."""
    lines = []
    for field in item.fields:
        parts = field.path.split(".")
        if len(parts) == 3 and parts[0] == "values" and parts[2] == "value":
            start = date.fromisoformat(parts[1])
            old = _shown(field.before) if start in a.parameters.get(item.id, _NO_VALUES).values else "—"
            values = b.parameters.get(item.id, _NO_VALUES).values
            new = _shown(field.after) if start in values else "—"
            earlier = [day for day in values if day < start]
            was = f" (in force before: {_shown(values[max(earlier)].value)})" if earlier and old == "—" else ""
            lines.append(f"      value from {start}: {old} -> {new}{was}")
    sources = sum(1 for f in item.fields if ".source." in f.path or f.path.endswith(".source"))
    others = [f for f in item.fields if not f.path.startswith("values.")]
    lines += [f"      {f.path}: {_shown(f.before)} -> {_shown(f.after)}" for f in others]
    if sources:
        lines.append(f"      ({sources} source field(s) changed)")
    return lines


class _NoValues:
    values: dict[date, Any] = {}


_NO_VALUES = _NoValues()


def _item_lines(item: ItemChange) -> list[str]:
    if item.change != "changed":
        return []
    shown = [f for f in item.fields if not f.path.startswith("source.")]
    lines = [f"      {f.path}: {_shown(f.before)} -> {_shown(f.after)}" for f in shown]
    if len(shown) < len(item.fields):
        lines.append(f"      ({len(item.fields) - len(shown)} source field(s) changed)")
    return lines


def render_diff(diff: RulebookDiff, a: Rulebook, b: Rulebook) -> str:
    """The diff as readable text: period, then each section with +/-/~ per item."""
    lines = [f"Rulebook {diff.a.id} ({diff.a.valid_from} – {diff.a.valid_to or 'open'}) -> "
             f"{diff.b.id} ({diff.b.valid_from} – {diff.b.valid_to or 'open'})"]
    if diff.identical:
        return lines[0] + "\nNo differences in law."
    for field in diff.rulebook:
        if field.path in ("title_sv", "valid_from", "valid_to"):
            lines.append(f"  {field.path}: {_shown(field.before)} -> {_shown(field.after)}")
    for section in ("programmes", "not_in_force", "benefits", "parameters", "conditions", "target_groups"):
        items = getattr(diff, section)
        if not items:
            continue
        lines.append(f"{section.replace('_', ' ').capitalize()}:")
        for item in items:
            lines.append(f"  {_MARK[item.change]} {item.id} ({item.change})")
            if section == "parameters":
                lines += _parameter_lines(item, a, b)
            else:
                lines += _item_lines(item)
    return "\n".join(lines)


def diff(
    a: Annotated[str, typer.Argument(help="Earlier rulebook id (e.g. 2013-01-01).")],
    b: Annotated[str, typer.Argument(help="Later rulebook id (e.g. 2016-02-01).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
    rules: RulesOption = None,
) -> None:
    """What changed in law from rulebook A to rulebook B: parameters, conditions, programmes."""
    books = _books(rules)
    try:
        book_a, book_b = select_rulebook(books, date.min, a), select_rulebook(books, date.min, b)
    except EligibilityError as exc:
        _fail(exc)
    result = diff_rulebooks(book_a, book_b)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    typer.echo(render_diff(result, book_a, book_b))


# --- timeline ----------------------------------------------------------------
def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _print_timeline(timeline: Timeline, names: dict[str, str],
                    texts: dict[tuple[str, str], str] | None = None) -> None:
    """The timeline for people: days in words, programmes by name, decisive conditions by their text
    (``texts``: (rulebook, condition id) -> text with its limits; the ids are in ``--json``)."""
    texts = texts or {}
    out.print(f"[bold]Tidslinje {date_sv(timeline.as_of)} – {date_sv(timeline.until)}[/] ({timeline.months} "
              f"månader, regelversioner: "
              f"{', '.join(f'{s.rulebook} ({date_sv(s.start)} – {date_sv(s.end)})' for s in timeline.rulebooks)})")
    table = Table(title="Status per program")
    table.add_column("Program", overflow="fold")
    for column in ("Från", "Till"):
        table.add_column(column, max_width=14)  # "den 31 januari" / "2016"
    table.add_column("Status", max_width=14)
    table.add_column("Regelversion", max_width=12)
    table.add_column("Avgörande villkor", overflow="fold")
    for pid, segments in timeline.programmes.items():
        for index, segment in enumerate(segments):
            style = _STYLE[segment.status]
            table.add_row(names.get(pid, pid) if index == 0 else "", date_sv(segment.start), date_sv(segment.end),
                          f"[{style}]{TIMELINE_STATUS_SV[segment.status]}[/]", ", ".join(segment.rulebooks),
                          Text("\n".join(texts.get((segment.rulebooks[0], c), c) if segment.rulebooks else c
                                         for c in segment.decisive_conditions)))
    out.print(table)
    for change in timeline.changes:
        moved = "; ".join(f"{names.get(p, p)}: {TIMELINE_STATUS_SV[a]} -> {TIMELINE_STATUS_SV[b]}"
                          for p, (a, b) in change.statuses.items())
        book = f"regelversion {change.rulebook} börjar gälla. " if change.rulebook_changed else ""
        out.print(f"{_first_upper(date_sv(change.day))}: {book}{moved}", markup=False, highlight=False)
    if timeline.stop_text_sv:
        out.print(timeline.stop_text_sv, markup=False, highlight=False)


def timeline(
    case_file: Annotated[Path, typer.Argument(help="Case as YAML or JSON.")],
    months: Annotated[int, typer.Option("--months", min=1, max=120, help="Months after as_of to cover.")] = 24,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Override the case's as_of (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
    rules: RulesOption = None,
    exact: ExactOption = True,
) -> None:
    """Status for each programme over time, day-precise, across rulebook boundaries."""
    case = _read_case(case_file, as_of)
    books = _books(rules)
    try:
        evaluator = Evaluator(books, exact=exact)
        result = build_timeline(evaluator, case.data, months)
    except (CaseError, EligibilityError) as exc:
        _fail(exc, case=case)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    names = {pid: p.name_sv for book in books for pid, p in book.programmes.items()}
    texts = {(book.id, cid): condition_text(evaluator, book, cid) for book in books for cid in book.all_conditions()}
    _print_timeline(result, names, texts)


# --- snapshot ----------------------------------------------------------------
def _paths(directory: Path | None) -> tuple[Path, Path]:
    root = directory or default_dir()
    corpus = root / "corpus.jsonl"
    if not corpus.exists():
        err.print(f"{corpus}: no corpus (create one with: eligibility snapshot corpus)")
        raise typer.Exit(2)
    return corpus, root / "records.jsonl"


@snapshot_app.command()
def update(directory: DirOption = None, examples: Annotated[int, typer.Option(help="Examples to print.")] = 3,
           rules: RulesOption = None) -> None:
    """Re-decide the corpus, rewrite the records and print what changed, for review."""
    corpus, records = _paths(directory)
    new = record_corpus(Evaluator(_books(rules)), read_jsonl(corpus))
    old = read_jsonl(records) if records.exists() else []
    typer.echo(summary(compare_records(old, new), examples))
    write_jsonl(records, new)
    typer.echo(f"Wrote {len(new)} records to {records}.")


@snapshot_app.command()
def check(directory: DirOption = None, examples: Annotated[int, typer.Option(help="Examples to print.")] = 3,
          rules: RulesOption = None) -> None:
    """Compare current decisions with the records; exit 1 on any difference."""
    corpus, records = _paths(directory)
    new = record_corpus(Evaluator(_books(rules)), read_jsonl(corpus))
    result = compare_records(read_jsonl(records) if records.exists() else [], new)
    typer.echo(summary(result, examples))
    if not result.clean:
        raise typer.Exit(1)


@snapshot_app.command()
def corpus(directory: DirOption = None, count: Annotated[int, typer.Option(min=1)] = 520,
           seed: Annotated[int, typer.Option()] = 20080701,
           force: Annotated[bool, typer.Option("--force", help="Overwrite an existing corpus.")] = False,
           rules: RulesOption = None) -> None:
    """Write a new deterministic synthetic corpus (then run: eligibility snapshot update)."""
    path = (directory or default_dir()) / "corpus.jsonl"
    if path.exists() and not force:
        err.print(f"{path} exists; the corpus is frozen (use --force to replace it deliberately)")
        raise typer.Exit(2)
    cases = synthetic_corpus(Evaluator(_books(rules)), count, seed)
    write_jsonl(path, cases)
    typer.echo(f"Wrote {len(cases)} cases to {path}.")
