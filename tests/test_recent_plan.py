"""A plan of the recent entries (reuse/recent.py): on a site of several months, an entry added in
its last days is planned from the entries of its last weeks, not from every entry; the other
pages are kept as the live site has them. Every build must equal a cold build of the same files,
byte for byte, whichever way it planned; and whatever the window cannot show, it does not plan.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from digest.build import Builder, build

from .conftest import entry_text
from .test_rebuild_sequences import CONFIG, OPTIONS, Curator, cold, rebuilt_as_cold, stored_shows, tree

# Two stories a page and three items a feed: additions move items across archive pages, and a
# feed of a quiet topic reaches back past the window
SITE = CONFIG + "\n[feeds]\nitems = 3\n"
DAYS = [(date(2021, 12, 20) + timedelta(days=n)).isoformat() for n in range(240)]
SUBJECTS = [f"{first} {second}" for first in ("Harbour", "Grain", "Rail", "Drought", "Chip", "Ferry", "Budget",
                                              "Flood", "Tariff", "Vaccine") for second in ("strike", "prices", "tunnel",
                                                                                           "warning", "vote")]
TAGS: list[str | None] = [f'["Tag {n}"]' for n in range(12)] + ['["Tag 1", "Rare"]', None]


PLACES = ["Oslo", "Lima", "Pune", "Accra", "Hanoi", "Quito", "Perth", "Turku", "Cork", "Bern", "Riga", "Sofia", "Fez",
          "Kobe", "Lyon", "Malmo", "Porto", "Split", "Tartu", "Ulm", "Graz", "Brno", "Gdansk", "Nantes"]


class WideCurator(Curator):
    """A curator whose headlines name places from a longer list, as a real archive's do: a word
    shared by a third of the entries would make every addition group much of the site again."""

    def new_fields(self) -> dict[str, str | None]:
        fields = super().new_fields()
        head, _, _ = str(fields["title"]).rpartition(" in ")
        fields["title"] = f"{head} in {self.rng.choice(PLACES)}"
        return fields


def months_of_entries(make_site, seed: int) -> tuple[Path, Curator]:  # type: ignore[no-untyped-def]
    """A site of 240 entries over eight months, and the curator who wrote them."""
    root = make_site({}, config=SITE)
    curator = WideCurator(root, seed, SUBJECTS, DAYS, TAGS)
    for _ in range(240):
        curator.add()
    return root, curator


def recording(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each build that could plan from the recent entries did."""
    import digest.build

    made: list[bool] = []
    real = digest.build.plan_recent

    def plan_recent(*args: Any) -> Any:
        found = real(*args)
        made.append(found is not None)
        return found

    monkeypatch.setattr(digest.build, "plan_recent", plan_recent)
    return made


def recent_change(curator: Curator) -> tuple[str, list[Path]]:
    """A change among the site's last days, as a curator makes them daily: an entry added (most
    often), one removed, or one edited (its headline, topic, tags or day)."""
    rng = curator.rng
    recent = sorted(rel for rel, fields in curator.entries.items() if str(fields["date"])[:10] in DAYS[-3:])
    kind = rng.choice(["add", "add", "add", "delete", "title", "topic", "tags", "day"]) if recent else "add"
    if kind == "add":
        curator.days = DAYS[-3:]
        try:
            return kind, curator.add()
        finally:
            curator.days = DAYS
    rel = rng.choice(recent)
    if kind == "delete":
        del curator.entries[rel]
        (curator.root / rel).unlink()
        return kind, [curator.root / rel]
    fields = dict(curator.entries[rel])
    if kind == "title":
        fields["title"] = f"{fields['title']} {rng.choice(['today', 'again', 'Riga'])}"
    elif kind == "topic":
        fields["topic"] = rng.choice([t for t in ("world", "business", None) if t != fields["topic"]])
    elif kind == "tags":
        fields["tags"] = rng.choice([t for t in TAGS if t != fields["tags"]])
    else:
        fields["date"] = f"{rng.choice(DAYS[-3:])}{str(fields['date'])[10:]}"
    return kind, [curator.write(rel, fields)]


