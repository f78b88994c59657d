"""The `review:` flow: ingest names the fields it is unsure of, the entry stays a draft, `digest
check` lists it, and once the curator confirms (deletes the line) the build publishes it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import frontmatter
import pytest

from digest.ingest.article import Article
from digest.ingest.entry import render_entry
from digest.ingest.text import read_text

from .conftest import BASIC_CONFIG, SiteMaker

DIGEST = Path(sys.executable).parent / "digest"

BODY = "".join(f"{sentence}\n\n" for sentence in (
    "The council met on Monday and agreed the plan after a long debate that ran late into the night, "
    "officials said.",
    "Residents who packed the public gallery cheered when the final vote was read out by the clerk of "
    "the council.",
    "The plan sets aside space for four hundred homes, a primary school and a park beside the river, "
    "and work is due to start next spring.",
))
# Three lines shaped alike above the body and nothing that tells which is the headline.
UNSURE = "Council agrees plan\n\nMayor opens the new bridge\n\nSchools close early for winter\n\n" + BODY
SURE = "Council agrees the new city plan after a long debate\n\nBy Jane Doe\n\nPublished: 15 August 2022\n\n" + BODY


def run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(DIGEST), *args], cwd=site, capture_output=True, text=True, timeout=300)


def test_unsure_title_is_kept_as_a_guess_and_named_for_review() -> None:
    article = read_text(UNSURE)
    assert article.title  # an entry needs a title: the best guess is kept ...
    assert "title" in article.review  # ... and named for the curator
    sure = read_text(SURE)
    assert sure.review == ()
    assert (sure.title, sure.authors, sure.date) == (
        "Council agrees the new city plan after a long debate", ("Jane Doe",), "2022-08-15")


def test_review_is_written_in_the_front_matter() -> None:
    text = render_entry(Article(title="A guess", body="Body.", date="2022-08-15", review=("title", "authors")), ())
    meta = frontmatter.loads(text).metadata
    assert meta["review"] == ["title", "authors"]
    assert "draft" not in meta  # review alone keeps it unpublished; clearing it is the one step
    assert "review" not in frontmatter.loads(render_entry(Article(title="Sure", body="Body.", date="2022-08-15"),
                                                          ())).metadata


def _pages(site: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in (site / "output").rglob("*.html"))


@pytest.mark.skipif(not DIGEST.exists(), reason="the digest command is not installed")
def test_review_flow_end_to_end(make_site: SiteMaker) -> None:
    site = make_site({"inbox/unsure.txt": UNSURE}, config=BASIC_CONFIG)
    ingested = run(site, "ingest", "inbox/unsure.txt", "--out", "content/inbox")
    assert ingested.returncode == 0, ingested.stderr
    assert "check: title" in ingested.stdout, ingested.stdout
    [entry] = sorted((site / "content" / "inbox").glob("*.md"))
    meta = frontmatter.load(entry).metadata
    assert "title" in meta["review"]

    built = run(site, "build")
    assert built.returncode == 0, built.stderr
    assert "needs review: title" in built.stderr  # said where the curator looks
    assert "Council agrees" not in _pages(site)  # a draft: not published

    checked = run(site, "check")
    assert checked.returncode == 0, checked.stderr
    assert "needs review: title" in checked.stderr and entry.name in checked.stderr, checked.stderr

    # The curator confirms the title, adds the date the text did not state, and deletes the
    # review: list (and the draft flag a missing date brought).
    post = frontmatter.load(entry)
    for key in ("review", "draft"):
        post.metadata.pop(key, None)
    post.metadata.update(title="Council agrees plan", date="2022-08-15")
    entry.write_text(frontmatter.dumps(post) + "\n", encoding="utf-8")
    built = run(site, "build")
    assert built.returncode == 0, built.stderr
    assert "needs review" not in built.stderr
    assert "Council agrees plan" in _pages(site)


@pytest.mark.skipif(not DIGEST.exists(), reason="the digest command is not installed")
def test_review_alone_keeps_an_entry_unpublished(make_site: SiteMaker) -> None:
    entry = ("---\ntitle: Mayor opens the new bridge\ndate: 2022-08-15\nauthors: [Jane Doe]\n"
             "review: [authors]\n---\n\nThe bridge opened on Monday.\n")
    site = make_site({"content/bridge.md": entry}, config=BASIC_CONFIG)
    built = run(site, "build")
    assert built.returncode == 0, built.stderr
    assert "content/bridge.md:5" in built.stderr and "needs review: authors" in built.stderr, built.stderr
    assert "Mayor opens the new bridge" not in _pages(site)
    (site / "content" / "bridge.md").write_text(entry.replace("review: [authors]\n", ""), encoding="utf-8")
    built = run(site, "build")
    assert built.returncode == 0 and "needs review" not in built.stderr, built.stderr
    assert "Mayor opens the new bridge" in _pages(site)


DEVSET = Path(__file__).resolve().parents[2] / "shared" / "ingest-devset-2"


@pytest.mark.skipif(not DIGEST.exists() or not (DEVSET / "truth.json").exists(),
                    reason="the digest command or the shared dev set is missing")
def test_the_bench_measures_what_digest_ingest_writes(make_site: SiteMaker) -> None:
    """bench/ingest_quality.py reads entries as `digest ingest FILE --out DIR` writes them."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from ingest_quality import ingest_entry  # type: ignore[import-not-found]

    pages = sorted((DEVSET / "text-w3m").glob("*.txt"))[:3] + sorted((DEVSET / "html").glob("*.html"))[:2]
    site = make_site({}, config=BASIC_CONFIG.split("[[topics]]")[0])
    for n, page in enumerate(pages):
        out = site / "content" / f"in{n}"
        ingested = run(site, "ingest", str(page), "--out", str(out))
        assert ingested.returncode == 0, ingested.stderr
        [entry] = sorted(out.glob("*.md"))
        written = frontmatter.load(entry)
        meta, body = ingest_entry(page)
        assert dict(written.metadata) == meta
        assert written.content == body


def test_review_is_one_line_the_curator_deletes() -> None:
    # The hint says "delete the review: line": a block list left "- title" behind, invalid YAML.
    text = render_entry(Article(title="A guess", body="Body.", date="2022-08-15", review=("title", "authors")), ())
    assert "\nreview: [title, authors]\n" in text
    cleared = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("review:"))
    meta = frontmatter.loads(cleared).metadata
    assert "review" not in meta and meta["title"] == "A guess"
