"""Every SQL statement Dramabot runs, behind methods that take and return the domain dataclasses."""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import functools
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar

import aiosqlite

from bot.models import (
    SEOUL,
    WEEKDAYS,
    AnnouncementKind,
    AnnounceMode,
    AuditEntry,
    Credit,
    CreditKind,
    Due,
    Episode,
    GuildAnnounceSettings,
    LeaderboardEntry,
    OutboxItem,
    Person,
    PlayerStats,
    Role,
    Show,
    Standing,
    Status,
    TriviaGameRecord,
    announcement_nonce,
)

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# Which (repository, task) holds the open transaction in this context: a task created inside a transaction
# inherits the variable but not the transaction, hence the task in the key.
_transaction_owner: contextvars.ContextVar[tuple[int, object] | None] = contextvars.ContextVar(
    "transaction_owner", default=None
)

P = ParamSpec("P")
R = TypeVar("R")


Write = Callable[Concatenate["Repository", P], Awaitable[R]]


def atomic(method: Write[P, R]) -> Write[P, R]:
    """Run a writing method in a transaction of its own, or in the caller's when it already holds one."""

    @functools.wraps(method)
    async def in_transaction(self: Repository, *args: P.args, **kwargs: P.kwargs) -> R:
        async with self.transaction():
            return await method(self, *args, **kwargs)

    return in_transaction


# The show fields a seed or an importer may set, in the shows table's column order.
SHOW_FIELDS = (
    "title", "hangul_title", "kind", "country", "networks", "premiere", "finale", "episode_count",
    "episode_minutes", "air_days", "air_time", "timezone", "status", "genres", "rating", "content_rating",
    "synopsis", "poster_url", "tmdb_id", "tvmaze_id", "popularity_rank",
)  # fmt: skip

_SHOW_COLUMNS = "id, seed_key, guild_id, " + ", ".join(SHOW_FIELDS) + ", edited_fields, created_at, updated_at"


@dataclass(frozen=True, slots=True)
class SeedReport:
    version: str
    shows_added: int = 0
    shows_updated: int = 0
    shows_unchanged: int = 0
    people_added: int = 0
    credits: int = 0
    skipped: bool = False  # the database already held this seed version


