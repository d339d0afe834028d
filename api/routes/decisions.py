"""POST /v1/decisions, /v1/decisions/batch, /v1/decisions/compare.

A route reads the JSON, calls the library, audits and returns the library's
model. The single-case routes read the raw body and let the library validate
it (``parse_case``), so field errors name the case's own paths
(``benefit.decision_end``) and never echo personal values.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, SkipValidation

from eligibility import Decision, EligibilityError, Evaluator, RulebookNotFoundError
from eligibility.history.compare import DecisionComparison, compare_case
from eligibility.models import Case

from .. import examples, metrics, problems
from ..audit import AuditLog
from ..deps import KeyId, get_audit, get_evaluator, read_json_body
from ..settings import MAX_BATCH

router = APIRouter(prefix="/v1/decisions", tags=["decisions"],
                   responses=problems.responses(400, 401, 404, 413, 415, 422))

RulebookId = Annotated[str | None, Query(max_length=64, description=(
    "Evaluate under this rulebook id instead of the one in force on `as_of` (see GET /v1/rulebooks)."))]
Explain = Annotated[bool, Query(description="false leaves the Swedish texts empty (faster, smaller).")]
Exact = Annotated[bool, Query(description=(
    "true decides what every allowed answer to the unknown facts decides and asks only what can change a "
    "programme, each question with what every answer does (docs/decisions.md 72, 75, 76; the default). "
    "false gives the plain three-valued (Kleene) result: sound and cheaper, but it can leave open what every "
    "answer decides."))]


class BatchRequest(BaseModel):
    """Up to 1 000 cases; each is validated on its own, so one bad case fails only itself."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.BATCH["two_cases"]["value"]]})

    cases: list[SkipValidation[Case]] = Field(min_length=1, max_length=MAX_BATCH)
    explain: bool = Field(True, description="false leaves the Swedish texts empty (faster, smaller).")


class BatchItem(BaseModel):
    """One case's result: its decision, or its own problem."""

    index: int
    decision: Decision | None = None
    error: problems.Problem | None = None


class BatchResponse(BaseModel):
    """Results in input order; ``failed`` counts the items with an error."""

    decided: int
    failed: int
    results: list[BatchItem]


def _decide(evaluator: Evaluator, data: Any, rulebook: str | None, explain: bool) -> Decision:
    try:
        return evaluator.evaluate(data, rulebook, explain=explain)
    except EligibilityError:
        raise
    except Exception as exc:  # noqa: BLE001
        # The core accepted the case but failed on it (e.g. the rule engine
        # rejecting a float such as 1e308). Caused by the input, so 422, never a 500; the exception
        # class is logged as core_failure. See docs/decisions.md (API).
        raise problems.CaseNotEvaluable(type(exc).__name__) from None


def _audit(audit: AuditLog, request: Request, key_id: str, decision: Decision, started: float,
           batch_index: int | None = None) -> None:
    statuses = {pid: p.status.value for pid, p in decision.programmes.items()}
    metrics.count_decision(statuses)
    audit.decision(request_id=request.state.request_id, key_id=key_id, route=request.scope["route"].path,
                   rulebook_id=decision.rulebook.id, rulebook_hash=decision.rulebook.content_hash,
                   programmes=statuses, latency_ms=(time.perf_counter() - started) * 1000, batch_index=batch_index)


def _json(model: BaseModel) -> Response:
    return Response(model.model_dump_json(), media_type="application/json")


@router.post("", response_model=Decision, summary="Decide one case",
             openapi_extra=examples.case_body(examples.CASES))
async def decide(request: Request, key_id: KeyId, evaluator: Annotated[Evaluator, Depends(get_evaluator)],
                 audit: Annotated[AuditLog, Depends(get_audit)], rulebook: RulebookId = None,
                 explain: Explain = True, exact: Exact = True) -> Response:
    """The full decision of the core for one case (the case object is the body).

    Statuses, one record per condition, key dates, questions, the Swedish
    motivering, and the rulebook id and content hash it was decided under.
    """
    data = await read_json_body(request)
    started = time.perf_counter()
    decision = _decide(evaluator.with_exact(exact), data, rulebook, explain)
    _audit(audit, request, key_id, decision, started)
    return _json(decision)


