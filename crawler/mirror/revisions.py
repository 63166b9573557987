"""Stories edited and removed after publication: what ``mirror build --grow --revise`` does.

A grow with ``--revise`` from ``b`` articles to more is a **step** (``revised_steps`` in
``mirror.json``): among the articles that were recent when the mirror held ``b`` (published
within :data:`RECENT_DAYS` days of the newest article of the same host, as the crawler's
refresh window counts: classic pages by their dateline, WordPress pages by their 2026 date, a
host with March 2026 spacewar pages by those), a few are **edited** (a paragraph added at the
end, or the headline changed: the address stays) and a few **removed** (404, or 410 Gone).
Every later build replays every step from the seed (the same steps give the same pages), and
an article edited in two steps is at revision 3. A grow without ``--revise`` changes no page.

Only plain stories are touched: not a syndicated copy or the source of one, not a near miss or
follow-up or their source, not a page with an alias or an old address, not a fault, not the
seed. The edited page gets a later ``Last-Modified`` and a new ``ETag``; removed pages leave
the hubs and feeds (other articles' related links still point at them).

The truth: ``truth.jsonl`` holds the current page (edited title and body, removed pages gone),
and ``revisions.json``::

    {"steps": [{"from": 300, "to": 700,
                "edited": [{"url", "change": "paragraph_added" | "headline_changed",
                            "revision": 2}],
                "removed": [{"url", "status": 404 | 410}]}],
     "current": {url: revision}}      # every edited article, its latest revision
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from crawler.mirror import textgen
from crawler.mirror.model import MirrorArticle
from crawler.mirror.timeline import SEED_INDEX

RECENT_DAYS = 2
"""Days before the newest article within which an article counts as recent (the crawler's
default refresh window, ``SMN_REFRESH_DAYS``, is 3: every edited article is inside it)."""
EDIT_SHARE = 0.5
"""Share of the eligible recent articles edited at each step (at least one)."""
REMOVE_SHARE = 0.2
"""Share removed at each step (at least one when there are three or more)."""
CHANGES = ("paragraph_added", "headline_changed")


def published_day(a: MirrorArticle) -> dt.date | None:
    """The day an article was published (None when it shows no date).

    >>> published_day(MirrorArticle("u", "s", "wordpress", "t", [],
    ...                             published="2026-01-05T09:30:00+10:00"))
    datetime.date(2026, 1, 5)
    """
    return dt.date.fromisoformat(a.published[:10]) if a.published else None


class Recency:
    """Which articles were recent at each step: per step boundary ``b``, each host's newest
    publication day among articles ``0..b-1``, and the articles within :data:`RECENT_DAYS` of
    it. Fed the articles in index order (:meth:`add`); it keeps only those that can still be
    recent (a host's newest day only grows).

    >>> r = Recency([33])
    >>> for i, day in enumerate(["2024-07-01", "2024-07-05", "2024-07-06", "2024-09-09"], 30):
    ...     r.add(i, MirrorArticle(f"https://www.x.com/{i}", "x.com", "classic", "t", [],
    ...                            published=day))
    >>> sorted(r.recent(33)), r.newest_day(33, "https://www.x.com/")
    ([31, 32], datetime.date(2024, 7, 6))
    """

    def __init__(self, boundaries: Iterable[int]) -> None:
        self.newest: dict[int, dict[str, dt.date]] = {b: {} for b in boundaries}
        self.pool: dict[int, MirrorArticle] = {}

    def add(self, i: int, a: MirrorArticle) -> None:
        """Article ``i`` was generated."""
        day = published_day(a)
        if day is None:
            return
        host = urlsplit(a.url).hostname or ""
        keep = False
        for boundary, newest in self.newest.items():
            if i < boundary:
                newest[host] = max(newest.get(host, day), day)
                keep = keep or day >= newest[host] - dt.timedelta(days=RECENT_DAYS)
        if keep and i > SEED_INDEX and a.layout != "legacy":
            self.pool[i] = a

    def is_recent(self, i: int, a: MirrorArticle, boundary: int) -> bool:
        """Whether article ``i`` was recent when the mirror held ``boundary`` articles."""
        day = published_day(a)
        newest = self.newest[boundary].get(urlsplit(a.url).hostname or "")
        if i >= boundary or day is None or newest is None:
            return False
        return day >= newest - dt.timedelta(days=RECENT_DAYS)

    def recent(self, boundary: int) -> dict[int, MirrorArticle]:
        """The articles recent at ``boundary``."""
        return {i: a for i, a in self.pool.items() if self.is_recent(i, a, boundary)}

    def candidates(self) -> dict[int, MirrorArticle]:
        """The articles recent at some step: they may be edited or removed."""
        return {i: a for i, a in self.pool.items()
                if any(self.is_recent(i, a, b) for b in self.newest)}  # fmt: skip

    def newest_day(self, boundary: int, url: str) -> dt.date:
        """The newest publication day of ``url``'s host at ``boundary``."""
        return self.newest[boundary][urlsplit(url).hostname or ""]


def untouchable(groups: Iterable[Sequence[str]], near_misses: Iterable[Sequence[str]],
                aliases: dict[str, str], syndication: dict[str, dict[str, Any]],
                faults: Iterable[str]) -> set[str]:
    """Addresses that are never edited or removed: every page of a group of copies, of a near
    miss pair or of a syndication entry (copy, source, second story), every page with an alias
    and its aliases, every fault.

    >>> sorted(untouchable([["a", "b"], ["c"]], [["d", "e"]], {"f": "g"},
    ...                    {"h": {"of": "i", "second": "j"}}, ["k"]))
    ['a', 'b', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k']
    """
    out = {u for urls in groups if len(urls) > 1 for u in urls}
    out |= {u for pair in near_misses for u in pair}
    out |= set(aliases) | set(aliases.values()) | set(faults)
    for url, entry in syndication.items():
        out |= {url, entry["of"], entry.get("second") or url}
    return out


@dataclass
class Plan:
    """What the steps do to the articles."""

    changes: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    """Article index -> (step, change) in order."""
    removed: dict[int, tuple[int, int]] = field(default_factory=dict)
    """Article index -> (step, status)."""
    steps: list[dict[str, Any]] = field(default_factory=list)
    """``revisions.json``'s steps."""


def plan(seed: int, steps: Sequence[tuple[int, int]], recency: Recency,
         excluded: set[str]) -> Plan:
    """The edits and removals of every step (``(before, after)`` sizes) among the articles
    recent at it, leaving out the addresses in ``excluded``."""
    result = Plan()
    for step, (before, after) in enumerate(steps, start=1):
        rng = random.Random(f"{seed}/revisions/{before}")
        eligible = [i for i, a in sorted(recency.recent(before).items())
                    if a.url not in excluded and i not in result.removed]  # fmt: skip
        edited: list[dict[str, Any]] = []
        removed: list[dict[str, Any]] = []
        if eligible:
            n_remove = max(1, round(REMOVE_SHARE * len(eligible))) if len(eligible) >= 3 else 0
            gone = rng.sample(eligible, n_remove)
            rest = [i for i in eligible if i not in gone]
            n_edit = min(len(rest), max(1, round(EDIT_SHARE * len(eligible))))
            for i in sorted(rng.sample(rest, n_edit)):
                change = rng.choice(CHANGES)
                result.changes.setdefault(i, []).append((step, change))
                edited.append({"url": recency.pool[i].url, "change": change,
                               "revision": 1 + len(result.changes[i])})
            for k, i in enumerate(sorted(gone)):
                status = 404 if k % 2 == 0 else 410
                result.removed[i] = (step, status)
                removed.append({"url": recency.pool[i].url, "status": status})
        result.steps.append({"from": before, "to": after, "edited": edited,
                             "removed": removed})
    return result


def edited(a: MirrorArticle, i: int, seed: int,
           changes: Iterable[tuple[int, str]]) -> MirrorArticle:
    """The article after its changes (a copy; the generator's article is left as it was).

    >>> a = MirrorArticle("u", "s", "classic", "Old title", ["One.", "Two."])
    >>> b = edited(a, 40, 1, [(1, "paragraph_added"), (2, "headline_changed")])
    >>> len(b.paragraphs), b.paragraphs[:2], b.title != "Old title", a.title
    (3, ['One.', 'Two.'], True, 'Old title')
    """
    out = replace(a, paragraphs=list(a.paragraphs))
    for step, change in changes:
        rng = random.Random(f"{seed}/revisions/{step}/{i}")
        if change == "paragraph_added":
            out.paragraphs.append(textgen.paragraph(rng, a.agency == "AFP"))
        else:
            title = textgen.headline(rng)
            while title == out.title:
                title = textgen.headline(rng)
            out.title = title
    return out


def edited_mtime(original: int, newest_day: dt.date, changes: Sequence[tuple[int, str]]) -> int:
    """Last-Modified (Unix time) of an edited page: after the original and the newest article
    of its host at its last step, so a conditional request sees the change."""
    from crawler.mirror.timeline import epoch

    step = changes[-1][0]
    newest = epoch(newest_day, hour=18)
    return max(original, newest) + 60 * step


def document(result: Plan, urls: dict[int, str]) -> dict[str, Any]:
    """``revisions.json``."""
    current = {urls[i]: 1 + len(c) for i, c in sorted(result.changes.items())
               if i not in result.removed}  # fmt: skip
    return {"steps": result.steps, "current": current}
