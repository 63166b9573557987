"""The run's log: everything a scheduled run logs goes to its ``crawl.log`` (one file per run,
appended to by a resumed attempt), at ``LOG_LEVEL`` (INFO by default) in Scrapy's format.

The file holds the crawl's own log (requests, the one-line ``Failed <url>: <reason>`` entries,
Scrapy's stats dump) and, around it, the run's start and what the monitors found, so that one
file tells what happened. Nothing goes to the terminal: stdout has the summary, stderr the
problems (and, on a terminal, the progress line).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scrapy.settings import BaseSettings

logger = logging.getLogger("crawler.runs")


@contextmanager
def run_log(path: Path, settings: BaseSettings) -> Iterator[logging.Handler]:
    """Send the process's log to ``path`` while the block runs (the root logger's level is
    lowered to LOG_LEVEL for that time, and restored after)."""
    handler = logging.FileHandler(path, mode="a", encoding=settings.get("LOG_ENCODING"))
    handler.setFormatter(logging.Formatter(settings.get("LOG_FORMAT"),
                                           settings.get("LOG_DATEFORMAT")))
    handler.setLevel(settings.get("LOG_LEVEL"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(min(level, handler.level) if level else handler.level)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()
