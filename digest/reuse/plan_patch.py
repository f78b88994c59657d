"""Planning again only what an edit touched, when the edit changed only what pages show of entries.

Organising the site and planning its pages read every field of an entry but its body and what
pages only show (SHOWN_ONLY: the title, summary, authors, source, ... ; a story lead's text length
aside, checked here). So after an edit that keeps the fields that place an entry (its date, slug,
topic, tags, story and draft), its place in the story grouping and the story's lead of every entry
it changed, the new plan is the old one with the new entries in the old ones' places, and with what
planning copied of them made again (an article's page title, an e-mail's subject: `refresh`).

A full build therefore stores, in the build cache, each page's and feed's plan (its template
and context, pickled with entries referred to by path) and which of them show which entry.
A later build (the CLI's, or the dev server's) whose entries changed only so loads just the
plans that show a changed entry, with the current entries put in by path, fingerprints them
(the same values a full plan would give) and leaves every other file as the live site has it.
Anything else (an entry added, removed or moved in time, a changed tag or topic, a new
story grouping, templates, config) plans the whole site again. A long-lived Builder (the dev
server) keeps its last full plan in memory (KeptUnits): a unit whose context comes out equal
keeps its fingerprint, so only the pages that change are walked.
"""

from __future__ import annotations

import copyreg
import io
import pickle
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any

from digest.feeds import FeedPlan
from digest.model import Edition, Entry, EntryHead, Followup, Page, Story, Topic, TopicSection
from digest.reuse.cache import BuildCache
from digest.reuse.cached_entry import CachedEntry, ListedHead, StaleEntry
from digest.reuse.fingerprint import Fingerprinter, Salts, unit_print
from digest.reuse.touched import Grouping
from digest.stories import make_story
from digest.stories.remembered import STORIES_KEY, shared_stories

PLAN_BASE = "plan base"  # meta key: (plan salt, inputs key) of the build the stored plan describes
PLAN_SHAPE = "plan shape"  # meta key: (touched.site_shape, grouping key) of the site it was planned from
FEED_UNIT = "feed:"  # a feed's unit name is this + its prefix; a page's is its output path
FEED_TEMPLATE = "feed"  # a feed's "template" in its fingerprint (feeds.py renders it with feedgen, no template)


@dataclass(frozen=True)
class Plan:
    """Pages and feeds to write, with their fingerprints. A full plan holds every one; a patch
    only those an edit touched (every other file stays as the live site has it)."""

    pages: list[Page]
    feeds: list[FeedPlan]
    page_prints: list[str]
    feed_prints: list[str]
    complete: bool
    heads: bool = False  # planned with the entries' heads (EntryHead): see with_bodies
    # Pages not planned (reuse/touched.py): output path -> the live tree's fingerprint.
    # Part of the site all the same; they cannot be rendered, only kept.
    kept: Mapping[str, str] = field(default_factory=dict)
    # Or, told by what it leaves out, not listed: every page and feed of the live plan is kept as the
    # live tree has it, but these units of it (pages' output paths and FEED_UNIT names) and those this
    # plan makes (a one-shot build's plan of the recent entries: at 100,000 entries listing the
    # 128,000 pages kept, then comparing them with the live tree's manifest, took 0.3-0.4 s)
    gone_from_live: frozenset[str] | None = None

    @property
    def partial(self) -> bool:
        """Whether some of the site's files cannot be rendered from this plan (a patch's others,
        kept pages): the spare or the live tree must already hold them."""
        return not self.complete or bool(self.kept) or self.gone_from_live is not None


# -- a full plan, stored ---------------------------------------------------------------------------
KeptUnit = tuple[str, Any, str, tuple[PurePosixPath, ...]]


