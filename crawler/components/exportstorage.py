"""Feed storage whose every exported line reaches the operating system at once.

Scrapy's file storage writes through a buffer; a run killed with SIGKILL would lose the
buffered lines while the persistent state already counts them as exported. Unbuffered, each
line is one ``write`` call: a kill leaves at most one partial last line, which the next run
repairs (crawler.runs.repair_jsonl), and never a line the state believes was written.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from scrapy import Spider
from scrapy.extensions.feedexport import FileFeedStorage


class LineFileFeedStorage(FileFeedStorage):
    """FileFeedStorage opened without a user-space buffer."""

    def open(self, spider: Spider) -> IO[bytes]:
        """Open the file for appending (or writing) with no buffer."""
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, self.write_mode, buffering=0)  # noqa: SIM115 (closed by store())
