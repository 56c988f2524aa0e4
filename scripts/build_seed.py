#!/usr/bin/env python3
"""Build the seed catalog (data/seed/catalog.json) from the raw K-drama CSVs.

    python scripts/build_seed.py --source ../shared/data/kdrama --out data/seed/catalog.json

Standard library only; the output is byte-for-byte deterministic. The format is specified in data/README.md.
Every decision below is made here once, so the seed can be audited and rebuilt.

Sources and who wins
- korean_drama.csv is the core: every row becomes one show, keyed `kd:<kdrama_id>`.
- series.csv (TMDB) and kdramalist.csv (MyDramaList) are merged in when the normalised titles agree
  (casefold, NFC, `&` -> "and", punctuation such as #:'.,!?- and curly quotes dropped, spaces collapsed) and
  the premiere years are at most one year apart. Among several candidates the closest year wins, then an
  exact title match; a tie left after that is ambiguous and nothing is merged. A candidate without any date
  is taken only when it is the sole candidate.
- Title: korean_drama's, whitespace collapsed. `alt_titles`: the merged sources' spellings when they differ
  from the title other than by letter case ("Soundtrack 1" for "Soundtrack #1").
- Hangul title: series.csv original_name (NFC, as some are stored decomposed) when it contains Hangul.
- Networks: korean_drama org_net, split (see below); when empty, kdramalist's Original Network list, then
  series.csv networks_ids via networks.csv (spelled as MyDramaList spells them when the names match loosely).
  kdramalist platforms are streaming catalogues, not networks, and are not used.
- Dates: korean_drama start_dt/end_dt ("2022-03-23", "Aug  2, 2023"; ranges like "Aug 30, 2017 - 2017" give
  the left side to the premiere and the right side to the finale); partial dates ("2017", "May, 2021") and
  anything unparsable are null. Missing ones are filled from kdramalist ("10-Sep-18": two-digit years
  00-30 are 20xx, others 19xx). A single-date listing ("Jun 30, 2023" in both columns) is a one-day release
  and is kept as premiere == finale.
- episode_minutes: korean_drama duration seconds / 60, else kdramalist Duration, else TMDB run time.
- air_days: korean_drama aired_on, else kdramalist Aired On; weekday order, deduplicated.
- genres: kdramalist's (MyDramaList vocabulary), else TMDB's via genres.csv with the combined TMDB genres
  split ("Action & Adventure" -> Action, Adventure) and History/Politics spelled Historical/Political;
  title case, sorted.
- rating: kdramalist score wins (MyDramaList fan score, thousands of votes); TMDB average_rating is used
  only when kdramalist has none and at least 5 people voted on TMDB.
- content_rating: korean_drama's, else kdramalist's; "Not Yet Rated" counts as missing (null).
- popularity_rank: korean_drama pop; 99999 is the source's "unranked" and becomes null.
- tmdb_id, poster_url (w500): series.csv.

Network splitting
org_net joins networks with spaces ("Netflix tvN", "ENA Genie TV"). It is split by greedy longest match,
word by word and case-insensitively, against a vocabulary of known single networks: kdramalist's network
lists, networks.csv names, and every org_net value with no known network inside it ("Genie TV"). Words that
match nothing are kept together as one network ("Disney+ Hulu" -> "Disney+", "Hulu"). Commas also separate.

People
One person per normalised name (casefold, NFC, whitespace and hyphens removed: "Han So Hee" == "Han So-hee",
"Yu Na" == "Yuna"). The display name is the most frequent MyDramaList spelling (wiki_actors, korean_drama),
whitespace collapsed; other spellings, TMDB's included, go to `alt_names`. The TMDB id is taken when
people.csv has exactly one person with that normalised name, or, among homonyms, exactly one whose id is
listed in a series merged into one of the person's shows (cast_ids for a cast credit, directors_ids for
a director credit); otherwise null. Keys are `p:<slug>` of the display name, with -2, -3 ... on a slug
collision. hangul_name is null: no source has one.
When korean_drama names no director, the merged series' directors_ids supply them (people.csv names,
de-hyphenated into MyDramaList style: "Kim Hee-won" -> "Kim Hee Won", the TMDB spelling kept as alt name).

Credits
- Directors and screenwriters are Python-list strings, read with ast.literal_eval (anything else -> none);
  kind "director"/"writer", billing 0, in source order, duplicates dropped.
- Cast from wiki_actors.csv. Roles: Main Role -> main, Support Role -> support, Guest Role/Guest/Bit part ->
  guest, Unknown -> null. Billing 1.. in order main, support, guest, unknown, then source order.
- Character cleaning: whitespace collapsed; every bracketed annotation -- `[...]`, `(...)`, `{...}`, also with
  mismatched (`{...]`) or missing closing brackets -- is moved to character_note, joined with "; ".
  A character written `A / B` or `A | B` (aliases, disguises, several roles) keeps A as the character and
  notes the rest as "also B" (with B's own annotations in parentheses), since A is how the listing leads.
  When nothing but annotations is left ("[Himself] (Ep. 1-4)"), one becomes the character ("Himself", note
  "Ep. 1-4"): a `[...]` description before a `(...)`, before a `{...}` segment label ("{Room 609}"); an
  episode marker never does, so "(Ep. 2)" alone gives a null character. A promoted "[A / B]" splits too.
  Wrapping quotes are dropped ('"Doctor K"' -> Doctor K).

Other quirks handled: double spaces, tabs and NBSPs inside titles, names and characters ("Park  Hyo Joo",
"Lee Min-ho\xa0"); Hangul stored decomposed (NFD); the same name twice in one director/writer list (kept
once); kdramalist rows listing one show twice ("Bravo My Life" / "Bravo, My Life": the exact title wins);
same-title different shows across sources ("Connect" 2019 vs 2022, "Alive" vs "#Alive" is the same show).
Known wrong credits in the sources (a webtoon author listed as writer) are kept as listed.
`version` is the sha256 of the canonical JSON (sorted keys, no spaces) of {"shows": ..., "people": ...}.
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT / ".." / "shared" / "data" / "kdrama"
DEFAULT_OUT = REPO_ROOT / "data" / "seed" / "catalog.json"

SOURCES = (
    "korean_drama.csv", "series.csv", "kdramalist.csv", "wiki_actors.csv", "people.csv", "genres.csv",
    "networks.csv",
)  # fmt: skip

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
UNRANKED = 99999
MIN_TMDB_VOTES = 5
ROLE_OF = {
    "main role": "main",
    "support role": "support",
    "guest role": "guest",
    "guest": "guest",
    "bit part": "guest",
}
ROLE_ORDER = {"main": 0, "support": 1, "guest": 2, None: 3}
TMDB_GENRE_PARTS = {
    "Action & Adventure": ("Action", "Adventure"),
    "Sci-Fi & Fantasy": ("Sci-Fi", "Fantasy"),
    "War & Politics": ("War", "Political"),
    "History": ("Historical",),
}
# TMDB names of networks that MyDramaList spells differently beyond case, spaces and punctuation.
TMDB_NETWORK_ALIASES = {"NAVER TV": "Naver TV Cast"}
MISSING = {"", "n/a", "?", "nan", "none", "null"}

HANGUL = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
TITLE_PUNCTUATION = re.compile(r"[#:'.,!?\-\u2010-\u2015\u2018\u2019\u201c\u201d\"()\[\]/;~*]")
EPISODE_MARKER = re.compile(r"^eps?\b\.?\s*\d", re.IGNORECASE)
OPENERS = "([{"
CLOSERS = ")]}"


# -- small parsers ---------------------------------------------------------------------------------------


def clean_text(value: str | None) -> str:
    """Return `value` in NFC with runs of whitespace (NBSP and tabs included) collapsed to one space."""
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", value).split())


def is_missing(value: str | None) -> bool:
    return clean_text(value).casefold() in MISSING


def normalise_title(title: str) -> str:
    """Return the matching form of a title: casefold, & -> and, punctuation dropped, spaces collapsed."""
    text = clean_text(title).casefold().replace("&", " and ")
    return " ".join(TITLE_PUNCTUATION.sub(" ", text).split())


def normalise_name(name: str) -> str:
    """Return the identity form of a person's name: casefold without whitespace or hyphens."""
    return re.sub(r"[\s\-\u2010-\u2015]", "", clean_text(name).casefold())


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.casefold()).strip("-")
    return slug or "person-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]


