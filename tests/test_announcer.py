"""Announcement planning (pure, fixed clocks) and the outbox's exactly-once rule on a real SQLite file.

The outbox tests drive bot/announce/outbox.py's Announcer with a `send` and a `find` that stand in for Discord
(tests/outbox_support.py). Crashes, outages and the real `dramabot run` are in test_outbox_recovery.py and
tests/e2e/test_announce_crash.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import random
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from bot.announce.delivery import backoff
from bot.announce.plan import DATE_ONLY_HOUR, Triage, airings_between, next_due_after, plan, triage
from bot.cards import announcement_text
from bot.models import AnnouncementKind, AnnounceMode, Episode, Show, announcement_nonce
from bot.ratelimit import ChannelRateLimiter, SlidingWindow
from bot.schedule import Schedule
from bot.store import Repository
from tests.outbox_support import (
    GRACE,
    NOW,
    Catalog,
    Discord,
    announcer,
    guild,
    open_repository,
    setup_guilds,
    show,
    until,
)

UTC = dt.UTC


def schedules(shows: Sequence[Show], rows: dict[int, list[Episode]]) -> list[Schedule]:
    return [Schedule(s, rows.get(s.id, [])) for s in shows]


# -- planning ---------------------------------------------------------------------------------------------------


def test_an_exact_episode_is_due_at_its_air_time_and_a_date_only_one_at_nine_in_seoul() -> None:
    exact = show(1, episode_count=2)
    dated = show(2, premiere=dt.date(2026, 3, 5), air_days=(3,), episode_count=4)  # Thursdays, no time
    rows = {1: [Episode(1, 1, NOW + dt.timedelta(hours=2))]}
    airings = airings_between(schedules([exact, dated], rows), NOW, NOW + dt.timedelta(days=2))
    assert [(a.show_id, a.episode, a.kind) for a in airings] == [
        (1, 1, AnnouncementKind.PREMIERE),
        (2, 1, AnnouncementKind.PREMIERE),
    ]
    assert airings[0].due_at == NOW + dt.timedelta(hours=2) and airings[0].time_known
    # 09:00 on 5 March in Seoul is 00:00 UTC: on the air date everywhere east of the Atlantic, never at midnight.
    assert DATE_ONLY_HOUR == dt.time(9)
    assert airings[1].due_at == dt.datetime(2026, 3, 5, 0, 0, tzinfo=UTC)
    assert not airings[1].time_known and airings[1].air_date == dt.date(2026, 3, 5)
    assert next_due_after(schedules([exact, dated], rows), NOW) == NOW + dt.timedelta(hours=2)


def test_the_date_only_embed_shows_the_date_not_a_time() -> None:
    dated = show(2, networks=("SBS",), tvmaze_id=77)
    text = announcement_text(
        dated, episode=3, total=None, kind="episode", air_at=dt.datetime(2026, 3, 4, 15, tzinfo=UTC), time_known=False
    )
    fields = {field.name: field.value for field in text.fields}
    assert fields["Episode"] == "Episode 3"
    assert fields["Airs"] == "Thursday 05 March 2026 (Asia/Seoul date; air time not announced)"
    assert "<t:" not in fields["Airs"] and text.url == "https://www.tvmaze.com/shows/77"


def test_modes_follows_and_private_shows_decide_who_hears_what() -> None:
    shared, private = show(1, episode_count=16), show(2, episode_count=8, guild_id=200)
    rows = {
        1: [Episode(1, 1, NOW + dt.timedelta(minutes=1)), Episode(1, 2, NOW + dt.timedelta(minutes=2))],
        2: [Episode(2, 5, NOW + dt.timedelta(minutes=3))],
    }
    airings = airings_between(schedules([shared, private], rows), NOW, NOW + dt.timedelta(hours=1))
    settings = [
        guild(100, AnnounceMode.EPISODES),
        guild(200, AnnounceMode.EPISODES),
        guild(300, AnnounceMode.PREMIERES),
        guild(400, AnnounceMode.FOLLOWED),
        guild(500, AnnounceMode.PREMIERES),  # follows show 1: every episode of it
        guild(600, AnnounceMode.FOLLOWED),  # follows another server's private show: never announced
        guild(700, AnnounceMode.EPISODES, paused_reason="403"),  # planned all the same: stored as held
        guild(800, AnnounceMode.EPISODES, enabled=False),
        guild(900, AnnounceMode.EPISODES, since=NOW + dt.timedelta(minutes=2)),  # turned on after episode 1
    ]
    follows = {500: frozenset({1}), 600: frozenset({2})}
    heard: dict[int, list[tuple[int, int]]] = {}
    for due in plan(settings, follows, airings):
        heard.setdefault(due.guild_id, []).append((due.show_id, due.episode))
        assert due.channel_id == due.guild_id * 10
    assert heard == {
        100: [(1, 1), (1, 2)],
        200: [(1, 1), (1, 2), (2, 5)],
        300: [(1, 1)],
        500: [(1, 1), (1, 2)],
        700: [(1, 1), (1, 2)],
        900: [(1, 2)],
    }


def test_the_grace_window_and_the_nonce() -> None:
    assert triage(NOW - dt.timedelta(hours=5, minutes=59), NOW, GRACE) is Triage.DELIVER
    assert triage(NOW - dt.timedelta(hours=6, minutes=1), NOW, GRACE) is Triage.SKIP
    nonce = announcement_nonce(1, 2, 3, "episode")
    assert len(nonce) == 25 and nonce == announcement_nonce(1, 2, 3, "episode")
    assert nonce != announcement_nonce(1, 2, 3, "premiere") != announcement_nonce(2, 2, 3, "episode")


def test_no_window_of_the_rate_limits_is_ever_exceeded() -> None:
    clock = [0.0]

    async def sleep(seconds: float) -> None:
        clock[0] += seconds

    limiter = ChannelRateLimiter(
        per_second=45, per_channel=5, channel_period=5.0, monotonic=lambda: clock[0], sleep=sleep
    )
    sent: list[tuple[float, int]] = []

    async def run() -> None:
        for i in range(600):
            channel = i % 7
            await limiter.acquire(channel)
            sent.append((clock[0], channel))
            clock[0] += 0.004  # the request takes 4 ms to come back
            limiter.release(channel)

    asyncio.run(run())
    times = [t for t, _ in sent]
    assert max(sum(1 for u in times if t <= u < t + 1.0) for t in times) <= 45
    for channel in range(7):
        mine = [t for t, c in sent if c == channel]
        assert max(sum(1 for u in mine if t <= u < t + 5.0) for t in mine) <= 5
    window = SlidingWindow(2, 1.0)
    window.start()
    window.finish(0.0)
    window.start()
    assert window.delay(0.6) > 0, "a request in flight still counts"
    window.finish(0.5)
    assert window.delay(0.6) == pytest.approx(0.4) and window.delay(1.0) == 0.0


# -- the outbox on a real SQLite file ---------------------------------------------------------------------------


@pytest.fixture
async def repository(tmp_path: Path) -> AsyncIterator[Repository]:
    repo = await open_repository(tmp_path / "announce.sqlite3")
    yield repo
    await repo.close()


def sent(discord: Discord) -> list[tuple[int, int]]:
    """(server, episode) of every announcement posted, sorted."""
    return sorted((guild_id, episode) for guild_id, _show, episode, _kind in discord.keys)


async def test_each_announcement_is_sent_once_across_steps_and_restarts(repository: Repository) -> None:
    catalog = Catalog([show(1, episode_count=4)], [Episode(1, n, NOW + dt.timedelta(minutes=n)) for n in (1, 2)])
    await setup_guilds(repository, 100, 200)
    discord, clock = Discord(), [NOW]
    first = announcer(repository, catalog, discord, clock)
    assert await first.step() == NOW + dt.timedelta(minutes=1)  # sleeps until the first episode
    clock[0] = NOW + dt.timedelta(minutes=1, seconds=1)
    assert await first.step() == NOW + dt.timedelta(minutes=2)
    await first.drain()
    assert sent(discord) == [(100, 1), (200, 1)]
    await first.step()
    await first.drain()
    assert len(discord.messages) == 2

    # A restart on the same database, at the same moment and later: nothing twice, the next episode once.
    second = announcer(repository, catalog, discord, clock)
    assert await repository.release_claims() == 0
    clock[0] = NOW + dt.timedelta(minutes=3)
    await second.step()
    await second.drain()
    assert sent(discord) == [(100, 1), (100, 2), (200, 1), (200, 2)]
    assert (await repository.outbox_counts(100)) == {"sent": 2}
    assert [kind for kind, _channel, _at in discord.requests] == ["POST"] * 4, "nothing looked up: nothing unsure"


async def test_after_downtime_recent_ones_are_delivered_and_older_ones_skipped(repository: Repository) -> None:
    episodes = [Episode(1, 1, NOW - dt.timedelta(hours=8)), Episode(1, 2, NOW - dt.timedelta(hours=1))]
    catalog = Catalog([show(1, episode_count=2)], episodes)
    await setup_guilds(repository, 100)
    await repository.add_to_outbox([], planned_until=NOW - dt.timedelta(hours=10))  # last ran 10 hours ago
    discord, clock = Discord(), [NOW]
    service = announcer(repository, catalog, discord, clock)
    report = await service.materialize(NOW)
    assert (report.pending, report.skipped) == (1, 1)
    await service.step()
    await service.drain()
    assert sent(discord) == [(100, 2)]
    skipped = await repository.outbox_items(100, "skipped")
    assert [i.episode for i in skipped] == [1] and "grace" in (skipped[0].error or "")


async def test_a_forbidden_server_pauses_and_never_holds_up_another(repository: Repository) -> None:
    catalog = Catalog([show(1, episode_count=2)], [Episode(1, 1, NOW)])
    await setup_guilds(repository, 100, 200, 300)
    discord, clock = Discord(), [NOW]
    discord.permanent.add(100)
    discord.hold[300] = asyncio.Event()  # a server whose request hangs
    await repository.add_to_outbox([], planned_until=NOW - dt.timedelta(minutes=1))
    service = announcer(repository, catalog, discord, clock)
    await service.step()
    await until(lambda: sent(discord) == [(200, 1)])
    paused = await repository.announce_settings(100)
    assert paused is not None and paused.paused_reason and "403" in paused.paused_reason and not paused.active
    discord.hold[300].set()
    await service.drain()
    assert sent(discord) == [(200, 1), (300, 1)]
    assert [i.episode for i in await repository.outbox_items(100, "held")] == [1]

    # The admin fixes the channel: the held announcement goes out (still within the grace window), once.
    discord.permanent.clear()
    fixed = await repository.announce_settings(100)
    assert fixed is not None
    await repository.save_announce_settings(dataclasses.replace(fixed, paused_reason=None))
    await service.settings_changed(100)
    await service.step()
    await service.drain()
    assert sent(discord) == [(100, 1), (200, 1), (300, 1)]


async def test_temporary_failures_are_retried_with_jittered_backoff_and_looked_up_first(
    repository: Repository,
) -> None:
    catalog = Catalog([show(1, episode_count=2)], [Episode(1, 1, NOW)])
    await setup_guilds(repository, 100)
    discord, clock = Discord(), [NOW]
    discord.failing = 2  # two 503s: Discord may have posted each time
    await repository.add_to_outbox([], planned_until=NOW - dt.timedelta(minutes=1))
    service = announcer(repository, catalog, discord, clock)
    await service.step()
    await service.drain()
    assert discord.messages == []
    wake = await service.next_wake(clock[0])
    assert (
        wake is not None and 2 <= (wake - NOW).total_seconds() <= 5
    )  # the first retry: 5 s, jittered (stored to the second)
    clock[0] = wake
    await service.step()
    await service.drain()
    second = await service.next_wake(clock[0])
    assert second is not None and 4 <= (second - clock[0]).total_seconds() <= 10  # then 10 s, jittered
    clock[0] = second
    await service.step()
    await service.drain()
    assert sent(discord) == [(100, 1)]
    assert [kind for kind, _channel, _at in discord.requests] == ["POST", "GET", "POST", "GET", "POST"]
    settings = await repository.announce_settings(100)
    assert settings is not None and settings.last_error == "Discord answered 503: try later" and settings.active


def test_the_backoff_doubles_to_ten_minutes_with_jitter() -> None:
    rng = random.Random(7)
    for attempts, ceiling in ((1, 5.0), (2, 10.0), (3, 20.0), (8, 600.0), (40, 600.0)):
        delays = [backoff(attempts, rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > ceiling / 4, "jittered, not all the same"
