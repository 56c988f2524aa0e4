"""The index: a frozen shard with the bulk of the shared catalog, a dynamic one with its changes, one per server."""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from bot.search.columns import build_frozen
from bot.search.dynamic import DynamicShard
from bot.search.frozen import FrozenShard
from bot.search.scoring import (
    CANDIDATES,
    COMPLETE_BUDGET,
    COMPLETE_CANDIDATES,
    FILL_BUDGET,
    FILL_CANDIDATES,
    POSTING_BUDGET,
    SURE_MARGIN,
    SURE_MIN_SCORE,
    Hit,
)
from bot.search.shard import Candidate, Shard
from bot.text import search_key

if TYPE_CHECKING:
    from bot.models import Person, Show

Entry = tuple[int, Sequence[str], float, "int | None"]


class SearchIndex:
    """An in-memory fuzzy index of named entries (shows or people), each visible to all or to one server."""

    def __init__(self) -> None:
        self._frozen: FrozenShard | None = None  # built by the first extend; then only loses entries
        self._shared = DynamicShard()  # shared entries added or changed since
        self._guilds: dict[int, DynamicShard] = {}
        self._guild_of: dict[int, int | None] = {}  # where each entry of a dynamic shard lives

    def upsert(self, id: int, names: Sequence[str], *, popularity: float = 0.0, guild_id: int | None = None) -> None:
        """Add the entry or replace it; its first name is its display name, popularity is in [0, 1]."""
        clean = _clean_names(id, names)
        self.remove(id)
        self._shard(guild_id).upsert(id, clean, _clamp(popularity))
        self._guild_of[id] = guild_id

    def extend(self, entries: Iterable[Entry]) -> None:
        """Upsert many `(id, names, popularity, guild_id)` entries, much faster than one by one.

        Into an empty index the shared entries go as one frozen shard, built with numpy in about a second
        for a million names; later calls add to the dynamic shards.
        """
        if self._frozen is None and not self._guild_of:
            self._build(entries)
        else:
            self._extend_dynamic(entries)

    def _extend_dynamic(self, entries: Iterable[Entry]) -> None:
        touched: set[int | None] = set()
        for id, names, popularity, guild_id in entries:
            if id in self:  # a repeated id: removing needs the keys in order
                for shard_id in touched:
                    self._shard(shard_id).sort_keys()
                touched.clear()
                self.remove(id)
            clean = _clean_names(id, names)
            self._shard(guild_id).upsert(id, clean, _clamp(popularity), sort=False)
            self._guild_of[id] = guild_id
            touched.add(guild_id)
        for shard_id in touched:
            self._shard(shard_id).sort_keys()

    def _build(self, entries: Iterable[Entry]) -> None:
        ids: list[int] = []
        names: list[Sequence[str]] = []
        popularity: list[float] = []
        guilds: list[Entry] = []
        add_id, add_names, add_popularity = ids.append, names.append, popularity.append
        for entry in entries:
            if entry[3] is None:
                add_id(entry[0])
                add_names(entry[1])
                add_popularity(entry[2])
            else:
                guilds.append(entry)
        clean: Sequence[Sequence[str]] = _clean_all(ids, names)
        keep: list[int] | None = None
        if len(set(ids)) < len(ids):  # the last of a repeated id wins, as with upsert
            _, last = np.unique(np.asarray(ids[::-1], dtype=np.int64), return_index=True)
            keep = sorted(len(ids) - 1 - int(at) for at in last)
        if guilds:  # an id's last word may be a server's: then it is not shared
            in_guilds = {id for id, *_ in guilds}
            keep = [at for at in (keep or range(len(ids))) if ids[at] not in in_guilds]
        if keep is not None:
            ids, clean, popularity = (
                [ids[at] for at in keep],
                [clean[at] for at in keep],
                [popularity[at] for at in keep],
            )
        self._frozen = build_frozen(ids, clean, popularity) if ids else None
        self._extend_dynamic(guilds)

    def remove(self, id: int) -> None:
        """Forget the entry; unknown ids are ignored."""
        if self._frozen is not None and id in self._frozen:
            self._frozen.remove(id)
            return
        if id not in self._guild_of:
            return
        guild_id = self._guild_of.pop(id)
        shard = self._shard(guild_id)
        shard.remove(id)
        if guild_id is not None and not shard.entries:
            del self._guilds[guild_id]

    def get_names(self, id: int) -> tuple[str, ...]:
        """Return the entry's names, display name first; KeyError when it is not indexed."""
        if id in self._guild_of:
            return self._shard(self._guild_of[id]).get_names(id)
        if self._frozen is None:
            raise KeyError(id)
        return self._frozen.get_names(id)

    def __len__(self) -> int:
        return len(self._guild_of) + (len(self._frozen) if self._frozen is not None else 0)

    def __contains__(self, id: object) -> bool:
        return id in self._guild_of or (self._frozen is not None and id in self._frozen)

    def search(self, query: str, *, limit: int = 10, guild_id: int | None = None) -> list[Hit]:
        """Return up to `limit` entries matching `query`, best first.

        An exact (normalised, alias or spaceless) or acronym match ends the search with the entries
        that begin with the query; otherwise a fuzzy pass fills the list.
        """
        key = search_key(query)
        if not key or limit <= 0:
            return []
        found: dict[int, Candidate] = {}
        shards = list(self._visible(guild_id))
        for shard in shards:
            shard.exact(key, found)
        exact = bool(found)
        for shard in shards:
            shard.prefix(key, limit, found, near=True)
        if not exact and 2 <= len(key) <= 10:
            among_prefixes = bool(found)
            for shard in shards:
                shard.acronym(key, limit, found, among_prefixes=among_prefixes)
        if not any(candidate.exact or candidate.acronym_unique for candidate in found.values()):
            if len(key) >= 3:
                # With names that begin with the query about, a guess that spells a whole name but a letter
                # or two competes with them (a typo); without, it stays a guess, as `sure` means.
                near = bool(found)
                for shard in shards:
                    shard.fuzzy(
                        key,
                        limit,
                        as_prefix=False,
                        found=found,
                        budget=POSTING_BUDGET,
                        candidates=CANDIDATES,
                        near=near,
                    )
        return _hits(found, limit)

    def complete(self, prefix: str, *, limit: int = 25, guild_id: int | None = None) -> list[Hit]:
        """Return up to `limit` (at most 25, Discord's cap) entries for a name typed so far, best first."""
        key = search_key(prefix)
        limit = min(limit, 25)
        if not key or limit <= 0:
            return []
        found: dict[int, Candidate] = {}
        shards = list(self._visible(guild_id))
        for shard in shards:
            shard.exact(key, found)
            shard.prefix(key, limit, found, near=False)
        if 2 <= len(key) <= 10:
            among_prefixes = bool(found)
            for shard in shards:
                shard.acronym(key, limit, found, among_prefixes=among_prefixes)
        if len(found) < limit and len(key) >= 3:
            # What was typed already begins some names: the fuzzy pass only fills the list, so a smaller
            # look is enough and keeps autocomplete fast at any catalog size.
            budget, candidates = (FILL_BUDGET, FILL_CANDIDATES) if found else (COMPLETE_BUDGET, COMPLETE_CANDIDATES)
            for shard in shards:
                shard.fuzzy(key, limit, as_prefix=True, found=found, budget=budget, candidates=candidates)
        return _hits(found, limit)

    def _visible(self, guild_id: int | None) -> Iterator[Shard]:
        if self._frozen is not None:
            yield self._frozen
        yield self._shared
        if guild_id is not None and (guild := self._guilds.get(guild_id)) is not None:
            yield guild

    def _shard(self, guild_id: int | None) -> DynamicShard:
        """Return the dynamic shard that holds shared changes or a guild's entries, creating it if need be."""
        if guild_id is None:
            return self._shared
        shard = self._guilds.get(guild_id)
        if shard is None:
            shard = self._guilds[guild_id] = DynamicShard()
        return shard


