"""ingest_paths: writing entries safely, re-runs, curated edits, bad inputs, feeds."""

from __future__ import annotations

import os
from pathlib import Path

import frontmatter

from digest.ingest import ingest_paths
from digest.model import Topic

ARTICLE = """Home > World > news

Leaders: agree on "a new pact" at summit

By Jane Doe
Published August 15, 2022 10:31 AM ET

The two leaders met on Monday and agreed on a new pact that covers trade, energy and the border,
officials said after the meeting in the capital.

The pact still has to be approved by both parliaments, which is expected before the end of the
year, according to people familiar with the talks.

Related

Another story about something else entirely that nobody asked for, with more words in it.
"""

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example News</title><link>https://example.com/</link>
<description>x</description>
<item><title>First item</title><link>https://example.com/1</link>
<pubDate>Mon, 15 Aug 2022 10:00:00 +0200</pubDate><category>World</category>
<description>&lt;p&gt;The first story, told in a sentence or two for the feed.&lt;/p&gt;</description></item>
<item><title>Second item</title><link>https://example.com/2</link>
<description>The second story has no date at all in this feed.</description></item>
</channel></rss>
"""


def setup(tmp_path: Path, name: str = "article.txt", data: str | bytes = ARTICLE) -> tuple[Path, Path]:
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    path = raw / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path, tmp_path / "content"


def run(tmp_path: Path, paths: list[Path], force: bool = False):
    return ingest_paths(paths, tmp_path / "content", site_root=tmp_path,
                        topics=[Topic("world", "World", ("world news",))], force=force)


def test_writes_entry_with_front_matter(tmp_path: Path) -> None:
    path, content = setup(tmp_path)
    [result] = run(tmp_path, [path])
    assert result.status == "written", result.message
    assert result.missing == ()
    [entry] = list(content.glob("*.md"))
    post = frontmatter.load(entry)
    assert post["title"] == 'Leaders: agree on "a new pact" at summit'
    assert post["authors"] == ["Jane Doe"]
    assert str(post["date"]).startswith("2022-08-15T10:31:00-04:00")
    assert post["topic"] == "world"
    assert "draft" not in post.metadata
    assert "Another story" not in post.content and "officials said" in post.content
    assert (tmp_path / ".digest" / "ingest.json").exists()
    assert not list(content.glob("*.json"))


def test_rerun_is_unchanged_and_edit_is_kept(tmp_path: Path) -> None:
    path, content = setup(tmp_path)
    [first] = run(tmp_path, [path])
    [again] = run(tmp_path, [path])
    assert again.status == "unchanged"
    entry = first.entries[0]
    entry.write_text(entry.read_text(encoding="utf-8") + "\nCurator note.\n", encoding="utf-8")
    path.write_text(ARTICLE.replace("Monday", "Tuesday"), encoding="utf-8")
    [kept] = run(tmp_path, [path])
    assert kept.status == "kept"
    assert "Curator note." in entry.read_text(encoding="utf-8")


def test_changed_input_updates_untouched_entry(tmp_path: Path) -> None:
    path, _ = setup(tmp_path)
    [first] = run(tmp_path, [path])
    path.write_text(ARTICLE.replace("Monday", "Tuesday"), encoding="utf-8")
    [second] = run(tmp_path, [path])
    assert second.status == "updated"
    assert "Tuesday" in first.entries[0].read_text(encoding="utf-8")


def test_force_keeps_a_backup_not_loaded_as_md(tmp_path: Path) -> None:
    path, content = setup(tmp_path)
    [first] = run(tmp_path, [path])
    entry = first.entries[0]
    entry.write_text(entry.read_text(encoding="utf-8") + "\nCurator note.\n", encoding="utf-8")
    [forced] = run(tmp_path, [path], force=True)
    assert forced.status == "updated"
    assert "Curator note." not in entry.read_text(encoding="utf-8")
    backups = [p for p in content.iterdir() if p.name != entry.name]
    assert len(backups) == 1 and backups[0].suffix != ".md"
    assert "Curator note." in backups[0].read_text(encoding="utf-8")
    assert len(list(content.glob("*.md"))) == 1


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    path, _ = setup(tmp_path)
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    run(tmp_path, [path])
    run(tmp_path, [path], force=True)
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before
    assert list(path.parent.iterdir()) == [path]


def test_curated_file_at_target_is_not_overwritten(tmp_path: Path) -> None:
    path, content = setup(tmp_path)
    content.mkdir()
    curated = content / "leaders-agree-on-a-new-pact-at-summit.md"
    curated.write_text("---\ntitle: Something else\n---\n\nMine.\n", encoding="utf-8")
    [result] = run(tmp_path, [path])
    assert curated.read_text(encoding="utf-8").endswith("Mine.\n")
    assert result.status == "written" and result.entries[0] != curated


def test_duplicate_title_or_url_is_skipped(tmp_path: Path) -> None:
    path, content = setup(tmp_path)
    content.mkdir()
    (content / "mine.md").write_text(
        "---\ntitle: 'Leaders: agree on \"a new pact\" at summit'\n---\n\nMine.\n", encoding="utf-8")
    [result] = run(tmp_path, [path])
    assert result.status == "duplicate"
    assert "already in content as content/mine.md" in result.message


def test_missing_date_is_written_as_draft(tmp_path: Path) -> None:
    path, _ = setup(tmp_path, data=ARTICLE.replace("Published August 15, 2022 10:31 AM ET\n", ""))
    [result] = run(tmp_path, [path])
    assert result.missing == ("date",)
    assert "written as draft" in result.message
    post = frontmatter.load(result.entries[0])
    assert post["draft"] is True and "date" not in post.metadata


def test_bad_encodings_and_junk_characters(tmp_path: Path) -> None:
    text = ARTICLE.replace("Jane Doe", "Zoë Café").replace("officials", "“officials”")
    cp1252, _ = setup(tmp_path, "cp1252.txt", text.encode("cp1252"))
    bom = tmp_path / "raw" / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").replace("summit", "sum\u200bmit\x07")
                    .encode("utf-8"))
    broken = tmp_path / "raw" / "broken.txt"
    broken.write_bytes(text.encode("utf-8") + b"\xff\xfe trailing")
    results = ingest_paths([cp1252, bom, broken], tmp_path / "content", site_root=tmp_path)
    assert [r.status for r in results] == ["written", "duplicate", "duplicate"]
    post = frontmatter.load(results[0].entries[0])
    assert post["authors"] == ["Zoë Café"]
    assert "“officials”" in post.content
    assert "\r" not in results[0].entries[0].read_text(encoding="utf-8")


def test_utf16_text_without_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # Some Windows tools save UTF-16 without its byte-order mark: refused as "binary data", with a hint
    # that it is not a text file.
    text = ARTICLE.replace("Jane Doe", "Zoë Café")
    little, content = setup(tmp_path, "le.txt", text.encode("utf-16-le"))
    big, _ = setup(tmp_path, "be.txt", text.replace("Leaders", "Ministers").encode("utf-16-be"))
    png, _ = setup(tmp_path, "x.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    results = run(tmp_path, [little, big, png])
    assert [r.status for r in results] == ["written", "written", "error"], [r.message for r in results]
    assert frontmatter.load(results[0].entries[0])["authors"] == ["Zoë Café"]
    assert frontmatter.load(results[1].entries[0])["title"].startswith("Ministers")


def test_unreadable_file_errors_and_others_proceed(tmp_path: Path) -> None:
    path, _ = setup(tmp_path)
    missing = tmp_path / "raw" / "nope.txt"
    empty = tmp_path / "raw" / "empty.txt"
    empty.write_bytes(b"  \n")
    results = run(tmp_path, [missing, empty, path])
    assert [r.status for r in results] == ["error", "error", "written"]
    assert "nope.txt" in results[0].message and "empty.txt" in results[1].message


def test_feed_gives_one_entry_per_item(tmp_path: Path) -> None:
    path, content = setup(tmp_path, "news.xml", FEED)
    [result] = run(tmp_path, [path])
    assert len(result.entries) == 2
    first, second = (frontmatter.load(p) for p in result.entries)
    assert first["title"] == "First item" and first["source_url"] == "https://example.com/1"
    assert str(first["date"]).startswith("2022-08-15T10:00:00+02:00")
    assert first["source"] == "Example News" and first["topic"] == "world"
    assert second["draft"] is True
    assert result.missing == ("date",)
    [again] = run(tmp_path, [path])
    assert again.status == "unchanged"


def test_html_page(tmp_path: Path) -> None:
    html = """<!doctype html><html><head><title>Big news - Site</title>
