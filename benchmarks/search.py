"""Benchmark bot/search.py against a naive rapidfuzz scan, at catalog sizes from the seed to a million.

    python benchmarks/search.py                 # both tables, ~6 minutes on 2 cores
    python benchmarks/search.py --json          # the size table as JSON rows
    python benchmarks/search.py --sizes 1700,10000 --queries 100
    python benchmarks/search.py --write-queries tests/data/search_queries.tsv --seed 7

Catalogs bigger than the seed are the seed plus synthetic shows (titles drawn from the seed's words,
romanised Korean words and names, subtitles and seasons; a third get a Hangul title).  Queries are made
by `make_queries` from a seeded random.Random: the development seed (1) was used to tune the index, the
report seed (2024) only to print these tables.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import random
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz, process, utils

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.search import SearchIndex, _acronyms, popularity_from_rank  # noqa: E402
from bot.text import normalize, search_key  # noqa: E402

SEED_CATALOG = ROOT / "data" / "seed" / "catalog.json"
DEV_SEED = 1
REPORT_SEED = 2024

KINDS = (
    "typo",
    "lower",
    "missing_word",
    "prefix",
    "hangul",
    "hangul_prefix",
    "hangul_typo",
    "no_spaces",
    "acronym",
    "shortening",
    "person",
)
PREFIX_KINDS = frozenset({"prefix", "hangul_prefix"})
SMALL_WORDS = frozenset("a an and at by for from in is of on or the to with".split())


# -- catalogs ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    """A show or person as the benchmark sees it: stable key, names (display first), popularity."""

    key: str
    names: tuple[str, ...]
    popularity: float
    hangul: str | None = None


def load_seed(path: Path = SEED_CATALOG) -> tuple[list[Entry], list[Entry]]:
    """Read the seed catalog's shows and people."""
    catalog = json.loads(path.read_text(encoding="utf-8"))
    shows = []
    for show in catalog["shows"]:
        names = [show["title"]]
        if show.get("hangul_title"):
            names.append(show["hangul_title"])
        names += show.get("alt_titles") or []
        names += show.get("aliases") or []
        shows.append(
            Entry(
                show["key"],
                tuple(dict.fromkeys(names)),
                popularity_from_rank(show.get("popularity_rank")),
                show.get("hangul_title"),
            )
        )
    people = []
    for person in catalog["people"]:
        names = [person["name"]]
        if person.get("hangul_name"):
            names.append(person["hangul_name"])
        names += person.get("alt_names") or []
        people.append(Entry(person["key"], tuple(dict.fromkeys(names)), 0.0, person.get("hangul_name")))
    return shows, people


_ONSETS = ("g", "k", "kk", "n", "d", "t", "r", "m", "b", "p", "s", "ss", "j", "jj", "ch", "h", "", "")
_VOWELS = ("a", "ae", "ya", "eo", "e", "yeo", "o", "wa", "oe", "yo", "u", "wo", "wi", "yu", "eu", "ui", "i")
_CODAS = ("", "", "", "n", "ng", "l", "m", "k", "p")
_SURNAMES = ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh", "Seo")
_HANGUL = "사랑의불시착호텔델루나빈센조운드트랙나의아저씨도깨비이상한변호사우영우별에서온그대태양후예응답하라"


def _roman_word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables))


def synthetic_shows(seed_shows: Sequence[Entry], count: int, rng: random.Random) -> list[Entry]:
    """Return `count` plausible made-up shows, built from the seed titles' own words."""
    words = Counter(word for show in seed_shows for word in show.names[0].split())
    vocabulary, weights = list(words), list(words.values())
    seed_titles = [show.names[0] for show in seed_shows]

    def english(low: int, high: int) -> str:
        return " ".join(rng.choices(vocabulary, weights, k=rng.randint(low, high)))

    def korean() -> str:
        return _roman_word(rng, rng.randint(1, 3)).capitalize()

    def person() -> str:
        return f"{rng.choice(_SURNAMES)} {_roman_word(rng, 1).capitalize()} {_roman_word(rng, 1).capitalize()}"

    makers: list[Callable[[], str]] = [
        lambda: english(1, 5),
        lambda: english(2, 4),
        lambda: korean(),
        lambda: f"{korean()} {english(1, 2)}",
        lambda: f"{english(1, 2)} {korean()}",
        lambda: f"{person()}'s {english(1, 2)}",
        lambda: f"{english(1, 3)}: {english(1, 3)}",
        lambda: f"{english(1, 4)} Season {rng.randint(2, 4)}",
        lambda: f"{rng.choice(seed_titles)} {rng.choice(('2', 'Returns', 'The Movie', 'Begins', '1988'))}",
    ]
    shows = []
    for number in range(count):
        title = rng.choice(makers)()
        while not search_key(title):
            title = rng.choice(makers)()
        names: tuple[str, ...] = (title,)
        hangul = None
        if rng.random() < 0.33:
            hangul = "".join(rng.choices(_HANGUL, k=rng.randint(2, 7)))
            names = (title, hangul)
        popularity = popularity_from_rank(rng.randint(300, 200_000))
        shows.append(Entry(f"syn:{number}", names, popularity, hangul))
    return shows


