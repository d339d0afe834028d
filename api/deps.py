"""Shared dependencies: the rulebook store, the audit log, and API-key auth.

Keys are checked by SHA-256 digest with ``hmac.compare_digest`` against every
configured key (no early exit), so timing does not tell which key was close.
"""

from __future__ import annotations

import hashlib
import json
import hmac
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from eligibility import Evaluator, RulebookError
from eligibility.decision.store import RulebookStore

from . import metrics
from .audit import AuditLog
from .settings import ApiKey, Settings

ANONYMOUS = "anonymous"
_bearer = HTTPBearer(auto_error=False, description="An API key: 'Authorization: Bearer <key>'. "
                     "Needed on every /v1 route when the server has keys configured.")


# Dependencies are ``async def`` although they do not await: FastAPI runs a
# plain ``def`` dependency in the thread pool, a thread hop per dependency per
# request (measured: about half of the API's own overhead per decision).


async def read_json_body(request: Request) -> Any:
    """The request body parsed as JSON; malformed or absurdly nested JSON is a 400, never a 500."""
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise HTTPException(400) from None


async def get_store(request: Request) -> RulebookStore:
    """The process's rulebook store (one per app)."""
    return request.app.state.store


async def get_evaluator(request: Request) -> Evaluator:
    """The evaluator in service now; read once per request so a reload never splits one."""
    return request.app.state.store.evaluator


async def get_audit(request: Request) -> AuditLog:
    """The audit log."""
    return request.app.state.audit


def match_key(keys: tuple[ApiKey, ...], secret: str) -> ApiKey | None:
    """The configured key whose digest equals the secret's, compared in constant time."""
    digest = hashlib.sha256(secret.encode()).hexdigest()
    found = None
    for key in keys:
        if hmac.compare_digest(digest, key.sha256):
            found = key
    return found


def _authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> ApiKey | None:
    settings: Settings = request.app.state.settings
    if not settings.auth_enabled:
        request.state.key_id = ANONYMOUS
        return None
    key = match_key(settings.keys, credentials.credentials) if credentials else None
    if key is None:
        raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
    request.state.key_id = key.key_id
    return key


async def require_key(request: Request,
                credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    """The caller's key id; 401 when keys are configured and none valid was sent."""
    key = _authenticate(request, credentials)
    return key.key_id if key else ANONYMOUS


async def require_admin(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    """An admin key id; 401 without a valid key, 403 with a key that is not admin.

    Without any configured key the server is loopback-only and admin is open.
    """
    key = _authenticate(request, credentials)
    if key is not None and not key.admin:
        raise HTTPException(403)
    return key.key_id if key else ANONYMOUS


KeyId = Annotated[str, Depends(require_key)]
AdminKeyId = Annotated[str, Depends(require_admin)]


def reload_rules(store: RulebookStore, audit: AuditLog, trigger: str) -> RulebookError | None:
    """Reload the rule files; the last good rulebooks keep serving on failure. Counted and logged."""
    error = store.reload()
    outcome = "failure" if error else "success"
    metrics.RELOADS.labels(outcome).inc()
    books = [{"id": b.id, "content_hash": b.content_hash} for b in store.evaluator.books]
    audit.event("rulebook_reload", trigger=trigger, outcome=outcome, rulebooks=books,
                problems=[str(p) for p in error.problems] if error else [])
    return error
