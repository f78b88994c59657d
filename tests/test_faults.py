"""Faults: builds killed at random points, a full disk, a read-only output folder, a watch server
under a burst of edits, and the local server under load.

After every fault output/ is either the old site or the new one, never a mix, and the next build
gives exactly what a cold build gives. All network traffic goes to 127.0.0.1 only, with bounded
counts and timeouts.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from digest.build import BuildOptions, build
from digest.errors import BuildFailed, DigestError

from .conftest import BASIC_CONFIG, NOW, REPO, tree_bytes

KILLS = int(os.environ.get("DIGEST_FAULT_KILLS", "24"))
ENTRIES = 240
TOPICS = ("world", "business")


def _entry(n: int, version: int) -> str:
    day = 1 + n % 28
    tags = ", ".join(f"tag{(n + k) % 17}" for k in range(n % 3))
    body = f"Paragraph {n} of version {version}. " * (5 + n % 20)
    return (f"---\ntitle: Story number {n} (v{version})\ndate: 2022-08-{day:02d}T{n % 24:02d}:{n % 60:02d}:00Z\n"
            f"topic: {TOPICS[n % 2]}\ntags: [{tags}]\nsource: Source {n % 7}\n---\n\n{body}\n")


def _write_state(root: Path, state: int) -> None:
    """Two versions of the site: B edits a third of the entries, removes ten and adds ten, and
    renames the site, so that every page changes and the kills also land in builds that render
    every page over a live site."""
    (root / "digest.toml").write_text(BASIC_CONFIG if state == 0 else
                                      BASIC_CONFIG.replace('title = "Test Digest"', 'title = "Test Digest B"'))
    content = root / "content"
    shutil.rmtree(content, ignore_errors=True)
    numbers = range(ENTRIES) if state == 0 else [n for n in range(10, ENTRIES + 10)]
    for n in numbers:
        path = content / f"{n % 10}" / f"story-{n}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_entry(n, 1 if state == 1 and n % 3 == 0 else 0))


BUILD = ("build", "--no-search")  # the peers of these checks are built without the search index


def _digest(*args: str) -> list[str]:
    return [sys.executable, "-m", "digest.cli", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def _cold_reference(tmp_path: Path, state: int) -> dict[str, bytes]:
    root = tmp_path / f"reference-{state}"
    root.mkdir()
    _write_state(root, state)
    subprocess.run(_digest("-C", str(root), *BUILD), check=True, env=_env(), capture_output=True, timeout=300)
    return tree_bytes(root / "output")


def _name(tree: dict[str, bytes], references: list[dict[str, bytes]]) -> str:
    for number, reference in enumerate(references):
        if tree == reference:
            return "AB"[number]
    differing = [k for k in set(tree) | set(references[0]) if tree.get(k) != references[0].get(k)][:5]
    return f"a mix (differs from A in {differing})"


def test_builds_killed_at_random_points_leave_old_or_new_site(tmp_path: Path) -> None:
    references = [_cold_reference(tmp_path, 0), _cold_reference(tmp_path, 1)]
    assert references[0] != references[1]
    root = tmp_path / "site"
    root.mkdir()
    _write_state(root, 0)
    subprocess.run(_digest("-C", str(root), *BUILD), check=True, env=_env(), capture_output=True, timeout=300)
    assert tree_bytes(root / "output") == references[0]
    _write_state(root, 1)  # kills land inside a build: time the incremental one, the kind being killed
    started = time.monotonic()
    subprocess.run(_digest("-C", str(root), *BUILD), check=True, env=_env(), capture_output=True, timeout=300)
    full = time.monotonic() - started
    assert tree_bytes(root / "output") == references[1]

    rng = random.Random(1234)
    state, survived, completed = 1, 0, 0
    for kill in range(KILLS):
        before = _name(tree_bytes(root / "output"), references)
        state = 1 - state if rng.random() < 0.7 else state
        _write_state(root, state)
        process = subprocess.Popen(_digest("-C", str(root), *BUILD), env=_env(), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.02, full))
        process.send_signal(signal.SIGKILL)
        finished = process.wait(timeout=60) == 0
        after = _name(tree_bytes(root / "output"), references)
        assert after in ("AB"[state], before), f"kill {kill}: output/ is {after}"
        survived += 1
        completed += finished
        if rng.random() < 0.35 or kill == KILLS - 1:  # the next build, from whatever cache the kill left
            subprocess.run(_digest("-C", str(root), *BUILD), check=True, env=_env(), capture_output=True,
                           timeout=300)
            assert tree_bytes(root / "output") == references[state], f"build after kill {kill} differs from cold"
    print(f"kills survived: {survived} ({completed} builds finished before their kill)")
    assert survived == KILLS


# --- disk full and read-only output ---------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs, when this process may mount one (root in a container that allows it)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {result.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _small_site(tmp_path: Path, output: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    (root / "digest.toml").write_text(BASIC_CONFIG + f'\n[build]\noutput_dir = "{output}"\n')
    for n in range(6):
        path = root / "content" / f"story-{n}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_entry(n, 0))
    return root


def test_disk_full_is_a_clear_error_and_the_old_site_stays(tmp_path: Path, small_disk: Path) -> None:
    root = _small_site(tmp_path, small_disk / "output")
    build(root, BuildOptions(now=NOW, jobs=1))
    before = tree_bytes(small_disk / "output")
    (root / "content/huge.md").write_text(_entry(99, 0).replace("Paragraph", "Long paragraph " * 3000))
    with pytest.raises(DigestError) as caught:
        build(root, BuildOptions(now=NOW, jobs=1))
    errors = caught.value.errors if isinstance(caught.value, BuildFailed) else [caught.value]
    assert all("disk is full" in str(e) and str(e.path).startswith(str(small_disk)) for e in errors)
    assert tree_bytes(small_disk / "output") == before
    (root / "content/huge.md").unlink()
    build(root, BuildOptions(now=NOW, jobs=1))  # space again: the next build works and matches
    assert tree_bytes(small_disk / "output") == before


def test_disk_full_during_a_write_without_a_tmpfs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same, portable: every write into the staging tree fails with ENOSPC after a few files."""
    import errno

    import digest.output

    root = _small_site(tmp_path, tmp_path / "site-output")
    build(root, BuildOptions(now=NOW, jobs=1))
    before = tree_bytes(tmp_path / "site-output")
    (root / "content/story-1.md").write_text(_entry(1, 2))
    calls = {"n": 0}
    real_open = open

    def full_disk_open(file: object, mode: str = "r", *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if set(mode) & set("wxa+"):
            calls["n"] += 1
            if calls["n"] > 3:
                raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return real_open(file, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(digest.output, "open", full_disk_open, raising=False)
    real_os_open = os.open

    def full_disk_os_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR) and ".staging" in str(path):
            calls["n"] += 1
            if calls["n"] > 3:
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_os_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(digest.output.os, "open", full_disk_os_open)
    with pytest.raises(DigestError) as caught:
        build(root, BuildOptions(now=NOW, jobs=1))
    assert "disk is full" in str(caught.value)
    monkeypatch.undo()
    assert tree_bytes(tmp_path / "site-output") == before


def test_read_only_output_is_a_clear_error_and_the_old_site_stays(tmp_path: Path, small_disk: Path) -> None:
    root = _small_site(tmp_path, small_disk / "output")
    build(root, BuildOptions(now=NOW, jobs=1))
    before = tree_bytes(small_disk / "output")
    (root / "content/story-1.md").write_text(_entry(1, 2))
    result = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True)
    if result.returncode != 0:
        pytest.skip("cannot remount the tmpfs read-only")
    with pytest.raises(DigestError) as caught:
        build(root, BuildOptions(now=NOW, jobs=1))
    assert "read-only" in str(caught.value)
    assert tree_bytes(small_disk / "output") == before


