"""``rules/statutes.yaml``: the statutes the rule files cite, with their periods of force, and the seeds' names.

One table for all rulebooks, loaded once per load of the rules (it is not a rulebook: the loader's
directory walk never sees it). A rule file's ``lagrum`` names a statute by id; the loader fills in its
``name_sv`` as ``forfattning`` and the lint holds every citation to the statute's period of force (and to
a provision's, where a paragraph came or went inside the statute's life; ``citations.py``). Its SHA-256
goes into every decision (``RulebookRef.statutes_hash``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..models import DOCUMENT_NAMES, STATUTE_NAMES, Lagrum
from .yaml_source import Lines

STATUTES_FILE = "statutes.yaml"


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class InForce(_Entry):
    """A period of force: the first day and the last (inclusive; ``None`` while still in force)."""

    from_: date = Field(alias="from")
    to: date | None = None

    @field_validator("to")
    @classmethod
    def _not_empty(cls, value: date | None, info: Any) -> date | None:
        start = info.data.get("from_")
        if value is not None and start is not None and value < start:
            raise ValueError(f"to {value} is before from {start}")
        return value

    def covers(self, first: date, last: date | None) -> bool:
        """True when every day ``first`` .. ``last`` (``None``: open-ended) lies inside this period."""
        if first < self.from_:
            return False
        return self.to is None or (last is not None and last <= self.to)

    def shown(self) -> str:
        """``1963-01-01–2010-12-31``, or ``2011-01-01–`` while in force."""
        return f"{self.from_}–{self.to or ''}"


class ProvisionDef(_Entry):
    """A paragraph (or point) that came or went inside its statute's life, with its own period."""

    kapitel: str | None = None
    paragraf: str | None = None
    punkt: str | None = None
    in_force: InForce
    sources: list[str] = Field(min_length=1)

    def matches(self, ref: Lagrum) -> bool:
        """True when ``ref`` cites this provision: every part the provision names is the part cited."""
        return all(mine is None or mine == theirs for mine, theirs in
                   ((self.kapitel, ref.kapitel), (self.paragraf, ref.paragraf), (self.punkt, ref.punkt)))

    def shown(self) -> str:
        """``27 kap. 24 a §``, ``30 b §``, ``punkt 8``."""
        parts = [f"{self.kapitel} kap." if self.kapitel else "", f"{self.paragraf} §" if self.paragraf else "",
                 f"punkt {self.punkt}" if self.punkt else ""]
        return " ".join(part for part in parts if part)


class StatuteDef(_Entry):
    """One statute: its name as cited (definite form), its period of force and where the dates come from."""

    name_sv: str
    in_force: InForce
    sources: list[str] = Field(min_length=1)
    amended_by: list[str] = Field(default_factory=list)
    provisions: list[ProvisionDef] = Field(default_factory=list)

    @model_validator(mode="after")
    def _provisions_inside(self) -> StatuteDef:
        for provision in self.provisions:
            if not self.in_force.covers(provision.in_force.from_, provision.in_force.to):
                raise ValueError(f"provision {provision.shown()} is in force {provision.in_force.shown()}, outside "
                                 f"the statute's period {self.in_force.shown()}")
        return self


class StatutesFile(_Entry):
    """The whole file: ``statutes`` (id -> statute) and ``documents`` (seed file -> its name in words)."""

    statutes: dict[str, StatuteDef] = Field(min_length=1)
    documents: dict[str, str] = Field(min_length=1)

    @field_validator("statutes")
    @classmethod
    def _ids(cls, value: dict[str, StatuteDef]) -> dict[str, StatuteDef]:
        for key in value:
            if not isinstance(key, str) or not key.isascii() or not key.replace("_", "").isalnum() \
                    or not key[:1].islower():
                raise ValueError(f"statute id {key!r} must be snake_case ASCII")
        return value


@dataclass(frozen=True)
class StatuteTable:
    """The loaded table, its file as shown in errors, its lines and its SHA-256."""

    statutes: dict[str, StatuteDef]
    documents: dict[str, str]
    shown: str
    content_hash: str
    lines: Lines = field(default_factory=dict, repr=False)

    def context(self) -> dict[str, Any]:
        """The validation context the rule files are read with (``models.Lagrum``, ``models.SourceRef``)."""
        return {STATUTE_NAMES: {key: statute.name_sv for key, statute in self.statutes.items()},
                DOCUMENT_NAMES: self.documents}

    def period_of(self, ref: Lagrum) -> tuple[str, InForce]:
        """What ``ref`` cites and that citation's period of force: the provision's, where the table has one."""
        statute = self.statutes[ref.statute or ""]
        for provision in statute.provisions:
            if provision.matches(ref):
                return f"{provision.shown()} {statute.name_sv}", provision.in_force
        return statute.name_sv, statute.in_force


def out_of_force(period: InForce, first: date, last: date | None) -> str:
    """Why a citation for ``first`` .. ``last`` is not inside ``period`` (``""`` when it is)."""
    if first < period.from_:
        return f"it came into force on {period.from_} (in force {period.shown()})"
    if period.to is not None and (last is None or last > period.to):
        return f"it was repealed on {period.to + timedelta(days=1)} (in force {period.shown()})"
    return ""
