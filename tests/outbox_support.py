"""What the outbox tests share: a catalog and a stand-in Discord for bot/announce/outbox.py's Announcer.

The stand-in behaves as Discord does where exactly-once depends on it: it keeps each posted announcement with its
footer (which is how a lookup finds it), remembers a nonce only for `nonce_memory` seconds, and can fail, hang,
or create a message and then lose the answer. It stands in for Discord only, never for the bot's own code.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot import db
from bot.announce.delivery import Announcement, Lookup, PermanentFailure, TemporaryFailure
from bot.announce.outbox import Announcer
from bot.models import AnnounceMode, Episode, GuildAnnounceSettings, Show
from bot.ratelimit import ChannelRateLimiter
from bot.schedule import Schedule
from bot.store import Repository

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
GRACE = dt.timedelta(hours=6)


def show(show_id: int, **fields: object) -> Show:
    return Show(id=show_id, title=f"Show {show_id}", **fields)  # type: ignore[arg-type]


def guild(guild_id: int, mode: AnnounceMode = AnnounceMode.EPISODES, **fields: object) -> GuildAnnounceSettings:
    values: dict[str, object] = {"channel_id": guild_id * 10, "enabled": True, "since": NOW - dt.timedelta(days=30)}
    values.update(fields)
    return GuildAnnounceSettings(guild_id=guild_id, mode=mode, **values)  # type: ignore[arg-type]


class Catalog:
    """The shows and schedules the announcer reads (a stand-in for bot.catalog.Catalog)."""

    def __init__(self, shows: Sequence[Show], episodes: Sequence[Episode]) -> None:
        self.shows = {s.id: s for s in shows}
        self.rows = {s.id: [e for e in episodes if e.show_id == s.id] for s in shows}

    def schedule_of(self, show: Show) -> Schedule:
        return Schedule(show, self.rows.get(show.id, []))

    def schedules_between(self, start: dt.datetime, end: dt.datetime) -> list[Schedule]:
        return [self.schedule_of(show) for show in self.shows.values()]  # all: the announcer reads airings exactly

    async def warm_airing(self) -> None:
        return None

    def move(self, show_id: int, number: int, air_at: dt.datetime) -> None:
        """An editor moves (or restores) an episode."""
        rows = [e for e in self.rows[show_id] if e.number != number]
        self.rows[show_id] = [*rows, Episode(show_id, number, air_at)]


@dataclass
class Posted:
    id: int
    channel_id: int
    guild_id: int
    key: tuple[int, int, int, str]
    footer: str
    at: float  # the event loop's time


@dataclass
class Discord:
    """A stand-in Discord for the announcer's `send` and `find`."""

    nonce_memory: float = 300.0  # seconds of the event loop's time
    messages: list[Posted] = field(default_factory=list)
    requests: list[tuple[str, int, float]] = field(default_factory=list)  # (POST or GET, channel, loop time)
    permanent: set[int] = field(default_factory=set)  # guilds whose channel answers 403
    failing: int = 0  # the next sends that answer 503 without posting
    down: bool = False  # every request fails (an outage)
    lose_answers: int = 0  # the next sends post, then never answer
    hold: dict[int, asyncio.Event] = field(default_factory=dict)  # guilds whose sends wait for the event
    _nonces: dict[str, tuple[float, Posted]] = field(default_factory=dict)
    _next_id: int = 1000

    @property
    def keys(self) -> list[tuple[int, int, int, str]]:
        return sorted(m.key for m in self.messages)

    def copies(self) -> dict[tuple[int, int, int, str], int]:
        counted: dict[tuple[int, int, int, str], int] = {}
        for message in self.messages:
            counted[message.key] = counted.get(message.key, 0) + 1
        return counted

    async def send(self, announcement: Announcement) -> int:
        item = announcement.item
        loop_time = asyncio.get_running_loop().time()
        self.requests.append(("POST", announcement.channel_id, loop_time))
        if item.guild_id in self.hold:
            await self.hold[item.guild_id].wait()
        if self.down:
            raise TemporaryFailure("Discord answered 503: try later")
        if item.guild_id in self.permanent:
            raise PermanentFailure("Discord refused to let me post in <#1> (403: Missing Permissions).")
        if self.failing > 0:
            self.failing -= 1
            raise TemporaryFailure("Discord answered 503: try later")
        seen = self._nonces.get(item.nonce)
        if seen is not None and loop_time - seen[0] < self.nonce_memory:
            return seen[1].id
        self._next_id += 1
        key = (item.guild_id, item.show_id, item.episode, str(item.kind))
        posted = Posted(self._next_id, announcement.channel_id, item.guild_id, key, announcement.card.footer, loop_time)
        self.messages.append(posted)
        self._nonces[item.nonce] = (loop_time, posted)
        if self.lose_answers > 0:
            self.lose_answers -= 1
            await asyncio.Event().wait()  # posted; the answer never comes
        return posted.id

    async def find(self, lookup: Lookup) -> int | None:
        self.requests.append(("GET", lookup.channel_id, asyncio.get_running_loop().time()))
        if self.down:
            raise TemporaryFailure("Discord answered 503: try later")
        for message in self.messages:
            if message.channel_id == lookup.channel_id and lookup.reference in message.footer:
                return message.id
        return None


async def open_repository(path: Path) -> Repository:
    connection = await db.connect(path)
    await db.migrate(connection)
    return Repository(connection)


async def setup_guilds(repository: Repository, *guild_ids: int, **fields: object) -> None:
    for guild_id in guild_ids:
        await repository.save_announce_settings(guild(guild_id, since=NOW - dt.timedelta(days=1), **fields))


def announcer(
    repository: Repository,
    catalog: Catalog,
    discord: Discord,
    clock: list[dt.datetime],
    *,
    limiter: ChannelRateLimiter | None = None,
    send_timeout: float = 10.0,
) -> Announcer:
    return Announcer(
        repository, discord.send, find=discord.find, catalog=catalog, grace=GRACE, clock=lambda: clock[0],
        limiter=limiter or ChannelRateLimiter(per_second=1000, per_channel=1000), send_timeout=send_timeout,
    )  # fmt: skip


async def until(predicate: Callable[[], object], within: float = 5.0) -> None:
    """Wait until `predicate()` holds (a stand-in Discord has no event to wait on; poll briefly)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("the condition never held")
        await asyncio.sleep(0.01)