def build_index(entries: Sequence[Entry]) -> SearchIndex:
    index = SearchIndex()
    index.extend((number, entry.names, entry.popularity, None) for number, entry in enumerate(entries))
    return index


# -- queries -------------------------------------------------------------------------------------

_NEIGHBOURS = {
    row[i]: row[max(0, i - 1) : i] + row[i + 1 : i + 2]
    for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    for i in range(len(row))
}


@dataclasses.dataclass(frozen=True, slots=True)
class Query:
    """A query a fan might type, the entry they mean, and every entry it is fair to answer with."""

    kind: str
    text: str
    target: str
    accepted: frozenset[str]


def typo(text: str, rng: random.Random, edits: int = 1) -> str:
    """Delete, substitute (a neighbouring key, half the time), transpose or insert random letters."""
    chars = list(text.lower())
    for _ in range(edits):
        spots = [i for i, c in enumerate(chars) if c.isalnum()]
        if len(spots) < 2:
            break
        i = rng.choice(spots[1:]) if rng.random() < 0.8 else spots[0]  # fans rarely miss the first letter
        operation = rng.choice(("delete", "substitute", "transpose", "insert"))
        near = _NEIGHBOURS.get(chars[i], "")
        letter = rng.choice(near) if near and rng.random() < 0.5 else rng.choice("abcdefghijklmnopqrstuvwxyz")
        if operation == "delete":
            del chars[i]
        elif operation == "substitute":
            chars[i] = letter if letter != chars[i] else "x"
        elif operation == "transpose" and i + 1 < len(chars) and chars[i + 1] != chars[i]:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars.insert(i, letter)
    return "".join(chars)


_JAMO_SWAPS = {0: 19, 1: 21}  # lead consonants, vowels


def hangul_typo(text: str, rng: random.Random) -> str:
    """Change one letter (a lead consonant or a vowel) of one Hangul syllable."""
    spots = [i for i, c in enumerate(text) if "가" <= c <= "힣"]
    if not spots:
        return text
    i = rng.choice(spots)
    code = ord(text[i]) - 0xAC00
    lead, rest = divmod(code, 588)
    vowel, tail = divmod(rest, 28)
    if rng.random() < 0.5:
        lead = (lead + rng.randint(1, 18)) % 19
    else:
        vowel = (vowel + rng.randint(1, 20)) % 21
    return text[:i] + chr(0xAC00 + lead * 588 + vowel * 28 + tail) + text[i + 1 :]


def hangul_prefix(text: str, rng: random.Random) -> str:
    """Cut a Hangul title as an IME shows it mid-typing: whole syllables, the last maybe without its final."""
    cut = rng.randint(2, max(2, len(text) - 1))
    typed = text[:cut]
    last = typed[-1]
    if "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 and rng.random() < 0.5:
        typed = typed[:-1] + chr(ord(last) - (ord(last) - 0xAC00) % 28)
    return typed


def _acronym(title: str) -> str:
    return "".join(word[0] for word in normalize(title).split())


