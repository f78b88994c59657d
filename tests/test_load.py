import gc
from collections.abc import Sequence
from pathlib import Path

import pytest

from digest import entry_walk, load
from digest.config import Config, load_config
from digest.entry_walk import entry_files
from digest.errors import DigestError
from digest.load import Parsed, load_entries_with_features, parse_files
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


@pytest.mark.parametrize("by_descriptor", [True, False])
def test_entry_files_order_is_the_parts_order_on_random_trees(tmp_path: Path, by_descriptor: bool,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk lists each folder in name order; the list must be what sorting every path by its
    parts gives, whatever the names (punctuation that sorts before and after "/", a folder and a
    file of one stem, non-ASCII, spaces), with skipped names and a linked folder left out, a linked
    file followed. The same through folders held open (by descriptor) and by whole paths (where the
    platform has no descriptors for folders), in one process or two."""
    import os
    import random

    assert entry_walk._BY_DESCRIPTOR or not by_descriptor  # as on Linux and macOS
    monkeypatch.setattr(entry_walk, "_BY_DESCRIPTOR", by_descriptor)

    names = ["a", "a-b", "a.md", "a b", "a0", "B", "b", "é", "z~", "_u", ".h", "x.txt", "a!"]
    for seed in range(30):
        rng = random.Random(seed)
        content = tmp_path / f"c{seed}" / "content"
        content.mkdir(parents=True)
        made: list[str] = []
        for _ in range(rng.randint(1, 25)):
            parts = [rng.choice(names) for _ in range(rng.randint(0, 3))]
            leaf = rng.choice(names) + rng.choice([".md", ".md", ".txt", ""])
            target = content.joinpath(*parts, leaf)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.exists():
                    target.write_text(leaf)
                    made.append("/".join(["content", *parts, leaf]))
            except (FileExistsError, NotADirectoryError, IsADirectoryError):
                continue  # a name already taken by a file where a folder was wanted, or the other way
        (content / "linked").symlink_to(content, target_is_directory=True)  # never followed
        (content / "linked.md").symlink_to(content / "linked", target_is_directory=True)  # a folder: not an entry
        if made and made[0].endswith(".md") and (content.parent / made[0]).is_file():
            (content / "zz-linked-file.md").symlink_to(content.parent / made[0])  # followed, as reading it is
            made.append("content/zz-linked-file.md")
        expected = sorted(
            (rel for rel in made
             if rel.endswith(".md") and not any(p.startswith((".", "_")) for p in rel.split("/"))
             and (content.parent / rel).is_file()),
            key=lambda rel: tuple(rel.split("/")))
        found = entry_files(content)
        assert [rel for rel, _, _ in found] == expected, seed
        assert entry_files(content, split=True) == found, seed
        assert all(size == os.path.getsize(content.parent / rel) for rel, _, size in found)
        assert entry_files(content, split=True) == found, seed  # the later folders walked in a process of their own


def test_the_split_walk_cuts_content_between_folders_of_about_equal_size(tmp_path: Path) -> None:
    """A one-shot build's walk shares content/ between two processes (entry_walk._halfway): the cut
    falls between folders, where each part's folders hold about as many items; no cut with fewer
    than two folders. Either way the list is the one walk's."""

    content = tmp_path / "content"
    for year, months in (("2023", 12), ("2024", 12), ("2025", 3)):
        for month in range(1, months + 1):
            (content / year / f"{month:02d}").mkdir(parents=True)
            (content / year / f"{month:02d}" / "a.md").write_text(year)
    (content / "about.md").write_text("top")
    top = entry_walk._opened(str(content))
    assert top is not None
    items = list(entry_walk._listed(top))
    assert [item.name for item in items[:entry_walk._halfway(top, items)]] == ["2023"]
    entry_walk._close(top)
    assert entry_files(content, split=True) == entry_files(content)
    assert len(entry_files(content)) == 28
    alone = tmp_path / "alone" / "content"
    (alone / "2024").mkdir(parents=True)
    (alone / "2024" / "b.md").write_text("b")
    (alone / "c.md").write_text("c")
    top = entry_walk._opened(str(alone))
    assert top is not None
    assert entry_walk._halfway(top, list(entry_walk._listed(top))) == 0
    entry_walk._close(top)
    assert entry_files(tmp_path / "none" / "content") == []  # no content/ folder: no entry


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


def test_found_after_changes_equals_a_fresh_look_at_every_file(make_site: SiteMaker) -> None:
    """found_after keeps the last list in order (edits in place, additions put in their place):
    it must give what entry_files gives after the same changes, or None where it cannot tell."""
    from digest.load import found_after

    files = {f"content/{folder}/{name}.md": entry_text(name) for folder in ("2024/01", "2024/02", "2024/10")
             for name in ("a", "b-c", "b", "z")}
    root = make_site(files)
    config = load_config(root)
    content = config.content_path
    found = entry_files(content)
    edited, gone = content / "2024/02/b.md", content / "2024/01/z.md"
    edited.write_text(entry_text("b, edited at more length"))
    gone.unlink()
    added = [content / "2024/10/aa.md", content / "2024/01/0.md", content / "2024/02/b-a.md"]
    for path in added:
        path.write_text(entry_text(path.stem))
    (content / "2024/02/photo.jpg").write_bytes(b"jpeg")  # not an entry
    (content / "2024/02/.b.md.swp").write_text("editor")  # an editor's temporary file
    changed = [edited, gone, *added, content / "2024/02/photo.jpg", content / "2024/02/.b.md.swp",
               content / "2024/01/never-there.md"]
    assert found_after(found, config, changed) == entry_files(content)
    assert found_after(found, config, []) == found
    # A file in a folder that held no entry, or a folder gone: every file is looked at again
    before = entry_files(content)
    (content / "2025/01").mkdir(parents=True)
    (content / "2025/01/new.md").write_text(entry_text("new"))
    assert found_after(before, config, [content / "2025/01/new.md"]) is None
    (content / "2025/01/new.md").unlink()
    (content / "2025/01").rmdir()
    assert found_after(before, config, [content / "2024/10"]) is None  # a folder named as changed
    for path in (content / "2024/10").iterdir():
        path.unlink()
    (content / "2024/10").rmdir()
    assert found_after(before, config, [content / "2024/10"]) is None


def test_edited_files_are_entries_edited_in_place_and_nothing_else(make_site: SiteMaker) -> None:
    """edited_files: the entry files among the changes with their mtimes and sizes, when every change
    is a known entry file edited in place or no entry at all (a template, an editor's temporary file,
    an image); None for an entry file added or removed, a folder, or a hidden folder's file."""
    from digest.load import edited_files

    root = make_site({f"content/2024/01/{name}.md": entry_text(name) for name in ("a", "b")} |
                     {"themes/mine/templates/base.html": "x"})
    config = load_config(root)
    content = config.content_path
    known = {rel for rel, _, _ in entry_files(content)}
    edited = content / "2024/01/a.md"
    edited.write_text(entry_text("a, edited at more length"))
    (content / "2024/01/photo.jpg").write_bytes(b"jpeg")
    (content / "2024/01/.a.md.swp").write_text("editor")
    info = edited.stat()
    assert edited_files(known, config, [edited, content / "2024/01/photo.jpg", content / "2024/01/.a.md.swp",
                                        root / "themes/mine/templates/base.html", root / "digest.toml"]) == \
        {"content/2024/01/a.md": (info.st_mtime_ns, info.st_size)}
    assert edited_files(known, config, []) == {}
    (content / "2024/01/c.md").write_text(entry_text("c"))
    assert edited_files(known, config, [content / "2024/01/c.md"]) is None  # added
    (content / "2024/01/b.md").unlink()
    assert edited_files(known, config, [content / "2024/01/b.md"]) is None  # removed
    assert edited_files(known, config, [content / "2024"]) is None  # a folder
    (content / ".drafts").mkdir()
    (content / ".drafts/x.md").write_text(entry_text("x"))
    assert edited_files(known, config, [content / ".drafts/x.md"]) is None