def mdl_style(name: str) -> str:
    """Spell a TMDB name the MyDramaList way: "Kim Hee-won" -> "Kim Hee Won"."""
    words = re.split(r"[\s\-]+", clean_text(name))
    return " ".join(w[:1].upper() + w[1:] for w in words if w)


def parse_list(value: str | None) -> list[str]:
    """Read a Python-list string like "['Kim Hee Won']" safely; anything else gives an empty list."""
    text = (value or "").strip()
    if not text.startswith("["):
        return []
    try:
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return []
    if not isinstance(parsed, list):
        return []
    return [clean_text(item) for item in parsed if isinstance(item, str) and clean_text(item)]


def parse_int(value: str | None) -> int | None:
    text = clean_text(value).replace(",", "")
    if not text or text.casefold() in MISSING:
        return None
    try:
        return int(float(text))
    except ValueError:
        return None


def parse_float(value: str | None) -> float | None:
    text = clean_text(value)
    if not text or text.casefold() in MISSING:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def parse_date(value: str | None, side: int = 0) -> str | None:
    """Return an ISO date for one full date in `value`, or None.

    A range "A - B" is split and `side` (0 left, 1 right) chosen. Year-only or month-only dates are None.
    """
    text = clean_text(value)
    if " - " in text:
        parts = text.split(" - ")
        text = parts[side] if side < len(parts) else ""
    if not text or text.casefold() in MISSING:
        return None
    for pattern in ("%Y-%m-%d", "%b %d, %Y", "%B %d, %Y", "%d-%b-%y", "%d-%b-%Y"):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if pattern == "%d-%b-%y":
            # strptime pivots at 69; the listings run from the 1970s to 2023, so pivot at 30.
            year = parsed.year % 100
            parsed = parsed.replace(year=2000 + year if year <= 30 else 1900 + year)
        return parsed.isoformat()
    return None


