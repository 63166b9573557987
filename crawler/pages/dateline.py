"""Datelines and bylines of SMN pages as pure functions: raw text in, parsed fields out.

Datelines read ``<place> (<AGENCY>) <Mon|Month> <d>, <yyyy>``; they are typed by hand, so the
raw text is always kept beside the parsed date, and a date that cannot be read is ``None``
rather than a guess. The month-day-year form is read with a regex and a month table (which knows
'Sept' and tolerates a missing comma or a mistyped month that keeps its first three letters);
anything else that carries a four-digit year goes to python-dateutil.

Bylines: ``by AFP Staff Writers`` -> byline ``AFP Staff Writers``, no authors;
``By Issam AHMED`` -> authors ``['Issam Ahmed']`` (AFP prints surnames in capitals).
Rules for authors, in order:

* a leading ``by`` (any case, optional colon) is dropped from the byline;
* a group in places (``AFP teams in Tehran, Beirut and Dubai``) names no person at all;
* an affiliation after the name(s) -- ``for AFP``, ``with Space Daily``, ``of NASA``, or a
  trailing ``, AFP`` agency token -- stays in the byline but is not part of any author;
* names are split on ``,``, ``;``, ``&`` and ``and``;
* a part that mentions staff/writer/reporter/correspondent/editor, or is a single word (an
  agency such as ``AFP`` or a one-word house name), names no person and is dropped;
* all-capital words are re-cased: ``AHMED`` -> ``Ahmed``, ``O'NEILL`` -> ``O'Neill``,
  ``JEAN-PIERRE`` -> ``Jean-Pierre``, ``MCDONALD``/``McDONALD`` -> ``McDonald``; initials
  (``J.``), roman numerals (``II``) and mixed-case words are kept as printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dateutil import parser as dateutil_parser

MONTHS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
"""Month number by the first three letters of its English name."""

_AGENCY_RE = re.compile(r"\(\s*(?P<agency>[A-Za-z][A-Za-z0-9 .&/'-]{0,30}?)\s*\)")
_MDY_RE = re.compile(
    r"(?P<mon>[A-Za-z]{3,10})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\s*[,.]?\s+(?P<year>\d{4})\b"
)
_YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")
_DATE_TAIL_RE = re.compile(
    r"(?:^|[\s,;:-])(?P<date>(?:[A-Za-z]{3,10}\.?\s+\d{1,2}(?:st|nd|rd|th)?\s*[,.]?\s+\d{4}"
    r"|\d{1,2}\s+[A-Za-z]{3,10}\.?,?\s+\d{4}))\s*$"
)
_DATE_ONLY_RE = re.compile(
    r"(?:[A-Za-z]{3,10}\.?\s+\d{1,2}(?:st|nd|rd|th)?\s*[,.]?\s+\d{4}"
    r"|\d{1,2}\s+[A-Za-z]{3,10}\.?,?\s+\d{4})\.?"
)
_WIRE_FIRST_DATE_RE = re.compile(r"[,\s]+[A-Za-z]{3,10}\.?\s+\d{1,2}$")
"""The first date of an AFP wire page's doubled-date dateline ('Beirut, Lebanon, Oct 8 (AFP)
Oct 08, 2024'): not part of the place."""
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))


@dataclass(frozen=True)
class Dateline:
    """A dateline as printed and what could be read from it."""

    raw: str
    published: str | None = None
    """ISO date 'YYYY-MM-DD', or None when the date part cannot be read."""
    agency: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class Byline:
    """A byline without its leading 'by', and the persons it names."""

    byline: str | None
    authors: list[str] = field(default_factory=list)


def credit_fields(dateline: Dateline | None, byline: Byline) -> dict[str, Any]:
    """The Article fields a dateline and a byline fill: published, dateline, agency,
    location, byline and authors.

    >>> credit_fields(Dateline("Prague (AFP) May 31, 2024", "2024-05-31", "AFP", "Prague"),
    ...               Byline("AFP Staff Writers"))["agency"]
    'AFP'
    >>> credit_fields(None, Byline(None))["published"] is None
    True
    """
    return {
        "published": dateline.published if dateline else None,
        "dateline": dateline.raw if dateline else None,
        "agency": dateline.agency if dateline else None,
        "location": dateline.location if dateline else None,
        "byline": byline.byline,
        "authors": byline.authors,
    }


def _collapse(text: str) -> str:
    return " ".join(text.split())  # as re.sub(r"\s+", " ", text).strip(), 2 to 5 times as fast


