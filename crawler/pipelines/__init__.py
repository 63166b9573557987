"""Item pipelines, in order: clean -> validate -> dedupe -> exported (accounting).

Every parsed item ends in exactly one place: the articles feed, the duplicates file or the
rejects file; stats ``articles/parsed == articles/exported + articles/duplicate/* +
articles/rejected/*``.
"""

from __future__ import annotations

ITEM_PIPELINES: dict[str, int] = {
    "crawler.pipelines.clean.CleanPipeline": 100,
    "crawler.pipelines.validate.ValidatePipeline": 200,
    "crawler.pipelines.dedupe.DedupePipeline": 300,
    "crawler.pipelines.accounting.ExportedPipeline": 900,
}
"""The ITEM_PIPELINES setting of the project (``crawler.settings`` imports it)."""