# --- the dev server: a burst of edits, and load ------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`digest serve --watch --port N` in a subprocess, on 127.0.0.1."""

    def __init__(self, root: Path) -> None:
        self.port = _free_port()
        self.log = root.parent / "serve.log"
        serve = ("serve", "--watch", "--no-search", "--port", str(self.port))  # compared with --no-search builds
        self.process = subprocess.Popen(_digest("-C", str(root), *serve),
                                        env=_env(), stdout=self.log.open("wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if self.get("/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the server did not come up: {self.log.read_text()}")

    def get(self, path: str, timeout: float = 10) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def fds(self) -> int:
        return len(os.listdir(f"/proc/{self.process.pid}/fd"))

    def rss_kb(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]

    def settle(self, output: Path, quiet: float = 2.5, limit: float = 180) -> None:
        """Wait until output/ has not changed for `quiet` seconds (the rebuilds are done)."""
        deadline = time.monotonic() + limit
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            stamp = _stamp(output)
            if stamp != last:
                last, since = stamp, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.25)
        raise AssertionError("output/ never settled")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _stamp(output: Path) -> tuple[int, ...]:
    try:
        info = os.stat(output)
        return (info.st_ino, info.st_mtime_ns, len(tree_bytes(output)))
    except OSError:
        return (0,)


def _serve_site(tmp_path: Path, entries: int = 40) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    (root / "digest.toml").write_text(BASIC_CONFIG)
    for n in range(entries):
        (root / "content").mkdir(exist_ok=True)
        (root / "content" / f"story-{n}.md").write_text(_entry(n, 0))
    return root


def _burst(root: Path, rng: random.Random, edits: int) -> int:
    """Edits, renames, deletes and atomic saves (write a temp file, rename over) in a burst."""
    content = root / "content"
    done = 0
    for _ in range(edits):
        files = sorted(content.glob("*.md"))
        action = rng.choice(["edit", "edit", "atomic", "rename", "delete", "create", "bad"])
        target = rng.choice(files) if files else None
        number = rng.randrange(1000)
        if action == "edit" and target:
            target.write_text(_entry(number % 200, rng.randrange(5)))
        elif action == "atomic" and target:
            temp = content / f".{target.name}.swp"
            temp.write_text(_entry(number % 200, rng.randrange(5)))
            os.replace(temp, target)
        elif action == "rename" and target:
            target.rename(content / f"renamed-{number}.md")
        elif action == "delete" and target and len(files) > 5:
            target.unlink()
        elif action == "bad" and target:
            target.write_text("---\ntitle: [unclosed\n---\n")  # a broken save, fixed by a later edit
        else:
            (content / f"new-{number}.md").write_text(_entry(number % 200, 0))
        done += 1
    for path in content.glob("*.md"):  # the last word: every file valid, so the final build succeeds
        if "[unclosed" in path.read_text():
            path.write_text(_entry(rng.randrange(200), 9))
    return done


def _cold(root: Path, tmp_path: Path) -> dict[str, bytes]:
    copy = tmp_path / f"cold-{time.monotonic_ns()}"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("output", ".output*", ".digest"))
    subprocess.run(_digest("-C", str(copy), *BUILD), check=True, env=_env(), capture_output=True, timeout=300)
    return tree_bytes(copy / "output")


