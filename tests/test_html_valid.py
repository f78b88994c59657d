"""Every built page passes the Nu HTML Checker (vnu-jar from npm, run by Java): the demo site and
a small site of edge cases (hostile text, images, pagination)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from .theme_site import VNU, build_demo, build_edge, html_pages, require


def vnu_messages(files: list[Path]) -> list[dict[str, object]]:
    """Errors and warnings for all the files in one Java call (the JVM is slow to start)."""
    require(shutil.which("java") is not None, "Java (Debian's default-jre-headless)")
    require(VNU.is_file(), "node_modules/vnu-jar (npm ci)")
    result = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always",
                             *map(str, files)], capture_output=True, text=True, check=True, timeout=300)
    return list(json.loads(result.stderr or result.stdout)["messages"])


def test_every_page_is_valid_html(tmp_path: Path) -> None:
    pages = html_pages(build_demo(tmp_path / "demo")) + html_pages(build_edge(tmp_path / "edge"))
    assert len(pages) > 50
    messages = vnu_messages(pages)
    problems = [f"{str(m.get('url', '')).removeprefix('file:').removeprefix(str(tmp_path))}:{m.get('lastLine')}: "
                f"{m.get('type')} {m.get('subType', '')}: {m.get('message')}\n    {m.get('extract', '')!r}"
                for m in messages if m.get("type") != "info" or m.get("subType") == "warning"]
    assert not problems, "\n".join(problems)
    assert not [m for m in messages if m.get("type") == "non-document-error"]
