"""output.py: the staging folder, the swap into output/, the trash, and an output that cannot be written."""

from __future__ import annotations

import os
import time
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


def test_the_trash_looks_whether_to_stop_every_few_hundredths_of_a_second_on_a_slow_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a file system mounted with `discard` a deletion took 1-2 ms: a thousand of them between two looks
    kept a build waiting 7-26 s for the lock. The trash asks stop() at least every LOOK_EVERY seconds."""
    output = tmp_path / "output"
    old = tmp_path / "old"
    for k in range(40):
        (old / f"d{k % 4}").mkdir(parents=True, exist_ok=True)
        (old / f"d{k % 4}" / f"{k}.html").write_text("x")
    digest.output.move_to_trash(old, output)
    unlink = os.unlink
    deleted: list[str] = []

    def slow_unlink(path: str) -> None:  # as such a disk deletes
        time.sleep(0.02)
        unlink(path)
        deleted.append(path)

    monkeypatch.setattr(digest.output.os, "unlink", slow_unlink)
    asked_after: list[int] = []
    assert digest.output.empty_trash(output, lambda: asked_after.append(len(deleted)) or True, batch=1000) is False
    assert asked_after and asked_after[0] <= 0.2 / 0.02  # asked within a fifth of a second, not after 1,000 files
    assert digest.output.empty_trash(output, lambda: False, batch=1000) is True
    assert not (tmp_path / ".output.trash").exists()


def _trash_with(tmp_path: Path, name: str, files: int = 3) -> Path:
    """output/'s trash, holding a tree `name` of a few files (as a build puts one there)."""
    output = tmp_path / "output"
    tree = tmp_path / name
    for k in range(files):
        (tree / "x" / f"{k}.html").parent.mkdir(parents=True, exist_ok=True)
        (tree / "x" / f"{k}.html").write_text(str(k))
    digest.output.move_to_trash(tree, output)
    return output


def test_one_deleter_at_a_time_empties_the_trash(tmp_path: Path) -> None:
    """A deleter started while another holds the trash leaves it to that one (after a whole-site
    rebuild at 100,000 entries, every build after it started one more: nine walked the same tree)."""
    fcntl = pytest.importorskip("fcntl")
    output = _trash_with(tmp_path, "old")
    trash = tmp_path / ".output.trash"
    held = os.open(trash, os.O_RDONLY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another deleter at work
        assert digest.output.empty_trash_alone(output) is False
        assert len(list(trash.rglob("*.html"))) == 3  # not touched
    finally:
        os.close(held)
    assert digest.output.empty_trash_alone(output) is True
    assert not trash.exists()
    assert digest.output.empty_trash_alone(output) is True  # nothing to do


def test_the_one_deleter_deletes_what_builds_put_in_meanwhile(tmp_path: Path, monkeypatch) -> None:
    output = _trash_with(tmp_path, "old")
    empty = digest.output.empty_trash
    rounds = []

    def a_build_meanwhile(out: Path, stop) -> bool:
        done = empty(out, stop)
        rounds.append(done)
        if len(rounds) == 1:
            _trash_with(tmp_path, "newer")  # a build put a tree there as this round ended
            return False
        return done

    monkeypatch.setattr(digest.output, "empty_trash", a_build_meanwhile)
    assert digest.output.empty_trash_alone(output) is True
    assert rounds == [True, True] and not (tmp_path / ".output.trash").exists()


def test_the_one_deleter_stops_when_a_round_deletes_nothing(tmp_path: Path, monkeypatch) -> None:
    output = _trash_with(tmp_path, "old")
    rounds = []
    monkeypatch.setattr(digest.output, "empty_trash", lambda out, stop: rounds.append(1) and False)
    assert digest.output.empty_trash_alone(output) is False  # a folder it may not delete: it gives up
    assert len(rounds) == 2


def test_output_folder_that_cannot_be_written(make_site) -> None:
    # Root ignores permission bits, so make the output's parent a file: no user can write there.
    root = make_site({"content/a.md": entry_text(), "blocked": "a file, not a folder"},
                     config='[build]\noutput_dir = "blocked/output"\n')
    with pytest.raises(DigestError) as caught:
        build(root, OPTIONS)
    assert "cannot write" in str(caught.value) and caught.value.hint


def test_a_folder_outside_the_site_that_no_build_made_is_never_taken_over(make_site) -> None:
    # output_dir = "/tmp" once put /tmp aside as the spare tree (a later build deleted it)
    root = make_site({"content/a.md": entry_text(), "../elsewhere/thesis.txt": "mine"},
                     config='[build]\noutput_dir = "../elsewhere"\n')
    elsewhere = root.parent / "elsewhere"
    before = sorted(p.name for p in root.parent.iterdir())
    with pytest.raises(DigestError) as caught:
        build(root, OPTIONS)
    assert "no digest build made" in str(caught.value) and caught.value.hint
    assert caught.value.path == root / "digest.toml" and caught.value.line == 2  # output_dir's
    assert (elsewhere / "thesis.txt").read_text() == "mine"
    assert sorted(p.name for p in root.parent.iterdir()) == before  # no spare tree beside it


def test_an_output_folder_outside_the_site_is_used_when_new_empty_or_built_before(make_site) -> None:
    root = make_site({"content/a.md": entry_text(), "../empty/.keep": ""},
                     config='[build]\noutput_dir = "../empty"\n')
    (root.parent / "empty" / ".keep").unlink()
    build(root, OPTIONS)  # an empty folder
    build(root, OPTIONS)  # the folder the last build made
    assert (root.parent / "empty" / "index.html").is_file()
    (root / "digest.toml").write_text('[build]\noutput_dir = "../new/site"\n')
    build(root, OPTIONS)  # a folder that does not exist yet
    assert (root.parent / "new" / "site" / "index.html").is_file()


def test_the_sites_own_output_folder_belongs_to_digest(make_site) -> None:
    root = make_site({"content/a.md": entry_text(), "output/stray.html": "not ours"})
    build(root, OPTIONS)  # README: every build deletes files in output/ that it did not make
    assert not (root / "output" / "stray.html").exists()


def test_a_file_taken_from_the_search_store_is_linked_into_both_trees_and_never_written_into(
        tmp_path: Path) -> None:
    """Staging.link_from: into a tree made afresh the store's file is linked (the same inode, in the
    twin too); where the tree holds a file that shares its inode with another (the live site's copy)
    that file is put aside and the store's linked in its place: the other keeps its bytes."""
    store = tmp_path / "store"
    store.mkdir()
    (store / "new").write_bytes(b"new")
    output = tmp_path / "output"
    staging = digest.output.Staging(output, fresh=True, twin=True)
    staging.link_from("pagefind/a/f1", store / "new")
    assert staging.twin is not None
    for tree in (staging.path, staging.twin):
        assert os.stat(tree / "pagefind/a/f1").st_ino == os.stat(store / "new").st_ino
    (tmp_path / "live").mkdir()
    (tmp_path / "live" / "f2").write_bytes(b"live")
    os.link(tmp_path / "live" / "f2", staging.path / "pagefind/a/f2")  # shared with the live copy
    staging.link_from("pagefind/a/f2", store / "new")
    assert (staging.path / "pagefind/a/f2").read_bytes() == b"new"
    assert (tmp_path / "live" / "f2").read_bytes() == b"live"
    assert os.stat(staging.path / "pagefind/a/f2").st_ino == os.stat(store / "new").st_ino
    assert staging.written == 2
