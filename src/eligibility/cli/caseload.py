"""Caseload commands: ``batch``, ``watchlist``, ``impact``, ``synth`` (thin; logic in caseload/)."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn,
                           TimeRemainingColumn)
from rich.table import Table
from rich.text import Text

from ..case.read import check_input, count_lines, read_cases
from ..caseload.batch import ResumeError, checkpoint_path, run_batch
from ..caseload.csv_cells import safe_row
from ..caseload.impact import impact as run_impact
from ..caseload.impact_report import render_html, render_markdown
from ..caseload.output_guard import refuse_overlap, replace_atomically
from ..caseload.synth import generate
from ..caseload.rows import programme_names
from ..caseload.watchlist import WatchEvent, parse_window, watchlist as run_watchlist
from ..decision.evaluator import Evaluator
from ..decision.phrases_sv import date_sv
from ..decision.texts_sv import NOT_IN_FORCE_SV, STATUS_SV, programme_fallback_sv
from ..errors import EligibilityError, InputError, OutputInUseError, OutputPathError, SchedulerUnreachableError
from ..models import Status
from ..rulebooks.loader import load_rulebooks
from .common import ExactOption, RulesOption, _fail, err, out


def _input(path: Path) -> Path:
    """The input file, or exit 2 when the whole file is unusable (suffix, CSV header, Parquet columns)."""
    try:
        check_input(path)
    except InputError as exc:
        err.print(exc.message, markup=False)
        raise typer.Exit(2) from None
    except OSError as exc:
        err.print(f"{path}: cannot read ({exc.strerror or exc})", markup=False)
        raise typer.Exit(2) from None
    return path


def _fail_input(exc: EligibilityError) -> None:
    """Exit 2 for a file-level input problem found during the run, 1 for anything else (lost lines included)."""
    if isinstance(exc, InputError):
        err.print(exc.message, markup=False)
        raise typer.Exit(2)
    _fail(exc)


PerCaseOption = Annotated[bool, typer.Option("--per-case", help="Decide case by case with the rule engine instead "
                                                               "of the columnar backend (same results, slower).")]


class _RateColumn(ProgressColumn):
    """Cases per second so far."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} ärenden/s".replace(",", " ") if speed else "– ärenden/s", style="progress.data.speed")


def batch(
    cases: Annotated[Path, typer.Argument(help="Cases, .jsonl, .csv or .parquet (see docs/caseload.md).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Decisions, .jsonl or .csv.")],
    errors: Annotated[Optional[Path], typer.Option("--errors", help="Bad lines (default OUT.errors.jsonl).")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Processes (default: all cores).")] = os.cpu_count() or 1,
    full: Annotated[bool, typer.Option("--full", help="Also write the whole decision with texts (JSONL); "
                                                      "decided case by case.")] = False,
    per_case: PerCaseOption = False,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Dask scheduler tcp://host:port.")] = None,
    rules: RulesOption = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue a run that died, from OUT.partial.ckpt.")] = False,
    exact: ExactOption = True,
) -> None:
    """Decide a whole caseload, streaming, on all cores (or a Dask cluster); bad lines go to an errors file."""
    _input(cases)
    if output.suffix.lower() not in (".jsonl", ".csv"):
        err.print(f"{output}: expected a .jsonl or .csv output file")
        raise typer.Exit(2)
    errors = errors or output.with_name(output.stem + ".errors.jsonl")
    total = count_lines(cases)
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("[progress.percentage]{task.percentage:>3.0f}%"), _RateColumn(),
               TimeRemainingColumn()]
    try:
        with Progress(*columns, console=err.console(), transient=False) as progress:
            task = progress.add_task("Beslutar", total=total)
            summary = run_batch(cases, output, errors, workers=workers, rules_dir=rules, full=full,
                                per_case=per_case, on_progress=lambda n: progress.advance(task, n), scheduler=scheduler,
                                resume=resume, exact=exact)
            elapsed = progress.tasks[0].elapsed or 0.0
    except (OutputPathError, OutputInUseError) as exc:
        _fail(exc, 2)
    except SchedulerUnreachableError as exc:
        _resume_hint(output)
        _fail(exc, 2)
    except EligibilityError as exc:
        _fail_input(exc)
    except ResumeError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from None
    except OSError as exc:
        reading = exc.filename is not None and Path(exc.filename).resolve() == cases.resolve()
        err.print(f"{exc.filename or output}: cannot {'read' if reading else 'write'} ({exc.strerror or exc}); "
                  f"{output} was not written", markup=False)
        _resume_hint(output)
        raise typer.Exit(1) from None
    names = programme_names(load_rulebooks(rules))
    table = Table(title=f"{summary.decided} beslut, {summary.errors} fel ({errors})")
    table.add_column("Program", overflow="fold", min_width=_longest_word(names.values()))
    for status in ("eligible", "not_eligible", "undetermined", "not_in_force"):
        table.add_column(STATUS_SV[Status(status)] if status != "not_in_force" else NOT_IN_FORCE_SV,
                         justify="right", max_width=10)  # the header wraps at its words; the names keep room
    seen = {p for p, _ in summary.statuses}
    for programme in [p for p in names if p in seen] + sorted(seen - names.keys()):
        table.add_row(names.get(programme) or programme_fallback_sv(programme),
                      *(str(summary.statuses[(programme, s)])
                        for s in ("eligible", "not_eligible", "undetermined", "not_in_force")))
    out.print(table)
    rate = (summary.decided + summary.errors) / elapsed if elapsed else 0
    how = "processer (per ärende)" if full or per_case else "trådar (kolumnvis)"
    out.print(f"{rate:,.0f} ärenden/s på {workers} {how}".replace(",", " "))