def parse_date(text: str) -> str | None:
    """The ISO date of a dateline's date part, or None; never a date without a printed year.

    >>> parse_date("May 31, 2024")
    '2024-05-31'
    >>> parse_date("Apr 04, 2013")
    '2013-04-04'
    >>> parse_date("Sept 2, 2013")
    '2013-09-02'
    >>> parse_date("April 03 2013")
    '2013-04-03'
    >>> parse_date("Aprl 3, 2013")
    '2013-04-03'
    >>> parse_date("3 April 2013")
    '2013-04-03'
    >>> parse_date("Feb 30, 2013") is None
    True
    >>> parse_date("May 31") is None
    True
    """
    text = _collapse(text)
    m = _MDY_RE.search(text)
    if m:
        month = MONTHS.get(m["mon"][:3].lower())
        if month is not None:
            try:
                return date(int(m["year"]), month, int(m["day"])).isoformat()
            except ValueError:
                return None
    if not _YEAR_RE.search(text):
        return None
    # Parse with two different defaults: a field dateutil had to fill in differs between them,
    # and a date with an invented month or day is no date.
    try:
        first = dateutil_parser.parse(text, fuzzy=True, default=_DEFAULTS[0])
        second = dateutil_parser.parse(text, fuzzy=True, default=_DEFAULTS[1])
    except (ValueError, OverflowError):
        return None
    return first.date().isoformat() if first.date() == second.date() else None


def parse_dateline(text: str) -> Dateline:
    """Split a dateline into place, agency and ISO date; keep the raw text.

    >>> d = parse_dateline("Huntsville AL (SPX) Apr 04, 2013")
    >>> (d.raw, d.published, d.agency, d.location)
    ('Huntsville AL (SPX) Apr 04, 2013', '2013-04-04', 'SPX', 'Huntsville AL')
    >>> parse_dateline("Geneva, Switzerland (UPI) Apr 2, 2013").location
    'Geneva, Switzerland'
    >>> parse_dateline("Brussels (AFP) April 03, 2013").published
    '2013-04-03'
    >>> d = parse_dateline("(AFP) May 31, 2024")
    >>> (d.location, d.agency, d.published)
    (None, 'AFP', '2024-05-31')
    >>> d = parse_dateline("Paris, France - Mar 17, 2025")
    >>> (d.location, d.agency, d.published)
    ('Paris, France', None, '2025-03-17')
    >>> parse_dateline("Tokyo (AFP) Juen 1, 2023").published is None
    True
    >>> d = parse_dateline("Beirut, Lebanon, Oct 8 (AFP) Oct 08, 2024")
    >>> (d.location, d.agency, d.published)
    ('Beirut, Lebanon', 'AFP', '2024-10-08')
    >>> parse_dateline("United Nations, United States (AFP) Sept 25, 2025").published
    '2025-09-25'
    """
    raw = _collapse(text)
    m = _AGENCY_RE.search(raw)
    if m:
        place, agency, date_part = raw[: m.start()], m["agency"], raw[m.end() :]
        if _DATE_ONLY_RE.fullmatch(date_part.strip()):
            place = _WIRE_FIRST_DATE_RE.sub("", place.rstrip())
    else:
        tail = _DATE_TAIL_RE.search(raw)
        place, agency = (raw[: tail.start("date")] if tail else ""), None
        date_part = tail["date"] if tail else raw
    location = place.strip(" ,;:-\u2013\u2014") or None
    return Dateline(raw=raw, published=parse_date(date_part), agency=agency, location=location)


def looks_like_dateline(line: str) -> bool:
    """True for a short line that reads as a dateline: a readable date, at the end.

    >>> looks_like_dateline("Prague (AFP) May 31, 2024")
    True
    >>> looks_like_dateline("NATO chief said on May 31, 2024 that the alliance would meet again")
    False
    >>> looks_like_dateline("by AFP Staff Writers")
    False
    >>> looks_like_dateline("Paris (SPX) Mar 17, 2025 - The agency said on Monday.")
    False
    >>> looks_like_dateline("Beirut, Lebanon, Oct 8 (AFP) Oct 08, 2024")
    True
    """
    line = _collapse(line)
    if not line or len(line) > 90:
        return False
    m = _AGENCY_RE.search(line)
    if m:
        if not _DATE_ONLY_RE.fullmatch(line[m.end():].strip()) or m.start() > 60:
            return False
        return parse_dateline(line).published is not None
    return bool(_DATE_TAIL_RE.search(line)) and len(line.split()) <= 8


_BY_RE = re.compile(r"^by\b[\s:]*", re.I)
_AFFILIATION_RE = re.compile(r"\s+(?:for|with|of)\s+.*$", re.I)
_TRAILING_AGENCY_RE = re.compile(r",\s*[A-Z]{2,6}$")
_SPLIT_RE = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.I)
_NOT_A_PERSON_RE = re.compile(
    r"\b(?:staff|writers?|reporters?|correspondents?|editors?|desk|teams?|wires?)\b", re.I
)
_GROUP_RE = re.compile(
    r"\b(?:teams?|staff|bureaus?|correspondents?|reporters?|writers?)\s+(?:in|from|at)\b", re.I
)
_ROMAN_RE = re.compile(r"^(?:II|III|IV|VI|VII|VIII)$")
_MC_RE = re.compile(r"^(Ma?c)([A-Z]{2,})$", re.I)


_DIGIT_RE = re.compile(r"\d")


