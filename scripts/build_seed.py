#!/usr/bin/env python3
"""Build the seed catalog (data/seed/catalog.json) from the raw K-drama facts beside the checkout.

    python scripts/build_seed.py            # ../shared/data/kdrama and ../shared/data/kdrama-more
    python scripts/build_seed.py --source DIR --more DIR --out FILE

Standard library only (plus bot/romanize.py and bot/seasons.py, which are too); the output is byte-for-byte
deterministic. The format is in data/README.md. Every decision is made here once, so the seed can be audited and
rebuilt; the parts live in scripts/seedbuild/ (one reader per source, the merge, the fields, the people).

Sources (each read into one `Record` per show; scripts/seedbuild/model.py)
- kd: ../kdrama/korean_drama.csv (1,752 MyDramaList dramas, 2015-2023) with TMDB's series.csv and kdramalist.csv
  merged in exactly as the seed was built before (seedbuild/core.py); cast from wiki_actors.csv.
- mdl: kdrama-more/mdl-pages (MyDramaList pages 2000-2025): English and Hangul titles, also-known-as, top-6 cast
  in billing order with characters, crew. TV Programs (variety, reality), undated pages and making-of or recap
  specials ("Goblin Special", "Vincenzo: Special", "... SP" of at most two episodes) are left out.
- daum: kdrama-more/daum-2000-2016 (Daum TV): Hangul titles, cast in billing order with Hangul characters, 연출
  (director) and 극본 (writer). Networks get MyDramaList's English names; 주연 is a main role, 특별출연 a guest.
- wiki: kdrama-more/wiki-infobox (English Wikipedia): titles (disambiguation stripped), also-known-as, cast names
  of the infobox's "Starring" (role main), crew, dates and networks. Reality and variety rows are left out.
- tmdb: series.csv rows the core did not use, linked to a show by Hangul title and year: TMDB id, poster, TMDB's
  cast order, genres and rating.

Matching (seedbuild/merge.py; each record to at most one show, each show to at most one record of a source)
1. MyDramaList pages to the core's shows: the same normalised English title, a title in the other's also-known-as,
   the same Hangul title (no spaces or punctuation), or two or more of the same cast; premiere years at most one
   apart. Evidence scores: title 4, Hangul 3, cast up to 3, also-known-as 2; a tie is ambiguous, left apart.
2. Daum to those: the same Hangul title (a show's own Hangul title beats one in an also-known-as) and a year at
   most one apart; else the same premiere date on the same network family (KBS1/KBS2/KBS are one). Daum's few
   duplicate listings (the same title and premiere) are merged first.
3. TMDB series by Hangul title (above), so Daum's shows get TMDB's English title before Wikipedia is matched.
4. Wikipedia to all of them: an English title or also-known-as in common, two or more of the same cast, or the
   same premiere date on the same network family, with one of the row's years at most one from the show's.
A record matched to nothing is a show of its own. Keys: the first of kd:<kdrama_id>, mdl:<id>, daum:<id>,
wiki:<slug>-<year>, so every show of the earlier seed keeps its key. Shows are kept when their year is 2000-2025
(the core's all are).

Which source wins each field (the first that has it)
- title: kd (unless garbled: "The [email protected]" becomes Wikipedia's "The Idolmaster KR"), mdl, wiki, tmdb,
  daum (a few in Latin letters); a show only Daum knows takes its Hangul title as title. No title: dropped.
- hangul_title: kd, mdl, daum, tmdb, else a Hangul also-known-as; for a season whose TMDB series is shared with
  its other seasons, mdl first (TMDB names every season after the series).
- alt_titles: the core's own (TMDB's and kdramalist's spellings), the other sources' titles, MyDramaList's and
  Wikipedia's also-known-as that fans may type (Latin letters without other languages' words, or Hangul), the
  part of a Hangul title after a dash or colon ("도깨비" of "쓸쓸하고 찬란하神 - 도깨비"), and a year shortened as
  fans do ("Reply 88"). Never the title again, nor a name differing from another kept one only in spaces,
  punctuation or romanisation ("Sarangui Bulsichag" after "Sarangui Bulsichak"), nor garbled; and not another
  show's title or alternative title (the core's own aside).
- year, premiere, finale: kd, mdl, daum, wiki (premiere and finale from the same source when it has both).
- episode_count: kd, mdl, else a Wikipedia row alone of at most two years (one row covers every season).
- episode_minutes: kd, mdl. air_days: kd, mdl, daum. air_time: none (Daum's listing slot is no promise).
- networks: kd, mdl, daum, wiki. genres: kd, mdl, tmdb, wiki (mapped to MyDramaList's genres), daum (Sitcom).
- rating: kd, mdl, tmdb (5 votes or more). content_rating: kd, mdl.
- popularity_rank: mdl (MyDramaList's 2025 ranking, one snapshot for every show it has), else kd (2023).
- poster_url, tmdb_id: kd, tmdb. series, season: from the titles, read as bot/seasons.py reads them.

People (seedbuild/people.py)
- One person per normalised Latin name, as before (casefold, no spaces or hyphens); keys and display names of
  people the earlier seed had never change. In one show, two sources' credits are one person when the names are
  the same normalised, or fold to the same romanisation (bot/romanize.py: "Doh Kyung-soo" is "Do Kyung Soo").
- MyDramaList renames people between snapshots ("Lee Do Hyun", then "Lee Do Hyeon"): its person id, seen beside
  the core's spelling in a show, carries the core's person to the pages only MyDramaList lists.
- Daum (Hangul) credits: matched in a show to a Latin credit whose name, romanised, folds the same (else whose
  character does, else a near name), one to one. A Daum person id seen matched is that Latin person everywhere
  (the majority; a tie matches neither). An unmatched Daum person is the Latin person whose Hangul name it bears
  (when one does), or whose name its romanisation spells exactly or folds to (when only one does), else a
  person of their own: named in romanised Hangul, one per Hangul name.
- hangul_name: the Hangul name Daum gives most often. tmdb_id: the TMDB id a show's TMDB cast or crew list gives
  the person, else the only TMDB person of that name. gender and birthday: TMDB's, where the id links.
- alt_names: the other spellings (TMDB's, Wikipedia's, MyDramaList's newer one), never another person's name.

Credits
- Cast billing: leads first (main, support, guest, unknown), then within a role in the source's order: the
  MyDramaList page, TMDB's cast order, kdramalist's actors, Wikipedia's infobox, Daum, and last wiki_actors.csv,
  whose rows follow no billing. At most 25 cast credits a show, and past the 12th none without character or role.
- Character and role: kd, mdl, daum (Hangul). Characters are cleaned as before (annotations to character_note).
- Directors and writers: every source's, one credit a person, billed 1.. in the first source's order (kd, mdl,
  tmdb, wiki, daum), so the lead director is named first.

`version` is the sha256 of the canonical JSON (sorted keys, no spaces) of {"shows": ..., "people": ...}.
The core's own quirks (network splitting, character annotations, dates, kdramalist's two-digit years) are in
seedbuild/core.py and seedbuild/common.py.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SCRIPTS = Path(__file__).resolve().parent
REPO_ROOT = SCRIPTS.parent
for path in (str(SCRIPTS), str(REPO_ROOT)):  # seedbuild/ beside this script; bot.romanize from the checkout
    if path not in sys.path:
        sys.path.insert(0, path)

from seedbuild.common import Stats  # noqa: E402
from seedbuild.core import CORE_FILES, read_core  # noqa: E402
from seedbuild.daum import read_daum  # noqa: E402
from seedbuild.fields import show_fields  # noqa: E402
from seedbuild.mdl import read_mdl  # noqa: E402
from seedbuild.merge import (  # noqa: E402
    Cluster,
    compact,
    dedupe_daum,
    in_range,
    link_tmdb,
    match_daum,
    match_mdl,
    match_wiki,
)  # fmt: skip
from seedbuild.people import BARE_LIMIT, CAST_LIMIT, billing_key, resolve_people, show_people  # noqa: E402
from seedbuild.wiki import read_wiki  # noqa: E402

from bot.seasons import series_key  # noqa: E402


def raw_data_folder() -> Path:
    """The shared raw data beside the checkout (../shared/data), or beside its parent for a git worktree."""
    for base in (REPO_ROOT.parent, REPO_ROOT.parent.parent):
        if (base / "shared" / "data" / "kdrama").is_dir():
            return base / "shared" / "data"
    return REPO_ROOT.parent / "shared" / "data"


DEFAULT_SOURCE = raw_data_folder() / "kdrama"
DEFAULT_MORE = raw_data_folder() / "kdrama-more"
DEFAULT_OUT = REPO_ROOT / "data" / "seed" / "catalog.json"
MORE_FILES = (
    "mdl-pages/dramas.csv", "mdl-pages/cast.csv", "daum-2000-2016/dramaSummaryInfo_filtered.csv",
    "daum-2000-2016/dramaCrewInfo1.csv", "daum-2000-2016/dramaCrewInfo2.csv", "daum-2000-2016/dramaCrewInfo3.csv",
    "wiki-infobox/kdrama_dataset_detailed_v8.csv",
)  # fmt: skip
SOURCES = (*CORE_FILES, *MORE_FILES)


def build_catalog(source: Path, more: Path, stats: Stats | None = None) -> dict[str, Any]:
    """Read the raw sources and return the catalog (version, sources, shows, people)."""
    stats = stats or Stats()
    core = read_core(source, stats)
    mdl = read_mdl(more / "mdl-pages", core.splitter, stats)
    daum = read_daum(more / "daum-2000-2016", stats)
    wiki = read_wiki(more / "wiki-infobox", stats)

    clusters = [Cluster({"kd": record}) for record in core.records]
    match_mdl(clusters, mdl, stats)
    match_daum(clusters, dedupe_daum(daum, stats), stats)
    link_tmdb(clusters, core, stats)
    match_wiki(clusters, wiki, stats)

    shows: list[dict[str, Any]] = []
    people_of: list[Any] = []
    series_count = Counter(r.tmdb_id for r in core.records if r.tmdb_id is not None)
    shared_series = {tmdb_id for tmdb_id, n in series_count.items() if n > 1}
    for cluster in clusters:
        if not in_range(cluster):
            stats.add("shows outside 2000-2025 left out")
            continue
        show = show_fields(cluster, shared_series)
        if show is None:
            stats.add("shows without a usable title dropped")
            continue
        shows.append(show)
        people_of.append(show_people(cluster, show["key"], stats))
    _drop_colliding_titles(shows, stats)
    _link_seasons(shows)

    people, slot_keys = resolve_people(people_of, core, stats)
    for show, cast_and_crew in zip(shows, people_of, strict=True):
        credits: list[dict[str, Any]] = []
        seen: set[tuple[str, str, str | None]] = set()
        cast = sorted(cast_and_crew.cast, key=billing_key)
        billing = 0
        for slot in cast:
            person = slot_keys[id(slot)]
            identity = (person, "cast", slot.character)
            if identity in seen or any(p == person and k == "cast" for p, k, _ in seen):
                stats.add("duplicate credits dropped")
                continue
            if billing >= CAST_LIMIT or (billing >= BARE_LIMIT and not slot.character and not slot.role):
                stats.add("cast credits past the limit dropped")
                continue
            seen.add(identity)
            billing += 1
            credits.append({"person": person, "kind": "cast", "character": slot.character,
                            "character_note": slot.note, "role": slot.role, "billing": billing})  # fmt: skip
        for kind in ("director", "writer"):
            order = 0
            for slot in (s for s in cast_and_crew.crew if s.kind == kind):
                person = slot_keys[id(slot)]
                if (person, kind, None) in seen:
                    continue
                seen.add((person, kind, None))
                order += 1  # the first source's order: the lead director first ("Kim Hee Won and Ham Seung Hoon")
                credits.append({"person": person, "kind": kind, "character": None, "character_note": None,
                                "role": None, "billing": order})  # fmt: skip
        show["credits"] = credits

    used = {c["person"] for show in shows for c in show["credits"]}
    people = [p for p in people if p["key"] in used]
    shows.sort(key=lambda s: s["key"])
    people.sort(key=lambda p: p["key"])
    return {
        "version": catalog_version(shows, people),
        "sources": list(SOURCES),
        "shows": shows,
        "people": people,
    }


def _drop_colliding_titles(shows: list[dict[str, Any]], stats: Stats) -> None:
    """Drop an alternative title that is another show's title, or another show's alternative title too."""
    titles: dict[str, set[str]] = defaultdict(set)
    alts: dict[str, set[str]] = defaultdict(set)
    for show in shows:
        for name in (show["title"], show["hangul_title"]):
            if name:
                titles[compact(name)].add(show["key"])
        for name in show["alt_titles"]:
            alts[compact(name)].add(show["key"])
    for show in shows:
        kept = []
        for name in show["alt_titles"]:
            key = compact(name)
            others = (titles.get(key, set()) | alts.get(key, set())) - {show["key"]}
            if others and not show["key"].startswith("kd:"):
                stats.add("alternative titles another show has, dropped")
                continue
            kept.append(name)
        show["alt_titles"] = kept


def _link_seasons(shows: list[dict[str, Any]]) -> None:
    """Link each season or part to its series: `series` is the key of its first show, `season` its number."""
    groups: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for show in shows:
        base, number = series_key(show["title"])  # the reading Catalog.find_show uses (bot/seasons.py)
        groups[base].append((number, show))
    for show in shows:
        show["series"], show["season"] = None, None
    for members in groups.values():
        numbers = {number for number, _ in members}
        if len(members) < 2 or len(numbers) < 2 or len(numbers) != len(members):
            continue
        members.sort(key=lambda item: (item[0], item[1]["year"] or 0))
        first = members[0][1]
        if any((show["year"] or 0) < (first["year"] or 0) for _, show in members):
            continue
        for number, show in members:
            show["series"], show["season"] = first["key"], number


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
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder holding the core CSVs")
    parser.add_argument("--more", type=Path, default=DEFAULT_MORE, help="folder holding mdl-pages/, daum-2000-2016/"
                        " and wiki-infobox/")  # fmt: skip
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write catalog.json")
    args = parser.parse_args(argv)
    if not (args.source / "korean_drama.csv").is_file():
        parser.error(f"no korean_drama.csv in {args.source}")
    missing = [name for name in MORE_FILES if not (args.more / name).is_file()]
    if missing:
        parser.error(f"{args.more} lacks {', '.join(missing)}")
    stats = Stats()
    catalog = build_catalog(args.source, args.more, stats)
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
        "shows with a character in the cast": sum(any(c["character"] for c in s["credits"]) for s in shows),
        "people with hangul_name": sum(bool(p["hangul_name"]) for p in catalog["people"]),
        **dict(sorted(stats.counts.items())),
    }
    for label, value in summary.items():
        print(f"{label:>50}: {value}", file=sys.stderr)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
