"""Saved HTML pages -> Article: what the page declares, trafilatura's body, no repeated headline."""

from __future__ import annotations

import lxml.html
import pytest

from digest.ingest.html import (
    _labelled_date,
    _page_for_extraction,
    _without_furniture,
    _without_headline,
    _without_kicker,
    _without_unconfirmed_tail,
    read_html,
)

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


def article_page(*paragraphs: str) -> str:
    """A small saved page: a headline and the given paragraphs (HTML) in an <article>."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><title>Tide tables</title></head><body><article>"
            f"<h1>Tide tables change for the winter</h1>{body}</article></body></html>")


PROSE = ("The harbour office publishes new tide tables every autumn, and this year the changes are "
         "larger than usual because the dredging of the outer channel has moved the sandbanks.")


def test_underline_and_superscript_come_out_as_their_words() -> None:
    page = article_page(PROSE, "Pilots were told about the <u>new channel markers</u> on the "
                        "10<sup>th</sup> of October, a week before the first ships came through.")
    body = read_html(page).body
    assert "the new channel markers on the 10th of October" in body
    assert "<u>" not in body and "<sup>" not in body


def test_an_underscore_inside_a_word_is_not_escaped() -> None:
    body = read_html(article_page(PROSE, "The data file is called tide_tables_2024 and the "
                                  "harbour master signs it as Harbour_Master every year.")).body
    assert "tide_tables_2024" in body and "Harbour_Master" in body


def test_furniture_lines_go_and_a_comments_heading_ends_the_body() -> None:
    page = article_page(
        PROSE, "<strong>Related: Ferry timetables for the islands</strong>",
        "Fishing boats will have to leave an hour earlier on spring tides, the harbour master "
        "said, and the lock gates will open for longer on the evening tide.",
        "<em>Follow us on Twitter and Facebook.</em>",
        "</p><h2>Sign up for the winter racing series</h2><p>Entries close a week before "
        "the first race, and the club will publish the start times with the new tables.",
        "To get the tables by post:</p><ul><li>Sign up at the harbour office</li>"
        "<li>Pay the postage for the year</li></ul><p>The tables also go on the harbour "
        "office noticeboard, as they have done since the office opened in 1932.",
        "</p><h3>Comments</h3><p>Great news for everyone who sails out of the harbour "
        "on the evening tide, thank you for letting us know in good time.")
    body = read_html(page).body
    assert "Fishing boats" in body and "noticeboard" in body
    assert "- Sign up at the harbour office" in body  # a list item is the article's own
    assert "## Sign up for the winter racing series" in body  # and so is a heading
    assert "Related:" not in body and "Follow us" not in body
    assert "Comments" not in body and "Great news" not in body


def test_a_tagline_in_italics_with_a_handle_or_a_call_to_follow_goes() -> None:
    page = article_page(
        PROSE, "Fishing boats will have to leave an hour earlier on spring tides, the harbour "
        "master said, and the lock gates will open for longer on the evening tide.",
        "<em>This article first appeared in the Harbour Gazette.</em>",
        "<em>Jane Roe covers the coast for the Courier. Reach her at jroe@courier.example or "
        "follow her on Twitter @janeroe.</em>")
    body = read_html(page).body
    assert "*This article first appeared in the Harbour Gazette.*" in body  # no call: it stays
    assert "Jane Roe" not in body


def test_the_headline_over_the_article_wins_over_a_differently_worded_social_title() -> None:
    social = '<meta property="og:title" content="Sailors face earlier starts this winter">'
    page = article_page(PROSE).replace("<head>", f"<head>{social}") \
        .replace("</article>", "<aside><h1>More from the coast</h1></aside></article>")
    assert read_html(page).title == "Tide tables change for the winter"


def test_the_headline_that_opens_the_extracted_text_wins_outside_an_article_element() -> None:
    page = ('<html><head><meta property="og:title" content="Sailors face earlier starts">'
            '</head><body><div class="logo"><h1>The Courier</h1></div><div class="story">'
            f'<h1>Tide tables change for the winter</h1><p>{PROSE}</p><p>{PROSE}</p></div>'
            '</body></html>')
    article = read_html(page)
    assert article.title == "Tide tables change for the winter"
    assert article.body.startswith("The harbour office")


def test_a_tweet_the_article_quotes_stays_even_in_a_wrapper_named_social() -> None:
    tweet = ('</p><div class="social-media-embed"><blockquote class="twitter-tweet"><p>The new tide '
             'tables are out and the evening tide is an hour earlier all winter long.</p>'
             '&mdash; Harbour Office (@harbouroffice) October 2, 2024</blockquote></div><p>')
    page = article_page(PROSE, "The harbour office announced the change on social media:", tweet,
                        "Sailors said the earlier tide would make winter racing harder to plan, "
                        "but the club has already moved its Sunday start.")
    body = read_html(page).body
    assert "the evening tide is an hour earlier all winter long" in body
    assert "Sailors said" in body


def test_a_standfirst_heading_that_repeats_the_description_is_the_summary_not_the_body() -> None:
    dek = "Dredging has moved the sandbanks, and the harbour's tides with them."
    page = article_page(PROSE).replace("<head>", f'<head><meta name="description" content="{dek}">') \
        .replace("</h1>", f"</h1><h2>{dek}</h2>")
    article = read_html(page)
    assert article.summary == dek
    assert article.body.startswith("The harbour office")


def test_what_trails_the_article_goes_a_list_it_introduces_stays() -> None:
    more = "Fishing boats will have to leave an hour earlier on spring tides, the harbour master said."
    trail = ("</p><ul><li>Lighthouse keepers mark a century on the point</li>"
             "<li>Photos: the winter storms of 1987</li></ul>"
             "<p>Get the Courier delivered every week for a year. Click here for our offer."
             "</p><h3>Tell us what you think</h3><p>")
    body = read_html(article_page(PROSE, "The new tables list three changes:</p><ul><li>Earlier "
                                  "evening tides</li><li>Longer lock openings</li></ul><p>" + more,
                                  trail)).body
    assert body.rstrip().endswith(more)
    assert "- Earlier evening tides\n- Longer lock openings" in body


def test_a_last_paragraph_that_only_mentions_subscribers_stays() -> None:
    last = ("The harbour office says it has 4,000 subscribers to its printed tables, and that it "
            "will send the new ones out in the first week of October.")
    assert read_html(article_page(PROSE, last)).body.rstrip().endswith(last)


@pytest.mark.parametrize("last", [
    "Readers who subscribe to the printed tables will get the new ones in the first week of October.",
    "The harbour office said its newsletter would carry the new tables, as it has since 1987.",
])
def test_a_last_paragraph_that_mentions_subscribing_without_asking_stays(last: str) -> None:
    assert read_html(article_page(PROSE, last)).body.rstrip().endswith(last)


def test_a_closing_call_to_subscribe_goes() -> None:
    body = read_html(article_page(PROSE, "The harbour office will publish the tables in October.",
                                  "</p><p>Subscribe to the Courier for the tables every week.")).body
    assert body.rstrip().endswith("in October.")


def test_a_short_sentence_that_mentions_cookies_or_a_newsletter_is_the_articles_own() -> None:
    middle = "Bake the cookies for twelve minutes, until the edges turn brown."
    body = read_html(article_page(PROSE, middle, "Let them cool on a rack before you ice them, the baker said.")).body
    assert middle in body


@pytest.mark.parametrize("line", ["Staff Reports", "By Staff Reports", "<strong>Staff Reports</strong>"])
def test_a_first_block_that_only_names_the_authors_is_not_body(line: str) -> None:
    page = article_page(line, PROSE, PROSE.replace("harbour", "river"))
    page = page.replace("<head>", '<head><meta name="author" content="Staff Reports">')
    article = read_html(page)
    # "Staff Reports" names no person: not asserted as the author, left for the curator to review.
    assert article.authors == () and "authors" in article.review
    assert article.body.lstrip().startswith("The harbour office")
    assert article.summary and not article.summary.startswith("Staff")
    # A first paragraph that only starts with the name is the article's.
    said = "Staff Reports from the harbour office say the new tables are ready for the winter season."
    assert said in read_html(article_page(said, PROSE).replace(
        "<head>", '<head><meta name="author" content="Staff Reports">')).body


def test_a_first_block_with_the_date_and_the_byline_is_not_body() -> None:
    page = article_page("5:45 AM PST 11/19/2019 by Jane Doe", PROSE, PROSE.replace("harbour", "river"))
    article = read_html(page.replace("<head>", '<head><meta name="author" content="Jane Doe">'))
    assert article.body.lstrip().startswith("The harbour office")


def test_a_shortcode_a_citation_and_a_listen_live_promotion_are_not_body() -> None:
    page = article_page(PROSE, PROSE.replace("harbour", "river"),
                        '[button link="https://example.com/submit/" type="big"] Send us your review[/button]',
                        "Explore further",
                        "<strong>Citation</strong>: Tide tables change for the winter (2019, November 18) retrieved "
                        "20 November 2019 from https://example.com/news/2019-11-tide-tables-change-for-the-winter.html",
                        "<em>Listen to Harbour Radio</em> live <em>at 12:45 and 17:45 weekdays - or listen back</em> "
                        "here.")
    body = read_html(page).body
    assert "The river office" in body
    for junk in ("button", "Send us", "Explore", "retrieved", "Listen"):
        assert junk not in body, junk


def test_a_kicker_a_date_line_and_the_comments_house_rules_are_not_body() -> None:
    page = article_page(PROSE, PROSE.replace("harbour", "river"),
                        "Comments are moderated and will appear once approved by our editors.")
    page = page.replace("<article><h1>", "<article><h6>harbours</h6><h1>").replace(
        "</h1>", "</h1><p>sexta-feira, 22 de outubro de 2010 às 20:13</p>")
    body = read_html(page).body
    assert body.lstrip().startswith("The harbour office"), body
    assert "moderated" not in body and "outubro" not in body
    # A heading over a section of the article stays.
    assert "## Outlook" in read_html(article_page(PROSE, "<h2>Outlook</h2>", PROSE.replace("harbour", "river"))).body


def _page_with(head: str) -> str:
    return PAGE.replace("</head>", head + "</head>")


def test_the_page_address_and_picture_are_absolute_web_addresses() -> None:
    """A relative canonical link or picture would point into the digest's own site: resolved against
    the page's address (or its <base href>), or left out when the page gives none."""
    declared = read_html(_page_with('<link rel="canonical" href="https://courier.example/2024/05/01/port">'
                                    '<meta property="og:image" content="/img/port.jpg">'))
    assert declared.source_url == "https://courier.example/2024/05/01/port"
    assert declared.image == "https://courier.example/img/port.jpg"
    based = read_html(_page_with('<base href="https://courier.example/news/"><link rel="canonical" href="port">'
                                 '<meta property="og:image" content="img/port.jpg">'))
    assert based.source_url == "https://courier.example/news/port"
    assert based.image == "https://courier.example/news/img/port.jpg"
    unknown = read_html(_page_with('<link rel="canonical" href="/2024/05/01/port">'
                                   '<meta property="og:image" content="/img/port.jpg">'))
    assert unknown.source_url is None and unknown.image is None
    hostile = read_html(_page_with('<meta property="og:url" content="javascript:alert(1)">'
                                   '<link rel="canonical" href="https://courier.example/port">'
                                   '<meta property="og:image" content="javascript:alert(2)">'))
    assert hostile.source_url == "https://courier.example/port" and hostile.image is None


