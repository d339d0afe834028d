"""One error hierarchy for the library.

Every error carries a stable ``code`` (for programs, e.g. the API's RFC 9457
``type``) and a human message that says where, what was expected and what was
found. Case errors name the field path and never echo a personnummer.
"""

from __future__ import annotations

from dataclasses import dataclass


class EligibilityError(Exception):
    """Base class of every error this library raises on purpose."""

    code = "ELIGIBILITY_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RuleProblem:
    """One problem in a rule file, located by file and line (1-based)."""

    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.reason}"


class RulebookError(EligibilityError):
    """Raised when a rule file is unreadable, fails the schema or the lint.

    Holds every problem found, so a rule author sees them all at once.
    """

    code = "RULEBOOK_INVALID"

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class FieldProblem:
    """One problem in a case: the field path, what was expected, what was found."""

    field: str
    expected: str
    found: str | None = None
    code: str = "invalid"

    def __str__(self) -> str:
        text = f"{self.field}: expected {self.expected}"
        return f"{text}, found {self.found}" if self.found is not None else text


class CaseError(EligibilityError):
    """Raised when a case does not follow the contract or contradicts the rulebook."""

    code = "CASE_INVALID"

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class RulebookNotFoundError(EligibilityError):
    """Raised when no rulebook is in force on a date, or a named one does not exist."""

    code = "RULEBOOK_NOT_FOUND"


class EngineError(EligibilityError):
    """Raised when the rule engine breaks an invariant (e.g. two outcomes for one condition)."""

    code = "ENGINE_INVARIANT"


class OutputPathError(EligibilityError):
    """Raised when a file a caseload command would write is one of its inputs, or two of its outputs are one file."""

    code = "OUTPUT_IS_INPUT"


class OutputIsDirectoryError(OutputPathError):
    """Raised when a file a caseload command would write is an existing directory."""

    code = "OUTPUT_IS_DIRECTORY"


class OutputInUseError(EligibilityError):
    """Raised when another run holds the lock on the output a batch would write."""

    code = "OUTPUT_IN_USE"


class SchedulerUnreachableError(EligibilityError):
    """Raised when ``--scheduler`` names a Dask scheduler that cannot be connected to."""

    code = "DASK_SCHEDULER_UNREACHABLE"
