"""HTTP cache policy for incremental runs: hubs revalidated every run, robots.txt kept a day.

Hubs (home, section and pagination pages, feeds) are stored with their ETag and
Last-Modified and always revalidated, so an unchanged hub costs a 304 and comes back to the
spider flagged ``cached``. robots.txt is reused for 24 hours without a request (RFC 9309 allows
a day). Article pages are never stored: the persistent state already knows them.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.extensions.httpcache import RFC2616Policy, rfc1123_to_epoch
from scrapy.http import Response

ROBOTS_MAX_AGE = 24 * 3600


def is_robots(request: Request) -> bool:
    """True for a robots.txt request."""
    return urlsplit(request.url).path == "/robots.txt"


class HubCachePolicy(RFC2616Policy):
    """Cache hubs and robots.txt only; revalidate hubs on every run."""

    def should_cache_request(self, request: Request) -> bool:
        """Only hubs (meta ``smn_hub``) and robots.txt are cached."""
        if not (request.meta.get("smn_hub") or is_robots(request)):
            return False
        return super().should_cache_request(request)

    def should_cache_response(self, response: Response, request: Request) -> bool:
        """Only complete 200 answers are stored."""
        return response.status == 200 and super().should_cache_response(response, request)

    def is_cached_response_valid(self, cachedresponse: Response, response: Response,
                                 request: Request) -> bool:
        """A 429 or 503 is the site asking to wait, not an error to cover with the stored copy:
        it goes on to the backoff middleware (crawler.components.backoff)."""
        if response.status in (429, 503):
            return False
        return super().is_cached_response_valid(cachedresponse, response, request)

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        """robots.txt: fresh for a day; hubs: never (a conditional request goes out)."""
        if is_robots(request):
            stored = rfc1123_to_epoch(cachedresponse.headers.get(b"Date")) or 0
            if time.time() - stored < ROBOTS_MAX_AGE:
                return True
        self._set_conditional_validators(request, cachedresponse)
        return False
