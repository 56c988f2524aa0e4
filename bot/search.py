"""Find shows and people by what fans type: any case, no punctuation, typos, prefixes, Hangul, acronyms.

Pure and in memory, with no I/O: the bot builds one index of shows and one of people at startup and keeps
them current with `upsert` and `remove` as admins edit the catalog.

How a query is answered, cheapest first (see `SearchIndex.search`):

1. Every name is reduced to a *key*: `normalize`d, spaces dropped, Hangul syllables spelled out as the
   jamo a 2-beolsik keyboard types (사운드 -> ㅅㅏㅇㅜㄴㄷㅡ).  So "Han So-hee", "han sohee" and "hansohee"
   share a key, a Hangul name typed half-way through a syllable is a prefix of its key, and a Hangul typo
   costs one letter, not one syllable.
2. The key is looked up in a dict: an exact hit is sure, and ends the search.
3. Keys that start with it are a range of a sorted list (two bisects); beside the list a numpy array
   holds each key's popularity, so one argpartition picks the range's most popular keys at any size.
4. It is looked up in a dict of acronyms ("cloy", "hdl"): above the prefixes when no name begins with the
   query, else among them by popularity.
5. Unless an exact or unique acronym hit settled it, a fuzzy pass: the key's rarest trigrams are taken
   from posting lists up to a budget of entries (so a common trigram costs nothing and latency is bounded
   at any catalog size), numpy counts how many each name shares, the names that share most (and are about
   as long as the query) are rescored in C by rapidfuzz's `fuzz.ratio`, plus a small popularity bonus.

Scores tell the tiers apart: exact 100, acronym 95-99, prefix 80-95, fuzzy below 80.  A server's own
entries live in a separate shard that only that server's searches read, so they cannot leak.
"""

from __future__ import annotations

import bisect
import heapq
import math
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.text import key_of, normalize, search_key

if TYPE_CHECKING:
    from bot.models import Person, Show

__all__ = [
    "Hit",
    "SearchIndex",
    "build_person_index",
    "build_show_index",
    "popularity_from_rank",
]

EXACT_SCORE = 100.0
ACRONYM_SCORE = 95.0  # up to 99 with popularity, only reached when no name matches exactly
PREFIX_SCORE = 80.0  # up to 95 with popularity and how much of the name was typed
ACRONYM_EDGE = 3.0  # an acronym that is also a name's start beats names about ten times less popular
FUZZY_CEILING = 79.99  # a guess never outranks a name the query spells exactly or begins

FUZZY_POPULARITY_BONUS = 3.0  # ratio points a most-popular show gets over an unknown one
FUZZY_MIN_RATIO = 50.0  # below this a candidate is noise, not a guess
SURE_MIN_SCORE = 0.8 * 80.0  # a guess is sure only with a fuzzy ratio of at least 80 ...
SURE_MARGIN = 8.0  # ... and this many score points ahead of the next entry

POSTING_BUDGET = 16_000  # posting entries merged per fuzzy query; bounds its latency at any catalog size
CANDIDATES = 256  # best-sharing candidates rescored with rapidfuzz (in C, so cheap)
COMPLETE_BUDGET, COMPLETE_CANDIDATES = 8_000, 128  # the same for autocomplete, answered as each letter is typed
SAME_NAME_CAP = 50  # entries offered for one name; twice the longest list a caller sees
FILL_BUDGET, FILL_CANDIDATES = 4_000, 64  # and when autocomplete only fills a list that prefixes began
GRAM_WEIGHT = 2  # candidate pre-rank: one more shared trigram is worth this many letters of length gap

_SMALL_WORDS = frozenset(
    "a an and at by for from in is of on or the to with".split()
)  # skipped by the short acronym form


def _acronyms(normalized: str) -> tuple[str, ...]:
    """Return the acronyms fans use for a long title: every word's initial, and without the small words."""
    words = [w for w in normalized.split() if not w.isdigit()]
    if len(words) < 3 or not all(w[0].isascii() for w in words):
        return ()
    full = "".join(w[0] for w in words)
    short = "".join(w[0] for w in words if w not in _SMALL_WORDS)
    return (full, short) if len(short) >= 2 and short != full else (full,)


