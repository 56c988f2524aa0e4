"""The real `dramabot run`, as a process, against a fake Discord that forgets nonces fast and answers late.

Each test kills, stops or doubles the process and then asks what a server would see: every announcement in its
channel exactly once. The fake remembers a nonce for `NONCE_MEMORY` seconds (Discord: a few minutes) and answers
each message POST `ANSWER_DELAY` seconds after it created the message, so posts are in flight when the bot dies,
and a restart comes after Discord has forgotten them.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import shutil
import signal
import sqlite3
import sys
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from bot import db
from bot.models import AnnounceMode, Episode, GuildAnnounceSettings
from bot.sandbox import FakeDiscord
from bot.store import Repository

ROOT = Path(__file__).resolve().parents[2]
UTC = dt.UTC
NONCE_MEMORY = 0.5
ANSWER_DELAY = 0.3
TITLE = "Crash Course Romance"


@contextlib.asynccontextmanager
async def forgetful_discord() -> AsyncIterator[FakeDiscord]:
    """A fake Discord that forgets nonces after NONCE_MEMORY s and answers each post ANSWER_DELAY s after making
    it; checked for protocol violations when it stops."""
    fake = FakeDiscord(nonce_memory=NONCE_MEMORY, message_answer_delay=ANSWER_DELAY)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    assert fake.violations == [], fake.violations


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with forgetful_discord() as fake:
        yield fake


@pytest.fixture
def database(seeded_database: Path, tmp_path: Path) -> Path:
    return Path(shutil.copyfile(seeded_database, tmp_path / "dramabot.sqlite3"))


RUNNING: list[asyncio.subprocess.Process] = []


@pytest.fixture(autouse=True)
async def no_bot_left_running() -> AsyncIterator[None]:
    yield
    for process in RUNNING:
        if process.returncode is None:
            process.kill()
            await process.wait()
    RUNNING.clear()


class BotProcess:
    """`dramabot run` in a child process, its log in a file."""

    def __init__(self, fake: FakeDiscord, database: Path, log: Path) -> None:
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DISCORD_TOKEN": fake.token,
            "DISCORD_API_BASE": fake.api_base,
            "DATABASE_PATH": str(database),
            "LOG_LEVEL": "INFO",
        }
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> asyncio.subprocess.Process:
        with self.log.open("a") as log:
            log.write("---- start\n")
            log.flush()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", stdout=log, stderr=log, env=self.env, cwd=self.log.parent
            )
        RUNNING.append(self.process)
        return self.process

    async def signal(self, signum: int, within: float = 15.0) -> int:
        assert self.process is not None
        self.process.send_signal(signum)
        return await asyncio.wait_for(self.process.wait(), within)

    async def kill(self) -> None:
        """SIGKILL: no cleanup of any kind, as in a power cut or an OOM kill."""
        assert await self.signal(signal.SIGKILL) == -signal.SIGKILL

    def errors(self) -> list[str]:
        return [line for line in read_lines(self.log) if " ERROR " in line or "Traceback" in line]


async def prepare(database: Path, fake: FakeDiscord, episodes: Sequence[tuple[int, dt.datetime]]) -> int:
    """A show with these episodes, followed by both servers of the fake, announcing in #announcements."""
    connection = await db.connect(database)
    repository = Repository(connection)
    now = dt.datetime.now(UTC)
    try:
        show_id = await repository.add_show({"title": TITLE, "episode_count": 16})
        await repository.upsert_episodes(show_id, [Episode(show_id, n, at) for n, at in episodes], source="admin")
        for guild in (fake.guild, fake.other_guild):
            await repository.save_announce_settings(
                GuildAnnounceSettings(
                    guild_id=guild.id,
                    since=now - dt.timedelta(minutes=1),
                    mode=AnnounceMode.FOLLOWED,
                    channel_id=guild.channels["announcements"].id,
                    enabled=True,
                )
            )
            await repository.follow_show(guild.id, show_id)
        await repository.add_to_outbox([], planned_until=now)  # as if the bot had run until now
    finally:
        await connection.close()
    return show_id


def read_lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def resolved(path: Path) -> Path:
    return path.resolve()


def outbox_states(database: Path) -> Counter[str]:
    with sqlite3.connect(database) as raw:
        return Counter(state for (state,) in raw.execute("SELECT state FROM announce_outbox"))


def planned_until(database: Path) -> str:
    """How far the announcer has planned (an ISO time in UTC): it moves on with each of its steps."""
    with sqlite3.connect(database) as raw:
        row = raw.execute("SELECT value FROM meta WHERE key = 'announce_planned_until'").fetchone()
    return str(row[0]) if row else ""


def copies(fake: FakeDiscord, episodes: Sequence[int]) -> dict[tuple[int, int], int]:
    """How many times each (server, episode) announcement is in the server's channel, as its readers see it."""
    counted: dict[tuple[int, int], int] = {}
    for guild in (fake.guild, fake.other_guild):
        shown = [
            field["value"]
            for message in fake.messages(guild.channels["announcements"])
            if message.embed and message.embed["title"] == TITLE
            for field in message.embed.get("fields", [])
            if field["name"] == "Episode"
        ]
        for episode in episodes:
            counted[(guild.id, episode)] = shown.count(f"Episode {episode} of 16")
    return counted


