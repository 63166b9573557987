"""Plausible English news text from word lists and templates, driven by a ``random.Random``.

Everything here is a pure function of the generator's state: the same seeded ``Random`` gives the
same headline, paragraphs and bylines. No wall-clock time, no global state.
"""

from __future__ import annotations

import random

from crawler.mirror.phrasing import sentence_template

ACTORS = (
    "NATO", "the Pentagon", "China", "Russia", "Japan", "India", "the European Union", "Ukraine",
    "South Korea", "France", "Germany", "Britain", "Australia", "Brazil", "Israel", "Turkey",
    "NASA", "ESA", "the US Air Force", "the US Space Force", "ISRO", "JAXA", "Roscosmos",
    "Lockheed Martin", "Northrop Grumman", "Boeing", "Airbus", "Rocket Lab", "SpaceX",
    "Blue Origin", "Thales Alenia Space", "Raytheon", "the UN Security Council", "Canada",
)
THINGS = (
    "hypersonic missile interceptor", "weather satellite", "reusable rocket", "lunar lander",
    "air defence system", "solar farm", "offshore wind project", "nuclear reactor",
    "GPS constellation", "radar network", "drone fleet", "Mars rover", "space telescope",
    "communications satellite", "battery plant", "biofuel refinery", "carbon capture pilot",
    "earth observation mission", "small modular reactor", "navigation payload",
    "orbital debris tracker", "cargo spacecraft", "crewed capsule", "missile warning satellite",
)
VERBS = (
    "unveils", "tests", "launches", "orders", "delays", "expands", "signs deal for",
    "approves", "backs", "completes", "scraps", "upgrades", "deploys", "funds",
)
PEOPLE = (
    ("Jens", "Stoltenberg"), ("Issam", "Ahmed"), ("Erica", "Marchand"), ("Mao", "Ning"),
    ("Ana", "Lopez"), ("Daniel", "Hoffmann"), ("Priya", "Raman"), ("Kenji", "Watanabe"),
    ("Olga", "Petrova"), ("Marc", "Dubois"), ("Sarah", "Collins"), ("Li", "Wei"),
    ("Tomasz", "Nowak"), ("Fatima", "Haddad"), ("James", "Okafor"), ("Elena", "Rossi"),
    ("Jos\u00e9", "Mart\u00ednez"), ("Ren\u00e9e", "Lef\u00e8vre"),
)
ROLES = (
    "defence minister", "programme manager", "chief executive", "mission scientist",
    "foreign ministry spokeswoman", "spokesman", "lead engineer", "analyst", "project director",
    "senior official", "research fellow",
)
PLACES = (
    "Paris, France", "Huntsville AL", "Pasadena CA", "Washington", "Beijing", "Moscow", "Tokyo",
    "Brussels", "Geneva, Switzerland", "Bangalore, India", "Berlin", "Kyiv", "Seoul", "Sydney",
    "Houston TX", "Cape Canaveral FL", "Toulouse, France", "London, UK", "Noordwijk, Netherlands",
    "Prague", "Ottawa", "Denver CO", "Vienna, Austria", "Madrid, Spain",
)
NUMBERS = (
    "two", "three", "four", "five", "six", "a dozen", "12", "20", "35", "40", "100", "250",
)
AMOUNTS = ("$1.2bn", "$275 mn", "677 mn euros", "$3.5 billion", "$48 million", "$900,000")
TIMES = (
    "on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "this week",
    "last month", "on Sunday", "earlier this year",
)
ADJ = (
    "new", "long-delayed", "ambitious", "low-cost", "next-generation", "experimental",
    "controversial", "record", "joint", "upgraded",
)
REASONS = (
    "supply chain problems", "budget pressure", "rising tensions in the region",
    "a failed test last year", "growing demand from allies", "concerns over orbital debris",
    "strong results from early trials", "a shortage of skilled engineers",
    "the need to cut emissions", "competition from commercial providers",
)
_TITLES = (
    "{Actor} {verb} {adj} {thing}",
    "{Actor} and {actor2} team up on {thing}",
    "{Actor}'s {thing} clears key test",
    "{Actor} to buy {amount} of {thing}s",
    "{Actor} says {thing} 'on track' despite {reason}",
    "{Thing} delayed by {reason}",
    "{Actor} picks {actor2} to build {adj} {thing}",
    "Inside the race for a {adj} {thing}",
)
_PAST = {
    "unveils": "unveiled", "tests": "tested", "launches": "launched", "orders": "ordered",
    "delays": "delayed", "expands": "expanded", "signs deal for": "signed a deal for",
    "approves": "approved", "backs": "backed", "completes": "completed", "scraps": "scrapped",
    "upgrades": "upgraded", "deploys": "deployed", "funds": "funded",
}


