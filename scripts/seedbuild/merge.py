"""Which records of the four sources are one show, and which source wins each field.

Matching, one source at a time, each record to at most one show and each show to at most one record of a source:
1. MyDramaList pages to the core shows: the same English title (normalised) or one in the other's also-known-as,
   the same Hangul title (compared without spaces or punctuation), or two or more of the same cast; in every case
   premiere years at most one apart. The strongest evidence wins (title 4, Hangul 3, cast up to 3, a title
   among the other's also-known-as 2); a tie between two shows is ambiguous and matches neither.
2. Daum to those: the same Hangul title (any of a show's Hangul titles) and a year at most one apart; else the
   same premiere date on the same network.
3. Wikipedia to all of them: an English title or also-known-as in common, or two or more of the same cast, with
   one of the row's years at most one from the show's; else the same premiere date on the same network.
4. TMDB's series.csv, for shows the core did not link, by Hangul title and year: its id, poster and cast order.
A record matched to nothing is a show of its own. Shows whose first year is outside 2000-2025 are left out.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from seedbuild.common import (  # fmt: skip
    HANGUL,
    MIN_TMDB_VOTES,
    Stats,
    clean_text,
    normalise_name,
    normalise_title,
    parse_float,
    parse_int,
    year_of,
)
from seedbuild.core import Core, is_garbled, tmdb_cast, tmdb_genres
from seedbuild.model import Record

FIRST_YEAR, LAST_YEAR = 2000, 2025
SOURCE_ORDER = ("kd", "mdl", "daum", "wiki", "tmdb")

WIKI_GENRES = {
    "romantic comedy": ("Comedy", "Romance"), "romance": ("Romance",), "comedy": ("Comedy",), "drama": ("Drama",),
    "melodrama": ("Melodrama",), "family": ("Family",), "family drama": ("Family",), "thriller": ("Thriller",),
    "mystery": ("Mystery",), "fantasy": ("Fantasy",), "action": ("Action",), "historical": ("Historical",),
    "period drama": ("Historical",), "historical drama": ("Historical",), "sageuk": ("Historical",),
    "crime": ("Crime",), "crime drama": ("Crime",), "crime thriller": ("Crime", "Thriller"), "horror": ("Horror",),
    "medical drama": ("Medical",), "medical": ("Medical",), "legal drama": ("Law",), "legal": ("Law",),
    "legal thriller": ("Law", "Thriller"), "coming-of-age": ("Youth",), "coming of age": ("Youth",),
    "teen": ("Youth",), "teen drama": ("Youth",), "youth": ("Youth",), "science fiction": ("Sci-Fi",),
    "sci-fi": ("Sci-Fi",), "political": ("Political",), "political drama": ("Political",),
    "political thriller": ("Political", "Thriller"), "music": ("Music",), "musical": ("Music",),
    "sports": ("Sports",), "sports drama": ("Sports",), "sitcom": ("Sitcom",), "supernatural": ("Supernatural",),
    "war": ("War",), "psychological thriller": ("Psychological", "Thriller"), "psychological": ("Psychological",),
    "psychological drama": ("Psychological",), "black comedy": ("Comedy",), "slice of life": ("Life",),
    "slice-of-life": ("Life",), "workplace": ("Business",), "romantic drama": ("Romance",),
    "action comedy": ("Action", "Comedy"), "suspense": ("Thriller",), "romantic fantasy": ("Fantasy", "Romance"),
}  # fmt: skip


@functools.cache  # called for each pair of candidates: each title is read once per build
def compact(text: str) -> str:
    """A Hangul title's matching form: NFC, no spaces or punctuation ("사운드트랙 #1" == "사운드트랙#1")."""
    text = unicodedata.normalize("NFC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


@functools.cache
def is_latin(text: str) -> bool:
    """Whether an also-known-as is plain Latin letters (English, or a romanisation), not another script."""
    return bool(text) and all(ord(ch) < 0x250 or ch in "\u2018\u2019\u201c\u201d\u2013\u2014" for ch in text)


@dataclass
class Cluster:
    """One show: the records of each source that describe it."""

    records: dict[str, Record] = field(default_factory=dict)

    def first(self, *sources: str) -> Iterable[Record]:
        for source in sources or SOURCE_ORDER:
            if source in self.records:
                yield self.records[source]

    @property
    def year(self) -> int | None:
        for record in self.first():
            if record.year:
                return record.year
        return None

    @property
    def years(self) -> set[int]:
        return {y for r in self.records.values() if r.source != "wiki" for y in ((r.year,) if r.year else ())} or {
            y for r in self.records.values() for y in r.years
        }

    def english(self) -> set[str]:
        names = set()
        for record in self.records.values():
            if record.title and not record.garbled:
                names.add(normalise_title(record.title))
            for aka in record.akas:
                if is_latin(aka) and not is_garbled(aka):
                    names.add(normalise_title(aka))
        names.discard("")
        return names

    def primary_english(self) -> set[str]:
        return {normalise_title(r.title) for r in self.records.values() if r.title and not r.garbled} - {""}

    def hangul(self) -> set[str]:
        keys = set()
        for record in self.records.values():
            if record.hangul:
                keys.add(compact(record.hangul))
            for aka in record.akas:
                if HANGUL.search(aka):
                    keys.add(compact(aka))
        keys.discard("")
        return keys

    def primary_hangul(self) -> set[str]:
        return {compact(r.hangul) for r in self.records.values() if r.hangul} - {""}

    def cast_names(self) -> set[str]:
        return {normalise_name(c.name) for r in self.records.values() for c in r.cast if not c.hangul}

    def premieres(self) -> set[str]:
        return {r.premiere for r in self.records.values() if r.premiere}

    def networks(self) -> set[str]:
        return {network_family(n) for r in self.records.values() for n in r.networks}


def network_family(name: str) -> str:
    """A network's family for comparing dates across sources: "KBS2", "KBS1" and "KBS" are one; "SBS TV" is SBS."""
    return re.sub(r"[^a-z]", "", name.casefold())[:3]


def _near(year: int | None, years: Iterable[int]) -> bool:
    return year is not None and any(abs(year - y) <= 1 for y in years)


def _assign(candidates: list[tuple[float, int, int]], stats: Stats, label: str) -> dict[int, int]:
    """Pick one-to-one pairs (record index -> cluster index) from (score, record, cluster), best first.

    A record whose two best clusters score the same is ambiguous and left unmatched, and so is a cluster two
    records claim with the same score.
    """
    best_of_record: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for score, record, cluster in candidates:
        best_of_record[record].append((score, cluster))
    pairs: list[tuple[float, int, int]] = []
    for record, scored in best_of_record.items():
        scored.sort(reverse=True)
        if len(scored) > 1 and scored[0][0] == scored[1][0]:
            stats.add(f"{label}: ambiguous, left apart")
            continue
        pairs.append((scored[0][0], record, scored[0][1]))
    pairs.sort(key=lambda p: (-p[0], p[1]))
    taken_records: set[int] = set()
    taken_clusters: dict[int, float] = {}
    chosen: dict[int, int] = {}
    for score, record, cluster in pairs:
        if record in taken_records or cluster in taken_clusters:
            continue
        taken_records.add(record)
        taken_clusters[cluster] = score
        chosen[record] = cluster
    return chosen


def _match(
    clusters: list[Cluster],
    records: Sequence[Record],
    score: Callable[[Record, Cluster], float],
    indexes: Callable[[Cluster], Iterable[str]],
    keys: Callable[[Record], Iterable[str]],
    stats: Stats,
    label: str,
) -> None:
    """Add each record to the cluster it matches best, or start a cluster of its own."""
    index: dict[str, list[int]] = defaultdict(list)
    for number, cluster in enumerate(clusters):
        if label in cluster.records:
            continue
        for key in set(indexes(cluster)):
            index[key].append(number)
    candidates: list[tuple[float, int, int]] = []
    for r_number, record in enumerate(records):
        seen: set[int] = set()
        for key in set(keys(record)):
            for c_number in index.get(key, ()):
                if c_number in seen:
                    continue
                seen.add(c_number)
                value = score(record, clusters[c_number])
                if value > 0:
                    candidates.append((value, r_number, c_number))
    chosen = _assign(candidates, stats, label)
    for r_number, record in enumerate(records):
        if r_number in chosen:
            clusters[chosen[r_number]].records[record.source] = record
            stats.add(f"{label}: matched to a show")
        else:
            clusters.append(Cluster({record.source: record}))
            stats.add(f"{label}: new show")


def _network_date_keys(record: Record) -> list[str]:
    if not record.premiere:
        return []
    return [f"{record.premiere}|{network_family(n)}" for n in record.networks] + [f"{record.premiere}|"]


def _cluster_date_keys(cluster: Cluster) -> list[str]:
    keys = []
    for premiere in cluster.premieres():
        keys.append(f"{premiere}|")
        keys.extend(f"{premiere}|{n}" for n in cluster.networks())
    return keys


def match_mdl(clusters: list[Cluster], records: Sequence[Record], stats: Stats) -> None:
    def score(record: Record, cluster: Cluster) -> float:
        if not _near(record.year, cluster.years):
            return 0.0
        value = 0.0
        title = normalise_title(record.title or "")
        if title and title in cluster.primary_english():
            value += 4
        elif title in cluster.english() or {normalise_title(a) for a in record.akas if is_latin(a)} & (
            cluster.primary_english()
        ):
            value += 2
        if record.hangul and compact(record.hangul) in cluster.hangul():
            value += 3
        shared = len({normalise_name(c.name) for c in record.cast} & cluster.cast_names())
        if shared >= 2:
            value += min(shared, 3)
        return value if value >= 2 else 0.0

    _match(
        clusters,
        records,
        score,
        lambda c: [*c.english(), *c.hangul(), *c.cast_names()],
        lambda r: [
            normalise_title(r.title or ""),
            *(normalise_title(a) for a in r.akas if is_latin(a)),
            *([compact(r.hangul)] if r.hangul else []),
            *(normalise_name(c.name) for c in r.cast),
        ],
        stats,
        "mdl",
    )


def dedupe_daum(records: Sequence[Record], stats: Stats) -> list[Record]:
    """Daum lists a few dramas twice (the same Hangul title and premiere): keep the listing with more credits."""
    best: dict[tuple[str, str | None], Record] = {}
    for record in records:
        key = (compact(record.hangul or ""), record.premiere)
        kept = best.get(key)
        if kept is None or len(record.cast) + len(record.crew) > len(kept.cast) + len(kept.crew):
            best[key] = record
        if kept is not None:
            stats.add("daum: listed twice, merged")
    kept_ids = {id(r) for r in best.values()}
    return [r for r in records if id(r) in kept_ids]


def match_daum(clusters: list[Cluster], records: Sequence[Record], stats: Stats) -> None:
    def score(record: Record, cluster: Cluster) -> float:
        if record.hangul and compact(record.hangul) in cluster.hangul() and _near(record.year, cluster.years):
            primary = 1.0 if compact(record.hangul) in cluster.primary_hangul() else 0.0
            return 3.0 + primary - 0.5 * min(abs((record.year or 0) - (cluster.year or 0)), 1)
        if record.premiere in cluster.premieres() and (
            {network_family(n) for n in record.networks} & cluster.networks()
        ):
            return 2.0
        return 0.0

    _match(
        clusters,
        records,
        score,
        lambda c: [*c.hangul(), *_cluster_date_keys(c)],
        lambda r: [*([compact(r.hangul)] if r.hangul else []), *_network_date_keys(r)],
        stats,
        "daum",
    )


def match_wiki(clusters: list[Cluster], records: Sequence[Record], stats: Stats) -> None:
    def score(record: Record, cluster: Cluster) -> float:
        near = any(_near(y, cluster.years) for y in record.years)
        value = 0.0
        names = {normalise_title(record.title or ""), *(normalise_title(a) for a in record.akas)} - {""}
        if near and normalise_title(record.title or "") in cluster.primary_english():
            value += 4
        elif near and names & cluster.english():
            value += 2
        if near:
            shared = len({normalise_name(c.name) for c in record.cast} & cluster.cast_names())
            if shared >= 2:
                value += min(shared, 3)
        if record.premiere and record.premiere in cluster.premieres():
            if {network_family(n) for n in record.networks} & cluster.networks():
                value += 2
        return value if value >= 2 else 0.0

    _match(
        clusters,
        records,
        score,
        lambda c: [*c.english(), *c.cast_names(), *_cluster_date_keys(c)],
        lambda r: [
            normalise_title(r.title or ""),
            *(normalise_title(a) for a in r.akas),
            *(normalise_name(c.name) for c in r.cast),
            *_network_date_keys(r),
        ],
        stats,
        "wiki",
    )


def link_tmdb(clusters: list[Cluster], core: Core, stats: Stats) -> None:
    """Give the shows the core did not link a TMDB series, by Hangul title and year (one series, one show)."""
    by_hangul: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in core.series_rows:
        if row["tmdb_id"] in core.series_used or not HANGUL.search(row["original_name"]):
            continue
        by_hangul[compact(row["original_name"])].append(row)
    claims: dict[str, list[int]] = defaultdict(list)
    for number, cluster in enumerate(clusters):
        if "kd" in cluster.records:
            continue
        found = {
            row["tmdb_id"]: row
            for key in cluster.hangul()
            for row in by_hangul.get(key, ())
            if _near(year_of(row["airing_date"]), cluster.years)
        }
        if len(found) == 1:
            claims[next(iter(found))].append(number)
    rows = {row["tmdb_id"]: row for row in core.series_rows}
    for tmdb_id, numbers in claims.items():
        if len(numbers) != 1:
            stats.add("tmdb: series claimed by two shows, left apart")
            continue
        row = rows[tmdb_id]
        record = Record(
            source="tmdb",
            id=tmdb_id,
            title=clean_text(row["name"]) or None,
            hangul=clean_text(row["original_name"]),
            year=year_of(row["airing_date"]),
            premiere=None,
            poster_url=clean_text(row["poster_img_url"]) or None,
            tmdb_id=parse_int(tmdb_id),
            genres=sorted(set(tmdb_genres(row, core.genre_names))),
            episodes=None,
        )
        if (parse_int(row["rating_count"]) or 0) >= MIN_TMDB_VOTES:
            rating = parse_float(row["average_rating"])
            record.rating = round(rating, 1) if rating is not None and 0 <= rating <= 10 else None
        record.cast = tmdb_cast(row, core.tmdb_by_id)
        clusters[numbers[0]].records["tmdb"] = record
        stats.add("tmdb: series linked by Hangul title")


def in_range(cluster: Cluster) -> bool:
    """Whether a show premiered in 2000-2025 (the core's shows are all kept)."""
    if "kd" in cluster.records:
        return True
    year = cluster.year
    return year is not None and FIRST_YEAR <= year <= LAST_YEAR


def wiki_genres(genres: Sequence[str]) -> list[str]:
    out: set[str] = set()
    for genre in genres:
        out.update(WIKI_GENRES.get(genre.casefold(), ()))
    return sorted(out)


_SEASON_WORDS = re.compile(
    r"\b(?:temporada|sezon|sezonul|kausi|staffel|saison|stagione|seizoen|řada|phần|parte|sezóna|séria)\b", re.I
)
_FOREIGN_WORDS = frozenset(
    "de del la las los el y o do da dos das em um uma na no os e il di der die das und och och på og le les des du "
    "et un une en con sin para por al op jou het een van voor met din cu si pe lui ale ul za ze od".split()
)


def fan_alias(aka: str) -> bool:
    """Whether an also-known-as is a name fans may type: Latin letters without other languages' words, or Hangul."""
    if is_garbled(aka):
        return False
    if HANGUL.search(aka):
        return all(HANGUL.search(ch) or not ch.isalpha() or ch.isascii() for ch in aka)
    if not aka.isascii() or _SEASON_WORDS.search(aka):
        return False
    words = re.findall(r"[a-z]+", aka.casefold())
    return bool(words) and not any(w in _FOREIGN_WORDS for w in words)


def hangul_short_titles(hangul: str) -> list[str]:
    """The part of a Hangul title after a dash or colon, as fans say it: "쓸쓸하고 찬란하神 - 도깨비" -> "도깨비"."""
    parts = re.split(r"\s+[-–—:]\s+|\s*:\s+|\s+-", hangul)
    if len(parts) < 2:
        return []
    last = clean_text(parts[-1])
    return [last] if len(re.findall("[\uac00-\ud7a3]", last)) >= 2 else []
