"""Build the mirror into a directory: pages, truth, duplicates, faults and server routes.

Layout of ``DIR`` (every file deterministic for a (seed, size); mtimes derived from the data):

- ``DIR/<host>/<path>``: what ``https://<host>/<path>`` serves (a path ending in '/' is stored
  as ``<path>index.html``; query strings are not part of file names).
- ``DIR/truth.jsonl``: one record per article page, keyed by its live canonical ``url``:
  ``MirrorArticle.truth()`` plus ``word_count``, ``language``, ``schema_version``, ``layout``,
  ``variants`` (the markup variant of each guessed detail, see crawler.mirror.markup) and
  ``story_id``; articles in index order, then the fault articles that are real articles.
- ``DIR/duplicates.json``: ``{"groups": [[urls of one story], ...], "near_misses": [[a, b],
  ...], "aliases": {alias_url: canonical_url}, "redirects": [alias urls answering 301],
  "syndication": {url: {"kind", "of", "duplicate"[, "second"]}}}``: every copy and near miss
  with its kind and the first page of its source (:mod:`crawler.mirror.syndication`).
- ``DIR/revisions.json``: the articles edited and removed by each ``--grow --revise``
  (:mod:`crawler.mirror.revisions`); ``truth.jsonl`` holds their current state.
- ``DIR/faults.json``: see :mod:`crawler.mirror.faults`.
- ``DIR/routes.json``: what the server answers besides files (redirects, statuses, flaky and
  slow pages, content types), keyed by live URL.
- ``DIR/mirror.json``: ``{"seed", "articles", "hosts"}``; lets ``--grow`` check the seed;
  ``revised_steps`` lists the ``[before, after]`` sizes of the grows that revised articles.

Options for robustness tests, off by default (default builds do not depend on them): ``faults``
(a rate: :mod:`crawler.mirror.injected` puts a fault on that share of article pages),
``hostile`` (:mod:`crawler.mirror.hostile` adds pages that try to lure or break a crawler) and
``rate_limit`` (hosts that answer 429/503 with Retry-After on a schedule:
:mod:`crawler.mirror.ratelimit`). All are recorded in ``faults.json`` and ``mirror.json``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.mirror import faults, feeds, hubs, injected, ratelimit, revisions, static
from crawler.mirror.hostile import build_hostile
from crawler.mirror.model import MirrorArticle
from crawler.mirror.network import BARE_DOMAINS, WP_DOMAINS, NetworkGenerator, Summary
from crawler.mirror.render import render
from crawler.mirror.sections import (
    SECTIONS,
    category_path,
    section_feed_path,
    section_path,
)
from crawler.mirror.syndication import truth_entry
from crawler.mirror.timeline import SEED_INDEX, day_of, epoch
from crawler.sites import IMAGE_HOST, SITES, SITES_BY_DOMAIN

MIN_ARTICLES, MAX_ARTICLES = 50, 100_000
CLASSIC_HOST_LAYOUTS = ("classic", "spacewar2026", "afp")
"""Layouts served on the www hosts and listed by their home pages, sections and feeds."""
META_FILES = ("truth.jsonl", "duplicates.json", "faults.json", "routes.json", "mirror.json",
              "revisions.json")
FEED_ITEMS, FEED_FOREIGN, WP_HOME_ITEMS = 25, 5, 20


def file_for(url: str) -> str:
    """Relative file path of a live URL inside the mirror directory.

    >>> file_for("https://www.spacewar.com/")
    'www.spacewar.com/index.html'
    >>> file_for("https://spacedaily.com/feed/?x=1")
    'spacedaily.com/feed/index.html'
    """
    parts = urlsplit(url)
    path = parts.path or "/"
    if path.endswith("/"):
        path += "index.html"
    return parts.netloc + path


class Writer:
    """Writes files under a root, creating directories once and stamping a fixed mtime."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._dirs: set[Path] = set()
        self.count = 0

    def write(self, url: str, data: bytes, mtime: int) -> None:
        """Write what ``url`` serves; its Last-Modified will be ``mtime``."""
        path = self.root / file_for(url)
        if path.parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)
        path.write_bytes(data)
        os.utime(path, (mtime, mtime))
        self.count += 1


def truth_record(a: MirrorArticle) -> dict[str, Any]:
    """The truth line of an article: ``a.truth()`` and the fields the mirror also knows."""
    rec = a.truth()
    rec["word_count"] = len(rec["body"].split())
    rec["language"] = "en"
    rec["schema_version"] = 1
    rec["layout"] = a.layout
    rec["variants"] = dict(sorted(a.variants.items()))
    rec["story_id"] = a.story_id
    return rec


