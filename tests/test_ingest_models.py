"""The learned choosers of headline, byline and date, and the HTML reader's own "not sure"."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from digest.ingest import byline, dateline, headline
from digest.ingest.blocks import paragraphs
from digest.ingest.html import read_html
from digest.ingest.linear import ASSERT_FLOOR, LinearModel, load_model, margin_chance, softmax
from digest.ingest.text import _find_title, _is_byline, author_candidates, headline_cue, read_head, read_text

from .test_ingest_html import PROSE, article_page
from .test_ingest_text import _WAR, _distinct_body, _page

MODELS = Path(__file__).resolve().parents[1] / "digest" / "ingest"


@pytest.mark.parametrize("name", ["headline", "byline", "dateline"])
def test_shipped_models_are_small_finite_and_name_only_known_features(name: str) -> None:
    data = json.loads((MODELS / f"{name}.json").read_text(encoding="utf-8"))
    model = load_model(name)
    assert 0.5 <= model.threshold < 1.0
    assert all(math.isfinite(w) for w in model.weights.values())
    assert any(abs(w) > 0.1 for w in model.weights.values())  # trained, not the zero model
    assert len(json.dumps(data)) < 20_000
    # Every weight belongs to a feature the reader computes (a renamed feature would be ignored).
    page = paragraphs("Home\n\nCouncil agrees the new city plan\n\nBy Jane Doe\n\nPublished: 15 August 2022\n\n"
                      + "The council met on Monday and agreed the plan after a long debate, officials said.\n\n" * 3)
    known = set(headline.features(page, 4, None, headline_cue)[1])
    known |= set(dateline.features(page, 1, 4, 7, None, headline_cue)[0][1]) | {"none"}
    known |= set(byline.features(page, [byline.Candidate(2, ("Jane Doe",), "by")], 1, 4, ())[0]) | {"none"}
    assert set(model.weights) <= known, set(model.weights) - known


def test_softmax_and_the_linear_score() -> None:
    model = LinearModel({"a": 2.0, "b": -1.0}, bias=0.5)
    assert model.score({"a": 1.0, "b": 1.0, "unknown": 5.0}) == pytest.approx(1.5)
    probs = softmax([0.0, math.log(3)])
    assert probs == pytest.approx([0.25, 0.75])
    assert softmax([1000.0, 1000.0]) == pytest.approx([0.5, 0.5])  # no overflow


def test_the_same_headline_on_two_lines_is_one_choice() -> None:
    text = ("Council agrees the new city plan after long debate\n\n• Home\n\n"
            "Council agrees the new city plan after long debate\n\nBy Jane Doe\n\n"
            + "The council met on Monday and agreed the plan after a long debate that ran late, "
              "officials said on Tuesday evening.\n\n" * 3)
    head = read_head(text)
    pick = headline.choose(head.paras, head.start, _find_title(head.paras, head.start), headline_cue)
    assert pick is not None
    assert head.paras[pick.index].text == "Council agrees the new city plan after long debate"
    assert pick.probability >= 0.5  # both copies' chances count for it
    assert pick.confidence >= headline.threshold()  # and neither copy is its rival


def test_margin_chance_is_against_the_strongest_other_answer_not_the_crowd() -> None:
    """How sure a choice is does not shrink with the number of weak candidates a page has; a copy of
    the same words is no rival."""
    few = [3.0, 0.0]
    crowd = [3.0] + [0.0] * 40
    assert margin_chance(few, ["a", "b"]) == pytest.approx(1 / (1 + math.exp(-3.0)))
    assert margin_chance(crowd, ["a"] + [f"b{n}" for n in range(40)]) == pytest.approx(margin_chance(few, ["a", "b"]))
    assert max(softmax(crowd)) < 0.5 < max(softmax(few))  # the softmax's share falls with the crowd
    assert margin_chance([3.0, 2.9, 0.0], ["a", "a", "b"]) == pytest.approx(1 / (1 + math.exp(-3.0)))
    assert margin_chance([1.0, 1.0], ["a", "a"]) == 1.0  # every candidate says the same
    assert margin_chance([0.0, 5.0], ["a", "b"]) == pytest.approx(1 / (1 + math.exp(-5.0)))


def test_margin_chance_counts_only_the_rivals_that_could_be_the_answer() -> None:
    """A line that could not be the answer (a menu, a date line) scoring close to the choice does not
    make it unsure; one that could does."""
    scores, keys = [3.0, 2.8, 0.0], ["a", "menu", "b"]
    assert margin_chance(scores, keys, [True, False, True]) == pytest.approx(1 / (1 + math.exp(-3.0)))
    assert margin_chance(scores, keys, [True, True, True]) == pytest.approx(margin_chance(scores, keys))
    assert margin_chance(scores, keys, [True, False, False]) == 1.0  # no rival at all


@pytest.mark.parametrize(("line", "unlike"), [
    ("Eastern front holds as the winter war goes on", False),
    ("Kultur: Was lesen die Philippinen heute?", False),
    ("Winter war: east holds", True),  # four words: a section's label or a kicker looks the same
    ("The army said on Monday that its troops had held the line.", True),  # a sentence
    ("Read the latest on the war in the east:", True),
    ("Stand: 20:03 Uhr | Lesedauer: 4 Minuten", True),
    ("Home > World > Europe > Eastern front", True),
    ("Eastern front holds as the winter war goes on | The Daily Paper", True),  # a title tag's
    ("By Jane Doe and John Roe, Eastern Europe", True),
    ("Eastern front holds as winter war goes on, March 3, 2024", True),
    ("Sign up for our daily newsletter today", True),  # page furniture
    ("More on this story", True),  # a "Related" heading
    ("Facebook Twitter Flipboard Linkedin Instagram", True),  # a row of share buttons
    ("Todos los programas Servicios|Edición Impresa|Club", True),  # a menu glued by bars
    ("Eastern-front-holds-as-the-winter-war-goes-on-14848382.php", True),  # an address, a file name
    ("Jane Doe: 'The winter was the hardest I have ever known.' Photograph: John Roe", True),  # a caption
    ("Home Office admits the winter plan came too late", False),
    ("how to retire earlyThe road to retiring early isn't easy.Jane Doe/Getty", True),  # run together
    ("Published on 06/01/2026 - 13:55 GMT+1 •Updated 14:20", True),  # a date line, its order unknown
    ("Last updated 6 hours ago", True),
    ("मौसम विभाग ने किसानों को बुवाई की तैयारी करने की सलाह दी है।", True),  # a sentence, closed by a danda
    ("केरल तट पर समय से पहले पहुंचा मानसून", False),
    ("هل تنجح الحكومة في خفض الأسعار هذا العام؟", False),  # a headline may ask, in Arabic too
])
def test_lines_of_a_shape_no_headline_has(line: str, unlike: bool) -> None:
    para = paragraphs(line)[0]
    assert headline.unlike_headline(para, headline_cue) is unlike


def test_a_breadcrumb_run_into_the_headline_is_no_rival() -> None:
    """A text browser runs a breadcrumb's links together ("Home News World <headline>"): that line is the
    headline under the breadcrumb's root, no other wording of it, so it neither rivals the headline nor is
    asserted itself; a line that only starts with such a word is no breadcrumb."""
    paras = paragraphs("Home News World Eastern front holds as the winter war goes on\n\n"
                       "Eastern front holds as the winter war goes on\n\n"
                       "Home Office admits the winter plan came too late\n\n")
    assert headline.could_be_headline(paras, [0, 1, 2], headline_cue) == [False, True, True]


def test_a_caption_or_a_form_field_is_never_a_headline_candidate() -> None:
    paras = paragraphs("Search for: [ ] Search\n\nWhale expert Jane Doe. Photograph: John Roe for the Paper\n\n"
                       "Whales stranded on the beach again\n\n" + "Whales were found on the beach on Monday "
                       "morning by walkers, the coastguard said.\n\n" * 3)
    texts = {paras[i].text for i in headline.candidates(paras, 3, headline_cue)}
    assert "Whales stranded on the beach again" in texts
    assert not any("[ ]" in t or "Photograph:" in t for t in texts)


def test_byline_candidates_leave_out_a_name_under_a_picture() -> None:
    text = ("Champion wins the title in the final race of the season\n\nBy Jane Doe\n\n[photo]\n\nAnna Berg\n\n"
            + _distinct_body())
    head = read_head(text)
    names = [c.names for c in author_candidates(head.paras, head)]
    assert ("Jane Doe",) in names and ("Anna Berg",) not in names


def test_a_name_alone_above_the_headline_is_no_byline_candidate() -> None:
    """Above the headline sit menus and boxes whose labels have a name's shape ("Zum Aboshop"); a bare
    name is a byline candidate only from a sure headline down, a stated one ("By ...") anywhere near."""
    text = _page("Home", "Zum Aboshop", "Eastern front holds as the winter war goes on", "Anna Berg", *_WAR)
    head = read_head(text)
    assert head.paras[head.title_at or 0].text.startswith("Eastern front holds") and head.title_placed
    names = [c.names for c in author_candidates(head.paras, head)]
    assert ("Anna Berg",) in names and ("Zum Aboshop",) not in names
    head = read_head(text.replace("Zum Aboshop", "By Jane Doe"))
    assert ("Jane Doe",) in [c.names for c in author_candidates(head.paras, head)]


def test_html_an_organisation_is_not_an_author_but_a_person_and_an_agency_are() -> None:
    def authors(ld_author: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        page = article_page(PROSE, PROSE.replace("harbour", "river")).replace(
            "<head>", '<head><script type="application/ld+json">{"@type": "NewsArticle", '
                      f'"headline": "Tide tables change for the winter", "author": {ld_author}}}</script>')
        article = read_html(page)
        return article.authors, article.review

    assert authors('{"@type": "Organization", "name": "Harbour Times"}') == ((), ("authors",))
    assert authors('{"@type": "Person", "name": "mdr.de"}') == ((), ("authors",))
    assert authors('{"@type": "Person", "name": "Jane Doe, Harbour News"}') == (("Jane Doe",), ())
    assert authors('{"@type": "Person", "name": "Jane Doe"}') == (("Jane Doe",), ())
    assert authors('{"@type": "Organization", "name": "Reuters"}') == (("Reuters",), ())


def test_html_a_date_only_guessed_is_asserted_only_when_the_page_states_it() -> None:
    stated = read_html(article_page("Published 15 August 2022", PROSE, PROSE.replace("harbour", "river")))
    declared = read_html(article_page(PROSE, PROSE.replace("harbour", "river")).replace(
        "<head>", '<head><meta property="article:published_time" content="2022-08-15T09:00:00Z">'))
    assert stated.date and stated.date.startswith("2022-08-15") and "date" not in stated.review
    assert declared.date == "2022-08-15T09:00:00+00:00" and "date" not in declared.review


def test_byline_features_tell_a_phrase_the_page_writes_in_lower_case_from_a_name() -> None:
    # "Trading Nation" is a show's label: the page writes "trading" and "nation" in its prose;
    # nobody writes "jane" or "doe" so. And a label over a list of links is no byline.
    paras = paragraphs("Markets rally as the trading nation reports record exports\n\nTrading Nation\n\n"
                       "• Stocks\n\nJane Doe\n\n" + "The trading nation reported record exports on Monday, "
                       "and markets rallied after the figures came out, analysts said.\n\n" * 3)
    cands = [byline.Candidate(1, ("Trading Nation",), "name"), byline.Candidate(3, ("Jane Doe",), "name")]
    label, name = byline.features(paras, cands, 0, 4, ())
    assert label["lower_elsewhere"] == 1.0 and name["lower_elsewhere"] == 0.0
    assert label["list_next"] == 1.0 and name["list_next"] == 0.0
    assert label["by_on_page"] == 0.0
    with_by = byline.features(paras, [*cands, byline.Candidate(3, ("Jane Doe",), "by")], 0, 4, ())
    assert with_by[0]["by_on_page"] == 1.0 and with_by[2]["by_on_page"] == 0.0


def test_a_pictures_alt_text_and_caption_are_marked_for_every_model() -> None:
    """A text browser shows a picture's alt text, then its caption with the same words (and maybe a
    credit or a date): neither is the headline, the byline or the page's date."""
    paras = paragraphs("Council agrees the new city plan\n\nBy Jane Doe\n\n"
                       "Builders at work on the riverside land\n\n"
                       "Builders at work on the riverside land, 24 April 2023\n\n"
                       + "The council met on Monday and agreed the plan after a long debate, officials said.\n\n" * 3)
    table = headline.features(paras, 4, None, headline_cue)
    assert table[2]["alt_caption"] == 1.0 and table[0]["alt_caption"] == 0.0
    dates = dateline.features(paras, 0, 4, 7, None, headline_cue)
    assert dates == []  # the caption's date (unlabelled) is the picture's: not even a candidate
    named = byline.features(paras, [byline.Candidate(1, ("Jane Doe",), "by"),
                                    byline.Candidate(3, ("Builders",), "name")], 0, 4, ())
    assert named[0]["alt_caption"] == 0.0 and named[1]["alt_caption"] == 1.0


