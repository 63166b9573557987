"""Generate the network's articles one by one, each from ``(seed, index)`` and older articles only.

Article ``i`` is drawn from ``random.Random(f"{seed}/{i}")`` and may look back at articles
``j < i`` (related content, syndicated copies, follow-ups), never forward: so its page bytes do
not depend on the mirror's size, and a mirror grown from N to M articles keeps pages 0..N-1.

Indices 0..28 are the 29 stories the seed page's RELATED CONTENT links to, index 29 is the seed
page itself, later indices are generated stories.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from crawler.mirror import markup, textgen, variety
from crawler.mirror.model import MirrorArticle, RelatedBlock, RelatedItem
from crawler.mirror.render_afp import BOX_TITLES
from crawler.mirror.sections import SECTIONS, WAR_LABELS, news_label
from crawler.mirror.seed import related_url, seed_article
from crawler.mirror.syndication import WIRE, Harder, harder_story, shared_lead
from crawler.mirror.timeline import (
    SEED_INDEX,
    afp_id,
    dateline_date,
    day_of,
    spacewar2026_day,
    wp_time,
)
from crawler.sites import IMAGE_HOST, SITES, SITES_BY_DOMAIN, slugify_title

WINDOW = 400
"""How far back related content, syndication and follow-ups look (keeps memory bounded)."""
WP_DOMAINS = ("spacedaily.com", "terradaily.com")
NOT_FOUND_URL = "https://www.spacewar.com/reports/This_Story_Was_Removed_999.html"
"""A dead link some related blocks carry (a fault: the server answers 404)."""

BARE_DOMAINS = ("spacewar.com", "terradaily.com", "spacedaily.com")
"""Sites whose bare host (https://spacewar.com/reports/...) was seen serving the classic pages."""
CROSS_POSTS = {"terradaily.com": "africadaily.net", "africadaily.net": "terradaily.com",
               "spacemart.com": "solardaily.com", "solardaily.com": "spacemart.com"}
"""Sites seen publishing each other's stories under the same slug."""
SPACEWAR2026_SHARE = 0.3
"""Share of fresh spacewar stories shown in the March 2026 layout."""
AFP_WIRE_SHARE = 0.6
"""Share of spacewar's AFP stories served as AFP wire pages (/afp/...)."""

_SITE_WEIGHTS = [20 if s.domain == "spacewar.com" else 14 if s.domain in WP_DOMAINS else 3
                 for s in SITES]
_OFF_NETWORK = (
    ("https://www.nasa.gov/", "NASA"),
    ("https://www.esa.int/", "European Space Agency"),
    ("https://www.nato.int/", "NATO"),
    ("https://www.noaa.gov/", "NOAA"),
    ("https://www.iaea.org/", "International Atomic Energy Agency"),
    ("https://www.jpl.nasa.gov/", "Jet Propulsion Laboratory"),
)
_TOPICS = ("spaceguard", "mars", "lunar", "launch", "gps", "missile", "climate", "solar", "iss")
_SEED_FIRST_PARAS = (
    "China expressed on Tuesday \"grave concern\" over Israel's military operations in Rafah, "
    "where an Israeli strike killed dozens in a displaced persons camp.",
    "China \"expresses its grave concern over the ongoing Israeli military operations in "
    "Rafah\", foreign ministry spokeswoman Mao Ning said.",
    "The UN Security Council is set to convene an emergency meeting Tuesday over Israel's "
    "operations in the southern Gaza border city.",
    "An Israeli attack targeting two senior Hamas members on Sunday night sparked a deadly fire "
    "in the camp, according to local officials.",
)


@dataclass
class Story:
    """The text of a story, shared by its syndicated copies."""

    story_id: str
    title: str
    paragraphs: list[str]
    agency: str | None
    place: str | None
    date_text: str | None
    iso_date: str | None
    byline: tuple[str | None, str | None, list[str]]
    appended: list[str] = field(default_factory=list)
    """Datelines of further stories appended inside the body."""
    sites: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)
    shares_lead: bool = False
    """Whether it opens with another story's lead (a follow-up or near miss): never a source
    of harder copies (crawler.mirror.syndication)."""


