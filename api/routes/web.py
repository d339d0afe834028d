"""The handläggare's page at ``/``: a form, the decision, the motivering and the text to the person, a timeline.

The page decides exactly (``Evaluator.exactly()``, docs/decisions.md 72): what every allowed answer to
the unknown facts decides is decided, and each question lists what every answer makes of the open
programmes, with the key dates that answer fixes.

Server-rendered (jinja2), no external resources, no inline script (the CSP
forbids it). Case data only travels in POST bodies: nothing in URLs, nothing
stored. When API keys are configured the page asks for one with HTTP Basic
authentication (password = API key), checked like the API's Bearer keys.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from eligibility import CaseError, EligibilityError, Evaluator
from eligibility.decision.phrases_sv import date_sv
from eligibility.decision.texts_sv import (DECISIVE_AGAINST_HEADING_SV, LAW_WARNING_ADVICE_SV, OUTCOME_SV, STATUS_SV,
                                             WOULD_CHANGE_HEADING_SV, date_long_sv, law_reviewed_sv,
                                             parameter_day_sv, problem_sv)
from eligibility.history.compare import compare_decisions
from eligibility.models import Answer

from ..deps import get_evaluator, match_key
from ..web.form import (BENEFIT_LABELS_SV, DATE_PATTERN, EMPLOYMENT_ONLY, LABELS_SV, UNKNOWN, form_fields,
                        form_to_case, hidden_fields)
from ..web.result_texts import (compare_tables, error_target, fact_lines, paragraphs, printed_at_sv, printing_time,
                                programmes_in_order, trace)
from ..web.timeline_svg import KEY_DATE_LABELS_SV, timeline

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parents[1] / "web" / "templates")
MAX_FORM_FIELDS = 100
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",   # the page shows case data
}


def require_web_key(request: Request) -> str:
    """HTTP Basic with the API key as password, when keys are configured; no bypass."""
    settings = request.app.state.settings
    if not settings.auth_enabled:
        return "anonymous"
    header = request.headers.get("authorization", "")
    key = None
    if header.lower().startswith("basic "):
        try:
            _, _, secret = base64.b64decode(header[6:], validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            secret = ""
        key = match_key(settings.keys, secret) if secret else None
    elif header.lower().startswith("bearer "):
        key = match_key(settings.keys, header[7:].strip())
    if key is None:
        raise HTTPException(401, headers={"WWW-Authenticate": 'Basic realm="eligibility", charset="UTF-8"'})
    request.state.key_id = key.key_id
    return key.key_id


WebKey = Annotated[str, Depends(require_web_key)]


def _page(request: Request, evaluator: Evaluator, values: dict[str, str], **extra: Any) -> HTMLResponse:
    sections = form_fields()
    context = {
        "request": request,
        "sections": sections,
        "field_labels": {**LABELS_SV, **{f.name: f.label for fields in sections.values() for f in fields}},
        "values": values,
        "labels": LABELS_SV,
        "rulebooks": [(b.id, b.meta.title_sv) for b in evaluator.books],
        "status_sv": {s.value: text for s, text in STATUS_SV.items()},
        "outcome_sv": {o.value: text for o, text in OUTCOME_SV.items()},
        "benefit_labels": BENEFIT_LABELS_SV,
        "remedy_headings": {"against": DECISIVE_AGAINST_HEADING_SV, "change": WOULD_CHANGE_HEADING_SV},
        "unknown": UNKNOWN,
        "errors": {},
        "decision": None,
        "comparison": None,
        "law_warnings": [],
        "parameter_days": [],
        "answer_dates": _answer_dates,
        "paragraphs": paragraphs,
        "trace": trace,
        "date_sv": date_sv,
        "fact_lines": fact_lines,
        "programmes_in_order": programmes_in_order,
        "date_pattern": DATE_PATTERN,
        "hidden": set(),
        "rulebook_hidden": set(),
        "employment_only": EMPLOYMENT_ONLY,
        "error_targets": {},
        "printed_at": printed_at_sv(printing_time()),
        **extra,
    }
    # Every error is shown at a field that exists: a problem of a whole section ("person") at its first field.
    field_names = [f.name for fields in sections.values() for f in fields] + ["as_of", "rulebook", "compare_rulebook"]
    context["error_targets"] = {name: error_target(name, field_names) for name in context["errors"]}
    status = 422 if context["errors"] else 200
    return templates.TemplateResponse(request, "index.html", context, status_code=status, headers=SECURITY_HEADERS)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, key_id: WebKey, evaluator: Annotated[Evaluator, Depends(get_evaluator)]) -> HTMLResponse:
    """The empty form (bedömningsdag = today)."""
    return _page(request, evaluator, {"as_of": date.today().isoformat()})


@router.post("/", response_class=HTMLResponse)
async def check(request: Request, key_id: WebKey,
                evaluator: Annotated[Evaluator, Depends(get_evaluator)]) -> HTMLResponse:
    """Decide the submitted case; on bad input show the errors next to the fields."""
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    rulebook = values.get("rulebook") or None
    other = values.get("compare_rulebook") or None
    hidden = _hidden(evaluator, values)
    case = form_to_case(values, hidden)
    exact = evaluator.exactly()  # the same compiled rulebooks, deciding exactly
    try:
        decision = exact.evaluate(case, rulebook)
        decisions = [decision]
        comparison = None
        if other:
            second = exact.evaluate(case, other)
            decisions.append(second)
            comparison = compare_decisions(decision, second)
    except CaseError as exc:
        errors: dict[str, list[str]] = {}
        for problem in exc.problems:
            errors.setdefault(problem.field, []).append(_problem_sv(problem))
        return _page(request, evaluator, values, errors=_at_fields(errors), hidden=hidden,
                     rulebook_hidden=hidden - hidden_fields(values))
    except EligibilityError as exc:
        return _page(request, evaluator, values, errors={"rulebook": [exc.message]}, hidden=hidden)
    return _page(request, evaluator, values, hidden=hidden, rulebook_hidden=hidden - hidden_fields(values),
                 compare_tables=compare_tables(decisions) if other else [],
                 decision=decision, decisions=decisions, comparison=comparison,
                 timeline=timeline(decision), law_warnings=_law_warnings(evaluator, decisions),
                 parameter_days=[_parameter_day(d) for d in decisions])


def _hidden(evaluator: Evaluator, values: dict[str, str]) -> set[str]:
    """The fields that cannot apply to the submitted benefit type, employment and rulebook in force."""
    try:
        book = evaluator.rulebook_for(date.fromisoformat(values.get("as_of", "").strip()), values.get("rulebook") or None)
    except (ValueError, EligibilityError):
        return hidden_fields(values)
    read_any: set[str] = set()
    for other in evaluator.books:
        for condition in other.all_conditions().values():
            read_any.update(condition.facts)
    read = {fact for condition in book.all_conditions().values() for fact in condition.facts}
    return hidden_fields(values, read, read_any)


def _at_fields(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The errors keyed by the form field that shows them (a section's problem at its first field)."""
    names = [f.name for fields in form_fields().values() for f in fields] + ["as_of", "rulebook", "compare_rulebook"]
    placed: dict[str, list[str]] = {}
    for name, messages in errors.items():
        placed.setdefault(error_target(name, names), []).extend(messages)
    return placed


