"""Two small pure-ASGI middlewares: security headers on every response, and a per-key rate limit.

* ``SecurityHeaders`` (outermost) adds ``X-Content-Type-Options: nosniff``
  to every response, problems and static files included, unless the route
  set it already (the web page sets its own CSP, nosniff, no-store). No CORS
  middleware is installed: no response carries ``Access-Control-Allow-*``,
  so browsers refuse cross-origin reads (docs/decisions.md, Security).
* ``RateLimit`` is a token bucket per API key id (per client IP when no key
  is configured or the request carries no valid key). Configured by
  ``ELIGIBILITY_RATE_LIMIT="N/S"`` (N requests per S seconds, bursts of up to
  N); off when unset. Over the limit: 429 problem+json, type
  ``.../problems/rate-limited``, with ``Retry-After`` in whole seconds.
  ``/healthz``, ``/readyz`` and ``/metrics`` are exempt. The key is matched
  like the auth dependency (SHA-256, constant time) and never stored or logged.
"""

from __future__ import annotations

import base64
import binascii
import math
import threading
import time
from collections import OrderedDict

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import problems
from .settings import ApiKey

EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
MAX_BUCKETS = 100_000  # least recently used buckets are dropped beyond this (many client IPs)


class SecurityHeaders:
    """Adds ``X-Content-Type-Options: nosniff`` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"x-content-type-options" for name, _ in headers):
                    headers.append((b"x-content-type-options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class TokenBuckets:
    """Thread-safe token buckets: ``capacity`` tokens, refilled at ``capacity / period`` per second."""

    def __init__(self, capacity: int, period: float, clock=time.monotonic) -> None:  # noqa: ANN001
        self.capacity, self.rate, self.clock = float(capacity), capacity / period, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, bucket: str) -> float:
        """0 when a token was taken; else the seconds until one is available."""
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.pop(bucket, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate
            self._buckets[bucket] = (tokens, now)
            if len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
            return wait


def _presented_secret(headers: Headers) -> str | None:
    header = headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2] or None
        except (binascii.Error, UnicodeDecodeError):
            return None
    return None


class RateLimit:
    """See the module docstring; installed only when a limit is configured."""

    def __init__(self, app: ASGIApp, limit: tuple[int, float], keys: tuple[ApiKey, ...]) -> None:
        self.app = app
        self.keys = keys
        self.buckets = TokenBuckets(*limit)

    def bucket_of(self, scope: Scope) -> str:
        """``key:<id>`` for a valid configured key, else ``ip:<client host>``."""
        if self.keys:
            from .deps import match_key  # deps imports the app's settings; avoid a cycle at import

            secret = _presented_secret(Headers(scope=scope))
            key = match_key(self.keys, secret) if secret else None
            if key is not None:
                return f"key:{key.key_id}"
        client = scope.get("client")
        return f"ip:{client[0] if client else 'unknown'}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(self.bucket_of(scope))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        lang = problems.language(Headers(scope=scope).get("accept-language"))
        body = problems.build("rate-limited", lang, instance=None,
                              request_id=scope.get("state", {}).get("request_id"))
        response = problems.response(body, headers={"Retry-After": str(max(1, math.ceil(wait)))})
        await response(scope, receive, send)
