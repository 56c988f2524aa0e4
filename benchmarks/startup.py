"""Start-up with the shipped seed: the first start (which loads the seed) and a later one, to ready.

    python benchmarks/startup.py                                   # the shipped seed, 3 runs of each
    git show ff6059e:data/seed/catalog.json > /tmp/old-seed.json   # the 1,752-show seed, for a baseline
    python benchmarks/startup.py --baseline /tmp/old-seed.json

*To ready*: the real bot (`bot.console.sandbox_bot`, the same start-up as `dramabot run`) against the sandbox's
fake Discord on 127.0.0.1, from creating the bot to the gateway's READY with every cog loaded and the commands
synced; beside the wall-clock time, the CPU time the process used, which a busy shared machine does not inflate.
The first start runs on an empty database file, so it applies the migrations and loads the whole seed; the
later start reopens that file, whose seed is already loaded. *Phases* (in process, no Discord) split the first
start: parsing the JSON (off the event loop in the bot), `Repository.load_seed`, `Catalog.load` (reading every
row and building both search indexes), and `bot.ask.prepare` (the character, people and title lookups /ask
builds once). A baseline seed file, when given, gets the same phases, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot import db
from bot.ask import prepare
from bot.catalog import Catalog
from bot.console import sandbox_bot
from bot.seed import read_seed, seed_path
from bot.store import Repository


async def phases(seed_file: Path) -> dict[str, float]:
    """Time each part of a first start on a fresh database, in seconds."""
    with tempfile.TemporaryDirectory() as folder:
        connection = await db.connect(Path(folder) / "bench.sqlite3")
        try:
            await db.migrate(connection)
            repository = Repository(connection)
            started = time.perf_counter()
            seed = await asyncio.to_thread(read_seed, seed_file)
            parsed = time.perf_counter()
            await repository.load_seed(seed)
            loaded = time.perf_counter()
            catalog = await Catalog.load(repository)
            read = time.perf_counter()
            prepare(catalog)
            prepared = time.perf_counter()
            # A later start: the seed is already in the database, so only the catalog is read again.
            again = time.perf_counter()
            report = await repository.load_seed(seed)
            assert report.skipped
            await Catalog.load(repository)
            reread = time.perf_counter()
        finally:
            await connection.close()
    return {
        "shows": float(len(catalog.shows)),
        "parse_s": parsed - started,
        "load_seed_s": loaded - parsed,
        "catalog_load_s": read - loaded,
        "ask_prepare_s": prepared - read,
        "first_total_s": prepared - started,
        "later_catalog_s": reread - again,
    }


async def to_ready(database: Path) -> tuple[float, float]:
    """Seconds from creating the bot to ready (cogs loaded, commands synced) against the fake Discord: wall-clock
    time, and the CPU time this process used meanwhile (the bot and the fake Discord, which share it)."""
    started, cpu = time.perf_counter(), time.process_time()
    async with sandbox_bot({}, database) as (_fake, bot, _watch):
        elapsed, used = time.perf_counter() - started, time.process_time() - cpu
        assert bot.catalog.shows
    return elapsed, used


async def main_async(runs: int, baseline: Path | None) -> None:
    seeds = [("shipped", seed_path())] + ([("baseline", baseline)] if baseline else [])
    print("| seed | shows | parse s | load_seed s | Catalog.load s | ask prepare s | first start s | later load s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, path in seeds:
        rows = [await phases(path) for _ in range(runs)]
        med = {key: statistics.median(row[key] for row in rows) for key in rows[0]}
        print(
            f"| {label} ({path.stat().st_size / 1e6:.1f} MB) | {int(med['shows']):,} | {med['parse_s']:.2f} |"
            f" {med['load_seed_s']:.2f} | {med['catalog_load_s']:.2f} | {med['ask_prepare_s']:.2f} |"
            f" {med['first_total_s']:.2f} | {med['later_catalog_s']:.2f} |"
        )
    first, later = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            database = Path(folder) / "dramabot.sqlite3"
            first.append(await to_ready(database))
            later.append(await to_ready(database))
    print(f"\nreal bot to ready against the fake Discord, shipped seed, median of {runs}:")
    print("| start | wall s (median) | wall s (slowest) | CPU s (median) |")
    print("|---|---:|---:|---:|")
    for label, timed in (("first (empty database: migrations, the whole seed)", first), ("later (seed loaded)", later)):
        wall = [w for w, _ in timed]
        cpu = [c for _, c in timed]
        print(f"| {label} | {statistics.median(wall):.2f} | {max(wall):.2f} | {statistics.median(cpu):.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="an older seed file to time beside the shipped one")
    args = parser.parse_args()
    asyncio.run(main_async(args.runs, args.baseline))


if __name__ == "__main__":
    main()
