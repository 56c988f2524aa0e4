"""Loading the seed catalog: shows and people matched by seed key, every field an admin edited kept."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.models import SeedReport
from bot.store.catalog import SHOW_FIELDS, show_values
from bot.store.meta import MetaStore

# Facts a sync may have found that the seed lacks: the seed's null never replaces them.
_KEPT_WHEN_SEED_LACKS = frozenset({"hangul_title", "tmdb_id"})


class SeedStore(MetaStore):
    """Load the seed catalog once per version."""

    async def load_seed(self, seed: Mapping[str, Any]) -> SeedReport:
        """Load or upgrade the shared catalog from a seed, keeping what admins and the sync added.

        Shows and people are matched by their seed key. A field an admin edited keeps the admin's value; a Hangul
        title or name and a TMDB id keep the value the sync found when the seed has none; alternative titles are
        only added (the sync's stay). Seed-sourced credits are replaced; aliases and admin credits are kept.
        Everything is written in one transaction, a statement per kind of row rather than per show.
        """
        version = str(seed["version"])
        if await self.get_meta("seed_version") == version:
            return SeedReport(version=version, skipped=True)
        now = self._now()
        async with self.transaction():
            person_ids, people_added = await self._load_people(seed["people"], now)
            show_ids, added, updated, unchanged = await self._load_shows(seed["shows"], now)
            await self._db.executemany(
                "INSERT OR IGNORE INTO show_titles (show_id, title, kind, created_at) VALUES (?, ?, 'alt', ?)",
                [(show_ids[r["key"]], title, now) for r in seed["shows"] for title in r.get("alt_titles", ())],
            )
            await self._db.executemany(
                "DELETE FROM credits WHERE show_id = ? AND source = 'seed'", [(i,) for i in show_ids.values()]
            )
            credit_rows = [
                (show_ids[r["key"]], person_ids[c["person"]], c["kind"], c.get("character") or "",
                 c.get("character_note"), c.get("role"), c.get("billing", 0), now, now)
                for r in seed["shows"]
                for c in r.get("credits", ())
            ]  # fmt: skip
            await self._db.executemany(
                "INSERT OR IGNORE INTO credits (show_id, person_id, kind, character, character_note, role,"
                " billing, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'seed', ?, ?)",
                credit_rows,
            )
            await self.set_meta("seed_version", version)
        return SeedReport(
            version=version, shows_added=added, shows_updated=updated, shows_unchanged=unchanged,
            people_added=people_added, credits=len(credit_rows),
        )  # fmt: skip

    async def _seed_ids(self, table: str) -> dict[str, int]:
        async with self._db.execute(f"SELECT seed_key, id FROM {table} WHERE seed_key IS NOT NULL") as cursor:
            return {key: pid async for key, pid in cursor}

    async def _load_people(self, people: list[Mapping[str, Any]], now: str) -> tuple[dict[str, int], int]:
        current: dict[str, tuple[int, str, str | None, int | None]] = {}
        async with self._db.execute(
            "SELECT seed_key, id, name, hangul_name, tmdb_id FROM people WHERE seed_key IS NOT NULL"
        ) as cursor:
            async for key, pid, name, hangul, tmdb_id in cursor:
                current[key] = (pid, name, hangul, tmdb_id)
        updates, inserts = [], []
        for person in people:
            key, name = person["key"], person["name"]
            hangul, tmdb_id = person.get("hangul_name"), person.get("tmdb_id")
            if key in current:
                pid, old_name, old_hangul, old_tmdb = current[key]
                hangul = old_hangul if hangul is None else hangul  # the sync's find, not the seed's gap
                tmdb_id = old_tmdb if tmdb_id is None else tmdb_id
                if (name, hangul, tmdb_id) != (old_name, old_hangul, old_tmdb):
                    updates.append((name, hangul, tmdb_id, now, pid))
            else:
                inserts.append((key, name, hangul, tmdb_id, now, now))
        await self._db.executemany(
            "UPDATE people SET name = ?, hangul_name = ?, tmdb_id = ?, updated_at = ? WHERE id = ?", updates
        )
        await self._db.executemany(
            "INSERT INTO people (seed_key, name, hangul_name, tmdb_id, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            inserts,
        )
        person_ids = await self._seed_ids("people") if inserts else {k: v[0] for k, v in current.items()}
        await self._db.executemany(
            "INSERT OR IGNORE INTO person_names (person_id, name) VALUES (?, ?)",
            [
                (person_ids[person["key"]], name)
                for person in people
                for name in person.get("alt_names", ())
                if name != person["name"]
            ],
        )
        return person_ids, len(inserts)

    async def _load_shows(self, shows: list[Mapping[str, Any]], now: str) -> tuple[dict[str, int], int, int, int]:
        existing: dict[str, tuple[int, tuple[Any, ...], frozenset[str]]] = {}
        async with self._db.execute(
            f"SELECT id, seed_key, {', '.join(SHOW_FIELDS)}, edited_fields FROM shows WHERE seed_key IS NOT NULL"
        ) as cursor:
            async for row in cursor:
                existing[row[1]] = (row[0], tuple(row[2:-1]), frozenset(json.loads(row[-1])))
        updates, inserts = [], []
        unchanged = 0
        for record in shows:
            values = show_values(record)
            key = record["key"]
            if key not in existing:
                inserts.append((key, *values, now, now))
                continue
            show_id, current, edited = existing[key]
            merged = tuple(
                old if name in edited or (new is None and old is not None and name in _KEPT_WHEN_SEED_LACKS) else new
                for name, old, new in zip(SHOW_FIELDS, current, values, strict=True)
            )
            if merged != current:
                updates.append((*merged, now, show_id))
            else:
                unchanged += 1
        assignments = ", ".join(f"{name} = ?" for name in SHOW_FIELDS)
        await self._db.executemany(f"UPDATE shows SET {assignments}, updated_at = ? WHERE id = ?", updates)
        placeholders = ", ".join("?" for _ in SHOW_FIELDS)
        await self._db.executemany(
            f"INSERT INTO shows (seed_key, {', '.join(SHOW_FIELDS)}, created_at, updated_at)"
            f" VALUES (?, {placeholders}, ?, ?)",
            inserts,
        )
        show_ids = await self._seed_ids("shows") if inserts else {k: v[0] for k, v in existing.items()}
        return show_ids, len(inserts), len(updates), unchanged