def test_a_paragraph_that_opens_with_read_more_does_not_end_the_article() -> None:
    """"Read more" as a heading of its own ends the article; a long block that opens with the words (a
    link's label trafilatura runs into the next paragraph, on a line of its own) is the article's."""
    opener = "Read more\n" + PROSE.replace("harbour", "estuary") + " " + PROSE.replace("harbour", "bay")
    body = _without_furniture("\n\n".join([PROSE, opener, PROSE.replace("harbour", "river")]))
    assert "The estuary office" in body and "The river office" in body
    body = _without_furniture("\n\n".join([PROSE, "Read more", "- [Another story](/x)",
                                            PROSE.replace("harbour", "river")]))
    assert "The river office" not in body


def test_a_boxs_heading_with_the_article_going_on_under_it_does_not_end_the_body() -> None:
    """trafilatura keeps an inline box's heading ("Auch interessant") but not its links: where the article's
    prose follows it, the article goes on and the heading goes; with only teasers under it, it ends the body."""
    river, bay = (" ".join([PROSE.replace("harbour", w)] * 2) for w in ("river", "bay"))
    body = _without_furniture("\n\n".join([PROSE, "#### Auch interessant", river, bay]))
    assert "The river office" in body and "The bay office" in body and "Auch interessant" not in body
    body = _without_furniture("\n\n".join([PROSE, "#### Auch interessant", "A short teaser.", "Another one."]))
    assert "teaser" not in body and "Another one" not in body


