"""GET /healthz, /readyz, /metrics: no key needed, no case data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from eligibility.decision.store import RulebookStore
from eligibility.rulebooks.diff import RulebookSummary, summarise

from .. import metrics
from ..deps import get_store

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The process is alive."""

    status: str = "ok"


class Readiness(BaseModel):
    """Rulebooks in service; a failed reload is reported while the last good ones keep serving."""

    status: str
    rulebooks: list[RulebookSummary]
    reloads: int
    last_reload_error: list[str] | None = None


@router.get("/healthz", response_model=Health, summary="Liveness")
def healthz() -> Health:
    """Always 200 while the process answers."""
    return Health()


@router.get("/readyz", response_model=Readiness, summary="Readiness: rulebooks loaded")
def readyz(store: Annotated[RulebookStore, Depends(get_store)]) -> Readiness:
    """The rulebooks being served, their ids and content hashes, and the last reload error if any."""
    error = store.last_error
    return Readiness(status="ready", rulebooks=[summarise(b) for b in store.evaluator.books], reloads=store.reloads,
                     last_reload_error=[str(p) for p in error.problems] if error else None)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
def prometheus() -> Response:
    """Request counts and latency by route and status, decisions by programme and status, reloads."""
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)
