"""Benchmark bot/search against full rapidfuzz scans, on two kinds of catalog, from the seed to a million titles.

    python benchmarks/search.py                                  # every table (~15 min on an idle 2-core machine)
    python benchmarks/search.py --catalogs common --sizes 100000 --queries 1000
    python benchmarks/search.py --json                           # the rows as JSON objects, one a line
    python benchmarks/search.py --write-queries tests/data/search_queries.tsv --seed 7   # the test's query set

Catalogs (benchmarks/catalogs.py): the seed, plus made-up shows of one of two kinds up to each size:
`synthetic` (titles from the seed's own words, names, Korean words, seasons) and `common` (a small vocabulary
of common words, so titles share words and the trigram postings are long). Queries (benchmarks/queries.py):
typos of titles drawn uniformly for `search`, typed prefixes (half with a typo) for `complete`, and on the
seed every kind of query fans type. The baselines run in the same process on the same queries:
`ratio scan` is rapidfuzz's `process.extract` with `fuzz.ratio` over every name's search key (one C pass,
nothing precomputed but the keys), `wratio scan` the same with `WRatio` over the raw names (fewer queries).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from catalogs import KINDS as CATALOG_KINDS
from catalogs import SEED_CATALOG, Entry, load_seed, make_catalog
from queries import KINDS, PREFIX_KINDS, Query, make_queries, prefix_queries, typo_queries, write_queries
from rapidfuzz import fuzz, process, utils

from bot.search import Hit, SearchIndex
from bot.text import search_key

REPORT_SEED = 2024
FAIR = 1000  # a p99 (and a p99.9) is printed only over at least this many queries
WARM_UP = 20


def build_index(entries: Sequence[Entry]) -> SearchIndex:
    index = SearchIndex()
    index.extend((number, entry.names, entry.popularity, None) for number, entry in enumerate(entries))
    return index


class Scan:
    """A baseline: rapidfuzz's process.extract over every name, nothing precomputed but the strings compared."""

    def __init__(self, entries: Sequence[Entry], *, wratio: bool = False) -> None:
        self.wratio = wratio
        self.names: list[str] = []
        self.owner: list[int] = []
        for number, entry in enumerate(entries):
            for name in entry.names:
                self.names.append(name if wratio else search_key(name))
                self.owner.append(number)

    def search(self, query: str, limit: int = 10) -> list[int]:
        """Return the positions of the best `limit` entries."""
        if self.wratio:
            extracted = process.extract(
                query, self.names, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit * 3
            )
        else:
            extracted = process.extract(search_key(query), self.names, scorer=fuzz.ratio, limit=limit * 3)
        found: list[int] = []
        for _, _, position in extracted:
            if self.owner[position] not in found:
                found.append(self.owner[position])
        return found[:limit]


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile, or None over fewer than FAIR values (too few to mean anything)."""
    if len(values) < FAIR:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class Timings:
    """Per-query milliseconds: wall clock (what a user waits) and this thread's CPU (what the query costs,
    apart from waiting for a core a busy machine's other processes hold)."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []


def timed(function: Callable[[str], list[int]], texts: Sequence[str]) -> tuple[list[list[int]], Timings]:
    results, timings = [], Timings()
    for text in texts:
        start, cpu = time.perf_counter(), time.thread_time()
        results.append(function(text))
        timings.wall.append((time.perf_counter() - start) * 1000)
        timings.cpu.append((time.thread_time() - cpu) * 1000)
    return results, timings


def accuracy(results: Sequence[list[int]], queries: Sequence[Query], keys: Sequence[str], top: int) -> float:
    right = sum(
        any(keys[found] in query.accepted for found in result[:top])
        for result, query in zip(results, queries, strict=True)
    )
    return 100.0 * right / max(1, len(queries))


Searcher = SearchIndex | Scan


def hit_id(hit: Hit | int) -> int:
    return hit if isinstance(hit, int) else hit.id


def build_cost(build: Callable[[], Searcher], memory: bool) -> tuple[Searcher, float, float | None, float | None]:
    """Build twice: untraced for the time, then under tracemalloc for what it keeps and its peak (MB)."""
    gc.collect()
    start = time.perf_counter()
    built = build()
    seconds = time.perf_counter() - start
    if not memory:
        return built, seconds, None, None
    del built
    gc.collect()
    tracemalloc.start()
    built = build()
    gc.collect()
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return built, seconds, kept / 2**20, peak / 2**20


def frozen_out_of_sight() -> None:
    """Freeze what exists now out of the garbage collector's sight, as the bot does with its catalog once
    loaded (bot/catalog.py): else a full collection walks the made-up catalog, a million entries, mid-query."""
    gc.collect()
    gc.freeze()


