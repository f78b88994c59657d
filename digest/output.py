"""Write the site into a spare tree beside output/, then swap the two in one atomic step.

Two trees take turns: output/ (the live site) and .output.spare (the spare, holding an
earlier build). A build brings the spare up to date, file by file, where its content differs
(a file the live site already has right is hard-linked from it), then exchanges the two. Files
are never rewritten in place, only replaced, because the two trees share unchanged files' inodes.
A failed or killed build leaves output/ exactly as it was; the build cache stops trusting the
spare before touching it (see build.py). A file replaced or removed in the spare is renamed into
the trash (.output.trash) and deleted after the command returns, or in the dev server's idle time:
deleting a file whose blocks are on the disk waits for it (measured here while other processes kept
the disk busy, an edit at 10,000 entries 45 s after the last: 26 unlinks and 18 rmdirs, 26-153 ms;
renamed, under 1 ms; on a quiet disk the difference did not show).
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import secrets
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from digest.errors import OutputError
from digest.tree_identity import mark_tree, tree_id

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


LOCK = "build.lock"  # in .digest/: held by the build at work on the site
WANTED = "build.wanted."  # in .digest/, with a process id: that process waits for the lock (see build_lock)
WAIT_NOTICE = 1.0  # seconds a build waits for the lock before it is told who holds it (build_lock's `waiting`)


@contextlib.contextmanager
def build_lock(site_root: Path, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """One build at a time on a site: another process's build (`digest build` while `digest serve`
    runs) waits until this one is done; two at once would write the same spare tree. An advisory
    lock on .digest/build.lock; where it cannot be taken (a read-only folder, a file system without
    locks) the build goes on without it. A build that has to wait says so (.digest/build.wanted.PID,
    removed once it holds the lock): work done in the background a batch at a time
    (reuse.spare.catch_up_apart) ends its batch and lets it in. The holder writes its process id
    into the lock file; `waiting` is told who holds it (lock_holder) when the lock is still taken
    after WAIT_NOTICE seconds: a build that waits on another is never silent for long."""
    handle = None
    try:
        import fcntl  # POSIX only: elsewhere no lock

        folder = site_root / ".digest"
        folder.mkdir(exist_ok=True)
        handle = open(folder / LOCK, "a")  # noqa: SIM115 - closed below, which unlocks
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            wanted = folder / f"{WANTED}{os.getpid()}"
            with contextlib.suppress(OSError):
                wanted.touch()
            notice = _notice_after(WAIT_NOTICE, waiting, folder / LOCK) if waiting is not None else None
            try:
                fcntl.flock(handle, fcntl.LOCK_EX)
            finally:
                if notice is not None:
                    notice.cancel()
                with contextlib.suppress(OSError):
                    wanted.unlink()
        _mark_holder(handle)
    except (ImportError, OSError):
        if handle is not None:
            handle.close()
            handle = None
    try:
        yield
    finally:
        if handle is not None:
            handle.close()


@contextlib.contextmanager
def background_lock(site_root: Path, wait: bool = False) -> Iterator[bool]:
    """The build lock for work in the background (reuse.spare): True when held. `wait`: until the
    build at work is done, else False at once when the lock is taken. It never says it waits (see
    build_lock): a build goes first. False too where no lock can be taken: such work, which a build
    would do itself anyway, is then not done beside one."""
    try:
        import fcntl

        handle = open(site_root / ".digest" / LOCK, "a")  # noqa: SIM115 - closed below, which unlocks
    except (ImportError, OSError):
        yield False
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        held = True
        _mark_holder(handle)
    except OSError:
        held = False
    try:
        yield held
    finally:
        handle.close()


def _mark_holder(handle: IO[str]) -> None:
    """Write this process's id into the lock file it holds (lock_holder reads it)."""
    with contextlib.suppress(OSError):
        os.ftruncate(handle.fileno(), 0)
        handle.write(f"{os.getpid()}\n")  # appended: at the start of the emptied file
        handle.flush()


def _notice_after(seconds: float, waiting: Callable[[str], None], lock: Path) -> threading.Timer:
    notice = threading.Timer(seconds, lambda: waiting(lock_holder(lock)))
    notice.daemon = True
    notice.start()
    return notice


