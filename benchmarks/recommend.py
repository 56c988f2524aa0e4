"""Benchmark /recommend: latency at the seed's size and at 100k titles, the event loop's longest stall, and how
often the five picks for 20 well-known dramas share a screenwriter, director, lead or at least two tags.

    python benchmarks/recommend.py                    # seed size and 100,000 titles, 300 queries each
    python benchmarks/recommend.py --sizes 20000 --queries 100

Latency: `recommend()` (bot/recommend/score.py) for random liked shows, p50 and p99, against the baseline measured
in the same run: scoring every show in the catalog (a full scan with the same scoring), whose top five the index's
picks are compared with. The 100k catalog is the seed's shows copied with new ids, each copy keeping its writers,
directors and leads, so postings grow as a real catalog's would. Building the index is timed separately (it runs
in a thread). "Loop stall" is the longest gap a 1 ms ticker sees on the event loop while `Recommender.recommend`
answers (the bot's path: in a thread above 10,000 titles).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import heapq
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.catalog import Catalog, open_catalog  # noqa: E402
from bot.models import Credit, Person, Show  # noqa: E402
from bot.recommend import Recommender, Request, build_index, recommend  # noqa: E402
from bot.recommend.index import RecommendIndex  # noqa: E402
from bot.recommend.score import Pick, _score  # noqa: E402

WELL_KNOWN = (
    "Goblin", "Crash Landing on You", "Reply 1988", "Signal", "Vincenzo", "The Glory", "Descendants of the Sun",
    "My Mister", "Itaewon Class", "Hospital Playlist", "Extraordinary Attorney Woo", "Squid Game", "Mr. Sunshine",
    "Boys Over Flowers", "Coffee Prince", "Kingdom", "Sky Castle", "Move to Heaven", "Queen of Tears", "Lovely Runner",
)  # fmt: skip


class BigCatalog:
    """The seed's shows copied `copies` times with new ids (each copy keeps its credits), for the recommender."""

    def __init__(self, catalog: Catalog, size: int) -> None:
        base = list(catalog.shows.values())
        self.people: Mapping[int, Person] = catalog.people
        self.shows: dict[int, Show] = {}
        self._credits: dict[int, list[Credit]] = {}
        self.generation = 0
        next_id = max(catalog.shows) + 1
        for number in range(size):
            show = base[number % len(base)]
            new_id = show.id if number < len(base) else next_id + number
            copy = number // len(base)
            title = show.title if copy == 0 else f"{show.title} {copy + 1}"  # new series, not seasons
            rank = None if show.popularity_rank is None else show.popularity_rank + copy * 5000
            self.shows[new_id] = dataclasses.replace(show, id=new_id, title=title, popularity_rank=rank)
            self._credits[new_id] = [dataclasses.replace(c, show_id=new_id) for c in catalog.credits_of_show(show.id)]

    def credits_of_show(self, show_id: int) -> list[Credit]:
        return self._credits.get(show_id, [])


def full_scan(
    index: RecommendIndex, request: Request, shows: Mapping[int, Show], people: Mapping[int, Person]
) -> list[Pick]:
    """The baseline: score every admissible show, no postings or shortlist."""
    liked = [index.features[i] for i in request.liked]
    scored = (
        _score(index, f, liked, shows, people)
        for i, f in index.features.items()
        if i not in request.exclude and f.guild_id is None
    )
    return heapq.nsmallest(request.limit, scored, key=lambda p: (-round(p.score, 6), index.rank[p.show_id], p.show_id))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(function: object, requests: Iterable[Request], *args: object) -> tuple[list[float], list[list[Pick]]]:
    times: list[float] = []
    results: list[list[Pick]] = []
    for request in requests:
        start = time.perf_counter()
        results.append(function(*args[:1], request, *args[1:]))  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return times, results


