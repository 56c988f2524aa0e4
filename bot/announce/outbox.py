"""Deliver announcements from the SQLite outbox exactly once, within Discord's rate limits, whatever happens.

No `discord` import: each claimed row becomes an `Announcement` (the channel, the role to ping and the card,
built here from the catalog and the server's settings), and the cog hands in two coroutines: `send(announcement)
-> message id`, which only posts it, and `find(lookup) -> message id | None`, which looks for an announcement in
its channel by the reference at the end of its footer (Discord returns embeds when a channel is read; it does not
return the nonce). `send` and `find` raise `PermanentFailure` (403/404: the server's announcements pause with the
reason kept), `TemporaryFailure` (429, 5xx, network: retried with capped, jittered back-off) or `Undeliverable`
(Discord rejected this one message: the row is marked failed).

Exactly once:
- a row exists once per (server, show, episode, kind) (a UNIQUE key), created when it falls due;
- it is claimed (pending -> claimed, durably) before sending and marked sent (durably) right after;
- whenever an attempt may have posted without our knowing (a crash or a kill between send and mark, a request
  that timed out, an answer lost on the way, a process that died holding claims), the row is marked `unsure` and
  looked up in the channel, among the messages since its first attempt, before it is ever sent again. The nonce
  (with `enforce_nonce`) still dedupes a resend within Discord's few minutes; the lookup works after any downtime;
- a request that takes longer than `send_timeout` is abandoned and looked up: never a second copy because an
  answer was slow;
- nothing is dropped: retries go on until the grace window closes; a paused server's announcements are held
  (sent when it resumes, if still within the grace window, else skipped); what fell due while the bot was down is
  delivered late if within the grace window, else recorded skipped; a show edited so that an episode is now due
  in the recent past is planned again; a failure to record an outcome (database busy, disk full) is retried and
  never stops a worker; a crashed announcer restarts with back-off.

Rate limits: at most `per_second` requests a second overall and `per_channel` messages per `channel_period`
seconds in any one channel (bot/ratelimit.py). Each channel (the server's current one) has its own worker, so a
slow, limited or failing server never holds up another's announcements.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from bot.announce.delivery import (
    Announcement,
    Find,
    Lookup,
    PermanentFailure,
    Send,
    TemporaryFailure,
    Undeliverable,
    announcement_reference,
    backoff,
)
from bot.announce.direct import DirectMessages, reminder_announcement
from bot.announce.plan import (
    NEXT_DUE_HORIZON,
    ShowCatalog,
    airings_between,
    first_state,
    next_due_after,
    plan,
    schedules_due_between,
)
from bot.cards import announcement_text
from bot.lists.reminders import plan_reminders
from bot.models import Due, GuildAnnounceSettings, ListOwner, OutboxItem
from bot.ratelimit import ChannelRateLimiter
from bot.schedule import Schedule
from bot.store import Repository, utc_now

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

MAX_BACKFILL = dt.timedelta(days=7)  # after a longer outage, older announcements are not even recorded
MAX_SLEEP = 3600.0  # wake at least hourly, whatever the schedule says
ERROR_SLEEP = 30.0
SEND_TIMEOUT = 10.0  # a send not answered by then is abandoned, then looked up in the channel
STOP_TIMEOUT = 10.0  # how long a stop lets sends in flight finish
RECORD_RETRY = (0.05, 5.0)  # first and longest pause between attempts to record an outcome
RESTART_BACKOFF = (1.0, 60.0)  # first and longest pause before restarting a crashed announcer
WAKE_SETTLE = 0.05  # real seconds a wake waits for the rest of its burst before planning again
SHOW_GONE = "the show is no longer in the catalog"
PAUSED = "announcements are paused in this server"
TURNED_OFF = "announcements were turned off here before it was sent"
NOT_POSTED_IN_TIME = "not delivered within the grace window (an earlier attempt did not post it)"


@dataclass(frozen=True, slots=True)
class MaterializeReport:
    pending: int = 0
    skipped: int = 0
    new: int = 0


class Announcer(DirectMessages):
    """The outbox service: store what falls due, deliver it, and sleep until the next due moment (reminder DMs
    too: bot/announce/direct.py)."""

    def __init__(
        self,
        repository: Repository,
        send: Send,
        *,
        find: Find,
        catalog: ShowCatalog,
        grace: dt.timedelta,
        clock: Clock = utc_now,
        real_seconds: Callable[[float], float] = lambda seconds: seconds,
        limiter: ChannelRateLimiter | None = None,
        concurrency: int = 32,
        max_backlog: int = 2000,
        send_timeout: float = SEND_TIMEOUT,
        rng: random.Random | None = None,
    ) -> None:
        self._repository = repository
        self._send = send
        self._find = find
        self._catalog = catalog  # its schedules are cached there, one cache for every feature
        self.grace = grace
        self._clock = clock
        self._real_seconds = real_seconds  # the clock's seconds on the wall clock (a demo clock runs faster)
        self.limiter = limiter or ChannelRateLimiter()
        self._requests = asyncio.Semaphore(concurrency)
        self._max_backlog = max_backlog
        self._send_timeout = send_timeout
        self._rng = rng or random.Random()
        # Each server's channel and role, read with the plan and again only after the server's settings change.
        self._settings: dict[int, GuildAnnounceSettings] = {}
        self._settings_changes = 0  # a read that overlapped a change is not kept: it may predate the change
        self._queues: dict[int, deque[OutboxItem]] = {}  # by the server's current channel
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._claimed: set[int] = set()  # rows this process claimed and has not settled (queued or in flight)
        self._replan: set[int] = set()  # shows changed since the last plan
        self._backlog = 0
        self._starved = False
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._stopping = asyncio.Event()
        self._loop_done = asyncio.Event()
        self._loop_done.set()  # until run_supervised starts
        self.sent = 0  # counters for the benchmarks and the logs
        self.found = 0  # announcements a lookup found already posted (not sent again)
        self.failures = 0

    # -- signals --------------------------------------------------------------------------------------------

    def wake(self) -> None:
        """Plan again and reconsider when to wake."""
        self._wake.set()

    def catalog_changed(self, show_id: int) -> None:
        """A show or its episodes changed: plan it again, including its recent past (an episode moved earlier)."""
        self._replan.add(show_id)
        self.wake()

    async def settings_changed(self, guild_id: int) -> None:
        """Apply a server's changed settings to the rows this process holds for it, then plan and deliver again.

        Turned off: its unsent rows are skipped, queued ones included. Paused: queued ones are held. A new channel:
        queued ones go back to be claimed under it.
        """
        self._settings.pop(guild_id, None)
        self._settings_changes += 1
        settings = await self._settings_of(guild_id)
        purged = self._take_queued(
            lambda i, channel_id: i.guild_id == guild_id and not _delivers_to(settings, channel_id)
        )
        await self._settle(guild_id, settings, [i.id for i in purged])
        self.wake()

    async def _settle(self, guild_id: int, settings: GuildAnnounceSettings | None, ids: list[int]) -> None:
        """Put rows this process claimed for a server but will not send where its settings now say."""
        repository = self._repository
        try:
            if settings is None or not settings.enabled or settings.channel_id is None:
                await self._record("turned-off rows", lambda: repository.withdraw(guild_id, ids, TURNED_OFF))
            elif ids and settings.paused_reason:
                await self._record("held rows", lambda: repository.hold(ids, PAUSED))
            elif ids:
                await self._record("released rows", lambda: repository.release(ids))
        finally:
            self._claimed.difference_update(ids)

    # -- planning -------------------------------------------------------------------------------------------

    async def materialize(self, now: dt.datetime) -> MaterializeReport:
        """Store every announcement that fell due since the last run, up to `now`.

        Due within the grace window: pending (delivered, late if the bot was down), or held if the server is
        paused. Older: skipped, recorded so /announce status can say what was missed. The first run ever starts
        from `now`.
        """
        watermark = await self._repository.announce_watermark()
        start = max(watermark or now, now - MAX_BACKFILL)
        end = now + dt.timedelta(microseconds=1)
        if start >= end:
            return MaterializeReport()
        await self._catalog.warm_airing()
        rows = await self._plan_rows(schedules_due_between(self._catalog, start, end), start, end, now)
        new = await self._repository.add_to_outbox(rows, planned_until=now)
        skipped = sum(1 for _, state in rows if state == "skipped")
        if skipped:
            log.warning("%d announcements fell due over %s ago while down; recorded as skipped", skipped, self.grace)
        return MaterializeReport(pending=len(rows) - skipped, skipped=skipped, new=new)

    async def replan_changed(self, now: dt.datetime) -> int:
        """Plan the changed shows again over the grace window up to the watermark; return how many rows are new.

        An edit can make an episode due in the recent past (an air time moved earlier, a removal undone, an exact
        time cleared to a date): planning only moves forward, so those would never be announced. The unique key
        keeps every announcement already stored (sent or not) from being stored twice.
        """
        shows = set(self._replan)
        watermark = await self._repository.announce_watermark()
        if not shows or watermark is None:
            self._replan -= shows
            return 0
        start, end = now - self.grace, min(watermark, now) + dt.timedelta(microseconds=1)
        # Of the changed shows, those that may have something due in the window: at start-up every show counts
        # as changed, and asking each one's schedule would hold the loop for as long as the catalog is big.
        schedules = [s for s in schedules_due_between(self._catalog, start, end) if s.show.id in shows]
        rows = await self._plan_rows(schedules, start, end, now)
        new = await self._repository.add_to_outbox(rows, planned_until=None) if rows else 0
        self._replan -= shows
        if new:
            log.info("%d announcements planned again after a catalog change moved them into the recent past", new)
        return new

    async def _plan_rows(
        self, schedules: Iterable[Schedule], start: dt.datetime, end: dt.datetime, now: dt.datetime
    ) -> list[tuple[Due, str]]:
        airings = airings_between(schedules, start, end)
        if not airings:
            return []
        changes = self._settings_changes
        settings = await self._repository.all_announce_settings()
        self._remember(settings, changes)
        by_guild = {s.guild_id: s for s in settings}
        planned = plan(settings, await self._repository.all_follows(), airings)
        rows = [(due, first_state(due, by_guild[due.guild_id], now, self.grace)) for due in planned]
        reminders = plan_reminders(await self._repository.reminder_subscriptions(), airings)
        return rows + [(due, first_state(due, owner, now, self.grace)) for due, owner in reminders]

    async def next_wake(self, now: dt.datetime) -> dt.datetime | None:
        """Return the next moment something falls due or may be retried, or None if nothing is known."""
        moments = [
            next_due_after(schedules_due_between(self._catalog, now, now + NEXT_DUE_HORIZON), now),
            await self._repository.next_outbox_retry(now),
        ]
        known = [m for m in moments if m is not None]
        return min(known) if known else None

    # -- delivery -------------------------------------------------------------------------------------------

    async def dispatch_due(self, now: dt.datetime) -> int:
        """Claim what is due and hand each row to its channel's worker; return how many were claimed."""
        room = self._max_backlog - self._backlog
        if room <= 0 or self._stopping.is_set():
            return 0
        items = await self._repository.claim_due(now, limit=room)
        self._claimed.update(item.id for item in items)
        self._starved = len(items) == room  # more may be waiting: claim again once the backlog halves
        try:
            unknown = {item.guild_id for item in items if not item.is_reminder} - self._settings.keys()
            if len(unknown) > 1:  # one read, not one per server
                changes = self._settings_changes
                self._remember(await self._repository.all_announce_settings(), changes)
            elif unknown:
                await self._settings_of(unknown.pop())
        finally:
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

    def _announcement(
        self, item: OutboxItem, settings: GuildAnnounceSettings | ListOwner, channel_id: int
    ) -> Announcement | None:
        """Make a claimed row ready to post in `channel_id`, or None if its show left the catalog."""
        show = self._catalog.shows.get(item.show_id)
        if show is None:
            return None
        schedule = self._catalog.schedule_of(show)
        if item.is_reminder:
            return reminder_announcement(item, show, schedule)
        assert isinstance(settings, GuildAnnounceSettings)
        card = announcement_text(
            show, episode=item.episode, total=schedule.total if schedule else None, kind=item.kind,
            air_at=item.air_at, time_known=item.time_known, reference=announcement_reference(item.nonce),
        )  # fmt: skip
        return Announcement(item, channel_id, settings.role_id, card)

    def _enqueue(self, item: OutboxItem) -> None:
        settings = self._settings.get(item.guild_id)
        channel_id = settings.channel_id if settings and settings.channel_id else item.channel_id
        queue = self._queues.setdefault(channel_id, deque())
        queue.append(item)
        self._backlog += 1
        self._idle.clear()
        if channel_id not in self._workers:
            task = asyncio.create_task(self._drain(channel_id), name=f"announce-channel-{channel_id}")
            self._workers[channel_id] = task
            task.add_done_callback(_log_failure)

    async def _drain(self, channel_id: int) -> None:
        queue = self._queues[channel_id]
        try:
            while queue:
                item = queue.popleft()
                try:
                    await self._deliver(item, channel_id)
                except Exception as error:  # a bug or a database failure must not stop the channel
                    log.exception("announcement %s to guild %s failed unexpectedly", item.id, item.guild_id)
                    await self._retry(item, f"unexpected error: {type(error).__name__}", None, unsure=True)
                finally:
                    self._claimed.discard(item.id)
                    self._backlog -= 1
                    if self._starved and self._backlog <= self._max_backlog // 2:
                        self._starved = False
                        self._wake.set()
        finally:
            self._workers.pop(channel_id, None)
            if not queue and self._queues.get(channel_id) is queue:
                self._queues.pop(channel_id, None)
            if not self._workers:
                self._idle.set()

    async def _still_wanted(self, item: OutboxItem, channel_id: int) -> GuildAnnounceSettings | ListOwner | None:
        """Return the server's settings (a reminder: its user's) if this row still goes to `channel_id`; otherwise
        put it where it belongs.

        During a stop nothing new is sent: the row goes back to pending.
        """
        if item.is_reminder:
            return await self._reminder_wanted(item)
        settings = await self._settings_of(item.guild_id)
        if self._stopping.is_set():
            await self._record("a released row", lambda: self._repository.release([item.id]))
            self._claimed.discard(item.id)
            return None
        if _delivers_to(settings, channel_id):
            return settings
        await self._settle(item.guild_id, settings, [item.id])
        self.wake()  # a changed channel: claimed again under the new one
        return None

    async def _deliver(self, item: OutboxItem, channel_id: int) -> None:
        repository = self._repository
        if await self._still_wanted(item, channel_id) is None:
            return
        await self.limiter.wait_for_channel(channel_id)
        settings = await self._still_wanted(item, channel_id)  # an admin may have acted while it waited
        if settings is None:
            return
        announcement = self._announcement(item, settings, channel_id)
        if announcement is None:
            await self._record("a failure", lambda: repository.fail_outbox_item(item.id, SHOW_GONE))
            return
        late = self._clock() - item.due_at > self.grace
        if item.unsure:
            try:
                found = await self._look_up(item)
            except PermanentFailure as failure:
                await self._pause(item, failure.reason)
                return
            except (TemporaryFailure, TimeoutError) as failure:
                reason = failure.reason if isinstance(failure, TemporaryFailure) else "Discord did not answer in time"
                await self._retry(item, f"could not check the channel: {reason}", None, unsure=True)
                return
            if found is not None:
                self.found += 1
                await self._mark_sent(item, found)
                return
            if late:
                await self._record("a failure", lambda: repository.fail_outbox_item(item.id, NOT_POSTED_IN_TIME))
                return
            # Not there: a new attempt. Record where and when it goes before it goes, for a later lookup.
            now = self._clock()
            await self._record("an attempt", lambda: repository.begin_attempt(item.id, channel_id, now))
        elif late:  # it waited past the window (a long queue, or retries up to its end)
            reason = f"not delivered within the grace window: {item.error or 'it waited too long'}"
            await self._record("a failure", lambda: repository.fail_outbox_item(item.id, reason))
            return
        async with self._requests:
            if await self._still_wanted(item, channel_id) is None:
                return
            await self.limiter.acquire(channel_id)
            try:
                async with asyncio.timeout(self._send_timeout):
                    message_id = await self._send(announcement)
            except PermanentFailure as failure:
                await self._pause(item, failure.reason)
                return
            except Undeliverable as rejected:
                self.failures += 1
                reason = str(rejected)
                await self._record("a failure", lambda: repository.fail_outbox_item(item.id, reason))
                return
            except TemporaryFailure as failure:
                await self._retry(item, failure.reason, failure.retry_after, unsure=failure.maybe_sent)
                return
            except TimeoutError:
                reason = f"Discord did not answer within {self._send_timeout:g} s"
                await self._retry(item, reason, None, unsure=True)
                return
            except Exception as error:  # a bug must not lose the announcement: retry it, and say so in the log
                log.exception("announcement %s to guild %s failed unexpectedly", item.id, item.guild_id)
                await self._retry(item, f"unexpected error: {type(error).__name__}", None, unsure=True)
                return
            finally:
                self.limiter.release(channel_id)
        await self._mark_sent(item, message_id)

    async def _look_up(self, item: OutboxItem) -> int | None:
        """Find the row's announcement in the channel of its last attempt (None: it is not there)."""
        lookup = Lookup(
            item.channel_id, announcement_reference(item.nonce), item.attempt_at or item.due_at, user_id=item.user_id
        )
        async with self._requests:
            await self.limiter.acquire_global()
            try:
                async with asyncio.timeout(self._send_timeout * 3):  # it may read a few pages
                    return await self._find(lookup)
            finally:
                self.limiter.release_global()

    async def _mark_sent(self, item: OutboxItem, message_id: int) -> None:
        at = self._clock()
        await self._record("a sent announcement", lambda: self._repository.mark_sent(item.id, message_id, at))
        self.sent += 1

    async def _pause(self, item: OutboxItem, reason: str) -> None:
        self.failures += 1
        repository = self._repository
        now = self._clock()
        if item.is_reminder:
            await self._pause_reminders(item, reason, now)
            return
        # Held, with the server's other waiting rows: once an admin fixes the channel they go out, within grace.
        await self._record("a pause", lambda: repository.pause_announcements(item.guild_id, reason, now))
        await self._record("a held row", lambda: repository.hold([item.id], PAUSED))
        self._settings.pop(item.guild_id, None)
        self._settings_changes += 1
        log.info("announcements paused in guild %s: %s", item.guild_id, reason)

    async def _retry(self, item: OutboxItem, reason: str, retry_after: float | None, *, unsure: bool) -> None:
        """Try again later, until the grace window closes (the last try is at its very end)."""
        self.failures += 1
        repository = self._repository
        now = self._clock()
        delay = max(retry_after or 0.0, backoff(item.attempts, self._rng))
        at = now + dt.timedelta(seconds=delay)
        closes = item.due_at + self.grace
        if now < closes < at:
            at = closes
        await self._record("an error", lambda: repository.record_announce_error(item.guild_id, reason, now))
        await self._record("a retry", lambda: repository.retry_later(item.id, at, reason, unsure=unsure))
        self._wake.set()

    async def _record(self, what: str, write: Callable[[], Awaitable[object]]) -> None:
        """Write an outcome, retrying with back-off until it lands: a busy or full database never stops a worker.

        Only a stop gives up (by cancelling): the row then stays claimed and is looked up at the next start.
        """
        pause, longest = RECORD_RETRY
        failures = 0
        while True:
            try:
                await write()
            except Exception as error:
                failures += 1
                log.warning(
                    "could not record %s (%s: %s); trying again in %.2f s", what, type(error).__name__, error, pause
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, longest)
                continue
            if failures:
                log.info("recorded %s after %d failed attempts", what, failures)
            return

    async def drain(self) -> None:
        """Wait until every claimed row has been delivered or put back (tests and the benchmark)."""
        await self._idle.wait()

    # -- the loop -------------------------------------------------------------------------------------------

    async def step(self, now: dt.datetime | None = None) -> dt.datetime | None:
        """Plan, close what is too old, resume what was held, deliver what is due; return when to wake next."""
        now = now or self._clock()
        await self.materialize(now)
        await self.replan_changed(now)
        await self._repository.expire_overdue(now - self.grace, unsure_before=now - MAX_BACKFILL)
        await self._repository.resume_held()
        await self.dispatch_due(now)
        return await self.next_wake(now)

    async def run(self) -> None:
        """Put back what a dead run left claimed, then step and sleep until the next due moment, until stopped."""
        released = await self._repository.release_claims(keep=self._claimed)
        if released:
            log.warning("%d announcements were left claimed by a stopped run; each is looked up before any re-send",
                        released)  # fmt: skip
        # Edits made while the bot was down (an offline sync, another tool) sent no event: look at every show's
        # recent past once, as if each had just changed. Stored announcements are never stored twice.
        self._replan.update(self._catalog.shows)
        while not self._stopping.is_set():
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

    async def run_supervised(self) -> None:
        """Run until stopped; if the loop itself crashes, log why and start it again after a growing pause."""
        self._loop_done.clear()
        first, longest = RESTART_BACKOFF
        pause = first
        try:
            while not self._stopping.is_set():
                started = time.monotonic()
                try:
                    await self.run()
                    return
                except Exception as error:
                    if time.monotonic() - started > longest:
                        pause = first  # it ran fine for a while: this is a new problem
                    log.error("the announcer crashed (%s: %s); restarting it in %.0f s", type(error).__name__, error,
                              pause, exc_info=error)  # fmt: skip
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), pause)
                pause = min(pause * 2, longest)
        finally:
            self._loop_done.set()

    async def stop(self, within: float = STOP_TIMEOUT) -> None:
        """Stop claiming; put queued rows back; let sends in flight finish, all within `within` seconds.

        What is still in flight after that is cancelled and stays claimed: the next start looks it up before it
        could send it again.
        """
        deadline = time.monotonic() + within
        self._stopping.set()
        self._wake.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._loop_done.wait(), within)
        queued = [item for queue in self._queues.values() for item in queue]
        for queue in self._queues.values():
            queue.clear()
        self._backlog -= len(queued)
        if queued:
            ids = [item.id for item in queued]
            try:
                await asyncio.wait_for(self._repository.release(ids), max(0.1, deadline - time.monotonic()))
                self._claimed.difference_update(ids)
            except Exception as error:  # they stay claimed, and are looked up at the next start
                log.warning("could not put back %d queued announcements: %s", len(ids), error)
        workers = list(self._workers.values())
        unfinished: set[asyncio.Task[None]] = set()
        if workers:
            _, unfinished = await asyncio.wait(workers, timeout=max(0.0, deadline - time.monotonic()))
        for task in unfinished:
            task.cancel()
        for task in unfinished:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        log.info(
            "announcer stopped: %d queued put back, %d sends finished, %d cut short (looked up at the next start)",
            len(queued), len(workers) - len(unfinished), len(unfinished),
        )  # fmt: skip


def _delivers_to(settings: GuildAnnounceSettings | None, channel_id: int) -> bool:
    return settings is not None and settings.active and settings.channel_id == channel_id


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("announcement worker %s failed", task.get_name(), exc_info=task.exception())
