"""End to end: content -> output/ (every page kind, feeds, safety, atomicity, determinism)."""

from __future__ import annotations

from pathlib import Path

import feedparser
import html5lib
import pytest
import yaml

from digest.build import BuildOptions, build
from digest.errors import BuildFailed, ContentError, DigestError, ThemeError

from .conftest import NOW, entry_text, tree_bytes
from .safety import assert_inert_html

OPTIONS = BuildOptions(now=NOW, jobs=1)
FEEDS = ("feed.xml", "atom.xml")


def all_feeds(output: Path) -> list[Path]:
    return sorted(p for p in output.rglob("*.xml") if p.name in FEEDS)


def assert_feeds_parse(output: Path) -> None:
    feeds = all_feeds(output)
    assert feeds
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"


def test_demo_site_has_every_page_kind(demo_site: Path) -> None:
    report = build(demo_site, OPTIONS)
    out = demo_site / "output"
    assert report.entries >= 12 and report.pages > 30
    for rel in ("index.html", "2022/08/15/index.html", "topics/index.html", "topics/world/index.html",
                "tags/index.html", "tags/russia/index.html", "archive/index.html", "404.html", "sitemap.xml",
                "robots.txt", "feed.xml", "atom.xml", "feed.json", "topics/world/feed.xml",
                "topics/world/atom.xml", "static/style.css"):
        assert (out / rel).is_file(), rel
    edition = (out / "2022/08/15/index.html").read_text()
    assert "Putin and Kim Jong Un pledge closer relations" in edition
    assert "Shunned by the West" in edition
    slug = "putin-and-kim-jong-un-pledge-closer-relations-as-russia-courts-non-western"
    article = (out / f"2022/08/15/{slug}/index.html").read_text()
    for text in ("Mia Jankowicz", "Business Insider", "Key points", "Russia and North Korea exchanged messages",
                 "Edition of 15 Aug 2022"):
        assert text in article
    assert_feeds_parse(out)
    parser = html5lib.HTMLParser(strict=True)
    for page in out.rglob("*.html"):
        parser.parse(page.read_bytes())  # raises on a parse error


HOSTILE = {
    "title": '<script>alert(1)</script>" onerror="alert(2)',
    "date": "2022-08-15T10:00:00Z",
    "summary": "<img src=x onerror=alert(3)>",
    "source": "</a><script>alert(4)</script>",
    "authors": ["<b onmouseover=alert(5)>Eve</b>"],
    "tags": ["<script>t</script>", "../../etc"],
    "key_points": ["<iframe src=javascript:alert(6)>"],
    "source_url": "https://example.com/ok",
}
HOSTILE_BODY = ('<script>alert(7)</script>\n\n[click](javascript:alert(8)) <img src=x onerror="alert(9)">\n\n'
                '[x](JaVaScRiPt:alert(10)) ![i](data:text/html;base64,PHNjcmlwdD4=)\n')


def test_hostile_entry_is_inert_in_pages_and_feeds(make_site) -> None:
    front = yaml.safe_dump(HOSTILE, allow_unicode=True)
    root = make_site({"content/evil.md": f"---\n{front}---\n\n{HOSTILE_BODY}"})
    build(root, OPTIONS)
    out = root / "output"
    for path in out.rglob("*.html"):
        assert_inert_html(path.read_text(), path)
    for path in all_feeds(out):
        for item in feedparser.parse(path.read_bytes()).entries:
            for content in item.get("content", []):
                assert_inert_html(content.value, path)
            assert_inert_html(item.get("summary", ""), path)
    assert_feeds_parse(out)
    article = next(out.glob("2022/08/15/evil/index.html")).read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article


def test_hostile_source_url_is_an_error_naming_the_file(make_site) -> None:
    root = make_site({"content/evil.md": entry_text(source_url="javascript:alert(1)")})
    with pytest.raises(ContentError) as caught:
        build(root, OPTIONS)
    assert str(caught.value.path) == "content/evil.md" and caught.value.line == 4


