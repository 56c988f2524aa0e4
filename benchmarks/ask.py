"""Print how well /ask answers its question tables: share correct, wrong and declined, per intent, and latency.

    python benchmarks/ask.py                      # tests/data/ask_questions.tsv, ask_heldout.tsv, ask_heldout2.tsv
    python benchmarks/ask.py path/to/table.tsv -v  # one table, printing every miss

A table row is `intent<TAB>question<TAB>expected fact`. An answer is correct only when the bot says it found one
(found=True) and the fact appears in its text (case-insensitive); declined when it says it found nothing
(found=False), and wrong otherwise. The facts are distinctive: tests/test_ask.py checks that none is in the question
or in the bot's refusal, and holds each intent of each table to a floor at today's score.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bot.ask import answer
from bot.catalog import Catalog, open_catalog

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
TABLES = (DATA / "ask_questions.tsv", DATA / "ask_heldout.tsv", DATA / "ask_heldout2.tsv")
NOW = dt.datetime(2022, 3, 30, 3, 0, tzinfo=dt.UTC)  # the tables' expected facts hold at this moment


@dataclass(frozen=True, slots=True)
class Row:
    intent: str
    question: str
    expected: str


def read_table(path: Path) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("intent\t"):
            continue
        intent, question, expected = line.split("\t")
        rows.append(Row(intent, question, expected))
    return rows


def verdict(row: Row, text: str, found: bool) -> str:
    if not found:
        return "declined"  # even if the refusal happens to contain the fact
    return "correct" if row.expected.casefold() in text.casefold() else "wrong"


async def load_catalog() -> Catalog:
    with tempfile.TemporaryDirectory() as folder:
        repository, catalog, _ = await open_catalog(Path(folder) / "bench.sqlite3")
        await repository.close()
    return catalog


def run(path: Path, catalog: Catalog, *, verbose: bool) -> None:
    rows = read_table(path)
    by_intent: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    timings: list[float] = []
    for row in rows:
        started = time.perf_counter()
        result = answer(row.question, catalog, guild_id=None, now=NOW)
        timings.append((time.perf_counter() - started) * 1000)
        outcome = verdict(row, result.text, result.found)
        by_intent[row.intent][outcome] += 1
        by_intent["ALL"][outcome] += 1
        if verbose and outcome != "correct":
            print(
                f"  {outcome.upper():8} [{row.intent} -> {result.intent}] {row.question!r}\n"
                f"           want {row.expected!r}; got {result.text[:200]!r}"
            )
    print(f"\n{path.name}: {len(rows)} questions")
    print(f"{'intent':22} {'n':>4} {'correct':>8} {'wrong':>7} {'declined':>9}")
    for intent in sorted(by_intent, key=lambda name: (name == "ALL", name)):
        counts = by_intent[intent]
        total = sum(counts.values())
        print(
            f"{intent:22} {total:4d} {counts['correct'] / total:8.1%} {counts['wrong'] / total:7.1%} "
            f"{counts['declined'] / total:9.1%}"
        )
    quantiles = statistics.quantiles(timings, n=100)
    print(f"latency: p50 {quantiles[49]:.1f} ms, p99 {quantiles[98]:.1f} ms, max {max(timings):.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tables", nargs="*", type=Path, help="question tables (default: the three in tests/data)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every wrong or declined answer")
    args = parser.parse_args()
    catalog = asyncio.run(load_catalog())
    for path in args.tables or TABLES:
        run(path, catalog, verbose=args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
