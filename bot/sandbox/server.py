"""FakeDiscord: Discord's REST API and gateway on 127.0.0.1, and the controls a test or a console drives it with.

It is built from parts, each in its own module, every arrow pointing down:

    driver.py     the user's side: run a command, click, select, submit a modal, post, wait for the bot
    callbacks.py  opening interactions, and the callback and webhook endpoints the bot answers them on
    commands.py   the commands the bot synced, and the option payloads a user's client builds from them
    messages.py   channel messages and files, and the events each change sends
    gateway.py    the gateway socket and each bot session's event stream
    rest.py       the HTTP app, Discord's error replies, injected failures, the plain REST routes
    monitor.py    waits, the bot's reported errors, message events
    world.py      users, guilds and channels
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .callbacks import InteractionEndpoints
from .commands import CommandRegistry
from .driver import Driver
from .gateway import GatewayServer
from .messages import NONCE_WINDOW, MessageStore
from .models import FakeChannel, FakeGuild, FakeUser, Message
from .monitor import Monitor
from .rest import RestServer
from .world import ChannelRef, World


class FakeDiscord(Driver):
    """A Discord stand-in for one bot: REST + gateway on 127.0.0.1, with two guilds of users and channels.

    `nonce_memory` and `message_answer_delay` reproduce what breaks "exactly once": Discord forgets a message
    nonce after a few minutes, and an answer may come late (or never) after the message was created.

    Tests and the console drive it as a user would (run a command, click a button, post a message) and read
    what the bot answered. Everything the bot does that real Discord would refuse is answered the way Discord
    answers it and listed in `violations`.
    """

    def __init__(
        self,
        *,
        token: str = "sandbox.bot.token",
        host: str = "127.0.0.1",
        port: int = 0,
        bot_name: str = "Dramabot",
        privileged_intents: Iterable[str] = (),
        interaction_deadline: float = 3.0,
        heartbeat_interval_ms: int = 41_250,
        enforce_global_rate_limit: bool = False,
        first_id: int | None = None,
        nonce_memory: float = NONCE_WINDOW,
        message_answer_delay: float = 0.0,
    ) -> None:
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("the fake Discord only listens on loopback")
        world = World(bot_name, first_id=first_id)  # first_id: the world's ids, the same on every start
        monitor = Monitor()
        rest = RestServer(
            world, monitor, token=token, host=host, port=port, enforce_global_rate_limit=enforce_global_rate_limit
        )
        gateway = GatewayServer(
            world,
            monitor,
            rest,
            token=token,
            privileged_intents=privileged_intents,
            heartbeat_interval_ms=heartbeat_interval_ms,
        )
        messages = MessageStore(
            world, monitor, rest, gateway, nonce_memory=nonce_memory, answer_delay=message_answer_delay
        )
        commands = CommandRegistry(world, monitor, rest, messages)
        endpoints = InteractionEndpoints(world, monitor, rest, gateway, messages, deadline=interaction_deadline)
        super().__init__(world, monitor, gateway, messages, commands, endpoints)
        self._rest = rest
        self.token = token

        # The world, as tests name it.
        self._snowflake = world.snowflake  # benchmarks/announce.py numbers its extra channels with it
        self.application_id = world.application_id
        self.bot: FakeUser = world.bot
        self.owner: FakeUser = world.owner
        self.admin: FakeUser = world.admin
        self.member: FakeUser = world.member
        self.users: dict[int, FakeUser] = world.users
        self.guild: FakeGuild = world.guild
        self.other_guild: FakeGuild = world.other_guild
        self.guilds: dict[int, FakeGuild] = world.guilds

        # What a test checks afterwards; each list is live and may be cleared once asserted on.
        self.violations = rest.violations
        self.request_log = rest.request_log
        self.unexpected_routes = rest.unexpected_routes
        self.client_errors = monitor.client_errors
        self.sync_counts = commands.sync_counts
        self.gateway_queries = gateway.gateway_queries  # each connection's query: v, encoding, compress
        self.reactions = messages.reactions  # (message id, emoji) the bot added
        self.downloads = messages.downloads  # attachments the bot fetched, by file name

        # Controls that live on one part, under the names tests and the console call.
        self.user = world.user
        self.channel = world.channel
        self.add_user = world.add_user
        self.close_dms = world.close_dms
        self.dm_channel = world.dm_channel_if_open
        self.command = commands.command
        self.commands = commands.commands
        self.wait_until = monitor.wait_until
        self.report_client_error = monitor.report_client_error
        self.subscribe = monitor.subscribe
        self.unsubscribe = monitor.unsubscribe
        self.fail_next = rest.fail_next
        self.lose_next_response = rest.lose_next_response
        self.disconnect = gateway.disconnect

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one; `port` then holds the real one)."""
        parts = (self._gateway, self._messages, self._commands, self._endpoints)
        await self._rest.start([route for part in parts for route in part.routes()])

    async def stop(self) -> None:
        """Close the bot's sockets and stop listening."""
        self._messages.answer_all_now()
        await self._gateway.close()
        await self._rest.stop()

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ where the bot connects

    @property
    def host(self) -> str:
        return self._rest.host

    @property
    def port(self) -> int:
        return self._rest.port

    @property
    def base_url(self) -> str:
        return self._rest.base_url

    @property
    def api_base(self) -> str:
        """What discord.py's `Route.BASE` must be set to."""
        return self._rest.api_base

    @property
    def gateway_url(self) -> str:
        return self._gateway.url

    @property
    def interaction_deadline(self) -> float:
        """Seconds the bot has for its first answer to an interaction (Discord's 3 by default)."""
        return self._endpoints.deadline

    @interaction_deadline.setter
    def interaction_deadline(self, seconds: float) -> None:
        self._endpoints.deadline = seconds

    @property
    def nonce_memory(self) -> float:
        """Seconds an enforced message nonce is remembered (Discord: a few minutes)."""
        return self._messages.nonce_memory

    @nonce_memory.setter
    def nonce_memory(self, seconds: float) -> None:
        self._messages.nonce_memory = seconds

    @property
    def message_answer_delay(self) -> float:
        """Seconds a channel-message POST waits to answer, after the message is created (a slow answer)."""
        return self._messages.answer_delay

    @message_answer_delay.setter
    def message_answer_delay(self, seconds: float) -> None:
        self._messages.answer_delay = seconds

    @property
    def answers_pending(self) -> int:
        """Channel-message POSTs whose message exists but whose answer is still on its way (posts in flight)."""
        return self._messages.answers_pending

    # ------------------------------------------------------------------ the world

    @property
    def guild_id(self) -> int:
        return self.guild.id

    @property
    def other_guild_id(self) -> int:
        return self.other_guild.id

    @property
    def channels(self) -> dict[str, FakeChannel]:
        """The main guild's text channels by name."""
        return self.guild.channels

    # ------------------------------------------------------------------ what the bot did

    @property
    def connected(self) -> bool:
        """Whether a bot session is identified and its socket open."""
        return self._gateway.connected

    @property
    def identify_count(self) -> int:
        return self._gateway.identify_count

    @property
    def resume_count(self) -> int:
        return self._gateway.resume_count

    @property
    def presence(self) -> dict[str, Any] | None:
        """The presence the bot last set (gateway op 3), as it sent it."""
        return self._gateway.presence

    @property
    def sync_count(self) -> int:
        """How many bulk command syncs (PUT) the bot made, all scopes together."""
        return sum(self.sync_counts.values())

    def messages(self, channel: ChannelRef | None = None) -> list[Message]:
        """Return messages everyone can see in `channel` (or in every channel), oldest first."""
        return self._messages.visible(self._world.channel(channel).id if channel is not None else None)

    def message(self, message_id: int) -> Message:
        """Return the message with this id, deleted and ephemeral ones included."""
        return self._messages.get(message_id)
