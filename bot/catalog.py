"""The catalog in memory: shows, people, credits and episodes, with their search indexes and schedules.

The database is the truth; this is its read model, loaded once at start and refreshed show by show after a
write, so that lookups never wait on SQLite and every feature sees a change at once. A refresh reads first and
then swaps the new rows in without awaiting, so no task ever sees a show half refreshed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from bot import db
from bot.errors import NotFound
from bot.models import Credit, CreditKind, Episode, Person, Show
from bot.schedule import Schedule, build_schedule
from bot.search import Hit, SearchIndex, build_person_index, build_show_index, popularity_from_rank
from bot.seed import read_seed
from bot.store import Clock, Repository, SeedReport, utc_now

T = TypeVar("T")
SUGGESTIONS = 5
# Below this score a guess is too far off to present as what the user meant.
GUESS_FLOOR = 60.0
# People a server added are filtered out of other servers' results after the search: ask for a few more.
PEOPLE_SLACK = 5
_TRAILING_YEAR = re.compile(r"^(?P<title>.*\S)\s*\((?P<year>(?:19|20)\d\d)\)\s*$")


@dataclass(frozen=True, slots=True)
class Lookup(Generic[T]):
    """The best match for what a user typed, whether it is a sure hit, and the runners-up."""

    best: T
    sure: bool
    score: float
    others: tuple[T, ...] = ()


class Catalog:
    def __init__(
        self,
        shows: Iterable[Show],
        people: Iterable[Person],
        credits: Iterable[Credit],
        episodes: Iterable[Episode] = (),
    ) -> None:
        self.shows: dict[int, Show] = {show.id: show for show in shows}
        self.people: dict[int, Person] = {person.id: person for person in people}
        self._credits_by_show: dict[int, list[Credit]] = defaultdict(list)
        self._credits_by_person: dict[int, list[Credit]] = defaultdict(list)
        for credit in credits:
            self._credits_by_show[credit.show_id].append(credit)
            self._credits_by_person[credit.person_id].append(credit)
        self._episodes: dict[int, list[Episode]] = defaultdict(list)
        for episode in episodes:
            self._episodes[episode.show_id].append(episode)
        self.show_index: SearchIndex = build_show_index(self.shows.values())
        self.person_index: SearchIndex = build_person_index(self.people.values())
        # Bumped by every refresh: a cache of anything built from the catalog is valid while it is unchanged.
        self.generation = 0
        self._schedules: dict[int, Schedule] = {}
        # Refreshes are numbered as they start; the rows a refresh read are swapped in only if no refresh that
        # started later (so read later, newer rows) has swapped in its own already.
        self._refresh_numbers = itertools.count(1)
        self._swapped_show: dict[int, int] = {}
        self._swapped_person: dict[int, int] = {}

    @classmethod
    async def load(cls, repository: Repository) -> Catalog:
        """Read the whole catalog; the search indexes are built in a thread, off the event loop."""
        with _collector_paused():
            shows = await repository.all_shows()
            people = await repository.all_people()
            credits = await repository.all_credits()
            episodes = await repository.all_episodes()
            return await asyncio.to_thread(cls, shows, people, credits, episodes)

    # -- visibility -------------------------------------------------------------------------------------

    @staticmethod
    def visible(show: Show, guild_id: int | None) -> bool:
        """Shared shows are visible everywhere; a server's own additions only inside that server."""
        return show.guild_id is None or show.guild_id == guild_id

    def visible_shows(self, guild_id: int | None) -> list[Show]:
        return [show for show in self.shows.values() if self.visible(show, guild_id)]

    # -- lookups ----------------------------------------------------------------------------------------

    def search_shows(self, query: str, *, guild_id: int | None = None, limit: int = 10) -> list[Hit]:
        return self.show_index.search(query, limit=limit, guild_id=guild_id)

    def complete_shows(self, prefix: str, *, guild_id: int | None = None, limit: int = 25) -> list[Hit]:
        return self.show_index.complete(prefix, limit=limit, guild_id=guild_id)

    def person_visible(self, person_id: int, guild_id: int | None) -> bool:
        """Seed people are visible everywhere; one a server added only where one of their shows is visible."""
        person = self.people.get(person_id)
        if person is None:
            return False
        if person.seed_key is not None:
            return True
        return any(
            self.visible(self.shows[credit.show_id], guild_id)
            for credit in self._credits_by_person.get(person_id, ())
            if credit.show_id in self.shows
        )

    def search_people(self, query: str, *, guild_id: int | None = None, limit: int = 10) -> list[Hit]:
        hits = self.person_index.search(query, limit=limit + PEOPLE_SLACK)
        return [hit for hit in hits if self.person_visible(hit.id, guild_id)][:limit]

    def complete_people(self, prefix: str, *, guild_id: int | None = None, limit: int = 25) -> list[Hit]:
        hits = self.person_index.complete(prefix, limit=limit)
        return [hit for hit in hits if self.person_visible(hit.id, guild_id)]

    def popular_shows(self, *, guild_id: int | None = None, limit: int = 25) -> list[Show]:
        """The shows to suggest before the user types anything: this server's own, then the most popular."""
        ranked = sorted(
            self.visible_shows(guild_id),
            key=lambda s: (s.guild_id is None, s.popularity_rank is None, s.popularity_rank or 0, s.title),
        )
        return ranked[:limit]

    def find_show(self, query: str, *, guild_id: int | None = None) -> Lookup[Show]:
        """Resolve what a user typed to a show, or raise NotFound with the nearest titles.

        A trailing year, as autocomplete sends it ("Soundtrack #1 (2022)"), picks among shows of one title.
        """
        year = None
        match = _TRAILING_YEAR.match(query)
        if match and match["title"].strip():
            query, year = match["title"], int(match["year"])
        hits = self.search_shows(query, guild_id=guild_id, limit=SUGGESTIONS + 1)
        hits = [hit for hit in hits if hit.id in self.shows]
        if year is not None:
            hits.sort(key=lambda hit: self.shows[hit.id].year != year)  # stable: keeps the ranking otherwise
        if not hits or (not hits[0].sure and hits[0].score < GUESS_FLOOR):
            raise NotFound(
                f"No drama in the catalog matches “{query}”.",
                suggestions=tuple(self.shows[hit.id].title for hit in hits[:SUGGESTIONS]),
            )
        shows = [self.shows[hit.id] for hit in hits]
        return Lookup(best=shows[0], sure=hits[0].sure, score=hits[0].score, others=tuple(shows[1:]))

    def find_person(self, query: str, *, guild_id: int | None = None) -> Lookup[Person]:
        hits = self.search_people(query, guild_id=guild_id, limit=SUGGESTIONS + 1)
        if not hits or (not hits[0].sure and hits[0].score < GUESS_FLOOR):
            raise NotFound(
                f"No actor, director or writer in the catalog matches “{query}”.",
                suggestions=tuple(self.people[hit.id].name for hit in hits[:SUGGESTIONS]),
            )
        people = [self.people[hit.id] for hit in hits]
        return Lookup(best=people[0], sure=hits[0].sure, score=hits[0].score, others=tuple(people[1:]))

    # -- credits and episodes ------------------------------------------------------------------------------

    def credits_of_show(self, show_id: int, kind: CreditKind | None = None) -> list[Credit]:
        """A show's credits in billing order (main cast first)."""
        credits = self._credits_by_show.get(show_id, [])
        chosen = [c for c in credits if kind is None or c.kind is kind]
        return sorted(chosen, key=lambda c: (c.kind != CreditKind.CAST, c.billing, c.person_name))

    def credits_of_person(self, person_id: int, *, guild_id: int | None = None) -> list[Credit]:
        """A person's credits in the shows this server can see, newest first."""
        credits = [
            c
            for c in self._credits_by_person.get(person_id, [])
            if c.show_id in self.shows and self.visible(self.shows[c.show_id], guild_id)
        ]
        return sorted(credits, key=lambda c: (c.show_premiere is not None, c.show_premiere), reverse=True)

    def episodes_of(self, show_id: int) -> list[Episode]:
        return self._episodes.get(show_id, [])

    def schedule_of(self, show: Show | int) -> Schedule | None:
        """Return a show's schedule, built once and kept until the show is refreshed.

        None for a show whose time zone or air days are invalid: it can be neither counted down nor announced.
        Raise KeyError for an id not in the catalog. A Show other than the catalog's current one (a stale copy,
        a draft) gets a schedule of its own.
        """
        if isinstance(show, int):
            show = self.shows[show]
        current = self.shows.get(show.id) is show
        schedule = self._schedules.get(show.id) if current else None
        if schedule is None:
            try:
                schedule = build_schedule(show, self.episodes_of(show.id))
            except ValueError:
                return None
            if current:
                self._schedules[show.id] = schedule
        return schedule

    # -- keeping in step with the database -------------------------------------------------------------------

    async def refresh_show(self, repository: Repository, show_id: int) -> None:
        """Re-read one show (its titles, credits and episodes) after a write, and re-index it."""
        number = next(self._refresh_numbers)
        show = await repository.get_show(show_id)
        credits = await repository.credits_of_show(show_id) if show is not None else []
        episodes = await repository.episodes_of_show(show_id) if show is not None else []
        if number < self._swapped_show.get(show_id, 0):
            return  # a refresh that started later has swapped in newer rows already
        self._swapped_show[show_id] = number
        self._swap_show(show_id, show, credits, episodes)

    def _swap_show(self, show_id: int, show: Show | None, credits: list[Credit], episodes: list[Episode]) -> None:
        """Replace one show's rows in every structure at once (no await: nobody sees a show half replaced)."""
        old_credits = self._credits_by_show.pop(show_id, [])
        for person_id in {c.person_id for c in old_credits} | {c.person_id for c in credits}:
            kept = [c for c in self._credits_by_person.get(person_id, ()) if c.show_id != show_id]
            kept.extend(c for c in credits if c.person_id == person_id)
            if kept:
                self._credits_by_person[person_id] = kept
            else:
                self._credits_by_person.pop(person_id, None)
        self._schedules.pop(show_id, None)
        self.generation += 1
        if show is None:
            self._episodes.pop(show_id, None)
            self.shows.pop(show_id, None)
            self.show_index.remove(show_id)
            return
        if credits:
            self._credits_by_show[show_id] = credits
        self._episodes[show_id] = episodes
        self.shows[show_id] = show
        popularity = popularity_from_rank(show.popularity_rank)
        self.show_index.upsert(show_id, show.all_titles, popularity=popularity, guild_id=show.guild_id)

    async def refresh_person(self, repository: Repository, person_id: int) -> None:
        """Re-read one person (their names) after a write, and re-index them."""
        number = next(self._refresh_numbers)
        person = await repository.get_person(person_id)
        if number < self._swapped_person.get(person_id, 0):
            return  # a refresh that started later has swapped in newer rows already
        self._swapped_person[person_id] = number
        self.generation += 1
        if person is None:
            self.people.pop(person_id, None)
            self.person_index.remove(person_id)
            return
        self.people[person_id] = person
        self.person_index.upsert(person_id, person.all_names)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Load a catalog out of the cyclic garbage collector's way.

    While it loads, the collector would walk the growing heap again and again (a fifth of a 100,000-show
    load) to free nothing. After, what was loaded lives as long as the bot: frozen out of the collector's
    sight (`gc.freeze`), a full collection does not walk every show again (0.3 s at a million, a stall for
    every command waiting on the loop). A show refreshed later is freed as usual, by its reference count.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


async def open_catalog(
    path: Path | str, *, seed_file: Path | None = None, clock: Clock = utc_now
) -> tuple[Repository, Catalog, SeedReport]:
    """Open the database, apply migrations, load or upgrade the seed, and read the catalog into memory.

    `clock` stamps what the repository writes (the bot passes its own, so a demo's faster clock agrees).
    """
    connection = await db.connect(path)
    try:
        await db.migrate(connection)
        repository = Repository(connection, clock=clock)
        seed = await asyncio.to_thread(read_seed, seed_file)  # a large file: parse it off the event loop
        report = await repository.load_seed(seed)
        catalog = await Catalog.load(repository)
    except BaseException:
        await connection.close()
        raise
    return repository, catalog, report