def test_a_threshold_per_kind_of_evidence() -> None:
    model = LinearModel({"a": 1.0}, threshold=0.85, kind_thresholds={"bare": 0.9, "never": None})
    assert model.threshold_for("bare") == 0.9
    assert model.threshold_for("stated") == 0.85  # a kind without its own threshold takes the pooled one
    assert model.threshold_for("never") == math.inf and model.threshold_for("") == 0.85


def test_no_choice_is_asserted_under_the_floor_whatever_the_trained_threshold() -> None:
    """Where the cross-validated choices held no wrong one, the trainer's threshold was the lowest it
    tried (0.50); the reader asserts nothing it gives less than ASSERT_FLOOR, and the trainer searches
    from there."""
    import sys

    sys.path.insert(0, str(MODELS.parents[1] / "bench"))
    from train_ingest_models import pick_threshold

    assert ASSERT_FLOOR == 0.85
    model = LinearModel({"a": 1.0}, threshold=0.5, kind_thresholds={"stated": 0.5, "name": 0.9})
    assert model.threshold_for("stated") == model.threshold_for("") == ASSERT_FLOOR
    assert model.threshold_for("name") == 0.9
    every_choice_right = [(True, c / 100) for c in range(50, 100)]
    assert pick_threshold(every_choice_right)[0] == ASSERT_FLOOR
    # The shipped models: a "By" line or a labelled date the model gives 0.6 is not asserted.
    assert byline.threshold("stated") >= ASSERT_FLOOR and dateline.threshold("stated") >= ASSERT_FLOOR


