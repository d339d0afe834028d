"""Builds the FastAPI app: routers, the request guard, one error translation.

Every error leaves as RFC 9457 ``application/problem+json``: library errors by
their stable ``.code``, FastAPI's validation errors and HTTP errors by status.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from eligibility import EligibilityError
from eligibility.decision.store import RulebookStore

from . import metrics, problems
from .audit import AuditLog
from .deps import reload_rules
from .middleware import RequestGuard
from .security import RateLimit, SecurityHeaders
from fastapi.staticfiles import StaticFiles

from .routes import admin, decisions, docs, health, pdf, rulebooks, timeline, web
from .settings import Settings

DESCRIPTION = """Rules-as-code eligibility for the cooperation between Försäkringskassan and
Arbetsförmedlingen: handlingsplansamverkan, arbetslivsintroduktion, prövning av varaktig
sjukersättning. Decisions are explained in Swedish and name the rulebook (id + SHA-256 hash)
they were made under. Errors are RFC 9457 problem+json. See docs/api.md."""


WEB_STATIC = Path(__file__).parent / "web" / "static"


def _context(request: Request) -> tuple[str, str | None, str | None]:
    lang = problems.language(request.headers.get("accept-language"))
    # The route template, never the raw path: a path segment may be personal data (docs/decisions.md, Security).
    return lang, getattr(request.scope.get("route"), "path", None), getattr(request.state, "request_id", None)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    return ".".join(parts) or "(request)"


async def _eligibility_error(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, EligibilityError)
    lang, instance, request_id = _context(request)
    body = problems.error_body(exc, lang, instance, request_id)
    if isinstance(exc, problems.CaseNotEvaluable):
        request.app.state.audit.event("core_failure", request_id=request_id, error=exc.message)
    if body["status"] == 422:
        metrics.CASE_ERRORS.labels(body["type"].rsplit("/", 1)[-1]).inc()
    return problems.response(body)


async def _validation_error(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, RequestValidationError)
    lang, instance, request_id = _context(request)
    errors = list(exc.errors())
    if any(err.get("type") == "json_invalid" for err in errors):
        return problems.response(problems.build("malformed-json", lang, instance=instance, request_id=request_id))
    # Never echo the input: it may hold a personnummer.
    fields = [{"field": _field(err.get("loc", ())), "expected": str(err.get("msg", "")), "found": None,
               "code": str(err.get("type", "invalid"))} for err in errors]
    return problems.response(problems.build("request-invalid", lang, instance=instance, request_id=request_id,
                                            errors=fields))


async def _http_error(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, StarletteHTTPException)
    lang, instance, request_id = _context(request)
    slug = problems.TYPE_OF_STATUS.get(exc.status_code, "internal-error" if exc.status_code >= 500 else "not-found")
    body = problems.build(slug, lang, instance=instance, request_id=request_id,
                          limit=request.app.state.settings.max_body_bytes)
    body["status"] = exc.status_code
    return problems.response(body, headers=getattr(exc, "headers", None))


def _log_failed_reload(done: "asyncio.Future[Any]") -> None:
    """Log an exception of a SIGHUP reload, which runs in a thread where it would vanish.

    The store returns broken rules as a ``RulebookError``; this only catches defects.
    """
    if not done.cancelled() and done.exception() is not None:
        logging.getLogger("api").error("SIGHUP reload failed", exc_info=done.exception())


def _lifespan(settings: Settings):  # noqa: ANN202
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.handle_sighup:
            loop = asyncio.get_running_loop()

            def on_sighup() -> None:
                done = loop.run_in_executor(None, reload_rules, app.state.store, app.state.audit, "SIGHUP")
                done.add_done_callback(_log_failed_reload)

            loop.add_signal_handler(signal.SIGHUP, on_sighup)
        yield

    return lifespan


def create_app(settings: Settings | None = None, store: RulebookStore | None = None,
               audit: AuditLog | None = None) -> FastAPI:
    """The app; rulebooks are loaded here, so a broken rules/ fails at start, not at first request."""
    settings = settings or Settings.from_env()
    app = FastAPI(title="Eligibility API (FK/AF samverkan)", version="1.0.0", description=DESCRIPTION,
                  docs_url=None, redoc_url=None,  # served from the package by routes/docs.py, never a CDN
                  lifespan=_lifespan(settings))
    app.state.settings = settings
    app.state.store = store or RulebookStore(settings.rules_dir)
    app.state.audit = audit or AuditLog()
    for router in (decisions.router, pdf.router, timeline.router, rulebooks.router, admin.router, health.router,
                   web.router, docs.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=WEB_STATIC), name="static")
    app.mount(docs.ASSETS_URL, docs.assets(), name="docs-assets")
    app.add_exception_handler(EligibilityError, _eligibility_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    if settings.rate_limit:
        app.add_middleware(RateLimit, limit=settings.rate_limit, keys=settings.keys)
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_body_bytes, audit=app.state.audit)
    app.add_middleware(SecurityHeaders)
    return app
