"""What a power loss, a second process or two first starts at once could do to the outbox, tried for real.

- Power loss: a commit SQLite did not sync may be undone, and an undone "sent" is posted again. The test watches
  the real system calls (strace) of a child process that claims and marks announcements, and counts the syncs.
- One owner: a second lease on the same database is refused, by whatever process asks, until the first ends.
- Migrations: several processes create the schema of one new file at the same moment; each must succeed.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from bot import db
from bot.lease import DatabaseInUse, hold_database

ROOT = Path(__file__).resolve().parents[1]

CLAIM_AND_MARK = textwrap.dedent(
    """
    import asyncio, datetime as dt, sys
    from bot import db
    from bot.models import Due, GuildAnnounceSettings
    from bot.store import Repository

    async def main(path, count):
        connection = await db.connect(path)
        await db.migrate(connection)
        repository = Repository(connection)
        now = dt.datetime.now(dt.UTC)
        await repository.save_announce_settings(
            GuildAnnounceSettings(guild_id=1, since=now, channel_id=10, enabled=True))
        due = [Due(guild_id=1, show_id=1, episode=n, kind="episode", due_at=now, air_at=now, time_known=True,
                   channel_id=10) for n in range(1, count + 1)]
        await repository.add_to_outbox([(d, "pending") for d in due], planned_until=now)
        print("READY", flush=True)
        sys.stdin.readline()  # the parent starts counting here
        for n in range(count):
            (item,) = await repository.claim_due(now, limit=1)
            await repository.mark_sent(item.id, 5000 + n, now)
        await repository.close()

    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
    """
)


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace to watch the system calls")
def test_each_claim_and_each_mark_sent_is_synced_to_disk_before_it_returns(tmp_path: Path) -> None:
    count = 20
    trace = tmp_path / "trace.txt"
    child = subprocess.Popen(
        [sys.executable, "-c", CLAIM_AND_MARK, str(tmp_path / "outbox.sqlite3"), str(count)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        text=True,
    )  # fmt: skip
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline().strip() == "READY"
    tracer = subprocess.Popen(["strace", "-f", "-e", "trace=fsync,fdatasync", "-o", str(trace), "-p", str(child.pid)])
    try:
        for _ in range(100):  # strace says nothing when attached; wait until its output file exists
            if trace.exists():
                break
            subprocess.run(["sleep", "0.05"], check=True)
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.wait(timeout=60) == 0
    finally:
        tracer.wait(timeout=10)
    syncs = [line for line in trace.read_text().splitlines() if re.search(r"\b(fsync|fdatasync)\(", line)]
    # With synchronous=NORMAL a WAL commit is not synced at all (only checkpoints are): a power loss undoes it.
    assert len(syncs) >= 2 * count, f"{len(syncs)} syncs for {count} claims and {count} marks"


def test_one_lease_per_database_until_its_holder_lets_go(tmp_path: Path) -> None:
    path = tmp_path / "dramabot.sqlite3"
    lease = hold_database(path)
    assert lease is not None
    with pytest.raises(DatabaseInUse) as refused:
        hold_database(tmp_path / "." / "dramabot.sqlite3")  # the same file by another name
    assert str(refused.value) == (
        f"{path} is already used by a running Dramabot (process {os.getpid()}); stop that one first, or set "
        "DATABASE_PATH to another database."
    )
    other = hold_database(tmp_path / "other.sqlite3")  # another database is free
    assert other is not None
    lease.release()
    again = hold_database(path)
    assert again is not None
    again.release()
    other.release()


MIGRATE = textwrap.dedent(
    """
    import asyncio, sys
    from bot import db

    async def main(path):
        connection = await db.connect(path)
        try:
            print(await db.migrate(connection))
        finally:
            await connection.close()

    asyncio.run(main(sys.argv[1]))
    """
)


def test_processes_migrating_one_new_database_at_once_all_succeed(tmp_path: Path) -> None:
    from bot.db import SCHEMA_VERSION

    for attempt in range(3):
        path = tmp_path / f"new-{attempt}.sqlite3"
        children = [
            subprocess.Popen(
                [sys.executable, "-c", MIGRATE, str(path)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                text=True,
            )
            for _ in range(5)
        ]
        results = [child.communicate(timeout=60) for child in children]
        failures = [
            err.strip().splitlines()[-1] for (_, err), child in zip(results, children, strict=True) if child.returncode
        ]
        assert failures == []
        assert {out.strip() for out, _ in results} == {str(SCHEMA_VERSION)}


async def test_opening_a_file_another_connection_is_writing_waits_for_it_instead_of_failing(tmp_path: Path) -> None:
    # SQLite skips its busy handler for this case (a write lock held on a file not yet in WAL): the failure the
    # five processes above hit now and then on a loaded machine, made certain here.
    path = tmp_path / "busy.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE held (x)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO held VALUES (1)")
    threading.Timer(0.3, writer.execute, ["COMMIT"]).start()
    started = time.monotonic()
    connection = await db.connect(path)
    try:
        async with connection.execute("PRAGMA journal_mode") as cursor:
            assert await cursor.fetchone() == ("wal",)
        assert time.monotonic() - started >= 0.25
        assert await db.migrate(connection) == db.SCHEMA_VERSION
    finally:
        await connection.close()
        writer.close()
