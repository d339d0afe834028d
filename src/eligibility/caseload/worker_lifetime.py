"""Worker processes die with the batch that started them.

A ``ProcessPoolExecutor`` worker waits on a pipe whose write end it holds
itself, so when its parent is SIGKILLed it never sees end-of-file and runs on
as an orphan (PPID 1), holding memory and the rulebooks. On Linux the kernel
can deliver a signal when the parent dies (``prctl(PR_SET_PDEATHSIG)``);
elsewhere a daemon thread notices that the parent is gone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_SECONDS = 1.0


def _parent_pid() -> int | None:
    parent = multiprocessing.parent_process()
    return parent.pid if parent is not None else None


def _ask_kernel() -> bool:
    """``prctl(PR_SET_PDEATHSIG, SIGKILL)``; False where that does not exist or fails."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)  # the parent is gone: nobody will read our results


def die_with_parent() -> None:
    """Make this process (a pool worker) end when the process that started it ends, however it ends.

    Called first in the worker initializer. The parent may already have died
    before the kernel was asked (the signal is then never sent), so the
    parent pid is checked afterwards.
    """
    parent = _parent_pid()
    if parent is None:  # not a multiprocessing child: nothing to follow
        return
    if not _ask_kernel():
        threading.Thread(target=_watch, args=(parent,), name="die-with-parent", daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)