def _trigrams(key: str) -> set[str]:
    if len(key) < 3:
        return {key} if key else set()
    return {key[i : i + 3] for i in range(len(key) - 2)}


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: which entry, under which of its names, and how sure the index is."""

    id: int
    name: str  # the entry's display name (the first name given to upsert)
    matched: str  # the name variant that matched
    score: float  # 0..100; exact 100, acronym 95-99, prefix 80-95, fuzzy below 80
    sure: bool  # an exact, alias or unique acronym match, or a guess with a clear lead over the next


class _Entry(NamedTuple):
    # Tuples of strings and numbers, like the dicts' values below, drop out of the garbage collector's
    # sight after its first pass, so a million entries add nothing to its full collections.
    names: tuple[str, ...]
    popularity: float
    slots: tuple[int, ...]  # one slot per distinct key, in name order


@dataclass(slots=True)
class _Candidate:
    """An entry's best match so far while a query is being answered."""

    id: int
    slot: int
    score: float
    exact: bool = False
    acronym_unique: bool = False


class _Shard:
    """The index proper, over one visibility scope: the shared catalog, or one server's additions."""

    def __init__(self) -> None:
        self.entries: dict[int, _Entry] = {}
        # Slots: one per (entry, distinct key); freed slots are reused so the lists stay dense.
        self.slot_key: list[str] = []
        self.slot_entry: list[int] = []
        self.slot_name: list[str] = []
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
            for acronym in _acronyms(normalized):
                self.by_acronym[acronym] = (*self.by_acronym.get(acronym, ()), slot)
            for gram in _trigrams(key):
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
            for acronym in _acronyms(normalize(self.slot_name[slot])):
                acronym_holders = tuple(holder for holder in self.by_acronym[acronym] if holder != slot)
                if acronym_holders:
                    self.by_acronym[acronym] = acronym_holders
                else:
                    del self.by_acronym[acronym]
            for gram in _trigrams(key):
                posting = self.postings[gram]
                posting.remove(slot)
                if not posting:
                    del self.postings[gram]
            self.slot_key[slot] = ""
            self.slot_entry[slot] = -1
            self.slot_name[slot] = ""
            self.free_slots.append(slot)

    def _new_slot(self, key: str, entry_id: int, name: str) -> int:
        if self.free_slots:
            slot = self.free_slots.pop()
            self.slot_key[slot] = key
            self.slot_entry[slot] = entry_id
            self.slot_name[slot] = name
            self.slot_length[slot] = min(len(key), 32_000)
            return slot
        self.slot_key.append(key)
        self.slot_entry.append(entry_id)
        self.slot_name.append(name)
        self.slot_length.append(min(len(key), 32_000))
        return len(self.slot_key) - 1

    # -- queries ---------------------------------------------------------------------------------

    def exact(self, key: str, found: dict[int, _Candidate]) -> None:
        # A name shared by hundreds of entries ("Love", "The") must not cost hundreds of offers when a list
        # of 25 is all anyone sees: its holders are kept most popular first, so the cap is a slice.
        for slot in self.by_key.get(key, ())[:SAME_NAME_CAP]:
            _offer(found, self.slot_entry[slot], slot, EXACT_SCORE, exact=True)

    def acronym(self, key: str, found: dict[int, _Candidate], *, among_prefixes: bool) -> None:
        """Offer the entries whose name has `key` as its acronym.

        When names also begin with `key` ("big" -> Big Mouth, or Bring It On, Ghost?) the acronyms compete
        with them by popularity, in the prefix band; otherwise they rank above every prefix.
        """
        slots = self.by_acronym.get(key, ())
        unique = not among_prefixes and len({self.slot_entry[slot] for slot in slots}) == 1
        for slot in slots:
            entry_id = self.slot_entry[slot]
            popularity = self.entries[entry_id].popularity
            if among_prefixes:
                score = PREFIX_SCORE + ACRONYM_EDGE + 14.0 * popularity
            else:
                score = ACRONYM_SCORE + 4.0 * popularity
            _offer(found, entry_id, slot, score, acronym_unique=unique)

    def prefix(self, key: str, limit: int, found: dict[int, _Candidate]) -> None:
        """Offer the most popular entries with a key that starts with `key` (and is longer)."""
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
            coverage = length / len(matched)
            for slot in by_key[matched][:wanted]:
                entry_id = slot_entry[slot]
                score = PREFIX_SCORE + 14.0 * entries[entry_id].popularity + 0.1 * coverage
                _offer(found, entry_id, slot, score)

    def fuzzy(
        self,
        key: str,
        limit: int,
        *,
        as_prefix: bool,
        found: dict[int, _Candidate],
        budget: int = POSTING_BUDGET,
        candidates: int = CANDIDATES,
    ) -> None:
        """Offer entries whose key is close to `key` (or, `as_prefix`, whose key begins close to it)."""
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
            boosted = score + FUZZY_POPULARITY_BONUS * entries[entry_id].popularity
            _offer(found, entry_id, slot, min(FUZZY_CEILING, 0.8 * boosted))

    def _candidates(self, key: str, *, as_prefix: bool, budget: int, candidates: int) -> list[int]:
        """Return the slots that share the most of `key`'s rarest trigrams."""
        grams = _trigrams(key)
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


