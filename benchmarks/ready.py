"""How soon `dramabot run` answers after it starts, with a big catalog, measured through the sandbox Discord.

    python benchmarks/ready.py                       # seed only, then 100k shows of each catalog kind, 3 runs each
    python benchmarks/ready.py --size 100000 --kinds common --runs 5

For each database the benchmark starts the sandbox's fake Discord on 127.0.0.1 and launches the real
`python -m bot run` in a fresh process, pointed at it by the environment only (as `dramabot console` does).
It times, from the launch: the bot's gateway session (IDENTIFY answered, guilds sent: setup_hook, which opens
the catalog and builds its search indexes, is behind it), and the first `/drama title:` autocomplete
answered through Discord. The seed-only database is the baseline: what starting costs with no big catalog
(imports, SQLite, the gateway handshake). Each run is a restart: an unmeasured first start syncs the
commands, and each run starts from its own copy of the database it leaves.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from catalogs import KINDS, load_seed, make_catalog

from bot import db
from bot.console.launcher import sandbox_environment
from bot.sandbox import FakeDiscord
from bot.seed import read_seed
from bot.store import Repository

ROOT = Path(__file__).resolve().parents[1]


async def build_database(path: Path, kind: str, size: int) -> int:
    """Write the seed plus made-up shows up to `size`, as if the seed had always held them; return the count."""
    seed = read_seed()
    seed_entries, _people = load_seed()
    shows = make_catalog(kind, seed_entries, size, random.Random(f"ready:{kind}:{size}"))[len(seed_entries) :]
    seed["shows"] = list(seed["shows"]) + [
        {"key": entry.key, "title": entry.names[0], "hangul_title": entry.hangul, "credits": []} for entry in shows
    ]
    connection = await db.connect(path)
    try:
        await db.migrate(connection)
        await Repository(connection).load_seed(seed)  # the seed's own version: the bot's start skips loading it
    finally:
        await connection.close()
    return len(seed["shows"])


async def start_once(fake: FakeDiscord, database: Path, folder: Path) -> tuple[float, float]:
    """Launch `python -m bot run` once against `fake`; return the seconds to its gateway session and to its first
    answer. Every start of one database uses one fake Discord, which keeps the commands the first start synced."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    environ |= sandbox_environment({}, fake, database) | {"PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING"}
    begun = time.perf_counter()
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=folder, env=environ, stdout=asyncio.subprocess.DEVNULL
    )
    try:
        await fake.wait_until_ready(within=120)
        session = time.perf_counter() - begun
        choices = await fake.autocomplete("drama", "title", "crash landing", within=60)
        answered = time.perf_counter() - begun
        assert any("Crash Landing" in choice.name for choice in choices), choices
    finally:
        child.send_signal(signal.SIGTERM)
        await asyncio.wait_for(child.wait(), 30)
    return session, answered


async def measure(label: str, database: Path, shows: int, runs: int) -> dict[str, object]:
    sessions, answers = [], []
    with tempfile.TemporaryDirectory() as folder:
        async with FakeDiscord() as fake:
            # A restart is what is timed: an unmeasured first start syncs the commands (a start with commands
            # Discord already has skips that) and the runs start from copies of the database it leaves.
            await start_once(fake, database, Path(folder))
            for _ in range(runs):
                copy = Path(folder) / "run.sqlite3"
                shutil.copy(database, copy)
                session, answered = await start_once(fake, copy, Path(folder))
                sessions.append(session)
                answers.append(answered)
                copy.unlink()
    return {
        "catalog": label,
        "shows": shows,
        "runs": runs,
        "session_median_s": round(statistics.median(sessions), 2),
        "answer_median_s": round(statistics.median(answers), 2),
        "answer_max_s": round(max(answers), 2),
    }


async def main_async(args: argparse.Namespace) -> list[dict[str, object]]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        plans = [("seed", "synthetic", 0)] + [(kind, kind, args.size) for kind in args.kinds.split(",")]
        for label, kind, size in plans:
            database = Path(folder) / f"{label}.sqlite3"
            began = time.perf_counter()
            shows = await build_database(database, kind, size)
            print(f"built {label} ({shows:,} shows) in {time.perf_counter() - began:.0f} s", file=sys.stderr)
            rows.append(await measure(label, database, shows, args.runs))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="shows in the big databases")
    parser.add_argument("--kinds", default=",".join(KINDS), help="catalog kinds (benchmarks/catalogs.py)")
    parser.add_argument("--runs", type=int, default=3, help="starts per database")
    args = parser.parse_args()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    rows = asyncio.run(main_async(args))
    print("| catalog | shows | runs | gateway session, median s | first answer, median s | first answer, max s |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['catalog']} | {row['shows']:,} | {row['runs']} | {row['session_median_s']} "
            f"| {row['answer_median_s']} | {row['answer_max_s']} |"
        )
    after = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\n{os.cpu_count()} cores; load average {load} before, {after} after")


if __name__ == "__main__":
    main()
