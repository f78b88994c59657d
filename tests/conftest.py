"""Shared fixtures: a helper that writes a tiny site from a dict of file contents (Lektor style)."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis: a bounded run by default ("ci") and a long one on demand (make fuzz). In CI (CI=true)
# the examples are the same every run: a gate must not turn red on a new random draw; new draws are
# made on developers' machines (random) and by make fuzz.
settings.register_profile("ci", max_examples=200, deadline=None, derandomize=os.environ.get("CI") == "true",
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=4000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
NOW = datetime(2030, 1, 1, tzinfo=UTC)  # builds in tests never depend on the clock

BASIC_CONFIG = """\
[site]
title = "Test Digest"
description = "A digest for tests."
base_url = "https://news.example.org/"
timezone = "Europe/London"

[[topics]]
slug = "world"
title = "World"
aliases = ["World News"]

[[topics]]
slug = "business"
title = "Business"
"""


def entry_text(title: str = "A headline", date: str = "2022-08-15T09:00:00+01:00", body: str = "Body text.",
               **fields: str) -> str:
    lines = [f"title: {title!r}" if "'" not in title else f'title: "{title}"', f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n"


SiteMaker = Callable[..., Path]


@pytest.fixture
def make_site(tmp_path: Path) -> SiteMaker:
    """make_site({"content/a.md": "...", ...}, config=...) -> the site folder."""

    def make(files: dict[str, str | bytes] | None = None, config: str | None = BASIC_CONFIG,
             name: str = "site") -> Path:
        root = tmp_path / name
        root.mkdir()
        if config is not None:
            (root / "digest.toml").write_text(textwrap.dedent(config), encoding="utf-8")
        for rel, data in (files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(data, encoding="utf-8")
        return root

    return make


@pytest.fixture
def demo_site(tmp_path: Path) -> Path:
    """A copy of the project's own site (digest.toml, content/, themes/)."""
    root = tmp_path / "demo"
    root.mkdir()
    shutil.copy(REPO / "digest.toml", root / "digest.toml")
    shutil.copytree(REPO / "content", root / "content")
    if (REPO / "themes").is_dir():
        shutil.copytree(REPO / "themes", root / "themes", symlinks=True)
    return root


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes, for comparing two builds."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
