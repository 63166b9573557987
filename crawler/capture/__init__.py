"""The raw pages of a crawl, kept in WARC files beside its records, and what uses them.

Modules, one job each:

- ``records``: one HTTP exchange as WARC/1.1 records (request, response, revisit, warcinfo),
  each compressed as its own gzip member (warcio builds the records and their digests).
- ``writer``: :class:`~crawler.capture.writer.WarcWriter`, the rotating WARC files of one
  crawl, one ``write`` call per record so that a kill cuts at most the record being written.
- ``digests``: the payload digests a job has already stored (revisits across runs).
- ``repair``: find and cut a last gzip member that a kill left incomplete.
- ``reader``: read a record back, resolve a revisit to its payload, check files (warcio).
- ``cdxj``: the CDXJ index of a folder of WARC files, and the merge of several.
- ``replay``: a download handler answering requests from WARC files (re-extraction).
- ``runfiles``, ``merge``: a scheduled run's capture settings and manifest section; the
  export's merged index.

The Scrapy plug-ins that write the captures are in :mod:`crawler.components.capture`.
- ``reextract``: ``python -m crawler reextract``: today's extractor over past captures.
- ``diff``: the field-level difference between two sets of records.
"""
