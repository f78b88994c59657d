"""The reader's side in a real browser (Debian's Chromium): the coverage line by the byline on a
phone and the sidebar on a wide screen, a compact header on phones, lines of at most about 75
characters, and axe-core on what only shows once opened (the coverage list, the timeline)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .test_a11y import axe_violations
from .theme_site import AXE, build_demo, chromium, serve

PUTIN_BI = "2022/08/15/putin-and-kim-jong-un-pledge-closer-relations-as-russia-courts-non-western/"
IRA_CHANGES = "2022/08/18/inflation-reduction-act-what-changes/"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MAX_LINE = 75  # characters

# The most characters on any full line (not a paragraph's last) of each block of text in <main>,
# counted from where the browser put each character.
WIDEST_LINES = """() => {
  const range = document.createRange();
  function lines(element) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const counts = []; let top = null; let node;
    while ((node = walker.nextNode())) {
      for (let i = 0; i < node.textContent.length; i++) {
        range.setStart(node, i); range.setEnd(node, i + 1);
        const box = range.getBoundingClientRect();
        if (!box.width && !box.height) continue;
        if (top === null || box.top > top + box.height * 0.6) { counts.push(0); top = box.top; }
        counts[counts.length - 1] += 1;
      }
    }
    return counts;
  }
  const found = [];
  for (const element of document.querySelectorAll('main p, main li')) {
    if (element.querySelector('p, li') || !element.offsetParent) continue;
    const counts = lines(element);
    if (counts.length > 1) found.push([Math.max(...counts.slice(0, -1)), element.textContent.trim().slice(0, 50)]);
  }
  return found;
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    output = build_demo(tmp_path_factory.mktemp("reader-browser") / "demo")
    with serve(output) as base:
        yield output, base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def box(page: Any, selector: str) -> dict[str, float] | None:
    return page.evaluate("""(s) => { const e = document.querySelector(s);
        if (!e || !e.offsetParent) return null; const r = e.getBoundingClientRect();
        return {top: r.top + scrollY, bottom: r.bottom + scrollY, height: r.height}; }""", selector)


def test_on_a_phone_coverage_is_a_line_by_the_byline_that_opens(site: tuple[Path, str], browser: Any) -> None:
    _, base = site
    page = browser.new_page(viewport=PHONE)
    page.goto(base + PUTIN_BI)
    line = box(page, "details.coverage-line")
    assert line is not None and line["bottom"] < PHONE["height"], line  # on the first screen, not at y=2,900
    assert box(page, ".coverage-full") is None  # the sidebar's copy is not shown as well
    assert not page.is_visible("details.coverage-line .coverage-item")
    page.click("details.coverage-line summary")
    item = page.locator("details.coverage-line .coverage-item")
    assert item.is_visible()
    assert "Fortune" in item.inner_text() and "Shunned by the West" in item.inner_text()
    page.close()


def test_on_a_wide_screen_coverage_is_in_the_sidebar(site: tuple[Path, str], browser: Any) -> None:
    _, base = site
    page = browser.new_page(viewport=DESKTOP)
    page.goto(base + PUTIN_BI)
    assert box(page, "details.coverage-line") is None
    aside, article = box(page, ".coverage-full"), box(page, "article.article")
    assert aside is not None and article is not None and aside["top"] < PHONE["height"]
    left = page.evaluate("[document.querySelector('.coverage-full').getBoundingClientRect().left,"
                         " document.querySelector('article.article').getBoundingClientRect().right]")
    assert left[0] > left[1]  # beside the article, not under it
    assert "Shunned by the West" in page.inner_text(".coverage-full")
    page.close()


def test_the_phone_header_is_compact(site: tuple[Path, str], browser: Any) -> None:
    _, base = site
    page = browser.new_page(viewport=PHONE)
    for url in ("", PUTIN_BI, "topics/world/"):
        page.goto(base + url)
        header = box(page, "header.masthead")
        assert header is not None and header["height"] <= 120, (url, header)  # it took 375 of 844 px
        assert page.is_visible("a.search-link") and not page.is_visible("form.site-search")
        rows = page.evaluate("new Set([...document.querySelectorAll('.topics-nav li')]"
                             ".map(li => Math.round(li.getBoundingClientRect().top))).size")
        assert rows == 1, url
    page.click("a.search-link")
    page.wait_for_url("**/search/")
    page.close()
    wide = browser.new_page(viewport=DESKTOP)
    wide.goto(base)
    assert wide.is_visible("form.site-search") and not wide.is_visible("a.search-link")
    wide.close()


