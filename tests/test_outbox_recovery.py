"""The outbox through crashes, outages, pauses and stops, on a real SQLite file and a stand-in Discord.

The stand-in (tests/outbox_support.py) keeps each post with its footer, forgets nonces, fails and loses answers
as Discord does; time is the test's clock, moved by hand, so hours of outage take milliseconds.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cards import announce_status_card, render_text
from bot.models import Episode
from bot.store import Repository
from tests.outbox_support import (
    GRACE,
    NOW,
    Catalog,
    Discord,
    announcer,
    open_repository,
    setup_guilds,
    show,
    until,
)


@pytest.fixture
async def repository(tmp_path: Path) -> AsyncIterator[Repository]:
    repo = await open_repository(tmp_path / "outbox.sqlite3")
    yield repo
    await repo.close()


def methods(discord: Discord) -> list[str]:
    return [kind for kind, _channel, _at in discord.requests]


async def test_a_restart_looks_up_what_a_dead_run_left_claimed_and_sends_only_what_is_missing(
    repository: Repository,
) -> None:
    catalog = Catalog([show(1, episode_count=8)], [Episode(1, 3, NOW)])
    await setup_guilds(repository, 100, 200)
    await repository.add_to_outbox([], planned_until=NOW - dt.timedelta(minutes=1))
    discord, clock = Discord(nonce_memory=0.0), [NOW]  # the restart comes after Discord forgot every nonce
    discord.lose_answers = 1  # server 100's post is made, its answer never comes
    discord.hold[200] = asyncio.Event()  # server 200's post has not reached Discord when the process dies
    dead = announcer(repository, catalog, discord, clock)
    await dead.step()
    await until(lambda: len(discord.messages) == 1 and len(discord.requests) == 2)
    assert (await repository.outbox_counts(100), await repository.outbox_counts(200)) == ({"claimed": 1},) * 2

    # The process is gone (its tasks hang forever); a new one starts on the same database.
    del discord.hold[200]
    discord.requests.clear()
    clock[0] = NOW + dt.timedelta(hours=1)
    restarted = announcer(repository, catalog, discord, clock)
    assert await repository.release_claims() == 2
    await restarted.step()
    await restarted.drain()
    assert discord.copies() == {(100, 1, 3, "episode"): 1, (200, 1, 3, "episode"): 1}
    assert sorted(methods(discord)) == ["GET", "GET", "POST"], "both looked up; only the missing one posted"
    assert restarted.found == 1 and restarted.sent == 2
    for guild_id in (100, 200):
        (item,) = await repository.outbox_items(guild_id, "sent")
        assert item.message_id == next(m.id for m in discord.messages if m.guild_id == guild_id) and not item.unsure
    await dead.stop(within=0.1)


async def test_a_claim_this_process_still_holds_is_not_put_back(repository: Repository) -> None:
    catalog = Catalog([show(1, episode_count=8)], [Episode(1, 3, NOW)])
    await setup_guilds(repository, 100, 200)
    await repository.add_to_outbox([], planned_until=NOW - dt.timedelta(minutes=1))
    service = announcer(repository, catalog, Discord(), [NOW])
    await service.materialize(NOW)
    items = await repository.claim_due(NOW)
    assert await repository.release_claims(keep=[items[0].id]) == 1
    assert (await repository.outbox_counts(items[0].guild_id)) == {"claimed": 1}
    (released,) = await repository.outbox_items(items[1].guild_id, "pending")
    assert released.unsure and released.attempt_at == NOW


async def test_retries_go_on_through_a_long_outage_until_the_grace_window_closes(repository: Repository) -> None:
    catalog = Catalog([show(1, episode_count=8)], [Episode(1, 3, NOW)])
    await setup_guilds(repository, 100)
    await repository.add_to_outbox([], planned_until=NOW - dt.timedelta(minutes=1))
    discord, clock = Discord(down=True), [NOW]
    service = announcer(repository, catalog, discord, clock)
    wakes: list[dt.datetime] = []
    while clock[0] < NOW + dt.timedelta(minutes=45):  # Discord is down for 45 minutes
        await service.step()
        await service.drain()
        wake = await service.next_wake(clock[0])  # the run loop is woken to ask again after each failure
        assert wake is not None and wake > clock[0]
        wakes.append(wake)
        clock[0] = wake
    assert (await repository.outbox_counts(100)) == {"pending": 1}, "still waiting, not given up"
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(wakes)]
    first = (wakes[0] - NOW).total_seconds()
    assert 2 <= first <= 5 and max(gaps) <= 600, "from 5 s, growing, at most 10 minutes"
    assert len(wakes) < 20, "capped exponential, not every 5 s"

    discord.down = False
    await service.step()
    await service.drain()
    assert discord.copies() == {(100, 1, 3, "episode"): 1}
    assert methods(discord)[-2:] == ["GET", "POST"], "looked up (a 503 may have posted), then sent once"


async def test_when_the_grace_window_closes_on_an_outage_the_row_fails_with_the_reason(
    repository: Repository,
) -> None:
    catalog = Catalog([show(1, episode_count=8)], [Episode(1, 3, NOW)])
    await setup_guilds(repository, 100)
    await repository.add_to_outbox([], planned_until=NOW - dt.timedelta(minutes=1))
    discord, clock = Discord(down=True), [NOW]
    service = announcer(repository, catalog, discord, clock)
    while clock[0] <= NOW + GRACE:
        await service.step()
        await service.drain()
        wake = await service.next_wake(clock[0])
        assert wake is not None
        clock[0] = wake
    assert clock[0] <= NOW + GRACE + dt.timedelta(minutes=10)
    discord.down = False  # Discord is back, too late
    await service.step()
    await service.drain()
    assert discord.messages == [], "never posted later than the grace window"
    (failed,) = await repository.outbox_items(100, "failed")
    assert failed.error is not None and failed.error.startswith("not delivered within the grace window")


async def test_held_announcements_past_the_grace_window_are_skipped_and_listed(repository: Repository) -> None:
    shows = [show(1, episode_count=8)]
    catalog = Catalog(shows, [Episode(1, 3, NOW + dt.timedelta(minutes=1)), Episode(1, 4, NOW + dt.timedelta(hours=5))])
    await setup_guilds(repository, 100, paused_reason="Discord refused to let me post (403: Missing Permissions).")
    await repository.add_to_outbox([], planned_until=NOW)
    discord, clock = Discord(), [NOW + dt.timedelta(minutes=2)]
    service = announcer(repository, catalog, discord, clock)
    await service.step()
    assert [i.episode for i in await repository.outbox_items(100, "held")] == [3]
    clock[0] = NOW + dt.timedelta(hours=7)  # paused all along; episode 3 is now beyond the grace window
    await service.step()
    counts = await repository.outbox_counts(100)
    assert counts == {"held": 1, "skipped": 1}

    settings = await repository.announce_settings(100)
    assert settings is not None
    await repository.save_announce_settings(dataclasses.replace(settings, paused_reason=None))
    await service.settings_changed(100)  # the admin fixed the channel: episode 4 is still within grace
    await service.step()
    await service.drain()
    assert discord.copies() == {(100, 1, 4, "episode"): 1}
    card = announce_status_card(
        await repository.announce_settings(100) or settings, shows={1: shows[0]}, followed=[], upcoming=[],
        counts=await repository.outbox_counts(100), skipped=await repository.outbox_items(100, "skipped"),
        failed=[], now=clock[0],
    )  # fmt: skip
    text = render_text(card)
    assert "1 sent · 0 held · 1 skipped · 0 failed" in text
    assert "skipped: Show 1 episode 3" in text
    assert "-- 1 announcement sent here so far" in text


async def test_a_stop_puts_queued_rows_back_and_lets_the_send_in_flight_finish(repository: Repository) -> None:
    catalog = Catalog([show(1, episode_count=8)], [Episode(1, n, NOW) for n in (3, 4, 5)])
    await setup_guilds(repository, 100)
    await repository.add_to_outbox([], planned_until=NOW - dt.timedelta(minutes=1))
    discord, clock = Discord(), [NOW]
    discord.hold[100] = asyncio.Event()
    service = announcer(repository, catalog, discord, clock)
    await service.step()
    await until(lambda: len(discord.requests) == 1)  # one post in flight, two queued behind it
    stopping = asyncio.create_task(service.stop(within=5))
    await asyncio.sleep(0.2)
    assert not stopping.done(), "it waits for the post in flight"
    discord.hold[100].set()
    await asyncio.wait_for(stopping, 5)
    assert len(discord.messages) == 1
    assert await repository.outbox_counts(100) == {"sent": 1, "pending": 2}


async def test_a_stop_gives_up_on_a_send_that_never_returns_and_leaves_it_to_be_looked_up(
    repository: Repository,
) -> None:
    catalog = Catalog([show(1, episode_count=8)], [Episode(1, 3, NOW)])
    await setup_guilds(repository, 100)
    await repository.add_to_outbox([], planned_until=NOW - dt.timedelta(minutes=1))
    discord, clock = Discord(), [NOW]
    discord.lose_answers = 1
    service = announcer(repository, catalog, discord, clock)
    await service.step()
    await until(lambda: len(discord.messages) == 1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await service.stop(within=0.3)
    assert loop.time() - started < 1.0
    assert await repository.outbox_counts(100) == {"claimed": 1}, "the next start looks it up"
