"""The job's lock: one run of a job at a time (an ``flock`` that dies with its process)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from crawler.runs.folder import utc_now


class Locked(Exception):
    """Another run of the same job holds the lock."""


@contextmanager
def job_lock(path: Path) -> Iterator[IO[str]]:
    """Hold the job's lock; raise Locked at once if another process holds it.

    An flock dies with its process, so a killed run never leaves the lock stuck.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = path.open("a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "unknown"
        fh.close()
        raise Locked(holder) from None
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {utc_now()}\n")
        fh.flush()
        yield fh
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()