async def loop_stall(recommender: Recommender, requests: list[Request]) -> float:
    """The longest the event loop went without running a 1 ms ticker while the recommender answered."""
    longest = 0.0
    done = False

    async def ticker() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now

    await recommender.index()
    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    for request in requests:
        await recommender.recommend(request)
        await asyncio.sleep(0.005)  # one user's command after another, as they arrive
    done = True
    await task
    return longest * 1000


def requests_for(index: RecommendIndex, catalog: Mapping[int, Show], count: int, rng: random.Random) -> list[Request]:
    ids = sorted(index.features)
    chosen = rng.sample(ids, min(count, len(ids)))
    return [Request(liked=(i,), exclude=frozenset({i})) for i in chosen]


def shares(catalog: Catalog, index: RecommendIndex, liked: int, pick: int) -> dict[str, bool]:
    a, b = index.features[liked], index.features[pick]
    return {
        "writer": bool(a.writers & b.writers),
        "director": bool(a.directors & b.directors),
        "lead": bool(a.leads & b.leads),
        "2+ tags": len(a.genres & b.genres) >= 2,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=17)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "seed.sqlite3"
        repository, catalog, _ = await open_catalog(path)
        await repository.close()
        shutil.rmtree(folder, ignore_errors=True)

    rows = []
    for label, source in [("seed", catalog), *((f"{n:,}", BigCatalog(catalog, n)) for n in options.sizes)]:
        start = time.perf_counter()
        index = build_index(dict(source.shows), source)  # type: ignore[arg-type]
        build = time.perf_counter() - start
        requests = requests_for(index, source.shows, options.queries, rng)
        fast, picks = timed(recommend, requests, index, source.shows, source.people)
        slow, baseline = timed(full_scan, requests[: max(20, options.queries // 5)], index, source.shows, source.people)
        agree = sum(len({p.show_id for p in a} & {p.show_id for p in b}) for a, b in zip(picks, baseline, strict=False))
        compared = sum(len(b) for b in baseline)
        stall = await loop_stall(Recommender(source), requests[:50])  # type: ignore[arg-type]
        rows.append((label, len(source.shows), build, fast, slow, agree / max(compared, 1), stall))

    print(
        "| titles | index build s | recommend p50 ms | p99 ms | full scan p50 ms | p99 ms | picks as the full scan"
        " | loop stall ms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, size, build, fast, slow, agree, stall in rows:
        print(f"| {size:,} ({label}) | {build:.2f} | {statistics.median(fast):.2f} | {percentile(fast, .99):.2f} | "
              f"{statistics.median(slow):.1f} | {percentile(slow, .99):.1f} | {agree:.0%} | {stall:.1f} |")  # fmt: skip

    index = build_index(dict(catalog.shows), catalog)
    print()
    print("| drama | picks | share writer | director | lead | 2+ tags | any of these |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    totals = dict.fromkeys(("writer", "director", "lead", "2+ tags", "any"), 0)
    picked = 0
    for title in WELL_KNOWN:
        show = catalog.find_show(title).best
        exclude = frozenset(s.id for s in catalog.series_of(show.id)) | {show.id}
        picks = recommend(index, Request(liked=(show.id,), exclude=exclude), catalog.shows, catalog.people)
        counts = dict.fromkeys(totals, 0)
        for pick in picks:
            shared = shares(catalog, index, show.id, pick.show_id)
            for key, value in shared.items():
                counts[key] += value
            counts["any"] += any(shared.values())
        for key in totals:
            totals[key] += counts[key]
        picked += len(picks)
        print(f"| {show.title} | {len(picks)} | {counts['writer']} | {counts['director']} | {counts['lead']} | "
              f"{counts['2+ tags']} | {counts['any']} |")  # fmt: skip
    print(f"| **all 20** | {picked} | {totals['writer']} | {totals['director']} | {totals['lead']} | "
          f"{totals['2+ tags']} | {totals['any']} ({totals['any'] / max(picked, 1):.0%}) |")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