def test_broken_entry_leaves_previous_output_untouched(make_site) -> None:
    root = make_site({"content/good.md": entry_text("Good one")})
    build(root, OPTIONS)
    before = tree_bytes(root / "output")
    (root / "content/bad.md").write_text("---\ntitle: Bad\ndate: 2022-13-45\n---\nx\n")
    (root / "content/worse.md").write_text("---\ntitle: [unclosed\n---\nx\n")
    with pytest.raises(BuildFailed) as caught:
        build(root, OPTIONS)
    paths = sorted(str(e.path) for e in caught.value.errors)
    assert paths == ["content/bad.md", "content/worse.md"]  # every bad entry reported
    assert all(e.line for e in caught.value.errors if str(e.path) == "content/worse.md")
    assert tree_bytes(root / "output") == before
    assert not (root / ".output.staging").exists()


def test_template_error_names_template_and_line(make_site) -> None:
    root = make_site({"content/a.md": entry_text(),
                      "themes/mine/templates/article.html": "{% extends 'base.html' %}\n{% block content %}\n"
                                                             "{{ entry.title | nosuchfilter }}\n{% endblock %}\n"},
                     config='[site]\ntheme = "mine"\n')
    with pytest.raises(DigestError) as caught:
        build(root, OPTIONS)
    error = caught.value
    assert isinstance(error, ThemeError)
    assert str(error.path).endswith("article.html") and error.line == 3


def test_theme_override_can_extend_the_builtin(make_site) -> None:
    root = make_site({"content/a.md": entry_text(),
                      "themes/mine/templates/base.html": "{% extends 'default:base.html' %}"
                                                          "{% block title %}MINE{% endblock %}",
                      "themes/mine/static/extra.css": "body{}"},
                     config='[site]\ntheme = "mine"\n')
    build(root, OPTIONS)
    assert "<title>MINE</title>" in (root / "output/index.html").read_text()
    assert (root / "output/static/extra.css").is_file() and (root / "output/static/style.css").is_file()


def test_a_theme_base_adds_to_the_head_of_every_page_articles_too(make_site) -> None:
    """A theme's base.html that extends the built-in one and adds its stylesheet in the `meta` block
    (the head's one free block): the built-in article.html fills `meta` too, and dropped the
    theme's additions on every article page (unstyled) unless it called super()."""
    root = make_site({"content/a.md": entry_text(tags="[one]"),
                      "themes/mine/templates/base.html": "{% extends 'default:base.html' %}\n{% block meta %}"
                                                          '<link rel="stylesheet" href="{{ root }}static/mine.css">'
                                                          "{% endblock %}\n"},
                     config='[site]\ntheme = "mine"\n')
    build(root, OPTIONS)
    pages = [p for p in (root / "output").rglob("*.html") if not p.name.startswith("email")]
    assert len(pages) > 5
    assert [p for p in pages if "static/mine.css" not in p.read_text()] == []
    article = (root / "output/2022/08/15/a/index.html").read_text()
    assert "article:published_time" in article and article.count("application/ld+json") == 1


def test_the_json_ld_of_an_article_holds_absolute_addresses_only(make_site) -> None:
    """A relative source_url or image (front matter allows them) is the article's on its page;
    in schema.org data, read by crawlers without the page's address, it is made absolute."""
    import json
    import re

    root = make_site({"content/a.md": entry_text(source_url="../../14/b/", image="pic.jpg"),
                      "content/c.md": entry_text("Another", source_url="//other.example/story")})
    build(root, OPTIONS)
    found = {}
    for name in ("a", "c"):
        page = (root / f"output/2022/08/15/{name}/index.html").read_text()
        found[name] = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1))
    assert found["a"]["isBasedOn"] == "https://news.example.org/2022/08/14/b/"
    assert found["a"]["image"] == "https://news.example.org/2022/08/15/a/pic.jpg"
    assert found["c"]["isBasedOn"] == "https://other.example/story"


