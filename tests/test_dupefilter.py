"""CompactDupeFilter: same answers as RFPDupeFilter, no false positives, JOBDIR persistence."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.request import RequestFingerprinter
from scrapy.utils.test import get_crawler

from crawler.components.dupefilter import CompactDupeFilter, KeySet, fingerprint_key


def _requests(n: int, start: int = 0) -> list[Request]:
    return [Request(f"https://www.spacewar.com/reports/Story_{i}_999.html")
            for i in range(start, start + n)]  # fmt: skip


def test_keyset_matches_a_python_set_across_compactions() -> None:
    rng = np.random.default_rng(1)
    values = [int(v) for v in rng.integers(0, 2**63, size=3000, dtype=np.int64)]
    values += values[:500] + [0, 2**64 - 1, 0]
    keys, reference = KeySet(buffer_size=97), set()
    for v in values:
        assert keys.add(v) == (v not in reference)
        reference.add(v)
    assert len(keys) == len(reference)
    assert all(v in keys for v in reference)
    assert not any(v + 1 in keys for v in values[:1000] if v + 1 not in reference)
    asked = values[:700] + [v + 1 for v in values[:700]] + [2**64 - 2]
    assert keys.contains_many(asked) == [v in reference for v in asked]


def test_same_answers_as_scrapys_filter() -> None:
    compact, default = CompactDupeFilter(buffer_size=64), RFPDupeFilter()
    stream = _requests(400) + _requests(400, start=200) + [
        Request("https://www.spacewar.com/reports/Story_3_999.html?b=2&a=1"),
        Request("https://www.spacewar.com/reports/Story_3_999.html?a=1&b=2"),
        Request("https://www.spacewar.com/reports/Story_3_999.html#frag"),
        Request("https://www.spacewar.com/reports/Story_3_999.html", method="POST"),
    ]
    assert [compact.request_seen(r) for r in stream] == [default.request_seen(r) for r in stream]
    assert len(compact) == 602  # 600 stories, one query, one POST


def test_no_false_positives_among_200000_new_requests() -> None:
    dupefilter = CompactDupeFilter(fingerprinter=RequestFingerprinter())
    rng = np.random.default_rng(7)
    seen = rng.bytes(20 * 200_000)
    for i in range(0, len(seen), 20):
        dupefilter.keys.add(fingerprint_key(seen[i : i + 20]))
    false = sum(dupefilter.request_seen(r) for r in _requests(200_000, start=10**7))
    assert false == 0
    assert len(dupefilter) == 400_000


def test_from_crawler_uses_the_crawlers_fingerprinter(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"JOBDIR": str(tmp_path)})
    dupefilter = CompactDupeFilter.from_crawler(crawler)
    assert dupefilter.fingerprinter is crawler.request_fingerprinter
    dupefilter.close("finished")


def test_jobdir_persistence_round_trip(tmp_path: Path) -> None:
    first = CompactDupeFilter(str(tmp_path), buffer_size=50)
    assert not any(first.request_seen(r) for r in _requests(300))
    first.close("shutdown")
    size = (tmp_path / "requests.seen").stat().st_size
    assert size == 300 * 22  # Scrapy's record format: 2-byte length + 20-byte fingerprint

    second = CompactDupeFilter(str(tmp_path))
    assert len(second) == 300
    assert all(second.request_seen(r) for r in _requests(300))
    assert not any(second.request_seen(r) for r in _requests(10, start=300))
    second.close("finished")
    assert (tmp_path / "requests.seen").stat().st_size == size + 10 * 22


def test_jobdir_compatible_with_rfpdupefilter_both_ways(tmp_path: Path) -> None:
    scrapy_filter = RFPDupeFilter(str(tmp_path))
    for r in _requests(50):
        scrapy_filter.request_seen(r)
    scrapy_filter.close("shutdown")
    compact = CompactDupeFilter(str(tmp_path))
    assert all(compact.request_seen(r) for r in _requests(50))
    assert not compact.request_seen(_requests(1, start=50)[0])
    compact.close("shutdown")
    again = RFPDupeFilter(str(tmp_path))
    assert all(again.request_seen(r) for r in _requests(51))
    again.close("finished")


@pytest.mark.parametrize("cut", [1, 5, 21])
def test_truncated_jobdir_file_keeps_complete_records(tmp_path: Path, cut: int) -> None:
    first = CompactDupeFilter(str(tmp_path))
    for r in _requests(20):
        first.request_seen(r)
    first.close("shutdown")
    path = tmp_path / "requests.seen"
    with path.open("r+b") as fh:
        fh.truncate(os.path.getsize(path) - cut)
    second = CompactDupeFilter(str(tmp_path))
    assert len(second) == 19
    assert all(second.request_seen(r) for r in _requests(19))
    second.close("finished")


def test_reads_a_large_file_in_chunks(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    fps = [rng.bytes(20) for _ in range(5000)] + [b"short-fp"]
    (tmp_path / "requests.seen").write_bytes(
        b"".join(len(fp).to_bytes(2, "big") + fp for fp in fps)
    )
    from crawler.components import dupefilter as module

    with (tmp_path / "requests.seen").open("rb") as fh:
        keys = np.concatenate(list(module.read_seen_keys(fh, chunk=1000)))
    assert [int(k) for k in keys] == [fingerprint_key(fp) for fp in fps]


def test_memory_is_about_8_bytes_per_request() -> None:
    keys = KeySet(buffer_size=4096)
    for k in range(1, 100_001):
        keys.add(k * 2654435761 % 2**64)
    keys.compact()
    assert keys.nbytes() <= 100_000 * 8 + 1024
