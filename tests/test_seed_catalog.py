"""The wider seed (issue 13): the classics and this year's shows, Hangul titles and names, billing, seasons.

Checks over the whole shipped data/seed/catalog.json, and that scripts/build_seed.py rebuilds it byte for byte
when the raw sources are beside the checkout.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.seasons import series_key
from bot.seed import peek_seed_version

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED = REPO_ROOT / "data" / "seed" / "catalog.json"
HANGUL = re.compile("[\uac00-\ud7a3]")
# Left by a web page's e-mail obfuscation, a wrong decoding or HTML escaping ("The [email protected]").
GARBLED = re.compile(r"\[email|protected\]|\ufffd|&#\d+;|&amp;|&quot;|Ã.|â€")


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    with SEED.open(encoding="utf-8") as file:
        data: dict[str, Any] = json.load(file)
    return data


@pytest.fixture(scope="module")
def shows(seed: dict[str, Any]) -> list[dict[str, Any]]:
    return list(seed["shows"])


@pytest.fixture(scope="module")
def people(seed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {person["key"]: person for person in seed["people"]}


def titled(shows: list[dict[str, Any]], title: str) -> dict[str, Any]:
    found = [show for show in shows if show["title"].casefold() == title.casefold()]
    assert len(found) == 1, f"{len(found)} shows titled {title!r}"
    return found[0]


def cast_names(show: dict[str, Any], people: dict[str, dict[str, Any]]) -> list[str]:
    return [people[c["person"]]["name"] for c in show["credits"] if c["kind"] == "cast"]


def test_three_thousand_korean_dramas_from_2000_to_2025(shows: list[dict[str, Any]]) -> None:
    years = Counter(show["year"] for show in shows)
    assert len(shows) >= 3000
    assert all(show["kind"] == "drama" and show["country"] == "KR" for show in shows)
    assert all(year is not None and 2000 <= year <= 2025 for year in years), sorted(years)
    # Every era is there, not just the core's 2015-2023.
    assert sum(n for year, n in years.items() if year < 2010) >= 600
    assert sum(n for year, n in years.items() if year >= 2024) >= 150


@pytest.mark.parametrize(
    ("title", "hangul", "year"),
    [
        ("Boys over Flowers", "꽃보다 남자", 2009),
        ("Coffee Prince", "커피프린스 1호점", 2007),
        ("My Love from the Star", "별에서 온 그대", 2013),
        ("Winter Sonata", "겨울연가", 2002),
        ("Jewel in the Palace", "대장금", 2003),
        ("Queen of Tears", "눈물의 여왕", 2024),
        ("Lovely Runner", "선재 업고 튀어", 2024),
        ("Moving", "무빙", 2023),
        ("When Life Gives You Tangerines", "폭싹 속았수다", 2025),
        ("Squid Game Season 2", "오징어게임 시즌2", 2024),
        ("Squid Game Season 3", "오징어게임 시즌3", 2025),
    ],
)
def test_the_classics_and_this_years_shows_are_there(
    shows: list[dict[str, Any]], people: dict[str, dict[str, Any]], title: str, hangul: str, year: int
) -> None:
    show = titled(shows, title)
    assert show["hangul_title"] == hangul and show["year"] == year
    assert len(cast_names(show, people)) >= 4
    assert any(c["character"] for c in show["credits"] if c["kind"] == "cast")


def test_variety_and_reality_shows_are_left_out(shows: list[dict[str, Any]]) -> None:
    titles = {show["title"].casefold() for show in shows}
    for program in ("Running Man", "Weekly Idol", "Boys Planet", "Hospital Playlist Goes Camping", "The Unit"):
        assert program.casefold() not in titles, program
    # Making-of and recap specials are no dramas of their own either.
    specials = ("Goblin Special: The Summoning", "Vincenzo: Special", "Cheese in the Trap SP",
                "Crash Landing on You Special: Lunar New Year", "Descendants of the Sun: Recap Special")  # fmt: skip
    for special in specials:
        assert special.casefold() not in titles, special


def test_hangul_titles_for_the_share_the_sources_allow(shows: list[dict[str, Any]]) -> None:
    with_hangul = [show for show in shows if show["hangul_title"]]
    assert len(with_hangul) / len(shows) >= 0.78  # 2,722 of 3,412 when written
    assert all(HANGUL.search(show["hangul_title"]) for show in with_hangul)
    # Shows only Daum knows take their Hangul title as their title too; every other title is in Latin letters.
    for show in shows:
        if show["key"].startswith("daum:") and HANGUL.search(show["title"]):
            assert show["title"] == show["hangul_title"]


def test_cast_with_characters_for_most_shows(shows: list[dict[str, Any]]) -> None:
    with_characters = [s for s in shows if any(c["character"] for c in s["credits"] if c["kind"] == "cast")]
    assert len(with_characters) / len(shows) >= 0.8


@pytest.mark.parametrize(
    ("title", "lead"),
    [("Goblin", "Gong Yoo"), ("Crash Landing on You", "Hyun Bin"), ("Boys over Flowers", "Gu Hye Seon")],
)
def test_leads_come_first_in_the_sources_order(
    shows: list[dict[str, Any]], people: dict[str, dict[str, Any]], title: str, lead: str
) -> None:
    assert cast_names(titled(shows, title), people)[0] == lead


def test_park_bo_gum_is_billed_where_myDramaList_bills_him(
    shows: list[dict[str, Any]], people: dict[str, dict[str, Any]]
) -> None:
    # MyDramaList's page for Reply 1988 lists Lee Hye Ri, Go Kyung Pyo, Ryu Jun Yeol, then Park Bo Gum: the
    # source's order, not the file order of wiki_actors.csv, which put him last among the leads before.
    reply = cast_names(titled(shows, "Reply 1988"), people)
    assert reply[:5] == ["Lee Hye Ri", "Go Kyung Pyo", "Ryu Joon Yeol", "Park Bo Gum", "Lee Dong Hwi"]
    tangerines = cast_names(titled(shows, "When Life Gives You Tangerines"), people)
    assert tangerines[:2] == ["IU", "Park Bo Gum"]


def test_no_title_or_name_is_garbled(seed: dict[str, Any]) -> None:
    for show in seed["shows"]:
        for name in (show["title"], show["hangul_title"] or "", *show["alt_titles"]):
            assert not GARBLED.search(name), (show["key"], name)
    for person in seed["people"]:
        for name in (person["name"], person["hangul_name"] or "", *person["alt_names"]):
            assert not GARBLED.search(name), (person["key"], name)


def test_the_garbled_idolmaster_title_is_repaired(shows: list[dict[str, Any]]) -> None:
    show = next(s for s in shows if s["key"] == "kd:0888b4ac9255479f83537789ab54921c")  # "The [email protected]"
    assert show["title"] == "The Idolmaster KR"


def test_names_fans_type_are_alternative_titles(shows: list[dict[str, Any]]) -> None:
    assert "도깨비" in titled(shows, "Goblin")["alt_titles"]  # the part of 쓸쓸하고 찬란하神-도깨비 after the dash
    assert "Hospital Playlist 2" in titled(shows, "Hospital Playlist Season 2")["alt_titles"]
    assert "Reply 88" in titled(shows, "Reply 1988")["alt_titles"]
    assert "Dae Jang Geum" in titled(shows, "Jewel in the Palace")["alt_titles"]
    # No alternative title is another show's title or another show's alternative title (the core's own aside).
    owners: dict[str, set[str]] = {}
    for show in shows:
        for name in (show["title"], *show["alt_titles"]):
            owners.setdefault(re.sub(r"\W", "", name.casefold()), set()).add(show["key"])
    for show in shows:
        if show["key"].startswith("kd:"):
            continue
        for name in show["alt_titles"]:
            assert owners[re.sub(r"\W", "", name.casefold())] == {show["key"]}, (show["title"], name)


def test_people_carry_hangul_names_gender_and_birthday(people: dict[str, dict[str, Any]]) -> None:
    everyone = list(people.values())
    gong_yoo = people["p:gong-yoo"]
    assert gong_yoo["hangul_name"] == "공유" and gong_yoo["gender"] == "male" and gong_yoo["birthday"] == "1979-07-10"
    assert people["p:bae-doo-na"]["hangul_name"] == "배두나"
    assert sum(bool(p["hangul_name"]) for p in everyone) / len(everyone) >= 0.6
    assert all(p["gender"] in {None, "female", "male", "non-binary"} for p in everyone)
    assert all(p["birthday"] is None or re.fullmatch(r"\d{4}-\d\d-\d\d", p["birthday"]) for p in everyone)
    # A birthday or gender is only known through a TMDB id.
    assert all(p["tmdb_id"] is not None for p in everyone if p["gender"] or p["birthday"])


def test_seasons_are_linked_to_their_series_as_the_bot_reads_titles(shows: list[dict[str, Any]]) -> None:
    by_key = {show["key"]: show for show in shows}
    linked = [show for show in shows if show["series"]]
    assert len(linked) >= 200
    for show in linked:
        first = by_key[show["series"]]
        assert series_key(show["title"]) == (series_key(first["title"])[0], show["season"])
    hospital = titled(shows, "Hospital Playlist Season 2")
    assert hospital["season"] == 2 and by_key[hospital["series"]]["title"] == "Hospital Playlist"
    glory = titled(shows, "The Glory Part 2")
    assert glory["season"] == 2 and by_key[glory["series"]]["title"] == "The Glory"
    assert titled(shows, "Soundtrack #2")["series"] == titled(shows, "Soundtrack #1")["key"]


def test_the_version_is_read_from_the_start_of_the_file(seed: dict[str, Any]) -> None:
    assert peek_seed_version(SEED.read_bytes()) == seed["version"]
    # Written another way (sorted keys, no line breaks), the file is parsed whole instead: never a wrong version.
    sorted_keys = json.dumps({"people": [], "shows": [], "version": "v2"}, sort_keys=True).encode()
    assert peek_seed_version(sorted_keys) in (None, "v2")
    late = json.dumps({"people": [{"key": "p:x" * 2000}], "version": "v3"}).encode()
    assert peek_seed_version(late) is None
