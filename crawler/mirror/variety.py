"""The text variety seen in real pages (site notes, "Seen since"), as pure functions of a Random.

Everything here changes what a page *says* (the truth), never how it is marked up
(:mod:`crawler.mirror.markup` does that): bylines naming several persons or a team and no person,
AFP's month style (``Sept``, ``June``, ``July``), datelines with a country, AFP subheads printed as
their own paragraph (``- Ships hit -``), closing ``Source: ...`` lines, a second AFP story
appended inside a body, short articles (AFP briefs, old ``/news/`` pages of three short
paragraphs) and the doubled-date dateline of AFP wire pages.
"""

from __future__ import annotations

import datetime as dt
import random

from crawler.mirror import textgen
from crawler.mirror.timeline import MONTHS_FULL

AFP_MONTHS = ("Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov",
              "Dec")
"""Month names as AFP datelines print them (seen: 'Sept 25', 'June 26', 'July 16', 'Jan 2')."""
AFP_PLACES = (
    "Beirut, Lebanon", "Kyiv, Ukraine", "Gaza Strip, Palestinian Territories", "Damascus",
    "United Nations, United States", "Tehran", "Jerusalem", "Washington", "Moscow",
    "Wad Madani, Sudan", "Gaza City, Palestinian Territories", "Brussels", "Prague",
)
TEAM_CITIES = ("Tehran", "Beirut", "Jerusalem", "Dubai", "Kyiv", "Moscow", "Washington", "Paris")
SUBHEADS = (
    "Ships hit", "'Broad scale strikes'", "Talks stall", "Air defences", "RSF 'victory' in Darfur",
    "Evacuations", "'No turning back'", "Aid blocked", "Drone barrage",
)
SOURCES = {"AFP": "Source: Agence France-Presse", "UPI": "Source: United Press International"}
"""Closing source lines of older bodies, by agency."""


def afp_date(day: dt.date) -> str:
    """A dateline date in AFP's style: 'Sept 25, 2025', 'June 26, 2024', 'Jan 2, 2024'.

    >>> afp_date(dt.date(2025, 9, 25)), afp_date(dt.date(2024, 1, 2))
    ('Sept 25, 2025', 'Jan 2, 2024')
    """
    return f"{AFP_MONTHS[day.month - 1]} {day.day}, {day.year}"


def wire_dateline(place: str, day: dt.date) -> str:
    """The doubled-date dateline of spacewar's AFP wire pages.

    >>> wire_dateline("Beirut, Lebanon", dt.date(2024, 10, 8))
    'Beirut, Lebanon, Oct 8 (AFP) Oct 08, 2024'
    """
    short = MONTHS_FULL[day.month - 1][:3]
    return f"{place}, {short} {day.day} (AFP) {short} {day.day:02d}, {day.year}"


def afp_place(rng: random.Random) -> str:
    """A place of an AFP dateline, with or without its country."""
    return rng.choice(AFP_PLACES)


def persons_byline(rng: random.Random, afp: bool) -> tuple[str, str, list[str]]:
    """(printed, without 'by', authors) of a byline naming two persons.

    AFP prints surnames in capitals ('By Dave CLARK and Dmytro GORSHKOV'), others do not
    ('By Adel Zaanoun and Mai Yaghi', 'by Paul Brinkmann and Danielle Haynes').

    >>> printed, clean, authors = persons_byline(random.Random(2), afp=False)
    >>> clean == " and ".join(authors) and printed.lower() == "by " + clean.lower()
    True
    """
    (f1, l1), (f2, l2) = rng.sample(textgen.PEOPLE, 2)
    caps = afp and rng.random() < 0.6
    n1 = f"{f1} {l1.upper() if caps else l1}"
    n2 = f"{f2} {l2.upper() if caps else l2}"
    by = "By" if afp or rng.random() < 0.5 else "by"
    return f"{by} {n1} and {n2}", f"{n1} and {n2}", [f"{f1} {l1}", f"{f2} {l2}"]


def team_byline(rng: random.Random) -> tuple[str, str, list[str]]:
    """A team byline that names no person: 'By AFP teams in Tehran, Beirut and Dubai'.

    >>> team_byline(random.Random(1))[2]
    []
    """
    cities = rng.sample(TEAM_CITIES, rng.choice((2, 3, 4)))
    places = ", ".join(cities[:-1]) + " and " + cities[-1]
    clean = f"AFP teams in {places}"
    return f"By {clean}", clean, []


def subhead(rng: random.Random) -> str:
    """An AFP subhead paragraph, e.g. '- Ships hit -'."""
    return f"- {rng.choice(SUBHEADS)} -"


def with_subheads(rng: random.Random, paragraphs: list[str]) -> list[str]:
    """A long AFP body with one or two subheads inserted between its paragraphs."""
    out = list(paragraphs)
    for _ in range(rng.choice((1, 1, 2))):
        out.insert(rng.randrange(3, len(out)), subhead(rng))
    return out


def appended_story(rng: random.Random, day: dt.date) -> tuple[list[str], str]:
    """(paragraphs, dateline) of a second, shorter AFP story appended inside a body.

    Its headline is a paragraph of its own; the next paragraph opens with the dateline and
    ' - ' (seen: 'Washington (AFP) Jan 29, 2024 - US Secretary of State ...').
    """
    place = rng.choice(("Washington", "Brussels", "Moscow", "Kyiv, Ukraine", "Paris"))
    dateline = f"{place} (AFP) {afp_date(day + dt.timedelta(days=rng.choice((0, 1))))}"
    paras = [textgen.headline(rng), f"{dateline} - {textgen.paragraph(rng, wire=True)}"]
    paras += textgen.paragraphs(rng, rng.randint(1, 2), wire=True)
    return paras, dateline


def short_paragraphs(rng: random.Random, count: int, wire: bool) -> list[str]:
    """``count`` distinct paragraphs of one sentence each: a brief.

    >>> ps = short_paragraphs(random.Random(4), 3, wire=True); len(ps), len(set(ps))
    (3, 3)
    """
    out: list[str] = []
    while len(out) < count:
        p = textgen.sentence(rng, wire)
        if p not in out:
            out.append(p)
    return out


def caption(rng: random.Random, kind: str) -> str:
    """An image caption as printed between headline and byline: 'illustration' gives
    'illustration only', 'courtesy' a person and '... Photo courtesy of AFP.'.

    >>> caption(random.Random(0), "illustration")
    'illustration only'
    >>> caption(random.Random(0), "courtesy").endswith(". Photo courtesy of AFP.")
    True
    """
    if kind == "illustration":
        return "illustration only"
    first, last = textgen.person(rng)
    return f"{first} {last}, {rng.choice(textgen.ROLES)}. Photo courtesy of AFP."
