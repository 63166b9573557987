"""The clean pipeline through a real Scrapy crawl: what reaches the articles file."""

from __future__ import annotations

from pathlib import Path

from crawler.fingerprint import fingerprint, word_count
from tests.pipeline_support import StoryGen, article, crawl_items


def test_item_cleaned_and_derived_fields_recomputed(tmp_path: Path) -> None:
    gen = StoryGen(11)
    paras = gen.body(320)
    title = "NATO chief downplays &#8216;threat&#8217;"
    raw_body = (
        "NATO chief downplays \u2018threat\u2019<p>"
        + "<p>".join(paras)
        + "<script>var ad = 1;</script><p>Tweet<p>Subscribe Free To Our Daily Newsletters"
    )
    item = article(
        "https://www.spacewar.com/reports/NATO_chief_999.html?utm_source=rss#top",
        title,
        [raw_body],
        byline="  AFP&nbsp;Staff\r\nWriters ",
        section="<b>WAR REPORT</b>",
        authors=["  Issam Ahmed ", ""],
        image_url="/images-hg/nato-hg.jpg",
        related_links=[{"url": "/reports/Other_999.html?fbclid=1", "title": " Space War News "}],
        related_articles=[
            {
                "url": "https://www.terradaily.com/reports/T_999.html#x",
                "title": "T &amp; U",
                "section": "WAR REPORT",
            },
            {"url": "", "title": "no address"},
        ],
        fingerprint="stale",
        word_count=1,
    )
    out = crawl_items([item], tmp_path)
    assert len(out.articles) == 1, out.rejects
    got = out.articles[0]
    assert got["url"] == "https://www.spacewar.com/reports/NATO_chief_999.html"
    assert got["title"] == "NATO chief downplays \u2018threat\u2019"
    assert got["body"] == "\n\n".join(paras)
    assert got["byline"] == "AFP Staff Writers"
    assert got["section"] == "WAR REPORT"
    assert got["authors"] == ["Issam Ahmed"]
    assert got["image_url"] == "https://www.spacewar.com/images-hg/nato-hg.jpg"
    assert got["related_links"] == [
        {"url": "https://www.spacewar.com/reports/Other_999.html", "title": "Space War News"}
    ]
    assert got["related_articles"] == [
        {
            "url": "https://www.terradaily.com/reports/T_999.html",
            "title": "T & U",
            "section": "WAR REPORT",
        }
    ]
    assert got["word_count"] == word_count(got["body"])
    assert got["fingerprint"] == fingerprint(got["body"])
    assert out.stats["articles/parsed"] == 1
    assert out.stats["articles/exported"] == 1
