"""The theme's speed-ups (digest/theme.py) give what plain Jinja and Python give."""

from __future__ import annotations

import random
from pathlib import Path

import jinja2
import pytest

from digest.config import load_config
from digest.formats import word_count
from digest.theme import make_environment


@pytest.fixture
def env(tmp_path: Path) -> jinja2.Environment:
    (tmp_path / "digest.toml").write_text('[site]\ntitle = "T"\nbase_url = "https://example.org/"\n')
    return make_environment(load_config(tmp_path))


def test_word_count_is_len_of_split() -> None:
    rng = random.Random(7)
    texts = ["", " ", "a", " a ", "a\u00a0b", "caf\u00e9 au lait", "a\x1cb\x1fc", "a\tb\nc\x0bd\x0ce\rf  g"]
    texts += ["".join(rng.choice("ab \t\n\r\x0b\x0c\x1c\x1f\x00-\u2003") for _ in range(rng.randint(0, 40)))
              for _ in range(3000)]
    for text in texts:
        assert word_count(text) == len(text.split()), repr(text)


def test_cache_renders_once_per_key_and_keeps_its_variables(env: jinja2.Environment) -> None:
    calls: list[int] = []
    env.globals["count"] = lambda: calls.append(1) or len(calls)
    template = env.from_string('{% set x = "outer" %}{% for k in keys %}{% cache "t", k %}'
                               '{% set x = "inner" %}<{{ k }}:{{ count() }}:{{ x }}>{% endcache %}{% endfor %}{{ x }}')
    assert template.render(keys=["a", "b", "a", "<"]) == "<a:1:inner><b:2:inner><a:1:inner><&lt;:3:inner>outer"
    assert template.render(keys=["b"]) == "<b:2:inner>outer"  # for the rest of the build


def test_calls_still_pass_the_context_when_asked(env: jinja2.Environment) -> None:
    env.globals["page"] = jinja2.pass_context(lambda context, suffix: context["name"] + suffix)
    env.globals["plain"] = lambda value="d": value * 2

    class Callable:
        def __call__(self, value: str) -> str:
            return value.upper()

    env.globals["obj"] = Callable()
    template = env.from_string('{% macro m(a, b="B") %}{{ a }}{{ b }}{% endmacro %}'
                               '{% for i in [1] %}{{ page("!") }}{{ plain("x") }}{{ plain() }}{{ obj("y") }}'
                               '{{ m("a") }}{{ m(1, b=2) }}{{ "ab".startswith("a") }}{% endfor %}')
    assert template.render(name="n") == "n!xxddYaB12True"


def test_dict_lookups_as_jinja_does_them(env: jinja2.Environment) -> None:
    template = env.from_string("{{ d.title }} {{ d.items is callable }} {{ d.mro }} {{ o.real }} "
                               "{{ o.nope is defined }}")
    assert template.render(d={"title": "T", "items": 1, "mro": 2}, o=3) == "T True 2 3 False"
