"""The project's settings and the one way to run its spider in this process.

:func:`project_settings` reads the settings sheet (crawler.settings) by module name, so a crawl
started by the command line finds the ``smn`` spider from any working directory, with or
without a ``scrapy.cfg`` beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from scrapy.settings import Settings

if TYPE_CHECKING:
    from scrapy import Spider

SETTINGS_MODULE = "crawler.settings"


def project_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """Scrapy's defaults, then the settings sheet, then ``overrides`` (as ``-s`` options).

    >>> s = project_settings({"SMN_POLITE": False})
    >>> s.get("BOT_NAME"), s.getbool("SMN_POLITE"), s.getbool("ROBOTSTXT_OBEY")
    ('smn', False, True)
    """
    settings = Settings()
    settings.setmodule(SETTINGS_MODULE, priority="project")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def crawl_in_process(
    overrides: Mapping[str, Any], spider_args: Mapping[str, str] | None = None,
    spider: str | type[Spider] = "smn",
) -> dict[str, Any]:
    """Run the ``smn`` spider (or ``spider``: re-extraction's) in this process with the
    project's settings and ``overrides``; returns its stats when it has finished."""
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(project_settings(overrides))
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **dict(spider_args or {}))
    process.start()
    assert crawler.stats is not None
    return dict(crawler.stats.get_stats())
