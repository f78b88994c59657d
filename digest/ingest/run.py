"""The ingest stage: raw inputs -> Markdown entries in out_dir, safely (see save.py).

Order per input: read bytes -> decode and sanitize -> detect kind -> reader -> Article(s)
-> front matter + body -> decide (write / skip / keep) -> write atomically -> record state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import lxml.etree
import yaml

from digest.errors import IngestError, shown_path
from digest.model import Topic
from digest.urls import web_address

from .archive import archive_kind, archived_page
from .article import Article
from .body import words
from .clean import binary_kind, decode, looks_binary, sanitize, slugify
from .detect import detect_kind, xml_root
from .entry import missing_fields, render_entry, with_few_tags, with_readable_date, with_title
from .feed import FeedProblem, read_feed
from .html import read_html
from .inputs import linked_outside
from .save import Record, backup, ingest_lock, load_state, rel_key, save_state, sha256, state_key, write_atomic
from .text import read_text

# Far above any article page (text dumps are ~100 kB, saved pages a few MB).
MAX_INPUT_BYTES = 50_000_000

_MIN_BODY_WORDS = 5

# When one input gives several entries, its result shows the most telling status.
_STATUS_ORDER = ("error", "updated", "written", "kept", "duplicate", "unchanged")


@dataclass(frozen=True)
class IngestResult:
    input: Path
    status: str  # "written" | "updated" | "unchanged" | "kept" | "duplicate" | "error"
    entries: tuple[Path, ...]  # entries written or concerned
    missing: tuple[str, ...]  # required fields the curator must add, e.g. ("date",)
    message: str  # one human line
    error: IngestError | None = None  # when status is "error": the error itself (its file, line and hint apart)


@dataclass(frozen=True)
class _Outcome:
    status: str
    entry: Path | None
    missing: tuple[str, ...]
    message: str
    written_sha: str | None = None  # set when this run wrote the entry


def read_articles(path: Path, data: bytes) -> list[Article]:
    """Bytes of one input -> its articles (one, or one per feed item)."""
    archive = archive_kind(data)
    if archive is not None:  # a page saved as one file with its resources: the page, read as saved HTML
        try:
            saved = archived_page(archive, data)
        except RecursionError as exc:  # the MIME or property-list parser recurses once a level
            raise IngestError(f"cannot read this {archive} file: its parts are nested too deeply", path,
                              hint="save the page again, as a single file or as HTML") from exc
        if saved is None:
            raise IngestError(f"no page found in this {archive} file (it holds no HTML page)", path,
                              hint="save the page again, as a single file or as HTML")
        html, charset, address = saved
        text = sanitize(_decoded(html, charset))
        articles = _read(path, archive, lambda: [read_html(text, url=web_address(address))])
        return _publishable(path, archive, articles)
    if looks_binary(data):
        what, hint = binary_kind(data)
        raise IngestError(f"this is not a text, HTML or feed file (it holds {what})", path, hint=hint)
    text = sanitize(decode(data))
    if not text.strip():
        raise IngestError("the file is empty", path, hint="nothing to ingest")
    if "title" in _front_matter_of(text):  # e.g. `digest ingest content/`: its text would become junk entries
        raise IngestError("this is an entry already (front matter between --- lines), not a raw article", path,
                          hint="ingest reads copied article text, saved pages and feeds; an entry goes "
                               "straight into content/")
    other = xml_root(text)
    if other is not None:
        raise IngestError(f"this is an XML file of another kind (<{other}>), not a feed or a page", path,
                          hint="an OPML file lists feeds: fetch each feed and ingest it" if other.lower() == "opml"
                          else "ingest reads RSS, Atom and JSON feeds, saved pages and copied article text")
    kind = detect_kind(path, text)
    readers: dict[str, Callable[[], list[Article]]] = {
        "feed": lambda: read_feed(text), "html": lambda: [read_html(text)], "text": lambda: [read_text(text)]}
    return _publishable(path, kind, _read(path, kind, readers[kind]))


def _decoded(data: bytes, charset: str | None) -> str:
    """A part in the charset it declares, else as any input is decoded."""
    if charset:
        try:
            return data.decode(charset, errors="replace")
        except LookupError:
            pass
    return decode(data)


def _read(path: Path, kind: str, reader: Callable[[], list[Article]]) -> list[Article]:
    try:
        return reader()
    except FeedProblem as err:
        raise IngestError(f"cannot understand this {kind} file: {err}", path, err.line,
                          hint="is it a whole RSS, Atom or JSON feed? save or fetch it again") from err
    except (lxml.etree.ParserError, ValueError) as err:
        raise IngestError(f"cannot understand this {kind} file: {err}", path) from err


def _publishable(path: Path, kind: str, articles: list[Article]) -> list[Article]:
    # A lone menu word ("Home") left over from a page with no article is not an article.
    articles = [with_few_tags(with_readable_date(with_title(a))) for a in articles
                if a.title or words(a.body) >= _MIN_BODY_WORDS]
    if not articles:
        raise IngestError(f"no article found in this {kind} file", path,
                          hint="is it a saved page, copied article text or an RSS/Atom feed?")
    return articles


# How an input's bytes become its articles: read_articles, or what remembers its results (reuse.article_memo)
ReadArticles = Callable[[Path, bytes], list[Article]]


def ingest_paths(inputs: Sequence[Path], out_dir: Path, *, site_root: Path,
                 topics: Sequence[Topic] = (), force: bool = False,
                 on_result: Callable[[IngestResult], None] | None = None,
                 read: ReadArticles | None = None) -> list[IngestResult]:
    """Ingest each input; `on_result` is called with each result as soon as it is known (the CLI
    prints it then, not after the last input). `read`: how an input's bytes are read
    (read_articles when not given)."""
    with ingest_lock(site_root):
        return _ingest_all(inputs, out_dir, site_root, topics, force, on_result, read or read_articles)


def _ingest_all(inputs: Sequence[Path], out_dir: Path, site_root: Path, topics: Sequence[Topic], force: bool,
                on_result: Callable[[IngestResult], None] | None, read: ReadArticles) -> list[IngestResult]:
    try:
        state = load_state(site_root)
    except IngestError as err:
        results = [IngestResult(Path(p), "error", (), (), str(err), err) for p in inputs]
        if on_result is not None:
            for result in results:
                on_result(result)
        return results
    input_files = {Path(p).resolve() for p in inputs}
    folder = _Folder(out_dir)
    results = []
    for raw_path in inputs:
        path = Path(raw_path)
        result = _ingest_one(path, out_dir, site_root, topics, force, state, input_files, folder, read)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def _ingest_one(path: Path, out_dir: Path, site_root: Path, topics: Sequence[Topic],
                force: bool, state: dict[str, Record], input_files: set[Path], folder: _Folder,
                read: ReadArticles) -> IngestResult:
    try:
        target = linked_outside(path, site_root)
        if target is not None:
            raise IngestError(f"a link to {target}, outside the site: not read", path,
                              hint=f"copy the file into the site if it is an article, or name it: "
                                   f"digest ingest {target}")
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise IngestError(f"the file is too large for one article "
                              f"({path.stat().st_size // 1_000_000} MB)", path,
                              hint=f"inputs over {MAX_INPUT_BYTES // 1_000_000} MB are not read")
        data = path.read_bytes()
        articles = read(path, data)
        return _save_articles(path, data, articles, out_dir, site_root, topics, force, state,
                              input_files, folder)
    except OSError as err:
        other = Path(err.filename) if err.filename else path
        what = "cannot read" if other == path else f"cannot write {other}"
        error = IngestError(f"{what}: {err.strerror or err}", path)
        return IngestResult(path, "error", (), (), str(error), error)
    except IngestError as err:
        return IngestResult(path, "error", (), (), str(err), err)


def _save_articles(path: Path, data: bytes, articles: list[Article], out_dir: Path,
                   site_root: Path, topics: Sequence[Topic], force: bool,
                   state: dict[str, Record], input_files: set[Path], folder: _Folder) -> IngestResult:

    key = state_key(path, out_dir, site_root)
    record = state.get(key, Record(""))
    input_sha = sha256(data)
    own = {(site_root / p).resolve() for p in record.entries}
    previous_entries = _previous_entries(articles, record, site_root)
    # The input as the last run read it, its entries written then: an article without its entry now
    # was deleted by the curator (a rejected article), and is not written again, unless the folder
    # holds no entry at all (ingest started over into a new folder) or --force
    deleted_stay = (not force and bool(record.entries) and record.input_sha256 == input_sha
                    and _holds_entries(out_dir))
    # An entry deleted since ingest whose article reads as it did then: rejected, even when the input
    # changed around it (a feed fetched again gains and drops other items) or was moved (seeds/ sorted
    # into folders: another input to the state); --force writes it back there.
    gone = folder.gone(state, site_root) | {
        sha: rel for rel, sha in record.entries.items() if not (site_root / rel).exists()}
    rejections_stay = not force and _holds_entries(out_dir)
    outcomes: list[_Outcome] = []
    claimed: set[Path] = set()
    for n, article in enumerate(articles):
        rejected = gone.get(sha256(render_entry(article, topics).encode("utf-8")))
        previous = rejected or previous_entries[n]
        target = (site_root / previous) if previous else _target(
            article, path, n, out_dir, site_root, state, claimed | input_files)
        claimed.add(target.resolve())
        outcome = _place(article, target, record, input_sha, force, topics, folder, own,
                         site_root, deleted_stay or rejections_stay and rejected is not None)
        outcomes.append(outcome)

    entries, written = dict(record.entries), dict(record.written)
    for article, outcome in zip(articles, outcomes, strict=True):
        if outcome.written_sha and outcome.entry is not None:
            entries[_rel(outcome.entry, site_root)] = outcome.written_sha
            written[_rel(outcome.entry, site_root)] = {kind: value for kind, value in (
                ("source_url", article.source_url), ("title", article.title)) if value}
    if any(o.written_sha for o in outcomes) or record.input_sha256 != input_sha and entries:
        state[key] = Record(input_sha, entries, written)
        save_state(site_root, state)
    return _combine(path, outcomes)


def _previous_entries(articles: list[Article], record: Record, site_root: Path) -> list[str | None]:
    """The entry each article was written to by an earlier run: the one holding its link, else its
    title (a feed gains items at the top and drops them at the bottom, so by position each item
    would land in another item's file) unless both have links and they differ (a daily "Morning
    briefing" is a new article each day), as the entry reads now or as ingest wrote it (the curator
    may have changed them); a page's one article, its one entry whatever it says."""
    existing = list(record.entries)
    known: dict[str, tuple[set[str], set[str]]] = {}  # entry -> its links and titles, casefolded
    for rel in existing:
        links: set[str] = set()
        titles: set[str] = set()
        for meta in (_front_matter(site_root / rel), record.written.get(rel, {})):
            for kind, bucket in (("source_url", links), ("title", titles)):
                value = meta.get(kind)
                if isinstance(value, str) and value.strip():
                    bucket.add(value.strip().casefold())
        known[rel] = (links, titles)
    taken: set[str] = set()
    found: list[str | None] = []
    for article in articles:
        link = (article.source_url or "").strip().casefold()
        title = (article.title or "").strip().casefold()
        free = [rel for rel in existing if rel not in taken]
        match = next((rel for rel in free if link and link in known[rel][0]), None) or next(
            (rel for rel in free if title and title in known[rel][1] and not (link and known[rel][0])), None)
        if match is None and len(articles) == 1 and len(existing) == 1 and existing[0] not in taken:
            match = existing[0]
        if match is not None:
            taken.add(match)
        found.append(match)
    return found


