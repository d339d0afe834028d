"""Helpers for tests that break a private copy of the bundled rules (fixture ``rules`` in conftest.py)."""

from __future__ import annotations

from pathlib import Path


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the rule file ``path`` by ``new``; fails if ``old`` is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