def test_a_template_saved_with_a_byte_order_mark_keeps_the_head_whole(make_site) -> None:
    """Templates saved as "UTF-8 with BOM" (Notepad's UTF-8): the mark was written into the page,
    and one from a part included in <head> ended the head there, so the stylesheets and meta tags
    after it were in <body>. Entries and digest.toml take the mark as no text; templates do too."""
    bom = "\ufeff"
    root = make_site({"content/a.md": entry_text(),
                      "themes/mine/templates/base.html": bom + "{% extends 'default:base.html' %}\n{% block meta %}"
                                                          "{% include 'parts/head.html' %}{% endblock %}\n",
                      "themes/mine/templates/parts/head.html": bom + '<meta name="mine" content="1">\n'},
                     config='[site]\ntheme = "mine"\n')
    build(root, OPTIONS)
    page = (root / "output/index.html").read_text()
    assert bom not in page
    head = html5lib.parse(page, namespaceHTMLElements=False).find("head")
    assert head.find("meta[@name='mine']") is not None and head.find("link[@rel='stylesheet']") is not None


MACROS_OF_MY_OWN = """\
{% import "default:macros.html" as builtin %}
{% set byline, when, coverage_item, more_reports_text, more_reports = builtin.byline, builtin.when,
       builtin.coverage_item, builtin.more_reports_text, builtin.more_reports %}
{% set story_card, pager, edition_nav, edition_body = builtin.story_card, builtin.pager,
       builtin.edition_nav, builtin.edition_body %}
{% macro entry_item(entry, root) -%}
<li class="mine"><a href="{{ root }}{{ entry_url(entry) }}">{{ entry.title }}</a></li>
{%- endmacro %}
"""


def test_one_macro_replaced_as_the_readme_says(make_site) -> None:
    """README ("Themes"): a macros.html of one's own that replaces one macro and keeps the others
    from the built-in file (extending it would keep the built-in macro, in silence)."""
    root = make_site({"content/a.md": entry_text(tags="[one]"), "content/b.md": entry_text("Other", tags="[one]"),
                      "themes/mine/templates/macros.html": MACROS_OF_MY_OWN}, config='[site]\ntheme = "mine"\n')
    build(root, OPTIONS)
    assert '<li class="mine">' in (root / "output/tags/one/index.html").read_text()
    assert 'class="story' in (root / "output/index.html").read_text()
    readme = " ".join((Path(__file__).parent.parent / "README.md").read_text().split())
    assert " ".join(MACROS_OF_MY_OWN.split("{% macro")[0].split()) in readme


def test_same_input_gives_identical_output(make_site, demo_site: Path) -> None:
    build(demo_site, OPTIONS)
    first = tree_bytes(demo_site / "output")
    (demo_site / "output").rename(demo_site / "output-1")
    build(demo_site, BuildOptions(now=NOW, jobs=2))
    assert tree_bytes(demo_site / "output") == first


def test_stale_files_are_removed(make_site) -> None:
    root = make_site({"content/a.md": entry_text("First", tags="[one]"),
                      "content/b.md": entry_text("Second", date="2022-08-16T10:00:00Z")})
    build(root, OPTIONS)
    assert (root / "output/2022/08/16/b/index.html").exists() and (root / "output/tags/one/index.html").exists()
    (root / "content/b.md").unlink()
    (root / "content/a.md").write_text(entry_text("First"))
    report = build(root, OPTIONS)
    assert not (root / "output/2022/08/16").exists()
    assert not (root / "output/tags/one").exists()
    assert report.removed >= 3


def test_drafts_and_future_entries_stay_out_unless_asked(make_site) -> None:
    root = make_site({"content/draft.md": entry_text("Draft", draft="true"),
                      "content/future.md": entry_text("Future", date="2099-01-01T00:00:00Z"),
                      "content/now.md": entry_text("Now")})
    assert build(root, OPTIONS).entries == 1
    assert build(root, BuildOptions(now=NOW, drafts=True, future=True)).entries == 3


def test_two_entries_on_one_path_is_an_error_naming_both(make_site) -> None:
    root = make_site({"content/a/same.md": entry_text("One"), "content/b/same.md": entry_text("Two"),
                      "content/c.md": entry_text("Three", slug="same")})
    with pytest.raises(BuildFailed) as caught:
        build(root, OPTIONS)
    text = str(caught.value)
    assert "content/a/same.md" in text and "content/b/same.md" in text and "content/c.md" in text


