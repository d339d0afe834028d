"""Load rulebooks from ``rules/``: YAML -> schema -> lint -> ``Rulebook``.

``rules/statutes.yaml`` (the statutes the rules cite, ``statutes.py``) is read first, once; every rule
file is then validated with it, so that a ``lagrum`` naming a statute by id gets its name. A broken file
is rejected with file, line and reason. ``RulebookStore``
(decision/store.py) keeps the last good set when a reload fails, so a service keeps answering.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import CaseError, FieldProblem, RuleProblem, RulebookError, RulebookNotFoundError
from .rulebook import Rulebook
from .schema import RULE_FILES, RulebookMeta
from .statutes import STATUTES_FILE, StatutesFile, StatuteTable
from .yaml_source import Lines, line_of, parse_yaml_with_lines, read_rule_bytes

RULES_ENV = "ELIGIBILITY_RULES_DIR"

OnRead = Callable[[Path, bytes], None]
"""A test hook called right after a rule file's bytes are read, before they are parsed."""


def default_rules_dir() -> Path:
    """``$ELIGIBILITY_RULES_DIR``, else ``rules/`` of the source checkout."""
    configured = os.environ.get(RULES_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "rules"


def content_hash(contents: Mapping[str, bytes]) -> str:
    """SHA-256 over the rule files' names and bytes, in a fixed order.

    Takes the bytes that were parsed, never a second read of the files: a
    file replaced during a reload must not give one version's rules the
    other version's hash.
    """
    digest = hashlib.sha256()
    for name in sorted(RULE_FILES):
        if name in contents:
            digest.update(name.encode() + b"\0" + contents[name] + b"\0")
    return digest.hexdigest()


def _shown(path: Path, root: Path) -> str:
    try:
        return str(Path(root.name) / path.relative_to(root))
    except ValueError:
        return str(path)


def _resolved(loc: tuple[Any, ...], lines: Lines) -> tuple[Any, ...]:
    """``loc`` with the keys pydantic spelled by ``repr`` (dates) mapped back to the YAML keys.

    pydantic reports a non-string dict key as ``'datetime.date(2008, 7, 1)'``;
    the key itself names the line of the value and reads as ``2008-07-01``.
    """
    resolved: list[Any] = []
    for part in loc:
        path = (*resolved, part)
        if path not in lines and isinstance(part, str):
            depth = len(resolved) + 1
            for key in lines:
                if len(key) == depth and key[:-1] == tuple(resolved) and repr(key[-1]) == part:
                    path = key
                    break
        resolved = list(path)
    return tuple(resolved)


def _validate(model: type[BaseModel], data: Any, lines: Lines, shown: str,
              prefix: tuple[Any, ...] = (), context: dict[str, Any] | None = None) -> tuple[Any, list[RuleProblem]]:
    try:
        return model.model_validate(data, context=context), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = _resolved((*prefix, *err["loc"]), lines)
            where = ".".join(str(part) for part in loc) or "(file)"
            reason = err["msg"].removeprefix("Value error, ")  # our own validators' messages read as they are
            problems.append(RuleProblem(shown, line_of(lines, loc), f"{where}: {reason}"))
        return None, problems


def load_statutes(root: Path, on_read: OnRead | None = None) -> StatuteTable:
    """Read and schema-check ``root/statutes.yaml``; a missing or broken one is a ``RulebookError`` (file:line)."""
    path = root / STATUTES_FILE
    shown = _shown(path, root)
    if not path.exists():
        raise RulebookError([RuleProblem(shown, None, "file is missing (the table of statutes the rule files cite)")])
    raw = read_rule_bytes(path, shown)
    if on_read is not None:
        on_read(path, raw)
    data, lines = parse_yaml_with_lines(raw, shown)
    table, problems = _validate(StatutesFile, data, lines, shown)
    if problems:
        raise RulebookError(problems)
    return StatuteTable(table.statutes, table.documents, shown, hashlib.sha256(raw).hexdigest(), lines)


def load_rulebook(directory: Path, root: Path | None = None, on_read: OnRead | None = None,
                  statutes: StatuteTable | None = None) -> Rulebook:
    """Load and schema-check one rulebook directory (lint is separate: ``lint.py``).

    Each file is read once; its content hash is taken from those bytes. ``statutes``: the table its
    ``lagrum`` entries name (by default ``statutes.yaml`` beside the rulebook directories).
    """
    root = root or directory.parent
    statutes = statutes or load_statutes(root, on_read)
    context = statutes.context()
    problems: list[RuleProblem] = []
    parts: dict[str, Any] = {}
    all_lines: dict[str, Lines] = {}
    contents: dict[str, bytes] = {}
    for name, model in RULE_FILES.items():
        path = directory / name
        shown = _shown(path, root)
        if not path.exists():
            problems.append(RuleProblem(shown, None, "file is missing"))
            continue
        try:
            raw = read_rule_bytes(path, shown)
            contents[name] = raw
            if on_read is not None:
                on_read(path, raw)
            data, lines = parse_yaml_with_lines(raw, shown)
        except RulebookError as exc:
            problems.extend(exc.problems)
            continue
        all_lines[name] = lines
        if model is RulebookMeta:
            parts[name], found = _validate(model, data, lines, shown, context=context)
        elif not isinstance(data, dict):
            parts[name], found = None, [RuleProblem(shown, 1, "expected a mapping of id -> definition")]
        else:
            parts[name], found = {}, []
            for item_id, item in data.items():
                value, item_problems = _validate(model, item, lines, shown, (item_id,), context)
                found += item_problems
                if not isinstance(item_id, str):
                    found.append(RuleProblem(shown, lines.get((item_id,)), f"id {item_id!r} must be a string"))
                parts[name][item_id] = value
        problems.extend(found)
    if problems:
        raise RulebookError(problems)
    return Rulebook(
        meta=parts["rulebook.yaml"],
        parameters=parts["parameters.yaml"],
        conditions=parts["conditions.yaml"],
        target_groups=parts["target_groups.yaml"],
        programmes=parts["programmes.yaml"],
        content_hash=content_hash(contents),
        directory=_shown(directory, root),
        lines=all_lines,
        statutes=statutes,
    )


def load_rulebooks(rules_dir: Path | None = None, on_read: OnRead | None = None) -> list[Rulebook]:
    """Load, schema-check and lint every rulebook under ``rules_dir``, sorted by start.

    Raises ``RulebookError`` with every problem found in any file. ``on_read``
    is a test hook (see ``OnRead``).
    """
    from .lint import lint_rulebooks  # lint imports the kinds; keep loader light

    root = rules_dir or default_rules_dir()
    if not root.is_dir():
        raise RulebookError([RuleProblem(str(root), None, "rules directory does not exist")])
    statutes = load_statutes(root, on_read)  # every rule file needs it: a broken one stops here
    books: list[Rulebook] = []
    problems: list[RuleProblem] = []
    try:
        directories = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError as exc:
        reason = f"cannot list the rules directory ({exc.strerror})"
        raise RulebookError([RuleProblem(str(root), None, reason)]) from None
    for directory in directories:
        try:
            books.append(load_rulebook(directory, root, on_read, statutes))
        except RulebookError as exc:
            problems.extend(exc.problems)
    if not books and not problems:
        problems.append(RuleProblem(str(root), None, "no rulebook directories found"))
    if problems:
        raise RulebookError(problems)
    books.sort(key=lambda book: book.valid_from)
    lint_problems = lint_rulebooks(books)
    if lint_problems:
        raise RulebookError(lint_problems)
    return books


def select_rulebook(books: list[Rulebook], on: date, rulebook_id: str | None = None) -> Rulebook:
    """The rulebook named ``rulebook_id``, or the one in force on ``on``."""
    if rulebook_id is not None:
        for book in books:
            if book.id == rulebook_id:
                return book
        known = ", ".join(book.id for book in books)
        raise RulebookNotFoundError(f"rulebook '{rulebook_id}' does not exist (known: {known})")
    for book in books:
        if book.covers(on):
            return book
    first = books[0].valid_from if books else None
    raise RulebookNotFoundError(f"no rulebook is in force on {on} (the first starts {first})")


def case_rulebook(books: list[Rulebook], on: date, rulebook_id: str | None = None) -> Rulebook:
    """The rulebook named, or in force on ``on``; a date outside every period is a case error (on ``as_of``)."""
    try:
        return select_rulebook(books, on, rulebook_id)
    except RulebookNotFoundError:
        if rulebook_id is not None:
            raise
        first, last = books[0].valid_from, books[-1].valid_to
        period = f"{first} – {last}" if last else f"on or after {first}"
        raise CaseError([FieldProblem("as_of", f"a date covered by a rulebook ({period})", None,
                                      "no_rulebook_in_force")]) from None
