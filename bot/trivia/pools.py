"""What trivia may ask about in one server: a snapshot of the catalog, indexed once, and one cached pool per server.

A `TriviaPool` reads the shows and credits once and keeps only what it can ask about with certainty: a
character with a plain, unique name; an actor credited once in a show; a show with one director or one
network; a title that names one show. It also groups cast, characters, directors and networks by year, from
which bot/trivia/questions.py draws distractors of the same era. `TriviaPools` keeps one pool per server,
built off the event loop, and forgets the pools a catalog change touches.
"""

from __future__ import annotations

import asyncio
import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from rapidfuzz import fuzz, process

from bot.catalog import Catalog
from bot.memory import collector_paused
from bot.models import Credit, CreditKind, Show
from bot.text import name_key
from bot.trivia.rules import (
    QuestionKind,
    character_core,
    franchise_key,
    is_plain_character,
    levels_in_band,
    popularity_band,
    title_in_text,
)

# Romanisations of one name differ by a letter or two: "Lee Kyu Han" and "Lee Gyu Han" score about 89.
SAME_NAME_RATIO = 80


def pool_snapshot(catalog: Catalog, guild_id: int | None) -> tuple[list[Show], list[Credit]]:
    """Read what one server may be asked about: the shows it sees and their credits.

    One synchronous step: on the event loop, no catalog write can interleave with it. The credits are copied
    unsorted (sorting every show's took 100 ms of the loop at the seed's scale); `TriviaPool` orders them.
    """
    shows = catalog.visible_shows(guild_id)
    return shows, catalog.credits_of_shows_unordered({show.id for show in shows})


class Subject(NamedTuple):
    """One thing a question can be about, with the difficulties it suits (a tuple: the pool holds ~25k)."""

    kind: QuestionKind
    show_id: int
    person_id: int | None
    credit: Credit | None
    levels: frozenset[str]

    @property
    def key(self) -> tuple[QuestionKind, int | None, int | None]:
        """What makes two questions the same question within a round."""
        if self.kind is QuestionKind.WHICH_SHOW:
            return (self.kind, None, self.person_id)
        return (self.kind, self.show_id, self.person_id)


