"""``eligibility batch --columnar``: a whole caseload through the columnar backend.

Input by extension: ``.jsonl``, ``.csv`` or ``.parquet``, read by the
caseload reader every caseload command uses (``case/read.py``); output
``.parquet`` or ``.csv`` with ``line``, statuses, condition outcomes and key
dates (no explanation texts), one row per input data line, invalid or
unreadable lines with ``error`` set (see ``backends/frame.py: evaluate_caseload``).

``batch`` without ``--columnar`` is the streaming per-case batch of
``cli/caseload.py``. When that command is registered, ``add_columnar`` adds the
``--columnar`` option to it and hands every other call on unchanged, so the
two share one command name; otherwise it registers ``batch`` itself with
``--columnar`` required.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import time
import typing
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer

from ..caseload.csv_cells import safe_frame
from ..caseload.output_guard import exclusive, lock_path, refuse_overlap
from ..errors import EligibilityError, OutputInUseError, OutputPathError
from ..rulebooks.loader import load_rulebooks
from .common import ExactOption, RulesOption, _fail, err, out

_INPUTS, _OUTPUTS = (".jsonl", ".csv", ".parquet"), (".parquet", ".csv")
ColumnarOption = Annotated[bool, typer.Option("--columnar", help="Evaluate the whole caseload at once (columnar "
                                                                 "backend); input .jsonl/.csv/.parquet, output "
                                                                 ".parquet/.csv without texts.")]


def run_columnar(cases: Path, output: Path, rules: Path | None = None, rulebook: str | None = None, *,
                 exact: bool = True) -> None:
    """Read, evaluate and write; prints a summary line.

    Input goes through the caseload reader (``case/read.py``), as for every
    other caseload command: one output row per data line, ``line`` first; a
    line that cannot be read or typed is a row with ``error`` set. Parquet is
    read as one frame after the same schema check (a column of the wrong type
    is an error naming it, exit 2). Fewer or more rows than data lines: exit 1.

    Exits 2 on unusable paths or an unusable input file (also an output that
    is the input, or one another run is writing), 1 when the output cannot be
    written.
    """
    if cases.suffix.lower() not in _INPUTS or not cases.is_file():
        err.print(f"{cases}: expected an existing {', '.join(_INPUTS)} file")
        raise typer.Exit(2)
    if output.suffix.lower() not in _OUTPUTS:
        err.print(f"{output}: expected a {' or '.join(_OUTPUTS)} output file")
        raise typer.Exit(2)
    partial = output.with_name(output.name + ".partial")
    try:
        refuse_overlap({"the input": cases}, {"-o/--output": output, "the partial output": partial,
                                              "the lock": lock_path(output)})
        with exclusive([output]):  # held from reading to the rename: a second run on this output fails at once
            _run_locked(cases, output, rules, rulebook, exact)
    except (OutputPathError, OutputInUseError) as exc:
        _fail(exc, 2)
    except OSError as exc:  # the lock file cannot be created: the output's directory is missing or read-only
        _cannot_write(output, exc)


def _run_locked(cases: Path, output: Path, rules: Path | None, rulebook: str | None, exact: bool) -> None:
    import polars as pl

    from ..caseload.frame_input import evaluate_lines
    from ..case.read import check_input, count_data_lines, read_cases, read_parquet_frame
    from ..errors import InputError
    from ..backends.frame import evaluate_caseload
    from ..decision.exact_frame import decide_caseload

    started = time.perf_counter()
    try:
        check_input(cases)
        books = load_rulebooks(rules)
        if cases.suffix.lower() == ".parquet":
            decide = decide_caseload if exact else evaluate_caseload
            result = decide(read_parquet_frame(cases), books, rulebook)
            result = result.insert_column(0, pl.int_range(1, result.height + 1, dtype=pl.Int64, eager=True)
                                          .alias("line"))
        else:
            result = evaluate_lines(read_cases(cases), books, rulebook, exact=exact)
        expected = count_data_lines(cases)
    except InputError as exc:
        err.print(exc.message, markup=False)
        raise typer.Exit(2) from None
    except EligibilityError as exc:
        _fail(exc)
    except Exception as exc:  # polars/pyarrow reading errors: say which file, no traceback
        err.print(f"{cases}: cannot read ({type(exc).__name__}: {str(exc).splitlines()[0]})", markup=False)
        raise typer.Exit(2) from None
    if result.height != expected:
        err.print(f"{cases}: {expected} data lines but {result.height} result rows; {output} was not written",
                  markup=False)
        raise typer.Exit(1)
    _write_atomic(result, output)
    errors = result.height - result["error"].null_count()
    elapsed = time.perf_counter() - started
    out.print(f"{result.height} rader, {errors} fel (kolumnen error), {elapsed:.2f} s -> {output}")


def _write_atomic(result: Any, output: Path) -> None:
    """Write to ``OUT.partial`` and rename: a full disk never leaves a file that looks complete.

    The whole result is in memory, so there is nothing to resume: a failed
    write removes the partial file. polars reports a full disk while
    writing Parquet as ``ComputeError`` (not ``OSError``), so every error of
    the writer is caught here.
    """
    partial = output.with_name(output.name + ".partial")
    try:
        if output.suffix.lower() == ".parquet":
            result.write_parquet(partial)
        else:
            safe_frame(result).write_csv(partial)  # no text cell a spreadsheet would run as a formula
        os.replace(partial, output)
    except Exception as exc:  # OSError, polars' ComputeError wrapping an OS error, ...
        partial.unlink(missing_ok=True)
        _cannot_write(output, exc)


def _cannot_write(output: Path, exc: Exception) -> NoReturn:
    """Exit 1 (as the streaming batch does on a full disk) with the OS reason, not a traceback."""
    err.print(f"{output}: cannot write ({_reason(exc)}); no output written", markup=False)
    raise typer.Exit(1) from None


def _reason(exc: Exception) -> str:
    """The OS reason of a write error: ``strerror``, or the ``(os error N)`` that polars puts in its text."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    found = re.search(r"\(os error (\d+)\)", text)
    return os.strerror(int(found.group(1))) if found else text


