"""How far the cold build can fall: digest beside Hugo, with and without the cost of Markdown.

usage: python bench/floors.py       (N=10000 by default; RUNS=1; the corpus and Hugo of bench/run.py)

In one run, on the corpus of bench/run.py:
- Hugo's cold build (the yardstick of issue #6: digest's cold build should take at most 0.75 of it);
- digest's cold build as it is;
- digest's cold build with Markdown made free: the body is only HTML-escaped instead of rendered
  (an experiment, never a mode of digest: it shows what a Markdown renderer of zero cost would leave);
- the CPU seconds that markdown-it-py and PyYAML (through python-frontmatter), the libraries the
  user chose, take alone for the whole corpus on one core.

The table goes to stdout, to bench/results/floors.md and, as JSON, to bench/results/floors.json.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (bench/run.py: corpus, peers, timing)

FREE_MARKDOWN = """
import sys
from pathlib import Path
from markupsafe import escape
import digest.permalinks
digest.permalinks.render_markdown = lambda text, base=None: str(escape(text))  # the experiment
from digest.build import BuildOptions, build
print(build(Path("."), BuildOptions(search=False)).summary())
"""


def cold(command: list[str], site: Path, leftovers: tuple[str, ...]) -> dict[str, float]:
    runs = []
    for _ in range(run.RUNS):
        for leftover in leftovers:
            shutil.rmtree(site / leftover, ignore_errors=True)
        runs.append(run.timed(command, site))
    return run.median(runs)


def library_seconds(content: Path) -> dict[str, float]:
    """CPU seconds, one core, for markdown-it-py over every body and PyYAML over every front matter."""
    from frontmatter.default_handlers import YAMLHandler

    from digest.markdown_html import render_markdown
    handler = YAMLHandler()
    texts = [path.read_text(encoding="utf-8") for path in sorted(content.rglob("*.md"))]
    parts = [handler.split(text) for text in texts]
    started = time.process_time()
    for front, _ in parts:
        handler.load(front)
    yaml_s = time.process_time() - started
    started = time.process_time()
    for _, body in parts:
        render_markdown(body, "https://digest.example.org/a/")
    markdown_s = time.process_time() - started
    return {"markdown_cpu_s": round(markdown_s, 2), "yaml_cpu_s": round(yaml_s, 2),
            "body_mb": round(sum(len(body.encode()) for _, body in parts) / 1e6, 1)}


def main() -> int:
    n = run.SIZES[0]
    root = run.corpus(n)
    _, hugo = run.ensure_peers()
    site = run.WORK / f"floors-{n}"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    (site / "digest.toml").write_text(run.DIGEST_TOML)
    shutil.copytree(root / "content", site / "content")
    leftovers = ("output", ".output.spare", ".output.twin", ".output.trash", ".digest")
    python = str(run.REPO / ".venv" / "bin" / "python") if (run.REPO / ".venv").exists() else sys.executable
    results: dict[str, Any] = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "n": n, "runs": run.RUNS}
    run.log(f"# N={n}: Hugo, digest, digest with free Markdown, libraries alone")
    results["hugo"] = cold([str(hugo), "--quiet", "--noBuildLock", "-d", "out"], root / "hugo", ("out",))
    results["digest"] = cold(run.digest_command(), site, leftovers)
    results["digest_free_markdown"] = cold([python, "-c", FREE_MARKDOWN], site, leftovers)
    results["libraries"] = library_seconds(site / "content")
    shutil.rmtree(site, ignore_errors=True)

    hugo_s = results["hugo"]["wall_s"]
    lines = [f"N={n}, cold builds ({run.RUNS} run{'s' if run.RUNS > 1 else ''}, median)", "",
             "| build | wall s | CPU s | peak MB | / Hugo |", "| --- | ---: | ---: | ---: | ---: |"]
    for key, label in (("hugo", "Hugo"), ("digest", "digest"), ("digest_free_markdown", "digest, Markdown free")):
        m = results[key]
        ratio = m["wall_s"] / hugo_s
        lines.append(f"| {label} | {m['wall_s']:.2f} | {m['cpu_s']:.2f} | {m['peak_mb']} | {ratio:.2f} |")
    lib = results["libraries"]
    lines += ["", f"0.75 x Hugo: {0.75 * hugo_s:.2f} s wall.",
              f"Alone on one core: markdown-it-py {lib['markdown_cpu_s']:.2f} s CPU for {lib['body_mb']} MB of bodies "
              f"({lib['body_mb'] / max(lib['markdown_cpu_s'], 1e-9):.1f} MB/s); "
              f"PyYAML {lib['yaml_cpu_s']:.2f} s CPU for the front matter."]
    text = "\n".join(lines)
    print(text)
    out = run.HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "floors.json").write_text(json.dumps(results, indent=1) + "\n")
    (out / "floors.md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
