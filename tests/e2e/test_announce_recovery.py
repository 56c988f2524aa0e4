"""Announcements that must not be lost or doubled, through the real Dramabot and the fake Discord.

Each test breaks something the way production breaks it (a lost answer, a 403, an edit into the past, a database
error while recording, a crash of the announcer, /announce off or a new channel while posts wait) and checks what
the server sees: each announcement in its channel once, and /announce status saying what happened. Time runs on
the bot's injectable clock, several times faster than the wall clock (`ScaledClock`; `HeldClock` stands still
until the bot has started), so no test waits for real air times; Discord's own clocks (nonce memory, rate
limits) stay real.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot import db
from bot.app import Dramabot
from bot.clock import ScaledClock
from bot.models import AnnounceMode, Due, Episode, GuildAnnounceSettings
from bot.sandbox import FakeDiscord
from bot.settings import Settings
from bot.store import Repository
from tests.e2e.test_announce import ANNOUNCE_CHANNEL, field, status_text
from tests.fakes.clock import HeldClock

TITLE = "Second Chance Signal"


async def prepare(
    path: Path,
    fake: FakeDiscord,
    now: dt.datetime,
    episodes: Sequence[tuple[int, dt.datetime]],
    *,
    channel: str = ANNOUNCE_CHANNEL,
) -> int:
    """A show with these episodes, followed by the main server, announcing in `channel`; planned up to `now`."""
    connection = await db.connect(path)
    repository = Repository(connection)
    try:
        show_id = await repository.add_show({"title": TITLE, "episode_count": 16, "networks": ("tvN",)})
        await repository.upsert_episodes(show_id, [Episode(show_id, n, at) for n, at in episodes], source="admin")
        await repository.save_announce_settings(
            GuildAnnounceSettings(
                guild_id=fake.guild_id,
                since=now - dt.timedelta(hours=1),
                mode=AnnounceMode.FOLLOWED,
                channel_id=fake.channels[channel].id,
                enabled=True,
            )
        )
        await repository.follow_show(fake.guild_id, show_id)
        await repository.add_to_outbox([], planned_until=now)
    finally:
        await connection.close()
    return show_id


@contextlib.asynccontextmanager
async def dramabot(start_client: Any, settings: Settings, clock: ScaledClock, **options: Any) -> AsyncIterator[Any]:
    async with start_client(Dramabot(settings, clock=clock), configure_endpoints=False, **options) as bot:
        yield bot


def states(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as raw:
        return dict(raw.execute("SELECT state, COUNT(*) FROM announce_outbox GROUP BY state").fetchall())


def episodes_posted(fake: FakeDiscord, channel: str = ANNOUNCE_CHANNEL) -> list[str]:
    return sorted(field(m, "Episode") for m in fake.messages(channel) if m.embed and m.embed["title"] == TITLE)


async def eventually(predicate: Any, within: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.05)


def sql(path: Path, statement: str) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute(statement)


async def test_a_lost_answer_is_looked_up_after_the_send_timeout_and_posted_once(
    fake_discord: FakeDiscord, start_client: Any, bot_settings: Settings, database_path: Path
) -> None:
    fake_discord.message_answer_delay = 60.0  # the message is created; its answer never arrives in time
    fake_discord.nonce_memory = 0.2
    clock = HeldClock(10)
    await prepare(database_path, fake_discord, clock.now(), [(4, clock.now() + clock.lead(0.3))])
    settings = dataclasses.replace(bot_settings, announce_send_timeout=1.0)
    async with dramabot(start_client, settings, clock):
        clock.release()
        await eventually(lambda: states(database_path) == {"sent": 1}, 8, "the announcement recorded as sent")
        await asyncio.sleep(0.5)
        assert episodes_posted(fake_discord) == ["Episode 4 of 16"]
        methods = [r.method for r in fake_discord.request_log if r.path.endswith("/messages")]
        assert methods == ["GET"], "the POST that timed out is still unanswered; the lookup found its message"
        assert "Discord did not answer within 1 s" in await status_text(fake_discord)


async def test_a_discord_outage_longer_than_ten_minutes_delays_an_announcement_but_does_not_drop_it(
    fake_discord: FakeDiscord, start_client: Any, bot_settings: Settings, database_path: Path
) -> None:
    clock = ScaledClock(600)  # 12 minutes of the bot's time in 1.2 s
    now = clock.now()
    await prepare(database_path, fake_discord, now, [(4, now + dt.timedelta(seconds=60))])
    outage = fake_discord.fail_next("POST", r"/channels/\d+/messages$", 503, times=10_000)
    async with dramabot(start_client, bot_settings, clock):
        await eventually(lambda: outage.hits == 1, 10, "the first attempt")
        first = clock.now()
        await eventually(lambda: clock.now() > first + dt.timedelta(minutes=12), 10, "a 12-minute outage")
        assert outage.hits >= 5 and states(database_path) in ({"pending": 1}, {"claimed": 1}), "retrying still"
        outage.times = outage.hits  # Discord is back
        await eventually(lambda: states(database_path) == {"sent": 1}, 8, "the announcement sent after the outage")
        assert episodes_posted(fake_discord) == ["Episode 4 of 16"]
        assert "Delivery: 1 sent · 0 held · 0 skipped · 0 failed" in await status_text(fake_discord)


async def test_announcements_due_while_paused_are_held_and_sent_on_resume_and_status_counts_them(
    fake_discord: FakeDiscord, start_client: Any, bot_settings: Settings, database_path: Path
) -> None:
    clock = HeldClock(10)
    now = clock.now()
    await prepare(database_path, fake_discord, now, [(2, now + clock.lead(0.3)), (3, now + clock.lead(0.6))])
    rule = fake_discord.fail_next("POST", r"/channels/\d+/messages$", 403)
    async with dramabot(start_client, bot_settings, clock):
        clock.release()
        await eventually(lambda: rule.hits == 1, 8, "the 403")
        await eventually(lambda: states(database_path) == {"held": 2}, 8, "both announcements held")
        status = await status_text(fake_discord)
        assert status.startswith("Paused since")
        assert "Delivery: 0 sent · 2 held · 0 skipped · 0 failed" in status
        assert "held: Second Chance Signal episode 2" in status and "held: Second Chance Signal episode 3" in status
        assert "Last delivery error: <t:" in status and "403: Missing Permissions" in status

        result = await fake_discord.run_command(
            "announce channel", {"channel": fake_discord.channels[ANNOUNCE_CHANNEL]}, user=fake_discord.admin
        )
        assert "resume" in result.content
        await eventually(lambda: states(database_path) == {"sent": 2}, 8, "both held announcements sent")
        assert episodes_posted(fake_discord) == ["Episode 2 of 16", "Episode 3 of 16"]
        assert "Delivery: 2 sent · 0 held · 0 skipped · 0 failed" in await status_text(fake_discord)


async def test_an_episode_moved_into_the_recent_past_is_announced_once(
    fake_discord: FakeDiscord, start_client: Any, bot_settings: Settings, database_path: Path
) -> None:
    clock = ScaledClock(10)
    now = clock.now()
    later = now + dt.timedelta(days=3)
    show_id = await prepare(
        database_path, fake_discord, now, [(6, later), (7, later), (8, later + dt.timedelta(days=7))]
    )
    async with dramabot(start_client, bot_settings, clock) as bot:
        await asyncio.sleep(0.3)  # the announcer has planned up to now and sleeps until far later
        # A curator corrects episode 6 to twenty minutes ago, and episode 7 to eight hours ago (beyond the grace).
        moved = [Episode(show_id, 6, clock.now() - dt.timedelta(minutes=20)),
                 Episode(show_id, 7, clock.now() - dt.timedelta(hours=8))]  # fmt: skip
        await bot.repository.upsert_episodes(show_id, moved, source="admin")
        await bot.catalog.refresh_show(bot.repository, show_id)
        bot.dispatch("catalog_change", show_id)
        message = await fake_discord.wait_for_message(ANNOUNCE_CHANNEL, within=5)
        assert field(message, "Episode") == "Episode 6 of 16"
        bot.dispatch("catalog_change", show_id)  # a second change plans nothing twice
        await asyncio.sleep(0.5)
        assert episodes_posted(fake_discord) == ["Episode 6 of 16"]
        assert states(database_path) == {"sent": 1}


async def test_an_episode_moved_into_the_recent_past_while_the_bot_was_down_is_announced_once(
    fake_discord: FakeDiscord, start_client: Any, bot_settings: Settings, database_path: Path
) -> None:
    clock = ScaledClock(10)
    now = clock.now()
    later = now + dt.timedelta(days=3)
    show_id = await prepare(database_path, fake_discord, now, [(6, later), (7, later)])
    async with dramabot(start_client, bot_settings, clock):
        await eventually(lambda: states(database_path) == {}, 2, "a first plan with nothing due")
        await asyncio.sleep(0.3)  # the announcer has planned up to now and sleeps until far later
    # While the bot is down, an offline sync corrects episode 6 to twenty minutes ago: no event tells the bot.
    connection = await db.connect(database_path)
    try:
        moved = Episode(show_id, 6, clock.now() - dt.timedelta(minutes=20))
        await Repository(connection).upsert_episodes(show_id, [moved], source="tvmaze")
    finally:
        await connection.close()
    async with dramabot(start_client, bot_settings, clock):
        message = await fake_discord.wait_for_message(ANNOUNCE_CHANNEL, within=5)
        assert field(message, "Episode") == "Episode 6 of 16"
        await asyncio.sleep(0.5)
        assert episodes_posted(fake_discord) == ["Episode 6 of 16"]
        assert states(database_path) == {"sent": 1}


async def test_a_database_error_while_recording_a_send_is_retried_and_the_channel_keeps_going(
    fake_discord: FakeDiscord,
    start_client: Any,
    bot_settings: Settings,
    database_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ScaledClock(10)
    now = clock.now()
    await prepare(
        database_path, fake_discord, now, [(2, now + dt.timedelta(seconds=10)), (3, now + dt.timedelta(seconds=10))]
    )
    # The disk fills up: recording that a row was sent fails, a real SQLite error from a trigger in the file.
    sql(database_path, "CREATE TRIGGER full_disk BEFORE UPDATE OF state ON announce_outbox WHEN NEW.state = 'sent'"
                       " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="bot.announce.outbox"):
        async with dramabot(start_client, bot_settings, clock):
            first = await fake_discord.wait_for_message(ANNOUNCE_CHANNEL, within=8)
            await eventually(lambda: "database or disk is full" in caplog.text, 5, "the failure to be logged")
            sql(database_path, "DROP TRIGGER full_disk")  # space is freed
            await eventually(lambda: states(database_path) == {"sent": 2}, 10, "both announcements recorded")
            assert field(first, "Episode") == "Episode 2 of 16"
            assert episodes_posted(fake_discord) == ["Episode 2 of 16", "Episode 3 of 16"]


async def test_a_crashed_announcer_restarts_with_backoff_and_says_why(
    fake_discord: FakeDiscord,
    start_client: Any,
    bot_settings: Settings,
    database_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ScaledClock(10)
    now = clock.now()
    show_id = await prepare(database_path, fake_discord, now, [(5, now - dt.timedelta(minutes=5))])
    # A process that died while sending left the row claimed (it never reached Discord).
    connection = await db.connect(database_path)
    repository = Repository(connection)
    due = Due(guild_id=fake_discord.guild_id, show_id=show_id, episode=5, kind="episode",  # type: ignore[arg-type]
              due_at=now - dt.timedelta(minutes=5), air_at=now - dt.timedelta(minutes=5), time_known=True,
              channel_id=fake_discord.channels[ANNOUNCE_CHANNEL].id)  # fmt: skip
    await repository.add_to_outbox([(due, "pending")], planned_until=now)
    assert len(await repository.claim_due(now)) == 1
    await connection.close()
    # Putting it back fails at first: the announcer's start-up crashes.
    sql(database_path, "CREATE TRIGGER io_error BEFORE UPDATE OF state ON announce_outbox WHEN OLD.state = 'claimed'"
                       " AND NEW.state = 'pending' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")  # fmt: skip
    with caplog.at_level(logging.INFO):
        async with dramabot(start_client, bot_settings, clock, report_logged_errors=False):
            await eventually(lambda: "the announcer crashed" in caplog.text, 8, "the crash to be logged")
            assert "disk I/O error" in caplog.text and "restarting it in 1 s" in caplog.text
            sql(database_path, "DROP TRIGGER io_error")
            message = await fake_discord.wait_for_message(ANNOUNCE_CHANNEL, within=8)
            assert field(message, "Episode") == "Episode 5 of 16"
            await eventually(lambda: states(database_path) == {"sent": 1}, 5, "the row recorded as sent")
            assert [r.method for r in fake_discord.request_log if r.path.endswith("/messages")] == ["GET", "POST"]


async def test_announce_off_stops_announcements_claimed_but_not_yet_sent(
    fake_discord: FakeDiscord, start_client: Any, bot_settings: Settings, database_path: Path
) -> None:
    fake_discord.message_answer_delay = 1.0
    clock = HeldClock(10)
    now = clock.now()
    soon = now + clock.lead(0.3)
    await prepare(database_path, fake_discord, now, [(2, soon), (3, soon), (4, soon)])
    async with dramabot(start_client, bot_settings, clock):
        clock.release()
        await eventually(lambda: fake_discord.answers_pending == 1, 8, "the first post in flight, two waiting")
        result = await fake_discord.run_command("announce off", user=fake_discord.admin)
        assert result.content.startswith("Announcements are off")
        await eventually(lambda: states(database_path).get("claimed", 0) == 0, 5, "no row left claimed")
        await eventually(lambda: states(database_path).get("sent") == 1, 5, "the post in flight answered")
        await asyncio.sleep(0.3)
        assert episodes_posted(fake_discord) == ["Episode 2 of 16"], "only the post already in flight"
        status = await status_text(fake_discord)
        assert status.startswith("Off") and "Delivery: 1 sent · 0 held · 2 skipped · 0 failed" in status
        assert "skipped: Second Chance Signal episode 4" in status


async def test_rows_planned_under_an_old_channel_queue_and_count_under_the_current_one(
    fake_discord: FakeDiscord, start_client: Any, bot_settings: Settings, database_path: Path
) -> None:
    clock = ScaledClock(10)
    now = clock.now()
    old, new = fake_discord.channels[ANNOUNCE_CHANNEL], fake_discord.channels["general"]
    episodes = [(n, now - dt.timedelta(minutes=10)) for n in (2, 3, 4)] + [
        (n, now + dt.timedelta(seconds=5)) for n in (5, 6, 7)
    ]
    show_id = await prepare(database_path, fake_discord, now, episodes, channel="general")
    # Three announcements were stored while the server still announced in #announcements (the bot then died).
    connection = await db.connect(database_path)
    repository = Repository(connection)
    earlier = [Due(guild_id=fake_discord.guild_id, show_id=show_id, episode=n, kind="episode",  # type: ignore[arg-type]
                   due_at=at, air_at=at, time_known=True, channel_id=old.id) for n, at in episodes[:3]]  # fmt: skip
    await repository.add_to_outbox([(d, "pending") for d in earlier], planned_until=now)
    await connection.close()
    async with dramabot(start_client, bot_settings, clock):
        await eventually(lambda: len(fake_discord.messages(new)) == 6, 15, "six announcements in #general")
    assert fake_discord.messages(old) == []
    posts = sorted(
        r.time for r in fake_discord.request_log if r.method == "POST" and r.path == f"/channels/{new.id}/messages"
    )
    busiest = max(sum(1 for u in posts if t <= u < t + 5.0) for t in posts)
    assert busiest <= 5, f"{busiest} messages within 5 s in one channel"
