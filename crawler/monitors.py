"""The account of a run and the monitors that judge it (cross-run, from manifests).

Spidermon's monitors run inside one crawl; the checks here compare a run with the previous
one (field coverage per site), so they read manifests instead.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from crawler.jsonl import iter_jsonl

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


def coverage(articles: Path) -> dict[str, dict[str, Any]]:
    """Per site: article count and the share (0-100) of articles with each field present."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for record in iter_jsonl(articles):
        site = str(record.get("site") or "?")
        totals[site] += 1
        for name in COVERAGE_FIELDS:
            if present(record.get(name)):
                counts[site][name] += 1
    return {
        site: {
            "articles": n,
            "fields": {f: round(100.0 * counts[site][f] / n, 2) for f in COVERAGE_FIELDS},
        }
        for site, n in sorted(totals.items())
    }


def account(run_dir: Path, stats: dict[str, Any]) -> dict[str, Any]:
    """What the run did: counts from its files (all attempts) and this attempt's stats."""
    duplicates = list(iter_jsonl(run_dir / "duplicates.jsonl"))
    rejects = list(iter_jsonl(run_dir / "rejects.jsonl"))
    reasons: Counter[str] = Counter()
    for reject in rejects:
        reasons.update(reject.get("reasons") or ["unknown"])
    articles = run_dir / "articles.jsonl"
    with_prefix = lambda p: {k[len(p):]: v for k, v in stats.items() if k.startswith(p)}  # noqa: E731
    return {
        "finish_reason": stats.get("finish_reason"),
        "elapsed_seconds": stats.get("elapsed_time_seconds"),
        # Requests answered by the HTTP cache (robots.txt within a day) never left the machine.
        "requests": stats.get("downloader/request_count", 0) - stats.get("httpcache/hit", 0),
        "requests_from_cache": stats.get("httpcache/hit", 0),
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
        "incremental": {
            "skipped_known": stats.get("incremental/skipped", 0),
            "hubs_unchanged": stats.get("incremental/hub_unchanged", 0),
            "hubs_revalidated": stats.get("httpcache/revalidate", 0),
            "robots_from_cache": stats.get("httpcache/hit", 0),
        },
        "coverage": coverage(articles),
    }


def check(
    manifest: dict[str, Any], previous: dict[str, Any] | None, limits: dict[str, Any]
) -> list[dict[str, Any]]:
    """The problems of a run, most serious first; empty when it went well."""
    problems: list[dict[str, Any]] = []
    reason = str(manifest.get("finish_reason") or "none")
    if reason != "finished" and not reason.startswith("closespider_"):
        problems.append({"monitor": "finish_reason", "message": f"crawl ended: {reason}"})
    if not manifest.get("responses") or (previous is None and not manifest["articles_exported"]):
        problems.append({"monitor": "nothing_found",
                         "message": f"{manifest.get('responses', 0)} responses, "
                                    f"{manifest.get('articles_exported', 0)} articles"})
    errors = sum(manifest.get("errors", {}).values())
    requests = max(1, int(manifest.get("requests") or 0))
    if errors / requests > limits["max_error_rate"]:
        problems.append({"monitor": "errors",
                         "message": f"{errors} failed requests of {requests} "
                                    f"(> {limits['max_error_rate']:.0%})"})
    if previous:
        problems += coverage_drops(
            manifest.get("coverage", {}), previous.get("coverage", {}),
            limits["coverage_drop"], limits["min_site_articles"],
        )
    return problems


def coverage_drops(
    now: dict[str, Any], before: dict[str, Any], points: float, min_articles: int
) -> list[dict[str, Any]]:
    """Fields whose coverage on a site fell by more than ``points`` against the previous run.

    >>> before = {"a.com": {"articles": 50, "fields": {"byline": 90.0}}}
    >>> now = {"a.com": {"articles": 40, "fields": {"byline": 80.0}}}
    >>> [p["message"] for p in coverage_drops(now, before, 5.0, 20)]
    ['a.com: byline coverage fell from 90.0% to 80.0%']
    >>> coverage_drops(now, before, 15.0, 20)
    []
    """
    problems = []
    for site, cur in sorted(now.items()):
        old = before.get(site)
        if not old or cur["articles"] < min_articles or old["articles"] < min_articles:
            continue
        for name, share in sorted(cur["fields"].items()):
            was = old["fields"].get(name)
            if was is not None and was - share > points:
                problems.append({
                    "monitor": "coverage",
                    "message": f"{site}: {name} coverage fell from {was:.1f}% to {share:.1f}%",
                })
    return problems


def summary(manifest: dict[str, Any], run_dir: Path) -> str:
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
        f"  folder {run_dir}",
    ])
