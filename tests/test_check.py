"""`digest check`: the whole chain without writing anything; every problem reported, as errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import entry_text


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "digest.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def digest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """As a user runs it: python -m digest."""
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_check_writes_nothing_and_reports_broken_links(make_site) -> None:
    root = make_site({"content/a.md": entry_text(body="[gone](https://news.example.org/2099/01/01/nothing/)")})
    result = run("check", cwd=root)
    assert result.returncode == 1
    assert "broken internal link" in result.stderr
    assert not (root / "output").exists()
    (root / "content/a.md").write_text(entry_text(body="[fine](https://news.example.org/archive/)"))
    assert run("check", cwd=root).returncode == 0


def test_messages_count_in_the_singular_and_plural(make_site) -> None:
    root = make_site({"content/a.md": entry_text(body="[gone](https://news.example.org/2099/01/01/nothing/)")})
    result = digest("check", cwd=root)
    assert result.returncode == 1 and "checked 1 entry, " in result.stdout and ": 1 problem" in result.stdout
    assert "1 problems" not in result.stdout + result.stderr
    (root / "content/b.md").write_text(entry_text("Another", body="[gone](https://news.example.org/x/)"))
    result = digest("check", cwd=root)
    assert "checked 2 entries, " in result.stdout and ": 2 problems" in result.stdout


def test_check_never_says_build_failed(make_site) -> None:
    root = make_site({"content/a.md": "---\ntitle: x\n---\nbody\n", "content/b.md": "---\ndate: 2022-01-01\n---\n"})
    result = digest("check", cwd=root)
    assert result.returncode == 1 and "build failed" not in result.stderr and "output/" not in result.stderr
    assert "check: 2 problems" in result.stderr
    built = digest("build", cwd=root)
    assert "build failed: 2 problems; the previous output/ is untouched" in built.stderr


def test_check_names_a_second_lead_of_one_story(make_site) -> None:
    """Two entries of one story both say lead: true: the earliest leads; check names the other's
    file and line and what to do (the build said nothing)."""
    root = make_site({
        "content/a.md": entry_text("Summit opens", story="summit", lead="true"),
        "content/b.md": entry_text("Summit goes on", story="summit", lead="true", date="2022-08-15T12:00:00Z"),
    })
    result = digest("check", cwd=root)
    assert "content/b.md:" in result.stderr and "content/a.md leads this story" in result.stderr, result.stderr
    assert "remove lead: true" in result.stderr
    (root / "content/b.md").write_text(entry_text("Summit goes on", story="summit", date="2022-08-15T12:00:00Z"))
    assert "leads this story" not in digest("check", cwd=root).stderr


def test_check_reads_the_pages_a_build_wrote_and_renders_only_those_changed_since(make_site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A page the live output/ holds as the plan would render it (the fingerprint the build recorded)
    is read from there; a page changed since the last build is rendered, and its links checked."""
    import digest.check
    from digest.build import BuildOptions, build
    from digest.check import check_site

    from .conftest import NOW

    root = make_site({"content/a.md": entry_text("Alpha", body="Body."),
                      "content/b.md": entry_text("Beta", body="Body.", date="2022-08-16T09:00:00+00:00")})
    build(root, BuildOptions(now=NOW))
    rendered: list[str] = []
    real = digest.check.render_page
    monkeypatch.setattr(digest.check, "render_page", lambda env, page, shared: rendered.append(page.output_path)
                        or real(env, page, shared))
    problems, summary = check_site(root, BuildOptions(now=NOW))
    assert problems == [] and rendered == [] and "pages" in summary
    templates = root / "themes/default/templates"
    templates.mkdir(parents=True)
    (templates / "article.html").write_text('{% extends "default:article.html" %}{% block meta %}'
                                            '<a href="{{ root }}nowhere/">x</a>{% endblock %}')
    problems, _ = check_site(root, BuildOptions(now=NOW))
    assert sorted(rendered) == ["2022/08/15/a/index.html", "2022/08/16/b/index.html"]  # the pages made with it
    assert problems and all("broken internal link" in p and "nowhere/" in p for p in problems)


def test_a_link_resolved_once_for_pages_of_one_origin_leads_where_it_would_from_each() -> None:
    """check._link_origin: two pages of one origin resolve a link alike (what check keeps)."""
    from itertools import product
    from urllib.parse import urljoin

    from digest.check import _link_origin

    pages = ["", "index.html", "404.html", "archive/", "tags/a/", "tags/b/", "tags/a/page/2/", "2023/03/23/",
             "2023/03/23/slug/", "2024/01/02/other/", "2023/03/23/email.html", "2024/01/02/email.eml"]
    links = ["", "#main", "?q=x", "./", "topics/", "../", "../../", "../../../", "../../../../", "../../../../../",
             "../other/", "../../03/24/", "static/style.css", "/abs/", "https://news.example.org/x/", "mailto:a@b.c",
             "//cdn.example.org/x.js", "../../../../topics/world/?page=2#top"]
    for base in ("https://news.example.org/", "https://example.org/sub/path/"):
        resolved: dict[tuple[str, str], str] = {}
        for page, link in product(pages, links):
            target = urljoin(urljoin(base, page), link)
            assert resolved.setdefault((_link_origin(page, link), link), target) == target, (base, page, link)


