"""What the recommender knows about each show, and who-else-has-it postings, built once per catalog generation.

Pure: built from the in-memory catalog's shows and credits, in a thread when the catalog is large.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.models import Credit, CreditKind, Role, Show
from bot.seasons import series_key

LEAD_BILLING = 2  # without a stated role, the first two billed actors are the leads


@dataclass(frozen=True, slots=True)
class Features:
    """The facts a show is recommended by."""

    show_id: int
    writers: frozenset[int]
    directors: frozenset[int]
    leads: frozenset[int]
    genres: frozenset[str]  # casefolded: the catalog's genres and MyDramaList tags
    networks: frozenset[str]  # casefolded
    year: int | None
    rating: float | None
    popularity: int | None  # rank, lower is more popular
    series: str  # the normalised series title (seasons of one series share it)
    guild_id: int | None


def is_lead(credit: Credit) -> bool:
    if credit.kind is not CreditKind.CAST:
        return False
    if credit.role is not None:
        return credit.role is Role.MAIN
    return 0 < credit.billing <= LEAD_BILLING


def features_of(show: Show, credits: Iterable[Credit]) -> Features:
    writers: set[int] = set()
    directors: set[int] = set()
    leads: set[int] = set()
    for credit in credits:
        if credit.kind is CreditKind.WRITER:
            writers.add(credit.person_id)
        elif credit.kind is CreditKind.DIRECTOR:
            directors.add(credit.person_id)
        elif is_lead(credit):
            leads.add(credit.person_id)
    return Features(
        show_id=show.id, writers=frozenset(writers), directors=frozenset(directors), leads=frozenset(leads),
        genres=frozenset(g.casefold() for g in show.genres), networks=frozenset(n.casefold() for n in show.networks),
        year=show.year, rating=show.rating, popularity=show.popularity_rank, series=series_key(show.title)[0],
        guild_id=show.guild_id,
    )  # fmt: skip


def standing(f: Features, least_popular: int) -> float:
    """Up to about 1.0 for a well-rated, popular show: a tie-breaker, never a reason on its own with a profile."""
    rating = max(0.0, min(((f.rating or 0.0) - 7.0) / 3.0, 1.0)) * 0.5
    popularity = 0.0
    if f.popularity is not None:
        popularity = 0.5 * (1.0 - math.log1p(f.popularity) / math.log1p(least_popular + 1))
    return rating + popularity


class RecommendIndex:
    """Every show's features, and for each writer, director, lead and genre the shows that have it."""

    def __init__(self, shows: Mapping[int, Show], credits_by_show: Mapping[int, Iterable[Credit]]) -> None:
        self.features: dict[int, Features] = {}
        self.by_writer: dict[int, list[int]] = defaultdict(list)
        self.by_director: dict[int, list[int]] = defaultdict(list)
        self.by_lead: dict[int, list[int]] = defaultdict(list)
        self.by_genre: dict[str, list[int]] = defaultdict(list)
        for show_id in sorted(shows):  # sorted: every posting list in id order, so results never depend on load order
            f = features_of(shows[show_id], credits_by_show.get(show_id, ()))
            self.features[show_id] = f
            for person in f.writers:
                self.by_writer[person].append(show_id)
            for person in f.directors:
                self.by_director[person].append(show_id)
            for person in f.leads:
                self.by_lead[person].append(show_id)
            for genre in f.genres:
                self.by_genre[genre].append(show_id)
        ranked = [f.popularity for f in self.features.values() if f.popularity is not None]
        self.least_popular = max(ranked, default=1)
        # Every posting list most popular first: a common genre ("drama": 40% of the catalog) or a prolific actor
        # is counted over the head of its list only (bot/recommend/score.py), which bounds the work at any size.
        self.rank = {i: f.popularity or self.least_popular + 1 for i, f in self.features.items()}
        for postings in (self.by_writer, self.by_director, self.by_lead, self.by_genre):
            for ids in postings.values():
                ids.sort(key=lambda i: (self.rank[i], i))
        self.standing = {i: standing(f, self.least_popular) for i, f in self.features.items()}
        self.by_standing = sorted(self.features, key=lambda i: (-round(self.standing[i], 6), self.rank[i], i))
        total = max(len(self.features), 1)
        # A shared rare tag ("medical") says more than a shared common one ("drama").
        self.genre_weight = {g: math.log(1 + total / len(ids)) for g, ids in self.by_genre.items()}
