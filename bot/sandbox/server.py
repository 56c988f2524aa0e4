"""FakeDiscord: Discord's REST API and gateway on 127.0.0.1, and the controls a test or a console drives it with."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import re
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

from . import gateway as gw
from . import limits
from .interactions import (
    ALLOWED_CALLBACKS,
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    UPDATE_MESSAGE,
    Callback,
    InteractionRecord,
    InteractionResult,
    settle,
)
from .models import (
    BOT_ROLE_PERMISSIONS,
    EVERYONE_PERMISSIONS,
    ChannelType,
    Choice,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    Message,
    MessageEvent,
    Overwrite,
    Permission,
    RequestRecord,
    SnowflakeFactory,
    Upload,
    Violation,
    iso_now,
    walk_components,
)
from .payloads import BotError, SandboxError, SandboxTimeout, modal_submission, pinged

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
GATEWAY_PATH = "/gateway-ws"
CDN_PREFIX = "/cdn/attachments"
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
NONCE_WINDOW = 300.0
FOLLOWUP_WINDOW = 15 * 60.0
GLOBAL_RATE_LIMIT = 50  # requests a second

T = TypeVar("T")
UserRef = FakeUser | int | str
ChannelRef = FakeChannel | int | str
MessageRef = Message | InteractionResult | int


class DiscordHTTPError(Exception):
    """Raised inside a handler to answer with Discord's error JSON."""

    def __init__(self, status: int, code: int, message: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body or {"message": message, "code": code}


def _unknown(what: str, code: int) -> DiscordHTTPError:
    return DiscordHTTPError(404, code, f"Unknown {what}")


@dataclasses.dataclass(eq=False)
class FailureRule:
    """An injected failure: the next `times` requests matching method and path get `status`."""

    method: str
    pattern: re.Pattern[str]
    status: int
    retry_after: float | None
    code: int | None
    message: str | None
    times: int
    is_global: bool
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        return self.hits < self.times and self.method in ("*", method) and bool(self.pattern.search(path))

    def response(self) -> web.Response:
        headers: dict[str, str] = {}
        if self.status == 429:
            retry_after = 0.1 if self.retry_after is None else self.retry_after
            body: dict[str, Any] = {
                "message": self.message or "You are being rate limited.",
                "retry_after": retry_after,
                "global": self.is_global,
                "code": self.code or 0,
            }
            # discord.py treats a 429 without `Via` as a Cloudflare ban and raises instead of retrying.
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(max(1, round(retry_after))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": str(retry_after),
                "X-RateLimit-Bucket": "sandbox-injected",
                "X-RateLimit-Scope": "global" if self.is_global else "user",
            }
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
        else:
            default_code, default_message = {
                401: (0, "401: Unauthorized"),
                403: (50013, "Missing Permissions"),
                404: (10003, "Unknown Channel"),
            }.get(self.status, (0, f"{self.status}: Internal Server Error" if self.status >= 500 else "Bad Request"))
            body = {
                "message": self.message or default_message,
                "code": default_code if self.code is None else self.code,
            }
        return _json(body, status=self.status, headers=headers)


def _json(data: Any, *, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    # Exactly `application/json`: discord.py parses nothing else, and aiohttp's json_response adds a charset.
    response = web.Response(body=json.dumps(data).encode(), status=status, headers=headers)
    response.headers["Content-Type"] = "application/json"
    return response


def _no_content() -> web.Response:
    return web.Response(status=204)


class FakeDiscord:
    """A Discord stand-in for one bot: REST + gateway on 127.0.0.1, with two guilds of users and channels.

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
    ) -> None:
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("the fake Discord only listens on loopback")
        self.token = token
        self.host = host
        self.port = port
        self.interaction_deadline = interaction_deadline
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.enforce_global_rate_limit = enforce_global_rate_limit
        names = set(privileged_intents)
        unknown = names - set(gw.PRIVILEGED_NAMES.values())
        if unknown:
            raise ValueError(f"unknown privileged intents {sorted(unknown)}")
        self.allowed_privileged = sum(bit for bit, name in gw.PRIVILEGED_NAMES.items() if name in names)

        self._snowflake = SnowflakeFactory()
        self.application_id = self._snowflake()
        self.bot = FakeUser(self.application_id, bot_name.lower(), bot_name, bot=True)
        self.owner = FakeUser(self._snowflake(), "guild_owner", "Guild Owner")
        self.admin = FakeUser(self._snowflake(), "hana_admin", "Hana")
        self.member = FakeUser(self._snowflake(), "minjun", "Min-jun")
        self.users: dict[int, FakeUser] = {u.id: u for u in (self.bot, self.owner, self.admin, self.member)}
        self.guild = self._make_guild("Drama Club", ["general", "announcements", "trivia", "off-topic"])
        self.other_guild = self._make_guild("Other Server", ["general", "announcements"])
        self.guilds: dict[int, FakeGuild] = {g.id: g for g in (self.guild, self.other_guild)}
        self._dm_channels: dict[int, FakeChannel] = {}

        # Observable state.
        self.request_log: list[RequestRecord] = []
        self.violations: list[Violation] = []
        self.client_errors: list[BaseException] = []
        self.unexpected_routes: list[tuple[str, str]] = []
        self.sync_counts: Counter[int | None] = Counter()
        self.identify_count = 0
        self.gateway_queries: list[dict[str, str]] = []  # each connection's query: v, encoding, compress
        self.resume_count = 0
        self.presence: dict[str, Any] | None = None
        self.reactions: list[tuple[int, str]] = []  # (message id, emoji) the bot added

        self._commands: dict[int | None, dict[str, dict[str, Any]]] = {}
        self._command_ids: dict[tuple[int | None, int, str], int] = {}
        self._messages: dict[int, Message] = {}
        self._files: dict[int, tuple[str, bytes, str]] = {}  # attachment id -> (filename, data, content type)
        self._nonces: dict[tuple[int, str], tuple[float, Message]] = {}
        self._interactions: dict[str, InteractionRecord] = {}
        self._handed_out: set[int] = set()
        self._failures: list[FailureRule] = []
        self._sessions: dict[str, gw.GatewaySession] = {}
        self._subscribers: list[asyncio.Queue[MessageEvent]] = []
        self._changed = asyncio.Event()
        self._rate_window: list[float] = []
        self._runner: web.AppRunner | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self._dropped: set[web.WebSocketResponse] = set()  # sockets the fake closed; their sessions may RESUME

    # ------------------------------------------------------------------ world

    def _make_guild(self, name: str, channel_names: Sequence[str]) -> FakeGuild:
        guild_id = self._snowflake()
        guild = FakeGuild(guild_id, name, owner_id=self.owner.id)
        everyone = FakeRole(guild_id, "@everyone", int(EVERYONE_PERMISSIONS))
        admin = FakeRole(self._snowflake(), "Admin", int(Permission.ADMINISTRATOR | Permission.MANAGE_GUILD), 3)
        fans = FakeRole(self._snowflake(), "Drama Fans", 0, 1, mentionable=True)
        bot_role = FakeRole(
            self._snowflake(),
            self.bot.global_name or "bot",
            int(BOT_ROLE_PERMISSIONS),
            2,
            managed=True,
            bot_id=self.bot.id,
        )
        guild.roles = {r.id: r for r in (everyone, admin, fans, bot_role)}
        for position, channel_name in enumerate(channel_names):
            guild.channels[channel_name] = FakeChannel(self._snowflake(), channel_name, guild_id, position=position)
        guild.members = {
            self.owner.id: FakeMember(self.owner, []),
            self.admin.id: FakeMember(self.admin, [admin.id]),
            self.member.id: FakeMember(self.member, [fans.id]),
            self.bot.id: FakeMember(self.bot, [bot_role.id]),
        }
        return guild

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

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """What discord.py's `Route.BASE` must be set to."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}{GATEWAY_PATH}"

    @property
    def sync_count(self) -> int:
        """How many bulk command syncs (PUT) the bot made, all scopes together."""
        return sum(self.sync_counts.values())

    @property
    def connected(self) -> bool:
        return any(s.ready and s.socket is not None and not s.socket.closed for s in self._sessions.values())

    def user(self, ref: UserRef) -> FakeUser:
        if isinstance(ref, FakeUser):
            return ref
        if isinstance(ref, int):
            try:
                return self.users[ref]
            except KeyError:
                raise SandboxError(f"no user with id {ref}") from None
        for user in self.users.values():
            if ref in (user.username, user.global_name):
                return user
        raise SandboxError(f"no user named {ref!r}; users: {[u.username for u in self.users.values()]}")

    def channel(self, ref: ChannelRef, guild: FakeGuild | None = None) -> FakeChannel:
        """Find a channel by object, id, or name (`"general"` or `"#general"`, in `guild`, default the main one)."""
        if isinstance(ref, FakeChannel):
            return ref
        if isinstance(ref, int):
            for candidate in self._all_channels():
                if candidate.id == ref:
                    return candidate
            raise SandboxError(f"no channel with id {ref}")
        name = ref.removeprefix("#")
        try:
            return (guild or self.guild).channels[name]
        except KeyError:
            raise SandboxError(f"no channel #{name}; channels: {list((guild or self.guild).channels)}") from None

    def _all_channels(self) -> Iterable[FakeChannel]:
        for guild in self.guilds.values():
            yield from guild.channels.values()
        yield from self._dm_channels.values()

    def _guild_of(self, channel: FakeChannel) -> FakeGuild | None:
        return self.guilds.get(channel.guild_id) if channel.guild_id is not None else None

    def dm_channel(self, user: UserRef) -> FakeChannel:
        """The DM channel between the bot and `user` (created on first use, as Discord does)."""
        person = self.user(user)
        if person.id not in self._dm_channels:
            self._dm_channels[person.id] = FakeChannel(
                self._snowflake(), f"dm-{person.username}", None, type=ChannelType.DM, recipient=person
            )
        return self._dm_channels[person.id]

    def add_user(self, username: str, *, guilds: Iterable[FakeGuild] = (), roles: Iterable[str] = ()) -> FakeUser:
        """Create one more person, a member of `guilds` with the named roles (call before the bot connects)."""
        person = FakeUser(self._snowflake(), username, username.title())
        self.users[person.id] = person
        for guild in guilds:
            guild.members[person.id] = FakeMember(person, [guild.role(r).id for r in roles])
        return person

    async def set_overwrite(
        self, channel: ChannelRef, target: FakeUser | FakeRole, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Set a channel permission overwrite for a role or member (e.g. deny the bot SEND_MESSAGES)."""
        where = self.channel(channel)
        kind = 0 if isinstance(target, FakeRole) else 1
        where.overwrites = [o for o in where.overwrites if (o.kind, o.target_id) != (kind, target.id)]
        where.overwrites.append(Overwrite(target.id, kind, int(allow), int(deny)))
        await self._dispatch("CHANNEL_UPDATE", where.to_json(), guild_id=where.guild_id)

    def command(self, name: str, guild_id: int | None = None) -> dict[str, Any]:
        """The synced command `name` (guild commands first, then global), as Discord stores it."""
        for scope in ([guild_id] if guild_id is not None else []) + [None]:
            found = self._commands.get(scope, {}).get(name)
            if found is not None:
                return found
        raise SandboxError(
            f"no synced command /{name} for guild {guild_id}; synced: "
            f"{ {scope: sorted(cmds) for scope, cmds in self._commands.items()} }"
        )

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """The commands synced globally (guild_id None) or to one guild."""
        return list(self._commands.get(guild_id, {}).values())

    def messages(self, channel: ChannelRef | None = None) -> list[Message]:
        """Messages everyone can see in `channel` (or in every channel), oldest first."""
        wanted = self.channel(channel).id if channel is not None else None
        found = [
            m
            for m in self._messages.values()
            if not m.deleted and not m.ephemeral and (wanted is None or m.channel_id == wanted)
        ]
        return sorted(found, key=lambda m: m.order)

    def message(self, message_id: int) -> Message:
        try:
            return self._messages[message_id]
        except KeyError:
            raise SandboxError(f"no message {message_id}") from None

    def attachment_data(self, attachment_id: int) -> bytes:
        return self._files[attachment_id][1]

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one; `port` then holds the real one)."""
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        self._add_routes(app)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        for socket in list(self._sockets):
            with contextlib.suppress(Exception):
                await socket.close(code=1001, message=b"server shutting down")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ waiting and reporting

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def report_client_error(self, error: BaseException) -> None:
        """Record an unexpected error inside the bot; every pending and later wait raises BotError.

        Clear `client_errors` after asserting on an error a test provoked on purpose.
        """
        if any(known is error for known in self.client_errors):
            return  # the same exception both logged and passed to a hooked on_error
        self.client_errors.append(error)
        self._notify()

    async def wait_until(self, predicate: Callable[[], T], *, within: float = 5.0, what: str = "a condition") -> T:
        """Wait until `predicate()` is truthy and return it; raise BotError at once if the bot reports an error."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            changed = self._changed
            if self.client_errors:
                error = self.client_errors[0]
                raise BotError(f"the bot failed while the test waited for {what}: {error!r}") from error
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise SandboxTimeout(f"timed out after {within} s waiting for {what}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def wait_until_ready(self, within: float = 10.0) -> None:
        """Wait until a bot has identified and been sent its guilds."""
        await self.wait_until(lambda: self.connected, within=within, what="the bot to connect to the gateway")

    def _violate(self, kind: str, detail: str, request: web.Request | None = None) -> None:
        violation = Violation(
            kind, detail, request.method if request else "", self._api_path(request) if request else ""
        )
        log.warning("Discord would object: %s: %s", kind, detail)
        self.violations.append(violation)
        self._notify()

    def subscribe(self) -> asyncio.Queue[MessageEvent]:
        """Get every message created, edited or deleted from now on (ephemeral ones too) on a queue."""
        queue: asyncio.Queue[MessageEvent] = asyncio.Queue()
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[MessageEvent]) -> None:
        with contextlib.suppress(ValueError):
            self._subscribers.remove(queue)

    def _publish(self, kind: str, message: Message) -> None:
        for queue in self._subscribers:
            queue.put_nowait(MessageEvent(kind, message))
        self._notify()

    # ------------------------------------------------------------------ error injection

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        *,
        retry_after: float | None = None,
        code: int | None = None,
        message: str | None = None,
        times: int = 1,
        is_global: bool = False,
    ) -> FailureRule:
        """Answer the next `times` requests matching `method` ("*" for any) and `path_regex` with `status`.

        The path is relative to the API base, e.g. r"/channels/\\d+/messages$". A 429 carries `retry_after`
        (default 0.1 s), `global`, and the headers discord.py needs to retry instead of raising.
        """
        rule = FailureRule(method.upper(), re.compile(path_regex), status, retry_after, code, message, times, is_global)
        self._failures.append(rule)
        return rule

    # ------------------------------------------------------------------ HTTP plumbing

    @staticmethod
    def _api_path(request: web.Request) -> str:
        return request.path[len(API_PREFIX) :] if request.path.startswith(API_PREFIX) else request.path

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        path = self._api_path(request)
        response: web.StreamResponse
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        rule = next((r for r in self._failures if r.matches(request.method, path)), None)
        if rule is not None:
            rule.hits += 1
            response = rule.response()
        elif not path.startswith(("/interactions/", "/webhooks/")) and (
            request.headers.get("Authorization") != f"Bot {self.token}"
        ):
            response = _json({"message": "401: Unauthorized", "code": 0}, status=401)
        else:
            try:
                response = await handler(request)
            except DiscordHTTPError as error:
                response = _json(error.body, status=error.status)
        self._log_request(request, path, response.status)
        return response

    def _log_request(self, request: web.Request, path: str, status: int) -> None:
        now = time.monotonic()
        self.request_log.append(RequestRecord(request.method, path, status, now, request.query_string))
        if path.startswith(("/interactions/", "/webhooks/")):
            return  # interaction endpoints are not bound by the global rate limit
        self._rate_window = [t for t in self._rate_window if now - t < 1.0] + [now]
        if self.enforce_global_rate_limit and len(self._rate_window) == GLOBAL_RATE_LIMIT + 1:
            self._violate("global_rate_limit", f"more than {GLOBAL_RATE_LIMIT} requests within one second", request)

    async def _read_body(self, request: web.Request) -> tuple[Any, list[tuple[str, bytes, str]]]:
        """Return (JSON payload, files in index order) from a JSON or multipart (payload_json + files[n]) body."""
        if request.content_type.startswith("multipart/"):
            payload: Any = None
            indexed: list[tuple[int, tuple[str, bytes, str]]] = []
            reader = await request.multipart()
            async for part in reader:
                if not hasattr(part, "read"):
                    continue
                name = part.name or ""  # type: ignore[union-attr]
                if name == "payload_json":
                    payload = json.loads(await part.text())  # type: ignore[union-attr]
                elif name.startswith("files["):
                    index = int(name[len("files[") : -1])
                    data = bytes(await part.read(decode=False))  # type: ignore[union-attr]
                    content_type = part.headers.get("Content-Type", "application/octet-stream")
                    indexed.append((index, (part.filename or f"file{index}", data, content_type)))  # type: ignore[union-attr]
            return payload, [f for _, f in sorted(indexed)]
        if not request.can_read_body:
            return None, []
        text = await request.text()
        return (json.loads(text) if text else None), []

    def _add_routes(self, app: web.Application) -> None:
        r = app.router
        a = API_PREFIX
        r.add_get(GATEWAY_PATH, self._gateway)
        r.add_get(CDN_PREFIX + "/{channel}/{attachment}/{filename}", self._cdn)
        r.add_get(a + "/gateway", self._get_gateway)
        r.add_get(a + "/gateway/bot", self._get_gateway_bot)
        r.add_get(a + "/users/@me", self._get_me)
        r.add_post(a + "/users/@me/channels", self._create_dm)
        r.add_get(a + "/users/{user}", self._get_user)
        r.add_get(a + "/oauth2/applications/@me", self._get_application)
        r.add_get(a + "/applications/@me", self._get_application)
        for scope in ("", "/guilds/{guild}"):
            base = a + "/applications/{app}" + scope + "/commands"
            r.add_get(base, self._get_commands)
            r.add_put(base, self._put_commands)
            r.add_post(base, self._post_command)
            r.add_get(base + "/{command}", self._get_command)
            r.add_patch(base + "/{command}", self._patch_command)
            r.add_delete(base + "/{command}", self._delete_command)
        r.add_get(a + "/applications/{app}/guilds/{guild}/commands/permissions", self._empty_list)
        r.add_post(a + "/interactions/{interaction}/{token}/callback", self._interaction_callback)
        r.add_post(a + "/webhooks/{app}/{token}", self._webhook_execute)
        r.add_get(a + "/webhooks/{app}/{token}/messages/{message}", self._webhook_get)
        r.add_patch(a + "/webhooks/{app}/{token}/messages/{message}", self._webhook_edit)
        r.add_delete(a + "/webhooks/{app}/{token}/messages/{message}", self._webhook_delete)
        r.add_get(a + "/channels/{channel}", self._get_channel)
        r.add_get(a + "/channels/{channel}/messages", self._list_messages)
        r.add_post(a + "/channels/{channel}/messages", self._create_channel_message)
        r.add_get(a + "/channels/{channel}/messages/{message}", self._get_channel_message)
        r.add_patch(a + "/channels/{channel}/messages/{message}", self._edit_channel_message)
        r.add_delete(a + "/channels/{channel}/messages/{message}", self._delete_channel_message)
        r.add_post(a + "/channels/{channel}/typing", self._typing)
        r.add_put(a + "/channels/{channel}/messages/{message}/reactions/{emoji}/@me", self._add_reaction)
        r.add_delete(a + "/channels/{channel}/messages/{message}/reactions/{emoji}/@me", self._remove_reaction)
        r.add_get(a + "/guilds/{guild}", self._get_guild)
        r.add_get(a + "/guilds/{guild}/channels", self._get_guild_channels)
        r.add_get(a + "/guilds/{guild}/roles", self._get_guild_roles)
        r.add_get(a + "/guilds/{guild}/members", self._get_guild_members)
        r.add_get(a + "/guilds/{guild}/members/{user}", self._get_guild_member)
        r.add_route("*", "/{tail:.*}", self._unexpected)

    async def _unexpected(self, request: web.Request) -> web.Response:
        path = self._api_path(request)
        self.unexpected_routes.append((request.method, path))
        log.warning("fake Discord has no route for %s %s", request.method, path)
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    async def _empty_list(self, request: web.Request) -> web.Response:
        return _json([])

    async def _cdn(self, request: web.Request) -> web.Response:
        try:
            _, data, content_type = self._files[int(request.match_info["attachment"])]
        except (KeyError, ValueError):
            return web.Response(status=404)
        return web.Response(body=data, headers={"Content-Type": content_type})

    # ------------------------------------------------------------------ lookups for handlers

    def _channel_or_404(self, request: web.Request) -> FakeChannel:
        try:
            channel_id = int(request.match_info["channel"])
        except ValueError:
            raise _unknown("Channel", 10003) from None
        channel = next((c for c in self._all_channels() if c.id == channel_id), None)
        if channel is None:
            raise _unknown("Channel", 10003)
        return channel

    def _message_or_404(self, channel: FakeChannel, raw_id: str) -> Message:
        try:
            message = self._messages[int(raw_id)]
        except (KeyError, ValueError):
            raise _unknown("Message", 10008) from None
        if message.channel_id != channel.id or message.deleted or message.ephemeral:
            raise _unknown("Message", 10008)
        return message

    def _guild_or_404(self, request: web.Request) -> FakeGuild:
        try:
            return self.guilds[int(request.match_info["guild"])]
        except (KeyError, ValueError):
            raise _unknown("Guild", 10004) from None

    def _check_app(self, request: web.Request) -> None:
        if request.match_info.get("app") != str(self.application_id):
            raise _unknown("Application", 10002)

    # ------------------------------------------------------------------ REST: login, users, guilds

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return _json({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        return _json(
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
            }
        )

    async def _get_me(self, request: web.Request) -> web.Response:
        data = self.bot.to_json() | {"verified": True, "mfa_enabled": False, "locale": "en-US", "email": None}
        return _json(data)

    async def _get_user(self, request: web.Request) -> web.Response:
        try:
            return _json(self.users[int(request.match_info["user"])].to_json())
        except (KeyError, ValueError):
            raise _unknown("User", 10013) from None

    async def _get_application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": str(self.application_id),
                "name": self.bot.global_name,
                "icon": None,
                "description": "A fake application served by bot.sandbox",
                "summary": "",
                "type": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.owner.to_json(),
                "team": None,
                "verify_key": "0" * 64,
                "flags": 1 << 19,  # GATEWAY_MESSAGE_CONTENT_LIMITED: not approved for message content
                "interactions_endpoint_url": None,
                "bot": self.bot.to_json(),
                "approximate_guild_count": len(self.guilds),
                "redirect_uris": [],
                "tags": [],
            }
        )

    async def _create_dm(self, request: web.Request) -> web.Response:
        body, _ = await self._read_body(request)
        try:
            user = self.users[int(body["recipient_id"])]
        except (KeyError, ValueError, TypeError):
            raise _unknown("User", 10013) from None
        return _json(self.dm_channel(user).to_json())

    async def _get_guild(self, request: web.Request) -> web.Response:
        guild = self._guild_or_404(request)
        return _json(guild.to_json(full=False) | {"approximate_member_count": len(guild.members)})

    async def _get_guild_channels(self, request: web.Request) -> web.Response:
        return _json([c.to_json() for c in self._guild_or_404(request).channels.values()])

    async def _get_guild_roles(self, request: web.Request) -> web.Response:
        return _json([r.to_json() for r in self._guild_or_404(request).roles.values()])

    async def _get_guild_members(self, request: web.Request) -> web.Response:
        return _json([m.to_json() for m in self._guild_or_404(request).members.values()])

    async def _get_guild_member(self, request: web.Request) -> web.Response:
        guild = self._guild_or_404(request)
        try:
            return _json(guild.members[int(request.match_info["user"])].to_json())
        except (KeyError, ValueError):
            raise _unknown("Member", 10007) from None

    async def _get_channel(self, request: web.Request) -> web.Response:
        return _json(self._channel_or_404(request).to_json())

    # ------------------------------------------------------------------ REST: application commands

    def _command_scope(self, request: web.Request) -> int | None:
        self._check_app(request)
        if "guild" in request.match_info:
            return self._guild_or_404(request).id
        return None

    def _store_command(self, scope: int | None, body: dict[str, Any]) -> dict[str, Any]:
        kind = body.get("type", 1)
        key = (scope, kind, body["name"])
        command_id = self._command_ids.setdefault(key, self._snowflake())
        stored = {
            "id": str(command_id),
            "application_id": str(self.application_id),
            "version": str(self._snowflake()),
            "type": kind,
            "name": body["name"],
            "name_localizations": body.get("name_localizations"),
            "description": body.get("description", ""),
            "description_localizations": body.get("description_localizations"),
            "options": body.get("options") or [],
            "default_member_permissions": body.get("default_member_permissions"),
            "dm_permission": body.get("dm_permission", True),
            "contexts": body.get("contexts"),
            "integration_types": body.get("integration_types") or [0],
            "nsfw": body.get("nsfw", False),
        }
        if scope is not None:
            stored["guild_id"] = str(scope)
        self._commands.setdefault(scope, {})[body["name"]] = stored
        return stored

    async def _get_commands(self, request: web.Request) -> web.Response:
        return _json(self.commands(self._command_scope(request)))

    async def _put_commands(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        body, _ = await self._read_body(request)
        errors = limits.check_commands(body or [])
        if errors:
            self._violate("invalid_commands", "; ".join(map(str, errors)), request)
            raise DiscordHTTPError(400, 50035, "Invalid Form Body", limits.form_error_body(errors))
        self.sync_counts[scope] += 1
        self._commands[scope] = {}
        stored = [self._store_command(scope, command) for command in body or []]
        self._notify()
        return _json(stored)

    async def _post_command(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        body, _ = await self._read_body(request)
        errors = limits.check_commands([body])
        if errors:
            raise DiscordHTTPError(400, 50035, "Invalid Form Body", limits.form_error_body(errors))
        existed = body["name"] in self._commands.get(scope, {})
        return _json(self._store_command(scope, body), status=200 if existed else 201)

    def _command_by_id(self, request: web.Request) -> tuple[int | None, dict[str, Any]]:
        scope = self._command_scope(request)
        for command in self._commands.get(scope, {}).values():
            if command["id"] == request.match_info["command"]:
                return scope, command
        raise _unknown("application command", 10063)

    async def _get_command(self, request: web.Request) -> web.Response:
        return _json(self._command_by_id(request)[1])

    async def _patch_command(self, request: web.Request) -> web.Response:
        scope, command = self._command_by_id(request)
        body, _ = await self._read_body(request)
        return _json(self._store_command(scope, command | (body or {})))

    async def _delete_command(self, request: web.Request) -> web.Response:
        scope, command = self._command_by_id(request)
        del self._commands[scope][command["name"]]
        return _no_content()

    # ------------------------------------------------------------------ messages

    def _attachments_for(
        self,
        channel: FakeChannel,
        listed: list[dict[str, Any]] | None,
        files: list[tuple[str, bytes, str]],
        existing: Sequence[dict[str, Any]] = (),
    ) -> tuple[list[dict[str, Any]], dict[int, bytes]]:
        """Turn `attachments` entries + uploaded files into attachment JSON; keep listed existing ones."""
        kept_by_id = {a["id"]: a for a in existing}
        result: list[dict[str, Any]] = []
        data: dict[int, bytes] = {}
        entries = listed if listed is not None else [{"id": i} for i in range(len(files))]
        used: set[int] = set()
        for entry in entries:
            raw_id = str(entry.get("id"))
            if raw_id in kept_by_id:
                result.append(kept_by_id[raw_id])
                data[int(raw_id)] = self._files.get(int(raw_id), ("", b"", ""))[1]
                continue
            index = int(raw_id)
            if not 0 <= index < len(files):
                raise DiscordHTTPError(
                    400,
                    50035,
                    "Invalid Form Body",
                    limits.form_error_body(
                        [
                            limits.FormError(
                                ("attachments",), "ATTACHMENT_NOT_FOUND", f"No file uploaded for attachment {index}"
                            )
                        ]
                    ),
                )
            used.add(index)
            result.append(self._new_attachment(channel, files[index], entry.get("description")))
            data[int(result[-1]["id"])] = files[index][1]
        for index, upload in enumerate(files):
            if index not in used and listed is None:
                result.append(self._new_attachment(channel, upload, None))
                data[int(result[-1]["id"])] = upload[1]
        return result, data

    def _new_attachment(
        self, channel: FakeChannel, upload: tuple[str, bytes, str], description: str | None
    ) -> dict[str, Any]:
        filename, data, content_type = upload
        attachment_id = self._snowflake()
        self._files[attachment_id] = (filename, data, content_type)
        url = f"{self.base_url}{CDN_PREFIX}/{channel.id}/{attachment_id}/{filename}"
        attachment: dict[str, Any] = {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }
        if description:
            attachment["description"] = description
        return attachment

    def _reject_invalid(
        self,
        payload: dict[str, Any],
        request: web.Request,
        *,
        what: str,
        record: InteractionRecord | None = None,
        creating: bool,
        has_files: bool,
    ) -> None:
        errors = limits.check_message(payload)
        if errors:
            body = limits.form_error_body(errors)
            self._violate("invalid_message", f"{what}: " + "; ".join(map(str, errors)), request)
            if record is not None:
                record.rejected.append(body)
                record.touch()
            raise DiscordHTTPError(400, 50035, "Invalid Form Body", body)
        empty = not (
            payload.get("content")
            or payload.get("embeds")
            or payload.get("components")
            or payload.get("sticker_ids")
            or payload.get("poll")
            or has_files
        )
        if creating and empty:
            body = {"message": "Cannot send an empty message", "code": 50006}
            self._violate("empty_message", what, request)
            if record is not None:
                record.rejected.append(body)
            raise DiscordHTTPError(400, 50006, "Cannot send an empty message", body)

    def _build_message(
        self,
        channel: FakeChannel,
        author: FakeUser,
        payload: dict[str, Any],
        files: list[tuple[str, bytes, str]],
        *,
        message_type: int = 0,
        flags: int = 0,
        record: InteractionRecord | None = None,
    ) -> Message:
        message_id = self._snowflake()
        attachments, data = self._attachments_for(channel, payload.get("attachments"), files)
        allowed = payload.get("allowed_mentions")
        reference = payload.get("message_reference")
        referenced = self._messages.get(int(reference["message_id"])) if reference else None
        if reference and referenced is None and reference.get("fail_if_not_exists", True):
            raise _unknown("Message", 10008)
        raw: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel.id),
            "author": author.to_json(),
            "content": payload.get("content") or "",
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": [self._normalise_embed(e) for e in payload.get("embeds") or []],
            "components": payload.get("components") or [],
            "reactions": [],
            "pinned": False,
            "type": 19 if referenced is not None else message_type,
            "flags": flags,
        }
        if payload.get("nonce") is not None:
            raw["nonce"] = payload["nonce"]
        if referenced is not None:
            raw["message_reference"] = {
                "type": 0,
                "message_id": str(referenced.id),
                "channel_id": str(referenced.channel_id),
            }
            raw["referenced_message"] = dict(referenced.raw)
        if channel.guild_id is not None:
            raw["guild_id"] = str(channel.guild_id)
        if author.bot:
            raw["application_id"] = str(self.application_id)
        if record is not None:
            raw["webhook_id"] = str(self.application_id)
            raw["interaction_metadata"] = {
                "id": str(record.id),
                "type": record.kind,
                "user": record.user.to_json(),
                "authorizing_integration_owners": record.payload.get("authorizing_integration_owners", {}),
            }
            if record.kind == APPLICATION_COMMAND:
                raw["interaction_metadata"]["name"] = record.label.lstrip("/")
                raw["interaction"] = {
                    "id": str(record.id),
                    "type": record.kind,
                    "name": record.label.lstrip("/"),
                    "user": record.user.to_json(),
                }
        self._apply_mentions(raw, allowed, replied=referenced)
        message = Message(
            raw,
            files=data,
            allowed_mentions=allowed,
            visible_to=record.user.id if record is not None and flags & 64 else None,
            interaction_id=record.id if record is not None else None,
        )
        self._messages[message_id] = message
        return message

    @staticmethod
    def _normalise_embed(embed: dict[str, Any]) -> dict[str, Any]:
        return {"type": "rich", **embed}

    def _apply_mentions(
        self, raw: dict[str, Any], allowed: dict[str, Any] | None, *, replied: Message | None = None
    ) -> None:
        replied_user = replied.author_id if replied is not None else None
        user_ids, role_ids, everyone = pinged(raw["content"], allowed, replied_user_id=replied_user)
        raw["mentions"] = [self.users[u].to_json() for u in user_ids if u in self.users]
        raw["mention_roles"] = [str(r) for r in role_ids]
        raw["mention_everyone"] = everyone

    def _edit(self, message: Message, payload: dict[str, Any], files: list[tuple[str, bytes, str]]) -> None:
        raw = message.raw
        if "content" in payload:
            raw["content"] = payload["content"] or ""
        if "embeds" in payload:
            raw["embeds"] = [self._normalise_embed(e) for e in payload["embeds"] or []]
        if "components" in payload:
            raw["components"] = payload["components"] or []
        if "flags" in payload and payload["flags"] is not None:
            # Only SUPPRESS_EMBEDS (4) and IS_COMPONENTS_V2 (1<<15) can be changed by an edit.
            changeable = 4 | limits.IS_COMPONENTS_V2
            raw["flags"] = (raw["flags"] & ~changeable) | (int(payload["flags"]) & changeable)
        raw["flags"] &= ~128  # any edit ends the "thinking..." state
        if "attachments" in payload or files:
            channel = self.channel(message.channel_id)
            attachments, data = self._attachments_for(channel, payload.get("attachments"), files, raw["attachments"])
            if "attachments" not in payload:
                attachments = raw["attachments"] + attachments
                data = message.files | data
            raw["attachments"] = attachments
            message.files = data
        if "allowed_mentions" in payload:
            message.allowed_mentions = payload["allowed_mentions"]
        self._apply_mentions(raw, message.allowed_mentions)
        raw["edited_timestamp"] = iso_now()
        message.edits += 1

    def _merged(self, message: Message, payload: dict[str, Any]) -> dict[str, Any]:
        merged = {k: message.raw.get(k) for k in ("content", "embeds", "components", "flags")}
        merged.update({k: v for k, v in payload.items() if k in merged and v is not None})
        return merged

    async def _after_create(self, message: Message) -> None:
        self._publish("create", message)
        if not message.ephemeral:
            await self._dispatch_message(message)

    async def _after_edit(self, message: Message) -> None:
        self._publish("update", message)
        if not message.ephemeral:
            await self._dispatch("MESSAGE_UPDATE", self._message_event(message), guild_id=self._guild_id_of(message))

    async def _after_delete(self, message: Message) -> None:
        message.deleted = True
        self._publish("delete", message)
        if not message.ephemeral:
            data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
            guild_id = self._guild_id_of(message)
            if guild_id is not None:
                data["guild_id"] = str(guild_id)
            await self._dispatch("MESSAGE_DELETE", data, guild_id=guild_id)

    def _guild_id_of(self, message: Message) -> int | None:
        return int(message.raw["guild_id"]) if "guild_id" in message.raw else None

    def _message_event(self, message: Message) -> dict[str, Any]:
        data = dict(message.raw)
        guild = self.guilds.get(self._guild_id_of(message) or 0)
        if guild is not None:
            member = guild.members.get(message.author_id)
            if member is not None:
                data["member"] = member.to_json(with_user=False)
        return data

    async def _dispatch_message(self, message: Message) -> None:
        """Send MESSAGE_CREATE, blanking what a bot without the message-content intent may not read."""
        guild_id = self._guild_id_of(message)
        full = self._message_event(message)
        mentions_bot = self.bot.id in message.mentioned_user_ids or any(
            int(u) == self.bot.id for u in re.findall(r"<@!?(\d+)>", message.content)
        )
        readable = guild_id is None or message.author_id == self.bot.id or mentions_bot
        blanked = full if readable else full | {"content": "", "embeds": [], "attachments": [], "components": []}
        for session in list(self._sessions.values()):
            if session.wants("MESSAGE_CREATE", guild_id=guild_id):
                can_read = readable or bool(session.intents & gw.MESSAGE_CONTENT)
                await session.dispatch("MESSAGE_CREATE", full if can_read else blanked)

    def _check_bot_can_send(self, channel: FakeChannel, has_files: bool) -> None:
        guild = self._guild_of(channel)
        if guild is None:
            return
        perms = guild.channel_permissions(channel, self.bot.id)
        needed = Permission.VIEW_CHANNEL | Permission.SEND_MESSAGES | (Permission.ATTACH_FILES if has_files else 0)
        if perms & needed != needed:
            raise DiscordHTTPError(403, 50013, "Missing Permissions")

    async def _create_channel_message(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request)
        payload, files = await self._read_body(request)
        payload = payload or {}
        self._check_bot_can_send(channel, bool(files))
        nonce = payload.get("nonce")
        if nonce is not None and payload.get("enforce_nonce"):
            key = (self.bot.id, str(nonce))
            seen = self._nonces.get(key)
            if seen is not None and time.monotonic() - seen[0] < NONCE_WINDOW:
                return _json(seen[1].raw)
        self._reject_invalid(payload, request, what=f"message to #{channel.name}", creating=True, has_files=bool(files))
        message = self._build_message(channel, self.bot, payload, files)
        if nonce is not None:
            self._nonces[(self.bot.id, str(nonce))] = (time.monotonic(), message)
        await self._after_create(message)
        return _json(message.raw)

    async def _list_messages(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request)
        limit = min(int(request.query.get("limit", 50)), 100)
        found = self.messages(channel)
        if "before" in request.query:
            found = [m for m in found if m.id < int(request.query["before"])]
        if "after" in request.query:
            found = [m for m in found if m.id > int(request.query["after"])][:limit]
        if "around" in request.query:
            pivot = int(request.query["around"])
            found = sorted(found, key=lambda m: abs(m.id - pivot))[:limit]
            found.sort(key=lambda m: m.id)
        return _json([m.raw for m in reversed(found[-limit:])])

    async def _get_channel_message(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request)
        return _json(self._message_or_404(channel, request.match_info["message"]).raw)

    async def _edit_channel_message(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request)
        message = self._message_or_404(channel, request.match_info["message"])
        if message.author_id != self.bot.id:
            raise DiscordHTTPError(403, 50005, "Cannot edit a message authored by another user")
        payload, files = await self._read_body(request)
        payload = payload or {}
        self._reject_invalid(
            self._merged(message, payload),
            request,
            what=f"edit of message {message.id}",
            creating=False,
            has_files=bool(files),
        )
        self._edit(message, payload, files)
        await self._after_edit(message)
        return _json(message.raw)

    async def _delete_channel_message(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request)
        message = self._message_or_404(channel, request.match_info["message"])
        guild = self._guild_of(channel)
        if message.author_id != self.bot.id and not (
            guild and guild.channel_permissions(channel, self.bot.id) & Permission.MANAGE_MESSAGES
        ):
            raise DiscordHTTPError(403, 50013, "Missing Permissions")
        await self._after_delete(message)
        return _no_content()

    async def _typing(self, request: web.Request) -> web.Response:
        self._channel_or_404(request)
        return _no_content()

    async def _add_reaction(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request)
        message = self._message_or_404(channel, request.match_info["message"])
        self.reactions.append((message.id, request.match_info["emoji"]))
        self._notify()
        return _no_content()

    async def _remove_reaction(self, request: web.Request) -> web.Response:
        channel = self._channel_or_404(request)
        message = self._message_or_404(channel, request.match_info["message"])
        with contextlib.suppress(ValueError):
            self.reactions.remove((message.id, request.match_info["emoji"]))
        return _no_content()

    # ------------------------------------------------------------------ interactions: callbacks and webhooks

    async def _interaction_callback(self, request: web.Request) -> web.Response:
        record = self._interactions.get(request.match_info["token"])
        if record is None or str(record.id) != request.match_info["interaction"]:
            raise _unknown("interaction", 10062)
        payload, files = await self._read_body(request)
        payload = payload or {}
        kind = int(payload.get("type", 0))
        data: dict[str, Any] = payload.get("data") or {}
        elapsed = time.monotonic() - record.created
        if record.callbacks:
            self._violate("double_response", f"{record.label} was answered twice", request)
            body = {"message": "Interaction has already been acknowledged.", "code": 40060}
            record.rejected.append(body)
            raise DiscordHTTPError(400, 40060, body["message"], body)
        if elapsed > self.interaction_deadline:
            self._violate(
                "late_response",
                f"{record.label} first answered after {elapsed:.2f} s (limit {self.interaction_deadline} s)",
                request,
            )
            record.rejected.append({"message": "Unknown interaction", "code": 10062})
            record.touch()
            raise _unknown("interaction", 10062)
        if kind not in ALLOWED_CALLBACKS[record.kind]:
            self._violate("wrong_callback", f"callback type {kind} is not valid for {record.label}", request)
            raise DiscordHTTPError(
                400,
                50035,
                "Invalid Form Body",
                limits.form_error_body(
                    [limits.FormError(("type",), "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid response type")]
                ),
            )
        if kind in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
            updating = kind == UPDATE_MESSAGE and record.source_message is not None
            self._reject_invalid(
                self._merged(record.source_message, data) if updating else data,  # type: ignore[arg-type]
                request,
                what=f"reply to {record.label}",
                record=record,
                creating=kind == CHANNEL_MESSAGE,
                has_files=bool(files),
            )
        elif kind == AUTOCOMPLETE_RESULT:
            errors = limits.check_choices(data.get("choices") or [])
            if errors:
                body = limits.form_error_body(errors)
                self._violate("invalid_choices", f"{record.label}: " + "; ".join(map(str, errors)), request)
                record.rejected.append(body)
                record.touch()
                raise DiscordHTTPError(400, 50035, "Invalid Form Body", body)
        elif kind == MODAL:
            errors = limits.check_modal(data)
            if errors:
                body = limits.form_error_body(errors)
                self._violate("invalid_modal", f"{record.label}: " + "; ".join(map(str, errors)), request)
                record.rejected.append(body)
                raise DiscordHTTPError(400, 50035, "Invalid Form Body", body)

        record.callbacks.append(Callback(kind, data, elapsed))
        record.touch()
        resource: dict[str, Any] = {"type": kind}
        created: Message | None = None
        if kind == CHANNEL_MESSAGE:
            flags = int(data.get("flags") or 0) & (64 | 4 | 4096 | limits.IS_COMPONENTS_V2)
            created = self._build_message(
                record.channel,
                self.bot,
                data,
                files,
                record=record,
                flags=flags,
                message_type=20 if record.kind == APPLICATION_COMMAND else 0,
            )
            record.original = created
        elif kind == DEFERRED_CHANNEL_MESSAGE:
            flags = 128 | (int(data.get("flags") or 0) & 64)
            created = self._build_message(
                record.channel,
                self.bot,
                {},
                [],
                record=record,
                flags=flags,
                message_type=20 if record.kind == APPLICATION_COMMAND else 0,
            )
            record.original = created
        elif kind in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            record.original = record.source_message
            if kind == UPDATE_MESSAGE and record.source_message is not None:
                self._edit(record.source_message, data, files)
                await self._after_edit(record.source_message)
        elif kind == AUTOCOMPLETE_RESULT:
            record.choices = list(data.get("choices") or [])
        elif kind == MODAL:
            record.modal = data
        if created is not None:
            await self._after_create(created)
        if kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, UPDATE_MESSAGE) and record.original is not None:
            resource["message"] = record.original.raw
        self._notify()
        if request.query.get("with_response", "").lower() not in ("1", "true"):
            return _no_content()
        original = record.original
        return _json(
            {
                "interaction": {
                    "id": str(record.id),
                    "type": record.kind,
                    "activity_instance_id": None,
                    "response_message_id": str(original.id) if original is not None else None,
                    "response_message_loading": kind == DEFERRED_CHANNEL_MESSAGE,
                    "response_message_ephemeral": bool(original is not None and original.ephemeral),
                },
                "resource": resource,
            }
        )

    def _webhook_record(self, request: web.Request) -> InteractionRecord:
        record = self._interactions.get(request.match_info["token"])
        if request.match_info["app"] != str(self.application_id) or record is None:
            raise _unknown("Webhook", 10015)
        if time.monotonic() - record.created > FOLLOWUP_WINDOW:
            raise DiscordHTTPError(401, 50027, "Invalid Webhook Token")
        if not record.callbacks:
            self._violate("followup_before_response", f"{record.label}: webhook used before any callback", request)
            raise _unknown("Webhook", 10015)
        return record

    def _webhook_message(self, record: InteractionRecord, raw_id: str) -> Message:
        if raw_id == "@original":
            if record.original is None or record.original.deleted:
                raise _unknown("Message", 10008)
            return record.original
        message = self._messages.get(int(raw_id)) if raw_id.isdigit() else None
        if message is None or message.deleted or message.interaction_id != record.id:
            raise _unknown("Message", 10008)
        return message

    async def _webhook_execute(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        payload, files = await self._read_body(request)
        payload = payload or {}
        original = record.original
        if original is not None and original.loading and not original.deleted:
            # Discord turns the first follow-up after a deferred reply into that reply, ephemeral or not as
            # the defer said, whatever the follow-up's own flags.
            self._reject_invalid(
                payload,
                request,
                what=f"follow-up to {record.label}",
                record=record,
                creating=True,
                has_files=bool(files),
            )
            self._edit(original, {k: v for k, v in payload.items() if k != "flags"}, files)
            message = original
            await self._after_edit(message)
        else:
            self._reject_invalid(
                payload,
                request,
                what=f"follow-up to {record.label}",
                record=record,
                creating=True,
                has_files=bool(files),
            )
            flags = int(payload.get("flags") or 0) & (64 | 4 | 4096 | limits.IS_COMPONENTS_V2)
            message = self._build_message(record.channel, self.bot, payload, files, record=record, flags=flags)
            record.followups.append(message)
            await self._after_create(message)
        record.touch()
        self._notify()
        if request.query.get("wait", "").lower() in ("1", "true"):
            return _json(message.raw)
        return _no_content()

    async def _webhook_get(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        return _json(self._webhook_message(record, request.match_info["message"]).raw)

    async def _webhook_edit(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        message = self._webhook_message(record, request.match_info["message"])
        payload, files = await self._read_body(request)
        payload = payload or {}
        self._reject_invalid(
            self._merged(message, payload),
            request,
            what=f"edit of the reply to {record.label}",
            record=record,
            creating=False,
            has_files=bool(files),
        )
        self._edit(message, payload, files)
        record.touch()
        await self._after_edit(message)
        return _json(message.raw)

    async def _webhook_delete(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        message = self._webhook_message(record, request.match_info["message"])
        record.touch()
        await self._after_delete(message)
        return _no_content()

    # ------------------------------------------------------------------ gateway

    async def _dispatch(self, event: str, data: dict[str, Any], *, guild_id: int | None) -> None:
        for session in list(self._sessions.values()):
            if session.wants(event, guild_id=guild_id):
                await session.dispatch(event, data)

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse(max_msg_size=0)
        await socket.prepare(request)
        self._sockets.add(socket)
        self.gateway_queries.append(dict(request.query))
        encoder = gw.encoder_for(request.query.get("compress"))
        connection = gw.GatewaySession("", 0, None, socket=socket, encoder=encoder)
        session: gw.GatewaySession | None = None
        try:
            await connection.send_raw({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
            async for frame in socket:
                if frame.type != WSMsgType.TEXT:
                    continue
                message = json.loads(frame.data)
                op, data = message.get("op"), message.get("d")
                target = session or connection
                if op == 1:
                    await target.send_raw({"op": 11})
                elif op == 2:
                    session = await self._identify(connection, data or {})
                elif op == 6:
                    session = await self._resume(connection, data or {})
                elif op == 3:
                    self.presence = data
                elif op == 8 and session is not None:
                    await self._send_member_chunks(session, data or {})
        finally:
            self._sockets.discard(socket)
            if session is not None and session.socket is socket:
                session.socket = None
                if socket.close_code in (1000, 1001) and socket not in self._dropped:
                    # A clean close ends the session; only a dropped connection may RESUME.
                    self._sessions.pop(session.session_id, None)
            self._dropped.discard(socket)
            self._notify()
        return socket

    async def _identify(self, connection: gw.GatewaySession, data: dict[str, Any]) -> gw.GatewaySession | None:
        socket = connection.socket
        assert socket is not None
        if data.get("token") != self.token:
            await socket.close(code=4004, message=b"Authentication failed.")
            return None
        intents = data.get("intents")
        if intents is None:
            await socket.close(code=4013, message=b"Invalid intent(s).")
            return None
        if intents & gw.PRIVILEGED_INTENTS & ~self.allowed_privileged:
            await socket.close(code=4014, message=b"Disallowed intent(s).")
            return None
        shard = data.get("shard")
        session = gw.GatewaySession(
            secrets.token_hex(16), int(intents), shard, socket=socket, encoder=connection.encoder, lock=connection.lock
        )
        self._sessions[session.session_id] = session
        self.identify_count += 1
        guilds = [
            g for g in self.guilds.values() if session.wants("GUILD_CREATE", guild_id=g.id) or not intents & gw.GUILDS
        ]
        ready: dict[str, Any] = {
            "v": 10,
            "user": self.bot.to_json() | {"verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 1 << 19},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": ["sandbox"],
            "auth": {},
            "_trace": ["bot.sandbox"],
        }
        if shard is not None:
            ready["shard"] = shard
        await session.dispatch("READY", ready)
        for guild in guilds:
            data = guild.to_json()
            if not intents & gw.GUILD_MEMBERS:
                # Without the members intent Discord only sends the bot's own member.
                data["members"] = [guild.members[self.bot.id].to_json()]
            await session.dispatch("GUILD_CREATE", data)
        session.ready = True
        self._notify()
        return session

    async def _resume(self, connection: gw.GatewaySession, data: dict[str, Any]) -> gw.GatewaySession | None:
        session = self._sessions.get(str(data.get("session_id")))
        if session is None or data.get("token") != self.token:
            await connection.send_raw({"op": 9, "d": False})
            return None
        session.socket = connection.socket
        session.encoder = connection.encoder
        session.lock = connection.lock
        await session.replay_after(int(data.get("seq") or 0))
        await session.dispatch("RESUMED", {"_trace": ["bot.sandbox"]})
        self.resume_count += 1
        self._notify()
        return session

    async def _send_member_chunks(self, session: gw.GatewaySession, data: dict[str, Any]) -> None:
        guild = self.guilds.get(int(data.get("guild_id", 0)))
        if guild is None:
            return
        members = list(guild.members.values())
        if data.get("user_ids"):
            wanted = {int(u) for u in data["user_ids"]}
            members = [m for m in members if m.user.id in wanted]
        elif data.get("query"):
            members = [m for m in members if m.user.username.startswith(data["query"])]
        chunk = {
            "guild_id": str(guild.id),
            "members": [m.to_json() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    async def disconnect(self, code: int = 4000) -> None:
        """Drop the bot's gateway socket as Discord sometimes does; with 4000 the client reconnects and RESUMEs."""
        for session in list(self._sessions.values()):
            if session.socket is not None:
                self._dropped.add(session.socket)
                await session.socket.close(code=code, message=b"sandbox disconnect")

    # ------------------------------------------------------------------ driving: commands

    def _scope_for(self, channel: FakeChannel, guild: FakeGuild | None) -> FakeGuild | None:
        actual = self._guild_of(channel)
        if guild is not None and actual is not None and guild is not actual:
            raise SandboxError(f"#{channel.name} is not in guild {guild.name!r}")
        return actual

    def _member_permissions(self, guild: FakeGuild | None, channel: FakeChannel, user: FakeUser) -> int:
        if guild is None:
            return int(EVERYONE_PERMISSIONS)
        if user.id not in guild.members:
            raise SandboxError(f"{user.username} is not a member of {guild.name!r}")
        return guild.channel_permissions(channel, user.id)

    def _new_interaction(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        label: str,
        user: FakeUser,
        channel: FakeChannel,
        locale: str = "en-US",
        message: Message | None = None,
    ) -> InteractionRecord:
        guild = self._guild_of(channel)
        interaction_id = self._snowflake()
        token = f"interaction.{interaction_id}.{secrets.token_urlsafe(24)}"
        permissions = self._member_permissions(guild, channel, user)
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "token": token,
            "version": 1,
            "data": data,
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "channel_id": str(channel.id),
            "channel": channel.to_json(),
        }
        if guild is not None:
            member = guild.members[user.id]
            payload |= {
                "guild_id": str(guild.id),
                "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "member": member.to_json(permissions=permissions),
                "app_permissions": str(guild.channel_permissions(channel, self.bot.id)),
                "authorizing_integration_owners": {"0": str(guild.id)},
                "context": 0,
            }
        else:
            payload |= {
                "user": user.to_json(),
                "app_permissions": str(int(EVERYONE_PERMISSIONS)),
                "authorizing_integration_owners": {"0": str(user.id)},
                "context": 1,
            }
        if message is not None:
            payload["message"] = message.raw
        record = InteractionRecord(
            id=interaction_id,
            token=token,
            kind=kind,
            label=label,
            user=user,
            channel=channel,
            guild=guild,
            payload=payload,
            source_message=message,
        )
        self._interactions[token] = record
        return record

    async def _send_interaction(self, record: InteractionRecord) -> None:
        if not self.connected:
            raise SandboxError("no bot is connected to the fake gateway; start one and await wait_until_ready()")
        await self._dispatch("INTERACTION_CREATE", record.payload, guild_id=record.guild.id if record.guild else None)

    def _resolve_command(
        self, command: str, guild: FakeGuild | None, user: FakeUser, channel: FakeChannel
    ) -> tuple[dict[str, Any], list[str]]:
        root, *path = command.strip().lstrip("/").split()
        schema = self.command(root, guild.id if guild else None)
        if schema.get("type", 1) != 1:
            raise SandboxError(f"/{root} is not a slash command")
        if guild is None:
            contexts = schema.get("contexts")
            if schema.get("dm_permission") is False or (contexts is not None and 1 not in contexts):
                raise SandboxError(f"/{root} cannot be used in DMs")
        else:
            required = schema.get("default_member_permissions")
            if required is not None:
                have = guild.channel_permissions(channel, user.id)
                needed = int(required)
                if (needed == 0 and not have & Permission.ADMINISTRATOR) or have & needed != needed:
                    raise SandboxError(
                        f"{user.username} lacks the permissions /{root} requires ({needed}); "
                        "Discord hides the command from them"
                    )
        return schema, path

    def _descend(
        self, schema: dict[str, Any], path: list[str]
    ) -> tuple[list[dict[str, Any]], Callable[[list[Any]], list[Any]]]:
        """Walk subcommand group/subcommand names; return the leaf's option schemas and a wrapper for values."""
        options = schema.get("options") or []
        wrappers: list[tuple[int, str]] = []
        for name in path:
            found = next((o for o in options if o["name"] == name and o["type"] in (1, 2)), None)
            if found is None:
                subs = [o["name"] for o in options if o["type"] in (1, 2)]
                raise SandboxError(f"/{schema['name']} has no subcommand {name!r}; it has {subs}")
            wrappers.append((found["type"], name))
            options = found.get("options") or []
        if any(o["type"] in (1, 2) for o in options):
            subs = [o["name"] for o in options if o["type"] in (1, 2)]
            raise SandboxError(f"/{' '.join([schema['name'], *path])} needs a subcommand: one of {subs}")

        def wrap(leaf: list[Any]) -> list[Any]:
            for kind, name in reversed(wrappers):
                leaf = [{"type": kind, "name": name, "options": leaf}]
            return leaf

        return options, wrap

    def _option_payloads(
        self,
        schemas: list[dict[str, Any]],
        values: Mapping[str, Any],
        *,
        guild: FakeGuild | None,
        channel: FakeChannel,
        user: FakeUser,
        focused: str | None = None,
        check_required: bool = True,
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        by_name = {o["name"]: o for o in schemas}
        unknown = set(values) - set(by_name)
        if unknown:
            raise SandboxError(f"no option(s) {sorted(unknown)}; the command takes {list(by_name)}")
        if check_required:
            missing = [o["name"] for o in schemas if o.get("required") and o["name"] not in values]
            if missing:
                raise SandboxError(f"required option(s) {missing} missing; Discord will not send the command")
        resolved: dict[str, dict[str, Any]] = {}
        options = []
        for name, value in values.items():
            schema = by_name[name]
            if name == focused:
                options.append({"type": schema["type"], "name": name, "value": str(value), "focused": True})
                continue
            options.append(
                {
                    "type": schema["type"],
                    "name": name,
                    "value": self._option_value(schema, value, resolved, guild, channel, user),
                }
            )
        return options, {k: v for k, v in resolved.items() if v}

    def _option_value(
        self,
        schema: dict[str, Any],
        value: Any,
        resolved: dict[str, dict[str, Any]],
        guild: FakeGuild | None,
        channel: FakeChannel,
        user: FakeUser,
    ) -> Any:
        kind, name = schema["type"], schema["name"]
        if kind in (3, 4, 10):
            converted: Any = {3: str, 4: int, 10: float}[kind](value)
            choices = schema.get("choices")
            if choices and converted not in [c["value"] for c in choices]:
                raise SandboxError(f"option {name!r} only accepts {[c['value'] for c in choices]}, not {value!r}")
            if kind == 3 and not schema.get("min_length", 0) <= len(converted) <= schema.get("max_length", 6000):
                raise SandboxError(
                    f"option {name!r} takes {schema.get('min_length', 0)}-{schema.get('max_length', 6000)} characters"
                )
            if kind in (4, 10) and not (
                schema.get("min_value", float("-inf")) <= converted <= schema.get("max_value", float("inf"))
            ):
                raise SandboxError(
                    f"option {name!r} must be within {schema.get('min_value')}..{schema.get('max_value')}"
                )
            return converted
        if kind == 5:
            return bool(value)
        if kind == 6 or (kind == 9 and not isinstance(value, FakeRole)):
            person = self.user(value)
            resolved.setdefault("users", {})[str(person.id)] = person.to_json()
            if guild is not None and person.id in guild.members:
                resolved.setdefault("members", {})[str(person.id)] = guild.members[person.id].to_json(
                    with_user=False, permissions=guild.channel_permissions(channel, person.id)
                )
            return str(person.id)
        if kind == 7:
            target = self.channel(value, guild)
            allowed_types = schema.get("channel_types")
            if allowed_types and int(target.type) not in allowed_types:
                raise SandboxError(f"option {name!r} only accepts channel types {allowed_types}")
            resolved.setdefault("channels", {})[str(target.id)] = {
                "id": str(target.id),
                "name": target.name,
                "type": int(target.type),
                "parent_id": None,
                "guild_id": str(target.guild_id),
                "position": target.position,
                "flags": 0,
                "topic": target.topic,
                "nsfw": False,
                "rate_limit_per_user": 0,
                "last_message_id": None,
                "permissions": str(self._member_permissions(guild, target, user)),
            }
            return str(target.id)
        if kind in (8, 9):
            if guild is None:
                raise SandboxError("roles exist only in guilds")
            role = (
                value
                if isinstance(value, FakeRole)
                else (guild.roles[value] if isinstance(value, int) else guild.role(str(value).removeprefix("@")))
            )
            resolved.setdefault("roles", {})[str(role.id)] = role.to_json()
            return str(role.id)
        if kind == 11:
            upload = value if isinstance(value, Upload) else Upload(*value)
            attachment = self._new_attachment(channel, (upload.filename, upload.data, upload.content_type), None)
            attachment["ephemeral"] = True
            resolved.setdefault("attachments", {})[attachment["id"]] = attachment
            return attachment["id"]
        raise SandboxError(f"option type {kind} is not supported by the fake")

    def _context(
        self, user: UserRef | None, channel: ChannelRef | None, guild: FakeGuild | int | None
    ) -> tuple[FakeUser, FakeChannel, FakeGuild | None]:
        person = self.user(user) if user is not None else self.member
        guild_obj = self.guilds[guild] if isinstance(guild, int) else guild
        target = (
            self.channel(channel, guild_obj) if channel is not None else (guild_obj or self.guild).channels["general"]
        )
        return person, target, self._scope_for(target, guild_obj)

    async def run_command(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: UserRef | None = None,
        channel: ChannelRef | None = None,
        guild: FakeGuild | int | None = None,
        locale: str = "en-US",
        within: float = 5.0,
        quiet: float = 0.05,
    ) -> InteractionResult:
        """Invoke a slash command as `user` (default the plain member) in `channel` (default #general).

        `command` may name a subcommand ("announce channel"); `options` map option names to Python values:
        str/int/float/bool, a FakeUser/FakeChannel/FakeRole (or an id or name), or an Upload for attachments.
        Returns once the bot answered (a deferred answer must also be completed) and went quiet for `quiet` s.
        """
        person, target, scope = self._context(user, channel, guild)
        schema, path = self._resolve_command(command, scope, person, target)
        leaf, wrap = self._descend(schema, path)
        values, resolved = self._option_payloads(leaf, options or {}, guild=scope, channel=target, user=person)
        data: dict[str, Any] = {"id": schema["id"], "name": schema["name"], "type": 1, "options": wrap(values)}
        if resolved:
            data["resolved"] = resolved
        if "guild_id" in schema:
            data["guild_id"] = schema["guild_id"]
        record = self._new_interaction(
            APPLICATION_COMMAND,
            data,
            label=f"/{command.strip().lstrip('/')}",
            user=person,
            channel=target,
            locale=locale,
        )
        await self._send_interaction(record)
        await settle(self, record, within=within, quiet=quiet)
        return InteractionResult(record, self)

    async def autocomplete(
        self,
        command: str,
        option: str,
        typed: str,
        other_options: Mapping[str, Any] | None = None,
        *,
        user: UserRef | None = None,
        channel: ChannelRef | None = None,
        guild: FakeGuild | int | None = None,
        within: float = 5.0,
    ) -> list[Choice]:
        """Type `typed` into `option` of `command` and return the suggestions the bot sends back."""
        person, target, scope = self._context(user, channel, guild)
        schema, path = self._resolve_command(command, scope, person, target)
        leaf, wrap = self._descend(schema, path)
        option_schema = next((o for o in leaf if o["name"] == option), None)
        if option_schema is None or not option_schema.get("autocomplete"):
            raise SandboxError(f"option {option!r} of /{command} has no autocomplete; Discord would not ask the bot")
        values = dict(other_options or {}) | {option: typed}
        payload, resolved = self._option_payloads(
            leaf, values, guild=scope, channel=target, user=person, focused=option, check_required=False
        )
        data: dict[str, Any] = {"id": schema["id"], "name": schema["name"], "type": 1, "options": wrap(payload)}
        if resolved:
            data["resolved"] = resolved
        if "guild_id" in schema:
            data["guild_id"] = schema["guild_id"]
        record = self._new_interaction(
            AUTOCOMPLETE, data, label=f"autocomplete of /{command} {option}", user=person, channel=target
        )
        await self._send_interaction(record)
        await self.wait_until(
            lambda: record.responded or bool(record.rejected), within=within, what=f"choices for /{command} {option}"
        )
        if not record.responded:
            raise SandboxError(f"Discord rejected the choices for /{command} {option}: {record.rejected[0]}")
        return InteractionResult(record, self).choices

    # ------------------------------------------------------------------ driving: components and modals

    def _target_message(self, message: MessageRef) -> Message:
        if isinstance(message, InteractionResult):
            found = message.message
            if found is None:
                raise SandboxError(f"{message!r} has no message to interact with")
            return found
        if isinstance(message, int):
            return self.message(message)
        return message

    def _component_on(self, message: Message, custom_id: str, person: FakeUser) -> dict[str, Any]:
        if message.deleted:
            raise SandboxError(f"message {message.id} was deleted")
        if message.visible_to is not None and message.visible_to != person.id:
            raise SandboxError(f"message {message.id} is ephemeral; only its recipient can use it")
        for _, component in walk_components(message.raw.get("components", [])):
            if component.get("custom_id") == custom_id:
                if component.get("disabled"):
                    raise SandboxError(f"component {custom_id!r} is disabled; Discord will not send the click")
                return component
        known = [c.get("custom_id") for _, c in walk_components(message.raw.get("components", []))]
        raise SandboxError(f"no component {custom_id!r} on message {message.id}; custom_ids: {known}")

    async def _component_interaction(
        self, message: Message, data: dict[str, Any], person: FakeUser, label: str, within: float, quiet: float
    ) -> InteractionResult:
        channel = self.channel(message.channel_id)
        record = self._new_interaction(
            MESSAGE_COMPONENT, data, label=label, user=person, channel=channel, message=message
        )
        await self._send_interaction(record)
        await settle(self, record, within=within, quiet=quiet)
        return InteractionResult(record, self)

    async def click(
        self,
        message: MessageRef,
        custom_id: str,
        *,
        user: UserRef | None = None,
        within: float = 5.0,
        quiet: float = 0.05,
    ) -> InteractionResult:
        """Click the button `custom_id` on `message` (a Message, an InteractionResult, or a message id).

        The user defaults to whoever ran the interaction that produced the message, else the plain member.
        """
        target = self._target_message(message)
        person = self._default_clicker(message, target, user)
        component = self._component_on(target, custom_id, person)
        if component.get("type") != 2:
            raise SandboxError(f"{custom_id!r} is not a button")
        if component.get("style") == 5:
            raise SandboxError(f"{custom_id!r} is a link button; it opens a browser and never reaches the bot")
        data = {"custom_id": custom_id, "component_type": 2}
        if "id" in component:
            data["id"] = component["id"]
        return await self._component_interaction(target, data, person, f"button {custom_id!r}", within, quiet)

    def _default_clicker(self, ref: MessageRef, message: Message, user: UserRef | None) -> FakeUser:
        if user is not None:
            return self.user(user)
        if isinstance(ref, InteractionResult):
            return ref.user
        if message.visible_to is not None:
            return self.user(message.visible_to)
        return self.member

    async def select(
        self,
        message: MessageRef,
        custom_id: str,
        values: Sequence[Any],
        *,
        user: UserRef | None = None,
        within: float = 5.0,
        quiet: float = 0.05,
    ) -> InteractionResult:
        """Pick `values` in the select menu `custom_id` (option values; users/roles/channels for those selects)."""
        target = self._target_message(message)
        person = self._default_clicker(message, target, user)
        component = self._component_on(target, custom_id, person)
        kind = component.get("type")
        if kind not in (3, 5, 6, 7, 8):
            raise SandboxError(f"{custom_id!r} is not a select menu")
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(values) <= high:
            raise SandboxError(f"select {custom_id!r} takes {low}-{high} values, got {len(values)}")
        channel = self.channel(target.channel_id)
        guild = self._guild_of(channel)
        resolved: dict[str, dict[str, Any]] = {}
        if kind == 3:
            offered = [o["value"] for o in component.get("options", [])]
            chosen = [str(v) for v in values]
            bad = [v for v in chosen if v not in offered]
            if bad:
                raise SandboxError(f"select {custom_id!r} offers {offered}, not {bad}")
        else:
            option_type = {5: 6, 6: 8, 7: 9, 8: 7}[kind]
            chosen = [
                self._option_value({"type": option_type, "name": custom_id}, v, resolved, guild, channel, person)
                for v in values
            ]
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind, "values": chosen}
        if resolved:
            data["resolved"] = resolved
        return await self._component_interaction(target, data, person, f"select {custom_id!r}", within, quiet)

    async def submit_modal(
        self,
        opened: InteractionResult,
        values: Mapping[str, str | Sequence[str]],
        *,
        user: UserRef | None = None,
        within: float = 5.0,
        quiet: float = 0.05,
    ) -> InteractionResult:
        """Fill in and submit the modal the bot opened in `opened` (text inputs by custom_id)."""
        modal = opened.modal
        if modal is None:
            raise SandboxError(f"{opened!r} did not open a modal")
        source = opened._record
        person = self.user(user) if user is not None else source.user
        data = {"custom_id": modal["custom_id"], "components": modal_submission(modal, values)}
        record = self._new_interaction(
            MODAL_SUBMIT,
            data,
            label=f"modal {modal['custom_id']!r}",
            user=person,
            channel=source.channel,
            message=source.source_message,
        )
        await self._send_interaction(record)
        await settle(self, record, within=within, quiet=quiet)
        return InteractionResult(record, self)

    # ------------------------------------------------------------------ driving: plain messages

    async def post_user_message(
        self,
        channel: ChannelRef,
        content: str,
        *,
        user: UserRef | None = None,
        mentions_bot: bool = False,
        reply_to: Message | None = None,
        attachments: Sequence[Upload] = (),
    ) -> Message:
        """Post a message as `user` (default the plain member); `mentions_bot` prefixes an @mention of the bot.

        The bot receives it as MESSAGE_CREATE, with content blanked unless it mentions the bot, is a DM, or the
        bot holds the message-content intent, as Discord does.
        """
        target = self.channel(channel)
        person = self.user(user) if user is not None else self.member
        if mentions_bot and not re.search(rf"<@!?{self.bot.id}>", content):
            content = f"{self.bot.mention} {content}"
        payload: dict[str, Any] = {"content": content}
        if reply_to is not None:
            payload["message_reference"] = {"message_id": str(reply_to.id)}
        files = [(u.filename, u.data, u.content_type) for u in attachments]
        message = self._build_message(target, person, payload, files)
        await self._after_create(message)
        return message

    async def wait_for_message(
        self,
        channel: ChannelRef | None = None,
        predicate: Callable[[Message], bool] | None = None,
        *,
        within: float = 5.0,
        author: UserRef | None = None,
    ) -> Message:
        """Return the oldest message from the bot (or `author`) in `channel` matching `predicate`.

        Each message is handed out once, so a test can wait for the bot's messages one after another without
        racing the bot, whether the message arrived before or after the call.
        """
        wanted_channel = self.channel(channel).id if channel is not None else None
        wanted_author = self.user(author).id if author is not None else self.bot.id

        def find() -> Message | None:
            for message in self.messages():
                if (
                    message.id not in self._handed_out
                    and message.author_id == wanted_author
                    and (wanted_channel is None or message.channel_id == wanted_channel)
                    and (predicate is None or predicate(message))
                ):
                    return message
            return None

        where = f" in channel {wanted_channel}" if wanted_channel else ""
        message = await self.wait_until(find, within=within, what=f"a message{where}")
        self._handed_out.add(message.id)
        return message


def describe(fake: FakeDiscord) -> str:
    """One line per guild, channel and user: what a console prints on start."""
    lines = [f"fake Discord at {fake.api_base} (gateway {fake.gateway_url}), bot {fake.bot.username} ({fake.bot.id})"]
    for guild in fake.guilds.values():
        channels = ", ".join(f"#{c.name}" for c in guild.channels.values())
        lines.append(f"  guild {guild.name} ({guild.id}): {channels}")
    for user in fake.users.values():
        lines.append(f"  user {user.username} ({user.id}){' [bot]' if user.bot else ''}")
    return "\n".join(lines)
