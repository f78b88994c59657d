"""`digest check`: the whole chain without writing anything; every problem reported, as errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import entry_text


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "digest.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def digest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """As a user runs it: python -m digest."""
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_check_writes_nothing_and_reports_broken_links(make_site) -> None:
    root = make_site({"content/a.md": entry_text(body="[gone](https://news.example.org/2099/01/01/nothing/)")})
    result = run("check", cwd=root)
    assert result.returncode == 1
    assert "broken internal link" in result.stderr
    assert not (root / "output").exists()
    (root / "content/a.md").write_text(entry_text(body="[fine](https://news.example.org/archive/)"))
    assert run("check", cwd=root).returncode == 0


def test_messages_count_in_the_singular_and_plural(make_site) -> None:
    root = make_site({"content/a.md": entry_text(body="[gone](https://news.example.org/2099/01/01/nothing/)")})
    result = digest("check", cwd=root)
    assert result.returncode == 1 and "checked 1 entry, " in result.stdout and ": 1 problem" in result.stdout
    assert "1 problems" not in result.stdout + result.stderr
    (root / "content/b.md").write_text(entry_text("Another", body="[gone](https://news.example.org/x/)"))
    result = digest("check", cwd=root)
    assert "checked 2 entries, " in result.stdout and ": 2 problems" in result.stdout


def test_check_never_says_build_failed(make_site) -> None:
    root = make_site({"content/a.md": "---\ntitle: x\n---\nbody\n", "content/b.md": "---\ndate: 2022-01-01\n---\n"})
    result = digest("check", cwd=root)
    assert result.returncode == 1 and "build failed" not in result.stderr and "output/" not in result.stderr
    assert "check: 2 problems" in result.stderr
    built = digest("build", cwd=root)
    assert "build failed: 2 problems; the previous output/ is untouched" in built.stderr


def test_check_names_a_second_lead_of_one_story(make_site) -> None:
    """Two entries of one story both say lead: true: the earliest leads; check names the other's
    file and line and what to do (the build said nothing)."""
    root = make_site({
        "content/a.md": entry_text("Summit opens", story="summit", lead="true"),
        "content/b.md": entry_text("Summit goes on", story="summit", lead="true", date="2022-08-15T12:00:00Z"),
    })
    result = digest("check", cwd=root)
    assert "content/b.md:" in result.stderr and "content/a.md leads this story" in result.stderr, result.stderr
    assert "remove lead: true" in result.stderr
    (root / "content/b.md").write_text(entry_text("Summit goes on", story="summit", date="2022-08-15T12:00:00Z"))
    assert "leads this story" not in digest("check", cwd=root).stderr


def test_a_template_error_is_named_once_relative_to_the_site(make_site) -> None:
    """A theme's error shows on every page made with the template: check listed it once per page
    (35 copies on a site of 12 entries), each with the template's whole path, where a build names
    it once, relative to the site folder."""
    root = make_site({"content/a.md": entry_text(tags="[one, two, three]"),
                      "themes/mine/templates/tag.html": "{% extends 'default:tag.html' %}\n"
                                                         "{% block title %}{{ tag.nam }}{% endblock %}\n"},
                     config='[site]\ntheme = "mine"\n')
    result = digest("check", cwd=root)
    assert result.returncode == 1 and ": 1 problem" in result.stdout
    assert result.stderr.count("error: themes/mine/templates/tag.html:2: template error") == 1
    assert str(root) not in result.stderr
