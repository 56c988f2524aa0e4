"""The catalog's rows: shows with their other titles, people with their other names, credits and episodes."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from bot.models import SEOUL, WEEKDAYS, Credit, CreditKind, Episode, Person, Role, Show, Status
from bot.store.base import StoreBase, atomic, date_or_none, fetch_all_as, iso, isolated, parse_datetime

# The show fields a seed or an importer may set, in the shows table's column order.
SHOW_FIELDS = (
    "title", "hangul_title", "kind", "country", "networks", "premiere", "finale", "episode_count",
    "episode_minutes", "air_days", "air_time", "timezone", "status", "genres", "rating", "content_rating",
    "synopsis", "poster_url", "tmdb_id", "tvmaze_id", "popularity_rank",
)  # fmt: skip

SHOW_COLUMNS = "id, seed_key, guild_id, " + ", ".join(SHOW_FIELDS) + ", edited_fields, created_at, updated_at"


class CatalogStore(StoreBase):
    """Shows, people, credits and episodes: read whole or one by one, and written by admins and the sync."""

    async def all_shows(self) -> list[Show]:
        """Every live show, shared and server-owned, with its other titles."""
        return shows_from_rows(await self.all_show_rows())

    @isolated
    async def all_show_rows(self) -> ShowRows:
        """Every live show's row and its other titles, undecoded: `shows_from_rows` decodes them (a catalog loads
        them in a thread)."""
        titles = await self._titles_by_show()
        async with self._db.execute(f"SELECT {SHOW_COLUMNS} FROM shows WHERE deleted_at IS NULL ORDER BY id") as cursor:
            rows = await cursor.fetchall()
        return ShowRows(list(rows), titles)

    @isolated
    async def get_show(self, show_id: int) -> Show | None:
        async with self._db.execute(
            f"SELECT {SHOW_COLUMNS} FROM shows WHERE id = ? AND deleted_at IS NULL", (show_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        titles = await self._titles_by_show(show_id)
        return show_from_row(row, titles.get(show_id, ((), ())))

    async def _titles_by_show(self, show_id: int | None = None) -> dict[int, tuple[tuple[str, ...], tuple[str, ...]]]:
        query = "SELECT show_id, title, kind FROM show_titles"
        params: tuple[Any, ...] = ()
        if show_id is not None:
            query += " WHERE show_id = ?"
            params = (show_id,)
        grouped: dict[int, tuple[list[str], list[str]]] = {}
        # fetchall: one trip to the database thread, not one per 64 rows (`async for`), while the loop is busy.
        async with self._db.execute(query + " ORDER BY show_id, rowid", params) as cursor:
            for sid, title, kind in await cursor.fetchall():
                alts, aliases = grouped.setdefault(sid, ([], []))
                (alts if kind == "alt" else aliases).append(title)
        return {sid: (tuple(alts), tuple(aliases)) for sid, (alts, aliases) in grouped.items()}

    @isolated
    async def all_people(self) -> list[Person]:
        return await self._people()

    @isolated
    async def get_person(self, person_id: int) -> Person | None:
        people = await self._people(person_id)
        return people[0] if people else None

    async def _people(self, person_id: int | None = None) -> list[Person]:
        """Every person, or the one with `person_id`, with their other names."""
        names_query = "SELECT person_id, name FROM person_names"
        people_query = "SELECT id, name, hangul_name, tmdb_id, seed_key FROM people"
        params: tuple[int, ...] = ()
        if person_id is not None:
            names_query += " WHERE person_id = ?"
            people_query += " WHERE id = ?"
            params = (person_id,)
        names: dict[int, list[str]] = {}
        async with self._db.execute(names_query + " ORDER BY person_id, rowid", params) as cursor:
            for owner, name in await cursor.fetchall():
                names.setdefault(owner, []).append(name)

        def person(_cursor: object, row: tuple[Any, ...]) -> Person:
            return Person(row[0], row[1], row[2], tuple(names.get(row[0], ())), row[3], row[4])

        async with self._db.execute(people_query + " ORDER BY id", params) as cursor:
            return await fetch_all_as(cursor, person)

    @isolated
    async def all_credit_rows(self) -> list[CreditRow]:
        """Every credit's own columns, in billing order within each show; `credits_named` gives them their show's
        and person's names from the catalog in memory (a join here costs more than the rest of a start-up)."""
        async with self._db.execute(
            "SELECT show_id, person_id, kind, character, character_note, role, billing FROM credits"
            " ORDER BY show_id, kind, billing, id"
        ) as cursor:
            return await fetch_all_as(cursor, _credit_row)

    @isolated
    async def credits_of_show(self, show_id: int) -> list[Credit]:
        """A live show's credits, in billing order."""
        query = """
            SELECT c.show_id, c.person_id, c.kind, c.character, c.character_note, c.role, c.billing,
                   p.name, s.title, s.premiere
            FROM credits AS c
            JOIN people AS p ON p.id = c.person_id
            JOIN shows AS s ON s.id = c.show_id
            WHERE s.deleted_at IS NULL AND s.id = ?
            ORDER BY c.kind, c.billing, c.id"""
        async with self._db.execute(query, (show_id,)) as cursor:
            rows = await cursor.fetchall()
        return [_credit(CreditRow(*row[:7]), row[7], row[8], date_or_none(row[9])) for row in rows]

    @isolated
    async def all_episodes(self) -> list[Episode]:
        return await self._episodes()

    @isolated
    async def episodes_of_show(self, show_id: int) -> list[Episode]:
        return await self._episodes(show_id)

    async def _episodes(self, show_id: int | None = None) -> list[Episode]:
        """The episodes of every live show, or of the live show `show_id` only, in air order."""
        query = (
            "SELECT e.show_id, e.number, e.air_at, e.title FROM episodes AS e"
            " JOIN shows AS s ON s.id = e.show_id WHERE s.deleted_at IS NULL"
        )
        params: tuple[int, ...] = ()
        if show_id is not None:
            query += " AND s.id = ?"
            params = (show_id,)
        async with self._db.execute(query + " ORDER BY e.show_id, e.number", params) as cursor:
            rows = await cursor.fetchall()
        return [Episode(show_id=r[0], number=r[1], air_at=parse_datetime(r[2]), title=r[3]) for r in rows]

    # -- writes: an admin's edits, the daily sync --------------------------------------------------------

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
        encoded = encode_show_fields(changes)
        assignments = ", ".join(f"{name} = ?" for name in encoded)
        await self._db.execute(
            f"UPDATE shows SET {assignments}, updated_at = ? WHERE id = ?",
            (*encoded.values(), self._now(), show_id),
        )
        if by_admin:
            await self.mark_edited(show_id, changes)

    @atomic
    async def upsert_episodes(self, show_id: int, episodes: Sequence[Episode], *, source: str) -> None:
        now = self._now()
        await self._db.executemany(
            "INSERT INTO episodes (show_id, number, air_at, title, source, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (show_id, number) DO UPDATE SET"
            " air_at = excluded.air_at, title = excluded.title, source = excluded.source,"
            " updated_at = excluded.updated_at",
            [(show_id, e.number, iso(e.air_at), e.title, source, now, now) for e in episodes],
        )

    @atomic
    async def add_show(self, fields: Mapping[str, Any], *, guild_id: int | None = None) -> int:
        """Insert a show from model values, shared (guild_id None) or one server's own; return its id."""
        unknown = set(fields) - set(SHOW_FIELDS)
        if unknown or "title" not in fields:
            raise ValueError(f"a show needs a title and only show fields: {sorted(unknown)}")
        encoded = {name: value for name, value in encode_show_fields(fields).items() if value is not None}
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
    async def remove_show_aliases(self, show_id: int, aliases: Iterable[str]) -> None:
        """Take aliases an admin added off a show (its other titles stay)."""
        await self._db.executemany(
            "DELETE FROM show_titles WHERE show_id = ? AND title = ? AND kind = 'alias'",
            [(show_id, alias) for alias in aliases],
        )

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

    @isolated
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

    @atomic
    async def remove_episode(self, show_id: int, number: int) -> None:
        """Forget one episode's row, so the weekly pattern dates it again."""
        await self._db.execute("DELETE FROM episodes WHERE show_id = ? AND number = ?", (show_id, number))

    @isolated
    async def episode_sources(self, show_id: int) -> dict[int, str]:
        """Map each of a show's episode numbers to the source that last wrote it ('admin' for a hand edit)."""
        async with self._db.execute("SELECT number, source FROM episodes WHERE show_id = ?", (show_id,)) as cursor:
            return {number: source async for number, source in cursor}

    # -- curation: a server's own shows, soft removal and its undo, promotion ------------------------------

    @isolated
    async def show_even_if_removed(self, show_id: int) -> Show | None:
        """A show by id, live or soft-removed (undo needs to see a removed one)."""
        async with self._db.execute(f"SELECT {SHOW_COLUMNS} FROM shows WHERE id = ?", (show_id,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        titles = await self._titles_by_show(show_id)
        return show_from_row(row, titles.get(show_id, ((), ())))

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


# -- conversions ------------------------------------------------------------------------------------------


# Loading a big catalog converts the same few texts (air days, network and genre lists, the stamps of rows
# written in one transaction) again and again: each distinct one is decoded once. Every value is immutable.
@functools.lru_cache(maxsize=4096)
def _day_numbers(text: str) -> tuple[int, ...]:
    return tuple(WEEKDAYS.index(day) for day in text.split(",") if day in WEEKDAYS)


@functools.lru_cache(maxsize=4096)
def _json_tuple(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


@functools.lru_cache(maxsize=4096)
def _json_frozenset(text: str) -> frozenset[str]:
    return frozenset(json.loads(text))


_stamp = functools.lru_cache(maxsize=4096)(parse_datetime)


def show_values(record: Mapping[str, Any]) -> tuple[Any, ...]:
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


def encode_show_fields(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Encode model values (dates, tuples, enums) of some show fields for their columns."""
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


class ShowRows(NamedTuple):
    rows: list[Any]
    titles: dict[int, tuple[tuple[str, ...], tuple[str, ...]]]  # by show id: (alternative titles, aliases)


def shows_from_rows(read: ShowRows) -> list[Show]:
    return [show_from_row(row, read.titles.get(row[0], ((), ()))) for row in read.rows]


def show_from_row(row: Sequence[Any], titles: tuple[tuple[str, ...], tuple[str, ...]]) -> Show:
    """Build a Show from a row of SHOW_COLUMNS and its (alternative titles, aliases)."""
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
        networks=_json_tuple(networks),
        premiere=date_or_none(premiere),
        finale=date_or_none(finale),
        episode_count=episode_count,
        episode_minutes=episode_minutes,
        air_days=_day_numbers(air_days),
        air_time=dt.time.fromisoformat(air_time) if air_time else None,
        timezone=timezone,
        status=Status(status) if status else None,
        genres=_json_tuple(genres),
        rating=rating,
        content_rating=content_rating,
        synopsis=synopsis,
        poster_url=poster_url,
        tmdb_id=tmdb_id,
        tvmaze_id=tvmaze_id,
        popularity_rank=popularity_rank,
        guild_id=guild_id,
        seed_key=seed_key,
        edited_fields=_json_frozenset(edited),
        created_at=_stamp(created_at),
        updated_at=_stamp(updated_at),
    )


_KINDS = {kind.value: kind for kind in CreditKind}
_ROLES: dict[str | None, Role | None] = {None: None, "": None, **{role.value: role for role in Role}}


class CreditRow(NamedTuple):
    show_id: int
    person_id: int
    kind: str
    character: str
    character_note: str | None
    role: str | None
    billing: int


def credits_named(rows: Iterable[CreditRow], shows: Mapping[int, Show], people: Mapping[int, Person]) -> list[Credit]:
    """The credits of the live shows among `rows`, with their show's title and premiere and their person's name."""
    credits = []
    for row in rows:
        show, person = shows.get(row.show_id), people.get(row.person_id)
        if show is not None and person is not None:  # else a deleted show's
            credits.append(_credit(row, person.name, show.title, show.premiere))
    return credits


def _credit_row(_cursor: object, row: tuple[Any, ...]) -> CreditRow:
    return CreditRow(*row)


def _credit(row: CreditRow, person_name: str, show_title: str, show_premiere: dt.date | None) -> Credit:
    # Positional: a catalog makes one per credit at every start, and keywords cost a third more.
    show_id, person_id, kind, character, note, role, billing = row
    return Credit(
        show_id,
        person_id,
        person_name,
        show_title,
        _KINDS[kind],
        character or None,
        note,
        _ROLES[role],
        billing,
        show_premiere,
    )
