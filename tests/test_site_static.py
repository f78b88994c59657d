"""The site's own static/ folder at the output's root, and --base-url (publishing)."""

from __future__ import annotations

import json
import marshal
from pathlib import Path

import pytest

from digest.build import BuildOptions, build
from digest.errors import DigestError

from .conftest import NOW, entry_text


def test_site_static_files_reach_the_output_root(make_site) -> None:
    root = make_site({"content/a.md": entry_text(), "static/CNAME": "news.example.org\n",
                      "static/.nojekyll": "", "static/favicon.ico": b"\x00\x01ico",
                      "static/.well-known/security.txt": "Contact: mailto:a@example.org\n",
                      "static/.DS_Store": "junk", "static/notes.txt~": "editor backup"})
    build(root, BuildOptions(now=NOW))
    output = root / "output"
    assert (output / "CNAME").read_text() == "news.example.org\n"
    assert (output / ".nojekyll").is_file() and (output / "favicon.ico").read_bytes() == b"\x00\x01ico"
    assert (output / ".well-known/security.txt").is_file()
    assert not (output / ".DS_Store").exists() and not (output / "notes.txt~").exists()
    # Changed, then removed: the next builds follow.
    (root / "static/CNAME").write_text("digest.example.org\n")
    (root / "static/favicon.ico").unlink()
    report = build(root, BuildOptions(now=NOW))
    assert (output / "CNAME").read_text() == "digest.example.org\n"
    assert not (output / "favicon.ico").exists() and report.removed == 1


def test_a_site_static_file_may_replace_a_theme_file_but_not_a_page(make_site) -> None:
    root = make_site({"content/a.md": entry_text(), "static/static/style.css": "body { color: red }"})
    build(root, BuildOptions(now=NOW))
    assert (root / "output/static/style.css").read_text() == "body { color: red }"
    (root / "static/index.html").write_text("<p>mine</p>")
    (root / "static/feed.json").write_text("{}")
    with pytest.raises(DigestError) as caught:
        build(root, BuildOptions(now=NOW))
    text = str(caught.value)
    assert "static/index.html would replace the page the build makes at index.html" in text
    assert "static/feed.json" in text and "hint:" in text
    assert "<p>mine</p>" not in (root / "output/index.html").read_text()  # the last good site stays


def test_a_static_file_whose_name_is_not_utf8_is_named(make_site) -> None:
    """A static file named in Latin-1 ("Über.css" from a zip made on another system), in the site's
    static/ or a theme's: the build stopped with a UnicodeEncodeError traceback. It is an error
    naming the file (its odd byte as \\xdc), and the last good site stays."""
    import os

    root = make_site({"content/a.md": entry_text(), "themes/mine/static/mine.css": ""},
                     config='[site]\ntheme = "mine"\n')
    build(root, BuildOptions(now=NOW))
    before = (root / "output/index.html").read_bytes()
    for folder in ("static", "themes/mine/static"):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / os.fsdecode("\xdcber.css".encode("latin-1"))).write_text("body {}")
    with pytest.raises(DigestError) as caught:
        build(root, BuildOptions(now=NOW))
    text = str(caught.value)
    assert "static/\\xdcber.css: the file's name is not UTF-8" in text
    assert "themes/mine/static/\\xdcber.css: the file's name is not UTF-8" in text and "hint: rename it" in text
    assert (root / "output/index.html").read_bytes() == before


