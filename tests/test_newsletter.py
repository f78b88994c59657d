"""The newsletter files: email.html, email.txt and email.eml for every edition and week, built with
the site, byte-stable, equal between an incremental and a cold build, inert with hostile entries,
under Gmail's clipping size, and parsed back whole by Python's email package."""

from __future__ import annotations

import email
import queue
import random
import re
import shutil
import threading
import time
import urllib.request
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import html5lib
import pytest

from digest.build import Builder, BuildOptions, build
from digest.config import load_config
from digest.errors import BuildFailed, ConfigError, DigestError
from digest.newsletter import message as mime
from digest.newsletter.plan import week_end
from digest.newsletter.render import MAX_HTML_BYTES
from digest.serve import DevServer, Rebuild

from .conftest import BASIC_CONFIG, NOW, entry_text, tree_bytes
from .safety import assert_inert_html, assert_well_formed_html

OPTIONS = BuildOptions(now=NOW, jobs=1)
HOSTILE_CORPUS = Path(__file__).parent / "hostile" / "entries" / "published"
FILES = {
    "content/a.md": entry_text("Alpha rises", "2022-08-15T09:00:00+01:00", topic="world", source="Wire One",
                               summary="Alpha rose on Monday.", authors='["Ann Author"]'),
    "content/b.md": entry_text("Alpha rises again", "2022-08-15T11:00:00+01:00", topic="world", source="Wire Two",
                               story="alpha"),
    "content/a2.md": entry_text("Alpha rises, the lead", "2022-08-15T08:00:00+01:00", topic="world",
                                source="Wire Three", story="alpha"),
    "content/c.md": entry_text("Business booms", "2022-08-16T10:00:00+01:00", topic="business",
                               summary="Shares & bonds <up>."),
    "content/d.md": entry_text("Next week's news", "2022-08-22T10:00:00+01:00", topic="world"),
}
EMAIL_CONFIG = """
[email]
from = "Zoë Écrit <zoe@example.org>"
subject = "{title} — {date}: {headline}"
list_unsubscribe = "mailto:leave@example.org"
"""


