"""/trivia: cast trivia games played with buttons, scored per server, with leaderboards and stats.

The rules live in bot/trivia_session.py and the questions in bot/trivia.py; this cog posts, waits and edits.
Each game is a supervised task: a failure is logged with an error id and told to the players, and a shutdown
ends every game cleanly, saying so in its channel. Games are recorded in the database while they run, so a
crash that skipped the goodbye is reported in the channel at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Dramabot
from bot.catalog import Catalog
from bot.errors import Forbidden, InvalidInput
from bot.models import Credit, Show
from bot.trivia import DIFFICULTIES, Question, TriviaPool, make_round_set
from bot.trivia_session import (
    DEFAULT_ROUNDS,
    DEFAULT_SECONDS,
    LETTERS,
    MAX_ROUNDS,
    MAX_SECONDS,
    MIN_SECONDS,
    AnswerOutcome,
    EndReason,
    GameOptions,
    RoundResult,
    TriviaSession,
    ending_text,
    mention,
    option_label,
    period_name,
    period_start,
    reveal_text,
)
from cogs._ui import EMBED_COLOUR, lookup_show, show_choices

log = logging.getLogger(__name__)

# Seconds (of game time) between a round's reveal and the next question, to read who got it.
PAUSE_BETWEEN_ROUNDS = 3.0
# How long a shutdown waits for the games to say goodbye before it goes on without them.
GOODBYE_TIMEOUT = 5.0
LEADERBOARD_SIZE = 10


@dataclass(eq=False)
class Game:
    """A running game: its record's id (the buttons carry it), its channel, its rules, and its task."""

    id: int
    guild_id: int
    channel_id: int
    session: TriviaSession
    title: str  # "medium trivia" or "trivia about Signal (2016)"
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    message: discord.Message | None = None  # the open round's question
    ended: bool = False


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"trivia:(?P<game>\d+):(?P<round>\d+):(?P<option>[0-3])",
):
    """One of a question's four answers; the game, round and option live in the custom id."""

    def __init__(
        self, game_id: int, round_number: int, option: int, label: str = "", *,
        style: discord.ButtonStyle = discord.ButtonStyle.primary, disabled: bool = False,
    ) -> None:  # fmt: skip
        super().__init__(
            discord.ui.Button(
                label=label or LETTERS[option], style=style, disabled=disabled,
                custom_id=f"trivia:{game_id}:{round_number}:{option}",
            )
        )  # fmt: skip
        self.game_id = game_id
        self.round_number = round_number
        self.option = option

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str]
    ) -> AnswerButton:
        return cls(int(match["game"]), int(match["round"]), int(match["option"]), item.label or "")

    async def callback(self, interaction: discord.Interaction[Dramabot]) -> None:
        cog = interaction.client.get_cog(Trivia.__cog_name__)
        game = cog.games_by_id.get(self.game_id) if isinstance(cog, Trivia) else None
        if game is None or game.session.is_over:
            await _private(interaction, "That trivia game is over; /trivia start begins a new one.")
            return
        session = game.session
        outcome = session.answer(interaction.user.id, self.round_number, self.option, time.monotonic())
        if outcome is AnswerOutcome.ALREADY_ANSWERED:
            picked = session.answered(interaction.user.id)
            letter = f" ({LETTERS[picked.option]})" if picked else ""
            await _private(interaction, f"You already answered this round{letter}; only your first click counts.")
        elif outcome is AnswerOutcome.ROUND_CLOSED:
            await _private(interaction, "That round is closed; wait for the next question.")
        else:
            question = session.question
            await _private(
                interaction, f"Locked in: {LETTERS[self.option]}) {question.options[self.option]}. Wait for the reveal."
            )
            if session.everyone_answered:
                game.wake.set()


async def _private(interaction: discord.Interaction[Any], text: str) -> None:
    await interaction.response.send_message(text, ephemeral=True)


