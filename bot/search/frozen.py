"""A shard built once from many entries, held in a few flat numpy arrays: small, and fast to query at any size.

Built by `bot.search.columns.build_frozen`. Its entries can be removed (a tombstone each) but not added:
new and changed entries go to a `DynamicShard` beside it. The arrays (n entries, s slots, k distinct keys):

- entries: ids (and their sorted order, to find a row by id), popularity, alive, where their names and slots
  start; the names themselves are the caller's own strings, in one list.
- slots: one per entry and distinct key, in name order: its entry, the name it came from, its key.
- keys: every distinct key, sorted, UTF-8 in one bytes blob, so exact and prefix lookups are two bisects;
  beside each its length, its holders (slots, most popular first) and the popularity of its best live holder.
- terms: (trigram, key length) pairs, sorted, each with a posting list of key ids. A query reads only the
  lengths near its own, so even in a catalog where every trigram is common it reads short lists.
- segments: every key cut in up to three parts, hashed, sorted (bot/search/segments.py): every key within
  two typos of a query is among those holding one of the query's few probes.
- acronyms: each name's acronyms of up to 10 letters packed in an integer, sorted, most popular first.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.search.scoring import (
    ACRONYM_EDGE,
    ACRONYM_LONGEST,
    ACRONYM_SCORE,
    EXACT_SCORE,
    FILL_BUDGET,
    FILL_CANDIDATES,
    FUZZY_MIN_RATIO,
    GRAM_WEIGHT,
    NEAR_SIMILARITY,
    PREFIX_SCORE,
    SAME_NAME_CAP,
    guess_score,
    prefix_score,
)
from bot.search.segments import LETTER_SET_SLACK, letter_set, probes
from bot.search.shard import Candidate, offer

Array = npt.NDArray[Any]

GRAM_BITS = 26  # a trigram's code: its letters' numbers in base 406, exact up to 405 letters, else hashed
GRAM_MASK = (1 << GRAM_BITS) - 1
GRAM_BASE = 406  # 406**3 < 2**26
LENGTH_BITS = 6  # a term is a trigram and the length of the key it is in (63 stands for 63 and longer)
LONGEST = (1 << LENGTH_BITS) - 1
# Fuzzy windows, widest first: the widest whose postings fit the budget is read whole; if none fits, the
# narrowest is read from its rarest trigrams up. One or two typos change a key's length by at most two.
WINDOWS = (LONGEST, 6, 3, 2)
CLOSE_CAP = 512  # keys within two typos compared at most (a few common-word families hold thousands)
ACRONYM_LETTERS = {letter: number for number, letter in enumerate("abcdefghijklmnopqrstuvwxyz0123456789", 1)}


def gram_code(first: int, second: int, third: int) -> int:
    """The code of a trigram whose letters have these alphabet numbers (1-based), as the build computes it."""
    return ((first * GRAM_BASE + second) * GRAM_BASE + third) & GRAM_MASK


def acronym_code(acronym: str) -> int | None:
    """Pack an acronym of up to 10 letters and digits in an integer, 6 bits a letter; None for anything else."""
    if not 2 <= len(acronym) <= ACRONYM_LONGEST:
        return None
    code = 0
    for rank, letter in enumerate(acronym):
        number = ACRONYM_LETTERS.get(letter)
        if number is None:
            return None
        code |= number << (6 * rank)
    return code


@dataclass(slots=True)
class Columns:
    """The arrays of a frozen shard (see the module's docstring); `build_frozen` makes them."""

    entry_ids: Array  # int64, n
    popularity: Array  # float32, n
    name_start: Array  # int32, n + 1: entry i's names are names[name_start[i]:name_start[i + 1]]
    names: list[str]  # the caller's own strings: the index adds a pointer each, not a copy
    slot_entry: Array  # int32, s (ascending: an entry's slots are together)
    slot_name: Array  # int32, s: index into names
    slot_key: Array  # int32, s
    key_blob: bytes  # the sorted keys, UTF-8, each followed by a line break
    key_start: Array  # int32 (int64 past 2 GB), k + 1: key i is key_blob[key_start[i]:key_start[i + 1] - 1]
    key_chars: Array  # int16, k: length in characters
    holder_start: Array  # int32, k + 1
    holders: Array  # int32, s: slots by key, most popular first
    alphabet: dict[str, int]  # every letter in any key -> its number, from 1
    term_codes: Array  # uint32, t: gram code << LENGTH_BITS | min(length, LONGEST), sorted
    term_start: Array  # int32, t + 1
    postings: Array  # int32: key ids, ascending within a term
    segment_hashes: Array  # uint64, sorted: see bot/search/segments.py
    segment_keys: Array  # int32: the key each segment hash came from
    letter_sets: Array  # uint64, k: the letters each key uses (bot/search/segments.py)
    acronym_codes: Array  # uint64, a: sorted, then most popular first
    acronym_slots: Array  # int32, a


class FrozenShard:
    """The bulk of a catalog, searched as the module's docstring says; `remove` leaves a tombstone."""

    def __init__(self, columns: Columns) -> None:
        self.columns = columns
        self.alive = np.ones(len(columns.entry_ids), dtype=bool)
        self.dead = 0
        self.key_popularity = columns.popularity[columns.slot_entry[columns.holders[columns.holder_start[:-1]]]]
        ids = columns.entry_ids
        # Rows by id, to find an entry: the catalog reads shows in id order, and then the rows are that order.
        self._id_order: Array | None = None if bool((ids[1:] > ids[:-1]).all()) else np.argsort(ids)
        self._sorted_ids = ids if self._id_order is None else ids[self._id_order]
        self._keys = range(len(columns.key_chars))
        self._blob = np.frombuffer(columns.key_blob, dtype=np.uint8)
        # their memoryviews index like lists (a Python number back, no numpy scalar) without copying anything
        self._key_start = columns.key_start.data
        self._key_chars = columns.key_chars.data
        self._holder_start = columns.holder_start.data
        self._slot_entry = columns.slot_entry.data
        self._slot_name = columns.slot_name.data
        self._name_start = columns.name_start.data
        self._entry_ids = columns.entry_ids.data
        self._popularity = columns.popularity.data

    # -- entries ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.alive) - self.dead

    def __contains__(self, entry_id: object) -> bool:
        return isinstance(entry_id, int) and self._row(entry_id) is not None

    def _row(self, entry_id: int) -> int | None:
        """The live row of an entry, or None."""
        if not -(2**63) <= entry_id < 2**63:
            return None
        at = int(np.searchsorted(self._sorted_ids, entry_id))
        if at == len(self._sorted_ids) or int(self._sorted_ids[at]) != entry_id:
            return None
        row = at if self._id_order is None else int(self._id_order[at])
        return row if self.alive[row] else None

    def get_names(self, entry_id: int) -> tuple[str, ...]:
        row = self._row(entry_id)
        if row is None:
            raise KeyError(entry_id)
        return tuple(self.columns.names[self._name_start[row] : self._name_start[row + 1]])

    def popularity_of(self, entry_id: int) -> float:
        row = self._row(entry_id)
        return 0.0 if row is None else float(self._popularity[row])

    def names_of(self, slot: int) -> tuple[str, str]:
        row = self._slot_entry[slot]
        return self.columns.names[self._name_start[row]], self.columns.names[self._slot_name[slot]]

    def remove(self, entry_id: int) -> None:
        """Leave a tombstone: the entry is no longer offered, and its keys rank by their other holders."""
        row = self._row(entry_id)
        if row is None:
            return
        self.alive[row] = False
        self.dead += 1
        columns = self.columns
        first, last = np.searchsorted(columns.slot_entry, [row, row + 1]).tolist()
        for slot in range(first, last):
            key = int(columns.slot_key[slot])
            live = self._holders(key, 1)
            self.key_popularity[key] = self._popularity[self._slot_entry[live[0]]] if live else -1.0

    def _holders(self, key: int, cap: int) -> list[int]:
        """The key's first `cap` live holders (slots), most popular first."""
        start, end = self._holder_start[key], self._holder_start[key + 1]
        slots = self.columns.holders[start:end]
        if self.dead:
            slots = slots[self.alive[self.columns.slot_entry[slots]]]
        found: list[int] = slots[:cap].tolist()
        return found

    # -- keys ------------------------------------------------------------------------------------

    def _key_bytes(self, key: int) -> bytes:
        return self.columns.key_blob[self._key_start[key] : self._key_start[key + 1] - 1]

    def _key_texts(self, keys: Array) -> list[str]:
        """Decode many keys at once: one numpy gather from the blob, one decode, one split."""
        starts = self.columns.key_start[keys]
        sizes = self.columns.key_start[keys + 1] - starts  # each with its line break
        ends = np.cumsum(sizes)
        at = np.repeat(starts - (ends - sizes), sizes) + np.arange(int(ends[-1]) if len(ends) else 0)
        texts = self._blob[at].tobytes().decode(errors="surrogatepass").split("\n")
        texts.pop()
        return texts

    # -- queries ---------------------------------------------------------------------------------

    def exact(self, key: str, found: dict[int, Candidate]) -> None:
        wanted = key.encode(errors="surrogatepass")
        at = bisect.bisect_left(self._keys, wanted, key=self._key_bytes)
        if at < len(self._keys) and self._key_bytes(at) == wanted:
            for slot in self._holders(at, SAME_NAME_CAP):
                offer(found, self, self._entry_ids[self._slot_entry[slot]], slot, EXACT_SCORE, exact=True)

    def prefix(self, key: str, limit: int, found: dict[int, Candidate], *, near: bool) -> None:
        typed = key.encode(errors="surrogatepass")
        low = bisect.bisect_right(self._keys, typed, key=self._key_bytes)
        high = bisect.bisect_left(self._keys, typed + b"\xff", low, key=self._key_bytes)  # no UTF-8 byte is 0xff
        wanted = 2 * limit  # a key's holders share its popularity; some entries own several keys
        if high - low <= wanted:
            positions: list[int] = list(range(low, high))
        else:
            best = np.argpartition(self.key_popularity[low:high], -wanted)[-wanted:]
            positions = (low + best).tolist()
        length = len(key)
        for position in positions:
            matched = self._key_chars[position]
            for slot in self._holders(position, wanted):
                row = self._slot_entry[slot]
                score = prefix_score(length, matched, self._popularity[row], near=near)
                offer(found, self, self._entry_ids[row], slot, score)

    def acronym(self, key: str, limit: int, found: dict[int, Candidate], *, among_prefixes: bool) -> None:
        code = acronym_code(key)
        if code is None:
            return
        codes = self.columns.acronym_codes
        low = int(np.searchsorted(codes, np.uint64(code), side="left"))
        high = int(np.searchsorted(codes, np.uint64(code), side="right"))
        if low == high:
            return
        slots = self.columns.acronym_slots[low:high]
        rows = self.columns.slot_entry[slots]
        if self.dead:
            live = self.alive[rows]
            slots, rows = slots[live], rows[live]
        if not len(slots):
            return
        unique = not among_prefixes and bool((rows == rows[0]).all())
        for slot, row in zip(slots[:SAME_NAME_CAP].tolist(), rows[:SAME_NAME_CAP].tolist(), strict=True):
            popularity = self._popularity[row]
            if among_prefixes:
                score = PREFIX_SCORE + ACRONYM_EDGE + 14.0 * popularity
            else:
                score = ACRONYM_SCORE + 4.0 * popularity
            offer(found, self, self._entry_ids[row], slot, score, acronym_unique=unique)

    def fuzzy(
        self,
        key: str,
        limit: int,
        *,
        as_prefix: bool,
        found: dict[int, Candidate],
        budget: int,
        candidates: int,
        near: bool = False,
    ) -> None:
        keep = max(limit, 10) * 2  # the popularity bonus may still reorder these
        if as_prefix:
            keys = self._candidates(key, as_prefix=True, budget=budget, candidates=candidates)
            self._offer_scored("", keys, self._prefix_similarity(key, keys, keep), limit, found, near=near)
            return
        # Every key within two typos first; when one is that close, no key further off can have a better
        # ratio, and a small trigram look only adds runners-up.
        close = self._within_typos(key)
        if len(close) and max((score for score, _ in self._similarity(key, close, 1).values()), default=0.0) >= (
            NEAR_SIMILARITY
        ):
            budget, candidates = min(budget, FILL_BUDGET), min(candidates, FILL_CANDIDATES)
        more = self._candidates(key, as_prefix=False, budget=budget, candidates=candidates)
        keys = _distinct(np.concatenate((close, more))) if len(close) else more
        self._offer_scored(key, keys, self._similarity(key, keys, keep), limit, found, near=near)

    def _similarity(self, key: str, keys: Array, keep: int) -> dict[int, tuple[float, str]]:
        """The rapidfuzz ratio of `key` to the `keep` closest of `keys` and their text, by position in `keys`."""
        if not len(keys):
            return {}
        texts = self._key_texts(keys)
        return {
            position: (score, text)
            for text, score, position in process.extract(
                key, texts, scorer=fuzz.ratio, limit=keep, score_cutoff=FUZZY_MIN_RATIO
            )
        }

    def _prefix_similarity(self, key: str, keys: Array, keep: int) -> dict[int, tuple[float, str]]:
        """Compare with each name's start as long as the query, or one letter longer (a letter dropped).

        No text comes back: a prefix comparison counts no typos and makes no near match."""
        if not len(keys):
            return {}
        texts = self._key_texts(keys)
        size = len(key)
        similarity: dict[int, tuple[float, str]] = {}
        for extra in (0, 1):
            starts = [text[: size + extra] for text in texts]
            for _, score, position in process.extract(
                key, starts, scorer=fuzz.ratio, limit=keep, score_cutoff=FUZZY_MIN_RATIO
            ):
                similarity[position] = (max(score, similarity.get(position, (0.0, ""))[0]), "")
        return similarity

    def _offer_scored(
        self,
        key: str,
        keys: Array,
        similarity: dict[int, tuple[float, str]],
        limit: int,
        found: dict[int, Candidate],
        *,
        near: bool,
    ) -> None:
        if not similarity:
            return
        positions = list(similarity)
        chosen = keys[positions]
        starts = self.columns.holder_start[chosen]
        single = (self.columns.holder_start[chosen + 1] - starts == 1).tolist()
        firsts = self.columns.holders[starts].tolist()  # most keys have one holder: fetch those at once
        for position, one, first, scored_key in zip(positions, single, firsts, chosen.tolist(), strict=True):
            slots = [first] if one and not self.dead else self._holders(scored_key, limit)
            for slot in slots:
                row = self._slot_entry[slot]
                if one and self.dead and not self.alive[row]:
                    continue
                ratio, text = similarity[position]
                score = guess_score(ratio, self._popularity[row], near=near, query=key, matched=text)
                offer(found, self, self._entry_ids[row], slot, score)

    def _grams(self, key: str) -> list[int]:
        alphabet = self.columns.alphabet
        numbers = [alphabet.get(letter, 0) for letter in key]
        codes = {
            gram_code(a, b, c)
            for a, b, c in zip(numbers, numbers[1:], numbers[2:], strict=False)
            if a and b and c  # a letter no key has: no posting can hold this trigram
        }
        return sorted(codes)

    def _within_typos(self, key: str) -> Array:
        """The keys within `segments.typos` edits of `key`: those holding one of its segment probes (and,
        a cheap check before the strings are compared, using about the same letters)."""
        hashes = self.columns.segment_hashes
        wanted = probes(key)
        low = np.searchsorted(hashes, wanted, side="left").tolist()
        high = np.searchsorted(hashes, wanted, side="right").tolist()
        owners = self.columns.segment_keys
        found = [owners[a:b] for a, b in zip(low, high, strict=True) if b > a]
        if not found:
            return np.zeros(0, dtype=np.int32)
        keys: Array = np.concatenate(found)
        differ = np.bitwise_count(self.columns.letter_sets[keys] ^ np.uint64(letter_set(key)))
        keys = keys[differ <= LETTER_SET_SLACK]
        if len(keys) <= CLOSE_CAP:
            return keys
        # A name family shares whole segments ("season..."): keep the keys more than one probe found (a key
        # one typo away holds two of its three segments), then those as long as the query, then the rest.
        keys, hits = _distinct_counts(keys)
        gap = np.abs(self.columns.key_chars[keys].astype(np.int64) - len(key))
        order = np.lexsort((gap, -np.minimum(hits, 2)))
        close: Array = keys[order[:CLOSE_CAP]]
        return close

    def _candidates(self, key: str, *, as_prefix: bool, budget: int, candidates: int) -> Array:
        """Return the keys that share the most of `key`'s trigrams, among keys of about its length."""
        grams = self._grams(key)
        nothing = np.zeros(0, dtype=np.int32)
        if not grams:
            return nothing
        length = min(len(key), LONGEST)
        if as_prefix:  # a name that begins like the query is at least about as long
            windows = [(max(1, length - 2), LONGEST)]
        else:
            windows = [(max(1, length - width), min(LONGEST, length + width)) for width in WINDOWS]
        codes = np.asarray(grams, dtype=np.int64)[:, None] << LENGTH_BITS
        # in the table's own dtype: searchsorted would otherwise convert the whole table at every call
        lows = (codes + np.asarray([low for low, _ in windows])).ravel().astype(np.uint32)
        highs = (codes + np.asarray([high for _, high in windows])).ravel().astype(np.uint32)
        terms, starts = self.columns.term_codes, self.columns.term_start
        begin = starts[np.searchsorted(terms, lows, side="left")].reshape(len(grams), len(windows))
        end = starts[np.searchsorted(terms, highs, side="right")].reshape(len(grams), len(windows))
        sizes = end - begin
        totals = sizes.sum(axis=0)
        fitting = np.flatnonzero(totals <= budget)
        window = int(fitting[0]) if len(fitting) else len(windows) - 1
        order = np.argsort(sizes[:, window], kind="stable")
        chosen: list[Array] = []
        total = 0
        postings = self.columns.postings
        for gram in order.tolist():
            start, stop = int(begin[gram, window]), int(end[gram, window])
            if stop == start:
                continue
            if chosen and total + stop - start > budget:
                break
            chosen.append(postings[start : min(stop, start + budget)])  # even the rarest may be long
            total += stop - start
        if not chosen:
            return nothing
        if len(chosen) == 1:
            keys, counts = chosen[0], np.ones(len(chosen[0]), dtype=np.int64)
        else:
            keys, counts = _distinct_counts(np.concatenate(chosen))
        if len(keys) <= candidates:
            return keys
        # Sharing more trigrams counts most; among equals, a key about as long as the query (or, for a
        # prefix, at least as long) beats a key that merely contains the same words.
        lengths = self.columns.key_chars[keys].astype(np.int64)
        gap = np.maximum(0, len(key) - lengths) if as_prefix else np.abs(lengths - len(key))
        rank = counts * GRAM_WEIGHT - np.minimum(gap, 4 * GRAM_WEIGHT)
        best = np.argpartition(rank, -candidates)[-candidates:]
        return keys[best]


def _distinct(values: Array) -> Array:
    """The distinct values, sorted (np.unique without its overhead, for the few hundred a query sees)."""
    values = np.sort(values)
    if len(values) > 1:
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


def _distinct_counts(values: Array) -> tuple[Array, Array]:
    """The distinct values, sorted, and how often each occurs."""
    values = np.sort(values)
    firsts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    return values[firsts], np.diff(np.append(firsts, len(values)))
