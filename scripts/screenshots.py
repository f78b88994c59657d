"""Screenshots of the default theme: the front page, an edition, an article and a topic page,
light and dark, at phone and desktop widths, and an edition's e-mail at 600 px and on a phone;
an article's coverage line opened on a phone, a story's timeline and a feed as a browser shows
it; taken in headless Chromium (Debian's).

    python scripts/screenshots.py [--out docs/screenshots] [--full-page]

Builds the project's own site (digest.toml, content/) into a temporary folder first, so the
pictures never depend on what output/ holds.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from digest.build import build

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SIZES = {"phone": (375, 812), "desktop": (1280, 900)}
SCHEMES = ("light", "dark")
EMAIL_SIZES = {"600": (600, 900), "phone": (375, 812)}  # the e-mail's own width, and a phone's


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def pages(output: Path) -> dict[str, str]:
    days = sorted(p.parent.relative_to(output).as_posix() for p in output.glob("[0-9]*/*/*/index.html"))
    articles = sorted(p.parent.relative_to(output).as_posix() for p in output.glob("[0-9]*/*/*/*/index.html"))
    # The article with the most to show: key points and other coverage of its story.
    best = max(articles, key=lambda a: (lambda t: ("Key points" in t) * 2 + ("Coverage of this story" in t))(
        (output / a / "index.html").read_text(encoding="utf-8")))
    return {"front": "", "edition": days[-2] + "/", "article": best + "/", "topic": "topics/world/"}


def story_views(output: Path) -> dict[str, str]:
    """The article whose other coverage is shown (its coverage line, opened, on a phone) and the
    newest article of a story told over several days (its timeline)."""
    articles = sorted(p.parent.relative_to(output).as_posix() for p in output.glob("[0-9]*/*/*/*/index.html"))
    texts = {a: (output / a / "index.html").read_text(encoding="utf-8") for a in articles}
    covered = [a for a in articles if 'class="coverage-line"' in texts[a]]
    told = [a for a in articles if 'class="timeline"' in texts[a]]
    views = {}
    if covered:
        views["coverage"] = max(covered, key=lambda a: ("Key points" in texts[a], a)) + "/"
    if told:
        views["timeline"] = told[-1] + "/"
    return views


def shoot_story_views(browser: Any, base: str, output: Path, out: Path) -> None:
    """coverage-<scheme>-phone.png: the coverage line opened under the byline; timeline-<scheme>-
    <size>.png: a story's timeline in view; feed-<scheme>-desktop.png: feed.xml in a browser."""
    views = story_views(output)
    for scheme in SCHEMES:
        for size, (width, height) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
            page = context.new_page()
            shots = []
            if "coverage" in views and size == "phone":
                page.goto(base + views["coverage"])
                page.click("details.coverage-line summary")
                shots.append(f"coverage-{scheme}-{size}.png")
                page.screenshot(path=str(out / shots[-1]))
            if "timeline" in views:
                page.goto(base + views["timeline"])
                page.evaluate("document.querySelector('section.timeline').scrollIntoView({block: 'center'})")
                shots.append(f"timeline-{scheme}-{size}.png")
                page.screenshot(path=str(out / shots[-1]))
            if size == "desktop":
                page.goto(base + "feed.xml")
                # Chromium 156 puts its own notice that it will drop XSLT over the page; other browsers do not.
                page.evaluate("document.querySelectorAll('xslt-warning-banner').forEach(e => e.remove())")
                shots.append(f"feed-{scheme}-{size}.png")
                page.screenshot(path=str(out / shots[-1]))
            for name in shots:
                print((out / name).relative_to(REPO) if (out / name).is_relative_to(REPO) else out / name)
            context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--full-page", action="store_true", help="the whole page, not the first screen")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp:
        site = Path(temp) / "site"
        site.mkdir()
        shutil.copy(REPO / "digest.toml", site / "digest.toml")
        shutil.copytree(REPO / "content", site / "content")
        shutil.copytree(REPO / "themes", site / "themes", symlinks=True)
        build(site)
        output = site / "output"
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(output)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
                for size, (width, height) in SIZES.items():
                    for scheme in SCHEMES:
                        context = browser.new_context(viewport={"width": width, "height": height},
                                                      color_scheme=scheme)  # type: ignore[arg-type]
                        page = context.new_page()
                        for name, url in pages(output).items():
                            page.goto(base + url)
                            target = args.out / f"{name}-{scheme}-{size}.png"
                            page.screenshot(path=str(target), full_page=args.full_page)
                            print(target.relative_to(REPO) if target.is_relative_to(REPO) else target)
                        context.close()
                        # The e-mail of the same edition (email.html, as a mail client shows the HTML part).
                        email_width, email_height = EMAIL_SIZES["600" if size == "desktop" else "phone"]
                        context = browser.new_context(viewport={"width": email_width, "height": email_height},
                                                      color_scheme=scheme)  # type: ignore[arg-type]
                        page = context.new_page()
                        page.goto(base + pages(output)["edition"] + "email.html")
                        target = args.out / f"email-{scheme}-{'600' if size == 'desktop' else 'phone'}.png"
                        page.screenshot(path=str(target), full_page=args.full_page)
                        print(target.relative_to(REPO) if target.is_relative_to(REPO) else target)
                        context.close()
                shoot_story_views(browser, base, output, args.out)
                browser.close()
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
