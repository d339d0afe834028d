"""GET /v1/rulebooks, /v1/rulebooks/{id}, /v1/rulebooks/{a}/diff/{b}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from eligibility import Evaluator, Rulebook, RulebookNotFoundError
from eligibility.rulebooks.diff import RulebookDetail, RulebookDiff, RulebookSummary, describe, diff_rulebooks, summarise

from .. import problems
from ..deps import KeyId, get_evaluator

router = APIRouter(prefix="/v1/rulebooks", tags=["rulebooks"], responses=problems.responses(401, 404, 422))
Books = Annotated[Evaluator, Depends(get_evaluator)]
RulebookPath = Annotated[str, Path(max_length=64, description="Rulebook id, e.g. 2010-01-01")]


def _book(evaluator: Evaluator, rulebook_id: str) -> Rulebook:
    for book in evaluator.books:
        if book.id == rulebook_id:
            return book
    raise RulebookNotFoundError("unknown rulebook")


@router.get("", response_model=list[RulebookSummary], summary="List the rulebooks")
def list_rulebooks(_key: KeyId, evaluator: Books) -> list[RulebookSummary]:
    """Every loaded rulebook: id, period, content hash and programmes, oldest first."""
    return [summarise(book) for book in evaluator.books]


@router.get("/{rulebook_id}", response_model=RulebookDetail, summary="One rulebook in full")
def get_rulebook(rulebook_id: RulebookPath, _key: KeyId, evaluator: Books) -> RulebookDetail:
    """Period, parameters with their dated values and sources, conditions, target groups, programmes."""
    return describe(_book(evaluator, rulebook_id))


@router.get("/{a}/diff/{b}", response_model=RulebookDiff, summary="What changed in law from a to b")
def diff(a: RulebookPath, b: RulebookPath, _key: KeyId, evaluator: Books) -> RulebookDiff:
    """Parameters, conditions, target groups, programmes and benefits added, removed or changed."""
    return diff_rulebooks(_book(evaluator, a), _book(evaluator, b))
