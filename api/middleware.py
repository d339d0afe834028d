"""One pure-ASGI middleware around every request: id, limits, metrics, request log.

* gives the request an id (``X-Request-ID`` in the response; always generated
  here, never taken from the client, so no client text reaches the logs),
* rejects bodies over the limit with 413 (by ``Content-Length`` and while
  streaming) and POST bodies that are not JSON with 415 (the web form at
  ``/`` also takes ``application/x-www-form-urlencoded``),
* turns any exception that escaped the app into a 500 problem without a
  stack trace, and logs only the exception class,
* counts a client that disconnects before its body is complete as status
  499 (nginx's "client closed request"), not as a 500: nothing is sent
  after that and no ``unhandled_error`` is logged; the client left, the
  service did not fail,
* counts and times the request by route template and writes the request log.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import metrics, problems
from .audit import AuditLog

_BODY_METHODS = {"POST", "PUT", "PATCH"}
CLIENT_CLOSED_REQUEST = 499  # the status counted and logged for a client that left before its body was complete


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


# The web page (routes/web.py) is the one place that takes an HTML form.
_FORM_PATHS = {"/"}


def _is_form(scope: Scope, content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return scope["path"] in _FORM_PATHS and media == "application/x-www-form-urlencoded"


def route_template(scope: Scope) -> str:
    """The matched route's path template, or ``unmatched``; never the raw path."""
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


class RequestGuard:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, audit: AuditLog) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.audit = audit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = uuid.uuid4().hex
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        headers = Headers(scope=scope)
        lang = problems.language(headers.get("accept-language"))
        sent: dict[str, Any] = {"status": 500, "started": False}
        body: dict[str, bool] = {"complete": False, "client_left": False}

        async def send_with_id(message: Message) -> None:
            if body["client_left"]:
                return  # nobody to send to; an app's answer to the missing body would only be noise
            if message["type"] == "http.response.start":
                sent["status"], sent["started"] = message["status"], True
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body["complete"] = not message.get("more_body", False)
                if received > self.max_body_bytes:
                    raise BodyTooLarge()
            elif message["type"] == "http.disconnect" and not body["complete"]:
                body["client_left"] = True
            return message

        def problem(slug: str, **fmt: Any) -> Any:
            body = problems.build(slug, lang, instance=None, request_id=request_id, **fmt)
            return problems.response(body)

        try:
            rejection = self._precheck(scope, headers)
            if rejection:
                await problem(rejection, limit=self.max_body_bytes)(scope, receive, send_with_id)
            else:
                await self.app(scope, limited_receive, send_with_id)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: no stack trace to the client
            if body["client_left"]:  # ClientDisconnect from reading the body: not a failure of ours
                return
            self.audit.event("unhandled_error", request_id=request_id, route=route_template(scope),
                             error=type(exc).__name__)
            if not sent["started"]:
                slug = "payload-too-large" if isinstance(exc, BodyTooLarge) else "internal-error"
                await problem(slug, limit=self.max_body_bytes)(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - start
            route, method = route_template(scope), scope["method"]
            status = CLIENT_CLOSED_REQUEST if body["client_left"] else sent["status"]
            metrics.REQUESTS.labels(route, method, str(status)).inc()
            metrics.LATENCY.labels(route, method).observe(elapsed)
            self.audit.request(request_id=request_id, key_id=state.get("key_id"), method=method, route=route,
                               status=status, latency_ms=elapsed * 1000)

    def _precheck(self, scope: Scope, headers: Headers) -> str | None:
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            return "payload-too-large"
        has_body = (length is not None and length != "0") or "chunked" in headers.get("transfer-encoding", "")
        content_type = headers.get("content-type")
        if scope["method"] in _BODY_METHODS and has_body and not _is_json(content_type) \
                and not _is_form(scope, content_type):
            return "unsupported-media-type"
        return None
