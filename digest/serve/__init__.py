"""serve: watch files -> what changed -> build (only what is affected) -> tell the browser.

server.py  HTTP: safe file resolution against the live output/, content types, 404 page
watch.py   watchdog: records (path, kind) of each change; hands over settled batches
loop.py    the rebuild loop: ingest new seeds, build, report
reload.py  server-sent events and the injected live-reload / error-overlay script
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from digest.build import BuildOptions
from digest.errors import DigestError
from digest.serve.loop import Rebuild, Rebuilder, RebuildLoop, make_rebuilder
from digest.serve.reload import ReloadHub
from digest.serve.server import SiteServer, normal_base_path
from digest.serve.watch import Change, Watcher

__all__ = ["Change", "DevServer", "Rebuild", "is_loopback"]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class DevServer:
    """The site on http://host:port/; with watch, rebuilt and reloaded on every save.

    start() serves in a thread and watches; run() builds, then rebuilds on changes (blocks); close() stops.
    """

    def __init__(self, site_root: Path, options: BuildOptions | None = None, host: str = "127.0.0.1",
                 port: int = 8000, watch: bool = True, rebuild: Rebuilder | None = None,
                 base_path: str | None = None) -> None:
        """`base_path`: where the site is served (default: its base URL's path, followed when
        digest.toml changes)."""
        self.site_root = site_root.resolve()
        self.watch = watch
        self.options = options or BuildOptions()
        self.hub = ReloadHub() if watch else None
        self.watcher = Watcher(self.site_root) if watch else None
        self.loop = (RebuildLoop(self.site_root, self.watcher, self.hub,
                                 rebuild or make_rebuilder(self.site_root, self.options),
                                 self._follow_base_path if base_path is None else None)
                     if self.watcher is not None and self.hub is not None else None)
        if base_path is None:
            base_path = site_base_path(self.site_root, self.options)
        self._output = self.loop.output_path if self.loop else _static_output(self.site_root)
        try:
            self.httpd = SiteServer((host, port), self.output_path, self.hub, base_path)
        except OSError as exc:
            raise DigestError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                              hint="choose another port with --port, or stop the program using it") from exc
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="digest-serve", daemon=True)
        self._stopped = threading.Event()

    def _follow_base_path(self) -> None:
        """A new base_url in digest.toml: serve the site under its path, as a fresh start would."""
        self.httpd.base_path = normal_base_path(site_base_path(self.site_root, self.options))

    def output_path(self) -> Path:
        return self.loop.output_path if self.loop else self._output

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        where = f"[{name}]" if ":" in name else name
        return f"http://{where}:{port}{self.httpd.base_path}"

    def start(self) -> None:
        self._thread.start()
        if self.watcher is not None:
            self.watcher.start()

    def run(self, on_rebuild: Callable[[Rebuild], None]) -> None:
        """With watch: build, then rebuild on every settled batch of changes until close().
        Without: just wait until close()."""
        if self.loop is not None:
            self.loop.run(on_rebuild)
        else:
            while not self._stopped.wait(0.5):
                pass

    def close(self) -> None:
        self._stopped.set()
        if self.loop is not None:
            self.loop.running = False
        if self.watcher is not None:
            self.watcher.stop()
        self.httpd.stop(serving=self._thread.is_alive())


def site_base_path(site_root: Path, options: BuildOptions) -> str:
    """The path the site is served under: its base URL's (https://example.org/news/ -> /news/), as
    it will be published; "/" while digest.toml is broken (--watch serves and shows the error)."""
    from digest.build import apply_options
    from digest.config import load_config

    try:
        return urlsplit(apply_options(load_config(site_root, required=False), options).base_url).path
    except DigestError:
        return "/"


def _static_output(site_root: Path) -> Path:
    from digest.config import load_config

    output = load_config(site_root, required=False).output_path
    if not output.is_dir():
        raise DigestError(f"there is no built site in {output}",
                          hint="run `digest build` first, or `digest serve --watch` to build and rebuild")
    return output
