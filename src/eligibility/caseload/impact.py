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
from pathlib import Path

from ..case.read import BadLine, CaseLine
from ..decision.evaluator import Evaluator
from ..errors import EligibilityError
from ..errors import UndecidableCase
from .batch import check_accounted, chunks
from .rows import NOT_IN_FORCE, programme_ids

STATUSES = ("eligible", "not_eligible", "undetermined", NOT_IN_FORCE)
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
    # (line, reason) of every line not decided under both rulebooks, unreadable ones included.
    problems: list[tuple[int, str]] = field(default_factory=list)

    def merge(self, other: ImpactReport) -> None:
        """Add the report of another part of the same caseload."""
        self.problems += other.problems
        self.decided += other.decided
        self.unreadable += other.unreadable
        self.errors_a += other.errors_a
        self.errors_b += other.errors_b
        for pid, tally in other.programmes.items():
            self.programmes.setdefault(pid, ProgrammeImpact(pid)).merge(tally)


def empty_report(evaluator: Evaluator, rulebook_a: str, rulebook_b: str) -> ImpactReport:
    """A report with no cases yet, one tally per programme; an unknown rulebook id fails here, early."""
    evaluator.rulebook_for(None, rulebook_a)
    evaluator.rulebook_for(None, rulebook_b)
    report = ImpactReport(rulebook_a, rulebook_b)
    report.programmes = {pid: ProgrammeImpact(pid) for pid in programme_ids(evaluator)}
    return report


def impact(items: Iterable[CaseLine | BadLine], evaluator: Evaluator, rulebook_a: str, rulebook_b: str,
           scheduler: str | None = None, rules_dir: str | None = None, *, per_case: bool = False,
           chunk_size: int = 50_000, source: Path | None = None) -> ImpactReport:
    """Decide every case under both rulebooks and tally the differences.

    The caseload is evaluated by the columnar backend, ``chunk_size`` cases
    at a time (``per_case``: the rule engine, case by case; the same report).
    With ``scheduler`` the chunks are tallied on a Dask cluster and merged
    in input order (same report as a local run). Every line not decided under
    both is in ``problems``; with ``source`` (the file ``items`` were read
    from) decided + problems must be its data lines, else ``LinesUnaccountedError``.
    """
    report = empty_report(evaluator, rulebook_a, rulebook_b)
    if scheduler is not None:
        from .on_dask import dask_results

        parts: Iterable[ImpactReport] = dask_results(scheduler, tally_chunk, chunks(items, chunk_size), rules_dir,
                                                     evaluator, rulebook_a, rulebook_b, per_case)
    else:
        parts = (tally_chunk(chunk, evaluator, rulebook_a, rulebook_b, per_case) for chunk in chunks(items, chunk_size))
    for part in parts:
        report.merge(part)
    report.problems.sort()
    if source is not None:
        check_accounted(source, report.decided, len(report.problems))
    return report


def tally_chunk(chunk: list[CaseLine | BadLine], evaluator: Evaluator, rulebook_a: str, rulebook_b: str,
                per_case: bool = False) -> ImpactReport:
    """The impact of one part of a caseload, columnar or case by case."""
    if per_case:
        return tally(chunk, evaluator, rulebook_a, rulebook_b)
    return tally_columnar(chunk, evaluator, rulebook_a, rulebook_b)


