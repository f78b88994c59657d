"""Write the site into a staging folder, then swap it for output/ in one atomic step.

Unchanged files are hard links to the previous build's (never rewritten); a failed or killed
build leaves the previous output/ exactly as it was.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from digest.errors import OutputError

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class Staging:
    """A new output tree being assembled beside the live one."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.path = output.parent / f".{output.name}.staging"
        self._made_dirs: set[str] = set()
        self.written: set[str] = set()
        try:
            if self.path.exists():
                shutil.rmtree(self.path)  # left by a killed build: never trusted
            self.path.mkdir(parents=True)
        except OSError as exc:
            raise _output_error(exc, self.path) from exc

    def _parent(self, rel: str) -> Path:
        target = self.path / rel
        parent = os.path.dirname(rel)
        if parent and parent not in self._made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(parent)
        return target

    def write(self, rel: str, data: bytes) -> None:
        try:
            target = self._parent(rel)
            with open(target, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise _output_error(exc, self.path / rel) from exc
        self.written.add(rel)

    def keep(self, rel: str) -> bool:
        """Reuse the live site's file unchanged (a hard link); False when it cannot be reused."""
        source = self.output / rel
        try:
            target = self._parent(rel)
            os.link(source, target)
        except FileNotFoundError:
            return False
        except OSError:
            try:
                shutil.copy2(source, self.path / rel)
            except OSError:
                return False
        self.written.add(rel)
        return True

    def publish(self) -> None:
        """Make the staging folder the live output/, atomically where the system allows."""
        try:
            _fsync_tree_root(self.path)
            if self.output.exists():
                _exchange(self.path, self.output)
                shutil.rmtree(self.path, ignore_errors=True)  # now the old site
            else:
                self.output.parent.mkdir(parents=True, exist_ok=True)
                os.rename(self.path, self.output)
        except OSError as exc:
            raise _output_error(exc, self.output) from exc

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _fsync_tree_root(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> None:
    """Swap two directories in one step (Linux renameat2 RENAME_EXCHANGE); else two renames."""
    libc_name = ctypes.util.find_library("c")
    renameat2 = getattr(ctypes.CDLL(libc_name, use_errno=True), "renameat2", None) if libc_name else None
    if renameat2 is not None:
        result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
        if result == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS, errno.EPERM):
            raise OSError(err, os.strerror(err), str(b))
    old = b.parent / f".{b.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    os.rename(b, old)
    os.rename(a, b)
    os.rename(old, a)


def _output_error(exc: OSError, path: Path) -> OutputError:
    hints = {
        errno.ENOSPC: "the disk is full: free some space and build again",
        errno.EROFS: "the file system is read-only: choose another output_dir in [build]",
        errno.EACCES: "no permission to write there: check the folder's owner and permissions",
        errno.EDQUOT: "the disk quota is used up: free some space",
    }
    hint = hints.get(exc.errno or 0, "check that the output folder can be written")
    return OutputError(f"cannot write the site: {exc.strerror or exc}", path,
                       hint=hint + "; the previous output/ is untouched")


def existing_files(root: Path) -> set[str]:
    """Every file under root, as posix paths relative to it."""
    found: set[str] = set()
    if not root.is_dir():
        return found
    stack = [("", str(root))]
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as items:
            for item in items:
                rel = f"{prefix}{item.name}"
                if item.is_dir(follow_symlinks=False):
                    stack.append((rel + "/", item.path))
                else:
                    found.add(rel)
    return found


def write_in_place(output: Path, files: Iterable[tuple[str, bytes]]) -> None:
    """For the dev server: replace single files atomically inside the live output/."""
    for rel, data in files:
        target = output / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.parent / f".{target.name}.tmp"
        temp.write_bytes(data)
        os.replace(temp, target)
