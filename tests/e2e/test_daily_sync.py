"""The daily sync inside the running bot: new dramas from TVmaze reach its commands at once, no restart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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