def lock_holder(lock: Path) -> str:
    """Who holds the build lock, as its file says: "process 1234 (digest serve --watch)", the
    command line where this system shows it; "another process" when the file does not say."""
    try:
        pid = int(lock.read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return "another process"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            args = [arg.decode("utf-8", "replace") for arg in handle.read().split(b"\0") if arg]
    except OSError:
        return f"process {pid}"
    return f"process {pid} ({_command_shown(args)})" if args else f"process {pid}"


def _command_shown(args: list[str]) -> str:
    """A command line as its user typed it: `digest serve --watch`, not the interpreter and the
    script's path that start it (`.../python .../bin/digest serve --watch`, `python -m digest ...`);
    on one line of printable characters, at most 80 of them (any process's arguments are shown)."""
    text = " ".join(" ".join(_as_typed(args)).split())
    text = "".join(char if char.isprintable() else "?" for char in text)
    return text if len(text) <= 80 else text[:79] + "…"


def _as_typed(args: list[str]) -> list[str]:
    for index, arg in enumerate(args):
        if os.path.basename(arg) == "digest":
            return ["digest", *args[index + 1:]]
        if arg == "-m" and index + 1 < len(args) and args[index + 1].split(".")[0] == "digest":
            module = args[index + 1]
            return ["digest" if module in ("digest", "digest.cli") else module, *args[index + 2:]]
    return [os.path.basename(args[0]), *args[1:]]


def lock_wanted(site_root: Path) -> bool:
    """Whether a build waits for the build lock (see build_lock). A mark left by a process that
    is gone (killed as it waited) is removed."""
    folder = site_root / ".digest"
    try:
        names = [name for name in os.listdir(folder) if name.startswith(WANTED)]
    except OSError:
        return False
    for name in names:
        try:
            os.kill(int(name[len(WANTED):]), 0)
        except ValueError:
            continue
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                os.unlink(folder / name)
            continue
        except OSError:  # alive, another user's
            return True
        return True
    return False


def check_output_folder(output: Path, site_root: Path, line: int | None = None) -> None:
    """Refuse to take over a folder outside the site that holds files no build made: publishing
    puts the folder aside as the spare tree and a later build deletes it (output_dir = "/tmp"
    once replaced /tmp). The site's own output/ belongs to digest, stray files and all. `line`: that of
    output_dir in digest.toml."""
    output, site_root = output.resolve(), site_root.resolve()
    if output.is_relative_to(site_root) or tree_id(output) is not None or not output.is_dir():
        return  # inside the site, made by a build (or no marks on this file system), or not there
    with os.scandir(output) as items:
        if next(items, None) is None:
            return  # an empty folder: nothing to lose
    raise OutputError(f"the output folder {output} holds files that no digest build made: a build "
                      "would replace the whole folder and delete them", site_root / "digest.toml", line,
                      hint="set [build] output_dir to a new or empty folder (or empty this one yourself)")


def spare_path(output: Path) -> Path:
    return output.parent / f".{output.name}.spare"


def trash_path(output: Path) -> Path:
    """Where trees wait to be deleted in the dev server's idle time (see empty_trash)."""
    return output.parent / f".{output.name}.trash"


def move_to_trash(folder: Path, output: Path) -> None:
    """Put a tree aside in one rename; empty_trash deletes it later, a batch at a time."""
    trash = trash_path(output)
    trash.mkdir(exist_ok=True)
    os.rename(folder, trash / secrets.token_hex(8))


# At most this long between two looks at whether to stop, when deleting the trash: a build (or an
# edit in the dev server) waits for no more than that
LOOK_EVERY = 0.05


def empty_trash(output: Path, stop: Callable[[], bool], batch: int = 1000) -> bool:
    """Delete what move_to_trash put aside, asking stop() after every `batch` files and at least
    every LOOK_EVERY seconds; True when the trash is gone. Deleting a site's last copies costs about
    0.1 ms a file on ext4, and 1-2 ms a file or folder on a file system mounted with `discard` (each
    deletion trims the disk's blocks there and then): 1.5 s, or half a minute, at 10,000 entries,
    which a build should not wait for. A thousand files between two looks made a build wait 7-26 s."""
    trash = trash_path(output)
    if not os.path.lexists(trash):
        return True
    deleted = 0
    looked = time.monotonic()

    def look() -> bool:
        nonlocal looked
        looked = time.monotonic()
        return stop()

    # Another process may be emptying it too (a one-shot build's, delete_trash_apart), or a build
    # putting a tree in: what is gone already, or a folder not empty, is left to it.
    for folder, folders, files in os.walk(trash, topdown=False):
        for name in [*files, *(f for f in folders if os.path.islink(os.path.join(folder, f)))]:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(folder, name))
            deleted += 1
            if (deleted % batch == 0 or time.monotonic() - looked >= LOOK_EVERY) and look():
                return False
        with contextlib.suppress(FileNotFoundError, OSError):
            os.rmdir(folder)
        if folder != str(trash) and time.monotonic() - looked >= LOOK_EVERY and look():
            return False
    return not os.path.lexists(trash)


