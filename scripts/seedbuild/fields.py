"""One show's fields from its records, each from the source that wins it (the order is in build_seed.py)."""

from __future__ import annotations

import re
from typing import Any

from bot.romanize import fold_spelling
from seedbuild.common import HANGUL, clean_text, normalise_title
from seedbuild.core import is_garbled
from seedbuild.merge import Cluster, compact, fan_alias, hangul_short_titles, is_latin, wiki_genres
from seedbuild.model import Record


def _all_hangul(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all("\uac00" <= ch <= "\ud7a3" for ch in letters)


def first_value(cluster: Cluster, attribute: str, *sources: str) -> Any:
    for record in cluster.first(*sources):
        value = getattr(record, attribute)
        if value not in (None, [], "", ()):
            return value
    return None


def show_fields(cluster: Cluster, shared_series: set[int]) -> dict[str, Any] | None:
    """The show's fields (credits aside), or None when no source has a usable title."""
    title_record = next(
        (r for r in cluster.first("kd", "mdl", "wiki", "tmdb", "daum") if r.title and not r.garbled), None
    )
    hangul = first_value(cluster, "hangul", "kd", "mdl", "daum", "tmdb")
    if hangul is None:  # a title in Latin letters on MyDramaList ("Pachinko"): its Hangul also-known-as
        hangul = next((clean_text(a) for r in cluster.first("mdl") for a in r.akas if _all_hangul(a)), None)
    if "kd" in cluster.records and cluster.records["kd"].tmdb_id in shared_series:
        # TMDB names every season after the series: the season's own Hangul title comes from MyDramaList.
        hangul = first_value(cluster, "hangul", "mdl", "kd")
    if title_record is not None:
        title = clean_text(title_record.title)
    elif hangul:
        title = hangul  # a show only Daum knows: its Hangul title is its only title
    else:
        return None
    key = _key(cluster)

    premiere_record = next((r for r in cluster.first("kd", "mdl", "daum", "wiki") if r.premiere), None)
    premiere = premiere_record.premiere if premiere_record else None
    finale = premiere_record.finale if premiere_record else None
    if premiere and finale is None:
        later = [r.finale for r in cluster.first("kd", "mdl", "daum") if r.finale and r.finale >= premiere]
        finale = later[0] if later else None

    episodes = first_value(cluster, "episodes", "kd", "mdl")
    wiki = cluster.records.get("wiki")
    if episodes is None and wiki is not None and len(wiki.years) <= 2 and len(cluster.records) == 1:
        episodes = wiki.episodes  # a Wikipedia row covers every season: trusted only alone, for a short run

    genres = first_value(cluster, "genres", "kd", "mdl", "tmdb")
    if not genres and wiki is not None:
        genres = wiki_genres(wiki.genres)
    if not genres:
        genres = first_value(cluster, "genres", "daum") or []

    year = first_value(cluster, "year", "kd", "mdl", "daum", "wiki")
    show: dict[str, Any] = {
        "key": key,
        "title": title,
        "hangul_title": hangul,
        "alt_titles": [],
        "kind": "drama",
        "country": "KR",
        "year": year,
        "networks": first_value(cluster, "networks", "kd", "mdl", "daum", "wiki") or [],
        "premiere": premiere,
        "finale": finale,
        "episode_count": episodes,
        "episode_minutes": first_value(cluster, "minutes", "kd", "mdl"),
        "air_days": first_value(cluster, "air_days", "kd", "mdl", "daum") or [],
        # Daum lists an air time, but answers and announcements treat a time as exact to the minute, and a
        # listing's slot (a 2005 drama's 21:55) is no promise for every episode: the seed keeps dates only.
        "air_time": None,
        "timezone": "Asia/Seoul",
        "genres": sorted(genres),
        "rating": first_value(cluster, "rating", "kd", "mdl", "tmdb"),
        "content_rating": first_value(cluster, "content_rating", "kd", "mdl"),
        # One snapshot of MyDramaList's ranking where it has the show (2025), the core's (2023) for the rest.
        "popularity_rank": first_value(cluster, "popularity_rank", "mdl", "kd"),
        "poster_url": first_value(cluster, "poster_url", "kd", "tmdb"),
        "tmdb_id": first_value(cluster, "tmdb_id", "kd", "tmdb"),
        "credits": [],
    }
    show["alt_titles"] = _alt_titles(cluster, title, hangul)
    return show


def _key(cluster: Cluster) -> str:
    for source in ("kd", "mdl", "daum", "wiki"):
        if source in cluster.records:
            return f"{source}:{cluster.records[source].id}"
    raise ValueError("a show with no record")


def _alt_titles(cluster: Cluster, title: str, hangul: str | None) -> list[str]:
    """Other names of the show fans may type, English then Hangul, never the title again (nor its case)."""
    names: list[str] = []
    core = cluster.records.get("kd")
    if core is not None:
        names.extend(core.akas)  # the core's own (TMDB's and kdramalist's spellings), as before
    for record in cluster.first("mdl", "wiki", "tmdb"):
        if record.title and not record.garbled:
            names.append(clean_text(record.title))
    for record in cluster.first("mdl", "wiki"):
        names.extend(clean_text(a) for a in record.akas if is_latin(a) and fan_alias(a))
    # Fans shorten a year in a title to its last two digits ("Reply 88" for Reply 1988).
    names.extend(f"{m[1]} {m[2]}" for m in [re.fullmatch(r"(.*\D)\s+(?:19|20)(\d\d)", title)] if m)
    hanguls = [r.hangul for r in cluster.first("kd", "mdl", "daum", "tmdb") if r.hangul]
    hanguls += [clean_text(a) for r in cluster.first("mdl") for a in r.akas if HANGUL.search(a) and fan_alias(a)]
    for name in hanguls:
        names.append(clean_text(name))
        names.extend(hangul_short_titles(name))
    seen_keys = {normalise_title(title), compact(title)}
    if hangul:
        seen_keys.add(compact(hangul))
    out: list[str] = []
    for name in names:
        name = clean_text(name)
        if not name or is_garbled(name) or name.casefold() == title.casefold():
            continue
        loose = compact(name)
        # Romanisations come in several spellings ("Sarangui Bulsichak", "Sarangui Bulsichag"): one is enough,
        # since a search finds the others a letter or two away.
        sound = spelling_fold(name)
        if (loose in seen_keys or sound in seen_keys) and name not in (core.akas if core else ()):
            continue
        if name in out:
            continue
        seen_keys.update((loose, sound))
        out.append(name)
    return out


def spelling_fold(name: str) -> str:
    """A Latin name with the common romanisation variants folded ("Boolshichak" and "Bulsichag" agree)."""
    return "~" + "".join(fold_spelling(word) for word in re.findall(r"[a-z0-9]+", name.casefold()))


def record_sources(cluster: Cluster) -> list[Record]:
    return list(cluster.first())
