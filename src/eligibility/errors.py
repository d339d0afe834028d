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


@dataclass(frozen=True)
class FileProblem:
    """Where a case file could not be read: file, line and column (1-based, when known) and the kind of error."""

    file: str
    line: int | None
    column: int | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        where = where if self.line is None or self.column is None else f"{where}:{self.column}"
        return f"{where}: {self.reason}"


class CaseFileError(EligibilityError):
    """Raised when a case file cannot be read as a case: unreadable, not UTF-8, bad YAML/JSON, too deep or large.

    Its text never quotes the file's content (a case holds personal data), only
    where the problem is and what kind it is.
    """

    code = "CASE_FILE_INVALID"

    def __init__(self, problem: FileProblem) -> None:
        self.problem = problem
        self.problems = [problem]
        super().__init__(str(problem))


# Error texts (the API's problem+json, the command line) list at most this many problems and then
# say how many more there are: 70 000 unknown keys must not become a 10 MB answer. CaseError keeps them all.
MAX_SHOWN_PROBLEMS = 50


class InputError(EligibilityError):
    """Raised when a caseload file as a whole cannot be read (format, CSV header, a Parquet column's type)."""

    code = "INPUT_UNREADABLE"


class UndecidableCase(EligibilityError):
    """Raised for a case the engine failed on in an unforeseen way: its error record says how, without its data."""

    code = "CASE_UNDECIDABLE"

    def __init__(self, exc: Exception) -> None:
        super().__init__(f"the case could not be decided ({type(exc).__name__}); please report it")


class LinesUnaccountedError(EligibilityError):
    """Raised when decided + error records differ from the input's data lines: lines were lost (never a success)."""

    code = "LINES_UNACCOUNTED"


def number_shown(value: object) -> str:
    """What an error text may show of a number: the number, unless it is long enough to be personal
    data sent in the wrong field (a personnummer, a birth date as digits)."""
    text = repr(value)
    return text if sum(c.isdigit() for c in text) <= 6 else "a number with more than 6 digits"
