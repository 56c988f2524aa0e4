"""Recommendations with reasons: `index` (each show's facts and postings) and `score` (the picks), both pure.

`Recommender` keeps one index per catalog generation and runs the work in a thread when the catalog is large
enough that it could hold the event loop past its budget.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Protocol

from bot.models import Credit, Person, Show
from bot.recommend.index import RecommendIndex
from bot.recommend.score import Filters, Pick, Request, make_filters, parse_years, recommend

__all__ = ["OFF_LOOP_SHOWS", "Filters", "Pick", "RecommendIndex", "Recommender", "Request", "make_filters",
           "parse_years", "recommend"]  # fmt: skip

OFF_LOOP_SHOWS = (
    10_000  # above this many shows, building and scoring run in a thread (measured: benchmarks/recommend.py)
)


class RecommendCatalog(Protocol):
    generation: int

    @property
    def shows(self) -> Mapping[int, Show]: ...

    @property
    def people(self) -> Mapping[int, Person]: ...

    def credits_of_show(self, show_id: int) -> list[Credit]: ...


def build_index(shows: Mapping[int, Show], catalog: RecommendCatalog) -> RecommendIndex:
    credits: dict[int, Iterable[Credit]] = {show_id: catalog.credits_of_show(show_id) for show_id in shows}
    return RecommendIndex(shows, credits)


class Recommender:
    """Recommend from the live catalog, rebuilding the index after the catalog changes."""

    def __init__(self, catalog: RecommendCatalog, *, off_loop_shows: int = OFF_LOOP_SHOWS) -> None:
        self._catalog = catalog
        self._off_loop = off_loop_shows
        self._index: tuple[int, RecommendIndex] | None = None
        self._building: asyncio.Task[RecommendIndex] | None = None

    @property
    def heavy(self) -> bool:
        return len(self._catalog.shows) > self._off_loop

    def ready_index(self) -> RecommendIndex | None:
        """The index for the catalog as it is now, if one is built; None rather than wait for one."""
        if self._index is not None and self._index[0] == self._catalog.generation:
            return self._index[1]
        return None

    async def index(self) -> RecommendIndex:
        """The index for the catalog as it is now (built in a thread for a large catalog)."""
        generation = self._catalog.generation
        if self._index is not None and self._index[0] == generation:
            return self._index[1]
        shows = dict(self._catalog.shows)  # a snapshot: a refresh may swap shows while a thread reads
        # Always in a thread: ~0.1 s at the seed's size, seconds at 100k titles. Scoring is light enough to stay.
        index = await asyncio.to_thread(build_index, shows, self._catalog)
        if self._catalog.generation == generation:
            self._index = (generation, index)
        return index

    async def recommend(self, request: Request) -> list[Pick]:
        index = await self.index()
        shows, people = self._catalog.shows, self._catalog.people
        if self.heavy:
            return await asyncio.to_thread(recommend, index, request, shows, people)  # reads by key only
        return recommend(index, request, shows, people)
