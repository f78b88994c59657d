"""The reader's side of search: how long the search page takes to show results in a real browser.

Serves a built site on 127.0.0.1, opens /search/ in headless Chromium (Debian's, via Playwright)
and times each query to the results on screen, two ways: pasted (a real paste, Ctrl+V from the
clipboard) and Enter pressed right after (the page starts loading Pagefind and every segment's
index when it opens; the first query waits for what is not there yet, later ones load only the
index chunks of new words), and typed key by key and then Enter, in a fresh browser context (the
page fetches the chunks of the words as they are typed). Also counts the requests and bytes of each
query, of the page until it is ready, and of a page opened with ?q= from nothing, and times that.

Times: `ms`, in this script, from before Playwright pastes (or opens the page) until it has seen
the results, which includes Playwright's own round trips to the browser (tens of ms, up to a
hundred on a busy machine; the figures before 5 December 2026 were these, with the box filled by
Playwright's `fill` about 100 ms before Enter); `page_ms`, in the page: from the Enter key's
keydown as the browser received it (the event's timeStamp: a page busy when the key comes makes the
reader wait too) to the moment the status line says how many articles match (the list is filled
just before), or, for a page opened, from the navigation's start; `from_paste_ms`: the same end,
from the paste's input event, as if Enter came with the paste. `slowest_key_ms` (typed): the
longest a key took to reach the screen (Event Timing; only keys of 16 ms or more are reported).

    .venv/bin/python bench/search_query.py OUTPUT_FOLDER [--keep-alive] [query ...]

--keep-alive serves HTTP/1.1 with persistent connections (the default, Python's http.server as it
comes, opens a connection per request; on 5 December 2026 keep-alive measured no faster here).
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
SHOWN = "/match/.test(document.getElementById('search-status').textContent)"

# Before each query: note when Enter goes down, and when the status line first says what matches.
ARM = """() => {
  const status = document.getElementById('search-status');
  status.textContent = '';
  const times = window.__query = {};
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && times.enter === undefined) { times.enter = event.timeStamp; }
  }, {capture: true});
  document.getElementById('search-q').addEventListener('input', (event) => {
    times.input = event.timeStamp;
  }, {capture: true});
  new MutationObserver((_, observer) => {
    if (/match/.test(status.textContent)) { times.shown = performance.now(); observer.disconnect(); }
  }).observe(status, {childList: true, characterData: true, subtree: true});
}"""

COPY = """(query) => {
  const box = document.createElement('textarea');
  box.id = 'bench-clipboard';
  box.value = query;
  document.body.append(box);
  box.select();
}"""

# In a page from its start: when the form says it is ready, and when results are first shown.
WATCH_PAGE = """
window.__page = {};
window.__keys = [];  // how long each key took to show on screen (Event Timing: from the key to the next paint)
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.name === 'keydown') { window.__keys.push(entry.duration); }
  }
}).observe({type: 'event', durationThreshold: 16, buffered: true});
new MutationObserver((_, observer) => {
  const form = document.getElementById('search-form');
  const status = document.getElementById('search-status');
  if (form && form.hasAttribute('data-ready') && window.__page.ready === undefined) {
    window.__page.ready = performance.now();
  }
  if (status && /match/.test(status.textContent) && window.__page.shown === undefined) {
    window.__page.shown = performance.now();
  }
}).observe(document, {childList: true, subtree: true, characterData: true, attributes: true});
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


class _KeepAlive(_Quiet):
    protocol_version = "HTTP/1.1"  # SimpleHTTPRequestHandler sends Content-Length: connections are reused


class _Requests:
    """Requests finished since the last `clear` (the page's and its worker's), and their bytes."""

    def __init__(self, page: Any) -> None:
        self.sizes: list[int] = []
        page.on("requestfinished", lambda request: self.sizes.append(request.sizes()["responseBodySize"]))

    def clear(self) -> None:
        self.sizes.clear()

    def counted(self) -> dict[str, int]:
        return {"requests": len(self.sizes), "kb": round(sum(self.sizes) / 1024)}


def _query(page: Any, query: str, typed: bool) -> dict[str, Any]:
    if typed:
        page.fill("#search-q", "")
        page.wait_for_timeout(400)  # the cleared box's own (debounced) update passes
        page.type("#search-q", query, delay=KEY_DELAY_MS)
    else:  # the query copied to the clipboard, from a box of the bench's own, and the search box's text selected
        page.evaluate(COPY, query)
        page.keyboard.press("ControlOrMeta+C")
        page.evaluate("document.getElementById('bench-clipboard').remove()")
        page.focus("#search-q")
        page.keyboard.press("ControlOrMeta+A")
    page.evaluate(ARM)
    started = time.perf_counter()
    if not typed:
        page.keyboard.press("ControlOrMeta+V")  # a real paste (its input event says insertFromPaste)
    page.press("#search-q", "Enter")
    page.wait_for_function(SHOWN, timeout=60_000)
    seconds = time.perf_counter() - started
    page.wait_for_function("window.__query.shown !== undefined", timeout=10_000)
    times = page.evaluate("window.__query")
    return {"query": query, "ms": round(seconds * 1000), "page_ms": round(times["shown"] - times["enter"]),
            # pasted: from the paste (the box's input event) too, as if Enter came at once
            **({"from_paste_ms": round(times["shown"] - times["input"])} if "input" in times else {}),
            "shown": page.eval_on_selector_all("#search-results li", "items => items.length")}