def test_the_headlines_threshold_is_chosen_on_the_titles_the_reader_would_assert() -> None:
    """A line the page does not set apart (or states with and without a kicker) is never asserted, however
    sure the model is: the trainer counts it as not asserted, so a wrong one of those does not raise the
    threshold the asserted titles need."""
    import sys

    sys.path.insert(0, str(MODELS.parents[1] / "bench"))
    from train_ingest_models import pick_threshold, predict_kind

    def page(right: bool, gate: bool) -> dict[str, object]:
        return {"rows": [(right, {"a": 1.0}), (not right, {"a": -2.0})], "keys": ["one", "two"],
                "rivals": [True, True], "gates": [gate, True]}

    w = {"a": 1.0}
    ok, chance, _ = predict_kind(w, page(False, gate=False), lambda f: "", margin=True)
    assert not ok and chance == 0.0  # held back by the gate: not among the choices asserted
    ok, chance, _ = predict_kind(w, page(True, gate=True), lambda f: "", margin=True)
    assert ok and chance == pytest.approx(1 / (1 + math.exp(-3.0)))
    results = [predict_kind(w, page(True, True), lambda f: "", margin=True)[:2]] * 20
    results += [predict_kind(w, page(False, False), lambda f: "", margin=True)[:2]] * 3
    assert pick_threshold(results)[0] == ASSERT_FLOOR