@dataclass
class Summary:
    """What hubs, feeds and later articles need to know of an article (kept for every index)."""

    index: int
    url: str
    site: str
    layout: str
    title: str
    section: str | None
    dateline: str | None
    text: str
    """The body's first ~600 characters (for teasers)."""
    image: str | None
    published: str | None = None
    alias_url: str | None = None
    old_url: str | None = None
    hub_section: str | None = None
    """Section whose index pages list the article (its label, or one of its site's for a page
    that prints none)."""
    bare_url: str | None = None
    """The same page on the bare host (https://spacewar.com/reports/...)."""


@dataclass
class Generated:
    """One generated article with its mirror-only facts."""

    article: MirrorArticle
    summary: Summary
    alias_url: str | None = None
    """Plain-slug address serving the same page (200)."""
    old_url: str | None = None
    """Old address answering 301 to the canonical one."""
    bare_url: str | None = None
    """The same page served on the bare host (200, same bytes)."""
    copy_of: int | None = None
    """Index of the article whose story this one syndicates."""
    near_miss_of: int | None = None
    """Index of the article this follow-up shares its opening with."""
    harder: Harder | None = None
    """A harder copy or near miss (crawler.mirror.syndication), when this page is one."""


def hyphen_slug(title: str) -> str:
    """WordPress slug: lower case, hyphens, quotes dropped.

    >>> hyphen_slug("NASA's rover 'clears' test")
    'nasas-rover-clears-test'
    """
    return slugify_title(title).lower().replace("_", "-")


def split_byline(byline: str | None) -> str | None:
    """Byline without the leading 'by'.

    >>> split_byline("By Issam AHMED"), split_byline("Staff Writers"), split_byline(None)
    ('Issam AHMED', 'Staff Writers', None)
    """
    if byline is None:
        return None
    return re.sub(r"^by\s+", "", byline, flags=re.I)


def normalize_name(name: str) -> str:
    """AFP-style capitals normalized: 'Issam AHMED' -> 'Issam Ahmed'.

    >>> normalize_name("Jos\u00e9 MART\u00cdNEZ")
    'Jos\u00e9 Mart\u00ednez'
    """
    return " ".join(w.capitalize() if w.isupper() and len(w) > 1 else w for w in name.split())


def make_byline(rng: random.Random, agency: str | None) -> tuple[str | None, str | None, list[str]]:
    """(byline as printed, without 'by', authors) in the network's styles."""
    r = rng.random()
    first, last = textgen.person(rng)
    if r < 0.05:
        return None, None, []
    if agency == "AFP":
        if r < 0.7:
            printed = "by AFP Staff Writers"
        else:
            printed = f"By {first} {last.upper()}"
            return printed, f"{first} {last.upper()}", [f"{first} {last}"]
    elif (agency == "UPI" and r < 0.6) or r < 0.3:
        printed = f"by {first} {last}"
        return printed, f"{first} {last}", [f"{first} {last}"]
    else:
        printed = rng.choice(("Staff Writers", "by Staff Writers", "by Staff Writers"))
    return printed, split_byline(printed), []


