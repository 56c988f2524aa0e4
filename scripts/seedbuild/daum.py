"""Daum TV pages 2000-2016 (`kdrama-more/daum-2000-2016/`): Hangul titles, air times, cast with characters, crew.

Everything is in Korean. Networks are given their English names as MyDramaList spells them; weekdays run
together ("월화" = Mon, Tue); a cast role is "<character> 역", or 주연 (lead), 출연 or 특별출연 (cameo) with no
character. Crew kept: 연출 (director) and 극본 (writer), former ones (이전 ...) included; 원작 (the original work's
author), 기획 (planning) and the rest are no screen credit the catalog keeps.
"""

from __future__ import annotations

import re
from pathlib import Path

from seedbuild.common import HANGUL, Stats, clean_character, clean_text, parse_date, read_csv
from seedbuild.model import CastEntry, CrewEntry, Record

NETWORKS = {
    "KBS2": "KBS2", "KBS1": "KBS1", "MBC": "MBC", "SBS": "SBS", "tvN": "tvN", "JTBC": "jTBC", "OCN": "OCN",
    "TV조선": "TV Chosun", "MBN": "MBN", "EBS": "EBS", "MBC 드라마넷": "MBC Dramanet", "MBC every1": "MBC every1",
    "E채널": "E-Channel", "채널A": "Channel A", "채널CGV": "CGV", "KBS Drama": "KBS Drama", "Mnet": "Mnet",
    "투니버스": "Tooniverse", "SBS 플러스": "SBS Plus", "드라맥스": "DramaX", "OBS 경인TV": "OBS",
    "네이버 TV캐스트": "Naver TV Cast", "올리브": "O'live", "SUPER ACTION": "Super Action", "코미디TV": "Comedy TV",
    "KNN 부산경남방송": "KNN", "MBC QueeN": "MBC QueeN", "MBC Music": "MBC Music", "DRAMAcube": "DRAMAcube",
    "대교어린이TV": "Daekyo Kids TV", "DramaH": "DramaH", "On Style": "On Style",
}  # fmt: skip
NOT_NETWORKS = {"웹드라마"}  # "web drama": a format, not a channel
WEEKDAYS = {"월": "Mon", "화": "Tue", "수": "Wed", "목": "Thu", "금": "Fri", "토": "Sat", "일": "Sun"}
ORDER = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
GENRES = {"드라마": [], "시트콤": ["Sitcom"]}
CAST_ROLES = {"주연": "main", "출연": None, "특별출연": "guest", "이전 출연": None, "이전 특별출연": "guest"}
CREW_KINDS = {"연출": "director", "극본": "writer", "이전 연출": "director", "이전 극본": "writer"}


def read_daum(folder: Path, stats: Stats) -> list[Record]:
    summaries = read_csv(folder / "dramaSummaryInfo_filtered.csv")
    credits: dict[str, list[dict[str, str]]] = {}
    for number in (1, 2, 3):
        for row in read_csv(folder / f"dramaCrewInfo{number}.csv"):
            credits.setdefault(row["drama_id"].strip(), []).append(row)
    records = []
    for row in summaries:
        premiere = parse_date(row["start_date"].replace(".", "-"))
        finale = parse_date(row["end_date"].replace(".", "-"))
        if premiere is None:
            stats.add("daum: undated left out")
            continue
        if finale and finale < premiere:
            finale = None
        title = clean_text(row["title"])
        network = clean_text(row["network"])
        days = [WEEKDAYS[ch] for ch in clean_text(row["airday"]) if ch in WEEKDAYS]
        air_time, days = _air_time(clean_text(row["airtime"]), days)
        record = Record(
            source="daum",
            id=row["drama_id"].strip(),
            hangul=title if HANGUL.search(title) else None,
            title=None if HANGUL.search(title) else title,  # a few titles are in Latin letters ("RNA", "SOS")
            year=int(premiere[:4]),
            years=(int(premiere[:4]),),
            premiere=premiere,
            finale=finale,
            air_days=[d for d in ORDER if d in days],
            air_time=air_time,
            networks=[NETWORKS.get(network, network)] if network and network not in NOT_NETWORKS else [],
            genres=GENRES.get(clean_text(row["genre"]), []),
        )
        cast_order = crew_order = 0
        for credit in sorted(credits.get(record.id, []), key=_credit_order):
            name = clean_text(credit["person_name"])
            role_text = clean_text(credit["person_role"])
            code = credit["person_code"].strip()
            ref = f"daum:{code}" if code else None
            if not name:
                continue
            if credit["crew_type"] == "배우":
                if role_text.endswith(" 역") or role_text == "역":
                    character, note = clean_character(role_text[:-1])
                    record.cast.append(CastEntry(name, "daum", cast_order, character, note, None, True, ref))
                elif role_text in CAST_ROLES:
                    record.cast.append(
                        CastEntry(name, "daum", cast_order, None, None, CAST_ROLES[role_text], True, ref)
                    )
                else:
                    continue
                cast_order += 1
            elif role_text in CREW_KINDS:
                record.crew.append(CrewEntry(CREW_KINDS[role_text], name, "daum", crew_order, True, ref))
                crew_order += 1
        records.append(record)
        stats.add("daum: dramas read")
    return records


def _air_time(text: str, days: list[str]) -> tuple[str | None, list[str]]:
    """Read "21:50"; Korean listings write past midnight as "24:30" or "25:10": that is 00:30 the next day."""
    match = re.fullmatch(r"(\d\d):(\d\d)", text)
    if not match or int(match[2]) > 59 or int(match[1]) > 29:
        return None, days
    hour, minute = int(match[1]), int(match[2])
    if hour >= 24:
        hour -= 24
        days = [ORDER[(ORDER.index(d) + 1) % 7] for d in days]
    return f"{hour:02d}:{minute:02d}", days


def _credit_order(row: dict[str, str]) -> tuple[str, int]:
    try:
        seq = int(row["crew_type_seq"])
    except ValueError:
        seq = 1 << 30
    return (row["crew_type"], seq)