def year_of(*values: str | None) -> int | None:
    """Return the first four-digit year found in `values` (or a two-digit one from "10-Sep-18")."""
    for value in values:
        iso = parse_date(value)
        if iso:
            return int(iso[:4])
        match = re.search(r"\b(1[89]\d\d|20\d\d)\b", clean_text(value))
        if match:
            return int(match.group(1))
    return None


def parse_air_days(days: Iterable[str]) -> list[str]:
    found = set()
    for day in days:
        short = clean_text(day)[:3].title()
        if short in WEEKDAYS:
            found.add(short)
    return [d for d in WEEKDAYS if d in found]


def title_case_genre(genre: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in clean_text(genre).title().split("-"))


# -- networks --------------------------------------------------------------------------------------------


class NetworkSplitter:
    """Split joined network strings by greedy longest match against known single networks."""

    def __init__(self, known: Iterable[str]) -> None:
        self._known = {tuple(clean_text(n).casefold().split()) for n in known if clean_text(n)}
        self._longest = max((len(k) for k in self._known), default=1)

    def split(self, raw: str) -> list[str]:
        """Return the networks in `raw`, in source order."""
        networks: list[str] = []
        for chunk in clean_text(raw).split(","):
            words = chunk.split()
            unknown: list[str] = []
            i = 0
            while i < len(words):
                for size in range(min(self._longest, len(words) - i), 0, -1):
                    if tuple(w.casefold() for w in words[i : i + size]) in self._known:
                        if unknown:
                            networks.append(" ".join(unknown))
                            unknown = []
                        networks.append(" ".join(words[i : i + size]))
                        i += size
                        break
                else:
                    unknown.append(words[i])
                    i += 1
            if unknown:
                networks.append(" ".join(unknown))
        return list(dict.fromkeys(networks))

    def has_known_part(self, raw: str) -> bool:
        words = tuple(w.casefold() for w in clean_text(raw).replace(",", " ").split())
        return any(
            words[i : i + size] in self._known
            for i in range(len(words))
            for size in range(1, min(self._longest, len(words) - i) + 1)
        )