def tally_columnar(items: list[CaseLine | BadLine], evaluator: Evaluator, rulebook_a: str,
                   rulebook_b: str) -> ImpactReport:
    """``tally`` with both rulebooks applied to the whole part at once (columnar backend)."""
    import polars as pl

    from .frame_rows import columnar_ready, evaluate_chunk

    report = empty_report(evaluator, rulebook_a, rulebook_b)
    cases = [item for item in items if isinstance(item, CaseLine) and columnar_ready(item.data)]
    a, b = (evaluate_chunk(cases, evaluator.books, rid) for rid in (rulebook_a, rulebook_b))
    if a is None or b is None:  # nothing the backend can type, or it failed on these: case by case
        return tally(items, evaluator, rulebook_a, rulebook_b)
    book_a, book_b = (evaluator.rulebook_for(None, rid) for rid in (rulebook_a, rulebook_b))
    both = a["error"].is_null() & b["error"].is_null()
    report.decided = int(both.sum())
    # Every line not decided under both (unreadable, untypable, invalid under one) is tallied case by case:
    # the same counts, and the same reasons as --per-case.
    decided = {id(case) for case, ok in zip(cases, both) if ok}
    report.merge(tally([item for item in items if id(item) not in decided], evaluator, rulebook_a, rulebook_b))
    if not report.decided:
        return report
    ids = pl.Series("id", [case.case_id or f"rad {case.line}" for case in cases]).filter(both)
    a, b = a.filter(both), b.filter(both)
    for pid, tally_ in report.programmes.items():
        status_a = _statuses(a, pid)
        status_b = _statuses(b, pid)
        cells = pl.DataFrame({"a": status_a, "b": status_b, "id": ids})
        for (sa, sb), group in cells.group_by(["a", "b"], maintain_order=True):
            tally_.matrix[(sa, sb)] += group.height
            tally_.examples[(sa, sb)].extend(group["id"].head(EXAMPLES_PER_CELL).to_list())
        moved = status_a != status_b
        one_only = moved & ((status_a == "not_in_force") | (status_b == "not_in_force"))
        if one_only.any():
            tally_.causes[ONLY_ONE] += int(one_only.sum())
        changed = moved & ~one_only
        if not changed.any():
            continue
        conditions = set(book_a.programmes[pid].conditions) | set(book_b.programmes[pid].conditions)
        for cond in sorted(conditions):
            differs = _outcomes(a, book_a, cond).ne_missing(_outcomes(b, book_b, cond)) & changed
            if differs.any():
                tally_.causes[cond] += int(differs.sum())
    return report


def _statuses(frame, pid: str):
    """A programme's status per row; ``not_in_force`` where the row's rulebook lacks it."""
    import polars as pl

    column = f"status.{pid}"
    if column not in frame.columns:
        return pl.Series([NOT_IN_FORCE] * frame.height, dtype=pl.String)
    return frame[column].cast(pl.String).fill_null(NOT_IN_FORCE)


def _outcomes(frame, book, cond: str):
    """A condition's outcome per row as text; ``absent`` where the rulebook has no such condition."""
    import polars as pl

    if cond not in book.all_conditions():
        return pl.Series(["absent"] * frame.height, dtype=pl.String)
    column = ("target_group." if cond in book.target_groups else "condition.") + cond
    return frame[column].cast(pl.String).fill_null("ej_utrett")


def tally(items: Iterable[CaseLine | BadLine], evaluator: Evaluator, rulebook_a: str, rulebook_b: str) -> ImpactReport:
    """The impact of one (part of a) caseload, decided here."""
    report = empty_report(evaluator, rulebook_a, rulebook_b)
    for item in items:
        if isinstance(item, BadLine):
            report.unreadable += 1
            report.problems.append((item.line, item.reason))
            continue
        decisions, reasons = [], []
        for rulebook in (rulebook_a, rulebook_b):
            try:
                decisions.append(evaluator.evaluate(item.data, rulebook, explain=False))
            except EligibilityError as exc:
                decisions.append(None)
                reasons.append(f"{rulebook}: {exc}")
            except Exception as exc:  # noqa: BLE001 - one line never aborts the report: it becomes its problem
                decisions.append(None)
                reasons.append(f"{rulebook}: {UndecidableCase(exc).message}")
        a, b = decisions
        report.errors_a += a is None
        report.errors_b += b is None
        if a is None or b is None:
            report.problems.append((item.line, "; ".join(reasons)))
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