class KeptUnits:
    """A long-lived Builder's last full plan, kept in memory: each unit's template, context,
    fingerprint and the entries it shows. A unit planned again with an equal context keeps its
    fingerprint instead of being walked again: after an entry is added or deleted in the dev
    server, most pages come out the same, and comparing two plans' contexts (==, in C, entries
    and stories that did not change being the same objects) cost a seventh of fingerprinting them
    (measured at 10,000 entries: 0.16 s against 1.15 s, on a loaded machine).

    Equal contexts have equal fingerprints: a context is made from the entries and the config
    (the salt), and two entries compare equal only with the same content hash, so values that
    are == but print differently (1 and 1.0) do not come from equal inputs."""

    def __init__(self) -> None:
        self.salt: Salts | None = None
        self.units: dict[str, KeptUnit] = {}  # unit name -> (template, context, fingerprint, entries shown)

    def same(self, salt: Salts, name: str, template: str, context: Any) -> tuple[str, tuple[PurePosixPath, ...]] | None:
        """(fingerprint, entries shown) of the unit kept under this name, when its context equals this
        one and its template's salt is the same (an edit to tag.html keeps every other page's)."""
        kept = self.units.get(name)
        if kept is None or kept[0] != template or not self.same_salt(salt, template):
            return None
        try:
            equal = bool(kept[1] == context)
        except Exception:  # a value that cannot be compared: fingerprint it
            return None
        return (kept[2], kept[3]) if equal else None

    def same_salt(self, salt: Salts, template: str) -> bool:
        """Whether a unit of this template kept under the kept salt has the same salt under `salt`."""
        return self.salt is not None and (salt == self.salt or self.salt.of(template) == salt.of(template))

    def print_of(self, prints: Fingerprinter, salt: Salts, name: str, template: str,
                 context: Any) -> tuple[str, tuple[PurePosixPath, ...]]:
        """(fingerprint, entries shown) of a unit: the kept ones when its context is unchanged, else walked."""
        known = self.same(salt, name, template, context)
        return known if known is not None else (unit_print(prints, salt, template, context), tuple(prints.found))

    def warm(self, pages: Sequence[Page], feeds: Sequence[FeedPlan], salt: Salts, stop: Callable[[], bool],
             batch: int = 1000) -> bool:
        """Fingerprint a plan's units into the kept ones (the dev server's idle time, so that the
        first entry added after it starts need not), `batch` at a time; False when stop() came
        first. What is done is kept: every kept unit is valid on its own."""
        units = named_units(pages, feeds)
        return self.warm_from(units, salt, stop, batch) == len(units)

    def warm_from(self, units: Sequence[tuple[str, str, Any]], salt: Salts, stop: Callable[[], bool],
                  batch: int = 1000, start: int = 0) -> int:
        """warm() over named_units from `start` on: where it stopped (len(units) when done), so
        that the next idle time goes on from there."""
        if salt != self.salt:
            self.units = {name: unit for name, unit in self.units.items() if self.same_salt(salt, unit[0])}
            self.salt = salt
        prints = Fingerprinter()
        for at in range(start, len(units), batch):
            if stop():
                return at
            for name, template, context in units[at:at + batch]:
                self.units[name] = (template, context, *self.print_of(prints, salt, name, template, context))
        return len(units)


def named_units(pages: Sequence[Page], feeds: Sequence[FeedPlan]) -> list[tuple[str, str, Any]]:
    """(unit name, template, context) of every page and feed: a feed's template is FEED_TEMPLATE."""
    return [(page.output_path, page.template, page.context) for page in pages] + [
        (FEED_UNIT + feed.prefix, FEED_TEMPLATE, feed) for feed in feeds]


def full_plan(pages: list[Page], feeds: list[FeedPlan], salt: Salts, kept: KeptUnits | None = None,
              carried: Mapping[str, str] | None = None, gone: frozenset[str] | None = None,
              ) -> tuple[Plan, list[tuple[PurePosixPath, ...]], list[tuple[PurePosixPath, ...]]]:
    """Every page and feed with its fingerprint (`salt`: each template's and the config's), and the
    entries each one shows (for store_plan). `kept`: the last full plan's units (a long-lived
    Builder), reused where a unit's context did not change, and replaced by this plan's.
    `carried`: pages left unplanned (reuse/touched.py), as the live tree has them; the
    kept units keep theirs. Or `gone`: every unit of the live plan is kept but these (and those
    planned), told by what leaves (Plan.gone_from_live): the kept units, of this salt, are those
    but these, and those planned are replaced, in place (not a dict of them all made again)."""
    prints = Fingerprinter()
    units: dict[str, KeptUnit] = {}
    values: list[str] = []
    found: list[tuple[PurePosixPath, ...]] = []
    for name, template, context in named_units(pages, feeds):
        if kept is None:
            value, shown = unit_print(prints, salt, template, context), tuple(prints.found)
        else:
            value, shown = kept.print_of(prints, salt, name, template, context)
            units[name] = (template, context, value, shown)
        values.append(value)
        found.append(shown)
    carried = carried or {}
    if kept is not None and gone is not None and kept.salt == salt:
        for name in gone:
            kept.units.pop(name, None)
        kept.units.update(units)
    elif kept is not None:
        units.update((name, unit) for name in carried
                     if (unit := kept.units.get(name)) is not None and kept.same_salt(salt, unit[0]))
        kept.salt, kept.units = salt, units
    cut = len(pages)
    return (Plan(pages, feeds, values[:cut], values[cut:], complete=True, kept=carried),
            found[:cut], found[cut:])


