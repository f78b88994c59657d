"""An output folder's identity across renames (the live tree and its spare swap places): output.py
marks a tree when it makes one, the build cache records what each identified tree holds."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path

TREE_MARK = "user.digest.tree"  # an extended attribute: a random name given to a tree when it is made


def tree_id(path: Path) -> str | None:
    """A folder's identity across renames: device, inode and the random mark the build gave it
    (an inode number is reused once a folder is deleted). None when it does not exist, or when it
    is unmarked on a file system that supports marks: a folder made by someone else."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    try:
        mark = os.getxattr(path, TREE_MARK).decode("ascii", "replace")
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
            mark = "unmarked"  # such file systems fall back on the inode alone
        else:
            return None
    return f"{info.st_dev}:{info.st_ino}:{mark}"


def mark_tree(path: Path) -> None:
    """Give a new tree its random mark (see tree_id); nothing on file systems without marks."""
    with contextlib.suppress(OSError):
        os.setxattr(path, TREE_MARK, secrets.token_hex(8).encode())