class Repository:
    """The one place that speaks SQL; a single aiosqlite connection, used one transaction at a time."""

    def __init__(self, connection: aiosqlite.Connection, *, clock: Clock = utc_now) -> None:
        self._db = connection
        self._clock = clock
        self._transaction_lock = asyncio.Lock()

    @property
    def connection(self) -> aiosqlite.Connection:
        return self._db

    async def close(self) -> None:
        await self._db.close()

    def _now(self) -> str:
        return _iso(self._clock())

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Run the block's statements as one transaction: all of them land, or none.

        One connection is shared by every task (commands, the announcer, trivia): they take turns, since a
        second BEGIN on the connection fails and a bare statement would silently join (and roll back with)
        another task's transaction. Inside a transaction the same task may open another: it joins the first.
        """
        owner = (id(self), asyncio.current_task())
        if _transaction_owner.get() == owner:
            yield
            return
        async with self._transaction_lock:
            token = _transaction_owner.set(owner)
            try:
                await self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    await self._db.execute("ROLLBACK")
                    raise
                await self._db.execute("COMMIT")
            finally:
                _transaction_owner.reset(token)

    # -- meta -------------------------------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        async with self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None

    @atomic
    async def set_meta(self, key: str, value: str) -> None:
        await self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- reading the catalog -----------------------------------------------------------------------------

    async def all_shows(self) -> list[Show]:
        """Every live show, shared and server-owned, with its other titles."""
        titles = await self._titles_by_show()
        async with self._db.execute(
            f"SELECT {_SHOW_COLUMNS} FROM shows WHERE deleted_at IS NULL ORDER BY id"
        ) as cursor:
            rows = await cursor.fetchall()
        return [_show_from_row(row, titles.get(row[0], ((), ()))) for row in rows]

    async def get_show(self, show_id: int) -> Show | None:
        async with self._db.execute(
            f"SELECT {_SHOW_COLUMNS} FROM shows WHERE id = ? AND deleted_at IS NULL", (show_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        titles = await self._titles_by_show(show_id)
        return _show_from_row(row, titles.get(show_id, ((), ())))

    async def _titles_by_show(self, show_id: int | None = None) -> dict[int, tuple[tuple[str, ...], tuple[str, ...]]]:
        query = "SELECT show_id, title, kind FROM show_titles"
        params: tuple[Any, ...] = ()
        if show_id is not None:
            query += " WHERE show_id = ?"
            params = (show_id,)
        grouped: dict[int, tuple[list[str], list[str]]] = {}
        async with self._db.execute(query + " ORDER BY show_id, rowid", params) as cursor:
            async for sid, title, kind in cursor:
                alts, aliases = grouped.setdefault(sid, ([], []))
                (alts if kind == "alt" else aliases).append(title)
        return {sid: (tuple(alts), tuple(aliases)) for sid, (alts, aliases) in grouped.items()}

    async def all_people(self) -> list[Person]:
        return await self._people("", ())

    async def get_person(self, person_id: int) -> Person | None:
        people = await self._people("WHERE id = ?", (person_id,))
        return people[0] if people else None

    async def _people(self, where: str, params: tuple[Any, ...]) -> list[Person]:
        names: dict[int, list[str]] = {}
        name_filter = where.replace("id", "person_id", 1)
        async with self._db.execute(
            f"SELECT person_id, name FROM person_names {name_filter} ORDER BY person_id, rowid", params
        ) as cursor:
            async for person_id, name in cursor:
                names.setdefault(person_id, []).append(name)
        async with self._db.execute(
            f"SELECT id, name, hangul_name, tmdb_id, seed_key FROM people {where} ORDER BY id", params
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            Person(id=row[0], name=row[1], hangul_name=row[2], alt_names=tuple(names.get(row[0], ())),
                   tmdb_id=row[3], seed_key=row[4])
            for row in rows
        ]  # fmt: skip

    async def all_credits(self) -> list[Credit]:
        """Every credit of a live show, in billing order within each show."""
        return await self._credits("s.deleted_at IS NULL", ())

    async def credits_of_show(self, show_id: int) -> list[Credit]:
        return await self._credits("s.id = ? AND s.deleted_at IS NULL", (show_id,))

    async def _credits(self, where: str, params: tuple[Any, ...]) -> list[Credit]:
        async with self._db.execute(
            f"""
            SELECT c.show_id, c.person_id, p.name, s.title, c.kind, c.character, c.character_note, c.role,
                   c.billing, s.premiere
            FROM credits AS c
            JOIN people AS p ON p.id = c.person_id
            JOIN shows AS s ON s.id = c.show_id
            WHERE {where}
            ORDER BY c.show_id, c.kind, c.billing, c.id
            """,
            params,
        ) as cursor:
            rows = await cursor.fetchall()
        return [_credit_from_row(row) for row in rows]

    async def all_episodes(self) -> list[Episode]:
        return await self._episodes("s.deleted_at IS NULL", ())

    async def episodes_of_show(self, show_id: int) -> list[Episode]:
        return await self._episodes("s.id = ? AND s.deleted_at IS NULL", (show_id,))

    async def _episodes(self, where: str, params: tuple[Any, ...]) -> list[Episode]:
        async with self._db.execute(
            f"""
            SELECT e.show_id, e.number, e.air_at, e.title FROM episodes AS e
            JOIN shows AS s ON s.id = e.show_id WHERE {where}
            ORDER BY e.show_id, e.number
            """,
            params,
        ) as cursor:
            rows = await cursor.fetchall()
        return [Episode(show_id=r[0], number=r[1], air_at=_parse_datetime(r[2]), title=r[3]) for r in rows]

    # -- the seed ------------------------------------------------------------------------------------------

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
                values = _show_values(record)
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

    # -- writes an admin makes ---------------------------------------------------------------------------

    @atomic
    async def mark_edited(self, show_id: int, fields: Iterable[str]) -> None:
        """Record that an admin set these fields by hand, so seed upgrades and syncs leave them alone."""
        async with self._db.execute("SELECT edited_fields FROM shows WHERE id = ?", (show_id,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return
        edited = sorted(set(json.loads(row[0])) | set(fields))
        await self._db.execute("UPDATE shows SET edited_fields = ? WHERE id = ?", (json.dumps(edited), show_id))

    @atomic
    async def update_show_fields(self, show_id: int, changes: Mapping[str, Any], *, by_admin: bool) -> None:
        """Set some of a show's fields (model values: dates, tuples...), stamping the change time."""
        unknown = set(changes) - set(SHOW_FIELDS)
        if unknown:
            raise ValueError(f"not show fields: {sorted(unknown)}")
        if not changes:
            return
        encoded = _encode_show_fields(changes)
        assignments = ", ".join(f"{name} = ?" for name in encoded)
        await self._db.execute(
            f"UPDATE shows SET {assignments}, updated_at = ? WHERE id = ?",
            (*encoded.values(), self._now(), show_id),
        )
        if by_admin:
            await self.mark_edited(show_id, changes)

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
             _json_or_none(old), _json_or_none(new)),
        )  # fmt: skip

    @atomic
    async def upsert_episodes(self, show_id: int, episodes: Sequence[Episode], *, source: str) -> None:
        now = self._now()
        await self._db.executemany(
            "INSERT INTO episodes (show_id, number, air_at, title, source, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (show_id, number) DO UPDATE SET"
            " air_at = excluded.air_at, title = excluded.title, source = excluded.source,"
            " updated_at = excluded.updated_at",
            [(show_id, e.number, _iso(e.air_at), e.title, source, now, now) for e in episodes],
        )

    # -- sync (catalog freshness) -------------------------------------------------------------------------
    # Used by bot/sync.py. A source record (a TVmaze or TMDB show, or an IMDb/TheTVDB id one of them names)
    # is linked to the shared show it was merged into, with the version of the record last merged.

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

    @atomic
    async def add_show(self, fields: Mapping[str, Any], *, guild_id: int | None = None) -> int:
        """Insert a show from model values, shared (guild_id None) or one server's own; return its id."""
        unknown = set(fields) - set(SHOW_FIELDS)
        if unknown or "title" not in fields:
            raise ValueError(f"a show needs a title and only show fields: {sorted(unknown)}")
        encoded = {name: value for name, value in _encode_show_fields(fields).items() if value is not None}
        now = self._now()
        columns = ", ".join(encoded)
        placeholders = ", ".join("?" for _ in encoded)
        cursor = await self._db.execute(
            f"INSERT INTO shows (guild_id, {columns}, created_at, updated_at) VALUES (?, {placeholders}, ?, ?)",
            (guild_id, *encoded.values(), now, now),
        )
        return int(cursor.lastrowid or 0)

    @atomic
    async def add_show_titles(self, show_id: int, titles: Iterable[str], *, kind: str = "alt") -> int:
        """Add other titles a show goes by, keeping those it has; return how many were new."""
        cursor = await self._db.executemany(
            "INSERT OR IGNORE INTO show_titles (show_id, title, kind, created_at) VALUES (?, ?, ?, ?)",
            [(show_id, title, kind, self._now()) for title in titles],
        )
        return max(cursor.rowcount, 0)

    @atomic
    async def add_person(self, name: str, *, hangul_name: str | None = None, tmdb_id: int | None = None) -> int:
        now = self._now()
        cursor = await self._db.execute(
            "INSERT INTO people (name, hangul_name, tmdb_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            (name, hangul_name, tmdb_id, now, now),
        )
        return int(cursor.lastrowid or 0)

    @atomic
    async def add_person_names(self, person_id: int, names: Iterable[str]) -> None:
        await self._db.executemany(
            "INSERT OR IGNORE INTO person_names (person_id, name) VALUES (?, ?)", [(person_id, n) for n in names]
        )

    @atomic
    async def fill_person_ids(self, person_id: int, *, hangul_name: str | None, tmdb_id: int | None) -> None:
        """Set a person's Hangul name and TMDB id where they are still unknown."""
        await self._db.execute(
            "UPDATE people SET hangul_name = IFNULL(hangul_name, ?), tmdb_id = IFNULL(tmdb_id, ?), updated_at = ?"
            " WHERE id = ? AND ((hangul_name IS NULL AND ? IS NOT NULL) OR (tmdb_id IS NULL AND ? IS NOT NULL))",
            (hangul_name, tmdb_id, self._now(), person_id, hangul_name, tmdb_id),
        )

    async def credit_sources(self, show_id: int) -> dict[tuple[int, str, str], str]:
        """Map each of a show's credits, as (person id, kind, character or ''), to the source that made it."""
        async with self._db.execute(
            "SELECT person_id, kind, character, source FROM credits WHERE show_id = ?", (show_id,)
        ) as cursor:
            return {(pid, kind, character): source async for pid, kind, character, source in cursor}

    @atomic
    async def add_credit(
        self, show_id: int, person_id: int, kind: CreditKind, *, character: str | None, role: Role | None,
        billing: int, source: str,
    ) -> None:  # fmt: skip
        now = self._now()
        await self._db.execute(
            "INSERT OR IGNORE INTO credits (show_id, person_id, kind, character, role, billing, source, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (show_id, person_id, str(kind), character or "", role and str(role), billing, source, now, now),
        )

    @atomic
    async def update_credit(
        self, show_id: int, person_id: int, kind: CreditKind, *, character: str | None, role: Role | None,
        billing: int,
    ) -> bool:  # fmt: skip
        """Set a credit's role and billing if they changed; return whether they did."""
        cursor = await self._db.execute(
            "UPDATE credits SET role = ?, billing = ?, updated_at = ? WHERE show_id = ? AND person_id = ?"
            " AND kind = ? AND character = ? AND (IFNULL(role, ''), billing) IS NOT (?, ?)",
            (role and str(role), billing, self._now(), show_id, person_id, str(kind), character or "",
             str(role or ""), billing),
        )  # fmt: skip
        return cursor.rowcount > 0

    @atomic
    async def remove_credit(self, show_id: int, person_id: int, kind: CreditKind, character: str | None) -> None:
        await self._db.execute(
            "DELETE FROM credits WHERE show_id = ? AND person_id = ? AND kind = ? AND character = ?",
            (show_id, person_id, str(kind), character or ""),
        )

    async def episode_sources(self, show_id: int) -> dict[int, str]:
        """Map each of a show's episode numbers to the source that last wrote it ('admin' for a hand edit)."""
        async with self._db.execute("SELECT number, source FROM episodes WHERE show_id = ?", (show_id,)) as cursor:
            return {number: source async for number, source in cursor}

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
        cursor = await self._db.execute("DELETE FROM http_cache WHERE used_at < ?", (_iso(unused_since),))
        return max(cursor.rowcount, 0)

    # -- trivia -------------------------------------------------------------------------------------------

    @atomic
    async def start_trivia_game(
        self,
        *,
        guild_id: int,
        channel_id: int,
        starter_id: int,
        rounds: int,
        seconds: int,
        difficulty: str,
        show_id: int | None,
    ) -> int:
        """Record a game as running and return its id (its buttons carry it)."""
        cursor = await self._db.execute(
            "INSERT INTO trivia_games (guild_id, channel_id, starter_id, rounds, seconds, difficulty, show_id,"
            " started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, channel_id, starter_id, rounds, seconds, difficulty, show_id, self._now()),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    @atomic
    async def end_trivia_game(self, game_id: int, reason: str, standings: Sequence[Standing] = ()) -> bool:
        """Mark a running game ended and save its players' scores; False if it had already ended."""
        # No transaction: the connection is shared, and BEGIN inside another coroutine's transaction fails. The
        # order makes a crash between the two statements harmless: scores saved, the game ended at next start.
        now = self._now()
        await self._upsert_trivia_scores(game_id, standings, now)  # writes nothing for an ended game
        cursor = await self._db.execute(
            "UPDATE trivia_games SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
            (now, reason, game_id),
        )
        return cursor.rowcount == 1

    @atomic
    async def save_trivia_scores(self, game_id: int, standings: Sequence[Standing]) -> None:
        """Save a running game's scores so far, so that a crash loses at most the round being played."""
        await self._upsert_trivia_scores(game_id, standings, self._now())

    async def _upsert_trivia_scores(self, game_id: int, standings: Sequence[Standing], now: str) -> None:
        await self._db.executemany(
            "INSERT INTO trivia_scores (game_id, guild_id, user_id, points, correct, answered, scored_at)"
            " SELECT id, guild_id, ?, ?, ?, ?, ? FROM trivia_games WHERE id = ? AND ended_at IS NULL"
            " ON CONFLICT (game_id, user_id) DO UPDATE SET points = excluded.points, correct = excluded.correct,"
            " answered = excluded.answered, scored_at = excluded.scored_at",
            [(s.user_id, s.points, s.correct, s.answered, now, game_id) for s in standings],
        )

    async def running_trivia_games(self) -> list[TriviaGameRecord]:
        """Games recorded as running: at start-up, those a crash cut short."""
        async with self._db.execute(
            "SELECT id, guild_id, channel_id, starter_id, rounds, seconds, difficulty, show_id, started_at,"
            " ended_at, end_reason FROM trivia_games WHERE ended_at IS NULL ORDER BY id"
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            TriviaGameRecord(*row[:8], started_at=_parse_datetime(row[8]), ended_at=None, end_reason=row[10])
            for row in rows
        ]

    async def trivia_leaderboard(
        self, guild_id: int, *, since: dt.datetime | None = None, limit: int = 10
    ) -> list[LeaderboardEntry]:
        """A server's top players by points scored since `since` (all time when None)."""
        async with self._db.execute(
            "SELECT user_id, SUM(points) AS total, SUM(correct), SUM(answered), COUNT(*) FROM trivia_scores"
            " WHERE guild_id = ? AND scored_at >= ? GROUP BY user_id ORDER BY total DESC, SUM(correct) DESC,"
            " MIN(scored_at) LIMIT ?",
            (guild_id, _iso(since) if since is not None else "", limit),
        ) as cursor:
            rows = await cursor.fetchall()
        return [LeaderboardEntry(rank, *row) for rank, row in enumerate(rows, 1)]

    async def trivia_player_stats(self, guild_id: int, user_id: int) -> PlayerStats | None:
        """One player's all-time trivia record in a server, with their rank there; None if they never scored."""
        async with self._db.execute(
            "SELECT COUNT(*), SUM(points), SUM(correct), SUM(answered), MAX(points), MAX(scored_at)"
            " FROM trivia_scores WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None or not row[0]:
            return None
        games, points, correct, answered, best, last = row
        async with self._db.execute(
            "SELECT COUNT(*) FROM (SELECT user_id FROM trivia_scores WHERE guild_id = ? GROUP BY user_id"
            " HAVING SUM(points) > ?)",
            (guild_id, points),
        ) as cursor:
            ahead = await cursor.fetchone()
        rank = 1 + (int(ahead[0]) if ahead else 0)
        return PlayerStats(user_id, games, points, correct, answered, best, rank, _parse_datetime(last))

    # -- curation ---------------------------------------------------------------------------------------------
    # Used by cogs/curation.py: a server's own shows, soft removal and its undo, promotion, the audit log.

    async def show_even_if_removed(self, show_id: int) -> Show | None:
        """A show by id, live or soft-removed (undo needs to see a removed one)."""
        async with self._db.execute(f"SELECT {_SHOW_COLUMNS} FROM shows WHERE id = ?", (show_id,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        titles = await self._titles_by_show(show_id)
        return _show_from_row(row, titles.get(show_id, ((), ())))

    @atomic
    async def set_show_removed(self, show_id: int, removed: bool) -> None:
        """Soft-remove a show (it vanishes from the catalog, its rows kept for undo), or bring it back."""
        now = self._now()
        await self._db.execute(
            "UPDATE shows SET deleted_at = ?, updated_at = ? WHERE id = ?", (now if removed else None, now, show_id)
        )

    @atomic
    async def set_show_guild(self, show_id: int, guild_id: int | None) -> None:
        """Move a show to a server (guild id) or to the shared catalog (None)."""
        await self._db.execute(
            "UPDATE shows SET guild_id = ?, updated_at = ? WHERE id = ?", (guild_id, self._now(), show_id)
        )

    @atomic
    async def remove_show_title(self, show_id: int, title: str) -> None:
        await self._db.execute("DELETE FROM show_titles WHERE show_id = ? AND title = ?", (show_id, title))

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
            (guild_id, *actions, _iso(since), *((guild_id,) if own_shows_only else ())),
        ) as cursor:
            row = await cursor.fetchone()
        return _audit_from_row(row) if row else None

    # -- announcements ------------------------------------------------------------------------------------
    # Used by bot/outbox.py and cogs/announce.py. An outbox row goes pending -> claimed -> sent, or to skipped
    # (it fell due longer ago than the grace window) or failed (Discord kept refusing it). A crash leaves a row
    # claimed; the next start releases it, and it is sent again under the same nonce, which Discord dedupes.

    async def announce_settings(self, guild_id: int) -> GuildAnnounceSettings | None:
        async with self._db.execute(
            f"SELECT {_ANNOUNCE_COLUMNS} FROM announce_settings WHERE guild_id = ?", (guild_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return _announce_settings_from_row(row) if row else None

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
            (s.guild_id, s.channel_id, s.role_id, str(s.mode), int(s.enabled), _iso(s.since), s.paused_reason,
             _iso_or_none(s.paused_at), s.last_error, _iso_or_none(s.last_error_at), self._now()),
        )  # fmt: skip

    @atomic
    async def pause_announcements(self, guild_id: int, reason: str, at: dt.datetime) -> None:
        """Stop a server's announcements until an admin fixes the channel, keeping why."""
        await self._db.execute(
            "UPDATE announce_settings SET paused_reason = ?, paused_at = ?, last_error = ?, last_error_at = ?,"
            " updated_at = ? WHERE guild_id = ?",
            (reason, _iso(at), reason, _iso(at), self._now(), guild_id),
        )

    @atomic
    async def record_announce_error(self, guild_id: int, error: str, at: dt.datetime) -> None:
        await self._db.execute(
            "UPDATE announce_settings SET last_error = ?, last_error_at = ? WHERE guild_id = ?",
            (error, _iso(at), guild_id),
        )

    async def followed_shows(self, guild_id: int) -> list[int]:
        async with self._db.execute(
            "SELECT show_id FROM announce_follows WHERE guild_id = ? ORDER BY created_at, show_id", (guild_id,)
        ) as cursor:
            return [row[0] async for row in cursor]

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
                [(d.guild_id, d.show_id, d.episode, str(d.kind), _iso(d.due_at), _iso(d.air_at), int(d.time_known),
                  d.channel_id, state, announcement_nonce(*d.key), _SKIP_REASON if state == "skipped" else None,
                  now) for d, state in rows],
            )  # fmt: skip
            added = self._db.total_changes - before
            await self.set_meta(ANNOUNCE_WATERMARK, _iso(planned_until))
        return added

    async def announce_watermark(self) -> dt.datetime | None:
        """Return the moment up to which due announcements were stored, or None before the first run."""
        text = await self.get_meta(ANNOUNCE_WATERMARK)
        return _parse_datetime(text) if text else None

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
            (_SKIP_REASON, _iso(before)),
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
            (self._now(), _iso(now), limit),
        ) as cursor:
            rows = await cursor.fetchall()
        return sorted((_outbox_item_from_row(row) for row in rows), key=lambda i: (i.due_at, i.id))

    @atomic
    async def mark_sent(self, item_id: int, message_id: int, at: dt.datetime) -> None:
        await self._db.execute(
            "UPDATE announce_outbox SET state = 'sent', sent_at = ?, message_id = ?, error = NULL WHERE id = ?",
            (_iso(at), message_id, item_id),
        )

    @atomic
    async def retry_later(self, item_id: int, at: dt.datetime | None, error: str) -> None:
        """Return a claimed row to pending, to be tried again from `at` (None: as soon as its server may)."""
        await self._db.execute(
            "UPDATE announce_outbox SET state = 'pending', claimed_at = NULL, next_attempt_at = ?, error = ?"
            " WHERE id = ?",
            (_iso_or_none(at), error, item_id),
        )

    @atomic
    async def fail_outbox_item(self, item_id: int, error: str) -> None:
        await self._db.execute("UPDATE announce_outbox SET state = 'failed', error = ? WHERE id = ?", (error, item_id))

    async def next_outbox_retry(self, after: dt.datetime) -> dt.datetime | None:
        """Return the earliest retry of a pending row scheduled after `after`, or None.

        Rows are created only once due, so a pending row waits either for a retry time or for its server to
        become active again (which the settings change announces); only retries need a timer.
        """
        async with self._db.execute(
            "SELECT MIN(next_attempt_at) FROM announce_outbox WHERE state = 'pending' AND next_attempt_at > ?",
            (_iso(after),),
        ) as cursor:
            row = await cursor.fetchone()
        return _parse_datetime(row[0]) if row and row[0] else None

    async def outbox_items(self, guild_id: int, state: str, *, limit: int = 5) -> list[OutboxItem]:
        """A server's rows in one state, latest due first."""
        async with self._db.execute(
            f"SELECT {_OUTBOX_COLUMNS} FROM announce_outbox WHERE guild_id = ? AND state = ?"
            " ORDER BY due_at DESC, id DESC LIMIT ?",
            (guild_id, state, limit),
        ) as cursor:
            return [_outbox_item_from_row(row) async for row in cursor]

    async def outbox_counts(self, guild_id: int) -> dict[str, int]:
        async with self._db.execute(
            "SELECT state, COUNT(*) FROM announce_outbox WHERE guild_id = ? GROUP BY state", (guild_id,)
        ) as cursor:
            return {state: count async for state, count in cursor}


# -- conversions ----------------------------------------------------------------------------------------------


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; pass an aware one")
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _parse_datetime(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _json_or_none(values: Mapping[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, ensure_ascii=False, default=str, sort_keys=True)


def _date_or_none(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _day_numbers(text: str) -> tuple[int, ...]:
    return tuple(WEEKDAYS.index(day) for day in text.split(",") if day in WEEKDAYS)


def _show_values(record: Mapping[str, Any]) -> tuple[Any, ...]:
    """A seed or import record's values in SHOW_FIELDS order, encoded for the shows table."""
    return (
        record["title"],
        record.get("hangul_title"),
        record.get("kind") or "drama",
        record.get("country") or "KR",
        json.dumps(list(record.get("networks") or ()), ensure_ascii=False),
        record.get("premiere"),
        record.get("finale"),
        record.get("episode_count"),
        record.get("episode_minutes"),
        ",".join(record.get("air_days") or ()),
        record.get("air_time"),
        record.get("timezone") or SEOUL,
        record.get("status"),
        json.dumps(list(record.get("genres") or ()), ensure_ascii=False),
        record.get("rating"),
        record.get("content_rating"),
        record.get("synopsis"),
        record.get("poster_url"),
        record.get("tmdb_id"),
        record.get("tvmaze_id"),
        record.get("popularity_rank"),
    )


def _encode_show_fields(changes: Mapping[str, Any]) -> dict[str, Any]:
    encoded: dict[str, Any] = {}
    for name, value in changes.items():
        if name in ("networks", "genres"):
            value = json.dumps(list(value or ()), ensure_ascii=False)
        elif name == "air_days":
            value = ",".join(WEEKDAYS[day] for day in value or ())
        elif name == "air_time" and value is not None:
            value = value.strftime("%H:%M")
        elif name in ("premiere", "finale") and value is not None:
            value = value.isoformat()
        elif name == "status" and value is not None:
            value = str(value)
        encoded[name] = value
    return encoded


def _show_from_row(row: Sequence[Any], titles: tuple[tuple[str, ...], tuple[str, ...]]) -> Show:
    (show_id, seed_key, guild_id, title, hangul_title, kind, country, networks, premiere, finale,
     episode_count, episode_minutes, air_days, air_time, timezone, status, genres, rating, content_rating,
     synopsis, poster_url, tmdb_id, tvmaze_id, popularity_rank, edited, created_at, updated_at) = row  # fmt: skip
    return Show(
        id=show_id,
        title=title,
        hangul_title=hangul_title,
        alt_titles=titles[0],
        aliases=titles[1],
        kind=kind,
        country=country,
        networks=tuple(json.loads(networks)),
        premiere=_date_or_none(premiere),
        finale=_date_or_none(finale),
        episode_count=episode_count,
        episode_minutes=episode_minutes,
        air_days=_day_numbers(air_days),
        air_time=dt.time.fromisoformat(air_time) if air_time else None,
        timezone=timezone,
        status=Status(status) if status else None,
        genres=tuple(json.loads(genres)),
        rating=rating,
        content_rating=content_rating,
        synopsis=synopsis,
        poster_url=poster_url,
        tmdb_id=tmdb_id,
        tvmaze_id=tvmaze_id,
        popularity_rank=popularity_rank,
        guild_id=guild_id,
        seed_key=seed_key,
        edited_fields=frozenset(json.loads(edited)),
        created_at=_parse_datetime(created_at),
        updated_at=_parse_datetime(updated_at),
    )


_AUDIT_COLUMNS = "id, at, guild_id, user_id, action, show_id, person_id, old_values, new_values"


def _audit_from_row(row: Sequence[Any]) -> AuditEntry:
    entry_id, at, guild_id, user_id, action, show_id, person_id, old, new = row
    return AuditEntry(
        id=entry_id, at=_parse_datetime(at), guild_id=guild_id, user_id=user_id, action=action, show_id=show_id,
        person_id=person_id, old=json.loads(old) if old else None, new=json.loads(new) if new else None,
    )  # fmt: skip


def _credit_from_row(row: Sequence[Any]) -> Credit:
    show_id, person_id, name, title, kind, character, note, role, billing, premiere = row
    return Credit(
        show_id=show_id,
        person_id=person_id,
        person_name=name,
        show_title=title,
        kind=CreditKind(kind),
        character=character or None,
        character_note=note,
        role=Role(role) if role else None,
        billing=billing,
        show_premiere=_date_or_none(premiere),
    )


# -- announcement conversions --

ANNOUNCE_WATERMARK = "announce_planned_until"
_SKIP_REASON = "fell due while the bot was down, longer ago than the grace window"
_ANNOUNCE_COLUMNS = (
    "guild_id, since, channel_id, role_id, mode, enabled, paused_reason, paused_at, last_error, last_error_at"
)
_OUTBOX_COLUMNS = (
    "id, guild_id, show_id, episode, kind, due_at, air_at, time_known, channel_id, state, nonce, attempts, sent_at,"
    " message_id, error"
)


def _iso_or_none(moment: dt.datetime | None) -> str | None:
    return None if moment is None else _iso(moment)


def _datetime_or_none(text: str | None) -> dt.datetime | None:
    return _parse_datetime(text) if text else None


def _announce_settings_from_row(row: Sequence[Any]) -> GuildAnnounceSettings:
    guild_id, since, channel_id, role_id, mode, enabled, paused_reason, paused_at, last_error, last_error_at = row
    return GuildAnnounceSettings(
        guild_id=guild_id, since=_parse_datetime(since), channel_id=channel_id, role_id=role_id,
        mode=AnnounceMode(mode), enabled=bool(enabled), paused_reason=paused_reason,
        paused_at=_datetime_or_none(paused_at), last_error=last_error, last_error_at=_datetime_or_none(last_error_at),
    )  # fmt: skip


def _outbox_item_from_row(row: Sequence[Any]) -> OutboxItem:
    (item_id, guild_id, show_id, episode, kind, due_at, air_at, time_known, channel_id, state, nonce, attempts,
     sent_at, message_id, error) = row  # fmt: skip
    return OutboxItem(
        id=item_id, guild_id=guild_id, show_id=show_id, episode=episode, kind=AnnouncementKind(kind),
        due_at=_parse_datetime(due_at), air_at=_parse_datetime(air_at), time_known=bool(time_known),
        channel_id=channel_id, state=state, nonce=nonce, attempts=attempts, sent_at=_datetime_or_none(sent_at),
        message_id=message_id, error=error,
    )  # fmt: skip
