"""Open the catalog database and bring its schema up to date with numbered migrations that keep data."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from pathlib import Path

import aiosqlite

from bot.errors import ConfigError

log = logging.getLogger(__name__)

# Each entry upgrades the schema from version N to N+1 (`PRAGMA user_version`). Never edit a released
# migration: append a new one, so that every existing database reaches the same schema with its rows intact.
MIGRATIONS: tuple[str, ...] = (
    # 1: the catalog: shows, their other titles, people, credits, episodes.
    """
    CREATE TABLE shows (
        id              INTEGER PRIMARY KEY,
        seed_key        TEXT UNIQUE,
        guild_id        INTEGER,
        title           TEXT NOT NULL,
        hangul_title    TEXT,
        kind            TEXT NOT NULL DEFAULT 'drama',
        country         TEXT NOT NULL DEFAULT 'KR',
        networks        TEXT NOT NULL DEFAULT '[]',
        premiere        TEXT,
        finale          TEXT,
        episode_count   INTEGER,
        episode_minutes INTEGER,
        air_days        TEXT NOT NULL DEFAULT '',
        air_time        TEXT,
        timezone        TEXT NOT NULL DEFAULT 'Asia/Seoul',
        status          TEXT,
        genres          TEXT NOT NULL DEFAULT '[]',
        rating          REAL,
        content_rating  TEXT,
        synopsis        TEXT,
        poster_url      TEXT,
        tmdb_id         INTEGER,
        tvmaze_id       INTEGER,
        popularity_rank INTEGER,
        edited_fields   TEXT NOT NULL DEFAULT '[]',
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        deleted_at      TEXT
    );
    CREATE INDEX shows_by_guild ON shows (guild_id);
    CREATE INDEX shows_by_tmdb ON shows (tmdb_id) WHERE tmdb_id IS NOT NULL;
    CREATE INDEX shows_by_tvmaze ON shows (tvmaze_id) WHERE tvmaze_id IS NOT NULL;

    CREATE TABLE show_titles (
        show_id    INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
        title      TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('alt', 'alias')),
        created_at TEXT NOT NULL,
        PRIMARY KEY (show_id, title)
    );

    CREATE TABLE people (
        id          INTEGER PRIMARY KEY,
        seed_key    TEXT UNIQUE,
        name        TEXT NOT NULL,
        hangul_name TEXT,
        tmdb_id     INTEGER,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );

    CREATE TABLE person_names (
        person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
        name      TEXT NOT NULL,
        PRIMARY KEY (person_id, name)
    );

    CREATE TABLE credits (
        id             INTEGER PRIMARY KEY,
        show_id        INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
        person_id      INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
        kind           TEXT NOT NULL CHECK (kind IN ('cast', 'director', 'writer')),
        character      TEXT NOT NULL DEFAULT '',
        character_note TEXT,
        role           TEXT CHECK (role IN ('main', 'support', 'guest')),
        billing        INTEGER NOT NULL DEFAULT 0,
        source         TEXT NOT NULL DEFAULT 'seed',
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        UNIQUE (show_id, person_id, kind, character)
    );
    CREATE INDEX credits_by_person ON credits (person_id);

    CREATE TABLE episodes (
        show_id    INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
        number     INTEGER NOT NULL CHECK (number > 0),
        air_at     TEXT NOT NULL,
        title      TEXT,
        source     TEXT NOT NULL DEFAULT 'admin',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (show_id, number)
    );
    CREATE INDEX episodes_by_time ON episodes (air_at);

    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 2: who changed what: the audit trail every catalog write appends to.
    """
    CREATE TABLE audit_log (
        id         INTEGER PRIMARY KEY,
        at         TEXT NOT NULL,
        guild_id   INTEGER,
        user_id    INTEGER,
        action     TEXT NOT NULL,
        show_id    INTEGER,
        person_id  INTEGER,
        old_values TEXT,
        new_values TEXT
    );
    CREATE INDEX audit_by_guild ON audit_log (guild_id, at);
    """,
    # 3: catalog freshness: which record of which source each show was merged from (and the version of it
    # last merged, so an unchanged record is not fetched again), and the sources' answers kept for
    # conditional requests (ETag / Last-Modified), bodies zlib-compressed, URLs with secrets redacted.
    """
    CREATE TABLE show_sources (
        source      TEXT NOT NULL,
        external_id TEXT NOT NULL,
        show_id     INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
        stamp       TEXT,
        synced_at   TEXT NOT NULL,
        PRIMARY KEY (source, external_id)
    );
    CREATE INDEX show_sources_by_show ON show_sources (show_id);

    CREATE TABLE http_cache (
        url           TEXT PRIMARY KEY,
        etag          TEXT,
        last_modified TEXT,
        body          BLOB NOT NULL,
        stored_at     TEXT NOT NULL,
        used_at       TEXT NOT NULL
    );
    """,
    # 4: announcements: each server's settings, the shows it follows, and the outbox. An outbox row is one
    # (server, show, episode, kind) announcement, created when it falls due and then claimed, sent or skipped,
    # so that a restart neither drops nor repeats it.
    """
    CREATE TABLE announce_settings (
        guild_id      INTEGER PRIMARY KEY,
        channel_id    INTEGER,
        role_id       INTEGER,
        mode          TEXT NOT NULL DEFAULT 'episodes' CHECK (mode IN ('premieres', 'episodes', 'followed')),
        enabled       INTEGER NOT NULL DEFAULT 0,
        since         TEXT NOT NULL,
        paused_reason TEXT,
        paused_at     TEXT,
        last_error    TEXT,
        last_error_at TEXT,
        updated_at    TEXT NOT NULL
    );

    CREATE TABLE announce_follows (
        guild_id   INTEGER NOT NULL,
        show_id    INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        PRIMARY KEY (guild_id, show_id)
    );

    CREATE TABLE announce_outbox (
        id              INTEGER PRIMARY KEY,
        guild_id        INTEGER NOT NULL,
        show_id         INTEGER NOT NULL,
        episode         INTEGER NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('premiere', 'episode')),
        due_at          TEXT NOT NULL,
        air_at          TEXT NOT NULL,
        time_known      INTEGER NOT NULL DEFAULT 1,
        channel_id      INTEGER NOT NULL,
        state           TEXT NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'claimed', 'sent', 'skipped', 'failed')),
        nonce           TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        claimed_at      TEXT,
        sent_at         TEXT,
        message_id      INTEGER,
        error           TEXT,
        created_at      TEXT NOT NULL,
        UNIQUE (guild_id, show_id, episode, kind)
    );
    CREATE INDEX announce_outbox_due ON announce_outbox (state, due_at);
    CREATE INDEX announce_outbox_by_guild ON announce_outbox (guild_id, state);
    """,
    # 5: trivia: each game (one still without ended_at when the bot starts was cut short by a crash), and each
    # player's result per game, stamped so that leaderboards can sum a month or a week.
    """
    CREATE TABLE trivia_games (
        id         INTEGER PRIMARY KEY,
        guild_id   INTEGER NOT NULL,
        channel_id INTEGER NOT NULL,
        starter_id INTEGER NOT NULL,
        rounds     INTEGER NOT NULL,
        seconds    INTEGER NOT NULL,
        difficulty TEXT NOT NULL,
        show_id    INTEGER,
        started_at TEXT NOT NULL,
        ended_at   TEXT,
        end_reason TEXT
    );
    CREATE INDEX trivia_games_running ON trivia_games (ended_at) WHERE ended_at IS NULL;

    CREATE TABLE trivia_scores (
        game_id   INTEGER NOT NULL REFERENCES trivia_games (id) ON DELETE CASCADE,
        guild_id  INTEGER NOT NULL,
        user_id   INTEGER NOT NULL,
        points    INTEGER NOT NULL,
        correct   INTEGER NOT NULL,
        answered  INTEGER NOT NULL,
        scored_at TEXT NOT NULL,
        PRIMARY KEY (game_id, user_id)
    );
    CREATE INDEX trivia_scores_by_guild ON trivia_scores (guild_id, scored_at);
    """,
    # 6: announcements that survive crashes, outages and pauses. A row may be `held` (due while its server was
    # paused). `unsure` marks a row whose last attempt may have posted (a crash, a timeout): before any re-send it
    # is looked up in `channel_id` among the messages since `attempt_at` (when that attempt began). SQLite cannot
    # change a CHECK, so the table is rebuilt with every row kept; rows tried before are unsure, looked up first.
    """
    CREATE TABLE announce_outbox_v6 (
        id               INTEGER PRIMARY KEY,
        guild_id         INTEGER NOT NULL,
        show_id          INTEGER NOT NULL,
        episode          INTEGER NOT NULL,
        kind             TEXT NOT NULL CHECK (kind IN ('premiere', 'episode')),
        due_at           TEXT NOT NULL,
        air_at           TEXT NOT NULL,
        time_known       INTEGER NOT NULL DEFAULT 1,
        channel_id       INTEGER NOT NULL,
        state            TEXT NOT NULL DEFAULT 'pending'
                         CHECK (state IN ('pending', 'claimed', 'held', 'sent', 'skipped', 'failed')),
        nonce            TEXT NOT NULL,
        attempts         INTEGER NOT NULL DEFAULT 0,
        unsure           INTEGER NOT NULL DEFAULT 0,
        attempt_at       TEXT,
        next_attempt_at  TEXT,
        claimed_at       TEXT,
        sent_at          TEXT,
        message_id       INTEGER,
        error            TEXT,
        created_at       TEXT NOT NULL,
        UNIQUE (guild_id, show_id, episode, kind)
    );
    INSERT INTO announce_outbox_v6 (id, guild_id, show_id, episode, kind, due_at, air_at, time_known, channel_id,
        state, nonce, attempts, unsure, attempt_at, next_attempt_at, claimed_at, sent_at, message_id, error,
        created_at)
    SELECT id, guild_id, show_id, episode, kind, due_at, air_at, time_known, channel_id, state, nonce, attempts,
        CASE WHEN state IN ('pending', 'claimed') AND attempts > 0 THEN 1 ELSE 0 END,
        CASE WHEN attempts > 0 THEN IFNULL(claimed_at, created_at) END, next_attempt_at, claimed_at, sent_at,
        message_id, error, created_at
    FROM announce_outbox;
    DROP TABLE announce_outbox;
    ALTER TABLE announce_outbox_v6 RENAME TO announce_outbox;
    CREATE INDEX announce_outbox_due ON announce_outbox (state, due_at);
    CREATE INDEX announce_outbox_by_guild ON announce_outbox (guild_id, state);
    """,
    # 7: personal lists and reminder DMs. `list_entries` holds each user's shows (a server's own show carries the
    # server, so it is shown only there); `list_owners` their sharing and reminder settings; `list_servers` where
    # each used /list (whose members /list top counts). Reminders ride in the announcement outbox: a row with a
    # `user_id` is a DM to that user (guild_id 0, channel_id the user's id, the DM opened when sent), one per
    # (user, show, episode). The outbox is rebuilt with every row kept, to widen its unique key.
    """
    CREATE TABLE list_entries (
        user_id    INTEGER NOT NULL,
        show_id    INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
        guild_id   INTEGER,
        status     TEXT NOT NULL
                   CHECK (status IN ('watching', 'completed', 'plan_to_watch', 'on_hold', 'dropped')),
        episode    INTEGER NOT NULL DEFAULT 0 CHECK (episode >= 0),
        score      INTEGER CHECK (score BETWEEN 1 AND 10),
        added_at   TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (user_id, show_id)
    );
    CREATE INDEX list_entries_by_show ON list_entries (show_id);

    CREATE TABLE list_owners (
        user_id         INTEGER PRIMARY KEY,
        shared          INTEGER NOT NULL DEFAULT 0,
        reminders       INTEGER NOT NULL DEFAULT 0,
        reminders_since TEXT,
        paused_reason   TEXT,
        paused_at       TEXT,
        pause_told      INTEGER NOT NULL DEFAULT 1,
        updated_at      TEXT NOT NULL
    );

    CREATE TABLE list_servers (
        guild_id INTEGER NOT NULL,
        user_id  INTEGER NOT NULL,
        PRIMARY KEY (guild_id, user_id)
    );
    CREATE INDEX list_servers_by_user ON list_servers (user_id);

    CREATE TABLE announce_outbox_v7 (
        id               INTEGER PRIMARY KEY,
        guild_id         INTEGER NOT NULL,
        user_id          INTEGER NOT NULL DEFAULT 0,
        show_id          INTEGER NOT NULL,
        episode          INTEGER NOT NULL,
        kind             TEXT NOT NULL CHECK (kind IN ('premiere', 'episode')),
        due_at           TEXT NOT NULL,
        air_at           TEXT NOT NULL,
        time_known       INTEGER NOT NULL DEFAULT 1,
        channel_id       INTEGER NOT NULL,
        state            TEXT NOT NULL DEFAULT 'pending'
                         CHECK (state IN ('pending', 'claimed', 'held', 'sent', 'skipped', 'failed')),
        nonce            TEXT NOT NULL,
        attempts         INTEGER NOT NULL DEFAULT 0,
        unsure           INTEGER NOT NULL DEFAULT 0,
        attempt_at       TEXT,
        next_attempt_at  TEXT,
        claimed_at       TEXT,
        sent_at          TEXT,
        message_id       INTEGER,
        error            TEXT,
        created_at       TEXT NOT NULL,
        UNIQUE (guild_id, user_id, show_id, episode, kind)
    );
    INSERT INTO announce_outbox_v7 (id, guild_id, user_id, show_id, episode, kind, due_at, air_at, time_known,
        channel_id, state, nonce, attempts, unsure, attempt_at, next_attempt_at, claimed_at, sent_at, message_id,
        error, created_at)
    SELECT id, guild_id, 0, show_id, episode, kind, due_at, air_at, time_known, channel_id, state, nonce, attempts,
        unsure, attempt_at, next_attempt_at, claimed_at, sent_at, message_id, error, created_at
    FROM announce_outbox;
    DROP TABLE announce_outbox;
    ALTER TABLE announce_outbox_v7 RENAME TO announce_outbox;
    CREATE INDEX announce_outbox_due ON announce_outbox (state, due_at);
    CREATE INDEX announce_outbox_by_guild ON announce_outbox (guild_id, state);
    CREATE INDEX announce_outbox_by_user ON announce_outbox (user_id, state) WHERE user_id != 0;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


# Commits are synced to disk at checkpoints only (WAL + NORMAL): a power loss may undo the last few, which is
# fine for a catalog that is re-synced. The announcement outbox cannot afford that (an undone "sent" re-posts,
# an undone claim loses track of a post in flight), so its claims and marks commit with DURABLE_SYNCHRONOUS.
SYNCHRONOUS = "NORMAL"
DURABLE_SYNCHRONOUS = "FULL"
BUSY_TIMEOUT_MS = 5000


async def connect(path: Path | str) -> aiosqlite.Connection:
    """Open the database at `path` (created if missing) with WAL, foreign keys and a busy timeout."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = await aiosqlite.connect(path, isolation_level=None)
    try:
        # The busy timeout first: switching a new file to WAL takes a lock another process may be holding.
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await _use_wal(connection)
        await connection.execute("PRAGMA foreign_keys = ON")
        await connection.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
    except BaseException as error:
        await connection.close()
        if is_damaged(error):
            raise damaged(path, error) from error
        raise
    return connection