def _hits(found: dict[int, Candidate], limit: int) -> list[Hit]:
    # Equal scores go to the more popular entry, then to the lower id, however the shards were built.
    best = heapq.nlargest(limit + 1, found.values(), key=lambda c: (c.score, c.shard.popularity_of(c.id), -c.id))
    hits: list[Hit] = []
    for rank, candidate in enumerate(best[:limit]):
        if candidate.exact or candidate.acronym_unique:
            sure = True
        elif rank == 0 and candidate.score >= SURE_MIN_SCORE:
            runner_up = best[1].score if len(best) > 1 else 0.0
            sure = candidate.score - runner_up >= SURE_MARGIN
        else:
            sure = False
        name, matched = candidate.shard.names_of(candidate.slot)
        hits.append(Hit(id=candidate.id, name=name, matched=matched, score=round(candidate.score, 2), sure=sure))
    return hits


def _clean_all(ids: Sequence[int], names: list[Sequence[str]]) -> list[Sequence[str]]:
    """`_clean_names` for many entries; when none has a blank or repeated name, without a call per entry."""
    flat = list(itertools.chain.from_iterable(names))
    counts = np.fromiter(map(len, names), dtype=np.int64, count=len(names))
    if str in set(map(type, names)) or not counts.all() or "" in flat or any(map(str.isspace, flat)):
        return list(map(_clean_names, ids, names))
    several = [entry for entry in names if len(entry) > 1]
    if sum(map(len, map(set, several))) < sum(map(len, several)):  # a name twice in one entry
        return list(map(_clean_names, ids, names))
    return names