def test_a_static_file_linked_from_outside_the_site_is_an_error_naming_it(make_site, tmp_path) -> None:
    """A link in static/ to a file outside the site (/proc/self/environ, ~/.ssh/id_rsa: one merged into the
    site's repository and built by CI) was followed and the file published at the site's root. It is an
    error naming the link and where it leads, and the last good site stays; links inside the site, and a
    static/ folder that is itself a link to a shared folder, are copied as before."""
    import os

    shared = tmp_path / "shared-static"
    shared.mkdir()
    (shared / "favicon.ico").write_bytes(b"ico")
    root = make_site({"content/a.md": entry_text(), "notes/CNAME": "news.example.org\n"})
    (root / "static").mkdir()
    os.symlink(root / "notes/CNAME", root / "static/CNAME")  # inside the site: copied
    build(root, BuildOptions(now=NOW))
    assert (root / "output/CNAME").read_text() == "news.example.org\n"
    before = (root / "output/index.html").read_bytes()

    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=s3cret\n")
    os.symlink(secret, root / "static/env.txt")
    with pytest.raises(DigestError) as caught:
        build(root, BuildOptions(now=NOW))
    text = str(caught.value)
    assert f"static/env.txt: a link to {secret}, outside the site" in text and "hint: copy the file" in text
    assert not (root / "output/env.txt").exists() and (root / "output/index.html").read_bytes() == before

    (root / "static/env.txt").unlink()
    (root / "static/CNAME").unlink()
    (root / "static").rmdir()
    os.symlink(shared, root / "static", target_is_directory=True)  # static/ shared between sites
    build(root, BuildOptions(now=NOW))
    assert (root / "output/favicon.ico").read_bytes() == b"ico"


def test_base_url_option_moves_feeds_and_canonical_links(make_site) -> None:
    root = make_site({"content/a.md": entry_text("Harbour plan approved")})
    build(root, BuildOptions(now=NOW))
    assert "https://news.example.org/2022/08/15/a/" in (root / "output/feed.json").read_text()
    build(root, BuildOptions(now=NOW, base_url="https://example.org/news"))
    feed = json.loads((root / "output/feed.json").read_text())
    assert feed["items"][0]["url"] == "https://example.org/news/2022/08/15/a/"
    assert "news.example.org" not in (root / "output/feed.json").read_text()
    page = (root / "output/2022/08/15/a/index.html").read_text()
    assert '<link rel="canonical" href="https://example.org/news/2022/08/15/a/">' in page
    assert "https://example.org/news/" in (root / "output/feed.xml").read_text()
    with pytest.raises(DigestError, match="--base-url is not an absolute"):
        build(root, BuildOptions(now=NOW, base_url="example.org/news"))


