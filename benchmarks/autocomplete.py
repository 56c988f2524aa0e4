"""Autocomplete as Discord sees it: from an interaction's dispatch to the bot's callback, at 100k titles.

    python benchmarks/autocomplete.py [--size 100000] [--queries 400]

Loads the seed plus synthetic shows into a fresh database (through `Repository.load_seed`, as the bot's own
start-up does), runs the real bot against the sandbox's fake Discord on 127.0.0.1, and times `/drama title:`
autocomplete requests end to end: the fake sends INTERACTION_CREATE over the gateway websocket, discord.py
parses it, the cog asks the catalog and answers with an HTTP callback, and the fake records the choices.
Beside it, the same queries answered in process (`Catalog.complete_shows`), to show what the protocol costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from search import load_seed, synthetic_shows, typo  # benchmarks/search.py

from bot import db
from bot.console import sandbox_bot
from bot.seed import read_seed
from bot.store import Repository


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def build_database(path: Path, size: int, rng: random.Random) -> list[str]:
    """Write the seed plus synthetic shows up to `size` titles; return the titles to type queries from."""
    seed = read_seed()
    seed_entries, _people = load_seed()
    extra = synthetic_shows(seed_entries, max(0, size - len(seed["shows"])), rng)
    seed["shows"] = list(seed["shows"]) + [
        {"key": entry.key, "title": entry.names[0], "hangul_title": entry.hangul, "credits": []} for entry in extra
    ]
    seed["version"] = f"benchmark-{size}"
    connection = await db.connect(path)
    try:
        await db.migrate(connection)
        await Repository(connection).load_seed(seed)
    finally:
        await connection.close()
    return [show["title"] for show in seed["shows"]]


def make_queries(titles: list[str], count: int, rng: random.Random) -> list[str]:
    """What people type into the box: a prefix of a title, half of them with a typo."""
    queries = []
    for title in rng.sample(titles, count):
        prefix = title[: rng.randint(3, max(3, min(len(title), 12)))]
        queries.append(typo(prefix, rng) if rng.random() < 0.5 and len(prefix) > 4 else prefix)
    return queries


async def measure(size: int, query_count: int) -> dict[str, float]:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        titles = await build_database(path, size, rng)
        load_s = time.perf_counter() - started
        queries = make_queries(titles, query_count, rng)
        async with sandbox_bot({}, path) as (fake, bot, _watch):
            guild = fake.guild_id
            for query in queries[:20]:  # warm up both paths
                await fake.autocomplete("drama", "title", query)
            through_discord = []
            for query in queries:
                begun = time.perf_counter()
                choices = await fake.autocomplete("drama", "title", query)
                through_discord.append((time.perf_counter() - begun) * 1000)
                assert len(choices) <= 25
            in_process = []
            for query in queries:
                begun = time.perf_counter()
                bot.catalog.complete_shows(query, guild_id=guild, limit=25)
                in_process.append((time.perf_counter() - begun) * 1000)
            shows = len(bot.catalog.shows)
    return {
        "size": shows,
        "queries": len(queries),
        "database_build_s": round(load_s, 1),
        "e2e_p50_ms": round(statistics.median(through_discord), 2),
        "e2e_p99_ms": round(percentile(through_discord, 0.99), 2),
        "in_process_p50_ms": round(statistics.median(in_process), 3),
        "in_process_p99_ms": round(percentile(in_process, 0.99), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="catalog titles (seed plus synthetic)")
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--json", action="store_true", help="print the row as JSON")
    args = parser.parse_args()
    row = asyncio.run(measure(args.size, args.queries))
    if args.json:
        print(json.dumps(row))
        return
    print(f"/drama autocomplete at {row['size']:,} shows, {row['queries']} queries (prefixes, half with a typo)\n")
    print("| path | p50 ms | p99 ms |")
    print("|---|---|---|")
    print(f"| fake Discord: INTERACTION_CREATE to callback | {row['e2e_p50_ms']} | {row['e2e_p99_ms']} |")
    print(f"| in process: Catalog.complete_shows | {row['in_process_p50_ms']} | {row['in_process_p99_ms']} |")
    print(f"\n(database with the synthetic shows built in {row['database_build_s']} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
