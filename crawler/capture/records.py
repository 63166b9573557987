"""One HTTP exchange as WARC/1.1 records, each compressed as its own gzip member.

warcio builds the records (headers, block and payload digests); the gzip member is made here
in one piece, so a record is one ``bytes`` that a writer appends with one ``write`` call.

What is stored: the request as sent (method, path, headers, body) and the response as the site
sent it: status, headers and the body *before* any content decoding (a gzip-encoded page stays
gzip-encoded, with its ``Content-Encoding``). Only the transfer coding is undone by the HTTP
client, so ``Transfer-Encoding`` is left out of the stored headers (the body is stored whole).
"""

from __future__ import annotations

import base64
import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# The library that compresses the records (DEFLATE_LIBRARY): zlib-ng, or Python's zlib.
try:
    from zlib_ng import zlib_ng as deflate

    DEFLATE_LIBRARY = "zlib-ng"
except ImportError:  # a declared dependency; without it Python's zlib writes the same format
    import zlib as deflate  # type: ignore[no-redef]

    DEFLATE_LIBRARY = "zlib"

SUFFIX = ".warc.gz"
"""How the name of a WARC file of the project ends."""
WARC_VERSION = "WARC/1.1"
PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
"""Revisit profile of a payload already stored (same bytes, earlier capture)."""
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
"""Revisit profile of a 304 answer to a conditional request."""
POINTER_META = "smn_warc"
"""Request meta: the ``warc`` record field of the page fetched by this request."""
DATE_META = "smn_warc_date"
"""Request meta: the WARC-Date of that record (the time of the fetch)."""
GZIP_LEVEL = 6
"""zlib level of each record's gzip member. zlib-ng compresses the records of a 2,000-article
crawl at level 6 in 0.12 ms a page, to 4,208 bytes; Python's zlib took 0.19 ms for 4,218 bytes
at level 6 and 0.135 ms for 4,414 at level 3. warcio's own writer uses 9."""
_UNSTORED_HEADERS = frozenset({"transfer-encoding"})

Headers = list[tuple[str, str]]


def payload_digest(body: bytes) -> str:
    """The WARC payload digest of a body: SHA-1 in base 32, as warcio and Heritrix write it.

    >>> payload_digest(b"")
    'sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ'
    """
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(moment: datetime | None = None) -> str:
    """A WARC/1.1 date: UTC with microseconds.

    >>> warc_date(datetime(2026, 11, 25, 12, 0, 0, 5, tzinfo=UTC))
    '2026-11-25T12:00:00.000005Z'
    """
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def crawled_at(date: str) -> str:
    """The record field ``crawled_at`` (seconds) of a WARC date.

    >>> crawled_at("2026-11-25T12:00:00.000005Z"), crawled_at("2026-11-25T12:00:00Z")
    ('2026-11-25T12:00:00Z', '2026-11-25T12:00:00Z')
    """
    return date[:19] + "Z"


def new_record_id() -> str:
    """A fresh WARC-Record-ID.

    >>> new_record_id().startswith("<urn:uuid:") and new_record_id().endswith(">")
    True
    """
    return f"<urn:uuid:{uuid.uuid4()}>"


def gzip_member(data: bytes) -> bytes:
    """``data`` as one complete gzip member.

    >>> import gzip
    >>> gzip.decompress(gzip_member(b"abc"))
    b'abc'
    """
    compressor = deflate.compressobj(GZIP_LEVEL, deflate.DEFLATED, deflate.MAX_WBITS + 16)
    return compressor.compress(data) + compressor.flush()


def reason_phrase(status: int) -> str:
    """The standard reason phrase of a status ('' for an unknown one).

    >>> reason_phrase(301), reason_phrase(599)
    ('Moved Permanently', '')
    """
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def stored_headers(headers: Headers) -> Headers:
    """The headers as stored: all but the transfer coding (the body is stored de-chunked).

    >>> stored_headers([("Transfer-Encoding", "chunked"), ("Content-Type", "text/html")])
    [('Content-Type', 'text/html')]
    """
    return [(k, v) for k, v in headers if k.lower() not in _UNSTORED_HEADERS]