def cap(text: str) -> str:
    """Upper-case the first letter only.

    >>> cap("the Pentagon orders drones")
    'The Pentagon orders drones'
    """
    return text[:1].upper() + text[1:]


def _fill(rng: random.Random, template: str, wire: bool) -> str:
    actor = rng.choice(ACTORS)
    actor2 = rng.choice([a for a in ACTORS[:12] if a != actor])
    first, last = rng.choice(PEOPLE)
    verb = rng.choice(VERBS)
    thing = rng.choice(THINGS)
    text = template.format(
        actor=actor, Actor=cap(actor), actor2=actor2, verb=verb, verb_past=_PAST[verb],
        thing=thing, Thing=cap(thing), adj=rng.choice(ADJ), num=rng.choice(NUMBERS),
        amount=rng.choice(AMOUNTS), time=rng.choice(TIMES), reason=rng.choice(REASONS),
        person=f"{first} {last}", role=rng.choice(ROLES), place=rng.choice(PLACES),
        q="\u201c", q2="\u201d",
    )
    text = cap(text)
    if not wire and rng.random() < 0.15:
        text = text.replace(", a move", " \u2013 a move").replace("'s ", "\u2019s ", 1)
    return text


def headline(rng: random.Random) -> str:
    """A news headline; some carry apostrophes or quotes that the URL slug drops.

    >>> h = headline(random.Random(1)); h == headline(random.Random(1)) and len(h) > 10
    True
    """
    return _fill(rng, rng.choice(_TITLES), wire=True)


def paragraph(rng: random.Random, wire: bool) -> str:
    """One body paragraph of one to three sentences; AFP-style wire copy uses ``--`` dashes.

    >>> p = paragraph(random.Random(3), wire=True); p.endswith(".") or p.endswith("\u201d.")
    True
    """
    n = rng.choice((1, 1, 2, 2, 3))
    sentences = [_fill(rng, sentence_template(rng), wire) for _ in range(n)]
    text = " ".join(sentences)
    if wire and n > 1 and rng.random() < 0.2:
        text = text.replace(", a move", " -- a move", 1).replace(", according", " -- according")
    return text


def sentence(rng: random.Random, wire: bool) -> str:
    """One body sentence.

    >>> sentence(random.Random(3), wire=False)[-1] in ".”"
    True
    """
    return _fill(rng, sentence_template(rng), wire)


def paragraphs(rng: random.Random, count: int, wire: bool) -> list[str]:
    """``count`` distinct body paragraphs.

    >>> ps = paragraphs(random.Random(5), 6, wire=False); len(ps), len(set(ps))
    (6, 6)
    """
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < count:
        p = paragraph(rng, wire)
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def person(rng: random.Random) -> tuple[str, str]:
    """A (first, last) name pair."""
    return rng.choice(PEOPLE)


def place(rng: random.Random) -> str:
    """A dateline place, e.g. 'Paris, France' or 'Huntsville AL'."""
    return rng.choice(PLACES)


def teaser(paras: list[str], limit: int = 400) -> str:
    """The body's opening, joined with spaces and cut at a word boundary before ``limit`` chars.

    >>> teaser(["One two three.", "Four five."], limit=17)
    'One two three.'
    >>> teaser(["Short."])
    'Short.'
    """
    text = " ".join(paras)
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip()


def cut_mid_word(text: str, limit: int = 500) -> str:
    """Text cut at exactly ``limit`` characters, mid-word, as the network's feeds do.

    >>> cut_mid_word("abcdefgh", 5)
    'abcde'
    """
    return text[:limit]
