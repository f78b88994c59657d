import gc
from collections.abc import Sequence
from pathlib import Path

import pytest

from digest import load
from digest.config import Config, load_config
from digest.errors import DigestError
from digest.load import Parsed, entry_files, load_entries_with_features, parse_files
from tests.conftest import SiteMaker, entry_text


def test_entry_files_skip_hidden_and_underscored_names(tmp_path: Path) -> None:
    content = tmp_path / "content"
    for rel in ("a.md", "sub/b.md", ".hidden/c.md", "_drafts/d.md", "e.txt", "sub/.f.md", "sub/_g.md"):
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text("x")
    assert [rel for rel, _, _ in entry_files(content)] == ["content/a.md", "content/sub/b.md"]


def test_entry_files_are_in_path_order_with_their_size(tmp_path: Path) -> None:
    content = tmp_path / "content"
    for rel in ("b/z.md", "a.md", "b/a.md", "a-b.md"):
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(rel)
    found = entry_files(content)
    # folders and files by their parts, so "b/a.md" sorts after "a.md" and "a-b.md"
    assert [rel for rel, _, _ in found] == ["content/a-b.md", "content/a.md", "content/b/a.md", "content/b/z.md"]
    assert [size for _, _, size in found] == [len(rel) for rel in ("a-b.md", "a.md", "b/a.md", "b/z.md")]


@pytest.mark.parametrize("collecting", [True, False])
def test_loading_pauses_the_garbage_collector_and_restores_it(collecting: bool, make_site: SiteMaker,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site({"content/a.md": entry_text("One"), "content/b.md": entry_text("Two")})
    seen: list[bool] = []

    def parse(config: Config, items: Sequence[tuple[str, int, int]]) -> tuple[list[Parsed], list[DigestError]]:
        seen.append(gc.isenabled())
        return parse_files(config, items)

    monkeypatch.setattr(load, "parse_files", parse)
    was = gc.isenabled()
    try:
        (gc.enable if collecting else gc.disable)()
        entries, features = load_entries_with_features(load_config(root), jobs=1)
        assert gc.isenabled() == collecting
    finally:
        (gc.enable if was else gc.disable)()
    assert seen == [False]  # the results are collected with the collector paused
    assert sorted(e.title for e in entries) == ["One", "Two"] and set(features) == {e.path for e in entries}