def test_a_box_of_links_among_the_paragraphs_does_not_end_the_article() -> None:
    """A "Read more" or "Popular" heading with the article's prose going on under it is a box set
    between the paragraphs: the body goes on past it; teasers under it (a headline and one line each)
    or a heading for the comments still end it."""
    longer = PROSE + " " + PROSE.replace("harbour", "marina")
    body = _without_furniture("\n\n".join([PROSE, "## Popular", longer.replace("harbour", "river")]))
    assert "## Popular" not in body and "The river office" in body
    body = _without_furniture("\n\n".join([PROSE, "## Read more", "### 5. Check the tide",
                                           PROSE.replace("harbour", "river"), PROSE.replace("harbour", "bay")]))
    assert "The river office" in body and "The bay office" in body
    teasers = _without_furniture("\n\n".join([PROSE, "## More from The Courier", "## Ferries cut",
                                              "The island ferries run less often this winter.",
                                              "## Lock gates", "The lock gates open for longer."]))
    assert "Ferries cut" not in teasers and "lock gates" not in teasers
    comments = _without_furniture("\n\n".join([PROSE, "## Comments", longer.replace("harbour", "river")]))
    assert "The river office" not in comments


def test_a_picture_gallery_set_in_the_article_is_left_out() -> None:
    slides = "\n".join(f"- ## {n}/30 Slide {n} The caption of picture {n} tells what it shows."
                       for n in range(1, 6))
    body = _without_furniture("\n\n".join([PROSE, "## Harbour life in pictures", slides,
                                           PROSE.replace("harbour", "river")]))
    assert "Slide" not in body and "in pictures" not in body and "The river office" in body
    steps = "\n".join(f"- {n}/2 cup of flour for the {n}st layer" for n in range(1, 3))  # not a gallery
    assert "cup of flour" in _without_furniture("\n\n".join([PROSE, steps]))


