"""WARC records: the project's record maker against warcio's own writer, on the mirror's pages.

Run from the repository root::

    .venv/bin/python bench/bench_records.py [--articles 2000] [--rounds 5] [--mirror DIR]

Every HTML page of a freshly built mirror (``python -m crawler mirror build``; ``--mirror``
reuses a built one) becomes one exchange: a GET with the crawl's request headers and the
page with the headers the mirror's server sends. Each round times, alternately and in turn
first, the two ways of making the exchange's response and request records, each compressed as
its own gzip member by the same ``gzip_member`` (the payload digest taken once, as the writer
takes it):

* **baseline**: warcio's ``WARCWriter`` (``create_warc_record`` then ``write_record``), the
  way ``crawler.capture.records`` made them until 20a7e47;
* **project**: ``crawler.capture.records.RecordMaker``, which lays the records out itself.

Printed: the mean CPU time per exchange of each over the rounds (``time.process_time``), each
round's range, their ratio, and whether every record of the last round is the same bytes on
both sides (the baseline is given the project's record ids; dates are the exchange's).
"""

from __future__ import annotations

import argparse
import gzip
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from bench_extract import live_url  # noqa: E402
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from crawler.capture import records  # noqa: E402
from crawler.capture.records import Exchange  # noqa: E402
from crawler.mirror.server import content_type  # noqa: E402

Made = list[tuple[bytes, bytes]]
"""The response and request members of each exchange, in order."""


def exchanges(mirror: Path) -> list[Exchange]:
    """One GET of each HTML page of a built mirror, answered as the mirror answers it."""
    found = []
    for path in sorted(mirror.rglob("*.htm*")):
        url = live_url(mirror, path)
        host, _, target = url.split("://", 1)[1].partition("/")
        body = path.read_bytes()
        found.append(Exchange(
            url=url, date=records.warc_date(), method="GET", target="/" + target,
            request_headers=[("Host", host), ("Accept", "text/html,application/xhtml+xml"),
                             ("Accept-Language", "en"), ("User-Agent", "smn-crawler bench"),
                             ("Accept-Encoding", "gzip, deflate")],
            request_body=b"", status=200, body=body,
            response_headers=[("Server", "smn-mirror"), ("Date", "Fri, 04 Dec 2026 18:00:00 GMT"),
                              ("Content-Type", content_type("/" + target)),
                              ("Content-Length", str(len(body)))]))  # fmt: skip
    return found


def project(pages: list[Exchange]) -> Made:
    """The records of each exchange by the project's RecordMaker."""
    maker = records.RecordMaker()
    made = []
    for ex in pages:
        main = maker.response(ex, records.payload_digest(ex.body))
        made.append((main.member, maker.request(ex, main.record_id).member))
    return made


def baseline(pages: list[Exchange], ids: list[tuple[str, str]] | None = None) -> Made:
    """The same records by warcio's writer (ids: the response's and request's record ids)."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False, warc_version=records.WARC_VERSION)

    def member(record: object) -> bytes:
        buffer.seek(0)
        buffer.truncate()
        writer.write_record(record)
        return records.gzip_member(buffer.getvalue())

    made = []
    for i, ex in enumerate(pages):
        response_id, request_id = ids[i] if ids else (records.new_record_id(),
                                                       records.new_record_id())
        http = StatusAndHeaders(f"{ex.status} {records.reason_phrase(ex.status)}".rstrip(),
                                records.stored_headers(ex.response_headers), protocol=ex.protocol)
        response = writer.create_warc_record(
            ex.url, "response", payload=io.BytesIO(ex.body), length=len(ex.body),
            http_headers=http, warc_headers_dict={
                "WARC-Record-ID": response_id, "WARC-Date": ex.date,
                "WARC-Payload-Digest": records.payload_digest(ex.body)})  # fmt: skip
        sent = StatusAndHeaders(f"{ex.method} {ex.target} HTTP/1.1", ex.request_headers,
                                is_http_request=True)
        request = writer.create_warc_record(
            ex.url, "request", payload=io.BytesIO(ex.request_body),
            length=len(ex.request_body), http_headers=sent, warc_headers_dict={
                "WARC-Record-ID": request_id, "WARC-Date": ex.date,
                "WARC-Concurrent-To": response_id})  # fmt: skip
        made.append((member(response), member(request)))
    return made


def record_id(member: bytes) -> str:
    """The WARC-Record-ID of a gzip member."""
    return gzip.decompress(member).split(b"WARC-Record-ID: ", 1)[1].split(b"\r\n", 1)[0].decode()


def timed(make: Callable[[list[Exchange]], Made], pages: list[Exchange]) -> tuple[float, Made]:
    """CPU milliseconds per exchange of one pass, and what it made."""
    start = time.process_time()
    made = make(pages)
    return 1000 * (time.process_time() - start) / len(pages), made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mirror", type=Path, help="a built mirror to read (default: build one)")
    args = parser.parse_args(argv)
    print(common.banner(sys.argv), flush=True)
    print(f"gzip: {records.DEFLATE_LIBRARY} level {records.GZIP_LEVEL} on both sides", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-records-") as tmp:
        mirror = args.mirror or common.build_mirror(Path(tmp) / "mirror", args.articles, args.seed)
        pages = exchanges(mirror)
    size = statistics.fmean(len(ex.body) for ex in pages)
    print(f"{len(pages)} exchanges (every HTML page of the mirror), bodies {size:,.0f} bytes "
          "on average", flush=True)
    ours: list[float] = []
    theirs: list[float] = []
    for r in range(args.rounds):
        order = [(project, ours), (baseline, theirs)]
        for make, into in order if r % 2 == 0 else order[::-1]:
            ms, made = timed(make, pages)
            into.append(ms)
            if make is project:
                last = made
        print(f"round {r + 1}: project {ours[-1]:.3f} ms, warcio's writer {theirs[-1]:.3f} ms "
              "an exchange", flush=True)
    ids = [(record_id(a), record_id(b)) for a, b in last]
    same = sum(a == b for a, b in zip(last, baseline(pages, ids), strict=True))
    a, b = statistics.fmean(ours), statistics.fmean(theirs)
    print(f"\nCPU per exchange (response and request records, gzip included), mean of "
          f"{args.rounds} rounds: project {a:.3f} ms ({min(ours):.3f} to {max(ours):.3f}), "
          f"warcio's writer {b:.3f} ms ({min(theirs):.3f} to {max(theirs):.3f}) = {a / b:.3f}x")
    print(f"records the same bytes on both sides: {same} of {len(pages)} exchanges")
    return 0 if same == len(pages) else 1


if __name__ == "__main__":
    sys.exit(main())