def _place(article: Article, target: Path, record: Record, input_sha: str, force: bool,
           topics: Sequence[Topic], folder: _Folder, own: set[Path], site_root: Path,
           deleted_stay: bool = False) -> _Outcome:
    """Write the article's entry at `target` unless the curator's copy must stay. `deleted_stay`:
    the input is as the last run read it, so an entry not on disk was deleted since."""
    text = render_entry(article, topics).encode("utf-8")
    missing = missing_fields(article)
    shown = _rel(target, site_root)
    written_before = record.entries.get(shown)
    on_disk = target.read_bytes() if target.exists() else None
    edited = on_disk is not None and (written_before is None or sha256(on_disk) != written_before)

    if on_disk is None:  # new, or moved by the curator since: a copy under another name is theirs
        duplicate = folder.duplicate(article, own)
        if duplicate is not None:
            return _Outcome("duplicate", duplicate, missing,
                            f"already in content as {shown_path(_rel(duplicate, site_root))}")
        if deleted_stay:
            return _Outcome("kept", None, missing,
                            f"{shown if written_before is not None else 'its entry'} was deleted since ingest; "
                            "not written again (use --force to re-ingest)")
    if not force:
        if edited:
            return _Outcome("kept", target, missing,
                            f"{shown} was edited since ingest; kept (use --force to re-ingest)")
        if on_disk is not None and record.input_sha256 == input_sha:
            return _Outcome("unchanged", target, missing, f"{shown} unchanged")
    if on_disk == text:
        return _Outcome("unchanged", target, missing, f"{shown} unchanged", sha256(text))
    note = ""
    if on_disk is not None and edited:
        note = f"; old version kept as {backup(target).name}"
    write_atomic(target, text)
    folder.wrote(target, text)
    status = "updated" if on_disk is not None else "written"
    draft = f" (add: {', '.join(missing)}; written as draft)" if "date" in missing else (
        f" (add: {', '.join(missing)})" if missing else "")
    if article.review:
        draft += f" (check: {', '.join(article.review)}; a draft until review: is removed)"
    return _Outcome(status, target, missing, f"{shown}{draft}{note}", sha256(text))