def _open(browser: Any, address: str, until: str) -> tuple[dict[str, Any], Any, Any]:
    """A fresh browser context (nothing cached) opening `address`, until `until` holds."""
    context = browser.new_context()
    context.add_init_script(WATCH_PAGE)
    page = context.new_page()
    requests = _Requests(page)
    started = time.perf_counter()
    page.goto(address)
    page.wait_for_function(until, timeout=60_000)
    seconds = time.perf_counter() - started
    times = page.evaluate("window.__page")
    return {"ms": round(seconds * 1000), "page": times, **requests.counted()}, context, (page, requests)


def measure(output: Path, queries: list[str], keep_alive: bool = False) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_KeepAlive if keep_alive else _Quiet, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    segments = len(json.loads((output / "pagefind" / "segments.json").read_text())["segments"])
    results: list[dict[str, Any]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            ready, context, (page, requests) = _open(browser, base + "search/",
                                                     "document.getElementById('search-form').hasAttribute('data-ready')")
            for query in queries:
                requests.clear()
                results.append({**_query(page, query, typed=False), **requests.counted()})
            context.close()
            typed = typed_queries(browser, base, queries)
            # A reader arriving with ?q= (a link, a bookmark): everything loads first
            opened, context, _ = _open(browser, base + "search/?q=" + queries[0], SHOWN)
            context.close()
            browser.close()
    finally:
        server.shutdown()

    def later(rows: list[dict[str, Any]], key: str) -> float | None:
        return statistics.median(r[key] for r in rows[1:]) if len(rows) > 1 else None

    return {"segments": segments, "server": "HTTP/1.1 keep-alive" if keep_alive else "HTTP/1.0",
            "queries": results, "ready_ms": ready["ms"], "ready_page_ms": round(ready["page"]["ready"]),
            "ready_requests": ready["requests"], "ready_kb": ready["kb"],
            "first_ms": results[0]["ms"], "first_page_ms": results[0]["page_ms"],
            "later_median_ms": later(results, "ms"), "later_median_page_ms": later(results, "page_ms"),
            "opened_with_query_ms": opened["ms"], "opened_with_query_page_ms": round(opened["page"]["shown"]),
            "opened_with_query_requests": opened["requests"], "opened_with_query_kb": opened["kb"],
            "typed": typed, "typed_first_ms": typed[0]["ms"], "typed_first_page_ms": typed[0]["page_ms"],
            "typed_later_median_ms": later(typed, "ms"), "typed_later_median_page_ms": later(typed, "page_ms"),
            "typed_slowest_key_ms": max(r["slowest_key_ms"] for r in typed),
            "typed_slow_keys": sum(r["slow_keys"] for r in typed)}


KEY_DELAY_MS = 120  # between keystrokes: a quick typist (an average one takes 200-300 ms)


def typed_queries(browser: Any, base: str, queries: list[str]) -> list[dict[str, Any]]:
    """Each query typed key by key, then Enter; timed from Enter to the results on screen. In a
    browser context of its own (an empty HTTP cache): what a reader who types meets, the page
    fetching index chunks as the words come (the pasted measure above fills the box and presses
    Enter at once: nothing can be fetched ahead but what the box's input event asks for).
    `requests` and `kb`: from the first key to the results."""
    _, context, (page, requests) = _open(browser, base + "search/",
                                         "document.getElementById('search-form').hasAttribute('data-ready')")
    out: list[dict[str, Any]] = []
    for query in queries:
        requests.clear()
        page.evaluate("window.__keys = []")
        row = {**_query(page, query, typed=True), **requests.counted()}
        page.wait_for_timeout(100)  # the Enter key's own entry
        keys = page.evaluate("window.__keys")  # the keys that took 16 ms or more
        out.append({**row, "slow_keys": len(keys), "slowest_key_ms": round(max(keys, default=0))})
    context.close()
    return out


def main() -> int:
    args = sys.argv[1:]
    keep_alive = "--keep-alive" in args
    args = [a for a in args if a != "--keep-alive"]
    if not args:
        raise SystemExit(__doc__)
    data = measure(Path(args[0]), args[1:] or DEFAULT_QUERIES, keep_alive)
    print(json.dumps(data, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
