"""The catalog in memory: shows, people, credits and episodes, with their search indexes and schedules.

The database is the truth; this is its read model, loaded once at start and refreshed show by show after a
write, so that lookups never wait on SQLite and every feature sees a change at once. A refresh reads first and
then swaps the new rows in without awaiting, so no task ever sees a show half refreshed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import re
import threading
from collections import defaultdict
from collections.abc import AsyncIterator, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, NamedTuple, TypeVar

import aiosqlite
from rapidfuzz.distance import OSA

from bot import db
from bot.airing import AiringIndex
from bot.errors import NotFound
from bot.memory import Generational, collector_paused
from bot.models import Credit, CreditKind, Episode, Person, Show
from bot.romanize import has_hangul, name_fold, romanize_name
from bot.schedule import Schedule, build_schedule
from bot.search import Hit, SearchIndex, build_person_index, build_show_index, popularity_from_rank
from bot.seasons import Season, may_name_a_season, season_asked, series_key
from bot.seed import parse_seed, peek_seed_version, read_seed_bytes
from bot.store import Clock, Repository, SeedReport, credits_named, shows_from_rows, utc_now
from bot.text import normalize, normalize_all, same_name, search_key

T = TypeVar("T")
SUGGESTIONS = 5
# Below this score a guess is too far off to present as what the user meant.
GUESS_FLOOR = 60.0
# People a server added are filtered out of other servers' results after the search: ask for a few more.
PEOPLE_SLACK = 5
_TRAILING_YEAR = re.compile(r"^(?P<title>.*\S)\s*\((?P<year>(?:19|20)\d\d)\)\s*$")
ACRONYM_FLOOR = 95.0  # an acronym only one show has is sure (bot/search.py scores them 95-99)
TYPO_SCORE = 79.0  # a guess a typo away from a title
WORDS_SCORE = 78.0  # a title named by its distinctive words
# Words that say nothing about which show: they begin or end questions, or every other title has them.
_FILLER_WORDS = frozenset("a an the of in on and or to s drama dramas kdrama show series season part".split())


def typo_distance(length: int) -> int:
    """How many edits (insertions, deletions, substitutions, swaps) a typed name of this length may hold."""
    if length <= 4:
        return 0  # "bear" is not a typo of "Dear": short words are too close to each other
    return 1 if length < 14 else 2


def is_typo_of(typed: str, name: str) -> bool:
    """Whether a typed search key is a typo's distance from a name's key ("crash landng on you")."""
    return bool(typed) and OSA.distance(typed, name, score_cutoff=typo_distance(len(typed)) + 1) <= typo_distance(
        len(typed)
    )


class _Pick(NamedTuple):
    """A show find_show may answer with: how well it matched, whether surely, and whether as a near spelling."""

    show_id: int
    score: float
    sure: bool
    guessed: bool = False


def _unique(items: list[_Pick]) -> list[_Pick]:
    seen: set[int] = set()
    out = []
    for item in items:
        if item.show_id not in seen:
            seen.add(item.show_id)
            out.append(item)
    return out


@dataclass(frozen=True, slots=True)
class Lookup(Generic[T]):
    """The best match for what a user typed, whether it is a sure hit, and the runners-up."""

    best: T
    sure: bool
    score: float
    others: tuple[T, ...] = ()
    guessed: bool = False  # the best is a near spelling of what was typed, not one of its names


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
        homes = {p.id: self.person_home(p.id) for p in self.people.values() if p.seed_key is None}
        self.person_index: SearchIndex = build_person_index(self.people.values(), homes=homes)
        # Bumped by every refresh: a cache of anything built from the catalog is valid while it is unchanged.
        self.generation = 0
        self._schedules: dict[int, Schedule] = {}
        self.airing = AiringIndex(self.schedule_of)
        # Refreshes are numbered as they start; the rows a refresh read are swapped in only if no refresh that
        # started later (so read later, newer rows) has swapped in its own already.
        self._refresh_numbers = itertools.count(1)
        self._swapped_show: dict[int, int] = {}
        self._swapped_person: dict[int, int] = {}
        # Built on first use and again after any refresh, once: a lookup on the loop that comes while the ask
        # worker builds them (`prepare_lookups`) waits for its build.
        lookups_lock = threading.Lock()
        self._series: Generational[dict[str, list[int]]] = Generational(lookups_lock)
        self._words: Generational[dict[str, set[int]]] = Generational(lookups_lock)
        self._show_words: dict[int, tuple[Show, frozenset[str]]] = {}

    @classmethod
    async def load(cls, repository: Repository) -> Catalog:
        """Read the whole catalog; its rows are decoded and the search indexes built in a thread, off the event loop."""
        with collector_paused(freeze=True):
            # The shows are decoded in a thread while the database thread reads the rest.
            decoding = asyncio.ensure_future(asyncio.to_thread(shows_from_rows, await repository.all_show_rows()))
            people = await repository.all_people()
            credit_rows = await repository.all_credit_rows()
            episodes = await repository.all_episodes()
            shows = await decoding

            def build() -> Catalog:
                credits = credits_named(credit_rows, {s.id: s for s in shows}, {p.id: p for p in people})
                return cls(shows, people, credits, episodes)

            return await asyncio.to_thread(build)

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

    def person_home(self, person_id: int) -> int | None:
        """The server whose shard of the person index holds a person, or None for the shared one.

        A person a server added, credited only in that server's shows, is that server's: other servers' searches
        never read them, so 60 private "Kim Ji" entries in one server cannot crowd out another's results.
        """
        person = self.people.get(person_id)
        if person is None or person.seed_key is not None:
            return None
        shows = self.shows
        guilds = {shows[c.show_id].guild_id for c in self._credits_by_person.get(person_id, ()) if c.show_id in shows}
        return guilds.pop() if len(guilds) == 1 else None

    def search_people(self, query: str, *, guild_id: int | None = None, limit: int = 10) -> list[Hit]:
        hits = self.person_index.search(query, limit=limit + PEOPLE_SLACK, guild_id=guild_id)
        return [hit for hit in hits if self.person_visible(hit.id, guild_id)][:limit]

    def complete_people(self, prefix: str, *, guild_id: int | None = None, limit: int = 25) -> list[Hit]:
        hits = self.person_index.complete(prefix, limit=limit + PEOPLE_SLACK, guild_id=guild_id)
        return [hit for hit in hits if self.person_visible(hit.id, guild_id)][:limit]

    def popular_shows(self, *, guild_id: int | None = None, limit: int = 25) -> list[Show]:
        """The shows to suggest before the user types anything: this server's own, then the most popular."""
        ranked = sorted(
            self.visible_shows(guild_id),
            key=lambda s: (s.guild_id is None, s.popularity_rank is None, s.popularity_rank or 0, s.title),
        )
        return ranked[:limit]

    def find_show(self, query: str, *, guild_id: int | None = None, strict: bool = False) -> Lookup[Show]:
        """Resolve what a user typed to a show, or raise NotFound with the nearest titles.

        /drama and /ask both pick shows here. A title, alternative title or acronym is a sure hit; so is a show
        named by two or more of its series' title words in order ("attorney woo"). Otherwise the pick is a guess,
        never sure: a title a typo's distance from what was typed, or, unless `strict` (as /ask asks, answering
        only about what it was asked), the index's best near match ("hospital"), which /drama shows with a menu
        of the others. A number, "season N" or "part N" picks that season or part of the series (bot/seasons.py);
        a hit that lacks the number asked is never sure. A trailing year, as autocomplete sends it
        ("Soundtrack #1 (2022)"), picks among shows of one title.
        """
        year = None
        match = _TRAILING_YEAR.match(query)
        if match and match["title"].strip():
            query, year = match["title"], int(match["year"])
        hits = self._show_hits(query, guild_id)
        asked = season_asked(query)
        ranked = self._accepted_shows(query, hits, guild_id, strict=strict)
        if asked is not None and not (ranked and self._number(ranked[0].show_id) == asked.number):
            ranked = self._season_pick(asked, ranked, guild_id, strict=strict)  # the best lacks the number asked
        if year is not None:
            ranked.sort(key=lambda pick: self.shows[pick.show_id].year != year)  # stable: keeps the ranking otherwise
        if not ranked:
            raise NotFound(
                f"No drama in the catalog matches “{query}”.",
                suggestions=tuple(dict.fromkeys(self.shows[hit.id].title for hit in hits[:SUGGESTIONS])),
            )
        best = ranked[0]
        sure = best.sure
        if (
            sure
            and year is None
            and any(
                other.score >= 100.0 and same_name(self.shows[other.show_id].title, self.shows[best.show_id].title)
                for other in ranked[1:]
            )
        ):
            sure = False  # two shows of one title ("Trap" 2019 and 2020): say which was assumed
        other_ids = [pick.show_id for pick in ranked[1:]]
        if not sure or best.guessed:  # a guess also offers the nearest titles it was not sure enough to answer with
            other_ids += [
                h.id for h in hits if h.id not in other_ids and h.id != best.show_id and h.score >= GUESS_FLOOR
            ]
        others = tuple(self.shows[show_id] for show_id in other_ids[:SUGGESTIONS])
        return Lookup(self.shows[best.show_id], sure, best.score, others, guessed=best.guessed)

    def _show_hits(self, query: str, guild_id: int | None) -> list[Hit]:
        hits = self.search_shows(query, guild_id=guild_id, limit=SUGGESTIONS + 1)
        return [hit for hit in hits if hit.id in self.shows]

    def _accepted_shows(self, query: str, hits: list[Hit], guild_id: int | None, *, strict: bool = True) -> list[_Pick]:
        """The hits the catalog may answer with, best first; see find_show."""
        key = search_key(query)
        ranked: dict[int, _Pick] = {}
        for hit in hits:
            if hit.score >= 100.0 or (hit.sure and hit.score >= ACRONYM_FLOOR):
                ranked.setdefault(hit.id, _Pick(hit.id, hit.score, hit.sure))  # a title, alternative title, acronym
            elif any(is_typo_of(key, search_key(title)) for title in self.shows[hit.id].all_titles):
                # A typo: sure as the index is of it (a clear lead), but a near spelling all the same.
                ranked.setdefault(hit.id, _Pick(hit.id, min(hit.score, TYPO_SCORE), hit.sure, guessed=True))
            elif not strict and hit.score >= GUESS_FLOOR:
                ranked.setdefault(hit.id, _Pick(hit.id, hit.score, False, guessed=True))
        if not any(pick.score >= 100.0 for pick in ranked.values()):
            found = self._titles_with_words(query, guild_id)
            for show_id in found:
                current = ranked.get(show_id)
                if current is None or not current.sure or current.guessed:  # the series' own words win
                    score = max(current.score if current else 0.0, WORDS_SCORE)
                    ranked[show_id] = _Pick(show_id, score, len(found) == 1)
        return sorted(ranked.values(), key=lambda pick: -pick.score)

    def _season_pick(self, asked: Season, ranked: list[_Pick], guild_id: int | None, *, strict: bool) -> list[_Pick]:
        """Pick the season or part asked for in the series the query names; unsure when it has no such number."""
        base_hits = self._show_hits(asked.base, guild_id)
        series = self._accepted_shows(asked.base, base_hits, guild_id, strict=strict) or ranked
        if not series:
            return ranked
        first = series[0]
        members = self._series_members(first.show_id, guild_id)
        chosen = [show_id for show_id in members if self._number(show_id) == asked.number]
        rest = [pick for pick in ranked if pick.show_id not in chosen]
        if chosen:
            picked = [_Pick(i, max(first.score, WORDS_SCORE), first.sure, first.guessed) for i in chosen]
            siblings = [_Pick(m, first.score - 1.0, False) for m in members if m not in chosen]
            return _unique([*picked, *siblings, *rest])
        # No such season: offer the series, closest number first, and never as sure.
        nearest = sorted(members, key=lambda m: abs(self._number(m) - asked.number))
        return _unique([*(_Pick(m, min(first.score, TYPO_SCORE), False, True) for m in nearest), *rest])

    def _series_members(self, show_id: int, guild_id: int | None) -> list[int]:
        """The visible shows of a show's series (itself included), in number order."""
        index = self._series_index()
        base, _number = series_key(self.shows[show_id].title)
        members = [m for m in index.get(base, [show_id]) if m in self.shows and self.visible(self.shows[m], guild_id)]
        return sorted(members, key=lambda m: (self._number(m), self.shows[m].premiere or dt.date.max)) or [show_id]

    def series_of(self, show_id: int, *, guild_id: int | None = None) -> list[Show]:
        """The seasons and parts of a show's series that this server can see, the show itself included."""
        return [self.shows[m] for m in self._series_members(show_id, guild_id)]

    def _number(self, show_id: int) -> int:
        return series_key(self.shows[show_id].title)[1]

    def _series_index(self) -> dict[str, list[int]]:
        return self._series.get(self.generation, self._build_series_index)

    def _build_series_index(self) -> dict[str, list[int]]:
        grouped: dict[str, list[int]] = defaultdict(list)
        shows = list(self.shows.values())
        for show, plain in zip(shows, normalize_all([show.title for show in shows]), strict=True):
            # A title without a number is its own series' first: its key is the title folded, done in bulk.
            grouped[series_key(show.title)[0] if may_name_a_season(show.title) else plain].append(show.id)
        return dict(grouped)

    def _titles_with_words(self, query: str, guild_id: int | None) -> list[int]:
        """Shows of one series whose title or alternative title holds two or more of the typed words in order.

        "attorney woo" is Extraordinary Attorney Woo; words that begin or end every question ("the", "drama") do
        not count, and words several series share ("love story") find nothing: that is not a name.
        """
        words = [w for w in normalize(query).split() if w not in _FILLER_WORDS]
        if len(words) < 2:
            return []
        index = self._word_index()
        candidates: set[int] | None = None
        for word in words:
            holders = index.get(word, set())
            candidates = set(holders) if candidates is None else candidates & holders
            if not candidates:
                return []
        needle = f" {' '.join(normalize(query).split())} "
        found = [
            show_id
            for show_id in candidates or ()
            if show_id in self.shows
            and self.visible(self.shows[show_id], guild_id)
            and any(needle in f" {normalize(title)} " for title in self.shows[show_id].all_titles)
        ]
        if len({series_key(self.shows[i].title)[0] for i in found}) != 1:
            return []
        return sorted(found, key=lambda i: (self._number(i), self.shows[i].premiere or dt.date.max))

    def _word_index(self) -> dict[str, set[int]]:
        """Shows by each word of their titles; after a refresh only the refreshed shows are read again."""
        return self._words.get(self.generation, self._build_word_index)

    def _build_word_index(self) -> dict[str, set[int]]:
        index: dict[str, set[int]] = defaultdict(set)
        cache = self._show_words
        stale = [
            show for show in self.shows.values() if (cached := cache.get(show.id)) is None or cached[0] is not show
        ]
        # Fold the titles of every show not yet read in one pass (all of them at start-up).
        folded = iter(normalize_all([title for show in stale for title in show.all_titles]))
        for show in stale:
            cache[show.id] = (show, frozenset(w for _ in show.all_titles for w in next(folded).split()))
        for show_id in self.shows:
            for word in cache[show_id][1]:
                index[word].add(show_id)
        for gone in set(cache) - set(self.shows):
            del cache[gone]
        return dict(index)

    def prepare_lookups(self) -> None:
        """Build the series and title-word lookups `find_show` uses now, not on the first question."""
        self._series_index()
        self._word_index()

    def find_person(self, query: str, *, guild_id: int | None = None) -> Lookup[Person]:
        """Resolve a name to a person, or raise NotFound with the nearest names.

        A name in Hangul that no one in the catalog bears is also looked up as the listings romanise it
        ("한소희" finds Han So Hee), when exactly that spelling, or one that folds to it, is someone's name.
        """
        hits = self.search_people(query, guild_id=guild_id, limit=SUGGESTIONS + 1)
        if has_hangul(query) and not (hits and hits[0].score >= 100.0):
            romanized = romanize_name(query)
            folded = name_fold(query)
            spelled = [
                hit
                for hit in self.search_people(romanized, guild_id=guild_id, limit=SUGGESTIONS + 1)
                if hit.score >= 100.0 or any(name_fold(n) == folded for n in self.people[hit.id].all_names)
            ]
            if spelled:
                hits = [*spelled, *(h for h in hits if h.id not in {s.id for s in spelled})]
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

    def credits_of_shows_unordered(self, show_ids: Collection[int]) -> list[Credit]:
        """The credits of these shows in no particular order: a cheap copy to sort off the event loop, one pass
        over the shows that have credits (at 100,000 shows, most have none)."""
        return [c for show_id, credits in self._credits_by_show.items() if show_id in show_ids for c in credits]

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
        # A refresh puts a new Show in: a schedule of the one before (built in a thread while the refresh ran, and
        # stored after it) is not this show's.
        if schedule is None or schedule.show is not show:
            try:
                schedule = build_schedule(show, self.episodes_of(show.id))
            except ValueError:
                return None
            if current:
                self._schedules[show.id] = schedule
        return schedule

    def shows_airing_between(self, start: dt.datetime, end: dt.datetime) -> list[Show]:
        """The shows that may air in [start, end), of every server (each one's schedule says what exactly)."""
        return self.airing.shows_between(self.shows, start, end)

    def schedules_between(self, start: dt.datetime, end: dt.datetime) -> list[Schedule]:
        """The schedules of the shows that may air in [start, end): what planning reads, not every show's."""
        return [s for s in map(self.schedule_of, self.shows_airing_between(start, end)) if s is not None]

    async def warm_airing(self) -> None:
        """Work out every show's air span in a thread, so that the first plan does not hold the event loop."""
        await self.airing.warm(self.shows)

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
        touched = {c.person_id for c in old_credits} | {c.person_id for c in credits}
        homes = {person_id: self.person_home(person_id) for person_id in touched}
        self._replace_show(show_id, show, old_credits, credits, episodes)
        for person_id, home in homes.items():
            # A show added, removed or promoted can move a server's person into or out of its shard.
            person = self.people.get(person_id)
            if person is not None and self.person_home(person_id) != home:
                self.person_index.upsert(person_id, person.all_names, guild_id=self.person_home(person_id))

    def _replace_show(
        self, show_id: int, show: Show | None, old_credits: list[Credit], credits: list[Credit], episodes: list[Episode]
    ) -> None:
        for person_id in {c.person_id for c in old_credits} | {c.person_id for c in credits}:
            kept = [c for c in self._credits_by_person.get(person_id, ()) if c.show_id != show_id]
            kept.extend(c for c in credits if c.person_id == person_id)
            if kept:
                self._credits_by_person[person_id] = kept
            else:
                self._credits_by_person.pop(person_id, None)
        self._schedules.pop(show_id, None)
        self.airing.forget(show_id)
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
        self.person_index.upsert(person_id, person.all_names, guild_id=self.person_home(person_id))


