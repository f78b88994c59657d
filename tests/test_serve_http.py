"""serve/server.py over real sockets: safe paths, content types, 404 page, HEAD, concurrency,
clients that go away, live-reload script injection and the event stream."""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from digest.errors import ContentError
from digest.serve.reload import EVENTS_PATH, ReloadHub
from digest.serve.server import SiteServer, resolve

SECRET = "TOP-SECRET-OUTSIDE-OUTPUT"
PAGE_404 = b"<!doctype html><html><body><h1>The theme's own 404</h1></body></html>"


@pytest.fixture
def output(tmp_path: Path) -> Path:
    out = tmp_path / "site" / "output"
    (out / "topics" / "world").mkdir(parents=True)
    (out / "static").mkdir()
    (out / "index.html").write_bytes(b"<!doctype html><html><body><p>Front page</p></body></html>")
    (out / "404.html").write_bytes(PAGE_404)
    (out / "topics/world/index.html").write_bytes(b"<html><body>World</BODY></html>")
    (out / "static/style.css").write_bytes(b"body { color: black }")
    (out / "feed.xml").write_bytes(b"<?xml version='1.0'?><rss></rss>")
    (out / "feed.json").write_bytes(b'{"version": "https://jsonfeed.org/version/1.1"}')
    (out / "big.txt").write_bytes(b"x" * 8_000_000)
    (tmp_path / "secret.txt").write_text(SECRET)
    (tmp_path / "site" / "secret.txt").write_text(SECRET)
    os.symlink(tmp_path / "secret.txt", out / "leak.txt")
    os.symlink(tmp_path, out / "outside")
    return out


def start(output: Path, hub: ReloadHub | None = None) -> SiteServer:
    server = SiteServer(("127.0.0.1", 0), lambda: output, hub)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


@pytest.fixture
def server(output: Path) -> Iterator[SiteServer]:
    srv = start(output)
    yield srv
    srv.stop()


@pytest.fixture
def live(output: Path) -> Iterator[SiteServer]:
    srv = start(output, ReloadHub())
    yield srv
    srv.stop()


