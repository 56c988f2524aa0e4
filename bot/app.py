"""The Discord side of Dramabot: the Bot subclass, command sync, the one error handler, and `dramabot run`."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import signal
import sys
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.catalog import Catalog, open_catalog
from bot.clock import SYSTEM_CLOCK, ScaledClock
from bot.errors import DramabotError, NotFound
from bot.lease import DatabaseInUse, hold_database
from bot.looplag import LoopLagMonitor, name_task
from bot.settings import Settings
from bot.store import Repository

log = logging.getLogger(__name__)
# How long a busy thread keeps the GIL while another waits for it (Python's default is 5 ms). The event loop
# gives the GIL up at every socket call, and a worker building /ask's lookups or answering a long question
# then keeps it for the whole interval: some fifty such waits made one autocomplete round trip take 250 ms.
GIL_SWITCH_INTERVAL = 0.001  # seconds
GUILD_READY_TIMEOUT = 0.5  # seconds

EXIT_CONFIG = 2
EXTENSIONS = (
    "cogs.lookup",
    "cogs.countdown",
    "cogs.announce",
    "cogs.trivia",
    "cogs.curation",
    "cogs.ask",
    "cogs.sync",
    "cogs.lists",
    "cogs.remind",
    "cogs.recommend",
)
EPHEMERAL_APOLOGY = "Sorry, something went wrong on my side (error id {error_id}). Please try again later."


def point_at_discord(api_base: str | None, gateway_url: str | None) -> None:
    """Send REST calls to `api_base` and connect the gateway to `gateway_url` (a proxy, or a fake Discord).

    Both are class attributes in discord.py, so this is process-wide: one Discord per process.
    """
    if api_base:
        discord.http.Route.BASE = api_base.rstrip("/")
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class Dramabot(commands.Bot):
    """The bot: opens the catalog, loads every cog, and syncs the slash commands only when they changed."""

    repository: Repository
    catalog: Catalog

    def __init__(
        self, settings: Settings, *, clock: ScaledClock = SYSTEM_CLOCK, guild_ready_timeout: float = GUILD_READY_TIMEOUT
    ) -> None:
        # The bot has no voice: discord.py's warning that voice's libraries are missing is noise on every start.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        intents = discord.Intents.none()
        intents.guilds = True
        # Mentions of the bot reach it with their content even without the privileged message-content intent.
        intents.guild_messages = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            owner_ids=set(settings.owner_ids) or None,
            help_command=None,
            # discord.py waits this long after the last GUILD_CREATE before READY (2 s by default, a third of a
            # restart); nothing here needs every guild cached first, and a late one is still taken in.
            guild_ready_timeout=guild_ready_timeout,
        )
        self.settings = settings
        self.clock = clock
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]
        self.tree.interaction_check = self.name_interaction_task  # type: ignore[method-assign]
        self.lag_monitor: LoopLagMonitor | None = None
        self._closing: asyncio.Task[None] | None = None
        self._close_started = False
        self._closed = asyncio.Event()

    async def login(self, token: str) -> None:
        point_at_discord(self.settings.discord_api_base, self.settings.discord_gateway_url)
        await super().login(token)
        if self.settings.discord_api_base and not self.settings.discord_gateway_url:
            _shards, url, _limits = await self.http.get_bot_gateway()
            point_at_discord(None, url)

    async def setup_hook(self) -> None:
        sys.setswitchinterval(GIL_SWITCH_INTERVAL)
        self.lag_monitor = LoopLagMonitor(asyncio.get_running_loop())
        self.lag_monitor.start()
        self.repository, self.catalog, report = await open_catalog(self.settings.database_path, clock=self.clock.now)
        log.info(
            "catalog open: %d shows, %d people (seed %s%s)",
            len(self.catalog.shows), len(self.catalog.people), report.version[:12],
            ", already loaded" if report.skipped else "",
        )  # fmt: skip
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self.sync_commands()

    async def sync_commands(self) -> bool:
        """Sync the command tree to Discord unless Discord already has exactly this set; return whether it did.

        Discord allows 200 command creations a day per guild, so a restart must not re-sync an unchanged tree.
        """
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        key = f"commands_hash:{guild.id if guild else 'global'}"
        if await self.repository.get_meta(key) == digest:
            log.info("application commands unchanged; not syncing")
            return False
        synced = await self.tree.sync(guild=guild)
        await self.repository.set_meta(key, digest)
        log.info("synced %d application commands to %s", len(synced), f"guild {guild.id}" if guild else "all guilds")
        return True

    def request_close(self) -> None:
        """Start closing, from a signal handler; the task is kept so that it runs to its end."""
        if self._closing is None:
            self._closing = asyncio.create_task(self.close(), name="dramabot-close")

    async def close(self) -> None:
        """Unload the cogs (the announcer lets posts in flight finish), disconnect, then close the database.

        Closing once: a second call (a signal during a close, then `async with` ending) waits for the first.
        """
        if self._close_started:
            await self._closed.wait()
            return
        self._close_started = True
        try:
            if self.lag_monitor is not None:
                self.lag_monitor.stop()
            await super().close()
            repository = getattr(self, "repository", None)
            if repository is not None:
                await repository.close()
        finally:
            self._closed.set()

    async def name_interaction_task(self, interaction: discord.Interaction[Any]) -> bool:
        """Name the task after the command it runs ("/drama autocomplete"), so a loop stall names it; let it run."""
        name = interaction.command.qualified_name if interaction.command else "?"
        kind = " autocomplete" if interaction.type is discord.InteractionType.autocomplete else ""
        name_task(f"/{name}{kind}")
        return True

    async def on_app_command_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        """Tell the user what went wrong in one sentence; log whatever we did not expect."""
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        command = interaction.command.qualified_name if interaction.command else "?"
        await send_ephemeral(interaction, error_message(original, where=f"/{command}"))


def error_message(error: BaseException, *, where: str) -> str:
    """The one sentence a user sees for `error`; anything unexpected is logged with an id they can quote."""
    if isinstance(error, NotFound):
        message = error.message
        if error.suggestions:
            message += " Did you mean: " + ", ".join(error.suggestions) + "?"
        return message
    if isinstance(error, DramabotError):
        return error.message
    if isinstance(error, app_commands.MissingPermissions):
        missing = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"You need the {missing} permission to do that."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command only works inside a server."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} seconds."
    if isinstance(error, app_commands.CheckFailure):
        return "You are not allowed to use that command here."
    if isinstance(error, app_commands.TransformerError) and isinstance(error.__cause__, DramabotError):
        return error_message(error.__cause__, where=where)  # a show or person argument that matched nothing
    if isinstance(error, app_commands.TransformerError):
        return f"“{error.value}” is not a valid {error.type.name.lower()}."
    return EPHEMERAL_APOLOGY.format(error_id=report_unexpected(error, where=where))


def report_unexpected(error: BaseException, *, where: str) -> str:
    """Log an error nobody expected, with its traceback, under a short id the user can quote; return the id."""
    error_id = secrets.token_hex(4)
    log.error("error %s in %s", error_id, where, exc_info=error)
    return error_id


async def send_ephemeral(interaction: discord.Interaction[Any], message: str) -> None:
    """Answer privately, whether or not the interaction was already answered or deferred."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the user about an error", exc_info=True)


