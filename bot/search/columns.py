"""Build a frozen shard from many entries at once: names folded, keys sorted, trigrams and segments cut by numpy.

A pure-Python build spends microseconds per name; at a million titles that is half a minute before the bot
answers anything. Here each step runs over all the names at once: `fold_lines` folds them as one string (the
ASCII ones on a faster path than the rest), the distinct keys are sorted once, and the trigram postings, the
segments and the acronyms come from arrays of code points or bytes, a chunk of keys at a time.
"""

from __future__ import annotations

import itertools
import operator
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.search.frozen import (
    ACRONYM_LETTERS,
    GRAM_BASE,
    GRAM_MASK,
    LENGTH_BITS,
    LONGEST,
    Columns,
    FrozenShard,
    acronym_code,
)
from bot.search.scoring import ACRONYM_LONGEST, SMALL_WORDS, acronyms
from bot.search.segments import letter_bits, mix_all, powers, segment_of
from bot.text import fold_lines, keys_of_lines, normalize

Array = npt.NDArray[Any]

_LINE = 10  # the line break that joins names (no folded name or key holds one)
_SPACE = 32
_CHUNK = 1 << 16  # keys cut at a time, to bound the temporary arrays
_SMALL_CODES = np.asarray(
    [int.from_bytes(word.encode(), "little") for word in SMALL_WORDS if len(word) <= 4], dtype=np.uint32
)
_ACRONYM_NUMBER = np.zeros(256, dtype=np.uint64)  # byte -> 1..36 for [a-z0-9]
for _letter, _number in ACRONYM_LETTERS.items():
    _ACRONYM_NUMBER[ord(_letter)] = _number


