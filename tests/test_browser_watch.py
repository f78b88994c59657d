"""A real browser (Debian's chromium, headless, via Playwright) watching `digest serve --watch`:
an edit shows up without a manual reload; a broken entry shows the error overlay; the fix clears it.

Skipped only when chromium is missing outside CI; with CI=true a missing browser is a failure.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from digest.build import BuildOptions
from digest.serve import DevServer, Rebuild

from .conftest import NOW, SiteMaker, entry_text

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def _browser_or_skip() -> None:
    if Path(CHROMIUM).is_file() and shutil.which(CHROMIUM):
        return
    message = f"chromium not found at {CHROMIUM}: run `make browser-deps`"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)  # a browser test skipped in CI is not a test
    pytest.skip(message)


@pytest.fixture
def page() -> Iterator[Any]:
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


@pytest.fixture
def served(make_site: SiteMaker) -> Iterator[tuple[Path, str]]:
    root = make_site({"content/a.md": entry_text("Alpha rises", topic="world", body="The first version."),
                      "content/b.md": entry_text("Beta falls", date="2022-08-16T10:00:00Z", topic="business")})
    server = DevServer(root, BuildOptions(now=NOW, jobs=1), port=0, watch=True)
    server.start()
    rebuilds: queue.Queue[Rebuild] = queue.Queue()
    thread = threading.Thread(target=server.run, args=(rebuilds.put,), daemon=True)
    thread.start()
    assert rebuilds.get(timeout=60).error is None  # the first build
    try:
        yield root, server.url
    finally:
        server.close()
        thread.join(5)


def test_edit_reloads_the_page_and_errors_show_in_an_overlay(page: Any, served: tuple[Path, str]) -> None:
    root, url = served
    entry = root / "content/a.md"
    page.goto(url + "2022/08/15/a/")
    assert "The first version." in page.inner_text("body")
    page.wait_for_function("() => !!window.EventSource")

    entry.write_text(entry_text("Alpha rises", topic="world", body="The second version, edited on disk."))
    page.wait_for_function("() => document.body.innerText.includes('The second version, edited on disk.')",
                           timeout=20_000)

    entry.write_text("---\ntitle: Alpha rises\ndate: [not a date\n---\n\nBroken.\n")
    overlay = page.wait_for_selector("#__digest_overlay", timeout=20_000)
    text = overlay.inner_text()
    assert "content/a.md" in text and "Build failed" in text
    assert "The second version" in page.inner_text("body")  # the last good page stays under the overlay

    entry.write_text(entry_text("Alpha rises", topic="world", body="The third version, fixed."))
    page.wait_for_function("() => document.body.innerText.includes('The third version, fixed.')", timeout=20_000)
    assert page.query_selector("#__digest_overlay") is None
    assert b"__digest" not in (root / "output/2022/08/15/a/index.html").read_bytes()
