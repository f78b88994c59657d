"""The e-mails in headless Chromium: at 600 px (the layout's width) and 375 px (a phone), light and
dark, no horizontal scrolling, the sheet as wide as it should be, dark mode followed, and axe-core
at 0 violations. What a browser shows is what the mail clients that render HTML like one show."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .test_a11y import axe_violations
from .theme_site import AXE, build_demo, build_edge, chromium, require, serve

WIDTHS = (600, 375)


@pytest.fixture(scope="module")
def emails(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """Every e-mail of the demo and the edge-case site, as URLs on loopback."""
    root = tmp_path_factory.mktemp("newsletter")
    demo, edge = build_demo(root / "demo"), build_edge(root / "edge")
    with serve(demo) as demo_url, serve(edge) as edge_url:
        urls = [demo_url + p.relative_to(demo).as_posix() for p in sorted(demo.rglob("email.html"))]
        urls += [edge_url + p.relative_to(edge).as_posix() for p in sorted(edge.rglob("email.html"))]
        yield urls


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
def test_emails_fit_follow_the_scheme_and_pass_axe(emails: list[str], browser: Any, width: int, scheme: str) -> None:
    require(AXE.is_file(), "node_modules/axe-core (npm ci)")
    assert len(emails) >= 9  # the demo's five editions and two weeks, the edge site's too
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    problems: list[str] = []
    for url in emails:
        page.goto(url)
        scroll, inner, sheet, background = page.evaluate("""() => {
            const sheet = document.querySelector('.sheet');
            return [document.documentElement.scrollWidth, window.innerWidth,
                    sheet.getBoundingClientRect().width, getComputedStyle(sheet).backgroundColor]; }""")
        if scroll > inner:
            problems.append(f"{url}: {scroll}px wide in a {inner}px window")
        if sheet != min(width, 600):
            problems.append(f"{url}: the sheet is {sheet}px wide at {width}px")
        dark = background == "rgb(29, 29, 34)"
        if dark != (scheme == "dark"):
            problems.append(f"{url}: background {background} in the {scheme} scheme")
        problems += [f"{url}: {v}" for v in axe_violations(page)]
    context.close()
    assert not problems, "\n".join(problems)


def test_phone_layout_narrows_the_margins(emails: list[str], browser: Any) -> None:
    """At 375 px the text keeps most of the width (16 px margins, not the desktop's 28 px)."""
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(next(url for url in emails if "/weeks/" in url))
    padding = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.cell')).paddingLeft)")
    assert padding == 16
    page.close()

