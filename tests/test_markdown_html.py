from __future__ import annotations

from digest.markdown_html import render_markdown


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
