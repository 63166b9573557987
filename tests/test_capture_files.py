"""WARC files written, read back, checked by warcio and repaired after a cut (no crawl here).

The truth is the bytes each test gives the writer: reading must give them back, and a
validator (``warcio check``, the library's own command) must accept every file.
"""

from __future__ import annotations

import gzip
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import crawler.capture.cdxj
from crawler.capture import records
from crawler.capture.cdxj import INDEX_NAME, index_folder, merge_indexes, read_index
from crawler.capture.reader import Captures, check_warc
from crawler.capture.records import Exchange, warc_date
from crawler.capture.repair import repair_folder, repair_warc
from crawler.capture.writer import WarcWriter

WARCIO = Path(sys.executable).with_name("warcio")
PAGE = b"<html><body><p>" + b"Orbital debris tracking. " * 200 + b"</p></body></html>"


def warcio_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    """The validator's own command line on some files."""
    return subprocess.run([str(WARCIO), "check", *map(str, paths)], capture_output=True,
                          text=True, timeout=120)


def exchange(url: str, status: int, body: bytes,
             headers: list[tuple[str, str]] | None = None) -> Exchange:
    host, _, path = url.split("://", 1)[1].partition("/")
    return Exchange(url=url, date=warc_date(), method="GET", target="/" + path,
                    request_headers=[("Host", host), ("User-Agent", "smn-crawler test")],
                    request_body=b"", status=status,
                    response_headers=headers or [("Content-Type", "text/html")], body=body)


def writer(directory: Path, max_bytes: int = 1 << 30) -> WarcWriter:
    return WarcWriter(directory, max_bytes=max_bytes,
                      info={"software": "smn-crawler tests", "format": "WARC File Format 1.1"})


def test_pages_read_back_byte_for_byte_and_every_file_passes_warcio_check(tmp_path: Path):
    encoded = gzip.compress(PAGE)
    w = writer(tmp_path, max_bytes=4000)
    sent = {
        "https://www.spacewar.com/a.html": (200, PAGE, None),
        "https://www.spacewar.com/gz.html": (200, encoded, [("Content-Type", "text/html"),
                                                             ("Content-Encoding", "gzip"),
                                                             ("Transfer-Encoding", "chunked")]),
        "https://www.spacedaily.com/copy.html": (200, PAGE, None),  # same payload: a revisit
        "https://www.spacewar.com/gone.html": (404, b"<html>404</html>", None),
    }
    pointers = {url: w.write(exchange(url, status, body, headers))
                for url, (status, body, headers) in sent.items()}
    moved = w.write(exchange("https://www.spacewar.com/old.html", 301, b"",
                             [("Location", "https://www.spacewar.com/a.html")]))
    w.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) >= 2  # rotated at 4,000 bytes
    checked = warcio_check(*files)
    assert checked.returncode == 0, checked.stdout
    assert [check_warc(path) for path in files] == [[]] * len(files)
    assert pointers["https://www.spacedaily.com/copy.html"].kind == "revisit"
    assert pointers["https://www.spacewar.com/a.html"].kind == "response"
    index_folder(tmp_path, w.index_lines)  # the writer's own lines, as a crawl writes them
    from_writer = (tmp_path / INDEX_NAME).read_text()
    (tmp_path / INDEX_NAME).unlink()
    index_folder(tmp_path)  # read back from the files by warcio
    assert (tmp_path / INDEX_NAME).read_text() == from_writer
    assert len(from_writer.splitlines()) == len(sent) + 1
    captures = Captures([tmp_path])
    for url, (status, body, _) in sent.items():
        page = captures.page(pointers[url].item())
        assert (page.url, page.status, page.body) == (url, status, body)
    gz = captures.page(pointers["https://www.spacewar.com/gz.html"].item())
    assert ("Content-Encoding", "gzip") in gz.headers  # stored as sent, not decoded ...
    assert not any(k.lower() == "transfer-encoding" for k, _ in gz.headers)  # ... de-chunked
    hop = captures.page(moved.item())
    assert hop.status == 301 and ("Location", "https://www.spacewar.com/a.html") in hop.headers


def test_an_index_larger_than_a_sort_chunk_is_sorted_in_runs_and_equals_warcios(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer spools its lines to disk and the folder's index is sorted in runs of
    SORT_CHUNK_LINES merged on disk (issue 17: bounded memory); the index must be exactly what
    warcio reads back from the files, with an earlier run's lines kept and no run file left."""
    pages = [f"https://www.spacewar.com/reports/P{k:03d}_999.html" for k in range(97, 0, -1)]
    earlier = tmp_path / "earlier"
    w = writer(earlier)
    for url in pages[::2]:
        w.write(exchange(url, 200, PAGE + url.encode()))
    w.close()
    index_folder(earlier)
    folder = tmp_path / "run"
    shutil.copytree(earlier, folder)
    w = writer(folder, max_bytes=20_000)
    for url in pages[1::2]:
        w.write(exchange(url, 200, PAGE + url.encode()))
    w.close()
    monkeypatch.setattr(crawler.capture.cdxj, "SORT_CHUNK_LINES", 7)
    written = index_folder(folder, w.index_lines)
    chunked = (folder / INDEX_NAME).read_text()
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(".warc.gz")) == [
        INDEX_NAME]
    (folder / INDEX_NAME).unlink()
    monkeypatch.undo()
    index_folder(folder)  # every file read back by warcio, sorted in memory
    assert chunked == (folder / INDEX_NAME).read_text()
    assert written == len(pages) == len(chunked.splitlines())
    assert [e.url for e in read_index(folder / INDEX_NAME)] == sorted(pages, key=str.lower)


