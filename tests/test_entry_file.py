from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath

import pytest

from digest.characters import FORBIDDEN
from digest.config import load_config
from digest.entry_file import clean_text, parse_entry
from digest.errors import ContentError

from .conftest import entry_text


@pytest.fixture
def config(make_site):
    return load_config(make_site())


def parse(config, text: str | bytes, name: str = "content/x.md"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_entry(data, PurePosixPath(name), config)


def error_of(config, text: str | bytes) -> ContentError:
    with pytest.raises(ContentError) as caught:
        parse(config, text)
    assert str(caught.value.path) == "content/x.md"
    assert caught.value.hint
    return caught.value


def test_a_full_entry(config) -> None:
    entry = parse(config, entry_text(
        "Putin and Kim", topic="World News", tags='["Russia", "North Korea", "Russia"]',
        authors="[Mia Jankowicz]", source="Business Insider", source_url="https://example.com/a",
        key_points='["one", "two"]', summary="A summary.", flavour="kept", story="putin-kim", lead="true"))
    assert entry.title == "Putin and Kim"
    assert entry.topic == "world"
    assert entry.tags == ("Russia", "North Korea")
    assert entry.authors == ("Mia Jankowicz",)
    assert entry.key_points == ("one", "two")
    assert entry.extra == {"flavour": "kept"}
    assert entry.story == "putin-kim" and entry.lead
    assert entry.slug == "x"
    assert entry.published == datetime.fromisoformat("2022-08-15T09:00:00+01:00")
    assert entry.body.strip() == "Body text."


def test_a_date_without_offset_is_in_the_site_timezone(config) -> None:
    entry = parse(config, entry_text(date="2022-08-15"))
    assert entry.published.utcoffset().total_seconds() == 3600  # Europe/London in summer


def test_missing_title_names_the_line(config) -> None:
    error = error_of(config, "---\ndate: 2022-08-15\n---\nbody\n")
    assert "title" in error.message


def test_missing_date_unless_draft(config) -> None:
    assert "date" in error_of(config, "---\ntitle: x\n---\nbody\n").message
    assert parse(config, "---\ntitle: x\ndraft: true\n---\nbody\n").draft


def test_no_front_matter(config) -> None:
    error = error_of(config, "just text\n")
    assert error.line == 1 and "front matter" in error.message


def test_unterminated_front_matter(config) -> None:
    assert "not closed" in error_of(config, "---\ntitle: x\ndate: 2022-08-15\nbody\n").message


def test_not_a_mapping(config) -> None:
    assert "mapping" in error_of(config, "---\n- a\n- b\n---\nbody\n").message


def test_bad_yaml_names_the_line(config) -> None:
    error = error_of(config, "---\ntitle: x\ndate: 2022-08-15\ntags: [a, b\n---\nbody\n")
    assert error.line is not None and error.line >= 4


def test_python_tags_are_refused(config) -> None:
    error_of(config, "---\ntitle: !!python/object/apply:os.system ['true']\ndate: 2022-08-15\n---\nb\n")


def test_alias_bombs_are_refused(config) -> None:
    bomb = "---\ntitle: x\ndate: 2022-08-15\na: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a]\n" \
           "c: &c [*b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c]\n---\nbody\n"
    assert "alias" in error_of(config, bomb).message


def test_a_direction_left_open_is_closed_where_the_value_ends(config) -> None:
    # A title "\u202egnp.exe" (right-to-left override, never closed) reversed what the page, feed or e-mail
    # put after it: "<title>\u202egnp.exe · Site" showed the site's name backwards.
    entry = parse(config, entry_text(title="it's \u202egnp.exe", summary='"a\u202cb \u2067x\u202ey"',
                                     tags='["\u202eevil", "\u2066\u2069ok"]', source='"\u202dA\u202c\u202c"'))
    assert entry.title == "it's \u202egnp.exe\u202c"
    assert entry.summary == "ab \u2067x\u202ey\u202c\u2069"  # a PDF closing nothing goes; each opener closed
    assert entry.tags == ("\u202eevil\u202c", "\u2066\u2069ok") and entry.source == "\u202dA\u202c"


def test_a_key_given_twice_is_refused(config) -> None:
    # YAML forbids it; PyYAML kept the last value without a word, so the second title was published
    error = error_of(config, "---\ntitle: The first\ndate: 2022-08-15\ntitle: The second\n---\nbody\n")
    assert "'title' is given twice" in error.message and error.line == 4 and "line 2" in error.hint
    error = error_of(config, entry_text(flavour="{colour: red, colour: blue}"))
    assert "'colour' is given twice" in error.message and error.line == 4
    assert parse(config, entry_text(flavour="{colour: red, Colour: blue}")).extra["flavour"]["Colour"] == "blue"


def test_aliases_of_a_text_are_refused(config) -> None:
    # A 100 KB text named 3,000 times by aliases in a 200 KB file: an incremental build compared the entry
    # through repr(), which wrote the text out every time (617 MB); 30,000 aliases would have needed 6 GB.
    bomb = (f"---\ntitle: x\ndate: 2022-08-15\nsummary: &a {'x' * 100_000}\n"
            f"flavour: [{', '.join(['*a'] * 3000)}]\n---\nbody\n")
    error = error_of(config, bomb)
    assert "anchors/aliases" in error.message and error.line == 4
    # '&' and '*' in ordinary values are no anchor or alias
    entry = parse(config, entry_text("AT&T *and* Q&A", summary="'&a *a'", tags="[R&D, '*']"))
    assert entry.title == "AT&T *and* Q&A" and entry.summary == "&a *a"


def test_impossible_date(config) -> None:
    error_of(config, entry_text(date="2022-02-30"))
    error_of(config, entry_text(date="'yesterday'"))


def test_unknown_topic_suggests(config) -> None:
    error = error_of(config, entry_text(topic="wrold"))
    assert "world" in (error.hint or "")
    assert error.line == 4


def test_wrong_types(config) -> None:
    assert "list" in error_of(config, entry_text(tags="{a: 1}")).message
    assert "true or false" in error_of(config, entry_text(draft="maybe")).message
    assert "text" in error_of(config, entry_text(source="[a, b]")).message


def test_unsafe_urls_are_refused(config) -> None:
    for url in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "' java\tscript:alert(1)'", "data:text/html,x",
                "vbscript:msgbox(1)"):
        assert "URL" in error_of(config, entry_text(source_url=url)).message
        error_of(config, entry_text(image=url))