<meta property="og:title" content="Big news: it happened">
<meta property="article:published_time" content="2022-08-15T10:31:00+02:00">
<meta property="article:section" content="World">
<meta name="author" content="Jane Doe"><meta property="og:site_name" content="Site"></head>
<body><nav><a href="/">Home</a></nav><h1>Big news: it happened</h1><article>
<p>The first paragraph of the story says what happened, where and when it happened.</p>
<p>The second paragraph adds the details that readers of the digest will want.</p>
</article><footer>Copyright Site</footer></body></html>"""
    path, _ = setup(tmp_path, "page.html", html)
    [result] = run(tmp_path, [path])
    post = frontmatter.load(result.entries[0])
    assert post["title"] == "Big news: it happened"
    assert post["authors"] == ["Jane Doe"] and post["source"] == "Site"
    assert str(post["date"]).startswith("2022-08-15T10:31:00+02:00")
    assert post["topic"] == "world"
    assert "second paragraph" in post.content and "Copyright" not in post.content


def test_an_entry_the_curator_moved_is_not_written_again(tmp_path: Path) -> None:
    # digest new files entries by day: a curator moving an ingested entry there got a second copy
    # at the old place on the next run (two pages of one article, one story told twice).
    path, content = setup(tmp_path)
    [first] = run(tmp_path, [path])
    moved = content / "2022" / "08" / "15" / first.entries[0].name
    moved.parent.mkdir(parents=True)
    first.entries[0].rename(moved)
    for text in (ARTICLE, ARTICLE.replace("Monday", "Tuesday")):  # the input as it was, then changed
        path.write_text(text, encoding="utf-8")
        [again] = run(tmp_path, [path])
        assert again.status == "duplicate", again.message
        assert "content/2022/08/15/" in again.message
        assert list(content.rglob("*.md")) == [moved]


def _feed(*items: tuple[str, str]) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Example News</title>'
            "<link>https://example.com/</link><description>x</description>" + "".join(
                f"<item><title>{title}</title><link>https://example.com/{slug}</link>"
                "<pubDate>Mon, 15 Aug 2022 10:00:00 +0200</pubDate>"
                f"<description>The story of {title.lower()}, told in a sentence or two.</description></item>"
                for title, slug in items) + "</channel></rss>\n")


def test_a_feed_that_gains_an_item_at_the_top_keeps_each_item_in_its_file(tmp_path: Path) -> None:
    # Items were matched to their entries by position: a new first item was written into the
    # old first item's file, and every item after it into its neighbour's.
    path, content = setup(tmp_path, "news.xml", _feed(("Bridge opens", "b"), ("Council votes", "c")))
    [first] = run(tmp_path, [path])
    bridge, council = first.entries
    council.write_text(council.read_text(encoding="utf-8") + "\nCurator note.\n", encoding="utf-8")
    path.write_text(_feed(("Storm hits coast", "a"), ("Bridge opens", "b"), ("Council votes", "c")),
                    encoding="utf-8")
    [again] = run(tmp_path, [path])
    assert again.status == "written", again.message
    titles = {p.name: frontmatter.load(p)["title"] for p in content.glob("*.md")}
    assert titles == {bridge.name: "Bridge opens", council.name: "Council votes",
                      "storm-hits-coast.md": "Storm hits coast"}
    assert "Curator note." in council.read_text(encoding="utf-8")


JSON_FEED = """{"version": "https://jsonfeed.org/version/1.1", "title": "Example JSON",
 "items": [{"id": "1", "url": "https://example.com/1", "title": "First item", "tags": ["World"],
            "authors": [{"name": "Jane Doe"}], "date_published": "2022-08-15T10:00:00+02:00",
            "content_html": "<p>The first story, told in a sentence or two for the feed.</p>"},
           {"id": "2", "url": "https://example.com/2", "title": "Second item",
            "content_text": "The second story has no date at all in this feed."}]}
