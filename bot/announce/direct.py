"""Reminder DMs in the announcement outbox: what differs from a channel announcement, for `Announcer` to mix in.

A reminder (bot/lists/reminders.py) is an outbox row with a `user_id`: planned with the announcements, claimed,
sent with its nonce, looked up after a crash and marked exactly as they are. Only the routing differs: its
"channel" is the user (the cog opens the DM, `POST /users/@me/channels`, when it sends or looks), the user's
reminder settings decide whether it still goes, and Discord's refusal to DM the user (50007) pauses that user's
reminders (to be told at their next command), not a server's announcements.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from bot.announce.delivery import Announcement, announcement_reference
from bot.lists.texts import reminder_card
from bot.models import ListOwner, OutboxItem, Show
from bot.schedule import Schedule
from bot.store import Repository

log = logging.getLogger(__name__)

REMINDERS_OFF = "reminders were turned off before it was sent"
REMINDERS_PAUSED = "reminders are paused: Discord would not deliver a DM"


def reminder_announcement(item: OutboxItem, show: Show, schedule: Schedule | None) -> Announcement:
    """A claimed reminder ready to DM (no role is ever pinged)."""
    card = reminder_card(
        show, episode=item.episode, total=schedule.total if schedule else None, air_at=item.air_at,
        time_known=item.time_known, reference=announcement_reference(item.nonce),
    )  # fmt: skip
    return Announcement(item, item.channel_id, None, card)


class DirectMessages:
    """The Announcer's handling of reminder rows (its state is declared here for the type checker)."""

    _repository: Repository
    _queues: dict[int, deque[OutboxItem]]
    _claimed: set[int]
    _backlog: int
    _stopping: asyncio.Event

    def wake(self) -> None:
        raise NotImplementedError

    async def _record(self, what: str, write: Callable[[], Awaitable[object]]) -> None:
        raise NotImplementedError

    def _take_queued(self, unwanted: Callable[[OutboxItem, int], bool]) -> list[OutboxItem]:
        """Take the queued rows `unwanted(item, channel_id)` names out of their queues, and return them."""
        taken: list[OutboxItem] = []
        for channel_id, queue in self._queues.items():
            kept = [i for i in queue if not unwanted(i, channel_id)]
            if len(kept) < len(queue):
                taken += [i for i in queue if unwanted(i, channel_id)]
                queue.clear()
                queue.extend(kept)
        self._backlog -= len(taken)
        return taken

    async def reminders_changed(self, user_id: int) -> None:
        """Apply a user's changed reminder settings to the reminders this process holds for them, then plan again."""
        owner = await self._repository.list_owner(user_id)
        purged = [] if owner.reminding else self._take_queued(lambda item, _channel: item.user_id == user_id)
        await self._settle_reminders(owner, [i.id for i in purged])
        self.wake()

    async def _settle_reminders(self, owner: ListOwner, ids: list[int]) -> None:
        """Put a user's reminders that this process claimed but will not send where their settings now say."""
        repository, user_id = self._repository, owner.user_id
        try:
            if not owner.reminders:
                await self._record(
                    "withdrawn reminders", lambda: repository.withdraw_reminders(user_id, ids, REMINDERS_OFF)
                )
            elif ids and owner.paused_reason:
                await self._record("held reminders", lambda: repository.hold(ids, REMINDERS_PAUSED))
            elif ids:
                await self._record("released reminders", lambda: repository.release(ids))
        finally:
            self._claimed.difference_update(ids)

    async def _reminder_wanted(self, item: OutboxItem) -> ListOwner | None:
        """The user's settings if this reminder still goes (read each time: reminders are few); else settle it."""
        owner = await self._repository.list_owner(item.user_id)
        if self._stopping.is_set():
            await self._record("a released row", lambda: self._repository.release([item.id]))
            self._claimed.discard(item.id)
            return None
        if owner.reminding:
            return owner
        await self._settle_reminders(owner, [item.id])
        return None

    async def _pause_reminders(self, item: OutboxItem, reason: str, now: dt.datetime) -> None:
        """Discord will not DM this user: hold their reminders until /remind on, and tell them at their next command."""
        repository = self._repository
        await self._record("a reminder pause", lambda: repository.pause_reminders(item.user_id, reason, now))
        await self._record("a held reminder", lambda: repository.hold([item.id], REMINDERS_PAUSED))
        log.info("reminders paused for user %s: %s", item.user_id, reason)
