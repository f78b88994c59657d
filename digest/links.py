"""Links from an entry's Markdown to the site's own pages, found in the source (file and line) and
checked against what the build writes: `build` warns about broken ones, `check` fails on them.

Links are resolved as the renderer resolves them: against the article's own absolute address
(permalinks.entry_html), so a relative link, a link from the site's root path and an absolute one under
base_url are all the site's own; anything else (another host, a root path outside a sub-path site)
is not checked.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from digest.config import Config
from digest.errors import ContentWarning
from digest.model import Entry
from digest.permalinks import entry_url

# [text](url "title"), ![alt](url), [text]: url (a reference definition), <https://...> (an autolink)
_INLINE = re.compile(r"\]\(\s*<?([^)\s>]+)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)", re.M)
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_CODE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1[ \t]*$|`[^`\n]+`", re.M | re.S)


def internal_links(text: str, body_start: int, page_url: str, base_url: str) -> list[tuple[str, int, str]]:
    """(output path the link names, line in the file, the link as written) for each link of the
    body (text[body_start:]) to the site's own pages; code spans and blocks are skipped."""
    body = text[body_start:]
    if "](" not in body and "]:" not in body and "<http" not in body:
        return []  # most entries: no link at all
    if "`" in body or "~~~" in body:
        body = _CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), body)
    base = urlsplit(base_url)
    origin = f"{base.scheme}://{base.netloc}"
    base_path = unquote(base.path)
    found = []
    patterns = [pattern for pattern, mark in ((_INLINE, "]("), (_REFERENCE, "]:"), (_AUTOLINK, "<http"))
                if mark in body]  # a scan of the whole body each: only where its mark is
    for pattern in patterns:
        for match in pattern.finditer(body):
            link = match.group(1)
            if _SCHEME.match(link) and not link.lower().startswith(origin.lower()):
                continue  # another site, mailto:, ...: not ours (cheaper than resolving it)
            try:
                target = urlsplit(urljoin(page_url, link.replace("&amp;", "&")))
            except ValueError:
                continue  # not a URL the renderer keeps either
            path = unquote(target.path)  # as written (/été/) or as the base URL is (/%C3%A9t%C3%A9/)
            if (target.scheme, target.netloc) != (base.scheme, base.netloc):
                continue
            if path.startswith(base_path):
                rel = path[len(base_path):]
            elif base_path != "/" and link.startswith("/") and not link.startswith("//"):
                rel = path  # from the host's root, outside the site's path: '/...' (broken_links says why)
            else:
                continue
            if rel == "" or rel.endswith("/"):
                rel += "index.html"
            line = text.count("\n", 0, body_start + match.start(1)) + 1
            found.append((rel, line, link))
    return sorted(found, key=lambda item: item[1])


def exists(rel: str, targets: Collection[str]) -> bool:
    """A link to a folder without its slash (/2022/08/15/story) is fine: servers redirect it."""
    return rel in targets or f"{rel}/index.html" in targets


def broken_links(entries: Iterable[Entry], targets: Collection[str],
                 config: Config) -> list[tuple[str, ContentWarning]]:
    """(output path linked to, a warning naming the entry file and line) for each link to a page
    the site does not have."""
    problems = []
    for entry in entries:
        try:
            text = (config.site_root / entry.path).read_text("utf-8-sig", "replace")
        except OSError:
            continue  # removed since it was parsed: the next build reads it again
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        start = _body_start(text)
        page_url = urljoin(config.base_url, entry_url(entry, config))
        for rel, line, link in internal_links(text, start, page_url, config.base_url):
            if rel.startswith("/"):
                # A link from the host's root where the site lives under a path (a project site on
                # GitHub Pages): broken on the host when it names one of the site's pages there.
                if exists(rel[1:], targets):
                    at = urlsplit(config.base_url).path + rel[1:].removesuffix("index.html")
                    problems.append((rel[1:], ContentWarning(
                        f"broken internal link {link!r}: the site lives under {urlsplit(config.base_url).path}, "
                        f"so this address is outside it", Path(entry.path), line,
                        f"link to {unquote(at)} (or relatively)")))
                continue
            if not exists(rel, targets):
                problems.append((rel, ContentWarning(
                    f"broken internal link {link!r}: the site has no page at /{rel.removesuffix('index.html')}",
                    Path(entry.path), line, "correct the address, or link to the page where it is now")))
    return problems


def _body_start(text: str) -> int:
    """Where the body begins: after the front matter's closing '---' line."""
    match = re.match(r"---[^\n]*\n.*?^(?:---|\.\.\.)[ \t]*$\n?", text, re.M | re.S)
    return match.end() if match else 0
