"""Announcements: each server's settings, the shows it follows, and the outbox.

An outbox row goes pending -> claimed -> sent. On the way it may be held (its server is paused; pending again when
the server resumes), skipped (it fell due longer ago than the grace window, or announcements were turned off) or
failed (Discord refused it, or the grace window closed while Discord kept failing). A crash leaves a row claimed;
the next start puts it back as unsure, and it is looked up in its channel before it is ever sent again.
Claims and marks commit durably (synchronous=FULL), so a power loss cannot undo one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from typing import Any

from bot.db import DURABLE_SYNCHRONOUS, SYNCHRONOUS
from bot.models import AnnouncementKind, AnnounceMode, Due, GuildAnnounceSettings, OutboxItem
from bot.store.base import atomic, datetime_or_none, iso, iso_or_none, isolated, parse_datetime
from bot.store.meta import MetaStore

ANNOUNCE_WATERMARK = "announce_planned_until"
_SKIP_REASON = "fell due while the bot was down, longer ago than the grace window"
_HELD_SKIP_REASON = "fell due while announcements were paused here, longer ago than the grace window"
_PAUSED = "announcements are paused in this server"
_GAVE_UP = "not delivered within the grace window: "
_UNCONFIRMED = "perhaps posted, never confirmed (the channel could not be read): "
_FIRST_ERRORS = {"skipped": _SKIP_REASON, "held": _PAUSED}
_ANNOUNCE_COLUMNS = (
    "guild_id, since, channel_id, role_id, mode, enabled, paused_reason, paused_at, last_error, last_error_at"
)
_OUTBOX_COLUMNS = (
    "id, guild_id, show_id, episode, kind, due_at, air_at, time_known, channel_id, state, nonce, attempts, sent_at,"
    " message_id, error, unsure, attempt_at, user_id"
)
# A reminder row (user_id != 0) is claimable while its user's reminders are on and not paused.
_REMINDING = "SELECT user_id FROM list_owners WHERE reminders = 1 AND paused_reason IS NULL"


class AnnounceStore(MetaStore):
    """Keep each server's announcement settings and follows, and move outbox rows through their states."""

    @isolated
    async def announce_settings(self, guild_id: int) -> GuildAnnounceSettings | None:
        async with self._db.execute(
            f"SELECT {_ANNOUNCE_COLUMNS} FROM announce_settings WHERE guild_id = ?", (guild_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return _announce_settings_from_row(row) if row else None

    @isolated
    async def all_announce_settings(self) -> list[GuildAnnounceSettings]:
        async with self._db.execute(f"SELECT {_ANNOUNCE_COLUMNS} FROM announce_settings ORDER BY guild_id") as cursor:
            return [_announce_settings_from_row(row) async for row in cursor]

    @atomic
    async def save_announce_settings(self, settings: GuildAnnounceSettings) -> None:
        s = settings
        await self._db.execute(
            "INSERT INTO announce_settings (guild_id, channel_id, role_id, mode, enabled, since, paused_reason,"
            " paused_at, last_error, last_error_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, role_id = excluded.role_id,"
            " mode = excluded.mode, enabled = excluded.enabled, since = excluded.since,"
            " paused_reason = excluded.paused_reason, paused_at = excluded.paused_at,"
            " last_error = excluded.last_error, last_error_at = excluded.last_error_at,"
            " updated_at = excluded.updated_at",
            (s.guild_id, s.channel_id, s.role_id, str(s.mode), int(s.enabled), iso(s.since), s.paused_reason,
             iso_or_none(s.paused_at), s.last_error, iso_or_none(s.last_error_at), self._now()),
        )  # fmt: skip

    @atomic
    async def pause_announcements(self, guild_id: int, reason: str, at: dt.datetime) -> None:
        """Stop a server's announcements until an admin fixes the channel, keeping why; its waiting rows are held."""
        await self._db.execute(
            "UPDATE announce_settings SET paused_reason = ?, paused_at = ?, last_error = ?, last_error_at = ?,"
            " updated_at = ? WHERE guild_id = ?",
            (reason, iso(at), reason, iso(at), self._now(), guild_id),
        )
        await self._db.execute(
            "UPDATE announce_outbox SET state = 'held', next_attempt_at = NULL"
            " WHERE guild_id = ? AND state = 'pending'",
            (guild_id,),
        )

    @atomic
    async def record_announce_error(self, guild_id: int, error: str, at: dt.datetime) -> None:
        await self._db.execute(
            "UPDATE announce_settings SET last_error = ?, last_error_at = ? WHERE guild_id = ?",
            (error, iso(at), guild_id),
        )

    @isolated
    async def followed_shows(self, guild_id: int) -> list[int]:
        async with self._db.execute(
            "SELECT show_id FROM announce_follows WHERE guild_id = ? ORDER BY created_at, show_id", (guild_id,)
        ) as cursor:
            return [row[0] async for row in cursor]

    @isolated
    async def all_follows(self) -> dict[int, frozenset[int]]:
        grouped: dict[int, set[int]] = {}
        async with self._db.execute("SELECT guild_id, show_id FROM announce_follows") as cursor:
            async for guild_id, show_id in cursor:
                grouped.setdefault(guild_id, set()).add(show_id)
        return {guild_id: frozenset(shows) for guild_id, shows in grouped.items()}

    @atomic
    async def follow_show(self, guild_id: int, show_id: int) -> bool:
        """Follow a show in a server; return False if it was already followed."""
        cursor = await self._db.execute(
            "INSERT OR IGNORE INTO announce_follows (guild_id, show_id, created_at) VALUES (?, ?, ?)",
            (guild_id, show_id, self._now()),
        )
        return cursor.rowcount > 0

    @atomic
    async def unfollow_show(self, guild_id: int, show_id: int) -> bool:
        cursor = await self._db.execute(
            "DELETE FROM announce_follows WHERE guild_id = ? AND show_id = ?", (guild_id, show_id)
        )
        return cursor.rowcount > 0

    # -- the outbox --------------------------------------------------------------------------------------

    @asynccontextmanager
    async def _durable(self) -> AsyncIterator[None]:
        """One transaction whose COMMIT is on disk before it returns (synchronous=FULL), surviving a power loss.

        In WAL mode every earlier commit is in the log before this one, so it makes them durable too.
        """
        async with self._turn():
            if self._db.in_transaction:  # joining the caller's transaction: its commit decides
                yield
                return
            await self._db.execute(f"PRAGMA synchronous = {DURABLE_SYNCHRONOUS}")
            try:
                async with self.transaction():
                    yield
            finally:
                await self._db.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")

    async def add_to_outbox(self, rows: Sequence[tuple[Due, str]], *, planned_until: dt.datetime | None) -> int:
        """Store due announcements (each with its first state: pending, held or skipped) and the planning watermark.

        One durable transaction: either every row and the new watermark land, or none, so a crash mid-way re-plans
        the same window and the unique key keeps each announcement once. `planned_until` None leaves the watermark
        (re-planning a changed show's recent past). Return how many rows were new.
        """
        now = self._now()
        async with self._durable():
            before = self._db.total_changes
            await self._db.executemany(
                "INSERT OR IGNORE INTO announce_outbox (guild_id, user_id, show_id, episode, kind, due_at, air_at,"
                " time_known, channel_id, state, nonce, error, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(d.guild_id, d.user_id, d.show_id, d.episode, str(d.kind), iso(d.due_at), iso(d.air_at),
                  int(d.time_known), d.channel_id, state, d.nonce, _FIRST_ERRORS.get(state), now)
                 for d, state in rows],
            )  # fmt: skip
            added = self._db.total_changes - before
            if planned_until is not None:
                await self.set_meta(ANNOUNCE_WATERMARK, iso(planned_until))
        return added

    async def announce_watermark(self) -> dt.datetime | None:
        """Return the moment up to which due announcements were stored, or None before the first run."""
        text = await self.get_meta(ANNOUNCE_WATERMARK)
        return parse_datetime(text) if text else None

    async def release_claims(self, keep: Collection[int] = ()) -> int:
        """Put back rows claimed but never marked (a crash, or a process that died), except `keep`; return how many.

        Their attempt may have posted, so they are marked unsure: each is looked up in its channel before a re-send.
        """
        async with self._durable():
            except_kept = f" AND id NOT IN ({_placeholders(keep)})" if keep else ""  # NOT IN (NULL) matches nothing
            cursor = await self._db.execute(
                "UPDATE announce_outbox SET state = 'pending', claimed_at = NULL, unsure = 1 WHERE state = 'claimed'"
                + except_kept,
                tuple(keep),
            )
            return max(cursor.rowcount, 0)

    @atomic
    async def expire_overdue(self, before: dt.datetime, *, unsure_before: dt.datetime) -> int:
        """Close rows that fell due before `before` (beyond the grace window) and will never be sent; return how many.

        Never tried: skipped (the bot was down, or the server paused). Tried and known not posted: failed, with the
        last error. A row that may have posted (unsure) stays, to be looked up once more (never sent again), until
        `unsure_before`: then it fails, as not confirmed.
        """
        changed = 0
        for sql, parameters in (
            ("UPDATE announce_outbox SET state = 'skipped', error = ? WHERE state = 'pending' AND attempts = 0"
             " AND due_at < ?", (_SKIP_REASON, iso(before))),
            ("UPDATE announce_outbox SET state = 'skipped', error = ? WHERE state = 'held' AND unsure = 0"
             " AND due_at < ?", (_HELD_SKIP_REASON, iso(before))),
            ("UPDATE announce_outbox SET state = 'failed', error = ? || IFNULL(error, 'unknown error')"
             " WHERE state = 'pending' AND attempts > 0 AND unsure = 0 AND due_at < ?", (_GAVE_UP, iso(before))),
            ("UPDATE announce_outbox SET state = 'failed', error = ? || IFNULL(error, 'unknown error')"
             " WHERE state IN ('pending', 'held') AND unsure = 1 AND due_at < ?", (_UNCONFIRMED, iso(unsure_before))),
        ):  # fmt: skip
            cursor = await self._db.execute(sql, parameters)
            changed += max(cursor.rowcount, 0)
        return changed

    @atomic
    async def resume_held(self) -> int:
        """Return the held rows of servers (and reminder users) active again to pending; return how many."""
        cursor = await self._db.execute(
            "UPDATE announce_outbox SET state = 'pending', next_attempt_at = NULL WHERE state = 'held' AND"
            " ((user_id = 0 AND guild_id IN (SELECT guild_id FROM announce_settings WHERE enabled = 1"
            f" AND paused_reason IS NULL AND channel_id IS NOT NULL)) OR (user_id != 0 AND user_id IN ({_REMINDING})))"
        )
        return max(cursor.rowcount, 0)

    async def claim_due(self, now: dt.datetime, *, limit: int = 100) -> list[OutboxItem]:
        """Claim up to `limit` pending rows that are due, of servers whose announcements are active (and reminders
        of users whose reminders are on and not paused; a reminder keeps its channel, the user's DM).

        A row is claimed under its server's current channel, and its attempt starts now; unless an earlier attempt
        may have posted it (unsure): that one keeps the channel and time of that attempt, where it is looked up
        first. Durable: a claim is on disk before anything is sent.
        """
        async with self._durable():
            async with self._db.execute(
                "UPDATE announce_outbox SET state = 'claimed', claimed_at = ?, attempts = attempts + 1,"
                " attempt_at = CASE WHEN unsure = 1 THEN IFNULL(attempt_at, due_at) ELSE ? END,"
                " channel_id = CASE WHEN unsure = 1 OR user_id != 0 THEN channel_id ELSE (SELECT s.channel_id"
                " FROM announce_settings AS s WHERE s.guild_id = announce_outbox.guild_id) END"
                " WHERE id IN (SELECT o.id FROM announce_outbox AS o LEFT JOIN announce_settings AS s"
                " ON s.guild_id = o.guild_id AND o.user_id = 0 WHERE o.state = 'pending'"
                " AND IFNULL(o.next_attempt_at, o.due_at) <= ? AND ((o.user_id = 0 AND s.enabled = 1"
                " AND s.paused_reason IS NULL AND s.channel_id IS NOT NULL)"
                f" OR (o.user_id != 0 AND o.user_id IN ({_REMINDING})))"
                " ORDER BY o.due_at, o.id LIMIT ?)"
                f" RETURNING {_OUTBOX_COLUMNS}",
                (self._now(), iso(now), iso(now), limit),
            ) as cursor:
                rows = await cursor.fetchall()
        return sorted((_outbox_item_from_row(row) for row in rows), key=lambda i: (i.due_at, i.id))

    async def mark_sent(self, item_id: int, message_id: int, at: dt.datetime) -> None:
        """Record that the announcement is in its channel as `message_id` (durable: never re-sent after a crash)."""
        async with self._durable():
            await self._db.execute(
                "UPDATE announce_outbox SET state = 'sent', sent_at = ?, message_id = ?, error = NULL, unsure = 0,"
                " claimed_at = NULL WHERE id = ?",
                (iso(at), message_id, item_id),
            )

    async def begin_attempt(self, item_id: int, channel_id: int, at: dt.datetime) -> None:
        """Record where and when a new attempt posts, before it is made (where a later lookup searches)."""
        async with self._durable():
            await self._db.execute(
                "UPDATE announce_outbox SET channel_id = ?, attempt_at = ? WHERE id = ?", (channel_id, iso(at), item_id)
            )

    @atomic
    async def retry_later(self, item_id: int, at: dt.datetime | None, error: str, *, unsure: bool) -> None:
        """Return a claimed row to pending, to be tried again from `at` (None: as soon as its server may).

        `unsure`: the attempt may have posted (a timeout, a lost answer), so the next one looks it up first.
        """
        await self._db.execute(
            "UPDATE announce_outbox SET state = 'pending', claimed_at = NULL, next_attempt_at = ?, error = ?,"
            " unsure = ? WHERE id = ? AND state = 'claimed'",
            (iso_or_none(at), error, int(unsure), item_id),
        )

    @atomic
    async def release(self, item_ids: Collection[int]) -> None:
        """Return claimed rows that were never sent to pending (a stop, or their server's channel changed)."""
        await self._db.execute(
            "UPDATE announce_outbox SET state = 'pending', claimed_at = NULL"
            f" WHERE state = 'claimed' AND id IN ({_placeholders(item_ids)})",
            tuple(item_ids),
        )

    @atomic
    async def hold(self, item_ids: Collection[int], reason: str) -> None:
        """Keep claimed rows of a paused server as held, to be sent when it resumes (within the grace window)."""
        await self._db.execute(
            "UPDATE announce_outbox SET state = 'held', claimed_at = NULL, next_attempt_at = NULL, error = ?"
            f" WHERE state = 'claimed' AND id IN ({_placeholders(item_ids)})",
            (reason, *item_ids),
        )

    @atomic
    async def withdraw(self, guild_id: int, item_ids: Collection[int], reason: str) -> int:
        """Skip a server's unsent rows (its announcements were turned off): pending and held ones, and the claimed
        `item_ids` this process holds and has not sent. Return how many."""
        cursor = await self._db.execute(
            "UPDATE announce_outbox SET state = 'skipped', claimed_at = NULL, error = ? WHERE guild_id = ? AND"
            f" (state IN ('pending', 'held') OR (state = 'claimed' AND id IN ({_placeholders(item_ids)})))",
            (reason, guild_id, *item_ids),
        )
        return max(cursor.rowcount, 0)

    @atomic
    async def fail_outbox_item(self, item_id: int, error: str) -> None:
        await self._db.execute(
            "UPDATE announce_outbox SET state = 'failed', claimed_at = NULL, error = ? WHERE id = ?", (error, item_id)
        )

    @isolated
    async def next_outbox_retry(self, after: dt.datetime) -> dt.datetime | None:
        """Return the earliest retry of a pending row scheduled after `after`, or None.

        Rows are created only once due, so a pending row waits either for a retry time or for its server to
        become active again (which the settings change announces); only retries need a timer.
        """
        async with self._db.execute(
            "SELECT MIN(next_attempt_at) FROM announce_outbox WHERE state = 'pending' AND next_attempt_at > ?",
            (iso(after),),
        ) as cursor:
            row = await cursor.fetchone()
        return parse_datetime(row[0]) if row and row[0] else None

    @isolated
    async def outbox_items(self, guild_id: int, state: str, *, limit: int = 5) -> list[OutboxItem]:
        """A server's rows in one state, latest due first."""
        async with self._db.execute(
            f"SELECT {_OUTBOX_COLUMNS} FROM announce_outbox WHERE guild_id = ? AND state = ?"
            " ORDER BY due_at DESC, id DESC LIMIT ?",
            (guild_id, state, limit),
        ) as cursor:
            return [_outbox_item_from_row(row) async for row in cursor]

    @isolated
    async def outbox_counts(self, guild_id: int) -> dict[str, int]:
        async with self._db.execute(
            "SELECT state, COUNT(*) FROM announce_outbox WHERE guild_id = ? GROUP BY state", (guild_id,)
        ) as cursor:
            return {state: count async for state, count in cursor}


