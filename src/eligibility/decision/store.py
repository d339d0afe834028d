"""Holds the rulebooks a long-running process serves, and reloads them safely.

A reload builds a complete new ``Evaluator`` first, decides the canary cases
with it (rulebooks/canary.py) and swaps it in with one assignment; if any rule file is
broken, or the canaries fail, the old one keeps serving and the error
(file:line: reason) is returned to the caller and kept as ``last_error``
until a later reload succeeds. No failure of a reload escapes as anything
but a ``RulebookError``: a SIGHUP reload runs in a thread where an exception
would vanish.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from ..errors import RuleProblem, RulebookError
from ..rulebooks.canary import checked_evaluator
from ..rulebooks.loader import OnRead, default_rules_dir
from .evaluator import Evaluator

_log = logging.getLogger(__name__)


class RulebookStore:
    """The evaluator in service; ``reload`` never leaves it half-updated."""

    def __init__(self, rules_dir: Path | None = None, backend: str = "engine",
                 on_read: OnRead | None = None) -> None:
        self.rules_dir = rules_dir
        self.backend = backend
        self.on_read = on_read
        self._lock = threading.Lock()
        self.evaluator: Evaluator = checked_evaluator(rules_dir, backend, on_read)  # type: ignore[arg-type]
        self.reloads = 0
        self.last_error: RulebookError | None = None

    def reload(self) -> RulebookError | None:
        """Load rules again; on success swap them in, on failure keep the old ones and return the error."""
        with self._lock:
            try:
                fresh = checked_evaluator(self.rules_dir, self.backend, self.on_read)  # type: ignore[arg-type]
            except RulebookError as exc:
                self.last_error = exc
                return exc
            except Exception as exc:  # noqa: BLE001 - a defect, but the last good rules must keep serving
                _log.exception("rule reload failed unexpectedly; the last good rulebooks keep serving")
                error = RulebookError([RuleProblem(str(self.rules_dir or default_rules_dir()), None,
                                                   f"the rules could not be loaded ({type(exc).__name__})")])
                self.last_error = error
                return error
            self.evaluator = fresh
            self.reloads += 1
            self.last_error = None
            return None
