"""The daily sync inside the running bot: new dramas from TVmaze reach its commands at once, no restart."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import db
from bot.app import Dramabot
from bot.sandbox import FakeDiscord
from bot.settings import Settings
from tests.fakes import FakeTvmaze
from tests.fakes.tvmaze import cast_member, channel, tvmaze_episode, tvmaze_show

SEOUL = ZoneInfo("Asia/Seoul")


async def test_the_daily_sync_feeds_countdowns_without_a_restart(
    fake_discord: FakeDiscord, start_client: Any, database_path: Path
) -> None:
    tomorrow = dt.datetime.now(SEOUL).date() + dt.timedelta(days=1)
    first = dt.datetime.combine(tomorrow, dt.time(21, 0), tzinfo=SEOUL)
    weekday = first.strftime("%A")
    async with FakeTvmaze() as tvmaze:
        tvmaze.add_show(
            tvmaze_show(
                9001, "Lantern Street Detectives", premiered=tomorrow.isoformat(), network=channel(7, "tvN", "KR"),
                time="21:00", days=[weekday],
            ),
            episodes=[tvmaze_episode(90_001 + n, n + 1, first + dt.timedelta(weeks=n)) for n in range(8)],
            cast=[cast_member(1, "Kim Ji-won", 11, "Yoon Seo Ha")],
        )  # fmt: skip
        settings = Settings.from_env(
            {
                "DISCORD_TOKEN": fake_discord.token,
                "DISCORD_API_BASE": fake_discord.api_base,
                "DATABASE_PATH": str(database_path),
                "TVMAZE_API_BASE": tvmaze.base_url,
                "SYNC_HOUR_UTC": "4",
            },
            dotenv=None,
        )
        async with start_client(Dramabot(settings), configure_endpoints=False) as bot:
            before = await fake_discord.run_command("countdown", {"title": "lantern street detectives"})
            assert before.ephemeral and "Lantern Street Detectives" not in (before.content or "")

            summary = await bot.get_cog("DailySync").run_once(days=2)
            assert summary.shows_added == 1

            after = await fake_discord.run_command("countdown", {"title": "lantern street detectivs"})
            text = after.embed["title"] + after.embed.get("description", "") + str(after.embed.get("fields", ""))
            assert "Lantern Street Detectives" in text
            assert f"<t:{int(first.timestamp())}:F>" in text and "Episode 1" in text
            card = await fake_discord.run_command("drama", {"title": "lantern street detectives"})
            assert "Kim Ji Won as Yoon Seo Ha" in str(card.embed["fields"])
            assert "TVmaze" in card.embed["footer"]["text"]


async def test_the_daily_sync_writes_on_the_bots_own_connection(
    fake_discord: FakeDiscord, start_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # An in-memory database exists only for the connection that opened it: a sync on a connection of its own
    # would migrate and seed a second, empty database, and write the new drama where the bot never looks.
    tomorrow = dt.datetime.now(SEOUL).date() + dt.timedelta(days=1)
    first = dt.datetime.combine(tomorrow, dt.time(20, 0), tzinfo=SEOUL)
    async with FakeTvmaze() as tvmaze:
        tvmaze.add_show(
            tvmaze_show(
                9002, "Harbour Lights Clinic", premiered=tomorrow.isoformat(), network=channel(7, "tvN", "KR"),
                time="20:00", days=[first.strftime("%A")],
            ),
            episodes=[tvmaze_episode(92_001 + n, n + 1, first + dt.timedelta(weeks=n)) for n in range(4)],
        )  # fmt: skip
        settings = Settings.from_env(
            {
                "DISCORD_TOKEN": fake_discord.token,
                "DISCORD_API_BASE": fake_discord.api_base,
                "DATABASE_PATH": ":memory:",
                "TVMAZE_API_BASE": tvmaze.base_url,
                "SYNC_HOUR_UTC": "4",
            },
            dotenv=None,
        )
        with caplog.at_level(logging.INFO, logger="bot.db"):
            async with start_client(Dramabot(settings), configure_endpoints=False) as bot:
                summary = await bot.get_cog("DailySync").run_once(days=2)
                assert summary.shows_added == 1
                assert "Harbour Lights Clinic" in [show.title for show in await bot.repository.all_shows()]
                after = await fake_discord.run_command("countdown", {"title": "harbour lights clinic"})
                assert "Harbour Lights Clinic" in after.embed["title"]

    migrated = [record.getMessage() for record in caplog.records if record.name == "bot.db"]
    assert migrated == [f"database migrated to schema version {n}" for n in range(1, db.SCHEMA_VERSION + 1)]
