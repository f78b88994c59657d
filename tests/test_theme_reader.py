"""The reader's side of the default theme (issue 20): coverage with each other source's headline,
publisher and time; times in the site's zone; a story's timeline; no standfirst that only
repeats the key points. On the project's own demo site and on small sites made for one case."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import html5lib
import pytest

from digest.build import BuildOptions, build

from .conftest import BASIC_CONFIG, NOW, SiteMaker, entry_text
from .theme_site import build_demo

IRA_SIGNED = "2022/08/16/inflation-reduction-act-signed/"
IRA_LAW = "2022/08/16/climate-bill-becomes-law/"
IRA_CHANGES = "2022/08/18/inflation-reduction-act-what-changes/"
PUTIN_BI = "2022/08/15/putin-and-kim-jong-un-pledge-closer-relations-as-russia-courts-non-western/"
PUTIN_FORTUNE = "2022/08/15/shunned-by-the-west-vladimir-putin-turns-to-north-koreas-kim-jong-un-as-an-ally/"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("reader") / "demo")


def parse(path: Path) -> Any:
    return html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)


def text(node: Any) -> str:
    return " ".join("".join(node.itertext()).split())


def by_class(doc: Any, tag: str, name: str) -> list[Any]:
    return [e for e in doc.iter(tag) if name in (e.get("class") or "").split()]


def test_story_cards_show_each_other_sources_headline_publisher_and_time(demo: Path) -> None:
    front = parse(demo / "index.html")
    card = next(c for c in by_class(front, "article", "story") if "Shunned by the West" in text(c))
    items = by_class(card, "li", "coverage-item")
    assert len(items) == 1
    item = items[0]
    assert text(item.find(".//span[@class='source']")) == "Business Insider"
    assert item.find(".//a").get("href") == "./" + PUTIN_BI
    assert text(item.find(".//a")).startswith("Putin and Kim Jong Un pledge closer relations")
    assert item.find(".//time").get("datetime") == "2022-08-15"  # the entry gives a date only
    # The same on the edition's own page and on the topic page.
    for page in ("2022/08/15/index.html", "topics/world/index.html"):
        doc = parse(demo / page)
        assert any("Business Insider" in text(i) and "Putin and Kim" in text(i) for i in by_class(doc, "li",
                                                                                                 "coverage-item"))


def test_times_name_the_sites_zone_and_date_only_entries_show_no_time(demo: Path) -> None:
    doc = parse(demo / IRA_CHANGES / "index.html")
    byline = doc.find(".//div[@class='byline']")
    time = byline.find(".//time")
    # 12:00 UTC, shown in Europe/London in summer; the machine-readable time carries the offset.
    assert text(time) == "18 Aug 2022, 13:00 BST"
    assert time.get("datetime") == "2022-08-18T13:00:00+01:00"
    assert datetime.fromisoformat(time.get("datetime")) == datetime.fromisoformat("2022-08-18T12:00:00+00:00")
    fortune = parse(demo / PUTIN_FORTUNE / "index.html").find(".//div[@class='byline']//time")
    assert text(fortune) == "15 Aug 2022" and fortune.get("datetime") == "2022-08-15"
    front = parse(demo / "index.html")
    edition_times = [text(t) for c in by_class(front, "section", "topic-section") for t in c.iter("time")]
    assert edition_times and all(t.endswith(" BST") for t in edition_times), edition_times


def test_a_zone_without_an_abbreviation_is_written_as_an_offset(make_site: SiteMaker) -> None:
    config = BASIC_CONFIG.replace("Europe/London", "Asia/Singapore")
    root = make_site({"content/a.md": entry_text("A", "2022-08-15T19:05:00+08:00", topic="world")}, config=config)
    build(root, BuildOptions(now=NOW, jobs=1))
    time = parse(root / "output/2022/08/15/a/index.html").find(".//div[@class='byline']//time")
    assert text(time) == "15 Aug 2022, 19:05 UTC+08" and time.get("datetime") == "2022-08-15T19:05:00+08:00"


def test_article_coverage_is_a_line_by_the_byline_and_a_sidebar_list(demo: Path) -> None:
    doc = parse(demo / PUTIN_BI / "index.html")
    line = doc.find(".//div[@class='byline']/details[@class='coverage-line']")
    assert line is not None
    assert text(line.find("summary")) == "Also covered by Fortune"
    item = by_class(line, "li", "coverage-item")[0]
    assert "Fortune" in text(item) and "Shunned by the West" in text(item) and item.find(".//time") is not None
    aside = doc.find(".//section[@class='coverage-full']")
    assert [text(i) for i in by_class(aside, "li", "coverage-item")] == [text(item)]


def test_no_standfirst_when_the_summary_repeats_the_key_points(demo: Path, make_site: SiteMaker) -> None:
    doc = parse(demo / PUTIN_BI / "index.html")
    assert not by_class(doc, "p", "standfirst")
    assert len(by_class(doc, "section", "key-points")) == 1
    # A summary that says more than the key points stays.
    other = parse(demo / IRA_SIGNED / "index.html")
    assert [text(p) for p in by_class(other, "p", "standfirst")] == [
        "President Joe Biden signed the Inflation Reduction Act at the White House on Tuesday after it passed "
        "Congress on party-line votes."]


def test_a_story_told_over_several_days_has_a_timeline_and_is_developing(demo: Path) -> None:
    doc = parse(demo / IRA_CHANGES / "index.html")
    timeline = doc.find(".//section[@class='timeline']")
    assert timeline is not None
    rows = timeline.findall(".//li")
    assert [r.find(".//time").get("datetime")[:10] for r in rows] == ["2022-08-16", "2022-08-16", "2022-08-18"]
    assert [r.get("aria-current") for r in rows] == [None, None, "page"]
    assert [a.get("href") for a in timeline.iter("a")] == ["../../../../" + IRA_SIGNED, "../../../../" + IRA_LAW]
    line = doc.find(".//p[@class='story-line']")
    assert "3 reports from 16 Aug 2022 to 18 Aug 2022" in text(line)
    # The earlier report has the same timeline, itself marked.
    earlier = parse(demo / IRA_SIGNED / "index.html").find(".//section[@class='timeline']")
    assert [r.get("aria-current") for r in earlier.findall(".//li")] == ["page", None, None]
    # The edition where it began says it is developing and lists the later report.
    card = next(c for c in by_class(parse(demo / "2022/08/16/index.html"), "article", "story")
                if "Biden signs" in text(c))
    assert text(by_class(card, "span", "developing")[0]) == "Developing"
    later = by_class(card, "div", "developments")[0]
    assert "What the Inflation Reduction Act changes" in text(later)
    # A story of one day has neither.
    single = parse(demo / PUTIN_BI / "index.html")
    assert single.find(".//section[@class='timeline']") is None and not by_class(single, "span", "developing")


def test_stories_sharing_a_key_are_joined_into_one_told_over_several_days(make_site: SiteMaker) -> None:
    """A curator links a later report to an earlier story by giving it that story's key as
    `digest stories` prints it: organise joins the two, and the later report is a development."""
    from digest.config import load_config
    from digest.model import Entry, Story
    from digest.organise import organise
    from digest.stories import make_story

    root = make_site()
    config = load_config(root)

    def entry(name: str, when: str) -> Entry:
        return Entry(path=PurePosixPath(f"content/{name}.md"), title=name, published=datetime.fromisoformat(when),
                     slug=name, body="", topic="world", content_hash=name)

    first, second, later = entry("a", "2022-08-16T10:00:00+01:00"), entry("b", "2022-08-16T11:00:00+01:00"), \
        entry("c", "2022-08-18T09:00:00+01:00")
    stories = [make_story("2022-08-16-a", [first, second], 0.4, "similar 0.40"),
               Story("2022-08-16-a", later, (later,), 1.0, "curator")]
    site = organise([first, second, later], stories, config)
    assert [(s.key, [m.title for m in s.members]) for s in site.stories] == [("2022-08-16-a", ["a", "b", "c"])]
    assert site.story_of[later.path] is site.story_of[first.path]
    latest = site.editions[0]
    assert latest.sections == () and [f.entry.title for f in latest.followups] == ["c"]


def test_an_edition_counts_only_its_own_days_articles(demo: Path) -> None:
    """A story told over several days: its later report counts in its own day's edition, once."""
    import re

    summary = text(by_class(parse(demo / "2022/08/16/index.html"), "p", "edition-summary")[0])
    assert summary.startswith("1 story from 2 articles")
    archive = (demo / "archive/index.html").read_text(encoding="utf-8")
    counts = [int(n) for n in re.findall(r'<span class="count">(\d+) articles?</span>', archive)]
    entries = len(list(demo.glob("[0-9]*/*/*/*/index.html")))
    assert counts and sum(counts) == entries


