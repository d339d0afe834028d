"""POST /v1/decisions/pdf: one case's assessment as a PDF ("Bedömningsunderlag", docs/decisions.md 81).

The case is decided as on the handläggare's page (exactly), the page's result is rendered as HTML by
the page's own template and printed to PDF by WeasyPrint (``api/pdf.py``). The body wraps the case
(``{"case": ..., "reference": ...}``) because the free-text case reference belongs to neither the case
contract nor the URL (a URL is logged; a reference may name a person).
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, SkipValidation

from eligibility import Evaluator
from eligibility.models import Case

from .. import examples, pdf, problems
from ..audit import AuditLog
from ..deps import KeyId, get_audit, get_evaluator
from ..web.result_texts import printing_time
from ..web.timeline_svg import timeline
from . import web
from .decisions import _audit, _decide

router = APIRouter(prefix="/v1/decisions", tags=["decisions"],
                   responses=problems.responses(400, 401, 404, 413, 415, 422))


class PdfRequest(BaseModel):
    """The case, and an optional case reference printed in the header."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"case": examples.HPS_SJUKPENNING, "reference": "Dnr 2011/1234"}]})

    case: SkipValidation[Case] = Field(description="The case, exactly as the body of POST /v1/decisions.")
    reference: str | None = Field(None, max_length=pdf.MAX_REFERENCE_CHARS, pattern=r"^[^\x00-\x1f\x7f]*$",
                                  description="Free text printed as 'Ärendereferens' (one line, at most "
                                              f"{pdf.MAX_REFERENCE_CHARS} characters); never logged.")


BUSY = {503: {"description": "Every PDF render slot is in use; retry after Retry-After seconds",
              "model": problems.Problem,
              "content": {problems.MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}}


@router.post("/pdf", summary="One case's assessment as a PDF", response_class=Response,
             responses={200: {"content": {"application/pdf": {}}, "description": "The assessment (A4 PDF)"},
                        **BUSY})
async def decide_pdf(body: PdfRequest, request: Request, key_id: KeyId,
                     evaluator: Annotated[Evaluator, Depends(get_evaluator)],
                     audit: Annotated[AuditLog, Depends(get_audit)],
                     rulebook: Annotated[str | None, Query(max_length=64, description=(
                         "Evaluate under this rulebook id instead of the one in force on `as_of`."))] = None,
                     ) -> Response:
    """The assessment as the page prints it: heading "Bedömningsunderlag", the case reference, bedömningsdag
    and printing time, the summary, the programmes and their conditions, the questions, the motivering and
    the text to the person, the traceability line (rulebook id and hash, statutes hash, package version,
    template hash). 503 with ``Retry-After`` when every render slot is taken."""
    started = time.perf_counter()
    decision = _decide(evaluator.exactly(), body.case, rulebook, True)
    _audit(audit, request, key_id, decision, started)
    document = pdf.document_html(_page_html(request, evaluator, decision, rulebook, body.reference),
                                 body.reference, decision.as_of, printing_time())
    try:
        content = await pdf.render_pdf(document)
    except pdf.RendererBusy:
        lang, instance, request_id = (problems.language(request.headers.get("accept-language")),
                                      request.scope["route"].path, request.state.request_id)
        return problems.response(problems.build("renderer-busy", lang, instance=instance, request_id=request_id),
                                 headers={"Retry-After": str(pdf.RETRY_AFTER_SECONDS)})
    filename = f"bedomningsunderlag-{decision.as_of.isoformat()}.pdf"
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


def _page_html(request: Request, evaluator: Evaluator, decision: Any, rulebook: str | None,
               reference: str | None) -> str:
    """The handläggare's page showing ``decision``: the same template and context as after "Bedöm"."""
    values = {"as_of": decision.as_of.isoformat(), "rulebook": rulebook or "", "case_ref": reference or ""}
    page = web._page(request, evaluator, values, decision=decision, decisions=[decision], comparison=None,
                     timeline=timeline(decision), law_warnings=web._law_warnings(evaluator, [decision]),
                     parameter_days=[web._parameter_day(decision)])
    return bytes(page.body).decode("utf-8")
