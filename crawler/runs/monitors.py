"""The monitors that judge a run, from its manifest and the previous run's.

Spidermon's monitors run inside one crawl; the checks here compare a run with the previous one
(field coverage per site, and the share of a site's articles read by a layout of the network),
so they read manifests instead. Thresholds are settings (``SMN_MONITOR_*``, crawler.settings).
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings


def network_responses(manifest: dict[str, Any]) -> int:
    """Responses that came over the network: not robots.txt from the cache, not a cached page
    served because the request failed.

    >>> network_responses({"responses": 78, "requests_from_cache": 26, "recovered_from_cache": 52})
    0
    """
    return (int(manifest.get("responses") or 0) - int(manifest.get("requests_from_cache") or 0)
            - int(manifest.get("recovered_from_cache") or 0))


def check(
    manifest: dict[str, Any], previous: dict[str, Any] | None, settings: BaseSettings,
    baseline: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The problems of a run, most serious first; empty when it went well.

    ``baseline``: per site, the coverage to compare with (:func:`coverage_baseline`); by
    default the previous run's.
    """
    max_error_rate = settings.getfloat("SMN_MONITOR_MAX_ERROR_RATE")
    problems: list[dict[str, Any]] = []
    reason = str(manifest.get("finish_reason") or "none")
    if reason != "finished" and not reason.startswith("closespider_"):
        problems.append({"monitor": "finish_reason", "message": f"crawl ended: {reason}"})
    recovered = int(manifest.get("recovered_from_cache") or 0)
    if network_responses(manifest) <= 0 or (previous is None
                                             and not manifest["articles_exported"]):
        problems.append({"monitor": "nothing_found",
                         "message": f"{max(network_responses(manifest), 0)} responses from the "
                                    f"network, {manifest.get('articles_exported', 0)} articles"
                                    + (f" ({recovered} failed requests answered from the HTTP "
                                       "cache)" if recovered else "")})
    # Requests answered from the cache after a failure are not counted here: under load a hub
    # revalidation times out now and then, and the stored copy is what it would have said.
    errors = sum(manifest.get("errors", {}).values())
    requests = max(1, int(manifest.get("requests") or 0))
    if errors / requests > max_error_rate:
        problems.append({"monitor": "errors",
                         "message": f"{errors} failed requests of {requests} "
                                    f"(> {max_error_rate:.0%})"})
    before = baseline if baseline is not None else (previous or {}).get("coverage", {})
    problems += coverage_drops(
        manifest.get("coverage", {}), before,
        settings.getfloat("SMN_MONITOR_COVERAGE_DROP"),
        settings.getint("SMN_MONITOR_MIN_SITE_ARTICLES"),
    )
    problems += template_shifts(
        manifest.get("coverage", {}), before,
        settings.getfloat("SMN_MONITOR_TEMPLATE_SHARE_CHANGE"),
        settings.getint("SMN_MONITOR_MIN_SITE_ARTICLES"),
    )
    return problems


def template_share(site_coverage: dict[str, Any]) -> float | None:
    """Share (0-100) of a site's articles read by a layout of the network ('template').

    >>> template_share({"articles": 40, "extraction": {"template": 30, "fallback": 10}})
    75.0
    >>> template_share({"articles": 40, "fields": {}}) is None  # a manifest from before
    True
    """
    paths = site_coverage.get("extraction")
    n = site_coverage.get("articles") or 0
    if not isinstance(paths, dict) or not n:
        return None
    return round(100.0 * int(paths.get("template", 0)) / n, 2)


def template_shifts(
    now: dict[str, Any], before: dict[str, Any], points: float, min_articles: int
) -> list[dict[str, Any]]:
    """Sites whose share of articles read by a known layout moved by more than ``points``
    against the previous run: the site changed its layout (or a new one appeared).

    >>> before = {"a.com": {"articles": 50, "extraction": {"template": 50}}}
    >>> now = {"a.com": {"articles": 40, "extraction": {"template": 10, "fallback": 30}}}
    >>> [p["message"] for p in template_shifts(now, before, 20.0, 20)]
    ['a.com: share of articles read by a known layout changed from 100.0% to 25.0%']
    >>> template_shifts(now, before, 80.0, 20)
    []
    """
    problems = []
    for site, cur in sorted(now.items()):
        old = before.get(site)
        if not old or cur["articles"] < min_articles or old["articles"] < min_articles:
            continue
        was, share = template_share(old), template_share(cur)
        if was is not None and share is not None and abs(was - share) > points:
            problems.append({
                "monitor": "layout",
                "message": f"{site}: share of articles read by a known layout changed from "
                           f"{was:.1f}% to {share:.1f}%",
            })
    return problems


def coverage_baseline(earlier: list[dict[str, Any]], min_articles: int) -> dict[str, Any]:
    """Per site, the coverage of the latest earlier run with enough of its articles: a run that
    found few (incremental) or none (the site was down) does not hide a later layout change.

    ``earlier``: finished runs' manifests, oldest first.

    >>> runs = [{"run_id": "1", "coverage": {"a.com": {"articles": 30, "fields": {"x": 90}}}},
    ...         {"run_id": "2", "coverage": {"a.com": {"articles": 2, "fields": {"x": 0}}}}]
    >>> coverage_baseline(runs, 20)
    {'a.com': {'articles': 30, 'fields': {'x': 90}, 'run_id': '1'}}
    """
    baseline: dict[str, Any] = {}
    for manifest in earlier:
        for site, entry in (manifest.get("coverage") or {}).items():
            if entry.get("articles", 0) >= min_articles:
                baseline[site] = {**entry, "run_id": manifest.get("run_id")}
    return baseline


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
                since = f" (run {old['run_id']})" if old.get("run_id") else ""
                problems.append({
                    "monitor": "coverage",
                    "message": f"{site}: {name} coverage fell from {was:.1f}%{since} "
                               f"to {share:.1f}%",
                })
    return problems
