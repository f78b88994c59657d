"""The command line: exit codes, messages, and the commands that are not the build."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import frontmatter

from digest.cli import main

from .conftest import entry_text


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "digest.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_build_prints_one_summary_line(make_site) -> None:
    root = make_site({"content/a.md": entry_text()})
    result = run("build", cwd=root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("built 1 entry: ") and " s" in lines[0]


def test_errors_exit_1_with_file_line_and_hint(make_site) -> None:
    root = make_site({"content/a.md": "---\ntitle: x\n---\nbody\n"})
    result = run("build", cwd=root)
    assert result.returncode == 1
    assert "content/a.md:2: missing 'date'" in result.stderr and "hint:" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(make_site) -> None:
    root = make_site()
    assert run("bulid", cwd=root).returncode == 2
    assert run(cwd=root).returncode == 2


def test_new_writes_an_entry_that_builds(make_site) -> None:
    root = make_site()
    assert main(["-C", str(root), "new", "Markets rally: stocks up", "--topic", "World News", "--source",
                 "Reuters", "--url", "https://example.com/x", "--date", "2022-08-15T10:00:00+01:00"]) == 0
    path = root / "content/2022/08/15/markets-rally-stocks-up.md"
    post = frontmatter.load(path)
    assert post["title"] == "Markets rally: stocks up" and post["topic"] == "world" and post["source"] == "Reuters"
    assert main(["-C", str(root), "new", "Markets rally: stocks up", "--date", "2022-08-15T10:00:00+01:00"]) == 1
    assert main(["-C", str(root), "new", "x", "--topic", "nope"]) == 1
    assert main(["-C", str(root), "new", "x", "--url", "javascript:alert(1)"]) == 1
    assert main(["-C", str(root), "build"]) == 0


def test_check_writes_nothing_and_reports_broken_links(make_site) -> None:
    root = make_site({"content/a.md": entry_text(body="[gone](https://news.example.org/2099/01/01/nothing/)")})
    result = run("check", cwd=root)
    assert result.returncode == 1
    assert "broken internal link" in result.stderr
    assert not (root / "output").exists()
    (root / "content/a.md").write_text(entry_text(body="[fine](https://news.example.org/archive/)"))
    assert run("check", cwd=root).returncode == 0


def test_stories_json_works_without_a_config(make_site) -> None:
    root = make_site({"content/2014/03/10/a-1.md": entry_text("Apple unveils new iPhone", topic="tech"),
                      "content/2014/03/10/b-2.md": entry_text("Volcano erupts in Iceland", topic="science")},
                     config=None)
    result = run("stories", "--json", cwd=root)
    assert result.returncode == 0, result.stderr
    stories = json.loads(result.stdout)["stories"]
    assert sorted(p for s in stories for p in s) == ["content/2014/03/10/a-1.md", "content/2014/03/10/b-2.md"]


def test_build_makes_the_search_index_unless_told_not_to(make_site) -> None:
    from digest.search import pagefind_executable

    assert pagefind_executable() is not None, "pagefind-bin is in the test extra"
    root = make_site({"content/a.md": entry_text(body="A unmistakable word: quokka.")})
    assert main(["-C", str(root), "build"]) == 0
    assert (root / "output/pagefind/pagefind.js").is_file()
    assert main(["-C", str(root), "build", "--no-search"]) == 0
    assert not (root / "output/pagefind").exists()
    assert main(["-C", str(root), "build"]) == 0
    assert (root / "output/pagefind/pagefind.js").is_file()


def test_a_reader_that_stops_early_gets_no_traceback(make_site) -> None:
    """`digest stories | head`: the pipe closes while digest still writes."""
    files = {f"content/e{n:03}.md": entry_text(f"Entry number {n} about the harbour plan and its long, long title "
                                               f"that fills the line {n}", date=f"2022-08-{1 + n % 28:02}T09:00:00Z")
             for n in range(600)}
    root = make_site(files)
    process = subprocess.Popen([sys.executable, "-m", "digest.cli", "stories"], cwd=root, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(10)  # it is writing: stop reading, as head does
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert "Traceback" not in errors and "Broken pipe" not in errors, errors
