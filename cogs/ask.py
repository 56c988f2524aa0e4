"""/ask and @mentions: answer drama questions asked in plain words (the understanding lives in bot/ask/)."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot import limits
from bot.app import Dramabot
from bot.ask import QUESTION_LIMIT, answer, checked_question, question_in, reply_to_mention
from bot.ask.cooldown import QuestionCooldown, slow_down
from bot.ask.personal import Asker

log = logging.getLogger(__name__)

T = TypeVar("T")
NO_PINGS = discord.AllowedMentions.none()
# Discord drops a reply that comes more than 3 s after the question. An answer not ready by then (questions from
# other users ahead of it in the worker, a busy machine) is deferred first: the asker sees "thinking...".
ANSWER_BEFORE_DEFERRING = 1.5  # seconds


class Ask(commands.Cog):
    def __init__(self, bot: Dramabot) -> None:
        self.bot = bot
        self.cooldown = QuestionCooldown()
        # One worker: questions wait their turn off the event loop, each bounded by bot/ask/budget.py, so a burst
        # of hostile ones costs one core at most and never the loop that every server shares.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dramabot-ask")

    async def cog_load(self) -> None:
        # The title lookups /drama shares are built in the worker, so that start-up does not wait for them (at
        # 100,000 shows, seconds); /ask's own people and character lookups before the first question. A /drama
        # lookup that comes first builds what it needs itself; an edit that trips this build up leaves it to them.
        self._worker.submit(self.bot.catalog.prepare_lookups)

    async def cog_unload(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)

    async def _off_loop(
        self, work: Callable[..., T], question: str, guild_id: int | None, now: dt.datetime, asker: Asker
    ) -> T:
        """Run `work(question, catalog, guild_id=, now=, asker=)` in the worker; again if a catalog edit tripped
        it up."""
        catalog = self.bot.catalog
        loop = asyncio.get_running_loop()
        call = functools.partial(work, question, catalog, guild_id=guild_id, now=now, asker=asker)
        generation = catalog.generation
        try:
            return await loop.run_in_executor(self._worker, call)
        except (RuntimeError, KeyError, IndexError):
            # Edits swap rows in on the loop while the worker reads: a dict that changed size mid-iteration is a
            # race, not a bug, and the catalog is whole again by now.
            if catalog.generation == generation:
                raise
            return await loop.run_in_executor(self._worker, call)

    async def _asker(self, user_id: int) -> Asker:
        """Who asks: their list, and the recommender's index for "what should I watch after" when one is built
        (else the worker builds one: most questions need none, so none waits for it)."""
        recommendations: Any = self.bot.get_cog("Recommendations")
        index = recommendations.recommender.ready_index() if recommendations is not None else None
        return Asker(user_id, tuple(await self.bot.repository.list_entries(user_id)), index)

    @app_commands.command(name="ask")
    @app_commands.describe(question="A question about a drama, e.g. “who plays Lee Eun Soo in Soundtrack #1?”")
    async def ask(
        self, interaction: discord.Interaction[Dramabot], question: app_commands.Range[str, 1, QUESTION_LIMIT]
    ) -> None:
        """Ask a question about a drama in plain words: who plays whom, who directed it, when it airs."""
        # The bot's clock, not the wall clock: `dramabot console --clock-speed` runs it faster for demos.
        now = self.bot.clock.now()
        asked = checked_question(question)
        if wait := self.cooldown.wait(interaction.user.id, now):
            await interaction.response.send_message(slow_down(wait), ephemeral=True)
            return
        asker = await self._asker(interaction.user.id)
        answering = asyncio.ensure_future(self._off_loop(answer, asked, interaction.guild_id, now, asker))
        try:
            _done, waiting = await asyncio.wait({answering}, timeout=ANSWER_BEFORE_DEFERRING)
            if waiting:
                await interaction.response.defer(thinking=True)
            result = await answering
        finally:
            answering.cancel()  # the deferral failed, or the command was cancelled: drop the answer still coming
        # A found answer is for the whole channel; "I don't know", and anything from the asker's list, only for them.
        private = not result.found or result.intent == "my_list"
        text = limits.message(result.text)
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=private, allowed_mentions=NO_PINGS)
        elif private:
            # The first follow-up would take the place of the public "thinking...": take that back, answer privately.
            await interaction.delete_original_response()
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
        else:
            await interaction.followup.send(text, allowed_mentions=NO_PINGS)

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
        now = self.bot.clock.now()
        if wait := self.cooldown.wait(message.author.id, now):
            reply = slow_down(wait)
        else:
            asker = await self._asker(message.author.id)
            reply = await self._off_loop(reply_to_mention, question, guild_id, now, asker)
        try:
            await message.reply(limits.message(reply), mention_author=False, allowed_mentions=NO_PINGS)
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
