"""theme.py's environment: the date filter, attribute lookup on dicts, and {% cache %}."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jinja2
import pytest

from digest.config import load_config
from digest.formats import format_date
from digest.theme import make_environment


@pytest.fixture
def env(tmp_path: Path) -> jinja2.Environment:
    (tmp_path / "digest.toml").write_text('[site]\ntitle = "T"\nbase_url = "https://example.org/"\n')
    return make_environment(load_config(tmp_path))


def test_dates_read_as_strftime_in_english() -> None:
    day = date(2020, 1, 1)
    while day < date(2021, 1, 8):
        for style in ("long", "short", "month", "iso"):
            expected = {"long": f"{day:%A} {day.day} {day:%B %Y}", "short": f"{day.day} {day:%b %Y}",
                        "month": f"{day:%B %Y}", "iso": day.isoformat()}[style]
            assert format_date(day, style) == expected
        day += timedelta(days=1)
    moment = datetime(2022, 8, 15, 9, 5, 7, tzinfo=UTC)
    assert format_date(moment, "time") == "09:05"
    assert format_date(moment, "datetime") == "15 Aug 2022, 09:05"
    assert format_date(moment) == "Monday 15 August 2022"


def test_dict_lookup_is_jinjas(env: jinja2.Environment) -> None:
    """A key wins unless it is also a dict method (as in Jinja); a missing one is still an error."""
    template = env.from_string("{{ d.title }} {{ d['items'] }} {{ d.items is callable }}")
    assert template.render(d={"title": "<b>", "items": "x"}) == "&lt;b&gt; x True"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ d.missing }}").render(d={})


def test_a_cached_fragment_renders_once_per_key(env: jinja2.Environment) -> None:
    calls: list[str] = []

    def shown(name: str) -> str:
        calls.append(name)
        return name

    template = env.from_string('{% for n in names %}[{% cache "t", n %}{{ shown(n) }}{% endcache %}]{% endfor %}')
    assert template.render(names=["a", "<b>", "a", "<b>"], shown=shown) == "[a][&lt;b&gt;][a][&lt;b&gt;]"
    assert calls == ["a", "<b>"]
    assert env.from_string('{% cache "one key" %}x{% endcache %}').render() == "x"


def test_two_templates_cache_fragments_of_one_name_apart(tmp_path: Path) -> None:
    """A theme's copy of a built-in macro, its {% cache "byline", ... %} kept, shows its own body,
    not the built-in one's rendered first for the same key (which one that was followed the order
    the pages rendered in: a build of a few pages differed from a cold build)."""
    (tmp_path / "digest.toml").write_text('[site]\ntitle = "T"\nbase_url = "https://example.org/"\ntheme = "mine"\n')
    mine = tmp_path / "themes/mine/templates"
    mine.mkdir(parents=True)
    (mine / "de.html").write_text('{% macro byline(e) %}{% cache "byline", e %}von {{ e }}{% endcache %}{% endmacro %}')
    (mine / "en.html").write_text('{% macro byline(e) %}{% cache "byline", e %}by {{ e }}{% endcache %}{% endmacro %}')
    env = make_environment(load_config(tmp_path))
    both = '{% import "en.html" as en %}{% import "de.html" as de %}{{ en.byline("A") }}|{{ de.byline("A") }}'
    assert env.from_string(both).render() == "by A|von A"
    assert env.from_string('{% import "de.html" as de %}{{ de.byline("A") }}').render() == "von A"


def test_a_time_says_which_zone_it_is_in() -> None:
    from zoneinfo import ZoneInfo

    from digest.formats import zone_name

    moment = datetime(2022, 8, 18, 12, 0, tzinfo=UTC)
    assert zone_name(moment.astimezone(ZoneInfo("Europe/London"))) == "BST"
    assert zone_name(datetime(2022, 1, 18, 12, 0, tzinfo=UTC).astimezone(ZoneInfo("Europe/London"))) == "GMT"
    assert zone_name(moment.astimezone(ZoneInfo("America/New_York"))) == "EDT"
    assert zone_name(moment) == "UTC"
    assert zone_name(moment.astimezone(ZoneInfo("Asia/Singapore"))) == "UTC+08"  # the tz database has no name
    assert zone_name(moment.astimezone(ZoneInfo("Asia/Kathmandu"))) == "UTC+0545"


def test_a_summary_that_only_repeats_the_key_points_is_an_echo() -> None:
    from digest.formats import echoes

    points = ["Russia and North Korea exchanged messages of mutual support on Monday, per state media outlets.",
              "Kim Jong-Un emphasized their ability to thwart \"hostile forces' military threat and provocation.\""]
    assert echoes(" ".join(points), points)
    assert echoes("Russia and North Korea exchanged messages of mutual support on Monday", points)
    assert not echoes("Russia and North Korea exchanged messages, a sign of closer ties.", points)
    assert not echoes("Russia and North Korea exchange", points)  # a word cut short is not the word
    assert not echoes("Anything", [])


def test_template_prints_follow_what_each_template_reads(tmp_path: Path) -> None:
    """template_prints: a template's hash covers itself and what it extends, includes and imports,
    through the theme's overrides ("default:" the built-in one); a missing one counts, so adding it
    changes the hash; one named by a value, unparsable or unreadable: None (it may read any)."""
    from digest.theme import template_prints

    (tmp_path / "digest.toml").write_text('[site]\ntitle = "T"\nbase_url = "https://example.org/"\ntheme = "mine"\n')
    mine = tmp_path / "themes/mine/templates"
    mine.mkdir(parents=True)

    def prints() -> dict[str, str | None]:
        return template_prints(make_environment(load_config(tmp_path)))

    (mine / "page.html").write_text('{% extends "default:base.html" %}{% include "part.html" ignore missing %}')
    first = prints()
    assert first["page.html"] and first["tag.html"] and first["archive.html"]
    (mine / "part.html").write_text("part")  # was missing: the page reads it now
    second = prints()
    assert second["page.html"] != first["page.html"] and second["tag.html"] == first["tag.html"]
    (mine / "macros.html").write_text((Path(__file__).parent.parent / "themes/default/templates/macros.html")
                                      .read_text() + "{# mine #}")
    third = prints()
    assert third["tag.html"] != second["tag.html"]  # it imports macros.html
    assert third["archive.html"] == second["archive.html"] and third["page.html"] == second["page.html"]
    (mine / "base.html").write_text("{{ 1 }}")  # page.html extends the built-in base, not this one
    assert prints()["page.html"] == third["page.html"] and prints()["archive.html"] != third["archive.html"]
    (mine / "dynamic.html").write_text('{% set name = "part.html" %}{% include name %}')
    (mine / "broken.html").write_text("{% if %}")
    (mine / "latin.html").write_bytes("caf\xe9".encode("latin-1"))
    found = prints()
    assert found["dynamic.html"] is None and found["broken.html"] is None and found["latin.html"] is None
    assert found["page.html"] == third["page.html"]


def test_reading_time_counts_chinese_and_japanese_by_the_character() -> None:
    """Chinese and Japanese have no spaces between words: a 1,500-character article is a 3-minute read, not
    "1 min read" because it holds a few space-separated runs; spaced scripts are still counted by the word."""
    from digest.formats import reading_time
    chinese = "北京宣布新的经济刺激计划以支持房地产市场。" * 75  # 1,575 characters
    assert reading_time(chinese) == 3
    assert reading_time("東京都は新しい計画を発表しました。" * 100) == 3  # 1,700 characters of kanji and kana
    assert reading_time("word " * 690) == 3
    assert reading_time("Путин и Ким обсудили сотрудничество. " * 138) == 3  # 690 words
    assert reading_time("서울 시장 선거 결과 발표 " * 138) == 3  # Hangul is written in words


def test_bodiless_templates_are_those_that_cannot_reach_an_entrys_body(tmp_path: Path) -> None:
    """bodiless_templates: a template that names no body (as an attribute, an item, an attribute given
    to a filter), no entry_html, reads no attribute by a computed name or a dunder, and reads no
    template that does; one that reads templates by a value, or cannot be parsed, may read any. The
    built-in theme's listings (editions, topics, tags, home, e-mails) show no body; its articles do."""
    from digest.theme import bodiless_templates

    (tmp_path / "digest.toml").write_text('[site]\ntitle = "T"\nbase_url = "https://example.org/"\ntheme = "mine"\n')
    mine = tmp_path / "themes/mine/templates"
    mine.mkdir(parents=True)
    showing = {
        "attribute.html": "{{ entry.body }}",
        "item.html": "{{ entry['body'] }}",
        "mapped.html": "{{ entries | map(attribute='body') | join }}",
        "rendered.html": "{{ entry_html(entry) }}",
        "computed.html": "{% set field = 'title' %}{{ entry[field] }}",
        "attr_filter.html": "{% set field = 'title' %}{{ entry | attr(field) }}",
        "dunder.html": "{{ entry.__dict__ }}",
        "includes.html": "{% include 'attribute.html' %}",
        "extends.html": "{% extends 'attribute.html' %}",
        "by_value.html": "{% set name = 'plain.html' %}{% include name %}",
        "broken.html": "{% if %}",
    }
    showing_none = {
        "plain.html": "{{ entry.title }} {{ entry.summary }} {{ entry.authors | join(', ') }}",
        "sliced.html": "{{ entries[:3] | map(attribute='title') | join }} {{ entry | attr('title') }}",
        "child.html": "{% extends 'plain.html' %}{% from 'macros.html' import byline %}",
    }
    for name, text in {**showing, **showing_none}.items():
        (mine / name).write_text(text + "\n")
    bodiless = bodiless_templates(make_environment(load_config(tmp_path)))
    assert set(showing_none) <= bodiless
    assert bodiless.isdisjoint(showing), sorted(bodiless & set(showing))
    assert {"edition.html", "topic.html", "tag.html", "index.html", "email/email.html", "email/email.txt"} <= bodiless
    assert "article.html" not in bodiless