def raw_get(server: SiteServer, target: str, method: str = "GET") -> tuple[int, bytes]:
    """Send the request target exactly as given (no client-side normalisation)."""
    host, port = server.server_address[:2]
    with socket.create_connection((str(host), port), timeout=5) as sock:
        sock.sendall(f"{method} {target} HTTP/1.0\r\nHost: x\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def get(server: SiteServer, path: str, method: str = "GET") -> http.client.HTTPResponse:
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(str(host), port, timeout=5)
    conn.request(method, path)
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


TRAVERSALS = [
    "/../secret.txt", "/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/secret.txt",
    "/%252e%252e/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt", "/static/../../secret.txt",
    "/..\\secret.txt", "/%5c..%5csecret.txt", "/static\\..\\..\\secret.txt", "//etc/passwd", "/etc/passwd",
    str(Path("/etc/passwd")), "/%2fetc%2fpasswd", "http://127.0.0.1/../secret.txt", "/leak.txt",
    "/outside/secret.txt", "/outside/site/secret.txt", "/%00../secret.txt", "/%c0%ae%c0%ae/secret.txt",
    "/.%2e/secret.txt", "/index.html/../../secret.txt",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_paths_outside_the_output_folder_are_refused(server: SiteServer, target: str) -> None:
    status, body = raw_get(server, target)
    assert status in (403, 404), target
    assert SECRET.encode() not in body
    assert b"root:" not in body


def test_resolve_refuses_symlinks_out_and_dotdot(output: Path) -> None:
    from digest.serve.server import Refused

    assert resolve(output, "/") == (output / "index.html").resolve()
    assert resolve(output, "/topics/world/") == (output / "topics/world/index.html").resolve()
    assert resolve(output, "/nothing-here") is None
    for target in ("/leak.txt", "/outside/secret.txt", "/../x", "/a\\b"):
        with pytest.raises(Refused):
            resolve(output, target)


def test_content_types(server: SiteServer) -> None:
    expected = {"/": "text/html", "/static/style.css": "text/css", "/feed.xml": "application/xml",
                "/feed.json": "application/json", "/big.txt": "text/plain"}
    for path, kind in expected.items():
        response = get(server, path)
        assert response.status == 200, path
        assert response.getheader("Content-Type", "").split(";")[0] == kind, path
        assert response.getheader("X-Content-Type-Options") == "nosniff"


def test_missing_path_gets_the_theme_404_page(server: SiteServer) -> None:
    response = get(server, "/no/such/page/")
    assert response.status == 404
    assert response.body == PAGE_404  # type: ignore[attr-defined]
    assert response.getheader("Content-Type", "").startswith("text/html")


def test_folder_without_slash_redirects(server: SiteServer) -> None:
    response = get(server, "/topics/world?x=1")
    assert response.status == 301
    assert response.getheader("Location") == "/topics/world/?x=1"


def test_the_root_of_a_sub_path_site_redirects_for_now_not_for_ever(output: Path) -> None:
    """/ -> /news/ (base_url https://example.org/news/): a 301 stays in the browser's cache, and the
    base path may change (digest.toml, or another site served on the same port next): Chromium then
    took / to the old path's 404 page. A temporary redirect, never stored; /news -> /news/ too."""
    srv = SiteServer(("127.0.0.1", 0), lambda: output, None, "/news/")
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        for path in ("/", "/news"):
            response = get(srv, path)
            assert (response.status, response.getheader("Location")) == (302, "/news/")
            assert response.getheader("Cache-Control") == "no-store"
        assert get(srv, "/news/topics/world").status == 301  # a folder's slash: as static hosts do
    finally:
        srv.stop()


def test_head_has_headers_and_no_body(server: SiteServer) -> None:
    full = get(server, "/static/style.css")
    head = get(server, "/static/style.css", "HEAD")
    assert head.status == 200
    assert head.body == b""  # type: ignore[attr-defined]
    assert head.getheader("Content-Length") == full.getheader("Content-Length") == str(len(full.body))  # type: ignore[attr-defined]
    assert get(server, "/missing", "HEAD").status == 404


def test_concurrent_requests(server: SiteServer) -> None:
    paths = ["/", "/static/style.css", "/feed.xml", "/topics/world/", "/missing"] * 40
    with ThreadPoolExecutor(32) as pool:
        statuses = list(pool.map(lambda p: get(server, p).status, paths))
    assert statuses == [404 if p == "/missing" else 200 for p in paths]


def test_client_that_disconnects_mid_response_does_not_hurt_the_server(
        server: SiteServer, capfd: pytest.CaptureFixture[str]) -> None:
    host, port = server.server_address[:2]
    for _ in range(5):
        sock = socket.create_connection((str(host), port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST on close
        sock.sendall(b"GET /big.txt HTTP/1.0\r\n\r\n")
        sock.recv(1000)
        sock.close()
    assert get(server, "/").status == 200
    assert "Traceback" not in capfd.readouterr().err


def test_plain_server_adds_no_script(server: SiteServer) -> None:
    assert b"<script" not in get(server, "/").body  # type: ignore[attr-defined]


def test_live_server_injects_script_into_html_only_and_never_on_disk(live: SiteServer, output: Path) -> None:
    page = get(live, "/").body  # type: ignore[attr-defined]
    assert b"__digest__/events" in page
    assert page.index(b"__digest_reload") < page.rindex(b"</body>")
    assert page.startswith(b"<!doctype html><html><body><p>Front page</p>")
    upper = get(live, "/topics/world/").body  # type: ignore[attr-defined]
    assert upper.index(b"__digest_reload") < upper.index(b"</BODY>")
    not_found = get(live, "/missing").body  # type: ignore[attr-defined]
    assert b"__digest_reload" in not_found  # the overlay shows on the 404 page too
    for path in ("/static/style.css", "/feed.xml", "/feed.json"):
        assert b"__digest" not in get(live, path).body, path  # type: ignore[attr-defined]
    assert all(b"__digest" not in p.read_bytes() for p in output.rglob("*") if p.is_file())


def read_events(live: SiteServer, query: str, count: int) -> list[tuple[str, str]]:
    host, port = live.server_address[:2]
    conn = http.client.HTTPConnection(str(host), port, timeout=5)
    conn.request("GET", EVENTS_PATH + query)
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/event-stream"
    events: list[tuple[str, str]] = []
    name = ""
    while len(events) < count:
        line = response.fp.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            events.append((name, line[6:]))
    conn.close()
    return events


def test_events_reload_after_good_build_and_error_after_failed_one(live: SiteServer) -> None:
    # One event at a time: two builds in a row may be told as the newest state only.
    hub = live.hub
    assert hub is not None
    hub.failed(ContentError("bad front matter", "content/a.md", 3, "close the --- block"))
    name, data = read_events(live, "?since=0", 1)[0]
    assert name == "error"
    payload = json.loads(data)
    assert (payload["message"], payload["file"], payload["line"], payload["hint"]) == (
        "bad front matter", "content/a.md", 3, "close the --- block")
    hub.built()
    assert read_events(live, "?since=0", 1)[0][0] == "reload"  # a page served before this build
    assert hub.error is None


def test_page_that_missed_a_build_reloads_on_connect_and_sees_current_error(live: SiteServer) -> None:
    hub = live.hub
    assert hub is not None
    hub.built()
    assert read_events(live, "?since=0", 1)[0][0] == "reload"  # served before build 1 finished
    hub.failed(ContentError("broken", "content/b.md", 7))
    name, data = read_events(live, "?since=1", 1)[0]
    assert name == "error" and json.loads(data)["line"] == 7
