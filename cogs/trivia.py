"""/trivia: cast trivia games played with buttons, scored per server, with leaderboards and stats.

The questions, rules and texts live in bot/trivia/; this cog posts, waits and edits. Each game is a supervised
task: a failure is logged with an error id and told to the players, and a shutdown ends every game cleanly,
saying so in its channel. Games are recorded in the database while they run, so a crash that skipped the
goodbye is reported in the channel at the next start.

Rounds last real seconds, whatever the speed of the bot's clock (people answer in real time); the moments
shown or stored (when a round closes, the leaderboard's week) are read from the bot's clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
import re
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import limits
from bot.app import Dramabot, report_unexpected, send_ephemeral
from bot.errors import Forbidden, InvalidInput
from bot.models import Show
from bot.trivia import (
    DEFAULT_ROUNDS,
    DEFAULT_SECONDS,
    DIFFICULTIES,
    GAME_OVER,
    INTERRUPTED,
    LETTERS,
    MAX_ROUNDS,
    MAX_SECONDS,
    MIN_SECONDS,
    STOPPING,
    AnswerOutcome,
    EndReason,
    GameOptions,
    Question,
    RoundResult,
    TriviaPools,
    TriviaSession,
    click_reply,
    ending_text,
    game_title,
    leaderboard_card,
    make_round_set,
    no_scores_text,
    not_scored_text,
    option_label,
    period_start,
    question_card,
    reveal_card,
    start_text,
    stats_card,
)
from cogs._ui import ShowArg, card_embed, dramabot

log = logging.getLogger(__name__)

# Seconds (of game time) between a round's reveal and the next question, to read who got it.
PAUSE_BETWEEN_ROUNDS = 3.0
# How long a shutdown waits for the games to say goodbye before it goes on without them.
GOODBYE_TIMEOUT = 5.0
LEADERBOARD_SIZE = 10
# Seconds after ready before the shared question pool is built unasked: start-up's own work (the gateway, the
# lookups /ask and /drama share, the announcer's first plan) is done by then.
WARM_UP_AFTER = 10.0


def game_seconds() -> float:
    """Read the game clock: real, monotonic seconds (the event loop's), on which round deadlines are kept."""
    return asyncio.get_running_loop().time()


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
                label=limits.label(label or LETTERS[option]), style=style, disabled=disabled,
                custom_id=f"trivia:{game_id}:{round_number}:{option}",
            )
        )  # fmt: skip
        self.game_id = game_id
        self.round_number = round_number
        self.option = option

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AnswerButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(int(match["game"]), int(match["round"]), int(match["option"]), label or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        cog = dramabot(interaction).get_cog(Trivia.__cog_name__)
        game = cog.games_by_id.get(self.game_id) if isinstance(cog, Trivia) else None
        if game is None or game.session.is_over:
            await send_ephemeral(interaction, GAME_OVER)
            return
        session = game.session
        user_id = interaction.user.id
        outcome = session.answer(user_id, self.round_number, self.option, game_seconds())
        await send_ephemeral(interaction, click_reply(session, outcome, user_id, self.option))
        if outcome is AnswerOutcome.ACCEPTED and session.everyone_answered:
            game.wake.set()


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
        self.pools = TriviaPools(bot.catalog)
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
        self._spawn(self._warm_up(), "trivia-pool-warmup")

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
        for task in self._background:
            task.cancel()
        self.pools.close()

    async def _warm_up(self) -> None:
        """Build the shared pool once start-up is over, so that its second of work does not slow the bot's first
        answers; a game started sooner builds it itself (and says it is thinking meanwhile)."""
        await self.bot.wait_until_ready()
        await asyncio.sleep(WARM_UP_AFTER)
        await self.pools.get(None)

    def _spawn(self, coroutine: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
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
                await self.bot.get_partial_messageable(channel_id).send(INTERRUPTED)

    @commands.Cog.listener()
    async def on_catalog_change(self, show_id: int) -> None:
        """Forget the question pools the change touches; they are rebuilt at the next game."""
        self.pools.catalog_changed(show_id)

    # -- commands ----------------------------------------------------------------------------------------

    @app_commands.command(name="start")
    @app_commands.describe(
        rounds=f"How many questions (1 to {MAX_ROUNDS}, default {DEFAULT_ROUNDS})",
        seconds=f"Seconds to answer each question ({MIN_SECONDS} to {MAX_SECONDS}, default {DEFAULT_SECONDS})",
        show="Ask only about this drama",
        difficulty="Easy: what most fans know (leads of popular dramas); hard: small parts and little-watched dramas",
    )
    @app_commands.choices(difficulty=[app_commands.Choice(name=level.title(), value=level) for level in DIFFICULTIES])
    async def start(
        self,
        interaction: discord.Interaction[Dramabot],
        rounds: app_commands.Range[int, 1, MAX_ROUNDS] = DEFAULT_ROUNDS,
        seconds: app_commands.Range[int, MIN_SECONDS, MAX_SECONDS] = DEFAULT_SECONDS,
        show: app_commands.Transform[Show, ShowArg] | None = None,
        difficulty: str = "medium",
    ) -> None:
        """Start a cast trivia game in this channel; everyone can answer."""
        guild_id, channel_id = _where(interaction)
        if channel_id in self.games or channel_id in self._starting:
            raise InvalidInput("A trivia game is already running in this channel; /trivia stop ends it.")
        options = GameOptions(rounds, seconds, difficulty, show.id if show else None)
        self._starting.add(channel_id)
        try:
            if not self.pools.ready(guild_id):
                await interaction.response.defer(thinking=True)  # the first game builds the pool: a second or so
            pool = await self.pools.get(guild_id)
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
            game = Game(game_id, guild_id, channel_id, session, game_title(options.difficulty, show))
            self.games[channel_id] = game
            self.games_by_id[game_id] = game
        finally:
            self._starting.discard(channel_id)
        text = start_text(
            interaction.user.id, game.title, rounds=len(questions), asked_rounds=options.rounds, seconds=options.seconds
        )
        try:
            await _reply(interaction, text)
        finally:  # the game is registered: it must run (and so end) even if the announcement failed
            game.task = asyncio.create_task(self._play(game), name=f"trivia-game-{game.id}")
            game.task.add_done_callback(_game_task_done)

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
        await send_ephemeral(interaction, STOPPING)

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
        since = period_start(period, self.bot.clock.now())
        entries = await self.bot.repository.trivia_leaderboard(guild_id, since=since, limit=LEADERBOARD_SIZE)
        if not entries:
            await _reply(interaction, no_scores_text(period))
            return
        await interaction.response.send_message(embed=card_embed(leaderboard_card(entries, period)))

    @app_commands.command(name="stats")
    @app_commands.describe(user="Whose record to show (default: yours)")
    async def stats(self, interaction: discord.Interaction[Dramabot], user: discord.User | None = None) -> None:
        """Show a player's trivia record in this server."""
        guild_id, _channel_id = _where(interaction)
        who = user or interaction.user
        stats = await self.bot.repository.trivia_player_stats(guild_id, who.id)
        if stats is None:
            await send_ephemeral(interaction, not_scored_text(who.display_name))
            return
        await interaction.response.send_message(embed=card_embed(stats_card(who.display_name, stats)))

    # -- playing -----------------------------------------------------------------------------------------

    async def _play(self, game: Game) -> None:
        """Play the rounds, then end the game; any failure is logged and told to the players."""
        session = game.session
        channel = self.bot.get_partial_messageable(game.channel_id, guild_id=game.guild_id)
        try:
            while not session.is_over:
                question = session.open_round(game_seconds())
                game.wake.clear()
                # The round lasts `session.seconds` of real time; on the bot's clock that is `speed` times more.
                clock = self.bot.clock
                closes_at = clock.now() + dt.timedelta(seconds=session.seconds * clock.speed)
                game.message = await channel.send(
                    embed=card_embed(question_card(session, closes_at)),
                    view=answer_view(game.id, session.round_number, question),
                )
                await self._wait_for_round(game)
                if session.is_over:  # stopped mid-round
                    break
                result = session.close_round(game_seconds())
                await game.message.edit(
                    embed=card_embed(reveal_card(session, result)),
                    view=answer_view(game.id, result.number, question, result),
                )
                game.message = None
                if not session.is_over:
                    await self.bot.repository.save_trivia_scores(game.id, session.scored_standings())
                    with contextlib.suppress(TimeoutError):  # /trivia stop cuts the pause short
                        await asyncio.wait_for(game.wake.wait(), PAUSE_BETWEEN_ROUNDS * self.time_scale)
        except asyncio.CancelledError:
            raise  # a shutdown: cog_unload says goodbye
        except Exception as error:
            error_id = report_unexpected(error, where=f"trivia game {game.id}")
            session.stop(EndReason.ERROR)
            await self._end_game(game, error_id=error_id)
            return
        await self._end_game(game)

    async def _wait_for_round(self, game: Game) -> None:
        session = game.session
        while not session.is_over and not session.should_close(game_seconds()):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(game.wake.wait(), max(session.deadline - game_seconds(), 0.0))
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
            try:
                await channel.send(ending_text(session, error_id=error_id))
            except discord.HTTPException as error:  # the channel is gone, or closed to the bot
                log.warning("trivia game %d could not post its final scores: %s", game.id, error)


def _game_task_done(task: asyncio.Task[None]) -> None:
    """The last line of supervision: _play handles its own failures, so anything here is a bug in that."""
    if not task.cancelled() and task.exception() is not None:
        log.error("trivia game task %s failed", task.get_name(), exc_info=task.exception())


def _where(interaction: discord.Interaction[Any]) -> tuple[int, int]:
    if interaction.guild_id is None or interaction.channel_id is None:
        raise InvalidInput("Trivia is played in a server's channels.")
    return interaction.guild_id, interaction.channel_id


async def _reply(interaction: discord.Interaction[Any], text: str) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(text)
    else:
        await interaction.response.send_message(text)


async def setup(bot: Dramabot) -> None:
    await bot.add_cog(Trivia(bot))
