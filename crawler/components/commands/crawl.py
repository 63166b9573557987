"""``scrapy crawl``, checking the spider's arguments and optional extras before it starts.

Scrapy builds the spider inside the running crawl, where a bad argument ends in a logged
traceback and exit status 0. This command asks the spider class first (its
``check_arguments`` classmethod) and checks that a distributed crawl (``REDIS_URL``) has its
extra installed: a problem is one line on stderr and exit status 2, nothing started.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from crawler.extras import MissingExtra, require


def refusal(spider_class: Any, spider_args: dict[str, Any], settings: Any) -> str | None:
    """Why a crawl cannot start with these arguments and settings, or None."""
    check = getattr(spider_class, "check_arguments", None)
    if check is not None:
        try:
            check(**spider_args)
        except ValueError as exc:
            return str(exc)
    if settings.get("REDIS_URL"):
        try:
            require("redis", "REDIS_URL (distributed crawling)")
        except MissingExtra as exc:
            return str(exc)
    return None


class Command(ScrapyCrawlCommand):
    """``scrapy crawl <spider>`` with a one-line refusal of bad arguments."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        """Check, then crawl as Scrapy does."""
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spider_class = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                spider_class = None
            problem = refusal(spider_class, dict(opts.spargs), self.settings)
            if problem:
                print(f"scrapy crawl {args[0]}: {problem}", file=sys.stderr)
                raise SystemExit(2)
        super().run(args, opts)
