"""Saved HTML pages -> Article: what the page declares, trafilatura's body, no repeated headline."""

from __future__ import annotations

from digest.ingest.html import read_html

PAGE = """<!DOCTYPE html><html><head><title>Port strike ends | The Courier</title>
<meta property="og:title" content="Port strike ends after 12 days">
<meta property="og:site_name" content="The Courier"></head>
<body><article><h1>Port strike ends after 12 days</h1>
<p>Dock workers voted on Tuesday to accept a new contract, ending a strike that had idled the
port for almost two weeks and left hundreds of ships waiting offshore.</p>
<p>The union said the deal raises wages by nine percent over three years and keeps staffing
levels on every crane, the two points that had stalled the talks since the spring.</p>
<h2>Port strike ends after 12 days: what changes</h2>
<p>Shipping lines expect the backlog to clear within a month, the port authority said.</p>
</article></body></html>"""


def test_headline_repeated_at_the_top_of_the_body_is_left_out() -> None:
    article = read_html(PAGE)
    assert article.title == "Port strike ends after 12 days"
    assert not article.body.lstrip().startswith("#")
    assert article.body.lstrip().startswith("Dock workers voted")
    assert "## Port strike ends after 12 days: what changes" in article.body  # other headings stay
    assert "backlog to clear" in article.body