def _clean_names(id: int, names: Sequence[str]) -> tuple[str, ...]:
    if isinstance(names, str):
        raise TypeError("names must be a sequence of names, not one string")
    clean = tuple(dict.fromkeys(name for name in names if name and name.strip()))
    if not clean:
        raise ValueError(f"entry {id} has no name")
    return clean


def _clamp(popularity: float) -> float:
    return min(1.0, max(0.0, float(popularity)))


def popularity_from_rank(rank: int | None) -> float:
    """Map a popularity rank (1 = most popular) to [0, 1]: 1 -> 1.0, 10 -> 0.8, 1000 -> 0.4, 100000 -> 0."""
    if rank is None or rank < 1:
        return 0.0
    return max(0.0, 1.0 - math.log10(rank) / 5.0)


def build_show_index(shows: Iterable[Show]) -> SearchIndex:
    """Index every show under all its titles, ranked by its popularity rank."""
    shows = list(shows)
    ranks = np.asarray([show.popularity_rank or 0 for show in shows], dtype=np.float64)
    with np.errstate(divide="ignore"):  # as popularity_from_rank, for all ranks at once
        popularity = np.where(ranks >= 1, np.maximum(0.0, 1.0 - np.log10(ranks) / 5.0), 0.0)
    index = SearchIndex()
    index.extend(
        zip(
            [show.id for show in shows],
            # most shows have a title only: no need to gather and dedupe their other names
            [
                show.all_titles if show.hangul_title or show.alt_titles or show.aliases else (show.title,)
                for show in shows
            ],
            popularity.tolist(),
            [show.guild_id for show in shows],
            strict=True,
        )
    )
    return index


def build_person_index(
    people: Iterable[Person],
    *,
    popularity: Mapping[int, float] | None = None,
    homes: Mapping[int, int | None] | None = None,
) -> SearchIndex:
    """Index every person under all their names; `popularity` (person id -> [0, 1]) breaks ties.

    `homes` (person id -> server id) puts a server's own people in that server's shard; the rest are shared.
    """
    weights = popularity or {}
    home = (homes or {}).get
    index = SearchIndex()
    index.extend((person.id, person.all_names, weights.get(person.id, 0.0), home(person.id)) for person in people)
    return index
