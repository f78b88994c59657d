"""Python's garbage collector paused around work that makes many objects which all live on (parsed
entries, cache rows, story vectors): collections would only walk them again and again."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager

_paused = 0  # collector_paused blocks open in this process
_off_for_command = False  # collector_off_for_command holds the collector off in this process


@contextmanager
def collector_paused() -> Iterator[None]:
    """The garbage collector off while the block runs, then as it was."""
    global _paused
    collecting = gc.isenabled()
    gc.disable()
    _paused += 1
    try:
        yield
    finally:
        _paused -= 1
        if collecting:
            gc.enable()


@contextmanager
def collector_off_for_command() -> Iterator[None]:
    """The garbage collector off in this process while the block runs: a one-shot command's work,
    whose objects nearly all live to its end (the rows, the plan, the stories) and which ends without
    freeing them (cli.script). The collections found nothing to free: at 100,000 entries they walked
    every row again, 0.2-0.4 s of an addition (0.03-0.07 s each). A process forked meanwhile (the
    render's workers, whose pages are garbage once written; the walk) collects as it would have.
    What the block made is frozen as it ends (gc.freeze: the caller lets it go, Builder.build with its
    own unfreeze): else the first collection after it walked every object the build made, 0.06 s at
    the end of a headline edit at 100,000 entries, for nothing."""
    global _off_for_command
    collecting = gc.isenabled()
    gc.disable()
    _off_for_command = True
    try:
        yield
    finally:
        _off_for_command = False
        if collecting:
            gc.freeze()
            gc.enable()


def _in_forked_child() -> None:
    """A child forked while a command held the collector off collects again, unless it was forked
    inside a collector_paused block (as before: that block's work goes on in it with the collector
    paused)."""
    global _off_for_command, _paused
    if _off_for_command:
        _off_for_command = False
        if not _paused:
            gc.enable()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_in_forked_child)
