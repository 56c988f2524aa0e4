"""Personal lists without Discord: the rules of an entry, files in and out (all or nothing), the store (favourites,
forgetting, the pause notice told once), the migration that keeps every outbox row, reminder planning, and the
two /ask questions about the asker."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import db
from bot.announce.plan import Airing, kind_of
from bot.ask import answer
from bot.ask.personal import Asker
from bot.catalog import Catalog
from bot.errors import InvalidInput
from bot.lists.entries import added, parse_status, progressed
from bot.lists.files import ListImportRejected, export_list, read_list_file, resolve_rows
from bot.lists.reminders import plan_reminders
from bot.models import ListEntry, ListOwner, Show, WatchStatus
from bot.store import Repository

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
async def repository(tmp_path: Path) -> AsyncIterator[Repository]:
    connection = await db.connect(tmp_path / "lists.sqlite3")
    await db.migrate(connection)
    await connection.execute("INSERT INTO shows (id, title, created_at, updated_at) VALUES (1, 'A', '', ''), "
                             "(2, 'B', '', ''), (3, 'C', '', '')")  # fmt: skip
    repository = Repository(connection)
    try:
        yield repository
    finally:
        await repository.close()


def find(catalog: Catalog, title: str) -> Show:
    return catalog.find_show(title).best


# -- entries -----------------------------------------------------------------------------------------------------


def test_adding_and_progress_follow_the_show() -> None:
    show = Show(id=1, title="Goblin", episode_count=16)
    entry = added(None, user_id=7, show=show, status=WatchStatus.COMPLETED, episode=None, score=9)
    assert (entry.status, entry.episode, entry.score) == (WatchStatus.COMPLETED, 16, 9)
    planned = added(None, user_id=7, show=show, status=None, episode=None, score=None)
    assert planned.status is WatchStatus.PLAN_TO_WATCH and planned.episode == 0
    started = progressed(planned, show, 3)
    assert started.entry.status is WatchStatus.WATCHING and not started.offer_completion
    last = progressed(started.entry, show, 16)
    assert last.offer_completion and last.entry.status is WatchStatus.WATCHING
    for bad in (lambda: progressed(planned, show, 17), lambda: added(None, user_id=7, show=show, status=None,
                                                                     episode=None, score=0)):  # fmt: skip
        with pytest.raises(InvalidInput):
            bad()
    assert parse_status("Plan to Watch") is WatchStatus.PLAN_TO_WATCH
    with pytest.raises(InvalidInput, match="is not a list status"):
        parse_status("binged")


# -- files -------------------------------------------------------------------------------------------------------


def test_an_export_imports_back_whole_and_a_bad_line_imports_nothing(seeded_catalog: Catalog) -> None:
    goblin, signal = find(seeded_catalog, "Goblin"), find(seeded_catalog, "Signal")
    entries = [
        (ListEntry(1, goblin.id, WatchStatus.COMPLETED, 16, 9), goblin),
        (ListEntry(1, signal.id, WatchStatus.WATCHING, 3), signal),
    ]
    for kind in ("csv", "json"):
        data = export_list(entries, kind)
        back = resolve_rows(read_list_file(data, f"list.{kind}"), seeded_catalog, user_id=2, guild_id=None)
        assert [(e.user_id, e.show_id, e.status, e.episode, e.score) for e in back] == [
            (2, goblin.id, WatchStatus.COMPLETED, 16, 9),
            (2, signal.id, WatchStatus.WATCHING, 3, None),
        ]
    document = json.loads(export_list(entries, "json"))
    document["entries"].append({"title": "Signal", "status": "watching", "episode": 99})
    document["entries"].append({"title": "Goblin", "status": "sleeping"})
    with pytest.raises(ListImportRejected) as rejected:
        resolve_rows(read_list_file(json.dumps(document, indent=1).encode(), "x.json"), seeded_catalog,
                     user_id=2, guild_id=None)  # fmt: skip
    lines = [p.line for p in rejected.value.problems]
    assert len(lines) == 2 and lines == sorted(lines) and lines[0] > 2
    assert "Signal has 16 episodes" in rejected.value.message and "is not a list status" in rejected.value.message
    with pytest.raises(InvalidInput, match="header line"):
        read_list_file(b"name,score\nGoblin,9\n", "x.csv")
    with pytest.raises(InvalidInput, match="not UTF-8"):
        read_list_file(b"\xff\xfe", "x.csv")


# -- the store ---------------------------------------------------------------------------------------------------


async def test_server_favourites_count_only_sharing_members_with_three_scores(repository: Repository) -> None:
    for user, scores in ((10, (9, 8, 7)), (11, (7, 8, None)), (12, (8, None, None)), (13, (1, 1, 1))):
        await repository.save_list_entries(
            [ListEntry(user, show, WatchStatus.COMPLETED, score=s) for show, s in zip((1, 2, 3), scores, strict=True)]
        )
        await repository.note_list_server(500 if user != 13 else 501, user)
        await repository.save_list_owner(ListOwner(user, shared=user != 12))
    assert await repository.server_favourites(500) == []  # show 1 has two sharing scores here (user 12 keeps private)
    await repository.save_list_owner(ListOwner(12, shared=True))
    top = await repository.server_favourites(500)
    assert [(f.show_id, round(f.average, 2), f.scores) for f in top] == [(1, 8.0, 3)]


async def test_the_pause_notice_is_taken_once(repository: Repository) -> None:
    await repository.save_list_owner(ListOwner(10, reminders=True, reminders_since=NOW))
    assert await repository.take_pause_notice(10) is None
    await repository.pause_reminders(10, "closed DMs", NOW)
    assert (await repository.list_owner(10)).paused_reason == "closed DMs"
    assert await repository.take_pause_notice(10) == "closed DMs"
    assert await repository.take_pause_notice(10) is None


async def test_forgetting_leaves_no_row_and_others_keep_theirs(repository: Repository, tmp_path: Path) -> None:
    for user in (10, 11):
        await repository.save_list_entries([ListEntry(user, 1, WatchStatus.WATCHING, 2, 7)])
        await repository.save_list_owner(ListOwner(user, shared=True, reminders=True, reminders_since=NOW))
        await repository.note_list_server(500, user)
    game = await repository.start_trivia_game(guild_id=500, channel_id=1, starter_id=10, rounds=3, seconds=10,
                                              difficulty="easy", show_id=None)  # fmt: skip
    await repository.connection.execute(
        "INSERT INTO trivia_scores VALUES (?, 500, 10, 100, 1, 1, ''), (?, 500, 11, 50, 1, 1, '')", (game, game)
    )
    assert await repository.forget_user(10) > 0
    left = {
        table: (await (await repository.connection.execute(
            f"SELECT COUNT(*) FROM {table} WHERE {column} = 10")).fetchone())[0]  # type: ignore[index]
        for table, column in (("list_entries", "user_id"), ("list_owners", "user_id"), ("list_servers", "user_id"),
                              ("trivia_scores", "user_id"), ("trivia_games", "starter_id"))
    }  # fmt: skip
    assert set(left.values()) == {0}
    assert len(await repository.list_entries(11)) == 1 and (await repository.list_owner(11)).shared


async def test_the_migration_keeps_every_outbox_row(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    connection = await db.connect(path)
    await db.migrate(connection, target=6)
    await connection.execute(
        "INSERT INTO announce_outbox (guild_id, show_id, episode, kind, due_at, air_at, channel_id, state, nonce,"
        " attempts, unsure, created_at) VALUES (5, 1, 2, 'episode', 'd', 'a', 9, 'claimed', 'n', 1, 1, 'c')"
    )
    await db.migrate(connection)
    await connection.close()
    with sqlite3.connect(path) as raw:
        row = raw.execute("SELECT guild_id, user_id, show_id, state, nonce, attempts, unsure FROM announce_outbox")
        assert row.fetchall() == [(5, 0, 1, "claimed", "n", 1, 1)]


# -- reminders and /ask ------------------------------------------------------------------------------------------


def test_reminders_are_planned_for_watching_and_planned_shows_since_they_were_turned_on() -> None:
    def airing(show_id: int, episode: int, at: dt.datetime) -> Airing:
        return Airing(show_id, None, episode, 16, kind_of(episode), at, at, True, at.date())

    airings = [airing(1, 1, NOW), airing(1, 2, NOW + dt.timedelta(days=7)), airing(2, 5, NOW)]
    subscriptions = [
        (ListOwner(10, reminders=True, reminders_since=NOW + dt.timedelta(days=1)), frozenset({1, 2})),
        (ListOwner(11, reminders=True, reminders_since=NOW - dt.timedelta(days=1), paused_reason="x"), frozenset({2})),
        (ListOwner(12, reminders=False), frozenset({1})),
    ]
    planned = plan_reminders(subscriptions, airings)
    assert [(d.user_id, d.show_id, d.episode, d.guild_id, d.channel_id) for d, _ in planned] == [
        (10, 1, 2, 0, 10),
        (11, 2, 5, 0, 11),
    ]
    assert len({d.nonce for d, _ in planned}) == 2 and all(d.nonce.startswith("r") for d, _ in planned)


def test_ask_answers_what_to_watch_and_what_i_am_watching(seeded_catalog: Catalog) -> None:
    goblin, signal = find(seeded_catalog, "Goblin"), find(seeded_catalog, "Signal")
    after = answer("What should I watch after Goblin?", seeded_catalog, guild_id=None, now=NOW)
    assert after.found and after.intent == "recommend" and after.text.startswith("After Goblin (2016), try ")
    first_pick = after.show_ids[1]
    asker = Asker(7, (ListEntry(7, first_pick, WatchStatus.COMPLETED), ListEntry(7, signal.id, WatchStatus.WATCHING, 4),
                      ListEntry(7, goblin.id, WatchStatus.COMPLETED)))  # fmt: skip
    mine = answer("what should i watch after goblin", seeded_catalog, guild_id=None, now=NOW, asker=asker)
    assert first_pick not in mine.show_ids and len(mine.show_ids) == 4
    watching = answer("What am I watching?", seeded_catalog, guild_id=None, now=NOW, asker=asker)
    assert watching.found and watching.text == "You are watching Signal (2016), episode 4 of 16."
    nobody = answer("what am i watching", seeded_catalog, guild_id=None, now=NOW)
    assert not nobody.found