def _message(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _links(html: str) -> list[str]:
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    return [e.get(a) for e in tree.iter() for a in ("href", "src") if e.get(a) is not None]


@pytest.fixture
def site(make_site) -> Path:
    root = make_site(FILES, config=BASIC_CONFIG + EMAIL_CONFIG)
    build(root, OPTIONS)
    return root


def test_every_edition_and_week_has_its_three_files(site: Path) -> None:
    out = site / "output"
    days = sorted(p.parent.relative_to(out).as_posix() for p in out.glob("[0-9]*/*/*/index.html"))
    assert days == ["2022/08/15", "2022/08/16", "2022/08/22"]
    for folder in [*days, "weeks/2022-w33", "weeks/2022-w34"]:
        for name in ("email.html", "email.txt", "email.eml"):
            assert (out / folder / name).is_file(), f"{folder}/{name}"
    assert sorted(p.name for p in (out / "weeks").iterdir()) == ["2022-w33", "2022-w34"]
    # The week to Sunday 21 August holds the 15th and the 16th, newest first; the 22nd starts the next.
    week = (out / "weeks/2022-w33/email.txt").read_text()
    assert week.index("Tuesday 16 August 2022") < week.index("Monday 15 August 2022")
    assert "Business booms" in week and "Alpha rises, the lead" in week and "Next week" not in week
    assert "The week to Sunday 21 August 2022" in week


def test_the_html_has_the_stories_by_topic_absolute_links_and_inlined_css(site: Path) -> None:
    html = (site / "output/2022/08/15/email.html").read_text()
    assert_well_formed_html(html.encode(), "email.html")
    assert_inert_html(html, "email.html")
    # the story: its lead's headline, source, summary; the other coverage linked to the site's articles
    assert "Alpha rises, the lead" in html and "Wire Three" in html
    assert re.search(r'Also covered by <a href="https://news.example.org/2022/08/15/b/"[^>]*>Wire Two</a>',
                     html)
    links = _links(html)
    assert links and all(link.startswith(("https://news.example.org/", "mailto:")) for link in links), links
    assert 'href="https://news.example.org/2022/08/15/"' in html  # view in the browser: the edition's page
    assert "mailto:leave@example.org" in html
    # CSS inlined: styles on the elements; what cannot be inlined (phone, dark mode) left in <style>
    assert re.search(r'<h1 class="dateline" style="[^"]*font-size:20px', html)
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style and "@media (max-width: 620px)" in style.group(1) and "prefers-color-scheme: dark" in style.group(1)
    assert "border-top: 4px solid #9c1c1c" not in style.group(1)  # inlined rules leave the <style>
    assert 'role="presentation"' in html and "width:600px" in html
    assert '<meta name="color-scheme" content="light dark">' in html
    # the preheader: the headlines, hidden, first in the body
    assert re.search(r'<div class="preheader" style="display:none[^"]*">Alpha rises, the lead', html)


def test_the_text_alternative_reads_on_its_own(site: Path) -> None:
    text = (site / "output/2022/08/16/email.txt").read_text()
    assert "BUSINESS\n" in text
    assert "* Business booms\n" in text
    assert "  Shares & bonds <up>.\n" in text  # plain text: nothing escaped
    assert "  https://news.example.org/2022/08/16/c/\n" in text
    assert "View in the browser: https://news.example.org/2022/08/16/\n" in text
    assert "Unsubscribe: mailto:leave@example.org" in text
    assert all(len(line) <= 100 for line in text.splitlines() if "https://" not in line)


def test_the_eml_is_a_complete_mime_message(site: Path) -> None:
    out = site / "output"
    raw = (out / "2022/08/15/email.eml").read_bytes()
    assert raw.isascii() and b"\r\n" in raw  # encoded for any mail transport
    message = _message(out / "2022/08/15/email.eml")
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.iter_parts()
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    assert plain["Content-Transfer-Encoding"] == html["Content-Transfer-Encoding"] == "quoted-printable"
    assert plain.get_content().replace("\r\n", "\n") == (out / "2022/08/15/email.txt").read_text()
    assert html.get_content().replace("\r\n", "\n") == (out / "2022/08/15/email.html").read_text()
    assert message.get_body(("html",)) is not None
    # non-ASCII subject and sender name: encoded in the file, whole when parsed
    assert message["Subject"] == "Test Digest — Monday 15 August 2022: Alpha rises, the lead"
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0]
    sender = message["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("Zoë Écrit", "zoe@example.org")
    assert message["Date"].datetime.isoformat() == "2022-08-15T11:00:00+01:00"  # the newest article
    assert message["List-Unsubscribe"] == "<mailto:leave@example.org>"
    assert message["MIME-Version"] == "1.0" and plain["MIME-Version"] is None
    assert all(link.startswith(("https://", "mailto:")) for link in _links(html.get_content()))


def test_the_weekly_eml_links_to_its_own_page_and_uses_the_weekly_subject(make_site) -> None:
    root = make_site(FILES, config=BASIC_CONFIG + '[email]\nweekly_subject = "{title}, week {week}"\n')
    build(root, OPTIONS)
    message = _message(root / "output/weeks/2022-w33/email.eml")
    assert message["Subject"] == "Test Digest, week 2022-W33"
    assert message["From"] == "Test Digest <newsletter@news.example.org>"  # the default sender
    assert message["List-Unsubscribe"] is None
    html = message.get_body(("html",)).get_content()
    assert 'href="https://news.example.org/weeks/2022-w33/email.html"' in html  # view in the browser
    assert 'href="https://news.example.org/2022/08/16/"' in html  # each day's edition


@pytest.mark.parametrize(("address", "written"), [
    ("https://example.org/désinscription?liste=été", "https://example.org/d%C3%A9sinscription?liste=%C3%A9t%C3%A9"),
    ("mailto:départ@bücher.example", "mailto:d%C3%A9part@b%C3%BCcher.example"),
])
def test_a_non_ascii_unsubscribe_address_is_written_in_ascii(make_site, address: str, written: str) -> None:
    """A mail header holds ASCII, and List-Unsubscribe (RFC 2369, structured) no encoded-words:
    the address is percent-encoded (RFC 3986, 6068), in the header and the footer's link alike."""
    root = make_site(FILES, config=BASIC_CONFIG + f'[email]\nlist_unsubscribe = "{address}"\n')
    build(root, OPTIONS)
    data = (root / "output/2022/08/15/email.eml").read_bytes()
    assert f"List-Unsubscribe: <{written}>\r\n".encode() in data
    body = email.message_from_bytes(data, policy=policy.default).get_body(("html",)).get_content()
    assert written in _links(body)


def test_an_editions_email_is_dated_by_its_own_days_articles(make_site) -> None:
    """A story's later report belongs to its own day's e-mail: the e-mail of the day the story began
    was dated at that later report (a day or more after the edition it carries)."""
    root = make_site({
        "content/a.md": entry_text("Harbour plan approved", "2022-08-15T09:00:00+01:00", story="harbour"),
        "content/b.md": entry_text("Harbour plan: work starts", "2022-08-17T10:30:00+01:00", story="harbour"),
    }, config=BASIC_CONFIG)
    build(root, OPTIONS)
    assert _message(root / "output/2022/08/15/email.eml")["Date"] == "Mon, 15 Aug 2022 09:00:00 +0100"
    assert _message(root / "output/2022/08/17/email.eml")["Date"] == "Wed, 17 Aug 2022 10:30:00 +0100"


@pytest.mark.parametrize(("base_url", "domain"), [("https://[2001:db8::1]/news/", "[IPv6:2001:db8::1]"),
                                                   ("https://192.0.2.1/", "[192.0.2.1]")])
def test_the_default_sender_of_a_site_at_an_ip_address_is_a_valid_address(make_site, base_url: str,
                                                                            domain: str) -> None:
    """newsletter@ the host: an IPv6 host made 'From: Test Digest <newsletter@2001>:db8::1>'."""
    root = make_site(FILES, config=BASIC_CONFIG)
    build(root, BuildOptions(now=NOW, jobs=1, base_url=base_url))
    data = (root / "output/2022/08/15/email.eml").read_bytes()
    assert f"From: Test Digest <newsletter@{domain}>\r\n".encode() in data
    sender = _message(root / "output/2022/08/15/email.eml")["From"]
    assert not sender.defects and sender.addresses[0].domain == domain


def test_same_input_same_bytes_and_an_incremental_build_equals_a_cold_one(make_site, tmp_path: Path) -> None:
    root = make_site(FILES, config=BASIC_CONFIG + EMAIL_CONFIG)
    builder = Builder(root, OPTIONS)
    try:
        builder.build()
        first = {k: v for k, v in tree_bytes(root / "output").items() if "email." in k}
        assert len(first) == 15
        # a body edit: the incremental build patches the plan; the e-mails showing the entry are redone
        (root / "content/c.md").write_text(FILES["content/c.md"].replace("Body text.", "A new body."))
        report = builder.build()
        assert 0 < report.rendered < report.pages
        # a summary edit: the whole site is planned again
        (root / "content/a.md").write_text(FILES["content/a.md"].replace("Alpha rose on Monday.", "Alpha fell."))
        builder.build()
    finally:
        builder.close()
    cold = tmp_path / "cold"
    shutil.copytree(root, cold, ignore=shutil.ignore_patterns("output", ".output.*", ".digest"))
    build(cold, OPTIONS)
    emails = {k: v for k, v in tree_bytes(root / "output").items() if "email." in k}
    assert emails == {k: v for k, v in tree_bytes(cold / "output").items() if "email." in k}
    assert b"Alpha fell." in emails["2022/08/15/email.html"] and b"Alpha fell." in emails["weeks/2022-w33/email.html"]
    assert emails["2022/08/22/email.eml"] == first["2022/08/22/email.eml"]  # untouched by either edit
    # and a second cold build gives the same bytes again
    shutil.rmtree(cold / "output")
    shutil.rmtree(cold / ".digest")
    build(cold, OPTIONS)
    assert emails == {k: v for k, v in tree_bytes(cold / "output").items() if "email." in k}


def test_a_huge_edition_stays_under_gmails_clipping_size(make_site) -> None:
    summary = "A long summary of what happened, told at length. " * 12
    files = {f"content/s{i:03d}.md": entry_text(f"Story number {i} about a distinct matter {i * 7919}",
                                                 f"2022-08-15T{8 + i // 60:02d}:{i % 60:02d}:00+01:00",
                                                 topic="world", summary=summary.strip(), source=f"Source {i}")
             for i in range(260)}
    root = make_site(files)
    build(root, OPTIONS)
    out = root / "output"
    html = (out / "2022/08/15/email.html").read_bytes()
    assert len(html) <= MAX_HTML_BYTES
    assert len(html) > MAX_HTML_BYTES * 0.8  # as many stories as fit, not a handful
    hidden = re.search(rb"(\d+) more in the edition of Monday 15 August 2022", html)
    assert hidden and 0 < int(hidden.group(1)) < 260
    assert html.count(b'class="headline"') == 260 - int(hidden.group(1))
    # The plain text shows the same stories, the rest counted with the edition's address
    text = (out / "2022/08/15/email.txt").read_text()
    assert text.count("\n* Story number") == 260 - int(hidden.group(1))
    assert f"{int(hidden.group(1))} more in the edition of Monday 15 August 2022: https://" in text
    shown = re.findall(rb'class="headline"[^>]*><a [^>]*>(Story number \d+)', html)
    assert [t.decode() for t in shown] == re.findall(r"\n\* (Story number \d+)", text)
    assert_well_formed_html(html, "huge email.html")


def test_a_day_of_many_updates_is_cut_to_fit_too(make_site) -> None:
    """Updates to an earlier story (the edition's "Developing stories") count against the size too.
    Each names the story it updates, here with a long headline, so that a hundred are too many."""
    saga = "The story begins, " + "and goes on at length " * 20
    files = {"content/lead.md": entry_text(saga.strip(), "2022-08-14T09:00:00+01:00", topic="world", story="saga")}
    files |= {f"content/u{i:03d}.md": entry_text(f"Update number {i} on the long saga",
                                                  f"2022-08-15T{9 + i // 60:02d}:{i % 60:02d}:00+01:00",
                                                  topic="world", story="saga", source=f"Source {i}")
              for i in range(100)}
    root = make_site(files)
    build(root, OPTIONS)
    html = (root / "output/2022/08/15/email.html").read_bytes()
    assert MAX_HTML_BYTES * 0.8 < len(html) <= MAX_HTML_BYTES
    hidden = re.search(rb"(\d+) more in the edition of Monday 15 August 2022", html)
    assert hidden and html.count(b'class="headline"') == 100 - int(hidden.group(1))


def test_hostile_entries_stay_inert_in_every_email(make_site) -> None:
    files = {f"content/{p.name}": p.read_bytes() for p in HOSTILE_CORPUS.iterdir()}
    root = make_site(files, config=BASIC_CONFIG + EMAIL_CONFIG)
    build(root, OPTIONS)
    out = root / "output"
    emls = sorted(out.rglob("email.eml"))
    assert len(emls) >= 3
    seen_markers = set()
    for path in emls:
        message = _message(path)
        assert not message.defects and all(not part.defects for part in message.iter_parts()), path
        assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
        html = message.get_body(("html",)).get_content()
        assert_well_formed_html(html.encode(), path)
        assert_inert_html(html, path)
        assert "<script" not in html.lower()
        text = message.get_body(("plain",)).get_content()
        seen_markers |= set(re.findall(r"HOSTILE-\d+", text))
    for path in out.rglob("email.html"):
        assert_inert_html(path.read_text(), path)
    edition = (out / "2022/08/15/email.html").read_text()
    assert "&lt;script&gt;alert('title')&lt;/script&gt;HOSTILE-1" in edition  # shown as text, not run
    assert len(seen_markers) >= 10


def test_an_email_counts_the_articles_its_edition_page_counts(make_site) -> None:
    """A story's later report was counted twice: in the edition where the story began ("1 story from
    3 articles" beside the page's "from 2 articles") and as a development in its own day's."""
    root = make_site({
        "content/a.md": entry_text("Bill signed", "2022-08-16T10:00:00+01:00", topic="world", story="bill"),
        "content/b.md": entry_text("Bill becomes law", "2022-08-16T12:00:00+01:00", topic="world", story="bill"),
        "content/c.md": entry_text("What the bill changes", "2022-08-18T10:00:00+01:00", topic="world", story="bill"),
        "content/d.md": entry_text("Gas at a record", "2022-08-18T11:00:00+01:00", topic="world"),
    })
    build(root, OPTIONS)
    out = root / "output"
    for day, articles in (("2022/08/16", 2), ("2022/08/18", 2)):
        said = f"from {articles} articles"
        assert said in (out / day / "index.html").read_text()
        assert said in (out / day / "email.html").read_text() and said in (out / day / "email.txt").read_text()
    assert "from 4 articles" in (out / "weeks/2022-w33/email.txt").read_text()


def test_files_false_writes_no_email(make_site) -> None:
    root = make_site(FILES, config=BASIC_CONFIG + "[email]\nfiles = false\n")
    build(root, OPTIONS)
    assert not list((root / "output").rglob("email.*")) and not (root / "output/weeks").exists()


def test_a_theme_overrides_the_email_templates(make_site) -> None:
    files = {**FILES, "themes/mine/templates/email/email.txt":
             "{% autoescape false %}OWN {{ email.subject }} {{ items | length }}\n{% endautoescape %}"}
    root = make_site(files, config=BASIC_CONFIG.replace("[site]\n", '[site]\ntheme = "mine"\n'))
    build(root, OPTIONS)
    week = (root / "output/weeks/2022-w33/email.txt").read_text()
    assert week == "OWN Test Digest: the week to Sunday 21 August 2022 2\n"
    assert _message(root / "output/2022/08/16/email.eml").get_body(("plain",)).get_content().startswith("OWN ")


@pytest.mark.parametrize("ends, day, end", [("sunday", date(2022, 8, 15), date(2022, 8, 21)),
                                            ("sunday", date(2022, 8, 21), date(2022, 8, 21)),
                                            ("Friday", date(2022, 8, 20), date(2022, 8, 26)),
                                            ("monday", date(2022, 8, 15), date(2022, 8, 15))])
def test_week_end(ends: str, day: date, end: date) -> None:
    assert week_end(day, ends) == end


def test_weeks_ending_on_another_day_are_named_by_their_last_day(make_site) -> None:
    root = make_site(FILES, config=BASIC_CONFIG + '[email]\nweek_ends = "tuesday"\n')
    build(root, OPTIONS)
    # Tuesday 16 August ends the week of the 15th and 16th (ISO week 33); the 22nd is in the week to the 23rd
    assert sorted(p.name for p in (root / "output/weeks").iterdir()) == ["2022-w33", "2022-w34"]
    assert "Business booms" in (root / "output/weeks/2022-w33/email.txt").read_text()


@pytest.mark.parametrize("table, words", [
    ('security = "none"\nhost = "smtp.example.org"', "\"none\" for a host other than 127.0.0.1"),
    ('security = "ssl"', "must be \"starttls\", \"tls\" or \"none\""),
    ('subject = "{title} {nope}"', "unknown field {nope}"),
    ('subject = "{title"', "not a subject template"),
    ('week_ends = "someday"', "not a weekday"),
    ('from = "not an address"', "not an e-mail address"),
    ('list_unsubscribe = "javascript:alert(1)"', "not a mailto: or http(s) address"),
    ('list_unsubscribe = "mailto:leave@example.org"\none_click_unsubscribe = true', "needs an https: list_unsubscribe"),
    ("one_click_unsubscribe = true", "needs an https: list_unsubscribe"),
    ('password = "hunter2"', "DIGEST_SMTP_PASSWORD"),
    ("port = 70000", "not a port number"),
])
def test_bad_email_settings_are_reported_with_their_line(make_site, table: str, words: str) -> None:
    root = make_site({}, config=BASIC_CONFIG + "\n[email]\n" + table + "\n")
    with pytest.raises((ConfigError, BuildFailed)) as caught:
        load_config(root)
    errors: list[DigestError] = caught.value.errors if isinstance(caught.value, BuildFailed) else [caught.value]
    assert any(words in str(e) for e in errors), [str(e) for e in errors]
    assert all(e.line is not None and e.line > BASIC_CONFIG.count("\n") for e in errors)


def test_security_none_is_accepted_on_loopback(make_site) -> None:
    root = make_site({}, config=BASIC_CONFIG + '[email]\nsecurity = "none"\nhost = "127.0.0.1"\nport = 2525\n')
    config = load_config(root)
    assert (config.email_security, config.email_host, config.email_port) == ("none", "127.0.0.1", 2525)


def test_serve_watch_previews_the_email_of_the_edition_being_edited(make_site) -> None:
    """digest serve --watch: an edition's e-mail at <edition>/email.html, with the live-reload script,
    rebuilt when an entry of that edition is saved."""
    root = make_site(FILES, config=BASIC_CONFIG + EMAIL_CONFIG)
    server = DevServer(root, OPTIONS, port=0, watch=True)
    rebuilds: queue.Queue[Rebuild] = queue.Queue()
    server.start()
    thread = threading.Thread(target=server.run, args=(rebuilds.put,), daemon=True)
    thread.start()
    try:
        assert rebuilds.get(timeout=60).error is None
        preview = server.url + "2022/08/16/email.html"
        with urllib.request.urlopen(preview, timeout=10) as response:
            page = response.read()
        assert b"Shares &amp; bonds &lt;up&gt;." in page and b"__digest__/events" in page
        (root / "content/c.md").write_text(FILES["content/c.md"].replace("Shares & bonds <up>.", "Now edited."))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            rebuilt = rebuilds.get(timeout=30)
            assert rebuilt.error is None
            with urllib.request.urlopen(preview, timeout=10) as response:
                page = response.read()
            if b"Now edited." in page:
                break
        assert b"Now edited." in page and b"__digest__/events" in page
    finally:
        server.close()
        thread.join(5)


def test_the_most_items_that_fit_are_found_in_few_renders() -> None:
    """The e-mail's cut: the largest number of items whose HTML fits, as halving finds it, for
    sizes that grow with the items (evenly, by fits and starts, from a large base or none), in
    three renders where they grow evenly."""
    import random

    from digest.newsletter.render import _most_that_fit

    rng = random.Random(7)
    for case in range(300):
        total = rng.choice([1, 2, 5, 40, 300, 1000, 3000])
        base = rng.choice([0, 2_000, 60_000, 99_000, 103_000])
        steps = [rng.choice([50, 400, 900]) * (rng.random() * 2 if case % 3 else 1) for _ in range(total + 1)]
        sizes = [int(base + sum(steps[:n])) for n in range(total + 1)]
        if sizes[total] <= MAX_HTML_BYTES:
            continue
        renders: list[int] = []

        def made(n: int, renders: list[int] = renders, sizes: list[int] = sizes) -> str:
            renders.append(n)
            return "x" * sizes[n]

        found = _most_that_fit(total, sizes[total], made)
        fitting = [n for n in range(total) if sizes[n] <= MAX_HTML_BYTES]
        assert found == (("x" * sizes[max(fitting)], max(fitting)) if fitting else None), case
        assert all(0 <= n < total for n in renders)
        assert len(renders) <= 3 * max(total, 2).bit_length() + 1, (case, len(renders))  # a halving every third
    evenly = [20_000 + 100 * n for n in range(1001)]  # a week of a thousand stories, 824 of them fit
    renders = []
    found = _most_that_fit(1000, evenly[1000], lambda n: renders.append(n) or "x" * evenly[n])
    assert found == ("x" * evenly[824], 824)
    assert renders == [0, 824, 825]  # none, the guess in proportion, its neighbour: halving took ten


def test_an_editions_email_names_only_that_days_other_reports(make_site) -> None:
    """A story's report of a later day is in that day's e-mail ("Developing stories"), as on the
    edition pages: the e-mail of the day the story began does not name it too (the demo's
    "Also covered by Ledger Daily, Capitol Wire" named the later report beside the lead's own publisher),
    and a sent e-mail does not change when the story goes on."""
    from .conftest import NOW, entry_text

    root = make_site({
        "content/a.md": entry_text("Summit opens", source="Paper A", story="summit", date="2022-08-15T09:00:00Z"),
        "content/b.md": entry_text("Summit opens too", source="Paper B", story="summit", date="2022-08-15T10:00:00Z"),
        "content/c.md": entry_text("Summit ends", source="Paper C", story="summit", date="2022-08-16T09:00:00Z"),
    })
    build(root, BuildOptions(now=NOW, jobs=1))
    out = root / "output"
    first_html = (out / "2022/08/15/email.html").read_text(encoding="utf-8")
    first_text = (out / "2022/08/15/email.txt").read_text(encoding="utf-8")
    assert "Also covered by Paper B" in first_text and "Paper C" not in first_text
    assert ">Paper B</a>" in first_html and "Paper C" not in first_html
    later = (out / "2022/08/16/email.txt").read_text(encoding="utf-8")
    assert "DEVELOPING STORIES" in later and "Summit ends" in later


def test_the_preheader_is_never_cut_inside_an_emoji_or_a_letter_with_its_accent() -> None:
    """A headline with no space before the cut (Chinese, Japanese, a run of emoji) was cut at the 139th
    character: inside a family emoji ('👨‍👩‍👧‍👦' became '👨‍👩', another emoji) or between a letter and its accent."""
    from digest.ingest.markdown import summary_from
    from digest.newsletter.plan import preheader
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466"
    assert preheader(["x" * 136 + family + "y" * 10]) == "x" * 136 + "…"
    assert preheader(["日" * 138 + "e\u0301" + "本" * 10]) == "日" * 138 + "…"
    assert summary_from("\u3042" * 598 + family + "\u3044" * 10 + "\n") == "\u3042" * 598
    from digest.characters import cut_between_graphemes  # ASCII on both sides of the cut: no grapheme rules
    cuts = ["", "a", "ab", "ab", "ab\r\n", "ab\r\nc", "ab\r\ncd"]
    assert [cut_between_graphemes("ab\r\ncd", n) for n in range(7)] == cuts
    assert cut_between_graphemes("abe\u0301f", 3) == "ab" and cut_between_graphemes("ab\u200dcd", 3) == "ab\u200d"


def test_messages_are_the_bytes_of_the_email_packages_own_header_factory() -> None:
    """message.POLICY keeps the headers it parsed (message._Headers): every message, built after others
    with the same or other headers, and read back, is what the email package's own factory gives."""
    plain = policy.SMTP.clone(refold_source="none")
    senders = ['"Zoë Écrit" <zoe@example.org>', "News <newsletter@example.org>", "Bob, Jr. <b@[127.0.0.1]>"]
    subjects = ["Day", "Zoë — “quoted” " * 9, "Day", "a" * 200, "=?utf-8?q?not_a_word?=", "Day"]
    for number in range(3 * (mime._Headers.KEPT + 5)):  # past the headers kept, and back to the first ones
        args = ("<p>Hé</p>\n" * (number % 3 + 1), "Hé\n", subjects[number % len(subjects)] + str(number // 40),
                senders[number % len(senders)], datetime(2022, 8, 15, number % 24, tzinfo=UTC))
        made = mime.build_message(args[0], args[1], subject=args[2], sender=args[3], date=args[4],
                                  unsubscribe="mailto:x@example.org" if number % 2 else "", one_click=number % 4 == 1)
        try:
            mime.POLICY, kept = plain, mime.POLICY
            expected = mime.build_message(args[0], args[1], subject=args[2], sender=args[3], date=args[4],
                                          unsubscribe="mailto:x@example.org" if number % 2 else "",
                                          one_click=number % 4 == 1)
        finally:
            mime.POLICY = kept
        data = made.as_bytes()
        assert data == expected.as_bytes()
        back, plain_back = (BytesParser(policy=read).parsebytes(data) for read in (mime.POLICY, plain))
        assert [(name, str(value)) for name, value in back.items()] == \
            [(name, str(value)) for name, value in plain_back.items()]
        assert back.get_body(("html",)).get_content() == args[0].replace("\n", "\r\n")
    header = mime.POLICY.header_factory("MIME-Version", "1.0")
    assert mime.POLICY.header_factory("MIME-Version", "1.0") is header  # parsed once
    assert mime.POLICY.header_factory("mime-version", "1.0").name == "mime-version"  # each as it was named


def _message_as_the_email_package_writes_it(html: str, text: str, *, subject: str, sender: str,
                                            date: datetime | None, unsubscribe: str, one_click: bool) -> bytes:
    """build_message and its bytes as they were made with the email package's own ways (the code of
    session 47): its header factory, the boundary set after the type, and as_bytes."""
    import binascii
    import hashlib
    from email.message import MIMEPart
    from email.utils import format_datetime

    plain = policy.SMTP.clone(refold_source="none")
    message = EmailMessage(policy=plain)
    message["Subject"] = subject
    message["From"] = sender
    if date is not None:
        message["Date"] = format_datetime(date)
    if unsubscribe:
        message.set_raw("List-Unsubscribe", f"<{unsubscribe}>")
        if one_click:
            message.set_raw("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
    message["MIME-Version"] = "1.0"
    message["Content-Type"] = "multipart/alternative"
    parts = []
    for body, subtype in ((text, "plain"), (html, "html")):
        part = MIMEPart(policy=plain)
        part["Content-Type"] = f'text/{subtype}; charset="utf-8"'
        part["Content-Transfer-Encoding"] = "quoted-printable"
        part.set_payload(binascii.b2a_qp(body.encode("utf-8"), istext=True).decode("ascii"))
        parts.append(part)
    message.set_payload(parts)
    key = hashlib.blake2b(f"{subject}\0{text}\0{html}".encode("utf-8", "surrogatepass"), digest_size=12)
    message.set_boundary(f"=_digest_{key.hexdigest()}")
    return message.as_bytes()


def test_message_bytes_are_the_email_packages() -> None:
    """message_bytes(build_message(...)) (its boundary written with the type, its parts' text written at
    once, its headers folded once each) gives the bytes the email package's own ways give, for messages
    of every kind, one after another: non-ASCII, long and encoded-word-like subjects and senders, long
    unsubscribe addresses, bodies with CR, LF and CRLF line ends, long lines, "From " and "=" in them."""
    rng = random.Random(5)
    subjects = ["Day", "Zoë — “quoted” " * 9, "a" * 200, "=?utf-8?q?not_a_word?=", "Bench Digest: 15 August 2022",
                "日本語のニュース " * 6, 'Say "hi", (or not); <x@y>', "   spaced   out   ", "émoji 🎉 " * 20,
                "=?utf-8?q?caf=C3=A9?=", "café"]
    senders = ['"Zoë Écrit" <zoe@example.org>', "News <newsletter@example.org>", "Bob, Jr. <b@[127.0.0.1]>",
               "Bench Digest 0 <newsletter@digest.example.org>", "plain@example.org",
               "Ein sehr langer Absendername mit Umlauten äöü und noch mehr Wörtern <absender@example.org>"]
    unsubscribes = ["", "mailto:leave@example.org", "https://example.org/u?t=" + "x" * 150,
                    "https://example.org/d%C3%A9sinscription?liste=%C3%A9t%C3%A9"]
    pieces = ["word", " ", "é", "日本", "🎉", "=", "==", "From ", "\nFrom me", "\n", "\r\n", "\r", "\n\n", "\t",
              " \n", "x" * 90, ".", "\n.\n", "<p>", "&amp;", "\u2028", "\xa0", "--", "=_digest_"]
    for number in range(300):  # past the headers _Headers keeps, and back to the first ones
        bodies = ["".join(rng.choice(pieces) for _ in range(rng.choice([0, 1, 5, 40, 400]))) for _ in range(2)]
        sender = rng.choice(senders)
        subject = rng.choice([*subjects, sender])  # a header equal to another (its decoded text) is not it
        args = dict(subject=subject + str(number // 50) if rng.random() < 0.5 else subject, sender=sender,
                    date=rng.choice([None, datetime(2022, 8, 15, number % 24, tzinfo=UTC)]),
                    unsubscribe=rng.choice(unsubscribes), one_click=rng.random() < 0.5)
        made = mime.message_bytes(mime.build_message(bodies[0], bodies[1], **args))  # type: ignore[arg-type]
        assert made == _message_as_the_email_package_writes_it(bodies[0], bodies[1], **args), (bodies, args)


def test_an_emails_files_render_each_part_once_from_equal_copies_of_their_context(make_site, monkeypatch) -> None:
    """A patched plan loads each page's context apart, so an edition's .html, .txt and .eml hold equal
    copies of its e-mail, not the same objects: each part is still rendered once for the three (a week's
    e-mail of a large site was fitted to 100 KB once a file), with the same bytes; a context that differs
    is rendered again."""
    import pickle

    from digest.build import grouped_site
    from digest.newsletter import render
    from digest.newsletter.plan import plan_emails
    from digest.render_files import site_context, template_environment

    root = make_site(FILES, config=BASIC_CONFIG + EMAIL_CONFIG)
    config = load_config(root)
    pages = list(plan_emails(grouped_site(root), config))
    first = pages[0].context["email"]
    files = [page for page in pages if page.context["email"] is first]
    assert sorted(page.output_path.rpartition(".")[2] for page in files) == ["eml", "html", "txt"]
    env = template_environment(config)
    shared = {"site": site_context(config)}
    rendered: list[str] = []
    real = render.render_template
    monkeypatch.setattr(render, "render_template",
                        lambda e, name, context: rendered.append(name) or real(e, name, context))

    def made(contexts: list[dict]) -> list[bytes]:
        render._RECENT.clear()
        rendered.clear()
        return [render.render_email(env, page.__class__(page.output_path, page.template, context), shared).data
                for page, context in zip(files, contexts, strict=True)]

    together = made([page.context for page in files])
    assert sorted(rendered) == ["email/email.html", "email/email.txt"]
    apart = made([pickle.loads(pickle.dumps(page.context)) for page in files])  # as load_unit gives them
    assert apart == together and sorted(rendered) == ["email/email.html", "email/email.txt"]
    other = [pickle.loads(pickle.dumps(page.context)) for page in files]
    other[1] = {**other[1], "email": {**other[1]["email"], "heading": "Another heading"}}  # one file's, changed
    changed = made(other)
    assert len(rendered) == 4 and changed[1] != together[1] and changed[0] == together[0]
