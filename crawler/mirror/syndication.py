"""Harder syndicated copies, and near misses beside them: what a wire story becomes downstream.

Editors cut wire stories from the bottom (the inverted pyramid), rewrite the lede, or run two
wire stories in one body. :func:`harder_story` turns some of the generator's fresh stories into
one of these, drawn from ``random.Random(f"{seed}/{i}/syndication")`` so that the generator's
own draws, and every other page, stay what they were:

* ``trimmed``: a copy of a wire story cut after the paragraph that reaches half its words (its
  shingles are a subset of the story's: Jaccard about 0.5, containment 1);
* ``rewritten_lead``: a copy of a story of six or more paragraphs with a new first paragraph;
* ``merged``: a copy of a wire story followed by the opening of a second wire story (at most
  :data:`SECOND_SHARE` of the second's words, and at most half as many words as the first),
  introduced by the second's dateline as the real pages do (``Washington (AFP) Jan 29, 2024 -
  ...``): a copy of the first story only;
* ``lead_near_miss``: a *different* story that opens with the first one or two paragraphs of
  another story (at most :data:`LEAD_SHARE` of that story's words), then goes on with at least
  half again as many words of its own; not a copy.

The sources are always a story's first page with its own text, never an earlier copy (so a
copy is never a copy of a copy) and never a story that opens with another's lead (so a copy is
never mostly someone else's lead). :func:`truth_entry` gives each page's entry of the truth
(``duplicates.json``'s ``syndication``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any, Protocol

from crawler.mirror import textgen
from crawler.mirror.timeline import SEED_INDEX

WIRE = ("AFP", "UPI", "SPX")
"""Agencies whose stories the network's sites run as they come (copies are made of these)."""


class Story(Protocol):
    """What this module reads of a story of crawler.mirror.network (which imports this one)."""

    story_id: str
    paragraphs: list[str]
    agency: str | None
    place: str | None
    date_text: str | None
    sites: list[str]
    indices: list[int]
    shares_lead: bool
    appended: list[str]


class Generator(Protocol):
    """What this module reads of crawler.mirror.network.NetworkGenerator."""

    seed: int
    stories: dict[int, Any]
    summaries: list[Any]


class GeneratedPage(Protocol):
    """What this module reads of a crawler.mirror.network.Generated page."""

    harder: Harder | None
    copy_of: int | None
    near_miss_of: int | None

KINDS = ("trimmed", "rewritten_lead", "merged", "lead_near_miss")
"""The kinds this module makes (``copy`` and ``follow_up`` are the generator's own)."""
RATES = {"trimmed": 0.05, "rewritten_lead": 0.04, "merged": 0.03, "lead_near_miss": 0.05}
"""Share of fresh stories turned into each kind."""
SECOND_SHARE = 0.35
"""Most of the second story's words a merged copy carries."""
LEAD_SHARE = 0.3
"""Most of a story's words a near miss shares with it (its opening). Trimmed copies keep at
least half of a story and are made only of stories whose first paragraph is under this share:
so a trimmed copy is never mostly the lead that a near miss of the same story repeats."""
FOLLOW_UP_SHARE = LEAD_SHARE
"""Most of a story's words the generator's follow-ups repeat (fewer paragraphs when more)."""
LOOK_BACK = 200
"""How far back sources are drawn from (the generator keeps 400 stories)."""


@dataclass
class Harder:
    """A story to publish at index ``i`` in place of a fresh one."""

    kind: str
    story: Any
    """What the page shows."""
    source: int
    """Index of the first page of the story it copies or shares its lead with."""
    second: int | None = None
    """Merged copies: index of the first page of the second story."""
    original: Any = None
    """The story to remember at this index for later copies (the source's own text)."""

    @property
    def duplicate(self) -> bool:
        """Whether the page is a copy of its source (``lead_near_miss`` is not)."""
        return self.kind != "lead_near_miss"


def _words(paras: list[str]) -> int:
    return sum(len(p.split()) for p in paras)


def _originals(gen: Generator, rng: random.Random, i: int, wire_only: bool,
               min_paras: int, tries: int = 8) -> list[int]:
    """Indices of first pages of stories (their own text), recent, distinct, in draw order."""
    lo = max(SEED_INDEX + 1, i - LOOK_BACK)
    if i - lo < 5:
        return []
    found: list[int] = []
    for _ in range(tries):
        j = rng.randrange(lo, i)
        story = gen.stories.get(j)
        if (story is None or j in found or story.indices[:1] != [j] or story.story_id == "seed"
                or story.shares_lead or len(story.paragraphs) < min_paras or len(story.sites) >= 3
                or len(story.sites) != len(set(story.sites))
                or (wire_only and story.agency not in WIRE)):
            continue
        found.append(j)
    return found