def make_queries(
    shows: Sequence[Entry], people: Sequence[Entry], rng: random.Random, per_kind: int = 100
) -> list[Query]:
    """Generate `per_kind` queries of every kind in KINDS, each from a random show or person."""
    by_key: dict[str, set[str]] = {}
    for show in shows:
        for name in show.names:
            by_key.setdefault(search_key(name), set()).add(show.key)
    popularity = {show.key: show.popularity for show in shows}
    people_by_key: dict[str, set[str]] = {}
    for entry in people:
        for name in entry.names:
            people_by_key.setdefault(search_key(name), set()).add(entry.key)
    # Every name's acronyms, in both of the index's forms: an alternative title shares an acronym as a title does.
    acronyms = Counter(a for show in shows for name in show.names for a in set(_acronyms(normalize(name))))
    sorted_keys = sorted(by_key)

    def same_title(show: Entry) -> frozenset[str]:
        return frozenset({show.key} | by_key[search_key(show.names[0])])

    def most_popular_with_prefix(typed: str, target: str) -> frozenset[str]:
        import bisect

        key = search_key(typed)
        low = bisect.bisect_left(sorted_keys, key)
        holders: set[str] = set()
        for k in sorted_keys[low:]:
            if not k.startswith(key):
                break
            holders |= by_key[k]
        top = max((popularity[h] for h in holders), default=0.0)
        return frozenset({target} | {h for h in holders if popularity[h] == top})

    def fresh(text: str, accepted: frozenset[str]) -> bool:
        """Keep a query only if it does not spell another show's name outright."""
        owners = by_key.get(search_key(text), set())
        return bool(search_key(text)) and owners <= accepted

    def unambiguous(text: str, accepted: frozenset[str]) -> bool:
        """Keep a shortened title only if no other show's name begins with it (else prefixes rank first)."""
        import bisect

        key = search_key(text)
        low = bisect.bisect_left(sorted_keys, key)
        for k in sorted_keys[low:]:
            if not k.startswith(key):
                return True
            if not by_key[k] <= accepted:
                return False
        return True

    def generate(kind: str, show: Entry) -> Query | None:
        title = show.names[0]
        words = title.split()
        accepted = same_title(show)
        text: str | None = None
        if kind == "typo" and len(search_key(title)) >= 6:
            text = typo(title, rng, 2 if len(search_key(title)) >= 14 and rng.random() < 0.3 else 1)
        elif kind == "lower":
            text = normalize(title) if rng.random() < 0.5 else title.lower()
        elif kind == "missing_word" and len(words) >= 3:
            inner = range(1, len(words) - 1)
            small = [i for i in inner if normalize(words[i]) in SMALL_WORDS]
            if small:
                drop = rng.choice(small)
                text = " ".join(words[:drop] + words[drop + 1 :]).lower()
                text = text if unambiguous(text, accepted) else None
        elif kind == "prefix" and len(title) >= 6:
            text = title.lower()[: rng.randint(4, min(8, len(title) - 1))]
            accepted = most_popular_with_prefix(text, show.key)
        elif kind == "hangul" and show.hangul:
            text = show.hangul if rng.random() < 0.6 else show.hangul.replace(" ", "")
        elif kind == "hangul_prefix" and show.hangul and len(show.hangul.replace(" ", "")) >= 3:
            text = hangul_prefix(show.hangul, rng)
            accepted = most_popular_with_prefix(text, show.key)
        elif kind == "hangul_typo" and show.hangul and len(show.hangul.replace(" ", "")) >= 3:
            text = hangul_typo(show.hangul, rng)
        elif kind == "no_spaces" and len(words) >= 2:
            text = normalize(title).replace(" ", "")
        elif (
            kind == "acronym"
            and len(normalize(title).split()) >= 3
            and normalize(title).replace(" ", "").isalpha()
            and acronyms[_acronym(title)] == 1
        ):
            text = _acronym(title)
        elif kind == "shortening":
            text = shorten(title)
            text = text if text and unambiguous(text, accepted) else None
        if text is None or not text.strip() or not fresh(text, accepted):
            return None
        return Query(kind, text, show.key, accepted)

    queries: list[Query] = []
    for kind in KINDS:
        made = 0
        for _ in range(200 * per_kind):
            if made == per_kind:
                break
            if kind == "person":
                entry = rng.choice(people)
                query = person_variant(entry, rng)
                if query is not None and people_by_key.get(search_key(query.text), set()) <= query.accepted:
                    query = dataclasses.replace(
                        query, accepted=query.accepted | people_by_key.get(search_key(entry.names[0]), set())
                    )
                else:
                    query = None
            else:
                query = generate(kind, rng.choice(shows))
            if query is not None:
                queries.append(query)
                made += 1
    return queries


def shorten(title: str) -> str | None:
    """Cut a title the way fans do: drop the subtitle, the season, or a leading article."""
    lowered = title.lower()
    for marker in (":", " - ", " season ", " part "):
        if marker in lowered:
            return title[: lowered.index(marker)]
    for article in ("the ", "a "):
        if lowered.startswith(article) and len(title.split()) >= 3:
            return title[len(article) :]
    return None


def person_variant(person: Entry, rng: random.Random) -> Query | None:
    """Spell a name as fans do: lower case, hyphenated, run together, or the given name joined."""
    parts = normalize(person.names[0]).split()
    if len(parts) != 3:
        return None
    family, first, second = parts
    text = rng.choice(
        (
            f"{family} {first}-{second}",
            f"{family}{first}{second}",
            f"{family} {first}{second}",
            f"{family} {first} {second}",
            typo(f"{family} {first} {second}", rng),
        )
    )
    return Query("person", text, person.key, frozenset({person.key}))


