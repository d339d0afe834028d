"""``eligibility batch``: decide a whole caseload, streaming, on all cores.

Memory stays flat: input is read lazily and only a few chunks are in flight
(columnar: ``2 × workers`` chunks of 5 000 on threads in this process; per
case: ``4 × workers`` chunks of 500 on worker processes). Output is written to a temporary file and renamed into place
only when the run is complete, so a half-written file is never presented as
a result. Lines that cannot be decided go to the errors file with line
number and reason; the run carries on.

Checkpoints: after each chunk both partial files are flushed and fsynced and
``OUT.partial.ckpt`` (JSON: input path, size, mtime, last input line done,
byte sizes of both partial files, rulebook hashes, counts) is replaced
atomically. A run that dies (SIGKILL, power loss, disk full) can be rerun
with ``resume=True``: the partial files are cut back to the checkpointed
sizes and the lines already done are skipped, so no case is lost or written
twice. Without ``resume`` an existing partial run is started over.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from ..case.read import BadLine, CaseLine, count_data_lines, read_cases
from ..decision.evaluator import Evaluator
from ..errors import LinesUnaccountedError
from ..rulebooks.loader import load_rulebooks
from .output_guard import batch_files, exclusive, refuse_overlap, replace_atomically
from .result_frame import result_frame
from .rows import RowWriter, batch_rows, programme_ids
from .worker_lifetime import die_with_parent

CHUNK = 500
COLUMNAR_CHUNK = 5_000  # the columnar backend pays per chunk, not per case
COLUMNAR, PER_CASE, FULL = "columnar", "per_case", "full"
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


def check_accounted(path: Path, decided: int, errors: int) -> None:
    """``LinesUnaccountedError`` unless every data line of ``path`` was decided or recorded as an error."""
    expected = count_data_lines(path)
    if decided + errors != expected:
        raise LinesUnaccountedError(f"{path}: {expected} data lines, but {decided} decided and {errors} errors "
                                    f"({expected - decided - errors} unaccounted for); the output is not written")


class ResumeError(ValueError):
    """``resume=True`` but the checkpoint does not belong to this input, rules or output."""


def checkpoint_path(output: Path) -> Path:
    """Where the checkpoint of a run writing ``output`` lives: ``OUT.partial.ckpt``."""
    return output.with_name(output.name + ".partial.ckpt")


def _fsync_text(handle: Any) -> int:
    handle.flush()
    os.fsync(handle.fileno())
    return os.fstat(handle.fileno()).st_size


def _identity(cases: Path, evaluator: Evaluator, mode: str, output: Path) -> dict[str, Any]:
    stat = cases.stat()
    return {"input": str(cases.resolve()), "input_size": stat.st_size, "input_mtime_ns": stat.st_mtime_ns,
            "rulebooks": [[b.id, b.content_hash] for b in evaluator.books], "mode": mode, "exact": evaluator.exact,
            "output_format": output.suffix.lower()}


def _load_checkpoint(ckpt: Path, identity: dict[str, Any], partial_out: Path,
                     partial_err: Path) -> dict[str, Any] | None:
    """The checkpoint to resume from, None if there is none; ResumeError if it does not fit this run."""
    if not ckpt.exists():
        return None
    try:
        state = json.loads(ckpt.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ResumeError(f"{ckpt}: unreadable checkpoint ({exc}); delete it to start over") from None
    for key, value in identity.items():
        if state.get(key) != value:
            raise ResumeError(f"{ckpt}: the checkpoint was made with another {key.replace('_', ' ')} "
                              f"(input, rules and options must be unchanged); run without --resume to start over")
    for path, size in ((partial_out, state["output_bytes"]), (partial_err, state["errors_bytes"])):
        if not path.exists() or path.stat().st_size < size:
            raise ResumeError(f"{path}: shorter than the checkpoint says ({size} bytes); "
                              "run without --resume to start over")
    return state


def decide(items: list[CaseLine | BadLine], evaluator: Evaluator, programmes: list[str], mode: str,
           ) -> list[tuple[bool, dict[str, Any]]]:
    """One chunk in the run's mode: the result frame of the frame backend (``columnar``) or of the per-case
    adapter (``per_case``, ``full``: with whole decisions), made into rows by the one row builder."""
    frame = result_frame(items, evaluator, per_case=mode != COLUMNAR, full=mode == FULL)
    return batch_rows(frame, evaluator, programmes)


def decide_in(items: list[CaseLine | BadLine], evaluator: Evaluator, mode: str) -> list[tuple[bool, dict[str, Any]]]:
    """``decide`` with the programmes of ``evaluator``: the task a Dask worker runs on each chunk."""
    return decide(items, evaluator, programme_ids(evaluator), mode)


def mode_of(full: bool, per_case: bool) -> str:
    """The run's mode from the CLI flags: whole decisions need the per-case engine."""
    return FULL if full else PER_CASE if per_case else COLUMNAR