def _mtime(i: int, a: MirrorArticle) -> int:
    if a.published:
        return epoch(day_of(0).fromisoformat(a.published[:10]))
    return epoch(day_of(i))


def _prepare(root: Path, seed: int, articles: int, grow: bool,
             revise: bool) -> list[tuple[int, int]]:
    """Check and clear ``root``; returns the revising steps, this one included."""
    meta = root / "mirror.json"
    if grow:
        if not meta.exists():
            raise ValueError(f"--grow: {root} holds no mirror")
        old = json.loads(meta.read_text())
        if old["seed"] != seed:
            raise ValueError(f"--grow: {root} was built with seed {old['seed']}, not {seed}")
        if articles < old["articles"]:
            raise ValueError(f"--grow: {root} already holds {old['articles']} articles")
        steps = [(int(a), int(b)) for a, b in old.get("revised_steps", [])]
        if revise and articles > old["articles"]:
            steps.append((int(old["articles"]), articles))
        return steps
    if revise:
        raise ValueError("--revise edits a mirror as it grows: it needs --grow")
    if meta.exists():
        for host in json.loads(meta.read_text())["hosts"]:
            shutil.rmtree(root / host, ignore_errors=True)
        for name in META_FILES:
            (root / name).unlink(missing_ok=True)
    elif root.exists() and any(root.iterdir()):
        raise ValueError(f"{root} is not empty and holds no mirror: refusing to overwrite")
    root.mkdir(parents=True, exist_ok=True)
    return []


def grown_seed(root: Path) -> int | None:
    """Seed of the mirror already in ``root`` (None when there is none)."""
    meta = root / "mirror.json"
    return int(json.loads(meta.read_text())["seed"]) if meta.exists() else None


def _merge_routes(routes: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict):
            routes.setdefault(key, {}).update(value)
        else:
            routes.setdefault(key, []).extend(value)


