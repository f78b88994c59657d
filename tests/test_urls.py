from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from digest.urls import (
    _has_safe_scheme,
    article_url,
    edition_url,
    is_safe_link,
    output_path,
    relative_root,
    safe_slug,
    slugify,
    web_address,
)


def test_slugify() -> None:
    assert slugify("Putin & Kim: a ‘new’ high stage!") == "putin-kim-a-new-high-stage"
    assert slugify("Café Zürich") == "cafe-zurich"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("🙂") == ""
    assert len(slugify("a" * 500)) == 80


@pytest.mark.parametrize("name", ["", "..", ".", "/", "CON", "nul", "🙂🙂", "index", "Ⅸ"])
def test_safe_slug_is_always_a_usable_segment(name: str) -> None:
    slug = safe_slug(name, "tag")
    assert slug and "/" not in slug and slug not in {".", "..", "con", "nul", "index"}
    assert slug == safe_slug(name, "tag")  # stable


def test_different_unusable_names_do_not_share_a_slug() -> None:
    assert safe_slug("🙂", "tag") != safe_slug("🙃", "tag")


def test_a_name_in_nfd_has_the_slug_of_its_nfc_form() -> None:
    """A tag typed on one machine and pasted from another, or an entry's file name as macOS writes it (NFD:
    "й" as "и" and a combining breve, "서" as three jamo), is the same name: one page, one address."""
    for name in ("Йошкар-Ола", "서울", "がっこう"):
        nfd = unicodedata.normalize("NFD", name)
        assert nfd != name
        assert safe_slug(nfd, "tag") == safe_slug(name, "tag")
    assert safe_slug("Йошкар-Ола", "tag") == "tag-a4d7ae5a"  # an NFC name keeps the address it had


@pytest.mark.parametrize("url", ["https://a.example/x", "http://a", "mailto:x@y.example", "rel/path", "/abs",
                                 "#frag", "?q=1", "//cdn.example/x"])
def test_safe_links(url: str) -> None:
    assert is_safe_link(url)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:x", " javascript:x", "java\tscript:x",
                                 "java\nscript:x", "data:text/html,x", "vbscript:x", "\x01javascript:x",
                                 "ｊａｖａｓｃｒｉｐｔ:x", "file:///etc/passwd"])
def test_unsafe_links(url: str) -> None:
    assert not is_safe_link(url)


@pytest.mark.parametrize("url", ["https://a.example/x?q#f", "http://a", "https://[::1]/", "https://[x", "http://x]/",
                                 "https://a\u0301b", "https://\uff03x", "https:// a", "http://\x00x", "https:",
                                 "https:/x", "HTTPS://a", "https://a/b:c", "https://a@b:1/"])
def test_the_quick_check_agrees_with_the_full_one(url: str) -> None:
    def outcome(check: object) -> object:
        try:
            return check(url)  # type: ignore[operator]
        except ValueError as exc:  # urlsplit refuses some brackets
            return type(exc)
    assert outcome(is_safe_link) == outcome(_has_safe_scheme)


def test_dated_urls_are_strftime_shapes() -> None:
    for day in (date(1, 1, 1), date(999, 12, 31), date(2022, 8, 5), date(9999, 12, 31)):
        assert edition_url(day) == f"{day:%Y/%m/%d}/"
        assert article_url(day, "x") == f"{day:%Y/%m/%d}/x/"


def test_paths() -> None:
    assert article_url(date(2022, 8, 15), "x") == "2022/08/15/x/"
    assert output_path("2022/08/15/") == "2022/08/15/index.html"
    assert output_path("") == "index.html"
    assert output_path("feed.xml") == "feed.xml"
    assert relative_root("2022/08/15/x/") == "../../../../"
    assert relative_root("") == "./"


@pytest.mark.parametrize(("url", "base", "address"), [
    ("https://news.example.com/a?b=1&c=2", None, "https://news.example.com/a?b=1&c=2"),
    ("  HTTP://news.example.com  ", None, "HTTP://news.example.com"),
    ("/2024/05/01/story", None, None),  # relative, and nothing to resolve it against
    ("/2024/05/01/story", "https://news.example.com/world/", "https://news.example.com/2024/05/01/story"),
    ("img/a.jpg", "https://news.example.com/world/", "https://news.example.com/world/img/a.jpg"),
    ("//cdn.example.com/a.jpg", "https://news.example.com/", "https://cdn.example.com/a.jpg"),
    ("//cdn.example.com/a.jpg", None, None),
    ("javascript:alert(1)", "https://news.example.com/", None),
    ("mailto:desk@example.com", None, None),
    ("<script>x</script>&&#106;avascript:alert(8)", None, None),
    ("https://", None, None),
    ("https://[::1", "https://news.example.com/", None),
    ("", "https://news.example.com/", None),
    (None, None, None),
])
def test_web_address_is_absolute_http_or_none(url: object, base: str | None, address: str | None) -> None:
    assert web_address(url, base) == address


def test_a_name_whose_slug_leaves_out_letters_of_another_script_keeps_them_in_a_hash() -> None:
    """'COVID-19 в России' and 'COVID-19 в Китае' both slugified to covid-19, the slug of 'COVID-19': for a
    tag or a topic, whose name is all that tells its page from another's, that was one page for three names.
    An entry's file name keeps its slug: two such files on one day are an error that names both."""
    from digest.urls import drops_letters, name_slug

    slugs = [name_slug(name, "tag") for name in ("COVID-19 в России", "COVID-19 в Китае", "COVID-19", "٣ days")]
    assert len(set(slugs)) == 4 and slugs[0].startswith("covid-19-") and slugs[2] == "covid-19"
    assert slugs[3].startswith("days-")  # Arabic-Indic digits are digits slugify leaves out
    assert name_slug(unicodedata.normalize("NFD", "COVID-19 в Йошкар-Оле"), "tag") == name_slug(
        "COVID-19 в Йошкар-Оле", "tag")
    for name in ("Café Zürich", "Straße", "Łódź", "Ærø", "ＡＢＣ", "Ⅸ", "²"):
        assert not drops_letters(name) and name_slug(name, "tag") == safe_slug(name, "tag"), name
    assert safe_slug("COVID-19 в России", "entry") == "covid-19"  # an article's address stays