def write_queries(path: Path, queries: Sequence[Query]) -> None:
    lines = ["kind\tquery\ttarget\taccepted"]
    lines += [f"{q.kind}\t{q.text}\t{q.target}\t{','.join(sorted(q.accepted))}" for q in queries]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- measuring -----------------------------------------------------------------------------------


class Naive:
    """The baseline: rapidfuzz's process.extract with WRatio over every name, nothing precomputed."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.names: list[str] = []
        self.owner: list[int] = []
        for number, entry in enumerate(entries):
            for name in entry.names:
                self.names.append(name)
                self.owner.append(number)

    def search(self, query: str, limit: int = 10) -> list[int]:
        found: list[int] = []
        for _, _, position in process.extract(
            query, self.names, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit * 3
        ):
            if self.owner[position] not in found:
                found.append(self.owner[position])
        return found[:limit]


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed(function: Callable[[str], list[int]], queries: Sequence[str]) -> tuple[list[list[int]], list[float]]:
    results, times = [], []
    for text in queries:
        start = time.perf_counter()
        results.append(function(text))
        times.append((time.perf_counter() - start) * 1000)
    return results, times


def accuracy(results: Sequence[list[int]], queries: Sequence[Query], keys: Sequence[str], top: int) -> float:
    right = sum(
        any(keys[found] in query.accepted for found in result[:top])
        for result, query in zip(results, queries, strict=True)
    )
    return 100.0 * right / max(1, len(queries))


def typo_queries(shows: Sequence[Entry], count: int, rng: random.Random) -> list[Query]:
    """Typo queries on random titles of at least 6 letters; a typo that spells another name counts for it."""
    by_key: dict[str, set[str]] = {}
    for show in shows:
        for name in show.names:
            by_key.setdefault(search_key(name), set()).add(show.key)
    queries = []
    while len(queries) < count:
        show = rng.choice(shows)
        title = show.names[0]
        if len(search_key(title)) < 6:
            continue
        text = typo(title, rng, 2 if len(search_key(title)) >= 14 and rng.random() < 0.3 else 1)
        accepted = {show.key} | by_key[search_key(title)] | by_key.get(search_key(text), set())
        queries.append(Query("typo", text, show.key, frozenset(accepted)))
    return queries


def build_cost(build: Callable[[], object]) -> tuple[float, float]:
    """Return the seconds a build takes, and the peak MB it allocates (tracemalloc, in a second build)."""
    gc.collect()
    start = time.perf_counter()
    build()
    seconds = time.perf_counter() - start
    gc.collect()
    tracemalloc.start()
    build()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    gc.collect()
    return seconds, peak


def measure_size(
    shows: Sequence[Entry], queries: int, baseline_queries: int, rng: random.Random
) -> list[dict[str, object]]:
    """Time and score both methods on one catalog: typo queries for search, prefixes for autocomplete."""
    typos = typo_queries(shows, queries, rng)
    prefixes = [
        show.names[0].lower()[: rng.randint(4, 8)]
        for show in rng.sample(list(shows), queries * 2)
        if len(show.names[0]) >= 5
    ][:queries]
    keys = [show.key for show in shows]

    build_s, peak_mb = build_cost(lambda: build_index(shows))
    index = build_index(shows)

    def ours_search(text: str) -> list[int]:
        return [hit.id for hit in index.search(text, limit=5)]

    def ours_complete(text: str) -> list[int]:
        return [hit.id for hit in index.complete(text)]

    for query in typos[:20]:  # warm up
        ours_search(query.text)
        ours_complete(query.text[:6])
    results, search_ms = timed(ours_search, [q.text for q in typos])
    _, complete_ms = timed(ours_complete, prefixes)
    rows = [_row(len(shows), "index", search_ms, complete_ms, results, typos, keys, peak_mb, build_s)]

    build_s, peak_mb = build_cost(lambda: Naive(shows))
    naive = Naive(shows)
    few = typos[:baseline_queries]
    results, search_ms = timed(lambda text: naive.search(text, 5), [q.text for q in few])
    _, complete_ms = timed(lambda text: naive.search(text, 25), prefixes[:baseline_queries])
    rows.append(_row(len(shows), "wratio scan", search_ms, complete_ms, results, few, keys, peak_mb, build_s))
    return rows


def measure_kinds(shows: Sequence[Entry], people: Sequence[Entry], rng: random.Random) -> list[dict[str, object]]:
    """Top-1 accuracy per kind of query on the seed, for the index and the baseline."""
    queries = make_queries(shows, people, rng, per_kind=100)
    show_index, person_index = build_index(shows), build_index(people)
    naive_shows, naive_people = Naive(shows), Naive(people)
    right: Counter[tuple[str, str]] = Counter()
    asked: Counter[str] = Counter()
    for query in queries:
        person = query.kind == "person"
        keys = [entry.key for entry in (people if person else shows)]
        index = person_index if person else show_index
        hits = index.complete(query.text) if query.kind in PREFIX_KINDS else index.search(query.text)
        naive = (naive_people if person else naive_shows).search(query.text, 1)
        asked[query.kind] += 1
        right[query.kind, "index"] += bool(hits) and keys[hits[0].id] in query.accepted
        right[query.kind, "wratio scan"] += bool(naive) and keys[naive[0]] in query.accepted
    rows: list[dict[str, object]] = []
    for kind in [*KINDS, "all"]:
        total = sum(asked.values()) if kind == "all" else asked[kind]
        row: dict[str, object] = {"kind": kind, "queries": total}
        for method in ("index", "wratio scan"):
            hits = sum(right[k, method] for k in KINDS) if kind == "all" else right[kind, method]
            row[method] = round(100.0 * hits / max(1, total), 1)
        rows.append(row)
    return rows


def _row(
    size: int,
    method: str,
    search_ms: Sequence[float],
    complete_ms: Sequence[float],
    results: Sequence[list[int]],
    queries: Sequence[Query],
    keys: Sequence[str],
    peak_mb: float,
    build_s: float,
) -> dict[str, object]:
    return {
        "size": size,
        "method": method,
        "queries": len(queries),
        "p50_ms": round(statistics.median(search_ms), 3),
        "p99_ms": round(percentile(search_ms, 0.99), 3),
        "complete_p50_ms": round(statistics.median(complete_ms), 3),
        "complete_p99_ms": round(percentile(complete_ms, 0.99), 3),
        "top1": round(accuracy(results, queries, keys, 1), 1),
        "top5": round(accuracy(results, queries, keys, 5), 1),
        "peak_mb": round(peak_mb, 1),
        "build_s": round(build_s, 2),
    }


def print_tables(size_rows: Sequence[dict[str, object]], kind_rows: Sequence[dict[str, object]]) -> None:
    print(
        "| size | method | search p50 ms | search p99 ms | complete p50 ms | complete p99 ms "
        "| top-1 % | top-5 % | peak MB | build s | queries |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in size_rows:
        print(
            f"| {row['size']:,} | {row['method']} | {row['p50_ms']} | {row['p99_ms']} | {row['complete_p50_ms']} "
            f"| {row['complete_p99_ms']} | {row['top1']} | {row['top5']} | {row['peak_mb']} | {row['build_s']} "
            f"| {row['queries']} |"
        )
    print()
    print("| kind | queries | index top-1 % | wratio scan top-1 % |")
    print("|---|---:|---:|---:|")
    for row in kind_rows:
        print(f"| {row['kind']} | {row['queries']} | {row['index']} | {row['wratio scan']} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, default=SEED_CATALOG)
    parser.add_argument("--sizes", default="seed,10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=300, help="typo and prefix queries per size")
    parser.add_argument("--seed", type=int, default=REPORT_SEED)
    parser.add_argument("--json", action="store_true", help="print JSON objects, one a line, not tables")
    parser.add_argument("--write-queries", type=Path, help="write a query set for tests/test_search.py")
    args = parser.parse_args()
    began = time.perf_counter()
    seed_shows, people = load_seed(args.catalog)
    if args.write_queries:
        write_queries(args.write_queries, make_queries(seed_shows, people, random.Random(args.seed), 25))
        return
    rng = random.Random(args.seed)
    kind_rows = measure_kinds(seed_shows, people, rng)
    size_rows: list[dict[str, object]] = []
    for size in args.sizes.split(","):
        count = len(seed_shows) if size == "seed" else int(size)
        shows = seed_shows + synthetic_shows(seed_shows, count - len(seed_shows), rng)
        # The scan takes ~2.5 s a query at a million names: fewer queries keep the run to minutes.
        baseline_queries = args.queries if count <= 10_000 else args.queries // 3 if count <= 100_000 else 10
        size_rows += measure_size(shows, args.queries, baseline_queries, rng)
        print(f"measured {count:,} titles", file=sys.stderr)
    if args.json:
        for row in [*size_rows, *kind_rows]:
            print(json.dumps(row))
    else:
        print_tables(size_rows, kind_rows)
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"\n{os.cpu_count()} cores, load average {load} at the end; {time.perf_counter() - began:.0f} s in all")


if __name__ == "__main__":
    main()
