"""Machine-readable descriptions of an export, for the tools people load datasets with:

- ``croissant.json``: Croissant 1.0 (MLCommons; JSON-LD on schema.org) with every file and one
  record set ``articles`` whose fields read the CSV file (or the Parquet file);
- ``datapackage.json``: a Frictionless Data Package with the CSV and Parquet files as tabular
  resources and a Table Schema derived from the article schema;
- the Hugging Face YAML front matter of the dataset card (language, licence, size category and
  a ``configs`` entry for the Parquet file, else the JSON Lines file, so that
  ``datasets.load_dataset(folder)`` needs no other argument).

All three come from the article schema and the export's manifest, so they are as reproducible
as the data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from crawler.export.writers import ALTERNATE_URLS_DESCRIPTION, FILE_NAMES

CROISSANT = "croissant.json"
DATAPACKAGE = "datapackage.json"
TITLE = "Space Media Network news articles"
NAME = "smn-news-articles"
LICENSE_NAME = "smn-sites-terms"
"""The articles stay under their sites' terms (see the card's licence section)."""
RECORD_SET = "articles"

MEDIA_TYPES = {"jsonl": "application/jsonlines", "csv": "text/csv",
               "parquet": "application/x-parquet"}
"""Croissant encodingFormat of each data file (the JSON Lines file is gzip-compressed)."""
HF_CONFIG_ORDER = ("parquet", "jsonl")
"""The Hugging Face config reads the first of these formats that was written."""

CROISSANT_CONTEXT: dict[str, Any] = {
    "@language": "en", "@vocab": "https://schema.org/", "citeAs": "cr:citeAs",
    "column": "cr:column", "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"}, "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"}, "extract": "cr:extract",
    "field": "cr:field", "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath", "key": "cr:key",
    "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path",
    "recordSet": "cr:recordSet", "references": "cr:references", "regex": "cr:regex",
    "repeated": "cr:repeated", "replace": "cr:replace", "sc": "https://schema.org/",
    "separator": "cr:separator", "source": "cr:source", "subField": "cr:subField",
    "transform": "cr:transform", "equivalentProperty": "cr:equivalentProperty",
    "samplingRate": "cr:samplingRate",
}
"""The standard Croissant 1.0 JSON-LD context."""


def size_category(n: int) -> str:
    """The Hugging Face ``size_categories`` bucket of a record count.

    >>> size_category(999), size_category(1000), size_category(25_000), size_category(10**7)
    ('n<1K', '1K<n<10K', '10K<n<100K', '10M<n<100M')
    """
    bounds = ((10**3, "n<1K"), (10**4, "1K<n<10K"), (10**5, "10K<n<100K"),
              (10**6, "100K<n<1M"), (10**7, "1M<n<10M"), (10**8, "10M<n<100M"),
              (10**9, "100M<n<1B"))
    for bound, name in bounds:
        if n < bound:
            return name
    return "n>1T" if n > 10**12 else "1B<n<10B"


def kinds(spec: Mapping[str, Any]) -> set[str]:
    """The JSON types a schema property allows.

    >>> sorted(kinds({"type": ["string", "null"]})), sorted(kinds({"const": 1}))
    (['null', 'string'], ['integer'])
    """
    if "const" in spec:
        return {"integer" if isinstance(spec["const"], int) else "string"}
    kind = spec.get("type", "string")
    return set(kind) if isinstance(kind, list) else {kind}


def columns(schema: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The dataset's columns in file order: the schema's properties, then alternate_urls."""
    props = [(name, dict(spec)) for name, spec in schema.get("properties", {}).items()]
    props.append(("alternate_urls", {"type": "array", "items": {"type": "string"},
                                     "description": ALTERNATE_URLS_DESCRIPTION}))
    return props


def _description(name: str, spec: Mapping[str, Any]) -> str:
    from crawler.export.card import EXTRA_DESCRIPTIONS

    text = str(spec.get("description") or EXTRA_DESCRIPTIONS.get(name, name))
    if "array" in kinds(spec):
        text += " In the CSV file: a JSON array."
    return text