def test_pages_to_render_are_rendered_in_workers_and_their_problems_kept_in_page_order(make_site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Without a build to read from, the pages are rendered in worker processes when many (here:
    always); each broken link the theme makes is reported once, in the order of the pages."""
    import digest.check
    from digest.build import BuildOptions
    from digest.check import check_site

    from .conftest import NOW

    monkeypatch.setattr(digest.check, "RENDER_APART", 0)
    root = make_site({f"content/{name}.md": entry_text(name.title(), body="Body.") for name in ("a", "b", "c")}
                     | {"themes/default/templates/article.html": '{% extends "default:article.html" %}'
                        '{% block meta %}<a href="{{ root }}nowhere/">x</a>{% endblock %}'})
    problems, _ = check_site(root, BuildOptions(now=NOW, jobs=2))
    inline, _ = check_site(root, BuildOptions(now=NOW, jobs=1))
    assert len(problems) == 3 and problems == inline
    assert all("broken internal link" in p and "nowhere/" in p for p in problems)


def test_the_files_of_one_e_mail_are_one_render_task() -> None:
    """render_files.page_tasks: an e-mail's .html, .txt and .eml (one `email` object) go to one worker,
    which renders the e-mail once for the three; every other page is a task of its own."""
    from digest.model import Page
    from digest.render_files import page_tasks

    first, second = {"subject": "a"}, {"subject": "b"}

    def mail(part: str, email: dict[str, str]) -> Page:
        return Page(f"{email['subject']}/email.{part}", "email/email.html", {"email_part": part, "email": email})

    pages = [Page("a/index.html", "edition.html", {}), mail("html", first), mail("txt", first), mail("eml", first),
             mail("html", second), mail("txt", second), Page("b/index.html", "edition.html", {"email": first}),
             mail("eml", second)]
    assert page_tasks(pages) == [(0,), (1, 2, 3), (4, 5), (6,), (7,)]


def test_a_template_error_is_named_once_relative_to_the_site(make_site) -> None:
    """A theme's error shows on every page made with the template: check listed it once per page
    (35 copies on a site of 12 entries), each with the template's whole path, where a build names
    it once, relative to the site folder."""
    root = make_site({"content/a.md": entry_text(tags="[one, two, three]"),
                      "themes/mine/templates/tag.html": "{% extends 'default:tag.html' %}\n"
                                                         "{% block title %}{{ tag.nam }}{% endblock %}\n"},
                     config='[site]\ntheme = "mine"\n')
    result = digest("check", cwd=root)
    assert result.returncode == 1 and ": 1 problem" in result.stdout
    assert result.stderr.count("error: themes/mine/templates/tag.html:2: template error") == 1
    assert str(root) not in result.stderr


def test_check_parses_only_the_entry_files_changed_since_the_last_build(make_site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The entries a build parsed, unchanged since, are read from its cache (whole, with their story
    features), nothing written there; their warnings are found again all the same; an entry changed
    since is parsed, and its broken link reported."""
    import digest.load
    from digest.build import BuildOptions, build
    from digest.check import check_site
    from digest.reuse.cache import cache_path

    from .conftest import NOW

    root = make_site({"content/a.md": entry_text("Alpha", body="Body.", summry="A typo."),
                      "content/b.md": entry_text("Beta", body="Body.", date="2022-08-16T09:00:00+00:00")})
    build(root, BuildOptions(now=NOW))
    parsed: list[str] = []
    real = digest.load.parse_files
    monkeypatch.setattr(digest.load, "parse_files", lambda config, items: parsed.extend(rel for rel, *_ in items)
                        or real(config, items))
    cache = cache_path(root)
    before = cache.stat().st_mtime_ns, cache.read_bytes()
    warnings: list = []
    problems, _ = check_site(root, BuildOptions(now=NOW, jobs=1), warnings)
    assert problems == [] and parsed == []
    assert [w.path.name for w in warnings] == ["a.md"] and "summry" in str(warnings[0])  # found again
    assert (cache.stat().st_mtime_ns, cache.read_bytes()) == before  # nothing written
    (root / "content/b.md").write_text(entry_text("Beta", body="[gone](https://news.example.org/2099/01/01/x/)",
                                                  date="2022-08-16T09:00:00+00:00"))
    problems, _ = check_site(root, BuildOptions(now=NOW, jobs=1))
    assert parsed == ["content/b.md"] and len(problems) == 1 and "content/b.md" in problems[0]