def test_invalid_utf8_names_the_line(config) -> None:
    error = error_of(config, b"---\ntitle: caf\xe9\ndate: 2022-08-15\n---\n")
    assert error.line == 2 and "UTF-8" in error.message


def test_bom_crlf_and_control_characters(config) -> None:
    data = "\ufeff---\r\ntitle: a\x00b\x1bc\r\ndate: 2022-08-15\r\n---\r\nline\x07one\rline two\r\n".encode()
    entry = parse(config, data)
    assert entry.title == "abc"
    assert entry.body.strip() == "lineone\nline two"


def test_clean_text_removes_what_xml_forbids() -> None:
    assert clean_text("a\x00\x0b\x0c\x7f\x85\ufffe\ud800b\tc\n") == "ab\tc\n"


def test_clean_text_removes_exactly_the_forbidden_characters() -> None:
    """Its faster paths (plain ASCII; the BMP, then astral noncharacters) remove what the one pattern does."""
    every = "".join(chr(c) for c in range(0x110000) if c != 0x0D)  # a lone CR becomes a line feed
    assert clean_text(every) == FORBIDDEN.sub("", every)
    for text in ("plain", "tab\tand\nline", "bell\x07", "del\x7f", "caf\u00e9\x85", "\U0001fffe!", "\U0001f642\x01",
                 "\ufdd0\n", "x\U0010ffff", ""):
        assert clean_text(text) == FORBIDDEN.sub("", text), repr(text)


