"""Scrapy add-on of the project: politeness towards the live sites (``SMN_POLITE``)."""

from __future__ import annotations

import logging

from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

logger = logging.getLogger(__name__)


LIVE_COMPONENTS = (
    ("DOWNLOADER_MIDDLEWARES", "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware", 100),
    ("DOWNLOADER_MIDDLEWARES",
     "crawler.components.downloadermiddlewares.CrawlDelayMiddleware", 110),
    ("EXTENSIONS", "scrapy.extensions.throttle.AutoThrottle", 0),
)
"""Components that politeness needs: robots.txt, its Crawl-delay and AutoThrottle."""


def live_floors() -> dict[str, tuple[str, object]]:
    """The politeness floor of a crawl of the live sites: per setting, the rule ('min', 'max'
    or 'is') and the settings sheet's default it may not go past."""
    from crawler import settings as sheet

    return {
        "ROBOTSTXT_OBEY": ("is", True),
        "AUTOTHROTTLE_ENABLED": ("is", True),
        "DOWNLOAD_DELAY": ("min", sheet.DOWNLOAD_DELAY),
        "SMN_MAX_CRAWL_DELAY": ("min", sheet.SMN_MAX_CRAWL_DELAY),
        "CONCURRENT_REQUESTS_PER_DOMAIN": ("max", sheet.CONCURRENT_REQUESTS_PER_DOMAIN),
    }


def reaches_network(settings: BaseSettings) -> bool:
    """Whether the crawl's http(s) download handlers fetch from the network: Scrapy's and the
    project's do; a handler whose class says ``reaches_network = False`` (the replay of WARC
    captures in a re-extraction) does not.

    >>> from scrapy.settings import Settings
    >>> reaches_network(Settings())
    True
    >>> reaches_network(Settings({"DOWNLOAD_HANDLERS": {
    ...     "http": "crawler.capture.replay.WarcReplayHandler",
    ...     "https": "crawler.capture.replay.WarcReplayHandler"}}))
    False
    """
    handlers = settings.getwithbase("DOWNLOAD_HANDLERS")
    for scheme in ("http", "https"):
        handler = handlers.get(scheme)
        if handler is None:
            return True
        cls = load_object(handler) if isinstance(handler, str) else handler
        if getattr(cls, "reaches_network", True):
            return True
    return False


def enforce_live_politeness(settings: BaseSettings) -> list[str]:
    """Bring every politeness setting back to the project's floor; returns what was changed.

    Stricter values (a longer delay, fewer requests per host) are kept.

    >>> from scrapy.settings import Settings
    >>> s = Settings({"DOWNLOAD_DELAY": 0, "ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": True,
    ...               "SMN_MAX_CRAWL_DELAY": 60, "CONCURRENT_REQUESTS_PER_DOMAIN": 1})
    >>> enforce_live_politeness(s)[:2]
    ['ROBOTSTXT_OBEY=False -> True', 'DOWNLOAD_DELAY=0 -> 0.5']
    >>> s.getfloat("DOWNLOAD_DELAY"), s.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
    (0.5, 1)
    """
    from scrapy.utils.misc import load_object

    changed = []
    for name, (rule, floor) in live_floors().items():
        raw = settings.get(name)
        if rule == "is":
            value: object = settings.getbool(name)
            ok = value == floor
        else:
            value = settings.getfloat(name)
            ok = value >= floor if rule == "min" else 0 < value <= floor  # type: ignore[operator]
        if not ok:
            settings.set(name, floor, priority="cmdline")  # wins over a -s option
            changed.append(f"{name}={raw} -> {floor}")
    for setting, path, order in LIVE_COMPONENTS:
        components = settings.getdict(setting)
        if components.get(path, order) is None or any(
            v is None and isinstance(k, type) and f"{k.__module__}.{k.__qualname__}" == path
            for k, v in components.items()
        ):
            settings.set_in_component_priority_dict(setting, load_object(path), order)
            changed.append(f"{setting}[{path}]=None -> {order}")
    return changed


class Politeness:
    """Politeness towards the live sites, which no setting can switch off; ``SMN_POLITE=False``
    switches off delays for a crawl of a loopback mirror, and only there.

    Politeness (robots.txt, Crawl-delay, AutoThrottle, a per-host concurrency limit, a minimum
    delay) is the default. Benchmarks and the demo crawl a mirror that is ours and may turn it
    off; against the live sites (no ``MIRROR_URL``) the switch is refused, and so is any
    setting that would loosen politeness (``ROBOTSTXT_OBEY=False``, ``DOWNLOAD_DELAY=0``, ...):
    each is set back to the settings sheet's value with a warning. A crawl whose download
    handlers never reach the network (:func:`reaches_network`: a re-extraction replaying WARC
    captures) has no site to spare and runs at full speed.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        """Apply SMN_POLITE, and the live sites' floor, before components are built."""
        live = not settings.get("MIRROR_URL") and reaches_network(settings)
        if live:
            for change in enforce_live_politeness(settings):
                logger.warning("Politeness towards the live sites: %s (only a crawl of a "
                               "mirror, MIRROR_URL, may change it)", change)
        if settings.getbool("SMN_POLITE"):
            return
        if live:
            logger.warning("SMN_POLITE=False ignored: it only applies to a crawl of a mirror")
            settings.set("SMN_POLITE", True, priority="cmdline")  # wins over a -s option
            return
        # "spider" priority: above the project's polite defaults, below an explicit -s option.
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
        settings.set("DOWNLOAD_DELAY", 0, priority="spider")
        settings.set("DOWNLOAD_DELAY_JITTER", 0, priority="spider")
        concurrency = settings.getint("CONCURRENT_REQUESTS")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", concurrency, priority="spider")


class DefaultFeed:
    """A crawl given no feed writes its articles to ``SMN_DEFAULT_FEED`` (JSON Lines).

    Scrapy merges the ``FEEDS`` of every settings level, so a default feed declared in the
    settings sheet would be written beside a ``-O`` file; an add-on sees the final settings and
    adds the default only when no feed was asked for.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        """Add the default feed when FEEDS is empty."""
        uri = settings.get("SMN_DEFAULT_FEED")
        if uri and not settings.getdict("FEEDS"):
            settings.set("FEEDS", {uri: {"format": "jsonlines", "encoding": "utf-8"}},
                         priority="addon")
