"""The repository against a real SQLite file: migrations, seed loading and upgrades, admin edits kept."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot import db
from bot.models import CreditKind, Role
from bot.store import Repository


def tiny_seed(version: str = "v1") -> dict[str, Any]:
    return {
        "version": version,
        "shows": [
            {
                "key": "kd:1",
                "title": "Soundtrack #1",
                "hangul_title": "사운드트랙 #1",
                "alt_titles": ["Soundtrack 1"],
                "networks": ["Disney+"],
                "premiere": "2022-03-23",
                "finale": "2022-04-13",
                "episode_count": 4,
                "air_days": ["Wed"],
                "genres": ["Music", "Romance"],
                "rating": 8.3,
                "popularity_rank": 290,
                "tmdb_id": 137872,
                "credits": [
                    {"person": "p:han-so-hee", "kind": "cast", "character": "Lee Eun Soo", "role": "main",
                     "billing": 1},
                    {"person": "p:kim-hee-won", "kind": "director", "billing": 0},
                ],
            },
            {"key": "kd:2", "title": "Vincenzo", "premiere": "2021-02-20", "networks": ["tvN", "Netflix"],
             "credits": []},
        ],
        "people": [
            {"key": "p:han-so-hee", "name": "Han So Hee", "alt_names": ["Han So-hee"], "tmdb_id": 1572354},
            {"key": "p:kim-hee-won", "name": "Kim Hee Won"},
        ],
    }  # fmt: skip


@pytest.fixture
async def repository(tmp_path: Path):
    connection = await db.connect(tmp_path / "catalog.sqlite3")
    await db.migrate(connection)
    repo = Repository(connection)
    yield repo
    await repo.close()


async def test_new_database_uses_wal_foreign_keys_and_latest_schema(tmp_path: Path) -> None:
    connection = await db.connect(tmp_path / "fresh.sqlite3")
    try:
        assert await db.migrate(connection) == db.SCHEMA_VERSION
        async with connection.execute("PRAGMA journal_mode") as cursor:
            assert (await cursor.fetchone())[0] == "wal"
        async with connection.execute("PRAGMA foreign_keys") as cursor:
            assert (await cursor.fetchone())[0] == 1
        assert await db.schema_version(connection) == db.SCHEMA_VERSION
    finally:
        await connection.close()


async def test_migrating_an_older_database_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    connection = await db.connect(path)
    await db.migrate(connection, target=1)
    repo = Repository(connection)
    await repo.load_seed(tiny_seed())
    await connection.close()

    connection = await db.connect(path)
    repo = Repository(connection)
    try:
        assert await db.schema_version(connection) == 1
        assert await db.migrate(connection) == db.SCHEMA_VERSION
        shows = await repo.all_shows()
        assert [s.title for s in shows] == ["Soundtrack #1", "Vincenzo"]
        assert len(await repo.all_credit_rows()) == 2
        await repo.append_audit(action="test", guild_id=1, user_id=2, show_id=shows[0].id)
    finally:
        await connection.close()


async def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    connection = await db.connect(path)
    try:
        with pytest.raises(RuntimeError, match="newer than this Dramabot"):
            await db.migrate(connection)
    finally:
        await connection.close()


async def test_seed_loads_shows_people_and_credits(repository: Repository) -> None:
    report = await repository.load_seed(tiny_seed())
    assert (report.shows_added, report.people_added, report.credits) == (2, 2, 2)
    soundtrack = next(s for s in await repository.all_shows() if s.seed_key == "kd:1")
    assert soundtrack.hangul_title == "사운드트랙 #1"
    assert soundtrack.alt_titles == ("Soundtrack 1",)
    assert soundtrack.premiere == dt.date(2022, 3, 23)
    assert soundtrack.air_days == (2,)
    assert soundtrack.networks == ("Disney+",)
    assert soundtrack.guild_id is None
    assert soundtrack.created_at is not None and soundtrack.created_at.tzinfo is not None
    credits = await repository.credits_of_show(soundtrack.id)
    cast = [c for c in credits if c.kind is CreditKind.CAST]
    assert [(c.person_name, c.character, c.role) for c in cast] == [("Han So Hee", "Lee Eun Soo", Role.MAIN)]
    people = {p.name: p for p in await repository.all_people()}
    assert people["Han So Hee"].alt_names == ("Han So-hee",)


async def test_loading_the_same_seed_twice_changes_nothing(repository: Repository) -> None:
    await repository.load_seed(tiny_seed())
    again = await repository.load_seed(tiny_seed())
    assert again.skipped
    assert len(await repository.all_shows()) == 2


async def test_seed_upgrade_keeps_admin_edits_and_aliases(repository: Repository) -> None:
    await repository.load_seed(tiny_seed())
    show = next(s for s in await repository.all_shows() if s.seed_key == "kd:1")
    async with repository.transaction():
        await repository.update_show_fields(show.id, {"episode_count": 5}, by_admin=True)
        await repository.connection.execute(
            "INSERT INTO show_titles (show_id, title, kind, created_at) VALUES (?, 'OST1', 'alias', '2024-01-01')",
            (show.id,),
        )

    upgraded = tiny_seed("v2")
    record = upgraded["shows"][0]
    record["episode_count"] = 6  # the admin's 5 must win
    record["rating"] = 9.0  # not edited by hand: the new seed wins
    record["credits"][0]["character"] = "Eun Soo"
    upgraded["shows"].append({"key": "kd:3", "title": "Hotel del Luna", "credits": []})
    report = await repository.load_seed(upgraded)
    assert (report.shows_added, report.shows_updated, report.shows_unchanged) == (1, 1, 1)

    after = await repository.get_show(show.id)
    assert after is not None
    assert after.episode_count == 5
    assert after.rating == 9.0
    assert after.aliases == ("OST1",)
    assert "episode_count" in after.edited_fields
    cast = [c for c in await repository.credits_of_show(show.id) if c.kind is CreditKind.CAST]
    assert [c.character for c in cast] == ["Eun Soo"]


async def test_a_failed_transaction_writes_nothing(repository: Repository) -> None:
    await repository.load_seed(tiny_seed())
    show = (await repository.all_shows())[0]
    with pytest.raises(RuntimeError):
        async with repository.transaction():
            await repository.update_show_fields(show.id, {"title": "Renamed"}, by_admin=True)
            raise RuntimeError("boom")
    after = await repository.get_show(show.id)
    assert after is not None and after.title == show.title and not after.edited_fields


async def test_a_broken_seed_rolls_back_whole(repository: Repository) -> None:
    broken = copy.deepcopy(tiny_seed())
    broken["shows"][1]["credits"] = [{"person": "p:nobody", "kind": "cast"}]
    with pytest.raises(KeyError):
        await repository.load_seed(broken)
    assert await repository.all_shows() == []
    assert await repository.get_meta("seed_version") is None


@asynccontextmanager
async def an_edit_that_fails_late(repository: Repository, show_id: int) -> AsyncIterator[None]:
    """Keep another task's transaction open (a rename and a follow written) during the block, then roll it back."""
    inside, release = asyncio.Event(), asyncio.Event()

    async def failing_edit() -> None:
        async with repository.transaction():
            await repository.update_show_fields(show_id, {"title": "Renamed"}, by_admin=True)
            await repository.follow_show(1, show_id)
            inside.set()
            await release.wait()
            raise RuntimeError("the admin's edit fails late")

    edit = asyncio.create_task(failing_edit())
    await inside.wait()
    yield
    await asyncio.sleep(0.05)
    release.set()
    with pytest.raises(RuntimeError):
        await edit