def build_frozen(ids: Sequence[int], names: Sequence[Sequence[str]], popularity: Sequence[float]) -> FrozenShard:
    """Index entries: distinct ids, each with its clean names (display name first) and popularity in [0, 1]."""
    entry_ids = np.asarray(ids, dtype=np.int64)
    entry_popularity = np.clip(np.asarray(popularity, dtype=np.float32), 0.0, 1.0)
    counts = np.fromiter(map(len, names), dtype=np.int32, count=len(names))
    name_start = np.zeros(len(names) + 1, dtype=np.int32)
    np.cumsum(counts, out=name_start[1:])
    flat = list(itertools.chain.from_iterable(names))
    name_entry = np.repeat(np.arange(len(names), dtype=np.int32), counts)

    # Fold the ASCII names and the others apart: each kind in a few passes over one joined string.
    plain = np.fromiter(map(str.isascii, flat), dtype=bool, count=len(flat))
    ascii_at, other_at = np.flatnonzero(plain), np.flatnonzero(~plain)
    ascii_folded = _folded(list(itertools.compress(flat, plain.tolist())))
    other_folded = _folded(list(itertools.compress(flat, map(operator.not_, plain.tolist()))))
    acronym_names, acronym_codes = _acronyms(ascii_folded, ascii_at, other_folded, other_at)
    ascii_keys = keys_of_lines(ascii_folded).split("\n") if len(ascii_at) else []
    del ascii_folded
    other_keys = keys_of_lines(other_folded).split("\n") if len(other_at) else []
    del other_folded

    # Slots: an entry's distinct non-empty keys, in the order of its names.
    distinct = sorted(set(ascii_keys).union(other_keys) - {""})
    number_of = dict(zip(distinct, range(len(distinct)), strict=True))
    number_of[""] = -1
    name_key = np.empty(len(flat), dtype=np.int64)
    name_key[ascii_at] = np.fromiter(map(number_of.__getitem__, ascii_keys), dtype=np.int64, count=len(ascii_at))
    name_key[other_at] = np.fromiter(map(number_of.__getitem__, other_keys), dtype=np.int64, count=len(other_at))
    del number_of, ascii_keys, other_keys
    named = np.flatnonzero(name_key >= 0)
    _, first = np.unique((name_entry[named].astype(np.int64) << 32) | name_key[named], return_index=True)
    slot_name = np.sort(named[first]).astype(np.int32)
    slot_entry = name_entry[slot_name]
    slot_key = name_key[slot_name].astype(np.int32)
    del name_key, named, first
    slot_of_name = np.full(len(flat), -1, dtype=np.int32)
    slot_of_name[slot_name] = np.arange(len(slot_name), dtype=np.int32)
    acronym_slots = slot_of_name[acronym_names]
    kept = acronym_slots >= 0  # a name whose key an earlier name of the entry had already has no slot
    acronym_slots, acronym_codes = acronym_slots[kept], acronym_codes[kept]
    del slot_of_name, acronym_names

    # Each key's holders, most popular first (then in slot order, which is the catalog's).
    holders = np.lexsort((-entry_popularity[slot_entry], slot_key)).astype(np.int32)
    holder_start = np.zeros(len(distinct) + 1, dtype=np.int32)
    np.cumsum(np.bincount(slot_key, minlength=len(distinct)), out=holder_start[1:])

    key_blob = ("\n".join(distinct) + "\n").encode(errors="surrogatepass") if distinct else b""
    breaks = np.flatnonzero(np.frombuffer(key_blob, dtype=np.uint8) == _LINE)
    key_start = np.concatenate(([0], breaks + 1)).astype(np.int32 if len(key_blob) < 2**31 else np.int64)
    key_chars = np.minimum(np.fromiter(map(len, distinct), dtype=np.int64, count=len(distinct)), 2**15 - 1)
    alphabet, term_codes, term_start, postings, segment_hashes, segment_keys, letter_sets = _cut(distinct, key_chars)
    del distinct

    order = np.lexsort((-entry_popularity[slot_entry[acronym_slots]], acronym_codes))
    columns = Columns(
        entry_ids=entry_ids,
        popularity=entry_popularity,
        name_start=name_start,
        names=flat,
        slot_entry=slot_entry,
        slot_name=slot_name,
        slot_key=slot_key,
        key_blob=key_blob,
        key_start=key_start,
        key_chars=key_chars.astype(np.int16),
        holder_start=holder_start,
        holders=holders,
        alphabet=alphabet,
        term_codes=term_codes,
        term_start=term_start,
        postings=postings,
        segment_hashes=segment_hashes,
        segment_keys=segment_keys,
        letter_sets=letter_sets,
        acronym_codes=acronym_codes[order],
        acronym_slots=acronym_slots[order],
    )
    return FrozenShard(columns)


def _folded(texts: list[str]) -> str:
    folded = fold_lines(texts)
    if folded is None:  # a name with a line break in it: fold one by one (a line break folds to a space)
        folded = "\n".join(normalize(text) for text in texts)
    return folded


