"""Revisits of recent stories: edited stories become new revisions, removed ones are gone.

Every run but a backfill starts, beside its seeds, one conditional request per story published
within ``SMN_REFRESH_DAYS`` days of its host's newest story (:meth:`State.recent`), with the
ETag and Last-Modified the story's page was exported with. The answer decides:

* ``304 Not Modified``: nothing changed, nothing more is done (``revisits/unchanged``);
* ``200`` with the same headline and body (:func:`crawler.similarity.version_of`): the page
  changed around the story, not the story (``revisits/same_body``; the new validators are
  kept);
* ``200`` with another headline or body: a new **revision**, exported again with ``revision``
  one higher and ``previous_fingerprint``, the body fingerprint of the revision before
  (``revisits/revised``);
* ``404`` or ``410``: the story is **gone**: recorded in the state (no more revisits) and in the
  run's ``gone.jsonl`` (``revisits/gone``), which the export's changes file reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import scrapy

from crawler.navigation.links import ARTICLE_PRIORITY
from crawler.state.protocol import StoredStory

REVISIT = "smn_revisit"
"""Request meta key: the stored story a revisit request is for (url, fingerprint, revision)."""
ANSWERS = [304, 404, 410]
"""Statuses a revisit's callback takes (the others fail as usual)."""
GONE = (404, 410)


def today() -> str:
    """Today's UTC date, ISO: stories dated later are typos and never set a host's clock."""
    return dt.datetime.now(dt.UTC).date().isoformat()


def revisit_request(story: StoredStory, validators: tuple[str | None, str | None] | None,
                    callback: Callable[..., Any], errback: Callable[..., Any]) -> scrapy.Request:
    """The conditional request of a stored story.

    >>> from crawler.state.protocol import StoredStory
    >>> r = revisit_request(StoredStory("https://www.spacewar.com/reports/A_999.html",
    ...                                 "00ff00ff00ff00ff", None, 1, "2024-06-01", None),
    ...                     ('"abc"', None), print, print)
    >>> r.headers.get("If-None-Match"), r.meta["handle_httpstatus_list"], r.dont_filter
    (b'"abc"', [304, 404, 410], True)
    """
    headers: dict[str, str] = {}
    etag, last_modified = validators or (None, None)
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return scrapy.Request(
        story.url, callback=callback, errback=errback, headers=headers, dont_filter=True,
        priority=ARTICLE_PRIORITY,
        meta={REVISIT: {"url": story.url, "fingerprint": story.fingerprint,
                        "version": story.version, "revision": story.revision},
              "handle_httpstatus_list": ANSWERS},
    )  # fmt: skip


def header(response: Any, name: str) -> str | None:
    """A response header as text, or None.

    >>> from scrapy.http import Response
    >>> header(Response("https://x/", headers={"ETag": '"abc"'}), "ETag")
    '"abc"'
    """
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