async def _use_wal(connection: aiosqlite.Connection) -> None:
    """Switch the file to WAL, waiting up to the busy timeout for other processes to let go of it.

    SQLite skips the busy handler when waiting could deadlock (this connection holds a read lock it must raise
    while another holds a write lock), so a process opening a new file as another migrates it gets "database is
    locked" at once. The switch is retried here instead, with the same patience as every other statement.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            await connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error) or time.monotonic() + pause > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.1)


def is_busy(error: sqlite3.OperationalError) -> bool:
    """Tell whether SQLite failed because another connection holds a lock (SQLITE_BUSY or one of its kinds)."""
    return getattr(error, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY


def is_damaged(error: BaseException) -> bool:
    """Tell whether SQLite failed because the file is not a database or is corrupt (not locked, not a bug)."""
    return type(error) is sqlite3.DatabaseError  # its subclasses (OperationalError, IntegrityError...) are not


def damaged(path: Path | str, error: BaseException) -> ConfigError:
    """The one-sentence error for a database file SQLite cannot read."""
    return ConfigError(
        f"{path} is not a readable Dramabot database ({error}); restore it from a backup or set DATABASE_PATH "
        "to another file."
    )


async def schema_version(connection: aiosqlite.Connection) -> int:
    async with connection.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(connection: aiosqlite.Connection, *, target: int = SCHEMA_VERSION) -> int:
    """Apply the migrations after the database's version up to `target`; return the new version.

    Each migration runs in its own transaction together with its version bump, so a failure leaves the
    database at the last complete version. The version is read again inside that transaction: another process
    migrating the same file at the same time has either done the step already (it is skipped) or waits.
    """
    version = await schema_version(connection)
    _check_not_newer(version)
    for number in range(version + 1, target + 1):
        script = MIGRATIONS[number - 1]
        # executescript would COMMIT first; wrap statements ourselves so the step is atomic.
        await connection.execute("BEGIN IMMEDIATE")
        try:
            current = await schema_version(connection)
            _check_not_newer(current)
            if current >= number:  # another process got there first
                await connection.execute("COMMIT")
                continue
            for statement in _statements(script):
                await connection.execute(statement)
            await connection.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            if connection.in_transaction:  # SQLite may have rolled back by itself; keep the error that matters
                await connection.execute("ROLLBACK")
            raise
        await connection.execute("COMMIT")
        log.info("database migrated to schema version %d", number)
    return max(await schema_version(connection), target)


def _check_not_newer(version: int) -> None:
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"The database is at schema version {version}, newer than this Dramabot ({SCHEMA_VERSION}); "
            "upgrade Dramabot."
        )


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (the scripts hold no semicolons inside literals)."""
    return [part.strip() for part in script.split(";") if part.strip()]