def may_read_as_credit(first: str, last: str) -> bool:
    """Whether lines from ``first`` to ``last``, joined, can read as a dateline or a byline: a
    dateline ends with its year (``last`` has a digit), a byline starts 'by' or is 'Staff
    Writers' (``first`` starts 'by' or 'staff'). The cheap test before
    :func:`looks_like_dateline` and :func:`looks_like_byline`, which must never accept what it
    rejects.

    >>> may_read_as_credit("Prague (AFP)", "May 31, 2024"), may_read_as_credit("BY", "Jane Doe")
    (True, True)
    >>> may_read_as_credit("Advertise with us", "Rates and sizes")
    False
    """
    return _DIGIT_RE.search(last) is not None or first[:5].lower().startswith(("by", "staff"))


def looks_like_byline(line: str) -> bool:
    """True for a short line that reads as a byline.

    >>> looks_like_byline("by AFP Staff Writers"), looks_like_byline("Staff Writers")
    (True, True)
    >>> looks_like_byline("By Issam AHMED")
    True
    >>> looks_like_byline("by the end of the year the alliance will have met three times more")
    False
    """
    line = _collapse(line)
    if not line or len(line) > 80:
        return False
    if line.lower() in ("staff writers", "staff writer"):
        return True
    if not _BY_RE.match(line):
        return False
    rest = _BY_RE.sub("", line)
    words = rest.split()
    return 0 < len(words) <= 10 and rest[:1].isupper()


def normalize_word(word: str) -> str:
    """Re-case one all-capital word of a name; keep initials, numerals and mixed case.

    >>> [normalize_word(w) for w in ["AHMED", "O'NEILL", "JEAN-PIERRE", "McDONALD", "MCDONALD"]]
    ['Ahmed', "O'Neill", 'Jean-Pierre', 'McDonald', 'McDonald']
    >>> normalize_word("LEF\u00c8VRE")
    'Lef\xe8vre'
    >>> [normalize_word(w) for w in ["J.", "II", "Erica", "van", "DeVRIES"]]
    ['J.', 'II', 'Erica', 'van', 'DeVRIES']
    """
    letters = [c for c in word if c.isalpha()]
    if len(letters) < 2 or "." in word or _ROMAN_RE.match(word):
        return word
    mc = _MC_RE.match(word)
    if mc and (word.isupper() or mc[1] in ("Mc", "Mac")) and mc[2].isupper():
        return mc[1].capitalize() + mc[2].capitalize()
    if not word.isupper():
        return word
    return re.sub(r"[^\W\d_]+", lambda m: m[0].capitalize(), word)


def normalize_name(name: str) -> str:
    """A person's name with AFP-style capitals re-cased.

    >>> normalize_name("Issam  AHMED")
    'Issam Ahmed'
    >>> normalize_name("ISSAM AHMED")
    'Issam Ahmed'
    """
    return " ".join(normalize_word(w) for w in name.split())


def parse_byline(text: str | None) -> Byline:
    """The byline without 'by' and the persons it names (see the module's rules).

    >>> parse_byline("by AFP Staff Writers")
    Byline(byline='AFP Staff Writers', authors=[])
    >>> parse_byline("By Issam AHMED")
    Byline(byline='Issam AHMED', authors=['Issam Ahmed'])
    >>> parse_byline("by Erica Marchand").authors
    ['Erica Marchand']
    >>> parse_byline("Staff Writers")
    Byline(byline='Staff Writers', authors=[])
    >>> parse_byline("by Jane Doe and John SMITH").authors
    ['Jane Doe', 'John Smith']
    >>> parse_byline("by Kerry SHERIDAN, Lucie GODEAU").authors
    ['Kerry Sheridan', 'Lucie Godeau']
    >>> parse_byline("by Jane Doe for AFP")
    Byline(byline='Jane Doe for AFP', authors=['Jane Doe'])
    >>> parse_byline("by Jane Doe, AFP").authors
    ['Jane Doe']
    >>> parse_byline("   ")
    Byline(byline=None, authors=[])
    >>> parse_byline("By AFP teams in Tehran, Beirut, Jerusalem and Dubai").authors
    []
    >>> parse_byline("By AFP correspondents in New York and Washington").authors
    []
    >>> parse_byline("By Dave CLARK and Dmytro GORSHKOV").authors
    ['Dave Clark', 'Dmytro Gorshkov']
    """
    byline = _BY_RE.sub("", _collapse(text or "")) or None
    if byline is None:
        return Byline(None, [])
    if _GROUP_RE.search(byline):  # 'AFP teams in Tehran, Beirut and Dubai': places, no person
        return Byline(byline, [])
    names = _AFFILIATION_RE.sub("", byline)
    names = _TRAILING_AGENCY_RE.sub("", names)
    authors: list[str] = []
    for part in _SPLIT_RE.split(names):
        part = part.strip(" .")
        if len(part.split()) < 2 or _NOT_A_PERSON_RE.search(part):
            continue
        if not all(w[:1].isalpha() for w in part.split()):
            continue
        authors.append(normalize_name(part))
    return Byline(byline, authors)
