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

**Harder copies** need a second measure. Editors cut wire stories from the bottom: a copy trimmed
to the first half of a story has J = |T| / |A| ~ 0.5 against it, and a page that runs a second,
shorter story after the first has J = |A| / |A + B'| against the first, both near or under
:data:`THRESHOLD`; yet every shingle of the trimmed copy is in the story. Their measure is the
**containment** of the smaller set in the larger, C = |A n B| / min(|A|, |B|), computed from the
Jaccard estimate and the two shingle counts (|A n B| = J (|A| + |B|) / (1 + J)), so the stored
signature keeps its format and only the count (:attr:`Sketch.size`) is stored beside it.

* A pair is a duplicate when J >= :data:`THRESHOLD` **or** C >= :data:`CONTAINMENT_THRESHOLD`.
  Measured over the candidate pairs of a 6,000-article mirror, 2,061 of them (53,848 when one
  lead key made a candidate; ``bench/bench_dedupe_scores.py``, chart in
  ``bench/dedupe_scores.png``): trimmed and merged
  copies have C = 1 against their story; near misses sharing a lead and the second story of
  a merged page have C <= 0.57, other candidates C <= 0.50. 0.8 sits between, about three
  standard errors of the estimate from both sides at a size ratio of one half.
* C is estimated from J, and its error grows as the sizes part: at a size ratio of 0.5 its
  standard error is about 0.06, at 0.2 over 0.2. Below :data:`MIN_SIZE_RATIO` containment is
  not used (a 50-word brief against a 1,000-word story is decided by J alone).
* Candidates: a trimmed copy with J ~ 0.45 is an LSH candidate with probability 0.75 only. But
  a trimmed or merged copy opens like the story, so each story is also indexed by
  :data:`LEAD_KEYS` **lead keys** (the smallest hashes of the shingles of its first
  :data:`LEAD_TOKENS` words), stored in the same bucket table as the bands. The stories that
  share *all* its lead keys (that open as it does) become candidates, and the verification above
  keeps the copies and drops the near misses. One lead key alone is no evidence: a lead key is
  one 4-word shingle, and a common one ("the us space force") is the smallest hash of hundreds
  of openings (at 100,000 articles a lead key was shared by 100 stories at the median, 2,069 at
  most); read alone, those buckets cost every query more than the rest of it, and their stories
  took the candidates' places (``bench/bench_dedupe_scores.py --articles 100000``). Even their
  intersection reads both buckets in full, so the SQLite store indexes the set of lead keys as
  one **opening key** (:func:`opening_key`) and finds the stories that open alike with one lookup;
  the Redis store intersects the lead keys' buckets. A crawled article has at least 20 words,
  hence always :data:`LEAD_KEYS` lead keys, and the two give the same stories.
* Copies of copies (a trimmed copy and a copy with a paragraph dropped from that first half) can
  be far from each other and close to the story. A story that matches several stored ones is
  recorded with all of them, so that the export joins them (``also`` in the duplicates file).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate
from typing import NamedTuple

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
CONTAINMENT_THRESHOLD = 0.8
"""Estimated containment from which the smaller body is a copy of the larger one."""
MIN_SIZE_RATIO = 0.3
"""Smallest ratio of two shingle counts for which containment is estimated at all."""
LEAD_TOKENS = 40
"""Words of a body's opening that its lead keys are drawn from."""
LEAD_KEYS = 2
"""Lead keys per story (the smallest hashes of the opening's shingles)."""
SEED = 1
"""datasketch permutation seed: fixed, signatures are stored across runs."""
SCHEME = "affine32"
"""datasketch (>= 2.0) hashing scheme, pinned: stored signatures must stay comparable."""

_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")
_ASCII_NON_WORD_TO_SPACE = bytes(
    c if c >= 0x80 or c == 0x5F or chr(c).isalnum() else 0x20 for c in range(256))
"""A bytes.translate table: ASCII characters that are no part of a word (``\\w``) become
spaces; word characters and the bytes of UTF-8 sequences stay."""


