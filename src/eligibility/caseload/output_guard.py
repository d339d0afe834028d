"""Guards for the files a caseload run writes: never an input, never shared by two runs.

``batch X -o X`` used to open ``X.partial`` for writing and then rename it
over ``X``: the input was replaced by its own decisions. And two runs with
the same ``-o`` shared ``OUT.partial``, so one could report success with the
other's rows. Both are refused before anything is opened for writing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ..errors import OutputInUseError, OutputIsDirectoryError, OutputPathError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; the lock is then not taken
    fcntl = None  # type: ignore[assignment]


def lock_path(output: Path) -> Path:
    """The lock file of a run writing ``output``: ``OUT.lock``, next to it (same file system)."""
    return output.with_name(output.name + ".lock")


def _same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name one file: equal after resolving symlinks, or hard links to one inode."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet: then only the resolved names can collide
        return False


def refuse_overlap(inputs: dict[str, Path], written: dict[str, Path]) -> None:
    """Raise OutputPathError if a written file is an input or a directory, or two written files are one.

    Args:
        inputs: role -> path of every file the run reads (``cases``).
        written: role -> path of every file the run creates, renames or
            truncates (outputs, their ``.partial`` files, the checkpoint,
            the lock), so also ``batch X.partial -o X`` is caught.
    """
    for role, path in written.items():
        for in_role, source in inputs.items():
            if _same_file(path, source):
                raise OutputPathError(f"{path}: expected {role} to be a file other than {in_role}, found "
                                      f"{in_role} itself; nothing was written ({in_role} would be overwritten)")
    for role, path in written.items():
        if path.is_dir():  # found now, not by the rename at the end of a long run
            raise OutputIsDirectoryError(f"{path}: expected {role} to be a file, found a directory; nothing was written")
    roles = list(written.items())
    for i, (role, path) in enumerate(roles):
        for other_role, other in roles[i + 1:]:
            if _same_file(path, other):
                raise OutputPathError(f"{path}: expected {role} and {other_role} to be different files, found one "
                                      "file for both; nothing was written")


def batch_files(output: Path, errors: Path | None) -> dict[str, Path]:
    """Every file ``batch -o output --errors errors`` writes, by role (for ``refuse_overlap``)."""
    files = {"-o/--output": output, "the partial output": output.with_name(output.name + ".partial"),
             "the checkpoint": output.with_name(output.name + ".partial.ckpt"), "the lock": lock_path(output)}
    if errors is not None:
        files.update({"--errors": errors, "the partial errors file": errors.with_name(errors.name + ".partial"),
                      "the errors lock": lock_path(errors)})
    return files


@contextmanager
def _locked(output: Path) -> Iterator[None]:
    lock = lock_path(output)
    if fcntl is None:  # pragma: no cover
        yield
        return
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputInUseError(f"{output}: expected no other run writing this output, found one holding "
                                   f"{lock}; wait for it to finish or choose another output") from None
        # The previous holder unlinks the lock file before it lets go: if we locked that unlinked file,
        # the path now names another (or no) file, and we must lock the one the path names.
        try:
            if os.fstat(fd).st_ino == os.stat(lock).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        yield
    finally:
        # Unlink while still holding the lock, so no run can lock a file that is about to disappear unnoticed.
        lock.unlink(missing_ok=True)
        os.close(fd)


@contextmanager
def exclusive(outputs: Iterable[Path]) -> Iterator[None]:
    """Hold an exclusive lock on each output (``OUT.lock``) for the whole run; OutputInUseError at once if taken.

    A lock file, not the output itself, because the output only appears by
    rename at the end. ``flock`` locks die with their process, so a killed
    run never leaves a stale lock; the lock file is removed when the run
    ends.
    """
    with ExitStack() as stack:
        for output in outputs:
            stack.enter_context(_locked(output))
        yield


def replace_atomically(path: Path, text: str, encoding: str = "utf-8", suffix: str = ".partial") -> None:
    """Write ``text`` to a temp file next to ``path``, fsync it and rename it over ``path``.

    A report (watchlist, impact) is small and written in one go; the rename
    means a full disk leaves the previous file, never a torn one, and two
    runs writing one path each leave one complete report.
    """
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