async def test_another_tasks_write_survives_a_rolled_back_transaction(repository: Repository) -> None:
    await repository.load_seed(tiny_seed())
    show = (await repository.all_shows())[0]
    async with an_edit_that_fails_late(repository, show.id):
        # The announcer, on the same connection, writes while the edit's transaction is open.
        write = asyncio.create_task(repository.set_meta("announcer", "sent"))
    await write
    assert await repository.get_meta("announcer") == "sent"
    after = await repository.get_show(show.id)
    assert after is not None and after.title == show.title


async def test_a_read_does_not_see_another_tasks_uncommitted_write(repository: Repository) -> None:
    await repository.load_seed(tiny_seed())
    show = (await repository.all_shows())[0]
    async with an_edit_that_fails_late(repository, show.id):
        # A /drama card and the announcer read on the same connection while the edit's transaction is open.
        reads = asyncio.gather(repository.get_show(show.id), repository.all_shows(), repository.followed_shows(1))
    seen, everything, followed = await reads
    assert seen is not None and seen.title == show.title and not seen.edited_fields
    assert [s.title for s in everything] == ["Soundtrack #1", "Vincenzo"]
    assert followed == []


async def test_a_transaction_reads_its_own_writes(repository: Repository) -> None:
    await repository.load_seed(tiny_seed())
    show = (await repository.all_shows())[0]
    async with repository.transaction():
        await repository.update_show_fields(show.id, {"title": "Renamed"}, by_admin=True)
        inside = await repository.get_show(show.id)
    assert inside is not None and inside.title == "Renamed"


async def test_when_sqlite_rolled_back_by_itself_its_error_surfaces(repository: Repository) -> None:
    await repository.set_meta("greeting", "hello")
    with pytest.raises(sqlite3.IntegrityError):
        async with repository.transaction():
            await repository.set_meta("during", "the failed transaction")
            # ON CONFLICT ROLLBACK ends the transaction inside SQLite before the error reaches us.
            await repository.connection.execute("INSERT OR ROLLBACK INTO meta (key, value) VALUES ('greeting', 'x')")
    assert await repository.get_meta("during") is None
    await repository.set_meta("after", "still usable")
    assert await repository.get_meta("after") == "still usable"


async def test_a_person_is_read_with_their_own_other_names(repository: Repository) -> None:
    await repository.load_seed(tiny_seed())
    people = {p.name: p for p in await repository.all_people()}
    han, kim = people["Han So Hee"], people["Kim Hee Won"]
    await repository.add_person_names(kim.id, ["Kim Hui-won"])
    assert await repository.get_person(han.id) == han
    found = await repository.get_person(kim.id)
    assert found is not None and (found.name, found.alt_names) == ("Kim Hee Won", ("Kim Hui-won",))
    assert await repository.get_person(kim.id + han.id + 1) is None
