"""Announcements: each server's settings, the shows it follows, and the outbox.

An outbox row goes pending -> claimed -> sent, or to skipped (it fell due longer ago than the grace window) or
failed (Discord kept refusing it). A crash leaves a row claimed; the next start releases it, and it is sent
again under the same nonce, which Discord dedupes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bot.models import AnnouncementKind, AnnounceMode, Due, GuildAnnounceSettings, OutboxItem, announcement_nonce
from bot.store.base import atomic, datetime_or_none, iso, iso_or_none, isolated, parse_datetime
from bot.store.meta import MetaStore

ANNOUNCE_WATERMARK = "announce_planned_until"
_SKIP_REASON = "fell due while the bot was down, longer ago than the grace window"
_ANNOUNCE_COLUMNS = (
    "guild_id, since, channel_id, role_id, mode, enabled, paused_reason, paused_at, last_error, last_error_at"
)
_OUTBOX_COLUMNS = (
    "id, guild_id, show_id, episode, kind, due_at, air_at, time_known, channel_id, state, nonce, attempts, sent_at,"
    " message_id, error"
)


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
        """Stop a server's announcements until an admin fixes the channel, keeping why."""
        await self._db.execute(
            "UPDATE announce_settings SET paused_reason = ?, paused_at = ?, last_error = ?, last_error_at = ?,"
            " updated_at = ? WHERE guild_id = ?",
            (reason, iso(at), reason, iso(at), self._now(), guild_id),
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

    @atomic
    async def add_to_outbox(self, rows: Sequence[tuple[Due, str]], *, planned_until: dt.datetime) -> int:
        """Store due announcements (each with its first state, pending or skipped) and the planning watermark.

        One transaction: either every row and the new watermark land, or none, so a crash mid-way re-plans the
        same window and the unique key keeps each announcement once. Return how many rows were new.
        """
        now = self._now()
        async with self.transaction():
            before = self._db.total_changes
            await self._db.executemany(
                "INSERT OR IGNORE INTO announce_outbox (guild_id, show_id, episode, kind, due_at, air_at, time_known,"
                " channel_id, state, nonce, error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(d.guild_id, d.show_id, d.episode, str(d.kind), iso(d.due_at), iso(d.air_at), int(d.time_known),
                  d.channel_id, state, announcement_nonce(*d.key), _SKIP_REASON if state == "skipped" else None,
                  now) for d, state in rows],
            )  # fmt: skip
            added = self._db.total_changes - before
            await self.set_meta(ANNOUNCE_WATERMARK, iso(planned_until))
        return added

    async def announce_watermark(self) -> dt.datetime | None:
        """Return the moment up to which due announcements were stored, or None before the first run."""
        text = await self.get_meta(ANNOUNCE_WATERMARK)
        return parse_datetime(text) if text else None

    @atomic
    async def release_claims(self) -> int:
        """Put back rows a previous process claimed but never marked (it crashed); return how many."""
        cursor = await self._db.execute(
            "UPDATE announce_outbox SET state = 'pending', claimed_at = NULL WHERE state = 'claimed'"
        )
        return max(cursor.rowcount, 0)

    @atomic
    async def skip_overdue(self, before: dt.datetime) -> int:
        """Mark pending rows due before `before` (beyond the grace window) as skipped; return how many."""
        cursor = await self._db.execute(
            "UPDATE announce_outbox SET state = 'skipped', error = IFNULL(error, ?) WHERE state = 'pending'"
            " AND due_at < ?",
            (_SKIP_REASON, iso(before)),
        )
        return max(cursor.rowcount, 0)

    @atomic
    async def claim_due(self, now: dt.datetime, *, limit: int = 100) -> list[OutboxItem]:
        """Claim up to `limit` pending rows that are due, of servers whose announcements are on and not paused."""
        async with self._db.execute(
            "UPDATE announce_outbox SET state = 'claimed', claimed_at = ?, attempts = attempts + 1"
            " WHERE id IN (SELECT o.id FROM announce_outbox AS o JOIN announce_settings AS s"
            " ON s.guild_id = o.guild_id WHERE o.state = 'pending' AND IFNULL(o.next_attempt_at, o.due_at) <= ?"
            " AND s.enabled = 1 AND s.paused_reason IS NULL ORDER BY o.due_at, o.id LIMIT ?)"
            f" RETURNING {_OUTBOX_COLUMNS}",
            (self._now(), iso(now), limit),
        ) as cursor:
            rows = await cursor.fetchall()
        return sorted((_outbox_item_from_row(row) for row in rows), key=lambda i: (i.due_at, i.id))

    @atomic
    async def mark_sent(self, item_id: int, message_id: int, at: dt.datetime) -> None:
        await self._db.execute(
            "UPDATE announce_outbox SET state = 'sent', sent_at = ?, message_id = ?, error = NULL WHERE id = ?",
            (iso(at), message_id, item_id),
        )

    @atomic
    async def retry_later(self, item_id: int, at: dt.datetime | None, error: str) -> None:
        """Return a claimed row to pending, to be tried again from `at` (None: as soon as its server may)."""
        await self._db.execute(
            "UPDATE announce_outbox SET state = 'pending', claimed_at = NULL, next_attempt_at = ?, error = ?"
            " WHERE id = ?",
            (iso_or_none(at), error, item_id),
        )

    @atomic
    async def fail_outbox_item(self, item_id: int, error: str) -> None:
        await self._db.execute("UPDATE announce_outbox SET state = 'failed', error = ? WHERE id = ?", (error, item_id))

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
     sent_at, message_id, error) = row  # fmt: skip
    return OutboxItem(
        id=item_id, guild_id=guild_id, show_id=show_id, episode=episode, kind=AnnouncementKind(kind),
        due_at=parse_datetime(due_at), air_at=parse_datetime(air_at), time_known=bool(time_known),
        channel_id=channel_id, state=state, nonce=nonce, attempts=attempts, sent_at=datetime_or_none(sent_at),
        message_id=message_id, error=error,
    )  # fmt: skip