def test_a_consent_notice_over_embedded_content_is_left_out() -> None:
    notice = ("An dieser Stelle finden Sie einen von unseren Redakteuren ausgewählten, externen Inhalt. "
              "Ich bin damit einverstanden, dass mir der externe Inhalt angezeigt wird.")
    body = _without_furniture("\n\n".join([PROSE, notice, PROSE.replace("harbour", "river")]))
    assert "einverstanden" not in body and "The river office" in body


def test_what_trails_the_text_and_the_strict_extraction_leaves_out_goes() -> None:
    """trafilatura's stricter reading (favor_precision) confirms the article; blocks after it that it
    does not take in are the page's (a notice, a sign-up), unless they are half the body or more."""
    river = ("Fishing boats will have to leave an hour earlier on spring tides, the harbour master said, "
             "and the lock gates will open for longer on the evening tide.")
    bay = "Shipping lines expect the backlog to clear within a month, the port authority said on Friday."
    notice = "## Today on the Courier\n\nThis feature is temporarily unavailable. Please try again later."
    body = "\n\n".join([PROSE, river, bay, notice])
    assert _without_unconfirmed_tail(body, "\n\n".join([PROSE, river, bay])) == "\n\n".join([PROSE, river, bay])
    assert _without_unconfirmed_tail(body, body) == body  # all confirmed
    assert _without_unconfirmed_tail(body, "") == body  # no strict reading: nothing to go by
    assert _without_unconfirmed_tail(body, PROSE) == body  # it missed most of the article: keep it