def store_plan(cache: BuildCache, base: tuple[str, str], plan: Plan, page_found: Sequence[Iterable[PurePosixPath]],
               feed_found: Sequence[Iterable[PurePosixPath]], shape: Any = None) -> None:
    """Keep a full plan in the cache: each unit's template and context (rewritten only when its
    fingerprint changed) and which units show which entry. `base`: (plan salt, inputs key of the
    build) - a patch starts only from the plan of the site that is live. `shape`: what
    reuse/touched.py needs to know of the site planned. The plan's kept pages stay as stored."""
    units: list[tuple[str, str, str, Any]] = [(p.output_path, value, p.template, p.context)
                                              for p, value in zip(plan.pages, plan.page_prints, strict=True)]
    units += [(FEED_UNIT + f.prefix, value, "", f) for f, value in zip(plan.feeds, plan.feed_prints, strict=True)]
    names = {name for name, _, _, _ in units}
    if plan.gone_from_live is not None:  # the other units stay as stored: only these are read and deleted
        stored = cache.unit_prints_of(names)
        removed: Iterable[str] = plan.gone_from_live - names
    else:
        stored = cache.unit_prints()
        removed = stored.keys() - names - plan.kept.keys()
    # One transaction: the units, what shows what, the shape and the base key change together or not
    # at all (a build killed in between leaves the stored plan as it was)
    with cache.atomically():
        # A unit with the fingerprint stored has the same context, so it shows the same entries: only
        # the units that changed are written, with the rows of what they show.
        cache.store_units(((name, value, template, dump_unit(item), {str(path) for path in found})
                           for (name, value, template, item), found in zip(units, [*page_found, *feed_found],
                                                                            strict=True)
                           if stored.get(name) != value),
                          removed)
        cache.put(PLAN_SHAPE, shape)
        cache.put(PLAN_BASE, base)


def _entry_at(path: str) -> Entry:
    """Stands for the entry at this path in a stored unit: load_unit puts the current one there."""
    raise pickle.UnpicklingError(f"the entry {path} is filled in by load_unit")


# How a unit is pickled: entries by path; the model's other classes by their fields in order, not
# as a dict of them (a smaller pickle, and quicker: 13,000 units at 10,000 entries). A dispatch
# table costs nothing for the objects it does not list (measured: persistent_id, asked of each of
# the 2 million objects pickled, cost more than a third of the pickling).
_ENTRY_KINDS = (Entry, EntryHead, ListedHead)  # a dispatch table is looked up by the exact class
_REDUCE: dict[type, Callable[[Any], Any]] = {
    **copyreg.dispatch_table,
    **{kind: lambda e: (_entry_at, (str(e.path),)) for kind in _ENTRY_KINDS},
    Story: lambda s: (Story, (s.key, s.lead, s.members, s.score, s.reason)),
    Topic: lambda t: (Topic, (t.slug, t.title, t.aliases)),
    TopicSection: lambda t: (TopicSection, (t.topic, t.stories)),
    Edition: lambda e: (Edition, (e.day, e.sections, e.followups)),
    Followup: lambda f: (Followup, (f.entry, f.story)),
}


