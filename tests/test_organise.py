"""Editions, topics, tags and story placement (organise is pure: entries + stories -> Site)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import PurePosixPath

from digest.build import BuildOptions, build
from digest.config import load_config
from digest.model import Entry, Story
from digest.organise import organise

from .conftest import NOW, entry_text


def make_entry(name: str, when: str, topic: str = "world", tags: tuple[str, ...] = ()) -> Entry:
    return Entry(path=PurePosixPath(f"content/{name}.md"), title=name, published=datetime.fromisoformat(when),
                 slug=name, body="", topic=topic, tags=tags, content_hash=name)


def alone(entry: Entry) -> Story:
    return Story(key=entry.slug, lead=entry, members=(entry,))


def test_editions_are_local_days_in_topic_order(make_site) -> None:
    config = load_config(make_site())  # Europe/London; topics world, business
    late = make_entry("late", "2022-08-15T23:30:00+00:00", "business")  # 00:30 on the 16th in London
    early = make_entry("early", "2022-08-16T08:00:00+01:00", "world")
    other = make_entry("other", "2022-08-15T10:00:00+01:00", "world")
    site = organise([late, early, other], [alone(late), alone(early), alone(other)], config)
    assert [e.day for e in site.editions] == [date(2022, 8, 16), date(2022, 8, 15)]
    newest = site.editions[0]
    assert [s.topic.slug for s in newest.sections] == ["world", "business"]
    assert site.entries[0] is early


def test_the_sites_indexes_are_its_entries_by_local_day_topic_and_address(make_site) -> None:
    """What the reuse layer and the pages' plan both read, made once a site: each local day's
    entries and each topic's (newest first, an entry without a topic under the default one, with
    its place there), and each article's address as permalinks gives it (the local day: 23:30 UTC
    is the next day in London)."""
    from digest.permalinks import entry_url

    config = load_config(make_site())  # Europe/London; topics world, business
    late = make_entry("late", "2022-08-15T23:30:00+00:00", "business")
    early = make_entry("early", "2022-08-16T08:00:00+01:00", "world")
    other = make_entry("other", "2022-08-15T10:00:00+01:00", "world")
    bare = make_entry("bare", "2022-08-15T09:00:00+01:00", "")
    entries = [late, early, other, bare]
    site = organise(entries, [alone(e) for e in entries], config)
    assert site.entries_by_day == {date(2022, 8, 16): [early, late], date(2022, 8, 15): [other, bare]}
    by_topic, position = site.topic_lists
    assert by_topic == {"world": [early, other], "business": [late], "general": [bare]}  # the default topic
    assert all(by_topic[e.topic or config.default_topic][position[e.path]] is e for e in entries)
    assert site.article_urls == {e.path: entry_url(e, config) for e in entries}
    assert site.article_urls[late.path] == "2022/08/16/late/"
    assert site.topic_lists is site.topic_lists  # made once


def test_a_story_belongs_to_the_edition_of_its_first_entry(make_site) -> None:
    config = load_config(make_site())
    first = make_entry("first", "2022-08-15T10:00:00+01:00")
    second = make_entry("second", "2022-08-15T12:00:00+01:00")
    later = make_entry("later", "2022-08-17T09:00:00+01:00")
    story = Story(key="k", lead=first, members=(first, second, later))
    site = organise([first, second, later], [story], config)
    by_day = {e.day: e for e in site.editions}
    assert by_day[date(2022, 8, 15)].stories == (story,)
    assert by_day[date(2022, 8, 17)].stories == ()
    assert [f.entry for f in by_day[date(2022, 8, 17)].followups] == [later]


def test_tags_merge_by_slug(make_site) -> None:
    config = load_config(make_site())
    a = make_entry("a", "2022-08-15T10:00:00+01:00", tags=("Ukraine War",))
    b = make_entry("b", "2022-08-16T10:00:00+01:00", tags=("ukraine-war", "Russia"))
    site = organise([a, b], [alone(a), alone(b)], config)
    assert [(t.slug, len(t.entries)) for t in site.tags] == [("russia", 1), ("ukraine-war", 2)]


def test_topic_pages_paginate_from_the_oldest_so_an_addition_shifts_nothing(make_site) -> None:
    titles = ["Volcano erupts in Iceland", "Chess champion retires", "New bridge opens in Lisbon",
              "Wheat harvest breaks record", "Museum returns bronze statues", "Ferry strike ends"]
    files = {f"content/e{i}.md": entry_text(title, date=f"2022-08-{10 + i}T10:00:00Z", topic="world", story=f"s{i}")
             for i, title in enumerate(titles[:5])}
    root = make_site(files, config='[site]\nitems_per_page = 2\n[[topics]]\nslug = "world"\n')
    build(root, BuildOptions(now=NOW, jobs=1))
    out = root / "output/topics/world"
    first = (out / "index.html").read_text()
    assert titles[4] in first and titles[3] in first and titles[2] not in first  # the newest two
    assert 'href="../../topics/world/page/3/"' in first or "page/3/" in first  # older: the page after them
    oldest = (out / "page/2/index.html").read_text()
    assert titles[0] in oldest and titles[1] in oldest and 'rel="prev"' in oldest and 'rel="next"' not in oldest
    middle = (out / "page/3/index.html").read_text()
    assert titles[2] in middle and titles[3] in middle and 'rel="next"' in middle and 'rel="prev"' in middle
    assert titles[4] in (out / "page/4/index.html").read_text() and not (out / "page/5").exists()

    (root / "content/e5.md").write_text(entry_text(titles[5], date="2022-08-15T10:00:00Z", topic="world",
                                                   story="s5"))
    build(root, BuildOptions(now=NOW, jobs=1))
    assert (out / "page/2/index.html").read_text() == oldest  # full pages keep their content
    assert (out / "page/3/index.html").read_text() == middle
    assert titles[5] in (out / "page/4/index.html").read_text() and titles[5] in (out / "index.html").read_text()
