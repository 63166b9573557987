"""Item pipelines, in order (``ITEM_PIPELINES`` in crawler.settings): parsed (accounting) ->
validate -> dedupe -> exported (accounting).

Items arrive final from the page objects (crawler.pages): no pipeline cleans them.

- ``accounting``: counts parsed and exported items, and checks at close that they add up.
- ``validate``: the schema check (crawler.schema); failures go to the rejects file.
- ``dedupe``: same address, same body or a syndicated copy; duplicates go to their file.
- ``outputs``: the sidecar files (duplicates, rejects) beside the articles file.

Every parsed item ends in exactly one place: the articles feed, the duplicates file or the
rejects file; stats ``articles/parsed == articles/exported + articles/duplicate/* +
articles/rejected/*``.
"""