async def open_catalog(
    path: Path | str, *, seed_file: Path | None = None, clock: Clock = utc_now
) -> tuple[Repository, Catalog, SeedReport]:
    """Open the database, apply migrations, load or upgrade the seed, and read the catalog into memory.

    `clock` stamps what the repository writes (the bot passes its own, so a demo's faster clock agrees).
    """
    repository, report = await open_database(path, seed_file=seed_file, clock=clock)
    async with _closed_on_failure(repository, path):
        catalog = await Catalog.load(repository)
    return repository, catalog, report


async def open_database(
    path: Path | str, *, seed_file: Path | None = None, clock: Clock = utc_now
) -> tuple[Repository, SeedReport]:
    """Open the database, apply migrations and load or upgrade the seed, without reading the catalog into memory
    (all `dramabot db upgrade` needs: half a second less)."""
    connection = await db.connect(path)
    async with _closed_on_failure(connection, path):
        await db.migrate(connection)
        repository = Repository(connection, clock=clock)
        data = await asyncio.to_thread(read_seed_bytes, seed_file)  # a large file: read it off the event loop
        version = peek_seed_version(data)
        if version is not None and await repository.get_meta("seed_version") == version:
            report = SeedReport(version=version, skipped=True)  # already loaded: no need to parse the file
        else:
            report = await repository.load_seed(await asyncio.to_thread(parse_seed, data))
    return repository, report


@contextlib.asynccontextmanager
async def _closed_on_failure(opened: Repository | aiosqlite.Connection, path: Path | str) -> AsyncIterator[None]:
    """Close what was opened if the block fails, and name a damaged database file as such."""
    try:
        yield
    except BaseException as error:
        await opened.close()
        if db.is_damaged(error):
            raise db.damaged(path, error) from error
        raise