def _copy_of(story: Any, paragraphs: list[str]) -> Any:
    """A copy of ``story`` with other paragraphs (same id, the same lists of its pages)."""
    return replace(story, paragraphs=paragraphs)


def harder_story(gen: Generator, i: int, fresh: Story) -> Harder | None:
    """The harder copy or near miss published at index ``i`` instead of ``fresh``, or None."""
    if i <= SEED_INDEX:
        return None
    rng = random.Random(f"{gen.seed}/{i}/syndication")
    r = rng.random()
    kind = None
    for name in KINDS:
        if r < RATES[name]:
            kind = name
            break
        r -= RATES[name]
    if kind is None:
        return None
    wire = kind != "lead_near_miss"
    min_paras = 6 if kind == "rewritten_lead" else 4
    picks = _originals(gen, rng, i, wire, min_paras)
    if not picks:
        return None
    j = picks[0]
    source = gen.stories[j]
    paras = source.paragraphs
    if kind == "trimmed":
        if _words(paras[:1]) > LEAD_SHARE * _words(paras):
            return None
        keep = _half(paras)
        return Harder(kind, _copy_of(source, paras[:keep]), j, original=source)
    if kind == "rewritten_lead":
        lead = textgen.paragraph(rng, source.agency == "AFP")
        return Harder(kind, _copy_of(source, [lead, *paras[1:]]), j, original=source)
    if kind == "merged":
        for k in picks[1:]:
            second = gen.stories[k]
            part = opening(second.paragraphs, SECOND_SHARE)
            if (part and second.story_id != source.story_id and second.date_text
                    and _words(part) <= _words(paras) / 2):
                dateline = f"{second.place} ({second.agency}) {second.date_text}"
                merged = [*paras, f"{dateline} - {part[0]}", *part[1:]]
                copy = _copy_of(source, merged)
                copy.appended = [*source.appended, dateline]  # as the truth must say
                return Harder(kind, copy, j, second=k, original=source)
        return None
    shared = shared_lead(paras, rng.choice((1, 2)), LEAD_SHARE)
    if _words(shared) > LEAD_SHARE * _words(paras):
        return None
    fresh.shares_lead = True
    own: list[str] = []
    while _words(own) < 1.5 * _words(shared) or len(shared) + len(own) < 4:
        own += textgen.paragraphs(rng, 2, wire=fresh.agency == "AFP")
    fresh.paragraphs = shared + own
    return Harder(kind, fresh, j)


def shared_lead(paras: list[str], count: int, share: float = FOLLOW_UP_SHARE) -> list[str]:
    """The first ``count`` paragraphs, fewer while they hold more than ``share`` of the words
    (the first paragraph always): the opening a follow-up or near miss repeats.

    >>> shared_lead(["a b", "c d", "e f g h i j"], 2, 0.5), shared_lead(["a b c d", "e", "f"], 2)
    (['a b', 'c d'], ['a b c d'])
    """
    shared = paras[:count]
    while len(shared) > 1 and _words(shared) > share * _words(paras):
        shared = shared[:-1]
    return shared


def _half(paras: list[str]) -> int:
    """How many leading paragraphs reach half the words (at least one, never all).

    >>> _half(["a b c", "d", "e f"]), _half(["a", "b", "c d e f g h"])
    (1, 2)
    """
    total = _words(paras)
    for n in range(1, len(paras)):
        if 2 * _words(paras[:n]) >= total:
            return n
    return max(1, len(paras) - 1)


def opening(paras: list[str], share: float) -> list[str]:
    """The leading paragraphs holding at most ``share`` of the words (none when the first alone
    holds more).

    >>> opening(["a b", "c d", "e f g h i j"], 0.3)
    ['a b']
    >>> opening(["a b c d", "e"], 0.4)
    []
    """
    total = _words(paras)
    out: list[str] = []
    for p in paras:
        if _words([*out, p]) > share * total:
            break
        out.append(p)
    return out


def truth_entry(g: GeneratedPage, gen: Generator) -> dict[str, Any] | None:
    """The truth entry of a generated page that copies a story or shares its lead, else None.

    ``{"kind", "of": first page of the source story, "duplicate": bool}``, and ``"second"`` for
    merged copies. Kinds: the generator's own ``copy`` (verbatim or lightly edited) and
    ``follow_up`` (a new story repeating one or two opening paragraphs), and :data:`KINDS`.
    """
    if g.harder is not None:
        h = g.harder
        entry: dict[str, Any] = {"kind": h.kind, "of": gen.summaries[h.source].url,
                                 "duplicate": h.duplicate}
        if h.second is not None:
            entry["second"] = gen.summaries[h.second].url
        return entry
    if g.copy_of is not None:
        return {"kind": "copy", "of": gen.summaries[g.copy_of].url, "duplicate": True}
    if g.near_miss_of is not None:
        return {"kind": "follow_up", "of": gen.summaries[g.near_miss_of].url, "duplicate": False}
    return None
