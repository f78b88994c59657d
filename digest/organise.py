"""Pure: published entries + their stories + config -> Site (editions, topics, tags)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import PurePosixPath

from digest.config import Config
from digest.model import Edition, Entry, Followup, Site, Story, Tag, Topic, TopicSection, is_undated
from digest.stories import make_story
from digest.urls import article_url, tag_slug


def is_published(entry: Entry, config: Config, now: datetime) -> bool:
    """Drafts and entries dated in the future stay out unless the config asks for them; a draft
    without a date stays out always."""
    if entry.draft and (not config.drafts or is_undated(entry)):
        return False
    return config.future or entry.published <= now


def site_topics(entries: Sequence[Entry], config: Config) -> tuple[Topic, ...]:
    """The configured topics that have entries, in configured order; or, with none configured,
    the entries' own topics alphabetically."""
    used = {e.topic for e in entries if e.topic}
    if config.topics_from_entries:
        return tuple(Topic(slug, slug.replace("-", " ").title()) for slug in sorted(used))
    return tuple(t for t in config.topics if t.slug in used)


def story_topic(story: Story, config: Config) -> str:
    """The topic a story is listed under (its section in an edition, its topic's pages): its lead's."""
    return story.lead.topic or config.default_topic


def _story_order(story: Story) -> tuple[int, float, str]:
    # In an edition, stories with more coverage first, then the newest.
    return (-len(story.members), -story.lead.published.timestamp(), story.key)


def _join_shared_keys(stories: Sequence[Story]) -> list[Story]:
    """Stories that share a key are one story told over several days: a curator who gives a later
    report the key of an earlier story (`story:` as `digest stories` prints it) links it there."""
    by_key: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        by_key[story.key].append(story)
    joined = []
    for key, same in by_key.items():
        if len(same) == 1:
            joined.append(same[0])
            continue
        members = {m.path: m for s in same for m in s.members}
        joined.append(make_story(key, list(members.values()), min(s.score for s in same), "curator"))
    return joined


def local_days(entries: Sequence[Entry], config: Config) -> dict[PurePosixPath, date]:
    """Each entry's day in the site's time zone: its edition, and its article's address (permalinks)."""
    tz = config.tz
    return {e.path: e.published.astimezone(tz).date() for e in entries}


def article_urls(entries: Sequence[Entry], days: Mapping[PurePosixPath, date]) -> dict[PurePosixPath, str]:
    """Each entry's page's address (permalinks.entry_url), from its day (local_days)."""
    return {e.path: article_url(days[e.path], e.slug) for e in entries}


def organise(entries: Sequence[Entry], stories: Sequence[Story], config: Config,
             days: Mapping[PurePosixPath, date] | None = None,
             urls: Mapping[PurePosixPath, str] | None = None) -> Site:
    """`days`: local_days(entries, config), when the caller has them; `urls`: article_urls(entries, days),
    likewise."""
    stories = _join_shared_keys(stories)
    ordered = tuple(sorted(entries, key=lambda e: (-e.published.timestamp(), str(e.path))))
    if days is None:
        days = local_days(ordered, config)
    edition_day = {e.path: days[e.path] for e in ordered}
    # Most stories are one entry: its day, no later report (the loops below are over every story)
    first_day = {s.key: edition_day[s.members[0].path] if len(s.members) == 1 else
                 min(edition_day[m.path] for m in s.members) for s in stories}
    story_of: dict[PurePosixPath, Story] = {m.path: s for s in stories for m in s.members}
    topics = site_topics(ordered, config)
    topic_rank = {t.slug: i for i, t in enumerate(topics)}

    by_day: dict[date, dict[str, list[Story]]] = defaultdict(lambda: defaultdict(list))
    followups: dict[date, list[Followup]] = defaultdict(list)
    for story in stories:
        day = first_day[story.key]
        by_day[day][story_topic(story, config)].append(story)
        if len(story.members) > 1:
            for member in story.members:
                if edition_day[member.path] != day:
                    followups[edition_day[member.path]].append(Followup(member, story))

    topic_by_slug = {t.slug: t for t in topics}
    editions = []
    for day in sorted(set(by_day) | set(followups), reverse=True):
        sections = tuple(
            TopicSection(topic_by_slug[slug], tuple(sorted(day_stories, key=_story_order)))
            for slug, day_stories in sorted(by_day[day].items(), key=lambda kv: topic_rank.get(kv[0], 1 << 30))
            if slug in topic_by_slug
        )
        day_followups = tuple(sorted(followups.get(day, ()), key=lambda f: (-f.entry.published.timestamp(),
                                                                           str(f.entry.path))))
        editions.append(Edition(day=day, sections=sections, followups=day_followups))

    stories_newest = tuple(sorted(stories, key=lambda s: (-s.lead.published.timestamp(), s.key)))
    topic_stories: dict[str, list[Story]] = defaultdict(list)
    for story in stories_newest:
        topic_stories[story_topic(story, config)].append(story)

    return Site(
        entries=ordered,
        stories=stories_newest,
        story_of=story_of,
        editions=tuple(editions),
        topics=topics,
        topic_stories={slug: tuple(v) for slug, v in topic_stories.items()},
        tags=_tags(ordered),
        edition_day=edition_day,
        article_urls={e.path: urls[e.path] for e in ordered} if urls is not None else article_urls(ordered, days),
        default_topic=config.default_topic,
    )


def _tags(entries: Sequence[Entry]) -> tuple[Tag, ...]:
    """Tags by slug; 'Ukraine War' and 'ukraine-war' are one tag, named as first seen newest."""
    names: dict[str, str] = {}
    members: dict[str, list[Entry]] = {}
    slugs: dict[str, str] = {}  # tag name -> slug: the same few names recur across thousands of entries
    for entry in entries:
        for name in entry.tags:
            slug = slugs.get(name)
            if slug is None:
                slug = slugs[name] = tag_slug(name)
            tagged = members.get(slug)
            if tagged is None:
                members[slug] = [entry]
                names[slug] = name
            elif tagged[-1] is not entry:
                tagged.append(entry)
    return tuple(Tag(slug, names[slug], tuple(members[slug])) for slug in sorted(members))