def answer_view(
    game_id: int, round_number: int, question: Question, result: RoundResult | None = None
) -> discord.ui.View:
    """The four answer buttons; after the reveal, disabled, the right one green."""
    view = discord.ui.View(timeout=None)
    for index, option in enumerate(question.options):
        style = discord.ButtonStyle.primary
        if result is not None:
            style = discord.ButtonStyle.success if index == question.answer else discord.ButtonStyle.secondary
        view.add_item(
            AnswerButton(
                game_id, round_number, index, option_label(index, option), style=style, disabled=result is not None
            )
        )
    return view


def question_embed(session: TriviaSession, closes_at: dt.datetime) -> discord.Embed:
    question = session.question
    embed = discord.Embed(
        title=f"Question {session.round_number} of {session.total_rounds}",
        description=f"{question.text}\n\nCloses {discord.utils.format_dt(closes_at, 'R')}.",
        colour=EMBED_COLOUR,
    )
    embed.set_footer(text="Click your answer: the first click counts, and fast right answers score more.")
    return embed


def reveal_embed(session: TriviaSession, result: RoundResult) -> discord.Embed:
    embed = discord.Embed(
        title=f"Question {result.number} of {session.total_rounds}",
        description=f"{result.question.text}\n\n{reveal_text(result)}",
        colour=EMBED_COLOUR,
    )
    embed.set_footer(text=f"{result.question.kind.replace('_', ' ')} · {result.question.difficulty}")
    return embed


