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
