"""/ask and @mentions: answer drama questions asked in plain words (the understanding lives in bot/ask/)."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Dramabot
from bot.ask import QUESTION_LIMIT, answer, checked_question, prepare, question_in, reply_to_mention
from bot.ask.personal import Asker

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
MESSAGE_LIMIT = 2000  # Discord's cap on a message's content


class Ask(commands.Cog):
    def __init__(self, bot: Dramabot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        prepare(self.bot.catalog)

    async def _asker(self, user_id: int) -> Asker:
        """Who asks: their list, and the recommender's index (built off the loop) for "what should I watch after"."""
        recommendations: Any = self.bot.get_cog("Recommendations")
        index = await recommendations.recommender.index() if recommendations is not None else None
        return Asker(user_id, tuple(await self.bot.repository.list_entries(user_id)), index)

    @app_commands.command(name="ask")
    @app_commands.describe(question="A question about a drama, e.g. “who plays Lee Eun Soo in Soundtrack #1?”")
    async def ask(
        self, interaction: discord.Interaction[Dramabot], question: app_commands.Range[str, 1, QUESTION_LIMIT]
    ) -> None:
        """Ask a question about a drama in plain words: who plays whom, who directed it, when it airs."""
        # The bot's clock, not the wall clock: `dramabot console --clock-speed` runs it faster for demos.
        asker = await self._asker(interaction.user.id)
        result = answer(
            checked_question(question), self.bot.catalog, guild_id=interaction.guild_id, now=self.bot.clock.now(),
            asker=asker,
        )  # fmt: skip
        # A found answer is for the whole channel; "I don't know", and anything from the asker's list, only for them.
        private = not result.found or result.intent == "my_list"
        await interaction.response.send_message(
            result.text[:MESSAGE_LIMIT], ephemeral=private, allowed_mentions=NO_PINGS
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
        asker = await self._asker(message.author.id)
        reply = reply_to_mention(question, self.bot.catalog, guild_id=guild_id, now=self.bot.clock.now(), asker=asker)
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