def test_a_heading_at_the_top_that_says_the_headline_in_another_wording_is_left_out() -> None:
    """The page declares its headline in several wordings (<h1>, JSON-LD, og:title): a heading at the
    top of the body that says any of them, with a kicker joined on or a part left off, is the headline."""
    headlines = ("Die Schweiz ist ein großer Tummelplatz für russische Spione",
                 "Kollaps der Silicon Valley Bank: US-Notenbank räumt Versäumnisse ein")
    for heading in ("## Spionagedrehscheibe Schweiz : Ein großer Tummelplatz für russische Spione",
                    "## Kollaps der Silicon Valley Bank US-Notenbank räumt Versäumnisse ein",
                    "## Landtagswahl: Die Schweiz ist ein großer Tummelplatz für russische Spione"):
        assert _without_headline(f"{heading}\n\n{PROSE}", headlines).strip() == PROSE
    other = "## Detenida una madre por dejar encerrada a su hija\n\n" + PROSE  # another story's
    assert _without_headline(other, headlines) == other
    subheading = "## Die Spione\n\n" + PROSE  # too few words to tell
    assert _without_headline(subheading, headlines) == subheading
    kicker = "Spionage\n\n# Die Schweiz ist ein großer Tummelplatz für russische Spione\n\n" + PROSE
    assert _without_headline(_without_kicker(kicker, headlines), headlines).strip() == PROSE
    sentence = "Ja.\n\n" + PROSE  # a short sentence of the article stays
    assert _without_kicker(sentence, headlines) == sentence


def test_what_the_page_hides_from_screen_readers_is_not_the_body() -> None:
    """A video player's menus and messages marked aria-hidden are no text a reader reads: trafilatura
    gets the page without them (and the caller's tree is left as it was)."""
    hidden = ('</p><div aria-hidden="true"><ul><li>Chapters</li><li>descriptions off, selected</li></ul>'
              "<p>This is a modal window.</p></div><p>")
    html = article_page(PROSE, hidden + PROSE.replace("harbour", "river"))
    tree = lxml.html.fromstring(html)
    page = _page_for_extraction(tree, html)
    assert "modal window" not in page and "descriptions off" not in page and "The river office" in page
    assert "modal window" in tree.text_content()
    plain = article_page(PROSE)
    assert _page_for_extraction(lxml.html.fromstring(plain), plain) == plain  # nothing to change


def test_an_h1_whose_declared_title_is_cut_short_is_the_sure_headline() -> None:
    """og:title cut at a quotation mark the markup did not escape still agrees with the <h1>."""
    page = ('<!DOCTYPE html><html><head><title>Marathon</title>'
            '<meta property="og:title" content="Harbour Marathon 2024: Clear winner and ">'
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
            '"Children\'s race on Saturday: parents kept back"}</script></head><body><article>'
            '<h1>Harbour Marathon 2024: Clear winner and "a royal visit"</h1>'
            f"<p>{PROSE}</p></article></body></html>")
    article = read_html(page)
    assert article.title == 'Harbour Marathon 2024: Clear winner and "a royal visit"'
    assert "title" not in article.review


def test_a_date_the_page_labels_wins_over_one_found_elsewhere_on_it() -> None:
    """No date in the markup: the date line the page labels ("Datum 28.04.2023") is its date, not a
    teaser's date trafilatura may find first; an "Updated" date alone is not the publication date."""
    page = ('<!DOCTYPE html><html><head><title>Counter-offensive</title></head><body>'
            '<div><h2>Earlier report <span class="date">24.04.2023</span></h2></div><article>'
            f'<h1>Counter-offensive: aims and risks</h1><p>{PROSE}</p>'
            '<ul><li><strong>Datum</strong> 28.04.2023</li><li><strong>Autor</strong> Jane Doe</li></ul>'
            '</article></body></html>')
    assert _labelled_date(lxml.html.fromstring(page)) == "2023-04-28"
    assert read_html(page).date == "2023-04-28"
    updated = "<html><body><p>Updated: 24.04.2023</p><script>var d = 'Published: 2020-01-01';</script></body></html>"
    assert _labelled_date(lxml.html.fromstring(updated)) is None


def _bylined_page(byline: str, ld_author: str = "") -> str:
    ld = (f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Tide tables change", '
          f'"publisher": {{"@type": "Organization", "name": "The Courier"}}{ld_author}}}</script>')
    return (f"<!DOCTYPE html><html><head><title>Tide tables change</title>{ld}</head><body><article>"
            f"<h1>Tide tables change</h1>{byline}<p>{PROSE}</p></article></body></html>")