@pytest.mark.parametrize(("seed", "long_lived"), [(11, False), (12, False), (14, True), (15, True)])
def test_recent_changes_planned_from_the_recent_entries_equal_a_cold_build(
        make_site, tmp_path: Path, seed: int, long_lived: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mostly changes in the site's last days (the daily case: additions, and entries removed or
    edited), now and then any other change a curator makes (which plans as before): after each,
    the output and the record of which page shows which entry equal a cold build's; and most
    were planned from the window. One-shot builds (the CLI), and a long-lived Builder told what
    changed (the dev server), idling now and then."""
    root, curator = months_of_entries(make_site, seed)
    builder = Builder(root, OPTIONS, once=not long_lived)
    try:
        builder.build()
        made = recording(monkeypatch)
        for step in range(10):
            kind, touched = recent_change(curator) if curator.rng.random() < 0.8 else curator.change()
            rebuilt_as_cold(builder if long_lived else None, root, touched, curator, tmp_path, f"step {step}: {kind}")
    finally:
        builder.close()
    assert sum(made) >= 4, made


def test_what_the_window_cannot_show_is_planned_as_before(make_site, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry added long before the site's last days (its story, listings' pages and month lie
    outside what a plan of recent entries can show), one of a configured topic that had no entry
    (every page's navigation changes) and one with a curator's story key are planned as before,
    and equal a cold build; then a daily addition is planned from the window again."""
    root, curator = months_of_entries(make_site, 13)
    config = root / "digest.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[[topics]]\nslug = "science"\ntitle = "Science"\n',
                      encoding="utf-8")
    build(root, OPTIONS)
    made = recording(monkeypatch)
    late = f"{DAYS[-1]}T20:00:00+01:00"
    changes = [
        lambda: curator.write("content/early.md", {"title": "Harbour strike spreads in Oslo again",
                                                   "date": f"{DAYS[0]}T12:00:00+01:00", "body": "Early."}),
        lambda: curator.write("content/comet.md", {"title": "Comet seen", "date": late, "body": "A comet.",
                                                   "topic": "science"}),
        lambda: (root / "content/keyed.md").write_text(entry_text("Grain prices ease", late, "Grain.", story="grain"),
                                                      encoding="utf-8"),
    ]
    for step, change in enumerate(changes):
        change()
        build(root, OPTIONS)
        assert not any(made), step
        assert tree(root / "output") == cold(root, tmp_path / "cold"), step
    curator.write("content/daily.md", {"title": "Zeppelin museum opens in Dundee", "date": late, "body": "Daily.",
                                       "topic": "world", "tags": '["Tag 3"]'})
    build(root, OPTIONS)
    assert made[-1:] == [True]
    assert tree(root / "output") == cold(root, tmp_path / "cold")


def test_a_window_of_much_of_the_site_is_not_planned_apart(make_site) -> None:  # type: ignore[no-untyped-def]
    """A change far from the newest end makes a window of much of the site: organised twice it would
    cost more than the whole site once, so it is not planned apart; the daily change is."""
    from datetime import UTC, datetime

    from digest.config import load_config
    from digest.reuse.recent import small_window

    config = load_config(make_site({}, config=SITE))
    stamps = [datetime(2021, 12, 20, 12, tzinfo=UTC).timestamp() + day * 86_400 for day in range(240)]
    newest = datetime(2022, 8, 16, 12, tzinfo=UTC)
    assert small_window(config, stamps, [newest])
    assert not small_window(config, stamps, [newest.replace(month=4)])
    assert not small_window(config, stamps, [])


