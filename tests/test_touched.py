"""reuse/touched.py: which pages a change of a few entries can have changed. The rebuild
sequences (test_rebuild_sequences.py) hold whole builds to cold ones; these pin the cases they
rarely meet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

import pytest

from digest.config import Config, load_config
from digest.model import Entry, Site, Story
from digest.organise import organise
from digest.pages import Selection, plan_pages
from digest.permalinks import entry_url
from digest.reuse.touched import LivePlan, changed_entries, grouping, site_shape, touched_pages
from digest.stories import make_story
from digest.urls import is_article_output, output_path

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
            showing: set[str] = frozenset()) -> LivePlan:  # type: ignore[assignment]
    """The live plan of `site`: every page's fingerprint ("print <its path>"); `showing`: the units
    that showed a touched entry."""
    manifest = {page.output_path: f"print {page.output_path}" for page in plan_pages(site, config)}
    return LivePlan(frozenset(changed), lambda _paths: set(showing), grouping(stories), site_shape(site), manifest)


def articles(chosen: tuple[Selection, dict[str, str]] | None) -> set[PurePosixPath]:
    assert chosen is not None
    return set(chosen[0].articles)


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
    chosen = touched_pages(site, config, stories, live)
    assert chosen is not None
    touched, kept = articles(chosen), chosen[1]
    # newer entries (listed first) show the next ones as related: those just after the new one in time
    assert new.path in touched
    assert {e.path for e in old[10:14]} <= touched
    assert not {e.path for e in old[:9]} & touched  # older ones do not show it
    assert not {e.path for e in old[16:]} & touched  # nor entries far from it
    assert {rel for rel in kept if is_article_output(rel)} == {
        output_path(entry_url(e, config)) for e in entries if e.path not in touched}
    assert all(value == f"print {rel}" for rel, value in kept.items())


def test_a_page_that_showed_a_changed_entry_is_touched(config: Config) -> None:
    entries = [entry(n) for n in range(20)]
    stories = alone(entries)
    site = organise(entries, stories, config)
    shown_by = output_path(entry_url(entries[3], config))
    live = live_of(site, config, stories, {entries[15].path}, {shown_by, "topics/world/index.html"})
    chosen = touched_pages(site, config, stories, live)
    assert entries[3].path in articles(chosen) and chosen is not None and shown_by not in chosen[1]
    assert "world" in chosen[0].topics and "topics/world/index.html" not in chosen[1]


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
    chosen = touched_pages(site, config, stories, live_of(old_site, config, old_stories, {added.path}))
    assert {old[2].path, old[3].path, added.path} <= articles(chosen)


def test_changed_stories_touch_their_members_before_and_now(config: Config) -> None:
    entries = [entry(n) for n in range(20)]
    old_stories = [make_story("ka", [entries[1], entries[2]], 0.5, "similar 0.50"), *alone(entries[3:]),
                   *alone([entries[0]])]
    stories = [make_story("ka", [entries[1]], 1.0, "alone"), make_story("kb", [entries[2], entries[0]], 0.4,
                                                                       "similar 0.40"), *alone(entries[3:])]
    site = organise(entries, stories, config)
    chosen = touched_pages(site, config, stories, live_of(site, config, old_stories, {entries[19].path}))
    assert {entries[0].path, entries[1].path, entries[2].path} <= articles(chosen)
    assert entries[5].path not in articles(chosen)


def test_everything_is_planned_when_the_topics_change_or_a_kept_page_is_unknown(config: Config) -> None:
    entries = [entry(n) for n in range(20)]
    stories = alone(entries)
    site = organise(entries, stories, config)
    live = live_of(site, config, stories, {entries[0].path})
    assert touched_pages(site, config, stories, live) is not None
    other_topic = [*entries[:19], Entry(**{**entries[19].__dict__, "topic": "business"})]
    moved = organise(other_topic, alone(other_topic), config)  # a topic with entries now: the navigation changed
    assert touched_pages(moved, config, alone(other_topic), live) is None
    missing = LivePlan(live.changed, live.showing, live.grouping, live.topics,
                           {rel: value for rel, value in live.manifest.items() if "e10" not in rel})
    assert touched_pages(site, config, stories, missing) is None
    everything = LivePlan(frozenset(e.path for e in entries), live.showing, live.grouping, live.topics,
                          live.manifest)
    assert touched_pages(site, config, stories, everything) is None  # most entries touched: plan them all


def test_changed_entries_are_the_added_removed_and_edited() -> None:
    assert changed_entries({"a": "1", "b": "2", "c": "3"}, {"a": "1", "b": "9", "d": "4"}) == {
        PurePosixPath("b"), PurePosixPath("c"), PurePosixPath("d")}


def tagged(number: int, day: int, tags: tuple[str, ...], topic: str = "world") -> Entry:
    return Entry(path=PurePosixPath(f"content/d{number:02d}.md"), title=f"Headline {number}", slug=f"d{number:02d}",
                 published=START + timedelta(days=day), body="Body.", topic=topic, tags=tags,
                 content_hash=f"h{number}")


def test_a_new_entry_touches_its_edition_its_neighbours_its_week_and_its_listings(config: Config) -> None:
    """An entry added on a day of its own: its edition, the editions whose pages link to it (and
    count its articles), its week's e-mail, its tag's and topic's listings; not the others."""
    old = [tagged(n, day=2 * n, tags=(f"t{n % 5}",), topic="business" if n % 2 else "world") for n in range(12)]
    old_stories = alone(old)
    old_site = organise(old, old_stories, config)
    added = tagged(40, day=9, tags=("t3",), topic="world")  # between the editions of days 8 and 10
    entries = [*old, added]
    stories = alone(entries)
    site = organise(entries, stories, config)
    chosen = touched_pages(site, config, stories, live_of(old_site, config, old_stories, {added.path}))
    assert chosen is not None
    selection, kept = chosen
    day = START.date()
    assert set(selection.editions) == {day + timedelta(days=d) for d in (8, 9, 10)}
    assert set(selection.tags) == {"t3"} and set(selection.topics) == {"world"}
    assert selection.weeks and len(selection.weeks) <= 2
    assert "2022/08/01/index.html" in kept and "2022/08/01/email.html" in kept  # day 0: far from it
    assert "tags/t1/index.html" in kept and "topics/business/index.html" in kept
    assert not {rel for rel in kept if rel.startswith(("2022/08/10/", "tags/t3/", "topics/world/"))
                and not is_article_output(rel)}
    planned = {page.output_path for page in plan_pages(site, config, selection)}
    assert {"2022/08/10/index.html", "2022/08/10/email.html", "tags/t3/index.html", "index.html"} <= planned
    assert not planned & set(kept)
    # every page of the new site is either planned or kept
    assert planned | set(kept) == {page.output_path for page in plan_pages(site, config)}


def test_a_deleted_entry_touches_the_neighbours_of_its_edition_gone(config: Config) -> None:
    old = [tagged(n, day=2 * n, tags=(f"t{n % 5}",)) for n in range(12)]
    old_stories = alone(old)
    old_site = organise(old, old_stories, config)
    gone = old[5]  # alone on day 10
    entries = [e for e in old if e is not gone]
    stories = alone(entries)
    site = organise(entries, stories, config)
    showed = {"2022/08/11/index.html", "2022/08/11/email.html", "tags/t0/page/2/index.html"}
    chosen = touched_pages(site, config, stories, live_of(old_site, config, old_stories, {gone.path}, showed))
    assert chosen is not None
    selection, kept = chosen
    day = START.date()
    assert {day + timedelta(days=d) for d in (8, 12)} <= set(selection.editions)  # its neighbours, now linked
    assert "t0" in selection.tags
    assert "2022/08/09/index.html" not in kept and "2022/08/13/index.html" not in kept
    assert "2022/08/03/index.html" in kept