@pytest.mark.parametrize("width", [768, 1280, 1920])
def test_no_line_runs_past_about_75_characters(site: tuple[Path, str], browser: Any, width: int) -> None:
    _, base = site
    page = browser.new_page(viewport={"width": width, "height": 900})
    too_long = []
    for url in ("", "2022/08/16/", PUTIN_BI, IRA_CHANGES, "2022/08/14/rhine-water-levels-fall-near-kaub/",
                "topics/world/", "tags/russia/", "archive/"):
        page.goto(base + url)
        measured = page.evaluate(WIDEST_LINES)
        assert measured or url == "archive/", url  # the check saw text
        too_long += [(url, count, text) for count, text in measured if count > MAX_LINE]
    page.close()
    assert not too_long, too_long


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_in_the_opened_coverage_and_the_timeline(site: tuple[Path, str], browser: Any,
                                                                   scheme: str) -> None:
    assert AXE.is_file()
    _, base = site
    found = []
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(viewport=viewport, color_scheme=scheme)
        page = context.new_page()
        for url in (PUTIN_BI, IRA_CHANGES, "2022/08/16/", "feed.xml"):
            page.goto(base + url)
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            # Chromium's own notice that it will drop XSLT (injected into the page; not ours to fix).
            page.evaluate("document.querySelectorAll('xslt-warning-banner').forEach(e => e.remove())")
            found += [f"{viewport['width']} /{url}: {v}" for v in axe_violations(page)]
        context.close()
    assert not found, "\n".join(found)


def test_a_right_to_left_headline_reads_right_to_left(tmp_path: Path, browser: Any) -> None:
    """An Arabic headline and summary in an English site were laid out left to right: the
    closing "!" and "." stood at the wrong end and the lines were aligned to the left. (The body
    is not: a direction for the whole of it would follow its first letter.)"""
    from digest.build import BuildOptions, build

    from .conftest import BASIC_CONFIG, NOW, entry_text

    root = tmp_path / "rtl"
    (root / "content").mkdir(parents=True)
    (root / "digest.toml").write_text(BASIC_CONFIG, encoding="utf-8")
    (root / "content/gas.md").write_text(entry_text(
        "ارتفاع أسعار الغاز في أوروبا إلى مستوى قياسي!", topic="world", summary="ارتفعت أسعار الغاز يوم الجمعة.",
        body="ارتفعت أسعار الغاز الطبيعي في أوروبا إلى مستوى قياسي يوم الجمعة."), encoding="utf-8")
    (root / "content/rain.md").write_text(entry_text("Rain in London", topic="world", summary="It rained."),
                                          encoding="utf-8")
    build(root, BuildOptions(now=NOW, jobs=1, search=False))
    direction = "(s) => Array.from(document.querySelectorAll(s), e => [e.textContent.trim().slice(0, 12), " \
                "getComputedStyle(e).direction])"
    with serve(root / "output") as base:
        page = browser.new_page(viewport=DESKTOP)
        try:
            page.goto(base + "2022/08/15/gas/")
            assert page.evaluate(direction, "#headline, .standfirst") == [
                ["ارتفاع أسعار", "rtl"], ["ارتفعت أسعار", "rtl"]]
            for path in ("", "2022/08/15/", "2022/08/15/email.html"):
                page.goto(base + path)
                shown = dict(page.evaluate(direction, ".story-title, .headline, .summary"))
                assert shown["ارتفاع أسعار"] == "rtl" and shown["ارتفعت أسعار"] == "rtl", (path, shown)
                assert shown["Rain in Lond"] == "ltr" and shown["It rained."] == "ltr", (path, shown)
        finally:
            page.close()
