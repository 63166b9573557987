"""A real ``redis-server`` for tests: a free loopback port, no persistence, stopped after.

    with RedisServer() as server:        # or the ``redis_server`` fixture below
        server.url                       # 'redis://127.0.0.1:40123/0'

Without the ``redis-server`` binary the tests that need it are skipped, except in CI
(``CI=true``), where a missing server is a failure: `make test` installs it there.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pytest

BINARY = "redis-server"


def in_ci() -> bool:
    """Whether we run in CI (the ``CI`` environment variable is true)."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require_redis_server() -> str:
    """The path of redis-server; skips the test when absent (fails in CI)."""
    path = shutil.which(BINARY)
    if path is None:
        message = f"{BINARY} is not installed (apt-get install redis-server)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """One redis-server child process on loopback, in memory only (no RDB, no AOF)."""

    def __init__(self, binary: str | None = None) -> None:
        self.binary = binary or require_redis_server()
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def url(self) -> str:
        """The server's address, database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, attempts: int = 5) -> RedisServer:
        """Start the server and wait until it answers PING."""
        self._dir = tempfile.TemporaryDirectory(prefix="redis-test-")
        for _ in range(attempts):
            self.port = free_port()
            log = Path(self._dir.name) / "redis.log"
            self.proc = subprocess.Popen(
                [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--dir", self._dir.name,
                 "--logfile", str(log), "--protected-mode", "yes"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            if self._wait_ready():
                return self
            self.stop(keep_dir=True)  # the port was taken meanwhile: try another
        raise RuntimeError(f"redis-server did not start on loopback after {attempts} attempts")

    def _wait_ready(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def stop(self, keep_dir: bool = False) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and remove its folder."""
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        if self._dir is not None and not keep_dir:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    """A redis-server for the tests of one module."""
    with RedisServer() as server:
        yield server
