"""Announcement planning (pure, fixed clocks) and the outbox's exactly-once rule on a real SQLite file.

The outbox tests drive bot/announce/outbox.py's Announcer with a `send` that stands in for Discord; the crash test runs
the announcer in a child process against the fake Discord, kills it with SIGKILL after it sent and before it
marked, and restarts on the same database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
import textwrap
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from bot import db
from bot.announce.outbox import Announcement, Announcer, PermanentFailure, TemporaryFailure
from bot.announce.plan import DATE_ONLY_HOUR, Triage, airings_between, next_due_after, plan, triage
from bot.cards import announcement_text
from bot.models import (
    AnnouncementKind,
    AnnounceMode,
    Episode,
    GuildAnnounceSettings,
    OutboxItem,
    Show,
    announcement_nonce,
)
from bot.ratelimit import ChannelRateLimiter, SlidingWindow
from bot.sandbox import FakeDiscord
from bot.schedule import Schedule
from bot.store import Repository

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
GRACE = dt.timedelta(hours=6)
ROOT = Path(__file__).resolve().parents[1]


def show(show_id: int, **fields: object) -> Show:
    return Show(id=show_id, title=f"Show {show_id}", **fields)  # type: ignore[arg-type]


def guild(guild_id: int, mode: AnnounceMode = AnnounceMode.EPISODES, **fields: object) -> GuildAnnounceSettings:
    values: dict[str, object] = {"channel_id": guild_id * 10, "enabled": True, "since": NOW - dt.timedelta(days=30)}
    values.update(fields)
    return GuildAnnounceSettings(guild_id=guild_id, mode=mode, **values)  # type: ignore[arg-type]


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
        guild(700, AnnounceMode.EPISODES, paused_reason="403"),
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
    connection = await db.connect(tmp_path / "announce.sqlite3")
    await db.migrate(connection)
    repo = Repository(connection)
    yield repo
    await repo.close()


class Catalog:
    """The shows and schedules the announcer reads (a stand-in for bot.catalog.Catalog)."""

    def __init__(self, shows: Sequence[Show], episodes: Sequence[Episode]) -> None:
        self.shows = {s.id: s for s in shows}
        self.rows = {s.id: [e for e in episodes if e.show_id == s.id] for s in shows}

    def schedule_of(self, show: Show) -> Schedule:
        return Schedule(show, self.rows.get(show.id, []))


class Discord:
    """Records what was posted; per guild it may fail permanently, temporarily, or hold until released."""

    def __init__(self) -> None:
        self.posted: list[OutboxItem] = []
        self.permanent: set[int] = set()
        self.temporary: dict[int, int] = {}
        self.hold: dict[int, asyncio.Event] = {}

    async def send(self, announcement: Announcement) -> int:
        item = announcement.item
        if item.guild_id in self.hold:
            await self.hold[item.guild_id].wait()
        if item.guild_id in self.permanent:
            raise PermanentFailure("Discord refused to let me post in <#1> (403: Missing Permissions).")
        if self.temporary.get(item.guild_id, 0) > 0:
            self.temporary[item.guild_id] -= 1
            raise TemporaryFailure("Discord answered 503: try later")
        self.posted.append(item)
        return 1000 + len(self.posted)


async def setup_guilds(repository: Repository, *guild_ids: int) -> None:
    for guild_id in guild_ids:
        await repository.save_announce_settings(guild(guild_id, since=NOW - dt.timedelta(days=1)))


def announcer(repository: Repository, catalog: Catalog, discord: Discord, clock: list[dt.datetime]) -> Announcer:
    return Announcer(
        repository, discord.send, catalog=catalog, grace=GRACE,
        clock=lambda: clock[0], limiter=ChannelRateLimiter(per_second=1000, per_channel=1000),
    )  # fmt: skip


async def test_each_announcement_is_sent_once_across_steps_and_restarts(repository: Repository) -> None:
    catalog = Catalog([show(1, episode_count=4)], [Episode(1, n, NOW + dt.timedelta(minutes=n)) for n in (1, 2)])
    await setup_guilds(repository, 100, 200)
    discord, clock = Discord(), [NOW]
    first = announcer(repository, catalog, discord, clock)
    assert await first.step() == NOW + dt.timedelta(minutes=1)  # sleeps until the first episode
    clock[0] = NOW + dt.timedelta(minutes=1, seconds=1)
    assert await first.step() == NOW + dt.timedelta(minutes=2)
    await first.drain()
    assert sorted((i.guild_id, i.episode) for i in discord.posted) == [(100, 1), (200, 1)]
    await first.step()
    await first.drain()
    assert len(discord.posted) == 2

    # A restart on the same database, at the same moment and later: nothing twice, the next episode once.
    second = announcer(repository, catalog, discord, clock)
    await repository.release_claims()
    clock[0] = NOW + dt.timedelta(minutes=3)
    await second.step()
    await second.drain()
    assert sorted((i.guild_id, i.episode) for i in discord.posted) == [(100, 1), (100, 2), (200, 1), (200, 2)]
    assert (await repository.outbox_counts(100)) == {"sent": 2}


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
    assert [i.episode for i in discord.posted] == [2]
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
    await asyncio.wait_for(_until(lambda: [i.guild_id for i in discord.posted] == [200]), 2)
    paused = await repository.announce_settings(100)
    assert paused is not None and paused.paused_reason and "403" in paused.paused_reason and not paused.active
    discord.hold[300].set()
    await service.drain()
    assert sorted(i.guild_id for i in discord.posted) == [200, 300]

    # The admin fixes the channel: the held announcement goes out (still within the grace window), once.
    discord.permanent.clear()
    fixed = await repository.announce_settings(100)
    assert fixed is not None
    await repository.save_announce_settings(GuildAnnounceSettings(**{**_fields(fixed), "paused_reason": None}))
    service.settings_changed(100)
    await service.step()
    await service.drain()
    assert sorted(i.guild_id for i in discord.posted) == [100, 200, 300]


async def test_temporary_failures_are_retried_with_backoff(repository: Repository) -> None:
    catalog = Catalog([show(1, episode_count=2)], [Episode(1, 1, NOW)])
    await setup_guilds(repository, 100)
    discord, clock = Discord(), [NOW]
    discord.temporary[100] = 2
    await repository.add_to_outbox([], planned_until=NOW - dt.timedelta(minutes=1))
    service = announcer(repository, catalog, discord, clock)
    await service.step()
    await service.drain()
    assert discord.posted == []
    wake = await service.next_wake(clock[0])
    assert wake == NOW + dt.timedelta(seconds=5)  # first retry after 5 s
    clock[0] = NOW + dt.timedelta(seconds=5)
    await service.step()
    await service.drain()
    assert await service.next_wake(clock[0]) == clock[0] + dt.timedelta(seconds=10)  # then 10 s
    clock[0] += dt.timedelta(seconds=10)
    await service.step()
    await service.drain()
    assert [i.attempts for i in discord.posted] == [3]
    settings = await repository.announce_settings(100)
    assert settings is not None and settings.last_error == "Discord answered 503: try later" and settings.active


async def _until(predicate: object) -> None:
    for _ in range(1000):  # a stand-in Discord has no event to wait on; poll briefly
        if predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)


def _fields(settings: GuildAnnounceSettings) -> dict[str, object]:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}


# -- a crash between send and mark ------------------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import asyncio, datetime as dt, sys
    import aiohttp
    from bot import db
    from bot.announce.outbox import Announcer
    from bot.catalog import Catalog
    from bot.store import Repository

    async def main(path, api, token, crash):
        repository = Repository(await db.connect(path))
        catalog = await Catalog.load(repository)

        async def send(announcement):
            item = announcement.item
            async with aiohttp.ClientSession() as session:
                async with session.post(
                    f"{api}/channels/{item.channel_id}/messages",
                    json={"content": f"Episode {item.episode}", "nonce": item.nonce, "enforce_nonce": True},
                    headers={"Authorization": f"Bot {token}"},
                ) as response:
                    body = await response.json()
            print("SENT", body["id"], flush=True)
            if crash:
                await asyncio.sleep(3600)  # the parent kills us here: sent, never marked
            return int(body["id"])

        announcer = Announcer(repository, send, catalog=catalog, grace=dt.timedelta(hours=6))
        if crash:
            await announcer.run()
        else:
            await repository.release_claims()
            await announcer.step()
            await announcer.drain()
            print("DONE", flush=True)
        await repository.close()

    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "crash"))
    """
)