"""


def test_json_feed_gives_one_entry_per_item(tmp_path: Path) -> None:
    # README: "RSS / Atom / JSON feeds: one entry per item"; a JSON Feed was an error
    # ("not well-formed (invalid token)"): feedparser 6.0 reads XML feeds only.
    path, content = setup(tmp_path, "feed.json", JSON_FEED)
    [result] = run(tmp_path, [path])
    assert result.status == "written", result.message
    first, second = (frontmatter.load(p) for p in result.entries)
    assert first["title"] == "First item" and first["source_url"] == "https://example.com/1"
    assert str(first["date"]).startswith("2022-08-15T10:00:00+02:00")
    assert first["authors"] == ["Jane Doe"] and first["source"] == "Example JSON" and first["topic"] == "world"
    assert "first story" in first.content
    assert second["draft"] is True and "second story" in second.content


def test_entry_names_are_transliterated_not_dropped(tmp_path: Path) -> None:
    # Accents were only stripped: "Straßenbahnen" lost its ß and "157 миллионов ..." became 157.md.
    text = ARTICLE.replace('Leaders: agree on "a new pact" at summit', "Straßenbahnen: 157 миллионов за бездействие")
    path, content = setup(tmp_path, data=text)
    [result] = run(tmp_path, [path])
    assert result.status == "written", result.message
    assert result.entries[0].name == "strassenbahnen-157-millionov-za-bezdeistvie.md"



def test_entry_names_keep_the_vowels_of_scripts_that_write_them_as_marks(tmp_path: Path) -> None:
    """A Hindi headline's vowel signs (and Thai's, an Arabic text's vowels) are marks, which were dropped
    as accents are: 'समस्तीपुर पुलिस' made smstpr-pls.md. They are spelled; accents on Latin letters still go."""
    text = ARTICLE.replace('Leaders: agree on "a new pact" at summit', "समस्तीपुर पुलिस ने 2 बदमाशों को पकड़ा")
    path, content = setup(tmp_path, data=text)
    [result] = run(tmp_path, [path])
    assert result.status == "written", result.message
    assert result.entries[0].name == "smstipur-pulis-ne-2-bdmasom-ko-pkd-a.md"
    from digest.ingest.clean import slugify
    assert slugify("Tiếng Việt: Hà Nội…") == "tieng-viet-ha-noi"


def test_an_entry_is_not_ingested_as_a_raw_article(tmp_path: Path) -> None:
    # `digest ingest content/` read each entry as copied text: "title: 'Leaders ...'" became the
    # headline of a new, published junk entry beside it.
    [first] = run(tmp_path, [setup(tmp_path)[0]])
    before = sorted((tmp_path / "content").iterdir())
    [again] = run(tmp_path, [first.entries[0]])
    assert again.status == "error" and "entry already" in again.message, again.message
    assert sorted((tmp_path / "content").iterdir()) == before


def test_a_feed_item_the_curator_deleted_stays_deleted_when_the_feed_gains_an_item(tmp_path: Path) -> None:
    # A curator rejects a feed item by deleting its entry; the editor fetches the feed again next
    # day, with a new item at the top: the rejected item came back (as council-votes-2.md).
    path, content = setup(tmp_path, "news.xml", _feed(("Bridge opens", "b"), ("Council votes", "c")))
    [first] = run(tmp_path, [path])
    bridge, council = first.entries
    council.unlink()
    path.write_text(_feed(("Storm hits coast", "a"), ("Bridge opens", "b"), ("Council votes", "c")),
                    encoding="utf-8")
    [again] = run(tmp_path, [path])
    assert again.status == "written", again.message
    assert "deleted since ingest" in again.message
    assert sorted(p.name for p in content.glob("*.md")) == [bridge.name, "storm-hits-coast.md"]
    [forced] = run(tmp_path, [path], force=True)
    assert council.exists(), forced.message


def test_a_page_in_its_declared_charset_and_cyrillic_text_in_a_windows_code_page(tmp_path: Path) -> None:
    # Every input that was not UTF-8 was read as Windows-1252 whatever it declared: a Russian page in
    # windows-1251, a Polish one in ISO-8859-2 and a Greek feed came out as "Ïóòèí è Êèì" mojibake (and,
    # their titles alike, as duplicates of each other).
    def page(title: str, text: str, charset: str) -> bytes:
        return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
                f"<title>{title}</title></head><body><article><h1>{title}</h1><p>{text * 4}</p></article>"
                "</body></html>").encode(charset)

    russian = ("Путин и Ким обсудили сотрудничество",
               "Президенты двух стран встретились в понедельник и договорились о новом соглашении. ")
    polish = ("Rząd przyjął nową ustawę o żegludze",
              "Posłowie głosowali we wtorek nad ustawą, która zmienia zasady żeglugi śródlądowej. ")
    greek = ("Η κυβέρνηση ενέκρινε το σχέδιο", "Το υπουργικό συμβούλιο ενέκρινε τη Δευτέρα το νέο σχέδιο. ")
    paths = [setup(tmp_path, "ru.html", page(*russian, "windows-1251"))[0],
             setup(tmp_path, "pl.html", page(*polish, "iso-8859-2"))[0],
             setup(tmp_path, "ru.txt", (f"{russian[0]} снова\n\n" + russian[1] * 3).encode("windows-1251"))[0],
             setup(tmp_path, "gr.xml", (f'<?xml version="1.0" encoding="windows-1253"?><rss version="2.0"><channel>'
                                        f"<title>Ειδήσεις</title><item><title>{greek[0]}</title>"
                                        f"<description>{greek[1]}</description></item></channel></rss>")
                   .encode("windows-1253"))[0]]
    results = ingest_paths(paths, tmp_path / "content", site_root=tmp_path)
    assert [r.status for r in results] == ["written"] * 4, [r.message for r in results]
    titles = [frontmatter.load(r.entries[0])["title"] for r in results]
    assert titles == [russian[0], polish[0], f"{russian[0]} снова", greek[0]]
    assert frontmatter.load(results[3].entries[0])["source"] == "Ειδήσεις"


MHTML = """From: <Saved by Blink>
Snapshot-Content-Location: https://news.example.com/2024/03/03/harbour-vote
Subject: =?utf-8?Q?Harbour_vote_=E2=80=93_City_News?=
Date: Sun, 3 Mar 2024 10:00:00 -0000
MIME-Version: 1.0
Content-Type: multipart/related;
\ttype="text/html";
\tboundary="----MultipartBoundary--abc123----"