def build(root: Path, articles: int, seed: int = 1, grow: bool = False,
          fault_rate: float = 0.0, hostile: bool = False,
          rate_limit: Sequence[str] = (), revise: bool = False) -> dict[str, Any]:
    """Build (or grow) the mirror in ``root``; returns ``mirror.json``'s content.

    ``fault_rate`` (0..1) puts an injected fault on that share of article pages; ``hostile``
    adds the hostile pages; ``rate_limit`` names hosts that answer 429/503 for a while;
    ``revise`` (with ``grow``) edits and removes some recent articles. All off: the default
    mirror.
    """
    if not MIN_ARTICLES <= articles <= MAX_ARTICLES:
        raise ValueError(f"articles must be in {MIN_ARTICLES}..{MAX_ARTICLES}")
    if not 0.0 <= fault_rate <= 1.0:
        raise ValueError("the fault rate must be in 0..1")
    inj = injected.Injected(fault_rate, seed) if fault_rate > 0 else None
    truth_urls: list[str] = []
    steps = _prepare(root, seed, articles, grow, revise)
    recency = revisions.Recency(before for before, _ in steps)
    """Which articles were recent at each revising step: they may be edited or removed."""
    w = Writer(root)
    gen = NetworkGenerator(seed)
    for url in faults.URLS.values():
        gen.reserve(url)
    routes: dict[str, Any] = {"redirects": {}, "status": {}, "flaky": {}, "slow": [], "types": {}}
    groups: dict[str, list[str]] = defaultdict(list)
    near_misses: list[list[str]] = []
    aliases: dict[str, str] = {}
    redirect_aliases: list[str] = []
    syndication: dict[str, dict[str, Any]] = {}
    with (root / "truth.jsonl").open("w", encoding="utf-8", newline="\n") as truth:
        for i in range(articles):
            g = gen.article(i)
            a = g.article
            data = render(a)
            t = _mtime(i, a)
            w.write(a.url, inj.inject(i, a.url, data) if inj else data, t)
            truth_urls.append(a.url)
            if g.alias_url:
                w.write(g.alias_url, data, t)
                aliases[g.alias_url] = a.url
            if g.bare_url:
                w.write(g.bare_url, data, t)
                aliases[g.bare_url] = a.url
            if g.old_url:
                routes["redirects"][g.old_url] = a.url
                aliases[g.old_url] = a.url
                redirect_aliases.append(g.old_url)
            if a.story_id:
                groups[a.story_id].append(a.url)
            if g.near_miss_of is not None:
                near_misses.append([gen.summaries[g.near_miss_of].url, a.url])
            entry = truth_entry(g, gen)
            if entry is not None:
                syndication[a.url] = entry
                if g.harder is not None and not g.harder.duplicate:
                    near_misses.append([entry["of"], a.url])
            truth.write(json.dumps(truth_record(a), ensure_ascii=False, sort_keys=True) + "\n")
            recency.add(i, a)
        fs = faults.build_faults(seed, gen.summaries[:SEED_INDEX])
        for a in fs.truth:
            truth.write(json.dumps(truth_record(a), ensure_ascii=False, sort_keys=True) + "\n")
            truth_urls.append(a.url)
    if inj is not None:
        _merge_routes(routes, inj.routes)
        fs.spec["injected"] = inj.spec(truth_urls)
    if hostile:
        h = build_hostile(seed, gen.summaries[SEED_INDEX].url)
        fs.files.update(h.files)
        _merge_routes(routes, h.routes)
        fs.links = fs.links + h.links
        fs.spec["hostile"] = h.spec
    hub_time = epoch(day_of(articles - 1))
    for url, data in fs.files.items():
        w.write(url, data, epoch(day_of(SEED_INDEX)))
    routes["redirects"].update(fs.redirects)
    routes["status"].update(fs.status)
    routes["flaky"].update(fs.flaky)
    routes["slow"] += fs.slow
    routes["types"].update(fs.types)
    untouchable = revisions.untouchable(
        groups.values(), near_misses, aliases, syndication,
        [*faults.URLS.values(), *(f["url"] for f in fs.spec.get("injected", {}).get("faults", []))])
    revised = revisions.plan(seed, steps, recency, untouchable)
    candidates = recency.candidates()
    gone = _revise(root, w, seed, steps, revised, recency, routes)
    hosts = _write_hubs(w, [s for s in gen.summaries if s.url not in gone], fs.links, hub_time,
                        routes)
    if rate_limit:
        unknown = sorted(set(rate_limit) - hosts)
        if unknown:
            raise ValueError(f"--rate-limit: not a host of the mirror: {', '.join(unknown)}")
        routes["rate_limits"] = [ratelimit.schedule(h) for h in rate_limit]
        fs.spec["rate_limit"] = ratelimit.spec(routes["rate_limits"])
    _dump(root / "revisions.json", revisions.document(
        revised, {i: a.url for i, a in candidates.items()}))
    _dump(root / "faults.json", fs.spec)
    _dump(root / "routes.json", routes)
    _dump(root / "duplicates.json", {
        "groups": [urls for urls in groups.values() if len(urls) > 1],
        "near_misses": near_misses,
        "aliases": aliases,
        "redirects": redirect_aliases,
        "syndication": syndication,
    })
    meta: dict[str, Any] = {"seed": seed, "articles": articles, "hosts": sorted(hosts)}
    if steps:
        meta["revised_steps"] = [list(step) for step in steps]
    if fault_rate > 0:
        meta["fault_rate"] = fault_rate
    if hostile:
        meta["hostile"] = True
    if rate_limit:
        meta["rate_limit"] = list(rate_limit)
    _dump(root / "mirror.json", meta)
    return meta