def word_tokens(text: str) -> list[str]:
    """Lower-case word tokens of a text, accents and punctuation folded away: the ``\\w+``
    runs of its NFKD case fold without combining marks.

    >>> word_tokens("NATO chief \u201cdownplays\u201d -- Kremlin's threat")
    ['nato', 'chief', 'downplays', 'kremlin', 's', 'threat']
    >>> word_tokens("Caf\u00e9 d\u00e9j\u00e0 \ufb01nal \u00c5ngstr\u00f6m")
    ['cafe', 'deja', 'final', 'angstrom']
    """
    return list(_tokens(text))


@lru_cache(maxsize=16)
def _tokens(text: str) -> tuple[str, ...]:
    # Cached (a few entries): one body is tokenised for its fingerprint at extraction, then for
    # its version and its sketch by the dedupe step; its str hash is computed once.
    # The tokens are the ``\w+`` runs of the folded text, found without a regex: the few
    # distinct non-ASCII characters are dropped (combining marks) or made spaces (non-word
    # ones) with str.replace, ASCII non-word characters made spaces by one bytes.translate,
    # and str.split cuts the words (2.4 times as fast as re.findall on article bodies).
    folded = unicodedata.normalize("NFKD", text.casefold())
    if not folded.isascii():
        for ch in set(_NON_ASCII_RE.findall(folded)):
            if unicodedata.combining(ch):
                folded = folded.replace(ch, "")
            elif not ch.isalnum():
                folded = folded.replace(ch, " ")
    return tuple(folded.encode().translate(_ASCII_NON_WORD_TO_SPACE).decode().split())


def fingerprint(body: str) -> str:
    """A 16-hex-digit fingerprint of the normalized body; blind to case, quotes and spacing.

    >>> fingerprint("Hello,  World!") == fingerprint("hello world")
    True
    >>> len(fingerprint("Hello"))
    16
    """
    return _digest(_tokens(body))


def _digest(tokens: Sequence[str]) -> str:
    return hashlib.blake2b(" ".join(tokens).encode(), digest_size=8).hexdigest()


def version_of(title: str, body: str) -> str:
    """A fingerprint of what a reader sees of a story, headline and body: it changes when either
    is edited (the body ``fingerprint`` alone stays with a new headline, as copies need).

    >>> version_of("A rocket flies", "It flew.") == version_of("A  rocket flies!", "It flew")
    True
    >>> version_of("A rocket flies", "It flew.") == version_of("A rocket lands", "It flew.")
    False
    """
    return _digest((*_tokens(title), *_tokens(body)))  # the tokens of title + newline + body


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
    return _shingles(_tokens(text), size)


def _shingles(words: Sequence[str], size: int = SHINGLE_WORDS) -> set[bytes]:
    if len(words) < size:
        return {" ".join(words).encode()} if words else set()
    data, starts = _joined(words)
    return {data[a : b - 1] for a, b in zip(starts, starts[size:], strict=False)}


def _joined(words: Sequence[str]) -> tuple[bytes, list[int]]:
    """The words joined by single spaces in UTF-8, and where each word starts in it (then one
    past the end, plus one): the ``size`` words from word ``i`` are ``data[s[i]:s[i+size]-1]``,
    one slice where a join and an encoding per shingle cost a third more.

    >>> data, s = _joined(["caf\u00e9", "au", "lait"])
    >>> data[s[0] : s[2] - 1].decode(), data[s[1] : s[3] - 1].decode()
    ('caf\u00e9 au', 'au lait')
    """
    text = " ".join(words)
    data = text.encode()
    sizes = [len(w) + 1 for w in words] if text.isascii() else [
        len(w.encode()) + 1 for w in words]
    return data, [0, *accumulate(sizes)]


def minhash(text: str) -> MinHash:
    """The MinHash signature of a text's shingles.

    >>> a = minhash("NATO chief Jens Stoltenberg on Friday played down the threat")
    >>> b = minhash("nato chief jens stoltenberg, on friday, played down the threat!")
    >>> a.jaccard(b)
    1.0
    """
    return _minhash(shingles(text))


