"""/countdown and /upcoming: when a drama's next episode airs, and what airs in the coming days."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Dramabot
from bot.cards import countdown_card, upcoming_card, upcoming_lines
from bot.errors import InvalidInput
from bot.models import Show
from cogs._ui import PageButton, ShowArg, card_embed, page_buttons

MAX_DAYS = 30
NETWORK_LIMIT = 40


class Countdown(commands.Cog):
    page_kind = "upcoming"

    def __init__(self, bot: Dramabot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PageButton)  # shared by every cog with pages; registering twice is harmless

    @app_commands.command(name="countdown")
    @app_commands.describe(title="The drama's title, in English or Hangul; typos are fine")
    async def countdown(
        self, interaction: discord.Interaction[Dramabot], title: app_commands.Transform[Show, ShowArg]
    ) -> None:
        """Show how long until a drama's premiere or next episode, in your own time zone."""
        card = countdown_card(title, self.bot.catalog.schedule_of(title), now=self.bot.clock.now())
        await interaction.response.send_message(embed=card_embed(card))

    def upcoming_message(
        self, guild_id: int | None, days: int, network: str, page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        now = self.bot.clock.now()
        lines = upcoming_lines(self.bot.catalog, guild_id=guild_id, now=now, days=days, network=network)
        card, page, pages = upcoming_card(lines, page=page, days=days, network=network)
        return card_embed(card), page_buttons(self.page_kind, f"{days}:{network}", page, pages, ("Earlier", "Later"))

    def render_page(
        self, interaction: discord.Interaction[Any], state: str, page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        days, _, network = state.partition(":")
        return self.upcoming_message(interaction.guild_id, min(int(days or 7), MAX_DAYS), network, page)

    @app_commands.command(name="upcoming")
    @app_commands.describe(
        days="How many days ahead to look, from 1 to 30 (default 7)",
        network="Only shows on this network, such as tvN or Netflix",
    )
    async def upcoming(
        self,
        interaction: discord.Interaction[Dramabot],
        days: app_commands.Range[int, 1, MAX_DAYS] = 7,
        network: app_commands.Range[str, 1, NETWORK_LIMIT] | None = None,
    ) -> None:
        """List the premieres and episodes airing in the coming days, grouped by day."""
        name = " ".join((network or "").replace(":", " ").split())
        if len(name) > NETWORK_LIMIT:
            raise InvalidInput(f"A network name is at most {NETWORK_LIMIT} characters; type a shorter one.")
        if not 1 <= days <= MAX_DAYS:
            raise InvalidInput(f"Pick from 1 to {MAX_DAYS} days ahead.")
        embed, view = self.upcoming_message(interaction.guild_id, days, name, 0)
        await interaction.response.send_message(embed=embed, view=view or discord.utils.MISSING)


async def setup(bot: Dramabot) -> None:
    await bot.add_cog(Countdown(bot))
