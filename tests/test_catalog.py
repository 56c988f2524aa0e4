"""The catalog in memory against a real database: refreshes racing each other and readers, schedules cached."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import os
import shutil
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from bot import db
from bot.catalog import Catalog, open_catalog
from bot.models import Credit, Episode, Person, Show
from bot.store import Repository

UTC = dt.UTC


class PausingRepository(Repository):
    """A repository whose chosen read stops once, after reading its rows, until the test lets it go on."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        super().__init__(connection)
        self.pause_in: str | None = None
        self.paused = asyncio.Event()
        self.resume = asyncio.Event()

    async def _maybe_pause(self, name: str) -> None:
        if self.pause_in == name:
            self.pause_in = None
            self.paused.set()
            await self.resume.wait()

    async def get_show(self, show_id: int) -> Show | None:
        show = await super().get_show(show_id)
        await self._maybe_pause("get_show")
        return show

    async def credits_of_show(self, show_id: int) -> list[Credit]:
        credits = await super().credits_of_show(show_id)
        await self._maybe_pause("credits_of_show")
        return credits

    async def get_person(self, person_id: int) -> Person | None:
        person = await super().get_person(person_id)
        await self._maybe_pause("get_person")
        return person


@pytest.fixture
async def opened(seeded_database: Path, tmp_path: Path) -> AsyncIterator[tuple[PausingRepository, Catalog]]:
    path = Path(shutil.copyfile(seeded_database, tmp_path / "catalog.sqlite3"))
    repository = PausingRepository(await db.connect(path))
    catalog = await Catalog.load(repository)
    yield repository, catalog
    await repository.close()


async def a_show_with_episodes(repository: Repository, catalog: Catalog) -> Show:
    """A seed show with six or more credits, given three episode rows."""
    show = next(s for s in catalog.shows.values() if len(catalog.credits_of_show(s.id)) >= 6 and s.premiere)
    start = dt.datetime.combine(show.premiere or dt.date(2024, 1, 1), dt.time(12), tzinfo=UTC)
    episodes = [Episode(show.id, n, start + dt.timedelta(days=7 * (n - 1))) for n in (1, 2, 3)]
    await repository.upsert_episodes(show.id, episodes, source="admin")
    await catalog.refresh_show(repository, show.id)
    return catalog.shows[show.id]


async def test_two_refreshes_of_one_show_at_once_keep_each_credit_once(
    opened: tuple[PausingRepository, Catalog],
) -> None:
    repository, catalog = opened
    show = await a_show_with_episodes(repository, catalog)
    credits = catalog.credits_of_show(show.id)
    person_id = credits[0].person_id
    person_credits = catalog.credits_of_person(person_id)

    await asyncio.gather(catalog.refresh_show(repository, show.id), catalog.refresh_show(repository, show.id))

    assert catalog.credits_of_show(show.id) == credits
    assert len(catalog.credits_of_show(show.id)) == len(await repository.credits_of_show(show.id))
    assert catalog.credits_of_person(person_id) == person_credits
    assert [e.number for e in catalog.episodes_of(show.id)] == [1, 2, 3]


async def test_during_a_refresh_other_tasks_still_see_the_whole_show(opened: tuple[PausingRepository, Catalog]) -> None:
    repository, catalog = opened
    show = await a_show_with_episodes(repository, catalog)
    credits, episodes = catalog.credits_of_show(show.id), catalog.episodes_of(show.id)
    schedule = catalog.schedule_of(show)
    later = episodes[-1].air_at + dt.timedelta(days=7)
    await repository.upsert_episodes(show.id, [Episode(show.id, 4, later)], source="admin")

    repository.pause_in = "credits_of_show"
    refresh = asyncio.create_task(catalog.refresh_show(repository, show.id))
    await repository.paused.wait()
    # What the announcer or a /drama card reads while the refresh waits on the database:
    assert catalog.episodes_of(show.id) == episodes
    assert catalog.credits_of_show(show.id) == credits
    assert catalog.shows[show.id] is show
    assert catalog.schedule_of(show.id) is schedule

    repository.resume.set()
    await refresh
    assert [e.number for e in catalog.episodes_of(show.id)] == [1, 2, 3, 4]
    assert catalog.credits_of_show(show.id) == credits


async def test_a_refresh_that_read_older_rows_does_not_undo_a_newer_one(
    opened: tuple[PausingRepository, Catalog],
) -> None:
    repository, catalog = opened
    show = next(iter(catalog.shows.values()))
    repository.pause_in = "get_show"
    early = asyncio.create_task(catalog.refresh_show(repository, show.id))
    await repository.paused.wait()  # it has read the show as it was

    await repository.update_show_fields(show.id, {"title": "Renamed Drama"}, by_admin=True)
    await catalog.refresh_show(repository, show.id)
    repository.resume.set()
    await early

    assert catalog.shows[show.id].title == "Renamed Drama"
    assert catalog.find_show("Renamed Drama").best.id == show.id