def _minhash(grams: Iterable[bytes]) -> MinHash:
    # datasketch hashes each value with its default sha1_hash32 (a Python call, a struct unpack)
    # then permutes; the same 32-bit values are taken here from one buffer of SHA-1 digests
    # and handed over as they are (hashfunc=int), so signatures stay datasketch's, bit for bit.
    sig = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_PERMUTATIONS, scheme=SCHEME,
                  hashfunc=int)
    sig.update_batch(shingle_hashes(grams))
    return sig


_A, _B = (np.ascontiguousarray(p, dtype=np.uint32) for p in _PERMUTATIONS)
"""The affine permutations h -> a * h + b (mod 2^32) of the signature, datasketch's."""
_EMPTY_SIGNATURE = np.full(NUM_PERM, 0xFFFF, dtype="<u2").tobytes()
"""The stored signature of no shingle: every minimum is the largest value."""


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, which datasketch's affine32 scheme applies to each hash
    before permuting it (uint32 arithmetic wraps, as the finalizer needs).

    >>> [hex(h) for h in _fmix32(np.array([0, 1], dtype=np.uint32)).tolist()]  # published values
    ['0x0', '0x514e28b7']
    """
    h = h ^ (h >> np.uint32(16))
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def _signature(grams: Collection[bytes]) -> bytes:
    """The stored signature of a set of shingles, ``signature_bytes(_minhash(grams))`` without
    the MinHash: the same arithmetic on one (shingles x permutations) array. A MinHash object
    per story cost a third of the sketch (checking its permutations, converting its input).

    >>> grams = shingles("NATO chief Jens Stoltenberg on Friday played down the threat")
    >>> _signature(grams) == signature_bytes(_minhash(grams)), _signature(set()) == (
    ...     signature_bytes(_minhash(set())))
    (True, True)
    """
    if not grams:
        return _EMPTY_SIGNATURE
    permuted = np.multiply.outer(_fmix32(_sha1_hash32(grams)), _A)
    permuted += _B
    return permuted.min(axis=0).astype("<u2").tobytes()


def shingle_hashes(grams: Iterable[bytes]) -> list[int]:
    """datasketch's default hash of each shingle (``sha1_hash32``: the first four bytes of its
    SHA-1, little-endian), read from one buffer of digests.

    >>> shingle_hashes([b"the cat sat on"]) == [
    ...     int.from_bytes(hashlib.sha1(b"the cat sat on").digest()[:4], "little")]
    True
    """
    return _sha1_hash32(grams).tolist()


def _sha1_hash32(grams: Iterable[bytes]) -> np.ndarray:
    """:func:`shingle_hashes` as a uint32 array, read from one buffer of SHA-1 digests."""
    digests = b"".join([hashlib.sha1(g).digest() for g in grams])
    return np.frombuffer(digests, dtype="<u4")[:: hashlib.sha1().digest_size // 4]


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


def similarities(signature: bytes, stored: Sequence[bytes]) -> list[float]:
    """:func:`similarity` of one stored signature with each of several, in one comparison (a
    query verifies up to two dozen candidates; one numpy call each cost more than the rest).

    >>> s = signature_bytes(minhash("one two three four five six"))
    >>> t = signature_bytes(minhash("seven eight nine ten eleven"))
    >>> similarities(s, [s, t]) == [similarity(s, s), similarity(s, t)], similarities(s, [])
    (True, [])
    """
    if not stored:
        return []
    x = np.frombuffer(signature, dtype="<u2")
    rows = np.frombuffer(b"".join(stored), dtype="<u2").reshape(len(stored), len(x))
    return [float(n) / len(x) for n in np.count_nonzero(rows == x, axis=1).tolist()]


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


def lead_keys(text: str) -> tuple[int, ...]:
    """The story's lead keys: the :data:`LEAD_KEYS` smallest signed 64-bit hashes of the
    shingles of its first :data:`LEAD_TOKENS` words (none for a body under four words).

    Bodies with the same opening have the same keys, whatever follows it; the keys are hashed
    with a prefix of their own, so they never equal a band key.

    >>> a = lead_keys(" ".join(f"w{i}" for i in range(60)))
    >>> a == lead_keys(" ".join(f"w{i}" for i in range(45))), len(a)
    (True, 2)
    >>> a == lead_keys(" ".join(f"x{i}" for i in range(60))), lead_keys("too short")
    (False, ())
    """
    return _lead_keys(_tokens(text))


def _lead_keys(tokens: Sequence[str]) -> tuple[int, ...]:
    data, starts = _joined(tokens[:LEAD_TOKENS])
    hashes = sorted(
        int.from_bytes(hashlib.blake2b(b"lead " + data[a : b - 1], digest_size=8).digest(),
                       "little", signed=True)
        for a, b in zip(starts, starts[SHINGLE_WORDS:], strict=False)
    )
    return tuple(hashes[:LEAD_KEYS])


def opening_key(lead: Sequence[int]) -> int | None:
    """One key for a whole opening: a hash of all the lead keys (None without any).

    Stories whose lead keys are the same set, the stories that open alike, share it, so one
    indexed lookup finds them where reading every lead key's bucket reads hundreds of stories.
    It is hashed with a prefix of its own, so it never equals a band key or a lead key.

    >>> a = lead_keys(" ".join(f"w{i}" for i in range(60)))
    >>> opening_key(a) == opening_key(tuple(reversed(a))), opening_key(a) in a
    (True, False)
    >>> opening_key(a[:1]) == opening_key(a), opening_key(()) is None
    (False, True)
    """
    if not lead:
        return None
    data = b"opening " + b"".join(k.to_bytes(8, "little", signed=True) for k in sorted(lead))
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little", signed=True)


@dataclass(frozen=True)
class Sketch:
    """What deduplication keeps of a body: its signature, shingle count and lead keys."""

    signature: bytes
    """The stored form of the MinHash signature (:func:`signature_bytes`)."""
    size: int | None = None
    """Number of distinct shingles; None for a story stored before counts were kept."""
    lead: tuple[int, ...] = ()
    """Lead keys (:func:`lead_keys`)."""

    @cached_property
    def bands(self) -> tuple[int, ...]:
        """The LSH band keys of the signature (:func:`band_keys`), worked out once: a search and
        the story's storing both read them."""
        return tuple(band_keys(self.signature))

    @property
    def keys(self) -> list[int]:
        """Every bucket key the story is indexed by: its LSH bands, then its lead keys."""
        return [*self.bands, *self.lead]

    @property
    def query_keys(self) -> tuple[list[int], list[int]]:
        """The keys a search for this story reads: its LSH bands, each bringing the stories in
        its bucket, and its distinct lead keys, together bringing the stories in all of their
        buckets (the stories that open as this one does; see the module's reasoning).

        >>> s = sketch(" ".join(f"w{i}" for i in range(60)))
        >>> bands, leads = s.query_keys
        >>> len(bands), leads == list(s.lead)
        (32, True)
        """
        bands = [*self.bands]
        return bands, [k for k in dict.fromkeys(self.lead) if k not in bands]

    @cached_property
    def opening(self) -> int | None:
        """The key of the story's opening (:func:`opening_key` of its lead keys), or None."""
        return opening_key(self.lead)


