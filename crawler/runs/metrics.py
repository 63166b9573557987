"""The runs' metrics as a Prometheus text file, for node_exporter's textfile collector.

Each scheduled run ends by rewriting one file (``SMN_METRICS_PATH``, by default
``<output>/metrics/smn.prom``) from the manifests of every run of the job, so the file is a pure
function of the run folders:

- counters (``*_total``), summed over every ended run: runs by exit status, articles exported per
  site, duplicates, rejects, requests, responses by HTTP status, failed requests, retries;
- gauges of the latest ended run: its duration, exit status, end time, articles per site and
  number of problems.

Labels are ``site`` (a domain of the network) and ``status`` (a run's exit status name or an
HTTP status code) only: never an address, so the number of series stays bounded. The file is
written to a temporary name and renamed (prometheus_client's ``write_to_textfile``), so the
collector never reads half a file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, write_to_textfile
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from crawler.runs.folder import is_finished
from crawler.runs.status import status_name

FILE_NAME = "smn.prom"
"""The file's name under ``<output>/metrics/`` when SMN_METRICS_PATH is empty."""


def timestamp(text: str | None) -> float | None:
    """Seconds since the epoch of a manifest time ('2026-11-25T12:00:00Z').

    >>> timestamp("1970-01-01T00:01:40Z"), timestamp(None), timestamp("soon")
    (100.0, None, None)
    """
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def run_duration(manifest: Mapping[str, Any]) -> float | None:
    """Wall-clock seconds from the run's start to its end (all attempts of a resumed run).

    >>> run_duration({"started_at": "2026-01-01T00:00:00Z", "finished_at": "2026-01-01T00:02:05Z"})
    125.0
    """
    start, end = timestamp(manifest.get("started_at")), timestamp(manifest.get("finished_at"))
    return None if start is None or end is None else end - start


def site_articles(manifest: Mapping[str, Any]) -> dict[str, int]:
    """Articles exported per site by one run (from the manifest's coverage).

    >>> site_articles({"coverage": {"b.com": {"articles": 2}, "a.com": {"articles": 5}}})
    {'a.com': 5, 'b.com': 2}
    """
    coverage = manifest.get("coverage") or {}
    return {site: int(entry.get("articles", 0)) for site, entry in sorted(coverage.items())}


def ended(manifests: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The manifests of runs that ended (a killed run still says 'running')."""
    return [m for m in manifests if is_finished(dict(m))]


class RunsCollector(Collector):
    """The metric families of a job's runs, from their manifests (oldest first)."""

    def __init__(self, manifests: Sequence[Mapping[str, Any]]) -> None:
        self.manifests = ended(manifests)

    def collect(self) -> Iterator[Metric]:
        """Counters over every ended run, then gauges of the latest one."""
        yield from self._counters()
        if self.manifests:
            yield from self._latest(self.manifests[-1])

    def sites(self) -> list[str]:
        """Every site any run exported an article of."""
        return sorted({site for m in self.manifests for site in site_articles(m)})

    def _counters(self) -> Iterator[Metric]:
        runs = CounterMetricFamily("smn_runs", "Scheduled runs that ended, by exit status.",
                                   labels=["status"])
        for name, n in sorted(Counter(status_name(m.get("exit_status"))
                                      for m in self.manifests).items()):
            runs.add_metric([name], n)
        yield runs
        articles = CounterMetricFamily("smn_articles_exported",
                                       "Articles exported, by site.", labels=["site"])
        per_site: Counter[str] = Counter()
        for manifest in self.manifests:
            per_site.update(site_articles(manifest))
        for site, n in sorted(per_site.items()):
            articles.add_metric([site], n)
        yield articles
        responses = CounterMetricFamily("smn_responses",
                                        "Responses received, by HTTP status.", labels=["status"])
        per_status: Counter[str] = Counter()
        for manifest in self.manifests:
            per_status.update({str(k): int(v)
                               for k, v in (manifest.get("status_counts") or {}).items()})
        for code, n in sorted(per_status.items()):
            responses.add_metric([code], n)
        yield responses
        for name, doc, value in (
            ("smn_duplicates", "Articles recorded as duplicates (same address or syndicated).",
             lambda m: m.get("duplicates", 0)),
            ("smn_rejects", "Articles rejected by validation.", lambda m: m.get("rejects", 0)),
            ("smn_requests", "Requests sent over the network (HTTP cache hits excluded).",
             lambda m: m.get("requests", 0)),
            ("smn_request_errors", "Requests that failed for good (after retries).",
             lambda m: sum((m.get("errors") or {}).values())),
            ("smn_requests_recovered_from_cache", "Requests that failed on the network and "
             "were answered from the HTTP cache instead.",
             lambda m: m.get("recovered_from_cache", 0)),
            ("smn_retries", "Requests retried.", lambda m: m.get("retries", 0)),
        ):
            yield CounterMetricFamily(name, doc,
                                      value=sum(float(value(m) or 0) for m in self.manifests))

    def _latest(self, manifest: Mapping[str, Any]) -> Iterator[Metric]:
        duration = run_duration(manifest)
        if duration is not None:
            yield GaugeMetricFamily("smn_run_duration_seconds",
                                    "Wall-clock duration of the latest run (all its attempts).",
                                    value=duration)
        finished = timestamp(manifest.get("finished_at"))
        if finished is not None:
            yield GaugeMetricFamily("smn_run_finished_timestamp_seconds",
                                    "When the latest run ended, seconds since the epoch.",
                                    value=finished)
        code = manifest.get("exit_status")
        if code is not None:
            yield GaugeMetricFamily("smn_run_exit_status",
                                    "Exit status of the latest run (0 ok, 1 failed, "
                                    "3 nothing found, 4 monitor tripped).", value=int(code))
        yield GaugeMetricFamily("smn_run_problems",
                                "Problems the monitors found in the latest run.",
                                value=len(manifest.get("problems") or []))
        latest = GaugeMetricFamily("smn_run_articles_exported",
                                   "Articles exported by the latest run, by site.",
                                   labels=["site"])
        counts = site_articles(manifest)
        for site in self.sites():  # 0 for a site the latest run found nothing on
            latest.add_metric([site], counts.get(site, 0))
        yield latest


def registry_of(manifests: Sequence[Mapping[str, Any]]) -> CollectorRegistry:
    """A registry holding the runs' metrics (nothing of this process)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RunsCollector(manifests))
    return registry


def metrics_path(configured: str, output: Path) -> Path:
    """Where the metrics file goes: the setting, else ``<output>/metrics/smn.prom``.

    >>> metrics_path("", Path("/srv/data")).as_posix(), metrics_path("/m/x.prom", Path("o"))
    ('/srv/data/metrics/smn.prom', PosixPath('/m/x.prom'))
    """
    return Path(configured) if configured else output / "metrics" / FILE_NAME


def write_metrics(path: Path, manifests: Sequence[Mapping[str, Any]]) -> Path:
    """Write the Prometheus text file of the runs atomically (temp file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry_of(manifests))
    return path
