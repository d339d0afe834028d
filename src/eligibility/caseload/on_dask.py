"""Run caseload chunks on an existing Dask cluster (optional extra ``eligibility[dask]``).

Each worker builds its own ``Evaluator`` once (rules from its own install or
``rules_dir``) and runs the caller's task on whole chunks: ``batch`` passes
``batch.decide_in``, ``impact`` passes ``impact.tally_chunk``, the same chunk
functions a local run calls (each makes the chunk's result frame and reads
it), so this module imports neither. Before any result is used the
client checks that the workers' rulebooks have the same content hashes as
its own, so a cluster with other rules is refused rather than mixed in.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..decision.evaluator import Evaluator
from ..errors import EligibilityError, SchedulerUnreachableError
from ..rulebooks.loader import load_rulebooks

CONNECT_SECONDS = 30.0  # Dask's own default; a scheduler that has not answered by then is reported unreachable
_evaluators: dict[str | None, Evaluator] = {}


class ClusterMismatchError(EligibilityError):
    """Raised when the Dask workers serve other rulebooks than the client."""

    code = "CLUSTER_RULES_MISMATCH"


def _evaluator(rules_dir: str | None) -> Evaluator:
    if rules_dir not in _evaluators:
        _evaluators[rules_dir] = Evaluator(load_rulebooks(Path(rules_dir) if rules_dir else None))
    return _evaluators[rules_dir]


def _hashes(rules_dir: str | None) -> dict[str, str]:
    return {book.id: book.content_hash for book in _evaluator(rules_dir).books}


def _run_remote(task: Callable[..., Any], chunk: list[Any], rules_dir: str | None, args: tuple[Any, ...],
                exact: bool = False) -> Any:
    return task(chunk, _evaluator(rules_dir).with_exact(exact), *args)


def _client(scheduler: str):
    try:
        from dask.distributed import Client
    except ImportError:  # pragma: no cover - depends on the install
        raise EligibilityError("--scheduler needs Dask: pip install 'eligibility[dask]'") from None
    try:
        return Client(scheduler, timeout=CONNECT_SECONDS)
    except (OSError, ValueError) as exc:  # timed out / refused / no such host; ValueError: a malformed address
        raise SchedulerUnreachableError(
            f"--scheduler {scheduler}: cannot reach the Dask scheduler at {scheduler} (expected a running "
            f"scheduler at tcp://host:port, found: {exc})") from None


def _next_result(scheduler: str, pending: deque) -> Any:
    """The next result in order; a connection lost mid-run is reported as that, not as a write error."""
    try:
        return pending.popleft().result()
    except OSError as exc:  # distributed's CommClosedError and connect timeouts are OSErrors
        raise SchedulerUnreachableError(f"--scheduler {scheduler}: lost the connection to the Dask scheduler at "
                                        f"{scheduler} ({exc})") from None


def check_cluster(client, rules_dir: str | None, local: Evaluator) -> None:
    """Refuse a cluster whose workers would decide under other rulebooks."""
    expected = {book.id: book.content_hash for book in local.books}
    for worker, hashes in client.run(_hashes, rules_dir).items():
        if hashes != expected:
            raise ClusterMismatchError(f"Dask worker {worker} has other rulebooks ({hashes}) than this client ({expected})")


def dask_results(scheduler: str, task: Callable[..., Any], work: Iterator[list[Any]], rules_dir: str | None,
                 local: Evaluator, *args: Any, window: int = 16) -> Iterator[Any]:
    """``task(chunk, evaluator, *args)`` for each chunk on the cluster, results in input order.

    ``task`` must be a module-level function (workers import it by name); at
    most ``window`` chunks are in flight.
    """
    with _client(scheduler) as client:
        check_cluster(client, rules_dir, local)
        pending: deque = deque()
        for chunk in work:
            pending.append(client.submit(_run_remote, task, chunk, rules_dir, args, local.exact, pure=False))
            if len(pending) >= window:
                yield _next_result(scheduler, pending)
        while pending:
            yield _next_result(scheduler, pending)
