"""What a rulebook says, and what changed in law between two rulebooks.

Pure functions over loaded ``Rulebook`` objects that return pydantic models.
The API serves them (``GET /v1/rulebooks/{id}`` and ``.../{a}/diff/{b}``); a
command line ``eligibility diff`` can print the same ``RulebookDiff``.

A diff compares the rule files as data, item by item (parameter, condition,
target group, programme, benefit, programme not in force): an item is
``added``, ``removed`` or ``changed``, and a changed item lists every leaf
field that differs as a dotted path (``values.2011-01-01.value``) with the
value before and after. Lists (condition ids of a programme, lagrum) are
compared whole: a list is one legal statement, not a set of edits.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..models import SourceRef
from .rulebook import Rulebook
from .schema import BenefitDef, ConditionDef, NotInForce, ProgrammeDef, TargetGroupDef

ChangeKind = Literal["added", "removed", "changed"]
SECTIONS = ("parameters", "conditions", "target_groups", "programmes", "benefits", "not_in_force")
"""The item sections of a rulebook, in the order a diff reports them."""


class RulebookSummary(BaseModel):
    """A rulebook's identity: id, period, content hash, programmes and how far its law was reviewed."""

    id: str
    title_sv: str
    valid_from: date
    valid_to: date | None
    content_hash: str
    programmes: list[str]
    reviewed_until: date | None = None
    not_reviewed_sv: str | None = None


class ParameterValueView(BaseModel):
    """One dated value of a parameter (``value: null`` = the law ended it)."""

    valid_from: date
    value: int | float | bool | date | None
    source: SourceRef


class ParameterView(BaseModel):
    """A parameter with every value it has had, oldest first."""

    description: str
    unit: str
    values: list[ParameterValueView]


class RulebookDetail(BaseModel):
    """Everything a rulebook says: period, parameters with values and sources, conditions, programmes."""

    id: str
    title_sv: str
    description_sv: str
    valid_from: date
    valid_to: date | None
    content_hash: str
    reviewed_until: date | None = None
    not_reviewed_sv: str | None = None
    benefits: dict[str, BenefitDef]
    not_in_force: dict[str, NotInForce]
    parameters: dict[str, ParameterView]
    conditions: dict[str, ConditionDef]
    target_groups: dict[str, TargetGroupDef]
    programmes: dict[str, ProgrammeDef]


class FieldChange(BaseModel):
    """One leaf field that differs: dotted path, value before (a) and after (b)."""

    path: str
    before: Any = None
    after: Any = None


class ItemChange(BaseModel):
    """One parameter, condition, ... that was added, removed or changed from a to b."""

    id: str
    change: ChangeKind
    fields: list[FieldChange] = Field(default_factory=list)


class RulebookDiff(BaseModel):
    """What changed in law from rulebook ``a`` to rulebook ``b``.

    ``rulebook`` holds changes to the rulebook's own fields (period, title, ``reviewed_until``);
    each other list holds the items of that section that differ, sorted by id.
    """

    a: RulebookSummary
    b: RulebookSummary
    identical: bool
    rulebook: list[FieldChange] = Field(default_factory=list)
    parameters: list[ItemChange] = Field(default_factory=list)
    conditions: list[ItemChange] = Field(default_factory=list)
    target_groups: list[ItemChange] = Field(default_factory=list)
    programmes: list[ItemChange] = Field(default_factory=list)
    benefits: list[ItemChange] = Field(default_factory=list)
    not_in_force: list[ItemChange] = Field(default_factory=list)

    def changed_ids(self, section: str) -> list[str]:
        """Ids of the items of ``section`` (e.g. ``"parameters"``) that differ."""
        return [item.id for item in getattr(self, section)]


def summarise(book: Rulebook) -> RulebookSummary:
    """The identity of ``book``."""
    return RulebookSummary(id=book.id, title_sv=book.meta.title_sv, valid_from=book.valid_from,
                           valid_to=book.valid_to, content_hash=book.content_hash,
                           programmes=list(book.programmes), reviewed_until=book.meta.reviewed_until,
                           not_reviewed_sv=book.meta.not_reviewed_sv)


def describe(book: Rulebook) -> RulebookDetail:
    """Everything ``book`` says, as one serialisable model."""
    parameters = {
        name: ParameterView(description=p.description, unit=p.unit, values=[
            ParameterValueView(valid_from=start, value=v.value, source=v.source)
            for start, v in sorted(p.values.items())])
        for name, p in book.parameters.items()
    }
    meta = book.meta
    return RulebookDetail(id=book.id, title_sv=meta.title_sv, description_sv=meta.description_sv,
                          valid_from=book.valid_from, valid_to=book.valid_to, content_hash=book.content_hash,
                          reviewed_until=meta.reviewed_until, not_reviewed_sv=meta.not_reviewed_sv,
                          benefits=dict(meta.benefits), not_in_force=dict(meta.not_in_force),
                          parameters=parameters, conditions=dict(book.conditions),
                          target_groups=dict(book.target_groups), programmes=dict(book.programmes))


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, inner in value.items():
            flat.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


_ABSENT = object()
"""A path missing on one side; differs from an explicit ``null`` (a parameter closed with ``value: null``)."""


def _field_changes(before: Any, after: Any) -> list[FieldChange]:
    old, new = _flatten(before), _flatten(after)
    return [FieldChange(path=path, before=old.get(path), after=new.get(path))
            for path in sorted(old.keys() | new.keys()) if old.get(path, _ABSENT) != new.get(path, _ABSENT)]


def _section_changes(before: dict[str, Any], after: dict[str, Any]) -> list[ItemChange]:
    changes = []
    for item_id in sorted(before.keys() | after.keys()):
        if item_id not in after:
            changes.append(ItemChange(id=item_id, change="removed"))
        elif item_id not in before:
            changes.append(ItemChange(id=item_id, change="added", fields=_field_changes({}, after[item_id])))
        elif before[item_id] != after[item_id]:
            changes.append(ItemChange(id=item_id, change="changed",
                                      fields=_field_changes(before[item_id], after[item_id])))
    return changes


def diff_rulebooks(a: Rulebook, b: Rulebook) -> RulebookDiff:
    """What changed in law from ``a`` to ``b`` (parameters, conditions, programmes, ...)."""
    old = describe(a).model_dump(mode="json")
    new = describe(b).model_dump(mode="json")
    # Parameter values are keyed by the day they took effect, so that a new
    # dated value shows as one added path, not as a shifted list.
    for dump in (old, new):
        for param in dump["parameters"].values():
            param["values"] = {v.pop("valid_from"): v for v in param["values"]}
    own = ("title_sv", "description_sv", "valid_from", "valid_to", "reviewed_until", "not_reviewed_sv")
    diff = RulebookDiff(
        a=summarise(a), b=summarise(b), identical=False,
        rulebook=_field_changes({k: old[k] for k in own}, {k: new[k] for k in own}),
        **{section: _section_changes(old[section], new[section]) for section in SECTIONS},
    )
    diff.identical = not diff.rulebook and not any(getattr(diff, s) for s in SECTIONS)
    return diff
