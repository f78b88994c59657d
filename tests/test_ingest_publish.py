"""What `digest ingest` writes, `digest build` reads back: an odd input never gives an entry that
stops the whole site's build."""

from __future__ import annotations

from pathlib import Path

import frontmatter

from digest.build import BuildOptions, build
from digest.ingest import ingest_paths

from .conftest import NOW, SiteMaker


def _rss(*items: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Wire</title>'
            "<link>https://wire.example.org/</link><description>x</description>"
            + "".join(f"<item>{item}</item>" for item in items) + "</channel></rss>\n")


def _ingest(root: Path, name: str, text: str) -> list[frontmatter.Post]:
    (root / "seeds").mkdir(exist_ok=True)
    (root / "seeds" / name).write_text(text, encoding="utf-8")
    [result] = ingest_paths([root / "seeds" / name], root / "content", site_root=root)
    assert result.status == "written", result.message
    return [frontmatter.load(entry) for entry in result.entries]


def test_a_feed_item_without_a_title_is_a_draft_to_review_not_a_broken_build(make_site: SiteMaker) -> None:
    # A dated item without a title (a microblog's feed; JSON Feed makes titles optional) was written
    # without one and published: every `digest build` then failed on "missing 'title'".
    root = make_site()
    feed = _rss("<link>https://wire.example.org/a</link><pubDate>Mon, 15 Aug 2022 09:00:00 GMT</pubDate>"
                "<description>The harbour reopened on Monday after the storm. Boats went out at dawn.</description>")
    [post] = _ingest(root, "wire.xml", feed)
    assert post["title"] == "The harbour reopened on Monday after the storm."
    assert post["review"] == ["title"]
    build(root, BuildOptions(now=NOW))  # no ContentError: the entry is a draft until reviewed
    assert not list((root / "output/2022/08/15").glob("*/index.html"))


def test_a_date_the_build_would_refuse_is_left_out_not_written(make_site: SiteMaker) -> None:
    # A feed's placeholder dates (year 9999 for "never expires", 1 January 1800) were written as
    # stated, and the build refused the entry ("out of range"), and with it the whole site.
    root = make_site()
    feed = _rss(*(f"<title>Story {n}</title><link>https://wire.example.org/{n}</link><pubDate>{when}</pubDate>"
                  "<description>The harbour reopened on Monday after the storm.</description>"
                  for n, when in ((1, "Fri, 31 Dec 9999 23:59:59 GMT"), (2, "Wed, 01 Jan 1800 00:00:00 GMT"))))
    for post in _ingest(root, "wire.xml", feed):
        assert "date" not in post.metadata and post["draft"] is True, post.metadata
    build(root, BuildOptions(now=NOW))


def test_a_feed_date_without_a_time_is_that_day_in_the_sites_timezone(make_site: SiteMaker) -> None:
    # "2024-03-05" was written as 2024-03-05T00:00:00+00:00: in New York that is the evening of 4 March,
    # so the item went into the wrong day's edition (and a time without a zone was moved to UTC).
    from .conftest import BASIC_CONFIG

    root = make_site(config=BASIC_CONFIG.replace("Europe/London", "America/New_York"))
    feed = _rss(*(f"<title>Story {n}</title><link>https://wire.example.org/{n}</link>{when}"
                  "<description>The harbour reopened on Monday after the storm.</description>"
                  for n, when in ((1, "<pubDate>2024-03-05</pubDate>"),
                                  (2, '<dc:date xmlns:dc="http://purl.org/dc/elements/1.1/">2024-03-05</dc:date>'),
                                  (3, "<pubDate>2024-03-05T10:30:00</pubDate>"),
                                  (4, "<pubDate>Tue, 05 Mar 2024 10:30:00 GMT</pubDate>"))))
    dates = [str(post["date"]) for post in _ingest(root, "wire.xml", feed)]
    assert dates == ["2024-03-05", "2024-03-05", "2024-03-05T10:30:00", "2024-03-05T10:30:00+00:00"]
    json_feed = ('{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "1", '
                 '"title": "Story 5", "date_published": "2024-03-05", "content_text": "The harbour reopened."}]}')
    [post] = _ingest(root, "wire.json", json_feed)
    assert str(post["date"]) == "2024-03-05"
    build(root, BuildOptions(now=NOW))
    assert len(list((root / "output/2024/03/05").glob("story-*/index.html"))) == 5


def test_a_json_feeds_escaped_control_characters_never_make_a_title_of_nothing(make_site: SiteMaker) -> None:
    # Found by a round-trip fuzz: JSON's \u escapes came past the cleaning of the file's text, so a title
    # (or a summary the title was guessed from) of "\u001b" was written as "\e" and read back as no title:
    # "missing 'title'", and the whole build stopped.
    root = make_site()
    feed = ('{"version": "https://jsonfeed.org/version/1.1", "title": "J\\u0007", "items": ['
            '{"id": "1", "title": "\\u001b", "summary": "\\u001b", "date_published": "2022-08-15T09:00:00Z",'
            ' "content_text": "The harbour reopened on Monday after the storm."},'
            '{"id": "2", "title": "Harbour\\u0000 reopens\\u001b[0m", "date_published": "2022-08-15T10:00:00Z",'
            ' "content_text": "The harbour reopened on Monday after the storm, and boats went out."}]}')
    first, second = _ingest(root, "wire.json", feed)
    assert first["title"] == "The harbour reopened on Monday after the storm." and first["review"] == ["title"]
    assert second["title"] == "Harbour reopens[0m" and first["source"] == "J"
    build(root, BuildOptions(now=NOW))
