"""How often /ask answers about the wrong show or person when asked about one the catalog does not hold.

    python benchmarks/ask_absent.py                  # tests/data/ask_absent.tsv against the shipped seed
    python benchmarks/ask_absent.py -v               # and print every question that was answered

A table row is `intent<TAB>question<TAB>absent name`: a drama or person in no source of the catalog. Every
question should be declined (found=False); an answer (found=True) is necessarily about some other show or
person, so the share answered is the wrong-show rate. Separate from benchmarks/ask.py, whose tables hold
questions with a right answer.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bot.ask import answer
from bot.catalog import Catalog, open_catalog

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "tests" / "data" / "ask_absent.tsv"
NOW = dt.datetime(2022, 3, 30, 3, 0, tzinfo=dt.UTC)


def read_table(path: Path) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("intent\t"):
            continue
        intent, question, absent = line.split("\t")
        rows.append((intent, question, absent))
    return rows


async def load_catalog() -> Catalog:
    with tempfile.TemporaryDirectory() as folder:
        repository, catalog, _ = await open_catalog(Path(folder) / "bench.sqlite3")
        await repository.close()
    return catalog


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", nargs="?", type=Path, default=TABLE)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every answered question")
    args = parser.parse_args()
    catalog = asyncio.run(load_catalog())
    rows = read_table(args.table)
    answered: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for intent, question, absent in rows:
        result = answer(question, catalog, guild_id=None, now=NOW)
        totals[intent] += 1
        if result.found:
            answered[intent] += 1
            if args.verbose:
                print(f"  ANSWERED [{intent}] {question!r} ({absent} is absent)\n           {result.text[:160]!r}")
    print(f"\n{args.table.name}: {len(rows)} questions about {len({r[2] for r in rows})} absent names")
    print(f"{'intent':22} {'n':>4} {'answered (wrong)':>17}")
    for intent in sorted(totals):
        print(f"{intent:22} {totals[intent]:4d} {answered[intent] / totals[intent]:17.1%}")
    total = sum(answered.values())
    print(f"{'ALL':22} {len(rows):4d} {total / len(rows):17.1%}  ({total} of {len(rows)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
