"""Audit and request log: structlog, one JSON object per line.

One ``decision`` entry per decided case (request id, key id, rulebook id and
hash, programme statuses, latency) and one ``request`` entry per request
(route template, status, latency). Neither ever holds case data: no request
body, no raw path or query string, no personnummer, name or birth date. As a
second line of defence the ``_drop_personal`` processor removes any field
whose name is personal before rendering.
"""

from __future__ import annotations

import sys
from typing import IO, Any

import structlog

_PERSONAL_KEYS = frozenset({"personnummer", "birth_date", "name", "person", "case", "body", "cases"})


def _drop_personal(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    for key in _PERSONAL_KEYS & event.keys():
        event[key] = "[removed]"
    return event


class AuditLog:
    """Writes JSON lines to ``stream`` (default stdout)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout
        self._log = structlog.wrap_logger(
            structlog.WriteLogger(self.stream),
            processors=[_drop_personal, structlog.processors.TimeStamper(fmt="iso", utc=True, key="ts"),
                        structlog.processors.JSONRenderer(sort_keys=False)],
            wrapper_class=structlog.make_filtering_bound_logger(0),
        )

    def decision(self, *, request_id: str, key_id: str, route: str, rulebook_id: str, rulebook_hash: str,
                 programmes: dict[str, str], latency_ms: float, batch_index: int | None = None) -> None:
        """Record one decided case."""
        extra = {} if batch_index is None else {"batch_index": batch_index}
        self._log.info("decision", request_id=request_id, key_id=key_id, route=route, rulebook_id=rulebook_id,
                       rulebook_hash=rulebook_hash, programmes=programmes, latency_ms=round(latency_ms, 3), **extra)

    def request(self, *, request_id: str, key_id: str | None, method: str, route: str, status: int,
                latency_ms: float) -> None:
        """Record one request by its route template (never the raw path or query)."""
        self._log.info("request", request_id=request_id, key_id=key_id, method=method, route=route,
                       status=status, latency_ms=round(latency_ms, 3))

    def event(self, name: str, **fields: Any) -> None:
        """Record an operational event (reload, start, core failure)."""
        self._log.info(name, **fields)
