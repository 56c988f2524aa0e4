"""The gateway side of the fake: frame compression, intents, each bot session's event stream, and the socket."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import secrets
import zlib
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from aiohttp import WSMsgType, web

from .monitor import Monitor
from .rest import API_PREFIX, RestServer, json_response
from .world import World

GATEWAY_PATH = "/gateway-ws"

# Intent bits (https://discord.com/developers/docs/events/gateway#gateway-intents).
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT
PRIVILEGED_NAMES = {GUILD_MEMBERS: "members", GUILD_PRESENCES: "presences", MESSAGE_CONTENT: "message_content"}

# Events and the intent a bot needs to receive them; anything unlisted (READY, INTERACTION_CREATE...) always goes.
EVENT_INTENTS = {
    "GUILD_CREATE": GUILDS,
    "GUILD_UPDATE": GUILDS,
    "GUILD_ROLE_UPDATE": GUILDS,
    "CHANNEL_CREATE": GUILDS,
    "CHANNEL_UPDATE": GUILDS,
    "CHANNEL_DELETE": GUILDS,
    "GUILD_MEMBER_ADD": GUILD_MEMBERS,
    "GUILD_MEMBER_UPDATE": GUILD_MEMBERS,
    "GUILD_MEMBER_REMOVE": GUILD_MEMBERS,
}
MESSAGE_EVENTS = {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"}


class FrameEncoder(Protocol):
    def encode(self, text: str) -> str | bytes: ...


class PlainEncoder:
    """No transport compression: JSON text frames, which discord.py always accepts."""

    def encode(self, text: str) -> str | bytes:
        return text


class ZlibStreamEncoder:
    """One zlib stream per connection; each message ends with Z_SYNC_FLUSH's 00 00 ff ff, as discord.py expects."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj()

    def encode(self, text: str) -> str | bytes:
        return self._compressor.compress(text.encode()) + self._compressor.flush(zlib.Z_SYNC_FLUSH)


class ZstdStreamEncoder:
    """One zstd stream per connection, each message flushed as a complete block."""

    def __init__(self) -> None:
        self._encode: Callable[[bytes], bytes]
        try:
            # An optional dependency, without type hints.
            import zstandard  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            # In the standard library from Python 3.14 only.
            from compression import zstd  # type: ignore[import-not-found, unused-ignore]

            compressor = zstd.ZstdCompressor()
            self._encode = lambda data: compressor.compress(data, mode=zstd.ZstdCompressor.FLUSH_BLOCK)
        else:
            stream = zstandard.ZstdCompressor().compressobj()
            self._encode = lambda data: stream.compress(data) + stream.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)

    def encode(self, text: str) -> str | bytes:
        return self._encode(text.encode())


def encoder_for(compress: str | None) -> FrameEncoder:
    """Pick the encoder for the client's `?compress=` query, falling back to plain text frames.

    discord.py asks for zstd-stream only when it can import a zstd decompressor; if this process cannot
    compress zstd, plain text frames still work because discord.py only decompresses binary frames.
    """
    if compress == "zlib-stream":
        return ZlibStreamEncoder()
    if compress == "zstd-stream":
        try:
            return ZstdStreamEncoder()
        except ImportError:
            return PlainEncoder()
    return PlainEncoder()