def _resume_hint(output: Path) -> None:
    if checkpoint_path(output).exists():
        err.print(f"Progress is kept in {checkpoint_path(output)}: fix the cause and rerun with --resume.",
                  markup=False)


def _cannot_read(cases: Path, exc: OSError) -> NoReturn:
    """watchlist and impact only read while they run: an OS error there is the input's (exit 1, no traceback)."""
    err.print(f"{exc.filename or cases}: cannot read ({exc.strerror or exc}); nothing was written", markup=False)
    raise typer.Exit(1) from None


def _write_report(output: Path, text: str, encoding: str) -> None:
    """Write a watchlist or impact file atomically; a write failure is a message and exit 1, not a traceback."""
    try:
        replace_atomically(output, text, encoding)
    except OSError as exc:
        _cannot_write(output, exc)


def _cannot_write(output: Path, exc: OSError) -> NoReturn:
    """A report or synthetic caseload that could not be written: the OS reason, exit 1, no traceback."""
    err.print(f"{output}: cannot write ({exc.strerror or exc}); {output} was not written", markup=False)
    raise typer.Exit(1) from None


def watchlist(
    cases: Annotated[Path, typer.Argument(help="Cases, .jsonl, .csv or .parquet.")],
    within: Annotated[str, typer.Option("--within", help="Window, e.g. 8w, 30d, 6m.")] = "8w",
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Window start (default: each case's as_of).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write to a file instead of stdout.")] = None,
    rules: RulesOption = None,
    per_case: PerCaseOption = False,
) -> None:
    """Bevakningslista: everyone with a deadline, benefit end or 30th birthday in the window."""
    try:
        window = parse_window(within)
        start = date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        err.print(str(exc))
        raise typer.Exit(2) from None
    if fmt == "table" and output is not None:
        err.print(f"{output}: --format table is for the terminal; expected --format csv or json with -o")
        raise typer.Exit(2)
    try:
        if output is not None:
            refuse_overlap({"the input": _input(cases)}, {"-o/--output": output})
        evaluator = Evaluator(load_rulebooks(rules))
        events, problems = run_watchlist(read_cases(_input(cases)), evaluator, window, start,
                                         per_case=per_case, source=cases)
    except OutputPathError as exc:
        _fail(exc, 2)
    except EligibilityError as exc:
        _fail_input(exc)
    except OSError as exc:
        _cannot_read(cases, exc)
    rows = [{"datum": e.date.isoformat(), "ärende": e.case_id, "rad": e.line, "händelse": e.event,
             "program": e.programme, "åtgärd": e.action_sv} for e in events]
    if fmt == "table" and output is None:
        out.print(watch_table(events, programme_names(evaluator.books), within))
    else:
        text = _render_rows(rows, fmt)
        if output:
            _write_report(output, text, "utf-8-sig" if fmt == "csv" else "utf-8")
        else:
            typer.echo(text)
    for line, reason in problems:
        err.print(f"rad {line}: {reason}", markup=False)


def watch_table(events: list[WatchEvent], names: dict[str, str], within: str) -> Table:
    """The watch list as the terminal shows it: the day in words, the programme by its Swedish name (the
    CSV and JSON keep ``datum`` as YYYY-MM-DD and ``program`` as the id, docs/caseload.md)."""
    table = Table(title=f"Bevakningslista ({within})")
    table.add_column("Datum")
    table.add_column("Ärende", overflow="fold")
    table.add_column("Program", overflow="fold", min_width=_longest_word(names.values()))
    table.add_column("Åtgärd", overflow="fold")
    for event in events:
        table.add_row(date_sv(event.date), event.case_id,
                      names.get(event.programme) or programme_fallback_sv(event.programme), event.action_sv)
    return table


def _longest_word(texts: Iterable[str]) -> int:
    """The width a column needs so that rich wraps its words whole instead of folding one
    ("Handlingsplan|samverkan")."""
    return max((len(word) for text in texts for word in text.split()), default=0)


def _render_rows(rows: list[dict], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=["datum", "ärende", "rad", "händelse", "program", "åtgärd"],
                                delimiter=";")
        writer.writeheader()
        writer.writerows(safe_row(row) for row in rows)  # a case id like =HYPERLINK(...) stays text
        return buffer.getvalue()
    err.print(f"--format {fmt!r}: expected table, csv or json")
    raise typer.Exit(2)


def impact(
    cases: Annotated[Path, typer.Argument(help="Cases, .jsonl, .csv or .parquet.")],
    rulebook_from: Annotated[str, typer.Option("--from", help="Rulebook A (id).")],
    rulebook_to: Annotated[str, typer.Option("--to", help="Rulebook B (id).")],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Report file (.html or .md).")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="html | md (default from -o, else md).")] = None,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Dask scheduler tcp://host:port.")] = None,
    rules: RulesOption = None,
    per_case: PerCaseOption = False,
    exact: ExactOption = True,
) -> None:
    """Law-change impact: status transitions per programme between two rulebooks."""
    fmt = fmt or (output.suffix.lstrip(".").lower() if output else "md")
    if fmt not in ("html", "md"):
        err.print(f"--format {fmt!r}: expected html or md")
        raise typer.Exit(2)
    try:
        if output is not None:
            refuse_overlap({"the input": _input(cases)}, {"-o/--output": output})
        report = run_impact(read_cases(_input(cases)), Evaluator(load_rulebooks(rules), exact=exact), rulebook_from,
                            rulebook_to,
                            scheduler, str(rules) if rules else None, per_case=per_case, source=cases)
    except (OutputPathError, SchedulerUnreachableError) as exc:
        _fail(exc, 2)
    except EligibilityError as exc:
        _fail_input(exc)
    except OSError as exc:
        _cannot_read(cases, exc)
    text = render_html(report) if fmt == "html" else render_markdown(report)
    if output:
        _write_report(output, text, "utf-8")
        out.print(f"Rapport skriven till {output}")
    else:
        typer.echo(text)
    for line, reason in report.problems:
        err.print(f"rad {line}: {reason}", markup=False)


def synth(
    n: Annotated[int, typer.Option("--n", min=0, help="Number of cases.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same cases).")] = 1,
    output: Annotated[Path, typer.Option("-o", "--output", help="Output .jsonl.")] = Path("cases.jsonl"),
    first: Annotated[str, typer.Option("--from", help="Earliest as_of.")] = "2010-01-01",
    last: Annotated[str, typer.Option("--to", help="Latest as_of.")] = "2015-12-31",
) -> None:
    """Write a synthetic caseload (no real person data) as JSONL."""
    try:
        low, high = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError as exc:
        err.print(f"--from/--to: expected YYYY-MM-DD ({exc})")
        raise typer.Exit(2) from None
    partial = output.with_name(output.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            for case in generate(n, seed, low, high):
                handle.write(json.dumps(case, ensure_ascii=False) + "\n")
        os.replace(partial, output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        _cannot_write(output, exc)
    out.print(f"{n} syntetiska ärenden skrivna till {output}")
