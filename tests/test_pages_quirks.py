"""One test per failure measured before issue 13, on pages the mirror renders from known data.

Each page is mirror data (the seed page's real text, or hand-made data), rendered by the
mirror's renderers in the variant that once broke extraction; the expected values come from
that data.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

import crawler.pages
from crawler.mirror.markup import default_variants
from crawler.mirror.model import MirrorArticle, RelatedBlock, RelatedItem
from crawler.mirror.render import render
from crawler.mirror.render_afp import BOX_TITLES
from crawler.mirror.seed import seed_article
from crawler.pages import extract_from_bytes

SEED = seed_article()


@pytest.fixture(autouse=True)
def _raise_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crawler.pages, "RAISE_ERRORS", True)


def seed_with(**variants: str) -> MirrorArticle:
    a = copy.deepcopy(SEED)
    a.variants = {**default_variants("classic"), **variants}
    return a


def record(a: MirrorArticle, headers: dict[str, str] | None = None) -> dict[str, Any]:
    ctype = "text/html; charset=UTF-8" if a.layout == "wordpress" else "text/html"
    article = extract_from_bytes(render(a), a.url, headers or {"Content-Type": ctype})
    assert article is not None
    return article.to_dict()


def test_byline_on_the_dateline_line_does_not_swallow_the_dateline() -> None:
    r = record(seed_with(byline="dateline-line"))
    assert (r["byline"], r["dateline"], r["location"]) == (
        "AFP Staff Writers", "Prague (AFP) May 31, 2024", "Prague")


def test_related_links_heading_with_a_colon_keeps_its_links() -> None:
    for style in ("br", "ul", "table"):
        r = record(seed_with(related_heading="colon", related_list=style))
        assert r["related_links"] == [{"url": u, "title": t} for u, t in SEED.related_links]


def test_label_on_the_headline_line_is_the_section() -> None:
    r = record(seed_with(label="headline-line"))
    assert (r["section"], r["title"]) == ("WAR REPORT", SEED.title)


def test_related_labels_printed_as_links_are_no_related_items() -> None:
    r = record(seed_with(related_labels="link"))
    expected = [{"url": i.url, "title": i.title, "section": b.section}
                for b in SEED.related_blocks for i in b.items]
    assert r["related_articles"] == expected


def _story(layout: str, **kw: Any) -> MirrorArticle:
    base = dict(
        url="https://www.spacewar.com/afp/241008182401.xrp3f6lr.html", site="spacewar.com",
        layout=layout, title="War monitor says four dead in Israel Damascus strike",
        paragraphs=SEED.paragraphs[:4], og_url=None,
    )
    base.update(kw)
    return MirrorArticle(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("markup", ["table", "divs", "h1"])
def test_afp_wire_page_doubled_date_and_boxes(markup: str) -> None:
    boxes = [RelatedBlock(t, [RelatedItem(f"https://www.spacedaily.com/reports/S{k}{n}_999.html",
                                          f"Current headline {k} {n}") for n in range(3)])
             for k, t in enumerate(BOX_TITLES)]
    a = _story("afp", dateline="Beirut, Lebanon, Oct 8 (AFP) Oct 08, 2024", boxes=boxes,
               variants={"markup": markup})
    r = record(a)
    assert (r["location"], r["agency"], r["published"]) == ("Beirut, Lebanon", "AFP",
                                                            "2024-10-08")
    assert r["byline"] is None and r["extraction"] == "template"
    assert r["body"] == "\n\n".join(a.paragraphs)
    assert r["related_links"] == [] and r["related_articles"] == []


def test_team_byline_names_no_author() -> None:
    a = seed_with()
    a.byline = "By AFP teams in Tehran, Beirut, Jerusalem and Dubai"
    r = record(a)
    assert (r["byline"], r["authors"]) == ("AFP teams in Tehran, Beirut, Jerusalem and Dubai", [])


@pytest.mark.parametrize("markup", ["divs", "paragraphs", "table"])
def test_march_2026_layout_keeps_date_agency_location_and_byline(markup: str) -> None:
    a = _story("spacewar2026",
               url="https://www.spacewar.com/reports/Israeli_strikes_killed_eight_999.html",
               byline="by AFP Staff Writers", dateline="Beirut, Lebanon (AFP) Mar 5, 2026",
               related_links=SEED.related_links, related_blocks=SEED.related_blocks,
               variants={"markup": markup, "title_tag": "site-first"})
    r = record(a)
    assert (r["published"], r["agency"], r["location"], r["byline"], r["extraction"]) == (
        "2026-03-05", "AFP", "Beirut, Lebanon", "AFP Staff Writers", "template")
    assert r["body"] == "\n\n".join(a.paragraphs)


@pytest.mark.parametrize("container", ["entry-content", "post-body", "article"])
def test_wordpress_body_without_entry_content_and_printed_dateline(container: str) -> None:
    a = MirrorArticle(
        url="https://spacedaily.com/nato-chief-downplays-threat/", site="spacedaily.com",
        layout="wordpress", title=SEED.title, paragraphs=SEED.paragraphs, section="SPACE TRAVEL",
        byline="By Issam AHMED", byline_clean="Issam AHMED", authors=["Issam Ahmed"],
        dateline="Prague (AFP) May 31, 2024", location="Prague", agency="AFP",
        published="2024-05-31", posted="2026-01-05T09:30:00+10:00",
        variants={"body": container})
    r = record(a)
    assert r["body"] == "\n\n".join(SEED.paragraphs)
    assert (r["dateline"], r["published"], r["extraction"]) == (
        "Prague (AFP) May 31, 2024", "2024-05-31", "metadata")


def test_dateline_as_the_first_body_line_of_a_classic_page() -> None:
    r = record(seed_with(dateline="body"))
    assert (r["dateline"], r["published"]) == ("Prague (AFP) May 31, 2024", "2024-05-31")
    assert r["body"] == "\n\n".join(SEED.paragraphs)


def test_short_dated_articles_are_articles() -> None:
    brief = ["Israel carried out strikes near Damascus on Tuesday, state media said.",
             "There were no casualties, the report said."]
    for layout, url in (("classic", "https://www.spacewar.com/news/missile-03b.html"),
                        ("legacy", "https://www.spacewar.com/news/missile-03c.html")):
        a = dataclasses.replace(seed_with(), url=url, og_url=url, layout=layout,
                                paragraphs=brief)
        if layout == "legacy":
            a.variants = {}
        r = record(a)
        assert r["body"] == "\n\n".join(brief) and r["dateline"] == SEED.dateline


def test_appended_story_is_kept_in_the_body_and_marked() -> None:
    a = seed_with()
    a.paragraphs = SEED.paragraphs[:3] + [
        "Meeting NATO, Blinken warns Ukraine gains in doubt if no US aid",
        "Washington (AFP) Jan 29, 2024 - US Secretary of State Antony Blinken warned Monday.",
        "Tens of billions of dollars in US aid has been sent to Ukraine."]
    a.appended_datelines = ["Washington (AFP) Jan 29, 2024"]
    r = record(a)
    assert r["body"] == "\n\n".join(a.paragraphs)
    assert r["appended_datelines"] == ["Washington (AFP) Jan 29, 2024"]
    assert r["dateline"] == SEED.dateline


def test_bare_host_address_is_the_www_address() -> None:
    a = _story("spacewar2026",
               url="https://www.spacewar.com/reports/Israeli_strikes_killed_eight_999.html",
               byline="by AFP Staff Writers", dateline="Beirut, Lebanon (AFP) Mar 5, 2026",
               variants={"markup": "table"})
    article = extract_from_bytes(render(a), a.url.replace("://www.", "://"),
                                 {"Content-Type": "text/html"})
    assert article is not None and article.url == a.url
