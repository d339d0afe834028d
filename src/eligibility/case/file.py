"""Reading one case file (YAML or JSON) for ``check`` and ``timeline``: a clear error, never a traceback.

Every way a file can fail to be a case (unreadable, too large, not UTF-8, a
YAML or JSON syntax error, nesting too deep, a number too long to convert)
becomes a ``CaseFileError`` naming the file and, where known, line and column
and the kind of error. The text never quotes the file: PyYAML's own message
shows the offending line, which may hold a personnummer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import CaseFileError, FieldProblem, FileProblem
from ..rulebooks.yaml_source import Lines, line_of
from .yaml_loader import MAX_DEPTH, CaseYamlError, load_case_yaml

MAX_CASE_FILE_BYTES = 1_000_000  # a case is well under 1 kB
_QUOTED = re.compile(r"'[^']{9,}'|\"[^\"]{9,}\"")  # a long quoted part of a parser message is file content
_LONG_NUMBER = re.compile(r"[0-9]{4000,}")


@dataclass(frozen=True)
class CaseFile:
    """A parsed case file: the raw data (for the contract) and the line of each key (YAML only)."""

    path: Path
    data: Any
    lines: Lines = field(default_factory=dict)

    def where(self, problem: FieldProblem) -> str:
        """``file:line`` of a field problem's path (the nearest key that has a line), or just the file."""
        parts = tuple(problem.field.split("."))
        line = line_of(self.lines, parts) if self.lines else None
        return f"{self.path}:{line}" if line and line_of(self.lines, parts[:1]) else str(self.path)


def read_case_file(path: Path) -> CaseFile:
    """Read ``path`` as a case: JSON when it ends in ``.json``, YAML (case_yaml) otherwise.

    Raises:
        CaseFileError: when the file cannot be read or parsed; the contract is not checked here.
    """
    shown = str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CASE_FILE_BYTES + 1)
    except OSError as exc:
        raise _error(shown, f"cannot read ({exc.strerror or type(exc).__name__})") from None
    if len(raw) > MAX_CASE_FILE_BYTES:
        raise _error(shown, f"file is larger than {MAX_CASE_FILE_BYTES} bytes; a case file holds one case")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start].decode("utf-8-sig")   # valid up to the first bad byte
        line, column = _position(before, len(before))
        raise _error(shown, "not UTF-8 (save the file as UTF-8)", line, column) from None
    if path.suffix.lower() == ".json":
        return CaseFile(path, _parse_json(text, shown))
    data, lines = _parse_yaml(text, shown)
    return CaseFile(path, data, lines)


def _parse_json(text: str, shown: str) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _error(shown, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise _error(shown, f"not a case: nested more than {MAX_DEPTH} levels deep") from None
    except ValueError:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        match = _LONG_NUMBER.search(text)
        line, column = _position(text, match.start()) if match else (None, None)
        raise _error(shown, "not a case: a number is too long to read", line, column) from None
    if _depth(data) > MAX_DEPTH:
        raise _error(shown, f"not a case: nested more than {MAX_DEPTH} levels deep")
    return data


def _parse_yaml(text: str, shown: str) -> tuple[Any, Lines]:
    try:
        return load_case_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        what = "not a case" if isinstance(exc, CaseYamlError) else "not valid YAML"
        raise _error(shown, f"{what}: {_kind(exc.problem or exc.context)}", line, column) from None
    except yaml.reader.ReaderError as exc:  # a control character: position only, never the text
        line, column = _position(text, exc.position)
        raise _error(shown, "not valid YAML: a control character that YAML does not allow", line, column) from None
    except yaml.YAMLError as exc:
        raise _error(shown, f"not valid YAML ({type(exc).__name__})") from None


def _kind(problem: str | None) -> str:
    """The parser's description of the problem, with any long quoted file content left out."""
    return _QUOTED.sub("'…'", problem or "syntax error")


def _depth(data: Any) -> int:
    """Nesting depth of parsed JSON, without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return deepest


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of the character at ``offset``."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _error(shown: str, reason: str, line: int | None = None, column: int | None = None) -> CaseFileError:
    return CaseFileError(FileProblem(shown, line, column, reason))
