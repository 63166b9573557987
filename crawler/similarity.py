"""Content identity of article bodies: word tokens, exact fingerprints, and near-duplicate
detection with word shingles, MinHash signatures and LSH band keys.

The choice of parameters, and why:

* **Shingles** are word 4-grams of the word tokens (case, punctuation and accents folded).
  Four words are long enough that unrelated news stories share almost none ("said in a
  statement" is one shingle, not many), short enough that an edit touches only the shingles next
  to it.
* **Similarity** is the Jaccard index of the two shingle sets. A syndicated copy with one
  paragraph dropped or added out of 5-12 keeps J = 0.7-0.95; a follow-up that repeats the first
  two paragraphs of a story but is otherwise ~60 % new text has J = s / (2 - s) <= 0.3 for a shared
  share s <= 0.45. :data:`THRESHOLD` = 0.5 sits between the two groups, more than four standard
  errors of the 128-permutation estimate (about 0.044 at J = 0.5) away from either.
* **LSH** uses 32 bands of 4 rows (128 permutations): a pair with J = 0.6 becomes a candidate with
  probability 1 - (1 - 0.6^4)^32 = 0.99, J = 0.5 with 0.87, J = 0.25 with 0.12; every candidate is
  then *verified* with the full signature (the Jaccard estimate over 128 permutations), so the
  LSH stage is tuned for recall and the verification for precision.
* Signatures are stored as the low 16 bits of each of the 128 minima (256 bytes, "b-bit MinHash"):
  two unequal minima agree by chance with probability 2^-16, which moves the estimate by < 0.0001.

MinHash is datasketch's (a maintained, numpy-backed implementation with the standard
permutation scheme); banding and storage are ours so that buckets can live in SQLite rows.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
"""Permutations of a MinHash signature."""
BANDS = 32
"""LSH bands; BANDS * ROWS == NUM_PERM."""
ROWS = 4
"""Signature rows per LSH band."""
SHINGLE_WORDS = 4
"""Words per shingle."""
THRESHOLD = 0.5
"""Estimated Jaccard similarity from which two bodies are the same story."""
SEED = 1
"""datasketch permutation seed: fixed, signatures are stored across runs."""
SCHEME = "affine32"
"""datasketch (>= 2.0) hashing scheme, pinned: stored signatures must stay comparable."""

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def word_tokens(text: str) -> list[str]:
    """Lower-case word tokens of a text, accents and punctuation folded away.

    Combining marks are removed with one ``str.translate`` over the few distinct non-ASCII
    characters, not by a Python test per character (twice as fast on an article body).

    >>> word_tokens("NATO chief \u201cdownplays\u201d -- Kremlin's threat")
    ['nato', 'chief', 'downplays', 'kremlin', 's', 'threat']
    >>> word_tokens("Caf\u00e9 d\u00e9j\u00e0 \ufb01nal \u00c5ngstr\u00f6m")
    ['cafe', 'deja', 'final', 'angstrom']
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    marks = {ord(ch): None for ch in set(_NON_ASCII_RE.findall(folded))
             if unicodedata.combining(ch)}  # fmt: skip
    if marks:
        folded = folded.translate(marks)
    return _TOKEN_RE.findall(folded)


def fingerprint(body: str) -> str:
    """A 16-hex-digit fingerprint of the normalized body; blind to case, quotes and spacing.

    >>> fingerprint("Hello,  World!") == fingerprint("hello world")
    True
    >>> len(fingerprint("Hello"))
    16
    """
    return hashlib.blake2b(" ".join(word_tokens(body)).encode(), digest_size=8).hexdigest()


_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """The set of word ``size``-grams of a text's tokens (the whole text when shorter).

    >>> sorted(shingles("The cat sat on the mat", size=4))
    [b'cat sat on the', b'sat on the mat', b'the cat sat on']
    >>> shingles("Too short", size=4)
    {b'too short'}
    >>> shingles("")
    set()
    """
    words = word_tokens(text)
    if len(words) < size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


def minhash(text: str) -> MinHash:
    """The MinHash signature of a text's shingles.

    >>> a = minhash("NATO chief Jens Stoltenberg on Friday played down the threat")
    >>> b = minhash("nato chief jens stoltenberg, on friday, played down the threat!")
    >>> a.jaccard(b)
    1.0
    """
    sig = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_PERMUTATIONS, scheme=SCHEME)
    sig.update_batch(list(shingles(text)))
    return sig


def signature_bytes(sig: MinHash) -> bytes:
    """The compact stored form of a signature: the low 16 bits of each minimum, 256 bytes.

    >>> len(signature_bytes(minhash("a b c d e")))
    256
    """
    return np.asarray(sig.hashvalues, dtype=np.uint64).astype("<u2").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two stored signatures (see :func:`signature_bytes`).

    >>> s = signature_bytes(minhash("one two three four five six"))
    >>> similarity(s, s)
    1.0
    >>> similarity(s, signature_bytes(minhash("seven eight nine ten eleven"))) < 0.1
    True
    """
    x = np.frombuffer(a, dtype="<u2")
    y = np.frombuffer(b, dtype="<u2")
    return float(np.count_nonzero(x == y)) / len(x)


def band_keys(sig: MinHash | bytes) -> list[int]:
    """One signed 64-bit key per LSH band: a hash of the band's number and its rows' values.

    Two signatures share a key exactly when they agree on all rows of that band (up to a 2^-64
    chance). The band's number is part of the key, so one indexed integer column holds all bands.

    >>> keys = band_keys(minhash("a b c d e f g"))
    >>> len(keys), len(set(keys))
    (32, 32)
    >>> keys == band_keys(signature_bytes(minhash("A b c, d e f g.")))
    True
    """
    raw = sig if isinstance(sig, bytes) else signature_bytes(sig)
    step = 2 * ROWS
    return [
        int.from_bytes(
            hashlib.blake2b(
                bytes([band]) + raw[band * step : (band + 1) * step], digest_size=8
            ).digest(),
            "little",
            signed=True,
        )
        for band in range(BANDS)
    ]
