"""The story grouping, remembered in the build cache: grouped again only when what grouping reads
has changed (the entries' grouping tokens, or the grouping code itself)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import pickle
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

from digest.model import Entry, Story
from digest.stories import ALONE, DEFAULT_SETTINGS, group_stories, kept_as_path, make_story, path_key
from digest.stories.features import FEATURES_VERSION, EntryFeatures

if TYPE_CHECKING:
    from digest.stories.nearby import LedgerChange


class _Memory(Protocol):
    def get(self, key: str) -> Any: ...

    def put(self, key: str, value: Any) -> None: ...

    def copy_value(self, key: str, to: str) -> None: ...

    def grouped_features(self, wanted: Iterable[tuple[str, str]]) -> dict[str, bytes]: ...

    def forget_departed(self) -> None: ...

    def ledger_places(self) -> list[tuple[str, str, float, bool]]: ...

    def ledger_lines(self, tokens: Iterable[str]) -> dict[str, str]: ...

    def ledger_holding(self, words: Iterable[str]) -> dict[str, str] | None: ...

    def write_ledger(self, rows: Iterable[tuple[str, str, float, str | None]], removed: Iterable[str],
                     whole: bool = False) -> None: ...

    def atomically(self) -> AbstractContextManager[None]: ...


_STORIES_SOURCE = Path(__file__).parent
STORIES = "stories"  # memory key: (grouping key, remembered_stories(the stories))
STORIES_KEY = "stories key"  # memory key: the grouping key alone, read without the stories
LEDGER = "stories ledger"  # memory key: (grouping key, word counts, size) of a one-shot build's grouping's
# ledger (nearby.Ledger); its entries (tokens and title terms) are the cache's ledger rows
LEDGER_KEY = "stories ledger key"  # memory key: LEDGER's grouping key alone, read without its word counts
LEDGER_STORIES = "ledger's stories"  # memory key: STORIES as they were when the ledger was made, kept aside
# when a long-lived Builder's grouping replaced them (see _aside_for_the_ledger)


@functools.cache
def _stories_code() -> str:
    """A hash of the grouping code itself and its tables (common_words.json), so a changed algorithm
    never reuses an old grouping."""
    digest_ = hashlib.blake2b(digest_size=16)
    for path in sorted([*_STORIES_SOURCE.glob("*.py"), *_STORIES_SOURCE.glob("*.json")]):
        digest_.update(path.name.encode())
        digest_.update(path.read_bytes())
    return digest_.hexdigest()


def grouping_key(tokens: Sequence[str]) -> str:
    """Everything group_stories reads: the grouping tokens of the entries (stories.grouping_token:
    each entry's path, time, topic, curator's story key and lead flag, and its features). A build
    asks three times for the same tokens (the remembered stories, the ledger, the plan's shape):
    made once (sorting and hashing 100,000 tokens took 35 ms)."""
    return _grouping_key(tuple(tokens))


@functools.lru_cache(maxsize=1)
def _grouping_key(tokens: tuple[str, ...]) -> str:
    digest_ = hashlib.blake2b(_stories_code().encode(), digest_size=16)
    digest_.update("\n".join(sorted(tokens)).encode("ascii"))
    return digest_.hexdigest()


def cached_stories(entries: Sequence[Entry], features: Mapping[PurePosixPath, Any], tokens: Sequence[str],
                   cache: _Memory, group: Callable[..., list[Story]] = group_stories) -> list[Story]:
    """group_stories, or its last result when nothing it reads has changed: the same members,
    scores and reasons, made into stories anew (make_story picks the leads from the entries as
    they are now: a lead's text length breaks a tie in time)."""
    key = grouping_key(tokens)
    remembered = cache.get(STORIES)
    if isinstance(remembered, tuple) and len(remembered) == 2 and remembered[0] == key:
        by_path = {str(e.path): e for e in entries}
        try:
            return Grouped([make_story(k, [by_path[m] for m in members], score, reason)
                            for k, members, score, reason in recalled(remembered[1])],
                           [story if isinstance(story, str) else None for story in remembered[1]])
        except (KeyError, TypeError, ValueError):
            pass
    if group is group_stories:  # a one-shot build: group near what changed when the ledger can tell
        stories = _grouped_near(entries, features, tokens, cache, remembered)
    else:
        grouped = group(entries, features)
        stories = grouped if isinstance(grouped, Grouped) else Grouped(grouped)
        _aside_for_the_ledger(cache)
    with cache.atomically():
        cache.put(STORIES, (key, stories.remembered))
        cache.put(STORIES_KEY, key)
    return stories


class Grouped(list[Story]):
    """Stories as cached_stories gives them, with their form in the cache (remembered_stories)
    made once when first asked for: the build stores it and compares it with the live plan's
    (reuse.touched.grouping). Making it costs a pass over every story (0.12 s at 100,000), so
    `alone` may tell it already for most: per story, the path of its entry when it is known to be
    a story of that entry alone (as remembered_stories keeps it), else None; or `forms` makes it
    (KeptGrouping: from the forms of the stories it gave last)."""

    def __init__(self, stories: Iterable[Story] = (), alone: Sequence[str | None] | None = None,
                 forms: Callable[[Sequence[Story]], list[str | RememberedStory]] | None = None) -> None:
        super().__init__(stories)
        self._alone = alone
        self._forms = forms

    @functools.cached_property
    def remembered(self) -> list[str | RememberedStory]:
        if self._forms is not None:
            return self._forms(self)
        if self._alone is None or len(self._alone) != len(self):
            return remembered_stories(self)
        return [path if path is not None else remembered_story(story)
                for story, path in zip(self, self._alone, strict=True)]


def _grouped_near(entries: Sequence[Entry], features: Mapping[PurePosixPath, Any], tokens: Sequence[str],
                  cache: _Memory, remembered: Any) -> Grouped:
    """group_stories, grouping only near the entries changed since the remembered grouping when
    its ledger is there (stories.nearby); the ledger of the result is kept for the next build."""
    from digest.stories.nearby import ledger_of, regroup_near  # with numpy: only to group

    found = None
    ledger = _stored_ledger(cache, remembered)
    if ledger is None:  # the stories a dev server's grouping replaced: those of the ledger, kept aside
        aside = cache.get(LEDGER_STORIES)
        ledger = _stored_ledger(cache, aside)
        if ledger is not None:
            remembered = aside
    if ledger is not None:
        try:
            found = regroup_near(entries, features, tokens, remembered[1], ledger, DEFAULT_SETTINGS,
                                 departed=functools.partial(_departed, cache))
        except Exception:  # an optimisation must never fail a build: group everything
            found = None
    if found is not None:
        with cache.atomically():
            _write_ledger_change(cache, grouping_key(tokens), found.ledger)
        return Grouped(found.stories, found.alone)
    fetch_all = getattr(features, "fetch_all", None)
    if fetch_all is not None:
        fetch_all()  # every entry's features in one query, not one by one
    stories = group_stories(entries, features)
    new = ledger_of(entries, features, tokens)
    with cache.atomically():
        _put_ledger_head(cache, grouping_key(tokens), new.df, new.n)
        if ledger is None:
            cache.write_ledger(_ledger_rows(new, new.tokens), (), whole=True)
        else:  # the rows of the entries that came, went or changed only
            fetch = getattr(ledger.titles, "fetch", None)  # every line read at once (StoredLines), not one a query
            before = ledger.titles if fetch is None else fetch(ledger.tokens)
            changed = [token for token, place in new.tokens.items()
                       if ledger.tokens.get(token) != place or before.get(token) != new.titles.get(token)]
            cache.write_ledger(_ledger_rows(new, changed), [t for t in ledger.tokens if t not in new.tokens])
        cache.forget_departed()
        cache.put(LEDGER_STORIES, None)  # a ledger of its own now: the stories kept aside are of no use
    return Grouped(stories)


def same_stories_near(entries: Sequence[Entry], stamps: Sequence[float], paths: Sequence[str],
                      features: Mapping[PurePosixPath, Any], tokens: Sequence[str], cache: _Memory,
                      remembered: Any) -> bool | None:
    """Whether group_stories groups these entries into the `remembered` stories (the cache's
    "stories" value the live plan was made with), found near what changed since, as
    nearby.same_grouping_near finds it; None when that cannot tell (group them, and compare).
    For an edit that kept every entry where it is listed (reuse.plan_patch): the curator's stories
    are as they were, so each entry's curator's key is the remembered stories'; `stamps` and
    `paths` are every entry's time and path, and `entries` may read each entry when asked for: only
    those grouped again are. When the same, the cache holds the stories under the new grouping key,
    and the ledger of the entries now, as cached_stories would have left them (the stories are not made)."""
    from digest.stories.nearby import same_grouping_near  # with numpy: only to group

    checked = _near_columns(same_grouping_near, entries, stamps, paths, features, tokens, cache, remembered)
    if checked is None or not checked.same:
        return None if checked is None else False
    _keep_grouping(cache, tokens, checked.ledger, remembered[1])
    return True


def stories_after_change(entries: Sequence[Entry], stamps: Sequence[float], paths: Sequence[str],
                           features: Mapping[PurePosixPath, Any], tokens: Sequence[str], cache: _Memory,
                           remembered: Any) -> tuple[list[str | RememberedStory], set[str]] | None:
    """The stories of these entries in the cache's form (remembered_stories), and the paths grouped
    again, come or gone, after entries without a curator's key then or now were added, removed or
    edited since the `remembered` stories (the cache's "stories" value): grouped near the change
    (nearby.forms_near), the stories that stay neither made nor their entries read. `stamps` and
    `paths`: every entry's time and path; `entries` may read each entry when asked for. The cache
    then holds the stories under the new grouping key, and the ledger of the entries now, as
    cached_stories would have left them. None when that cannot tell (group them)."""
    from digest.stories.nearby import forms_near  # with numpy: only to group

    found = _near_columns(forms_near, entries, stamps, paths, features, tokens, cache, remembered)
    if found is None:
        return None
    stories: list[str | RememberedStory] = [*found.kept, *remembered_stories(found.regrouped)]  # type: ignore[list-item]
    _keep_grouping(cache, tokens, found.ledger, stories)
    return stories, found.touched


def _near_columns(near: Callable[..., Any], entries: Sequence[Entry], stamps: Sequence[float], paths: Sequence[str],
                  features: Mapping[PurePosixPath, Any], tokens: Sequence[str], cache: _Memory,
                  remembered: Any) -> Any:
    """`near` (nearby.same_grouping_near or forms_near) on these entries, read as columns (each
    entry's curator's key the `remembered` stories'), from the ledger of those stories; None when
    there is none, or when it fails (an optimisation must never fail a build: group them)."""
    from digest.stories.nearby import Columns

    ledger = _stored_ledger(cache, remembered)
    if ledger is None:
        return None
    curated = {member: story[0] for story in remembered[1] if not isinstance(story, str) and story[3] == "curator"
               for member in story[1]}
    columns = Columns(stamps, paths, [curated.get(path) for path in paths])
    try:
        return near(entries, columns, features, tokens, remembered[1], ledger, DEFAULT_SETTINGS,
                    departed=functools.partial(_departed, cache))
    except Exception:
        return None


def _keep_grouping(cache: _Memory, tokens: Sequence[str], change: LedgerChange, stories: Any) -> None:
    """The cache holds these stories under the grouping key of these tokens, with the ledger's change."""
    key = grouping_key(tokens)
    with cache.atomically():
        _write_ledger_change(cache, key, change)
        cache.put(STORIES, (key, stories))
        cache.put(STORIES_KEY, key)


def _write_ledger_change(cache: _Memory, key: str, change: LedgerChange) -> None:
    """Keep the ledger of a grouping near a change (nearby.LedgerChange): its word counts and size
    under the grouping's key, and the rows of the entries that came, went or changed only."""
    _put_ledger_head(cache, key, change.df, change.n)
    cache.write_ledger(change.rows, change.removed)
    cache.forget_departed()
    cache.put(LEDGER_STORIES, None)


def _put_ledger_head(cache: _Memory, key: str, df: Counter[str], n: int) -> None:
    """The ledger's word counts and size under its grouping key (LEDGER), and that key alone (LEDGER_KEY)."""
    cache.put(LEDGER, (key, df, n))
    cache.put(LEDGER_KEY, key)


def _aside_for_the_ledger(cache: _Memory) -> None:
    """Before a long-lived Builder's grouping (KeptGrouping, in memory: it keeps no ledger) replaces
    the remembered stories: when they are those of the ledger, keep them aside (LEDGER_STORIES), once.
    The one-shot build after the dev server then groups near every entry changed since the ledger,
    from the ledger and its stories (_grouped_near); without them it grouped every entry again (an
    addition at 100,000 entries after a dev server's session: 8.4 s and 1.3 GB instead of 0.7 s)."""
    # The ledger's key read alone: the ledger's word counts (several MB at 100,000 entries) were read
    # at each of a dev server's groupings to find it (0.075 s of an addition at 100,000, under cProfile)
    key = cache.get(LEDGER_KEY)
    if key is None:  # a ledger written before LEDGER_KEY was, or none
        head = cache.get(LEDGER)
        key = head[0] if isinstance(head, tuple) and len(head) == 3 else None
    if isinstance(key, str) and key == cache.get(STORIES_KEY):
        cache.copy_value(STORIES, LEDGER_STORIES)


def _stored_ledger(cache: _Memory, remembered: Any) -> Any:
    """The ledger of the remembered grouping (nearby.Ledger), when the cache has it."""
    from digest.stories.nearby import Ledger

    head = cache.get(LEDGER)
    if not (isinstance(remembered, tuple) and len(remembered) == 2 and isinstance(head, tuple) and len(head) == 3
            and head[0] == remembered[0] and isinstance(head[1], Counter) and isinstance(head[2], int)):
        return None
    rows = cache.ledger_places()
    tokens = {token: (path, time) for token, path, time, _ in rows}
    return Ledger(tokens, head[1], head[2], StoredLines(cache, {token for token, _, _, lined in rows if lined}))


class StoredLines(Mapping[str, str]):
    """The ledger's lines (nearby.ledger_line) by grouping token, read from the cache when asked for:
    a regrouping reads those of the entries near what it looks at in time, and those that may hold a
    word whose rarity moved, not every line (3.5 MB at 10,000 entries; an edit of a title read some
    tens of lines, an addition at 10,000 entries about 4,600)."""

    def __init__(self, cache: _Memory, lined: set[str]) -> None:
        self._cache = cache
        self._lined = lined  # the tokens that have a line
        self._read: dict[str, str] = {}

    def __getitem__(self, token: str) -> str:
        if token not in self._lined:
            raise KeyError(token)
        return self.fetch([token])[token]

    def __contains__(self, token: object) -> bool:
        return token in self._lined

    def __iter__(self) -> Iterator[str]:
        return iter(self._lined)

    def __len__(self) -> int:
        return len(self._lined)

    def fetch(self, tokens: Iterable[str]) -> Mapping[str, str]:
        """The lines of these tokens (of those that have one) read, in one query: the lines read so far."""
        missing = [token for token in tokens if token in self._lined and token not in self._read]
        if missing:
            self._read.update(self._cache.ledger_lines(missing))
        return self._read

    def holding(self, words: Iterable[str]) -> Mapping[str, str] | None:
        """The lines that may hold one of these words (every one that does), by token; None when the
        cache cannot tell (BuildCache.ledger_holding)."""
        found = self._cache.ledger_holding(words)
        if found is not None:
            self._read.update(found)
        return found


def _ledger_rows(ledger: Any, tokens: Iterable[str]) -> Iterator[tuple[str, str, float, str | None]]:
    for token in tokens:
        path, time = ledger.tokens[token]
        yield token, path, time, ledger.titles.get(token)


RememberedStory = tuple[str, list[str], float, str]  # (story key, member paths, score, reason)


def remembered_stories(stories: Iterable[Story]) -> list[str | RememberedStory]:
    """The stories as the cache keeps them: most stories are one entry, alone, keyed by its path;
    such a story is kept as its path, any other as (key, member paths, score, reason). At 100,000
    entries a tuple and a list a story were 55 MB in memory when an edit read them back, and
    the edit needs only the stories of several entries (plan_patch)."""
    return [remembered_story(s) for s in stories]


def remembered_story(s: Story) -> str | RememberedStory:
    """One story as remembered_stories keeps it."""
    if len(s.members) == 1 and kept_as_path(s.key, path := str(s.lead.path), s.score, s.reason):
        return path
    return (s.key, [str(m.path) for m in s.members], s.score, s.reason)


def recalled(kept: Iterable[str | RememberedStory]) -> Iterator[RememberedStory]:
    """Each story of remembered_stories() as (key, member paths, score, reason)."""
    for story in kept:
        yield (path_key(story), [story], 1.0, ALONE) if isinstance(story, str) else story


def shared_stories(kept: Iterable[str | RememberedStory]) -> Iterator[RememberedStory]:
    """The stories of several entries among remembered_stories(), without making the others."""
    for story in kept:
        if not isinstance(story, str) and len(story[1]) > 1:
            yield story


def _departed(cache: _Memory, wanted: Iterable[tuple[str, str]]) -> dict[str, EntryFeatures]:
    """The features of entries as the last grouping read them, by grouping token (see nearby)."""
    found = {}
    for token, blob in cache.grouped_features(wanted).items():
        with contextlib.suppress(Exception):
            features = pickle.loads(blob)
            if isinstance(features, EntryFeatures) and features.version == FEATURES_VERSION:
                found[token] = features
    return found


class KeptGrouping:
    """group_stories for a long-lived process (the dev server's Builder): a StoryGrouper kept
    between calls redoes only what the entries that changed since its last grouping can reach
    (stories.incremental). Any failure groups from scratch: an optimisation never fails a build."""

    def __init__(self) -> None:
        self._kept: tuple[dict[PurePosixPath, str], Any] | None = None  # (path -> content hash grouped, grouper)
        # The rows last grouped, by path, when the entries came with their rows (entry_rows.RowEntries:
        # `rows` of (path, row), a row's `entry` its parse; a file changed is a new row): the rows changed
        # since are those that are not the same objects, found without reading an entry (at 100,000 entries reading
        # them all and comparing their paths and hashes was 0.4 s of a dev server's addition, under cProfile)
        self._rows: dict[str, Any] | None = None
        # The cache's form of each story last given (remembered_story), by the story's id, and the
        # stories themselves (held: no other story can take one of their ids while they are kept). The
        # grouper keeps the stories an update does not reach, and a story is immutable (at 100,000
        # entries making every form again was 0.27 s of a dev server's headline edit, under cProfile)
        self._forms: dict[int, str | RememberedStory] = {}
        self._held: dict[int, Story] = {}

    @property
    def warm(self) -> bool:
        """Whether a grouper is kept (the next call updates it instead of making one)."""
        return self._kept is not None

    def __call__(self, entries: Sequence[Entry], features: Mapping[PurePosixPath, Any]) -> list[Story]:
        from digest.stories.incremental import StoryGrouper  # with numpy: only where grouping is done

        rows: Sequence[tuple[str, Any]] | None = getattr(entries, "rows", None)
        by_rows = self._kept is not None and rows is not None and self._rows is not None  # else by the entries
        try:
            if self._kept is None:
                grouper = StoryGrouper(entries, features)
            else:
                known, grouper = self._kept
                if by_rows:
                    assert rows is not None
                    changed, removed = self._row_changes(rows, known)
                else:
                    now = {e.path for e in entries}
                    changed = [e for e in entries if known.get(e.path) != e.content_hash]
                    removed = [path for path in known if path not in now]
                grouper.update(changed, removed, {e.path: features[e.path] for e in changed})
        except Exception:  # an optimisation must never fail a build: group from scratch
            self._kept = self._rows = None
            self._forms, self._held = {}, {}
            return group_stories(entries, features)
        if not by_rows:  # (_row_changes brought both up to date)
            self._kept = ({e.path: e.content_hash for e in entries}, grouper)
            self._rows = dict(rows) if rows is not None else None
        return Grouped(grouper.stories, forms=self._remembered)

    def _row_changes(self, rows: Sequence[tuple[str, Any]],
                     known: dict[PurePosixPath, str]) -> tuple[list[Entry], list[PurePosixPath]]:
        """The entries of the rows that are not those last grouped, and the paths gone since; the rows
        and `known` brought up to date with them (a failure after this groups from scratch)."""
        kept = self._rows
        assert kept is not None
        fresh = [(rel, row) for rel, row in rows if kept.get(rel) is not row]
        added = sum(rel not in kept for rel, _ in fresh)
        gone: list[str] = []
        if len(kept) + added != len(rows):  # some went: found by a set of the paths, only then
            now = {rel for rel, _ in rows}
            gone = [rel for rel in kept if rel not in now]
        changed = [row.entry for _, row in fresh]
        for (rel, row), entry in zip(fresh, changed, strict=True):
            kept[rel] = row
            known[entry.path] = entry.content_hash
        removed = [PurePosixPath(rel) for rel in gone]
        for rel, path in zip(gone, removed, strict=True):
            del kept[rel]
            known.pop(path, None)
        return changed, removed

    def remember(self, stories: Sequence[Story]) -> None:
        """Make now (a dev server's idle time) the cache's form of the stories it gave: the next
        grouping reuses them."""
        if isinstance(stories, Grouped):
            self._remembered(stories)

    def _remembered(self, stories: Sequence[Story]) -> list[str | RememberedStory]:
        """remembered_stories(stories), each story's form made only when this one did not give it last.
        Set operations on the stories' ids, not a loop over them: at 100,000 entries the loop and
        the dict made again were 0.25 s of a dev server's addition under cProfile."""
        forms, held = self._forms, self._held
        ids = list(map(id, stories))
        now = set(ids)
        for gone in held.keys() - now:
            del held[gone], forms[gone]
        new = now - held.keys()
        if new:
            by_id = dict(zip(ids, stories, strict=True))
            for number in new:
                story = held[number] = by_id[number]
                forms[number] = remembered_story(story)
        return list(map(forms.__getitem__, ids))
