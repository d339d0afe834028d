"""Load rulebooks from ``rules/``: YAML -> schema -> lint -> ``Rulebook``.

A broken file is rejected with file, line and reason. ``RulebookStore``
(store.py) keeps the last good set when a reload fails, so a service keeps answering.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import RuleProblem, RulebookError, RulebookNotFoundError
from .rule_schema import RULE_FILES, RulebookMeta
from .rulebook import Rulebook
from .yaml_source import Lines, line_of, read_yaml_with_lines

RULES_ENV = "ELIGIBILITY_RULES_DIR"


def default_rules_dir() -> Path:
    """``$ELIGIBILITY_RULES_DIR``, else ``rules/`` of the source checkout."""
    configured = os.environ.get(RULES_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "rules"


def content_hash(directory: Path) -> str:
    """SHA-256 over the rule files' names and bytes, in a fixed order."""
    digest = hashlib.sha256()
    for name in sorted(RULE_FILES):
        path = directory / name
        if path.exists():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _shown(path: Path, root: Path) -> str:
    try:
        return str(Path(root.name) / path.relative_to(root))
    except ValueError:
        return str(path)


def _validate(model: type[BaseModel], data: Any, lines: Lines, shown: str,
              prefix: tuple[Any, ...] = ()) -> tuple[Any, list[RuleProblem]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = (*prefix, *err["loc"])
            where = ".".join(str(part) for part in loc) or "(file)"
            problems.append(RuleProblem(shown, line_of(lines, loc), f"{where}: {err['msg']}"))
        return None, problems


def load_rulebook(directory: Path, root: Path | None = None) -> Rulebook:
    """Load and schema-check one rulebook directory (lint is separate: ``lint.py``)."""
    root = root or directory.parent
    problems: list[RuleProblem] = []
    parts: dict[str, Any] = {}
    all_lines: dict[str, Lines] = {}
    for name, model in RULE_FILES.items():
        path = directory / name
        shown = _shown(path, root)
        if not path.exists():
            problems.append(RuleProblem(shown, None, "file is missing"))
            continue
        try:
            data, lines = read_yaml_with_lines(path, shown)
        except RulebookError as exc:
            problems.extend(exc.problems)
            continue
        all_lines[name] = lines
        if model is RulebookMeta:
            parts[name], found = _validate(model, data, lines, shown)
        elif not isinstance(data, dict):
            parts[name], found = None, [RuleProblem(shown, 1, "expected a mapping of id -> definition")]
        else:
            parts[name], found = {}, []
            for item_id, item in data.items():
                value, item_problems = _validate(model, item, lines, shown, (item_id,))
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
        content_hash=content_hash(directory),
        directory=_shown(directory, root),
        lines=all_lines,
    )


def load_rulebooks(rules_dir: Path | None = None) -> list[Rulebook]:
    """Load, schema-check and lint every rulebook under ``rules_dir``, sorted by start.

    Raises ``RulebookError`` with every problem found in any file.
    """
    from .lint import lint_rulebooks  # lint imports the kinds; keep loader light

    root = rules_dir or default_rules_dir()
    if not root.is_dir():
        raise RulebookError([RuleProblem(str(root), None, "rules directory does not exist")])
    books: list[Rulebook] = []
    problems: list[RuleProblem] = []
    for directory in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            books.append(load_rulebook(directory, root))
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
