"""The daily catalog sync from public schedules (TVmaze, and TMDB with a key), at SYNC_HOUR_UTC."""

from __future__ import annotations

import datetime as dt
import logging

from discord.ext import commands, tasks

from bot.app import Dramabot
from bot.sync import DEFAULT_DAYS, SyncSummary, sync_command

log = logging.getLogger(__name__)


class DailySync(commands.Cog):
    def __init__(self, bot: Dramabot, hour: int) -> None:
        self.bot = bot
        self.daily.change_interval(time=dt.time(hour=hour, tzinfo=dt.UTC))

    async def cog_load(self) -> None:
        self.daily.start()

    async def cog_unload(self) -> None:
        self.daily.cancel()

    @tasks.loop(time=dt.time(hour=0, tzinfo=dt.UTC))
    async def daily(self) -> None:
        try:
            await self.run_once()
        except Exception:  # a failed day must not stop the loop
            log.exception("the daily sync failed; the next one runs tomorrow")

    @daily.before_loop
    async def before_daily(self) -> None:
        await self.bot.wait_until_ready()

    async def run_once(self, *, days: int = DEFAULT_DAYS) -> SyncSummary:
        """Sync on a connection of its own, then show the new facts everywhere at once."""
        summary = await sync_command(self.bot.settings, days=days)
        for person_id in summary.person_ids:
            await self.bot.catalog.refresh_person(self.bot.repository, person_id)
        for show_id in summary.show_ids:
            await self.bot.catalog.refresh_show(self.bot.repository, show_id)
            self.bot.dispatch("catalog_change", show_id)
        log.info("daily sync: %s", "; ".join(summary.lines()))
        return summary


async def setup(bot: Dramabot) -> None:
    if bot.settings.sync_hour_utc is not None:
        await bot.add_cog(DailySync(bot, bot.settings.sync_hour_utc))
