"""The keys the state stores share: compact 64-bit forms of URLs and fingerprints, and the
similarity parameters a stored state was built with (SQLite and Redis alike)."""

from __future__ import annotations

import hashlib

from crawler import similarity

FORMAT_VERSION = "1"
"""Version of the stored layout; a state built with another one is refused."""
MAX_CANDIDATES = 16
"""LSH candidates verified with the full signature, most shared bands first."""


def key64(text: str) -> int:
    """A signed 64-bit key for a string (blake2b), the compact indexed form of a URL.

    >>> key64("https://www.spacewar.com/") == key64("https://www.spacewar.com/")
    True
    >>> -2**63 <= key64("x") < 2**63
    True
    """
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little",
                          signed=True)  # fmt: skip


def fingerprint_key(fingerprint: str) -> int:
    """The integer form of a fingerprint: its own 64 bits when it is 16 hex digits.

    >>> fingerprint_key("ffffffffffffffff")
    -1
    >>> fingerprint_key("not-hex!") == key64("not-hex!")
    True
    """
    if len(fingerprint) == 16:
        try:
            return int.from_bytes(bytes.fromhex(fingerprint), "big", signed=True)
        except ValueError:
            pass
    return key64(fingerprint)


def state_params() -> dict[str, str]:
    """The similarity parameters a stored state was built with; they must not change under it.

    >>> state_params()["bands"]
    '32x4'
    """
    return {
        "format": FORMAT_VERSION,
        "num_perm": str(similarity.NUM_PERM),
        "bands": f"{similarity.BANDS}x{similarity.ROWS}",
        "shingle_words": str(similarity.SHINGLE_WORDS),
        "minhash": f"datasketch/{similarity.SCHEME}/seed={similarity.SEED}/b16",
    }
