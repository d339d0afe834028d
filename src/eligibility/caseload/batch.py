"""``eligibility batch``: decide a whole caseload, streaming, on all cores.

Memory stays flat: input is read lazily and at most ``workers × 4`` chunks
are in flight. Output is written to a temporary file and renamed into place
only when the run is complete, so a half-written file is never presented as
a result. Lines that cannot be decided go to the errors file with line
number and reason; the run carries on.
"""

from __future__ import annotations

import json
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from ..decide import Evaluator
from ..errors import EligibilityError
from ..loader import load_rulebooks
from .io import BadLine, CaseLine, read_cases
from .rows import RowWriter, decision_row, error_row

CHUNK = 500
_worker: dict[str, Any] = {}


@dataclass
class BatchSummary:
    """What a batch run did: counts per programme and status, errors, time."""

    decided: int = 0
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)

    def add(self, row: dict[str, Any]) -> None:
        """Count one decided row."""
        self.decided += 1
        for programme, status in row["programmes"].items():
            self.statuses[(programme, status)] += 1


def programme_ids(evaluator: Evaluator) -> list[str]:
    """Every programme of every loaded rulebook, in first-seen order."""
    seen: dict[str, None] = {}
    for book in evaluator.books:
        for pid in [*book.programmes, *book.meta.not_in_force]:
            seen.setdefault(pid, None)
    return list(seen)


def decide_chunk(items: list[CaseLine | BadLine], evaluator: Evaluator, programmes: list[str],
                 full: bool = False) -> list[tuple[bool, dict[str, Any]]]:
    """Decide one chunk: (ok, row) per item, in order."""
    results = []
    for item in items:
        if isinstance(item, BadLine):
            results.append((False, error_row(item.line, None, item.reason)))
            continue
        try:
            decision = evaluator.evaluate(item.data, explain=full)
        except EligibilityError as exc:
            results.append((False, error_row(item.line, item.case_id, exc)))
            continue
        results.append((True, decision_row(item.line, item.case_id, decision, programmes, full)))
    return results


def _init_worker(rules_dir: str | None, full: bool) -> None:
    evaluator = Evaluator(load_rulebooks(Path(rules_dir) if rules_dir else None))
    _worker.update(evaluator=evaluator, programmes=programme_ids(evaluator), full=full)


def _decide_in_worker(items: list[CaseLine | BadLine]) -> list[tuple[bool, dict[str, Any]]]:
    return decide_chunk(items, _worker["evaluator"], _worker["programmes"], _worker["full"])


def chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """Consecutive lists of at most ``size`` items."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _in_order(pool: ProcessPoolExecutor, work: Iterator[list[Any]], window: int) -> Iterator[list[Any]]:
    pending: deque[Future] = deque()
    for chunk in work:
        pending.append(pool.submit(_decide_in_worker, chunk))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def run_batch(cases: Path, output: Path, errors: Path, *, workers: int = 1, rules_dir: Path | None = None,
              full: bool = False, on_progress: Callable[[int], None] | None = None,
              scheduler: str | None = None) -> BatchSummary:
    """Decide every case in ``cases``; write rows to ``output`` and bad lines to ``errors``.

    ``scheduler`` (``tcp://host:port``) runs the chunks on an existing Dask
    cluster instead of local processes (``pip install eligibility[dask]``).
    """
    evaluator = Evaluator(load_rulebooks(rules_dir))
    programmes = programme_ids(evaluator)
    summary = BatchSummary()
    partial_out = output.with_name(output.name + ".partial")
    partial_err = errors.with_name(errors.name + ".partial")
    try:
        with partial_out.open("w", encoding=RowWriter.encoding_for(output), newline="") as out_handle, \
                partial_err.open("w", encoding="utf-8") as err_handle:
            writer = RowWriter(out_handle, output, programmes)
            work = chunks(read_cases(cases))
            if scheduler is not None:
                from .on_dask import dask_results

                _consume(dask_results(scheduler, work, rules_dir, full, evaluator), writer, err_handle, summary,
                         on_progress)
            elif workers <= 1:
                results: Iterable[list[Any]] = (decide_chunk(c, evaluator, programmes, full) for c in work)
                _consume(results, writer, err_handle, summary, on_progress)
            else:
                with ProcessPoolExecutor(workers, initializer=_init_worker,
                                         initargs=(str(rules_dir) if rules_dir else None, full)) as pool:
                    _consume(_in_order(pool, work, workers * 4), writer, err_handle, summary, on_progress)
        os.replace(partial_out, output)
        os.replace(partial_err, errors)
    finally:
        for leftover in (partial_out, partial_err):
            leftover.unlink(missing_ok=True)
    return summary


def _consume(results: Iterable[list[tuple[bool, dict[str, Any]]]], writer: RowWriter, err_handle,
             summary: BatchSummary, on_progress: Callable[[int], None] | None) -> None:
    for chunk in results:
        for ok, row in chunk:
            if ok:
                writer.write(row)
                summary.add(row)
            else:
                err_handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                summary.errors += 1
        if on_progress:
            on_progress(len(chunk))
