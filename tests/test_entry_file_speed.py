"""The parse stage's shortcuts (entry_file.py, stories/features.py) give what the plain code gave.

Each case pins an edge a shortcut must respect; the expected values were taken from the code
before the shortcuts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from digest.config import load_config
from digest.entry_file import load_entry, parse_entry
from digest.model import Entry
from digest.stories.features import entry_features, plain_paragraph, story_text

from .conftest import entry_text


def article(body: str, summary: str | None = None, title: str = "A headline") -> Entry:
    return Entry(path=PurePosixPath("content/x.md"), title=title, published=datetime(2022, 8, 15, tzinfo=UTC),
                 slug="x", body=body, summary=summary)


def test_boilerplate_is_found_in_any_case_and_in_non_ascii_text() -> None:
    assert plain_paragraph("Subscribe to our newsletter.") == ""
    assert plain_paragraph("READ MORE") == ""
    assert plain_paragraph("To \u017fubscribe, write to us.") == ""  # IGNORECASE matches the long s too
    assert plain_paragraph("Prices are already ready to rise.") == "Prices are already ready to rise."


def test_markup_tags_and_urls_become_single_spaces() -> None:
    text = "**Bold** __under__ `code` | > # heading <b>tag</b> at https://x.example/a and www.example.org/x, "
    assert plain_paragraph(text + "words " * 12) == "Bold under code heading tag at and" + " words" * 12
    assert plain_paragraph("Read the [full story](https://x.example/a).") == ""


def test_names_are_words_capitalised_inside_a_sentence() -> None:
    features = entry_features(article(
        "Leaders from Seoul and Tokyo watched.",
        summary="Kim met Putin. The talks in Moscow lasted hours.\nRussia said: Kim \u201cwill\u201d return; "
                "Pyongyang agreed. U.S. officials cited 3.5 billion",
        title="Kim meets Putin in Moscow: talks on arms"))
    assert features.title_names == ("putin", "moscow")
    # A name counts twice; a word that starts a sentence (after '.', ':', ';' or a line end) is none.
    assert features.text_words == (
        ("agreed", 1), ("billion", 1), ("cited", 1), ("hour", 1), ("kim", 2), ("lasted", 1), ("leader", 1),
        ("met", 1), ("moscow", 2), ("official", 1), ("putin", 2), ("pyongyang", 1), ("return", 1),
        ("russia", 1), ("seoul", 2), ("talk", 1), ("tokyo", 2), ("u", 1), ("watched", 1))
    assert features.text_word_count == 20


def test_only_the_opening_of_a_long_body_is_read() -> None:
    paragraph = "Another paragraph about Vladivostok and arms.\n\n"
    opening = "Leaders watched.\n\nSubscribe to read more.\n\n"
    long, short = article(opening + paragraph * 5000), article(opening + paragraph * 10)
    # 2 words, then 9 paragraphs of 6, then the first 4 of the next: BODY_WORDS_READ is 60.
    assert story_text(long) == story_text(short) == "\n\n".join(
        ["Leaders watched.", *[paragraph.strip()] * 9, "Another paragraph about Vladivostok"])
    assert entry_features(long) == entry_features(short)


def test_entry_paths_are_relative_to_the_site_folder(make_site, tmp_path: Path) -> None:
    root = make_site({"content/2022/b.md": entry_text("B")})
    config = load_config(root)
    path = root / "content/2022/b.md"
    assert load_entry(path, config).path == PurePosixPath("content/2022/b.md")
    assert load_entry(path, replace(config, site_root=Path("/"))).path == PurePosixPath(path.as_posix()[1:])
    elsewhere = replace(config, site_root=tmp_path / "other")
    assert load_entry(path, elsewhere).path == PurePosixPath(path.as_posix())


def test_control_characters_are_removed_from_values_and_body(make_site) -> None:
    config = load_config(make_site())
    data = b'---\ntitle: "A\\x01B\\tC"\ndate: 2022-08-15\n---\nBody\x01 text\r\nmore\n'
    entry = parse_entry(data, PurePosixPath("content/x.md"), config)
    assert (entry.title, entry.body) == ("AB C", "\nBody text\nmore\n")