def _with_columnar(original: Any) -> Any:
    """``original`` (the per-case batch) with an extra ``--columnar`` option that switches backend."""
    signature = inspect.signature(original)

    @functools.wraps(original)
    def batch(*args: Any, columnar: bool = False, **kwargs: Any) -> None:
        if columnar:
            bound = signature.bind_partial(*args, **kwargs).arguments
            run_columnar(bound["cases"], bound["output"], bound.get("rules"), exact=bound.get("exact", True))
            return
        original(*args, **kwargs)

    hints = typing.get_type_hints(original, include_extras=True)  # the original's string annotations, resolved
    params = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()]
    params.append(inspect.Parameter("columnar", inspect.Parameter.KEYWORD_ONLY, default=False,
                                    annotation=ColumnarOption))
    batch.__signature__ = signature.replace(parameters=params, return_annotation=None)  # type: ignore[attr-defined]
    batch.__annotations__ = {**hints, "columnar": ColumnarOption}
    del batch.__wrapped__  # typer must read the new signature, not the original's
    return batch


def add_columnar(app: typer.Typer) -> None:
    """Add ``--columnar`` to ``app``'s ``batch`` command, or register ``batch --columnar`` when it has none."""
    for info in app.registered_commands:
        if (info.name or getattr(info.callback, "__name__", "")) == "batch" and info.callback is not None:
            info.callback = _with_columnar(info.callback)
            return

    @app.command("batch")
    def batch(
        cases: Annotated[Path, typer.Argument(help="Cases: .jsonl, .csv or .parquet.")],
        output: Annotated[Path, typer.Option("-o", "--output", help="Results: .parquet or .csv.")],
        columnar: ColumnarOption = False,
        exact: ExactOption = True,
        rulebook: Annotated[Optional[str], typer.Option("--rulebook", help="Evaluate under this rulebook id.")] = None,
        rules: RulesOption = None,
    ) -> None:
        """Evaluate a whole caseload (only --columnar for now)."""
        if not columnar:
            err.print("batch: only --columnar is available in this build")
            raise typer.Exit(2)
        run_columnar(cases, output, rules, rulebook, exact=exact)
