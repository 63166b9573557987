"""The keys the state stores share: compact 64-bit forms of URLs and fingerprints, and the
similarity parameters a stored state was built with (SQLite and Redis alike)."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from crawler import similarity

FORMAT_VERSION = "2"
"""Version of the stored layout; format 1 is migrated in place (:func:`migratable`), a state
built with another one is refused. Format 2 added each story's shingle count and lead keys
(containment), its publication date, host, revision and whether it is gone (revisits), the
validators of article pages, and the dates of pages fetched but not exported (backfill)."""
MAX_CANDIDATES = 24
"""Candidates (LSH bands and lead keys) verified with the full signature, most keys first."""


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


def fingerprint_hex(key: int) -> str:
    """The fingerprint of a stored key (the inverse of :func:`fingerprint_key` for the project's
    16-hex-digit fingerprints).

    >>> fingerprint_hex(fingerprint_key("00ff00ff00ff00ff")), fingerprint_hex(-1)
    ('00ff00ff00ff00ff', 'ffffffffffffffff')
    """
    return (key & 0xFFFF_FFFF_FFFF_FFFF).to_bytes(8, "big").hex()


def host_of(url: str) -> str:
    """The host of an address, lower case (the revisits' "site clock" is kept per host).

    >>> host_of("https://WWW.SpaceWar.com/reports/X_999.html")
    'www.spacewar.com'
    """
    return (urlsplit(url).hostname or "").lower()


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
        "lead": f"{similarity.LEAD_KEYS}of{similarity.LEAD_TOKENS}",
    }


def migratable(stored: dict[str, str]) -> bool:
    """Whether stored parameters are format 1 with this code's similarity parameters (format 2
    only added the shingle count and the lead keys, so such a state is migrated in place).

    >>> migratable({k: v for k, v in state_params().items() if k != "lead"} | {"format": "1"})
    True
    >>> migratable(state_params()), migratable({"format": "1", "num_perm": "64"})
    (False, False)
    """
    wanted = {k: v for k, v in state_params().items() if k != "lead"} | {"format": "1"}
    return stored == wanted
