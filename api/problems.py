"""RFC 9457 problem details: one stable ``type`` URI per kind of error.

Library errors carry a stable ``.code`` (errors.py); ``TYPE_OF_CODE`` maps it
to a problem type. Titles and details come in English and Swedish, chosen by
``Accept-Language``. No detail echoes a value from the request: a value might
be a personnummer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from eligibility import EligibilityError
from eligibility.decision.texts_sv import problem_sv
from eligibility.errors import MAX_SHOWN_PROBLEMS

BASE = "https://eligibility.example/problems/"
MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem: its slug (end of the type URI), status and texts."""

    slug: str
    status: int
    title_en: str
    title_sv: str
    detail_en: str
    detail_sv: str


_TYPES = [
    ProblemType("case-invalid", 422, "Invalid case", "Ogiltigt ärende",
                "The case does not follow the case contract or contradicts the law of the rulebook; "
                "see errors for each field.",
                "Ärendet följer inte ärendeformatet eller strider mot regelversionens regler; "
                "se errors för varje fält."),
    ProblemType("case-not-evaluable", 422, "Case cannot be evaluated", "Ärendet kan inte bedömas",
                "The case holds values the rules cannot compute with (for example a date too far from the "
                "rulebook's period).",
                "Ärendet innehåller värden som reglerna inte kan räkna med (till exempel ett datum för långt "
                "från regelversionens period)."),
    ProblemType("request-invalid", 422, "Invalid request", "Ogiltig begäran",
                "The request does not match the API; see errors for each field.",
                "Begäran stämmer inte med API:et; se errors för varje fält."),
    ProblemType("malformed-json", 400, "Malformed JSON", "Felaktig JSON",
                "The request body is not valid JSON.", "Begärans innehåll är inte giltig JSON."),
    ProblemType("rulebook-not-found", 404, "Unknown rulebook", "Okänd regelversion",
                "No rulebook has that id. GET /v1/rulebooks lists the known ones.",
                "Det finns ingen regelversion med det id:t. GET /v1/rulebooks visar de som finns."),
    ProblemType("not-found", 404, "Not found", "Hittades inte",
                "There is no resource at this path.", "Det finns ingen resurs på den här sökvägen."),
    ProblemType("method-not-allowed", 405, "Method not allowed", "Metoden är inte tillåten",
                "This path does not accept that HTTP method.", "Sökvägen tar inte emot den HTTP-metoden."),
    ProblemType("unauthorized", 401, "Authentication required", "Autentisering krävs",
                "Send a valid API key as 'Authorization: Bearer <key>'.",
                "Skicka en giltig API-nyckel som 'Authorization: Bearer <nyckel>'."),
    ProblemType("forbidden", 403, "Forbidden", "Åtkomst nekad",
                "This key may not use this route (it needs an admin key).",
                "Nyckeln får inte använda den här vägen (den kräver en administratörsnyckel)."),
    ProblemType("payload-too-large", 413, "Request body too large", "För stor begäran",
                "The request body is larger than {limit} bytes.",
                "Begärans innehåll är större än {limit} byte."),
    ProblemType("unsupported-media-type", 415, "Unsupported media type", "Mediatypen stöds inte",
                "Send the body as application/json.", "Skicka innehållet som application/json."),
    ProblemType("rulebook-invalid", 422, "Broken rule files", "Felaktiga regelfiler",
                "The rule files could not be loaded; the last good rulebooks keep serving. See errors.",
                "Regelfilerna kunde inte läsas in; de senast fungerande regelversionerna används fortfarande. "
                "Se errors."),
    ProblemType("rate-limited", 429, "Too many requests", "För många förfrågningar",
                "This key (or client) sent more requests than its rate limit allows; retry after Retry-After "
                "seconds.",
                "Nyckeln (eller klienten) har skickat fler förfrågningar än gränsen tillåter; försök igen om "
                "Retry-After sekunder."),
    ProblemType("renderer-busy", 503, "PDF renderer busy", "PDF-tjänsten är upptagen",
                "Every PDF render slot is in use; retry after Retry-After seconds.",
                "Alla platser för att skapa PDF används just nu; försök igen om Retry-After sekunder."),
    ProblemType("internal-error", 500, "Internal error", "Internt fel",
                "The service failed; the request id identifies the log entry.",
                "Tjänsten misslyckades; begärans id pekar ut loggposten."),
]
TYPES: dict[str, ProblemType] = {t.slug: t for t in _TYPES}
TYPE_OF_CODE = {
    "CASE_INVALID": "case-invalid",
    "CASE_NOT_EVALUABLE": "case-not-evaluable",
    "RULEBOOK_NOT_FOUND": "rulebook-not-found",
    "RULEBOOK_INVALID": "rulebook-invalid",
    "ENGINE_INVARIANT": "internal-error",
}
TYPE_OF_STATUS = {400: "malformed-json", 401: "unauthorized", 403: "forbidden", 404: "not-found",
                  405: "method-not-allowed", 413: "payload-too-large", 415: "unsupported-media-type",
                  422: "request-invalid", 429: "rate-limited"}


