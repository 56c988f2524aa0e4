"""End-to-end harness: a fake Discord per test, and a helper that runs any discord.py client against it.

    async def test_something(fake_discord, start_client):
        async with start_client(MyBot()) as bot:
            result = await fake_discord.run_command("drama", {"title": "Signal"})

After each test the fixture fails the test if the bot did something Discord would reject (`fake.violations`),
logged an unexpected error (`fake.client_errors`), or called a route the fake does not know. A test that
provokes one of these on purpose asserts on it and then clears the list.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import discord
import discord.gateway
import discord.http
import pytest
import yarl

from bot.app import Dramabot
from bot.clock import SYSTEM_CLOCK, ScaledClock
from bot.sandbox import FakeDiscord
from bot.settings import Settings

ClientT = TypeVar("ClientT", bound=discord.Client)
StartClient = Callable[..., contextlib.AbstractAsyncContextManager[Any]]


class LoggedError(RuntimeError):
    """An ERROR log record without an exception attached, reported as one."""


class _ReportErrors(logging.Handler):
    """Turn every ERROR log record (discord.py's 'Ignoring exception in ...', the bot's own) into a test failure."""

    def __init__(self, fake: FakeDiscord, expected: tuple[type[BaseException], ...]) -> None:
        super().__init__(logging.ERROR)
        self.fake = fake
        self.expected = expected

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info and record.exc_info[1] else None
        if error is None:
            error = LoggedError(f"{record.name}: {record.getMessage()}")
        if _is_expected(error, self.expected):
            return
        self.fake.report_client_error(error)


def _is_expected(error: BaseException, expected: tuple[type[BaseException], ...]) -> bool:
    original = getattr(error, "original", None)
    return isinstance(error, expected) or (original is not None and isinstance(original, expected))


_active_client: list[discord.Client] = []


@contextlib.asynccontextmanager
async def running_client(
    client: ClientT,
    fake: FakeDiscord,
    *,
    token: str | None = None,
    configure_endpoints: bool = True,
    guild_ready_timeout: float | None = 0.05,
    ready_within: float = 10.0,
    report_logged_errors: bool = True,
    hook_tree_errors: bool = False,
    expected_errors: tuple[type[BaseException], ...] = (),
) -> AsyncIterator[ClientT]:
    """Log `client` into `fake`, connect it, wait until discord.py says ready; close it and restore globals after.

    configure_endpoints: point `Route.BASE` at the fake and read the gateway URL from `GET /gateway/bot`, as
        the real app does; pass False when the client under test does that itself.
    guild_ready_timeout: discord.py waits this long after the last GUILD_CREATE before `on_ready` (2 s by
        default); the fake sends every guild at once, so a short wait is safe. None keeps the client's value.
    report_logged_errors: any ERROR log record while the client runs fails the pending wait at once.
    hook_tree_errors: also report errors reaching `tree.on_error` (after the bot's own handler ran), except
        those that are (or wrap) one of `expected_errors`.
    """
    if _active_client:
        raise RuntimeError("discord.py's endpoints are process-global: run one client at a time")
    saved_base = discord.http.Route.BASE
    saved_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    handler = _ReportErrors(fake, expected_errors) if report_logged_errors else None
    tree = getattr(client, "tree", None)
    saved_on_error = tree.on_error if hook_tree_errors and tree is not None else None
    connection: asyncio.Task[None] | None = None
    _active_client.append(client)
    try:
        if handler is not None:
            logging.getLogger().addHandler(handler)
        if saved_on_error is not None:
            assert tree is not None

            async def on_error(interaction: discord.Interaction, error: Exception) -> None:
                try:
                    await saved_on_error(interaction, error)
                finally:
                    if not _is_expected(error, expected_errors):
                        fake.report_client_error(error)

            tree.on_error = on_error  # type: ignore[method-assign]
        if configure_endpoints:
            discord.http.Route.BASE = fake.api_base
        if guild_ready_timeout is not None:
            # Private, but the only knob: the constructor argument would have to be passed by every bot class.
            client._connection.guild_ready_timeout = guild_ready_timeout
        await client.login(token if token is not None else fake.token)
        if configure_endpoints:
            _shards, url, _limits = await client.http.get_bot_gateway()
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        connection = asyncio.create_task(client.connect(reconnect=True), name="sandbox-client-connect")
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait({connection, ready}, timeout=ready_within, return_when=asyncio.FIRST_COMPLETED)
        if connection in done:
            ready.cancel()
            connection.result()  # re-raise why the client stopped (LoginFailure, PrivilegedIntentsRequired...)
            raise RuntimeError("the client stopped before it was ready")
        if not done:
            ready.cancel()
            raise TimeoutError(f"the client was not ready within {ready_within} s")
        yield client
    finally:
        await client.close()
        if connection is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(connection, 5)
        if handler is not None:
            logging.getLogger().removeHandler(handler)
        if saved_on_error is not None and tree is not None:
            tree.on_error = saved_on_error  # type: ignore[method-assign]
        discord.http.Route.BASE = saved_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved_gateway
        _active_client.remove(client)


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A fresh fake Discord on 127.0.0.1; the test fails afterwards if anything went wrong unasserted."""
    fake = FakeDiscord()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    problems = [f"violation: {v.kind}: {v.detail}" for v in fake.violations]
    problems += [f"bot error: {e!r}" for e in fake.client_errors]
    problems += [f"unexpected route: {method} {path}" for method, path in fake.unexpected_routes]
    if problems:
        pytest.fail("the fake Discord saw problems:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture
def start_client(fake_discord: FakeDiscord) -> StartClient:
    """`async with start_client(bot, **options) as bot:` runs `bot` against this test's fake Discord."""

    def start(client: discord.Client, **options: Any) -> contextlib.AbstractAsyncContextManager[Any]:
        return running_client(client, fake_discord, **options)

    return start


# -- the real Dramabot ----------------------------------------------------------------------------------------


@pytest.fixture
def database_path(seeded_database: Path, tmp_path: Path) -> Path:
    path = tmp_path / "dramabot.sqlite3"
    shutil.copyfile(seeded_database, path)
    return path


@pytest.fixture
def bot_settings(fake_discord: FakeDiscord, database_path: Path) -> Settings:
    """Settings as a user would write them in .env, pointing the bot at this test's fake Discord."""
    environ = {
        "DISCORD_TOKEN": fake_discord.token,
        "DISCORD_API_BASE": fake_discord.api_base,
        "DATABASE_PATH": str(database_path),
        "OWNER_IDS": str(fake_discord.owner.id),
    }
    return Settings.from_env(environ, dotenv=None)


@pytest.fixture
def start_dramabot(start_client: StartClient, bot_settings: Settings) -> Callable[..., Any]:
    """`async with start_dramabot() as bot:` runs the real Dramabot, configured only through its settings."""

    def start(
        settings: Settings | None = None, *, clock: ScaledClock = SYSTEM_CLOCK, **options: Any
    ) -> contextlib.AbstractAsyncContextManager[Any]:
        options.setdefault("configure_endpoints", False)
        return start_client(Dramabot(settings or bot_settings, clock=clock), **options)

    return start
