"""The meta table: small named values (the seed version, the announcer's watermark)."""

from __future__ import annotations

from bot.store.base import StoreBase, atomic, isolated


class MetaStore(StoreBase):
    """Read and write small named values."""

    @isolated
    async def get_meta(self, key: str) -> str | None:
        async with self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else None

    @atomic
    async def set_meta(self, key: str, value: str) -> None:
        await self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