class TriviaPool:
    """Everything trivia may ask about, indexed once: build it per server and reuse it for every round.

    Its public tables are what bot/trivia/questions.py draws from; nothing changes them after building.
    """

    def __init__(self, shows: Iterable[Show], credits: Iterable[Credit]) -> None:
        # A pool is some 100,000 small objects, all kept: the collector would walk them again and again, for
        # a quarter of the build, to free nothing.
        with collector_paused(freeze=False):
            self._build(shows, credits)

    def _build(self, shows: Iterable[Show], credits: Iterable[Credit]) -> None:
        self.shows: dict[int, Show] = {show.id: show for show in shows}
        self.cast: dict[int, list[Credit]] = defaultdict(list)
        self._directors: dict[int, list[Credit]] = defaultdict(list)
        self.names_in_show: dict[int, set[str]] = defaultdict(set)
        self.shows_of_name: dict[str, set[int]] = defaultdict(set)
        credits = list(credits)
        # A person has many credits: fold each name once.
        self._name_key = {name: name_key(name) for name in {credit.person_name for credit in credits}}
        for credit in credits:
            if credit.show_id not in self.shows:
                continue
            name = self._name_key[credit.person_name]
            if not name:
                continue
            self.names_in_show[credit.show_id].add(name)
            self.shows_of_name[name].add(credit.show_id)
            if credit.kind is CreditKind.CAST:
                self.cast[credit.show_id].append(credit)
            elif credit.kind is CreditKind.DIRECTOR:
                self._directors[credit.show_id].append(credit)
        for credits_of_one in (*self.cast.values(), *self._directors.values()):
            credits_of_one.sort(key=lambda c: (c.billing, c.person_name))  # billing order, as the catalog has it
        self.franchise = {show_id: franchise_key(show.title) for show_id, show in self.shows.items()}
        self.franchises_of_name: dict[str, set[str]] = {
            name: {self.franchise[show_id] for show_id in show_ids} for name, show_ids in self.shows_of_name.items()
        }
        self._label_shows()
        self._index_characters()
        self._index_neighbours()
        self._build_subjects()

    @classmethod
    def from_catalog(cls, catalog: Catalog, guild_id: int | None = None) -> TriviaPool:
        """Build the pool of what one server may see: the shared catalog and that server's own shows."""
        return cls(*pool_snapshot(catalog, guild_id))

    # -- building ------------------------------------------------------------------------------------------

    def _label_shows(self) -> None:
        """Name each show so no two read alike; a title shared by shows of one year names none of them."""
        by_title: dict[str, list[Show]] = defaultdict(list)
        for show in self.shows.values():
            if name_key(show.title):
                by_title[name_key(show.title)].append(show)
        self.option_label: dict[int, str] = {}  # as an option: the title, with the year when shared
        self.text_label: dict[int, str] = {}  # in a question: the title and year
        self._unique_title: set[int] = set()  # the title alone names the show (year questions need this)
        for same in by_title.values():
            if len(same) == 1:
                show = same[0]
                self._unique_title.add(show.id)
                self.option_label[show.id] = show.title
                self.text_label[show.id] = title_in_text(show.title, show.year)
                continue
            years = Counter(show.year for show in same)
            for show in same:
                if show.year is not None and years[show.year] == 1:
                    self.option_label[show.id] = f"{show.title} ({show.year})"
                    self.text_label[show.id] = title_in_text(show.title, show.year)
        self._years = sorted({show.year for show in self.shows.values() if show.year is not None})
        self.max_year = self._years[-1] if self._years else None

    def _index_characters(self) -> None:
        """Find, per show, the cast credits safe to ask about and the character names safe to offer."""
        self._askable: dict[int, list[Credit]] = {}
        self.characters: dict[int, list[str]] = {}
        for show_id, cast in self.cast.items():
            actors = Counter(self._name_key[credit.person_name] for credit in cast)
            # "Lee Eun Soo" and "Young Lee Eun Soo" (or "Kim" and "Detective Kim") may be one person twice.
            core_of = [character_core(credit.character) if credit.character else None for credit in cast]
            cores = Counter(core for core in core_of if core is not None)
            # A note may say an actor also plays someone else ("also Ha Ru"): such a name has two players.
            notes = " ".join(name_key(credit.character_note) for credit in cast if credit.character_note)
            title = name_key(self.shows[show_id].title)
            people = _Names(self.names_in_show[show_id])
            offered: dict[str, str] = {}
            askable: list[Credit] = []
            for credit, core in zip(cast, core_of, strict=True):
                if core is None or not is_plain_character(credit.character):
                    continue
                assert credit.character is not None
                if cores[core] > 1 or core in notes:
                    continue  # two people credited with one name
                if people.resemble(core):
                    continue  # an actor playing themself, or a part named after its player ("Yoo Jung", "Lee Gyu Han")
                offered.setdefault(name_key(credit.character), credit.character)
                # An annotated credit still offers its name as a wrong option, but is never asked about.
                if not credit.character_note and actors[self._name_key[credit.person_name]] == 1 and core not in title:
                    askable.append(credit)
            self._askable[show_id] = askable
            self.characters[show_id] = list(offered.values())

    def _index_neighbours(self) -> None:
        """Group shows, cast, characters, directors and networks by year, for distractors of the same era."""
        by_year: dict[int, list[int]] = defaultdict(list)
        for show in self.shows.values():
            if show.year is not None and show.id in self.option_label:
                by_year[show.year].append(show.id)
        self.shows_by_year = by_year
        self.cast_by_year: dict[int, list[Credit]] = defaultdict(list)
        self.characters_by_year: dict[int, list[tuple[int, str]]] = defaultdict(list)
        self.directors_by_year: dict[int, list[Credit]] = defaultdict(list)
        self.network_by_year: dict[int, Counter[str]] = defaultdict(Counter)
        self.network_count: Counter[str] = Counter()
        for show in self.shows.values():
            year = show.year if show.year is not None else 0
            self.cast_by_year[year].extend(self.cast.get(show.id, ()))
            self.characters_by_year[year].extend((show.id, name) for name in self.characters.get(show.id, ()))
            self.directors_by_year[year].extend(self._directors.get(show.id, ()))
            for network in dict.fromkeys(show.networks):
                self.network_by_year[year][network] += 1
                self.network_count[network] += 1

    def _build_subjects(self) -> None:
        """List every subject once, and index them by difficulty, show and person."""
        subjects: list[Subject] = []
        for show_id, show in self.shows.items():
            if show_id not in self.text_label:
                continue
            # Difficulty follows how obscure the fact is (the show's popularity, the credit's billing), not the kind.
            band = popularity_band(show)
            show_levels = levels_in_band(band)
            for credit in self._askable.get(show_id, ()):
                levels = levels_in_band(band, credit)
                for kind in (QuestionKind.WHO_PLAYS, QuestionKind.WHICH_CHARACTER):
                    subjects.append(Subject(kind, show_id, credit.person_id, credit, levels))
            for credit in self.cast.get(show_id, ()):
                subjects.append(
                    Subject(QuestionKind.WHICH_SHOW, show_id, credit.person_id, credit, levels_in_band(band, credit))
                )
            directors = self._directors.get(show_id, [])
            if len({self._name_key[credit.person_name] for credit in directors}) == 1:
                credit = directors[0]
                subjects.append(
                    Subject(QuestionKind.WHO_DIRECTED, show_id, credit.person_id, credit, levels_in_band(band, credit))
                )
            if show.year is not None and show_id in self._unique_title:
                subjects.append(Subject(QuestionKind.PREMIERE_YEAR, show_id, None, None, show_levels))
            if len(set(show.networks)) == 1:
                subjects.append(Subject(QuestionKind.NETWORK, show_id, None, None, show_levels))
        self._by_level: dict[tuple[QuestionKind, str], list[Subject]] = defaultdict(list)
        self._by_show: dict[int, list[Subject]] = defaultdict(list)
        self._by_person: dict[int, list[Subject]] = defaultdict(list)
        for subject in subjects:
            for level in subject.levels:
                self._by_level[subject.kind, level].append(subject)
            self._by_show[subject.show_id].append(subject)
            if subject.person_id is not None:
                self._by_person[subject.person_id].append(subject)

    # -- choosing --------------------------------------------------------------------------------------------

    def candidates(
        self, kind: QuestionKind | None, show_id: int | None, person_id: int | None, difficulty: str
    ) -> Mapping[QuestionKind, Sequence[Subject]]:
        """Return the subjects that fit the filters, by kind."""
        kinds = [kind] if kind is not None else list(QuestionKind)
        if show_id is not None:
            narrowed = self._by_show.get(show_id, [])
        elif person_id is not None:
            narrowed = self._by_person.get(person_id, [])
        else:
            return {k: self._by_level[k, difficulty] for k in kinds if self._by_level.get((k, difficulty))}
        found: dict[QuestionKind, list[Subject]] = defaultdict(list)
        for subject in narrowed:
            if (
                subject.kind in kinds
                and difficulty in subject.levels
                and (show_id is None or subject.show_id == show_id)
                and (person_id is None or subject.person_id == person_id)
            ):
                found[subject.kind].append(subject)
        return found


