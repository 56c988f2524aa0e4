"""/remind over the sandbox Discord: a reminder DM arrives at air time, once, through a restart and through a kill -9
with the DM in flight; a user whose DMs are closed has their reminders paused and is told once, at their next
command. The DM channel is opened as Discord does it (`POST /users/@me/channels`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot import db
from bot.models import Episode, ListEntry, ListOwner, WatchStatus
from bot.sandbox import FakeDiscord, Message
from bot.store import Repository
from tests.e2e.test_announce import LEAD, SPEED
from tests.e2e.test_announce_crash import ANSWER_DELAY, RUNNING, BotProcess, forgetful_discord, planned_until, wait_for
from tests.fakes.clock import HeldClock

UTC = dt.UTC
TITLE = "Moonlit Reminder"


async def add_show(path: Path, episodes: Sequence[tuple[int, dt.datetime]]) -> int:
    connection = await db.connect(path)
    try:
        repository = Repository(connection)
        show_id = await repository.add_show({"title": TITLE, "episode_count": 16, "networks": ("tvN",)})
        await repository.upsert_episodes(show_id, [Episode(show_id, n, at) for n, at in episodes], source="admin")
    finally:
        await connection.close()
    return show_id


def dms(fake: FakeDiscord, user: Any) -> list[Message]:
    """The reminders in the DM channel between the bot and `user` (not the answers to its buttons)."""
    channel = fake.dm_channel(user)
    found = fake.messages(channel) if channel is not None else []
    return [m for m in found if m.embed is not None and m.embed.get("title") == TITLE]


def reminder_states(database: Path) -> Counter[str]:
    with sqlite3.connect(database) as raw:
        return Counter(s for (s,) in raw.execute("SELECT state FROM announce_outbox WHERE user_id != 0"))


async def test_a_reminder_dm_arrives_once_at_air_time_and_not_again_after_a_restart(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path
) -> None:
    fake, member = fake_discord, fake_discord.member
    clock = HeldClock(SPEED, wall_origin=dt.datetime.now(UTC).replace(microsecond=0))
    air_at = clock.now() + clock.lead(LEAD)
    await add_show(database_path, [(3, air_at)])
    async with start_dramabot(clock=clock):
        await fake.run_command("list add", {"title": TITLE, "status": "watching", "episode": 2})
        on = await fake.run_command("remind on")
        assert on.ephemeral and on.content.startswith("Reminders are on"), on.content
        clock.release()
        await fake.wait_until(lambda: len(dms(fake, member)) == 1, within=15, what="the reminder DM")
        late = clock.real_seconds((clock.now() - air_at).total_seconds())
        assert -0.1 <= late < 3.0, f"reminded {late:.2f} real seconds after the air time"
        message = dms(fake, member)[0]
        embed = message.embed
        assert embed is not None and embed["title"] == TITLE
        unix = int(air_at.timestamp())
        assert embed["description"] == f"**{TITLE}** airs episode 3 <t:{unix}:R>. You have it on your list."
        assert {f["name"]: f["value"] for f in embed["fields"]}["Episode"] == "Episode 3 of 16"
        assert embed["footer"]["text"].startswith("Dramabot reminder · /remind off stops these · ref ")
        assert message.allowed_mentions == {"parse": []} and message.mentioned_user_ids == []
        button = next(c for c in message.components if c.custom_id)
        assert button.label == "Mark episode 3 watched"
        watched = await fake.click(message, str(button.custom_id), user=member)
        assert watched.content == f"**{TITLE}**: episode 3 marked watched."
        await wait_for(lambda: reminder_states(database_path) == {"sent": 1}, 5, "the reminder marked sent")
        await asyncio.sleep(0.3)
        assert len(dms(fake, member)) == 1
        assert not [r for r in fake.request_log if r.path.endswith("/users/@me/channels") and r.status >= 400]
    planned = planned_until(database_path)
    async with start_dramabot(clock=clock):
        status = await fake.run_command("remind status")
        assert status.content.startswith("Reminders are on. They cover 1 show you are watching or plan to watch;")
        assert "1 sent so far, 0 waiting" in status.content
        await wait_for(lambda: planned_until(database_path) > planned, 5, "the restarted bot's first plan")
        await asyncio.sleep(0.3)
        assert len(dms(fake, member)) == 1, "a restart never reminds again"
    assert reminder_states(database_path) == {"sent": 1}


async def test_closed_dms_pause_reminders_and_the_next_command_says_so_once(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path
) -> None:
    fake, member = fake_discord, fake_discord.member
    clock = HeldClock(SPEED)
    await add_show(database_path, [(1, clock.now() + clock.lead(LEAD))])
    fake.close_dms(member)
    async with start_dramabot(clock=clock):
        await fake.run_command("list add", {"title": TITLE, "status": "plan_to_watch"})
        await fake.run_command("remind on")
        clock.release()
        await wait_for(lambda: reminder_states(database_path) == {"held": 1}, 15, "the reminder held")
        assert dms(fake, member) == []
        refused = [r for r in fake.request_log if r.method == "POST" and r.path.endswith("/messages")]
        assert refused and refused[-1].status == 403

        told = await fake.run_command("list show")
        assert told.embed is not None  # the command's own answer comes first
        notice = await told.wait_for_followup()
        assert notice.ephemeral and notice.content.startswith("Your episode reminders are paused: ")
        assert "50007: Cannot send messages to this user" in notice.content and "/remind on" in notice.content
        again = await fake.run_command("list show")
        await asyncio.sleep(0.3)
        assert again.followups == [], "told once"
        status = await fake.run_command("remind status")
        assert status.content.startswith("Reminders are paused: Discord would not deliver my DM (50007")

        fake.close_dms(member, False)
        resumed = await fake.run_command("remind on")
        assert resumed.content.startswith("Reminders resume"), resumed.content
        await fake.wait_until(lambda: len(dms(fake, member)) == 1, within=10, what="the held reminder, delivered")
        assert dms(fake, member)[0].embed["description"].startswith(f"**{TITLE}** premieres")  # type: ignore[index]
        await wait_for(lambda: reminder_states(database_path) == {"sent": 1}, 5, "the reminder marked sent")


# -- a kill -9 with the DM in flight --------------------------------------------------------------------------


@pytest.fixture
async def slow_fake() -> AsyncIterator[FakeDiscord]:
    async with forgetful_discord() as fake:
        yield fake


async def test_a_kill_9_with_the_dm_in_flight_then_a_restart_reminds_once(
    slow_fake: FakeDiscord, database_path: Path, tmp_path: Path
) -> None:
    fake, member, database = slow_fake, slow_fake.member, database_path
    now = dt.datetime.now(UTC)
    show_id = await add_show(database, [(2, now + dt.timedelta(seconds=0.3))])  # due as the bot starts
    connection = await db.connect(database)
    try:
        repository = Repository(connection)
        await repository.save_list_entries([ListEntry(member.id, show_id, WatchStatus.WATCHING, episode=1)])
        await repository.save_list_owner(
            ListOwner(member.id, reminders=True, reminders_since=now - dt.timedelta(minutes=1))
        )
        await repository.add_to_outbox([], planned_until=now)  # as if the bot had run until now
    finally:
        await connection.close()
    bot = BotProcess(fake, database, tmp_path / "bot.log")
    await bot.start()
    await wait_for(lambda: fake.answers_pending >= 1, 20, "the DM in flight", bot.log)
    await bot.kill()
    assert len(dms(fake, member)) == 1 and reminder_states(database) == {"claimed": 1}, "posted, never marked"

    await asyncio.sleep(1.0)  # down longer than Discord remembers the nonce
    fake.request_log.clear()
    await bot.start()
    await wait_for(lambda: reminder_states(database) == {"sent": 1}, 25, "the reminder marked sent", bot.log)
    await asyncio.sleep(ANSWER_DELAY + 0.3)  # room for a stray second copy
    assert await bot.signal(signal.SIGTERM) == 0
    assert len(dms(fake, member)) == 1
    sends = [r for r in fake.request_log if r.method == "POST" and r.path.endswith("/messages")]
    looks = [r for r in fake.request_log if r.method == "GET" and r.path.endswith("/messages")]
    assert sends == [] and len(looks) == 1, "looked up in the DM channel, found, never sent again"
    with sqlite3.connect(database) as raw:
        (marked,) = raw.execute("SELECT message_id FROM announce_outbox WHERE user_id = ?", (member.id,)).fetchone()
    assert marked == dms(fake, member)[0].id
    assert not bot.errors()
    RUNNING.clear()
