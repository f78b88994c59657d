"""HTTP: the live output folder, safely, with the live-reload script added to HTML pages.

Every request resolves its path afresh against the output folder (a build swaps output/ for a
new tree, so no directory handle is kept). A path that leaves the folder, by `..`, encoded
dots, backslashes or a symlink pointing outside, is refused with 403; a missing one gets 404
with the theme's output/404.html.
"""

from __future__ import annotations

import json
import mimetypes
import os
import queue
import socket
import sys
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from digest.serve.reload import EVENTS_PATH, ReloadHub, inject, sse

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".webmanifest": "application/manifest+json",
}
HEARTBEAT_SECONDS = 15.0
NOT_FOUND_PAGE = (b"<!doctype html><html lang=en><meta charset=utf-8><title>Not found</title>"
                  b"<body><h1>Not found</h1><p>There is no page at this address.</p></body></html>")


class Refused(Exception):
    """The path tries to leave the output folder."""


def resolve(root: Path, target: str) -> Path | None:
    """The file under root that a request target names; None when there is none.

    Raises Refused for anything that would leave root. A folder yields its index.html.
    """
    raw = urlsplit(target).path if target.startswith(("http://", "https://")) else target.split("?", 1)[0]
    path = unquote(raw.split("#", 1)[0], errors="strict")
    if "\\" in path or "\x00" in path or not path.startswith("/"):
        raise Refused(target)
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise Refused(target)
    base = os.path.realpath(root)
    candidate = os.path.realpath(os.path.join(base, *parts))
    if candidate != base and not candidate.startswith(base + os.sep):
        raise Refused(target)  # a symlink inside output/ that points outside it
    if os.path.isdir(candidate):
        index = os.path.realpath(os.path.join(candidate, "index.html"))
        if not index.startswith(base + os.sep):
            raise Refused(target)
        return Path(index) if os.path.isfile(index) else None
    return Path(candidate) if os.path.isfile(candidate) else None


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def normal_base_path(path: str) -> str:
    """A base URL's path as the server matches it: "/" or "/news/"."""
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


class SiteServer(ThreadingHTTPServer):
    """Serves output_root() (asked per request); adds live reload to HTML when hub is given."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], output_root: Callable[[], Path],
                 hub: ReloadHub | None = None, base_path: str = "/") -> None:
        self.output_root = output_root
        self.hub = hub
        # The site's own path (base_url https://example.org/news/ -> /news/): served there, as published,
        # so that links from the site's root path (the 404 page's) resolve as they will online.
        self.base_path = normal_base_path(base_path)
        self.stopping = False
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the browser went away mid-response: nothing to do
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    def stop(self, serving: bool = True) -> None:
        """Stop serve_forever (when it runs: shutdown() would wait for it forever) and close."""
        self.stopping = True
        if self.hub is not None:
            self.hub.close()
        if serving:
            self.shutdown()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    server: SiteServer
    server_version = "digest-serve"
    protocol_version = "HTTP/1.0"  # one request per connection: no keep-alive bookkeeping

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # cli.py prints; a request log would drown the rebuild lines

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        if self.server.hub is not None and self.path.split("?", 1)[0] == EVENTS_PATH:
            self._events()
        else:
            self._respond(head=False)

    def _respond(self, head: bool) -> None:
        root = self.server.output_root()
        base, path = self.server.base_path, self.path.split("?", 1)[0]
        target: str | None = self.path
        if base != "/":
            if path in ("/", base[:-1]):
                # The site lives under its base path, for now: digest.toml may move it (a 301 stayed in
                # the browser's cache, and sent the root to the old path's 404 page after the move)
                self._redirect(head, base, permanent=False)
                return
            target = "/" + self.path[len(base):] if path.startswith(base) else None
        try:
            found = resolve(root, target) if target is not None else None
        except (Refused, UnicodeDecodeError):
            self._send(HTTPStatus.FORBIDDEN, b"Forbidden\n", "text/plain; charset=utf-8", head)
            return
        if found is not None and found.name == "index.html" and not path.endswith(("/", "index.html")):
            query = self.path.partition("?")[2]
            self._redirect(head, path + "/" + ("?" + query if query else ""))  # /topics -> /topics/: relative
            return  # links resolve
        status = HTTPStatus.OK
        if found is None:
            status, found = HTTPStatus.NOT_FOUND, root / "404.html"
        try:
            with open(found, "rb") as handle:  # an open file outlives the swap of output/
                data = handle.read()
        except OSError:
            found, data = Path("404.html"), NOT_FOUND_PAGE  # no site built yet, or no 404 page
        kind = content_type(found)
        if kind.startswith("text/html") and self.server.hub is not None:
            data = inject(data, self.server.hub.generation)
        self._send(status, data, kind, head)

    def _redirect(self, head: bool, location: str, permanent: bool = True) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY if permanent else HTTPStatus.FOUND)
        self.send_header("Location", location)
        if not permanent:
            self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, data: bytes, kind: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _events(self) -> None:
        hub = self.server.hub
        assert hub is not None
        query = parse_qs(urlsplit(self.path).query)
        try:
            since = int(query.get("since", ["-1"])[0])
        except ValueError:
            since = -1
        listener = hub.listen()
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b"retry: 500\n\n")
            if hub.error is not None:
                self.wfile.write(sse("error", json.dumps(hub.error)))
            elif 0 <= since < hub.generation:
                self.wfile.write(sse("reload", "{}"))  # a build finished while the page loaded
            self.wfile.flush()
            while not self.server.stopping:
                try:
                    event = listener.get(timeout=HEARTBEAT_SECONDS)
                except queue.Empty:
                    self.wfile.write(b": ping\n\n")  # finds browsers that went away
                    self.wfile.flush()
                    continue
                if event is None:
                    break
                self.wfile.write(sse(*event))
                self.wfile.flush()
        except (ConnectionError, TimeoutError):
            pass
        finally:
            hub.forget(listener)
