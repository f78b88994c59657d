"""Tag hygiene (digest/tags.py): at ingest, at build, [tags] settings, and `digest check`'s list
of near-duplicate tags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest.build import BuildOptions, build
from digest.check import check_site
from digest.config import load_config
from digest.entry_file import load_entry
from digest.errors import ConfigError, ContentWarning
from digest.ingest.article import Article
from digest.ingest.entry import front_matter
from digest.tags import alias_table, clean_tags, near_duplicates, tidy

from .conftest import BASIC_CONFIG, NOW, REPO, SiteMaker, entry_text

FORTUNE = "content/shunned-by-the-west-vladimir-putin-turns-to-north-koreas-kim-jong-un-as-an-ally.md"
FORTUNE_ABOUT = ("Shunned by the West, Vladimir Putin turns to North Korea’s Kim Jong Un as an ally\n"
                 "Russia’s relationship with North Korea is taking on renewed importance in the face of "
                 "“hostile military forces.”")


def test_the_fortune_pages_tags_become_subjects() -> None:
    """The issue's example: the tags the page's CMS gave, as the demo's entry holds them."""
    raw = ["North And South Korea", "Ukraine War", "Russian", "Supreme", "Japanese", "KCNA", "North Korean"]
    assert clean_tags(raw, about=FORTUNE_ABOUT) == ("North and South Korea", "Ukraine War", "Russia", "KCNA",
                                                    "North Korea")


@pytest.mark.parametrize(("name", "expected"), [
    ("Supreme", None), ("Electric", None), ("Global", None), ("Monday", None), ("The", None), ("August", None),
    ("Climate", "Climate"), ("Taxes", "Taxes"), ("Kaub", "Kaub"), ("NATO", "NATO"), ("G7", "G7"),
    ("COVID-19", "COVID-19"), ("Joe Biden", "Joe Biden"), ("Inflation Reduction Act", "Inflation Reduction Act"),
    ("North And South Korea", "North and South Korea"), ("Bank Of England", "Bank of England"),
    ("UKRAINE WAR", "Ukraine War"), ("NATO SUMMIT", "NATO Summit"), ("Russian Federation", "Russia"),
    ("Republic of Korea", "South Korea"),
])
def test_one_tag_tidied(name: str, expected: str | None) -> None:
    assert tidy(name) == expected


def test_a_demonym_is_its_country_only_where_the_entry_names_that_country() -> None:
    assert clean_tags(["Russian", "Energy"], about="Gas prices climb as Russia cuts supplies") == ("Russia",
                                                                                                  "Energy")
    assert clean_tags(["Russian", "Energy"], about="Gas prices climb as supplies dwindle") == ("Energy",)
    assert clean_tags(["Ukrainian", "Ukraine"], about="") == ("Ukraine",)  # named by another tag; kept once
    assert clean_tags(["American"], about="United States election") == ("United States",)


def test_aliases_and_ignored_names_win_and_duplicates_go() -> None:
    aliases = alias_table((("North Korea", ("DPRK", "Democratic People's Republic of Korea")),
                           ("Supreme Court", ("Supreme",))))
    assert clean_tags(["dprk", "north korea", "Supreme", "Exclusive", " Climate  change "], aliases,
                      ignore=["exclusive"]) == ("North Korea", "Supreme Court", "Climate change")
    assert clean_tags([]) == ()


def test_the_build_cleans_the_tags_content_holds(make_site: SiteMaker) -> None:
    config = BASIC_CONFIG + '\n[tags]\naliases = { "North Korea" = ["DPRK"] }\nignore = ["Exclusive"]\n'
    root = make_site({"content/a.md": entry_text(
        "Putin and Kim pledge closer ties", summary="'Russia and North Korea exchanged messages.'",
        tags="[DPRK, Russian, Supreme, Japanese, Exclusive, North And South Korea]", topic="world")}, config=config)
    entry = load_entry(root / "content/a.md", load_config(root))
    assert entry.tags == ("North Korea", "Russia", "North and South Korea")
    build(root, BuildOptions(now=NOW, jobs=1))
    tags = sorted(p.name for p in (root / "output/tags").iterdir() if p.is_dir())
    assert tags == ["north-and-south-korea", "north-korea", "russia"]


def test_the_demo_sites_tags_page_has_no_adjectives(demo_site: Path) -> None:
    build(demo_site, BuildOptions(now=NOW, jobs=1))
    tags = sorted(p.name for p in (demo_site / "output/tags").iterdir() if p.is_dir())
    for noise in ("supreme", "japanese", "russian", "north-korean", "north-and-south-korea-1"):
        assert noise not in tags
    assert {"russia", "north-korea", "north-and-south-korea", "kcna"} <= set(tags)
    page = (demo_site / "output/tags/index.html").read_text(encoding="utf-8")
    assert ">North and South Korea</a>" in page and "North And South" not in page
    assert (REPO / FORTUNE).read_text(encoding="utf-8").count("- Supreme") == 1  # cleaned in the build, not edited


