"""Forked worker processes: work split into chunks and run on every core, the data they need
handed over by fork (never pickled: entries and pages are big)."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from typing import Any

# Work handed to forked worker processes: by fork, never pickled (entries and pages are big).
WORK: dict[str, Any] = {}


def worker_count(jobs: int | None) -> int:
    """`jobs`, or one worker per core this process may run on."""
    return jobs if jobs is not None else len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else (os.cpu_count() or 1)


def in_workers(function: Callable[[Sequence[Any]], Any], items: Sequence[Any], jobs: int | None,
               threshold: int, **work: Any) -> list[Any]:
    """function(chunk) for chunks of items: in forked processes when there are enough items."""
    workers = worker_count(jobs)
    WORK.update(work)
    try:
        if workers <= 1 or len(items) < threshold or "fork" not in multiprocessing.get_all_start_methods():
            return [function(items)]
        count = workers * 16  # many chunks: an unlucky worker does not finish long after the rest, and
        # the parent holds only a small chunk of results in transit at once (memory)
        chunks = [items[i::count] for i in range(count)]
        with multiprocessing.get_context("fork").Pool(workers, _die_with_parent, (os.getpid(),)) as pool:
            return list(pool.imap_unordered(function, chunks))  # each result freed as it is used, not all at once
    finally:
        WORK.clear()


def _die_with_parent(parent: int) -> None:
    """A worker whose build was killed must not write on into the spare tree, which the next build
    may already be rebuilding: ask Linux to kill it with its parent, and check as it goes."""
    WORK["parent"] = parent
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def orphaned() -> bool:
    parent = WORK.get("parent")
    return parent is not None and os.getppid() != parent