class CaseNotEvaluable(EligibilityError):
    """Raised by the API when the core fails on a case it accepted (not a contract error)."""

    code = "CASE_NOT_EVALUABLE"


class ProblemField(BaseModel):
    """One field problem: where, what was expected, what was found (never a personal value)."""

    field: str = Field(description="Dotted path, e.g. benefit.decision_end")
    expected: str
    found: str | None = None
    code: str
    message_sv: str | None = Field(default=None, description="What to write, in Swedish (e.g. 'Skriv personnumret "
                                   "som ÅÅÅÅMMDD-NNNN.'); never quotes the value sent.")


class RuleFileProblem(BaseModel):
    """One problem in a rule file (admin reload)."""

    file: str
    line: int | None
    reason: str


class Problem(BaseModel):
    """RFC 9457 problem details, plus the library's error code and the request id."""

    type: str = Field(examples=[BASE + "case-invalid"])
    title: str
    status: int
    detail: str
    instance: str | None = None
    code: str
    request_id: str | None = None
    errors: list[ProblemField] | None = None
    rule_errors: list[RuleFileProblem] | None = None
    more: int | None = Field(default=None, description="Problems left off errors/rule_errors, which list at most "
                             f"{MAX_SHOWN_PROBLEMS}; absent when none were left off.")


def language(accept_language: str | None) -> str:
    """``"sv"`` or ``"en"``: the one of the two the client ranks higher (default English)."""
    best, best_q = "en", -1.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("sv", "en"):
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > best_q:
            best, best_q = primary, q
    return best


def build(slug: str, lang: str, *, code: str | None = None, instance: str | None = None,
          request_id: str | None = None, errors: list[dict[str, Any]] | None = None,
          rule_errors: list[dict[str, Any]] | None = None, **fmt: Any) -> dict[str, Any]:
    """The problem document for ``slug`` in ``lang`` (a plain dict, ready for JSON)."""
    kind = TYPES[slug]
    body: dict[str, Any] = {
        "type": BASE + slug,
        "title": kind.title_sv if lang == "sv" else kind.title_en,
        "status": kind.status,
        "detail": (kind.detail_sv if lang == "sv" else kind.detail_en).format(**fmt),
        "instance": instance,
        "code": code or slug.upper().replace("-", "_"),
        "request_id": request_id,
    }
    # At most MAX_SHOWN_PROBLEMS per list, and ``more`` says how many were left off (additive, docs/api.md).
    more = 0
    if errors is not None:
        body["errors"], more = errors[:MAX_SHOWN_PROBLEMS], max(0, len(errors) - MAX_SHOWN_PROBLEMS)
    if rule_errors is not None:
        body["rule_errors"] = rule_errors[:MAX_SHOWN_PROBLEMS]
        more += max(0, len(rule_errors) - MAX_SHOWN_PROBLEMS)
    if more:
        body["more"] = more
    return body


def response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    """A problem+json response for a body made by ``build``."""
    return JSONResponse(body, status_code=body["status"], media_type=MEDIA_TYPE, headers=headers)


def error_body(exc: EligibilityError, lang: str, instance: str | None, request_id: str | None) -> dict[str, Any]:
    """The problem document for a library error, with its field or rule-file problems."""
    slug = TYPE_OF_CODE.get(exc.code, "internal-error")
    errors = rule_errors = None
    problems = getattr(exc, "problems", None)
    if slug == "case-invalid" and problems:
        # Every problem of the case in one answer (types, identity, the rulebook's rules), in contract order.
        errors = [{"field": p.field, "expected": p.expected, "found": p.found, "code": p.code,
                   "message_sv": problem_sv(p.code, p.expected, p.field)} for p in problems]
    if slug == "rulebook-invalid" and problems:
        rule_errors = [{"file": p.file, "line": p.line, "reason": p.reason} for p in problems]
    return build(slug, lang, code=exc.code, instance=instance, request_id=request_id,
                 errors=errors, rule_errors=rule_errors)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting problem+json for ``statuses``."""
    described = {400: "Malformed JSON", 401: "Missing or invalid API key", 403: "Key may not use this route",
                 404: "Unknown rulebook or path", 413: "Body larger than 1 MiB",
                 415: "Body is not application/json", 422: "Invalid case or request",
                 500: "Internal error (a bug; never caused by input alone)"}
    return {status: {"description": described[status], "model": Problem,
                     "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for status in statuses}
