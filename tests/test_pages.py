"""pages.py and the template globals (render_files.install_globals): what they put into pages
(render_files.json_ld: schema.org data)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from .theme_site import build_edge


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_edge(tmp_path_factory.mktemp("render") / "edge")


def test_news_article_json_ld_is_escaped_and_complete(edge: Path) -> None:
    raw = (edge / "2022/08/15/everything/index.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', raw, re.S)
    assert len(scripts) == 1
    assert "<" not in scripts[0] and "&" not in scripts[0]
    data = json.loads(scripts[0])
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == 'Rocket </script><b>rolls</b> & "out"'
    assert data["mainEntityOfPage"] == data["url"] == "https://news.example.org/2022/08/15/everything/"
    assert [a["name"] for a in data["author"]] == ["Ana Ruiz", "Bo Li"]
    assert datetime.fromisoformat(data["datePublished"]).tzinfo is not None
    assert data["publisher"]["name"] == "Test Digest"
