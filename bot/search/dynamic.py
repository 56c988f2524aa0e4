"""A shard that changes one entry at a time: a server's own entries, and recent changes to the shared catalog.

Python dicts and lists, cheap to update: a key dict for exact names, a sorted key list with a numpy popularity
array beside it for prefixes, an acronym dict, and trigram posting arrays for the fuzzy pass (see bot/search).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.search.scoring import (
    ACRONYM_EDGE,
    ACRONYM_SCORE,
    EXACT_SCORE,
    FUZZY_MIN_RATIO,
    GRAM_WEIGHT,
    PREFIX_SCORE,
    SAME_NAME_CAP,
    acronyms,
    guess_score,
    prefix_score,
    trigrams,
)
from bot.search.shard import Candidate, offer
from bot.text import key_of, normalize


class _Entry(NamedTuple):
    # Tuples of strings and numbers, like the dicts' values below, drop out of the garbage collector's
    # sight after its first pass, so a million entries add nothing to its full collections.
    names: tuple[str, ...]
    popularity: float
    slots: tuple[int, ...]  # one slot per distinct key, in name order


class DynamicShard:
    """Entries added one by one: a server's own, and what changed in the shared catalog since it was built."""

    def __init__(self) -> None:
        self.entries: dict[int, _Entry] = {}
        # Slots: one per (entry, distinct key); freed slots are reused so the lists stay dense.
        self.slot_key: list[str] = []
        self.slot_entry: list[int] = []
        self.slot_name_of: list[str] = []
        self.slot_length = array("h")  # len(key), capped, to prefer candidates as long as the query
        self.free_slots: list[int] = []
        self.by_key: dict[str, tuple[int, ...]] = {}
        self.by_acronym: dict[str, tuple[int, ...]] = {}
        # Distinct keys in order, for prefix ranges, and beside each the popularity of its most popular holder,
        # so a range's most popular keys come from one numpy argpartition however large the range.
        self.sorted_keys: list[str] = []
        self.key_popularity = np.zeros(0, dtype=np.float32)
        self.postings: dict[str, array[int]] = {}  # trigram -> slots whose key contains it

    # -- maintenance -----------------------------------------------------------------------------

    def upsert(self, entry_id: int, names: tuple[str, ...], popularity: float, *, sort: bool = True) -> None:
        """Add an entry (not already present); `sort=False` leaves ordering the keys to `sort_keys`."""
        slots: list[int] = []
        for name in names:
            normalized = normalize(name)
            key = key_of(normalized)
            if not key or any(self.slot_key[slot] == key for slot in slots):
                continue
            slot = self._new_slot(key, entry_id, name)
            slots.append(slot)
            holders = self.by_key.get(key)
            if holders is None:
                self.by_key[key] = (slot,)
                if sort:
                    position = bisect.bisect_left(self.sorted_keys, key)
                    self.sorted_keys.insert(position, key)
                    self.key_popularity = np.insert(self.key_popularity, position, popularity)
                else:
                    self.sorted_keys.append(key)
            else:
                # Holders stay most popular first, so a capped look at a common name is a slice.
                entries, slot_entry = self.entries, self.slot_entry
                at = bisect.bisect_right(
                    holders, -popularity, key=lambda holder: -entries[slot_entry[holder]].popularity
                )
                self.by_key[key] = (*holders[:at], slot, *holders[at:])
                if sort:
                    position = bisect.bisect_left(self.sorted_keys, key)
                    self.key_popularity[position] = max(self.key_popularity[position], popularity)
            for acronym in acronyms(normalized):
                self.by_acronym[acronym] = (*self.by_acronym.get(acronym, ()), slot)
            for gram in trigrams(key):
                posting = self.postings.get(gram)
                if posting is None:
                    self.postings[gram] = array("i", (slot,))
                else:
                    posting.append(slot)
        self.entries[entry_id] = _Entry(names, popularity, tuple(slots))

    def sort_keys(self) -> None:
        """Order the keys that `upsert(sort=False)` appended (one sort instead of many inserts)."""
        self.sorted_keys.sort()
        self.key_popularity = np.array([self._key_popularity(key) for key in self.sorted_keys], dtype=np.float32)

    def _key_popularity(self, key: str) -> float:
        entries, slot_entry = self.entries, self.slot_entry
        return max(entries[slot_entry[slot]].popularity for slot in self.by_key[key])

    def remove(self, entry_id: int) -> None:
        entry = self.entries.pop(entry_id, None)
        if entry is None:
            return
        for slot in entry.slots:
            key = self.slot_key[slot]
            holders = tuple(holder for holder in self.by_key[key] if holder != slot)
            position = bisect.bisect_left(self.sorted_keys, key)
            if holders:
                self.by_key[key] = holders
                self.key_popularity[position] = self._key_popularity(key)
            else:
                del self.by_key[key]
                del self.sorted_keys[position]
                self.key_popularity = np.delete(self.key_popularity, position)
            for acronym in acronyms(normalize(self.slot_name_of[slot])):
                acronym_holders = tuple(holder for holder in self.by_acronym[acronym] if holder != slot)
                if acronym_holders:
                    self.by_acronym[acronym] = acronym_holders
                else:
                    del self.by_acronym[acronym]
            for gram in trigrams(key):
                posting = self.postings[gram]
                posting.remove(slot)
                if not posting:
                    del self.postings[gram]
            self.slot_key[slot] = ""
            self.slot_entry[slot] = -1
            self.slot_name_of[slot] = ""
            self.free_slots.append(slot)

    def _new_slot(self, key: str, entry_id: int, name: str) -> int:
        if self.free_slots:
            slot = self.free_slots.pop()
            self.slot_key[slot] = key
            self.slot_entry[slot] = entry_id
            self.slot_name_of[slot] = name
            self.slot_length[slot] = min(len(key), 32_000)
            return slot
        self.slot_key.append(key)
        self.slot_entry.append(entry_id)
        self.slot_name_of.append(name)
        self.slot_length.append(min(len(key), 32_000))
        return len(self.slot_key) - 1

    # -- what the index asks ----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self.entries

    def get_names(self, entry_id: int) -> tuple[str, ...]:
        return self.entries[entry_id].names

    def popularity_of(self, entry_id: int) -> float:
        entry = self.entries.get(entry_id)
        return 0.0 if entry is None else entry.popularity

    def names_of(self, slot: int) -> tuple[str, str]:
        return self.entries[self.slot_entry[slot]].names[0], self.slot_name_of[slot]

    # -- queries ---------------------------------------------------------------------------------

    def exact(self, key: str, found: dict[int, Candidate]) -> None:
        # A name shared by hundreds of entries ("Love", "The") must not cost hundreds of offers when a list
        # of 25 is all anyone sees: its holders are kept most popular first, so the cap is a slice.
        for slot in self.by_key.get(key, ())[:SAME_NAME_CAP]:
            offer(found, self, self.slot_entry[slot], slot, EXACT_SCORE, exact=True)

    def acronym(self, key: str, limit: int, found: dict[int, Candidate], *, among_prefixes: bool) -> None:
        slots = self.by_acronym.get(key, ())
        unique = not among_prefixes and len({self.slot_entry[slot] for slot in slots}) == 1
        for slot in slots:
            entry_id = self.slot_entry[slot]
            popularity = self.entries[entry_id].popularity
            if among_prefixes:
                score = PREFIX_SCORE + ACRONYM_EDGE + 14.0 * popularity
            else:
                score = ACRONYM_SCORE + 4.0 * popularity
            offer(found, self, entry_id, slot, score, acronym_unique=unique)

    def prefix(self, key: str, limit: int, found: dict[int, Candidate], *, near: bool) -> None:
        keys = self.sorted_keys
        low = bisect.bisect_right(keys, key)
        high = bisect.bisect_left(keys, key + "\U0010ffff", low)
        wanted = 2 * limit  # a key's holders share its popularity; some entries own several keys
        if high - low <= wanted:
            positions: Iterable[int] = range(low, high)
        else:
            best = np.argpartition(self.key_popularity[low:high], -wanted)[-wanted:]
            positions = (low + best).tolist()
        entries, slot_entry, by_key = self.entries, self.slot_entry, self.by_key
        length = len(key)
        for position in positions:
            matched = keys[position]
            for slot in by_key[matched][:wanted]:
                entry_id = slot_entry[slot]
                score = prefix_score(length, len(matched), entries[entry_id].popularity, near=near)
                offer(found, self, entry_id, slot, score)

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
        slots = self._candidates(key, as_prefix=as_prefix, budget=budget, candidates=candidates)
        if not slots:
            return
        slot_key = self.slot_key
        keep = max(limit, 10) * 2  # the popularity bonus may still reorder these
        scored: list[tuple[int, float]]
        if as_prefix:
            # Compare with the name's start as long as the query, or one letter longer (a letter dropped).
            size = len(key)
            similarity: dict[int, float] = {}
            for extra in (0, 1):
                starts = [slot_key[slot][: size + extra] for slot in slots]
                for _, score, position in process.extract(
                    key, starts, scorer=fuzz.ratio, limit=keep, score_cutoff=FUZZY_MIN_RATIO
                ):
                    similarity[position] = max(score, similarity.get(position, 0.0))
            scored = list(similarity.items())
        else:
            keys = [slot_key[slot] for slot in slots]
            scored = [
                (position, score)
                for _, score, position in process.extract(
                    key, keys, scorer=fuzz.ratio, limit=keep, score_cutoff=FUZZY_MIN_RATIO
                )
            ]
        entries = self.entries
        slot_entry = self.slot_entry
        for position, score in scored:
            slot = slots[position]
            entry_id = slot_entry[slot]
            matched = "" if as_prefix else slot_key[slot]  # a prefix comparison counts no typos
            score = guess_score(score, entries[entry_id].popularity, near=near, query=key, matched=matched)
            offer(found, self, entry_id, slot, score)

    def _candidates(self, key: str, *, as_prefix: bool, budget: int, candidates: int) -> list[int]:
        """Return the slots that share the most of `key`'s rarest trigrams."""
        grams = trigrams(key)
        postings = [posting for gram in grams if (posting := self.postings.get(gram)) is not None]
        if not postings:
            return []
        postings.sort(key=len)
        chosen: list[array[int]] = []
        total = 0
        for posting in postings:
            if chosen and total + len(posting) > budget:
                break
            chosen.append(posting)
            total += len(posting)
        slots: npt.NDArray[np.integer[Any]]
        counts: npt.NDArray[np.integer[Any]]
        if len(chosen) == 1:  # even the rarest trigram is common: look at part of its list only
            slots = np.frombuffer(chosen[0], dtype=np.int32)[:budget]
            counts = np.ones(len(slots), dtype=np.int32)
        else:
            merged = np.concatenate([np.frombuffer(posting, dtype=np.int32) for posting in chosen])
            slots, counts = np.unique(merged, return_counts=True)
        found: list[int]  # numpy types tolist() as Any
        if len(slots) <= candidates:
            found = slots.tolist()
            return found
        # Sharing more grams counts most; among equals, a name about as long as the query (or, for a
        # prefix, at least as long) beats a name that merely contains the same words.
        lengths = np.frombuffer(self.slot_length, dtype=np.int16)[slots]
        if as_prefix:
            gap = np.maximum(0, len(key) - lengths)
        else:
            gap = np.abs(lengths - len(key))
        rank = counts * GRAM_WEIGHT - np.minimum(gap, 4 * GRAM_WEIGHT)
        best = np.argpartition(rank, -candidates)[-candidates:]
        found = slots[best].tolist()
        return found
