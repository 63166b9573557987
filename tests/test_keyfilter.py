"""The Bloom filter of the state's bucket keys: no false negatives, few false positives."""

from __future__ import annotations

import random

import pytest

from crawler.state.keyfilter import KeyFilter


def _keys(n: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    return [rng.getrandbits(64) - 2**63 for _ in range(n)]


def test_every_added_key_is_held_and_few_others_are() -> None:
    added, others = _keys(50_000, 1), _keys(50_000, 2)
    kept = KeyFilter.sized(len(added))
    kept.add(iter(added))  # any iterable: table scans are read in chunks
    assert kept.may_hold(added) == added
    assert kept.count == len(added)
    assert len(kept.may_hold(others)) < 0.08 * len(others)  # ~6 % at 6 bits and 4 probes
    roomy = KeyFilter.sized(2 * len(added))  # as the state sizes it after a rebuild
    roomy.add(added)
    assert len(roomy.may_hold(others)) < 0.02 * len(others)  # ~1 %


def test_keys_of_similarity_are_held_too() -> None:
    """Band and lead keys are not uniform in every bit pattern a test might pick: small keys,
    negative keys and the extremes are held as well."""
    special = [0, 1, -1, 2**63 - 1, -(2**63), 12345, -67890]
    kept = KeyFilter.sized(10)
    kept.add(special)
    assert kept.may_hold(special) == special


def test_a_stored_filter_is_read_back_whole() -> None:
    added = _keys(1_000, 3)
    kept = KeyFilter.sized(5_000)
    kept.add(added)
    again = KeyFilter.from_bytes(kept.capacity, kept.count, kept.to_bytes())
    assert again.may_hold(added) == added and again.count == 1_000
    with pytest.raises(ValueError, match="bytes"):
        KeyFilter.from_bytes(kept.capacity * 2, kept.count, kept.to_bytes())
