"""Law-change impact: the same caseload under two rulebooks.

For each programme: the transition matrix of statuses (eligible /
not_eligible / undetermined / not_in_force) from rulebook A to B, with
counts and shares, the conditions whose outcome changed in the cases that
moved, and example case ids per cell. Cases that one rulebook cannot decide
(e.g. tidsbegränsad sjukersättning under a rulebook without it) are counted
per rulebook, not hidden.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..decide import Evaluator
from ..errors import EligibilityError
from .batch import programme_ids
from .io import BadLine, CaseLine

STATUSES = ("eligible", "not_eligible", "undetermined", "not_in_force")
EXAMPLES_PER_CELL = 3
ONLY_ONE = "(programmet finns bara i en av regelversionerna)"


@dataclass
class ProgrammeImpact:
    """Transitions of one programme."""

    programme: str
    matrix: Counter = field(default_factory=Counter)
    causes: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=lambda: defaultdict(list))

    @property
    def changed(self) -> int:
        """Cases whose status differs between A and B."""
        return sum(n for (a, b), n in self.matrix.items() if a != b)

    def merge(self, other: ProgrammeImpact) -> None:
        """Add another part of the caseload (examples keep input order, capped per cell)."""
        self.matrix.update(other.matrix)
        self.causes.update(other.causes)
        for cell, ids in other.examples.items():
            room = EXAMPLES_PER_CELL - len(self.examples[cell])
            self.examples[cell].extend(ids[:max(0, room)])


@dataclass
class ImpactReport:
    """The whole report."""

    rulebook_a: str
    rulebook_b: str
    decided: int = 0
    unreadable: int = 0
    errors_a: int = 0
    errors_b: int = 0
    programmes: dict[str, ProgrammeImpact] = field(default_factory=dict)

    def merge(self, other: ImpactReport) -> None:
        """Add the report of another part of the same caseload."""
        self.decided += other.decided
        self.unreadable += other.unreadable
        self.errors_a += other.errors_a
        self.errors_b += other.errors_b
        for pid, tally in other.programmes.items():
            self.programmes.setdefault(pid, ProgrammeImpact(pid)).merge(tally)


def impact(items: Iterable[CaseLine | BadLine], evaluator: Evaluator, rulebook_a: str, rulebook_b: str,
           scheduler: str | None = None, rules_dir: str | None = None) -> ImpactReport:
    """Decide every case under both rulebooks and tally the differences.

    With ``scheduler`` the caseload is split into chunks tallied on a Dask
    cluster and merged in input order (same report as a local run).
    """
    if scheduler is not None:
        from .batch import chunks
        from .on_dask import impact_on_dask

        report = ImpactReport(rulebook_a, rulebook_b)
        report.programmes = {pid: ProgrammeImpact(pid) for pid in programme_ids(evaluator)}
        for part in impact_on_dask(scheduler, chunks(items), rulebook_a, rulebook_b, rules_dir, evaluator):
            report.merge(part)
        return report
    return tally(items, evaluator, rulebook_a, rulebook_b)


def tally(items: Iterable[CaseLine | BadLine], evaluator: Evaluator, rulebook_a: str, rulebook_b: str) -> ImpactReport:
    """The impact of one (part of a) caseload, decided here."""
    evaluator.rulebook_for(None, rulebook_a)  # fail early on unknown ids
    evaluator.rulebook_for(None, rulebook_b)
    report = ImpactReport(rulebook_a, rulebook_b)
    report.programmes = {pid: ProgrammeImpact(pid) for pid in programme_ids(evaluator)}
    for item in items:
        if isinstance(item, BadLine):
            report.unreadable += 1
            continue
        decisions = []
        for rulebook in (rulebook_a, rulebook_b):
            try:
                decisions.append(evaluator.evaluate(item.data, rulebook, explain=False))
            except EligibilityError:
                decisions.append(None)
        a, b = decisions
        report.errors_a += a is None
        report.errors_b += b is None
        if a is None or b is None:
            continue
        report.decided += 1
        outcomes_a = {r.condition: r.outcome for r in a.conditions}
        outcomes_b = {r.condition: r.outcome for r in b.conditions}
        case_id = item.case_id or f"rad {item.line}"
        for pid, tally in report.programmes.items():
            status_a = a.programmes[pid].status.value if pid in a.programmes else "not_in_force"
            status_b = b.programmes[pid].status.value if pid in b.programmes else "not_in_force"
            cell = (status_a, status_b)
            tally.matrix[cell] += 1
            if len(tally.examples[cell]) < EXAMPLES_PER_CELL:
                tally.examples[cell].append(case_id)
            if status_a == status_b:
                continue
            if "not_in_force" in cell:
                tally.causes[ONLY_ONE] += 1
                continue
            conditions = set(a.programmes[pid].conditions) | set(b.programmes[pid].conditions)
            for cond in sorted(conditions):
                if outcomes_a.get(cond) != outcomes_b.get(cond):
                    tally.causes[cond] += 1
    return report
