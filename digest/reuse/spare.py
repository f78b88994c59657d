"""The spare tree brought up to date in a process of its own, after a one-shot build that wrote
much of the site.

Two output trees take turns (output.py): a build stages its files into the spare and swaps it in.
After a build that rendered most pages again (a template, the config or digest itself changed) the
spare holds the old version of each, and the next build, one entry edited, first linked every
page of the live site into it: 1.5-4 s at 10,000 entries, 12-19 s at 100,000. The dev server does
that work in its idle time (Builder.catch_up); after `digest build` a process of its own does it,
started as the command returns (`python -P -m digest.reuse.spare SITE OUTPUT SALT`, run by
catch_up_apart).
That process
- takes the build lock after the build at work, if one is (which may leave nothing to do);
- works only with the cache the build used (`SALT`: opened with another, the cache would start
  afresh and forget every parse);
- stops at the end of a batch as soon as a build waits for the lock (output.lock_wanted), leaving
  the spare as a build leaves it, recorded after every batch (reuse.trees.catch_up_spare), and goes
  on once that build is done (a build that found nothing changed, `digest build` run twice, leaves
  the spare as it was);
- then deletes the trees put aside (output.empty_trash), as delete_trash_apart would have.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from digest.output import background_lock, empty_trash, lock_wanted, outliving

BATCH = 1000  # files linked between two looks for a build waiting (0.1-0.3 s)
ROUNDS = 20  # builds it lets go first and then goes on after (a dev server's catches up in its own idle time)


def catch_up_apart(site_root: Path, output: Path, salt: str) -> bool:
    """Start the process that brings the spare of `output` up to date (see the module); False when
    it could not be started (the next build does the work)."""
    argv = [sys.executable, "-P", "-m", "digest.reuse.spare", str(site_root.absolute()), str(output.absolute()), salt]
    return outliving(lambda: _exec(argv))


def _exec(argv: list[str]) -> None:
    # A fresh interpreter: nothing of the build's memory kept meanwhile (800 MB at 100,000 entries);
    # -P: digest as installed, never a folder of that name where the command was run
    os.execv(argv[0], argv)


def catch_up(site_root: Path, output: Path, salt: str) -> bool:
    """The process's work (see the module); True when the spare is up to date and the trash empty.
    Stopped for a build, it waits for that build to end and goes on (at most ROUNDS times): a build
    that found nothing changed leaves the spare as it was, and one that changed a page brought the
    spare along itself, so what is left is found again from the cache's records."""
    # Imported here, before the lock is taken: the parent (every `digest build`) needs none of it
    from digest.reuse.cache import BuildCache, stored_salt
    from digest.reuse.trees import catch_up_spare, folders_record

    done = False
    for _ in range(ROUNDS):
        with background_lock(site_root, wait=True) as held:  # after the build at work, if one is
            if not held or stored_salt(site_root) != salt:
                break  # no lock to be had here, or another cache since: the next build sees to it
            cache = BuildCache(site_root, salt)
            try:
                done = catch_up_spare(cache, output, lambda: lock_wanted(site_root), BATCH, folders_record(site_root))
            except (OSError, sqlite3.Error):  # the site moved or deleted meanwhile: a later build sees to it
                break
            finally:
                cache.close()
        if done:
            break
    return empty_trash(output, lambda: False) and done


if __name__ == "__main__":
    catch_up(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