def _cut(keys: list[str], key_chars: Array) -> tuple[dict[str, int], Array, Array, Array, Array, Array, Array]:
    """Cut every key into trigrams (by key length) and segments: the alphabet, both tables, the letter sets."""
    # Letters are numbered as they first appear; a trigram's code is its numbers in base GRAM_BASE.
    numbering = np.zeros(0x110000, dtype=np.int32)
    seen = np.zeros(0x110000, dtype=bool)
    numbered = 0
    letter_bit = np.zeros(1, dtype=np.uint64)  # by letter number: its bit in a key's letter set (0: none)
    longest = max((len(keys[start : start + _CHUNK]) + int(key_chars[start : start + _CHUNK].sum()))
                  for start in range(0, len(keys), _CHUNK)) if keys else 0  # fmt: skip
    power, inverse = powers(longest), powers(longest, inverse=True)
    size = GRAM_BASE
    key_bits = 32  # a gram is term << 32 | key: its two uint32 halves are the key and the term
    grams = np.empty(int(np.maximum(key_chars - 2, 0).sum()), dtype=np.uint64)
    filled = 0
    segment_parts: list[tuple[Array, Array]] = []
    letter_sets = np.zeros(len(keys), dtype=np.uint64)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        points = _points("\n".join(chunk) + "\n")
        breaks = points == _LINE
        seen[points] = True
        seen[_LINE] = False
        new = np.flatnonzero(seen & (numbering == 0))
        numbering[new] = np.arange(numbered + 1, numbered + len(new) + 1, dtype=np.int32)
        numbered += len(new)
        numbers = numbering[points]
        numbers[breaks] = 0
        if len(new):
            letter_bit = np.concatenate((letter_bit, letter_bits(new.astype(np.int64))))
        owner = np.cumsum(breaks, dtype=np.int32)  # key at each position, counted from the chunk's first
        owner -= breaks  # a line break belongs to the key it ends
        a, b, c = numbers[:-2], numbers[1:-1], numbers[2:]
        at = np.flatnonzero((a > 0) & (b > 0) & (c > 0))
        gram = ((a[at].astype(np.int64) * size + b[at]) * size + c[at]) & GRAM_MASK
        key = owner[at].astype(np.int64)
        length = np.minimum(key_chars[start + key], LONGEST)
        grams[filled : filled + len(at)] = (
            ((gram << LENGTH_BITS) | length).astype(np.uint64) << np.uint64(key_bits)
        ) | (start + key).astype(np.uint64)
        filled += len(at)
        segment_parts.append(_segments(points, breaks, key_chars[start : start + len(chunk)], start, power, inverse))
        bits = letter_bit[numbers]
        key_starts = np.concatenate(([0], np.flatnonzero(breaks)[:-1] + 1))
        letter_sets[start : start + len(chunk)] = np.bitwise_or.reduceat(bits, key_starts)
    grams.sort()
    halves = grams.view(np.uint32).reshape(-1, 2)  # little-endian: (key, term) pairs, no copy
    if sys.byteorder != "little":
        halves = halves[:, ::-1]
    repeated = np.flatnonzero(grams[1:] == grams[:-1]) + 1  # a trigram twice in one key
    postings = np.delete(halves[:, 0], repeated).astype(np.int32)
    terms = np.delete(halves[:, 1], repeated)
    del grams, halves
    firsts = np.flatnonzero(np.concatenate(([True], terms[1:] != terms[:-1]))) if len(terms) else np.zeros(0, int)
    term_codes = terms[firsts]
    term_start = np.concatenate((firsts, [len(terms)])).astype(np.int32)
    del terms
    hashes = np.concatenate([hashes for hashes, _ in segment_parts]) if segment_parts else np.zeros(0, np.uint64)
    owners = np.concatenate([owners for _, owners in segment_parts]) if segment_parts else np.zeros(0, np.int32)
    order = np.argsort(hashes)
    letters = np.flatnonzero(numbering)
    alphabet = dict(zip(map(chr, letters.tolist()), numbering[letters].tolist(), strict=True))
    return alphabet, term_codes, term_start, postings, hashes[order], owners[order].astype(np.int32), letter_sets


def _points(text: str) -> Array:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)


