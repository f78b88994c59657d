"""reuse/touched.py: which article pages a change of a few entries can have changed. The rebuild
sequences (test_rebuild_sequences.py) hold whole builds to cold ones; these pin the cases they
rarely meet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

import pytest

from digest.config import Config, load_config
from digest.model import Entry, Site, Story
from digest.organise import organise
from digest.permalinks import entry_url
from digest.reuse.touched import LiveArticles, changed_entries, grouping, site_shape, touched_articles
from digest.stories import make_story
from digest.urls import output_path

from .conftest import BASIC_CONFIG

START = datetime(2022, 8, 1, 9, tzinfo=UTC)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    (tmp_path / "digest.toml").write_text(BASIC_CONFIG, encoding="utf-8")
    return load_config(tmp_path)


def entry(number: int, topic: str = "world", story: str | None = None) -> Entry:
    return Entry(path=PurePosixPath(f"content/e{number:02d}.md"), title=f"Headline {number}", slug=f"e{number:02d}",
                 published=START + timedelta(hours=number), body="Body.", topic=topic, story=story,
                 content_hash=f"h{number}")


def alone(entries: list[Entry]) -> list[Story]:
    return [make_story(f"k{e.path.stem}", [e], 1.0, "alone") for e in entries]


def live_of(site: Site, config: Config, stories: list[Story], changed: set[PurePosixPath],
            showing: set[str] = frozenset()) -> LiveArticles:  # type: ignore[assignment]
    manifest = {output_path(entry_url(e, config)): f"print {e.path}" for e in site.entries}
    return LiveArticles(frozenset(changed), frozenset(showing), grouping(stories), site_shape(site), manifest)


def test_a_new_entry_touches_itself_and_the_entries_it_follows_closely_in_its_topic(config: Config) -> None:
    old = [entry(n) for n in range(20)]
    old_stories = alone(old)
    old_site = organise(old, old_stories, config)
    new = entry(50 // 5)  # between entries 9 and 10 in time, replacing neither
    new = Entry(**{**new.__dict__, "path": PurePosixPath("content/new.md"), "slug": "new",
                   "published": START + timedelta(hours=9, minutes=30), "content_hash": "new"})
    entries = [*old, new]
    stories = alone(entries)
    site = organise(entries, stories, config)
    live = live_of(old_site, config, old_stories, {new.path})
    chosen = touched_articles(site, config, stories, live)
    assert chosen is not None
    touched, kept = chosen
    # newer entries (listed first) show the next ones as related: those just after the new one in time
    assert new.path in touched
    assert {e.path for e in old[10:14]} <= touched
    assert not {e.path for e in old[:9]} & touched  # older ones do not show it
    assert not {e.path for e in old[16:]} & touched  # nor entries far from it
    assert set(kept) == {output_path(entry_url(e, config)) for e in entries if e.path not in touched}
    assert all(value == f"print {e.path}" for e in old if (value := kept.get(output_path(entry_url(e, config)))))


def test_a_page_that_showed_a_changed_entry_is_touched(config: Config) -> None:
    entries = [entry(n) for n in range(20)]
    stories = alone(entries)
    site = organise(entries, stories, config)
    shown_by = output_path(entry_url(entries[3], config))
    live = live_of(site, config, stories, {entries[15].path}, {shown_by, "topics/world/index.html"})
    chosen = touched_articles(site, config, stories, live)
    assert chosen is not None and entries[3].path in chosen[0] and shown_by not in chosen[1]


def test_a_story_joined_by_a_curators_key_is_touched_whole(config: Config) -> None:
    """An automatic story is unchanged, but a new entry given its key joins it (organise): every
    member's page now shows the joined story."""
    old = [entry(n) for n in range(20)]
    old_stories = [make_story("kfirst", [old[2], old[3]], 0.5, "similar 0.50"),
                   *alone([e for e in old if e not in (old[2], old[3])])]
    old_site = organise(old, old_stories, config)
    added = Entry(**{**entry(30).__dict__, "story": "kfirst"})
    stories = [*old_stories, make_story("kfirst", [added], 1.0, "curator")]
    site = organise([*old, added], stories, config)
    chosen = touched_articles(site, config, stories, live_of(old_site, config, old_stories, {added.path}))
    assert chosen is not None and {old[2].path, old[3].path, added.path} <= chosen[0]


def test_changed_stories_touch_their_members_before_and_now(config: Config) -> None:
    entries = [entry(n) for n in range(20)]
    old_stories = [make_story("ka", [entries[1], entries[2]], 0.5, "similar 0.50"), *alone(entries[3:]),
                   *alone([entries[0]])]
    stories = [make_story("ka", [entries[1]], 1.0, "alone"), make_story("kb", [entries[2], entries[0]], 0.4,
                                                                       "similar 0.40"), *alone(entries[3:])]
    site = organise(entries, stories, config)
    chosen = touched_articles(site, config, stories, live_of(site, config, old_stories, {entries[19].path}))
    assert chosen is not None and {entries[0].path, entries[1].path, entries[2].path} <= chosen[0]
    assert entries[5].path not in chosen[0]


def test_everything_is_planned_when_the_topics_change_or_a_kept_page_is_unknown(config: Config) -> None:
    entries = [entry(n) for n in range(20)]
    stories = alone(entries)
    site = organise(entries, stories, config)
    live = live_of(site, config, stories, {entries[0].path})
    assert touched_articles(site, config, stories, live) is not None
    other_topic = [*entries[:19], Entry(**{**entries[19].__dict__, "topic": "business"})]
    moved = organise(other_topic, alone(other_topic), config)  # a topic with entries now: the navigation changed
    assert touched_articles(moved, config, alone(other_topic), live) is None
    missing = LiveArticles(live.changed, live.showing, live.grouping, live.topics,
                           {rel: value for rel, value in live.manifest.items() if "e10" not in rel})
    assert touched_articles(site, config, stories, missing) is None
    everything = LiveArticles(frozenset(e.path for e in entries), live.showing, live.grouping, live.topics,
                              live.manifest)
    assert touched_articles(site, config, stories, everything) is None  # most entries touched: plan them all


def test_changed_entries_are_the_added_removed_and_edited() -> None:
    assert changed_entries({"a": "1", "b": "2", "c": "3"}, {"a": "1", "b": "9", "d": "4"}) == {
        PurePosixPath("b"), PurePosixPath("c"), PurePosixPath("d")}
