"""The Space Media Network as data: its sites, hosts, feeds and URL forms of articles.

Only facts seen on the real sites are encoded here (see the site notes). Section index pages,
pagination and archives are *not* listed: the spider discovers them from links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Site:
    """One site of the network."""

    domain: str
    """Host without 'www.', e.g. 'spacewar.com'."""
    name: str
    """Name printed in the page header, e.g. 'Military Space News'."""

    @property
    def host(self) -> str:
        """The host the classic template is served from, e.g. 'www.spacewar.com'."""
        return "www." + self.domain

    @property
    def home_url(self) -> str:
        """The home page, e.g. 'https://www.spacewar.com/index.html'."""
        return f"https://{self.host}/index.html"

    @property
    def feed_url(self) -> str:
        """The site-wide RSS feed, e.g. 'https://www.spacewar.com/spacewar.xml'."""
        return f"https://{self.host}/{self.domain.split('.')[0]}.xml"


SITES: tuple[Site, ...] = (
    Site("spacewar.com", "Military Space News"),
    Site("spacedaily.com", "Space Daily"),
    Site("terradaily.com", "Earth Science News"),
    Site("energy-daily.com", "Energy Daily"),
    Site("marsdaily.com", "Mars Daily"),
    Site("moondaily.com", "Moon Daily"),
    Site("gpsdaily.com", "GPS Daily"),
    Site("solardaily.com", "Solar Energy News"),
    Site("winddaily.com", "Wind Daily"),
    Site("nuclearpowerdaily.com", "Nuclear Power Daily"),
    Site("space-travel.com", "Space Travel News"),
    Site("seeddaily.com", "Energy News"),
    Site("sinodaily.com", "Sino Daily"),
    Site("russodaily.com", "Russo Daily"),
    Site("indodaily.com", "IndoDaily Home Page"),
    Site("saturndaily.com", "Saturn Daily"),
    Site("spacemart.com", "Space Industry and Business News"),
    Site("skynightly.com", "Sky Nightly"),
    Site("robodaily.com", "Robo Daily"),
    Site("radardaily.com", "Radar Daily"),
    Site("biofueldaily.com", "Bio Fuel Daily"),
    Site("nanodaily.com", "Nano Daily"),
    Site("oilgasdaily.com", "Oil Gas Daily"),
    Site("interndaily.com", "Intern Daily"),
    Site("africadaily.net", "Earth Science News"),
)
"""Every site of the network, spacewar.com first. Names are the site-name lines seen on the
pages where one was seen (terradaily and africadaily.net both print 'Earth Science News')."""

SITES_BY_DOMAIN: dict[str, Site] = {s.domain: s for s in SITES}

WORDPRESS_DOMAINS: frozenset[str] = frozenset({"spacedaily.com", "terradaily.com"})
"""Sites that moved (2026) to a WordPress-style layout on the bare host, beside the classic one."""

IMAGE_HOST = "www.spxdaily.com"
"""The host that serves the images of every site."""

NETWORK_DOMAINS: frozenset[str] = frozenset(SITES_BY_DOMAIN) | {"spxdaily.com"}

COPYRIGHT_NOTICE = (
    "The content herein, unless otherwise known to be public domain, are Copyright 1995-{year} - "
    "Space Media Network. All websites are published in Australia and are solely subject to "
    "Australian law and governed by Fair Use principals for news reporting and research purposes. "
    "AFP, UPI and IANS news wire stories are copyright Agence France-Presse, United Press "
    "International and Indo-Asia News Service. ESA news reports are copyright European Space "
    "Agency. All NASA sourced material is public domain. Additional copyrights may apply in whole "
    "or part to other bona fide parties. All articles labeled \"by Staff Writers\" include reports "
    "supplied to Space Media Network by industry news wires, PR agencies, corporate press officers "
    "and the like. Such articles are individually curated and edited by Space Media Network staff "
    "on the basis of the report's information value to our industry and professional readership. "
    "Advertising does not imply endorsement, agreement or approval of any opinions, statements or "
    "information provided by Space Media Network on any Web page published or hosted by Space "
    "Media Network. General Data Protection Regulation (GDPR) Statement Our advertisers use "
    "various cookies and the like to deliver the best ad banner available at one time. All network "
    "advertising suppliers have GDPR policies (Legitimate Interest) that conform with EU "
    "regulations for data collection. By using our websites you consent to cookie based "
    "advertising. If you do not agree with this then you must stop using the websites from May 25, "
    "2018."
)
"""The copyright and privacy notice at the foot of every page of the network (seen in the
seed page's text; ``{year}`` is the year of the page)."""

# Article URL forms seen on the real sites.
ARTICLE_PATH_RE = re.compile(
    r"""^/(?:
        reports/[^/]+\.html            # /reports/Title_Words_999.html and /reports/Slug.html
      | news/[a-z0-9]+-\d\d[a-z]+\.html  # /news/spaceguard-99e.html (1999-2005)
      | afp/\d{12}\.[A-Za-z0-9]{8}\.html # spacewar's AFP wire pages
    )$""",
    re.X,
)
# The 2026 WordPress-style layout on the bare host: https://spacedaily.com/<slug>/
WORDPRESS_PATH_RE = re.compile(r"^/[a-z0-9]+(?:-[a-z0-9]+)+/$")


def domain_of(url_or_host: str) -> str:
    """The network domain of a URL or host: lower case, without 'www.' and port.

    >>> domain_of("https://www.SpaceWar.com/reports/X_999.html")
    'spacewar.com'
    >>> domain_of("spacedaily.com:443")
    'spacedaily.com'
    """
    host = urlsplit(url_or_host).hostname if "//" in url_or_host else url_or_host
    host = (host or "").lower().split(":")[0]
    return host[4:] if host.startswith("www.") else host


def looks_like_article_url(url: str) -> bool:
    """True when the URL has one of the article forms seen on the network.

    A hint for priorities only: pages are recognised as articles by their content.

    >>> looks_like_article_url("https://www.spacewar.com/reports/NATO_chief_999.html")
    True
    >>> looks_like_article_url("https://www.spacewar.com/afp/240531101010.abcd1234.html")
    True
    >>> looks_like_article_url("https://www.spacedaily.com/news/spaceguard-99e.html")
    True
    >>> looks_like_article_url("https://spacedaily.com/nasa-picks-new-rover/")
    True
    >>> looks_like_article_url("https://www.spacewar.com/index.html")
    False
    """
    path = urlsplit(url).path
    return bool(ARTICLE_PATH_RE.match(path) or WORDPRESS_PATH_RE.match(path))


def www_address(url: str) -> str:
    """The address of a classic page on its www host, when a bare network host served it.

    The bare hosts serve the same classic pages (seen: https://spacewar.com/reports/...): one
    page, one address. WordPress pages (bare host, /<slug>/) and other URLs stay as given.

    >>> www_address("https://spacewar.com/reports/X_999.html")
    'https://www.spacewar.com/reports/X_999.html'
    >>> www_address("https://terradaily.com/reports/Sudan_violence_999.html?x=1")
    'https://www.terradaily.com/reports/Sudan_violence_999.html?x=1'
    >>> www_address("https://spacedaily.com/nasa-picks-new-rover/")
    'https://spacedaily.com/nasa-picks-new-rover/'
    >>> www_address("https://example.com/reports/X.html")
    'https://example.com/reports/X.html'
    """
    scheme, sep, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    if (not sep or host.startswith("www.") or host.lower() not in NETWORK_DOMAINS
            or not ARTICLE_PATH_RE.match("/" + path.split("?", 1)[0].split("#", 1)[0])):
        return url
    return f"{scheme}://www.{host.lower()}{slash}{path}"


def slugify_title(title: str) -> str:
    """The classic slug of a title: quotes dropped, other runs of non-alphanumerics as one '_'.

    >>> slugify_title("NATO chief downplays Kremlin escalation threat after US Ukraine shift")
    'NATO_chief_downplays_Kremlin_escalation_threat_after_US_Ukraine_shift'
    >>> slugify_title("China expresses 'grave concern' over Israel's operations")
    'China_expresses_grave_concern_over_Israels_operations'
    """
    cleaned = re.sub(r"['\"\u2018\u2019\u201c\u201d]", "", title)
    return re.sub(r"[^A-Za-z0-9]+", "_", cleaned).strip("_")