def test_ingest_writes_clean_tags() -> None:
    article = Article(title="Putin turns to North Korea’s Kim Jong Un", date="2022-08-15",
                      summary="Russia’s ties with North Korea grow.",
                      tags=("North Korean", "Russian", "Supreme", "Japanese", "KCNA"), body="Text.")
    assert front_matter(article, [])["tags"] == ["North Korea", "Russia", "KCNA"]
    assert "tags" not in front_matter(Article(title="A", date="2022-08-15", tags=("Supreme",), body="x"), [])


def test_tags_config_is_checked(make_site: SiteMaker) -> None:
    root = make_site(config=BASIC_CONFIG + '\n[tags]\naliases = { "North Korea" = [1, 2] }\n')
    with pytest.raises(ConfigError, match="tags.aliases") as caught:
        load_config(root)
    assert caught.value.line == BASIC_CONFIG.count("\n") + 3
    root = make_site(config=BASIC_CONFIG + '\n[tags]\nignore = "Exclusive"\n', name="other")
    with pytest.raises(ConfigError, match="tags.ignore"):
        load_config(root)
    assert load_config(make_site(config=BASIC_CONFIG + '\n[tags]\naliases = { "A" = "B" }\n', name="one")
                       ).tag_aliases == (("A", ("B",)),)


def test_near_duplicates_are_found_with_the_one_to_keep() -> None:
    found = near_duplicates({"Tax": 1, "Taxes": 3, "Russia": 5, "Russian Federation": 1, "North Korea": 2,
                             "Electric Vehicle": 1, "Electric Vehicles": 2, "Vladimir Putin": 3,
                             "Vladimir Putn": 1, "Climate": 2, "Energy": 2})
    assert [(d.name, d.keep, d.why) for d in found] == [
        ("Electric Vehicle", "Electric Vehicles", "plural"), ("Russian Federation", "Russia", "another name"),
        ("Tax", "Taxes", "plural"), ("Vladimir Putn", "Vladimir Putin", "spelling")]


def test_check_lists_near_duplicate_tags_with_a_suggestion(make_site: SiteMaker) -> None:
    root = make_site({
        "content/a.md": entry_text("A", tags="[Taxes, Climate]", topic="world"),
        "content/b.md": entry_text("B", "2022-08-16T09:00:00+01:00", tags="[Taxes]", topic="world"),
        "content/c.md": entry_text("C", "2022-08-17T09:00:00+01:00", tags="[Tax]", topic="world"),
    })
    warnings: list[ContentWarning] = []
    problems, _ = check_site(root, BuildOptions(now=NOW), warnings)
    assert not problems
    assert len(warnings) == 1
    warning = warnings[0]
    assert warning.message == "tags 'Tax' (1 entry) and 'Taxes' (2 entries) look like one tag (plural)"
    assert warning.path == root / "content/c.md" and warning.line == 4
    assert warning.hint == ("write 'Taxes' instead, or merge them in digest.toml: "
                            "[tags] aliases = { \"Taxes\" = [\"Tax\"] }")


def test_the_shipped_word_data_is_what_the_libraries_give() -> None:
    """digest/tag_words.json is made by scripts/tag_words.py from lemminflect and countryinfo; after
    upgrading either, run the script again."""
    import runpy

    script = runpy.run_path(str(REPO / "scripts" / "tag_words.py"))
    assert (REPO / "digest" / "tag_words.json").read_text(encoding="utf-8") == script["text"](), \
        "run python scripts/tag_words.py"


