"""Feed items' summaries: HTML decoded and stripped by a real parser (lxml), entities and all."""

from __future__ import annotations

import json

from digest.build import BuildOptions, build
from digest.ingest import ingest_paths
from digest.ingest.feed import read_feed

from .conftest import NOW

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example.org/</link>
<item><title>Carrier news</title><link>https://wire.example.org/a</link>
<pubDate>Mon, 15 Aug 2022 09:00:00 GMT</pubDate>
<description><![CDATA[<p>AT&amp;T says the merger is &quot;soon&quot; &#8211; maybe.</p>
<script>alert(1)</script>]]></description>
<content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/"><![CDATA[<p>AT&amp;T says the
merger is "soon". The whole story, longer than the summary.</p>]]></content:encoded>
</item></channel></rss>
"""


def test_summary_entities_are_decoded_and_tags_dropped() -> None:
    [article] = read_feed(RSS)
    assert article.summary == 'AT&T says the merger is "soon" \u2013 maybe.'


def test_the_built_page_and_feed_show_the_text_once_escaped(make_site) -> None:
    root = make_site()
    (root / "seeds").mkdir()
    (root / "seeds/wire.xml").write_text(RSS)
    [result] = ingest_paths([root / "seeds/wire.xml"], root / "content", site_root=root)
    assert result.status == "written", result.message
    build(root, BuildOptions(now=NOW))
    feed = json.loads((root / "output/feed.json").read_text())
    assert feed["items"][0]["summary"] == 'AT&T says the merger is "soon" \u2013 maybe.'
    page = next((root / "output/2022/08/15").glob("*/index.html")).read_text()
    assert "AT&amp;T says the merger is" in page and "&amp;amp;" not in page and "&amp;quot;" not in page
    assert "alert(1)" not in page


def test_markup_in_a_title_is_its_text() -> None:
    # An Atom title of type="html", or an RSS title with tags in CDATA, was written with its tags:
    # the page's headline read "<em>Emphasised</em> news", the feed's name "Atom <i>Blog</i>".
    atom = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">Atom &lt;i&gt;Blog&lt;/i&gt;</title>
<entry><title type="html">&lt;em&gt;Emphasised&lt;/em&gt; news &amp;amp; views</title><id>x1</id>
<link href="https://atom.example.com/1"/><updated>2024-03-05T10:00:00Z</updated>
<content type="html">&lt;p&gt;The story, told in a sentence or two for the feed.&lt;/p&gt;</content></entry>
<entry><title>Why the &lt;div&gt; tag matters</title><id>x2</id><link href="https://atom.example.com/2"/>
<updated>2024-03-05T10:00:00Z</updated><content>The story, told in a sentence or two.</content></entry></feed>"""
    html_title, plain = read_feed(atom)
    assert html_title.title == "Emphasised news & views" and html_title.source == "Atom Blog"
    assert plain.title == "Why the <div> tag matters"  # a plain text title says what it says
    rss = RSS.replace("<title>Carrier news</title>",
                      "<title><![CDATA[<b>Carrier</b> news <script>alert(1)</script>]]></title>")
    [article] = read_feed(rss)
    assert article.title == "Carrier news"
