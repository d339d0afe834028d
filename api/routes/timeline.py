"""POST /v1/decisions/timeline: a case's status per programme over time.

The body is the case object (as for POST /v1/decisions); ``months`` is a
query parameter. The library builds the timeline (``eligibility.history.timeline``);
semantics in its module docstring and docs/decisions.md ("Law over time").
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from eligibility import EligibilityError, Evaluator
from eligibility.history.timeline import Timeline, build_timeline

from .. import examples, problems
from ..deps import KeyId, get_evaluator, read_json_body

router = APIRouter(prefix="/v1", tags=["decisions"], responses=problems.responses(400, 401, 413, 415, 422))

Months = Annotated[int, Query(ge=1, le=120, description="How many months after as_of the timeline covers.")]


@router.post("/decisions/timeline", response_model=Timeline, summary="Status per programme over time",
             openapi_extra=examples.case_body(examples.CASES))
async def timeline(request: Request, key_id: KeyId, evaluator: Annotated[Evaluator, Depends(get_evaluator)],
                   months: Months = 24) -> Response:
    """Each programme's status from as_of for ``months`` months, day-precise, across rulebook boundaries.

    Time-dependent facts advance (sjukpenning days grow by one per calendar
    day); intervals with a constant status are merged. The timeline stops
    early when the benefit ends or the case stops being valid input
    (``stop_reason``, ``stop_text_sv``).
    """
    data = await read_json_body(request)
    try:
        result = build_timeline(evaluator, data, months)
    except EligibilityError:
        raise
    except (ArithmeticError, KeyError, ValueError) as exc:  # as in routes/decisions.py
        raise problems.CaseNotEvaluable(type(exc).__name__) from None
    return Response(result.model_dump_json(), media_type="application/json")
