"""Reminder DMs in the real outbox (bot/announce/outbox.py) with a stand-in Discord: they follow catalog edits as
announcements do, a lost answer is looked up (never sent twice), and a refused DM pauses only that user."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.models import Episode, ListEntry, ListOwner, WatchStatus
from bot.store import Repository
from tests.outbox_support import NOW, Catalog, Discord, announcer, guild, open_repository, show

USER = 7_000
HOUR = dt.timedelta(hours=1)


@pytest.fixture
async def repository(tmp_path: Path) -> AsyncIterator[Repository]:
    repository = await open_repository(tmp_path / "remind.sqlite3")
    await repository.connection.execute(
        "INSERT INTO shows (id, title, created_at, updated_at) VALUES (1, 'Show 1', '', ''), (2, 'Show 2', '', '')"
    )
    await repository.save_list_entries(
        [ListEntry(USER, 1, WatchStatus.WATCHING, 1), ListEntry(USER, 2, WatchStatus.DROPPED)]
    )
    await repository.save_list_owner(ListOwner(USER, reminders=True, reminders_since=NOW - dt.timedelta(days=1)))
    await repository.add_to_outbox([], planned_until=NOW)  # as if the bot had run until now
    try:
        yield repository
    finally:
        await repository.close()


def reminders(discord: Discord) -> list[tuple[int, int, int, str]]:
    return [m.key for m in discord.messages if m.channel_id == USER]


async def test_a_reminder_follows_an_episode_moved_into_the_recent_past(repository: Repository) -> None:
    catalog = Catalog([show(1, episode_count=16), show(2, episode_count=16)],
                      [Episode(1, 2, NOW + HOUR), Episode(2, 2, NOW - HOUR / 2)])  # fmt: skip
    discord, clock = Discord(), [NOW]
    service = announcer(repository, catalog, discord, clock)
    await service.step()
    await service.drain()
    assert reminders(discord) == []  # nothing due yet; show 2 is dropped
    catalog.move(1, 2, NOW - HOUR / 2)  # an editor corrects the air time: it aired half an hour ago
    service.catalog_changed(1)
    await service.step()
    await service.drain()
    assert reminders(discord) == [(0, 1, 2, "episode")]
    catalog.move(1, 2, NOW - HOUR / 3)
    service.catalog_changed(1)
    await service.step()
    await service.drain()
    assert reminders(discord) == [(0, 1, 2, "episode")], "once per (user, show, episode), whatever the edits"


async def test_a_lost_answer_is_looked_up_in_the_dm_and_never_sent_again(repository: Repository) -> None:
    catalog = Catalog([show(1, episode_count=16)], [Episode(1, 2, NOW)])
    discord, clock = Discord(nonce_memory=0.0, lose_answers=1), [NOW + dt.timedelta(seconds=1)]
    service = announcer(repository, catalog, discord, clock, send_timeout=0.2)
    await service.step()
    await asyncio.sleep(0.4)  # the send posted, never answered, and was abandoned as unsure
    await service.drain()
    clock[0] += dt.timedelta(minutes=30)  # past the retry's back-off
    for _ in range(3):
        await service.step()
        await service.drain()
    assert reminders(discord) == [(0, 1, 2, "episode")]
    assert ("GET", USER) in {(method, channel) for method, channel, _ in discord.requests}
    assert await repository.reminder_counts(USER) == {"sent": 1}


async def test_a_refused_dm_pauses_that_user_only(repository: Repository) -> None:
    await repository.save_announce_settings(guild(100, since=NOW - dt.timedelta(days=1)))
    catalog = Catalog([show(1, episode_count=16)], [Episode(1, 2, NOW)])
    discord, clock = Discord(permanent={0}), [NOW + dt.timedelta(seconds=1)]  # guild 0: every reminder DM
    service = announcer(repository, catalog, discord, clock)
    await service.step()
    await service.drain()
    assert [m.key for m in discord.messages] == [(100, 1, 2, "episode")], "the server's announcement still goes"
    owner = await repository.list_owner(USER)
    assert owner.paused_reason is not None and not owner.pause_told
    assert await repository.reminder_counts(USER) == {"held": 1}
    assert (await repository.announce_settings(100)).paused_reason is None  # type: ignore[union-attr]
