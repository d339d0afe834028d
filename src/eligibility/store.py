"""Holds the rulebooks a long-running process serves, and reloads them safely.

A reload builds a complete new ``Evaluator`` first and swaps it in with one
assignment; if any rule file is broken the old one keeps serving and the
error (file:line: reason) is returned to the caller.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .decide import Evaluator
from .errors import RulebookError
from .loader import load_rulebooks


class RulebookStore:
    """The evaluator in service; ``reload`` never leaves it half-updated."""

    def __init__(self, rules_dir: Path | None = None, backend: str = "engine") -> None:
        self.rules_dir = rules_dir
        self.backend = backend
        self._lock = threading.Lock()
        self.evaluator = Evaluator(load_rulebooks(rules_dir), backend)  # type: ignore[arg-type]
        self.reloads = 0
        self.last_error: RulebookError | None = None

    def reload(self) -> RulebookError | None:
        """Load rules again; on success swap them in, on failure keep the old ones and return the error."""
        with self._lock:
            try:
                fresh = Evaluator(load_rulebooks(self.rules_dir), self.backend)  # type: ignore[arg-type]
            except RulebookError as exc:
                self.last_error = exc
                return exc
            self.evaluator = fresh
            self.reloads += 1
            self.last_error = None
            return None
