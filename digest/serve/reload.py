"""Live reload: the browsers listening on /__digest__/events, and the script that listens.

After a good build every open page reloads; after a failed one it shows the error (file, line,
hint) in an overlay, and keeps it until the next good build reloads the page. The script is
added to HTML responses by the server only: files on disk never hold it.
"""

from __future__ import annotations

import json
import queue
import re
import threading
from pathlib import Path, PurePath
from typing import Any

from digest.errors import BuildFailed, DigestError

EVENTS_PATH = "/__digest__/events"

Event = tuple[str, str] | None  # (event name, JSON data); None: the server is stopping


class ReloadHub:
    """The state of the last build and one queue per listening browser."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: set[queue.Queue[Event]] = set()
        self.generation = 0  # counts good builds; pages carry the one they were served with
        self.error: dict[str, Any] | None = None  # the last build's failure, until a good build

    def listen(self) -> queue.Queue[Event]:
        listener: queue.Queue[Event] = queue.Queue()
        with self._lock:
            self._listeners.add(listener)
        return listener

    def forget(self, listener: queue.Queue[Event]) -> None:
        with self._lock:
            self._listeners.discard(listener)

    def built(self) -> None:
        with self._lock:
            self.generation += 1
            self.error = None
            self._send(("reload", json.dumps({"generation": self.generation})))

    def failed(self, error: DigestError, site_root: Path | None = None) -> None:
        payload = error_payload(error, site_root)
        with self._lock:
            self.error = payload
            self._send(("error", json.dumps(payload)))

    def close(self) -> None:
        with self._lock:
            self._send(None)

    def _send(self, event: Event) -> None:
        for listener in self._listeners:
            listener.put(event)


def error_payload(error: DigestError, site_root: Path | None = None) -> dict[str, Any]:
    """{message, file, line, hint} of the first problem, and every problem under "errors"; a file in
    the site named relative to `site_root`, as the terminal names it (digest.toml, seeds/x.txt)."""
    problems = error.errors if isinstance(error, BuildFailed) else [error]
    items = [{"message": p.message, "file": _shown(p.path, site_root), "line": p.line,
              "hint": p.hint} for p in problems]
    return {**items[0], "errors": items} if items else {"message": error.message, "file": None, "line": None,
                                                         "hint": None, "errors": []}


def _shown(path: PurePath | None, site_root: Path | None) -> str | None:
    if path is None:
        return None
    if site_root is not None and path.is_absolute() and path.is_relative_to(site_root):
        return path.relative_to(site_root).as_posix()
    return str(path)


def sse(name: str, data: str) -> bytes:
    return f"event: {name}\ndata: {data}\n\n".encode()


_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def inject(html: bytes, generation: int) -> bytes:
    """The page with the live-reload script before its last </body> (or at its end)."""
    tag = SCRIPT.replace("__GENERATION__", str(generation)).encode()
    ends = list(_BODY_END.finditer(html))
    if not ends:
        return html + tag
    at = ends[-1].start()
    return html[:at] + tag + html[at:]


SCRIPT = """<script id="__digest_reload">(function () {
  var since = __GENERATION__, box = null;
  function show(e) {
    if (!box) {
      box = document.createElement("div");
      box.id = "__digest_overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
        "background:rgba(20,20,24,.94);color:#f3f3f3;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    var text = "Build failed: the last good site is still served.\\n\\n";
    (e.errors && e.errors.length ? e.errors : [e]).forEach(function (p) {
      var where = p.file ? p.file + (p.line ? ":" + p.line : "") + ": " : "";
      text += where + p.message + (p.hint ? "\\n  hint: " + p.hint : "") + "\\n\\n";
    });
    box.textContent = text;
  }
  function clear() { if (box) { box.remove(); box = null; } }
  var source = new EventSource("__EVENTS__?since=" + since);
  source.addEventListener("reload", function () { clear(); source.close(); location.reload(); });
  source.addEventListener("error", function (m) { if (m.data) { show(JSON.parse(m.data)); } });
  source.addEventListener("ok", clear);
})();</script>
""".replace("__EVENTS__", EVENTS_PATH)