def build_network_splitter(kd_rows: Sequence[dict[str, str]], kdl_rows: Sequence[dict[str, str]],
                           tmdb_networks: Iterable[str]) -> NetworkSplitter:  # fmt: skip
    """Learn the single networks from kdramalist's lists, networks.csv and org_net values with none inside."""
    known = {n for row in kdl_rows for n in parse_list(row["Original Network"])}
    known.update(clean_text(n) for n in tmdb_networks)
    base = NetworkSplitter(known)
    for row in kd_rows:
        value = clean_text(row["org_net"])
        if value and "," not in value and not base.has_known_part(value):
            known.add(value)
    return NetworkSplitter(known)


def loose_key(name: str) -> str:
    return re.sub(r"[^a-z0-9+]", "", clean_text(name).casefold())


# -- characters ------------------------------------------------------------------------------------------


def _split_top_level(text: str) -> list[str]:
    """Split on / and | outside brackets; brackets of any kind close each other (the data mismatches them)."""
    parts, current, depth = [], [], 0
    for ch in text:
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(0, depth - 1)
        if depth == 0 and ch in "/|":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _strip_annotations(part: str) -> tuple[str, list[tuple[str, str]]]:
    """Return the part without its bracketed annotations, and the annotations as (opener, text) in order."""
    name: list[str] = []
    notes: list[tuple[str, str]] = []
    current: list[str] = []
    opener = ""
    depth = 0
    for ch in part:
        if ch in OPENERS:
            if depth > 0:
                current.append(ch)
            else:
                opener = ch
            depth += 1
        elif ch in CLOSERS:
            if depth == 0:
                continue  # a stray closer
            depth -= 1
            if depth == 0:
                notes.append((opener, "".join(current)))
                current = []
                name.append(" ")
            else:
                current.append(ch)
        elif depth > 0:
            current.append(ch)
        else:
            name.append(ch)
    if current:
        notes.append((opener, "".join(current)))  # an annotation never closed runs to the end
    cleaned = [(kind, clean_text(text)) for kind, text in notes if clean_text(text)]
    return _strip_quotes(clean_text("".join(name))), cleaned


def _strip_quotes(text: str) -> str:
    text = text.strip(" -")
    quotes = "\"'\u201c\u201d\u2018\u2019"
    if len(text) >= 2 and text[0] in quotes and text[-1] in quotes:
        text = text[1:-1].strip()
    return text


def clean_character(raw: str) -> tuple[str | None, str | None]:
    """Split a listing's character text into (character, character_note)."""
    parts = [_strip_annotations(p) for p in _split_top_level(clean_text(raw))]
    parts = [(name, notes) for name, notes in parts if name or notes]
    if not parts:
        return None, None
    name, annotated = parts[0]
    notes = [text for _, text in annotated]
    also: list[str] = []
    if not name:
        # Only annotations: a role description ("[Himself]") beats a segment label ("{Room 609}");
        # an episode marker is never a character.
        candidates = [(OPENERS.index(kind) if kind != "[" else -1, i) for i, (kind, text) in enumerate(annotated)
                      if not EPISODE_MARKER.match(text)]  # fmt: skip
        if candidates:
            promoted = annotated[min(candidates)[1]][1]
            notes.remove(promoted)
            first, *rest = [p.strip() for p in re.split(r"\s[/|]\s", promoted) if p.strip()]
            name = _strip_quotes(first)
            also.extend(rest)
    for other, other_notes in parts[1:]:
        texts = [text for _, text in other_notes]
        if other:
            also.append(other + (f" ({'; '.join(texts)})" if texts else ""))
        else:
            notes.extend(texts)
    notes.extend(f"also {a}" for a in also)
    return (name or None), ("; ".join(notes) or None)