def _answer_dates(answer: Answer) -> list[tuple[str, str]]:
    """The key dates one answer fixes (and another answer changes), labelled: (label, value).

    For an answer that is a stretch of numbers or dates, only the dates that hold for every value in it
    (the exact layer checks both ends of the stretch).
    """
    return [(label, date_long_sv(value) if isinstance(value, date) else str(value))
            for name, label in KEY_DATE_LABELS_SV.items()
            if (value := answer.key_dates.get(name)) is not None]


def _parameter_day(decision: Any) -> str | None:
    """Under a rulebook not in force on ``as_of``: on which day's rules the case was judged (else None)."""
    day = decision.rulebook.parameters_on
    return parameter_day_sv(decision.as_of, day) if day is not None else None


def _law_warnings(evaluator: Evaluator, decisions: list[Any]) -> list[dict[str, str | None]]:
    """The banner of each decision made after its rulebook's ``reviewed_until``: the sentence, then the known
    later changes the rulebook lists (``not_reviewed_sv``)."""
    warnings = []
    for decision in decisions:
        if decision.beyond_reviewed_law:
            book = evaluator.rulebook_for(decision.as_of, decision.rulebook.id)
            warnings.append({"rulebook": decision.rulebook.id,
                             "sentence": law_reviewed_sv(decision.law_reviewed_until),
                             "advice": LAW_WARNING_ADVICE_SV, "details": book.meta.not_reviewed_sv})
    return warnings


def _problem_sv(problem) -> str:
    return problem_sv(problem.code, problem.expected, problem.field)