def run_bot(settings: Settings) -> int:
    """Run the bot until SIGINT or SIGTERM; return the process exit status."""
    if not settings.discord_token:
        print("dramabot: DISCORD_TOKEN is not set; put the bot token in the environment or in .env.")
        return EXIT_CONFIG
    return asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> int:
    # One bot per database, checked before anything else: a second one would post every announcement again.
    try:
        lease = hold_database(settings.database_path)
    except DatabaseInUse as error:
        print(f"dramabot: {error}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        return await _serve_holding_lease(settings)
    finally:
        if lease is not None:
            lease.release()


async def _serve_holding_lease(settings: Settings) -> int:
    bot = Dramabot(settings)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            # A graceful stop: the announcer stops claiming and lets posts in flight finish (at most about
            # 10 s), then the connection to Discord and the database close.
            loop.add_signal_handler(signum, bot.request_close)
        except NotImplementedError:  # Windows: Ctrl+C still raises KeyboardInterrupt
            pass
    try:
        async with bot:
            await bot.start(settings.discord_token or "")
    except discord.LoginFailure:
        print("dramabot: Discord rejected DISCORD_TOKEN; copy the token again from the developer portal.")
        return EXIT_CONFIG
    except discord.PrivilegedIntentsRequired:
        print("dramabot: Discord refused an intent the bot asked for; this is a bug, please report it.")
        return EXIT_CONFIG
    except DramabotError as error:  # a database that cannot be read, a setting found wrong at start
        print(f"dramabot: {error.message}", file=sys.stderr)
        return EXIT_CONFIG
    except (aiohttp.ClientConnectorError, discord.GatewayNotFound) as error:
        # Only reaching Discord the first time ends the bot: once connected, discord.py reconnects on its own.
        where = settings.discord_api_base or "discord.com"
        print(f"dramabot: cannot reach Discord at {where} ({_reason(error)}); check the network.", file=sys.stderr)
        return EXIT_CONFIG
    return 0


def _reason(error: Exception) -> str:
    if isinstance(error, aiohttp.ClientConnectorError):
        refused = isinstance(error.os_error, ConnectionRefusedError)
        return "the connection was refused" if refused else str(error.os_error)
    return "no gateway address was given"