def measure_size(
    catalog: str, shows: Sequence[Entry], args: argparse.Namespace, rng: random.Random
) -> list[dict[str, object]]:
    """Time and score the index and the baselines on one catalog: typos for search, prefixes for complete."""
    typos = typo_queries(shows, args.queries, rng)
    prefixes = prefix_queries(shows, args.queries, rng)
    keys = [show.key for show in shows]
    rows = []

    def measure(method: str, build: Callable[[], Searcher], count: int, search_limit: int = 5) -> None:
        built, build_s, kept_mb, peak_mb = build_cost(build, args.memory)
        frozen_out_of_sight()
        search = built.search
        complete = built.complete if isinstance(built, SearchIndex) else lambda text: built.search(text, limit=25)
        for query in typos[:WARM_UP]:
            search(query.text, limit=search_limit)
            complete(query.text[:6])
        few = typos[:count]
        results, search_ms = timed(
            lambda text: [hit_id(hit) for hit in search(text, limit=search_limit)], [q.text for q in few]
        )
        _, complete_ms = timed(lambda text: [hit_id(hit) for hit in complete(text)], prefixes[:count])
        rows.append(
            _row(catalog, len(shows), method, search_ms, complete_ms, results, few, keys, build_s, kept_mb, peak_mb)
        )

    measure("index", lambda: build_index(shows), args.queries)
    gc.unfreeze()
    gc.collect()
    measure("ratio scan", lambda: Scan(shows), args.queries)
    gc.unfreeze()
    gc.collect()
    if args.wratio_queries > 0:
        # seconds a query at a million names
        count = args.wratio_queries if len(shows) <= 100_000 else min(args.wratio_queries, 10)
        measure("wratio scan", lambda: Scan(shows, wratio=True), count)
        gc.unfreeze()
    return rows


def measure_kinds(shows: Sequence[Entry], people: Sequence[Entry], rng: random.Random) -> list[dict[str, object]]:
    """Top-1 accuracy per kind of query on the seed, for the index and both baselines."""
    queries = make_queries(shows, people, rng, per_kind=100)
    show_index, person_index = build_index(shows), build_index(people)
    baselines = {
        "ratio scan": (Scan(shows), Scan(people)),
        "wratio scan": (Scan(shows, wratio=True), Scan(people, wratio=True)),
    }
    right: Counter[tuple[str, str]] = Counter()
    asked: Counter[str] = Counter()
    for query in queries:
        person = query.kind == "person"
        keys = [entry.key for entry in (people if person else shows)]
        index = person_index if person else show_index
        hits = index.complete(query.text) if query.kind in PREFIX_KINDS else index.search(query.text)
        asked[query.kind] += 1
        right[query.kind, "index"] += bool(hits) and keys[hits[0].id] in query.accepted
        for method, (for_shows, for_people) in baselines.items():
            found = (for_people if person else for_shows).search(query.text, 1)
            right[query.kind, method] += bool(found) and keys[found[0]] in query.accepted
    rows: list[dict[str, object]] = []
    for kind in [*KINDS, "all"]:
        total = sum(asked.values()) if kind == "all" else asked[kind]
        row: dict[str, object] = {"kind": kind, "queries": total}
        for method in ("index", *baselines):
            hits = sum(right[k, method] for k in KINDS) if kind == "all" else right[kind, method]
            row[method] = round(100.0 * hits / max(1, total), 1)
        rows.append(row)
    return rows


def _row(
    catalog: str,
    size: int,
    method: str,
    search_ms: Timings,
    complete_ms: Timings,
    results: Sequence[list[int]],
    queries: Sequence[Query],
    keys: Sequence[str],
    build_s: float,
    kept_mb: float | None,
    peak_mb: float | None,
) -> dict[str, object]:
    def rounded(value: float | None, digits: int = 3) -> float | None:
        return None if value is None else round(value, digits)

    return {
        "catalog": catalog,
        "size": size,
        "method": method,
        "queries": len(queries),
        "search_p50_ms": rounded(statistics.median(search_ms.wall)),
        "search_p99_ms": rounded(percentile(search_ms.wall, 0.99)),
        "search_p999_ms": rounded(percentile(search_ms.wall, 0.999)),
        "complete_p50_ms": rounded(statistics.median(complete_ms.wall)),
        "complete_p99_ms": rounded(percentile(complete_ms.wall, 0.99)),
        "complete_p999_ms": rounded(percentile(complete_ms.wall, 0.999)),
        "search_cpu_p50_ms": rounded(statistics.median(search_ms.cpu)),
        "search_cpu_p99_ms": rounded(percentile(search_ms.cpu, 0.99)),
        "search_cpu_p999_ms": rounded(percentile(search_ms.cpu, 0.999)),
        "complete_cpu_p50_ms": rounded(statistics.median(complete_ms.cpu)),
        "complete_cpu_p99_ms": rounded(percentile(complete_ms.cpu, 0.99)),
        "complete_cpu_p999_ms": rounded(percentile(complete_ms.cpu, 0.999)),
        "top1": round(accuracy(results, queries, keys, 1), 1),
        "top5": round(accuracy(results, queries, keys, 5), 1),
        "build_s": round(build_s, 2),
        "kept_mb": rounded(kept_mb, 1),
        "peak_mb": rounded(peak_mb, 1),
    }


