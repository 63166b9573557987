"""The project's Scrapy plug-ins, grouped as Scrapy groups its own.

- ``addons``: :class:`Politeness` (``SMN_POLITE``; no option loosens politeness against the
  live sites) and :class:`DefaultFeed` (``SMN_DEFAULT_FEED`` when no feed was asked for).
- ``handlers``: the HTTP(S) download handler that fetches live addresses from ``MIRROR_URL``.
- ``downloadermiddlewares``: the network guard (refuses requests off the network, redirects
  included) and robots.txt ``Crawl-delay``.
- ``backoff``: the downloader middleware that pauses a host on 429/503 for its ``Retry-After``
  (or a growing backoff) and sends the request again.
- ``httpcache``: the HTTP-cache policy of incremental runs (hubs revalidated, robots.txt a day).
- ``dupefilter``: the compact request dupefilter (8 bytes a request).
- ``exportstorage``: the feed storage that writes every exported line at once (kill-safe).
- ``extensions``: the stats dump (``SMN_STATS_PATH``) and the live progress line
  (``SMN_PROGRESS``, crawler.progress).
- ``commands``: ``scrapy crawl`` refusing bad spider arguments and missing extras in one line.

Each is switched on in the settings sheet (crawler.settings) and off with ``NotConfigured``.
The distributed add-on and its components live in crawler.distributed.
"""