# -- merging ---------------------------------------------------------------------------------------------


def pick_match(title: str, year: int | None, candidates: Sequence[tuple[str, int | None, Any]]) -> Any:
    """Pick the candidate (title, year, payload) that is the same show as (title, year), or None."""
    ranked = []
    for cand_title, cand_year, payload in candidates:
        if cand_year is None or year is None:
            if len(candidates) > 1:
                continue
            diff = 0
        else:
            diff = abs(cand_year - year)
            if diff > 1:
                continue
        ranked.append(((diff, clean_text(cand_title) != clean_text(title)), payload))
    if not ranked:
        return None
    ranked.sort(key=lambda item: item[0])
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        return None  # ambiguous: two equally good candidates
    return ranked[0][1]


@dataclass
class PersonRecord:
    mdl_spellings: Counter[str] = field(default_factory=Counter)
    tmdb_spellings: set[str] = field(default_factory=set)
    tmdb_ids: set[int] = field(default_factory=set)
    show_keys: set[tuple[str, str]] = field(default_factory=set)  # (show key, credit kind)


@dataclass
class Stats:
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] += n


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return [{k: (v if v is not None else "") for k, v in row.items()} for row in csv.DictReader(file)]


def build_catalog(source: Path, stats: Stats | None = None) -> dict[str, Any]:
    """Read the CSVs in `source` and return the catalog (version, sources, shows, people)."""
    stats = stats or Stats()
    kd_rows = read_csv(source / "korean_drama.csv")
    series_rows = read_csv(source / "series.csv")
    kdl_rows = read_csv(source / "kdramalist.csv")
    cast_rows = read_csv(source / "wiki_actors.csv")
    tmdb_people = read_csv(source / "people.csv")
    genre_names = {r["tmdb_id"].strip(): clean_text(r["name"]) for r in read_csv(source / "genres.csv")}
    network_names = {r["tmdb_id"].strip(): clean_text(r["name"]) for r in read_csv(source / "networks.csv")}

    splitter = build_network_splitter(kd_rows, kdl_rows, network_names.values())
    mdl_network_spelling: dict[str, str] = {}
    for row in [*kdl_rows, *kd_rows]:
        raw = row.get("Original Network") or row.get("org_net") or ""
        names = parse_list(raw) if raw.startswith("[") else splitter.split(raw)
        for name in names:
            mdl_network_spelling.setdefault(loose_key(name), name)

    def tmdb_network(name: str) -> str:
        name = TMDB_NETWORK_ALIASES.get(name, name)
        return mdl_network_spelling.get(loose_key(name), name)

    series_by_title: dict[str, list[tuple[str, int | None, dict[str, str]]]] = defaultdict(list)
    for row in series_rows:
        series_by_title[normalise_title(row["name"])].append((row["name"], year_of(row["airing_date"]), row))
    kdl_by_title: dict[str, list[tuple[str, int | None, dict[str, str]]]] = defaultdict(list)
    for row in kdl_rows:
        year = year_of(row["start airing"], row["end airing"])
        kdl_by_title[normalise_title(row["drama_name"])].append((row["drama_name"], year, row))

    tmdb_by_name: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in tmdb_people:
        tmdb_by_name[normalise_name(row["name"])].append(row)
    tmdb_by_id = {int(r["tmdb_id"]): r for r in tmdb_people if parse_int(r["tmdb_id"]) is not None}

    cast_by_show: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in cast_rows:
        cast_by_show[clean_text(row["drama_name"])].append(row)

    people: dict[str, PersonRecord] = defaultdict(PersonRecord)
    series_of_show: dict[str, dict[str, str]] = {}
    shows: list[dict[str, Any]] = []
    pending_credits: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    series_used: Counter[str] = Counter()

    for row in kd_rows:
        key = f"kd:{row['kdrama_id'].strip()}"
        title = clean_text(row["drama_name"])
        year = parse_int(row["year"]) or year_of(row["start_dt"])
        norm = normalise_title(title)
        series = pick_match(title, year, series_by_title.get(norm, ()))
        kdl = pick_match(title, year, kdl_by_title.get(norm, ()))
        if series is not None:
            series_of_show[key] = series
            series_used[series["tmdb_id"]] += 1
            stats.add("merged series.csv")
        if kdl is not None:
            stats.add("merged kdramalist.csv")
        elif kdl_by_title.get(norm):
            stats.add("kdramalist title match rejected (year/ambiguous)")
        if series is None and series_by_title.get(norm):
            stats.add("series.csv title match rejected (year/ambiguous)")

        alt_titles: list[str] = []
        for other in (series and series["name"], kdl and kdl["drama_name"]):
            spelled = clean_text(other or "")
            if spelled and spelled.casefold() != title.casefold() and spelled not in alt_titles:
                alt_titles.append(spelled)

        hangul = clean_text(series["original_name"]) if series else ""
        hangul_title = hangul if HANGUL.search(hangul) else None

        networks = splitter.split(row["org_net"])
        if len(networks) > 1:
            stats.add("org_net strings split")
        if not networks and kdl is not None:
            networks = [n for raw in parse_list(kdl["Original Network"]) for n in splitter.split(raw)]
            stats.add("networks from kdramalist", bool(networks))
        if not networks and series is not None:
            ids = [i.strip() for i in series["networks_ids"].split(",") if i.strip() in network_names]
            networks = list(dict.fromkeys(tmdb_network(network_names[i]) for i in ids))
            stats.add("networks from series.csv", bool(networks))

        premiere = parse_date(row["start_dt"], 0)
        finale = parse_date(row["end_dt"], 1)
        if kdl is not None:
            if premiere is None and (premiere := parse_date(kdl["start airing"])):
                stats.add("premiere from kdramalist")
            if finale is None and (finale := parse_date(kdl["end airing"])):
                stats.add("finale from kdramalist")
        if premiere and finale and finale < premiere:
            stats.add("finale before premiere dropped")
            finale = None

        seconds = parse_int(row["duration"])
        minutes = round(seconds / 60) if seconds else None
        if minutes is None and kdl is not None:
            minutes = parse_int(kdl["Duration"]) or None
        if minutes is None and series is not None:
            minutes = parse_int(series["episode_run_time"]) or None

        days = parse_air_days(clean_text(row["aired_on"]).split(","))
        if not days and kdl is not None:
            days = parse_air_days(parse_list(kdl["Aired On"]))

        genres: set[str] = set()
        if kdl is not None:
            genres = {title_case_genre(g) for g in parse_list(kdl["Genres"])}
        if not genres and series is not None:
            for gid in series["genres_ids"].split(","):
                name = genre_names.get(gid.strip())
                if name:
                    genres.update(TMDB_GENRE_PARTS.get(name, (name,)))

        rating = parse_float(kdl["score"]) if kdl is not None else None
        if rating is None and series is not None and (parse_int(series["rating_count"]) or 0) >= MIN_TMDB_VOTES:
            rating = parse_float(series["average_rating"])
        if rating is not None and not 0 <= rating <= 10:
            rating = None

        content_rating = clean_text(row["content_rt"])
        if content_rating.casefold() in {"not yet rated", *MISSING} and kdl is not None:
            content_rating = clean_text(kdl["Content Rating"])
        if content_rating.casefold() in {"not yet rated", *MISSING}:
            content_rating = ""

        pop = parse_int(row["pop"])
        poster = clean_text(series["poster_img_url"]) if series else ""

        show: dict[str, Any] = {
            "key": key,
            "title": title,
            "hangul_title": hangul_title,
            "alt_titles": alt_titles,
            "kind": "drama",
            "country": "KR",
            "year": year,
            "networks": networks,
            "premiere": premiere,
            "finale": finale,
            "episode_count": parse_int(row["tot_eps"]) or None,
            "episode_minutes": minutes,
            "air_days": days,
            "air_time": None,
            "timezone": "Asia/Seoul",
            "genres": sorted(genres),
            "rating": round(rating, 1) if rating is not None else None,
            "content_rating": content_rating or None,
            "popularity_rank": pop if pop and pop != UNRANKED else None,
            "poster_url": poster or None,
            "tmdb_id": parse_int(series["tmdb_id"]) if series else None,
            "credits": [],
        }
        shows.append(show)

        credits: list[tuple[str, dict[str, Any]]] = []
        cast = sorted(
            enumerate(cast_by_show.get(title, [])),
            key=lambda item: (ROLE_ORDER[ROLE_OF.get(clean_text(item[1]["role"]).casefold())], item[0]),
        )
        for billing, (_, cast_row) in enumerate(cast, start=1):
            name = clean_text(cast_row["actor_name"])
            if not name:
                continue
            character, note = clean_character(cast_row["character_name"])
            role = ROLE_OF.get(clean_text(cast_row["role"]).casefold())
            credits.append((name, {"kind": "cast", "character": character, "character_note": note,
                                   "role": role, "billing": billing}))  # fmt: skip
        crew = [("director", n) for n in parse_list(row["director"])]
        crew += [("writer", n) for n in parse_list(row["screenwriter"])]
        if not parse_list(row["director"]) and series is not None:
            for tmdb_id in (parse_int(i) for i in series["directors_ids"].split(",")):
                person = tmdb_by_id.get(tmdb_id) if tmdb_id is not None else None
                if person is not None:
                    crew.append(("director", "tmdb:" + str(tmdb_id)))
                    stats.add("directors from series.csv")
        for kind, name in crew:
            credits.append((name, {"kind": kind, "character": None, "character_note": None,
                                   "role": None, "billing": 0}))  # fmt: skip
        pending_credits[key] = credits

        for name, credit in credits:
            if name.startswith("tmdb:"):
                tmdb_row = tmdb_by_id[int(name[5:])]
                record = people[normalise_name(tmdb_row["name"])]
                record.tmdb_ids.add(int(tmdb_row["tmdb_id"]))
            else:
                record = people[normalise_name(name)]
                record.mdl_spellings[name] += 1
            record.show_keys.add((key, credit["kind"]))

    stats.add("series rows merged into more than one show", sum(1 for c in series_used.values() if c > 1))

    # Resolve each person's display name, TMDB id and key.
    linked_ids: dict[tuple[str, str], set[int]] = {}
    for show_key, series in series_of_show.items():
        for kind, column in (("cast", "cast_ids"), ("director", "directors_ids")):
            ids = {parse_int(i) for i in series[column].split(",")}
            linked_ids[show_key, kind] = {i for i in ids if i is not None}

    person_key_of: dict[str, str] = {}
    people_out: list[dict[str, Any]] = []
    used_slugs: set[str] = set()
    for norm_name in sorted(people, key=lambda n: (n, sorted(people[n].mdl_spellings))):
        record = people[norm_name]
        tmdb_rows = tmdb_by_name.get(norm_name, [])
        tmdb_id: int | None = None
        if record.tmdb_ids:  # came in as a series director: the id is known
            tmdb_id = min(record.tmdb_ids)
        elif len(tmdb_rows) == 1:
            tmdb_id = int(tmdb_rows[0]["tmdb_id"])
        elif tmdb_rows:
            linked = set().union(*(linked_ids.get(k, set()) for k in record.show_keys))
            chosen = [r for r in tmdb_rows if int(r["tmdb_id"]) in linked]
            if len(chosen) == 1:
                tmdb_id = int(chosen[0]["tmdb_id"])
                stats.add("tmdb homonyms resolved via series cast")
            else:
                stats.add("tmdb homonyms left unresolved")
        tmdb_spellings = sorted({clean_text(r["name"]) for r in tmdb_rows})
        if record.mdl_spellings:
            name = sorted(record.mdl_spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        else:
            name = mdl_style(tmdb_spellings[0])
        alt_names = sorted({*record.mdl_spellings, *tmdb_spellings} - {name})
        slug = slugify(name)
        candidate, n = slug, 1
        while candidate in used_slugs:
            n += 1
            candidate = f"{slug}-{n}"
        used_slugs.add(candidate)
        person_key_of[norm_name] = f"p:{candidate}"
        if tmdb_id is not None:
            stats.add("people with tmdb_id")
        people_out.append({"key": f"p:{candidate}", "name": name, "hangul_name": None,
                           "alt_names": alt_names, "tmdb_id": tmdb_id})  # fmt: skip

    for show in shows:
        seen: set[tuple[str, str, str | None]] = set()
        for name, credit in pending_credits[show["key"]]:
            if name.startswith("tmdb:"):
                name = tmdb_by_id[int(name[5:])]["name"]
            person = person_key_of[normalise_name(name)]
            identity = (person, credit["kind"], credit["character"])
            if identity in seen:
                stats.add("duplicate credits dropped")
                continue
            seen.add(identity)
            show["credits"].append({"person": person, **credit})

    shows.sort(key=lambda s: s["key"])
    people_out.sort(key=lambda p: p["key"])
    return {
        "version": catalog_version(shows, people_out),
        "sources": list(SOURCES),
        "shows": shows,
        "people": people_out,
    }


def catalog_version(shows: Sequence[dict[str, Any]], people: Sequence[dict[str, Any]]) -> str:
    canonical = json.dumps({"shows": shows, "people": people}, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))  # fmt: skip
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def render(catalog: dict[str, Any]) -> str:
    """Return the catalog as JSON text with one show or person per line, so diffs stay readable."""

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["{", f'"version": {dump(catalog["version"])},', f'"sources": {dump(catalog["sources"])},']
    lines.append('"shows": [')
    lines.append(",\n".join(dump(show) for show in catalog["shows"]))
    lines.append("],")
    lines.append('"people": [')
    lines.append(",\n".join(dump(person) for person in catalog["people"]))
    lines.append("]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the seed catalog from the raw K-drama CSVs.")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder holding the CSVs")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write catalog.json")
    args = parser.parse_args(argv)
    if not (args.source / "korean_drama.csv").is_file():
        parser.error(f"no korean_drama.csv in {args.source}")
    stats = Stats()
    catalog = build_catalog(args.source, stats)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(catalog), encoding="utf-8")
    shows = catalog["shows"]
    credits = [c for s in shows for c in s["credits"]]
    summary = {
        "shows": len(shows),
        "people": len(catalog["people"]),
        "credits": len(credits),
        "cast credits": sum(c["kind"] == "cast" for c in credits),
        "director credits": sum(c["kind"] == "director" for c in credits),
        "writer credits": sum(c["kind"] == "writer" for c in credits),
        "shows with hangul_title": sum(bool(s["hangul_title"]) for s in shows),
        "shows with tmdb_id": sum(s["tmdb_id"] is not None for s in shows),
        "shows with genres": sum(bool(s["genres"]) for s in shows),
        "shows with networks": sum(bool(s["networks"]) for s in shows),
        "shows with rating": sum(s["rating"] is not None for s in shows),
        "shows with premiere": sum(s["premiere"] is not None for s in shows),
        "shows with alt_titles": sum(bool(s["alt_titles"]) for s in shows),
        **dict(sorted(stats.counts.items())),
    }
    for label, value in summary.items():
        print(f"{label:>50}: {value}", file=sys.stderr)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
