"""The theme's speed-ups (digest/theme.py) give what plain Jinja and Python give."""

from __future__ import annotations

import random
from pathlib import Path

import jinja2
import pytest
from jinja2.filters import do_wordwrap
from markupsafe import Markup

from digest.config import load_config
from digest.formats import word_count
from digest.theme import _wrapped, make_environment, wordwrap


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


def test_wordwrap_is_jinjas(env: jinja2.Environment) -> None:
    """The short way for text that fits gives what Jinja's filter gives, exceptions too: lines that
    fit, with whitespace at either end (textwrap drops it), Unicode spaces and line breaks, long words."""
    rng = random.Random(11)
    alphabet = ["a", "bc", "word", "hy-phen", "longerwordthanwidth", " ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c",
                "\x1c", "\x85", "\u2028", "\xa0", "\u3000", "é", "-"]
    texts = ["", " ", "\n", "a", " a", "a ", "a\xa0", "\xa0a", "a\n\nb", "a \n b"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(4000)]
    for text in texts:
        for width in (rng.randint(1, 30), 70, 0):
            args = (width, rng.random() < 0.5, rng.choice([None, "\n  ", Markup("<br>")]), rng.random() < 0.5)
            results = []
            for wrap in (wordwrap, do_wordwrap):
                try:
                    got = wrap(env, text, *args)
                    results.append((got, got.__class__))
                except ValueError as exc:
                    results.append((str(exc), ValueError))
            assert results[0] == results[1], (text, args)
    for text in (Markup("a <b>"), Markup(" a ")):
        assert wordwrap(env, text, 10) == do_wordwrap(env, text, 10)
    assert env.from_string("{{ t | wordwrap(5, wrapstring='|') }}").render(t="ab cd ef") == "ab cd|ef"
    assert env.filters["wordwrap"] is wordwrap


def test_wordwrap_of_long_text_is_jinjas(env: jinja2.Environment) -> None:
    """theme._wrapped, which wraps a line of words one space apart without textwrap, gives textwrap's
    lines: sentences of many lines, at every width, with hyphens (textwrap may cut a word after one),
    dashes, non-ASCII letters, Unicode spaces, runs of whitespace, line breaks and words longer than a
    line; and it is what wraps most of them (not textwrap, through Jinja's filter)."""
    rng = random.Random(17)
    words = ["a", "I", "of", "the", "news", "report", "well-known", "co-op", "x-ray", "a-b-c", "--", "---", "-", "-x",
             "x-", "e-mail", "2023-24", "state-of-the-art", "word--word", "ab--", "--cd", "é-à", "Zoë", "naïve",
             "日本語", "—", "a—b", "supercalifragilistic", "x" * 70, "y" * 71, "!", "3.5%", "-b", "o-", "-o-",
             "\xa0", "a\xa0b", "\u3000", "\x1c", "'q'", '"q"']
    spaces = ["  ", "   ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x85", "\u2028", " \n ", "\xa0"]
    fast = 0
    for number in range(5000):
        clean = number % 2 == 0  # words one space apart, as summaries are: mostly wrapped without textwrap
        parts: list[str] = []
        for _ in range(rng.choice([1, 2, 5, 10, 30, 80, 120])):
            parts += [rng.choice(words[:30] if clean else words),
                      " " if clean or rng.random() < 0.8 else rng.choice(spaces)]
        text = "".join(parts[:-1] if rng.random() < 0.9 else [rng.choice(spaces), *parts])
        for width in (rng.randint(1, 12), rng.randint(1, 90), 70):
            hyphens = rng.choice([True, False, 1])  # textwrap splits at hyphens when it `is True`
            args = (width, rng.random() < 0.5, rng.choice([None, "\n  ", "|"]), hyphens)
            assert wordwrap(env, text, *args) == do_wordwrap(env, text, *args), (text, args)
            fast += all(_wrapped(line, width, hyphens is True) is not None for line in text.splitlines())
    assert fast > 4000


def test_template_globals_are_the_environments_and_their_own(env: jinja2.Environment) -> None:
    """make_globals: a dict, not Jinja's ChainMap, with what a ChainMap shows: the environment's globals
    as set before templates are loaded, overlaid by a template's own, which no other template sees;
    an imported template's macros see the globals too."""
    env.globals["who"] = "env"
    env.loader = jinja2.DictLoader({"m.html": "{% macro m() %}{{ who }}{{ range(2) | list }}{% endmacro %}",
                                    "p.html": '{% from "m.html" import m %}{{ m() }} {{ who }}{{ range(1) | list }}'})
    own = env.get_template("p.html", globals={"who": "own"})
    assert own.render() == "env[0, 1] own[0]"
    assert env.get_template("m.html").module.m() == "env[0, 1]"
    env.get_template("m.html", globals={"later": 1})  # the loaded template's own, not the environment's
    assert "later" not in env.globals and env.get_template("m.html").globals["later"] == 1
    assert env.from_string("{{ who }}").render() == "env"
    assert env.globals["who"] == "env" and own.globals["who"] == "own"
    assert env.from_string("{{ who }}", globals={"who": "x"}).render(who="context") == "context"


class _Html:
    def __html__(self) -> str:
        return "<i>safe</i>"


class _Text(str):
    pass


def test_output_is_escaped_as_jinja_escapes_it(env: jinja2.Environment) -> None:
    """escaped_output in every place Jinja writes output: a page, a macro, a block, {% set %}, an
    include, a filter block, a call block, autoescape turned off and on again; values of every kind."""
    rng = random.Random(11)
    values: list[object] = ["", "plain", "a & b", "<b>", "'q'", '"dq"', Markup("<em>&amp;</em>"), _Html(),
                            _Text("<sub>"), 5, -2.5, True, None, ["<", 1], {"k": "<v>"}, "\u00e9 \u2028 \x00"]
    values += ["".join(rng.choice("ab <>&'\"\u00e9\n") for _ in range(rng.randint(0, 12))) for _ in range(300)]
    sources = {
        "part.html": "[{{ v }}]",
        "page.html": ("{% macro m(x) %}<{{ x }}>{% endmacro %}{% macro c(x) %}<{{ x }}|{{ caller() }}>{% endmacro %}"
                      "{% block b %}{{ v }}{% endblock %}{% set s %}{{ v }}!{% endset %}{{ s }}{{ s | length }}"
                      "{{ m(v) }}{% call c(v) %}{{ v }}{% endcall %}{% include 'part.html' %}"
                      "{% filter upper %}{{ v }}{% endfilter %}{{ v | e }}{{ v ~ v }}{{ [v, v] | join }}"
                      "{% autoescape false %}{{ v }}{% autoescape true %}{{ v }}{% endautoescape %}{% endautoescape %}"
                      "{% autoescape flag %}{{ v }}{% endautoescape %}"),
        "child.html": "{% extends 'page.html' %}{% block b %}({{ super() }}{{ v }}){% endblock %}",
    }
    plain = jinja2.Environment(loader=jinja2.DictLoader(sources), autoescape=True, undefined=jinja2.StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.loader = jinja2.DictLoader(sources)
    for value in values:
        for name in ("page.html", "child.html"):
            for flag in (True, False):
                expected = plain.get_template(name).render(v=value, flag=flag)
                assert env.get_template(name).render(v=value, flag=flag) == expected, (value, name, flag)
    assert "escaped_output(" in env.compile(sources["page.html"], raw=True)  # what is tested is ours
