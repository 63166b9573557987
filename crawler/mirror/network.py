"""Generate the network's articles one by one, each from ``(seed, index)`` and older articles only.

Article ``i`` is drawn from ``random.Random(f"{seed}/{i}")`` and may look back at articles
``j < i`` (related content, syndicated copies, follow-ups), never forward: so its page bytes do
not depend on the mirror's size, and a mirror grown from N to M articles keeps pages 0..N-1.

Indices 0..28 are the 29 stories the seed page's RELATED CONTENT links to, index 29 is the seed
page itself, later indices are generated stories.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from crawler.mirror import textgen
from crawler.mirror.model import MirrorArticle, RelatedBlock, RelatedItem
from crawler.mirror.sections import SECTIONS, news_label
from crawler.mirror.seed import related_url, seed_article
from crawler.mirror.syndication import WIRE, Harder, harder_story, shared_lead
from crawler.mirror.timeline import SEED_INDEX, afp_id, dateline_date, day_of, wp_time
from crawler.sites import IMAGE_HOST, SITES, SITES_BY_DOMAIN, slugify_title

WINDOW = 400
"""How far back related content, syndication and follow-ups look (keeps memory bounded)."""
WP_DOMAINS = ("spacedaily.com", "terradaily.com")
NOT_FOUND_URL = "https://www.spacewar.com/reports/This_Story_Was_Removed_999.html"
"""A dead link some related blocks carry (a fault: the server answers 404)."""

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


@dataclass
class Generated:
    """One generated article with its mirror-only facts."""

    article: MirrorArticle
    summary: Summary
    alias_url: str | None = None
    """Plain-slug address serving the same page (200)."""
    old_url: str | None = None
    """Old address answering 301 to the canonical one."""
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
        if site == "spacewar.com" and agency == "AFP" and rng.random() < 0.3:
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

    def _related(self, rng: random.Random, i: int, site: str) -> list[RelatedBlock]:
        blocks: list[RelatedBlock] = []
        for b in range(rng.randint(1, 7)):
            older = self._pick_older(rng, i, rng.randint(1, 4))
            if not older:
                break
            items = []
            for s in older:
                url = s.alias_url if s.alias_url and rng.random() < 0.3 else s.url
                items.append(RelatedItem(url, s.title))
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
        return Story(
            story_id=f"s{i}",
            title=title,
            paragraphs=paras,
            agency=None if dateless else agency,
            place=None if dateless else place,
            date_text=None if dateless else date_text,
            iso_date=None if dateless else day.isoformat(),
            byline=byline,
        )

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
            site = self._site(rng, story)
            layout = "classic"
            if site in WP_DOMAINS and rng.random() < 0.3:
                layout = "wordpress"
            elif rng.random() < 0.012 and source is None and not (hard and hard.duplicate):
                layout = "legacy"
        g = self._compose(rng, i, site, layout, story)
        g.copy_of, g.near_miss_of, g.harder = gen_copy_of, near_of, hard
        self._finish(g, story)
        if hard is not None and hard.original is not None:
            self.stories[i] = hard.original  # later copies copy the story, not this copy
        return g

    def _site(self, rng: random.Random, story: Story) -> str:
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
                     source.date_text, source.iso_date, source.byline, source.sites, source.urls,
                     source.indices)

    def _compose(self, rng: random.Random, i: int, site: str, layout: str,
                 story: Story) -> Generated:
        s = SITES_BY_DOMAIN[site]
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
        if i < SEED_INDEX:
            url = self._unique(related_url(title))
        else:
            url = self._url(rng, i, site, layout, title, story.agency, old_year)
        image = None
        if layout != "legacy" and rng.random() < 0.85:
            name = "-".join(hyphen_slug(title).split("-")[:3]) + f"-{rng.randrange(16**4):04x}"
            image = f"https://{IMAGE_HOST}/images-hg/{name}-hg.jpg"
        by_printed, by_clean, authors = story.byline
        a = MirrorArticle(
            url=url, site=site, layout=layout, title=title, paragraphs=paras,
            section=None if layout == "legacy" else rng.choice(SECTIONS[site]),
            byline=by_printed, byline_clean=by_clean, authors=list(authors),
            dateline=dateline, location=story.place if dateline else None,
            agency=story.agency if dateline else None, published=published,
            image_url=image, og_url=url, story_id=story.story_id,
        )
        if layout == "wordpress":
            a.dateline = a.location = a.agency = None
            a.published = wp_time(i, rng.randrange(6 * 60, 22 * 60))
            a.related_blocks = self._related(rng, i, site)
        elif layout == "classic":
            a.related_links = self._related_links(rng, i, site)
            a.related_blocks = self._related(rng, i, site)
            a.leading_p = rng.random() < 0.3
            r = rng.random()
            if r < 0.05 and i != 0:
                a.encoding = "cp1252"
            elif r < 0.07 and i != 0:
                _straighten(a)
                a.mojibake = not all(p.isascii() for p in a.paragraphs)
        g = Generated(a, self._summary(i, a))
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
        return g

    def _summary(self, i: int, a: MirrorArticle) -> Summary:
        return Summary(i, a.url, a.site, a.layout, a.title, a.section, a.dateline,
                       " ".join(a.paragraphs)[:600], a.image_url, a.published)

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