# -- conversions ------------------------------------------------------------------------------------------


def _announce_settings_from_row(row: Sequence[Any]) -> GuildAnnounceSettings:
    guild_id, since, channel_id, role_id, mode, enabled, paused_reason, paused_at, last_error, last_error_at = row
    return GuildAnnounceSettings(
        guild_id=guild_id, since=parse_datetime(since), channel_id=channel_id, role_id=role_id,
        mode=AnnounceMode(mode), enabled=bool(enabled), paused_reason=paused_reason,
        paused_at=datetime_or_none(paused_at), last_error=last_error, last_error_at=datetime_or_none(last_error_at),
    )  # fmt: skip


def _outbox_item_from_row(row: Sequence[Any]) -> OutboxItem:
    (item_id, guild_id, show_id, episode, kind, due_at, air_at, time_known, channel_id, state, nonce, attempts,
     sent_at, message_id, error, unsure, attempt_at, user_id) = row  # fmt: skip
    return OutboxItem(
        id=item_id, guild_id=guild_id, show_id=show_id, episode=episode, kind=AnnouncementKind(kind),
        due_at=parse_datetime(due_at), air_at=parse_datetime(air_at), time_known=bool(time_known),
        channel_id=channel_id, state=state, nonce=nonce, attempts=attempts, sent_at=datetime_or_none(sent_at),
        message_id=message_id, error=error, unsure=bool(unsure), attempt_at=datetime_or_none(attempt_at),
        user_id=user_id,
    )  # fmt: skip


def _placeholders(values: Collection[int]) -> str:
    """`?, ?, ?` for an IN list (NULL for an empty one, which matches nothing)."""
    return ", ".join("?" * len(values)) or "NULL"
