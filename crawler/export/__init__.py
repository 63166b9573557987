"""``python -m crawler export``: every run's records turned into one dataset, one record per story.

One job per module:

- :mod:`.sources`: find the runs (``runs/<run-id>/``) and files given by path, read their lines;
- :mod:`.canonical`: the fixed rule that picks a story's canonical record (pure helpers);
- :mod:`.store`: a temporary SQLite database that keeps the newest version of each address,
  groups addresses into stories (duplicates files and equal fingerprints) and yields the stories
  sorted, so memory stays bounded however many records there are;
- :mod:`.filters`: ``--since/--until/--sites/--sections``;
- :mod:`.writers`: ``dataset.jsonl.gz`` (deterministic gzip), CSV and Parquet;
- :mod:`.chart`: ``chart.png``, articles per month per site;
- :mod:`.card`: the dataset card ``README.md``;
- :mod:`.export`: the whole export and its ``manifest.json``;
- :mod:`.cli`: the command line.
"""
