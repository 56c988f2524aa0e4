"""What the daily sync needs: each source record's link to the show it was merged into, and the HTTP cache.

A source record (a TVmaze or TMDB show, or an IMDb/TheTVDB id one of them names) is linked to the shared show
it was merged into, with the version of the record last merged.
"""

from __future__ import annotations

import datetime as dt

from bot.store.base import StoreBase, atomic, iso, isolated


class SourcesStore(StoreBase):
    """Link source records to shows, and keep the sources' answers for conditional requests."""

    @isolated
    async def shared_show_for_source(self, source: str, external_id: str) -> int | None:
        """Return the live shared show a source's record belongs to: by its recorded link, else its id column."""
        async with self._db.execute(
            "SELECT s.id FROM show_sources AS x JOIN shows AS s ON s.id = x.show_id"
            " WHERE x.source = ? AND x.external_id = ? AND s.guild_id IS NULL AND s.deleted_at IS NULL",
            (source, external_id),
        ) as cursor:
            row = await cursor.fetchone()
        if row is not None:
            return int(row[0])
        column = {"tvmaze": "tvmaze_id", "tmdb": "tmdb_id"}.get(source)
        if column is None or not external_id.isdigit():
            return None
        async with self._db.execute(
            f"SELECT id FROM shows WHERE {column} = ? AND guild_id IS NULL AND deleted_at IS NULL ORDER BY id LIMIT 1",
            (int(external_id),),
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else None

    @isolated
    async def source_stamps(self, source: str) -> dict[str, str | None]:
        """Return each linked record of `source` (by external id) with the version of it last merged."""
        async with self._db.execute(
            "SELECT external_id, stamp FROM show_sources WHERE source = ?", (source,)
        ) as cursor:
            return {external_id: stamp async for external_id, stamp in cursor}

    @atomic
    async def link_show_source(self, show_id: int, source: str, external_id: str, stamp: str | None) -> None:
        await self._db.execute(
            "INSERT INTO show_sources (source, external_id, show_id, stamp, synced_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (source, external_id) DO UPDATE SET show_id = excluded.show_id, stamp = excluded.stamp,"
            " synced_at = excluded.synced_at",
            (source, external_id, show_id, stamp, self._now()),
        )

    # -- the sources' answers, kept for conditional requests ----------------------------------------------

    @atomic
    async def cached_response(self, url: str) -> tuple[str | None, str | None, bytes] | None:
        """Return the (ETag, Last-Modified, body) a source last answered for `url`, marking it used."""
        async with self._db.execute("SELECT etag, last_modified, body FROM http_cache WHERE url = ?", (url,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        await self._db.execute("UPDATE http_cache SET used_at = ? WHERE url = ?", (self._now(), url))
        return row[0], row[1], bytes(row[2])

    @atomic
    async def store_response(self, url: str, *, etag: str | None, last_modified: str | None, body: bytes) -> None:
        now = self._now()
        await self._db.execute(
            "INSERT INTO http_cache (url, etag, last_modified, body, stored_at, used_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,"
            " body = excluded.body, stored_at = excluded.stored_at, used_at = excluded.used_at",
            (url, etag, last_modified, body, now, now),
        )

    @atomic
    async def prune_http_cache(self, unused_since: dt.datetime) -> int:
        """Forget cached answers not used since `unused_since` (past days' schedules); return how many."""
        cursor = await self._db.execute("DELETE FROM http_cache WHERE used_at < ?", (iso(unused_since),))
        return max(cursor.rowcount, 0)