def empty_trash_alone(output: Path) -> bool:
    """Empty the trash as the one deleter at work on it (delete_trash_apart's process): False at once
    when another holds it, which goes on until the trash is gone. After a build that rendered the
    whole site the trash holds a tree of every file, minutes to delete at 100,000 entries, and each
    build after it started a deleter of its own: nine of them walked the same tree at once, at nice 10
    taking half the CPU from the builds. What builds put in meanwhile is deleted too (the trash goes
    only when empty); it stops when a round deletes nothing more. Where no lock can be taken (no
    fcntl), it empties the trash once, beside any other deleter."""
    trash = trash_path(output)
    try:
        import fcntl

        folder = os.open(trash, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return True
    except (ImportError, OSError):
        return empty_trash(output, lambda: False)
    try:
        try:
            fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)  # on the trash folder: gone with it
        except OSError:
            return False  # another deleter's
        left = None
        while not empty_trash(output, lambda: False):
            now_left = _names(trash)
            if now_left == left:
                return False  # nothing more it can delete (a folder it may not)
            left = now_left
        return True
    finally:
        os.close(folder)


def _names(folder: Path) -> set[str]:
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()


def delete_trash_apart(output: Path) -> None:
    """Empty the trash in a process of its own that outlives this one: a one-shot build returns while
    the tree it put aside is deleted. Deleting a tree is one unlink per file and one rmdir per folder:
    after an upgrade of digest (every page rendered again, the spare not known to the new cache) the
    next build deleted the old spare before it could link the live one into its place, 12-39 s of a
    one-edit build at 10,000 entries and four minutes at 100,000. A fresh interpreter does it
    (_deleter_started), or, where none can be started, a fork of this process; where neither, the
    trash waits for the next dev server's idle time."""
    if os.path.lexists(trash_path(output)) and not _deleter_started(output):
        outliving(lambda: empty_trash_alone(output))


# The trash's deleter: a fresh interpreter at a lower priority (-P: digest as installed, never a
# folder of that name where the command was run)
_DELETER = ("import contextlib, os, sys; from pathlib import Path\n"
            "with contextlib.suppress(OSError): os.nice(10)\n"
            "from digest.output import empty_trash_alone\n"
            "empty_trash_alone(Path(sys.argv[1]))\n")


def _deleter_started(output: Path) -> bool:
    """Start the trash's deleter as a process of its own, in a session of its own, that outlives this
    one; False when it could not be started. Started by subprocess, whose vfork does not copy the
    build's memory as fork does (a build at 100,000 entries holds 600 MB: fork took 35 ms, this
    under 1 ms). Nothing waits for it: adopted by init once this process ends."""
    import subprocess  # here: most builds that need it have it already (Pagefind is run by it)

    try:
        subprocess.Popen([sys.executable, "-P", "-c", _DELETER, str(output.absolute())],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         close_fds=True, start_new_session=True)
    except (OSError, ValueError):
        return False
    return True


def outliving(work: Callable[[], object]) -> bool:
    """Run work() in a process of its own that outlives this one: a grandchild adopted by init
    (never a zombie of the caller), in a session of its own (a Ctrl-C after the command is not
    its), at a lower priority, its standard streams on /dev/null and none of the caller's other
    files held open (a pipe's reader, `digest build | cat`, waits for no one). False where it
    cannot be started (no fork, no process to spare): the work is then left to a later build."""
    if not hasattr(os, "fork"):
        return False
    try:
        child = os.fork()
    except OSError:
        return False
    if child == 0:
        try:
            if os.fork() == 0:
                os.setsid()
                with contextlib.suppress(OSError):
                    os.nice(10)
                null = os.open(os.devnull, os.O_RDWR)
                for stream in (0, 1, 2):
                    os.dup2(null, stream)
                os.closerange(3, 65536)
                work()
        finally:
            os._exit(0)  # none of the caller's clean-up (its cache, its atexit handlers)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(child, 0)
    return True


