"""Deliver announcements from the SQLite outbox exactly once, within Discord's rate limits.

No `discord` import: each claimed row becomes an `Announcement` (the channel, the role to ping and the card,
built here from the catalog and the server's settings, read once and again only when they change), and the cog
hands in an async `send(announcement) -> message id` that only posts it. `send` raises `PermanentFailure`
(403/404: the channel is gone or the bot may not post there; the server's announcements pause with the
reason kept), `TemporaryFailure` (429, 5xx, network: retried with backoff) or `Undeliverable` (Discord rejected
this one message: the row is marked failed). A row whose show left the catalog is marked failed without a send.

Exactly once:
- a row exists once per (server, show, episode, kind) (a UNIQUE key), created when it falls due;
- it is claimed (pending -> claimed) before sending and marked sent right after, in this one place;
- a crash between send and mark leaves it claimed; the next start releases it and sends it again with the
  same nonce and `enforce_nonce`, so Discord returns the message it already created instead of a second one
  (Discord keeps nonces for a few minutes; a restart much later than that could post twice, which is the
  trade-off of never dropping);
- what fell due while the bot was down is delivered late if within the grace window, else recorded skipped.

Rate limits: at most `per_second` messages a second overall (below Discord's 50/s so the bot's other requests
fit) and `per_channel` messages per `channel_period` seconds in any one channel (bot/ratelimit.py). Each channel
has its own worker, so a slow, limited or failing server never holds up another's announcements.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from bot.announce.plan import (
    ShowCatalog,
    Triage,
    airings_between,
    next_due_after,
    plan,
    schedules_of,
    triage,
)
from bot.cards import Card, announcement_text
from bot.models import GuildAnnounceSettings, OutboxItem
from bot.ratelimit import ChannelRateLimiter
from bot.store import Repository, utc_now

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

MAX_BACKFILL = dt.timedelta(days=7)  # after a longer outage, older announcements are not even recorded
MAX_SLEEP = 3600.0  # wake at least hourly, whatever the schedule says
ERROR_SLEEP = 30.0
WAKE_SETTLE = 0.05  # real seconds a wake waits for the rest of its burst before planning again
SHOW_GONE = "the show is no longer in the catalog"


class PermanentFailure(Exception):
    """Discord will refuse every announcement in this server until an admin acts (403, 404)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TemporaryFailure(Exception):
    """This attempt failed but a later one may work (429, 5xx, a dropped connection)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Undeliverable(Exception):
    """This one announcement can never be sent (Discord rejected it); the server is fine."""


@dataclass(frozen=True, slots=True)
class Announcement:
    """A claimed outbox row ready to post: the channel, the role to ping (None: nobody) and what it says."""

    item: OutboxItem
    channel_id: int
    role_id: int | None
    card: Card


Send = Callable[[Announcement], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class MaterializeReport:
    pending: int = 0
    skipped: int = 0
    new: int = 0


def backoff(attempts: int) -> float:
    """Seconds before retry number `attempts` + 1: 5, 10, 20, ... capped at 10 minutes."""
    return float(min(600, 5 * 2 ** max(attempts - 1, 0)))


class Announcer:
    """The outbox service: store what falls due, deliver it, and sleep until the next due moment."""

    def __init__(
        self,
        repository: Repository,
        send: Send,
        *,
        catalog: ShowCatalog,
        grace: dt.timedelta,
        clock: Clock = utc_now,
        real_seconds: Callable[[float], float] = lambda seconds: seconds,
        limiter: ChannelRateLimiter | None = None,
        max_attempts: int = 8,
        concurrency: int = 32,
        max_backlog: int = 2000,
    ) -> None:
        self._repository = repository
        self._send = send
        self._catalog = catalog  # its schedules are cached there, one cache for every feature
        self.grace = grace
        self._clock = clock
        self._real_seconds = real_seconds  # the clock's seconds on the wall clock (a demo clock runs faster)
        self.limiter = limiter or ChannelRateLimiter()
        self._max_attempts = max_attempts
        self._requests = asyncio.Semaphore(concurrency)
        self._max_backlog = max_backlog
        # Each server's channel and role, read with the plan and again only after the server's settings change.
        self._settings: dict[int, GuildAnnounceSettings] = {}
        self._settings_changes = 0  # a read that overlapped a change is not kept: it may predate the change
        self._queues: dict[int, deque[OutboxItem]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._paused: set[int] = set()
        self._backlog = 0
        self._starved = False
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self.sent = 0  # counters for the benchmark and the logs
        self.failures = 0

    # -- signals --------------------------------------------------------------------------------------------

    def wake(self) -> None:
        """Plan again and reconsider when to wake (a show or its episodes changed)."""
        self._wake.set()

    def settings_changed(self, guild_id: int) -> None:
        """Read a server's changed settings again (perhaps an admin fixed the channel), and deliver to it again."""
        self._settings.pop(guild_id, None)
        self._settings_changes += 1
        self._paused.discard(guild_id)
        self.wake()

    # -- planning -------------------------------------------------------------------------------------------

    async def materialize(self, now: dt.datetime) -> MaterializeReport:
        """Store every announcement that fell due since the last run, up to `now`.

        Due within the grace window: pending (delivered, late if the bot was down). Older: skipped, recorded
        so /announce status can say what was missed. The first run ever starts from `now`.
        """
        watermark = await self._repository.announce_watermark()
        start = max(watermark or now, now - MAX_BACKFILL)
        end = now + dt.timedelta(microseconds=1)
        if start >= end:
            return MaterializeReport()
        airings = airings_between(schedules_of(self._catalog), start, end)
        planned = []
        if airings:
            changes = self._settings_changes
            settings = await self._repository.all_announce_settings()
            self._remember(settings, changes)
            follows = await self._repository.all_follows()
            planned = plan(settings, follows, airings)
        rows = [(d, "skipped" if triage(d.due_at, now, self.grace) is Triage.SKIP else "pending") for d in planned]
        new = await self._repository.add_to_outbox(rows, planned_until=now)
        skipped = sum(1 for _, state in rows if state == "skipped")
        if skipped:
            log.warning("%d announcements fell due over %s ago while down; recorded as skipped", skipped, self.grace)
        return MaterializeReport(pending=len(rows) - skipped, skipped=skipped, new=new)

    async def next_wake(self, now: dt.datetime) -> dt.datetime | None:
        """Return the next moment something falls due or may be retried, or None if nothing is known."""
        moments = [
            next_due_after(schedules_of(self._catalog), now),
            await self._repository.next_outbox_retry(now),
        ]
        known = [m for m in moments if m is not None]
        return min(known) if known else None

    # -- delivery -------------------------------------------------------------------------------------------

    async def dispatch_due(self, now: dt.datetime) -> int:
        """Claim what is due and hand each row to its channel's worker; return how many were claimed."""
        room = self._max_backlog - self._backlog
        if room <= 0:
            return 0
        items = await self._repository.claim_due(now, limit=room)
        self._starved = len(items) == room  # more may be waiting: claim again once the backlog halves
        if len({item.guild_id for item in items} - self._settings.keys()) > 1:  # one read, not one per server
            changes = self._settings_changes
            self._remember(await self._repository.all_announce_settings(), changes)
        for item in items:
            self._enqueue(item)
        return len(items)

    def _remember(self, settings: Iterable[GuildAnnounceSettings], changes: int) -> None:
        if changes == self._settings_changes:
            self._settings.update((s.guild_id, s) for s in settings)

    async def _settings_of(self, guild_id: int) -> GuildAnnounceSettings | None:
        """Return a server's settings: remembered, or read once after they changed."""
        settings = self._settings.get(guild_id)
        if settings is None:
            changes = self._settings_changes
            settings = await self._repository.announce_settings(guild_id)
            self._remember([settings] if settings else [], changes)
        return settings

    def _announcement(self, item: OutboxItem, settings: GuildAnnounceSettings | None) -> Announcement | None:
        """Make a claimed row ready to post in its server's current channel, or None if its show left the catalog."""
        show = self._catalog.shows.get(item.show_id)
        if show is None:
            return None
        schedule = self._catalog.schedule_of(show)
        card = announcement_text(
            show, episode=item.episode, total=schedule.total if schedule else None, kind=item.kind,
            air_at=item.air_at, time_known=item.time_known,
        )  # fmt: skip
        channel_id = settings.channel_id if settings and settings.channel_id else item.channel_id
        return Announcement(item, channel_id, settings.role_id if settings else None, card)

    def _enqueue(self, item: OutboxItem) -> None:
        queue = self._queues.setdefault(item.channel_id, deque())
        queue.append(item)
        self._backlog += 1
        self._idle.clear()
        if item.channel_id not in self._workers:
            task = asyncio.create_task(self._drain(item.channel_id), name=f"announce-channel-{item.channel_id}")
            self._workers[item.channel_id] = task
            task.add_done_callback(_log_failure)

    async def _drain(self, channel_id: int) -> None:
        queue = self._queues[channel_id]
        try:
            while queue:
                item = queue.popleft()
                try:
                    await self._deliver(item)
                finally:
                    self._backlog -= 1
                    if self._starved and self._backlog <= self._max_backlog // 2:
                        self._starved = False
                        self._wake.set()
        finally:
            self._workers.pop(channel_id, None)
            if not queue:
                self._queues.pop(channel_id, None)
            if not self._workers:
                self._idle.set()

    async def _deliver(self, item: OutboxItem) -> None:
        repository = self._repository
        if item.guild_id in self._paused:
            await repository.retry_later(item.id, None, "announcements are paused in this server")
            return
        announcement = self._announcement(item, await self._settings_of(item.guild_id))
        if announcement is None:
            await repository.fail_outbox_item(item.id, SHOW_GONE)
            return
        await self.limiter.wait_for_channel(item.channel_id)
        async with self._requests:
            await self.limiter.acquire(item.channel_id)
            try:
                message_id = await self._send(announcement)
            except PermanentFailure as failure:
                await self._pause(item, failure.reason)
                return
            except Undeliverable as failure:
                await repository.fail_outbox_item(item.id, str(failure))
                return
            except TemporaryFailure as failure:
                await self._retry(item, failure.reason, failure.retry_after)
                return
            except Exception as error:  # a bug must not lose the announcement: retry it, and say so in the log
                log.exception("announcement %s to guild %s failed unexpectedly", item.id, item.guild_id)
                await self._retry(item, f"unexpected error: {type(error).__name__}", None)
                return
            finally:
                self.limiter.release(item.channel_id)
        await repository.mark_sent(item.id, message_id, self._clock())
        self.sent += 1

    async def _pause(self, item: OutboxItem, reason: str) -> None:
        self.failures += 1
        self._paused.add(item.guild_id)
        now = self._clock()
        await self._repository.pause_announcements(item.guild_id, reason, now)
        # Back to pending: once an admin fixes the channel it goes out, if still within the grace window.
        await self._repository.retry_later(item.id, None, reason)
        log.info("announcements paused in guild %s: %s", item.guild_id, reason)

    async def _retry(self, item: OutboxItem, reason: str, retry_after: float | None) -> None:
        self.failures += 1
        now = self._clock()
        await self._repository.record_announce_error(item.guild_id, reason, now)
        if item.attempts >= self._max_attempts:
            await self._repository.fail_outbox_item(item.id, f"gave up after {item.attempts} attempts: {reason}")
            return
        delay = max(retry_after or 0.0, backoff(item.attempts))
        await self._repository.retry_later(item.id, now + dt.timedelta(seconds=delay), reason)
        self._wake.set()

    async def drain(self) -> None:
        """Wait until every claimed row has been delivered or put back (tests and the benchmark)."""
        await self._idle.wait()

    # -- the loop -------------------------------------------------------------------------------------------

    async def step(self, now: dt.datetime | None = None) -> dt.datetime | None:
        """Plan, skip what is too old, deliver what is due; return when to wake next."""
        now = now or self._clock()
        await self.materialize(now)
        await self._repository.skip_overdue(now - self.grace)
        await self.dispatch_due(now)
        return await self.next_wake(now)

    async def run(self) -> None:
        """Run until cancelled: recover a crash's claims, then step and sleep until the next due moment."""
        released = await self._repository.release_claims()
        if released:
            log.warning("re-sending %d announcements a previous run claimed but never marked (nonce-guarded)", released)
        while True:
            self._wake.clear()
            try:
                wake_at = await self.step()
                delay = MAX_SLEEP if wake_at is None else (wake_at - self._clock()).total_seconds()
            except Exception:
                log.exception("the announcer failed; trying again in %s s", ERROR_SLEEP)
                delay = ERROR_SLEEP
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, self._real_seconds(min(delay, MAX_SLEEP))))
            if self._wake.is_set():
                # A bulk change (an import of 500 shows) wakes us once per show: plan once for the burst.
                await asyncio.sleep(WAKE_SETTLE)

    async def stop(self) -> None:
        """Cancel the channel workers; their claimed rows are released on the next start."""
        workers = list(self._workers.values())
        for task in workers:
            task.cancel()
        for task in workers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("announcement worker %s failed", task.get_name(), exc_info=task.exception())
