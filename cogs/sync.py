"""The daily catalog sync from public schedules (TVmaze, and TMDB with a key), at SYNC_HOUR_UTC."""

from __future__ import annotations

import datetime as dt
import logging

from discord.ext import commands, tasks

from bot.app import Dramabot
from bot.curation.editor import CatalogEditor
from bot.sync import DEFAULT_DAYS, SyncSummary, sync_from_sources

log = logging.getLogger(__name__)


class DailySync(commands.Cog):
    def __init__(self, bot: Dramabot, hour: int) -> None:
        self.bot = bot
        self.editor = CatalogEditor(bot.repository, bot.catalog, on_change=self.announce_change)
        self.daily.change_interval(time=dt.time(hour=hour, tzinfo=dt.UTC))

    def announce_change(self, show_id: int) -> None:
        self.bot.dispatch("catalog_change", show_id)

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
        """Sync on the bot's own connection; each show reaches every command as soon as it is written."""
        summary = await sync_from_sources(self.editor, self.bot.settings, days=days, now=self.bot.clock.now())
        log.info("daily sync: %s", "; ".join(summary.lines()))
        return summary


async def setup(bot: Dramabot) -> None:
    if bot.settings.sync_hour_utc is not None:
        await bot.add_cog(DailySync(bot, bot.settings.sync_hour_utc))