def _cell(value: object) -> str:
    return "—" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


def print_tables(size_rows: Sequence[dict[str, object]], kind_rows: Sequence[dict[str, object]]) -> None:
    columns = (
        "catalog", "size", "method", "queries", "search_p50_ms", "search_p99_ms", "search_p999_ms",
        "complete_p50_ms", "complete_p99_ms", "complete_p999_ms", "top1", "top5", "build_s", "kept_mb", "peak_mb",
    )  # fmt: skip
    print(
        "| catalog | size | method | queries | search p50 ms | p99 | p99.9 | complete p50 ms | p99 | p99.9 "
        "| top-1 % | top-5 % | build s | memory MB | build peak MB |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in size_rows:
        print("| " + " | ".join(_cell(row[column]) for column in columns) + " |")
    print()
    print("CPU time per query (`time.thread_time`), the same queries:")
    print()
    cpu_columns = [column.replace("_p", "_cpu_p") for column in columns[4:10]]
    print("| catalog | size | method | search p50 ms | p99 | p99.9 | complete p50 ms | p99 | p99.9 |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for row in size_rows:
        print("| " + " | ".join(_cell(row[column]) for column in (*columns[:3], *cpu_columns)) + " |")
    if kind_rows:
        print()
        print("| kind | queries | index top-1 % | ratio scan top-1 % | wratio scan top-1 % |")
        print("|---|---:|---:|---:|---:|")
        for row in kind_rows:
            print(f"| {row['kind']} | {row['queries']} | {row['index']} | {row['ratio scan']} | {row['wratio scan']} |")


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=SEED_CATALOG, help="the seed catalog file")
    parser.add_argument("--catalogs", default=",".join(CATALOG_KINDS), help="kinds of made-up shows to add")
    parser.add_argument("--sizes", default="seed,100000,1000000")
    parser.add_argument("--queries", type=int, default=FAIR, help="search and complete queries per size")
    parser.add_argument("--wratio-queries", type=int, default=100, help="queries for the slow WRatio scan")
    parser.add_argument("--no-kinds", dest="kinds", action="store_false", help="skip the per-kind seed table")
    parser.add_argument("--no-memory", dest="memory", action="store_false", help="skip the traced second build")
    parser.add_argument("--seed", type=int, default=REPORT_SEED)
    parser.add_argument("--json", action="store_true", help="print JSON objects, one a line, not tables")
    parser.add_argument("--write-queries", type=Path, help="write a query set for tests/test_search.py")
    args = parser.parse_args()
    began, load_before = time.perf_counter(), _load()
    seed_shows, people = load_seed(args.catalog)
    if args.write_queries:
        write_queries(args.write_queries, make_queries(seed_shows, people, random.Random(args.seed), 25))
        return
    kind_rows = measure_kinds(seed_shows, people, random.Random(args.seed)) if args.kinds else []
    size_rows: list[dict[str, object]] = []
    for catalog in args.catalogs.split(","):
        for size in args.sizes.split(","):
            if size == "seed" and catalog != args.catalogs.split(",")[0]:
                continue  # the seed is the same for every kind
            count = len(seed_shows) if size == "seed" else int(size)
            shows = make_catalog(catalog, seed_shows, count, random.Random(f"{args.seed}:{catalog}:{count}"))
            rows = measure_size("seed" if size == "seed" else catalog, shows, args, random.Random(args.seed + count))
            size_rows += rows
            if args.json:
                for row in rows:
                    print(json.dumps(row), flush=True)
            print(f"measured {catalog} {count:,} titles (load {_load()})", file=sys.stderr, flush=True)
    if args.json:
        for row in kind_rows:
            print(json.dumps(row))
    else:
        print_tables(size_rows, kind_rows)
    print(
        f"\n{os.cpu_count()} cores; load average {load_before} before, {_load()} after; "
        f"{time.perf_counter() - began:.0f} s in all",
        file=sys.stderr if args.json else sys.stdout,
    )


if __name__ == "__main__":
    main()
