"""Start the real bot against the sandbox Discord, exactly as `dramabot run` starts it, and run a console on it.

Only the environment points the bot at the fake Discord (`--database`, `--clock-speed` and the sandbox's
token and address). Like cli.py this module is a launcher, so it touches discord.py: only to put back the
process-wide endpoints `Dramabot.login` changes, so the process can start another client afterwards (the tests
do).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TextIO

import discord.gateway
import discord.http

from bot import db
from bot.app import Dramabot
from bot.clock import ScaledClock
from bot.console.parser import chat_commands
from bot.console.render import DEFAULT_WIDTH
from bot.console.repl import EXIT_OK, EXIT_USAGE, run_interactive, run_script
from bot.console.session import Console
from bot.console.watch import ErrorWatch
from bot.errors import DramabotError
from bot.sandbox import FakeDiscord
from bot.sandbox.models import SnowflakeFactory
from bot.settings import Settings
from bot.store import Repository

# Settings a user's real environment may hold that must not leak into a throwaway sandbox bot.
NOT_FOR_THE_SANDBOX = ("DISCORD_GATEWAY_URL", "DEV_GUILD_ID", "SYNC_HOUR_UTC", "TMDB_API_KEY")
# The meta key under which a database keeps its console's first id: the fake server, channels and people count
# up from it, so what the database holds about them (its dramas, announcement settings, scores) is theirs again.
WORLD_ID_KEY = "console_first_id"
SANDBOX_GUILD_READY_TIMEOUT = 0.05  # seconds discord.py waits for more servers after the fake's one (bot/app.py)


async def console_world_id(database: Path) -> int:
    """Return the first id of the fake Discord that belongs to `database`, choosing it on the first start."""
    connection = await db.connect(database)
    repository = Repository(connection)
    try:
        await db.migrate(connection)
        stored = await repository.get_meta(WORLD_ID_KEY)
        if stored is not None and stored.isdigit():
            return int(stored)
        first = SnowflakeFactory()()
        await repository.set_meta(WORLD_ID_KEY, str(first))
        return first
    finally:
        await repository.close()


def sandbox_environment(settings_env: Mapping[str, str], fake: FakeDiscord, database: Path) -> dict[str, str]:
    """Build the environment `dramabot run` would read, pointed at the fake Discord and the console's database."""
    environ = {k: v for k, v in settings_env.items() if k not in NOT_FOR_THE_SANDBOX}
    environ |= {
        "DISCORD_TOKEN": fake.token,
        "DISCORD_API_BASE": fake.api_base,
        "DATABASE_PATH": str(database),
        "OWNER_IDS": str(fake.owner.id),
    }
    return environ