async def run_child(path: Path, fake: FakeDiscord, mode: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, str(path), fake.api_base, fake.token, mode,
        stdout=asyncio.subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip


async def test_a_crash_between_send_and_mark_never_posts_twice(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite3"
    async with FakeDiscord() as fake:
        channel = fake.channels["announcements"]
        now = dt.datetime.now(UTC)
        connection = await db.connect(path)
        await db.migrate(connection)
        repository = Repository(connection)
        show_id = await repository.add_show({"title": "Crash Landing Twice", "episode_count": 16})
        await repository.upsert_episodes(show_id, [Episode(show_id, 4, now + dt.timedelta(seconds=1))], source="t")
        await repository.save_announce_settings(
            GuildAnnounceSettings(guild_id=fake.guild_id, since=now, channel_id=channel.id, enabled=True)
        )
        await repository.add_to_outbox([], planned_until=now)  # as if the bot had been running until now
        await repository.close()

        child = await run_child(path, fake, "crash")
        assert child.stdout is not None
        line = await asyncio.wait_for(child.stdout.readline(), 30)
        assert line.startswith(b"SENT"), line
        os.kill(child.pid, signal.SIGKILL)
        assert await child.wait() == -signal.SIGKILL
        first_id = int(line.split()[1])
        assert [m.id for m in fake.messages(channel)] == [first_id]

        # The restart finds the row still claimed, sends it again under the same nonce, and Discord dedupes it.
        restart = await run_child(path, fake, "restart")
        assert restart.stdout is not None
        output = (await asyncio.wait_for(restart.stdout.read(), 30)).decode()
        assert await restart.wait() == 0
        assert output.splitlines() == [f"SENT {first_id}", "DONE"]
        posts = [r for r in fake.request_log if r.method == "POST" and r.path == f"/channels/{channel.id}/messages"]
        assert len(posts) == 2, "the restart did send again"
        assert [m.id for m in fake.messages(channel)] == [first_id], "but only one message exists"

        connection = await db.connect(path)
        repository = Repository(connection)
        sent = await repository.outbox_items(fake.guild_id, "sent")
        await repository.close()
        assert [(i.episode, i.message_id, i.attempts) for i in sent] == [(4, first_id, 2)]
