"""Benchmark the announcer: plan a day's outbox for 10,000 servers, then deliver against the fake Discord.

    python benchmarks/announce.py                         # 10,000 servers, 2,000 episodes, 1,500 deliveries
    python benchmarks/announce.py --guilds 2000 --deliver 300 --per-second 50
    python benchmarks/announce.py --guilds 10 --deliver 10 --durable 500   # the cost of durable commits only

Planning: 2,000 upcoming episodes (500 synthetic shows, 4 episodes each, spread over the next 7 days, a fifth
of them premieres), 10,000 servers with announcements on: 10% every episode, 40% premieres only, 50% followed
shows only (5 follows each). The table gives the time to plan the next 24 hours (pure, bot/announce/plan.py), to
store it in the SQLite outbox (one transaction), the rows, and the memory the plan takes (tracemalloc peak).
That is the worst case: the running bot stores only what falls due at each wake.

Delivery: `--deliver` outbox rows due now, spread over 200 channels of the fake Discord (50 servers a
channel), sent by bot/announce/outbox.py's Announcer through discord.py's HTTP client with a nonce, while the fake
counts every request (it flags more than 50 in any second when `enforce_global_rate_limit` is on). The table
gives the sustained rate, the busiest second and the busiest 5-second window of any channel.

Durability: claims and marks commit with synchronous=FULL (synced to disk before they return, so a power loss
cannot undo a "sent" and post it again). `--durable` claims and marks are timed one at a time, as the workers make
them, with FULL and with the baseline NORMAL that every commit used before, on the same disk in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import discord  # noqa: E402
import discord.http  # noqa: E402

import bot.store.announce  # noqa: E402
from bot import db  # noqa: E402
from bot.announce.delivery import Announcement, Lookup, TemporaryFailure  # noqa: E402
from bot.announce.outbox import Announcer  # noqa: E402
from bot.announce.plan import airings_between, kind_of, plan  # noqa: E402
from bot.catalog import Catalog  # noqa: E402
from bot.models import AnnounceMode, Due, Episode, GuildAnnounceSettings, Show  # noqa: E402
from bot.ratelimit import ChannelRateLimiter  # noqa: E402
from bot.sandbox import FakeChannel, FakeDiscord  # noqa: E402
from bot.schedule import Schedule  # noqa: E402
from bot.store import Repository  # noqa: E402
from cogs._ui import card_embed  # noqa: E402

UTC = dt.UTC


def synthetic(guilds: int, episodes: int, now: dt.datetime, rng: random.Random) -> tuple[
    list[Show], dict[int, list[Episode]], list[GuildAnnounceSettings], dict[int, frozenset[int]]
]:  # fmt: skip
    shows: list[Show] = []
    rows: dict[int, list[Episode]] = {}
    per_show = 4
    for show_id in range(1, episodes // per_show + 1):
        shows.append(Show(id=show_id, title=f"Synthetic Drama {show_id}", episode_count=16, networks=("tvN",),
                          tmdb_id=100000 + show_id))  # fmt: skip
        premiere = rng.random() < 0.2
        first = 1 if premiere else rng.randint(2, 12)
        start = now + dt.timedelta(minutes=rng.randint(1, 7 * 24 * 60 - 3 * 24 * 60))
        rows[show_id] = [Episode(show_id, first + n, start + dt.timedelta(days=n)) for n in range(per_show)]
    settings: list[GuildAnnounceSettings] = []
    follows: dict[int, frozenset[int]] = {}
    since = now - dt.timedelta(days=1)
    for i in range(guilds):
        guild_id = 10_000_000 + i
        roll = i % 10
        mode = AnnounceMode.EPISODES if roll == 0 else AnnounceMode.PREMIERES if roll <= 4 else AnnounceMode.FOLLOWED
        settings.append(GuildAnnounceSettings(guild_id=guild_id, since=since, channel_id=guild_id * 10, role_id=None,
                                              mode=mode, enabled=True))  # fmt: skip
        if mode is AnnounceMode.FOLLOWED:
            follows[guild_id] = frozenset(rng.sample(range(1, len(shows) + 1), 5))
    return shows, rows, settings, follows


async def bench_planning(guilds: int, episodes: int, workdir: Path) -> list[tuple[str, str]]:
    rng = random.Random(2024)
    now = dt.datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    shows, rows, settings, follows = synthetic(guilds, episodes, now, rng)
    gc.collect()
    started = time.perf_counter()
    schedules = [Schedule(show, rows.get(show.id, [])) for show in shows]  # counted, though the catalog caches them
    airings = airings_between(schedules, now, now + dt.timedelta(days=1))
    planned = plan(settings, follows, airings)
    plan_seconds = time.perf_counter() - started
    del planned
    gc.collect()
    tracemalloc.start()  # a second run, measured for memory only (tracemalloc slows it down)
    schedules = [Schedule(show, rows.get(show.id, [])) for show in shows]
    airings = airings_between(schedules, now, now + dt.timedelta(days=1))
    planned = plan(settings, follows, airings)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    connection = await db.connect(workdir / "plan.sqlite3")
    await db.migrate(connection)
    repository = Repository(connection)
    started = time.perf_counter()
    added = await repository.add_to_outbox([(d, "pending") for d in planned], planned_until=now)
    store_seconds = time.perf_counter() - started
    started = time.perf_counter()
    await repository.claim_due(now + dt.timedelta(days=1), limit=1000)
    claim_ms = (time.perf_counter() - started) * 1000
    await repository.close()
    size_mb = (workdir / "plan.sqlite3").stat().st_size / 1e6
    by_kind = Counter(str(d.kind) for d in planned)
    return [
        ("servers with announcements on", f"{guilds:,}"),
        ("upcoming episodes (next 7 days)", f"{sum(len(r) for r in rows.values()):,}"),
        ("episodes due in the next 24 h", f"{len(airings):,} ({sum(1 for a in airings if a.episode == 1)} premieres)"),
        ("announcements planned for 24 h", f"{len(planned):,} ({by_kind['premiere']:,} premieres)"),
        ("plan time (pure)", f"{plan_seconds:.2f} s"),
        ("plan memory (tracemalloc peak)", f"{peak / 1e6:.0f} MB"),
        ("store in outbox (1 transaction)", f"{store_seconds:.2f} s, {added:,} rows, db {size_mb:.0f} MB"),
        ("claim 1,000 due rows", f"{claim_ms:.0f} ms"),
    ]


async def bench_delivery(deliveries: int, per_second: int, workdir: Path) -> list[tuple[str, str]]:
    fake = FakeDiscord(enforce_global_rate_limit=True)
    channels = []
    for i in range(200):
        channel = FakeChannel(fake._snowflake(), f"bench-{i}", fake.guild_id, position=10 + i)
        fake.guild.channels[channel.name] = channel
        channels.append(channel)
    await fake.start()
    saved_base = discord.http.Route.BASE
    discord.http.Route.BASE = fake.api_base
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        await http.static_login(fake.token)
        await asyncio.sleep(1.1)  # let the login request leave the fake's one-second window
        connection = await db.connect(workdir / "deliver.sqlite3")
        await db.migrate(connection)
        repository = Repository(connection)
        now = dt.datetime.now(UTC)
        show = Show(id=1, title="Benchmark Drama", hangul_title="벤치마크", episode_count=16, networks=("tvN",),
                    tmdb_id=12345)  # fmt: skip
        servers = deliveries
        for i in range(servers):
            await repository.save_announce_settings(GuildAnnounceSettings(
                guild_id=20_000_000 + i, since=now - dt.timedelta(hours=1), channel_id=channels[i % 200].id,
                enabled=True,
            ))  # fmt: skip
        due = [
            Due(guild_id=20_000_000 + i, show_id=1, episode=3, kind=kind_of(3), due_at=now, air_at=now,
                time_known=True, channel_id=channels[i % 200].id)
            for i in range(deliveries)
        ]  # fmt: skip
        await repository.add_to_outbox([(d, "pending") for d in due], planned_until=now)

        async def send(announcement: Announcement) -> int:
            params = discord.http.handle_message_parameters(
                embed=card_embed(announcement.card), allowed_mentions=discord.AllowedMentions.none(),
                nonce=announcement.item.nonce,
            )  # fmt: skip
            try:
                data = await http.send_message(announcement.channel_id, params=params)
            except discord.HTTPException as error:
                raise TemporaryFailure(str(error)) from error
            return int(data["id"])

        async def find(lookup: Lookup) -> int | None:
            return None  # never called: no row here is unsure (nothing crashed or timed out)

        announcer = Announcer(
            repository, send, find=find, catalog=Catalog([show], [], []), grace=dt.timedelta(hours=6),
            limiter=ChannelRateLimiter(per_second=per_second), max_backlog=deliveries,
        )  # fmt: skip
        fake.request_log.clear()
        started = time.perf_counter()
        await announcer.dispatch_due(now)
        await announcer.drain()
        elapsed = time.perf_counter() - started
        await repository.close()
    finally:
        await http.close()
        discord.http.Route.BASE = saved_base
        await fake.stop()
    posts = [r for r in fake.request_log if r.method == "POST" and r.path.endswith("/messages")]
    times = sorted(r.time for r in posts)
    busiest = _busiest(times, 1.0)
    per_channel = max(
        _busiest(sorted(r.time for r in posts if r.path == f"/channels/{c.id}/messages"), 5.0) for c in channels
    )
    rate = len(posts) / elapsed
    return [
        ("announcements delivered", f"{announcer.sent:,} of {deliveries:,} ({len(posts):,} requests)"),
        ("wall time", f"{elapsed:.1f} s"),
        ("sustained rate", f"{rate:.1f} messages/s ({rate / 50:.0%} of Discord's 50 requests/s)"),
        ("limiter setting", f"{per_second}/s global, 5 per 5 s per channel"),
        ("busiest second (any 1 s window)", f"{busiest} requests"),
        ("busiest channel (any 5 s window)", f"{per_channel} messages"),
        ("rate-limit violations seen by the fake", str(len(fake.violations))),
    ]


async def bench_durability(rows: int, workdir: Path) -> list[tuple[str, str]]:
    """Claim and mark `rows` announcements one at a time (as the workers do), synced to disk or not."""
    results: list[tuple[str, str]] = []
    now = dt.datetime.now(UTC)
    for label, synchronous in (("NORMAL (before: a power loss may undo them)", "NORMAL"), ("FULL (durable)", "FULL")):
        bot.store.announce.DURABLE_SYNCHRONOUS = synchronous  # the baseline: what every commit did before
        path = workdir / f"durable-{synchronous}.sqlite3"
        connection = await db.connect(path)
        await db.migrate(connection)
        repository = Repository(connection)
        await repository.save_announce_settings(
            GuildAnnounceSettings(guild_id=1, since=now, channel_id=10, enabled=True)
        )
        due = [
            Due(guild_id=1, show_id=1, episode=n, kind=kind_of(n), due_at=now, air_at=now, time_known=True,
                channel_id=10)
            for n in range(1, rows + 1)
        ]  # fmt: skip
        await repository.add_to_outbox([(d, "pending") for d in due], planned_until=now)
        started = time.perf_counter()
        for n in range(rows):
            (item,) = await repository.claim_due(now, limit=1)
            await repository.mark_sent(item.id, 10_000 + n, now)
        elapsed = time.perf_counter() - started
        await repository.close()
        pairs = rows / elapsed
        results.append((f"synchronous={label}", f"{elapsed / rows * 1000:.2f} ms a claim + mark, {pairs:,.0f}/s"))
    bot.store.announce.DURABLE_SYNCHRONOUS = "FULL"
    return results


def _busiest(times: list[float], window: float) -> int:
    best, low = 0, 0
    for high, moment in enumerate(times):
        while moment - times[low] >= window:
            low += 1
        best = max(best, high - low + 1)
    return best


def table(title: str, rows: list[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in rows)
    lines = [title, "-" * len(title)]
    lines += [f"{name.ljust(width)}  {value}" for name, value in rows]
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guilds", type=int, default=10_000)
    parser.add_argument("--episodes", type=int, default=2_000)
    parser.add_argument("--deliver", type=int, default=1_500)
    parser.add_argument("--per-second", type=int, default=45)
    parser.add_argument("--durable", type=int, default=500, help="claims and marks timed for the durability cost")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        print(table("Planning the next day's outbox", await bench_planning(args.guilds, args.episodes, workdir)))
        print()
        delivery = await bench_delivery(args.deliver, args.per_second, workdir)
        print(table("Delivering against the fake Discord", delivery))
        print()
        durability = await bench_durability(args.durable, workdir)
        print(table(f"Durable outbox commits ({args.durable} claims and marks, one at a time)", durability))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak process memory (ru_maxrss): {rss:.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