def _built_story_of_forty(make_site: SiteMaker) -> Path:
    """A site of one story of 40 reports, 26 on 16 August and 14 on the 17th, built: its output/."""
    files = {f"content/r{i:02d}.md": entry_text(f"Report {i:02d} on the summit", source=f"Paper {i:02d}",
                                                 date=f"2022-08-{16 if i < 26 else 17}T{8 + i % 12:02d}:{i:02d}:00Z",
                                                 story="summit")
             for i in range(40)}
    root = make_site(files)
    build(root, BuildOptions(now=NOW, jobs=1))
    return root / "output"


def test_a_story_of_many_reports_names_a_dozen_and_counts_the_rest(make_site: SiteMaker) -> None:
    """Real news has stories of hundreds of reports: a page names at most COVERAGE_SHOWN of the
    others and says how many more, and a long timeline shows its first and last reports and those
    around the page's own, with the reports left out counted: each page stays small."""
    from digest.model import COVERAGE_SHOWN, TIMELINE_AROUND

    out = _built_story_of_forty(make_site)
    # Report 03, on the first day: 25 others that day (a dozen named), a timeline of all 40 reports cut twice
    doc = parse(out / "2022/08/16/r03/index.html")
    aside = doc.find(".//section[@class='coverage-full']")
    assert len(by_class(aside, "li", "coverage-item")) == COVERAGE_SHOWN
    assert text(by_class(aside, "li", "coverage-more")[0]) == f"{25 - COVERAGE_SHOWN} more reports"
    summary = text(doc.find(".//details[@class='coverage-line']/summary"))
    assert summary.endswith("and 23 more")  # two named, 23 more: the 25 others of its day
    timeline = doc.find(".//section[@class='timeline']")
    rows = timeline.findall(".//li")
    gaps = [int(text(r).split()[0]) for r in rows if "timeline-gap" in (r.get("class") or "")]
    shown = [r for r in rows if "timeline-gap" not in (r.get("class") or "")]
    assert len(shown) + sum(gaps) == 40
    assert len(shown) <= 2 * TIMELINE_AROUND + 3 and len(gaps) in (1, 2)
    assert "this report" in text(next(r for r in shown if "timeline-current" in (r.get("class") or "")))
    assert "40 reports from" in text(doc.find(".//p[@class='story-line']"))
    # The edition's card of the story: its lead, a dozen others of that day, how many more; later ones apart
    card = by_class(parse(out / "2022/08/16/index.html"), "article", "story")[0]
    first_day = by_class(card, "div", "coverage")[0]
    assert len(by_class(first_day, "li", "coverage-item")) == COVERAGE_SHOWN
    assert text(by_class(first_day, "li", "coverage-more")[0]) == f"{25 - COVERAGE_SHOWN} more reports"
    later = by_class(card, "div", "developments")[0]
    assert len(by_class(later, "li", "coverage-item")) == COVERAGE_SHOWN
    assert text(by_class(later, "li", "coverage-more")[0]) == f"{14 - COVERAGE_SHOWN} more reports"
    # Every article page of the story names a bounded number of its reports, whatever the story's size
    pages = list(out.glob("2022/08/1[67]/r*/index.html"))
    assert len(pages) == 40
    for page in pages:
        doc = parse(page)
        assert len(by_class(doc, "li", "coverage-item")) <= 2 * COVERAGE_SHOWN, page  # the byline's list, the aside's
        assert len(doc.find(".//section[@class='timeline']").findall(".//li")) <= 2 * TIMELINE_AROUND + 5, page


