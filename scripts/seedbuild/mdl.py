"""MyDramaList title pages (`kdrama-more/mdl-pages/`): English and Hangul titles, also-known-as, top-6 cast.

Only `type` Drama is read: TV Program rows are variety and reality shows. Dropped as well: pages without an
air date (upcoming or cancelled: "Delusion (2026)"), and the making-of and recap specials MyDramaList files as
dramas ("Goblin Special: The Summoning", "Vincenzo: Special"): a title with the word Special, not an anthology
("Drama Special Season 3: ..."), and at most two episodes.
"""

from __future__ import annotations

import re
from pathlib import Path

from seedbuild.common import (
    HANGUL,
    NetworkSplitter,
    Stats,
    clean_character,
    clean_text,
    parse_air_days,
    parse_date,
    parse_float,
    parse_int,
    read_csv,
    title_case_genre,
)
from seedbuild.core import is_garbled
from seedbuild.model import CastEntry, CrewEntry, Record

ROLES = {
    "main role": "main", "support role": "support", "guest role": "guest", "guest": "guest", "cameo": "guest",
    "bit part": "guest", "unknown": None,
}  # fmt: skip
_SPECIAL = re.compile(r"\bspecial\b|\bSP$", re.IGNORECASE)
_NOTE_IN_TITLE = re.compile(r"\s*\((?:19|20)\d\d\)$|\s*\(cancelled\)$", re.IGNORECASE)


def is_special(title: str, episodes: int | None) -> bool:
    """Whether a page is a making-of or recap special rather than a drama of its own."""
    if not _SPECIAL.search(title) or title.casefold().startswith("drama special"):
        return False
    return episodes is None or episodes <= 2


def parse_duration(text: str) -> int | None:
    """ "1 hr. 10 min." -> 70, "60 min." -> 60."""
    hours = re.search(r"(\d+)\s*hr", text)
    minutes = re.search(r"(\d+)\s*min", text)
    total = (int(hours[1]) * 60 if hours else 0) + (int(minutes[1]) if minutes else 0)
    return total or None


def split_bar(value: str) -> list[str]:
    return [clean_text(part) for part in value.split(" | ") if clean_text(part)]


def read_mdl(folder: Path, splitter: NetworkSplitter, stats: Stats) -> list[Record]:
    rows = read_csv(folder / "dramas.csv")
    cast_rows = read_csv(folder / "cast.csv")
    cast_by_id: dict[str, list[dict[str, str]]] = {}
    for row in cast_rows:
        cast_by_id.setdefault(row["mdl_id"].strip(), []).append(row)
    records = []
    for row in rows:
        if clean_text(row["type"]) != "Drama":
            stats.add("mdl: TV programs left out")
            continue
        title = _NOTE_IN_TITLE.sub("", clean_text(row["title"]))
        episodes = parse_int(row["episodes"]) or None
        premiere = parse_date(row["start_date"])
        if premiere is None:
            stats.add("mdl: undated (upcoming or cancelled) left out")
            continue
        if is_special(title, episodes):
            stats.add("mdl: specials left out")
            continue
        native = clean_text(row["native_title"])
        finale = parse_date(row["end_date"])
        if finale and finale < premiere:
            finale = None
        score = parse_float(row["score"])
        record = Record(
            source="mdl",
            id=row["mdl_id"].strip(),
            title=title,
            hangul=native if HANGUL.search(native) else None,
            akas=split_bar(row["also_known_as"]),
            year=int(premiere[:4]),
            years=(int(premiere[:4]),),
            premiere=premiere,
            finale=finale,
            episodes=episodes,
            minutes=parse_duration(row["duration"]),
            air_days=parse_air_days(clean_text(row["aired_on"]).split(",")),
            networks=splitter.split(row["network"]),
            genres=sorted({title_case_genre(g) for g in split_bar(row["genres"])}),
            rating=score if score is not None and 0 <= score <= 10 else None,
            content_rating=_content_rating(row["content_rating"]),
            popularity_rank=parse_int(row["popularity"]) or None,
            garbled=is_garbled(title),
        )
        for order, cast in enumerate(sorted(cast_by_id.get(record.id, []), key=lambda r: parse_int(r["billing"]) or 0)):
            role_text = clean_text(cast["role"]).casefold()
            if role_text not in ROLES or not clean_text(cast["actor"]):
                continue
            character, note = clean_character(cast["character"])
            record.cast.append(
                CastEntry(clean_text(cast["actor"]), "mdl", order, character, note, ROLES[role_text],
                          ref=f"mdl:{cast['actor_mdl_id'].strip()}" if cast["actor_mdl_id"].strip() else None)
            )  # fmt: skip
        for kind, names, ids in (("director", row["director"], row["director_mdl_ids"]),
                                 ("writer", row["screenwriter"], row["screenwriter_mdl_ids"])):  # fmt: skip
            id_list = split_bar(ids)
            for order, name in enumerate(split_bar(names)):
                ref = f"mdl:{id_list[order]}" if order < len(id_list) else None
                record.crew.append(CrewEntry(kind, name, "mdl", order, ref=ref))
        records.append(record)
        stats.add("mdl: dramas read")
    return records


def _content_rating(text: str) -> str | None:
    value = clean_text(text)
    return None if value.casefold() in {"", "not yet rated", "n/a"} else value
