"""Deploy to a real scrapyd on loopback, schedule the spider against the mirror, find the items."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from crawler.mirror.server import RunningMirror
from tests.crawling import ROOT, read_jsonl, truth

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(base: str, endpoint: str, data: bytes | None = None, ctype: str | None = None) -> Any:
    req = urllib.request.Request(f"{base}/{endpoint}", data=data)
    if ctype:
        req.add_header("Content-Type", ctype)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def _multipart(fields: dict[str, str], files: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, blob in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{name}.egg"\r\nContent-Type: application/octet-stream\r\n\r\n'
                     .encode() + blob + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_deploy_schedule_and_find_items(
    mirror300: tuple[Path, RunningMirror], tmp_path: Path
) -> None:
    port = _free_port()
    (tmp_path / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\npoll_interval = 0.5\nitems_dir = {tmp_path / 'items'}\n"
        f"eggs_dir = {tmp_path / 'eggs'}\nlogs_dir = {tmp_path / 'logs'}\n"
        f"dbs_dir = {tmp_path / 'dbs'}\n"
    )
    egg = tmp_path / "crawler.egg"
    subprocess.run([str(BIN / "scrapyd-deploy"), "--build-egg", str(egg)], cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    server = subprocess.Popen([str(BIN / "scrapyd")], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _call(base, "daemonstatus.json")
                break
            except OSError:
                time.sleep(0.2)
        body, ctype = _multipart({"project": "crawler", "version": "1"}, {"egg": egg.read_bytes()})
        deployed = _call(base, "addversion.json", body, ctype)
        assert deployed["status"] == "ok", deployed
        assert "smn" in _call(base, "listspiders.json?project=crawler")["spiders"]
        expected = truth(mirror300[0])
        start = next(u for u, t in expected.items() if t["extraction"] == "template")
        params = [("project", "crawler"), ("spider", "smn"), ("start_urls", start)] + [
            ("setting", f"{k}={v}") for k, v in {
                "MIRROR_URL": mirror300[1].base_url, "SMN_POLITE": "False",
                "CLOSESPIDER_ITEMCOUNT": "5", "DOWNLOAD_TIMEOUT": "1",
                "SMN_STATE_PATH": str(tmp_path / "state.sqlite"),
            }.items()
        ]
        job = _call(base, "schedule.json", urllib.parse.urlencode(params).encode())
        assert job["status"] == "ok", job
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            jobs = _call(base, "listjobs.json?project=crawler")
            if any(j["id"] == job["jobid"] for j in jobs["finished"]):
                break
            time.sleep(0.5)
        else:
            pytest.fail("the scrapyd job did not finish")
        items = [rec for f in (tmp_path / "items").rglob("*.jl") for rec in read_jsonl(f)]
        assert len(items) >= 5
        assert items[0]["url"] == start
        assert all(i["url"] in expected and i["title"] == expected[i["url"]]["title"]
                   for i in items)
    finally:
        server.terminate()
        server.wait(10)