class _UnitPickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, table: dict[type, Callable[[Any], Any]] = _REDUCE) -> None:
        # Pickler reads its dispatch table as it is made: one set on the instance after is not used
        self.dispatch_table = table
        super().__init__(file, pickle.HIGHEST_PROTOCOL)


class _EntriesFrom(pickle.Unpickler):
    def __init__(self, data: bytes, entry_of: Callable[[str], Entry]) -> None:
        super().__init__(io.BytesIO(data))
        self.entry_of = entry_of

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == _entry_at.__name__:
            return self.entry_of
        return super().find_class(module, name)


def dump_unit(value: Any, shown: set[str] | None = None) -> bytes:
    """A page's context or a feed's plan, pickled; entries by path, to be filled in on load. With
    `shown`, the path of every entry the unit holds is added to it."""
    buffer = io.BytesIO()
    table = _REDUCE
    if shown is not None:
        def noted(entry: Entry | EntryHead) -> tuple[Callable[[str], Entry], tuple[str]]:
            shown.add(str(entry.path))
            return _entry_at, (str(entry.path),)

        table = {**_REDUCE, **{kind: noted for kind in _ENTRY_KINDS}}
    _UnitPickler(buffer, table).dump(value)
    return buffer.getvalue()


def load_unit(data: bytes, entry_of: Callable[[str], Entry]) -> Any:
    return _EntriesFrom(data, entry_of).load()


def with_bodies(pages: Sequence[Page], feeds: Sequence[FeedPlan], entry_of: Callable[[str], Entry],
                fetch: Callable[[set[str]], None] | None = None) -> tuple[list[Page], list[FeedPlan]]:
    """Pages and feeds of a plan made with heads (EntryHead), each entry they hold swapped for
    the whole one (`entry_of`: path -> entry), to be rendered. Their fingerprints stay: a head and
    its entry count the same. `fetch` is told the paths of every entry they hold first (to read
    them from the cache at once)."""
    shown: set[str] = set()
    # One pickle for all the pages: what they share is shared again once whole (the `email` of an e-mail's
    # .html, .txt and .eml, which render in one task and each part once: render_files.page_tasks,
    # newsletter.render._made; a story or a topic listed on many pages)
    page_units = dump_unit([page.context for page in pages], shown)
    feed_units = dump_unit(list(feeds), shown)
    if fetch is not None:
        fetch(shown)
    contexts = load_unit(page_units, entry_of)
    return ([Page(p.output_path, p.template, context) for p, context in zip(pages, contexts, strict=True)],
            load_unit(feed_units, entry_of))


# -- patching it -------------------------------------------------------------------------------------
def patch(cache: BuildCache, base: tuple[str, str], before: Mapping[str, CachedEntry],
          rows: Sequence[tuple[str, CachedEntry]], fingerprint_salt: Salts,
          same_stories: Callable[[], bool], remembered: Any,
          refresh: Callable[[Page], Page] = lambda page: page) -> Plan | None:
    """The pages and feeds that show an entry whose body or shown-only fields alone changed since
    the stored plan (`before`: the entries it was made from), planned again; None when the whole
    site must be. `refresh`: a page with what its planning copied of its entries made again
    (pages.refreshed_page).

    When an edit changed what story grouping reads (a headline, the opening of a body), the plan
    is patched only when `same_stories()` finds the stories are those of `remembered` (the
    cache's "stories" before this build: (grouping key, stories)), grouped again."""
    if cache.get(PLAN_BASE) != base:
        return None
    if len(rows) != len(before):
        return None  # an entry added or removed
    changes: list[tuple[str, CachedEntry, CachedEntry]] = []
    for rel, row in rows:
        old = before.get(rel)
        if old is None:
            return None
        if old is not row and old.content_hash != row.content_hash:
            changes.append((rel, old, row))
    return patch_changes(cache, base, changes, fingerprint_salt, same_stories, remembered,
                         EntryLookup(rows), refresh)


