"""Scrapy add-on of the project: politeness towards the live sites (``SMN_POLITE``)."""

from __future__ import annotations

import logging

from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


class Politeness:
    """``SMN_POLITE=False`` switches off delays for a crawl of a loopback mirror, and only there.

    Politeness (robots.txt, Crawl-delay, AutoThrottle, a per-host concurrency limit) is the
    default. Benchmarks and the demo crawl a mirror that is ours and may turn it off; against
    the live sites (no ``MIRROR_URL``) the switch is refused with a warning.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        """Apply SMN_POLITE before components are built."""
        if settings.getbool("SMN_POLITE"):
            return
        if not settings.get("MIRROR_URL"):
            logger.warning("SMN_POLITE=False ignored: it only applies to a crawl of a mirror")
            settings.set("SMN_POLITE", True, priority="cmdline")  # wins over a -s option
            return
        # "spider" priority: above the project's polite defaults, below an explicit -s option.
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
        settings.set("DOWNLOAD_DELAY", 0, priority="spider")
        settings.set("DOWNLOAD_DELAY_JITTER", 0, priority="spider")
        concurrency = settings.getint("CONCURRENT_REQUESTS")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", concurrency, priority="spider")
