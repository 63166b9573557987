"""The seed page: the one real spacewar.com page whose text is known, as mirror data.

The text (data/seed-article.txt, a copy of the shared seed) is parsed into a MirrorArticle so
that the mirror serves a page whose visible text matches the real page line for line.
"""

from __future__ import annotations

from importlib import resources

from crawler.mirror.model import MirrorArticle, RelatedBlock, RelatedItem
from crawler.sites import slugify_title

SEED_URL = (
    "https://www.spacewar.com/reports/"
    "NATO_chief_downplays_Kremlin_escalation_threat_after_US_Ukraine_shift_999.html"
)
SEED_IMAGE = "https://www.spxdaily.com/images-hg/nato-stoltenberg-prague-hg.jpg"


def seed_text() -> str:
    """The seed page's text as a reader sees it."""
    return (resources.files("crawler.mirror") / "data" / "seed-article.txt").read_text("utf-8")


def related_url(title: str) -> str:
    """Live address the mirror gives a headline of the seed's related blocks."""
    return f"https://www.spacewar.com/reports/{slugify_title(title)}_999.html"


def seed_article() -> MirrorArticle:
    """The seed page as mirror data, parsed from its text."""
    lines = [ln.rstrip() for ln in seed_text().splitlines()]
    section, title, byline, dateline = lines[1], lines[2], lines[4], lines[5]
    i = 6
    paragraphs: list[str] = []
    while lines[i] != "Related Links":
        if lines[i].strip():
            paragraphs.append(lines[i].strip())
        i += 1
    related_links = [("https://www.spacewar.com/index.html", lines[i + 1])]
    i = lines.index("The following news reports may link to other Space Media Network websites.")
    i += 1
    blocks: list[RelatedBlock] = []
    while i < len(lines):
        line = lines[i]
        if line == section:
            blocks.append(RelatedBlock(section))
        elif line.startswith("Subscribe Free"):
            break
        elif line.strip():
            block = blocks[-1]
            if block.items and block.items[-1].dateline and block.items[-1].teaser is None:
                teaser = line.removesuffix("... read more").rstrip()
                block.items[-1].teaser = teaser
            elif not blocks[0].items and len(blocks) == 1 and lines[i + 1].strip():
                block.items.append(RelatedItem(related_url(line), line, dateline=lines[i + 1]))
                i += 1
            else:
                block.items.append(RelatedItem(related_url(line), line))
        i += 1
    location, rest = dateline.split(" (", 1)
    agency = rest.split(")", 1)[0]
    return MirrorArticle(
        url=SEED_URL,
        site="spacewar.com",
        layout="classic",
        title=title,
        paragraphs=paragraphs,
        section=section,
        byline=byline,
        byline_clean=byline[3:],
        authors=[],
        dateline=dateline,
        location=location,
        agency=agency,
        published="2024-05-31",
        image_url=SEED_IMAGE,
        og_url=SEED_URL,
        related_links=related_links,
        related_blocks=blocks,
        story_id="seed",
    )