def test_a_byline_the_page_labels_names_the_authors_the_markup_leaves_out() -> None:
    """The markup names no person (nothing, or the publisher): the page's labelled byline does."""
    article = read_html(_bylined_page("<ul><li>Von: Bill McCarthy, Marisha Goldhamer</li></ul>"))
    assert article.authors == ("Bill McCarthy", "Marisha Goldhamer") and "authors" not in article.review
    org = ', "author": {"@type": "Organization", "name": "The Courier"}'
    article = read_html(_bylined_page("<p><strong>Autorin/Autor</strong> Roman Goncharenko</p>", org))
    assert article.authors == ("Roman Goncharenko",) and "authors" not in article.review
    assert read_html(_bylined_page("<p>By The Courier</p>", org)).review == ("authors",)  # still the publisher
    assert read_html(_bylined_page("<p>By continuing to browse you accept cookies</p>")).authors == ()
    person = ', "author": {"@type": "Person", "name": "Jane Doe"}'  # the markup's person comes first
    assert read_html(_bylined_page("<p>By John Roe</p>", person)).authors == ("Jane Doe",)


def test_only_the_first_labelled_byline_counts() -> None:
    """A teaser's byline further down is not the article's; a job title after the name goes."""
    page = _bylined_page('<p>Von Christian Unger, Redakteur</p><aside><p>Von Birgitta Stauber</p></aside>')
    assert read_html(page).authors == ("Christian Unger",)


def test_a_byline_of_another_story_is_not_the_articles() -> None:
    """A box of related stories, a menu, the footer or a teaser's card (a link to another page) above the article's
    byline names another story's writer ("Sur le même sujet ... Par Jane Doe", "Mehr zum Thema ... Von Ines
    Zöttl"): when the markup names no person, the page's own labelled byline counts, or none."""
    related = ('<aside class="related"><ul><li><div>Reportage</div><div>A Katmandou, exode sous pression</div>'
               '<div>Par Sébastien Farcis</div></li></ul></aside>')
    assert read_html(_bylined_page(related + "<p>Par Laurence Defranoux</p>")).authors == ("Laurence Defranoux",)
    assert read_html(_bylined_page(related)).authors == ()
    card = ('<ul><li><a href="/wirtschaft/rettet-die-reichen"><span>Mögliche Garantie für Bankeinlagen: Rettet die '
            'Reichen</span>'
            '<span>Von Ines Zöttl, Washington</span></a></li></ul>')
    org = ', "author": {"@type": "Organization", "name": "The Courier"}'
    article = read_html(_bylined_page(card, org))
    assert article.authors == () and article.review == ("authors",)
    author_link = '<a href="/autoren/ines-zoettl"><span>Von Ines Zöttl</span></a>'  # the writer's page: theirs
    assert read_html(_bylined_page(author_link, org)).authors == ("Ines Zöttl",)
    for box in ("nav", "footer"):
        assert read_html(_bylined_page(f"<{box}><p>By John Roe</p></{box}><p>By Jane Doe</p>")).authors \
            == ("Jane Doe",)


def test_a_list_of_other_stories_headlines_among_the_paragraphs_is_not_body() -> None:
    """As the text reader: a list of headlines with no heading over it, between the article's paragraphs,
    links to other stories; a list of the article's own sentences stays."""
    teasers = ("<ul><li>Ferry timetable changes again for the spring season</li>"
               "<li>New lighthouse keeper starts work on the island</li></ul>")
    body = read_html(article_page(PROSE, teasers, PROSE.replace("harbour", "river"))).body
    assert "lighthouse" not in body and "river office" in body
    facts = ("<ul><li>The outer channel is two metres deeper than last year.</li>"
             "<li>The sandbanks have moved a hundred metres to the east.</li></ul>")
    body = read_html(article_page(PROSE, facts, PROSE.replace("harbour", "river"))).body
    assert "two metres deeper" in body and "hundred metres" in body


def test_a_base_href_alone_is_not_the_articles_address() -> None:
    # trafilatura takes a page's <base href> as its address: a page whose only address is a base href to
    # its site's root got the home page as its source_url, the link every reader follows to the original.
    page = read_html(_page_with('<base href="https://courier.example/">'))
    assert page.source_url is None


def test_an_xhtml_page_with_its_xml_declaration_is_read() -> None:
    # A page that opens with <?xml version="1.0" encoding="UTF-8"?> (XHTML) was refused: "cannot understand
    # this html file: Unicode strings with encoding declaration are not supported" (lxml).
    xhtml = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
             '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
             + article_page(PROSE).removeprefix("<!DOCTYPE html>").replace("<html>", '<html xmlns="http://www.w3.org/1999/xhtml">'))
    page = read_html(xhtml)
    assert page.title == "Tide tables change for the winter" and "dredging of the outer channel" in page.body


