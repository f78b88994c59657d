from pathlib import Path

from digest.load import entry_files


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
