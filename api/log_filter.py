"""Rate-limiting of identical log lines, and the server's logging configuration that uses it.

When a process runs out of file descriptors, asyncio logs "socket.accept() out
of system resource" with a traceback up to ``backlog`` times per accept attempt
(CPython 3.11); in the issue-14 run that was 240 MB of log in 35 s, which
fills a disk and buries everything else. ``RepeatFilter`` lets the first few
records with the same text through per interval, drops the rest and says how
many it dropped.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from uvicorn.config import LOGGING_CONFIG


class RepeatFilter(logging.Filter):
    """Passes at most ``burst`` records with the same logger, level and text per ``interval`` seconds.

    The last record let through before dropping starts says so; the first one
    after the interval says how many were suppressed in it. Memory is bounded:
    at most ``max_keys`` different texts are tracked (the oldest is forgotten).
    """

    def __init__(self, burst: int = 5, interval: float = 10.0, max_keys: int = 256,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.burst, self.interval, self.max_keys, self.clock = burst, interval, max_keys, clock
        # key -> [window start, records seen in the window, records suppressed in the window]
        self._windows: dict[tuple[str, int, str], list[float]] = {}
        self._lock = threading.Lock()  # the loop thread and executor threads (reload) both log

    def filter(self, record: logging.LogRecord) -> bool:
        """True to emit ``record`` (possibly with a note appended), False to drop it."""
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed log call must still be logged (by the handler), not raise here
            text = str(record.msg)
        with self._lock:
            return self._count(record, (record.name, record.levelno, text))

    def _count(self, record: logging.LogRecord, key: tuple[str, int, str]) -> bool:
        now = self.clock()
        window = self._windows.get(key)
        note = ""
        if window is None or now - window[0] >= self.interval:
            if window is not None and window[2]:
                note = f" [{int(window[2])} identical messages suppressed in the previous {self.interval:g} s]"
            self._windows.pop(key, None)
            if len(self._windows) >= self.max_keys:
                self._windows.pop(next(iter(self._windows)))
            window = self._windows[key] = [now, 0, 0]
        window[1] += 1
        if window[1] > self.burst:
            window[2] += 1
            return False
        if window[1] == self.burst:
            note += f" [further identical messages suppressed for {self.interval:g} s]"
        if note:
            record.msg, record.args = key[2] + note, None
        return True


def logging_config(burst: int = 5, interval: float = 10.0) -> dict[str, Any]:
    """Uvicorn's logging configuration with ``RepeatFilter`` on every handler, asyncio's logger included.

    asyncio logs to the root logger, which uvicorn leaves without a handler
    (Python's last-resort handler then prints it, unfiltered); here it goes to
    uvicorn's stderr handler like every other server message.
    """
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["repeat"] = {"()": RepeatFilter, "burst": burst, "interval": interval}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("repeat")
    config["loggers"]["asyncio"] = {"handlers": ["default"], "level": "WARNING", "propagate": False}
    return config
