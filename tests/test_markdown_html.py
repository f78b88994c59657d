from __future__ import annotations

import random
from urllib.parse import urljoin

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink

from digest.markdown_html import joined_as_it_is, markdown_renderer, normalized_as_it_is, render_markdown


def test_raw_html_is_text() -> None:
    html = render_markdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_dangerous_links_are_not_links() -> None:
    html = render_markdown("[a](javascript:alert(1)) [b](JaVaScRiPt:x) [c](&#106;avascript:x) "
                           "[d](data:text/html,x) ![e](vbscript:x) <javascript:alert(1)>")
    assert "href" not in html and "src" not in html


def test_safe_links_kept_and_made_absolute() -> None:
    html = render_markdown("[a](https://x.example/) [b](../other/) [c](mailto:a@b.example) [d](#part)",
                           "https://news.example.org/2022/08/15/story/")
    assert 'href="https://x.example/"' in html
    assert 'href="https://news.example.org/2022/08/15/other/"' in html
    assert 'href="mailto:a@b.example"' in html
    assert 'href="#part"' in html


def test_tables_strikethrough_and_heading_anchors() -> None:
    html = render_markdown("## Why it matters\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~\n")
    assert '<h2 id="why-it-matters" dir="auto">' in html and 'href="#why-it-matters"' in html
    assert "<table>" in html and "<s>gone</s>" in html


def test_attribute_breakout_in_link_title_is_escaped() -> None:
    html = render_markdown('[x](https://a.example/ "t\\" onmouseover=\\"alert(1)")')
    assert 'onmouseover="' not in html


def test_body_headings_nest_under_the_title_without_skipping_a_level() -> None:
    import re

    def levels(text: str) -> list[str]:
        return re.findall(r"<(h\d)[ >]", render_markdown(text))

    assert levels("#### From a scraped page\n\ntext") == ["h2"]
    assert levels("# A curator's heading\n\n## Under it\n\ntext") == ["h2", "h3"]
    assert levels("### A\n\n##### B\n\n### C\n\n#### D") == ["h2", "h3", "h2", "h3"]
    assert levels("##### Deeper first\n\n### Then higher") == ["h2", "h2"]
    assert levels("## Why\n\n### How") == ["h2", "h3"]  # already right: unchanged
    assert '<h2 id="from-a-scraped-page" dir="auto">' in render_markdown("#### From a scraped page")


def test_a_body_heading_never_takes_an_id_the_theme_gives_its_own_parts() -> None:
    import re
    from pathlib import Path

    from digest.markdown_html import THEME_IDS

    templates = Path(__file__).resolve().parents[1] / "digest/default_theme/templates"
    theme_ids = {i for path in templates.glob("*.html") for i in re.findall(r'\bid="([\w-]+)"', path.read_text())}
    assert theme_ids <= THEME_IDS, theme_ids - THEME_IDS  # a new id in a template is reserved here too
    html = render_markdown("## Related\n\nx\n\n## Main\n\n## Key points\n\n## Related\n\n## Why it matters")
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert not set(ids) & THEME_IDS, ids
    assert ids == ["related-section", "main-section", "key-points-section", "related-section-1", "why-it-matters"]


def test_each_block_of_a_body_finds_its_own_direction() -> None:
    """An Arabic or Hebrew paragraph in a body reads right to left, the English around it left to
    right: each block gets dir="auto" (the whole body's direction would follow its first letter)."""
    html = render_markdown("An English opening.\n\nهذا اقتباس عربي.\n\n- עברית\n- English\n\n| a |\n|---|\n| ب |")
    assert '<p dir="auto">An English opening.</p>' in html and '<p dir="auto">هذا اقتباس عربي.</p>' in html
    assert '<li dir="auto">עברית</li>' in html and '<td dir="auto">ب</td>' in html
    assert "<p>" not in html and "<li>" not in html


def test_deep_lists_and_quotes_keep_the_article_after_them() -> None:
    # markdown-it drops the rest of a body where nesting passes maxNesting (CommonMark's 20: a list and its
    # item count two each). A ten-level outline, or a separator line of '>' in a copied mail, lost the deepest
    # item and every paragraph after it, without a word.
    outline = "".join("  " * level + f"- level {level}\n" for level in range(12))
    separator = ">" * 40 + "\n"
    for body in (outline, separator, "> " * 30 + "a quote in a long thread\n"):
        html = render_markdown(body + "\nThe article goes on here.\n")
        assert "The article goes on here." in html, body
    assert "level 11" in render_markdown(outline) and "a quote in a long thread" in render_markdown(
        "> " * 30 + "a quote in a long thread\n")


