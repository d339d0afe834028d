"""Law-change impact: the same caseload under two rulebooks.

For each programme: the transition matrix of statuses (eligible /
not_eligible / undetermined / not_in_force) from rulebook A to B, with
counts and shares, the conditions whose outcome changed in the cases that
moved, and example case ids per cell. Cases that one rulebook cannot decide
(e.g. tidsbegränsad sjukersättning under a rulebook without it) are counted
per rulebook, not hidden. The tallies are counted once, with polars, from
the result frames (``frame_schema.py``) of the caseload under A and under B.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ..backends.frame import outcome_column
from ..case.read import BadLine, CaseLine
from ..decision.evaluator import Evaluator
from .batch import check_accounted, chunks
from .result_frame import result_frame
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

    The caseload is decided ``chunk_size`` cases at a time into result frames
    (the frame backend; ``per_case``: the per-case adapter), and each pair of
    frames is tallied by ``tally_frames``, whichever backend decided.
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
    """The impact of one part of a caseload: its result frames under A and B (frame backend or, with
    ``per_case``, the per-case adapter), tallied by ``tally_frames``. The task of a Dask worker too."""
    a, b = (result_frame(chunk, evaluator, rid, per_case=per_case, questions=False) for rid in (rulebook_a, rulebook_b))
    return tally_frames(a, b, evaluator, rulebook_a, rulebook_b)


def tally_frames(a: pl.DataFrame, b: pl.DataFrame, evaluator: Evaluator, rulebook_a: str,
                 rulebook_b: str) -> ImpactReport:
    """The impact of the same lines' result frames under rulebook A (``a``) and B (``b``), row for row."""
    report = empty_report(evaluator, rulebook_a, rulebook_b)
    unreadable = a["unreadable"]
    failed_a, failed_b = a["error"].is_not_null() & ~unreadable, b["error"].is_not_null() & ~unreadable
    report.unreadable = int(unreadable.sum())
    report.errors_a, report.errors_b = int(failed_a.sum()), int(failed_b.sum())
    for line, gone, reason_a, reason_b in zip(a["line"], unreadable, a["error"], b["error"]):
        if gone:
            report.problems.append((line, reason_a))
        elif reason_a is not None or reason_b is not None:
            report.problems.append((line, "; ".join(f"{rid}: {reason}" for rid, reason in
                                                    ((rulebook_a, reason_a), (rulebook_b, reason_b)) if reason)))
    both = (a["error"].is_null() & b["error"].is_null())
    report.decided = int(both.sum())
    if not report.decided:
        return report
    a, b = a.filter(both), b.filter(both)
    ids = a.select(pl.col("id").fill_null(pl.lit("rad ") + pl.col("line").cast(pl.String))).to_series()
    book_a, book_b = (evaluator.rulebook_for(None, rid) for rid in (rulebook_a, rulebook_b))
    for pid, tally_ in report.programmes.items():
        status_a = a[f"status.{pid}"].fill_null(NOT_IN_FORCE)
        status_b = b[f"status.{pid}"].fill_null(NOT_IN_FORCE)
        cells = pl.DataFrame({"a": status_a, "b": status_b, "id": ids})
        for (sa, sb), group in cells.group_by(["a", "b"], maintain_order=True):
            tally_.matrix[(sa, sb)] += group.height
            tally_.examples[(sa, sb)].extend(group["id"].head(EXAMPLES_PER_CELL).to_list())
        moved = status_a != status_b
        one_only = moved & ((status_a == NOT_IN_FORCE) | (status_b == NOT_IN_FORCE))
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


def _outcomes(frame: pl.DataFrame, book: Any, cond: str) -> pl.Series:
    """A condition's outcome per row as text; ``absent`` where the rulebook has no such condition."""
    if cond not in book.all_conditions():
        return pl.Series(["absent"] * frame.height, dtype=pl.String)
    return frame[outcome_column(book, cond)].cast(pl.String).fill_null("ej_utrett")