def test_a_base_url_with_a_non_ascii_host_or_path_is_written_as_a_uri(make_site) -> None:
    """Sitemaps (RFC 3986 URLs), RSS links, e-mail headers and HTTP servers want ASCII: an IRI in
    base_url is published percent-encoded, its host in IDNA, as browsers send it."""
    import email
    from email import policy
    from pathlib import Path

    from lxml import etree

    root = make_site({"content/a.md": entry_text("Harbour plan approved")})
    build(root, BuildOptions(now=NOW, base_url="https://bücher.example:8443/nouvelles/été"))
    base = "https://xn--bcher-kva.example:8443/nouvelles/%C3%A9t%C3%A9/"
    output = root / "output"
    locs = [loc.text for path in [output / "sitemap.xml", *sorted((output / "sitemaps").glob("*.xml"))]
            for loc in etree.parse(str(path)).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"{base}2022/08/15/a/" in locs and all(loc.startswith(base) and loc.isascii() for loc in locs)
    assert f"Sitemap: {base}sitemap.xml" in (output / "robots.txt").read_text()
    for name in ("feed.xml", "atom.xml", "feed.json"):
        text = (output / name).read_text()
        assert f"{base}2022/08/15/a/" in text and "été" not in text and "bücher" not in text, name
    message = email.message_from_bytes((output / "2022/08/15/email.eml").read_bytes(), policy=policy.default)
    assert message["From"].addresses[0].domain == "xn--bcher-kva.example"
    assert f"{base}2022/08/15/" in message.get_body(("plain",)).get_content()
    page = (output / "2022/08/15/a/index.html").read_text()
    assert f'<link rel="canonical" href="{base}2022/08/15/a/">' in page
    assert '"/nouvelles/%C3%A9t%C3%A9/static/style.css"' in (output / "404.html").read_text()
    assert not Path(output / "nouvelles").exists()


def test_robots_txt_is_plain_text(make_site) -> None:
    """robots.txt is not HTML: an '&' in the site's path was written '&amp;', a sitemap address that
    does not exist."""
    root = make_site({"content/a.md": entry_text()})
    build(root, BuildOptions(now=NOW, base_url="https://example.org/news&views/"))
    assert (root / "output/robots.txt").read_text() == (
        "User-agent: *\nAllow: /\nSitemap: https://example.org/news&views/sitemap.xml\n")


def test_the_dev_server_serves_a_sub_path_site_where_it_will_live(make_site) -> None:
    import http.client
    import re
    import threading

    from digest.serve import DevServer

    root = make_site({"content/a.md": entry_text(), "static/favicon.ico": b"ico"})
    build(root, BuildOptions(now=NOW, base_url="https://example.org/news/"))
    server = DevServer(root, watch=False, port=0, base_path="/news/")
    threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    host, port = server.httpd.server_address[:2]

    def get(path: str) -> tuple[int, str, bytes]:
        connection = http.client.HTTPConnection(str(host), port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Location") or "", response.read()

    try:
        assert server.url.endswith("/news/")
        assert get("/") == (302, "/news/", b"") and get("/news")[:2] == (302, "/news/")
        status, _, front = get("/news/")
        assert status == 200 and b"<html" in front
        assert get("/news/favicon.ico")[::2] == (200, b"ico")
        assert get("/news/2022/08/15/a")[:2] == (301, "/news/2022/08/15/a/")
        status, _, missing = get("/news/no/such/page/")
        assert status == 404
        # The 404 page's styles and links, from the site's root path, are found under the sub-path.
        links = re.findall(rb'(?:href|src)="(/[^"]*)"', missing)
        assert any(link.endswith(b".css") for link in links) and all(link.startswith(b"/news/") for link in links)
        for link in links:
            if link.endswith((b".css", b".js")):
                assert get(link.decode())[0] == 200, link
        assert get("/elsewhere/index.html")[0] == 404
    finally:
        server.close()


def test_the_dev_server_serves_a_non_ascii_sub_path_as_browsers_ask_for_it(make_site) -> None:
    """A browser asks for /nouvelles/%C3%A9t%C3%A9/: a base path kept as 'été' matched no request."""
    import http.client
    import threading

    from digest.serve import DevServer

    root = make_site({"content/a.md": entry_text()})
    build(root, BuildOptions(now=NOW, base_url="https://example.org/nouvelles/été/"))
    server = DevServer(root, watch=False, port=0, options=BuildOptions(now=NOW,
                                                                      base_url="https://example.org/nouvelles/été/"))
    threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    host, port = server.httpd.server_address[:2]

    def get(path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection(str(host), port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""

    try:
        assert server.url.endswith("/nouvelles/%C3%A9t%C3%A9/")
        assert get("/") == (302, "/nouvelles/%C3%A9t%C3%A9/")
        assert get("/nouvelles/%C3%A9t%C3%A9/")[0] == 200
        assert get("/nouvelles/%C3%A9t%C3%A9/2022/08/15/a/")[0] == 200
    finally:
        server.close()


def test_a_file_put_into_output_by_hand_is_removed_by_every_build(make_site) -> None:
    root = make_site({"content/a.md": entry_text()})
    build(root, BuildOptions(now=NOW))
    output = root / "output"
    (output / "CNAME").write_text("by hand\n")
    (output / "2022/notes.txt").write_text("by hand\n")
    build(root, BuildOptions(now=NOW))  # nothing changed: still, the strays go
    assert not (output / "CNAME").exists() and not (output / "2022/notes.txt").exists()
    (output / "CNAME").write_text("by hand\n")
    for n in range(3):  # the trees take turns: the stray must not come back with the other one
        (root / "content/a.md").write_text(entry_text(body=f"Body {n}."))
        build(root, BuildOptions(now=NOW))
        assert not (output / "CNAME").exists(), n
        assert (output / "index.html").is_file() and (output / "static/style.css").is_file()


@pytest.mark.parametrize("in_folder", [True, False])
def test_strays_are_found_with_the_record_of_folders_wherever_they_are_put(make_site, monkeypatch,
                                                                          in_folder: bool) -> None:
    """Whether each folder is statted from the tree's folder held open or by its whole path (where
    the platform cannot): a stray is found, and a page deleted by hand is made again."""
    import digest.site_static

    assert digest.site_static._STAT_IN_FOLDER or not in_folder  # as on Linux and macOS
    monkeypatch.setattr(digest.site_static, "_STAT_IN_FOLDER", in_folder)
    root = make_site({"content/a.md": entry_text(), "content/b.md": entry_text("Other", date="2022-08-16T09:00Z")})
    output = root / "output"
    records = root / ".digest"
    for n in range(6):  # both trees get a record; each is then checked folder by folder
        (root / "content/a.md").write_text(entry_text(body=f"Body {n}."))
        build(root, BuildOptions(now=NOW))
        assert len(list(records.glob("output-folders.marshal.*"))) == 2, n  # a file a tree, both made by the first
        strays = [output / "CNAME", output / "2022/08/16/b/notes.txt", output / f"new{n}/deep/x.txt"]
        for stray in strays:
            stray.parent.mkdir(parents=True, exist_ok=True)
            stray.write_text("by hand")
        build(root, BuildOptions(now=NOW))  # nothing changed but the strays
        assert not any(stray.exists() for stray in strays), n
        assert (output / "2022/08/16/b/index.html").is_file()
        (output / "2022/08/16/b/index.html").unlink()  # a page deleted by hand
        build(root, BuildOptions(now=NOW))
        assert (output / "2022/08/16/b/index.html").is_file(), n


def test_a_cold_build_records_its_folders_so_the_next_build_lists_none(make_site, monkeypatch) -> None:
    """The first build after a cold one looks for stray files by a stat of each output folder,
    not a listing of every one (0.4 s at 10,000 entries); a stray put there is still found."""
    import os

    root = make_site({"content/a.md": entry_text(), "content/b.md": entry_text("Other", date="2022-08-16T09:00Z")})
    build(root, BuildOptions(now=NOW))
    listed: list[str] = []
    real_scandir = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if str(path).startswith(str(root / "output")):
            listed.append(os.path.relpath(path, root / "output"))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert build(root, BuildOptions(now=NOW)).rendered == 0
    assert listed == []
    (root / "output/2022/08/16/b/notes.txt").write_text("by hand")
    build(root, BuildOptions(now=NOW))
    assert listed == ["2022/08/16/b"]
    assert not (root / "output/2022/08/16/b/notes.txt").exists()


def test_remove_strays_lists_only_changed_folders(tmp_path) -> None:
    import os
    import time

    from digest.site_static import _read_record, _tree_file, recorded_folders, remove_strays

    tree = tmp_path / "tree"
    manifest = _pages(tree, "index.html", "a/index.html", "a/b/index.html", "c/index.html")
    record = tmp_path / "record.marshal"
    assert remove_strays(tree, manifest, record=record, tree_key="t1") == []
    assert set(recorded_folders(record, "t1") or ()) == {"", "a", "a/b", "c"}
    (tree / "a/b/stray.txt").write_text("x")
    listed: list[str] = []
    real_scandir = os.scandir

    def scandir(path):  # what is listed again of the tree
        if str(path).startswith(str(tree)):
            listed.append(os.path.relpath(path, tree))
        return real_scandir(path)

    os.scandir = scandir
    try:
        assert remove_strays(tree, manifest, record=record, tree_key="t1") == ["a/b/stray.txt"]
    finally:
        os.scandir = real_scandir
    assert listed == ["a/b"]
    # Nothing changed since: the record is not written again (a no-change build's time).
    kept = _tree_file(record, "t1")
    kept.write_bytes(kept.read_bytes())  # the same bytes; a rewrite would replace the file
    before = kept.stat()
    assert remove_strays(tree, manifest, record=record, tree_key="t1") == []
    assert (kept.stat().st_ino, kept.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # Another tree's record is kept beside, in a file of its own; a third one's replaces the oldest, and
    # the record of every tree in one file (an earlier digest's) goes.
    record.write_bytes(marshal.dumps({"t1": ("", b"", b"")}))
    time.sleep(0.01)
    remove_strays(tree, manifest, record=record, tree_key="t2")
    time.sleep(0.01)
    remove_strays(tree, manifest, record=record, tree_key="t3")
    assert sorted(path.name for path in tmp_path.glob("record.marshal*")) == \
        sorted(_tree_file(record, key).name for key in ("t2", "t3"))
    assert recorded_folders(record, "t1") is None and recorded_folders(record, "t2") is not None
    record = _tree_file(record, "t3")  # its file, damaged below
    # A record that cannot be read (truncated, another format) is no record: every folder is listed.
    # (an older record's dict of tuples; numbers whose bytes are cut; names and numbers that do not match)
    older = marshal.dumps({"t3": {"": (1, 2), "a": (3, 4)}})
    for damaged in (record.read_bytes()[:7], b'{"t3": {}}', b"", older, marshal.dumps({"t3": ("a", b"123", b"")}),
                    marshal.dumps({"t3": ("a\0b", b"\0" * 8, b"\0" * 8)})):
        record.write_bytes(damaged)
        (tree / "a/b/stray.txt").write_text("x")
        assert remove_strays(tree, manifest, record=tmp_path / "record.marshal", tree_key="t3") == ["a/b/stray.txt"]
    # Another tree's file under this tree's name (a clash of the names' hash): not this tree's record
    record.write_bytes(marshal.dumps(("t9", _read_record(tmp_path / "record.marshal", "t3"))))
    assert recorded_folders(tmp_path / "record.marshal", "t3") is None


def test_remove_strays_reads_the_manifest_only_when_a_folder_changed(tmp_path) -> None:
    from digest.site_static import recorded_folders, remove_strays

    tree = tmp_path / "tree"
    pages = _pages(tree, "index.html", "a/index.html", "a/b/index.html")
    reads: list[int] = []

    def manifest() -> list[str]:
        reads.append(1)
        return list(pages)

    record = tmp_path / "record.marshal"
    assert remove_strays(tree, manifest, record=record, tree_key="t") == []
    assert len(reads) == 1  # no record yet: every folder listed
    assert remove_strays(tree, manifest, record=record, tree_key="t") == []
    assert len(reads) == 1  # no folder changed: the manifest is not read
    (tree / "a/stray.txt").write_text("x")
    (tree / "a/b/stray.txt").write_text("x")
    assert sorted(remove_strays(tree, manifest, record=record, tree_key="t")) == ["a/b/stray.txt", "a/stray.txt"]
    assert len(reads) == 2  # read once for both folders
    assert sorted(p.name for p in (tree / "a").iterdir()) == ["b", "index.html"]
    # The record is brought up to date: the folders listed again are vouched for as they are now
    assert remove_strays(tree, manifest, record=record, tree_key="t") == []
    assert len(reads) == 2
    (tree / "a/new").mkdir()
    (tree / "a/new/stray.txt").write_text("x")
    assert remove_strays(tree, manifest, record=record, tree_key="t") == ["a/new/stray.txt"]
    assert sorted(recorded_folders(record, "t") or ()) == ["", "a", "a/b", "a/new"]
    assert len(reads) == 3
    import shutil

    shutil.rmtree(tree / "a/b")  # a folder gone: its parent changed
    assert remove_strays(tree, manifest, record=record, tree_key="t") == []
    assert sorted(recorded_folders(record, "t") or ()) == ["", "a", "a/new"]
    assert remove_strays(tree, manifest, record=record, tree_key="t") == [] and len(reads) == 4


def test_a_stray_is_kept_when_the_trees_manifest_cannot_be_read(tmp_path) -> None:
    from digest.reuse.cache import BuildCache
    from digest.reuse.trees import sweep_strays

    output = tmp_path / "output"
    (output / "a").mkdir(parents=True)
    (output / "a/index.html").write_text("x")
    record = tmp_path / "record.marshal"

    class Unreadable(BuildCache):
        def __init__(self) -> None:  # no database: what sweep_strays asks of the cache
            pass

        def tree_inputs(self, tree):
            return ("inputs", 1, 0)

        def tree(self, tree):
            return None  # a manifest that cannot be read

    (output / "a/notes.txt").write_text("mine")
    sweep_strays(Unreadable(), "t", output, record)
    assert (output / "a/notes.txt").read_text() == "mine"  # not known what belongs: nothing deleted
    assert not record.exists()


def test_the_dev_server_watches_static_and_its_hidden_files(tmp_path) -> None:
    from digest.serve.watch import classify

    root = tmp_path
    assert classify(root, root / "static/CNAME") == "static"
    assert classify(root, root / "static/.nojekyll") == "static"
    assert classify(root, root / "static/.well-known/security.txt") == "static"
    for ignored in ("static/.DS_Store", "static/.CNAME.swp", "static/CNAME~", "static/.#CNAME", "content/.a.md"):
        assert classify(root, root / ignored) is None, ignored
    assert classify(root, root / "content/a.md") == "content"


def test_the_record_of_folders_keeps_any_folder_name(tmp_path) -> None:
    """Folders named with spaces, newlines or non-ASCII (a stray folder made by hand stays, empty)
    are recorded as they are; a tree it has no record of is told apart."""
    from digest.site_static import recorded_folders, remove_strays

    tree = tmp_path / "tree"
    odd = ["a b", "line\nbreak", "é/ü"]
    for rel in odd:
        (tree / rel).mkdir(parents=True)
        (tree / rel / "stray.txt").write_text("x")
    record = tmp_path / "record.marshal"
    assert sorted(remove_strays(tree, [], record=record, tree_key="t")) == sorted(f"{rel}/stray.txt" for rel in odd)
    assert set(recorded_folders(record, "t") or ()) == {"", "a b", "line\nbreak", "é", "é/ü"}
    (tree / "line\nbreak" / "again.txt").write_text("x")
    assert remove_strays(tree, [], record=record, tree_key="t") == ["line\nbreak/again.txt"]
    assert recorded_folders(record, "other") is None


def _pages(tree: Path, *rels: str) -> list[str]:
    """These files made under `tree` (with their folders): their paths, as a manifest lists them."""
    for rel in rels:
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text("x")
    return list(rels)


def _six_pages(tree: Path) -> list[str]:
    """Six folders f0..f5 under `tree`, each with an index.html: their names."""
    folders = [f"f{n}" for n in range(6)]
    for rel in folders:
        (tree / rel).mkdir(parents=True)
        (tree / rel / "index.html").write_text("page")
    return folders


def test_listing_the_folders_written_stops_when_asked_and_records_nothing(tmp_path, monkeypatch) -> None:
    """The spare's catch-up lists the folders it wrote into (128,000 after a whole-site render at
    100,000 entries) and asks its `stop` as it goes: a build that wants the lock ends it, and the
    folders are not recorded (the next build lists them). Not stopped, they are recorded."""
    import digest.site_static
    from digest.site_static import folders_as_recorded, remove_strays

    monkeypatch.setattr(digest.site_static, "STOP_EVERY", 2)
    tree, record = tmp_path / "tree", tmp_path / "record.marshal"
    folders = _six_pages(tree)
    wanted = {f"{rel}/index.html" for rel in folders}
    remove_strays(tree, wanted, record=record, tree_key="t")
    assert folders_as_recorded(tree, record, "t")
    for rel in folders:
        (tree / rel / "new.html").write_text("written")  # a build wrote into every folder
    wanted |= {f"{rel}/new.html" for rel in folders}
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) >= 2

    assert remove_strays(tree, wanted, record=record, tree_key="t", only=set(folders), stop=stop) == []
    assert len(asked) == 2 and not folders_as_recorded(tree, record, "t")  # stopped: not recorded
    (tree / "f5" / "stray.txt").write_text("by hand")
    assert remove_strays(tree, wanted, record=record, tree_key="t", only=set(folders), stop=lambda: False) == [
        "f5/stray.txt"]
    assert folders_as_recorded(tree, record, "t")


def test_listing_a_tree_new_to_the_record_stops_when_asked_and_records_nothing(tmp_path, monkeypatch) -> None:
    """A tree the record knows nothing of (a spare made afresh) is listed whole, asking `stop` as it
    goes: stopped, nothing is recorded; let run, every folder is."""
    import digest.site_static
    from digest.site_static import folders_as_recorded, recorded_folders, remove_strays

    monkeypatch.setattr(digest.site_static, "STOP_EVERY", 2)
    tree, record = tmp_path / "tree", tmp_path / "record.marshal"
    folders = _six_pages(tree)
    (tree / "f0" / "stray.txt").write_text("by hand")
    wanted = {f"{rel}/index.html" for rel in folders}
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) >= 2

    assert remove_strays(tree, wanted, record=record, tree_key="t", stop=stop) == []  # f0 is listed last
    assert len(asked) == 2 and recorded_folders(record, "t") is None  # stopped: not recorded
    assert remove_strays(tree, wanted, record=record, tree_key="t", stop=lambda: False) == ["f0/stray.txt"]
    assert folders_as_recorded(tree, record, "t")


def test_a_build_records_the_folders_it_wrote_so_the_next_lists_none(make_site) -> None:
    """After an edit, the build lists the folders it wrote into (with the manifest at hand) and
    records them: the next build finds every folder as recorded. A stray in such a folder of the
    spare tree, which this build makes the live one, is deleted, not vouched for."""
    from digest.output import spare_path
    from digest.site_static import folders_as_recorded
    from digest.tree_identity import tree_id

    root = make_site({"content/a.md": entry_text(), "content/b.md": entry_text("Other", date="2022-08-16T09:00Z")})
    output = root / "output"
    record = root / ".digest/output-folders.marshal"
    build(root, BuildOptions(now=NOW))
    for n in range(4):
        (root / "content/a.md").write_text(entry_text(body=f"Body {n}."))
        article = next(p for p in spare_path(output).rglob("index.html") if p.parent.name == "a")
        (article.parent / "notes.txt").write_text("left in the spare")  # a folder this build writes into
        assert build(root, BuildOptions(now=NOW)).rendered > 0
        assert folders_as_recorded(output, record, tree_id(output) or ""), n
        assert not list(output.rglob("notes.txt")), n
        assert "Body" in (output / article.relative_to(spare_path(output))).read_text()
    (output / "2022/notes.txt").write_text("by hand")  # a stray put in after: the record no longer holds
    assert not folders_as_recorded(output, record, tree_id(output) or "")
    build(root, BuildOptions(now=NOW))
    assert not (output / "2022/notes.txt").exists()


def test_a_build_whose_written_folders_cannot_be_listed_still_succeeds(make_site, monkeypatch) -> None:
    """Listing the folders a build wrote into is only a saving for the next build: when it fails,
    the build's report stands and the next build looks at every folder (and finds a stray)."""
    import digest.reuse.trees
    from digest.site_static import folders_as_recorded, remove_strays
    from digest.tree_identity import tree_id

    root = make_site({"content/a.md": entry_text()})
    build(root, BuildOptions(now=NOW))
    build(root, BuildOptions(now=NOW))

    def failing(*args, only=None, **kwargs):  # type: ignore[no-untyped-def]
        if only is not None:
            raise PermissionError("a folder cannot be listed")
        return remove_strays(*args, **kwargs)

    monkeypatch.setattr(digest.reuse.trees, "remove_strays", failing)
    (root / "content/a.md").write_text(entry_text(body="Changed."))
    assert build(root, BuildOptions(now=NOW)).rendered > 0
    assert "Changed." in next((root / "output").rglob("a/index.html")).read_text()
    record = root / ".digest/output-folders.marshal"
    assert not folders_as_recorded(root / "output", record, tree_id(root / "output") or "")
    monkeypatch.undo()
    (root / "output/notes.txt").write_text("by hand")
    build(root, BuildOptions(now=NOW))
    assert not (root / "output/notes.txt").exists()


def test_a_site_static_file_in_the_search_index_folder_is_an_error_naming_it(make_site) -> None:
    """static/pagefind/ would be replaced by the search index: said, naming the file and the way
    out, where it was left out of the site in silence; without search it is published."""
    from digest.search import pagefind_executable

    if pagefind_executable() is None:
        pytest.fail("pagefind-bin is installed by make build (the test extra)")
    root = make_site({"content/a.md": entry_text(), "static/pagefind/custom.css": "body { color: red }"})
    with pytest.raises(DigestError) as caught:
        build(root, BuildOptions(now=NOW, jobs=1, search=True))
    assert "static/pagefind/custom.css" in str(caught.value) and "--no-search" in (caught.value.hint or "")
    assert not (root / "output").exists()
    build(root, BuildOptions(now=NOW, jobs=1, search=False))
    assert (root / "output/pagefind/custom.css").read_text() == "body { color: red }"


def test_a_record_brought_up_to_date_for_the_folders_written_equals_one_made_afresh(tmp_path) -> None:
    """A build that wrote into some folders lists them alone and records them in their places among
    the others as recorded (found by bisection in the record kept in its names' order; many at once
    sorted in): the record must be the one a listing of every folder makes, whatever was made,
    deleted or put there by hand, and whatever the names (punctuation sorting before and after "/")."""
    import random
    import shutil

    from digest.site_static import _read_record, remove_strays

    rng = random.Random(7)
    tree, record, afresh = tmp_path / "tree", tmp_path / "record.marshal", tmp_path / "afresh.marshal"
    names = ["a", "b", "a-b", "a.b", "a b", "z", "é", "0", "tags"]
    wanted: set[str] = set()

    def made(rel_dir: str) -> list[str]:  # a folder with its page, and the folders it is in
        (tree / rel_dir).mkdir(parents=True, exist_ok=True)
        page = f"{rel_dir}/index.html" if rel_dir else "index.html"
        (tree / page).write_text("x")
        wanted.add(page)
        parts = rel_dir.split("/") if rel_dir else []
        return ["/".join(parts[:n]) for n in range(len(parts) + 1)]

    def random_folder() -> str:
        return "/".join(rng.choice(names) for _ in range(rng.randint(1, 4)))

    made("")
    for _ in range(40):
        made(random_folder())
    assert remove_strays(tree, wanted, record=record, tree_key="t") == []  # every folder, no record yet
    for round_ in range(30):
        written: set[str] = set()
        for _ in range(rng.randint(1, 300 if round_ % 6 == 0 else 6)):  # now and then, many new folders at once
            written.update(made(random_folder()))
        folders = sorted({page.rpartition("/")[0] for page in wanted} - {""})
        if rng.random() < 0.5 and folders:  # a folder deleted with its pages: their folders written, as a build's
            gone = rng.choice(folders)
            shutil.rmtree(tree / gone)
            pages = {page for page in wanted if page.startswith(f"{gone}/")}
            wanted.difference_update(pages)
            for page in pages:
                parts = page.split("/")[:-1]
                written.update("/".join(parts[:n]) for n in range(len(parts) + 1))
        stray = rng.choice(sorted(written & {page.rpartition("/")[0] for page in wanted}))
        (tree / stray / "stray.txt").write_text("by hand")
        assert remove_strays(tree, wanted, record=record, tree_key="t", only=written) == \
            [f"{stray}/stray.txt".lstrip("/")], round_
        afresh.unlink(missing_ok=True)
        assert remove_strays(tree, wanted, record=afresh, tree_key="t") == []
        assert _read_record(record, "t") == _read_record(afresh, "t"), round_


def test_a_record_of_folders_kept_in_the_walks_order_is_read_in_order(tmp_path) -> None:
    """Records written before the names were kept in order (no mark) are put in order when read, and
    a stray is found with them as before."""
    import marshal
    from array import array

    from digest.site_static import _Folders, _read_record, _tree_file, recorded_folders, remove_strays

    tree = tmp_path / "tree"
    manifest = _pages(tree, "index.html", "b/index.html", "a/index.html", "a/c/index.html")
    record = tmp_path / "record.marshal"
    remove_strays(tree, manifest, record=record, tree_key="t")
    kept = _Folders.of(_read_record(record, "t"))
    assert kept is not None and kept.names == ["", "a", "a/c", "b"]
    walk_order = [3, 0, 2, 1]  # as an older digest wrote them
    older = ("\0".join(kept.names[k] for k in walk_order), array("q", [kept.mtimes[k] for k in walk_order]).tobytes(),
             array("Q", [kept.inodes[k] for k in walk_order]).tobytes())
    _tree_file(record, "t").write_bytes(marshal.dumps(("t", older)))
    again = _Folders.of(_read_record(record, "t"))
    assert again is not None and list(again) == list(kept)
    _tree_file(record, "t").unlink()  # and as an earlier digest kept it, every tree in one file
    record.write_bytes(marshal.dumps({"t": older, "other": older}))
    again = _Folders.of(_read_record(record, "t"))
    assert again is not None and list(again) == list(kept)
    assert recorded_folders(record, "t") == ["", "a", "a/c", "b"]
    (tree / "a/c/stray.txt").write_text("x")
    assert remove_strays(tree, manifest, record=record, tree_key="t", only=["", "a"]) == []  # a/c: not written into
    assert remove_strays(tree, manifest, record=record, tree_key="t") == ["a/c/stray.txt"]
    assert _Folders.of(("", b"", b"", "another mark")) is None