def test_the_headlines_l2_strength_is_chosen_on_every_choice() -> None:
    """The threshold is chosen on the titles the reader would assert, the L2 strength as before, by the accuracy
    over every cross-validated choice: on the gated ones alone the strengths tie and the pick moves with a page."""
    import sys

    sys.path.insert(0, str(MODELS.parents[1] / "bench"))
    from train_ingest_models import cross_validate, kind_figures, l2_figure

    pages = [{"site": f"site{n}", "rows": [(True, {"a": 1.0, "b": 0.5}), (False, {"b": 1.0})], "keys": ["x", "y"],
              "rivals": [True, True], "gates": [False, True]} for n in range(10)]
    gated = cross_validate(pages, 0.003, lambda f: "", margin=True)
    assert kind_figures(gated, ASSERT_FLOOR, {})[1] == 0.0  # every right choice held back by its gate
    assert l2_figure(pages, 0.003, lambda f: "", True, False) == 1.0


def test_a_headline_set_apart_is_asserted_from_the_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped headline model's threshold, chosen on the titles the reader would assert, is the floor: a line
    the page sets apart that beats its strongest rival at 0.87 is asserted (at 0.89 before, it went to review)."""
    text = _page("News", "Eastern front holds as the winter war goes on", "By Jane Doe", *_WAR)
    at = next(i for i, p in enumerate(paragraphs(text)) if p.text.startswith("Eastern front"))
    monkeypatch.setattr(headline, "choose", lambda *args: headline.Headline(at, 0.5, "other", 0.87))
    article = read_text(text)
    assert article.title == "Eastern front holds as the winter war goes on" and "title" not in article.review
    monkeypatch.setattr(headline, "choose", lambda *args: headline.Headline(at, 0.5, "other", 0.84))
    assert "title" in read_text(text).review


def test_a_bare_date_and_a_labelled_or_bylined_one_have_their_own_thresholds() -> None:
    """The shipped date model has a threshold per kind (each chosen on that kind's own cross-validated
    choices, so a bare date never rides on the labelled ones' precision); which kind a choice is
    comes from its line."""
    assert set(load_model("dateline").kind_thresholds) == {"bare", "stated"}
    assert min(dateline.threshold("bare"), dateline.threshold("stated")) >= 0.5
    paras = paragraphs("Council agrees the new city plan\n\nBy Jane Doe, 15 August 2022\n\n"
                       "Published: 16 August 2022\n\n17 August 2022\n\n"
                       + "The council met on Monday and agreed the plan after a long debate, officials said.\n\n" * 3)
    table = dateline.features(paras, 0, 4, 7, None, _is_byline)
    kinds = {value[:10]: dateline.kind_of(f) for value, f in table}
    assert kinds == {"2022-08-15": "stated", "2022-08-16": "stated", "2022-08-17": "bare"}


def test_byline_and_headline_kinds() -> None:
    assert byline.kind_of({"kind_name": 1.0}) == "name" and byline.kind_of({"kind_by": 1.0}) == "stated"
    assert byline.kind_of({"kind_wire": 1.0}) == byline.kind_of({"kind_lone_by": 1.0}) == "stated"
    # The shipped byline model: a name alone (an interviewee, a label and a caption look the same)
    # needs at least the chance a line that says it is a byline does (both at least the floor).
    assert byline.threshold("name") >= byline.threshold("stated") >= ASSERT_FLOOR
    assert headline.kind_of({"repeated_once": 1.0, "cue_after": 1.0}) == "repeated_cued"
    assert headline.kind_of({"repeated_once": 1.0}) == headline.kind_of({"cue_after": 1.0}) == "other"


def test_the_reader_applies_the_threshold_of_its_choices_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    """A date the model is sure of is still left to review when its kind's threshold is not met."""
    from digest.ingest import text as text_reader

    page = ("Council agrees the new city plan after a long debate\n\nBy Jane Doe\n\n15 August 2022\n\n"
            + _distinct_body())
    assert text_reader.read_text(page).date == "2022-08-15"
    monkeypatch.setattr(dateline, "threshold", lambda kind="": math.inf if kind == "bare" else 0.5)
    article = text_reader.read_text(page)
    assert article.date is None and "date" in article.review


def test_a_bylines_names_lose_what_the_text_browser_ran_into_them() -> None:
    """A link glued to the name, a role alone, a place or a section beside a full name are no author;
    names that only look glued (MacDonald), a brand in one word and a desk's name ("MND Staff") stay."""
    assert byline.clean_names(("Sarah LazareTwitter",)) == ("Sarah Lazare",)
    assert byline.clean_names(("Tobias MühlbauerTobias Mühlbauer",)) == ("Tobias Mühlbauer",)
    assert byline.clean_names(("Christian Unger", "Redakteur")) == ("Christian Unger",)
    assert byline.clean_names(("Jane Doe", "Senior Staff Technologist")) == ("Jane Doe",)
    assert byline.clean_names(("Johannes Ritter", "Zürich")) == ("Johannes Ritter",)
    assert byline.clean_names(("John MacDonald", "Danny DeVito")) == ("John MacDonald", "Danny DeVito")
    assert byline.clean_names(("MND Staff",)) == ("MND Staff",) and byline.clean_names(("Reuters",)) == ("Reuters",)
    assert byline.clean_names(("LinkNaija",)) == ("LinkNaija",)


def test_a_name_credited_for_the_pictures_in_a_byline_is_not_an_author() -> None:
    from digest.ingest.text import _names

    assert _names("Jane Doe (reporting) and John Roe (photography)") == ("Jane Doe",)
    assert _names("Jane Doe and John Roe") == ("Jane Doe", "John Roe")


@pytest.mark.parametrize(("above", "elsewhere", "sure"), [
    ("World", "  • World", True),  # the section's name, which the site's menu also lists
    ("News > World > Europe", "", True),  # a breadcrumb
    ("Winter in the east", "", False),  # a kicker: the story's own words, said once
    ("World", "", False),  # a label the page states once may be a kicker as well
    # A breadcrumb the text browser ran together: each word is one of the menu's, said once as a label.
    ("News World", "News Sport World Business", True),
    ("NewsWorld", "News Sport World Business", True),
    ("News World", "Menu", False),  # words the navigation does not state: a kicker
    ("World News:", "News Sport World Business", False),  # a box's label
    ("world news", "News Sport World Business", False),  # a tag
])
def test_a_headline_under_its_sections_name_is_set_apart(above: str, elsewhere: str, sure: bool) -> None:
    paras = paragraphs(_page("  • Home", elsewhere or "Menu", "  • Sport", "Advert", above,
                             "Eastern front holds as the winter war goes on", *_WAR))
    at = next(i for i, p in enumerate(paras) if p.text.startswith("Eastern front"))
    assert headline.under_section(paras, at, headline_cue) is sure


def test_a_headline_that_ends_a_breadcrumb_is_set_apart() -> None:
    """A text browser runs a breadcrumb's links together under its root ("Home News World <headline>"):
    the page states the headline again, as a repeated line does."""
    paras = paragraphs(_page("Home News World Eastern front holds as the winter war goes on", "Advert",
                             "Eastern front holds as the winter war goes on", *_WAR))
    at = next(i for i, p in enumerate(paras) if p.text.startswith("Eastern front"))
    assert headline.ends_a_breadcrumb(paras, at)
    plain = paragraphs(_page("Home News World", "Advert", "Eastern front holds as the winter war goes on", *_WAR))
    assert not headline.ends_a_breadcrumb(plain, next(i for i, p in enumerate(plain) if p.text.startswith("Eastern")))


@pytest.mark.parametrize(("above", "below", "sure"), [
    ("By Jane Doe, published 30 July 2018", "Share", True),  # the article's head opens with its byline
    ("News | 11.2.2025 | 23:55", "Share", True),  # or its date line
    ("12 March 2024", "13 March 2024", False),  # a list of teasers: each headline with its own date under it
    ("  • 12 March 2024", "Share", False),  # a list item's date
    ("Share", "Advert", False),  # no byline or date above
])
def test_a_headline_right_under_its_byline_or_date_line_is_set_apart(above: str, below: str, sure: bool) -> None:
    """Some pages open the article's head with its byline or date line, the headline under it: the page sets the
    headline apart so, as it does with a repeated line (comwrap's blog, mbl.is); a teasers' list does not."""
    paras = paragraphs(_page("Menu", "Advert", above, "Eastern front holds as the winter war goes on", below,
                             *_WAR))
    at = next(i for i, p in enumerate(paras) if p.text.startswith("Eastern front"))
    assert headline.under_its_cue(paras, at, headline_cue) is sure
    assert headline.page_sets_apart(paras, at, {}, headline_cue) is sure


def test_a_headline_under_its_byline_is_asserted() -> None:
    article = read_text(_page("Home", "Menu", "Advert", "By Jane Doe, published 30 July 2018",
                              "Eastern front holds as the winter war goes on", "Share", *_WAR))
    assert article.title == "Eastern front holds as the winter war goes on" and "title" not in article.review
    assert article.authors == ("Jane Doe",) and article.date == "2018-07-30"


@pytest.mark.parametrize(("line", "authors"), [
    ("Jane Doe", ("Jane Doe",)),
    ("Keris Lahiff@kerisalison", ("Keris Lahiff",)),  # no given name Faker knows, but a handle
    ("Jonisayi Maromo|Published 1 day ago", ("Jonisayi Maromo",)),  # or the byline's time
    ("Associated Press", ("Associated Press",)),  # a news agency
    ("Customer Service", ()),  # a menu's or a box's label of a name's shape: to review (a button's, "Download
    # PDF", is no candidate: test_a_pages_buttons_are_no_name)
    ("Zur Playlist Anhören", ()),
    ("Business Insider", ()),
])
def test_a_bare_name_is_asserted_only_when_it_looks_like_a_persons_signature(line: str,
                                                                            authors: tuple[str, ...]) -> None:
    article = read_text(_page("Home", "Eastern front holds as the winter war goes on", line, *_WAR))
    assert article.authors == authors
    assert ("authors" in article.review) is (not authors)
    for text, given in (("Fatma Sevinç Çetin", True), ("Sarah LazareTwitter", True), ("Noticia Relacionada", False),
                        ("KOMENTAR ISIS", False), ("J. Doe", False)):
        assert byline.opens_with_given_name(text) is given, text

def test_the_month_names_are_what_babel_gives() -> None:
    """digest/ingest/month_names.json is made by scripts/month_names.py from Babel's CLDR data; after upgrading
    Babel, run it again."""
    import runpy
    from importlib.metadata import version

    from digest.ingest.dates import find_date

    shipped = (MODELS / "month_names.json").read_text(encoding="utf-8")
    # pyproject.toml pins the Babel the file was made from (the test extras): never skipped
    made = json.loads(shipped)
    assert made["made_by"] == f"scripts/month_names.py from babel {version('babel')}"
    script = runpy.run_path(str(MODELS.parents[1] / "scripts" / "month_names.py"))
    assert shipped == script["text"](), "run python scripts/month_names.py"
    months = made["months"]
    assert months["مايو"] == months["أيار"] == months["במאי"] == months["মে"] == months["พ.ค."] == 5
    assert not any(name.isascii() for name in months)  # the Latin-script names are dates.py's own list
    # Bengali's "য়" written as one character (Unicode never composes it) is read too
    assert find_date("৩০ জানু\u09dfারি ২০২৪") == find_date("৩০ জানু\u09af\u09bcারি ২০২৪") == "2024-01-30"


def test_the_given_names_are_what_faker_gives() -> None:
    """digest/ingest/given_names.txt is made by scripts/given_names.py from Faker; after upgrading Faker,
    run it again."""
    import runpy
    from importlib.metadata import version

    shipped = (MODELS / "given_names.txt").read_text(encoding="utf-8")
    # pyproject.toml pins the Faker the file was made from (the test extras): never skipped
    assert shipped.splitlines(keepends=True)[0] == f"# made by scripts/given_names.py from faker {version('faker')}\n"
    script = runpy.run_path(str(MODELS.parents[1] / "scripts" / "given_names.py"))
    assert shipped == script["text"](), "run python scripts/given_names.py"
    assert {"jane", "fatma", "ulrich", "jennifer"} <= byline.given_names()
    assert not {"download", "noticia", "komentar", "key"} & byline.given_names()


def test_a_name_under_a_pictures_credit_label_is_no_byline_candidate() -> None:
    # "Foto:" over "Andrew Harnik / AP": the photographer, as a text browser lays out a German caption's credit.
    text = ("Champion wins the title in the final race of the season\n\nBy Jane Doe\n\n[photo]\n\n"
            "The champion after the race\n\nFoto:\n\nAnna Berg / AP\n\n" + _distinct_body())
    head = read_head(text)
    names = [c.names for c in author_candidates(head.paras, head)]
    assert ("Jane Doe",) in names and ("Anna Berg",) not in names
    head = read_head(text.replace("Foto:\n\n", ""))
    assert ("Anna Berg",) in [c.names for c in author_candidates(head.paras, head)]


def test_names_the_text_browser_ran_a_link_into_are_one_answer() -> None:
    """ "Tobias MühlbauerTobias Mühlbauer" (a name glued to its link) and "Tobias Mühlbauer" name one writer: one
    answer, whose chances add up, as the same names in another order do."""
    assert byline.answer_key(("Tobias MühlbauerTobias Mühlbauer",)) == byline.answer_key(("Tobias Mühlbauer",))
    assert byline.answer_key(("Ulrich ExnerKorrespondent",)) == byline.answer_key(("Ulrich Exner",))
    assert byline.answer_key(("Jane Doe", "John Roe")) == byline.answer_key(("John Roe", "Jane Doe"))
    paras = paragraphs(_page("Offensive begins in the east after months of preparation",
                             "Tobias MühlbauerTobias Mühlbauer 24.04.2024, 19:35 Uhr", "Tobias Mühlbauer",
                             *[PROSE * 2] * 4))
    head = read_head("\n\n".join(p.text for p in paras) + "\n")
    cands = author_candidates(head.paras, head)
    assert len(cands) == 2 and {byline.answer_key(c.names) for c in cands} == {"Tobias Mühlbauer"}
    model = load_model("byline")
    table = byline.features(head.paras, cands, head.title_at, head.start, ())
    probs = softmax([model.score(f) for f in table] + [model.score({"none": 1.0})])
    found = byline.choose(head.paras, cands, head.title_at, head.start, ())
    assert found is not None and found.probability == pytest.approx(sum(probs[:-1]))


def test_a_kind_of_byline_right_without_the_committee_asks_none() -> None:
    """The trainer asks the committee only of a kind of evidence whose asserted choices fall short of the target
    without it: where they meet it, the committee's doubts would only send right choices to review."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from train_ingest_models import pick_committee_thresholds

    stated = [(True, 0.9, "stated")] * 40 + [(True, 0.0, "stated")] * 3  # three the committee doubts, all right
    names = [(True, 0.9, "name")] * 30 + [(False, 0.6, "name")] * 2
    needs = pick_committee_thresholds(stated + names)
    assert "stated" not in needs  # no committee: all 43 asserted
    assert needs["name"] is not None and 0.6 < needs["name"] <= 0.9  # the two wrong names stay out


def test_a_byline_under_the_headlines_picture_is_evidence_for_the_headline() -> None:
    """A headline's lead picture (alt text, caption, credit) often sits between it and its byline: the byline
    five to eight lines under a line counts for it as a headline, less the further it is (cue_below), and the
    shipped model weighs that evidence."""
    paras = paragraphs(_page("News World", "Eastern front holds as the winter war goes on",
                             "Soldiers walk along a frozen river near the front line",
                             "Soldiers walk along a frozen river near the front line - Copyright Jane Roe/AP",
                             "Copyright Jane Roe/AP", "Share this article", "By Jane Doe", *_WAR))
    assert headline.cue_below(paras, 1, headline_cue) == {"cue_dist": pytest.approx(0.5), "cue_far": 1.0}
    assert headline.cue_below(paras, 5, headline_cue) == {"cue_dist": 1.0, "cue_far": 0.0}
    assert headline.cue_below(paras, 7, headline_cue) == {"cue_dist": 0.0, "cue_far": 0.0}  # none under it
    table = headline.features(paras, 7, None, headline_cue)
    assert table[1]["cue_far"] == 1.0 and table[1]["cue_after"] == 0.0  # beyond the four lines cue_after reads
    model = load_model("headline")
    assert model.weights["cue_far"] > 0 and model.weights["cue_dist"] > 0


_CREDITED = "A soldier on the frozen river near the front line - Copyright Jane Roe/AP"


@pytest.mark.parametrize(("blocks", "title", "sure"), [
    # The headline's rival was its picture's caption: now none, so the headline is sure of itself.
    (("World", "Eastern front holds as the winter war goes on", "By Jane Doe", "[photo]", _CREDITED),
     "Eastern front holds as the winter war goes on", True),
    (("World", "Eastern front holds as the winter war goes on", _CREDITED, "By Jane Doe"),
     "Eastern front holds as the winter war goes on", True),
    # The caption chosen: kept only as a guess to review (it was asserted).
    (("Eastern front holds as the winter war goes on", "[photo]", _CREDITED, "By Jane Doe"), _CREDITED, False),
])
def test_a_caption_stating_its_copyright_is_no_headline_and_no_rival(blocks: tuple[str, ...], title: str,
                                                                    sure: bool) -> None:
    """A line that states a copyright ("... - Copyright Jane Roe/AP", "(Image: © NASA/ESA)", "— © BELGA") is a
    picture's caption or credit: never asserted as the headline, and no rival to the line chosen (on the tuned
    pages euronews.com's caption under its headline held a right headline back at 0.64)."""
    article = read_text(_page("  • Home", "  • World", "Advert", *blocks, *_WAR))
    assert article.title == title
    assert ("title" in article.review) is (not sure)
    for line, unlike in ((_CREDITED, True), ("(Image: © NASA/ESA/K. Retherford/SWRI)", True),
                         ("Verlinden tijdens de coronacrisis. — © BELGA", True),
                         ("Judges rule on copyright for pictures drawn by machines", False)):
        assert headline.unlike_headline(paragraphs(line)[0], headline_cue) is unlike, line


def test_the_scripts_the_headline_model_learnt_from_are_those_of_its_training_pages() -> None:
    """headline.TRAINED_SCRIPTS: the scripts the headlines of the dev sets' tuned pages (what the trainer
    learns from) are written in. A model trained on other pages must say which it knows."""
    import sys

    sys.path.insert(0, str(MODELS.parents[1] / "bench"))
    from train_ingest_models import DEVSETS, _tuned

    if not all((devset / "truth.json").exists() for devset in DEVSETS):
        assert not os.environ.get("CI"), "CI has ../shared beside the clone"
        pytest.skip("the shared dev sets are not beside the repository")
    scripts = {headline.script_of(label.get("title") or "") for devset in DEVSETS for _, label, _ in _tuned(devset)}
    assert scripts - {None} == headline.TRAINED_SCRIPTS


_CRUMB = "  1. Home\n  2. World\n  3. Europe\n  4. Winter war: the eastern front holds as the shelling goes on"


def test_a_breadcrumb_list_names_the_headline_in_its_last_entry() -> None:
    """A breadcrumb set as a list under the site's root ends with the article's headline as the page's markup
    words it, which the page may display otherwise (here without its kicker): that wording is the title, sure."""
    text = _page("Menu", "Search", _CRUMB, "Share", "The eastern front holds as the shelling goes on",
                 "By Jane Doe", "March 3, 2024", *_WAR)
    paras = paragraphs(text)
    at = headline.breadcrumb_headline(paras, len(paras) - 3, headline_cue)
    assert at is not None and paras[at].text.startswith("Winter war:")
    article = read_text(text)
    assert article.title == "Winter war: the eastern front holds as the shelling goes on"
    assert "title" not in article.review
    assert "Winter war" not in article.body and article.authors == ("Jane Doe",)


def test_a_short_breadcrumb_names_the_headline_under_it() -> None:
    """A breadcrumb of two to five entries that ends in a section's name is right over the headline, which the
    title is even when the model scores a teaser below higher."""
    text = _page("Menu", "  • Accueil ›\n  • Monde", "Un troisième Français mort dans le séisme au Népal",
                 "AFP 30 avril 2015", "Sur le même sujet", "Népal : «Plus les heures passent, moins on est utiles»",
                 "Par Laurence Defranoux", *_WAR)
    paras = paragraphs(text)
    at = headline.breadcrumb_headline(paras, len(paras) - 3, headline_cue)
    assert at is not None and paras[at].text.startswith("Un troisième")
    assert read_text(text).title == "Un troisième Français mort dans le séisme au Népal"
    # far above the body, where no headline is looked for, the line under a breadcrumb is some other part's
    far = paragraphs(_page("  • Accueil ›\n  • Monde", "Un troisième Français mort dans le séisme au Népal",
                           *[f"Rubrique {n}" for n in range(61)], "Népal : des secours sous pression", *_WAR))
    assert headline.breadcrumb_headline(far, len(far) - 3, headline_cue) is None


@pytest.mark.parametrize("crumb", [
    # not opened by the site's root: a menu, a list of sections
    "  • Politics\n  • World\n  • Winter war: the eastern front holds as the shelling goes on",
    # an entry over four words between: a list of stories, not of sections
    "  1. Home\n  2. Most read stories of the week\n  3. Winter war: the eastern front holds as the shelling goes on",
    # its last entry of no headline's shape (a sentence, a short label)
    "  1. Home\n  2. World\n  3. The eastern front held as the shelling went on.",
    # a short breadcrumb over a label, a long list opened by "Home" (the site's menu) over a teaser
    "  1. Home\n  2. World\n  3. Europe\n\nWorld news",
    "  • Home\n" + "".join(f"  • Section {n}\n" for n in range(6)) + "\nTalks on a ceasefire resume in the capital",
    # the list goes on past the long entry
    _CRUMB + "\n  5. Sport",
    # two breadcrumbs naming different headlines
    _CRUMB + "\n\n  1. Home\n  2. World\n  3. Talks on a ceasefire resume in the capital next month",
])
def test_no_breadcrumb_headline_without_the_shape(crumb: str) -> None:
    paras = paragraphs(_page("Menu", crumb, "The eastern front holds as the shelling goes on", "By Jane Doe", *_WAR))
    assert headline.breadcrumb_headline(paras, len(paras) - 3, headline_cue) is None