def patch_changes(cache: BuildCache, base: tuple[str, str], changes: Sequence[tuple[str, CachedEntry, CachedEntry]],
                  fingerprint_salt: Salts, same_stories: Callable[[], bool], remembered: Any,
                  entry_of: Callable[[str], Entry], refresh: Callable[[Page], Page] = lambda page: page,
                  ) -> Plan | None:
    """patch(), told the entries whose content changed (path, before, now), the others the same:
    `entry_of` gives any published entry by its path."""
    if cache.get(PLAN_BASE) != base or not changes:
        return None
    regrouped = False
    for _, old, row in changes:
        try:
            if not _same_place(old.entry, row.entry):
                return None
        except StaleEntry:
            return None
        regrouped = regrouped or old.grouping != row.grouping
    if not (isinstance(remembered, tuple) and len(remembered) == 2):
        return None
    if regrouped and not same_stories():
        return None
    try:
        return _patched(cache, [rel for rel, _, _ in changes], shared_stories(remembered[1]), entry_of,
                        fingerprint_salt, refresh)
    except (KeyError, StaleEntry, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
        return None  # a stored plan that no longer fits: plan everything


def _patched(cache: BuildCache, changed: list[str],
             stories: Iterable[tuple[str, list[str], float, str]], entry_of: Callable[[str], Entry],
             fingerprint_salt: Salts, refresh: Callable[[Page], Page]) -> Plan | None:
    wanted = set(changed)
    for key, members, score, reason in stories:  # those of several entries
        if not wanted.isdisjoint(members):
            story = make_story(key, [entry_of(m) for m in members], score, reason)
            if str(story.lead.path) != members[0]:
                return None  # a tie in time, broken by text length, now goes the other way
    names = sorted(cache.units_showing(changed))
    loaded = cache.load_units(names)
    if len(loaded) != len(names):
        return None
    prints = Fingerprinter()
    plan = Plan([], [], [], [], complete=False)
    for name in names:
        template, data = loaded[name]
        value = load_unit(data, entry_of)
        if name.startswith(FEED_UNIT):
            plan.feeds.append(value)
            plan.feed_prints.append(unit_print(prints, fingerprint_salt, FEED_TEMPLATE, value))
        else:
            page = refresh(Page(name, template, value))
            plan.pages.append(page)
            plan.page_prints.append(unit_print(prints, fingerprint_salt, page.template, page.context))
    return plan


def settle(cache: BuildCache, base: tuple[str, str]) -> None:
    """After a plan was published: the stored plan is the live site's again. A patch may have
    grouped the stories again (to the same stories, or it would not be a patch), so the stored
    plan's shape now names the grouping remembered under its new key."""
    if cache.get(PLAN_BASE) is not None:
        shape = cache.get(PLAN_SHAPE)
        with cache.atomically():
            if isinstance(shape, tuple) and len(shape) == 2 and shape[1] != cache.get(STORIES_KEY):
                cache.put(PLAN_SHAPE, (shape[0], cache.get(STORIES_KEY)))
            cache.put(PLAN_BASE, base)  # only the small key: the index of what shows what is unchanged


class EntryLookup:
    """Path -> entry of these rows, indexed when first asked."""

    def __init__(self, rows: Sequence[tuple[str, CachedEntry]]) -> None:
        self._rows = rows
        self._by_path: dict[str, CachedEntry] | None = None

    def __call__(self, rel: str) -> Entry:
        if self._by_path is None:
            self._by_path = dict(self._rows)
        return self._by_path[rel].entry


def remembered_grouping(remembered: Any) -> Grouping:
    """The grouping of the cache's "stories" value, as touched.grouping gives it."""
    return frozenset(s if isinstance(s, str) else (s[0], tuple(s[1]), s[2], s[3]) for s in remembered[1])


# What pages show of an entry and nothing places by: organising the site and planning its pages read
# none of these (the page's title and an e-mail's subject, copied from the title when planned, are made
# again: the `refresh` of patch). An edit that changed only these and the body is patched.
SHOWN_ONLY: dict[str, Any] = {"body": "", "title": "", "summary": None, "authors": (), "source": None,
                              "source_url": None, "key_points": (), "image": None, "extra": {}, "content_hash": "",
                              "head_hash": ""}


def _same_place(old: Entry, new: Entry) -> bool:
    """Equal in every field but those SHOWN_ONLY (repr: 1 and 1.0, or one moment in two offsets, differ)."""
    return repr(replace(old, **SHOWN_ONLY)) == repr(replace(new, **SHOWN_ONLY))
