"""Loading the seed catalog: shows and people matched by seed key, every field an admin edited kept."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.models import SeedReport
from bot.store.catalog import SHOW_FIELDS, show_values
from bot.store.meta import MetaStore


class SeedStore(MetaStore):
    """Load the seed catalog once per version."""

    async def load_seed(self, seed: Mapping[str, Any]) -> SeedReport:
        """Load or upgrade the shared catalog from a seed, keeping every field an admin edited by hand.

        Shows and people are matched by their seed key. Seed-sourced credits and alternative titles of a
        show are replaced; aliases, admin credits and admin-edited fields are kept.
        """
        version = str(seed["version"])
        if await self.get_meta("seed_version") == version:
            return SeedReport(version=version, skipped=True)
        now = self._now()
        added = updated = unchanged = people_added = credit_count = 0
        async with self.transaction():
            person_ids: dict[str, int] = {}
            async with self._db.execute("SELECT seed_key, id FROM people WHERE seed_key IS NOT NULL") as cur:
                async for key, pid in cur:
                    person_ids[key] = pid
            for person in seed["people"]:
                key = person["key"]
                if key in person_ids:
                    pid = person_ids[key]
                    await self._db.execute(
                        "UPDATE people SET name = ?, hangul_name = ?, tmdb_id = ?, updated_at = ?"
                        " WHERE id = ? AND (name, IFNULL(hangul_name, ''), IFNULL(tmdb_id, 0))"
                        " IS NOT (?, IFNULL(?, ''), IFNULL(?, 0))",
                        (person["name"], person.get("hangul_name"), person.get("tmdb_id"), now, pid,
                         person["name"], person.get("hangul_name"), person.get("tmdb_id")),
                    )  # fmt: skip
                else:
                    cursor = await self._db.execute(
                        "INSERT INTO people (seed_key, name, hangul_name, tmdb_id, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (key, person["name"], person.get("hangul_name"), person.get("tmdb_id"), now, now),
                    )
                    pid = int(cursor.lastrowid or 0)
                    person_ids[key] = pid
                    people_added += 1
                await self._db.executemany(
                    "INSERT OR IGNORE INTO person_names (person_id, name) VALUES (?, ?)",
                    [(pid, name) for name in person.get("alt_names", ()) if name != person["name"]],
                )

            existing: dict[str, tuple[int, tuple[Any, ...], frozenset[str]]] = {}
            async with self._db.execute(
                f"SELECT id, seed_key, {', '.join(SHOW_FIELDS)}, edited_fields FROM shows WHERE seed_key IS NOT NULL"
            ) as cursor:
                async for row in cursor:
                    existing[row[1]] = (row[0], tuple(row[2:-1]), frozenset(json.loads(row[-1])))
            for record in seed["shows"]:
                values = show_values(record)
                key = record["key"]
                if key in existing:
                    show_id, current, edited = existing[key]
                    merged = tuple(
                        old if name in edited else new
                        for name, old, new in zip(SHOW_FIELDS, current, values, strict=True)
                    )
                    if merged != current:
                        assignments = ", ".join(f"{name} = ?" for name in SHOW_FIELDS)
                        await self._db.execute(
                            f"UPDATE shows SET {assignments}, updated_at = ? WHERE id = ?",
                            (*merged, now, show_id),
                        )
                        updated += 1
                    else:
                        unchanged += 1
                else:
                    placeholders = ", ".join("?" for _ in SHOW_FIELDS)
                    cursor = await self._db.execute(
                        f"INSERT INTO shows (seed_key, {', '.join(SHOW_FIELDS)}, created_at, updated_at)"
                        f" VALUES (?, {placeholders}, ?, ?)",
                        (key, *values, now, now),
                    )
                    show_id = int(cursor.lastrowid or 0)
                    added += 1
                await self._db.execute("DELETE FROM show_titles WHERE show_id = ? AND kind = 'alt'", (show_id,))
                await self._db.executemany(
                    "INSERT OR IGNORE INTO show_titles (show_id, title, kind, created_at) VALUES (?, ?, 'alt', ?)",
                    [(show_id, title, now) for title in record.get("alt_titles", ())],
                )
                await self._db.execute("DELETE FROM credits WHERE show_id = ? AND source = 'seed'", (show_id,))
                credit_rows = [
                    (show_id, person_ids[c["person"]], c["kind"], c.get("character") or "",
                     c.get("character_note"), c.get("role"), c.get("billing", 0), now, now)
                    for c in record.get("credits", ())
                ]  # fmt: skip
                await self._db.executemany(
                    "INSERT OR IGNORE INTO credits (show_id, person_id, kind, character, character_note, role,"
                    " billing, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'seed', ?, ?)",
                    credit_rows,
                )
                credit_count += len(credit_rows)
            await self.set_meta("seed_version", version)
        return SeedReport(
            version=version, shows_added=added, shows_updated=updated, shows_unchanged=unchanged,
            people_added=people_added, credits=credit_count,
        )  # fmt: skip