class NetworkGenerator:
    """Yields articles 0, 1, 2, ... of the network for one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.summaries: list[Summary] = []
        self.stories: dict[int, Story] = {}
        """Story of each recent index (pruned to WINDOW)."""
        self.used: set[str] = {NOT_FOUND_URL}
        self.turns: Counter[str] = Counter()
        """Pages of each layout generated so far (rare layouts take their markups in turn)."""
        self._seed_items = [i for b in seed_article().related_blocks for i in b.items]

    def reserve(self, url: str) -> None:
        """Keep a URL from being given to an article (fault addresses)."""
        self.used.add(url)

    # -- URLs ---------------------------------------------------------------------------------
    def _unique(self, url: str) -> str:
        if url not in self.used:
            self.used.add(url)
            return url
        stem, dot, ext = url.rpartition(".")
        if url.endswith("/"):
            stem, dot, ext = url[:-1], "", "/"
        k = 2
        while True:
            if stem.endswith("_999"):
                cand = f"{stem[:-4]}_{k}_999{dot}{ext}"
            elif "-" in stem.rsplit("/", 1)[-1] and url.endswith("/"):
                cand = f"{stem}-{k}{ext}"
            else:
                cand = f"{stem}{k}{dot}{ext}" if "/news/" in url else f"{stem}_{k}{dot}{ext}"
            if cand not in self.used:
                self.used.add(cand)
                return cand
            k += 1

    def _url(self, rng: random.Random, i: int, site: str, layout: str, title: str,
             agency: str | None, year: int | None) -> str:
        host = SITES_BY_DOMAIN[site].host
        if layout == "wordpress":
            return self._unique(f"https://{site}/{hyphen_slug(title)}/")
        if year is not None:
            topic = rng.choice(_TOPICS)
            letters = "".join(rng.choice("abcdefghij") for _ in range(rng.choice((1, 1, 2))))
            return self._unique(f"https://{host}/news/{topic}-{year % 100:02d}{letters}.html")
        if site == "spacewar.com" and agency == "AFP" and rng.random() < AFP_WIRE_SHARE:
            suffix = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8))
            ident = afp_id(day_of(i), rng.randrange(86400), suffix)
            return self._unique(f"https://{host}/afp/{ident}.html")
        slug_title = title if rng.random() > 0.06 else textgen.headline(rng)
        slug = slugify_title(slug_title)
        if rng.random() < 0.15:
            return self._unique(f"https://{host}/reports/{slug}.html")
        return self._unique(f"https://{host}/reports/{slug}_999.html")

    # -- related blocks ---------------------------------------------------------------------
    def _pick_older(self, rng: random.Random, i: int, count: int) -> list[Summary]:
        lo = max(0, i - WINDOW)
        picked: list[Summary] = []
        seen: set[int] = set()
        for _ in range(count * 3):
            if len(picked) == count or i == 0:
                break
            j = rng.randrange(lo, i)
            s = self.summaries[j]
            if j in seen or s.layout == "legacy":
                continue
            seen.add(j)
            picked.append(s)
        return picked

    def _related(self, rng: random.Random, i: int, site: str,
                 v: random.Random | None = None) -> list[RelatedBlock]:
        blocks: list[RelatedBlock] = []
        for b in range(rng.randint(1, 7)):
            older = self._pick_older(rng, i, rng.randint(1, 4))
            if not older:
                break
            items = []
            for s in older:
                url = s.alias_url if s.alias_url and rng.random() < 0.3 else s.url
                item = RelatedItem(url, s.title)
                if s.bare_url and url == s.url and v is not None and v.random() < 0.5:
                    item.href = s.bare_url  # one story, one address: the truth keeps www
                items.append(item)
            if b == 0:
                items[0].dateline = older[0].dateline
                items[0].teaser = textgen.teaser([older[0].text])
            if b == 1 and rng.random() < 0.03:
                items.append(RelatedItem(NOT_FOUND_URL, "Report withdrawn at publisher's request"))
            blocks.append(RelatedBlock(older[0].section or SECTIONS[site][0], items))
        return blocks

    def _related_links(self, rng: random.Random, i: int, site: str) -> list[tuple[str, str]]:
        s = SITES_BY_DOMAIN[site]
        links = [(s.home_url, news_label(s))]
        for _ in range(rng.choice((0, 0, 1, 2))):
            link = rng.choice(_OFF_NETWORK)
            if link not in links:
                links.append(link)
        if i > 0 and rng.random() < 0.15:
            older = self._pick_older(rng, i, 1)
            if older:
                links.append((older[0].url, older[0].title))
        return links[:3]

    # -- stories ---------------------------------------------------------------------------
    def _rng(self, i: int, what: str) -> random.Random:
        """A generator of its own for one kind of draws of article ``i`` ('story', 'page',
        'markup', 'boxes'), kept apart from the article's first generator so that adding a
        kind of variety does not move the draws of the others."""
        return random.Random(f"{self.seed}/{i}/{what}")

    def _fresh_story(self, rng: random.Random, i: int, title: str | None = None,
                     paras: list[str] | None = None) -> Story:
        r = rng.random()
        agency = ("AFP" if r < 0.35 else "SPX" if r < 0.65 else "UPI" if r < 0.8
                  else "JPL" if r < 0.86 else "IANS" if r < 0.9 else None)
        wire = agency == "AFP"
        title = title or textgen.headline(rng)
        if paras is None:
            paras = textgen.paragraphs(rng, rng.randint(4, 15), wire)
        place = textgen.place(rng)
        if agency == "AFP":
            place = place.split(",")[0]
        day = day_of(i)
        date_text = dateline_date(day, full_month=rng.random() < 0.3, pad=rng.random() < 0.8)
        byline = make_byline(rng, agency)
        if agency is None and rng.random() < 0.5:
            agency, place = "SPX", textgen.place(rng)
        dateless = agency is None
        story = Story(
            story_id=f"s{i}",
            title=title,
            paragraphs=paras,
            agency=None if dateless else agency,
            place=None if dateless else place,
            date_text=None if dateless else date_text,
            iso_date=None if dateless else day.isoformat(),
            byline=byline,
        )
        self._vary(self._rng(i, "story"), story, day)
        return story

    def _vary(self, v: random.Random, story: Story, day: dt.date) -> None:
        """Bylines, datelines and bodies as seen in real pages (see crawler.mirror.variety)."""
        afp = story.agency == "AFP"
        if afp and v.random() < 0.5:
            story.place = variety.afp_place(v)
        if afp and v.random() < 0.5:
            story.date_text = variety.afp_date(day)
        r = v.random()
        if afp and r < 0.06:
            story.byline = variety.team_byline(v)
        elif story.byline[2] and r < 0.4:
            story.byline = variety.persons_byline(v, afp)
        r = v.random()
        paras = story.paragraphs
        if afp and r < 0.07:
            story.paragraphs = variety.short_paragraphs(v, v.choice((2, 3)), wire=True)
        elif afp and r < 0.15 and len(paras) >= 4:
            extra, dateline = variety.appended_story(v, day)
            story.paragraphs = paras + extra
            story.appended = [dateline]
        elif story.agency in variety.SOURCES and r < 0.27:
            story.paragraphs = paras + [variety.SOURCES[story.agency]]
        if afp and len(story.paragraphs) >= 7 and v.random() < 0.4:
            story.paragraphs = variety.with_subheads(v, story.paragraphs)

    def _copy_source(self, rng: random.Random, i: int) -> Story | None:
        lo = max(SEED_INDEX + 1, i - 200)
        if i - lo < 5:
            return None
        for _ in range(6):
            story = self.stories.get(rng.randrange(lo, i))
            if (story and story.agency in WIRE and len(story.sites) < 3
                    and len(story.sites) == len(set(story.sites))):
                return story
        return None

    def _seed_related_story(self, rng: random.Random, i: int) -> Story:
        item = self._seed_items[i]
        story = self._fresh_story(rng, i, title=item.title)
        if i == 0:
            story.agency, story.place = "AFP", "Beijing"
            story.date_text, story.iso_date = "May 28, 2024", "2024-05-28"
            story.byline = ("by AFP Staff Writers", "AFP Staff Writers", [])
            story.paragraphs = list(_SEED_FIRST_PARAS) + story.paragraphs[:5]
        return story

    # -- one article -------------------------------------------------------------------------
    def article(self, i: int) -> Generated:
        """Generate article ``i``; articles 0..i-1 must have been generated already."""
        if i != len(self.summaries):
            raise ValueError(f"articles are generated in order: expected {len(self.summaries)}")
        if i == SEED_INDEX:
            a = seed_article()
            a.variants = markup.default_variants("classic")
            self.used.add(a.url)
            story = Story("seed", a.title, a.paragraphs, a.agency, a.location,
                          "May 31, 2024", a.published, (a.byline, a.byline_clean, a.authors))
            return self._finish(Generated(a, self._summary(i, a)), story)
        rng = random.Random(f"{self.seed}/{i}")
        gen_copy_of = near_of = None
        hard = None
        if i < SEED_INDEX:
            story = self._seed_related_story(rng, i)
            site, layout = "spacewar.com", "classic"
        else:
            r = rng.random()
            source = self._copy_source(rng, i) if r < 0.19 else None
            near = self._copy_source(rng, i) if 0.19 <= r < 0.22 else None
            if source is not None:
                story = self._copy(rng, source)
                gen_copy_of = source.indices[0]
            elif near is not None:
                fresh = self._fresh_story(rng, i)
                keep = shared_lead(near.paragraphs, rng.choice((1, 2)))
                fresh.paragraphs = keep + textgen.paragraphs(rng, rng.randint(6, 11), False)
                fresh.shares_lead = True
                story = fresh
                near_of = near.indices[0]
            else:
                story = self._fresh_story(rng, i)
                hard = harder_story(self, i, story)
                if hard is not None:
                    story = hard.story
            v = self._rng(i, "site")
            site = self._site(rng, story, v)
            layout = "classic"
            if site in WP_DOMAINS and rng.random() < 0.3:
                layout = "wordpress"
            elif rng.random() < 0.012 and source is None and not (hard and hard.duplicate):
                layout = "legacy"
            elif (site == "spacewar.com" and source is None and story.date_text
                  and story.byline[0] and v.random() < SPACEWAR2026_SHARE):
                # as seen: the headline, then a byline and a dateline apart
                layout = "spacewar2026"
        g = self._compose(rng, i, site, layout, story)
        g.copy_of, g.near_miss_of, g.harder = gen_copy_of, near_of, hard
        self._finish(g, story)
        if hard is not None and hard.original is not None:
            self.stories[i] = hard.original  # later copies copy the story, not this copy
        return g

    def _site(self, rng: random.Random, story: Story, v: random.Random) -> str:
        partner = CROSS_POSTS.get(story.sites[0]) if story.sites else None
        if partner and partner not in story.sites and v.random() < 0.6:
            return partner  # cross-posted under the same slug
        while True:
            site = rng.choices(SITES, weights=_SITE_WEIGHTS)[0].domain
            if site not in story.sites:
                return site

    def _copy(self, rng: random.Random, source: Story) -> Story:
        paras = list(source.paragraphs)
        title = source.title
        r = rng.random()
        if r < 0.1:
            title = rng.choice((f"{title}, officials say", f"UPDATE: {title}",
                                f"{title}: report"))
        elif r < 0.2 and len(paras) > 4:
            del paras[rng.randrange(1, len(paras))]
        elif r < 0.3:
            paras.append(textgen.paragraph(rng, source.agency == "AFP"))
        return Story(source.story_id, title, paras, source.agency, source.place,
                     source.date_text, source.iso_date, source.byline, source.appended,
                     source.sites, source.urls, source.indices)

    def _compose(self, rng: random.Random, i: int, site: str, layout: str,
                 story: Story) -> Generated:
        s = SITES_BY_DOMAIN[site]
        v = self._rng(i, "page")
        title, paras = story.title, list(story.paragraphs)
        dateline = published = None
        if layout == "legacy" and not story.date_text:
            story = Story(story.story_id, story.title, story.paragraphs, "SPX", textgen.place(rng),
                          dateline_date(day_of(i), False), day_of(i).isoformat(), story.byline)
        if story.date_text:
            dateline = f"{story.place} ({story.agency}) {story.date_text}"
            published = story.iso_date
        old_year = None
        if i > SEED_INDEX and (layout == "legacy" or (layout == "classic" and rng.random() < 0.01)):
            old_year = rng.randint(1999, 2005)
            if dateline:
                day = day_of(i).replace(year=old_year)
                date_text = dateline_date(day, rng.random() < 0.5)
                dateline = f"{story.place} ({story.agency}) {date_text}"
                published = day.isoformat()
            if not story.sites and v.random() < 0.5:  # old pages of three short paragraphs
                story.paragraphs = paras = variety.short_paragraphs(v, 3, story.agency == "AFP")
                story.appended = []
        if i < SEED_INDEX:
            url = self._unique(related_url(title))
        else:
            url = self._url(rng, i, site, layout, title, story.agency, old_year)
        if "/afp/" in url:
            layout = "afp"
        if layout == "spacewar2026" and story.date_text:
            day = spacewar2026_day(i)  # the story is fresh: its later copies keep this date
            story.date_text = (variety.afp_date(day) if story.agency == "AFP"
                               else dateline_date(day, False, pad=v.random() < 0.5))
            story.iso_date = published = day.isoformat()
            dateline = f"{story.place} ({story.agency}) {story.date_text}"
        if layout == "afp" and story.iso_date:
            dateline = variety.wire_dateline(story.place or "Paris", dt.date.fromisoformat(
                story.iso_date))
        image = None
        if layout != "legacy" and rng.random() < 0.85:
            name = "-".join(hyphen_slug(title).split("-")[:3]) + f"-{rng.randrange(16**4):04x}"
            image = f"https://{IMAGE_HOST}/images-hg/{name}-hg.jpg"
        by_printed, by_clean, authors = story.byline
        hub_section = None if layout == "legacy" else rng.choice(SECTIONS[site])
        shows_label = layout in ("classic", "wordpress")
        a = MirrorArticle(
            url=url, site=site, layout=layout, title=title, paragraphs=paras,
            section=hub_section if shows_label else None,
            byline=by_printed, byline_clean=by_clean, authors=list(authors),
            dateline=dateline, location=story.place if dateline else None,
            agency=story.agency if dateline else None, published=published,
            image_url=image, og_url=url, story_id=story.story_id,
            appended_datelines=[d for d in story.appended
                                if any(p.startswith(f"{d} - ") for p in paras)],
        )
        extra: dict[str, str] = {}
        if layout == "wordpress":
            a.dateline = a.location = a.agency = None
            a.published = wp_time(i, rng.randrange(6 * 60, 22 * 60))
            a.related_blocks = self._related(rng, i, site, v)
            if story.place and story.agency and v.random() < 0.35:
                # A dateline printed as the body's first line: it dates the story, not JSON-LD.
                day = dt.date.fromisoformat(a.published[:10])
                date_text = (variety.afp_date(day) if story.agency == "AFP"
                             else dateline_date(day, False))
                a.dateline = f"{story.place} ({story.agency}) {date_text}"
                a.posted = a.published
                a.location, a.agency, a.published = story.place, story.agency, day.isoformat()
            extra["dateline"] = "body" if a.dateline else markup.NONE
        elif layout in ("classic", "spacewar2026"):
            a.related_links = self._related_links(rng, i, site)
            if (a.section or hub_section) in WAR_LABELS:
                a.related_links[0] = (SITES_BY_DOMAIN["spacewar.com"].home_url, "Space War News")
            a.related_blocks = self._related(rng, i, site, v)
            a.leading_p = rng.random() < 0.3
            r = rng.random()
            if layout == "spacewar2026":
                a.leading_p = False
            elif r < 0.05 and i != 0:
                a.encoding = "cp1252"
            elif r < 0.07 and i != 0:
                _straighten(a)
                a.mojibake = not all(p.isascii() for p in a.paragraphs)
        elif layout == "afp":
            a.byline = a.byline_clean = a.image_url = None
            a.authors = []
            a.boxes = self._boxes(i)
        self._draw_markup(i, a, extra)
        g = Generated(a, self._summary(i, a, hub_section))
        if layout == "classic" and url.endswith("_999.html") and "/reports/" in url:
            r = rng.random()
            if r < 0.02:
                alias = url[: -len("_999.html")] + ".html"
                if alias not in self.used:
                    self.used.add(alias)
                    g.alias_url = g.summary.alias_url = alias
            elif r < 0.035:
                old = f"https://{s.host}/reports/{slugify_title(textgen.headline(rng))}_999.html"
                if old not in self.used:
                    self.used.add(old)
                    g.old_url = g.summary.old_url = old
        if (layout in ("classic", "spacewar2026") and site in BARE_DOMAINS
                and "/reports/" in url and not g.old_url and v.random() < 0.06):
            bare = url.replace("https://www.", "https://", 1)
            if bare not in self.used:
                self.used.add(bare)
                g.bare_url = g.summary.bare_url = bare
        return g

    def _draw_markup(self, i: int, a: MirrorArticle, extra: dict[str, str]) -> None:
        """The page's markup variants, and the caption and teasers they call for."""
        m = self._rng(i, "markup")
        turn = self.turns[a.layout]
        self.turns[a.layout] += 1
        a.variants = {**markup.draw(m, a, turn), **extra}
        if a.variants.get("caption") in ("illustration", "courtesy"):
            a.caption = variety.caption(m, a.variants["caption"])
        if a.variants.get("teasers") == "two":
            older = self._pick_older(m, i, 2)
            if len(older) == 2:
                a.teasers = [RelatedItem(o.url, o.title, teaser=textgen.teaser([o.text], 250))
                             for o in older]
            else:
                a.variants["teasers"] = markup.NONE

    def _boxes(self, i: int) -> list[RelatedBlock]:
        """The four boxes of headlines of an AFP wire page (older stories of any site)."""
        rng = self._rng(i, "boxes")
        return [RelatedBlock(title, [RelatedItem(o.url, o.title)
                                     for o in self._pick_older(rng, i, 3)])
                for title in BOX_TITLES]

    def _summary(self, i: int, a: MirrorArticle, hub_section: str | None = None) -> Summary:
        return Summary(i, a.url, a.site, a.layout, a.title, a.section, a.dateline,
                       " ".join(a.paragraphs)[:600], a.image_url, a.posted or a.published,
                       hub_section=a.section or hub_section)

    def _finish(self, g: Generated, story: Story) -> Generated:
        i = g.summary.index
        story.sites.append(g.article.site)
        story.urls.append(g.article.url)
        story.indices.append(i)
        self.summaries.append(g.summary)
        self.stories[i] = story
        self.stories.pop(i - WINDOW, None)
        return g


def _straighten(a: MirrorArticle) -> None:
    """Swap the right double quote, whose UTF-8 bytes windows-1252 cannot map, for single ones.

    Mojibake must stay repairable: U+201D is E2 80 9D and 0x9D is undefined in windows-1252.
    """

    def fix(t: str) -> str:
        return t.replace("\u201c", "\u2018").replace("\u201d", "\u2019")

    a.title = fix(a.title)
    a.paragraphs = [fix(p) for p in a.paragraphs]


def generate(seed: int, count: int) -> Iterator[Generated]:
    """Articles 0..count-1 of the network for ``seed``.

    >>> [g.article.url == h.article.url for g, h in zip(generate(7, 40), generate(7, 40))][-1]
    True
    """
    gen = NetworkGenerator(seed)
    for i in range(count):
        yield gen.article(i)
