"""Rules-as-code eligibility for FK/AF samverkan.

Public API::

    from eligibility import Evaluator, load_rulebooks
    decision = Evaluator(load_rulebooks()).evaluate(case_dict)
"""

from .decide import Evaluator
from .errors import CaseError, EligibilityError, EngineError, RulebookError, RulebookNotFoundError
from .loader import load_rulebooks, select_rulebook
from .models import Case, ConditionRecord, Decision, Status, Utfall
from .rulebook import Rulebook
from .validate import parse_case

__all__ = [
    "Case", "CaseError", "ConditionRecord", "Decision", "EligibilityError", "EngineError", "Evaluator",
    "Rulebook", "RulebookError", "RulebookNotFoundError", "Status", "Utfall", "load_rulebooks", "parse_case",
    "select_rulebook",
]