def test_a_list_of_headlines_that_close_on_a_quote_or_ask_is_not_body() -> None:
    """As the text reader: headlines that quote someone („...“) or ask a question are still headlines."""
    teasers = ("<ul><li>Ferry captains sound the alarm: „Timetables are going bust“</li>"
               "<li>Why do gulls attack tourists on the harbour wall ?</li></ul>")
    body = read_html(article_page(PROSE, teasers, PROSE.replace("harbour", "river"))).body
    assert "gulls" not in body and "Timetables" not in body and "river office" in body


def test_a_host_or_publisher_matches_a_byline_by_whole_words_only() -> None:
    """A byline that names the publisher (its name, or the host's label in the page's address) is an organisation,
    matched by whole words: "ew" of ew.com is not inside "Andrew", "si" of si.com not inside "Simon", and a
    publisher "The Courier" is not inside "Courierson"; "Der Spiegel" on spiegel.de, "Business Insider" on
    businessinsider.com, "Insider" there too, and "Atlantic" for "The Atlantic" still name the publisher."""
    def authors(name: str, url: str, publisher: str = "") -> tuple[tuple[str, ...], tuple[str, ...]]:
        site = f'<meta property="og:site_name" content="{publisher}">' if publisher else ""
        page = article_page(PROSE, PROSE.replace("harbour", "river")).replace(
            "<head>", f'<head>{site}<script type="application/ld+json">{{"@type": "NewsArticle", '
                      f'"headline": "Tide tables change for the winter", '
                      f'"author": {{"@type": "Person", "name": "{name}"}}}}</script>')
        article = read_html(page, url=url)
        return article.authors, article.review

    assert authors("Andrew Gruttadaro", "https://ew.com/tv/tide-tables/") == (("Andrew Gruttadaro",), ())
    assert authors("Simon Evans", "https://www.si.com/tides/") == (("Simon Evans",), ())
    assert authors("Jane Courierson", "https://example.org/tides", "The Courier") == (("Jane Courierson",), ())
    assert authors("Der Spiegel", "https://www.spiegel.de/tides") == ((), ("authors",))
    assert authors("Business Insider", "https://www.businessinsider.com/tides") == ((), ("authors",))
    assert authors("Insider", "https://www.businessinsider.com/tides") == ((), ("authors",))  # inside the label
    assert authors("Atlantic", "https://example.org/tides", "The Atlantic") == ((), ("authors",))
    assert authors("Jane Doe, The Courier", "https://example.org/tides", "The Courier") == (("Jane Doe",), ())


def test_the_article_a_web_page_declares_as_its_main_entity_is_read() -> None:
    """schema.org lets a page's JSON-LD be a WebPage holding its article under `mainEntity`: that article's
    authors and date are the page's, not the "Surname; Given" pieces trafilatura makes of a `dc.creator` such as
    "Brazil, Rachel"."""
    ld = ('{"@context": "https://schema.org", "@type": "WebPage", "mainEntity": {"@type": "NewsArticle", '
          '"headline": "Tide tables change for the winter", "datePublished": "2026-02-06", '
          '"author": [{"@type": "Person", "name": "Rachel Brazil"}, {"@type": "Person", "name": "Jeff Tollefson"}]}}')
    page = article_page(PROSE, PROSE.replace("harbour", "river")).replace(
        "<head>", f'<head><meta name="dc.creator" content="Brazil, Rachel"><meta name="dc.creator" '
                  f'content="Tollefson, Jeff"><script type="application/ld+json">{ld}</script>')
    article = read_html(page)
    assert article.authors == ("Rachel Brazil", "Jeff Tollefson") and article.review == ()
    assert article.date is not None and article.date.startswith("2026-02-06")