def test_a_304_is_a_revisit_that_resolves_to_the_page_it_confirmed(tmp_path: Path):
    first = writer(tmp_path / "run1")
    first.write(exchange("https://www.spacewar.com/index.html", 200, PAGE,
                         [("Content-Type", "text/html"), ("ETag", '"v1"')]))
    first.close()
    second = writer(tmp_path / "run2")
    revisit = second.write(exchange("https://www.spacewar.com/index.html", 304, b"",
                                    [("ETag", '"v1"')]))
    second.close()
    assert revisit.kind == "revisit"
    assert warcio_check(next((tmp_path / "run2").glob("*.warc.gz"))).returncode == 0
    page = Captures([tmp_path / "run1", tmp_path / "run2"]).page(revisit.item())
    assert page.status == 304 and page.body == PAGE


@pytest.mark.parametrize("keep_of_last", [0.0, 0.01, 0.5, 0.99])
def test_a_cut_last_record_is_found_and_cut_and_nothing_before_it_changes(
    tmp_path: Path, keep_of_last: float
) -> None:
    w = writer(tmp_path / "w")
    bodies = [PAGE + str(i).encode() for i in range(5)]
    pointers = [w.write(exchange(f"https://www.spacewar.com/{i}.html", 200, body))
                for i, body in enumerate(bodies)]
    w.close()
    path = next((tmp_path / "w").glob("*.warc.gz"))
    whole = path.read_bytes()
    last_start = pointers[-1].offset
    cut = last_start + int((len(whole) - last_start) * keep_of_last)
    path.write_bytes(whole[:cut])
    removed = repair_warc(path)
    kept = path.read_bytes()
    # Cut where the cut member starts: the response, or the request record after it.
    assert len(kept) in (last_start, last_start + pointers[-1].length)
    assert kept == whole[:len(kept)] and removed == cut - len(kept)
    assert warcio_check(path).returncode == 0 and check_warc(path) == []
    index_folder(path.parent)
    captures = Captures([path.parent])
    assert [captures.page(p.item()).body for p in pointers[:-1]] == bodies[:-1]
    if len(kept) > last_start:
        assert captures.page(pointers[-1].item()).body == bodies[-1]


def test_a_file_cut_inside_its_warcinfo_is_removed_and_only_last_files_are_repaired(
    tmp_path: Path,
) -> None:
    w = writer(tmp_path, max_bytes=2000)
    for i in range(6):
        w.write(exchange(f"https://www.spacewar.com/{i}.html", 200, PAGE + bytes([i])))
    w.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) > 2
    first = files[0].read_bytes()
    files[-1].write_bytes(files[-1].read_bytes()[:40])  # inside the warcinfo record
    files[0].write_bytes(first[:-3])  # not a last file: a writer never leaves one cut
    repaired = repair_folder(tmp_path)
    assert list(repaired) == [files[-1].name]
    assert not files[-1].exists()
    files[0].write_bytes(first)


def test_indexes_merge_sorted_and_lose_no_line(tmp_path: Path):
    for name, hosts in (("a", ("www.spacewar.com", "www.terradaily.com")),
                        ("b", ("www.spacedaily.com", "www.marsdaily.com"))):
        w = writer(tmp_path / name)
        for host in hosts:
            w.write(exchange(f"https://{host}/x.html", 200, PAGE + host.encode()))
        w.close()
        index_folder(tmp_path / name)
    total = merge_indexes([tmp_path / n / INDEX_NAME for n in "ab"], tmp_path / "all.cdxj")
    lines = (tmp_path / "all.cdxj").read_text().splitlines()
    assert total == len(lines) == 4
    assert lines == sorted(lines)
    assert {e.url for e in read_index(tmp_path / "all.cdxj")} == {
        "https://www.spacewar.com/x.html", "https://www.terradaily.com/x.html",
        "https://www.spacedaily.com/x.html", "https://www.marsdaily.com/x.html"}


def test_a_copied_folder_reads_the_same(tmp_path: Path):
    w = writer(tmp_path / "a")
    pointer = w.write(exchange("https://www.spacewar.com/x.html", 200, PAGE))
    w.close()
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    assert Captures([tmp_path / "b"]).page(pointer.item()).body == PAGE


