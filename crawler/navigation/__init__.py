"""Where the crawl goes next: the spider and the one link policy.

Modules, one job each:

- ``spider``: :class:`~crawler.navigation.spider.SmnSpider` (``smn``): seeds from homes and
  feeds, dispatches each response (feed, article, hub), follows links and stops pagination.
- ``links``: the link policy: which links are followed (:class:`LinkPolicy`), which are refused
  and why (:func:`refusal_reason`, also the network guard's rule), and their priorities.
- ``feedlinks``: the article links of an RSS or Atom feed, parsed without resolving entities.

Extraction is not here (crawler.pages), nor is what was seen before (crawler.state).
"""
