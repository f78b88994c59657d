"""The reader's side of search: how long the search page takes to show results in a real browser.

Serves a built site on 127.0.0.1, opens /search/ in headless Chromium (Debian's, via Playwright)
and times each query to the results on screen, two ways: pasted and Enter pressed at once (the
page starts loading Pagefind and every segment's index when it opens; the first query waits for
what is not there yet, later ones load only the index chunks of new words), and typed key by key
and then Enter, in a fresh browser context (the page fetches the chunks of the words as they are
typed). Also counts the requests and bytes each pasted query needed, and times a page opened with
?q= from nothing.

    .venv/bin/python bench/search_query.py OUTPUT_FOLDER [query ...]
"""

from __future__ import annotations

import functools
import http.server
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

DEFAULT_QUERIES = ["budget", "harbor tax", "telescope", "protest minister", "vaccine", "museum"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


def measure(output: Path, queries: list[str]) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    segments = len(json.loads((output / "pagefind" / "segments.json").read_text())["segments"])
    results: list[dict[str, Any]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            requests: list[int] = []
            page.on("requestfinished", lambda request: requests.append(request.sizes()["responseBodySize"]))
            started = time.perf_counter()
            page.goto(base + "search/")
            page.wait_for_selector("#search-form[data-ready]", state="attached", timeout=60_000)
            ready_ms = round((time.perf_counter() - started) * 1000)  # Pagefind and every segment loaded
            for query in queries:
                requests.clear()
                page.evaluate("document.getElementById('search-status').textContent = ''")
                started = time.perf_counter()
                page.fill("#search-q", query)
                page.press("#search-q", "Enter")
                page.wait_for_function(
                    "/match/.test(document.getElementById('search-status').textContent)", timeout=60_000)
                seconds = time.perf_counter() - started
                shown = page.eval_on_selector_all("#search-results li", "items => items.length")
                results.append({"query": query, "ms": round(seconds * 1000), "requests": len(requests),
                                "kb": round(sum(requests) / 1024), "shown": shown})
            typed = typed_queries(browser, base, queries)
            cold = browser.new_page()  # a reader arriving with ?q= (a link, a bookmark): everything loads first
            started = time.perf_counter()
            cold.goto(base + "search/?q=" + queries[0])
            cold.wait_for_function("/match/.test(document.getElementById('search-status').textContent)",
                                   timeout=60_000)
            opened_ms = round((time.perf_counter() - started) * 1000)
            browser.close()
    finally:
        server.shutdown()
    later = [r["ms"] for r in results[1:]]
    typed_later = [r["ms"] for r in typed[1:]]
    return {"segments": segments, "queries": results, "ready_ms": ready_ms,
            "first_ms": results[0]["ms"], "opened_with_query_ms": opened_ms,
            "later_median_ms": statistics.median(later) if later else None,
            "typed": typed, "typed_first_ms": typed[0]["ms"],
            "typed_later_median_ms": statistics.median(typed_later) if typed_later else None}


KEY_DELAY_MS = 120  # between keystrokes: a quick typist (an average one takes 200-300 ms)


def typed_queries(browser: Any, base: str, queries: list[str]) -> list[dict[str, Any]]:
    """Each query typed key by key, then Enter; timed from Enter to the results on screen. In a
    browser context of its own (an empty HTTP cache): what a reader who types meets, the page
    fetching index chunks as the words come (the `entered` measure above pastes the query and
    presses Enter at once: nothing can be fetched ahead)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "search/")
    page.wait_for_selector("#search-form[data-ready]", state="attached", timeout=60_000)
    out: list[dict[str, Any]] = []
    for query in queries:
        page.fill("#search-q", "")
        page.wait_for_timeout(400)  # the cleared box's own (debounced) update passes
        page.type("#search-q", query, delay=KEY_DELAY_MS)
        page.evaluate("document.getElementById('search-status').textContent = ''")
        started = time.perf_counter()
        page.press("#search-q", "Enter")
        page.wait_for_function("/match/.test(document.getElementById('search-status').textContent)",
                               timeout=60_000)
        out.append({"query": query, "ms": round((time.perf_counter() - started) * 1000)})
    context.close()
    return out


def main() -> int:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    output = Path(sys.argv[1])
    data = measure(output, sys.argv[2:] or DEFAULT_QUERIES)
    print(json.dumps(data, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