def test_front_page_shows_the_seed_story_once_with_both_sources(demo_site: Path) -> None:
    build(demo_site, OPTIONS)
    front = html5lib.parse((demo_site / "output/index.html").read_text(), namespaceHTMLElements=False)
    cards = [card for card in front.iter("article") if "story" in (card.get("class") or "").split()]
    seed_cards = [c for c in cards if "Putin" in "".join(c.itertext()) and "Kim" in "".join(c.itertext())]
    assert len(seed_cards) == 1
    text = " ".join("".join(seed_cards[0].itertext()).split())
    assert "Fortune" in text and "Business Insider" in text and "Also covered by" in text


def test_missing_template_is_named_where_it_is_included(make_site) -> None:
    # The error named the page's template (article.html, not a file of the site) and no line.
    root = make_site({"content/a.md": entry_text(),
                      "themes/mine/templates/base.html": "{% extends 'default:base.html' %}\n"
                                                          "{% block title %}{% include 'nope.html' %}{% endblock %}\n"},
                     config='[site]\ntheme = "mine"\n')
    with pytest.raises(DigestError) as caught:
        build(root, OPTIONS)
    error = caught.value
    assert isinstance(error, ThemeError) and "nope.html" in error.message
    assert str(error.path).endswith("themes/mine/templates/base.html") and error.line == 2


def test_a_template_not_in_utf8_is_named_with_its_line(make_site) -> None:
    """A template saved in Latin-1 (an included one, or the page's own): Jinja's UnicodeDecodeError
    named no file; the build reported it at the line of the template that included it (or as the
    bare name `archive.html`), as a template error whose hint was about variables and filters."""
    root = make_site({"content/a.md": entry_text(tags="[one]"),
                      "themes/mine/templates/tag.html": "{% extends 'default:tag.html' %}\n{% block meta %}"
                                                         "{% include 'parts/foot.html' %}{% endblock %}\n",
                      "themes/mine/templates/parts/foot.html": "<p>ok</p>\n<p>Gru\xdf</p>\n".encode("latin-1")},
                     config='[site]\ntheme = "mine"\n')
    with pytest.raises(DigestError) as caught:
        build(root, OPTIONS)
    error = caught.value
    assert isinstance(error, ThemeError) and "UTF-8" in error.message and "UTF-8" in (error.hint or "")
    assert str(error.path).endswith("themes/mine/templates/parts/foot.html") and error.line == 2
    (root / "themes/mine/templates/parts/foot.html").write_text("<p>Gruß</p>\n")
    (root / "themes/mine/templates/archive.html").write_bytes(b"{% extends 'default:archive.html' %}\xe9\n")
    with pytest.raises(DigestError) as caught:
        build(root, OPTIONS)
    assert str(caught.value.path).endswith("themes/mine/templates/archive.html") and caught.value.line == 1


def test_a_draft_without_a_date_stays_out_even_with_drafts_and_is_named(make_site) -> None:
    """An undated draft (ingest found no date) has no edition to go in: even with --drafts it is
    not published (it made /1970/01/01/ pages, a 1970 sitemap and e-mails), and the build names it
    and says to add a date."""
    root = make_site({"content/now.md": entry_text("Now"),
                      "content/undated.md": "---\ntitle: Found no date\ndraft: true\n---\nText.\n"})
    report = build(root, BuildOptions(now=NOW, jobs=1, drafts=True))
    assert report.entries == 1
    assert not list((root / "output").glob("1970*")) and not list((root / "output").rglob("*1970*"))
    assert any("content/undated.md" in str(w) and "no date" in str(w) and "date:" in (w.hint or "")
               for w in report.warnings), report.warnings
    (root / "content/undated.md").write_text("---\ntitle: Found no date\ndraft: true\ndate: 2022-08-15\n---\nText.\n")
    assert build(root, BuildOptions(now=NOW, jobs=1, drafts=True)).entries == 2