def sketch(text: str) -> Sketch:
    """The sketch of a body (shingled once).

    >>> s = sketch("NATO chief Jens Stoltenberg on Friday played down the threat")
    >>> s.size, len(s.signature), len(s.lead), len(s.keys)
    (7, 256, 2, 34)
    """
    tokens = _tokens(text)  # once, for the shingles and the lead keys
    grams = _shingles(tokens)
    return Sketch(_signature(grams), len(grams), _lead_keys(tokens))


def as_sketch(sig: MinHash | Sketch) -> Sketch:
    """A sketch from a bare MinHash (no count, no lead keys) or the sketch itself."""
    return sig if isinstance(sig, Sketch) else Sketch(signature_bytes(sig))


def containment(jaccard: float, size_a: int, size_b: int) -> float:
    """Containment of the smaller set in the larger, from their Jaccard index and sizes.

    >>> containment(0.5, 100, 200)   # 100 shingles, all in the 200: J = 100/200
    1.0
    >>> round(containment(0.2, 100, 100), 3)
    0.333
    """
    if min(size_a, size_b) <= 0:
        return 0.0
    shared = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, shared / min(size_a, size_b))


@dataclass(frozen=True)
class Rule:
    """When two bodies are one story (see the module's reasoning)."""

    jaccard: float = THRESHOLD
    """Estimated Jaccard from which they are."""
    containment: float = CONTAINMENT_THRESHOLD
    """Estimated containment from which they are (above 1: never by containment)."""
    min_ratio: float = MIN_SIZE_RATIO
    """Smallest ratio of the shingle counts for which containment is used."""