def whole_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What is read whole from here on, noted as read: every stored unit's print, a manifest as a dict."""
    from digest.reuse.cache import BuildCache
    from digest.reuse.manifest import Manifest

    whole: list[str] = []
    real_prints, real_dict = BuildCache.unit_prints, Manifest.as_dict
    monkeypatch.setattr(BuildCache, "unit_prints", lambda self: whole.append("unit prints") or real_prints(self))
    monkeypatch.setattr(Manifest, "as_dict", lambda self: whole.append("manifest") or real_dict(self))
    return whole


def test_a_one_shot_build_keeps_the_live_pages_without_listing_them(make_site, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-shot build's plan of the recent entries names the live plan's units it removes, not the
    pages it keeps (at 100,000 entries 128,000: listing them, reading every stored unit's fingerprint
    and the live tree's manifest whole, and comparing the two took 0.3-0.4 s of an addition); each
    addition and deletion still equals a cold build, the record of which page shows which entry
    too. Nor is every row's term summed to key the entries: the sum the last build recorded moves by
    the rows added or removed (0.12-0.19 s of an addition at 100,000 entries)."""
    import digest.build

    root, curator = months_of_entries(make_site, 11)
    build(root, OPTIONS)
    made = recording(monkeypatch)
    summed: list[int] = []
    real_sum = digest.build.entries_sum
    monkeypatch.setattr(digest.build, "entries_sum", lambda rows: summed.append(len(rows)) or real_sum(rows))
    whole = whole_reads(monkeypatch)  # what was read whole, by the builds after a change
    added: list[str] = []
    for step in range(6):
        if step % 3 == 2:
            rel = added.pop()
            del curator.entries[rel]
            (root / rel).unlink()
        else:
            curator.days = DAYS[-2:]
            written = curator.add()[0]
            added.append(written.relative_to(root).as_posix())
        whole.clear(), summed.clear()
        tried = len(made)
        build(root, OPTIONS)
        planned_apart = made[tried:] == [True]
        assert not planned_apart or whole == [], (step, whole)
        assert summed == [], (step, summed)
        assert tree(root / "output") == cold(root, tmp_path / f"cold{step}"), step
        assert stored_shows(root) == stored_shows(tmp_path / f"cold{step}"), step
    assert sum(made) >= 4, made


def test_a_dev_server_keeps_the_live_pages_without_listing_them(make_site, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A dev server's plan of the recent entries, too, names the live plan's units it removes, not the
    pages it keeps: its kept units (KeptUnits) stay but those gone and those planned again, in place
    (at 100,000 entries listing the 128,000 kept pages, carrying each one's kept unit into a new dict
    and comparing the list with the live tree's manifest took 0.5 s of an addition under cProfile).
    Each addition and deletion equals a cold build, and the kept units are those of the stored plan."""
    from digest.reuse.cache import BuildCache

    root, curator = months_of_entries(make_site, 11)
    builder = Builder(root, OPTIONS)
    try:
        builder.build()
        builder.catch_up(lambda: False)  # the kept units warmed, as a dev server's idle time does
        made = recording(monkeypatch)
        real_prints = BuildCache.unit_prints
        whole = whole_reads(monkeypatch)
        added: list[Path] = []
        for step in range(6):
            if step % 3 == 2:
                gone = added.pop()
                del curator.entries[gone.relative_to(root).as_posix()]
                gone.unlink()
                changed = [gone]
            else:
                curator.days = DAYS[-2:]
                changed = curator.add()
                added.append(changed[0])
            whole.clear()
            tried = len(made)
            builder.build(changed)
            planned_apart = made[tried:] == [True]
            assert not planned_apart or whole == [], (step, whole)
            assert tree(root / "output") == cold(root, tmp_path / f"cold{step}"), step
            assert stored_shows(root) == stored_shows(tmp_path / f"cold{step}"), step
            assert builder._units is not None
            assert set(builder._units.units) == set(real_prints(builder._cache)), step  # type: ignore[arg-type]
    finally:
        builder.close()
    assert sum(made) >= 4, made
