"""The case contract's leaf fields, read once from the pydantic models (``models.Case``).

Everything that needs the contract field by field takes it from here: the
frame reader's column types and bounds (``read_frame.py``), the facts a
condition may read (``facts/derive.py``), the valid case space, the web
form and the caseload CSV columns. A field added to the models appears in
all of them without further code.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from types import MappingProxyType
from typing import Any

import annotated_types
from pydantic import BaseModel

from ..models import ACTIONABLE, DECIMALS, Case

SUPPORTED_FIRST, SUPPORTED_LAST = date(1800, 1, 1), date(2299, 12, 31)
"""The dates a caseload may hold (``date_out_of_range`` outside): the frame's calendar tables cover them
with a century to spare for every shift the rules make (``facts/calendar.py``)."""
BIRTH = "__birth"
"""The fact name of the validated birth date (from ``birth_date`` or the personnummer)."""
IDENTITY = ("person.birth_date", "person.personnummer")
"""The fields that say who the person is: validated into the birth date, never a fact a rule reads."""


@dataclass(frozen=True)
class ContractField:
    """One leaf field: its dotted path, Python type (a coded field: ``str`` with its codes), bounds.

    ``actionable``: a person or handläggare can act on it (``Field(json_schema_extra=models.ACTIONABLE)``),
    so a decision may suggest changing it (``decision/remedies.py``).
    """

    path: str
    type: type
    required: bool
    codes: tuple[str, ...] = ()
    ge: float | None = None
    le: float | None = None
    actionable: bool = False

    @property
    def step(self) -> Any:
        """The smallest difference between two values of an ordered field (None for yes/no and codes)."""
        return {int: 1, float: 10 ** -DECIMALS, date: timedelta(days=1)}.get(self.type) if not self.codes else None

    @property
    def section(self) -> str:
        """``benefit`` of ``benefit.decision_end`` (``as_of`` is its own section)."""
        return self.path.split(".", 1)[0]

    @property
    def name(self) -> str:
        """``decision_end`` of ``benefit.decision_end``."""
        return self.path.rsplit(".", 1)[-1]

    @property
    def kind(self) -> str:
        """The kind of input a form offers: yesno | integer | number | date | choice | text."""
        if self.codes:
            return "choice"
        return {bool: "yesno", int: "integer", float: "number", date: "date"}.get(self.type, "text")


def _without_none(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation


def _leaf(path: str, annotation: Any, required: bool, extra: Any = None) -> ContractField:
    inner = _without_none(annotation)
    ge = le = None
    metadata = list(getattr(inner, "__metadata__", ()))
    for item in list(metadata):
        metadata += list(getattr(item, "metadata", []))
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            ge = item.ge
        if isinstance(item, annotated_types.Le):
            le = item.le
    base = inner
    while typing.get_origin(base) is typing.Annotated:
        base = typing.get_args(base)[0]
    codes = tuple(member.value for member in base) if isinstance(base, type) and issubclass(base, Enum) else ()
    actionable = isinstance(extra, dict) and all(extra.get(k) == v for k, v in ACTIONABLE.items())
    return ContractField(path, str if codes else base, required, codes, ge, le, actionable)


@functools.cache
def contract_fields() -> Mapping[str, ContractField]:
    """Dotted path -> field, for every leaf of ``models.Case`` in model order (the contract is fixed at import)."""
    fields: dict[str, ContractField] = {}
    for section, info in Case.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for name, sub in annotation.model_fields.items():
                fields[f"{section}.{name}"] = _leaf(f"{section}.{name}", sub.annotation, sub.is_required(),
                                                    sub.json_schema_extra)
        else:
            fields[section] = _leaf(section, annotation, info.is_required())
    return MappingProxyType(fields)


def case_fields() -> list[ContractField]:
    """Every leaf field of person, benefit and assessment, in model order (``as_of`` aside)."""
    return [f for f in contract_fields().values() if "." in f.path]


def actionable_fields() -> tuple[ContractField, ...]:
    """The fields a person or handläggare can act on, in model order (``ContractField.actionable``)."""
    return tuple(f for f in case_fields() if f.actionable)


def case_fact_names() -> tuple[str, ...]:
    """The case fields a condition may read: all but ``as_of`` (its own fact) and the identity."""
    return tuple(f.path for f in case_fields() if f.path not in IDENTITY)