def _revise(root: Path, w: Writer, seed: int, steps: list[tuple[int, int]],
            revised: revisions.Plan,
            recency: revisions.Recency, routes: dict[str, Any]) -> set[str]:
    """Write the edited pages, take the removed ones away, bring ``truth.jsonl`` up to date;
    returns the removed addresses."""
    if not revised.changes and not revised.removed:
        return set()
    current: dict[str, dict[str, Any]] = {}
    for i, changes in revised.changes.items():
        if i in revised.removed:
            continue
        a = recency.pool[i]
        page = revisions.edited(a, i, seed, changes)
        newest = recency.newest_day(steps[changes[-1][0] - 1][0], a.url)
        w.write(page.url, render(page), revisions.edited_mtime(_mtime(i, a), newest, changes))
        current[page.url] = truth_record(page)
    gone: set[str] = set()
    for i, (_, status) in revised.removed.items():
        url = recency.pool[i].url
        (root / file_for(url)).unlink(missing_ok=True)
        if status != 404:
            routes["status"][url] = status
        gone.add(url)
    path = root / "truth.jsonl"
    tmp = path.with_suffix(".jsonl.tmp")
    with path.open(encoding="utf-8") as old, tmp.open("w", encoding="utf-8", newline="\n") as new:
        for line in old:
            url = json.loads(line)["url"]
            if url in gone:
                continue
            rec = current.get(url)
            new.write(line if rec is None else
                      json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    os.replace(tmp, path)
    return gone


def _dump(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _newest(items: Iterable[Summary], n: int) -> list[Summary]:
    out: list[Summary] = []
    for s in items:
        out.append(s)
        if len(out) == n:
            break
    return out


def _write_hubs(w: Writer, summaries: Sequence[Summary], fault_links: list[tuple[str, str]],
                t: int, routes: dict[str, Any]) -> set[str]:
    """Home, section, archive, feed, WordPress and fixed pages of every host; returns hosts."""
    by_site: dict[str, list[Summary]] = defaultdict(list)
    by_section: dict[tuple[str, str], list[Summary]] = defaultdict(list)
    archive: dict[str, list[Summary]] = defaultdict(list)
    wp: dict[str, list[Summary]] = defaultdict(list)
    for s in reversed(summaries):  # newest first
        if s.layout == "wordpress":
            wp[s.site].append(s)
            by_section[(s.site, s.hub_section or "")].append(s)
        elif s.layout == "legacy" or "/news/" in s.url:
            archive[s.site].append(s)
        else:
            by_site[s.site].append(s)
            by_section[(s.site, s.hub_section or "")].append(s)
    newest_all = _newest((s for s in reversed(summaries) if s.layout in CLASSIC_HOST_LAYOUTS),
                         200)
    hosts = {IMAGE_HOST}
    for site in SITES:
        base = f"https://{site.host}"
        hosts.add(site.host)
        mine = by_site[site.domain]
        extra = fault_links if site.domain == "spacewar.com" else []
        home = hubs.classic_home(site, mine[: hubs.HOME_ITEMS], extra)
        w.write(base + "/index.html", home, t)
        foreign = [s for s in newest_all if s.site != site.domain][:FEED_FOREIGN]
        w.write(site.feed_url, feeds.network_feed(
            site.name, site.home_url, f"{site.name} news", mine[:FEED_ITEMS] + foreign), t)
        for label in SECTIONS[site.domain]:
            items = [s for s in by_section[(site.domain, label)] if s.layout != "wordpress"]
            pages = max(1, -(-len(items) // hubs.PER_PAGE))
            for p in range(1, pages + 1):
                chunk = items[(p - 1) * hubs.PER_PAGE: p * hubs.PER_PAGE]
                links = [s.old_url or s.alias_url or s.bare_url or s.url for s in chunk]
                w.write(base + section_path(label, p),
                        hubs.section_page(site, label, p, chunk, p < pages, links), t)
            w.write(base + section_feed_path(label), feeds.network_feed(
                f"{site.name} - {label}", base + section_path(label), label, items[:20]), t)
        w.write(base + "/news/archive.html", hubs.archive_page(site, archive[site.domain]), t)
        for path, data in static.site_pages(site).items():
            w.write(base + path, data, t)
        w.write(base + "/robots.txt", static.robots_txt(), t)
    for domain in BARE_DOMAINS:  # bare hosts serve the classic pages too
        hosts.add(domain)
        w.write(f"https://{domain}/robots.txt", static.robots_txt(), t)
    for domain in WP_DOMAINS:
        site = SITES_BY_DOMAIN[domain]
        base = f"https://{domain}"
        hosts.add(domain)
        posts = wp[domain]
        w.write(base + "/", hubs.wordpress_home(site, posts[:WP_HOME_ITEMS]), t)
        w.write(base + "/feed/", feeds.wordpress_feed(
            site.name, base + "/", [(s, s.published or "") for s in posts[:WP_HOME_ITEMS]]), t)
        routes["types"][base + "/feed/"] = "application/rss+xml; charset=UTF-8"
        for label in SECTIONS[domain]:
            items = [s for s in by_section[(domain, label)] if s.layout == "wordpress"]
            pages = max(1, -(-len(items) // hubs.WP_PER_PAGE))
            for p in range(1, pages + 1):
                chunk = items[(p - 1) * hubs.WP_PER_PAGE: p * hubs.WP_PER_PAGE]
                w.write(base + category_path(label, p),
                        hubs.wordpress_category(site, label, p, chunk, p < pages), t)
        w.write(base + "/robots.txt", static.robots_txt(), t)
    image_base = f"https://{IMAGE_HOST}"
    for path, data in static.image_host_pages().items():
        w.write(image_base + path, data, t)
    w.write(image_base + "/robots.txt", static.robots_txt(), t)
    return hosts
