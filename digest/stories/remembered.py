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
from typing import Any, Protocol

from digest.model import Entry, Story
from digest.stories import ALONE, DEFAULT_SETTINGS, group_stories, make_story, path_key
from digest.stories.features import FEATURES_VERSION, EntryFeatures


class _Memory(Protocol):
    def get(self, key: str) -> Any: ...

    def put(self, key: str, value: Any) -> None: ...

    def grouped_features(self, wanted: Iterable[tuple[str, str]]) -> dict[str, bytes]: ...

    def forget_departed(self) -> None: ...

    def ledger_rows(self) -> list[tuple[str, str, float, str | None]]: ...

    def write_ledger(self, rows: Iterable[tuple[str, str, float, str | None]], removed: Iterable[str],
                     whole: bool = False) -> None: ...

    def atomically(self) -> AbstractContextManager[None]: ...


_STORIES_SOURCE = Path(__file__).parent
STORIES = "stories"  # memory key: (grouping key, remembered_stories(the stories))
STORIES_KEY = "stories key"  # memory key: the grouping key alone, read without the stories
LEDGER = "stories ledger"  # memory key: (grouping key, word counts, size) of a one-shot build's grouping's
# ledger (nearby.Ledger); its entries (tokens and title terms) are the cache's ledger rows


@functools.cache
def _stories_code() -> str:
    """A hash of the grouping code itself, so a changed algorithm never reuses an old grouping."""
    digest_ = hashlib.blake2b(digest_size=16)
    for path in sorted(_STORIES_SOURCE.glob("*.py")):
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
            return Grouped(make_story(k, [by_path[m] for m in members], score, reason)
                           for k, members, score, reason in recalled(remembered[1]))
        except (KeyError, TypeError, ValueError):
            pass
    if group is group_stories:  # a one-shot build: group near what changed when the ledger can tell
        stories = Grouped(_grouped_near(entries, features, tokens, cache, remembered))
    else:
        stories = Grouped(group(entries, features))
    with cache.atomically():
        cache.put(STORIES, (key, stories.remembered))
        cache.put(STORIES_KEY, key)
    return stories


class Grouped(list[Story]):
    """Stories as cached_stories gives them, with their form in the cache (remembered_stories)
    made once when first asked for: the build stores it and compares it with the live plan's
    (reuse.touched.grouping), and making it costs a pass over every story (0.12 s at 100,000)."""

    @functools.cached_property
    def remembered(self) -> list[str | RememberedStory]:
        return remembered_stories(self)


def _grouped_near(entries: Sequence[Entry], features: Mapping[PurePosixPath, Any], tokens: Sequence[str],
                  cache: _Memory, remembered: Any) -> list[Story]:
    """group_stories, grouping only near the entries changed since the remembered grouping when
    its ledger is there (stories.nearby); the ledger of the result is kept for the next build."""
    from digest.stories.nearby import ledger_of, regroup_near  # with numpy: only to group

    found = None
    ledger = _stored_ledger(cache, remembered)
    if ledger is not None:
        try:
            found = regroup_near(entries, features, tokens, remembered[1], ledger, DEFAULT_SETTINGS,
                                 departed=functools.partial(_departed, cache))
        except Exception:  # an optimisation must never fail a build: group everything
            found = None
    if found is None:
        fetch_all = getattr(features, "fetch_all", None)
        if fetch_all is not None:
            fetch_all()  # every entry's features in one query, not one by one
        stories = group_stories(entries, features)
        found = (stories, ledger_of(entries, features, tokens))
    new = found[1]
    with cache.atomically():
        cache.put(LEDGER, (grouping_key(tokens), new.df, new.n))
        if ledger is None:
            cache.write_ledger(_ledger_rows(new, new.tokens), (), whole=True)
        else:  # the rows of the entries that came, went or changed only
            changed = [token for token, place in new.tokens.items()
                       if ledger.tokens.get(token) != place or ledger.titles.get(token) != new.titles.get(token)]
            cache.write_ledger(_ledger_rows(new, changed), [t for t in ledger.tokens if t not in new.tokens])
        cache.forget_departed()
    return found[0]


def _stored_ledger(cache: _Memory, remembered: Any) -> Any:
    """The ledger of the remembered grouping (nearby.Ledger), when the cache has it."""
    from digest.stories.nearby import Ledger

    head = cache.get(LEDGER)
    if not (isinstance(remembered, tuple) and len(remembered) == 2 and isinstance(head, tuple) and len(head) == 3
            and head[0] == remembered[0] and isinstance(head[1], Counter) and isinstance(head[2], int)):
        return None
    tokens: dict[str, tuple[str, float]] = {}
    titles: dict[str, str] = {}
    for token, path, time, title in cache.ledger_rows():
        tokens[token] = (path, time)
        if title is not None:
            titles[token] = title
    return Ledger(tokens, head[1], head[2], titles)


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
    kept: list[str | RememberedStory] = []
    for s in stories:
        if len(s.members) == 1 and s.reason == ALONE and s.score == 1.0:
            path = str(s.lead.path)
            if s.key == path_key(path):
                kept.append(path)
                continue
        kept.append((s.key, [str(m.path) for m in s.members], s.score, s.reason))
    return kept


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

    @property
    def warm(self) -> bool:
        """Whether a grouper is kept (the next call updates it instead of making one)."""
        return self._kept is not None

    def __call__(self, entries: Sequence[Entry], features: Mapping[PurePosixPath, Any]) -> list[Story]:
        from digest.stories.incremental import StoryGrouper  # with numpy: only where grouping is done

        try:
            if self._kept is None:
                grouper = StoryGrouper(entries, features)
            else:
                known, grouper = self._kept
                now = {e.path for e in entries}
                changed = [e for e in entries if known.get(e.path) != e.content_hash]
                removed = [path for path in known if path not in now]
                grouper.update(changed, removed, {e.path: features[e.path] for e in changed})
        except Exception:  # an optimisation must never fail a build: group from scratch
            self._kept = None
            return group_stories(entries, features)
        self._kept = ({e.path: e.content_hash for e in entries}, grouper)
        return grouper.stories
