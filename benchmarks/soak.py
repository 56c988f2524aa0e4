"""Soak `dramabot run` with kill -9 restarts against a fake Discord that forgets nonces fast and answers late.

    python benchmarks/soak.py                                  # 50 cycles, 1,000 announcements over 100 servers
    python benchmarks/soak.py --cycles 10 --servers 20         # a smaller run
    python benchmarks/soak.py --code /tmp/before               # the same soak against another checkout

The bot runs as a real process (`python -m bot run`), pointed at a fake Discord in this process (bot/sandbox)
with `--servers` servers, each announcing in its own channel and following `--per-server` of the soak's shows
(one episode each, due at random moments spread over the first part of the soak: 1,000 announcements by
default). The fake remembers a message nonce for `--nonce-memory` seconds (Discord: a few minutes) and answers
every message POST `--answer-delay` seconds after it created the message, so posts are in flight when the bot dies.

Each cycle starts the bot, lets it run for a random time (until at least one post is in flight, when it can),
kills it with SIGKILL, and keeps it down for longer than the nonce memory; announcements keep falling due while
it is down. After the last cycle the bot is started once more and left to drain. The soak then counts, in the
channels, each announcement's copies: lost (none), doubled (more than one), and the time the last start took to
post everything still owed.

`--code DIR` runs the bot from another checkout (e.g. `git archive <commit> | tar -x -C DIR`) on the same soak:
the baseline. The database is prepared with plain SQL on tables every version has.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.sandbox import FakeDiscord, FakeGuild  # noqa: E402

UTC = dt.UTC
TITLE = "Soak Drama {n}"


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass
class Soak:
    """What the soak did and saw."""

    kills: int = 0
    kills_in_flight: int = 0  # kills with at least one post created but not yet answered
    in_flight: list[int] = field(default_factory=list)
    downtimes: list[float] = field(default_factory=list)
    down_intervals: list[tuple[float, float]] = field(default_factory=list)  # wall-clock seconds
    drain_seconds: float | None = None
    final_exit: int | None = None


def add_servers(fake: FakeDiscord, count: int) -> list[FakeGuild]:
    """`count` more servers in the fake, each with an #announcements channel the bot may post in."""
    world = fake._world  # the soak builds its own world, as benchmarks/announce.py adds channels
    guilds = []
    for n in range(count):
        guild = world._make_guild(f"Soak Server {n}", ["announcements"])
        world.guilds[guild.id] = guild
        guilds.append(guild)
    return guilds


def prepare(database: Path, code: Path, guilds: list[FakeGuild], dues: list[dt.datetime], per_server: int,
            rng: random.Random) -> dict[tuple[int, str], dt.datetime]:  # fmt: skip
    """Create the database with the code under test, then add the soak's shows, servers and follows with SQL.

    Return each expected announcement, (channel, show title), with its due moment.
    """
    env = {**os.environ, "PYTHONPATH": str(code), "DATABASE_PATH": str(database), "LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], env=env, cwd=database.parent, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    now = dt.datetime.now(UTC)
    expected: dict[tuple[int, str], dt.datetime] = {}
    with sqlite3.connect(database) as raw:
        show_ids = []
        for n, due in enumerate(dues, start=1):
            cursor = raw.execute(
                "INSERT INTO shows (title, episode_count, networks, created_at, updated_at) VALUES (?, 16, ?, ?, ?)",
                (TITLE.format(n=n), '["tvN"]', iso(now), iso(now)),
            )
            show_id = int(cursor.lastrowid or 0)
            raw.execute(
                "INSERT INTO episodes (show_id, number, air_at, source, created_at, updated_at)"
                " VALUES (?, 2, ?, 'admin', ?, ?)",
                (show_id, iso(due), iso(now), iso(now)),
            )
            show_ids.append((show_id, TITLE.format(n=n), due))
        for guild in guilds:
            channel = guild.channels["announcements"]
            raw.execute(
                "INSERT INTO announce_settings (guild_id, channel_id, mode, enabled, since, updated_at)"
                " VALUES (?, ?, 'followed', 1, ?, ?)",
                (guild.id, channel.id, iso(now - dt.timedelta(minutes=1)), iso(now)),
            )
            for show_id, title, due in rng.sample(show_ids, per_server):
                raw.execute(
                    "INSERT INTO announce_follows (guild_id, show_id, created_at) VALUES (?, ?, ?)",
                    (guild.id, show_id, iso(now)),
                )
                expected[(channel.id, title)] = due
        raw.execute(
            "INSERT INTO meta (key, value) VALUES ('announce_planned_until', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (iso(now),),
        )
    return expected


class Bot:
    """`python -m bot run` from `code`, its output appended to one log."""

    def __init__(self, fake: FakeDiscord, database: Path, code: Path, log: Path) -> None:
        self.env = {
            **os.environ, "PYTHONPATH": str(code), "DISCORD_TOKEN": fake.token, "DISCORD_API_BASE": fake.api_base,
            "DATABASE_PATH": str(database), "LOG_LEVEL": "INFO",
        }  # fmt: skip
        self.cwd = database.parent
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("a") as log:
            log.write(f"---- start {time.time():.3f}\n")
            log.flush()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", stdout=log, stderr=log, env=self.env, cwd=self.cwd
            )

    async def stop(self, signum: int) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signum)
        return await asyncio.wait_for(self.process.wait(), 30)