def _target(article: Article, path: Path, n: int, out_dir: Path, site_root: Path,
            state: dict[str, Record], taken: set[Path]) -> Path:
    slug = slugify(article.title or "") or slugify(path.stem) or "entry"
    if not article.title and n:
        slug = f"{slug}-{n + 1}"
    # Names other inputs' entries had in this folder, even if the curator moved them since.
    folder = out_dir.resolve()
    owned = {Path(p).name for r in state.values() for p in r.entries
             if (site_root / p).resolve().is_relative_to(folder)}
    candidate = out_dir / f"{slug}.md"
    number = 2
    while candidate.exists() or candidate.resolve() in taken or candidate.name in owned:
        candidate = out_dir / f"{slug}-{number}.md"
        number += 1
    return candidate


def _holds_entries(out_dir: Path) -> bool:
    """Whether the folder holds any entry file (an empty or a new folder: ingest starts over)."""
    return out_dir.is_dir() and next(out_dir.rglob("*.md"), None) is not None


class _Folder:
    """The entries of the out folder, each one's front matter read once a run (each new article of a feed
    read every entry: a 50-item feed into a site of 3,000 entries read 150,000 files) and kept up to date
    with what this run writes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._meta: dict[Path, dict[str, object]] | None = None
        self._gone: dict[str, str] | None = None

    def _entries(self) -> dict[Path, dict[str, object]]:
        if self._meta is None:
            found = sorted(self.path.rglob("*.md")) if self.path.is_dir() else []
            self._meta = {entry.resolve(): _front_matter(entry) for entry in found}
        return self._meta

    def gone(self, state: dict[str, Record], site_root: Path) -> dict[str, str]:
        """The entries ingest wrote into this folder (for any input) that are no longer there, by the
        hash of what was written: the articles a curator rejected. Found once a run."""
        if self._gone is None:
            folder = self.path.resolve()
            self._gone = {sha: rel for record in state.values() for rel, sha in record.entries.items()
                          if (site_root / rel).resolve().is_relative_to(folder) and not (site_root / rel).exists()}
        return self._gone

    def wrote(self, entry: Path, text: bytes) -> None:
        if self._meta is not None:
            self._meta[entry.resolve()] = _front_matter_of(text.decode("utf-8"))

    def duplicate(self, article: Article, own: set[Path]) -> Path | None:
        """An entry already in the folder with the same source_url or the same title."""
        title = (article.title or "").strip().casefold()
        entries = self._entries()
        for entry in sorted(entries):
            if entry in own:
                continue
            meta = entries[entry]
            link = meta.get("source_url")
            same_link = bool(article.source_url) and link == article.source_url
            # One title with two links is two articles (a daily "Morning briefing"), not one twice.
            other_link = bool(article.source_url) and bool(link) and link != article.source_url
            same_title = bool(title) and str(meta.get("title", "")).strip().casefold() == title
            if (same_link or same_title and not other_link) and entry.exists():
                return entry
        return None


def _front_matter(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    return _front_matter_of(text)


def _front_matter_of(text: str) -> dict[str, object]:
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    try:
        data = yaml.safe_load(text[3:end]) if end > 0 else None
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _rel(path: Path, site_root: Path) -> str:
    return rel_key(path, site_root)


def _combine(path: Path, outcomes: list[_Outcome]) -> IngestResult:
    status = min((o.status for o in outcomes), key=_STATUS_ORDER.index)
    entries = tuple(o.entry for o in outcomes if o.entry is not None)
    missing = tuple(dict.fromkeys(m for o in outcomes for m in o.missing))
    message = "; ".join(o.message for o in outcomes)
    return IngestResult(path, status, entries, missing, message)
