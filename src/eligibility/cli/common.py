"""What every command shares: the consoles, the ``--rules`` option, error printing, reading a case file.

Errors are printed as ``file:line: reason`` or ``field: expected ..., found
...`` with a non-zero exit code, never as a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Annotated, NoReturn, Optional

import typer
from rich.console import Console

from ..case.file import CaseFile, read_case_file
from ..errors import MAX_SHOWN_PROBLEMS, CaseFileError, EligibilityError, FieldProblem

class _Terminal:
    """A console made when it is used, so each command sees the terminal (and ``COLUMNS``) it runs in.

    A ``rich.Console`` made at import freezes ``COLUMNS`` as it was then: a test runner that invokes
    commands with different widths in one process would get the first one's width for all.
    """

    def __init__(self, **options: Any) -> None:
        self._options = options

    def print(self, *objects: Any, **kwargs: Any) -> None:
        Console(**self._options).print(*objects, **kwargs)

    @property
    def width(self) -> int:
        return Console(**self._options).width

    def console(self) -> Console:
        """A console for this command (a progress bar holds on to one while it runs)."""
        return Console(**self._options)


out = _Terminal()
err = _Terminal(stderr=True, soft_wrap=True)

RulesOption = Annotated[Optional[Path], typer.Option("--rules", help="Rules directory (default: bundled rules/).")]
ExactOption = Annotated[bool, typer.Option("--exact/--no-exact", help=(
    "Decide what every allowed answer to the unknown facts decides (the default; docs/decisions.md 72, 75, 76). "
    "--no-exact: the plain three-valued result, sound and cheaper, but it can leave open what every answer decides."))]


def _fail(exc: EligibilityError, code: int = 1, case: CaseFile | None = None) -> NoReturn:
    """Print the error's code and its problems (at most MAX_SHOWN_PROBLEMS), then exit with ``code``.

    With ``case`` given, each field problem is prefixed with ``file:line`` of its field. A field problem is
    followed by what to write, in Swedish (``problem_sv``), on its own indented line.
    """
    from ..decision.texts_sv import problem_sv

    err.print(f"[bold red]{exc.code}[/]")
    problems = getattr(exc, "problems", None) or [exc.message]
    for problem in problems[:MAX_SHOWN_PROBLEMS]:
        where = f"{case.where(problem)}: " if case is not None and isinstance(problem, FieldProblem) else ""
        err.print(f"  {where}{problem}", markup=False, highlight=False)
        if isinstance(problem, FieldProblem):
            err.print(f"      {problem_sv(problem.code, problem.expected, problem.field)}", markup=False,
                      highlight=False)
    if len(problems) > MAX_SHOWN_PROBLEMS:
        err.print(f"  ... and {len(problems) - MAX_SHOWN_PROBLEMS} more problems", markup=False, highlight=False)
    raise typer.Exit(code)


def _read_case(path: Path, as_of: str | None = None) -> CaseFile:
    """The case in ``path`` (YAML or JSON, see case/file.py), with ``as_of`` overridden when given.

    A file that cannot be read as a case exits 2 with file, line and column, never a traceback.
    """
    try:
        case = read_case_file(path)
    except CaseFileError as exc:
        _fail(exc, code=2)
    if as_of is not None and isinstance(case.data, dict):
        case.data["as_of"] = as_of
    return case