def posted(fake: FakeDiscord, guilds: list[FakeGuild]) -> Counter[tuple[int, str]]:
    """Copies of each (channel, show title) announcement in the servers' channels."""
    found: Counter[tuple[int, str]] = Counter()
    for guild in guilds:
        channel = guild.channels["announcements"]
        for message in fake.messages(channel):
            if message.embed and str(message.embed.get("title", "")).startswith("Soak Drama"):
                found[(channel.id, message.embed["title"])] += 1
    return found


def unsettled(database: Path) -> int:
    with sqlite3.connect(database) as raw:
        (count,) = raw.execute("SELECT COUNT(*) FROM announce_outbox WHERE state IN ('pending', 'claimed')").fetchone()
    return int(count)


async def soak(args: argparse.Namespace, code: Path) -> None:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        database = workdir / "soak.sqlite3"
        fake = FakeDiscord(nonce_memory=args.nonce_memory, message_answer_delay=args.answer_delay)
        guilds = add_servers(fake, args.servers)
        shows = max(args.per_server * 5, args.per_server)
        mean_cycle = 1.5 + (args.min_up + args.max_up) / 2 + args.nonce_memory + 1.5
        spread = args.spread if args.spread is not None else 0.7 * args.cycles * mean_cycle
        start = dt.datetime.now(UTC) + dt.timedelta(seconds=15)  # preparing and the first start take a while
        dues = sorted(start + dt.timedelta(seconds=rng.uniform(0, spread)) for _ in range(shows))
        expected = prepare(database, code, guilds, dues, args.per_server, rng)
        print(f"soak: {len(expected):,} announcements over {args.servers} servers, due over {spread:.0f} s; "
              f"{args.cycles} kill -9 cycles; nonce memory {args.nonce_memory:g} s, answers {args.answer_delay:g} s "
              f"late; code {code}", flush=True)  # fmt: skip
        await fake.start()
        result = Soak()
        bot = Bot(fake, database, code, workdir / "bot.log")
        began = time.monotonic()
        try:
            for cycle in range(args.cycles):
                await bot.start()
                await asyncio.sleep(rng.uniform(args.min_up, args.max_up))
                waited = 0.0
                while fake.answers_pending == 0 and waited < args.max_up:  # kill with posts in flight if any come
                    await asyncio.sleep(0.05)
                    waited += 0.05
                result.in_flight.append(fake.answers_pending)
                result.kills_in_flight += fake.answers_pending > 0
                await bot.stop(signal.SIGKILL)
                result.kills += 1
                down = rng.uniform(args.nonce_memory + 0.2, args.nonce_memory + args.max_extra_down)
                result.downtimes.append(down)
                result.down_intervals.append((time.time(), time.time() + down))
                await asyncio.sleep(down)
                if (cycle + 1) % 10 == 0:
                    copies = posted(fake, guilds)
                    print(f"  cycle {cycle + 1}: {sum(1 for k in expected if copies[k])} of {len(expected):,} posted, "
                          f"{sum(c - 1 for c in copies.values() if c > 1)} extra copies, "
                          f"{time.monotonic() - began:.0f} s", flush=True)  # fmt: skip

            # The last start: wait until every announcement due by now is posted and nothing is left to send.
            last_due = max(expected.values())
            await asyncio.sleep(max(0.0, (last_due - dt.datetime.now(UTC)).total_seconds()))
            drain_started = time.monotonic()
            await bot.start()
            deadline = drain_started + args.drain_timeout
            while time.monotonic() < deadline:
                copies = posted(fake, guilds)
                if all(copies[key] for key in expected) and unsettled(database) == 0:
                    result.drain_seconds = time.monotonic() - drain_started
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(args.answer_delay + 1.0)  # room for a late extra copy to show up
            result.final_exit = await bot.stop(signal.SIGTERM)
        finally:
            if bot.process is not None and bot.process.returncode is None:
                bot.process.kill()
                await bot.process.wait()
            await fake.stop()
        report(result, expected, posted(fake, guilds), database, workdir / "bot.log", time.monotonic() - began)


