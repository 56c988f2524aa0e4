"""The gateway side of the fake: frame compression, intents, and one bot session's event stream."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import zlib
from typing import Any, Protocol

from aiohttp import web

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
        try:
            import zstandard  # type: ignore[import-not-found]  (optional dependency)
        except ImportError:
            from compression import zstd  # type: ignore[import-not-found]  (Python 3.14+)

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