def test_records_are_compressed_by_zlib_ng_or_without_it_by_zlib() -> None:
    """zlib-ng (a dependency) writes the gzip members; a Python without it falls back to the
    standard zlib, whose members any gzip reader opens as well."""
    assert records.DEFLATE_LIBRARY == "zlib-ng"
    data = b"WARC/1.1\r\n" + b"<p>The same words again and again.</p>" * 300
    assert gzip.decompress(records.gzip_member(data)) == data
    code = ("import sys, gzip; sys.modules['zlib_ng'] = None\n"
            "from crawler.capture import records\n"
            "data = b'<p>text</p>' * 500\n"
            "assert gzip.decompress(records.gzip_member(data)) == data\n"
            "print(records.DEFLATE_LIBRARY, records.deflate.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])  # fmt: skip
    assert out.stdout.split() == ["zlib", "zlib"]


def _record_id(member: bytes) -> str:
    return gzip.decompress(member).split(b"WARC-Record-ID: ", 1)[1].split(b"\r\n", 1)[0].decode()


def _warcio_record(record_type: str, ex: Exchange, http: StatusAndHeaders, payload: bytes | None,
                   fields: dict[str, str]) -> bytes:
    """The record warcio's own writer makes of the same exchange and WARC fields."""
    out = io.BytesIO()
    warc = WARCWriter(out, gzip=False, warc_version="WARC/1.1")
    record = warc.create_warc_record(
        ex.url, record_type, payload=None if payload is None else io.BytesIO(payload),
        length=None if payload is None else len(payload), http_headers=http,
        warc_headers_dict=fields)
    warc.write_record(record)
    return out.getvalue()


@pytest.mark.parametrize("case", ["page", "post with a query", "non-ASCII header", "304",
                                  "identical payload"])
def test_records_are_byte_for_byte_the_records_warcios_writer_makes(case: str) -> None:
    """The response, revisit and request records are laid out by the project for speed; warcio's
    own writer, given the same exchange, record ids and dates, makes the records they must be."""
    ex = exchange("https://www.spacewar.com/reports/Debris_999.html", 200, PAGE,
                  [("Content-Type", "text/html; charset=utf-8"), ("Transfer-Encoding", "chunked"),
                   ("Server", "mirror")])
    if case == "post with a query":
        ex.method, ex.target, ex.request_body = "POST", "/search?q=orbital+debris", b"q=debris"
        ex.url += "?q=orbital+debris"
    elif case == "non-ASCII header":
        ex.response_headers.append(("Content-Disposition", 'inline; filename="d\u00e9bris.html"'))
        ex.request_headers.append(("X-Note", "caf\u00e9"))
    elif case == "304":
        ex.status, ex.body = 304, b""
    maker = records.RecordMaker()
    original = records.Original("https://www.spacedaily.com/reports/Debris_999.html",
                                "2026-11-25T12:00:00.000005Z", records.new_record_id())
    digest = records.payload_digest(ex.body)
    if case == "304":
        main = maker.revisit(ex, None, None, records.PROFILE_NOT_MODIFIED)
    elif case == "identical payload":
        main = maker.revisit(ex, digest, original, records.PROFILE_IDENTICAL)
    else:
        main = maker.response(ex, digest)
    request = maker.request(ex, main.record_id)
    assert _record_id(main.member) == main.record_id
    served = [(k, v) for k, v in ex.response_headers if k != "Transfer-Encoding"]
    http = StatusAndHeaders({200: "200 OK", 304: "304 Not Modified"}[ex.status], served,
                            protocol="HTTP/1.1")
    fields = {"WARC-Record-ID": main.record_id, "WARC-Date": ex.date}
    if case in ("page", "post with a query", "non-ASCII header"):
        expected = _warcio_record("response", ex, http, ex.body,
                                  {**fields, "WARC-Payload-Digest": digest})
    else:
        fields["WARC-Profile"] = (records.PROFILE_NOT_MODIFIED if case == "304"
                                  else records.PROFILE_IDENTICAL)
        fields["WARC-Refers-To-Target-URI"] = ex.url
        if case == "identical payload":
            fields |= {"WARC-Refers-To-Target-URI": original.uri,
                       "WARC-Refers-To-Date": original.date, "WARC-Refers-To": original.record_id,
                       "WARC-Payload-Digest": digest}
        expected = _warcio_record("revisit", ex, http, None, fields)
    assert gzip.decompress(main.member) == expected
    sent = StatusAndHeaders(f"{ex.method} {ex.target} HTTP/1.1", ex.request_headers,
                            is_http_request=True)
    assert gzip.decompress(request.member) == _warcio_record(
        "request", ex, sent, ex.request_body,
        {"WARC-Record-ID": request.record_id, "WARC-Date": ex.date,
         "WARC-Concurrent-To": main.record_id})