def report(result: Soak, expected: dict[tuple[int, str], dt.datetime], copies: Counter[tuple[int, str]],
           database: Path, log: Path, elapsed: float) -> None:  # fmt: skip
    lost = [key for key in expected if copies[key] == 0]
    doubled = sum(count - 1 for key, count in copies.items() if count > 1)
    due_while_down = sum(
        1 for due in expected.values() if any(a <= due.timestamp() < b for a, b in result.down_intervals)
    )
    with sqlite3.connect(database) as raw:
        states = dict(raw.execute("SELECT state, COUNT(*) FROM announce_outbox GROUP BY state").fetchall())
    lines = log.read_text(errors="replace").splitlines()
    in_flight, downs = sum(result.in_flight), result.downtimes
    errors = sum(1 for line in lines if " ERROR " in line)
    looked_up = sum(1 for line in lines if "left claimed by a stopped run" in line)
    rows = [
        ("announcements expected", f"{len(expected):,}"),
        ("kill -9 restarts", f"{result.kills} ({result.kills_in_flight} with posts in flight, {in_flight} in all)"),
        ("downtime per kill", f"{min(downs):.1f}-{max(downs):.1f} s (mean {statistics.mean(downs):.1f} s)"),
        ("announcements due while down", f"{due_while_down:,}"),
        ("LOST", str(len(lost))),
        ("DOUBLED (extra copies)", str(doubled)),
        (
            "time to drain after the last start",
            f"{result.drain_seconds:.1f} s" if result.drain_seconds is not None else "did not drain",
        ),
        ("outbox rows by state", ", ".join(f"{k} {v:,}" for k, v in sorted(states.items()))),
        ("starts that found claims left by a kill", str(looked_up)),
        ("ERROR lines in the bot's log", str(errors)),
        ("last stop (SIGTERM) exit status", str(result.final_exit)),
        ("soak wall time", f"{elapsed:.0f} s"),
    ]
    width = max(len(name) for name, _ in rows)
    print("\n".join(f"{name.ljust(width)}  {value}" for name, value in rows))
    if lost:
        print("lost, e.g.:", ", ".join(f"{title} in channel {channel}" for channel, title in lost[:5]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=50, help="kill -9 restarts (default 50)")
    parser.add_argument("--servers", type=int, default=100, help="servers, one channel each (default 100)")
    parser.add_argument("--per-server", type=int, default=10, help="announcements per server (default 10)")
    parser.add_argument("--nonce-memory", type=float, default=2.0, help="seconds the fake remembers a nonce")
    parser.add_argument("--answer-delay", type=float, default=1.0, help="seconds a message POST answers late")
    parser.add_argument("--min-up", type=float, default=0.5, help="shortest run before a kill, seconds")
    parser.add_argument("--max-up", type=float, default=4.0, help="longest run before a kill, seconds")
    parser.add_argument("--max-extra-down", type=float, default=3.0, help="downtime beyond the nonce memory, max")
    parser.add_argument("--spread", type=float, default=None, help="seconds over which announcements fall due")
    parser.add_argument("--drain-timeout", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--code", default=str(ROOT), help="the checkout whose bot runs (default: this one)")
    args = parser.parse_args()
    asyncio.run(soak(args, Path(args.code).resolve()))


if __name__ == "__main__":
    main()