def test_pathological_nesting_stays_within_the_recursion_limit() -> None:
    import sys

    # Inside a page's template, with the frames of the build and of Jinja below it: 400 frames to spare
    def nested(depth: int, body: str) -> str:
        return nested(depth - 1, body) if depth else render_markdown(body)

    for body in ("".join("  " * n + "- > x\n" for n in range(300)), "> " * 5000 + "x\n", ">" * 20000,
                 "[" * 5000 + "x" + "](https://e.example/)" * 5000, "![" * 5000 + "x" + "](https://e.example/)" * 5000):
        assert nested(sys.getrecursionlimit() - 400, body)


def _random_urls(count: int, seed: int) -> list[str]:
    """URLs near the plain ones: schemes in any case, hosts of odd characters and lengths (a label of 63
    and of 64, a host of 255 and more), ports, empty ones, and tails with every character mdurl or
    urllib treats apart (escapes, '%' alone, ';', an empty query or fragment, spaces, non-ASCII)."""
    rng = random.Random(seed)
    schemes = ["https://"] * 6 + ["http://"] * 3 + ["HTTPS://", "ftp://", "https:/", "https:", "//", "", "mailto:", "hTtp://"]
    label_chars = "abcXYZ019-_+%\u00e9.:@[]"
    tail_chars = "aZ09/?#;:@&=+$,-_.!~*'()%[]{}|\\^`<>\" \t\u00e9\u3002\U0001f600"
    urls = []
    for _ in range(count):
        labels = []
        for _ in range(rng.choice((1, 2, 3, 5))):
            size = rng.choice((0, 1, 3, 3, 8, 8, 62, 63, 64))
            plain = rng.random() < 0.95
            labels.append("".join(rng.choice("abcxyz019-" if plain else label_chars) for _ in range(size)))
        host = ".".join(labels)
        if rng.random() < 0.05:
            host = ".".join(["a" * 63] * 4) + rng.choice(("", ".b", ".bcd"))  # about 255 long
        port = rng.choice(("", "", "", ":8080", ":", ":0x1", ":01"))
        tail = rng.choice(("", "/", "?", "#", "/a/b", "?q=1", "#top"))
        tail += "".join(rng.choice(tail_chars if rng.random() < 0.1 else "abc/-_.") for _ in range(rng.randint(0, 30)))
        urls.append(rng.choice(schemes) + host + port + tail)
    return urls


def test_links_known_to_stay_as_they_are_do() -> None:
    """normalized_as_it_is and joined_as_it_is, said only of what markdown-it's normalizeLink and
    urllib's urljoin give back as it is; and said of the plain links most bodies hold."""
    urls = _random_urls(30000, 5) + ["https://x.example/ref/in-Belmont-Bay", "http://a.b:80/p;q?r=1#f",
                                     "https://a.b/?", "https://a.b/#", "https://a.b/p;", "https://A.b/%41"]
    bases = ["https://news.example.org/2022/08/15/story/", "http://news.example.org/a", "", "ftp://x.example/"]
    normalized = joined = 0
    for url in urls:
        if normalized_as_it_is(url):
            normalized += 1
            assert normalizeLink(url) == url, url
        if joined_as_it_is(url):
            joined += 1
            for base in bases:
                assert urljoin(base, url) == url, (base, url)
    assert normalized > 2000 and joined > 500


def test_bodies_render_as_markdown_it_renders_them() -> None:
    """The renderer with the faster first rule and link normalization gives the HTML of one with
    markdown-it's own (every other rule the same)."""
    ours = markdown_renderer()
    theirs = MarkdownIt("commonmark", {"html": False, "typographer": False, "maxNesting": 100})
    theirs.options = ours.options
    theirs.block.ruler, theirs.inline.ruler = ours.block.ruler, ours.inline.ruler
    theirs.inline.ruler2 = ours.inline.ruler2
    theirs.core.ruler = type(ours.core.ruler)()
    for rule in ours.core.ruler.__rules__:
        theirs.core.ruler.push(rule.name, rule.fn)
    from markdown_it.rules_core import normalize

    theirs.core.ruler.at("normalize", normalize)
    theirs.validateLink = ours.validateLink  # type: ignore[method-assign]
    theirs.renderer = ours.renderer
    rng = random.Random(3)
    pieces = ["word ", "\n", "\r\n", "\r", "\0", "\n\n", "# h\n", "* item\n", "> quote\n", "**b** ", "`c` ",
              "[l](https://x.example/a) ", "[m](HTTP://X.example/%zz?a#b) ", "![i](img/p.png) ", "<https://a.example/x>",
              "[r](../up/;p?#) ", "[s](https://a.example/p%41) ", "[t]: https://t.example/\n\n[t] "]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        env = {"base": "https://news.example.org/2022/08/15/story/"}
        assert ours.render(text, dict(env)) == theirs.render(text, dict(env)), repr(text)