async def wait_for(predicate: object, within: float, what: str, log: Path | None = None) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():  # type: ignore[operator]
        if loop.time() > deadline:
            tail = "\n".join(read_lines(log)[-30:]) if log else ""
            raise AssertionError(f"timed out after {within} s waiting for {what}\n{tail}")
        await asyncio.sleep(0.05)


def posts(fake: FakeDiscord) -> list[str]:
    return [r.method for r in fake.request_log if r.path.endswith("/messages")]


async def test_kill_9_with_posts_in_flight_then_a_restart_after_discord_forgot_the_nonces_posts_each_once(
    fake: FakeDiscord, database: Path, tmp_path: Path
) -> None:
    soon = dt.datetime.now(UTC) + dt.timedelta(seconds=0.3)
    # Episodes 2-4 fall due together as the bot starts; episode 5 falls due while the bot is down (on a slow
    # machine, already in the first run: then it is one more post in flight or claimed, counted as such below).
    episodes = [(2, soon), (3, soon), (4, soon), (5, soon + dt.timedelta(seconds=1.5))]
    await prepare(database, fake, episodes)
    bot = BotProcess(fake, database, tmp_path / "bot.log")
    await bot.start()
    # Each channel's worker posts one at a time: a post in flight in both channels, the rest claimed and queued.
    await wait_for(lambda: fake.answers_pending >= 2, 20, "a post in flight in each channel", bot.log)
    await bot.kill()
    posted_before = len(fake.messages())
    claimed = outbox_states(database)["claimed"]
    assert posted_before == 2 and claimed >= 6 and outbox_states(database)["sent"] == 0, "posted, never marked"

    await asyncio.sleep(NONCE_MEMORY + 0.5)  # down longer than Discord remembers the nonces
    fake.request_log.clear()
    await bot.start()
    await wait_for(lambda: outbox_states(database) == {"sent": 8}, 25, "every announcement marked sent", bot.log)
    await asyncio.sleep(ANSWER_DELAY + 0.3)  # room for a stray second copy to show up
    assert await bot.signal(signal.SIGTERM) == 0

    expected = {(g.id, n): 1 for g in (fake.guild, fake.other_guild) for n in (2, 3, 4, 5)}
    assert copies(fake, [2, 3, 4, 5]) == expected
    # Every row the dead process had claimed was looked up first; only what was not there was posted.
    assert Counter(posts(fake)) == {"GET": claimed, "POST": 8 - posted_before}, posts(fake)
    with sqlite3.connect(database) as raw:
        marked = {row[0] for row in raw.execute("SELECT message_id FROM announce_outbox")}
    assert marked == {m.id for m in fake.messages()}
    assert bot.errors() == []


async def test_sigterm_lets_posts_in_flight_finish_and_marks_them_before_the_database_closes(
    fake: FakeDiscord, database: Path, tmp_path: Path
) -> None:
    soon = dt.datetime.now(UTC) + dt.timedelta(seconds=0.3)
    await prepare(database, fake, [(2, soon), (3, soon)])
    bot = BotProcess(fake, database, tmp_path / "bot.log")
    await bot.start()
    await wait_for(lambda: fake.answers_pending >= 2, 20, "a post in flight in each channel", bot.log)
    loop = asyncio.get_running_loop()
    asked = loop.time()
    assert await bot.signal(signal.SIGTERM) == 0
    assert loop.time() - asked < 10.5
    assert outbox_states(database) == {"sent": 2, "pending": 2}, "the posts in flight finished and were recorded"
    assert "announcer stopped: 2 queued put back, 2 sends finished, 0 cut short" in "\n".join(read_lines(bot.log))

    await asyncio.sleep(NONCE_MEMORY + 0.5)
    fake.request_log.clear()
    await bot.start()
    await wait_for(lambda: outbox_states(database) == {"sent": 4}, 20, "the two put back to be sent", bot.log)
    assert await bot.signal(signal.SIGTERM) == 0
    assert posts(fake) == ["POST", "POST"], "the finished ones were not looked up nor sent again"
    assert copies(fake, [2, 3]) == {(g.id, n): 1 for g in (fake.guild, fake.other_guild) for n in (2, 3)}
    assert bot.errors() == []


async def test_a_second_dramabot_run_on_the_same_database_refuses_and_leaves_the_first_alone(
    fake: FakeDiscord, database: Path, tmp_path: Path
) -> None:
    soon = dt.datetime.now(UTC) + dt.timedelta(seconds=2.5)  # after the second run was refused, on most machines
    await prepare(database, fake, [(2, soon)])
    first = BotProcess(fake, database, tmp_path / "first.log")
    await first.start()
    await wait_for(lambda: fake.identify_count == 1, 20, "the first bot to connect")

    second = BotProcess(fake, database, tmp_path / "second.log")
    process = await second.start()
    assert await asyncio.wait_for(process.wait(), 15) == 2
    said = [line for line in read_lines(second.log)[1:] if line.strip()]
    assert said == [f"dramabot: {resolved(database)} is already used by a running Dramabot (process "
                    f"{first.process.pid if first.process else ''}); stop that one first, or set DATABASE_PATH to "
                    "another database."]  # fmt: skip
    assert fake.identify_count == 1, "the second never connected"

    await wait_for(lambda: outbox_states(database) == {"sent": 2}, 20, "the first bot to announce")
    assert await first.signal(signal.SIGTERM) == 0
    assert copies(fake, [2]) == {(fake.guild.id, 2): 1, (fake.other_guild.id, 2): 1}
