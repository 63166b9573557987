"""Start and stop a mirror server in a child process (for the demo, tests and benchmarks)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def running_mirror(directory: Path | str, port: int = 0) -> Iterator[str]:
    """Serve a built mirror directory; yields its base URL (``http://127.0.0.1:P``)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler", "mirror", "serve", str(directory), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("mirror: "):
            raise RuntimeError(f"mirror server did not start: {line!r}")
        yield line.split(" ", 1)[1].strip()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