@contextlib.contextmanager
def bot_log_to(path: Path, level: str) -> Iterator[logging.FileHandler]:
    """Send every log record to `path` while the console runs, so nothing garbles the prompt."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.handlers = [handler]
    root.setLevel(level)
    try:
        yield handler
    finally:
        root.handlers, _ = saved
        root.setLevel(saved[1])
        handler.close()


async def start_bot(bot: Dramabot, token: str, within: float = 30.0) -> asyncio.Task[None]:
    """Log in and connect as `dramabot run` does (start = login + connect); return once discord.py is ready."""
    await bot.login(token)
    connection = asyncio.create_task(bot.connect(), name="dramabot-connect")
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({connection, ready}, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    if connection in done:
        ready.cancel()
        connection.result()
        raise RuntimeError("the bot stopped before it was ready")
    if not done:
        ready.cancel()
        raise TimeoutError(f"the bot was not ready within {within:.0f} s")
    return connection


@contextlib.asynccontextmanager
async def sandbox_bot(
    settings_env: Mapping[str, str], database: Path, *, clock_speed: float = 1.0
) -> AsyncIterator[tuple[FakeDiscord, Dramabot, ErrorWatch]]:
    """Start a fake Discord and the real bot against it; stop both and put discord.py's endpoints back after.

    What it yields is what a console needs: the fake Discord, the bot, and the watch that notices its errors.
    """
    watch = ErrorWatch()
    saved_endpoints = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    root = logging.getLogger()
    fake = FakeDiscord(first_id=await console_world_id(database))
    await fake.start()
    connection: asyncio.Task[None] | None = None
    bot: Dramabot | None = None
    root.addHandler(watch)
    try:
        settings = Settings.from_env(sandbox_environment(settings_env, fake, database), dotenv=None)
        bot = Dramabot(settings, clock=ScaledClock(clock_speed), guild_ready_timeout=SANDBOX_GUILD_READY_TIMEOUT)
        watch.hook(bot)
        connection = await start_bot(bot, settings.discord_token or "")
        if not fake.commands(None) and bot.tree.get_commands():
            # The database remembers syncing to an earlier fake Discord; this one starts empty.
            await bot.tree.sync()
        yield fake, bot, watch
    finally:
        root.removeHandler(watch)
        if bot is not None:
            await bot.close()
        if connection is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(connection, 5)
        await fake.stop()
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved_endpoints


async def _run_session(
    settings_env: Mapping[str, str],
    *,
    lines: Sequence[str] | None,
    database: Path | None,
    clock_speed: float,
    stdout: TextIO,
    workdir: Path,
    log_path: Path,
) -> int:
    interactive = lines is None
    path = database or workdir / "dramabot.sqlite3"
    level = Settings.from_env(settings_env, dotenv=None).log_level
    stdout.write("Starting Dramabot against a fake Discord on 127.0.0.1 (no account, no token)...\n")
    stdout.flush()
    with bot_log_to(log_path, level):
        async with sandbox_bot(settings_env, path, clock_speed=clock_speed) as (fake, bot, watch):
            width = min(shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns, DEFAULT_WIDTH) if interactive \
                else DEFAULT_WIDTH  # fmt: skip
            console = Console(fake, bot, watch, stdout, width=width)
            where = "a throwaway copy of the seed catalog" if database is None else str(database)
            names = ", ".join("/" + n for n in chat_commands(fake))
            stdout.write(f"Ready: {len(bot.catalog.shows)} shows in {where}. Commands: {names}\n")
            if clock_speed != 1:
                stdout.write(f"Clock: the bot's clock runs {clock_speed:g}× faster: announcements come sooner,"
                             " and “in 5 minutes” counts from it; trivia rounds keep real seconds.\n")  # fmt: skip
            stdout.write("Type help for the commands, quit to leave.\n" if interactive else "")
            stdout.flush()
            if lines is None:
                return await run_interactive(console, log_path)
            return await run_script(console, lines)


def run_console(
    settings_env: Mapping[str, str],
    *,
    script: Path | None = None,
    database: Path | None = None,
    clock_speed: float = 1.0,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Run the bot against a fake Discord and talk to it; return 0, 1 if the bot answered a line with an error."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if clock_speed <= 0:
        stdout.write("dramabot console: --clock-speed must be more than 0.\n")
        return EXIT_USAGE
    if script is not None and not script.is_file():
        stdout.write(f"dramabot console: no script file {script}.\n")
        return EXIT_USAGE
    # A script, or lines piped in, run to the end; a terminal gets the prompt.
    lines: list[str] | None = None
    if script is not None:
        lines = script.read_text(encoding="utf-8").splitlines()
    elif not stdin.isatty():
        lines = stdin.read().splitlines()
    handle, name = tempfile.mkstemp(prefix="dramabot-console-", suffix=".log")
    os.close(handle)
    log_path = Path(name)
    status = EXIT_USAGE
    try:
        with tempfile.TemporaryDirectory(prefix="dramabot-console-") as workdir:
            status = asyncio.run(
                _run_session(settings_env, lines=lines, database=database, clock_speed=clock_speed, stdout=stdout,
                         workdir=Path(workdir), log_path=log_path)
            )  # fmt: skip
    except KeyboardInterrupt:
        status = EXIT_OK
    except DramabotError as error:
        stdout.write(f"dramabot console: {error.message}\n")
    except Exception as error:
        stdout.write(f"dramabot console: the bot did not start: {error!r}; see {log_path}\n")
        return EXIT_USAGE
    if _only_quiet_records(log_path):
        log_path.unlink(missing_ok=True)
    else:
        stdout.write(f"(the bot logged errors; its log is kept at {log_path})\n")
    return status


def _only_quiet_records(path: Path) -> bool:
    """Tell whether the log holds no error and no objection from the fake Discord, so need not be kept."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    return not re.search(r" (ERROR|CRITICAL) |Discord would object", text)
