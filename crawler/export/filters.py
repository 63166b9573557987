"""The export's record filters: ``--since``, ``--until``, ``--sites`` and ``--sections``.

They apply to a story's canonical record and are checked in that order; a story left out is
counted under the first filter it fails. A date filter leaves out undated stories.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from crawler.sites import domain_of

ORDER = ("since", "until", "sites", "sections")


def parse_date(text: str) -> str:
    """An ISO date (YYYY-MM-DD, or YYYY-MM for a whole month, YYYY for a year), checked.

    >>> parse_date("2024-05-31"), parse_date("2024-05"), parse_date("2024")
    ('2024-05-31', '2024-05', '2024')
    >>> parse_date("31/05/2024")
    Traceback (most recent call last):
    ...
    ValueError: not an ISO date (YYYY[-MM[-DD]]): '31/05/2024'
    """
    formats = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}
    try:
        dt.datetime.strptime(text, formats[len(text)])
    except (KeyError, ValueError):
        raise ValueError(f"not an ISO date (YYYY[-MM[-DD]]): {text!r}") from None
    return text


def split_list(values: Iterable[str] | None) -> list[str]:
    """Values given as several arguments or comma-separated, in order, each once.

    >>> split_list(["spacewar.com,spacedaily.com", "spacewar.com"])
    ['spacewar.com', 'spacedaily.com']
    """
    out: list[str] = []
    for value in values or ():
        for part in value.split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


@dataclass(frozen=True)
class Filters:
    """What to keep; None or empty means no filter."""

    since: str | None = None
    """Earliest publication date kept, inclusive (a prefix: '2024-05' is 1 May 2024)."""
    until: str | None = None
    """Latest publication date kept, inclusive (a prefix: '2024-05' is up to 31 May 2024)."""
    sites: frozenset[str] = frozenset()
    """Domains kept, e.g. 'spacewar.com' ('www.' and case ignored)."""
    sections: frozenset[str] = frozenset()
    """Section labels kept, case-insensitive, e.g. 'WAR REPORT'."""

    @classmethod
    def build(cls, since: str | None = None, until: str | None = None,
              sites: Iterable[str] | None = None,
              sections: Iterable[str] | None = None) -> Filters:
        """Filters from command-line values, normalized."""
        return cls(
            parse_date(since) if since else None,
            parse_date(until) if until else None,
            frozenset(domain_of(s) for s in split_list(sites)),
            frozenset(s.casefold() for s in split_list(sections)),
        )

    def rejects(self, record: dict[str, Any]) -> str | None:
        """The first filter the record fails, or None when it is kept.

        >>> f = Filters.build(since="2024-05", until="2024-06", sites=["www.SpaceWar.com"])
        >>> f.rejects({"published": "2024-06-30", "site": "spacewar.com"}) is None
        True
        >>> f.rejects({"published": "2024-04-30", "site": "spacewar.com"})
        'since'
        >>> f.rejects({"published": None, "site": "spacewar.com"})
        'since'
        >>> f.rejects({"published": "2024-07-01T09:00:00+02:00", "site": "spacewar.com"})
        'until'
        >>> f.rejects({"published": "2024-05-02", "site": "spacedaily.com"})
        'sites'
        >>> Filters.build(sections=["war report"]).rejects({"section": "WAR REPORT"}) is None
        True
        """
        published = record.get("published")
        if self.since and (not published or published[: len(self.since)] < self.since):
            return "since"
        if self.until and (not published or published[: len(self.until)] > self.until):
            return "until"
        if self.sites and record.get("site") not in self.sites:
            return "sites"
        section = record.get("section")
        if self.sections and (section or "").casefold() not in self.sections:
            return "sections"
        return None

    def describe(self) -> dict[str, Any]:
        """The filters as listed in the manifest."""
        return {"since": self.since, "until": self.until, "sites": sorted(self.sites),
                "sections": sorted(self.sections)}