@dataclasses.dataclass(eq=False)
class GatewaySession:
    """An identified bot session: survives a dropped socket so the client can RESUME it."""

    session_id: str
    intents: int
    shard: list[int] | None
    socket: web.WebSocketResponse | None = None
    encoder: FrameEncoder = dataclasses.field(default_factory=PlainEncoder)
    sequence: int = 0
    sent: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    lock: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)
    ready: bool = False

    def wants(self, event: str, *, guild_id: int | None) -> bool:
        """Whether this session's intents and shard receive `event` for `guild_id`."""
        if event in MESSAGE_EVENTS:
            needed = GUILD_MESSAGES if guild_id is not None else DIRECT_MESSAGES
        else:
            needed = EVENT_INTENTS.get(event, 0)
        if needed and not self.intents & needed:
            return False
        if self.shard and guild_id is not None:
            shard_id, shard_count = self.shard
            return (guild_id >> 22) % shard_count == shard_id
        return True

    async def send_raw(self, payload: dict[str, Any]) -> None:
        async with self.lock:
            await self._write(payload)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Number the event, keep it for RESUME, and send it if a socket is attached."""
        async with self.lock:
            self.sequence += 1
            payload = {"op": 0, "t": event, "s": self.sequence, "d": data}
            self.sent.append(payload)
            del self.sent[:-1000]
            await self._write(payload)

    async def replay_after(self, sequence: int) -> None:
        async with self.lock:
            for payload in self.sent:
                if payload["s"] > sequence:
                    await self._write(payload)

    async def _write(self, payload: dict[str, Any]) -> None:
        socket = self.socket
        if socket is None or socket.closed:
            return
        frame = self.encoder.encode(json.dumps(payload, separators=(",", ":")))
        try:
            if isinstance(frame, bytes):
                await socket.send_bytes(frame)
            else:
                await socket.send_str(frame)
        except (ConnectionError, RuntimeError):
            # The client went away mid-send; RESUME will replay from `sent`.
            self.socket = None


class GatewayServer:
    """The gateway socket: IDENTIFY and RESUME, heartbeats, member chunks, and events sent to each bot session."""

    def __init__(
        self,
        world: World,
        monitor: Monitor,
        rest: RestServer,
        *,
        token: str,
        privileged_intents: Iterable[str],
        heartbeat_interval_ms: int,
    ) -> None:
        names = set(privileged_intents)
        unknown = names - set(PRIVILEGED_NAMES.values())
        if unknown:
            raise ValueError(f"unknown privileged intents {sorted(unknown)}")
        self.allowed_privileged = sum(bit for bit, name in PRIVILEGED_NAMES.items() if name in names)
        self.world = world
        self.monitor = monitor
        self.rest = rest
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.identify_count = 0
        self.resume_count = 0
        self.gateway_queries: list[dict[str, str]] = []  # each connection's query: v, encoding, compress
        self.presence: dict[str, Any] | None = None
        self.heartbeats = 0  # heartbeats received from the bot, asked for or not
        self._sessions: dict[str, GatewaySession] = {}
        self._sockets: set[web.WebSocketResponse] = set()
        self._dropped: set[web.WebSocketResponse] = set()  # sockets the fake closed; their sessions may RESUME

    @property
    def url(self) -> str:
        return f"ws://{self.rest.host}:{self.rest.port}{GATEWAY_PATH}"

    @property
    def connected(self) -> bool:
        return any(s.ready and s.socket is not None and not s.socket.closed for s in self._sessions.values())

    def routes(self) -> list[web.RouteDef]:
        """Return the socket's route and the REST routes a client asks for the gateway's address."""
        return [
            web.get(GATEWAY_PATH, self._serve),
            web.get(API_PREFIX + "/gateway", self._get_gateway),
            web.get(API_PREFIX + "/gateway/bot", self._get_gateway_bot),
        ]

    async def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        *,
        guild_id: int | None,
        without_content: dict[str, Any] | None = None,
    ) -> None:
        """Send `event` to every session that receives it; `without_content` goes to those lacking that intent."""
        for session in list(self._sessions.values()):
            if not session.wants(event, guild_id=guild_id):
                continue
            if without_content is not None and not session.intents & MESSAGE_CONTENT:
                await session.dispatch(event, without_content)
            else:
                await session.dispatch(event, data)

    async def disconnect(self, code: int = 4000) -> None:
        """Drop the bot's gateway socket as Discord sometimes does; with 4000 the client reconnects and RESUMEs."""
        for session in list(self._sessions.values()):
            if session.socket is not None:
                self._dropped.add(session.socket)
                await session.socket.close(code=code, message=b"sandbox disconnect")

    async def close(self) -> None:
        """Close every socket, as a server shutting down does."""
        for socket in list(self._sockets):
            with contextlib.suppress(Exception):
                await socket.close(code=1001, message=b"server shutting down")

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "url": self.url,
                "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
            }
        )

    async def caught_up(self, within: float = 5.0) -> None:
        """Return once the bot has read every event sent so far (no-op when no bot is connected).

        The fake asks for a heartbeat (op 1); discord.py answers it in the order it reads frames, so by the
        answer it has applied every earlier event to its cache (a channel's overwrites, a member's roles).
        """
        sessions = [s for s in self._sessions.values() if s.ready and s.socket is not None and not s.socket.closed]
        if not sessions:
            return
        before = self.heartbeats
        for session in sessions:
            await session.send_raw({"op": 1, "d": session.sequence})
        await self.monitor.wait_until(
            lambda: self.heartbeats >= before + len(sessions), within=within, what="the bot to read its events"
        )

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse(max_msg_size=0)
        await socket.prepare(request)
        self._sockets.add(socket)
        self.gateway_queries.append(dict(request.query))
        connection = GatewaySession("", 0, None, socket=socket, encoder=encoder_for(request.query.get("compress")))
        session: GatewaySession | None = None
        try:
            await connection.send_raw({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
            async for frame in socket:
                if frame.type != WSMsgType.TEXT:
                    continue
                message = json.loads(frame.data)
                op, data = message.get("op"), message.get("d")
                target = session or connection
                if op == 1:
                    self.heartbeats += 1
                    await target.send_raw({"op": 11})
                    self.monitor.notify()
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
            self.monitor.notify()
        return socket

    async def _identify(self, connection: GatewaySession, data: dict[str, Any]) -> GatewaySession | None:
        socket = connection.socket
        assert socket is not None
        if data.get("token") != self.token:
            await socket.close(code=4004, message=b"Authentication failed.")
            return None
        intents = data.get("intents")
        if intents is None:
            await socket.close(code=4013, message=b"Invalid intent(s).")
            return None
        if intents & PRIVILEGED_INTENTS & ~self.allowed_privileged:
            await socket.close(code=4014, message=b"Disallowed intent(s).")
            return None
        shard = data.get("shard")
        session = GatewaySession(
            secrets.token_hex(16), int(intents), shard, socket=socket, encoder=connection.encoder, lock=connection.lock
        )
        self._sessions[session.session_id] = session
        self.identify_count += 1
        world = self.world
        guilds = [
            g for g in world.guilds.values() if session.wants("GUILD_CREATE", guild_id=g.id) or not intents & GUILDS
        ]
        ready: dict[str, Any] = {
            "v": 10,
            "user": world.bot.to_json() | {"verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.url,
            "application": {"id": str(world.application_id), "flags": 1 << 19},
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
            created = guild.to_json()
            if not intents & GUILD_MEMBERS:
                # Without the members intent Discord only sends the bot's own member.
                created["members"] = [guild.members[world.bot.id].to_json()]
            await session.dispatch("GUILD_CREATE", created)
        session.ready = True
        self.monitor.notify()
        return session

    async def _resume(self, connection: GatewaySession, data: dict[str, Any]) -> GatewaySession | None:
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
        self.monitor.notify()
        return session

    async def _send_member_chunks(self, session: GatewaySession, data: dict[str, Any]) -> None:
        guild = self.world.guilds.get(int(data.get("guild_id", 0)))
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