async def test_a_person_refresh_that_read_older_rows_does_not_undo_a_newer_one(
    opened: tuple[PausingRepository, Catalog],
) -> None:
    repository, catalog = opened
    person = next(iter(catalog.people.values()))
    repository.pause_in = "get_person"
    early = asyncio.create_task(catalog.refresh_person(repository, person.id))
    await repository.paused.wait()
    assert catalog.people[person.id] is person  # nothing swapped before the read finished

    await repository.add_person_names(person.id, ["Zzyzx Quillon"])
    await asyncio.gather(catalog.refresh_person(repository, person.id), catalog.refresh_person(repository, person.id))
    repository.resume.set()
    await early

    assert "Zzyzx Quillon" in catalog.people[person.id].alt_names
    assert catalog.find_person("Zzyzx Quillon").best.id == person.id


async def test_a_schedule_is_built_once_until_its_show_is_refreshed(opened: tuple[PausingRepository, Catalog]) -> None:
    repository, catalog = opened
    show = await a_show_with_episodes(repository, catalog)
    other = next(s for s in catalog.shows.values() if s.id != show.id)
    schedule, other_schedule = catalog.schedule_of(show), catalog.schedule_of(other.id)
    assert catalog.schedule_of(show.id) is schedule
    generation = catalog.generation

    await catalog.refresh_show(repository, show.id)

    assert catalog.generation > generation
    assert catalog.schedule_of(show.id) is not schedule
    assert catalog.schedule_of(show.id) is catalog.schedule_of(catalog.shows[show.id])
    assert catalog.schedule_of(other) is other_schedule
    # A show that is not the catalog's own (a stale copy, a draft) gets a schedule built for it alone.
    draft = dataclasses.replace(show, episode_count=977)
    assert catalog.schedule_of(draft).total == 977
    assert catalog.schedule_of(show.id).total != 977


async def test_a_refresh_of_a_removed_show_forgets_it_and_bumps_the_generation(
    opened: tuple[PausingRepository, Catalog],
) -> None:
    repository, catalog = opened
    show = await a_show_with_episodes(repository, catalog)
    person_id = catalog.credits_of_show(show.id)[0].person_id
    generation = catalog.generation
    await repository.set_show_removed(show.id, True)

    await catalog.refresh_show(repository, show.id)

    assert catalog.generation == generation + 1
    assert show.id not in catalog.shows
    assert catalog.episodes_of(show.id) == []
    assert all(c.show_id != show.id for c in catalog.credits_of_person(person_id))
    with pytest.raises(KeyError):
        catalog.schedule_of(show.id)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe")
async def test_opening_the_catalog_reads_the_seed_off_the_event_loop(tmp_path: Path) -> None:
    """The seed arrives slowly through a pipe; the event loop keeps running while it is read."""
    fifo = tmp_path / "seed.json"
    os.mkfifo(fifo)
    seed = json.dumps({"version": "pipe", "shows": [{"key": "kd:1", "title": "Vincenzo"}], "people": []})
    loop = asyncio.get_running_loop()
    loop_answered = threading.Event()
    verdict: list[bool] = []

    def slow_writer() -> None:
        # The seed is read once, whole (a pipe cannot be read twice, so the version is not peeked at first).
        with fifo.open("w", encoding="utf-8") as pipe:  # returns once the seed's reader has opened the pipe
            loop.call_soon_threadsafe(loop_answered.set)
            verdict.append(loop_answered.wait(timeout=2))  # the event loop runs only if the reader is elsewhere
            pipe.write(seed)

    writer = threading.Thread(target=slow_writer, daemon=True)
    writer.start()
    repository, catalog, report = await open_catalog(tmp_path / "catalog.sqlite3", seed_file=fifo)
    await repository.close()
    writer.join(timeout=5)
    assert verdict == [True], "the event loop was blocked while the seed was read"
    assert report.shows_added == 1 and [s.title for s in catalog.shows.values()] == ["Vincenzo"]


def test_a_show_whose_facts_make_no_schedule_has_none() -> None:
    """A bad time zone cannot be counted down or announced; the catalog says so instead of raising."""
    show = Show(id=1, title="Nowhere Nights", timezone="Nowhere/City", premiere=dt.date(2026, 1, 5), air_days=(0,))
    catalog = Catalog([show], [], [])
    assert catalog.schedule_of(show) is None
    assert catalog.schedule_of(show.id) is None


def test_title_lookups_built_from_two_threads_at_once_are_built_once(seeded_catalog: Catalog) -> None:
    # The ask worker builds them at start-up (`prepare_lookups`) while the first /drama on the loop may need them:
    # the second waits for the first's build rather than make its own (0.1 s of the processor, and of the loop).
    catalog = Catalog(seeded_catalog.shows.values(), (), ())
    start = threading.Barrier(2)
    words: set[int] = set()
    series: set[int] = set()

    def look_up() -> None:
        start.wait()
        words.add(id(catalog._word_index()))
        series.add(id(catalog._series_index()))

    worker = threading.Thread(target=look_up)
    worker.start()
    look_up()
    worker.join()
    assert len(words) == len(series) == 1
