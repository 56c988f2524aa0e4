"""/ask and @mentions: answer drama questions asked in plain words (the understanding lives in bot/ask/)."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Dramabot
from bot.ask import QUESTION_LIMIT, answer, checked_question, question_in, reply_to_mention

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
MESSAGE_LIMIT = 2000  # Discord's cap on a message's content


class Ask(commands.Cog):
    def __init__(self, bot: Dramabot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        # The title lookups /drama shares; /ask's own people and character lookups are built by the first
        # question, so that start-up does not wait for them.
        self.bot.catalog.prepare_lookups()

    @app_commands.command(name="ask")
    @app_commands.describe(question="A question about a drama, e.g. “who plays Lee Eun Soo in Soundtrack #1?”")
    async def ask(
        self, interaction: discord.Interaction[Dramabot], question: app_commands.Range[str, 1, QUESTION_LIMIT]
    ) -> None:
        """Ask a question about a drama in plain words: who plays whom, who directed it, when it airs."""
        # The bot's clock, not the wall clock: `dramabot console --clock-speed` runs it faster for demos.
        result = answer(
            checked_question(question), self.bot.catalog, guild_id=interaction.guild_id, now=self.bot.clock.now()
        )
        # A found answer is for the whole channel; "I don't know" only for the asker.
        await interaction.response.send_message(
            result.text[:MESSAGE_LIMIT], ephemeral=not result.found, allowed_mentions=NO_PINGS
        )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer a message that mentions the bot, as a reply that pings no one."""
        me = self.bot.user
        if me is None or message.author.bot or message.author.id == me.id:
            return
        question = question_in(message.content, mentioning=me.id)
        if question is None:
            return
        guild_id = message.guild.id if message.guild else None
        reply = reply_to_mention(question, self.bot.catalog, guild_id=guild_id, now=self.bot.clock.now())
        try:
            await message.reply(reply[:MESSAGE_LIMIT], mention_author=False, allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            log.warning("could not answer a mention in channel %s", message.channel.id, exc_info=True)

    @commands.Cog.listener()
    async def on_command_error(self, context: commands.Context[Any], error: commands.CommandError) -> None:
        # The bot's prefix is its mention, so every question asked by mention also looks like an unknown text
        # command to discord.py; that is expected, not an error. (With this listener discord.py's default
        # handler, which would log it as an error, stays silent, so anything else is logged here.)
        if isinstance(error, commands.CommandNotFound):
            return
        log.error("error in text command %s", context.command, exc_info=error)


async def setup(bot: Dramabot) -> None:
    await bot.add_cog(Ask(bot))