def test_a_story_of_many_reports_stays_small_in_the_feeds_and_the_emails(make_site: SiteMaker) -> None:
    """A feed item and an e-mail name at most COVERAGE_SHOWN of a story's other reports, the feed
    item's other days cut as a timeline is, and say how many they leave out: every report counted
    once, none named twice (a story of hundreds made a 54 KB feed item)."""
    import re
    import xml.etree.ElementTree as ET

    from digest.model import COVERAGE_SHOWN, TIMELINE_AROUND

    out = _built_story_of_forty(make_site)
    items = ET.parse(out / "feed.xml").getroot().findall("./channel/item")
    assert items
    for item in items:
        body = item.findtext("description") or ""
        lists = dict(re.findall(r"<p>(Also covered by:|Other developments of this story:)</p><ul>(.*?)</ul>", body))
        named = {name: re.findall(r'<a href="[^"]*">([^<]*)</a>', lists.get(name, "")) for name in
                 ("Also covered by:", "Other developments of this story:")}
        left_out = {name: [int(n) for n in re.findall(r"<li>(\d+) more reports?</li>", lists.get(name, ""))]
                    for name in named}
        same_day, other_days = named.values()
        assert len(same_day) <= COVERAGE_SHOWN and len(other_days) <= 2 * TIMELINE_AROUND + 2
        titles = same_day + other_days
        assert len(set(titles)) == len(titles) and (item.findtext("title") or "").removeprefix("Update: ") not in titles
        assert len(titles) + sum(left_out["Also covered by:"]) + sum(left_out["Other developments of this story:"]) \
            == 39, item.findtext("title")
    # Report 30 (the second day, 14 reports): 12 of its day named and 1 more; the 26 of the day
    # before cut to the first and the four before it
    item = next(i for i in items if i.findtext("title") == "Update: Report 30 on the summit")
    body = item.findtext("description") or ""
    assert "<li>1 more report</li>" in body and "<li>21 more reports</li>" in body
    # The e-mails: a dozen of the 25 other reports of its first day named, the rest counted; the text wrapped
    page = (out / "2022/08/16/email.html").read_text(encoding="utf-8")
    coverage = re.search(r'<p class="coverage"[^>]*>Also covered by (.*?)</p>', page, re.S)
    assert coverage is not None
    assert len(re.findall(r"<a ", coverage.group(1))) == COVERAGE_SHOWN
    assert coverage.group(1).endswith(f"and {25 - COVERAGE_SHOWN} more")
    plain = (out / "2022/08/16/email.txt").read_text(encoding="utf-8")
    covered = plain[plain.index("Also covered by"):].split("\n  http")[0]  # then the lead's address
    assert covered.endswith(f"and {25 - COVERAGE_SHOWN} more") and covered.count("Paper") == COVERAGE_SHOWN
    assert all(len(line) <= 72 for line in covered.splitlines())
