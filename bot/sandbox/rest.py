"""The fake's HTTP side: the aiohttp app, Discord's error replies, injected failures, and the plain REST routes.

Messages, commands, interaction callbacks and the gateway each bring their own routes; this module serves them
behind one middleware that checks the token, applies injected failures and logs every request.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from aiohttp import BodyPartReader, web

from . import limits
from .models import FakeChannel, FakeGuild, RequestRecord, Upload, Violation
from .monitor import Monitor
from .world import World

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
GLOBAL_RATE_LIMIT = 50  # requests a second
# Interaction endpoints need no bot token and are not bound by the global rate limit.
INTERACTION_PATHS = ("/interactions/", "/webhooks/")


class DiscordHTTPError(Exception):
    """Raised inside a handler to answer with Discord's error JSON."""

    def __init__(self, status: int, code: int, message: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body or {"message": message, "code": code}


def unknown(what: str, code: int) -> DiscordHTTPError:
    """Return Discord's 404 for a missing object, e.g. `unknown("Channel", 10003)`."""
    return DiscordHTTPError(404, code, f"Unknown {what}")


def invalid_form(errors: Iterable[limits.FormError]) -> DiscordHTTPError:
    """Return Discord's 400 "Invalid Form Body" listing `errors`."""
    return DiscordHTTPError(400, 50035, "Invalid Form Body", limits.form_error_body(errors))


def json_response(data: Any, *, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    """Answer with `data` as JSON."""
    # Exactly `application/json`: discord.py parses nothing else, and aiohttp's json_response adds a charset.
    response = web.Response(body=json.dumps(data).encode(), status=status, headers=headers)
    response.headers["Content-Type"] = "application/json"
    return response


def no_content() -> web.Response:
    """Answer 204, as Discord does for a call with nothing to return."""
    return web.Response(status=204)


def api_path(request: web.Request) -> str:
    """Return the request's path relative to the API base, e.g. "/channels/1/messages"."""
    return request.path.removeprefix(API_PREFIX)


async def read_body(request: web.Request) -> tuple[Any, list[Upload]]:
    """Return (JSON payload, files in index order) from a JSON or multipart (payload_json + files[n]) body."""
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        indexed: list[tuple[int, Upload]] = []
        async for part in await request.multipart():
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            if name == "payload_json":
                payload = json.loads(await part.text())
            elif name.startswith("files["):
                index = int(name[len("files[") : -1])
                data = bytes(await part.read(decode=False))
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                indexed.append((index, Upload(part.filename or f"file{index}", data, content_type)))
        return payload, [upload for _, upload in sorted(indexed, key=lambda pair: pair[0])]
    if not request.can_read_body:
        return None, []
    text = await request.text()
    return (json.loads(text) if text else None), []


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
        """Whether this rule still answers `method` `path`."""
        return self.hits < self.times and self.method in ("*", method) and bool(self.pattern.search(path))

    def response(self) -> web.Response:
        """Build the error reply, with the headers discord.py needs to retry a 429."""
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
        return json_response(body, status=self.status, headers=headers)


@dataclasses.dataclass(eq=False)
class LostResponse:
    """Discord carries out the next `times` matching requests, but their answers never reach the bot.

    The answer is held until the fake stops, as when a connection dies after Discord acted on the request:
    the bot cannot tell whether it happened (what a nonce is for).
    """

    method: str
    pattern: re.Pattern[str]
    times: int
    hits: int = 0
    released: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)

    def matches(self, method: str, path: str) -> bool:
        return self.hits < self.times and self.method in ("*", method) and bool(self.pattern.search(path))


class RestServer:
    """Serve every part's routes on host:port; record requests, violations and unknown routes; inject failures."""

    def __init__(
        self, world: World, monitor: Monitor, *, token: str, host: str, port: int, enforce_global_rate_limit: bool
    ) -> None:
        self.world = world
        self.monitor = monitor
        self.token = token
        self.host = host
        self.port = port
        self.enforce_global_rate_limit = enforce_global_rate_limit
        self.request_log: list[RequestRecord] = []
        self.violations: list[Violation] = []
        self.unexpected_routes: list[tuple[str, str]] = []
        self._failures: list[FailureRule] = []
        self._lost: list[LostResponse] = []
        self._rate_window: list[float] = []
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        return self.base_url + API_PREFIX

    async def start(self, routes: Iterable[web.RouteDef]) -> None:
        """Listen on host:port with `routes`, then this server's own; port 0 picks a free port."""
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        app.add_routes([*routes, *self._routes()])
        app.router.add_route("*", "/{tail:.*}", self._unexpected)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        """Stop listening."""
        for lost in self._lost:
            lost.released.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def violate(self, kind: str, detail: str, request: web.Request | None = None) -> None:
        """Record something the bot did that real Discord would refuse or punish."""
        violation = Violation(kind, detail, request.method if request else "", api_path(request) if request else "")
        log.warning("Discord would object: %s: %s", kind, detail)
        self.violations.append(violation)
        self.monitor.notify()

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

    def lose_next_response(self, method: str, path_regex: str, *, times: int = 1) -> LostResponse:
        """Carry out the next `times` requests matching `method` and `path_regex`, but never answer them.

        The request takes effect (a message is posted) and is logged; the bot waits for an answer that only
        comes, too late to matter, when the fake stops. Use it to crash a bot between an action and its record.
        """
        lost = LostResponse(method.upper(), re.compile(path_regex), times)
        self._lost.append(lost)
        return lost

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        path = api_path(request)
        response: web.StreamResponse
        rule = next((r for r in self._failures if r.matches(request.method, path)), None)
        if rule is not None:
            rule.hits += 1
            response = rule.response()
        elif not path.startswith(INTERACTION_PATHS) and request.headers.get("Authorization") != f"Bot {self.token}":
            response = json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        else:
            try:
                response = await handler(request)
            except DiscordHTTPError as error:
                response = json_response(error.body, status=error.status)
        self._log_request(request, path, response.status)
        lost = next((r for r in self._lost if r.matches(request.method, path)), None)
        if lost is not None and response.status < 400:
            lost.hits += 1
            self.monitor.notify()
            await lost.released.wait()
        return response

    def _log_request(self, request: web.Request, path: str, status: int) -> None:
        now = time.monotonic()
        self.request_log.append(RequestRecord(request.method, path, status, now, request.query_string))
        if path.startswith(INTERACTION_PATHS):
            return
        self._rate_window = [t for t in self._rate_window if now - t < 1.0] + [now]
        if self.enforce_global_rate_limit and len(self._rate_window) == GLOBAL_RATE_LIMIT + 1:
            self.violate("global_rate_limit", f"more than {GLOBAL_RATE_LIMIT} requests within one second", request)

    # ------------------------------------------------------------------ lookups that answer Discord's 404s

    def channel_or_404(self, request: web.Request) -> FakeChannel:
        """Return the channel the path names, or raise Discord's Unknown Channel."""
        try:
            channel_id = int(request.match_info["channel"])
        except ValueError:
            raise unknown("Channel", 10003) from None
        channel = self.world.channel_by_id(channel_id)
        if channel is None:
            raise unknown("Channel", 10003)
        return channel

    def guild_or_404(self, request: web.Request) -> FakeGuild:
        """Return the guild the path names, or raise Discord's Unknown Guild."""
        try:
            return self.world.guilds[int(request.match_info["guild"])]
        except (KeyError, ValueError):
            raise unknown("Guild", 10004) from None

    def check_app(self, request: web.Request) -> None:
        """Raise Discord's Unknown Application unless the path names this bot's application."""
        if request.match_info.get("app") != str(self.world.application_id):
            raise unknown("Application", 10002)

    # ------------------------------------------------------------------ routes: login, users, guilds, channels

    def _routes(self) -> list[web.RouteDef]:
        a = API_PREFIX
        return [
            web.get(a + "/users/@me", self._get_me),
            web.post(a + "/users/@me/channels", self._create_dm),
            web.get(a + "/users/{user}", self._get_user),
            web.get(a + "/oauth2/applications/@me", self._get_application),
            web.get(a + "/applications/@me", self._get_application),
            web.get(a + "/channels/{channel}", self._get_channel),
            web.get(a + "/guilds/{guild}", self._get_guild),
            web.get(a + "/guilds/{guild}/channels", self._get_guild_channels),
            web.get(a + "/guilds/{guild}/roles", self._get_guild_roles),
            web.get(a + "/guilds/{guild}/members", self._get_guild_members),
            web.get(a + "/guilds/{guild}/members/{user}", self._get_guild_member),
        ]

    async def _unexpected(self, request: web.Request) -> web.Response:
        path = api_path(request)
        self.unexpected_routes.append((request.method, path))
        log.warning("fake Discord has no route for %s %s", request.method, path)
        return json_response({"message": "404: Not Found", "code": 0}, status=404)

    async def _get_me(self, request: web.Request) -> web.Response:
        bot = self.world.bot
        return json_response(bot.to_json() | {"verified": True, "mfa_enabled": False, "locale": "en-US", "email": None})

    async def _get_user(self, request: web.Request) -> web.Response:
        try:
            return json_response(self.world.users[int(request.match_info["user"])].to_json())
        except (KeyError, ValueError):
            raise unknown("User", 10013) from None

    async def _get_application(self, request: web.Request) -> web.Response:
        world = self.world
        return json_response(
            {
                "id": str(world.application_id),
                "name": world.bot.global_name,
                "icon": None,
                "description": "A fake application served by bot.sandbox",
                "summary": "",
                "type": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": world.owner.to_json(),
                "team": None,
                "verify_key": "0" * 64,
                "flags": 1 << 19,  # GATEWAY_MESSAGE_CONTENT_LIMITED: not approved for message content
                "interactions_endpoint_url": None,
                "bot": world.bot.to_json(),
                "approximate_guild_count": len(world.guilds),
                "redirect_uris": [],
                "tags": [],
            }
        )

    async def _create_dm(self, request: web.Request) -> web.Response:
        body, _ = await read_body(request)
        try:
            user = self.world.users[int(body["recipient_id"])]
        except (KeyError, ValueError, TypeError):
            raise unknown("User", 10013) from None
        return json_response(self.world.dm_channel(user).to_json())

    async def _get_channel(self, request: web.Request) -> web.Response:
        return json_response(self.channel_or_404(request).to_json())

    async def _get_guild(self, request: web.Request) -> web.Response:
        guild = self.guild_or_404(request)
        return json_response(guild.to_json(full=False) | {"approximate_member_count": len(guild.members)})

    async def _get_guild_channels(self, request: web.Request) -> web.Response:
        return json_response([c.to_json() for c in self.guild_or_404(request).channels.values()])

    async def _get_guild_roles(self, request: web.Request) -> web.Response:
        return json_response([r.to_json() for r in self.guild_or_404(request).roles.values()])

    async def _get_guild_members(self, request: web.Request) -> web.Response:
        return json_response([m.to_json() for m in self.guild_or_404(request).members.values()])

    async def _get_guild_member(self, request: web.Request) -> web.Response:
        guild = self.guild_or_404(request)
        try:
            return json_response(guild.members[int(request.match_info["user"])].to_json())
        except (KeyError, ValueError):
            raise unknown("Member", 10007) from None