class Staging:
    """The spare tree being brought up to date. `fresh`: start from an empty folder. `twin`: also
    make a second copy (hard links) as the next spare, so the first rebuild after a build from
    nothing does not have to copy the whole site."""

    def __init__(self, output: Path, fresh: bool, twin: bool = False) -> None:
        self.output = output
        self.path = spare_path(output)
        self.twin: Path | None = output.parent / f".{output.name}.twin" if twin else None
        self._made_dirs: set[str] = set()
        self._twin_dirs: set[str] = set()
        self.touched: set[str] = set()  # the folders written into, removed from or made, with their parents
        self.written = 0  # files written anew or linked from the live site
        self._bin = os.path.join(trash_path(output), secrets.token_hex(8))  # what it replaces goes here
        self._binned = itertools.count()
        try:
            if fresh and os.path.lexists(self.path):
                # Left by a killed build, or of unknown content: never trusted. Put aside in one
                # rename, deleted apart (delete_trash_apart, or the dev server's idle time)
                try:
                    move_to_trash(self.path, output)
                except OSError:
                    shutil.rmtree(self.path)
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _output_error(exc, self.path) from exc
        if self.twin is not None:
            try:
                if os.path.lexists(self.twin):
                    shutil.rmtree(self.twin)
                self.twin.mkdir()
            except OSError as exc:
                raise _output_error(exc, self.twin) from exc
            mark_tree(self.twin)
        else:  # one left by a build killed before it settled: never the next spare
            shutil.rmtree(output.parent / f".{output.name}.twin", ignore_errors=True)
        if tree_id(self.path) is None:
            mark_tree(self.path)
        tree = tree_id(self.path)
        if tree is None:
            raise _output_error(OSError(errno.EIO, "the staging folder vanished"), self.path)
        self.tree = tree  # its identity in the build cache

    def _touch(self, rel: str) -> None:
        """Note the folder of `rel` and every folder above it as changed by this build."""
        parent = os.path.dirname(rel)
        while parent not in self.touched:
            self.touched.add(parent)
            if not parent:
                break
            parent = os.path.dirname(parent)

    def note_written(self, rels: Iterable[str]) -> None:
        """Note these files' folders as changed (files written by worker processes, whose own
        notes stay there)."""
        for rel in rels:
            self._touch(rel)

    def _target(self, rel: str) -> str:
        self._touch(rel)
        target = os.path.join(self.path, rel)
        parent = os.path.dirname(rel)
        if parent and parent not in self._made_dirs:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            self._made_dirs.add(parent)
        return target

    def write(self, rel: str, data: bytes) -> None:
        try:
            target = self._target(rel)
            try:
                handle = open(target, "xb")  # noqa: SIM115 - closed below
            except FileExistsError:  # it may share its inode with the live site's copy: replace, never truncate
                self._discard(target)
                handle = open(target, "xb")  # noqa: SIM115
            with handle:
                handle.write(data)
            if self.twin is not None:
                parent = os.path.dirname(rel)
                if parent and parent not in self._twin_dirs:
                    os.makedirs(os.path.join(self.twin, parent), exist_ok=True)
                    self._twin_dirs.add(parent)
                os.link(target, os.path.join(self.twin, rel))
        except OSError as exc:
            raise _output_error(exc, self.path / rel) from exc
        self.written += 1

    def link_live(self, rel: str) -> bool:
        """Take the live site's copy (a hard link; a copy where links fail). False if it is missing."""
        source = os.path.join(self.output, rel)
        try:
            target = self._target(rel)
            self._discard(target)
            try:
                os.link(source, target)
            except FileNotFoundError:
                return False
            except OSError:
                shutil.copy2(source, target)
        except OSError as exc:
            raise _output_error(exc, self.path / rel) from exc
        self.written += 1
        return True

    def link_from(self, rel: str, source: Path) -> None:
        """Take a file kept outside the site (the search segments' store): a hard link, a copy
        where links fail; into the twin too."""
        try:
            target = self._target(rel)
            try:  # linked first: in a tree made afresh (all the search's files of a cold build) nothing is there
                os.link(source, target)
            except FileExistsError:  # it may share its inode with the live site's copy: replaced, never written
                self._discard(target)
                try:
                    os.link(source, target)
                except OSError:
                    shutil.copyfile(source, target)
            except OSError:
                self._discard(target)
                shutil.copyfile(source, target)
            if self.twin is not None:
                parent = os.path.dirname(rel)
                if parent and parent not in self._twin_dirs:
                    os.makedirs(os.path.join(self.twin, parent), exist_ok=True)
                    self._twin_dirs.add(parent)
                os.link(target, os.path.join(self.twin, rel))
        except OSError as exc:
            raise _output_error(exc, self.path / rel) from exc
        self.written += 1

    def remove(self, paths: Iterable[str]) -> int:
        """Delete files no longer in the site, and folders they leave empty."""
        count = 0
        folders: set[str] = set()
        for rel in paths:
            self._touch(rel)
            if self._discard(os.path.join(self.path, rel)):
                count += 1
            folders.add(os.path.dirname(rel))
        for folder in sorted(folders, key=len, reverse=True):
            while folder:
                if not self._discard_empty(os.path.join(self.path, folder)):
                    break  # not empty (or already gone)
                folder = os.path.dirname(folder)
        return count

    def _discard(self, path: str) -> bool:
        """Put a file (or a folder where the new site has a file) in the trash: a rename, its
        deletion left for later (see the module). False when there is none. Where no process can
        outlive the command to delete it (no fork), deleted at once: the trash would only grow."""
        if not _DEFERRED:
            return _unlink(path)
        target = os.path.join(self._bin, f"{os.getpid()}.{next(self._binned)}")
        try:
            os.rename(path, target)
            return True
        except FileNotFoundError:
            if not os.path.lexists(path):
                return False
        except OSError:
            return _unlink(path)
        try:  # the bin is not there (made on first use, or emptied meanwhile by the trash's deleter)
            os.makedirs(self._bin, exist_ok=True)
            os.rename(path, target)
            return True
        except OSError:
            return _unlink(path)

    def _discard_empty(self, folder: str) -> bool:
        """Put a folder in the trash if it is empty; False if it is not (or is gone)."""
        try:
            with os.scandir(folder) as entries:
                if next(entries, None) is not None:
                    return False
        except (FileNotFoundError, NotADirectoryError):
            return False
        if not _DEFERRED:
            try:
                os.rmdir(folder)
            except OSError:
                return False
            return True
        return self._discard(folder)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self.twin is not None:
            shutil.rmtree(self.twin, ignore_errors=True)

    def settle_twin(self) -> str | None:
        """After publish: the twin becomes the spare. Its tree id, or None without a twin."""
        if self.twin is None:
            return None
        try:
            os.rename(self.twin, self.path)
        except OSError:
            shutil.rmtree(self.twin, ignore_errors=True)
            return None
        return tree_id(self.path)

    def publish(self) -> None:
        """Make the spare the live output/ in one step; the old site becomes the spare."""
        try:
            _fsync_tree_root(self.path)
            if self.output.exists():
                _exchange(self.path, self.output)
            else:
                self.output.parent.mkdir(parents=True, exist_ok=True)
                os.rename(self.path, self.output)
        except OSError as exc:
            raise _output_error(exc, self.output) from exc


# What a build replaces is deleted apart (outliving), where a process can be forked
_DEFERRED = hasattr(os, "fork")


def _unlink(path: str) -> bool:
    try:
        os.unlink(path)
        return True
    except FileNotFoundError:
        return False
    except IsADirectoryError:  # a folder where the new site has a file
        shutil.rmtree(path)
        return True


def _fsync_tree_root(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> None:
    """Swap two directories in one step (Linux renameat2 RENAME_EXCHANGE); else two renames."""
    import ctypes  # here: only a build that publishes needs it

    # The process's own symbols (libc's among them), not ctypes.util.find_library("c"): its import and
    # search took 8.5 ms of every build
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
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
