"""Canary cases: new rules must decide a packaged set of valid cases before they serve.

The lint checks each rule file and their meaning across files, but a rule
set can pass it and still break every decision (a parameter whose value
the date arithmetic cannot use, a combination no check foresaw). So a
reload, a server start and ``eligibility lint`` also decide the cases in
``canary_cases.yaml`` (each benefit type of each rulebook period) with the
new evaluator: full decision with Swedish explanation, and a short timeline.
Any error refuses the new rules; the outcomes are not compared, because a
change in law may change them. See docs/decisions.md (canary cases).
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from ..case.validate import parse_case
from ..decision.evaluator import Backend, Evaluator
from ..errors import CaseError, EligibilityError, RuleProblem, RulebookError
from ..history.timeline import build_timeline
from ..models import Case
from .loader import OnRead, default_rules_dir, load_rulebooks

CANARY_FILE = Path(__file__).with_name("canary_cases.yaml")
TIMELINE_MONTHS = 6
"""Long enough to cross a month boundary and, for some cases, a rulebook boundary; cheap (~3 ms a case)."""
# The codes decide._not_computable gives a valid case the rules cannot compute with; a timeline
# records them as its stop reason instead of raising.
_NOT_COMPUTABLE = frozenset({"date_out_of_range", "no_parameter_value"})
_SHOWN_ERROR = 200


@functools.cache
def canary_cases() -> tuple[tuple[str, Case], ...]:
    """The canary cases, parsed once per process (name, case)."""
    with CANARY_FILE.open(encoding="utf-8") as stream:
        entries = yaml.safe_load(stream)
    return tuple((entry["name"], parse_case(entry["case"])) for entry in entries)


def _why(exc: Exception) -> str:
    if isinstance(exc, CaseError):
        return "; ".join(f"{p.field}: expected {p.expected} ({p.code})" for p in exc.problems) or exc.code
    if isinstance(exc, EligibilityError):
        return f"{exc.code}: {exc.message}"[:_SHOWN_ERROR]
    return f"{type(exc).__name__}: {exc}"[:_SHOWN_ERROR]


def canary_problems(evaluator: Evaluator) -> list[RuleProblem]:
    """One problem per canary case that ``evaluator`` cannot decide, explain or put on a timeline.

    The problem names the rulebook directory that decides the case (no line:
    the fault may be anywhere in it). Canary cases are invented, so the
    reason may quote the error.
    """
    problems: list[RuleProblem] = []
    for name, case in canary_cases():
        try:
            where = evaluator.rulebook_for(case.as_of).directory
        except EligibilityError:
            where = "rules"
        try:
            evaluator.evaluate(case)  # as served: exact by default
            # The timeline checks that the rules compute across time; the Kleene one walks the same days and
            # derived facts at a fraction of the exact one's cost, which every reload pays (decision 76).
            timeline = build_timeline(evaluator.with_exact(False), case, months=TIMELINE_MONTHS)
        except Exception as exc:  # noqa: BLE001 - any failure on a valid case refuses the rules
            problems.append(RuleProblem(where, None, f"canary case '{name}' cannot be decided under these rules: "
                                                     f"{_why(exc)}"))
            continue
        if timeline.stop_reason in _NOT_COMPUTABLE:
            problems.append(RuleProblem(where, None, f"canary case '{name}': its timeline stops on {timeline.until} "
                                                     f"because the rules cannot compute ({timeline.stop_reason})"))
    return problems


def checked_evaluator(rules_dir: Path | None = None, backend: Backend = "engine",
                      on_read: OnRead | None = None) -> Evaluator:
    """Load, lint and compile the rules, then decide the canary cases; the evaluator only if all pass.

    Raises ``RulebookError`` for every refusal, also for an unexpected error
    while compiling (so a caller keeping the last good rules needs to catch
    only that).
    """
    books = load_rulebooks(rules_dir, on_read)
    try:
        evaluator = Evaluator(books, backend)
    except Exception as exc:  # noqa: BLE001 - linted rules the backend still refuses
        shown = str(rules_dir or default_rules_dir())
        raise RulebookError([RuleProblem(shown, None, f"the rules could not be compiled: {_why(exc)}")]) from None
    problems = canary_problems(evaluator)
    if problems:
        raise RulebookError(problems)
    return evaluator
