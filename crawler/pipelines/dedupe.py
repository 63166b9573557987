"""Third pipeline: export each story once, across addresses, sites and runs.

Checks, cheapest first, against the stories already exported (this run or earlier ones, in the
persistent :mod:`crawler.state`):

1. the canonical URL (redirects, og:url and ``_999``/plain slugs all end up at one URL):
   ``articles/duplicate/url``;
2. the fingerprint of the normalized body (exact syndicated copies): ``articles/duplicate/content``;
3. MinHash-LSH over word shingles and lead keys, verified by the full signature's Jaccard
   estimate and, from it and the shingle counts, the containment of the smaller body in the
   larger (edited copies: headline changed, a paragraph dropped or added, the lede rewritten;
   copies trimmed to their first half, pages that run a second story after the first):
   ``articles/duplicate/content``. See :mod:`crawler.similarity` for the rule and why.

Each duplicate line records the decision: ``similarity`` (estimated Jaccard), ``containment``
(estimated, or null), ``rule`` (``url``, ``fingerprint``, ``jaccard`` or ``containment``) and
``also``: the other exported stories the copy matches too (copies of copies can be far apart
and each close to the story; the export joins them through these).

A record with ``revision`` above 1 is a new revision of a stored story (the spider's revisit
found its body changed): it is not checked, and on export it replaces the story's fingerprint
and signature in the state (``articles/revised``).

A story is recorded in the state only when it is actually exported (the ``item_scraped`` signal,
after every later pipeline passed it). Between this pipeline and export it is *pending*: the few
pending stories are compared in memory too, so two copies in flight at once are still caught,
and a pending story dropped later (``item_dropped``/``item_error``) is forgotten.

The address of a content duplicate is recorded as one more address of the story it copies, so
a later run that meets the same copy again reports it as a ``url`` duplicate of that story
(cheaper, and just as true).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from crawler import similarity
from crawler.pipelines.outputs import JsonLinesWriter
from crawler.similarity import Rule, Sketch
from crawler.state import Match, State, shared_state
from crawler.state.protocol import best_first

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings


@dataclass
class _Pending:
    """A story that passed deduplication and waits to be exported."""

    item: Any
    url: str
    fingerprint: str
    sketch: Sketch
    published: str | None = None
    version: str | None = None
    """Fingerprint of headline and body (crawler.similarity.version_of), for revisits."""
    revision: int = 1
    """Above 1: a new revision of a stored story (crawler.navigation.revisits), not checked."""
    aliases: list[str] = field(default_factory=list)
    """Addresses of its copies, recorded with it when it is exported."""


def rule_from(settings: BaseSettings) -> Rule:
    """The duplicate rule the settings ask for."""
    return Rule(
        jaccard=settings.getfloat("SMN_DEDUPE_THRESHOLD"),
        containment=settings.getfloat("SMN_DEDUPE_CONTAINMENT"),
        min_ratio=settings.getfloat("SMN_DEDUPE_MIN_SIZE_RATIO"),
    )


class DedupePipeline:
    """Drops duplicates, recording each in the duplicates file with the story it duplicates.

    Settings: ``SMN_DEDUPE_ENABLED``, ``SMN_DEDUPE_THRESHOLD`` (estimated Jaccard),
    ``SMN_DEDUPE_CONTAINMENT`` (estimated containment), ``SMN_DEDUPE_MIN_SIZE_RATIO``,
    ``SMN_DUPLICATES_PATH``, and the state's (crawler.state).
    """

    def __init__(self, crawler: Crawler, state: State, rule: Rule) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.state = state
        self.rule = rule
        self.duplicates = JsonLinesWriter(crawler, "duplicates", "SMN_DUPLICATES_PATH")
        self.pending: dict[str, _Pending] = {}
        crawler.signals.connect(self.item_exported, signal=signals.item_scraped)
        crawler.signals.connect(self.item_lost, signal=signals.item_dropped)
        crawler.signals.connect(self.item_lost, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        if not crawler.settings.getbool("SMN_DEDUPE_ENABLED"):
            raise NotConfigured("SMN_DEDUPE_ENABLED is off")
        return cls(crawler, shared_state(crawler), rule_from(crawler.settings))

    # -- checks ---------------------------------------------------------------------------
    def _by_url(self, url: str) -> Match | None:
        if url in self.pending:
            return Match(url, 1.0)
        seen = self.state.seen_url(url)
        return Match(seen, 1.0) if seen else None

    def _by_fingerprint(self, fingerprint: str) -> Match | None:
        for p in self.pending.values():
            if p.fingerprint == fingerprint:
                return Match(p.url, 1.0)
        found = self.state.find_fingerprint(fingerprint)
        return Match(found, 1.0) if found else None

    def _by_similarity(self, sketch: Sketch) -> list[Match]:
        """Every exported or pending story the rule makes this one a duplicate of, closest
        first."""
        matches = self.state.similar(sketch, self.rule)
        for p in self.pending.values():
            score = similarity.judge(sketch, p.sketch, self.rule)
            if score is not None:
                matches.append(Match.scored(p.url, score))
        return best_first(matches)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = str(adapter["url"])
        fingerprint = str(adapter["fingerprint"])
        revision = int(adapter.get("revision") or 1)
        version = similarity.version_of(str(adapter.get("title") or ""), str(adapter["body"]))
        if revision > 1 and url not in self.pending:  # an edited story: the same story again
            self.stats.inc_value("articles/revised")
            self.pending[url] = _Pending(item, url, fingerprint,
                                         similarity.sketch(str(adapter["body"])),
                                         adapter.get("published"), version, revision)  # fmt: skip
            return item
        match = self._by_url(url)
        if match:
            self._duplicate(url, match._replace(rule="url"), "url")
        published = adapter.get("published")
        match = self._by_fingerprint(fingerprint)
        if match:
            self._duplicate(url, match._replace(rule="fingerprint"), "content",
                            published=published)  # fmt: skip
        sketch = similarity.sketch(str(adapter["body"]))
        matches = self._by_similarity(sketch)
        if matches:
            self._duplicate(url, matches[0], "content", [m.url for m in matches[1:]],
                            published)  # fmt: skip
        self.pending[url] = _Pending(item, url, fingerprint, sketch, adapter.get("published"),
                                     version)
        return item

    def _duplicate(self, url: str, match: Match, kind: str, also: list[str] | None = None,
                   published: str | None = None) -> NoReturn:
        """Count and record a duplicate with the scores of the decision, remember its
        address (and the date its own page shows: a copy's may differ from its story's), and
        drop it."""
        self.stats.inc_value(f"articles/duplicate/{kind}")
        if match.rule == "containment":  # which rule decided: not a kind of duplicate of its own
            self.stats.inc_value("dedupe/by_containment")
        containment = None if match.containment is None else round(match.containment, 4)
        self.duplicates.write(
            {"url": url, "duplicate_of": match.url, "kind": kind,
             "similarity": round(match.similarity, 4), "containment": containment,
             "rule": match.rule, "also": sorted(set(also or ()) - {match.url})}
        )  # fmt: skip
        if kind == "content":  # the copy's address is known from now on
            self.state.note_published(url, published or "")
            pending = self.pending.get(match.url)
            if pending is None:
                self.state.add_url(url, match.url)
            else:
                pending.aliases.append(url)
        raise DropItem(f"duplicate ({kind}) of {match.url}: {url}", log_level="DEBUG")

    # -- signals --------------------------------------------------------------------------
    def item_exported(self, item: Any) -> None:
        """A story passed every pipeline: record it, later copies are its duplicates."""
        url = ItemAdapter(item).get("url")
        pending = self.pending.pop(str(url), None)
        if pending is not None:
            self.record(pending)

    def record(self, pending: _Pending) -> None:
        """Record an exported story in the state (or its new revision), with its aliases."""
        if pending.revision > 1:
            self.state.revise(pending.url, pending.fingerprint, pending.sketch, pending.revision,
                              pending.version)  # fmt: skip
        else:
            self.state.add_story(pending.url, pending.fingerprint, pending.sketch,
                                 pending.published, pending.version)  # fmt: skip
        for alias in pending.aliases:
            self.state.add_url(alias, pending.url)

    def item_lost(self, item: Any) -> None:
        """A pending story was dropped or failed after this pipeline: forget it."""
        url = str(ItemAdapter(item).get("url"))
        pending = self.pending.get(url)
        if pending is not None and pending.item is item:
            del self.pending[url]

    def close_spider(self) -> None:
        self.state.flush()
        self.duplicates.close()