def _offer(
    found: dict[int, _Candidate],
    entry_id: int,
    slot: int,
    score: float,
    *,
    exact: bool = False,
    acronym_unique: bool = False,
) -> None:
    """Keep the entry's best match: the highest score, then the earliest name."""
    current = found.get(entry_id)
    if current is None:
        found[entry_id] = _Candidate(entry_id, slot, score, exact, acronym_unique)
    elif score > current.score:
        current.slot, current.score = slot, score
        current.exact, current.acronym_unique = exact, acronym_unique


class SearchIndex:
    """An in-memory fuzzy index of named entries (shows or people), each visible to all or to one server."""

    def __init__(self) -> None:
        self._shared = _Shard()
        self._guilds: dict[int, _Shard] = {}
        self._guild_of: dict[int, int | None] = {}

    def upsert(self, id: int, names: Sequence[str], *, popularity: float = 0.0, guild_id: int | None = None) -> None:
        """Add the entry or replace it; its first name is its display name, popularity is in [0, 1]."""
        clean = self._clean_names(id, names)
        self.remove(id)
        self._shard(guild_id).upsert(id, clean, _clamp(popularity))
        self._guild_of[id] = guild_id

    @staticmethod
    def _clean_names(id: int, names: Sequence[str]) -> tuple[str, ...]:
        if isinstance(names, str):
            raise TypeError("names must be a sequence of names, not one string")
        clean = tuple(dict.fromkeys(name for name in names if name and name.strip()))
        if not clean:
            raise ValueError(f"entry {id} has no name")
        return clean

    def extend(self, entries: Iterable[tuple[int, Sequence[str], float, int | None]]) -> None:
        """Upsert many `(id, names, popularity, guild_id)` entries, much faster than one by one."""
        touched: set[int | None] = set()
        for id, names, popularity, guild_id in entries:
            if id in self._guild_of:  # a repeated id: removing needs the keys in order
                for shard_id in touched:
                    self._shard(shard_id).sort_keys()
                touched.clear()
                self.remove(id)
            clean = self._clean_names(id, names)
            self._shard(guild_id).upsert(id, clean, _clamp(popularity), sort=False)
            self._guild_of[id] = guild_id
            touched.add(guild_id)
        for shard_id in touched:
            self._shard(shard_id).sort_keys()

    def remove(self, id: int) -> None:
        """Forget the entry; unknown ids are ignored."""
        if id not in self._guild_of:
            return
        guild_id = self._guild_of.pop(id)
        shard = self._shard(guild_id)
        shard.remove(id)
        if guild_id is not None and not shard.entries:
            del self._guilds[guild_id]

    def get_names(self, id: int) -> tuple[str, ...]:
        """Return the entry's names, display name first; KeyError when it is not indexed."""
        return self._shard(self._guild_of[id]).entries[id].names

    def __len__(self) -> int:
        return len(self._guild_of)

    def __contains__(self, id: object) -> bool:
        return id in self._guild_of

    def search(self, query: str, *, limit: int = 10, guild_id: int | None = None) -> list[Hit]:
        """Return up to `limit` entries matching `query`, best first.

        An exact (normalised, alias or spaceless) or acronym match ends the search with the entries
        that begin with the query; otherwise a fuzzy pass fills the list.
        """
        key = search_key(query)
        if not key or limit <= 0:
            return []
        found: dict[int, _Candidate] = {}
        shards = list(self._visible(guild_id))
        for shard in shards:
            shard.exact(key, found)
        exact = bool(found)
        for shard in shards:
            shard.prefix(key, limit, found)
        if not exact and 2 <= len(key) <= 10:
            among_prefixes = bool(found)
            for shard in shards:
                shard.acronym(key, found, among_prefixes=among_prefixes)
        if not any(candidate.exact or candidate.acronym_unique for candidate in found.values()):
            if len(key) >= 3:
                for shard in shards:
                    shard.fuzzy(key, limit, as_prefix=False, found=found)
        return self._hits(found, limit, shards)

    def complete(self, prefix: str, *, limit: int = 25, guild_id: int | None = None) -> list[Hit]:
        """Return up to `limit` (at most 25, Discord's cap) entries for a name typed so far, best first."""
        key = search_key(prefix)
        limit = min(limit, 25)
        if not key or limit <= 0:
            return []
        found: dict[int, _Candidate] = {}
        shards = list(self._visible(guild_id))
        for shard in shards:
            shard.exact(key, found)
            shard.prefix(key, limit, found)
        if 2 <= len(key) <= 10:
            among_prefixes = bool(found)
            for shard in shards:
                shard.acronym(key, found, among_prefixes=among_prefixes)
        if len(found) < limit and len(key) >= 3:
            # What was typed already begins some names: the fuzzy pass only fills the list, so a smaller
            # look is enough and keeps autocomplete fast at any catalog size.
            budget, candidates = (FILL_BUDGET, FILL_CANDIDATES) if found else (COMPLETE_BUDGET, COMPLETE_CANDIDATES)
            for shard in shards:
                shard.fuzzy(key, limit, as_prefix=True, found=found, budget=budget, candidates=candidates)
        return self._hits(found, limit, shards)

    def _visible(self, guild_id: int | None) -> Iterator[_Shard]:
        yield self._shared
        if guild_id is not None and (guild := self._guilds.get(guild_id)) is not None:
            yield guild

    def _shard(self, guild_id: int | None) -> _Shard:
        """Return the shard that holds the shared catalog or a guild's entries, creating it if need be."""
        if guild_id is None:
            return self._shared
        shard = self._guilds.get(guild_id)
        if shard is None:
            shard = self._guilds[guild_id] = _Shard()
        return shard

    def _hits(self, found: dict[int, _Candidate], limit: int, shards: Sequence[_Shard]) -> list[Hit]:
        best = heapq.nlargest(limit + 1, found.values(), key=lambda candidate: candidate.score)
        hits: list[Hit] = []
        for rank, candidate in enumerate(best[:limit]):
            shard = next(s for s in shards if candidate.id in s.entries)
            if candidate.exact or candidate.acronym_unique:
                sure = True
            elif rank == 0 and candidate.score >= SURE_MIN_SCORE:
                runner_up = best[1].score if len(best) > 1 else 0.0
                sure = candidate.score - runner_up >= SURE_MARGIN
            else:
                sure = False
            hits.append(
                Hit(
                    id=candidate.id,
                    name=shard.entries[candidate.id].names[0],
                    matched=shard.slot_name[candidate.slot],
                    score=round(candidate.score, 2),
                    sure=sure,
                )
            )
        return hits


def _clamp(popularity: float) -> float:
    return min(1.0, max(0.0, float(popularity)))


def popularity_from_rank(rank: int | None) -> float:
    """Map a popularity rank (1 = most popular) to [0, 1]: 1 -> 1.0, 10 -> 0.8, 1000 -> 0.4, 100000 -> 0."""
    if rank is None or rank < 1:
        return 0.0
    return max(0.0, 1.0 - math.log10(rank) / 5.0)


def build_show_index(shows: Iterable[Show]) -> SearchIndex:
    """Index every show under all its titles, ranked by its popularity rank."""
    index = SearchIndex()
    index.extend(
        (show.id, show.all_titles, popularity_from_rank(show.popularity_rank), show.guild_id) for show in shows
    )
    return index


def build_person_index(people: Iterable[Person], *, popularity: Mapping[int, float] | None = None) -> SearchIndex:
    """Index every person under all their names; `popularity` (person id -> [0, 1]) breaks ties."""
    weights = popularity or {}
    index = SearchIndex()
    index.extend((person.id, person.all_names, weights.get(person.id, 0.0), None) for person in people)
    return index