@app_commands.guild_only()
class Trivia(commands.GroupCog, group_name="trivia", group_description="Cast trivia made from the catalog"):
    """Cast trivia games: one per channel, answered with buttons, scored per server."""

    def __init__(self, bot: Dramabot) -> None:
        self.bot = bot
        # Real seconds per second of game time; tests shrink it so that a 10-second round passes quickly.
        self.time_scale = 1.0
        self.games: dict[int, Game] = {}  # by channel id
        self.games_by_id: dict[int, Game] = {}
        self._starting: set[int] = set()  # channels whose game is being set up
        self._pools: dict[int | None, TriviaPool] = {}  # by guild id; None: servers without shows of their own
        self._pool_builds: dict[int | None, asyncio.Task[TriviaPool]] = {}
        self._background: set[asyncio.Task[Any]] = set()

    # -- lifecycle ---------------------------------------------------------------------------------------

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(AnswerButton)
        # No game runs yet in this process: any game recorded as running was cut short by a crash.
        interrupted = await self.bot.repository.running_trivia_games()
        for record in interrupted:
            await self.bot.repository.end_trivia_game(record.id, EndReason.RESTART.value)
        if interrupted:
            self._spawn(self._tell_interrupted([record.channel_id for record in interrupted]), "trivia-restart-notice")
        self._spawn(self._pool_for(None), "trivia-pool-warmup")

    async def cog_unload(self) -> None:
        """End every game (a shutdown or a reload), saving its scores and saying so in its channel."""
        self.bot.remove_dynamic_items(AnswerButton)
        games = list(self.games.values())
        for game in games:
            game.session.stop(EndReason.RESTART)
            if game.task is not None:
                game.task.cancel()
        goodbyes = [self._end_game(game) for game in games]
        if goodbyes:
            try:
                await asyncio.wait_for(asyncio.gather(*goodbyes, return_exceptions=True), GOODBYE_TIMEOUT)
            except TimeoutError:
                log.warning("trivia: %d game(s) could not say goodbye before shutdown", len(goodbyes))
        for task in [*self._background, *self._pool_builds.values()]:
            task.cancel()

    def _spawn(self, coroutine: Any, name: str) -> asyncio.Task[Any]:
        """Run a background job whose failure is logged, not lost."""
        task = asyncio.create_task(coroutine, name=name)
        self._background.add(task)
        task.add_done_callback(self._background_done)
        return task

    def _background_done(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("trivia: background job %s failed", task.get_name(), exc_info=task.exception())

    async def _tell_interrupted(self, channel_ids: Sequence[int]) -> None:
        await self.bot.wait_until_ready()
        for channel_id in dict.fromkeys(channel_ids):
            with contextlib.suppress(discord.HTTPException):  # the channel may be gone, or closed to the bot
                await self.bot.get_partial_messageable(channel_id).send(
                    "The trivia game in this channel was ended by a restart of the bot; /trivia start begins a new one."
                )

    @commands.Cog.listener()
    async def on_catalog_change(self, show_id: int) -> None:
        """Forget the question pools the change touches; they are rebuilt at the next game."""
        show = self.bot.catalog.shows.get(show_id)
        if show is not None and show.guild_id is not None:
            stale = [show.guild_id]
        else:
            stale = list({*self._pools, *self._pool_builds})
        for key in stale:
            self._pools.pop(key, None)
            # A build under way finishes for whoever awaits it, but is no longer cached (see _pool_built).
            self._pool_builds.pop(key, None)

    # -- question pools ----------------------------------------------------------------------------------

    async def _pool_for(self, guild_id: int | None) -> TriviaPool:
        """The pool of what this server may be asked: shared by every server that has no shows of its own."""
        catalog = self.bot.catalog
        key = self._pool_key(guild_id)
        pool = self._pools.get(key)
        if pool is not None:
            return pool
        build = self._pool_builds.get(key)
        if build is None:
            shows, credits = _snapshot(catalog, key)  # read on the loop, while no write can interleave
            build = asyncio.create_task(asyncio.to_thread(TriviaPool, shows, credits), name=f"trivia-pool-{key}")
            self._pool_builds[key] = build
            build.add_done_callback(lambda task: self._pool_built(key, task))
        return await asyncio.shield(build)

    def _pool_key(self, guild_id: int | None) -> int | None:
        if guild_id is not None and any(show.guild_id == guild_id for show in self.bot.catalog.shows.values()):
            return guild_id
        return None

    def _pool_ready(self, guild_id: int | None) -> bool:
        return self._pool_key(guild_id) in self._pools

    def _pool_built(self, key: int | None, task: asyncio.Task[TriviaPool]) -> None:
        if self._pool_builds.get(key) is task:
            del self._pool_builds[key]
            if not task.cancelled() and task.exception() is None:
                self._pools[key] = task.result()

    # -- commands ----------------------------------------------------------------------------------------

    @app_commands.command(name="start")
    @app_commands.describe(
        rounds=f"How many questions (1 to {MAX_ROUNDS}, default {DEFAULT_ROUNDS})",
        seconds=f"Seconds to answer each question ({MIN_SECONDS} to {MAX_SECONDS}, default {DEFAULT_SECONDS})",
        show="Ask only about this drama",
        difficulty="Easy asks about main casts of popular dramas; hard about supporting roles and crews",
    )
    @app_commands.choices(difficulty=[app_commands.Choice(name=level.title(), value=level) for level in DIFFICULTIES])
    async def start(
        self,
        interaction: discord.Interaction[Dramabot],
        rounds: app_commands.Range[int, 1, MAX_ROUNDS] = DEFAULT_ROUNDS,
        seconds: app_commands.Range[int, MIN_SECONDS, MAX_SECONDS] = DEFAULT_SECONDS,
        show: str | None = None,
        difficulty: str = "medium",
    ) -> None:
        """Start a cast trivia game in this channel; everyone can answer."""
        guild_id, channel_id = _where(interaction)
        if channel_id in self.games or channel_id in self._starting:
            raise InvalidInput("A trivia game is already running in this channel; /trivia stop ends it.")
        picked: Show | None = None
        if show is not None:
            picked = lookup_show(self.bot.catalog, show, guild_id).best
        options = GameOptions(rounds, seconds, difficulty, picked.id if picked else None)
        self._starting.add(channel_id)
        try:
            if not self._pool_ready(guild_id):
                await interaction.response.defer(thinking=True)  # the first game builds the pool: a second or so
            pool = await self._pool_for(guild_id)
            questions = make_round_set(
                pool, random.Random(), options.rounds, show_id=options.show_id, difficulty=options.difficulty
            )
            game_id = await self.bot.repository.start_trivia_game(
                guild_id=guild_id, channel_id=channel_id, starter_id=interaction.user.id, rounds=len(questions),
                seconds=options.seconds, difficulty=options.difficulty, show_id=options.show_id,
            )  # fmt: skip
            session = TriviaSession(
                questions, starter_id=interaction.user.id, seconds=options.seconds * self.time_scale
            )
            game = Game(game_id, guild_id, channel_id, session, _game_title(options.difficulty, picked))
            self.games[channel_id] = game
            self.games_by_id[game_id] = game
        finally:
            self._starting.discard(channel_id)
        fewer = f" (only {len(questions)} questions fit those choices)" if len(questions) < options.rounds else ""
        text = (
            f"**Trivia!** {mention(interaction.user.id)} started {game.title}: {len(questions)} "
            f"round{'s' * (len(questions) != 1)} of {options.seconds} seconds{fewer}. Everyone can answer with "
            f"the buttons; fast right answers score more."
        )
        try:
            await _reply(interaction, text)
        finally:  # the game is registered: it must run (and so end) even if the announcement failed
            game.task = asyncio.create_task(self._play(game), name=f"trivia-game-{game.id}")
            game.task.add_done_callback(_game_task_done)

    @start.autocomplete("show")
    async def start_show(
        self, interaction: discord.Interaction[Dramabot], current: str
    ) -> list[app_commands.Choice[str]]:
        return show_choices(self.bot.catalog, current, interaction.guild_id)

    @app_commands.command(name="stop")
    async def stop(self, interaction: discord.Interaction[Dramabot]) -> None:
        """Stop the trivia game in this channel (its starter, or anyone with Manage Messages)."""
        _guild_id, channel_id = _where(interaction)
        game = self.games.get(channel_id)
        if game is None or game.session.is_over:
            raise InvalidInput("No trivia game is running in this channel; /trivia start begins one.")
        if interaction.user.id != game.session.starter_id and not interaction.permissions.manage_messages:
            raise Forbidden("Only the player who started this game, or someone with Manage Messages, can stop it.")
        game.session.stop(EndReason.STOPPED, by=interaction.user.id)
        game.wake.set()
        await interaction.response.send_message("Stopping the game; the final scores follow.", ephemeral=True)

    @app_commands.command(name="leaderboard")
    @app_commands.describe(period="Whose points count: all time (default), this month or this week (UTC)")
    @app_commands.choices(
        period=[
            app_commands.Choice(name="All time", value="all"),
            app_commands.Choice(name="This month", value="month"),
            app_commands.Choice(name="This week", value="week"),
        ]
    )
    async def leaderboard(self, interaction: discord.Interaction[Dramabot], period: str = "all") -> None:
        """Show this server's top trivia players."""
        guild_id, _channel_id = _where(interaction)
        since = period_start(period, dt.datetime.now(dt.UTC))
        entries = await self.bot.repository.trivia_leaderboard(guild_id, since=since, limit=LEADERBOARD_SIZE)
        if not entries:
            await _reply(
                interaction, f"Nobody has scored trivia points here {period_name(period)}; /trivia start a game!"
            )
            return
        lines = [
            f"{entry.rank}. {mention(entry.user_id)}: **{entry.points}** points "
            f"({entry.correct}/{entry.answered} right, {entry.games} game{'s' * (entry.games != 1)})"
            for entry in entries
        ]
        embed = discord.Embed(title=f"Trivia leaderboard: {period_name(period)}", description="\n".join(lines))
        embed.colour = EMBED_COLOUR
        await interaction.response.send_message(embed=embed)

    @app_commands.command(name="stats")
    @app_commands.describe(user="Whose record to show (default: yours)")
    async def stats(self, interaction: discord.Interaction[Dramabot], user: discord.User | None = None) -> None:
        """Show a player's trivia record in this server."""
        guild_id, _channel_id = _where(interaction)
        who = user or interaction.user
        stats = await self.bot.repository.trivia_player_stats(guild_id, who.id)
        if stats is None:
            await _private(interaction, f"{who.display_name} has not scored in trivia in this server yet.")
            return
        embed = discord.Embed(title=f"Trivia stats: {who.display_name}", colour=EMBED_COLOUR)
        embed.add_field(name="Points", value=str(stats.points))
        embed.add_field(name="Rank", value=f"#{stats.rank}")
        embed.add_field(name="Games", value=str(stats.games))
        embed.add_field(name="Right answers", value=f"{stats.correct}/{stats.answered} ({stats.accuracy:.0%})")
        embed.add_field(name="Best game", value=f"{stats.best_game} points")
        embed.add_field(name="Last played", value=discord.utils.format_dt(stats.last_played, "R"))
        await interaction.response.send_message(embed=embed)

    # -- playing -----------------------------------------------------------------------------------------

    async def _play(self, game: Game) -> None:
        """Play the rounds, then end the game; any failure is logged and told to the players."""
        session = game.session
        channel = self.bot.get_partial_messageable(game.channel_id, guild_id=game.guild_id)
        try:
            while not session.is_over:
                question = session.open_round(time.monotonic())
                game.wake.clear()
                closes_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=session.seconds)
                game.message = await channel.send(
                    embed=question_embed(session, closes_at), view=answer_view(game.id, session.round_number, question)
                )
                await self._wait_for_round(game)
                if session.is_over:  # stopped mid-round
                    break
                result = session.close_round(time.monotonic())
                await game.message.edit(
                    embed=reveal_embed(session, result), view=answer_view(game.id, result.number, question, result)
                )
                game.message = None
                if not session.is_over:
                    await self.bot.repository.save_trivia_scores(game.id, session.scored_standings())
                    with contextlib.suppress(TimeoutError):  # /trivia stop cuts the pause short
                        await asyncio.wait_for(game.wake.wait(), PAUSE_BETWEEN_ROUNDS * self.time_scale)
        except asyncio.CancelledError:
            raise  # a shutdown: cog_unload says goodbye
        except Exception:
            error_id = secrets.token_hex(4)
            log.exception("error %s in trivia game %d", error_id, game.id)
            session.stop(EndReason.ERROR)
            await self._end_game(game, error_id=error_id)
            return
        await self._end_game(game)

    async def _wait_for_round(self, game: Game) -> None:
        session = game.session
        while not session.is_over and not session.should_close(time.monotonic()):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(game.wake.wait(), max(session.deadline - time.monotonic(), 0.0))
            game.wake.clear()

    async def _end_game(self, game: Game, *, error_id: str | None = None) -> None:
        """Free the channel, save the scores, and post the final scores (once, whichever path ends the game)."""
        if game.ended:
            return
        game.ended = True
        self.games.pop(game.channel_id, None)
        self.games_by_id.pop(game.id, None)
        session = game.session
        reason = session.end_reason or EndReason.ERROR
        try:
            await self.bot.repository.end_trivia_game(game.id, reason.value, session.scored_standings())
        finally:
            channel = self.bot.get_partial_messageable(game.channel_id, guild_id=game.guild_id)
            if game.message is not None:  # the question left open: disable its buttons
                with contextlib.suppress(discord.HTTPException):
                    await game.message.edit(view=None)
            text = ending_text(session)
            if error_id is not None:
                text = text.replace("on my side.", f"on my side (error id {error_id}).", 1)
            try:
                await channel.send(text)
            except discord.HTTPException as error:  # the channel is gone, or closed to the bot
                log.warning("trivia game %d could not post its final scores: %s", game.id, error)


def _game_task_done(task: asyncio.Task[None]) -> None:
    """The last line of supervision: _play handles its own failures, so anything here is a bug in that."""
    if not task.cancelled() and task.exception() is not None:
        log.error("trivia game task %s failed", task.get_name(), exc_info=task.exception())


def _game_title(difficulty: str, show: Show | None) -> str:
    if show is None:
        return f"{difficulty} trivia"
    return f"{difficulty} trivia about {show.title}" + (f" ({show.year})" if show.year else "")


def _where(interaction: discord.Interaction[Any]) -> tuple[int, int]:
    if interaction.guild_id is None or interaction.channel_id is None:
        raise InvalidInput("Trivia is played in a server's channels.")
    return interaction.guild_id, interaction.channel_id


async def _reply(interaction: discord.Interaction[Any], text: str) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(text)
    else:
        await interaction.response.send_message(text)


def _snapshot(catalog: Catalog, guild_id: int | None) -> tuple[list[Show], list[Credit]]:
    shows = catalog.visible_shows(guild_id)
    return shows, [credit for show in shows for credit in catalog.credits_of_show(show.id)]


async def setup(bot: Dramabot) -> None:
    await bot.add_cog(Trivia(bot))
