"""Helpers for tests that break a private copy of the bundled rules (fixture ``rules`` in conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eligibility import RulebookError, load_rulebooks


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the rule file ``path`` by ``new``; fails if ``old`` is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str, after: str | None = None) -> int:
    """The 1-based line of the first ``needle`` in ``path`` (after the first line holding ``after``, if given)."""
    started = after is None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        started = started or (after is not None and after in line)
        if started and needle in line:
            return number
    raise AssertionError(needle)


def load_problems(rules: Path) -> list[str]:
    """The problems (``file:line: reason``) with which loading ``rules`` is refused; fails if it loads."""
    with pytest.raises(RulebookError) as caught:
        load_rulebooks(rules)
    return [str(p) for p in caught.value.problems]
