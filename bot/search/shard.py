"""The interface every shard answers: the index asks each visible shard in turn and keeps the best per entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Shard(Protocol):
    def __len__(self) -> int: ...

    def __contains__(self, entry_id: object) -> bool: ...

    def get_names(self, entry_id: int) -> tuple[str, ...]:
        """The entry's names, display name first; KeyError when the shard does not hold it."""
        ...

    def remove(self, entry_id: int) -> None: ...

    def popularity_of(self, entry_id: int) -> float:
        """The entry's popularity, 0 to 1 (ties in score go to the more popular entry)."""
        ...

    def names_of(self, slot: int) -> tuple[str, str]:
        """The display name of a slot's entry, and the name the slot (one of its distinct keys) came from."""
        ...

    def exact(self, key: str, found: dict[int, Candidate]) -> None:
        """Offer the entries with a name whose key is `key`."""
        ...

    def prefix(self, key: str, limit: int, found: dict[int, Candidate], *, near: bool) -> None:
        """Offer the most popular entries with a key that starts with `key` (and is longer).

        `near` (search): one typed all but a letter or so ranks as a near match (see `scoring.prefix_score`).
        """
        ...

    def acronym(self, key: str, limit: int, found: dict[int, Candidate], *, among_prefixes: bool) -> None:
        """Offer the entries whose name has `key` as its acronym.

        When names also begin with `key` ("big" -> Big Mouth, or Bring It On, Ghost?) the acronyms compete
        with them by popularity, in the prefix band; otherwise they rank above every prefix.
        """
        ...

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
        """Offer entries whose key is close to `key` (or, `as_prefix`, whose key begins close to it).

        `near`: one that spells all of the key but a letter or two ranks as a near match (`scoring.guess_score`).
        """
        ...


@dataclass(slots=True)
class Candidate:
    """An entry's best match so far while a query is being answered: which shard holds it, under which name."""

    id: int
    shard: Shard
    slot: int
    score: float
    exact: bool = False
    acronym_unique: bool = False


def offer(
    found: dict[int, Candidate],
    shard: Shard,
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
        found[entry_id] = Candidate(entry_id, shard, slot, score, exact, acronym_unique)
    elif score > current.score or (score == current.score and shard is current.shard and slot < current.slot):
        current.shard, current.slot, current.score = shard, slot, score
        current.exact, current.acronym_unique = exact, acronym_unique