def croissant_type(name: str, spec: Mapping[str, Any]) -> str:
    """The Croissant dataType of a column as the CSV file holds it.

    >>> croissant_type("url", {"type": "string"}), croissant_type("n", {"type": "integer"})
    ('sc:URL', 'sc:Integer')
    >>> croissant_type("authors", {"type": "array"})
    'sc:Text'
    """
    if "integer" in kinds(spec):
        return "sc:Integer"
    if name in ("url", "image_url"):
        return "sc:URL"
    return "sc:Text"


def _files(manifest: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(format, file name) of the data files written, in FORMATS order."""
    return [(fmt, FILE_NAMES[fmt]) for fmt in manifest["formats"]]


def citation(manifest: Mapping[str, Any], date: str) -> str:
    """A BibTeX entry for the dataset.

    >>> print(citation({"records": {"exported": 3}}, "2026-11-30"))
    @misc{smn-news-articles-2026-11-30,
      title = {Space Media Network news articles (3 stories)},
      note = {Built with smn-crawler from the Space Media Network sites},
      year = {2026}
    }
    """
    return "\n".join([
        f"@misc{{{NAME}-{date},",
        f"  title = {{{TITLE} ({manifest['records']['exported']} stories)}},",
        "  note = {Built with smn-crawler from the Space Media Network sites},",
        f"  year = {{{date[:4]}}}",
        "}",
    ])


def croissant(schema: Mapping[str, Any], manifest: Mapping[str, Any], card_text: str,
              languages: Sequence[str], date: str) -> dict[str, Any]:
    """The Croissant 1.0 metadata of an export; ``date`` (YYYY-MM-DD) is its publication date,
    the day of the newest fetch, so that the same input gives the same file."""
    files = _files(manifest)
    distribution = [{
        "@type": "cr:FileObject", "@id": name, "name": name,
        "description": f"The dataset as {fmt.upper() if fmt != 'jsonl' else 'gzip JSON Lines'}.",
        "contentUrl": name, "encodingFormat": MEDIA_TYPES[fmt],
        "contentSize": f"{manifest['files'][name]['bytes']} B",
        "sha256": manifest["files"][name]["sha256"],
    } for fmt, name in files]
    source = next((name for fmt, name in files if fmt == "csv"),
                  next((name for fmt, name in files if fmt == "parquet"), None))
    record_sets = []
    if source is not None:
        record_sets.append({
            "@type": "cr:RecordSet", "@id": RECORD_SET, "name": RECORD_SET,
            "description": "One news article (one story) per record.",
            "key": {"@id": f"{RECORD_SET}/url"},
            "field": [{
                "@type": "cr:Field", "@id": f"{RECORD_SET}/{name}", "name": name,
                "description": _description(name, spec),
                "dataType": croissant_type(name, spec),
                "source": {"fileObject": {"@id": source}, "extract": {"column": name}},
            } for name, spec in columns(schema)],
        })
    span = manifest["published"]
    return {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": NAME,
        "alternateName": TITLE,
        "description": card_summary(card_text),
        "url": "README.md",
        "license": "README.md#licence-and-terms-of-use",
        "inLanguage": list(languages) or ["en"],
        "keywords": ["news", "space", "defence", "Space Media Network"],
        "version": f"{manifest['export_version']}.{manifest['schema_version']}.0",
        "temporalCoverage": f"{span['first'] or '..'}/{span['last'] or '..'}",
        "isAccessibleForFree": True,
        "datePublished": date,
        "citeAs": citation(manifest, date),
        "creator": {"@type": "sc:Organization", "name": "smn-crawler"},
        "distribution": distribution,
        "recordSet": record_sets,
    }


def card_summary(card_text: str) -> str:
    """The first paragraph of the card's body (after the front matter and the title).

    >>> card_summary("---\\na: 1\\n---\\n# T\\n\\nFirst line\\nsame paragraph.\\n\\nSecond.")
    'First line same paragraph.'
    """
    body = card_text
    if body.startswith("---\n"):
        body = body.split("\n---\n", 1)[1] if "\n---\n" in body else ""
    paragraphs = [p for p in body.split("\n\n") if p.strip() and not p.startswith("#")]
    return " ".join(paragraphs[0].split()) if paragraphs else TITLE


def table_type(spec: Mapping[str, Any]) -> str:
    """The Frictionless Table Schema type of a column.

    >>> table_type({"type": ["string", "null"]}), table_type({"type": "array"})
    ('string', 'array')
    >>> table_type({"const": 1})
    'integer'
    """
    found = kinds(spec) - {"null"}
    for kind in ("integer", "array", "object"):
        if kind in found:
            return kind
    return "string"


def table_schema(schema: Mapping[str, Any], fmt: str = "csv") -> dict[str, Any]:
    """The Table Schema of the CSV or the Parquet file (required columns must not be empty).

    Lists are JSON arrays in the CSV file ("array"); in the Parquet file they are typed
    Parquet lists, which the Table Schema has no type for ("any").
    """
    required = set(schema.get("required", ()))
    fields = []
    for name, spec in columns(schema):
        kind = table_type(spec)
        if fmt == "parquet" and kind in ("array", "object"):
            kind = "any"
        field: dict[str, Any] = {"name": name, "type": kind,
                                 "description": _description(name, spec)}
        nullable = "null" in kinds(spec)
        if (name in required or name == "alternate_urls") and not nullable \
                and kind not in ("array", "any"):
            field["constraints"] = {"required": True}
        fields.append(field)
    return {"fields": fields, "primaryKey": ["url"], "missingValues": [""]}


def datapackage(schema: Mapping[str, Any], manifest: Mapping[str, Any],
                card_text: str) -> dict[str, Any]:
    """The Frictionless Data Package of the CSV and Parquet files of an export."""
    resources = []
    for fmt, name in _files(manifest):
        if fmt == "jsonl":
            continue
        entry = manifest["files"][name]
        resource: dict[str, Any] = {
            "name": f"articles-{fmt}", "type": "table", "path": name, "format": fmt,
            "mediatype": MEDIA_TYPES[fmt], "hash": f"sha256:{entry['sha256']}",
            "schema": table_schema(schema, fmt),
        }
        if fmt == "csv":  # a Parquet file is read as a table, its bytes are not counted
            resource["bytes"] = entry["bytes"]
            resource["encoding"] = "utf-8"
            resource["dialect"] = {"csv": {"delimiter": ",", "lineTerminator": "\n"}}
        resources.append(resource)
    return {
        "$frictionless": "package/v2",
        "name": NAME,
        "title": TITLE,
        "description": card_summary(card_text),
        "version": f"{manifest['export_version']}.{manifest['schema_version']}.0",
        "licenses": [{"name": LICENSE_NAME, "path": "README.md#licence-and-terms-of-use",
                      "title": "The sites' terms: fair use for research and news analysis"}],
        "keywords": ["news", "space", "Space Media Network"],
        "resources": resources,
    }


def front_matter(manifest: Mapping[str, Any], languages: Sequence[str]) -> str:
    """The dataset card's Hugging Face YAML front matter (between ``---`` lines)."""
    files = dict(_files(manifest))
    default = next(fmt for fmt in HF_CONFIG_ORDER if fmt in files)
    lines = ["---", f"pretty_name: {TITLE}", "language:"]
    lines += [f"- {code}" for code in (languages or ["en"])]
    lines += [
        "license: other",
        f"license_name: {LICENSE_NAME}",
        "license_link: README.md",
        "size_categories:",
        f"- {size_category(int(manifest['records']['exported']))}",
        "task_categories:", "- text-classification", "- summarization",
        "tags:", "- news", "- space", "- defence",
        "configs:",
    ]
    # One config: `datasets` picks one builder (file format) for all the configs of a folder.
    lines += ["- config_name: default", "  data_files:", "  - split: train",
              f"    path: {json.dumps(files[default])}"]
    lines.append("---")
    return "\n".join(lines) + "\n"
