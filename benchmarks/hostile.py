"""Print what a hostile /ask question costs, with the question budget and without it (the baseline), same run.

    python benchmarks/hostile.py            # on the seed catalog, 5 repeats per question

A hostile question is 300 characters that can be cut into a name many ways ("who is the actor of ab in ab in
ab ..."): each cut costs a search. The budget (bot/ask/budget.py) stops at 24 lookups or 0.25 s; the baseline
is the same code with a budget too large to matter, as /ask ran before the budget. Also printed: the real
questions of tests/data/ask_questions.tsv, whose answers the budget must not change.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.ask import answer, prepare
from bot.ask.budget import Budget
from bot.catalog import Catalog, open_catalog

ROOT = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2022, 3, 30, 3, 0, tzinfo=dt.UTC)
HOSTILE = {
    "actor of ab in ab ...": ("who is the actor of " + "ab in " * 60)[:300],
    "actor of part for in air ...": ("who is the actor of " + "part for in air " * 30)[:300],
    "actor of in in in ...": ("who is the actor of " + "in " * 100)[:300],
    "played of of of ...": ("who played " + "of " * 120)[:300],
    "did ab and ab ... together": ("did " + " and ".join(["ab"] * 80) + " act together")[:300],
    "plays the 2 of the 2 ...": ("who plays " + "the 2 of " * 40)[:300],
}


def unbounded() -> Budget:
    return Budget(lookups=10**9, seconds=3600.0)


def timed(catalog: Catalog, question: str, budget: Budget | None, repeats: int) -> tuple[float, str]:
    times = []
    text = ""
    for _ in range(repeats):
        started = time.perf_counter()
        text = answer(question, catalog, guild_id=None, now=NOW, budget=budget).text
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, text


def real_questions() -> list[str]:
    rows = (ROOT / "tests" / "data" / "ask_questions.tsv").read_text(encoding="utf-8").splitlines()
    return [r.split("\t")[1] for r in rows if r.strip() and not r.startswith(("#", "intent\t"))]


async def load() -> Catalog:
    with tempfile.TemporaryDirectory() as folder:
        repository, catalog, _report = await open_catalog(Path(folder) / "catalog.sqlite3")
        await repository.close()
    prepare(catalog)
    return catalog


def main() -> int:
    catalog = asyncio.run(load())
    print("| hostile question (300 chars) | budget, ms (median of 5) | baseline, ms | answer with the budget |")
    print("|---|---:|---:|---|")
    for name, question in HOSTILE.items():
        bounded, text = timed(catalog, question, None, 5)
        baseline, _ = timed(catalog, question, unbounded(), 5)
        print(f"| {name} | {bounded:.1f} | {baseline:.1f} | {text[:50]}… |")
    questions = real_questions()
    changed = 0
    slowest = 0.0
    for question in questions:
        ms, text = timed(catalog, question, None, 1)
        slowest = max(slowest, ms)
        changed += text != answer(question, catalog, guild_id=None, now=NOW, budget=unbounded()).text
    print(f"\n{len(questions)} real questions: {changed} answers changed by the budget; slowest {slowest:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
