"""POST /v1/admin/reload: reload rules/ with an admin key (SIGHUP does the same)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from eligibility.decision.store import RulebookStore
from eligibility.rulebooks.diff import RulebookSummary, summarise

from .. import problems
from ..audit import AuditLog
from ..deps import AdminKeyId, get_audit, get_store, reload_rules

router = APIRouter(prefix="/v1/admin", tags=["admin"], responses=problems.responses(401, 403, 422))


class ReloadResult(BaseModel):
    """The rulebooks now in service."""

    reloaded: bool
    reloads: int
    rulebooks: list[RulebookSummary]


@router.post("/reload", response_model=ReloadResult, summary="Reload the rule files")
def reload(_admin: AdminKeyId, store: Annotated[RulebookStore, Depends(get_store)],
           audit: Annotated[AuditLog, Depends(get_audit)]) -> ReloadResult:
    """Load rules/ again. A broken file is rejected (422, file:line in rule_errors); the last good rulebooks keep serving."""
    error = reload_rules(store, audit, "admin")
    if error:
        raise error
    return ReloadResult(reloaded=True, reloads=store.reloads, rulebooks=[summarise(b) for b in store.evaluator.books])
