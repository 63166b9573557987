"""When is a page an article? Content criteria, shared by the extraction paths.

A page is **not an article** (the extractor returns None) when any of these holds:

* it has no title, or its title reads as an error page ('404', 'Not Found', 'Page not found',
  'Error', 'Forbidden', 'Access denied');
* its body has fewer than ``MIN_WORDS`` words -- 20 on a template or metadata page (the markup
  already says 'article'), 80 on the generic fallback -- unless the page prints a dateline:
  a headline, a dateline and a body of ``MIN_DATED_WORDS`` (8) words make an article (AFP
  briefs, old /news/ pages of three short paragraphs);
* on the fallback, fewer than ``MIN_PARAGRAPHS`` (2) paragraphs of at least
  ``MIN_PARAGRAPH_WORDS`` (8) words: a heading and a few links are no article;
* on the fallback, the page shows no sign of being a news item: no dateline and no byline in
  its first lines, no publication date or article type in its metadata (og:type article,
  article:published_time, JSON-LD datePublished, ``<time datetime>``), and its URL has none of
  the article forms seen on the network (crawler.sites.looks_like_article_url) -- so 'About',
  'Advertise' and similar pages with a few real paragraphs are no articles;
* on the fallback, the page is a link list: more than ``MAX_LINK_DENSITY`` (40%) of the words
  of its ``<body>`` are link text, or it has ``MAX_READ_MORE`` (3) or more 'read more' links
  (home and section hubs show teasers with 'read more');
* before the fallback, cheaply (:func:`is_hub`, so that hubs cost no trafilatura call): its
  ``<body>`` has fewer words than the fallback accepts, or it lists ``MIN_LISTING_ITEMS`` (3)
  or more ``<article>`` teasers and neither its address nor its og:url has an article form,
  or it shows no sign of a news item anywhere (the fallback's own last rule, read from every
  line of the page rather than from trafilatura's first lines, so that it rejects no page the
  fallback would keep);
* the response is a feed (RSS/Atom), declares a Content-Type that is not HTML, or is not text
  at all (the wrapper checks this).
"""

from __future__ import annotations

import re

MIN_WORDS = {"template": 20, "metadata": 20, "fallback": 80}
MIN_DATED_WORDS = 8
MIN_PARAGRAPHS = 2
MIN_PARAGRAPH_WORDS = 8
MAX_LINK_DENSITY = 0.4
MAX_READ_MORE = 3
MIN_LISTING_ITEMS = 3
"""``<article>`` elements from which a page with no article address is a listing of teasers."""

_ERROR_TITLE_RE = re.compile(
    r"^\W*(?:\d{3}\b|(?:page\s+)?not\s+found|error\b|forbidden|access\s+denied|"
    r"service\s+unavailable|bad\s+request)",
    re.I,
)


def is_error_title(title: str) -> bool:
    """True for a title that reads as an error page.

    >>> is_error_title("404 Not Found"), is_error_title("Page not found"), is_error_title("Error")
    (True, True, True)
    >>> is_error_title("Errors in satellite clocks fixed")
    False
    """
    return bool(_ERROR_TITLE_RE.match(title))


def is_article(title: str, paragraphs: list[str], path: str, dated: bool = False,
               words: int | None = None) -> bool:
    """True when a title and body make an article for the given extraction path; ``dated``:
    the page prints a dateline; ``words``: the number of words of ``paragraphs`` when the
    caller has counted them already (counted here otherwise).

    >>> long = "word " * 40
    >>> is_article("T", [long, long], "fallback")
    True
    >>> is_article("T", ["Home", "Archive", long], "fallback")
    False
    >>> is_article("T", ["a brief of one paragraph, six words " * 4], "template")
    True
    >>> is_article("404 Not Found", [long, long], "template")
    False
    >>> brief = ["The army said it hit two targets overnight."]
    >>> is_article("T", brief, "fallback"), is_article("T", brief, "fallback", dated=True)
    (False, True)
    >>> is_article("T", brief, "template", words=20)
    True
    """
    if not title or is_error_title(title):
        return False
    if words is None:
        words = sum(len(p.split()) for p in paragraphs)
    if dated:
        return words >= MIN_DATED_WORDS
    if words < MIN_WORDS[path]:
        return False
    if path == "fallback":
        full = [p for p in paragraphs if len(p.split()) >= MIN_PARAGRAPH_WORDS]
        return len(full) >= MIN_PARAGRAPHS
    return True


def is_link_list(body_words: int, link_words: int, read_more_links: int) -> bool:
    """True for a hub: dense links or several 'read more' teasers.

    >>> is_link_list(100, 60, 0), is_link_list(500, 40, 0), is_link_list(500, 40, 3)
    (True, False, True)
    """
    if read_more_links >= MAX_READ_MORE:
        return True
    return body_words > 0 and link_words / body_words > MAX_LINK_DENSITY


def is_hub(body_words: int, listing_items: int, article_address: bool,
           body_in_metadata: bool, news_sign: bool = True) -> bool:
    """True for a page that is no article, told before the fallback (no trafilatura call).

    * fewer words in its ``<body>`` than the fallback accepts (``MIN_WORDS["fallback"]``):
      about, privacy, newsletter, search and advertising pages -- unless a JSON-LD
      ``articleBody`` holds text outside the body;
    * ``MIN_LISTING_ITEMS`` (3) or more ``<article>`` elements on a page whose address (or
      og:url) has no article form: a listing of teasers (WordPress category pages, the bare
      hosts' home pages);
    * no ``news_sign``: no article address, no publication date or article type in the
      metadata, and no line of the page that reads as a dateline or a byline (advertising
      pages, the last page of a category with one or two teasers).

    >>> is_hub(40, 0, False, False), is_hub(40, 0, True, False), is_hub(40, 0, False, True)
    (True, True, False)
    >>> is_hub(900, 20, False, False), is_hub(900, 20, True, False), is_hub(900, 1, False, False)
    (True, False, False)
    >>> is_hub(900, 1, False, False, news_sign=False), is_hub(900, 1, True, False, news_sign=True)
    (True, False)
    """
    if body_in_metadata:
        return False
    if body_words < MIN_WORDS["fallback"] or not news_sign:
        return True
    return listing_items >= MIN_LISTING_ITEMS and not article_address
