"""Top-1 of the index against the full `ratio` scan over several generated catalogs, not just the report's one.

    python benchmarks/top1.py                                   # seed and 100k: 5 seeds; 1M: 3 seeds (~15 min)
    python benchmarks/top1.py --sizes 100000 --kinds common --seeds 1,2,3,4,5

benchmarks/search.py scores both on one catalog and one query set per size, where a handful of queries decide
the difference: two titles as close to a typo as each other ("rfom your": "From Your" or "Room Your") go to the
more popular one in the index and to the first listed in the scan, a coin flip either way. This script repeats
the comparison over other seeds (another catalog of the same kind, other typo queries), and prints per size the
mean of each, the paired difference per seed, and on how many seeds the index scored at least the scan's.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections.abc import Sequence

from catalogs import KINDS, Entry, load_seed, make_catalog
from queries import typo_queries
from search import Scan, accuracy, build_index, hit_id

QUERIES = 1000


def top1(kind: str, size: str, seed: int, seed_shows: Sequence[Entry]) -> tuple[float, float]:
    if size == "seed":
        shows = list(seed_shows)
    else:
        shows = make_catalog(kind, seed_shows, int(size), random.Random(f"{seed}:{kind}:{size}"))
    queries = typo_queries(shows, QUERIES, random.Random(f"{seed}:queries:{size}"))
    keys = [show.key for show in shows]
    index, scan = build_index(shows), Scan(shows)
    by_index = [[hit_id(hit) for hit in index.search(query.text, limit=1)] for query in queries]
    by_scan = [scan.search(query.text, limit=1) for query in queries]
    return accuracy(by_index, queries, keys, 1), accuracy(by_scan, queries, keys, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--sizes", default="seed,100000,1000000")
    parser.add_argument("--seeds", default="1,2,3,4,5", help="seeds at the seed's size and 100k")
    parser.add_argument("--million-seeds", default="1,2,3", help="seeds at sizes over 100k (each ~90 s a kind)")
    args = parser.parse_args()
    seed_shows, _ = load_seed()
    print("| catalog | size | seeds | index top-1 (mean) | ratio scan top-1 (mean) | index - scan, per seed "
          "| index >= scan |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for size in args.sizes.split(","):
        kinds = ["seed"] if size == "seed" else args.kinds.split(",")
        big = size != "seed" and int(size) > 100_000
        seeds = [int(s) for s in (args.million_seeds if big else args.seeds).split(",")]
        for kind in kinds:
            pairs = [top1(kind, size, seed, seed_shows) for seed in seeds]
            differences = [a - b for a, b in pairs]
            print(
                f"| {kind} | {size} | {len(seeds)} | {statistics.mean(a for a, _ in pairs):.2f}% "
                f"| {statistics.mean(b for _, b in pairs):.2f}% | {', '.join(f'{d:+.1f}' for d in differences)} "
                f"| {sum(d >= 0 for d in differences)} of {len(seeds)} |",
                flush=True,
            )


if __name__ == "__main__":
    sys.exit(main())
