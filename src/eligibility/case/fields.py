"""The case contract's fields as a flat list with their kinds.

Flat inputs (CSV columns, web form fields) are generated from this list, so a
new case fact appears in them without further code.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from ..models import Assessment, Benefit, Person


@dataclass(frozen=True)
class CaseField:
    """One leaf field of the case: ``section.name`` and its kind."""

    section: str       # person | benefit | assessment
    name: str
    kind: str          # yesno | integer | number | date | choice | text

    @property
    def path(self) -> str:
        """``benefit.sjukpenning_days_used``."""
        return f"{self.section}.{self.name}"


def _base_type(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _kind(annotation: Any) -> str:
    base = _base_type(annotation)
    if base is bool:
        return "yesno"
    if base is int:
        return "integer"
    if base is float:
        return "number"
    if base is date:
        return "date"
    if isinstance(base, type) and issubclass(base, Enum):
        return "choice"
    return "text"


def case_fields() -> list[CaseField]:
    """Every leaf field of person, benefit and assessment, in model order."""
    return [CaseField(section, name, _kind(info.annotation))
            for section, model in (("person", Person), ("benefit", Benefit), ("assessment", Assessment))
            for name, info in model.model_fields.items()]
