"""output.py: the staging folder, the swap into output/, the trash, and an output that cannot be written."""

from __future__ import annotations

from pathlib import Path

import pytest

import digest.output
from digest.build import BuildOptions, build
from digest.errors import DigestError

from .conftest import NOW, entry_text

OPTIONS = BuildOptions(now=NOW, jobs=1)


def test_trash_is_emptied_a_batch_at_a_time(tmp_path: Path) -> None:
    output = tmp_path / "output"
    old = tmp_path / "old"
    for rel in ("a.html", "x/b.html", "x/y/c.html", "x/y/d.html"):
        (old / rel).parent.mkdir(parents=True, exist_ok=True)
        (old / rel).write_text(rel)
    (old / "link").symlink_to(old / "x")  # a link to a folder is deleted, never followed
    digest.output.move_to_trash(old, output)
    assert not old.exists()
    asked = []
    assert digest.output.empty_trash(output, lambda: asked.append(1) or True, batch=2) is False
    assert len(asked) == 1 and (tmp_path / ".output.trash").exists()
    assert digest.output.empty_trash(output, lambda: False, batch=2) is True
    assert not (tmp_path / ".output.trash").exists()
    assert digest.output.empty_trash(output, lambda: True) is True  # nothing to do


def test_output_folder_that_cannot_be_written(make_site) -> None:
    # Root ignores permission bits, so make the output's parent a file: no user can write there.
    root = make_site({"content/a.md": entry_text(), "blocked": "a file, not a folder"},
                     config='[build]\noutput_dir = "blocked/output"\n')
    with pytest.raises(DigestError) as caught:
        build(root, OPTIONS)
    assert "cannot write" in str(caught.value) and caught.value.hint


@pytest.mark.parametrize("inside", [["notes.txt"], ["a", "b", "c", "d", "e"], ["folder/"]])
def test_an_output_folder_of_other_files_is_refused_and_left_alone(make_site, tmp_path: Path, inside) -> None:
    """output_dir set to a folder digest did not make (here one outside the site, as /tmp or a home
    folder would be): the build refuses, names the folder and what is in it, and changes nothing
    (a build swaps the whole folder out and a later one deleted what it swapped out)."""
    elsewhere = tmp_path / "elsewhere"
    for name in inside:
        (elsewhere / name).parent.mkdir(parents=True, exist_ok=True)
        if name.endswith("/"):
            (elsewhere / name).mkdir()
        else:
            (elsewhere / name).write_text("mine")
    before = sorted(p.relative_to(elsewhere) for p in elsewhere.rglob("*"))
    root = make_site({"content/a.md": entry_text()}, config=f'[build]\noutput_dir = "{elsewhere}"\n')
    for _ in range(2):
        with pytest.raises(DigestError) as caught:
            build(root, OPTIONS)
        assert caught.value.path == elsewhere and "did not write" in str(caught.value)
        assert inside[0].rstrip("/") in str(caught.value) and "output_dir" in (caught.value.hint or "")
    assert sorted(p.relative_to(elsewhere) for p in elsewhere.rglob("*")) == before
    assert all((elsewhere / n).read_text() == "mine" for n in inside if not n.endswith("/"))
    assert not (tmp_path / ".elsewhere.spare").exists()


def test_an_empty_output_folder_is_used_and_a_built_one_rebuilt(make_site, tmp_path: Path) -> None:
    """An empty folder is digest's to fill; once built, the folder is known as digest's (its mark)
    and later builds replace it as usual."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = make_site({"content/a.md": entry_text()}, config=f'[build]\noutput_dir = "{elsewhere}"\n')
    build(root, OPTIONS)
    assert (elsewhere / "index.html").is_file()
    (root / "content/b.md").write_text(entry_text(title="Another"), encoding="utf-8")
    build(root, OPTIONS)
    assert (elsewhere / "index.html").is_file() and "Another" in (elsewhere / "index.html").read_text()
