"""A run's account for its manifest: counts from its files and its crawl's stats, field
coverage per site, and the few lines printed at the end of a run."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from crawler.capture.runfiles import capture_account
from crawler.jsonl import iter_jsonl
from crawler.runs.folder import RunFolder

COVERAGE_FIELDS = (
    "title", "published", "dateline", "agency", "location", "byline", "authors", "section",
    "body", "image_url", "related_links", "related_articles",
)


def present(value: Any) -> bool:
    """Whether a field holds a value (not null, not empty).

    >>> present(None), present([]), present(""), present("x"), present(0)
    (False, False, False, True, True)
    """
    return value is not None and value != [] and value != ""


def backoff_per_host(stats: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The 429/503 backoff stats (crawler.components.backoff) grouped by host.

    >>> backoff_per_host({"backoff/www.a.com/429": 2, "backoff/www.a.com/paused_seconds": 4.0,
    ...                   "other": 1})
    {'www.a.com': {'429': 2, 'paused_seconds': 4.0}}
    """
    hosts: dict[str, dict[str, Any]] = {}
    for key, value in sorted(stats.items()):
        if key.startswith("backoff/") and key.count("/") == 2:
            _, host, name = key.split("/")
            hosts.setdefault(host, {})[name] = value
    return hosts


def coverage(articles: Path) -> dict[str, dict[str, Any]]:
    """Per site: article count, the share (0-100) of articles with each field present, and
    the number of articles read by each extraction path ('template': a layout of the network,
    'metadata', 'fallback': no known layout)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    paths: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for record in iter_jsonl(articles):
        site = str(record.get("site") or "?")
        totals[site] += 1
        paths[site][str(record.get("extraction") or "?")] += 1
        for name in COVERAGE_FIELDS:
            if present(record.get(name)):
                counts[site][name] += 1
    return {
        site: {
            "articles": n,
            "fields": {f: round(100.0 * counts[site][f] / n, 2) for f in COVERAGE_FIELDS},
            "extraction": dict(sorted(paths[site].items())),
        }
        for site, n in sorted(totals.items())
    }


def account(run: RunFolder, stats: dict[str, Any]) -> dict[str, Any]:
    """What the run did: counts from its files (all attempts) and this attempt's stats."""
    duplicates = list(iter_jsonl(run.duplicates))
    rejects = list(iter_jsonl(run.rejects))
    reasons: Counter[str] = Counter()
    for reject in rejects:
        reasons.update(reject.get("reasons") or ["unknown"])
    articles = run.articles
    with_prefix = lambda p: {k[len(p):]: v for k, v in stats.items() if k.startswith(p)}  # noqa: E731
    return {
        "finish_reason": stats.get("finish_reason"),
        "elapsed_seconds": stats.get("elapsed_time_seconds"),
        # Requests answered by the HTTP cache (robots.txt within a day) never left the machine.
        "requests": stats.get("downloader/request_count", 0) - stats.get("httpcache/hit", 0),
        "requests_from_cache": stats.get("httpcache/hit", 0),
        # Requests that failed on the network and were answered from the HTTP cache instead
        # (Scrapy's error recovery): the hubs look unchanged, but the site did not answer.
        "recovered_from_cache": stats.get("httpcache/errorrecovery", 0),
        "responses": stats.get("response_received_count", 0),
        "status_counts": with_prefix("downloader/response_status_count/"),
        "articles_exported": sum(1 for _ in articles.open("rb")) if articles.is_file() else 0,
        "articles_exported_this_attempt": stats.get("articles/exported", 0),
        "articles_parsed_this_attempt": stats.get("articles/parsed", 0),
        "duplicates": len(duplicates),
        "duplicates_by_kind": dict(Counter(d.get("kind", "?") for d in duplicates)),
        "rejects": len(rejects),
        "rejects_by_reason": dict(reasons),
        "errors": with_prefix("errors/"),
        "refused": with_prefix("security/refused/"),
        "retries": stats.get("retry/count", 0),
        "backoff": backoff_per_host(stats),
        "revisits": with_prefix("revisits/"),
        "gone": sum(1 for _ in iter_jsonl(run.gone)),
        "incremental": {
            "skipped_known": stats.get("incremental/skipped", 0),
            "hubs_unchanged": stats.get("incremental/hub_unchanged", 0),
            "hubs_revalidated": stats.get("httpcache/revalidate", 0),
            "robots_from_cache": stats.get("httpcache/hit", 0),
        },
        "coverage": coverage(articles),
        "warc": capture_account(run.warc),
        **backfill_account(stats),
    }


def backfill_account(stats: dict[str, Any]) -> dict[str, Any]:
    """A backfill's window and coverage per site and section (crawler.navigation.backfill);
    nothing for a regular run.

    >>> backfill_account({})
    {}
    >>> b = backfill_account({"backfill/summary": {"since": "2024-01-01", "until": None,
    ...                       "coverage": {}}, "backfill/outside_window": 3})["backfill"]
    >>> b["since"], b["outside_window"]
    ('2024-01-01', 3)
    """
    summary = stats.get("backfill/summary")
    if not isinstance(summary, dict):
        return {}
    return {"backfill": {**summary, "outside_window": stats.get("backfill/outside_window", 0)}}


def summary(manifest: dict[str, Any], run: RunFolder) -> str:
    """A few lines for the terminal."""
    inc = manifest.get("incremental", {})
    return "\n".join([
        f"run {manifest['run_id']} ({'resumed, ' if manifest.get('resumed') else ''}"
        f"attempt {manifest.get('attempts', 1)}): {manifest.get('finish_reason')}",
        f"  requests {manifest.get('requests', 0)}, responses {manifest.get('responses', 0)}, "
        f"known articles skipped {inc.get('skipped_known', 0)}, "
        f"unchanged hubs {inc.get('hubs_unchanged', 0)}",
        f"  articles {manifest.get('articles_exported', 0)}, duplicates "
        f"{manifest.get('duplicates', 0)}, rejects {manifest.get('rejects', 0)}",
        f"  folder {run.path}",
    ])