@router.post("/batch", response_model=BatchResponse, summary="Decide up to 1 000 cases",
             openapi_extra={"requestBody": {"content": {"application/json": {"examples": examples.BATCH}}}})
def batch(body: BatchRequest, request: Request, key_id: KeyId,
          evaluator: Annotated[Evaluator, Depends(get_evaluator)], audit: Annotated[AuditLog, Depends(get_audit)],
          rulebook: RulebookId = None) -> Response:
    """Each item gets its decision or its own problem (index + problem); one bad case never fails the others.

    The response is streamed item by item, so memory does not grow with the
    batch; ``decided`` and ``failed`` come last.
    """
    if rulebook is not None and rulebook not in {book.id for book in evaluator.books}:
        raise RulebookNotFoundError("unknown rulebook")
    lang = problems.language(request.headers.get("accept-language"))
    return StreamingResponse(_batch_items(body, request, key_id, evaluator, audit, rulebook, lang),
                             media_type="application/json")


def _batch_items(body: BatchRequest, request: Request, key_id: str, evaluator: Evaluator, audit: AuditLog,
                 rulebook: str | None, lang: str) -> Iterator[str]:
    failed = 0
    yield '{"results":['
    for index, data in enumerate(body.cases):
        started = time.perf_counter()
        comma = "," if index else ""
        try:
            decision = _decide(evaluator, data, rulebook, body.explain)
        except Exception as exc:  # noqa: BLE001 - one case never fails the others, nor the response
            failed += 1
            instance, request_id = f"{request.url.path}#/cases/{index}", request.state.request_id
            if isinstance(exc, EligibilityError):
                error = problems.error_body(exc, lang, instance, request_id)
            else:
                audit.event("unhandled_error", request_id=request_id, route=request.scope["route"].path,
                            error=type(exc).__name__, batch_index=index)
                error = problems.build("internal-error", lang, instance=instance, request_id=request_id)
            metrics.CASE_ERRORS.labels(error["type"].rsplit("/", 1)[-1]).inc()
            yield f'{comma}{{"index":{index},"decision":null,"error":{json.dumps(error)}}}'
            continue
        _audit(audit, request, key_id, decision, started, batch_index=index)
        yield f'{comma}{{"index":{index},"decision":{decision.model_dump_json()},"error":null}}'
    yield f'],"decided":{len(body.cases) - failed},"failed":{failed}}}'


@router.post("/compare", response_model=DecisionComparison, summary="One case under two rulebooks",
             openapi_extra=examples.case_body(examples.COMPARE_CASES))
async def compare(request: Request, key_id: KeyId, evaluator: Annotated[Evaluator, Depends(get_evaluator)],
                  a: Annotated[str, Query(max_length=64, description="First rulebook id", examples=["2008-07-01"])],
                  b: Annotated[str, Query(max_length=64, description="Second rulebook id", examples=["2010-01-01"])],
                  explain: Explain = True) -> Response:
    """Which programme statuses and which conditions differ under rulebooks a and b, and why.

    Each differing condition carries both outcomes, both explanations and the
    facts and parameter values that differ.
    """
    data = await read_json_body(request)
    known = {book.id for book in evaluator.books}
    if a not in known or b not in known:
        raise RulebookNotFoundError("unknown rulebook")
    try:
        comparison = compare_case(evaluator, data, a, b, explain=explain)
    except EligibilityError:
        raise
    except Exception as exc:  # noqa: BLE001 - as in _decide
        raise problems.CaseNotEvaluable(type(exc).__name__) from None
    return _json(comparison)
