"""The dataset card ``README.md``: what the dataset holds, its fields, sources, licence note,
counts and chart. Everything in it comes from the inputs, so it is as reproducible as the data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crawler.export.canonical import __doc__ as CANONICAL_RULE
from crawler.export.writers import ALTERNATE_URLS_DESCRIPTION
from crawler.sites import COPYRIGHT_NOTICE

EXTRA_DESCRIPTIONS = {
    "word_count": "Number of words in body.",
    "language": "Two-letter language code of the text, e.g. 'en'.",
    "schema_version": "Version of the record's schema.",
}
"""Descriptions of the fields the schema leaves undescribed (from :mod:`crawler.items`)."""


def cell(text: Any) -> str:
    """Text fit for one Markdown table cell.

    >>> cell("a | b\\nc")
    'a \\\\| b c'
    """
    return " ".join(str(text).split()).replace("|", "\\|")


def type_of(spec: Mapping[str, Any]) -> str:
    """A schema property's type, short.

    >>> type_of({"type": ["string", "null"]}), type_of({"const": 1}), type_of({"enum": ["a"]})
    ('string or null', 'const 1', 'one of: a')
    >>> type_of({"type": "array", "items": {"type": "string"}})
    'array of string'
    """
    if "const" in spec:
        return f"const {spec['const']}"
    if "enum" in spec:
        return "one of: " + ", ".join(map(str, spec["enum"]))
    kind = spec.get("type", "any")
    text = " or ".join(kind) if isinstance(kind, list) else str(kind)
    if text == "array":
        text += " of " + str(spec.get("items", {}).get("type", "any"))
    return text


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def _counts(title: str, counts: Mapping[str, int]) -> list[str]:
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [f"### {title}", "", *_table((title.split()[-1], "articles"), rows), ""]


def render(schema: Mapping[str, Any], manifest: Mapping[str, Any], chart_name: str,
           year: str) -> str:
    """The card's Markdown text."""
    records = manifest["records"]
    merged = manifest["duplicates_merged"]
    span = manifest["published"]
    out = [
        "# Space Media Network news articles",
        "",
        f"{records['exported']} news articles from the Space Media Network sites (spacewar.com, "
        "spacedaily.com, terradaily.com and the other sites of the network), one record per "
        f"story, published {span['first'] or 'n/a'} to {span['last'] or 'n/a'}"
        f" ({span['undated']} undated). Each record is one page as the crawler extracted it: "
        "headline, dateline, byline, section, article text and links. Syndicated copies of a "
        "story (the same wire text on several sites) appear once, with their addresses in "
        "`alternate_urls`.",
        "",
        f"Built by `python -m crawler export` from {len(manifest['runs'])} crawl run(s). "
        f"{merged['addresses']} addresses were merged into other stories "
        f"({merged['records']} of them with a record of their own; "
        f"{merged['refetched']} older fetches of the same address were replaced by the newest). "
        f"Schema version {manifest['schema_version']}.",
        "",
        "## Files",
        "",
        *_table(("file", "bytes", "sha256"),
                [(f"`{name}`", f["bytes"], f"`{f['sha256']}`")
                 for name, f in manifest["files"].items() if name != "README.md"]),
        "",
        "`dataset.jsonl.gz` holds one JSON object per line, sorted by publication date then "
        "address (undated last); every object validates against the article schema "
        f"(`{schema.get('$id', '')}`). In `dataset.csv` lists and objects are JSON text and null "
        "is an empty cell; `dataset.parquet` keeps lists as lists. `manifest.json` lists the "
        "runs read, the counts and every file's sha256. `croissant.json` (Croissant 1.0) and "
        "`datapackage.json` (Frictionless Data Package) describe the files and their columns "
        "for the tools that read those formats; the YAML header of this card lets "
        "`datasets.load_dataset(<this folder>)` load the Parquet file (else the JSON Lines "
        "file) with no other argument.",
        "",
        "## Fields",
        "",
    ]
    props = dict(schema.get("properties", {}))
    required = set(schema.get("required", ()))
    rows = [(f"`{name}`", type_of(spec), "yes" if name in required else "no",
             spec.get("description") or EXTRA_DESCRIPTIONS.get(name, ""))
            for name, spec in props.items()]
    rows.append(("`alternate_urls`", "array of string", "yes", ALTERNATE_URLS_DESCRIPTION))
    out += [*_table(("field", "type", "always present", "description"), rows), ""]
    out += ["## How each story's record is chosen", "", (CANONICAL_RULE or "").strip(), "",
            "Records are grouped into stories by the crawls' duplicates files (each address "
            "that was a copy of another, followed transitively) and by equal `fingerprint`s "
            "across runs. An address fetched in several runs keeps its newest version (latest "
            "`crawled_at`).", ""]
    filters = manifest["filters"]
    active = {k: v for k, v in filters.items() if v}
    out += ["Filters: " + (", ".join(f"{k} = {v}" for k, v in active.items()) if active
                           else "none") + "; left out: "
            + (", ".join(f"{k} {n}" for k, n in manifest["filtered_out"].items() if n) or "none")
            + ".", ""]
    out += ["## Sources", "",
            "Pages of the Space Media Network sites (`https://www.<site>/...`), fetched by the "
            "`smn` Scrapy spider. Runs read:", ""]
    out += _table(("run", "finished", "articles lines", "duplicates lines", "rejects lines"),
                  [(r["id"], "yes" if r["finished"] else "**no** (unfinished)",
                    r["lines"].get("articles", 0), r["lines"].get("duplicates", 0),
                    r["lines"].get("rejects", 0)) for r in manifest["runs"]])
    out += ["", "## Licence and terms of use", "",
            "The articles are not the dataset builder's: they remain under the terms of the "
            "sites they come from. The sites' footer reads:", "",
            "> " + COPYRIGHT_NOTICE.format(year=year), "",
            "Use this dataset for research and news analysis within fair use; do not "
            "republish the article texts.", ""]
    counts = manifest["counts"]
    out += ["## Counts", "", f"![Articles per month per site]({chart_name})", "",
            f"`{chart_name}`: articles per month of publication, stacked by site.", ""]
    out += _counts("Articles per site", counts["site"])
    out += _counts("Articles per section", counts["section"])
    months = sorted(counts["month"].items(), key=lambda kv: (kv[0] == "undated", kv[0]))
    out += ["### Articles per month", "", *_table(("month", "articles"), months), ""]
    return "\n".join(out)