BURSTS = int(os.environ.get("DIGEST_FAULT_BURSTS", "3"))
EDITS_PER_BURST = int(os.environ.get("DIGEST_FAULT_EDITS", "150"))


def test_watch_survives_bursts_of_edits_and_ends_like_a_cold_build(tmp_path: Path) -> None:
    root = _serve_site(tmp_path)
    server = Server(root)
    rng = random.Random(99)
    edits, memory = 0, []
    try:
        for burst in range(BURSTS):
            edits += _burst(root, rng, EDITS_PER_BURST)
            cold = _cold(root, tmp_path)
            # Settled, it equals a cold build. On a loaded machine a rebuild may start after a quiet
            # spell of the output folder: look again until it is equal or a rebuild-free minute passes.
            deadline = time.monotonic() + 60
            while True:
                server.settle(root / "output")
                if tree_bytes(root / "output") == cold or time.monotonic() > deadline:
                    break
            assert server.get("/")[0] == 200
            assert tree_bytes(root / "output") == cold, f"after burst {burst}"
            memory.append(server.rss_kb())
    finally:
        server.stop()
    print(f"edits survived: {edits}; server RSS after each burst (kB): {memory}")
    # Memory may grow on the first bursts (caches fill); it must not keep growing burst after burst.
    assert memory[-1] <= memory[1 if len(memory) > 2 else 0] * 1.3 + 20_000, memory


REQUESTS = int(os.environ.get("DIGEST_FAULT_REQUESTS", "600"))


def test_server_under_load_slow_clients_and_disconnects(tmp_path: Path) -> None:
    root = _serve_site(tmp_path, entries=20)
    server = Server(root)
    served = 0
    try:
        paths = ["/", "/topics/", "/tags/", "/feed.xml", "/atom.xml", "/feed.json", "/archive/", "/nope/",
                 "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/static/style.css", "/2022/08/02/"]
        time.sleep(1)
        fds_before = server.fds()

        def one(n: int) -> int:
            status, body = server.get(paths[n % len(paths)])
            assert status in (200, 400, 403, 404), status
            assert b"root:x:0:0" not in body
            return 1

        with ThreadPoolExecutor(max_workers=32) as pool:
            served += sum(pool.map(one, range(REQUESTS)))

        stop = threading.Event()
        slow = []
        for _ in range(20):  # slow clients: connect, send half a request, wait
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            slow.append(sock)
        with ThreadPoolExecutor(max_workers=8) as pool:  # still served while they dawdle
            served += sum(pool.map(one, range(100)))
        for _ in range(50):  # abrupt disconnects: mid-request, and before reading the response
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            sock.sendall(b"GET /feed.xml HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            sock.close()  # RST
        for sock in slow:
            sock.close()
        stop.set()
        assert server.get("/")[0] == 200
        served += 1
        deadline = time.monotonic() + 20
        while server.fds() > fds_before + 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert server.fds() <= fds_before + 2, (fds_before, server.fds(), os.listdir(f"/proc/{server.process.pid}/fd"))
        assert server.process.poll() is None
    finally:
        server.stop()
    print(f"requests served: {served}")
