"""English Wikipedia infoboxes (`kdrama-more/wiki-infobox/`): the widest range of years, cast names in billing order.

There is no Hangul and no character. Titles lose Wikipedia's disambiguation ("Boys Over Flowers (2009 TV
series)" -> "Boys Over Flowers"); release dates are prose ("January 5 – March 31, 2009", "2 April 1981 – 11
February 1982"); network names are unified with MyDramaList's ("Munhwa Broadcasting Corporation" and "MBC TV"
are MBC). One row covers every season of a show, so its episode count and years are used only for a show no other
source knows. Rows whose genre is Reality or Variety show are not dramas and are left out.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from seedbuild.common import Stats, clean_text, read_csv
from seedbuild.model import CastEntry, CrewEntry, Record

NETWORKS = {
    "munhwa broadcasting corporation": "MBC", "mbc tv": "MBC", "seoul broadcasting system": "SBS", "sbs tv": "SBS",
    "korean broadcasting system": "KBS", "kbs 2tv": "KBS2", "jtbc": "jTBC", "tvn": "tvN",
    "maeil broadcasting network": "MBN", "educational broadcasting system": "EBS", "mbc every 1": "MBC every1",
    "kakaotv": "Kakao TV", "naver tv": "Naver TV Cast", "naver v": "vLive", "v live": "vLive", "cj cgv": "CGV",
    "e channel": "E-Channel", "mbc dramanet": "MBC Dramanet", "obs tv": "OBS",
}  # fmt: skip
NOT_DRAMA = re.compile(r"\b(?:reality|variety show)\b", re.IGNORECASE)
_DISAMBIGUATION = re.compile(r"\s*\([^()]*\)\s*$")
_PAREN = re.compile(r"\s*\([^()]*\)")
_MONTHS = "January February March April May June July August September October November December".split()


def strip_disambiguation(title: str) -> str:
    """ "Moving (South Korean TV series)" -> "Moving"; a title that is only a parenthesis is kept."""
    stripped = _DISAMBIGUATION.sub("", title)
    return stripped or title


def _dash_list(value: str) -> list[str]:
    text = clean_text(value)
    return [] if text in ("", "-") else [part for part in (clean_text(p) for p in text.split(",")) if part]


def _names(value: str) -> list[str]:
    return [clean_text(_PAREN.sub("", name)) for name in _dash_list(value) if clean_text(_PAREN.sub("", name))]


def parse_release(text: str) -> tuple[str | None, str | None]:
    """Read "January 5 – March 31, 2009" (or "2 April 1981 – 11 February 1982") into ISO premiere and finale."""
    text = clean_text(text.replace("\n", " "))
    parts = [clean_text(p) for p in re.split(r"\s[–-]\s|–", text) if clean_text(p)]
    if not parts:
        return None, None
    right = _full_date(parts[-1], None) if len(parts) > 1 else None
    year = right[:4] if right else None
    left = _full_date(parts[0], year)
    if left is None and len(parts) == 1:
        return None, None
    return left, right


def _full_date(text: str, year: str | None) -> str | None:
    text = text.replace(",", " ")
    words = text.split()
    if year and not any(re.fullmatch(r"\d{4}", w) for w in words):
        words.append(year)
    joined = " ".join(words)
    for pattern in ("%B %d %Y", "%d %B %Y"):
        try:
            return datetime.strptime(joined, pattern).date().isoformat()
        except ValueError:
            continue
    return None


def network_names(value: str) -> list[str]:
    found: list[str] = []
    for line in re.split(r"[\n,]", value):
        name = clean_text(_PAREN.sub("", line))
        if not name or name == "-":
            continue
        found.append(NETWORKS.get(name.casefold(), name))
    return list(dict.fromkeys(found))


def read_wiki(folder: Path, stats: Stats) -> list[Record]:
    records = []
    seen: dict[str, int] = {}
    for row in read_csv(folder / "kdrama_dataset_detailed_v8.csv"):
        raw_title = clean_text(row["Title"])
        if not raw_title or NOT_DRAMA.search(row["Genre"]):
            stats.add("wiki: reality and variety left out")
            continue
        title = strip_disambiguation(raw_title)
        years = tuple(sorted({int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", row["Release Years"])}))
        premiere, finale = parse_release(row["Release Dates"])
        if premiere and (not years or int(premiere[:4]) not in years):
            years = tuple(sorted({*years, int(premiere[:4])}))
        if finale and premiere and finale < premiere:
            finale = None
        episodes = re.match(r"\s*(\d+)", row["Episodes"])
        slug = re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-") or "untitled"
        ident = f"{slug}-{years[0]}" if years else slug
        seen[ident] = seen.get(ident, 0) + 1
        if seen[ident] > 1:
            ident = f"{ident}-{seen[ident]}"
        genres = sorted({g.strip().title() for g in _dash_list(row["Genre"])})
        record = Record(
            source="wiki",
            id=ident,
            title=title,
            akas=[a for a in _dash_list(row["Also Known As"]) if a != title],
            year=years[0] if years else None,
            years=years,
            premiere=premiere,
            finale=finale,
            episodes=int(episodes[1]) if episodes and int(episodes[1]) > 0 else None,
            networks=network_names(row["Network"]),
            genres=genres,
        )
        for order, name in enumerate(_names(row["Cast"])):
            record.cast.append(CastEntry(name, "wiki", order, role="main"))  # the infobox's "Starring"
        for kind, column in (("director", "Director"), ("writer", "Written By")):
            for order, name in enumerate(_names(row[column])):
                record.crew.append(CrewEntry(kind, name, "wiki", order))
        records.append(record)
        stats.add("wiki: rows read")
    return records
