"""The HTML body checked against the page's structure: short lines from outside the article's element."""

from __future__ import annotations

import lxml.html

from digest.ingest.html import read_html
from digest.ingest.html_body import without_outside_lines

P1 = ("The harbour office publishes new tide tables every autumn, and this year the changes are "
      "larger than usual because the dredging of the outer channel has moved the sandbanks a long way.")
P2 = ("Pilots were told about the new channel markers in October, a week before the first ships came "
      "through, and the office says the old tables should be thrown away by every skipper in the port.")
P3 = ("Fishing boats that leave before dawn will feel the change most, as the morning low tide now "
      "comes almost forty minutes later than it did last winter on the northern side of the bay.")


def page(before: str = "", inside: str = "", after: str = "") -> str:
    return (f"<!DOCTYPE html><html><head><title>Tide tables</title></head><body>{before}"
            f"<div class='story'><h1>Tide tables change for the winter</h1>{inside}"
            f"<div class='text'><p>{P1}</p><h2>Where the sandbanks went</h2><p>{P2}</p><p>{P3}</p></div></div>"
            f"{after}</body></html>")


def blocks(*extra: str) -> str:
    return "\n\n".join((*extra, P1, "## Where the sandbanks went", P2, P3))


def tree(html: str) -> object:
    return lxml.html.fromstring(html)


def test_a_credit_label_over_the_article_is_not_body() -> None:
    body = read_html(page(inside="<p><strong>Agencies</strong></p>")).body
    assert "Agencies" not in body
    assert "## Where the sandbanks went" in body  # a heading among the paragraphs stays
    assert body.lstrip().startswith(P1[:40])


def test_a_short_line_found_only_outside_the_articles_paragraphs_is_left_out() -> None:
    teaser = "##### Ferry fares rise for the third year running"
    html = page(after=f"<aside><h5>{teaser[6:]}</h5></aside>")
    assert without_outside_lines(blocks(teaser), tree(html)) == blocks()


def test_a_heading_between_the_paragraphs_stays() -> None:
    html = page()
    assert without_outside_lines(blocks(), tree(html)) == blocks()


def test_a_short_sentence_outside_stays() -> None:
    standfirst = "The new tables start on Monday."
    html = page(inside=f"<p>{standfirst}</p>")
    assert without_outside_lines(blocks(standfirst), tree(html)) == blocks(standfirst)


def test_a_line_the_page_does_not_hold_as_it_is_stays() -> None:
    assert without_outside_lines(blocks("**Reworded label**"), tree(page())) == blocks("**Reworded label**")


def test_one_paragraph_of_prose_fixes_no_element() -> None:
    html = (f"<html><body><p><b>Agencies</b></p><div><p>{P1}</p><p>Short one.</p></div></body></html>")
    body = f"**Agencies**\n\n{P1}\n\nShort one."
    assert without_outside_lines(body, tree(html)) == body


def test_scripts_and_templates_are_not_the_pages_text() -> None:
    hidden = "<script>var label = 'Agencies';</script><template><p>Agencies</p></template>"
    html = page(inside="<p><strong>Agencies</strong></p>").replace("<div class='text'>", f"<div class='text'>{hidden}")
    assert without_outside_lines(blocks("**Agencies**"), tree(html)) == blocks()


def test_two_alike_paragraphs_are_not_both_held_by_one_of_them() -> None:
    twin = P1.replace("harbour", "river")
    html = f"<html><body><article><p>{P1}</p><h2>Outlook</h2><p>{twin}</p></article></body></html>"
    body = f"{P1}\n\n## Outlook\n\n{twin}"
    assert without_outside_lines(body, tree(html)) == body
