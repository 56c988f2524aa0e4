"""`dramabot sync --catalog`: every Korean scripted show TVmaze lists, against the fake TVmaze over real HTTP.

The index is paged (three shows a page here, 250 on TVmaze); rate limits run on a virtual clock, so they cost
no wall time. The database is a real SQLite file.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot import db
from bot.catalog_sync import CURSOR_KEY, sync_catalog
from bot.ratelimit import RateLimiter
from bot.sources.tvmaze import TvmazeSource
from bot.store import Repository
from bot.sync import DatabaseCache, SyncSummary
from tests.fakes import FakeTvmaze, VirtualClock
from tests.fakes.tvmaze import aka, cast_member, channel, tvmaze_episode, tvmaze_show

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2022, 3, 21)
SEOUL_OFFSET = dt.timezone(dt.timedelta(hours=9))
KOREAN = {2001: "Moonlit Bakery", 2002: "Seoul Ghost Files", 2004: "Winter Letters", 2006: "Soundtrack #1",
          2007: "River Road", 2009: "Han River Detectives", 2010: "Spring Bus"}  # fmt: skip


def populate(fake: FakeTvmaze) -> None:
    """Ten shows over four pages: seven Korean dramas, a Korean news show, a Korean reality show, a US drama."""
    tvn = channel(7, "tvN", "KR")
    for number, (show_id, name) in enumerate(sorted(KOREAN.items())):
        premiere = dt.datetime(2010 + number, 3, 1, 21, 0, tzinfo=SEOUL_OFFSET)
        fake.add_show(
            tvmaze_show(show_id, name, premiered=premiere.date().isoformat(), ended="2030-01-01", status="Ended",
                        network=tvn, time="21:00", days=["Monday"]),
            episodes=[tvmaze_episode(show_id * 10 + n, n, premiere + dt.timedelta(weeks=n - 1)) for n in (1, 2)],
            cast=[cast_member(show_id * 10 + 1, f"Lead Actor {number}", show_id * 10 + 2, f"Hero {number}"),
                  cast_member(show_id * 10 + 3, f"Second Actor {number}", show_id * 10 + 4, f"Rival {number}")],
            akas=[aka(f"한국 드라마 {number}", "KR")],
        )  # fmt: skip
    fake.add_show(
        tvmaze_show(2003, "KBS News 9", premiered="1973-01-01", kind="News", network=channel(1, "KBS1", "KR"))
    )
    fake.add_show(
        tvmaze_show(2005, "Running Man", premiered="2010-07-11", kind="Reality", network=channel(2, "SBS", "KR"))
    )
    fake.add_show(tvmaze_show(2008, "Boston Med", premiered="2012-01-01", language="English",
                              network=channel(3, "ABC", "US")))  # fmt: skip
    fake.page_size = 3


def tiny_seed() -> dict[str, Any]:
    return {
        "version": "catalog-sync-test",
        "shows": [{"key": "kd:1", "title": "Soundtrack #1", "premiere": "2013-03-04", "credits": []}],
        "people": [],
    }


@dataclass
class World:
    repository: Repository
    session: aiohttp.ClientSession
    clock: VirtualClock
    tvmaze: FakeTvmaze

    def source(self, *, max_retries: int = 5) -> TvmazeSource:
        limiter = RateLimiter(20, 10.0, clock=self.clock, sleep=self.clock.sleep)
        return TvmazeSource.create(
            self.session, self.tvmaze.base_url, cache=DatabaseCache(self.repository), limiter=limiter,
            sleep=self.clock.sleep, max_retries=max_retries,
        )  # fmt: skip

    async def run(self, **options: Any) -> SyncSummary:
        max_retries = options.pop("max_retries", 5)
        return await sync_catalog(self.repository, self.source(max_retries=max_retries), today=TODAY, **options)

    async def titles(self) -> list[str]:
        return sorted(show.title for show in await self.repository.all_shows())


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    connection = await db.connect(tmp_path / "catalog.sqlite3")
    await db.migrate(connection)
    repository = Repository(connection)
    await repository.load_seed(tiny_seed())
    clock = VirtualClock()
    fake = FakeTvmaze(clock=clock)
    populate(fake)
    async with fake, aiohttp.ClientSession() as session:
        yield World(repository, session, clock, fake)
    await connection.close()


async def test_every_korean_drama_of_the_index_is_added_with_its_cast(world: World) -> None:
    messages: list[str] = []
    summary = await world.run(progress=messages.append)

    assert await world.titles() == sorted(KOREAN.values())  # Soundtrack #1 matched to the seed's, not doubled
    assert (summary.shows_added, summary.shows_updated, summary.skipped) == (6, 1, [])
    bakery = next(s for s in await world.repository.all_shows() if s.title == "Moonlit Bakery")
    assert bakery.hangul_title == "한국 드라마 0" and bakery.tvmaze_id == 2001
    cast = await world.repository.credits_of_show(bakery.id)
    assert [(c.person_name, c.character, c.billing) for c in cast] == [
        ("Lead Actor 0", "Hero 0", 1), ("Second Actor 0", "Rival 0", 2)]  # fmt: skip
    # Only the dramas were fetched: not the news, the reality show or the American drama.
    assert world.tvmaze.calls("/shows/2003") == world.tvmaze.calls("/shows/2005") == 0
    assert world.tvmaze.calls("/shows/2008") == 0
    assert world.tvmaze.calls("/shows", status=404) == 1  # page 4 is past the end
    assert await world.repository.get_meta(CURSOR_KEY) == "0"
    # A progress line a show, "n/m" for the bar.
    assert len(messages) == len(KOREAN) and all("/" in m for m in messages)


async def test_a_second_run_changes_nothing_and_fetches_no_show(world: World) -> None:
    await world.run()
    before = [(s.id, s.title, s.updated_at) for s in await world.repository.all_shows()]
    world.tvmaze.reset_log()

    again = await world.run()

    assert (again.shows_added, again.shows_updated, again.shows_unchanged) == (0, 0, len(KOREAN))
    assert [(s.id, s.title, s.updated_at) for s in await world.repository.all_shows()] == before
    assert world.tvmaze.calls("/shows/") == 0  # only the index pages, answered 304 from the cache
    assert world.tvmaze.calls("/shows", status=304) == 4  # pages 0-3; page 4 is a 404


async def test_a_changed_show_is_fetched_again(world: World) -> None:
    await world.run()
    world.tvmaze.shows[2004]["runtime"] = 75
    world.tvmaze.touch(2004)
    world.tvmaze.reset_log()

    again = await world.run()

    assert (again.shows_updated, again.shows_unchanged) == (1, len(KOREAN) - 1)
    assert world.tvmaze.calls("/shows/") == 2  # the show and its AKAs
    letters = next(s for s in await world.repository.all_shows() if s.title == "Winter Letters")
    assert letters.episode_minutes == 75


async def test_a_run_stopped_between_pages_resumes_at_the_next(world: World) -> None:
    first = await world.run(max_pages=2)
    assert await world.repository.get_meta(CURSOR_KEY) == "2"
    assert (first.shows_added, first.shows_updated) == (3, 1)  # pages 0 and 1: four dramas, one the seed's
    world.tvmaze.reset_log()

    second = await world.run()

    assert second.shows_added == 3 and await world.titles() == sorted(KOREAN.values())
    pages = [r.query["page"] for r in world.tvmaze.requests if r.path == "/shows"]
    assert pages == [["2"], ["3"], ["4"]]  # pages 0 and 1 were not read again; page 4 is past the end
    assert await world.repository.get_meta(CURSOR_KEY) == "0"


async def linked_titles(world: World) -> set[str]:
    return {show.title for show in await world.repository.all_shows() if show.tvmaze_id is not None}


async def test_a_killed_run_resumes_and_merges_each_show_once(world: World) -> None:
    task = asyncio.create_task(world.run())
    while world.tvmaze.calls("/shows/2004") == 0 and not task.done():  # noqa: ASYNC110 (the fake has no event)
        await asyncio.sleep(0.001)
    task.cancel()  # killed in the middle of the second page
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await world.repository.get_meta(CURSOR_KEY) == "1"  # the first page was done, the second was not
    merged_before = await linked_titles(world)
    assert {"Moonlit Bakery", "Seoul Ghost Files"} <= merged_before
    world.tvmaze.reset_log()

    await world.run()

    assert await world.titles() == sorted(KOREAN.values())  # none missing, none doubled
    assert await linked_titles(world) == set(KOREAN.values())
    assert not any(r.query.get("page") == ["0"] for r in world.tvmaze.requests)  # page 0 was not read again
    fetched = {KOREAN[int(r.path.split("/")[2])] for r in world.tvmaze.requests
               if r.path.startswith("/shows/") and r.path.count("/") == 2}  # fmt: skip
    assert not fetched & merged_before  # what the killed run merged is not fetched again


async def test_the_rate_limit_holds_over_a_long_index(world: World) -> None:
    for show_id in range(3000, 3030):  # thirty more dramas: over a hundred calls
        world.tvmaze.add_show(
            tvmaze_show(show_id, f"Drama {show_id}", premiered="2015-01-01", network=channel(7, "tvN", "KR")),
            cast=[cast_member(show_id, f"Actor {show_id}", show_id, f"Part {show_id}")],
        )
    world.tvmaze.fail("/shows/3005", 429, times=3, retry_after="2")

    summary = await world.run()

    assert summary.shows_added == 6 + 30 and summary.skipped == []
    times = sorted(r.at for r in world.tvmaze.requests)
    assert max(sum(1 for t in times if start <= t < start + 10.0) for start in times) <= 20


async def test_the_command_line_shows_a_progress_bar(world: World, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "DATABASE", "TMDB"))}
    env["DATABASE_PATH"] = str(tmp_path / "cli.sqlite3")
    env["TVMAZE_API_BASE"] = world.tvmaze.base_url
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sync", "--catalog", env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=90)
    assert process.returncode == 0, stderr.decode()
    assert "] tvmaze catalog page 1: 1/2 Korean dramas" in stderr.decode()  # "[#####......] ..." when not a terminal
    assert "shows: " in stdout.decode() and "added" in stdout.decode()
