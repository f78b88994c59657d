from __future__ import annotations

from pathlib import Path

import pytest

from digest.config import load_config
from digest.errors import BuildFailed, ConfigError, DigestError


def _errors(exc: DigestError) -> list[DigestError]:
    return exc.errors if isinstance(exc, BuildFailed) else [exc]


def test_defaults_without_a_file_when_not_required(tmp_path: Path) -> None:
    config = load_config(tmp_path, required=False)
    assert config.topics_from_entries
    assert config.base_url.endswith("/")


def test_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert caught.value.path == tmp_path / "digest.toml"
    assert caught.value.hint


def test_unknown_key_suggests_the_closest(make_site) -> None:
    root = make_site(config='[site]\ntitle = "x"\nbase_ulr = "https://a.example/"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert "base_ulr" in str(caught.value) and "base_url" in str(caught.value)
    assert caught.value.line == 3


def test_every_problem_is_reported_at_once(make_site) -> None:
    root = make_site(config='[site]\ntitle = 3\ntimezone = "Mars/Olympus"\nbase_url = "ftp://x"\n[feeds]\nitem = 5\n')
    with pytest.raises(BuildFailed) as caught:
        load_config(root)
    messages = [str(e) for e in _errors(caught.value)]
    assert len(messages) == 4
    assert any("site.title" in m and "string" in m for m in messages)
    assert any("timezone" in m for m in messages)
    assert any("base_url" in m for m in messages)
    assert any("'item'" in m and "items" in m for m in messages)


def test_bad_toml_names_the_line(make_site) -> None:
    root = make_site(config='[site]\ntitle = "unterminated\n')
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert caught.value.line == 2


def test_topic_alias_claimed_twice(make_site) -> None:
    root = make_site(config='[[topics]]\nslug = "world"\naliases = ["News"]\n[[topics]]\nslug = "politics"\n'
                            'aliases = ["news"]\n')
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert "claimed" in str(caught.value)


def test_topics_and_aliases_resolve(make_site) -> None:
    root = make_site()
    config = load_config(root)
    assert [t.slug for t in config.topics] == ["world", "business", "general"]
    world = config.topic_for("world news")
    assert world is not None and world.slug == "world"
    assert config.topic_for("WORLD") == world
    assert config.topic_for("sport") is None


def test_bad_topic_slug(make_site) -> None:
    root = make_site(config='[[topics]]\nslug = "World News"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert "slug" in str(caught.value)
