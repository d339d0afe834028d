"""Rules-as-code eligibility for FK/AF samverkan.

Public API::

    from eligibility import Evaluator, load_rulebooks
    decision = Evaluator(load_rulebooks()).evaluate(case_dict)
"""

from .case.validate import parse_case
from .decision.evaluator import Evaluator
from .errors import CaseError, EligibilityError, EngineError, RulebookError, RulebookNotFoundError
from .models import Case, ConditionRecord, Decision, Status, Utfall
from .rulebooks.loader import load_rulebooks, select_rulebook
from .rulebooks.rulebook import Rulebook

__all__ = [
    "Case", "CaseError", "ConditionRecord", "Decision", "EligibilityError", "EngineError", "Evaluator",
    "Rulebook", "RulebookError", "RulebookNotFoundError", "Status", "Utfall", "load_rulebooks", "parse_case",
    "select_rulebook",
]
