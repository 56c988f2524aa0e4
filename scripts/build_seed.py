#!/usr/bin/env python3
"""DOCSTRING"""

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
            for slot in (s for s in cast_and_crew.crew if s.kind == kind):
                person = slot_keys[id(slot)]
                if (person, kind, None) in seen:
                    continue
                seen.add((person, kind, None))
                credits.append({"person": person, "kind": kind, "character": None, "character_note": None,
                                "role": None, "billing": 0})  # fmt: skip
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