@dataclass
class Exchange:
    """One request and the response the site sent to it."""

    url: str
    """The live address requested (WARC-Target-URI)."""
    date: str
    """When the response arrived (WARC-Date)."""
    method: str
    target: str
    """The request target: path and query."""
    request_headers: Headers
    request_body: bytes
    status: int
    response_headers: Headers
    body: bytes
    """The body as sent, content coding included."""
    protocol: str = "HTTP/1.1"


@dataclass(frozen=True)
class Original:
    """A stored response a revisit record refers to."""

    uri: str
    date: str
    record_id: str


@dataclass(frozen=True)
class Built:
    """A record ready to append: its id and its gzip member."""

    record_id: str
    member: bytes


class RecordMaker:
    """Makes the WARC/1.1 records of a crawl (warcio does the headers and digests)."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self._writer = WARCWriter(self._buffer, gzip=False, warc_version=WARC_VERSION)

    def _member(self, record: Any) -> bytes:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.write_record(record)
        return gzip_member(self._buffer.getvalue())

    def warcinfo(self, filename: str, info: dict[str, str]) -> Built:
        """The warcinfo record that opens a file: software, format, the crawl's settings."""
        record = self._writer.create_warcinfo_record(filename, info)
        return Built(record.rec_headers.get_header("WARC-Record-ID"), self._member(record))

    def response(self, ex: Exchange, digest: str) -> Built:
        """The response record of an exchange (payload digest given: computed once)."""
        record_id = new_record_id()
        http = StatusAndHeaders(f"{ex.status} {reason_phrase(ex.status)}".rstrip(),
                                stored_headers(ex.response_headers), protocol=ex.protocol)
        record = self._writer.create_warc_record(
            ex.url, "response", payload=io.BytesIO(ex.body), length=len(ex.body),
            http_headers=http,
            warc_headers_dict={"WARC-Record-ID": record_id, "WARC-Date": ex.date,
                               "WARC-Payload-Digest": digest})
        return Built(record_id, self._member(record))

    def revisit(self, ex: Exchange, digest: str | None, original: Original | None,
                profile: str) -> Built:
        """A revisit record: the response's headers only, its payload stored earlier."""
        record_id = new_record_id()
        http = StatusAndHeaders(f"{ex.status} {reason_phrase(ex.status)}".rstrip(),
                                stored_headers(ex.response_headers), protocol=ex.protocol)
        warc_headers = {"WARC-Record-ID": record_id, "WARC-Date": ex.date,
                        "WARC-Profile": profile, "WARC-Refers-To-Target-URI": ex.url}
        if original is not None:
            warc_headers["WARC-Refers-To-Target-URI"] = original.uri
            warc_headers["WARC-Refers-To-Date"] = original.date
            warc_headers["WARC-Refers-To"] = original.record_id
        if digest:
            warc_headers["WARC-Payload-Digest"] = digest
        record = self._writer.create_warc_record(ex.url, "revisit", http_headers=http,
                                                 warc_headers_dict=warc_headers)
        return Built(record_id, self._member(record))

    def request(self, ex: Exchange, concurrent_to: str) -> Built:
        """The request record of an exchange, linked to its response by WARC-Concurrent-To."""
        record_id = new_record_id()
        http = StatusAndHeaders(f"{ex.method} {ex.target} HTTP/1.1", ex.request_headers,
                                is_http_request=True)
        record = self._writer.create_warc_record(
            ex.url, "request", payload=io.BytesIO(ex.request_body),
            length=len(ex.request_body), http_headers=http,
            warc_headers_dict={"WARC-Record-ID": record_id, "WARC-Date": ex.date,
                               "WARC-Concurrent-To": concurrent_to})
        return Built(record_id, self._member(record))
