"""Accessibility in a real browser: axe-core on every kind of page, light and dark; the skip link,
visible focus, and no horizontal scrolling at phone, tablet and desktop widths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .theme_site import AXE, WIDTHS, build_demo, build_edge, chromium, html_pages, page_kinds, require, serve

# WCAG 2.x A and AA, plus axe's best practices (landmarks, heading order, one h1, regions).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.help}\\n    ` +
    v.nodes.slice(0, 5).map(n => n.target.join(" ") + " | " + (n.failureSummary || "").replace(/\\n/g, " "))
      .join("\\n    "));
}"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Path, str]]]:
    """The demo site and the edge-case site, each served on loopback: name -> (output, base URL)."""
    root = tmp_path_factory.mktemp("a11y")
    demo, edge = build_demo(root / "demo"), build_edge(root / "edge")
    with serve(demo) as demo_url, serve(edge) as edge_url:
        yield {"demo": (demo, demo_url), "edge": (edge, edge_url)}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def axe_violations(page: Any) -> list[str]:
    """axe-core's findings on the page; axe is injected from node_modules, never fetched."""
    require(AXE.is_file(), "node_modules/axe-core (npm ci)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return list(page.evaluate(RUN_AXE, AXE_TAGS))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_any_page(sites: dict[str, tuple[Path, str]], browser: Any, scheme: str) -> None:
    require(AXE.is_file(), "node_modules/axe-core (npm ci)")
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    context.add_init_script(path=str(AXE))  # in every page before its own scripts: one injection, no round trip
    page = context.new_page()
    found: list[str] = []
    for output, base in sites.values():
        for url in [p.relative_to(output).as_posix().removesuffix("index.html") for p in html_pages(output)]:
            page.goto(base + url)
            found += [f"/{url}: {v}" for v in axe_violations(page)]
    if (sites["demo"][0] / "pagefind").is_dir():  # the search page with results on screen
        page.goto(sites["demo"][1] + "search/?q=inflation")
        page.wait_for_selector("#search-results li")
        found += [f"/search/?q=inflation: {v}" for v in axe_violations(page)]
    context.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_horizontal_scrolling(sites: dict[str, tuple[Path, str]], browser: Any, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    too_wide = []
    demo, edge = sites["demo"], sites["edge"]
    pages = [(demo[1], url) for url in page_kinds(demo[0]).values()]
    pages += [(edge[1], p.relative_to(edge[0]).as_posix().removesuffix("index.html")) for p in html_pages(edge[0])]
    for base, url in pages:
        page.goto(base + url)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            too_wide.append(f"/{url}: {scroll}px wide in a {inner}px window")
    context.close()
    assert not too_wide, "\n".join(too_wide)


def test_article_lines_stay_readable(sites: dict[str, tuple[Path, str]], browser: Any) -> None:
    """About 45 to 80 characters a line: the body column is measured in ems of its own font."""
    output, base = sites["demo"]
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        page.goto(base + page_kinds(output)["article"])
        ems = page.evaluate("""() => { const p = document.querySelector('.body p');
            return p.getBoundingClientRect().width / parseFloat(getComputedStyle(p).fontSize); }""")
        assert (17 if width < 400 else 28) <= ems <= 38, (width, ems)
        context.close()


def test_skip_link_is_first_visible_on_focus_and_moves_to_main(sites: dict[str, tuple[Path, str]],
                                                                browser: Any) -> None:
    output, base = sites["demo"]
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(base + page_kinds(output)["article"])
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const e = document.activeElement, r = e.getBoundingClientRect(),
        s = getComputedStyle(e); return {cls: e.className, top: r.top, left: r.left, width: r.width,
        outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth)}; }""")
    assert focused["cls"] == "skip-link"
    assert focused["left"] >= 0 and focused["top"] >= 0 and focused["width"] > 0, focused
    assert focused["outline"] != "none" and focused["outlineWidth"] >= 2, focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the page's content, and its focus shows
    ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [document.activeElement.closest('main') !== null, s.outlineStyle, parseFloat(s.outlineWidth)]; }""")
    assert ring[0] and ring[1] != "none" and ring[2] >= 2, ring
    page.close()
