"""Forked worker processes: work split into chunks and run on every core, the data they need
handed over by fork (never pickled: entries and pages are big)."""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Generic, TypeVar

Work = TypeVar("Work")  # what every chunk needs: one frozen value (a dataclass of the stage's)
Item = TypeVar("Item")
Result = TypeVar("Result")

# The function and its work for the forked workers: handed over by fork, never pickled (entries and
# pages are big). Set only while in_workers runs; nothing else reads it.
_handed: tuple[Callable[[Any, Sequence[Any]], Any], Any] | None = None
_parent: int | None = None  # in a worker: the build's process


def worker_count(jobs: int | None) -> int:
    """`jobs`, or one worker per core this process may run on."""
    return jobs if jobs is not None else len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else (os.cpu_count() or 1)


def forks(jobs: int | None, count: int, threshold: int) -> bool:
    """Whether in_workers runs `count` items in forked processes (else here, in one call)."""
    return worker_count(jobs) > 1 and count >= threshold and hasattr(os, "fork")


def in_workers(function: Callable[[Work, Sequence[Item]], Result], work: Work, items: Sequence[Item],
               jobs: int | None, threshold: int, meanwhile: Callable[[], object] | None = None) -> list[Result]:
    """function(work, chunk) for chunks of items: in forked processes when there are enough items.
    `meanwhile()` is called here while they work (or first, when nothing is forked)."""
    global _handed
    workers = worker_count(jobs)
    if not forks(jobs, len(items), threshold):
        if meanwhile is not None:
            meanwhile()
        return [function(work, items)]
    import multiprocessing  # here, not with the module: most builds of a change fork no workers (6 ms)

    count = workers * 16  # many chunks: an unlucky worker does not finish long after the rest, and
    # the parent holds only a small chunk of results in transit at once (memory)
    chunks = [items[i::count] for i in range(count)]
    _handed = (function, work)
    try:
        with multiprocessing.get_context("fork").Pool(workers, _die_with_parent, (os.getpid(),)) as pool:
            results = pool.imap_unordered(_run, chunks)  # each result freed as it is used, not all at once
            if meanwhile is not None:
                meanwhile()
            return list(results)
    finally:
        _handed = None


def _run(chunk: Sequence[Any]) -> Any:
    assert _handed is not None, "a worker is forked only while in_workers runs"
    function, work = _handed
    return function(work, chunk)


def in_worker() -> bool:
    """Whether this is a forked worker process (not the build's own)."""
    return _parent is not None


def _die_with_parent(parent: int) -> None:
    """A worker whose build was killed must not write on into the spare tree, which the next build
    may already be rebuilding: ask Linux to kill it with its parent, and check as it goes."""
    global _parent
    _parent = parent
    with contextlib.suppress(Exception):
        import ctypes  # in the worker only

        libc = ctypes.CDLL(None, use_errno=True)  # the process's own symbols, libc's among them
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def orphaned() -> bool:
    """In a worker: whether the build that forked it is gone."""
    return _parent is not None and os.getppid() != _parent


class Apart(Generic[Result]):
    """function(*args) run in a forked process while this one goes on, its result (a value marshal
    can write: numbers, strings, bytes, lists, tuples, dicts of them) handed back through a pipe:
    for work that mostly waits on the file system, such as a stat of every entry file or output
    folder, beside work that computes. Where fork is not there, the function runs when its result
    is asked for. Used as a context manager, the process is waited for on the way out (a build that
    fails before it asks for the result leaves no process behind). Only for a process without
    threads (a one-shot build): a forked child has only the thread that forked."""

    def __init__(self, function: Callable[..., Result], *args: Any, group: bool = False) -> None:
        """`group`: the process leads a process group of its own, so that cancel() stops the
        processes it started too."""
        self._function, self._args = function, args
        self._group = group
        self._pid: int | None = None
        self._pipe = -1
        self._done = False
        self._result: Result | None = None
        if not hasattr(os, "fork"):  # the platforms whose multiprocessing has no "fork" (Windows)
            return
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: its result, then out without any of the parent's clean-up
            status = 1
            try:
                if group:
                    os.setpgid(0, 0)
                os.close(read_end)
                data = marshal.dumps(function(*args))  # type: ignore[arg-type]  # as the docstring says
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        if group:  # here too: the group is there before cancel() can be called, whichever runs first
            with contextlib.suppress(OSError):
                os.setpgid(pid, pid)
        self._pid, self._pipe = pid, read_end

    def result(self) -> Result | None:
        """The function's result; None when its process failed (the caller does the work itself)."""
        if not self._done:
            self._done = True
            if self._pid is None:
                self._result = self._function(*self._args)
            else:
                with os.fdopen(self._pipe, "rb") as pipe:
                    data = pipe.read()
                _, status = os.waitpid(self._pid, 0)
                if os.waitstatus_to_exitcode(status) == 0:
                    with contextlib.suppress(EOFError, ValueError, TypeError):
                        self._result = marshal.loads(data)
        return self._result

    def taken(self) -> Result | None:
        """result(), no longer held here: the caller's is then the only reference (memory)."""
        result, self._result = self.result(), None
        return result

    def cancel(self) -> None:
        """Stop the work, if not done (and, for a group, every process it started), and wait for it."""
        if self._pid is not None and not self._done:
            self._done = True
            with contextlib.suppress(OSError):
                if self._group:
                    os.killpg(self._pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            os.close(self._pipe)
            os.waitpid(self._pid, 0)

    def __enter__(self) -> Apart[Result]:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._pid is not None and not self._done:
            self.result()  # waited for: no process left behind