class Score(NamedTuple):
    """The scores of a decision that two bodies are one story."""

    similarity: float
    """Estimated Jaccard similarity of the two bodies' shingles, 0..1."""
    containment: float | None = None
    """Estimated containment of the smaller in the larger; None when a count is unknown or
    the sizes are too far apart (:attr:`Rule.min_ratio`)."""
    rule: str = "jaccard"
    """Which measure made them one story: 'jaccard' (or exact) or 'containment'."""

    @property
    def strength(self) -> float:
        """How close the two are: the larger of the two scores (ranks several matches)."""
        return max(self.similarity, self.containment or 0.0)


def judge(new: Sketch, stored: Sketch, rule: Rule) -> Score | None:
    """The scores when the rule makes ``new`` a duplicate of ``stored``, else None.

    >>> story = " ".join(f"Sentence {i} of the story says something new." for i in range(30))
    >>> cut = story[: len(story) * 2 // 5].rsplit(".", 1)[0] + "."
    >>> s = judge(sketch(cut), sketch(story), Rule())
    >>> s.similarity < THRESHOLD, s.containment >= CONTAINMENT_THRESHOLD, s.rule
    (True, True, 'containment')
    >>> judge(sketch(cut), sketch(story), Rule(containment=1.1)) is None
    True
    """
    return decide(similarity(new.signature, stored.signature), new.size, stored.size, rule)


def judge_all(new: Sketch, stored: Sequence[Sketch], rule: Rule) -> list[Score | None]:
    """:func:`judge` of ``new`` against each stored sketch (one comparison for all signatures).

    >>> story = " ".join(f"Sentence {i} of the story says something new." for i in range(30))
    >>> a, b = sketch(story), sketch(story[: len(story) // 2])
    >>> judge_all(a, [a, b], Rule()) == [judge(a, a, Rule()), judge(a, b, Rule())]
    True
    """
    scores = similarities(new.signature, [s.signature for s in stored])
    return [decide(j, new.size, s.size, rule) for j, s in zip(scores, stored, strict=True)]


def decide(j: float, size_a: int | None, size_b: int | None, rule: Rule) -> Score | None:
    """The scores when an estimated Jaccard ``j`` between bodies of ``size_a`` and ``size_b``
    shingles makes them one story under the rule, else None (see :func:`judge`).

    >>> decide(0.6, 100, 100, Rule()).rule, decide(0.45, 90, 200, Rule()).rule
    ('jaccard', 'containment')
    >>> decide(0.45, 90, 200, Rule(containment=1.1)) is None, decide(0.45, None, 200, Rule())
    (True, None)
    """
    c = None
    if size_a and size_b and min(size_a, size_b) >= rule.min_ratio * max(size_a, size_b):
        c = containment(j, size_a, size_b)
    if j >= rule.jaccard:
        return Score(j, c, "jaccard")
    if c is not None and c >= rule.containment:
        return Score(j, c, "containment")
    return None
