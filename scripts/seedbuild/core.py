"""The core source, `../shared/data/kdrama/`: korean_drama.csv with TMDB's series.csv and kdramalist.csv merged in.

Each korean_drama.csv row becomes one `Record` (source "kd"), read exactly as the seed was built before the wider
sources arrived, so its shows keep their keys and facts (scripts/build_seed.py says which source wins each field
once the other sources are merged). Also read here: TMDB's people (ids, spellings, birthdays) and series (Hangul
titles, cast order, posters), which the merge uses for the other sources' shows. The decisions, as written when
this was the whole builder:

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

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedbuild.common import (
    HANGUL,
    MIN_TMDB_VOTES,
    MISSING,
    ROLE_OF,
    TMDB_GENRE_PARTS,
    TMDB_NETWORK_ALIASES,
    UNRANKED,
    Stats,
    build_network_splitter,
    clean_character,
    clean_text,
    loose_key,
    mdl_style,
    normalise_name,
    normalise_title,
    parse_air_days,
    parse_date,
    parse_float,
    parse_int,
    parse_list,
    pick_match,
    read_csv,
    slugify,
    title_case_genre,
    year_of,
)
from seedbuild.model import CastEntry, CrewEntry, Record

CORE_FILES = (
    "korean_drama.csv", "series.csv", "kdramalist.csv", "wiki_actors.csv", "people.csv", "genres.csv",
    "networks.csv",
)  # fmt: skip


@dataclass
class Core:
    """The core records and the TMDB tables the other sources are joined to."""

    records: list[Record]
    series_rows: list[dict[str, str]]
    series_used: set[str]  # tmdb ids of series merged into a core record
    tmdb_by_id: dict[int, dict[str, str]]
    tmdb_by_name: dict[str, list[dict[str, str]]]
    genre_names: dict[str, str]
    network_names: dict[str, str]
    # The person keys the seed gave before the wider sources, by normalised name: they never change.
    legacy_keys: dict[str, str] = field(default_factory=dict)
    legacy_names: dict[str, str] = field(default_factory=dict)
    tmdb_network: Any = None  # name -> the MyDramaList spelling of a TMDB network
    splitter: Any = None


def read_core(source: Path, stats: Stats) -> Core:
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

    records: list[Record] = []
    series_used: Counter[str] = Counter()
    legacy = _LegacyPeople()

    for row in kd_rows:
        title = clean_text(row["drama_name"])
        year = parse_int(row["year"]) or year_of(row["start_dt"])
        norm = normalise_title(title)
        series = pick_match(title, year, series_by_title.get(norm, ()))
        kdl = pick_match(title, year, kdl_by_title.get(norm, ()))
        if series is not None:
            series_used[series["tmdb_id"]] += 1
            stats.add("core: merged series.csv")
        if kdl is not None:
            stats.add("core: merged kdramalist.csv")

        akas: list[str] = []
        for other in (series and series["name"], kdl and kdl["drama_name"]):
            spelled = clean_text(other or "")
            if spelled and spelled.casefold() != title.casefold() and spelled not in akas:
                akas.append(spelled)

        hangul = clean_text(series["original_name"]) if series else ""

        networks = splitter.split(row["org_net"])
        if not networks and kdl is not None:
            networks = [n for raw in parse_list(kdl["Original Network"]) for n in splitter.split(raw)]
        if not networks and series is not None:
            ids = [i.strip() for i in series["networks_ids"].split(",") if i.strip() in network_names]
            networks = list(dict.fromkeys(tmdb_network(network_names[i]) for i in ids))

        premiere = parse_date(row["start_dt"], 0)
        finale = parse_date(row["end_dt"], 1)
        if kdl is not None:
            premiere = premiere or parse_date(kdl["start airing"])
            finale = finale or parse_date(kdl["end airing"])
        if premiere and finale and finale < premiere:
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
            genres = set(tmdb_genres(series, genre_names))

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
        record = Record(
            source="kd",
            id=row["kdrama_id"].strip(),
            title=title,
            hangul=hangul if HANGUL.search(hangul) else None,
            akas=akas,
            year=year,
            years=(year,) if year else (),
            premiere=premiere,
            finale=finale,
            episodes=parse_int(row["tot_eps"]) or None,
            minutes=minutes,
            air_days=days,
            networks=networks,
            genres=sorted(genres),
            rating=round(rating, 1) if rating is not None else None,
            content_rating=content_rating or None,
            popularity_rank=pop if pop and pop != UNRANKED else None,
            poster_url=clean_text(series["poster_img_url"]) or None if series else None,
            tmdb_id=parse_int(series["tmdb_id"]) if series else None,
            garbled=is_garbled(title),
        )
        records.append(record)

        for order, cast_row in enumerate(cast_by_show.get(title, [])):
            name = clean_text(cast_row["actor_name"])
            if not name:
                continue
            character, note = clean_character(cast_row["character_name"])
            role = ROLE_OF.get(clean_text(cast_row["role"]).casefold())
            record.cast.append(CastEntry(name, "kd", order, character, note, role))
            legacy.add(name, "mdl")
        if series is not None:
            record.cast.extend(tmdb_cast(series, tmdb_by_id))
        if kdl is not None:
            for order, name in enumerate(parse_list(kdl["actors"])):
                record.cast.append(CastEntry(name, "kdl", order))
        directors = parse_list(row["director"])
        for order, name in enumerate(directors):
            record.crew.append(CrewEntry("director", name, "kd", order))
            legacy.add(name, "mdl")
        for order, name in enumerate(parse_list(row["screenwriter"])):
            record.crew.append(CrewEntry("writer", name, "kd", order))
            legacy.add(name, "mdl")
        if not directors and series is not None:
            for order, tmdb_id in enumerate(parse_int(i) for i in series["directors_ids"].split(",")):
                person = tmdb_by_id.get(tmdb_id) if tmdb_id is not None else None
                if person is not None:
                    record.crew.append(CrewEntry("director", clean_text(person["name"]), "tmdb", order,
                                                 ref=f"tmdb:{tmdb_id}"))  # fmt: skip
                    legacy.add(clean_text(person["name"]), "tmdb")
                    stats.add("core: directors from series.csv")

    core = Core(
        records=records,
        series_rows=series_rows,
        series_used=set(series_used),
        tmdb_by_id=tmdb_by_id,
        tmdb_by_name=tmdb_by_name,
        genre_names=genre_names,
        network_names=network_names,
        legacy_keys=legacy.keys(tmdb_by_name),
        legacy_names=legacy.names,
        tmdb_network=tmdb_network,
        splitter=splitter,
    )
    return core


def tmdb_genres(series: dict[str, str], genre_names: dict[str, str]) -> list[str]:
    genres: list[str] = []
    for gid in series["genres_ids"].split(","):
        name = genre_names.get(gid.strip())
        if name:
            genres.extend(TMDB_GENRE_PARTS.get(name, (name,)))
    return genres


def tmdb_cast(series: dict[str, str], tmdb_by_id: dict[int, dict[str, str]]) -> list[CastEntry]:
    """TMDB's billing order for a series (names only): series.csv cast_ids, in order."""
    entries = []
    for order, tmdb_id in enumerate(parse_int(i) for i in series["cast_ids"].split(",")):
        person = tmdb_by_id.get(tmdb_id) if tmdb_id is not None else None
        if person is not None:
            entries.append(CastEntry(clean_text(person["name"]), "tmdb", order, ref=f"tmdb:{tmdb_id}"))
    return entries


