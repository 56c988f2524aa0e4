"""The catalog sync against fake TVmaze and TMDB servers on 127.0.0.1, over real HTTP, into a real SQLite file.

Rate limits and backoff run on a virtual clock, so a 429 storm costs no wall time.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot import db
from bot.models import CreditKind, Role, Show, Status
from bot.ratelimit import RateLimiter
from bot.seed import read_seed, seed_path
from bot.settings import Settings
from bot.sources.tmdb import TmdbSource
from bot.sources.tvmaze import TvmazeSource
from bot.store import Repository
from bot.sync import DatabaseCache, SyncSummary, run_sync, sync_command
from tests.fakes import FakeTmdb, FakeTvmaze, VirtualClock
from tests.fakes.tmdb import tmdb_cast, tmdb_crew, tmdb_show
from tests.fakes.tvmaze import aka, cast_member, channel, tvmaze_episode, tvmaze_show

SEOUL = ZoneInfo("Asia/Seoul")
TODAY = dt.date(2022, 3, 21)  # a Monday
DAYS = 14
API_KEY = "tmdb-secret-key-0123456789"

SOUNDTRACK, BAKERY, GHOSTS, NEWS, BAKE_OFF = 1001, 1002, 1003, 1004, 1005


def seoul(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2022, month, day, hour, minute, tzinfo=SEOUL)


def tiny_seed() -> dict[str, Any]:
    return {
        "version": "sync-test-1",
        "shows": [
            {"key": "kd:1", "title": "Soundtrack #1", "hangul_title": "사운드트랙 #1", "alt_titles": ["Soundtrack 1"],
             "networks": ["Disney+"], "premiere": "2022-03-23", "finale": "2022-04-13", "episode_count": 4,
             "air_days": ["Wed"], "genres": ["Music", "Romance"], "tmdb_id": 137872,
             "credits": [
                 {"person": "p:park-hyung-sik", "kind": "cast", "character": "Han Sun Woo", "role": "main",
                  "billing": 1},
                 {"person": "p:han-so-hee", "kind": "cast", "character": "Lee Eun Soo", "role": "main",
                  "billing": 2},
             ]},
            {"key": "kd:2", "title": "Vincenzo", "premiere": "2021-02-20", "networks": ["tvN", "Netflix"],
             "credits": []},
        ],
        "people": [
            {"key": "p:park-hyung-sik", "name": "Park Hyung Sik"},
            {"key": "p:han-so-hee", "name": "Han So Hee", "tmdb_id": 1572354},
        ],
    }  # fmt: skip


def populate_tvmaze(fake: FakeTvmaze) -> None:
    """Three Korean dramas in the next two weeks, plus a Korean news show and an American web show."""
    disney = channel(287, "Disney+", None)
    fake.add_show(
        tvmaze_show(SOUNDTRACK, "Soundtrack #1", premiered="2022-03-23", web_channel=disney, time="16:00",
                    days=["Wednesday"], runtime=45, imdb="tt0000001"),
        episodes=[tvmaze_episode(50_000 + n, n, seoul(23, 16) + dt.timedelta(weeks=n - 1)) for n in range(1, 5)],
        cast=[cast_member(1, "Park Hyung-sik", 11, "Han Sun-woo"), cast_member(2, "Han So-hee", 12, "Lee Eun-soo")],
        akas=[aka("사운드트랙 #1", "KR"), aka("Soundtrack No. 1", "US")],
    )  # fmt: skip
    bakery_days = [seoul(21, 21), seoul(22, 21), seoul(28, 21), seoul(29, 21), seoul(4, 21, month=4)]
    fake.add_show(
        tvmaze_show(BAKERY, "Moonlit Bakery", premiered="2022-03-21", network=channel(7, "tvN", "KR"),
                    time="21:00", days=["Monday", "Tuesday"], runtime=70, imdb="tt0000002", thetvdb=402),
        episodes=[tvmaze_episode(60_000 + n, n, at) for n, at in enumerate(bakery_days, start=1)],
        cast=[cast_member(3, "Kim Ji-won", 13, "Yeon Hwa"), cast_member(4, "Lee Do-hyun", 14, "Seo Jun")],
        akas=[aka("달빛 베이커리", "KR"), aka("Moonlight Bakery", None)],
    )  # fmt: skip
    fake.add_show(
        tvmaze_show(GHOSTS, "Seoul Ghost Files", premiered="2022-03-25", web_channel=channel(900, "TVING", "KR"),
                    time="18:00", days=["Friday"], runtime=50),
        episodes=[tvmaze_episode(70_000 + n, n, seoul(25, 18) + dt.timedelta(weeks=n - 1)) for n in range(1, 3)],
        cast=[cast_member(4, "Lee Do-hyun", 15, "Ghost Hunter Ma")],
    )  # fmt: skip
    fake.add_show(
        tvmaze_show(NEWS, "KBS News 9", premiered="1973-01-01", kind="News", network=channel(1, "KBS1", "KR"),
                    time="21:00", days=["Monday"]),
        episodes=[tvmaze_episode(80_000, 1, seoul(21, 21))],
    )  # fmt: skip
    fake.add_show(
        tvmaze_show(BAKE_OFF, "American Bake Off", premiered="2022-03-22", language="English",
                    web_channel=channel(1, "Netflix", None)),
        episodes=[tvmaze_episode(90_000, 1, seoul(22, 17))],
    )  # fmt: skip


def populate_tmdb(fake: FakeTmdb) -> None:
    """TMDB knows Soundtrack #1 (by the seed's TMDB id), Moonlit Bakery (by IMDb id), Seoul Ghost Files (by
    title and year, under a Hangul original title), one drama TVmaze lacks, and an English show."""
    fake.add_show(
        tmdb_show(137872, "Soundtrack #1", "사운드트랙 #1", first_air_date="2022-03-23", networks=["Disney+"],
                  number_of_episodes=4),
        cast=[tmdb_cast(1572354, "Han So-hee", "Lee Eun-soo", order=0, episodes=4, original_name="한소희")],
    )  # fmt: skip
    fake.add_show(
        tmdb_show(5002, "Moonlight Bakery", "달빛 베이커리", first_air_date="2022-03-21", imdb_id="tt0000002"),
        cast=[tmdb_cast(7001, "Kim Ji Won", "Yeon Hwa", order=0, episodes=16, original_name="김지원")],
    )  # fmt: skip
    fake.add_show(
        tmdb_show(5003, "Seoul Ghost Files", "서울 유령 파일", first_air_date="2022-03-25", networks=["TVING"],
                  number_of_episodes=8),
        cast=[
            tmdb_cast(7002, "Lee Do Hyun", "Ghost Hunter Ma", order=0, episodes=8, original_name="이도현"),
            tmdb_cast(7003, "Jung Eun-ji", "Medium Choi", order=1, episodes=3),
            tmdb_cast(7004, "Cameo Person", "Shaman", order=2, episodes=1),
        ],
        crew=[tmdb_crew(7100, "Park Director", "Director", original_name="박감독")],
    )  # fmt: skip
    fake.add_show(
        tmdb_show(5004, "Spring Tide", "봄 물결", first_air_date="2022-04-01", networks=["JTBC"]),
        cast=[tmdb_cast(7005, "Kim Go-eun", "Ha Na", order=0, episodes=16, original_name="김고은")],
    )  # fmt: skip
    fake.add_show(tmdb_show(5005, "Some English Show", "Some English Show", first_air_date="2022-03-22",
                            original_language="en"))  # fmt: skip


@dataclass
class World:
    repository: Repository
    session: aiohttp.ClientSession
    clock: VirtualClock
    tvmaze: FakeTvmaze
    tmdb: FakeTmdb

    def tvmaze_source(self, *, calls: int = 20, period: float = 10.0, max_retries: int = 5) -> TvmazeSource:
        limiter = RateLimiter(calls, period, clock=self.clock, sleep=self.clock.sleep)
        return TvmazeSource.create(
            self.session, self.tvmaze.base_url, cache=DatabaseCache(self.repository), limiter=limiter,
            sleep=self.clock.sleep, max_retries=max_retries,
        )  # fmt: skip

    def tmdb_source(self, *, api_key: str = API_KEY) -> TmdbSource:
        limiter = RateLimiter(20, 1.0, clock=self.clock, sleep=self.clock.sleep)
        return TmdbSource.create(
            self.session, self.tmdb.base_url, api_key, cache=DatabaseCache(self.repository), limiter=limiter,
            sleep=self.clock.sleep,
        )  # fmt: skip

    async def sync(self, *, tmdb: bool = False, days: int = DAYS, **options: Any) -> SyncSummary:
        return await run_sync(
            self.repository, tvmaze_source=self.tvmaze_source(**options),
            tmdb_source=self.tmdb_source() if tmdb else None, days=days, today=TODAY,
        )  # fmt: skip

    async def show(self, title: str) -> Show:
        matches = [s for s in await self.repository.all_shows() if title in s.all_titles]
        assert len(matches) == 1, f"{len(matches)} shows called {title!r}"
        return matches[0]

    async def scalar(self, sql: str, *params: Any) -> Any:
        async with self.repository.connection.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    connection = await db.connect(tmp_path / "catalog.sqlite3")
    await db.migrate(connection)
    repository = Repository(connection)
    await repository.load_seed(tiny_seed())
    clock = VirtualClock()
    async with (
        aiohttp.ClientSession() as session,
        FakeTvmaze(clock=clock) as fake_tvmaze,
        FakeTmdb(API_KEY, clock=clock, page_size=2) as fake_tmdb,
    ):
        populate_tvmaze(fake_tvmaze)
        populate_tmdb(fake_tmdb)
        yield World(repository, session, clock, fake_tvmaze, fake_tmdb)
    await connection.close()


# -- TVmaze -----------------------------------------------------------------------------------------------------


async def test_first_sync_adds_korean_dramas_with_episodes_and_cast(world: World) -> None:
    summary = await world.sync()

    assert (summary.shows_added, summary.shows_updated, summary.skipped) == (2, 1, [])
    titles = sorted(s.title for s in await world.repository.all_shows())
    assert titles == ["Moonlit Bakery", "Seoul Ghost Files", "Soundtrack #1", "Vincenzo"]  # no news, no US show

    bakery = await world.show("Moonlit Bakery")
    assert bakery.guild_id is None and bakery.tvmaze_id == BAKERY
    assert bakery.hangul_title == "달빛 베이커리" and "Moonlight Bakery" in bakery.alt_titles
    assert (bakery.air_days, bakery.air_time, bakery.timezone) == ((0, 1), dt.time(21, 0), "Asia/Seoul")
    assert (bakery.networks, bakery.premiere, bakery.status) == (("tvN",), dt.date(2022, 3, 21), Status.AIRING)
    assert bakery.created_at is not None and bakery.created_at == bakery.updated_at
    episodes = await world.repository.episodes_of_show(bakery.id)
    assert [e.number for e in episodes] == [1, 2, 3, 4, 5]
    assert episodes[0].air_at == dt.datetime(2022, 3, 21, 12, 0, tzinfo=dt.UTC)  # 21:00 in Seoul
    cast = await world.repository.credits_of_show(bakery.id)
    assert [(c.person_name, c.character, c.role) for c in cast] == [
        ("Kim Ji-won", "Yeon Hwa", Role.MAIN),
        ("Lee Do-hyun", "Seo Jun", Role.MAIN),
    ]
    assert await world.scalar("SELECT COUNT(*) FROM credits WHERE source = 'tvmaze'") == 3
    # The same actor in two new shows is one person.
    assert await world.scalar("SELECT COUNT(*) FROM people WHERE name = 'Lee Do-hyun'") == 1
    assert summary.episodes_added == 4 + 5 + 2
    assert summary.people_added == 2


async def test_a_seed_show_is_matched_by_title_and_year_and_gains_its_tvmaze_id(world: World) -> None:
    before = await world.show("Soundtrack #1")
    await world.sync()

    soundtrack = await world.show("Soundtrack #1")
    assert soundtrack.id == before.id and soundtrack.seed_key == "kd:1"
    assert soundtrack.tvmaze_id == SOUNDTRACK
    assert soundtrack.air_time == dt.time(16, 0) and soundtrack.episode_minutes == 45
    assert soundtrack.networks == ("Disney+",) and soundtrack.hangul_title == "사운드트랙 #1"  # kept
    assert soundtrack.created_at == before.created_at
    assert soundtrack.updated_at is not None and before.updated_at is not None
    assert soundtrack.updated_at >= before.updated_at
    assert len(await world.repository.episodes_of_show(soundtrack.id)) == 4
    # "Han So-hee" is the seed's "Han So Hee": credited once, found by both spellings.
    cast = await world.repository.credits_of_show(soundtrack.id)
    assert sorted(c.person_name for c in cast) == ["Han So Hee", "Park Hyung Sik"]
    han = next(p for p in await world.repository.all_people() if p.name == "Han So Hee")
    assert "Han So-hee" in han.all_names


async def test_the_real_seed_show_is_matched_not_duplicated(world: World, tmp_path: Path) -> None:
    if not seed_path().is_file():
        pytest.skip("data/seed/catalog.json is not built")
    seed = read_seed()
    if not any(s["title"] == "Soundtrack #1" and s.get("premiere") == "2022-03-23" for s in seed["shows"]):
        pytest.skip("the seed has no Soundtrack #1")
    connection = await db.connect(tmp_path / "real-seed.sqlite3")
    try:
        await db.migrate(connection)
        world = replace(world, repository=Repository(connection))
        await world.repository.load_seed(seed)
        count = await world.scalar("SELECT COUNT(*) FROM shows")

        summary = await world.sync(days=3)

        assert await world.scalar("SELECT COUNT(*) FROM shows WHERE title = 'Soundtrack #1'") == 1
        assert await world.scalar("SELECT tvmaze_id FROM shows WHERE title = 'Soundtrack #1'") == SOUNDTRACK
        assert await world.scalar("SELECT COUNT(*) FROM shows") == count + summary.shows_added
        assert summary.skipped == []
    finally:
        await connection.close()


async def test_a_second_sync_that_changes_nothing_is_cheap(world: World) -> None:
    first = await world.sync()
    world.tvmaze.reset_log()

    second = await world.sync()

    assert (second.shows_added, second.shows_updated, second.shows_unchanged) == (0, 0, 3)
    assert (second.episodes_added, second.episodes_changed, second.skipped) == (0, 0, [])
    # Only the schedules are asked again (each answered 304), plus the list of shows updated today.
    assert world.tvmaze.calls("/shows/") == 0
    assert second.calls == 2 * DAYS + 1 == world.tvmaze.calls()
    assert second.not_modified == 2 * DAYS
    assert first.calls == 2 * DAYS + 2 * 3  # schedules, then a show and its AKAs for each drama


async def test_a_rescheduled_episode_moves_only_that_episode(world: World) -> None:
    await world.sync()
    bakery = await world.show("Moonlit Bakery")
    stamps_before = dict(await _episode_stamps(world, bakery.id))
    world.tvmaze.reschedule(BAKERY, 3, seoul(28, 22, 30))

    summary = await world.sync()

    assert (summary.shows_updated, summary.shows_unchanged) == (1, 2)
    assert (summary.episodes_added, summary.episodes_changed) == (0, 1)
    episodes = {e.number: e for e in await world.repository.episodes_of_show(bakery.id)}
    assert episodes[3].air_at == dt.datetime(2022, 3, 28, 13, 30, tzinfo=dt.UTC)
    stamps_after = dict(await _episode_stamps(world, bakery.id))
    assert [n for n in stamps_after if stamps_after[n] != stamps_before[n]] == [3]
    assert (await world.show("Moonlit Bakery")).air_time == dt.time(21, 0)


async def _episode_stamps(world: World, show_id: int) -> list[tuple[int, str]]:
    async with world.repository.connection.execute(
        "SELECT number, air_at || updated_at FROM episodes WHERE show_id = ?", (show_id,)
    ) as cursor:
        return [(n, s) for n, s in await cursor.fetchall()]


async def test_a_change_to_a_known_show_off_the_schedule_is_still_picked_up(world: World) -> None:
    await world.sync()
    # Moonlit Bakery's fifth episode leaves the two-week window; the updates list still names the show.
    world.tvmaze.reschedule(BAKERY, 5, seoul(20, 21, month=4))

    summary = await world.sync(days=3)

    assert summary.episodes_changed == 1
    bakery = await world.show("Moonlit Bakery")
    episodes = {e.number: e for e in await world.repository.episodes_of_show(bakery.id)}
    assert episodes[5].air_at == dt.datetime(2022, 4, 20, 12, 0, tzinfo=dt.UTC)


async def test_an_admin_edit_survives_a_sync(world: World, caplog: pytest.LogCaptureFixture) -> None:
    await world.sync()
    bakery = await world.show("Moonlit Bakery")
    async with world.repository.transaction():
        await world.repository.update_show_fields(
            bakery.id, {"title": "Moonlit Bakery (tvN)", "air_time": dt.time(22, 0)}, by_admin=True
        )
    world.tvmaze.shows[BAKERY]["schedule"]["time"] = "21:10"
    world.tvmaze.shows[BAKERY]["runtime"] = 75
    world.tvmaze.touch(BAKERY)

    with caplog.at_level(logging.INFO, logger="bot.sync"):
        summary = await world.sync()

    edited = await world.repository.get_show(bakery.id)
    assert edited is not None
    assert (edited.title, edited.air_time) == ("Moonlit Bakery (tvN)", dt.time(22, 0))
    assert edited.episode_minutes == 75  # what the admin did not touch still follows the source
    assert summary.edits_kept == 1 and summary.shows_added == 0
    assert "kept the admin's air_time" in caplog.text and "21:10" in caplog.text
    assert await world.scalar("SELECT COUNT(*) FROM shows WHERE tvmaze_id = ?", BAKERY) == 1


async def test_a_malformed_payload_is_skipped_whole(world: World, caplog: pytest.LogCaptureFixture) -> None:
    world.tvmaze.raw_show[GHOSTS] = {"id": GHOSTS, "language": "Korean"}  # no name
    # Moonlit Bakery's payload parses, but the database refuses an episode numbered 0, after the show row,
    # its new people and their credits were written: all of it must roll back.
    world.tvmaze.episodes[BAKERY][2]["number"] = 0
    people_before = await world.scalar("SELECT COUNT(*) FROM people")

    with caplog.at_level(logging.WARNING, logger="bot.sync"):
        summary = await world.sync()

    assert summary.shows_added == 0 and summary.shows_updated == 1  # only Soundtrack #1
    reasons = {entry.what: entry.reason for entry in summary.skipped}
    assert "name" in reasons[f"show {GHOSTS}"]
    assert "CHECK constraint" in reasons[f"tvmaze {BAKERY} “Moonlit Bakery”"]
    assert "sync skipped" in caplog.text
    assert await world.scalar("SELECT COUNT(*) FROM shows WHERE title IN ('Moonlit Bakery', 'Seoul Ghost Files')") == 0
    assert await world.scalar("SELECT COUNT(*) FROM people") == people_before
    assert await world.scalar("SELECT COUNT(*) FROM show_sources WHERE external_id IN (?, ?)", "1002", "1003") == 0

    # Once the source is fixed, the next sync adds both.
    del world.tvmaze.raw_show[GHOSTS]
    world.tvmaze.episodes[BAKERY][2]["number"] = 3
    world.tvmaze.touch(BAKERY)
    fixed = await world.sync()
    assert (fixed.shows_added, fixed.skipped) == (2, [])


async def test_a_429_storm_is_ridden_out_within_the_rate_limit(world: World) -> None:
    world.tvmaze.fail("/schedule", 429, times=4, retry_after="3")

    summary = await world.sync(days=3, calls=4, period=10.0)

    assert (summary.skipped, summary.shows_added, summary.shows_updated) == ([], 1, 1)
    assert world.tvmaze.calls(status=429) == 4 and summary.retries == 4
    requests = world.tvmaze.requests
    # Each retry waited at least the server's Retry-After.
    assert all(after.at - r.at >= 3.0 for r, after in itertools.pairwise(requests) if r.status == 429)
    arrivals = [r.at for r in requests]
    assert len(arrivals) == summary.calls == 2 * 3 + 4 + 2 * 2  # schedules, 429s, two shows and their AKAs
    # Never more than 4 requests in any 10 seconds of the (virtual) clock.
    assert all(later - earlier >= 10.0 for earlier, later in zip(arrivals, arrivals[4:], strict=False))


async def test_retries_are_bounded_and_a_failing_endpoint_is_skipped(world: World) -> None:
    world.tvmaze.fail("/schedule/web", 503, times=1_000)  # no Retry-After: exponential backoff
    world.tvmaze.fail(f"/shows/{BAKERY}", 500, times=2)

    summary = await world.sync(days=2, max_retries=3)

    assert world.tvmaze.calls("/schedule/web") == 2 * (1 + 3)
    assert sorted(e.what for e in summary.skipped) == ["web schedule 2022-03-21", "web schedule 2022-03-22"]
    assert all("after 3 retries" in e.reason for e in summary.skipped)
    assert world.clock.slept[:3] == [1.0, 2.0, 4.0]
    assert (await world.show("Moonlit Bakery")).tvmaze_id == BAKERY  # retried past two 500s


async def test_the_rate_limiter_keeps_a_sliding_window() -> None:
    clock = VirtualClock()
    limiter = RateLimiter(3, 10.0, clock=clock, sleep=clock.sleep)
    granted = []
    for _ in range(7):
        await limiter.acquire()
        granted.append(clock())
    assert granted == [0, 0, 0, 10, 10, 10, 20]


# -- TMDB --------------------------------------------------------------------------------------------------------


async def test_tmdb_adds_hangul_titles_and_a_show_in_both_sources_is_one_row(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        summary = await world.sync(tmdb=True)

    assert summary.skipped == []
    titles = sorted(s.title for s in await world.repository.all_shows())
    assert titles == ["Moonlit Bakery", "Seoul Ghost Files", "Soundtrack #1", "Spring Tide", "Vincenzo"]
    ghosts = await world.show("Seoul Ghost Files")  # matched by title and year
    assert (ghosts.tvmaze_id, ghosts.tmdb_id, ghosts.hangul_title) == (GHOSTS, 5003, "서울 유령 파일")
    assert ghosts.episode_count == 8
    bakery = await world.show("Moonlit Bakery")  # matched by IMDb id, though TMDB calls it Moonlight Bakery
    assert (bakery.tvmaze_id, bakery.tmdb_id) == (BAKERY, 5002)
    assert bakery.air_time == dt.time(21, 0) and bakery.status is Status.AIRING  # TVmaze's, not TMDB's
    soundtrack = await world.show("Soundtrack #1")  # matched by the seed's TMDB id
    assert (soundtrack.tvmaze_id, soundtrack.tmdb_id) == (SOUNDTRACK, 137872)
    spring = await world.show("Spring Tide")  # TMDB alone
    assert (spring.hangul_title, spring.tvmaze_id, spring.networks) == ("봄 물결", None, ("JTBC",))
    assert spring.poster_url == "https://image.tmdb.org/t/p/w500/poster5004.jpg"

    credits = await world.repository.credits_of_show(ghosts.id)
    cast = [(c.person_name, c.role) for c in credits if c.kind is CreditKind.CAST]
    # Lee Do-hyun was credited from TVmaze; TMDB's "Lee Do Hyun" is the same person, not a second credit.
    assert cast == [("Lee Do-hyun", Role.MAIN), ("Jung Eun-ji", Role.SUPPORT), ("Cameo Person", Role.GUEST)]
    assert [c.person_name for c in credits if c.kind is CreditKind.DIRECTOR] == ["Park Director"]
    lee = next(p for p in await world.repository.all_people() if p.name == "Lee Do-hyun")
    assert (lee.hangul_name, lee.tmdb_id) == ("이도현", 7002)
    han = next(p for p in await world.repository.all_people() if p.name == "Han So Hee")
    assert han.hangul_name == "한소희"

    # The key authenticates every call and appears nowhere it could leak.
    assert all(r.query.get("api_key") == [API_KEY] for r in world.tmdb.requests)
    assert all(r.query.get("with_original_language") == ["ko"] for r in world.tmdb.requests if "discover" in r.path)
    assert API_KEY not in caplog.text
    assert await world.scalar("SELECT COUNT(*) FROM http_cache WHERE url LIKE ?", f"%{API_KEY}%") == 0
    assert await world.scalar("SELECT COUNT(*) FROM http_cache WHERE url LIKE '%api_key=REDACTED%'") > 0

    again = await world.sync(tmdb=True)
    assert (again.shows_added, again.shows_updated, again.skipped) == (0, 0, [])
    assert again.calls_by_source["tmdb"] == again.not_modified - 2 * DAYS  # every TMDB answer was a 304


async def test_a_wrong_tmdb_key_is_reported_without_the_key(world: World) -> None:
    summary = await run_sync(
        world.repository, tmdb_source=world.tmdb_source(api_key="wrong-key-42"), days=2, today=TODAY
    )
    assert [(e.source, e.what) for e in summary.skipped] == [("tmdb", "discover")]
    assert "401" in summary.skipped[0].reason and "wrong-key-42" not in summary.skipped[0].reason


# -- the CLI entry point -----------------------------------------------------------------------------------------


async def test_sync_command_runs_against_the_configured_database(tmp_path: Path, world: World) -> None:
    settings = Settings(
        database_path=tmp_path / "cli.sqlite3",
        tvmaze_api_base=world.tvmaze.base_url,
        tmdb_api_base=world.tmdb.base_url,
        tmdb_api_key=API_KEY,
    )
    messages: list[str] = []
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps(tiny_seed()), encoding="utf-8")

    summary = await sync_command(settings, source="tvmaze", days=2, progress=messages.append, seed_file=seed_file)

    # Today's real schedules are empty on the fake; the run still asks for them, and leaves a migrated,
    # seeded database behind.
    assert (summary.calls, summary.calls_by_source, summary.skipped) == (4, {"tvmaze": 4}, [])
    connection = await db.connect(settings.database_path)
    try:
        assert await db.schema_version(connection) == db.SCHEMA_VERSION
        assert [s.title for s in await Repository(connection).all_shows()] == ["Soundtrack #1", "Vincenzo"]
    finally:
        await connection.close()
    assert messages[0] == "tvmaze schedules 1/4: KR schedule " + dt.datetime.now(SEOUL).date().isoformat()
    assert any(line.startswith("calls: ") for line in summary.lines())