def test_a_meta_author_that_is_an_address_does_not_hide_the_byline() -> None:
    """`<meta name="author">` (or article:author) holding the address of the writers' pages names no one: the
    byline trafilatura reads from the page's markup still does, as when the page has no such tag."""
    byline = '<div class="byline"><a rel="author" class="author" href="/authors/sarah-lazare/">Sarah Lazare</a></div>'
    page = _bylined_page(byline).replace('"publisher"', '"publisherx"')
    assert read_html(page).authors == ("Sarah Lazare",)
    tagged = page.replace("<head>", '<head><meta name="author" content="https://courier.example/authors">')
    article = read_html(tagged)
    assert article.authors == ("Sarah Lazare",) and "authors" not in article.review


@pytest.mark.parametrize(("name", "unsure"), [
    ("Josh", True),  # one word: a first name, a handle or a section, not a byline to publish unseen
    ("Carrie Arnold November", True),  # "By Carrie Arnold November 15, 2019" with its day and year taken out
    ("Jane Doe 2", True),
    ("Jane Doe", False),
    ("Ashley May", False),  # a surname that is a month: only a third word after a name is a date's
    ("Reuters", False),  # a news agency credits itself in one word
    ("山田太郎", False),  # a name written without spaces
])
def test_a_byline_that_may_be_no_ones_name_is_asked_for_review(name: str, unsure: bool) -> None:
    person = f', "author": {{"@type": "Person", "name": "{name}"}}'
    article = read_html(_bylined_page("", person))
    assert article.authors == (name,)
    assert ("authors" in article.review) is unsure


def test_a_byline_naming_the_site_by_any_of_its_declared_names_is_not_a_person() -> None:
    """The JSON-LD may name the publishing company ("Tidewater Group") and og:site_name the paper ("The Courier"): a
    byline "The Courier" names the paper, whichever of its names the page declares first."""
    page = _bylined_page("", ', "author": {"@type": "Person", "name": "The Courier"}').replace(
        '"name": "The Courier"}, "author"', '"name": "Tidewater Group"}, "author"').replace(
        "<head>", '<head><meta property="og:site_name" content="Courier">')
    article = read_html(page)
    assert article.authors == () and article.review == ("authors",)
    assert article.source == "Tidewater Group"  # the source is still the one the JSON-LD names


@pytest.mark.parametrize(("byline", "authors"), [
    ("Photo: Jane Doe", ()),  # the photographer's credit set where the byline goes
    ("Fotos von John Roe", ()),
    ("Jane Doe, Photos: John Roe", ("Jane Doe",)),  # the writer, then the photographer
    ("Editorial Board", ()),
    ("Digital Team", ()),
    ("Washington Bureau", ()),
    ("Photographer Unknown Jane Doe", ("Photographer Unknown Jane Doe",)),  # no credit label: the name as it is
])
def test_a_pictures_credit_or_a_team_is_not_the_writer(byline: str, authors: tuple[str, ...]) -> None:
    article = read_html(_bylined_page("", f', "author": {{"@type": "Person", "name": "{byline}"}}'))
    assert article.authors == authors
    assert ("authors" in article.review) is (not authors)


def test_a_by_the_markup_keeps_in_an_authors_name_is_not_part_of_it() -> None:
    """A JSON-LD author named "By ROBERT BURNS, AP National Security Writer" is written without its "By"; a news
    agency so credited is still the agency."""
    def authors(name: str) -> tuple[str, ...]:
        return read_html(_bylined_page("", f', "author": {{"@type": "Person", "name": "{name}"}}')).authors

    assert authors("By ROBERT BURNS, AP National Security Writer") == ("ROBERT BURNS, AP National Security Writer",)
    assert authors("by Jane Doe") == ("Jane Doe",)
    assert authors("By The Associated Press") == ("The Associated Press",)
    assert authors("Byron Katie") == ("Byron Katie",)


def test_a_byline_that_names_another_person_than_the_markup_is_asked_for_review() -> None:
    """The JSON-LD names one person, the page's labelled byline another: which wrote it is not sure, so the markup's
    is written under review; a byline that names the same person (or the publisher) leaves it asserted."""
    person = ', "author": {"@type": "Person", "name": "Jane Doe"}'
    article = read_html(_bylined_page("<p>By John Roe</p>", person))
    assert article.authors == ("Jane Doe",) and "authors" in article.review
    for byline in ("<p>By Jane Doe</p>", "<p>By JANE DOE and John Roe</p>", "<p>By The Courier</p>", ""):
        article = read_html(_bylined_page(byline, person))
        assert article.authors == ("Jane Doe",) and "authors" not in article.review, byline