------MultipartBoundary--abc123----
Content-Type: text/html
Content-ID: <frame-1@mhtml.blink>
Content-Transfer-Encoding: quoted-printable
Content-Location: https://news.example.com/2024/03/03/harbour-vote

<!DOCTYPE html><html><head><meta http-equiv=3D"Content-Type" content=3D"text/=
html; charset=3DUTF-8"><title>Harbour vote =E2=80=93 City News</title>
<meta property=3D"article:published_time" content=3D"2024-03-03T09:15:00+01:00=
"></head><body><article><h1>Harbour vote passes after a long night</h1><p>The =
city council voted on Tuesday to approve the harbour expansion plan, ending mont=
hs of debate over the cost and the effect on the fishing fleet =E2=80=93 and its caf=C3=A9s.</p><p>Supporte=
rs said the project would bring hundreds of jobs to the area, while opponents =
warned that the budget had already doubled since the first estimate.</p></article></body></html>
------MultipartBoundary--abc123----
Content-Type: text/css
Content-Transfer-Encoding: quoted-printable
Content-Location: https://news.example.com/style.css

body { color: red; }
------MultipartBoundary--abc123------
""".replace("\n", "\r\n")


def test_a_page_saved_as_a_single_file_mhtml_is_read_as_the_page(tmp_path: Path) -> None:
    # Chrome's and Edge's "Save as... Webpage, Single File" (.mhtml) was read as copied text: its MIME
    # headers became the headline and the quoted-printable page was lost (an empty body).
    path, content = setup(tmp_path, "Harbour vote.mhtml", MHTML)
    [result] = run(tmp_path, [path])
    assert result.status == "written", result.message
    post = frontmatter.load(result.entries[0])
    assert post["title"] == "Harbour vote passes after a long night"
    assert str(post["date"]).startswith("2024-03-03T09:15:00+01:00")
    assert post["source_url"] == "https://news.example.com/2024/03/03/harbour-vote"
    assert "fishing fleet \u2013 and its caf\u00e9s" in post.content and "opponents warned" in post.content
    assert "MultipartBoundary" not in post.content and "color: red" not in post.content


def test_a_feed_into_a_big_site_reads_each_entry_once(tmp_path: Path, monkeypatch) -> None:
    # Each new item looked for a duplicate by reading every entry in the folder: a 50-item feed into a
    # site of 3,000 entries read 150,000 files (94 s); one read each is enough, kept up to date as
    # ingest writes.
    import digest.ingest.run as ingest_run

    content = tmp_path / "content"
    (content / "archive").mkdir(parents=True)
    for n in range(200):
        (content / "archive" / f"e{n}.md").write_text(
            f"---\ntitle: Archive entry {n}\ndate: 2023-01-01\nsource_url: https://example.com/a{n}\n---\n\nBody.\n")
    reads: list[Path] = []
    real = ingest_run._front_matter
    def counted(path: Path) -> dict[str, object]:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(ingest_run, "_front_matter", counted)
    items = [(f"Fresh story {n}", f"s{n}") for n in range(20)] + [("Archive entry 7", "a7")]
    path, _ = setup(tmp_path, "news.xml", _feed(*items))
    path2, _ = setup(tmp_path, "again.xml", _feed(("Fresh story 3", "s3")))
    first, second = run(tmp_path, [path, path2])
    assert first.status == "written" and "already in content as content/archive/e7.md" in first.message
    assert second.status == "duplicate" and "fresh-story-3.md" in second.message  # one this run wrote
    assert len(reads) <= 250, len(reads)


def test_a_feed_item_the_curator_retitled_is_not_written_again_when_the_feed_gains_an_item(tmp_path: Path) -> None:
    # Items were matched to their entries by the entry's link or title as it reads now: an item with
    # no web address whose entry the curator retitled was written a second time (council-votes-2.md).
    def feed(*titles: str) -> str:
        return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Ex</title>' + "".join(
            f"<item><title>{t}</title><link>/news/{slugify(t)}</link><pubDate>Mon, 15 Aug 2022 10:00:00 +0200"
            f"</pubDate><description>The story of {t.lower()}, told in a sentence or two.</description></item>"
            for t in titles) + "</channel></rss>")

    from digest.urls import slugify

    path, content = setup(tmp_path, "news.xml", feed("Bridge opens", "Council votes"))
    [first] = run(tmp_path, [path])
    bridge, council = first.entries
    council.write_text(council.read_text(encoding="utf-8").replace("title: Council votes",
                                                                   "title: Council votes for the harbour plan"))
    path.write_text(feed("Storm hits coast", "Bridge opens", "Council votes"), encoding="utf-8")
    [again] = run(tmp_path, [path])
    assert "edited since ingest; kept" in again.message, again.message
    assert sorted(p.name for p in content.glob("*.md")) == [bridge.name, council.name, "storm-hits-coast.md"]


def test_a_page_saved_as_a_safari_web_archive_is_read_as_the_page(tmp_path: Path) -> None:
    # Safari's "Save As... Web Archive" (its default) is a binary property list holding the page: it was
    # refused as binary data.
    import plistlib

    html = ('<html><head><meta charset="utf-8"><title>Harbour vote</title></head><body><article>'
            "<h1>Harbour vote passes after a long night</h1><p>The city council voted on Tuesday to approve "
            "the harbour expansion plan, ending months of debate over the cost and the caf\u00e9s.</p>"
            "<p>Supporters said the project would bring hundreds of jobs to the area.</p></article></body></html>")
    archive = plistlib.dumps({"WebMainResource": {
        "WebResourceData": html.encode("utf-8"), "WebResourceMIMEType": "text/html",
        "WebResourceTextEncodingName": "UTF-8", "WebResourceURL": "https://news.example.com/harbour-vote",
        "WebResourceFrameName": ""}, "WebSubresources": [{
            "WebResourceData": b"\x89PNG\r\n\x1a\n\x00\x00", "WebResourceMIMEType": "image/png",
            "WebResourceURL": "https://news.example.com/logo.png"}]}, fmt=plistlib.FMT_BINARY)
    path, _ = setup(tmp_path, "Harbour vote.webarchive", archive)
    [result] = run(tmp_path, [path])
    assert result.status == "written", result.message
    post = frontmatter.load(result.entries[0])
    assert post["title"] == "Harbour vote passes after a long night"
    assert post["source_url"] == "https://news.example.com/harbour-vote"
    assert "the caf\u00e9s" in post.content


def test_an_archive_nested_too_deeply_is_an_error_naming_it_and_the_others_are_ingested(tmp_path: Path) -> None:
    # A saved page whose parts nest thousands deep (a hostile .mhtml or .webarchive) stopped `digest ingest`
    # with a RecursionError traceback, and the inputs after it were not ingested.
    import plistlib
    import sys

    depth = 5000
    mhtml = "MIME-Version: 1.0\nContent-Type: multipart/related; boundary=b0\n\n" + "".join(
        f"--b{n}\nContent-Type: multipart/related; boundary=b{n + 1}\n\n" for n in range(depth)) + (
        f"--b{depth}\nContent-Type: text/html\n\n<html><body><p>Deep.</p></body></html>\n--b{depth}--\n")
    nested: list[object] = []
    for _ in range(depth):
        nested = [nested]
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth * 4)  # plistlib writes each level with a call too
    try:
        webarchive = plistlib.dumps({"WebMainResource": {"WebResourceData": b"<html><body><p>Deep.</p></body></html>",
                                                         "WebResourceMIMEType": "text/html"}, "deep": nested},
                                    fmt=plistlib.FMT_BINARY)
    finally:
        sys.setrecursionlimit(limit)
    deep_mhtml, content = setup(tmp_path, "deep.mhtml", mhtml)
    deep_archive, _ = setup(tmp_path, "deep.webarchive", webarchive)
    good, _ = setup(tmp_path, "good.txt", ARTICLE)
    results = run(tmp_path, [deep_mhtml, deep_archive, good])
    assert [r.status for r in results] == ["error", "error", "written"], [r.message for r in results]
    for result, kind in zip(results[:2], ("mhtml", "webarchive"), strict=True):
        assert result.error is not None and result.error.path == result.input
        assert f"cannot read this {kind} file: its parts are nested too deeply" in result.message


def test_a_seed_linked_to_a_file_outside_the_site_is_not_read(tmp_path: Path) -> None:
    # A link in seeds/ to a file outside the site (~/.ssh/id_rsa, in a folder of seeds someone sent) was
    # followed: the file's text became an entry in content/, one review away from being published.
    site = tmp_path / "site"
    (site / "seeds").mkdir(parents=True)
    secret = tmp_path / "id_rsa.txt"
    secret.write_text(ARTICLE.replace("The two leaders", "PRIVATE KEY The two leaders"), encoding="utf-8")
    (site / "seeds/link.txt").symlink_to(secret)
    (site / "seeds/inside.txt").symlink_to(site / "kept.txt")  # a link within the site is read
    (site / "kept.txt").write_text(ARTICLE, encoding="utf-8")
    shared = tmp_path / "shared-seeds"  # seeds/ itself a link to a shared folder: its files are read
    shared.mkdir()
    (shared / "page.txt").write_text(ARTICLE.replace("Leaders", "Ministers"), encoding="utf-8")
    other = tmp_path / "other-site"
    other.mkdir()
    (other / "seeds").symlink_to(shared, target_is_directory=True)
    [from_shared] = ingest_paths([other / "seeds/page.txt"], other / "content", site_root=other)
    assert from_shared.status == "written", from_shared.message
    results = ingest_paths([site / "seeds/link.txt", site / "seeds/inside.txt"], site / "content", site_root=site)
    assert [r.status for r in results] == ["error", "written"], [r.message for r in results]
    assert f"a link to {secret}, outside the site" in results[0].message and results[0].error is not None
    assert results[0].error.hint and str(secret) in results[0].error.hint
    assert not any("PRIVATE KEY" in p.read_text(encoding="utf-8") for p in (site / "content").glob("*.md"))
    [named] = ingest_paths([secret], site / "content", site_root=site)  # named itself: read
    assert named.status in ("written", "duplicate"), named.message


def test_two_ingests_at_once_take_turns(tmp_path: Path) -> None:
    # `digest ingest` run while `digest serve --watch` ingested the same new seeds: each read the state
    # before the other wrote it, and both wrote the articles (x.md and x-2.md, the story published twice).
    import fcntl
    import threading

    path, content = setup(tmp_path)
    (tmp_path / ".digest").mkdir()
    held = os.open(tmp_path / ".digest", os.O_RDONLY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)  # another ingest is under way
        results: list[object] = []
        waiting = threading.Thread(target=lambda: results.extend(run(tmp_path, [path])))
        waiting.start()
        waiting.join(1.0)
        assert waiting.is_alive() and not content.exists()  # it waits for the other one
    finally:
        os.close(held)
    waiting.join(30)
    [result] = results
    assert result.status == "written"  # type: ignore[attr-defined]


def test_a_broken_feed_is_named_with_its_line_and_a_hint(tmp_path: Path) -> None:
    # The line was buried in the parser's words ("<unknown>:4:0: no element found", "line 4 column 14
    # (char 88)"), not given as file:line, and nothing said what to do.
    xml, _ = setup(tmp_path, "cut.xml", '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title>\n<foo>\n')
    json_feed, _ = setup(tmp_path, "bad.json", '{"version": "https://jsonfeed.org/version/1.1",\n "title": "x",\n'
                                               ' "items": [\n  {"id": "1" "title": "broken"}\n ]}\n')
    for result in run(tmp_path, [xml, json_feed]):
        assert result.status == "error" and result.error is not None
        assert result.error.line == 4, result.message
        assert "<unknown>" not in result.message and "(char " not in result.message, result.message
        assert result.error.hint, result.message


def test_an_article_the_curator_deleted_stays_deleted_when_its_seed_is_moved(tmp_path: Path) -> None:
    # The editor tidies seeds/ into folders by month: the state knew each input by its old path, so every
    # article the curator had rejected (its entry deleted) was written again.
    path, content = setup(tmp_path)
    [first] = run(tmp_path, [path])
    first.entries[0].unlink()
    moved = tmp_path / "raw" / "2022-08" / path.name
    moved.parent.mkdir()
    path.rename(moved)
    (content / "other.md").write_text("---\ntitle: Another entry\ndate: 2022-08-14\n---\n\nText.\n")
    [again] = run(tmp_path, [moved])
    assert again.status == "kept" and "deleted since ingest" in again.message, again.message
    assert sorted(p.name for p in content.glob("*.md")) == ["other.md"]


def test_a_feed_whose_items_hold_html_documents_is_read_as_a_feed(tmp_path: Path) -> None:
    # "<html" anywhere near the top made a feed an HTML page: a feed whose descriptions hold whole HTML
    # documents in CDATA (some systems write them) became one junk entry named after the feed.
    item = ("<item><title>{0} story</title><link>https://example.com/{0}</link><pubDate>Tue, 05 Mar 2024 10:00:00 GMT"
            "</pubDate><description><![CDATA[<html><body><p>The {0} story has a whole HTML document in its "
            "description.</p></body></html>]]></description></item>")
    feed = ('<?xml version="1.0" encoding="utf-8"?>\n<!-- generated -->\n'
            '<rss version="2.0"><channel><title>Sloppy</title>'
            + item.format("first") + item.format("second") + "</channel></rss>")
    path, _ = setup(tmp_path, "sloppy.xml", feed)
    [result] = run(tmp_path, [path])
    assert [frontmatter.load(p)["title"] for p in result.entries] == ["first story", "second story"], result.message


def test_a_pdf_a_picture_or_a_compressed_file_is_named_for_what_it_is(tmp_path: Path) -> None:
    # Each was "not a text, HTML or feed file (it holds binary data)": an editor who dropped the PDF of an
    # article into seeds/ was not told what to do with it.
    cases = {"article.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" + bytes(range(256)), "PDF", "copy"),
             "photo.jpg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)), "picture", "image:"),
             "page.html.gz": (__import__("gzip").compress(b"<html></html>"), "compressed", "gunzip"),
             "story.docx": (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), "Word", "copy")}
    paths = [setup(tmp_path, name, data)[0] for name, (data, _, _) in cases.items()]
    for result, (what, hint) in zip(run(tmp_path, paths), [(w, h) for _, w, h in cases.values()], strict=True):
        assert result.status == "error" and result.error is not None
        assert what in result.error.message and hint in (result.error.hint or ""), result.message


def test_items_of_one_title_with_their_own_links_are_each_their_own_entry(tmp_path: Path) -> None:
    # A daily "Morning briefing": the second item of that title was dropped as a duplicate of the first,
    # and next day's fetch wrote the new briefing over yesterday's entry (matched by title), moving
    # yesterday's to another file.
    def feed(*days: int) -> str:
        return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Ex</title>' + "".join(
            f"<item><title>Morning briefing</title><link>https://example.com/briefing/{day}</link>"
            f"<pubDate>Mon, 0{day} Mar 2024 07:00:00 +0000</pubDate><description>What happened overnight on "
            f"day {day}: the council, the harbour and the weather.</description></item>" for day in days)
            + "</channel></rss>")

    path, content = setup(tmp_path, "briefing.xml", feed(2, 1))
    [first] = run(tmp_path, [path])
    assert first.status == "written" and len(list(content.glob("*.md"))) == 2, first.message
    before = {p.name: p.read_text(encoding="utf-8") for p in content.glob("*.md")}
    path.write_text(feed(3, 2), encoding="utf-8")
    [again] = run(tmp_path, [path])
    after = {p.name: p.read_text(encoding="utf-8") for p in content.glob("*.md")}
    assert len(after) == 3 and all(after[name] == text for name, text in before.items()), again.message
    # A curator's own entry of that title without a link is still the same article.
    (content / "mine.md").write_text("---\ntitle: Evening briefing\ndate: 2024-03-03\n---\n\nText.\n")
    other, _ = setup(tmp_path, "evening.xml", feed(9).replace("Morning briefing", "Evening briefing"))
    [last] = run(tmp_path, [other])
    assert last.status == "duplicate" and "content/mine.md" in last.message, last.message


def test_an_xml_file_of_another_kind_is_an_error_not_a_junk_entry(tmp_path: Path) -> None:
    # An OPML list of subscriptions or a sitemap was read as copied text: a draft named
    # "xml-version-1-0-encoding-utf-8.md" holding its markup.
    opml = ('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"><head><title>My subscriptions</title></head>'
            '<body><outline type="rss" text="Example" xmlUrl="https://example.com/feed.xml"/></body></opml>\n')
    sitemap = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               "<url><loc>https://example.com/2024/03/05/harbour-vote</loc></url></urlset>\n")
    paths = [setup(tmp_path, "subs.opml", opml)[0], setup(tmp_path, "sitemap.xml", sitemap)[0]]
    results = run(tmp_path, paths)
    assert [r.status for r in results] == ["error", "error"], [r.message for r in results]
    assert "<opml>" in results[0].message and "fetch each feed" in (results[0].error.hint or "")  # type: ignore[union-attr]
    assert "<urlset>" in results[1].message
    assert not (tmp_path / "content").exists() or not list((tmp_path / "content").glob("*.md"))


def test_a_json_file_that_is_no_json_feed_is_an_error_not_a_junk_entry(tmp_path: Path) -> None:
    # A news API's answer saved to seeds/ was read as copied text: a draft titled with its braces.
    api = ('{"status": "ok", "totalResults": 1, "articles": [{"title": "Harbour vote passes", '
           '"url": "https://example.com/harbour", "publishedAt": "2024-03-05T10:00:00Z", '
           '"content": "The city council voted on Tuesday to approve the harbour expansion plan."}]}')
    path, _ = setup(tmp_path, "api.json", api)
    [result] = run(tmp_path, [path])
    assert result.status == "error" and "JSON Feed" in result.message, result.message
    assert not (tmp_path / "content").exists() or not list((tmp_path / "content").glob("*.md"))


def test_an_item_with_thousands_of_categories_gives_a_draft_of_twenty_tags_to_review(tmp_path: Path) -> None:
    # A feed item with 3,000 <category> elements (or a page with 3,000 article:tag metas) was written with
    # 3,000 tags and published as it came: 3,000 tag pages (25 MB) from one item, the tags index swamped.
    categories = "".join(f"<category>Subject {n}</category>" for n in range(3000))
    feed = _feed(("Harbour plan approved", "h"), ("Bridge opens", "b")).replace(
        "<link>https://example.com/h</link>", "<link>https://example.com/h</link>" + categories).replace(
        "<link>https://example.com/b</link>", "<link>https://example.com/b</link><category>Bridges</category>")
    path, content = setup(tmp_path, "news.xml", feed)
    [result] = run(tmp_path, [path])
    assert result.status == "written", result.message
    assert "harbour-plan-approved.md (check: tags; a draft until review: is removed)" in result.message
    many = frontmatter.load(content / "harbour-plan-approved.md")
    assert many["tags"] == [f"Subject {n}" for n in range(20)] and many["review"] == ["tags"]
    few = frontmatter.load(content / "bridge-opens.md")
    assert few["tags"] == ["Bridges"] and "review" not in few.metadata and "draft" not in few.metadata
