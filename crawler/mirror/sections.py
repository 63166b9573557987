"""Invented section labels and the mirror's addresses of section pages, pages and feeds.

The real sites' section index pages and pagination were never seen: these names are guesses the
crawler must *discover* from links (it never hard-codes them).
"""

from __future__ import annotations

import re

from crawler.sites import SITES, Site

_KNOWN: dict[str, tuple[str, ...]] = {
    "spacewar.com": (
        "WAR REPORT", "MISSILE DEFENSE", "MILITARY SPACE", "NUKEWARS", "SUPERPOWERS", "DRONE WARS",
    ),
    "spacedaily.com": ("SPACE TRAVEL", "ROCKET SCIENCE", "TECH SPACE", "STELLAR CHEMISTRY"),
    "terradaily.com": (
        "EARTH OBSERVATION", "CLIMATE SCIENCE", "FARM NEWS", "WATER WORLD", "AFRICA NEWS",
    ),
    "africadaily.net": ("AFRICA NEWS",),
    "solardaily.com": ("SOLAR DAILY", "SOLAR SCIENCE"),
    "spacemart.com": ("SPACE MART", "WAR REPORT"),
    "space-travel.com": ("SPACE TRAVEL", "NUKEWARS"),
    "seeddaily.com": ("SEED DAILY", "WAR REPORT"),
    "indodaily.com": ("INDIA NEWS", "SUPERPOWERS"),
    "energy-daily.com": ("ENERGY TECH", "OIL AND GAS"),
    "marsdaily.com": ("MARS NEWS", "EXO WORLDS"),
    "gpsdaily.com": ("GPS NEWS", "SATNAV"),
}


WAR_LABELS = frozenset({
    "WAR REPORT", "MISSILE DEFENSE", "MILITARY SPACE", "NUKEWARS", "SUPERPOWERS", "DRONE WARS",
})
"""Labels of war stories, whose 'Related Links' entry is 'Space War News' on any site (seen)."""


def sections_of(site: Site) -> tuple[str, ...]:
    """Section labels of a site: known ones, else the site name and an industry page.

    >>> sections_of(SITES[0])[0]
    'WAR REPORT'
    >>> from crawler.sites import SITES_BY_DOMAIN
    >>> sections_of(SITES_BY_DOMAIN["interndaily.com"])
    ('INTERN DAILY', 'INTERN DAILY INDUSTRY')
    """
    return _KNOWN.get(site.domain, (site.name.upper(), site.name.upper() + " INDUSTRY"))


SECTIONS: dict[str, tuple[str, ...]] = {s.domain: sections_of(s) for s in SITES}
"""Section labels per network domain."""


def page_name(label: str) -> str:
    """File stem of a section's pages: the label in title case with underscores.

    >>> page_name("WAR REPORT")
    'War_Report'
    >>> page_name("OIL AND GAS")
    'Oil_And_Gas'
    """
    return "_".join(w.capitalize() for w in re.findall(r"[A-Za-z0-9]+", label))


def section_path(label: str, page: int = 1) -> str:
    """Path of page ``page`` of a classic section index: '/War_Report.html', then '-p2' etc.

    >>> section_path("WAR REPORT"), section_path("WAR REPORT", 3)
    ('/War_Report.html', '/War_Report-p3.html')
    """
    stem = page_name(label)
    return f"/{stem}.html" if page == 1 else f"/{stem}-p{page}.html"


def section_feed_path(label: str) -> str:
    """Path of a section's RSS feed, in the style of the seen '/Military_Technology.xml'.

    >>> section_feed_path("MISSILE DEFENSE")
    '/Missile_Defense.xml'
    """
    return f"/{page_name(label)}.xml"


def category_slug(label: str) -> str:
    """WordPress category slug of a label.

    >>> category_slug("SPACE TRAVEL")
    'space-travel'
    """
    return "-".join(w.lower() for w in re.findall(r"[A-Za-z0-9]+", label))


def category_path(label: str, page: int = 1) -> str:
    """Path of a WordPress category page.

    >>> category_path("TECH SPACE"), category_path("TECH SPACE", 2)
    ('/category/tech-space/', '/category/tech-space/page/2/')
    """
    base = f"/category/{category_slug(label)}/"
    return base if page == 1 else f"{base}page/{page}/"


def news_label(site: Site) -> str:
    """Text of the 'Related Links' entry pointing at a site's home page.

    >>> news_label(SITES[0]), news_label(SITES[1]), news_label(SITES[2])
    ('Space War News', 'Space Daily News', 'Earth Science News')
    """
    if site.domain == "spacewar.com":
        return "Space War News"
    return site.name if site.name.endswith("News") else f"{site.name} News"
