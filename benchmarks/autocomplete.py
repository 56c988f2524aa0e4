"""Autocomplete as Discord sees it: from an interaction's dispatch to the bot's callback, at 100k titles.

    python benchmarks/autocomplete.py [--size 100000] [--queries 1000] [--kinds synthetic,common]

Loads the seed plus made-up shows (each kind of benchmarks/catalogs.py in turn) into a fresh database
(through `Repository.load_seed`, as the bot's own start-up does), runs the real bot against the sandbox's fake
Discord on 127.0.0.1, and times `/drama title:` autocomplete requests end to end: the fake sends
INTERACTION_CREATE over the gateway websocket, discord.py parses it, the cog asks the catalog and answers with
an HTTP callback, and the fake records the choices. Beside it, the same queries answered in process
(`Catalog.complete_shows`), to show what the protocol costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from catalogs import KINDS, load_seed, make_catalog
from queries import typo

from bot import db
from bot.console import sandbox_bot
from bot.seed import read_seed
from bot.store import Repository


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile, or None over fewer than 1,000 values (too few to mean anything)."""
    if len(values) < 1000:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


async def build_database(path: Path, size: int, rng: random.Random, kind: str = "synthetic") -> list[str]:
    """Write the seed plus made-up shows up to `size` titles; return the titles to type queries from."""
    seed = read_seed()
    seed_entries, _people = load_seed()
    extra = make_catalog(kind, seed_entries, size, rng)[len(seed_entries) :]
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


async def measure(size: int, query_count: int, kind: str) -> dict[str, object]:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        titles = await build_database(path, size, rng, kind)
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
    row: dict[str, object] = {
        "kind": kind,
        "size": shows,
        "queries": len(queries),
        "database_build_s": round(load_s, 1),
    }
    for name, times in (("e2e", through_discord), ("in_process", in_process)):
        for label, value in (("p50", statistics.median(times)), ("p99", percentile(times, 0.99))):
            row[f"{name}_{label}_ms"] = None if value is None else round(value, 3)
        p999 = percentile(times, 0.999)
        row[f"{name}_p999_ms"] = None if p999 is None else round(p999, 3)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="catalog titles (seed plus made-up shows)")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--kinds", default=",".join(KINDS), help="catalog kinds (benchmarks/catalogs.py)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    rows = [asyncio.run(measure(args.size, args.queries, kind)) for kind in args.kinds.split(",")]
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return
    print("| catalog | shows | queries | path | p50 ms | p99 ms | p99.9 ms |")
    print("|---|---:|---:|---|---:|---:|---:|")
    for row in rows:
        for name, label in (("e2e", "fake Discord: INTERACTION_CREATE to callback"), ("in_process", "in process")):
            cells = " | ".join(
                "—" if row[f"{name}_{p}_ms"] is None else str(row[f"{name}_{p}_ms"]) for p in ("p50", "p99", "p999")
            )
            print(f"| {row['kind']} | {row['size']:,} | {row['queries']:,} | {label} | {cells} |")
    after = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\n{os.cpu_count()} cores; load average {load} before, {after} after")


if __name__ == "__main__":
    main()
