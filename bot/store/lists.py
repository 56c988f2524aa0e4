"""Personal lists: each user's shows, their sharing and reminder settings, and forgetting a user.

A list entry of a server's own show carries that server's id, so every read can leave it out elsewhere. Reminder
DMs are rows of the announcement outbox (bot/store/announce.py) with a `user_id`; here are only the user-level
switches that the outbox's claims read (`list_owners.reminders` and `paused_reason`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from bot.models import ListEntry, ListOwner, ServerFavourite, WatchStatus
from bot.store.base import StoreBase, atomic, datetime_or_none, iso, iso_or_none, isolated

_ENTRY_COLUMNS = "user_id, show_id, status, episode, score, guild_id, added_at, updated_at"
_OWNER_COLUMNS = "user_id, shared, reminders, reminders_since, paused_reason, paused_at, pause_told"
_REMINDED = ("watching", "plan_to_watch")


class ListStore(StoreBase):
    """Keep users' lists and their settings; forget a user entirely on request."""

    @isolated
    async def list_entry(self, user_id: int, show_id: int) -> ListEntry | None:
        async with self._db.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM list_entries WHERE user_id = ? AND show_id = ?", (user_id, show_id)
        ) as cursor:
            row = await cursor.fetchone()
        return _entry_from_row(row) if row else None

    @isolated
    async def list_entries(self, user_id: int) -> list[ListEntry]:
        """A user's whole list, most recently changed first (callers leave out other servers' shows)."""
        async with self._db.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM list_entries WHERE user_id = ? ORDER BY updated_at DESC, show_id",
            (user_id,),
        ) as cursor:
            return [_entry_from_row(row) async for row in cursor]

    @atomic
    async def save_list_entries(self, entries: Sequence[ListEntry]) -> None:
        """Add or update entries, all in one transaction (an import lands whole or not at all)."""
        now = self._now()
        await self._db.executemany(
            "INSERT INTO list_entries (user_id, show_id, status, episode, score, guild_id, added_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, show_id) DO UPDATE SET status = excluded.status,"
            " episode = excluded.episode, score = excluded.score, guild_id = excluded.guild_id,"
            " updated_at = excluded.updated_at",
            [(e.user_id, e.show_id, str(e.status), e.episode, e.score, e.guild_id, now, now) for e in entries],
        )

    @atomic
    async def remove_list_entry(self, user_id: int, show_id: int) -> bool:
        cursor = await self._db.execute(
            "DELETE FROM list_entries WHERE user_id = ? AND show_id = ?", (user_id, show_id)
        )
        return cursor.rowcount > 0

    @isolated
    async def list_owner(self, user_id: int) -> ListOwner:
        """A user's sharing and reminder settings (the defaults when they never set any)."""
        async with self._db.execute(
            f"SELECT {_OWNER_COLUMNS} FROM list_owners WHERE user_id = ?", (user_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return _owner_from_row(row) if row else ListOwner(user_id)

    @atomic
    async def save_list_owner(self, owner: ListOwner) -> None:
        o = owner
        await self._db.execute(
            f"INSERT INTO list_owners ({_OWNER_COLUMNS}, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET shared = excluded.shared, reminders = excluded.reminders,"
            " reminders_since = excluded.reminders_since, paused_reason = excluded.paused_reason,"
            " paused_at = excluded.paused_at, pause_told = excluded.pause_told, updated_at = excluded.updated_at",
            (o.user_id, int(o.shared), int(o.reminders), iso_or_none(o.reminders_since), o.paused_reason,
             iso_or_none(o.paused_at), int(o.pause_told), self._now()),
        )  # fmt: skip

    @atomic
    async def note_list_server(self, guild_id: int, user_id: int) -> None:
        """Remember that a user keeps a list in this server (whose /list top counts them, if they share)."""
        await self._db.execute(
            "INSERT OR IGNORE INTO list_servers (guild_id, user_id) VALUES (?, ?)", (guild_id, user_id)
        )

    @isolated
    async def server_favourites(self, guild_id: int, *, min_scores: int = 3, limit: int = 10) -> list[ServerFavourite]:
        """The shows members of a server who share their lists scored highest, each with at least `min_scores`."""
        async with self._db.execute(
            "SELECT e.show_id, AVG(e.score), COUNT(*) FROM list_entries AS e"
            " JOIN list_servers AS m ON m.user_id = e.user_id AND m.guild_id = ?"
            " JOIN list_owners AS o ON o.user_id = e.user_id AND o.shared = 1"
            " WHERE e.score IS NOT NULL AND (e.guild_id IS NULL OR e.guild_id = ?)"
            " GROUP BY e.show_id HAVING COUNT(*) >= ? ORDER BY AVG(e.score) DESC, COUNT(*) DESC, e.show_id LIMIT ?",
            (guild_id, guild_id, min_scores, limit),
        ) as cursor:
            return [ServerFavourite(show_id, float(average), count) async for show_id, average, count in cursor]

    # -- reminders ----------------------------------------------------------------------------------------------

    @isolated
    async def reminder_subscriptions(self) -> list[tuple[ListOwner, frozenset[int]]]:
        """Every user with reminders on (paused too), with the shows they are watching or plan to watch."""
        owners: dict[int, ListOwner] = {}
        async with self._db.execute(f"SELECT {_OWNER_COLUMNS} FROM list_owners WHERE reminders = 1") as cursor:
            async for row in cursor:
                owners[row[0]] = _owner_from_row(row)
        shows: dict[int, set[int]] = {user_id: set() for user_id in owners}
        async with self._db.execute(
            "SELECT e.user_id, e.show_id FROM list_entries AS e JOIN list_owners AS o ON o.user_id = e.user_id"
            " WHERE o.reminders = 1 AND e.status IN (?, ?)",
            _REMINDED,
        ) as cursor:
            async for user_id, show_id in cursor:
                shows[user_id].add(show_id)
        return [(owner, frozenset(shows[user_id])) for user_id, owner in owners.items()]

    @atomic
    async def pause_reminders(self, user_id: int, reason: str, at: dt.datetime) -> None:
        """Stop a user's reminder DMs (Discord refused one), to be told at their next command; hold what waits."""
        await self._db.execute(
            "UPDATE list_owners SET paused_reason = ?, paused_at = ?, pause_told = 0, updated_at = ? WHERE user_id = ?",
            (reason, iso(at), self._now(), user_id),
        )
        await self._db.execute(
            "UPDATE announce_outbox SET state = 'held', next_attempt_at = NULL WHERE user_id = ? AND state = 'pending'",
            (user_id,),
        )

    @atomic
    async def take_pause_notice(self, user_id: int) -> str | None:
        """Return why a user's reminders are paused if they were not told yet, and note that they now are."""
        async with self._db.execute(
            "UPDATE list_owners SET pause_told = 1 WHERE user_id = ? AND pause_told = 0 AND paused_reason IS NOT NULL"
            " RETURNING paused_reason",
            (user_id,),
        ) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else None

    @atomic
    async def withdraw_reminders(self, user_id: int, item_ids: Collection[int], reason: str) -> int:
        """Skip a user's unsent reminders (turned off): pending and held ones, and the claimed `item_ids`."""
        marks = ", ".join("?" * len(item_ids)) or "NULL"
        cursor = await self._db.execute(
            "UPDATE announce_outbox SET state = 'skipped', claimed_at = NULL, error = ? WHERE user_id = ? AND"
            f" (state IN ('pending', 'held') OR (state = 'claimed' AND id IN ({marks})))",
            (reason, user_id, *item_ids),
        )
        return max(cursor.rowcount, 0)

    @isolated
    async def reminder_counts(self, user_id: int) -> dict[str, int]:
        async with self._db.execute(
            "SELECT state, COUNT(*) FROM announce_outbox WHERE user_id = ? GROUP BY state", (user_id,)
        ) as cursor:
            return {state: count async for state, count in cursor}

    # -- forgetting -----------------------------------------------------------------------------------------------

    @atomic
    async def forget_user(self, user_id: int) -> int:
        """Erase everything kept about a user: list, settings, servers, reminders, trivia scores; return rows gone.

        The games they started stay for the other players, with the starter no longer named.
        """
        removed = 0
        for sql in (
            "DELETE FROM list_entries WHERE user_id = ?",
            "DELETE FROM list_owners WHERE user_id = ?",
            "DELETE FROM list_servers WHERE user_id = ?",
            "DELETE FROM announce_outbox WHERE user_id = ?",
            "DELETE FROM trivia_scores WHERE user_id = ?",
            "UPDATE trivia_games SET starter_id = 0 WHERE starter_id = ?",
        ):
            cursor = await self._db.execute(sql, (user_id,))
            removed += max(cursor.rowcount, 0)
        return removed


def _entry_from_row(row: Sequence[Any]) -> ListEntry:
    user_id, show_id, status, episode, score, guild_id, added_at, updated_at = row
    return ListEntry(
        user_id=user_id, show_id=show_id, status=WatchStatus(status), episode=episode, score=score,
        guild_id=guild_id, added_at=datetime_or_none(added_at), updated_at=datetime_or_none(updated_at),
    )  # fmt: skip


def _owner_from_row(row: Sequence[Any]) -> ListOwner:
    user_id, shared, reminders, since, paused_reason, paused_at, pause_told = row
    return ListOwner(
        user_id=user_id, shared=bool(shared), reminders=bool(reminders), reminders_since=datetime_or_none(since),
        paused_reason=paused_reason, paused_at=datetime_or_none(paused_at), pause_told=bool(pause_told),
    )  # fmt: skip