def test_slug_from_front_matter_is_checked(config) -> None:
    assert parse(config, entry_text(slug="my-story")).slug == "my-story"
    assert "URL name" in error_of(config, entry_text(slug="'../etc'")).message
    # A name Windows can make no folder of (digest new --slug refuses it too): the site could not be copied there
    for reserved in ("con", "aux", "nul", "com1", "lpt9"):
        error = error_of(config, entry_text(slug=reserved))
        assert "keeps for itself" in error.message and error.line == 4 and f"slug: {reserved}-story" in error.hint


def test_topics_from_entries_whose_slugs_leave_out_letters_are_two_topics(make_site) -> None:
    """With no [[topics]], an entry's topic is its own name's slug: 'Спорт в Европе' and 'Спорт в Азии'
    were both 'topic-...' hashes (apart), but 'COVID-19 в России' and 'COVID-19 в Китае' one topic."""
    config = load_config(make_site(config='[site]\ntitle = "Site"\n'))
    assert config.topics_from_entries
    topics = {parse(config, entry_text("Headline", topic=name)).topic for name in ("COVID-19 в России",
                                                                                    "COVID-19 в Китае", "COVID-19")}
    assert len(topics) == 3 and "covid-19" in topics


FRONT_MATTERS = [
    'title: "A headline"\ndate: "2014-03-31T19:13:56+00:00"\ntopic: "business"\nsource: "AP"\n',
    "title: A headline\ndate: 2022-08-15\n",  # a plain date: a datetime.date, not a text
    "title: 'x'\ncount: 3\nratio: 0.5\ndraft: yes\nnothing: null\nempty:\n",
    "title: x\ntags: [a, b]\nmeta: {k: v}\n",
    "true: x\n1: y\n~: z\n",  # keys that are not texts
    "title: x\n<<: {a: 1}\n",  # a merge key
    '"quoted key": "v"\nplain: "it\'s \\u00e9"\nfolded: "one\n  two"\n',
    "just a text\n",
    "- a\n- b\n",
    "{}\n",
]


@pytest.mark.parametrize("front", FRONT_MATTERS)
def test_the_entry_loader_reads_front_matter_as_pyyaml_does(front: str) -> None:
    """Its one-mapping-of-texts shortcut (entry_file's construct_document) gives what PyYAML's own
    constructors give, for that and for anything else."""
    import yaml

    from digest.entry_file import _entry_loader

    loader, _ = _entry_loader()
    mine, theirs = yaml.load(front, Loader=loader), yaml.load(front, Loader=yaml.SafeLoader)
    assert mine == theirs and type(mine) is type(theirs)
    if isinstance(mine, dict):
        assert list(mine.items()) == list(theirs.items())
        assert [type(v) for v in mine.values()] == [type(v) for v in theirs.values()]


def test_front_matter_of_texts_is_built_without_pyyamls_constructors(config, monkeypatch) -> None:
    """A headline's front matter, texts only, is one dict made at once: PyYAML's constructor machinery
    took 40 % of its parse. A key given twice is still refused (by that machinery)."""
    import yaml

    def constructed(*args: object, **kwargs: object) -> None:
        raise AssertionError("constructed through PyYAML's constructors")

    monkeypatch.setattr(yaml.constructor.BaseConstructor, "construct_object", constructed)
    entry = parse(config, '---\ntitle: "A headline"\ndate: "2014-03-31T19:13:56+00:00"\nsource: AP\n---\nBody\n')
    assert (entry.title, entry.source, entry.published.hour) == ("A headline", "AP", 19)
    monkeypatch.undo()
    error = error_of(config, '---\ntitle: "One"\ndate: "2014-03-31"\ntitle: "Two"\n---\nBody\n')
    assert "'title' is given twice" in error.message and error.line == 4
