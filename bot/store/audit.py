"""The audit log: who changed what in the catalog, when, and the values before and after."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.models import AuditEntry
from bot.store.base import StoreBase, atomic, iso, isolated, json_or_none, parse_datetime

_AUDIT_COLUMNS = "id, at, guild_id, user_id, action, show_id, person_id, old_values, new_values"


class AuditStore(StoreBase):
    """Append to the audit log and read it back, newest first."""

    @atomic
    async def append_audit(
        self,
        *,
        action: str,
        guild_id: int | None,
        user_id: int | None,
        show_id: int | None = None,
        person_id: int | None = None,
        old: Mapping[str, Any] | None = None,
        new: Mapping[str, Any] | None = None,
    ) -> None:
        await self._db.execute(
            "INSERT INTO audit_log (at, guild_id, user_id, action, show_id, person_id, old_values, new_values)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (self._now(), guild_id, user_id, action, show_id, person_id,
             json_or_none(old), json_or_none(new)),
        )  # fmt: skip

    @isolated
    async def audit_entries(self, guild_id: int, *, show_id: int | None = None, limit: int = 10) -> list[AuditEntry]:
        """A server's audit log, newest first, optionally of one show only."""
        query = f"SELECT {_AUDIT_COLUMNS} FROM audit_log WHERE guild_id = ?"
        params: tuple[Any, ...] = (guild_id,)
        if show_id is not None:
            query += " AND show_id = ?"
            params += (show_id,)
        async with self._db.execute(query + " ORDER BY id DESC LIMIT ?", (*params, limit)) as cursor:
            rows = await cursor.fetchall()
        return [_audit_from_row(row) for row in rows]

    @isolated
    async def last_undoable(
        self, guild_id: int, actions: Sequence[str], since: dt.datetime, *, own_shows_only: bool = False
    ) -> AuditEntry | None:
        """The newest change of one of `actions` made in a server since `since` that no undo reversed yet.

        With `own_shows_only`, only changes to shows that belong to the server (all its admins may undo).
        """
        marks = ", ".join("?" for _ in actions)
        own = " AND show_id IN (SELECT id FROM shows WHERE guild_id = ?)" if own_shows_only else ""
        async with self._db.execute(
            f"SELECT {_AUDIT_COLUMNS} FROM audit_log WHERE guild_id = ? AND action IN ({marks}) AND at >= ?{own}"
            " AND id NOT IN (SELECT CAST(json_extract(new_values, '$.undid') AS INTEGER) FROM audit_log"
            " WHERE action = 'catalog.undo' AND new_values IS NOT NULL) ORDER BY id DESC LIMIT 1",
            (guild_id, *actions, iso(since), *((guild_id,) if own_shows_only else ())),
        ) as cursor:
            row = await cursor.fetchone()
        return _audit_from_row(row) if row else None


def _audit_from_row(row: Sequence[Any]) -> AuditEntry:
    entry_id, at, guild_id, user_id, action, show_id, person_id, old, new = row
    return AuditEntry(
        id=entry_id, at=parse_datetime(at), guild_id=guild_id, user_id=user_id, action=action, show_id=show_id,
        person_id=person_id, old=json.loads(old) if old else None, new=json.loads(new) if new else None,
    )  # fmt: skip