_GARBLED = re.compile(r"\[email|protected\]|email\u00a0protected|\ufffd|&#\d+;|&amp;|Ã.|â€")


def is_garbled(text: str) -> bool:
    """Whether a title was mangled on its way into the source: e-mail obfuscation, mojibake, HTML entities."""
    return bool(_GARBLED.search(text))


class _LegacyPeople:
    """The person keys the core alone gave (display name -> slug, -2, -3 on a clash), so they stay stable."""

    def __init__(self) -> None:
        self.spellings: dict[str, Counter[str]] = defaultdict(Counter)
        self.tmdb_only: dict[str, set[str]] = defaultdict(set)
        self.names: dict[str, str] = {}

    def add(self, name: str, kind: str) -> None:
        if kind == "mdl":
            self.spellings[normalise_name(name)][name] += 1
        else:
            self.tmdb_only[normalise_name(name)].add(name)

    def keys(self, tmdb_by_name: dict[str, list[dict[str, str]]]) -> dict[str, str]:
        names = set(self.spellings) | set(self.tmdb_only)
        keys: dict[str, str] = {}
        used: set[str] = set()
        for norm in sorted(names, key=lambda n: (n, sorted(self.spellings.get(n, ())))):
            spellings = self.spellings.get(norm)
            if spellings:
                name = sorted(spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            else:
                tmdb_spellings = sorted({clean_text(r["name"]) for r in tmdb_by_name.get(norm, [])})
                name = mdl_style(tmdb_spellings[0] if tmdb_spellings else sorted(self.tmdb_only[norm])[0])
            self.names[norm] = name
            slug = slugify(name)
            candidate, n = slug, 1
            while candidate in used:
                n += 1
                candidate = f"{slug}-{n}"
            used.add(candidate)
            keys[norm] = f"p:{candidate}"
        return keys


def pick_unique(candidates: Sequence[Any]) -> Any:
    return candidates[0] if len(candidates) == 1 else None
