"""plan_patch.dump_unit / load_unit: a stored unit comes back equal, with the current entries in."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath

from digest.model import Edition, Entry, Followup, Story, Topic, TopicSection
from digest.reuse.cached_entry import LISTING_FIELDS
from digest.reuse.fingerprint import Fingerprinter
from digest.reuse.plan_patch import _REDUCE, dump_unit, load_unit


def _entry(name: str) -> Entry:
    return Entry(path=PurePosixPath(f"content/{name}.md"), title=f"{name} title", slug=name, body="Body.",
                 published=datetime(2022, 8, 15, 9, tzinfo=UTC), topic="world", content_hash=name)


def test_a_unit_comes_back_equal_with_the_entries_filled_in() -> None:
    a, b, c = _entry("a"), _entry("b"), _entry("c")
    story = Story("k", a, (a, b), 0.75, "similar: 0.75")
    alone = Story("c", c, (c,))
    topic = Topic("world", "World", ("World News",))
    edition = Edition(date(2022, 8, 15), (TopicSection(topic, (story, alone)),), (Followup(b, story),))
    unit = {"entry": a, "story": story, "topic": topic, "edition": edition, "related": [b, c],
            "nav": [{"slug": "world", "url": "topics/world/"}], "day": date(2022, 8, 15), "feeds": None}
    fresh = {str(e.path): _entry(e.path.stem) for e in (a, b, c)}  # the entries as a later build has them
    loaded = load_unit(dump_unit(unit), fresh.__getitem__)
    assert repr(loaded) == repr(unit)
    assert Fingerprinter().of(loaded) == Fingerprinter().of(unit)
    assert loaded["entry"] is fresh["content/a.md"] and loaded["story"].members[1] is fresh["content/b.md"]


def test_the_model_classes_are_pickled_with_every_field() -> None:
    """A field added to a model class must be added to its reduction too (else it would load as its
    default in a patched plan)."""
    for cls in (Story, Topic, TopicSection, Edition, Followup):
        value = cls(*(object() for _ in fields(cls)))
        rebuilt, args = _REDUCE[cls](value)
        assert rebuilt is cls and args == tuple(getattr(value, f.name) for f in fields(cls)), cls.__name__


def test_a_unit_notes_every_entry_it_holds_whatever_the_entrys_kind() -> None:
    """with_bodies reads the whole entries of the pages it renders from the units' noted paths at
    once (a Pickler's dispatch table set after it was made was never used: none were noted)."""
    from digest.model import EntryHead
    from digest.reuse.cached_entry import ListedHead

    a, b = _entry("a"), _entry("b")
    listed = ListedHead.from_listing("content/c.md", tuple(getattr(_entry("c"), name) for name in LISTING_FIELDS), None)
    shown: set[str] = set()
    data = dump_unit({"entry": a, "related": [EntryHead.of(b), listed]}, shown)
    assert shown == {"content/a.md", "content/b.md", "content/c.md"}
    fresh = {str(e.path): _entry(e.path.stem) for e in (a, b, listed)}
    loaded = load_unit(data, fresh.__getitem__)
    assert loaded["related"][1] is fresh["content/c.md"]  # by path, not a copy of the listing
    assert load_unit(dump_unit({"entry": listed}), fresh.__getitem__)["entry"] is fresh["content/c.md"]  # unnoted


def test_a_page_that_shows_no_body_fingerprints_an_entry_by_its_head(tmp_path: Path) -> None:
    """Fingerprinter.of(..., bodies=False) (a page whose templates show no body): an entry counts by
    its path and head (model.head_digest, kept by the parse as head_hash), so a new body leaves the
    fingerprint as it was and any other field changes it; with bodies, the file's bytes count."""
    from dataclasses import replace

    from digest.config import load_config
    from digest.entry_file import parse_entry
    from digest.model import head_digest

    entry = _entry("a")
    edited = replace(entry, body="Another body.", content_hash="a2")
    page = {"entry": entry, "related": [_entry("b")]}
    assert Fingerprinter().of(page, bodies=False) == Fingerprinter().of({**page, "entry": edited}, bodies=False)
    assert Fingerprinter().of(page) != Fingerprinter().of({**page, "entry": edited})
    for changed in (replace(edited, title="New title"), replace(edited, summary="New."), replace(edited, tags=("x",)),
                    replace(edited, extra={"kicker": "New"}), replace(edited, path=PurePosixPath("content/z.md"))):
        assert Fingerprinter().of({**page, "entry": changed}, bodies=False) != Fingerprinter().of(page, bodies=False)
    # one Fingerprinter walks both kinds of page: a shared entry's token is kept for each kind apart
    prints = Fingerprinter()
    assert prints.of(page, bodies=False) == Fingerprinter().of(page, bodies=False)
    assert prints.of(page) == Fingerprinter().of(page)
    parsed = parse_entry(b"---\ntitle: A\ndate: 2022-08-15\n---\n\nBody.\n", PurePosixPath("content/a.md"),
                         load_config(tmp_path, required=False))
    assert parsed.head_hash == head_digest(parsed) == head_digest(replace(parsed, body="Other.", content_hash="x"))


def test_a_stored_page_refreshed_equals_the_page_planned_again_after_an_edit_of_what_pages_show_only(
        tmp_path: Path) -> None:
    """An edit of the fields pages only show (plan_patch.SHOWN_ONLY) is patched: every stored page,
    its entries put in by path and refreshed (pages.refreshed_page), must equal the page a full plan
    of the edited entries makes. It fails for any value planning copies of such a field that the
    refresh does not make again (an article's title, an e-mail's subject, headline and preheader)."""
    from dataclasses import replace

    from digest.config import load_config
    from digest.pages import refreshed_page
    from digest.pipeline import plan_entries
    from digest.reuse.plan_patch import SHOWN_ONLY
    from digest.stories import make_story

    from .conftest import BASIC_CONFIG

    (tmp_path / "digest.toml").write_text(
        BASIC_CONFIG + '\n[email]\nsubject = "{title}: {headline}"\nweekly_subject = "{headline} and more"\n',
        encoding="utf-8")
    config = load_config(tmp_path)
    days = [datetime(2022, 8, d, h, tzinfo=UTC) for d in (14, 15, 16) for h in (8, 11, 15)]
    before = [Entry(path=PurePosixPath(f"content/e{i}.md"), title=f"Headline {i}", slug=f"e{i}", body="Body.",
                    published=day, topic=("world", "business", None)[i % 3], tags=(("Energy",), ())[i % 2],
                    summary=f"Summary {i}.", authors=(f"Writer {i}",), source=f"Source {i}",
                    source_url=f"https://example.org/{i}", content_hash=f"h{i}")
              for i, day in enumerate(days)]
    after = [replace(e, title=f"Retitled {i}", summary=f"A longer summary {i}.", authors=("Someone Else",),
                     source="Another source", source_url=None, key_points=("A point",), image="https://example.org/p.jpg",
                     extra={"note": i}, content_hash=f"h{i}'") for i, e in enumerate(before)]
    assert SHOWN_ONLY.keys() >= {"title", "summary", "authors", "source", "source_url", "key_points", "image", "extra"}
    # Two stories of three reports over two days each, and the rest alone: followups, coverage, timelines
    groups = [[0, 1, 4], [2, 5, 7], [3], [6], [8]]

    def grouped(entries: list[Entry]) -> object:
        return lambda published, _features: [make_story(f"s{n}", [entries[i] for i in members], 0.5, "test")
                                             for n, members in enumerate(groups)]

    _, pages_before, feeds_before = plan_entries(before, config, {}, group=grouped(before))  # type: ignore[arg-type]
    _, pages_after, feeds_after = plan_entries(after, config, {}, group=grouped(after))  # type: ignore[arg-type]
    now = {str(e.path): e for e in after}
    planned_again = {page.output_path: page for page in pages_after}
    assert len(pages_before) == len(planned_again) and any(".eml" in p for p in planned_again)
    changed = 0
    for page in pages_before:
        patched = refreshed_page(config, replace(page, context=load_unit(dump_unit(page.context), now.__getitem__)))
        assert repr(patched) == repr(planned_again[page.output_path]), page.output_path
        changed += repr(patched) != repr(page)
    assert changed > len(after)  # the edit shows: the pages differ from the stored ones
    for feed, again in zip(feeds_before, feeds_after, strict=True):
        assert repr(load_unit(dump_unit(feed), now.__getitem__)) == repr(again)