def _init_worker(rules_dir: str | None, mode: str, exact: bool = True) -> None:
    die_with_parent()  # a SIGKILLed batch must not leave its workers running
    evaluator = Evaluator(load_rulebooks(Path(rules_dir) if rules_dir else None), exact=exact)
    _worker.update(evaluator=evaluator, programmes=programme_ids(evaluator), mode=mode)


def _decide_in_worker(items: list[CaseLine | BadLine]) -> list[tuple[bool, dict[str, Any]]]:
    return decide(items, _worker["evaluator"], _worker["programmes"], _worker["mode"])


def chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """Consecutive lists of at most ``size`` items."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _in_order(submit: Callable[[list[Any]], Future], work: Iterator[list[Any]], window: int) -> Iterator[list[Any]]:
    pending: deque[Future] = deque()
    for chunk in work:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def run_batch(cases: Path, output: Path, errors: Path, *, workers: int = 1, rules_dir: Path | None = None,
              full: bool = False, per_case: bool = False, on_progress: Callable[[int], None] | None = None,
              scheduler: str | None = None, resume: bool = False, exact: bool = True) -> BatchSummary:
    """Decide every case in ``cases``; write rows to ``output`` and bad lines to ``errors``.

    Refuses (OutputPathError) a file to write that is the input or another
    output, and holds ``OUT.lock`` and ``ERRORS.lock`` for the whole run
    (OutputInUseError at once if another run holds them), so two runs never
    share a partial file. The options are those of ``_run_batch``.
    """
    refuse_overlap({"the input": cases}, batch_files(output, errors))
    with exclusive([output, errors]):
        return _run_batch(cases, output, errors, workers=workers, rules_dir=rules_dir, full=full,
                          per_case=per_case, on_progress=on_progress, scheduler=scheduler, resume=resume,
                          exact=exact)


def _run_batch(cases: Path, output: Path, errors: Path, *, workers: int = 1, rules_dir: Path | None = None,
               full: bool = False, per_case: bool = False, on_progress: Callable[[int], None] | None = None,
               scheduler: str | None = None, resume: bool = False, exact: bool = True) -> BatchSummary:
    """The run itself, under the locks ``run_batch`` holds.

    Each chunk becomes a result frame, from the frame backend in chunks of
    ``COLUMNAR_CHUNK`` or, with ``per_case``, from the per-case adapter (the
    durable-rules engine; the same frame, tested), which ``full`` (whole
    decisions with texts) always uses; ``rows.batch_rows`` makes the rows. ``scheduler`` (``tcp://host:port``) runs the chunks
    on an existing Dask cluster instead of local processes (``pip install
    eligibility[dask]``). ``resume`` continues a run that died, from its
    checkpoint (module docstring). ``exact`` (the default) decides what every allowed answer to the
    unknown facts decides; ``False`` gives the plain Kleene result, far cheaper at population scale
    (docs/performance.md); a checkpoint is only resumed under the semantics it was written with.
    """
    mode = mode_of(full, per_case)
    evaluator = Evaluator(load_rulebooks(rules_dir), exact=exact)
    programmes = programme_ids(evaluator)
    summary = BatchSummary()
    partial_out = output.with_name(output.name + ".partial")
    partial_err = errors.with_name(errors.name + ".partial")
    ckpt = checkpoint_path(output)
    identity = _identity(cases, evaluator, mode, output)
    state = _load_checkpoint(ckpt, identity, partial_out, partial_err) if resume else None
    done_line = 0
    complete = False
    try:
        if state is None:
            ckpt.unlink(missing_ok=True)
            out_handle = partial_out.open("w", encoding=RowWriter.encoding_for(output), newline="")
            err_handle = partial_err.open("w", encoding="utf-8")
        else:
            done_line = state["line"]
            summary.decided, summary.errors = state["decided"], state["errors"]
            summary.statuses.update({tuple(k.split("\t", 1)): v for k, v in state["statuses"].items()})
            for path, size in ((partial_out, state["output_bytes"]), (partial_err, state["errors_bytes"])):
                with path.open("r+b") as handle:
                    handle.truncate(size)
            # Append mode: no BOM and no CSV header again (both are already in the file).
            out_handle = partial_out.open("a", encoding="utf-8", newline="")
            err_handle = partial_err.open("a", encoding="utf-8")
        with out_handle, err_handle:
            writer = RowWriter(out_handle, output, programmes, header=state is None)
            if state is not None and on_progress:
                on_progress(state["items"])
            items: Iterable[Any] = read_cases(cases)
            if done_line:
                items = (item for item in items if item.line > done_line)
            work = chunks(items, COLUMNAR_CHUNK if mode == COLUMNAR else CHUNK)
            progress = _Checkpointer(ckpt, identity, out_handle, err_handle, summary, state, on_progress)
            if scheduler is not None:
                from .on_dask import dask_results

                rules = str(rules_dir) if rules_dir else None
                _consume(dask_results(scheduler, decide_in, work, rules, evaluator, mode), writer, err_handle,
                         summary, progress)
            elif workers <= 1:
                results: Iterable[list[Any]] = (decide(c, evaluator, programmes, mode) for c in work)
                _consume(results, writer, err_handle, summary, progress)
            elif mode == COLUMNAR:
                # Threads: polars evaluates without the GIL, and one process keeps memory at one copy of the
                # libraries (processes were faster but needed ~150 MB each). About 20 000 cases in flight.
                with ThreadPoolExecutor(workers) as threads:
                    def submit(chunk: list[Any]) -> Future:
                        return threads.submit(decide, chunk, evaluator, programmes, mode)

                    _consume(_in_order(submit, work, workers * 2), writer, err_handle, summary, progress)
            else:
                # spawn, not fork: a forked child of a process whose polars thread pool is running can hang.
                with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_init_worker,
                                         initargs=(str(rules_dir) if rules_dir else None, mode, exact)) as pool:
                    _consume(_in_order(functools.partial(pool.submit, _decide_in_worker), work, workers * 4),
                             writer, err_handle, summary, progress)
            _fsync_text(out_handle)
            _fsync_text(err_handle)
        check_accounted(cases, summary.decided, summary.errors)
        os.replace(partial_out, output)
        os.replace(partial_err, errors)
        complete = True
    finally:
        # A checkpointed run keeps its partial files for --resume; anything else is removed.
        if complete or not ckpt.exists():
            for leftover in (partial_out, partial_err, ckpt):
                leftover.unlink(missing_ok=True)
    return summary


class _Checkpointer:
    """Called after each chunk: flush + fsync both partial files, then replace the checkpoint atomically."""

    def __init__(self, ckpt: Path, identity: dict[str, Any], out_handle: Any, err_handle: Any,
                 summary: BatchSummary, state: dict[str, Any] | None,
                 on_progress: Callable[[int], None] | None) -> None:
        self.ckpt, self.identity, self.summary, self.on_progress = ckpt, identity, summary, on_progress
        self.out_handle, self.err_handle = out_handle, err_handle
        self.items = state["items"] if state else 0

    def __call__(self, chunk: list[tuple[bool, dict[str, Any]]]) -> None:
        if chunk:
            self.items += len(chunk)
            state = {**self.identity, "line": chunk[-1][1]["line"], "items": self.items,
                     "output_bytes": _fsync_text(self.out_handle), "errors_bytes": _fsync_text(self.err_handle),
                     "decided": self.summary.decided, "errors": self.summary.errors,
                     "statuses": {f"{p}\t{s}": n for (p, s), n in self.summary.statuses.items()}}
            replace_atomically(self.ckpt, json.dumps(state), suffix=".tmp")
        if self.on_progress:
            self.on_progress(len(chunk))


def _consume(results: Iterable[list[tuple[bool, dict[str, Any]]]], writer: RowWriter, err_handle,
             summary: BatchSummary, after_chunk: Callable[[list[tuple[bool, dict[str, Any]]]], None]) -> None:
    for chunk in results:
        for ok, row in chunk:
            if ok:
                writer.write(row)
                summary.add(row)
            else:
                err_handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                summary.errors += 1
        after_chunk(chunk)
