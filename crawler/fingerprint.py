"""Content fingerprints of article bodies: equal for syndicated copies of one story."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Lower-case word tokens of a text, accents and punctuation folded away.

    >>> tokens("NATO chief \u201cdownplays\u201d -- Kremlin's threat")
    ['nato', 'chief', 'downplays', 'kremlin', 's', 'threat']
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _TOKEN_RE.findall(folded)


def fingerprint(body: str) -> str:
    """A 16-hex-digit fingerprint of the normalized body; blind to case, quotes and spacing.

    >>> fingerprint("Hello,  World!") == fingerprint("hello world")
    True
    >>> len(fingerprint("Hello"))
    16
    """
    return hashlib.blake2b(" ".join(tokens(body)).encode(), digest_size=8).hexdigest()


def word_count(body: str) -> int:
    """Number of whitespace-separated words.

    >>> word_count("One two\\n\\nthree.")
    3
    """
    return len(body.split())
