"""/ask and @mentions: answer drama questions asked in plain words (the understanding lives in bot/ask.py)."""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Dramabot
from bot.ask import QUESTION_LIMIT, Answer, answer, prepare
from bot.errors import InvalidInput

log = logging.getLogger(__name__)

HOW_TO_ASK = (
    "Ask me about a drama after the mention, for example: “who plays Lee Eun Soo in Soundtrack #1?”, "
    "“who directed Signal?” or “what is airing today?”."
)
NO_PINGS = discord.AllowedMentions.none()
MESSAGE_LIMIT = 2000  # Discord's cap on a message's content


def checked_question(text: str) -> str:
    """Return the question with its whitespace folded, or raise InvalidInput when it is empty or too long."""
    question = " ".join(text.split())
    if not question:
        raise InvalidInput("Type a question about a drama, for example “who directed Signal?”.")
    if len(question) > QUESTION_LIMIT:
        raise InvalidInput(f"That question is longer than {QUESTION_LIMIT} characters; ask a shorter one.")
    return question


_MENTIONS = re.compile(r"<@[!&]?\d+>|<#\d+>|@(?:everyone|here)\b")


def without_mentions(text: str) -> str:
    """Strip every mention (the bot's, users', roles', channels', @everyone) from a message: none is a drama."""
    return _MENTIONS.sub(" ", text)


class Ask(commands.Cog):
    def __init__(self, bot: Dramabot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        prepare(self.bot.catalog)

    def _answer(self, question: str, guild_id: int | None) -> Answer:
        # The bot's clock, not the wall clock: `dramabot console --clock-speed` runs it faster for demos.
        return answer(question, self.bot.catalog, guild_id=guild_id, now=self.bot.clock.now())

    @app_commands.command(name="ask")
    @app_commands.describe(question="A question about a drama, e.g. “who plays Lee Eun Soo in Soundtrack #1?”")
    async def ask(
        self, interaction: discord.Interaction[Dramabot], question: app_commands.Range[str, 1, QUESTION_LIMIT]
    ) -> None:
        """Ask a question about a drama in plain words: who plays whom, who directed it, when it airs."""
        result = self._answer(checked_question(question), interaction.guild_id)
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
        # Only an explicit @mention in the text: a reply to the bot's answer also "mentions" it, but "thanks!" is
        # not a question.
        if not re.search(rf"<@!?{me.id}>", message.content):
            return
        text = without_mentions(message.content)
        try:
            reply = self._answer(checked_question(text), message.guild.id if message.guild else None).text
        except InvalidInput as error:
            reply = HOW_TO_ASK if not text.strip() else error.message
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
