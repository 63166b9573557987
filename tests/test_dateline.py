"""Datelines and bylines: the forms seen on the network, and the quirks of hand-typed ones."""

from __future__ import annotations

import pytest

from crawler.pages.dateline import (
    looks_like_byline,
    looks_like_dateline,
    may_read_as_credit,
    normalize_name,
    parse_byline,
    parse_date,
    parse_dateline,
)


@pytest.mark.parametrize(
    ("raw", "location", "agency", "published"),
    [
        ("Huntsville AL (SPX) Apr 04, 2013", "Huntsville AL", "SPX", "2013-04-04"),
        ("Brussels (AFP) April 03, 2013", "Brussels", "AFP", "2013-04-03"),
        ("Geneva, Switzerland (UPI) Apr 2, 2013", "Geneva, Switzerland", "UPI", "2013-04-02"),
        ("Pasadena CA (JPL) Apr 04, 2013", "Pasadena CA", "JPL", "2013-04-04"),
        ("Paris, France (SPX) Mar 17, 2025", "Paris, France", "SPX", "2025-03-17"),
        ("Tokyo (AFP) June 1, 2023", "Tokyo", "AFP", "2023-06-01"),
        ("New Delhi (IANS) Sept 30, 2019", "New Delhi", "IANS", "2019-09-30"),
        ("Prague (AFP) May 31 2024", "Prague", "AFP", "2024-05-31"),
        ("Prague (AFP) May. 31, 2024", "Prague", "AFP", "2024-05-31"),
        ("(AFP) May 31, 2024", None, "AFP", "2024-05-31"),
        ("Moscow (AFP) 31 May 2024", "Moscow", "AFP", "2024-05-31"),
        ("Moscow (RIA Novosti) Jan 5, 2010", "Moscow", "RIA Novosti", "2010-01-05"),
        ("  Prague\xa0(AFP)  May 31,\r\n 2024 ", "Prague", "AFP", "2024-05-31"),
        ("Washington DC - Jan 2, 2019", "Washington DC", None, "2019-01-02"),
        ("Jan 2, 2019", None, None, "2019-01-02"),
        ("Tokyo (AFP) Juen 1, 2023", "Tokyo", "AFP", None),
        ("Tokyo (AFP) Feb 30, 2023", "Tokyo", "AFP", None),
        ("Tokyo (AFP) June 2023", "Tokyo", "AFP", None),
        ("Tokyo (AFP)", "Tokyo", "AFP", None),
    ],
)
def test_parse_dateline(raw: str, location: str | None, agency: str | None,
                        published: str | None) -> None:
    d = parse_dateline(raw)
    assert (d.location, d.agency, d.published) == (location, agency, published)
    assert d.raw == " ".join(raw.split())


def test_dateutil_never_invents_a_day() -> None:
    assert parse_date("sometime in 2023") is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [("Prague (AFP) May 31, 2024", True), ("Staff Writers", False),
     ("Military Space News", False), ("Jan 2, 2019", True),
     ("The talks ended on Jan 2, 2019 without any agreement between the parties at all", False)],
)
def test_looks_like_dateline(line: str, expected: bool) -> None:
    assert looks_like_dateline(line) is expected


@pytest.mark.parametrize(
    ("raw", "byline", "authors"),
    [
        ("by AFP Staff Writers", "AFP Staff Writers", []),
        ("By Issam AHMED", "Issam AHMED", ["Issam Ahmed"]),
        ("by Erica Marchand", "Erica Marchand", ["Erica Marchand"]),
        ("Staff Writers", "Staff Writers", []),
        ("BY STAFF WRITERS", "STAFF WRITERS", []),
        ("by Jane Doe and John SMITH", "Jane Doe and John SMITH", ["Jane Doe", "John Smith"]),
        ("by Kerry SHERIDAN, Lucie GODEAU & Jean-Pierre O'NEILL",
         "Kerry SHERIDAN, Lucie GODEAU & Jean-Pierre O'NEILL",
         ["Kerry Sheridan", "Lucie Godeau", "Jean-Pierre O'Neill"]),
        ("by Jane Doe for AFP", "Jane Doe for AFP", ["Jane Doe"]),
        ("by Jane Doe, UPI", "Jane Doe, UPI", ["Jane Doe"]),
        ("By: Ruth McDONALD", "Ruth McDONALD", ["Ruth McDonald"]),
        ("by Morris Jones, Sydney", "Morris Jones, Sydney", ["Morris Jones"]),
        ("by AFP", "AFP", []),
        ("by UPI Correspondent", "UPI Correspondent", []),
        ("", None, []),
    ],
)
def test_parse_byline(raw: str, byline: str | None, authors: list[str]) -> None:
    parsed = parse_byline(raw)
    assert (parsed.byline, parsed.authors) == (byline, authors)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Issam AHMED", "Issam Ahmed"), ("JOHN F. KENNEDY", "John F. Kennedy"),
     ("Robert SMITH III", "Robert Smith III"), ("Erica Marchand", "Erica Marchand"),
     ("Ludwig van BEETHOVEN", "Ludwig van Beethoven"), ("Ruth MCDONALD", "Ruth McDonald")],
)
def test_normalize_name(name: str, expected: str) -> None:
    assert normalize_name(name) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [("by AFP Staff Writers", True), ("By Issam AHMED", True), ("Staff Writers", True),
     ("by the way", False), ("Prague (AFP) May 31, 2024", False), ("", False)],
)
def test_looks_like_byline(line: str, expected: bool) -> None:
    assert looks_like_byline(line) is expected


def test_the_cheap_credit_test_never_rejects_a_credit() -> None:
    """may_read_as_credit is the filter before looks_like_dateline/looks_like_byline: every
    dateline and byline of this file, split into lines at any space, must pass it."""
    credits = [raw for raw in (
        "Huntsville AL (SPX) Apr 04, 2013", "Moscow (AFP) 31 May 2024", "Jan 2, 2019",
        "Prague (AFP) May. 31, 2024", "Beirut, Lebanon, Oct 8 (AFP) Oct 08, 2024",
        "by AFP Staff Writers", "By Issam AHMED", "Staff Writers", "BY STAFF WRITERS",
        "By: Ruth McDONALD", "by Jane Doe and John SMITH", "staff writer")
        if looks_like_dateline(raw) or looks_like_byline(raw)]
    assert len(credits) == 12
    for raw in credits:
        assert may_read_as_credit(raw, raw), raw  # on one line
        words = raw.split()
        for i in range(1, len(words)):  # the first line ends after word i ...
            for j in range(i, len(words)):  # ... and the last line starts at word j
                first, last = " ".join(words[:i]), " ".join(words[j:])
                assert may_read_as_credit(first, last), (raw, first, last)