def _segments(
    points: Array, breaks: Array, lengths: Array, first: int, power: Array, inverse: Array
) -> tuple[Array, Array]:
    """Hash each key's segments (see bot/search/segments.py) as a query's probes hash its substrings."""
    starts = np.concatenate(([0], np.flatnonzero(breaks)[:-1] + 1))
    prefix = np.zeros(len(points) + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.cumsum(points.astype(np.uint64) * power[: len(points)], out=prefix[1:])
    found_hashes: list[Array] = []
    found_keys: list[Array] = []
    lengths = lengths.astype(np.int64)
    for number in range(3):
        has, offset, size = segment_of(lengths, number)
        keys = np.flatnonzero(has)
        at = starts[keys] + offset[keys]
        with np.errstate(over="ignore"):
            raw = (prefix[at + size[keys]] - prefix[at]) * inverse[at]
        found_hashes.append(mix_all(raw, lengths[keys], number))
        found_keys.append((first + keys).astype(np.int32))
    return np.concatenate(found_hashes), np.concatenate(found_keys)


def _acronyms(ascii_folded: str, ascii_at: Array, other_folded: str, other_at: Array) -> tuple[Array, Array]:
    """Every name's acronyms (as `scoring.acronyms` gives them) of up to 10 letters: (names, codes)."""
    names: list[Array] = []
    codes: list[Array] = []
    if len(ascii_at):
        first = 0
        for piece in _pieces(ascii_folded):  # a piece at a time, to bound the temporary arrays
            lines = piece.count("\n") + 1
            at, piece_codes = _ascii_acronyms(piece, lines)
            names.append(ascii_at[first + at])
            codes.append(piece_codes)
            first += lines
    other_names: list[int] = []
    other_codes: list[int] = []
    if len(other_at):
        for line, text in enumerate(other_folded.split("\n")):
            if text.count(" ") >= 2 and text[0].isascii():  # three words or more, all with ASCII initials
                for acronym in acronyms(text):
                    code = acronym_code(acronym)
                    if code is not None:
                        other_names.append(int(other_at[line]))
                        other_codes.append(code)
    names.append(np.asarray(other_names, dtype=np.int64))
    codes.append(np.asarray(other_codes, dtype=np.uint64))
    return np.concatenate(names), np.concatenate(codes)


def _pieces(text: str, size: int = 1 << 22) -> Iterator[str]:
    """Cut `text` at line breaks into pieces of about `size` characters."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start + size)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


def _ascii_acronyms(folded: str, lines: int) -> tuple[Array, Array]:
    """(line, code) for every acronym of folded ASCII names, one a line: numpy over their bytes."""
    data = np.frombuffer(folded.encode("ascii"), dtype=np.uint8)
    blank = (data == _SPACE) | (data == _LINE)
    starts = np.flatnonzero(~blank & np.concatenate(([True], blank[:-1])))
    ends = np.flatnonzero(~blank & np.concatenate((blank[1:], [True]))) + 1
    line = np.cumsum(data == _LINE, dtype=np.int32)[starts]
    length = ends - starts
    digit = (data >= ord("0")) & (data <= ord("9"))
    word = np.ones(len(starts), dtype=bool)
    numeric = np.flatnonzero(digit[starts])  # few words start with a digit: see which are all digits
    if len(numeric):
        digits = np.concatenate(([0], np.cumsum(digit, dtype=np.int32)))
        word[numeric] = (digits[ends[numeric]] - digits[starts[numeric]]) != length[numeric]
    packed = np.zeros(len(starts), dtype=np.uint32)
    for offset in range(4):
        longer = np.flatnonzero(length > offset)
        packed[longer] |= data[starts[longer] + offset].astype(np.uint32) << np.uint32(8 * offset)
    small = (length <= 4) & np.isin(packed, _SMALL_CODES)
    initial = _ACRONYM_NUMBER[data[starts]]
    full_count = np.bincount(line[word], minlength=lines)
    short_count = np.bincount(line[word & ~small], minlength=lines)
    full = _packed(line[word], initial[word], lines)
    short = _packed(line[word & ~small], initial[word & ~small], lines)
    has_full = np.flatnonzero((full_count >= 3) & (full_count <= ACRONYM_LONGEST))
    has_short = np.flatnonzero(
        (full_count >= 3) & (short_count >= 2) & (short_count < full_count) & (short_count <= ACRONYM_LONGEST)
    )
    return np.concatenate((has_full, has_short)), np.concatenate((full[has_full], short[has_short]))


def _packed(line: Array, initial: Array, lines: int) -> Array:
    """Pack each line's first ten initials, 6 bits each in order, as `acronym_code` does."""
    rank = np.arange(len(line)) - np.searchsorted(line, line)  # words come in line order
    kept = rank < ACRONYM_LONGEST
    codes = np.zeros(lines, dtype=np.uint64)
    np.add.at(codes, line[kept], initial[kept] << (np.uint64(6) * rank[kept].astype(np.uint64)))
    return codes
