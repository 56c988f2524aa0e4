"""Partition segments (PassJoin): find every key within two typos of a query, whatever its trigrams.

A typo in a short word can leave it no trigram in common with the word it spoils ("ulna" for "luna"), and in
a catalog where the other words are common a trigram count cannot tell the title apart from thousands of
others. So each key of length n is also cut into t + 1 even segments (t = `typos(n)`): any string within t
edits of the key must contain one segment exactly, near the segment's own place (Li, Deng, Wang and Feng,
"Pass-Join", VLDB 2011). The index keeps a hash of (n, segment number, segment); a query probes the few
substrings the proof allows for each length n within t of its own, and gets every key that close.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]

BASE = 0x100000001B3  # a polynomial hash over code points, mod 2**64 (odd, so its powers can be undone)
MASK = (1 << 64) - 1
_MIX = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9)
_LONGEST_QUERY = 1024  # a longer query key is not probed (search keys are at most a few hundred letters)
_INVERSE = pow(BASE, -1, 1 << 64)
# Within `typos(n)` edits a key's letters gain or lose at most two each: compare which letters they use, as a
# 64-bit set (a-z, 0-9, then every other letter folded onto 28 bits), before comparing the strings.
LETTER_SET_SLACK = 4
_LETTER_BIT = {letter: bit for bit, letter in enumerate("abcdefghijklmnopqrstuvwxyz0123456789")}


def typos(length: int) -> int:
    """How many edits a key of `length` is found within: none below 4 letters, one up to 5, else two."""
    return 0 if length < 4 else 1 if length < 6 else 2


def typos_of(lengths: Array) -> Array:
    """`typos` for an array of lengths."""
    return np.where(lengths < 4, 0, np.where(lengths < 6, 1, 2))


def segment_of(lengths: Array, number: int) -> tuple[Array, Array, Array]:
    """For keys of these lengths: whether they have segment `number`, and its offset and size (`segments`)."""
    parts = typos_of(lengths) + 1
    size, longer = np.divmod(lengths, parts)
    shorter = parts - longer  # the first `shorter` segments have `size` letters, the others one more
    offset = number * size + np.maximum(0, number - shorter)
    return (parts > 1) & (number < parts), offset, size + (number >= shorter)


@functools.cache
def segments(length: int) -> tuple[tuple[int, int], ...]:
    """The (offset, size) of each segment of a key of `length`: `typos(length) + 1` even parts."""
    parts = typos(length) + 1
    if parts == 1:
        return ()
    size, longer = divmod(length, parts)
    found = []
    offset = 0
    for number in range(parts):
        part = size + (number >= parts - longer)
        found.append((offset, part))
        offset += part
    return tuple(found)


def _tag(length: int, number: int) -> int:
    return (((length << 8) | number) * _MIX[0]) & MASK


def mix_all(raw: Array, lengths: Array, number: int) -> Array:
    """The hashes stored for segment `number` of keys of these lengths, from their polynomial hashes, as
    `probes` makes them (numpy's uint64 arithmetic wraps as mod 2**64 does)."""
    tags = ((lengths.astype(np.uint64) << np.uint64(8)) | np.uint64(number)) * np.uint64(_MIX[0])
    with np.errstate(over="ignore"):
        mixed: Array = (raw + tags) * np.uint64(_MIX[1])
    return mixed


def powers(count: int, *, inverse: bool = False) -> Array:
    """BASE**i (or its inverse's) for i < count, mod 2**64."""
    factors = np.full(count, _INVERSE if inverse else BASE, dtype=np.uint64)
    if count:
        factors[0] = 1
    with np.errstate(over="ignore"):
        return np.cumprod(factors, dtype=np.uint64)


_POWERS = powers(_LONGEST_QUERY + 1)
_INVERSE_POWERS = powers(_LONGEST_QUERY + 1, inverse=True)


@functools.cache
def _plan(size: int) -> tuple[Array, Array, Array]:
    """Where a query of `size` letters is probed: substring starts and sizes, and the tags to mix in."""
    starts: list[int] = []
    sizes: list[int] = []
    tags: list[int] = []
    for length in range(size - 2, size + 3):
        allowed = typos(length)
        shift = size - length
        if not allowed or abs(shift) > allowed:
            continue
        for number, (offset, part) in enumerate(segments(length)):
            # Pass-Join's multi-match-aware choice: where segment `number` can sit in a string within
            # `allowed` edits of a key of `length`, given the edits its other segments may take
            low = max(offset - number, offset + shift - (allowed - number), 0)
            high = min(offset + number, offset + shift + (allowed - number), size - part)
            for start in range(low, high + 1):
                starts.append(start)
                sizes.append(part)
                tags.append(_tag(length, number))
    return (
        np.asarray(starts, dtype=np.int64),
        np.asarray(sizes, dtype=np.int64),
        np.asarray(tags, dtype=np.uint64),
    )


def probes(key: str) -> Array:
    """The hashes a key within `typos` edits of `key` must have stored for one of its segments."""
    if len(key) > _LONGEST_QUERY:
        return np.zeros(0, dtype=np.uint64)
    starts, sizes, tags = _plan(len(key))
    if not len(starts):
        return tags
    points = np.frombuffer(key.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    prefix = np.zeros(len(points) + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.cumsum(points * _POWERS[: len(points)], out=prefix[1:])
        raw = (prefix[starts + sizes] - prefix[starts]) * _INVERSE_POWERS[starts]
        hashes: Array = (raw + tags) * np.uint64(_MIX[1])
    return hashes


def letter_bits(points: Array) -> Array:
    """Each code point's bit in a letter set (see LETTER_SET_SLACK)."""
    bits = (36 + points % 28).astype(np.uint64)
    lower = (points >= ord("a")) & (points <= ord("z"))
    digit = (points >= ord("0")) & (points <= ord("9"))
    bits[lower] = (points[lower] - ord("a")).astype(np.uint64)
    bits[digit] = (points[digit] - ord("0") + 26).astype(np.uint64)
    return np.left_shift(np.uint64(1), bits)


def letter_set(key: str) -> int:
    """The letters `key` uses, as a 64-bit set (see LETTER_SET_SLACK)."""
    found = 0
    for letter in set(key):
        bit = _LETTER_BIT.get(letter)
        found |= 1 << (36 + ord(letter) % 28 if bit is None else bit)
    return found