def test_a_build_loads_neither_library() -> None:
    """Their tables cost 0.3-0.8 s in every parsing process; a build reads tag_words.json instead."""
    import subprocess
    import sys

    code = ("import sys; from digest.tags import clean_tags; "
            "print(clean_tags(['Supreme', 'Russian', 'Climate'], about='Russia')); "
            "print('lemminflect' in sys.modules, 'countryinfo' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["('Russia', 'Climate')", "False False"]


def test_a_closing_plus_or_sharp_names_another_tag(make_site: SiteMaker) -> None:
    """C, C++ and C# are three subjects (Disney and Disney+ two): each its own page, named as
    written, and every link to a tag leads to its page; punctuation elsewhere is still aside."""
    from digest.tags import fold

    root = make_site({
        "content/a.md": entry_text("Compilers compared", tags="[C++, 'C#', Disney+]", topic="world"),
        "content/b.md": entry_text("Kernels in plain C", tags="[C Language, Disney, F#]", topic="world",
                                   date="2022-08-15T11:00:00Z")})
    build(root, BuildOptions(now=NOW, jobs=1))
    out = root / "output"
    tags = sorted(p.name for p in (out / "tags").iterdir() if p.is_dir())
    assert tags == ["c-language", "c-plus-plus", "c-sharp", "disney", "disney-plus", "f-sharp"]
    assert ">C++<" in (out / "tags/c-plus-plus/index.html").read_text(encoding="utf-8")
    import re

    for page in out.glob("2022/08/15/*/index.html"):
        for link in re.findall(r'href="([^"]*tags/[^"#]+/)"', page.read_text(encoding="utf-8")):
            assert (page.parent / link / "index.html").resolve().is_file(), (page, link)
    assert fold("C++") != fold("C") and fold("COVID-19") == fold("Covid 19") and fold("#MeToo") == fold("MeToo")


def test_a_tag_in_nfd_and_in_nfc_is_one_tag() -> None:
    """The same Cyrillic tag twice on an entry, once as typed and once pasted in NFD (as from a macOS
    file name): one tag, not two that look alike."""
    import unicodedata
    name = "Йошкар-Ола"
    assert clean_tags([name, unicodedata.normalize("NFD", name)]) == (name,)


def test_the_list_of_tags_reads_in_the_order_of_its_alphabets(make_site: SiteMaker) -> None:
    """Tags in another script have a hash for a slug: the list of tags stood in the order of those hashes
    ('Россия' before 'Йошкар-Ола', 'Ёлка' anywhere). Such tags now follow the named ones, by their letters."""
    names = ["Россия", "Йошкар-Ола", "Ёлка", "Москва", "Берлин", "Zürich", "Athens"]
    root = make_site({f"content/{i}.md": entry_text(f"Headline {i}", tags=f"[{name}]")
                      for i, name in enumerate(names)})
    build(root, BuildOptions(now=NOW, jobs=1))
    listing = (root / "output/tags/index.html").read_text(encoding="utf-8")
    shown = re.findall(r'<a href="\.\./tags/[^"]+">([^<]+)</a>', listing)
    assert shown == ["Athens", "Zürich", "Берлин", "Ёлка", "Йошкар-Ола", "Москва", "Россия"]


def test_german_and_turkish_letters_are_folded_as_their_readers_fold_them() -> None:
    """'ß' and Turkish 'ı' were dropped, not spelled: 'Straße' folded to 'strae' and 'STRASSE' to 'strasse',
    'Işık' to 'isk' and 'IŞIK' to 'isik', so an entry kept both spellings as two tags, an alias for one did
    not catch the other, and `digest check` did not say they look like one tag."""
    assert clean_tags(["Straße", "STRASSE", "Işık", "IŞIK", "Łódź", "Lodz"]) == ("Straße", "Işık", "Łódź")
    assert clean_tags(["Strasse"], alias_table((("Straße", ()),))) == ("Straße",)
    found = near_duplicates({"Straße": 3, "Strasse": 1, "Россия": 4, "россия": 1})
    assert [(d.name, d.keep, d.why) for d in found] == [("Strasse", "Straße", "spelling"),
                                                         ("россия", "Россия", "spelling")]


def test_tags_whose_slugs_leave_out_letters_of_another_script_have_pages_of_their_own(make_site: SiteMaker) -> None:
    """'COVID-19 в России', 'COVID-19 в Китае' and 'COVID-19' all slugified to covid-19: one tag page held
    the three, named after whichever came first, an entry tagged with two kept one, and an alias or an
    ignored name for 'COVID-19' took the others too. Each is its own tag now; names in ASCII or accented
    Latin keep the addresses they had."""
    from digest.urls import tag_slug

    names = ["COVID-19 в России", "COVID-19 в Китае", "COVID-19"]
    assert clean_tags(names) == tuple(names)
    assert clean_tags(names, ignore=["COVID-19"]) == tuple(names[:2])
    assert clean_tags(["covid-19 В РОССИИ", *names]) == ("covid-19 В РОССИИ", *names[1:])  # case aside, as before
    assert len({tag_slug(name) for name in names}) == 3 and tag_slug("COVID-19") == "covid-19"
    assert tag_slug("COVID-19 в России").startswith("covid-19-")
    assert [tag_slug(name) for name in ("Café", "Straße", "Łódź", "Zürich", "Ⅸ Olympiad", "Россия")] == [
        "cafe", "strae", "odz", "zurich", "ix-olympiad", "tag-3d9a48af"]  # the addresses they always had
    root = make_site({f"content/{i}.md": entry_text(f"Headline {i}", tags=f"['{name}']", date=f"2022-08-15T1{i}:00:00Z")
                      for i, name in enumerate(names)})
    build(root, BuildOptions(now=NOW, jobs=1))
    pages = {p.name: p for p in (root / "output/tags").iterdir() if p.is_dir()}
    assert len(pages) == 3
    for i, name in enumerate(names):
        page = (pages[tag_slug(name)] / "index.html").read_text(encoding="utf-8")
        assert f"Headline {i}" in page and all(f"Headline {j}<" not in page for j in range(3) if j != i)