class _Names:
    """The folded names of everyone credited in one show, asked many times whether a character's name is theirs."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = sorted(names, key=len)
        self._lengths = [len(name) for name in self._names]
        self._joined = "\n".join(self._names)  # no folded name holds a line break

    def resemble(self, core: str) -> bool:
        """Tell whether `core` is within one of the names, holds one, or reads almost like one (`SAME_NAME_RATIO`)."""
        if not self._names:
            return False
        no_longer = self._names[: bisect.bisect_right(self._lengths, len(core))]  # only these can be within it
        return (
            core in self._joined
            or any(name in core for name in no_longer)
            or process.extractOne(core, self._names, scorer=fuzz.ratio, score_cutoff=SAME_NAME_RATIO) is not None
        )


class TriviaPools:
    """One pool per server, built off the event loop on first use and forgotten when the catalog changes.

    Every server without shows of its own shares one pool (key None); a server with its own shows has its own.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._pools: dict[int | None, TriviaPool] = {}
        self._builds: dict[int | None, asyncio.Task[TriviaPool]] = {}

    def key(self, guild_id: int | None) -> int | None:
        """Return the key of the pool a server is asked from: its own id if it has shows of its own, else None."""
        if guild_id is not None and any(show.guild_id == guild_id for show in self.catalog.shows.values()):
            return guild_id
        return None

    def ready(self, guild_id: int | None) -> bool:
        """Tell whether the server's pool is built, so that asking from it will not wait."""
        return self.key(guild_id) in self._pools

    async def get(self, guild_id: int | None) -> TriviaPool:
        """Return the server's pool, building it (once, however many wait for it) if the catalog changed."""
        key = self.key(guild_id)
        pool = self._pools.get(key)
        if pool is not None:
            return pool
        build = self._builds.get(key)
        if build is None:
            shows, credits = pool_snapshot(self.catalog, key)
            build = asyncio.create_task(asyncio.to_thread(TriviaPool, shows, credits), name=f"trivia-pool-{key}")
            self._builds[key] = build
            build.add_done_callback(lambda task: self._built(key, task))
        # Shielded: one waiter giving up (its interaction cancelled) must not cancel the build for the others.
        return await asyncio.shield(build)

    def catalog_changed(self, show_id: int) -> None:
        """Forget the pools a change to one show touches; they are rebuilt at their next game."""
        show = self.catalog.shows.get(show_id)
        stale: set[int | None]
        if show is not None and show.guild_id is not None:
            stale = {show.guild_id}
        else:
            stale = {*self._pools, *self._builds}
        for key in stale:
            self._pools.pop(key, None)
            # A build under way finishes for whoever awaits it, but is no longer cached (see _built).
            self._builds.pop(key, None)

    def close(self) -> None:
        """Cancel the builds under way."""
        for build in self._builds.values():
            build.cancel()

    def _built(self, key: int | None, task: asyncio.Task[TriviaPool]) -> None:
        if self._builds.get(key) is task:
            del self._builds[key]
            if not task.cancelled() and task.exception() is None:
                self._pools[key] = task.result()
