"""The committed seed catalog (data/seed/catalog.json): well formed, consistent, and rebuildable.

Everything but the rebuild is checked from data/ (and the build script) alone, so it runs on any clone. The
rebuild needs the raw CSVs, which live outside the repository: in ../shared/data/kdrama, or wherever
DRAMABOT_RAW_DATA points; only that test skips without them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED = REPO_ROOT / "data" / "seed" / "catalog.json"
RAW_SOURCE = Path(os.environ.get("DRAMABOT_RAW_DATA") or REPO_ROOT.parent / "shared" / "data" / "kdrama")
BUILD_SCRIPT = REPO_ROOT / "scripts" / "build_seed.py"

WEEKDAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
SHOW_KEYS = {
    "key", "title", "hangul_title", "alt_titles", "kind", "country", "networks", "premiere", "finale",
    "episode_count", "episode_minutes", "air_days", "air_time", "timezone", "genres", "rating",
    "content_rating", "popularity_rank", "poster_url", "tmdb_id", "credits",
}  # fmt: skip
CREDIT_KEYS = {"person", "kind", "character", "character_note", "role", "billing"}
PERSON_KEYS = {"key", "name", "hangul_name", "alt_names", "tmdb_id", "gender", "birthday"}
# org_net strings that join several networks with spaces; none may survive as one network.
JOINED_NETWORKS = {
    "Netflix tvN", "Naver TV Cast vLive", "ENA Genie TV", "Disney+ Hulu", "KBS2 Viki", "jTBC Netflix",
    "MBC MBC every1", "Naver TV Cast,  vLive,", "BS TV Tokyo Netflix",
}  # fmt: skip


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


def show_titled(shows: list[dict[str, Any]], title: str) -> dict[str, Any]:
    matches = [show for show in shows if show["title"] == title]
    assert len(matches) == 1, f"{len(matches)} shows titled {title!r}"
    return matches[0]


def load_build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_seed", BUILD_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the script is executed
    spec.loader.exec_module(module)
    return module


def test_every_show_and_enough_cast(shows: list[dict[str, Any]]) -> None:
    assert len(shows) >= 3000
    cast = [c for show in shows for c in show["credits"] if c["kind"] == "cast"]
    assert len(cast) > 8000


def test_records_have_the_documented_keys(seed: dict[str, Any], shows: list[dict[str, Any]]) -> None:
    assert set(seed) >= {"version", "sources", "shows", "people"}
    for show in shows:
        assert set(show) >= SHOW_KEYS, show["key"]
        assert re.fullmatch(r"(kd|mdl|daum|wiki):[0-9a-z-]+", show["key"]), show["key"]
        assert show["title"] and show["title"] == " ".join(show["title"].split())
        assert show["kind"] == "drama" and show["country"] == "KR" and show["timezone"] == "Asia/Seoul"
        assert show["title"] not in show["alt_titles"]
        for credit in show["credits"]:
            assert set(credit) == CREDIT_KEYS, show["key"]
    for person in seed["people"]:
        assert set(person) == PERSON_KEYS
        assert re.fullmatch(r"p:[a-z0-9]+(-[a-z0-9]+)*", person["key"]), person["key"]
        assert person["name"] not in person["alt_names"]


def test_keys_are_unique(seed: dict[str, Any]) -> None:
    show_keys = Counter(show["key"] for show in seed["shows"])
    person_keys = Counter(person["key"] for person in seed["people"])
    assert [k for k, n in show_keys.items() if n > 1] == []
    assert [k for k, n in person_keys.items() if n > 1] == []


def test_dates_parse_and_run_forward(shows: list[dict[str, Any]]) -> None:
    for show in shows:
        dates = {}
        for field in ("premiere", "finale"):
            value = show[field]
            if value is not None:
                assert re.fullmatch(r"\d{4}-\d\d-\d\d", value), (show["title"], value)
                dates[field] = dt.date.fromisoformat(value)
        if len(dates) == 2:
            assert dates["premiere"] <= dates["finale"], show["title"]


def test_air_days_networks_and_numbers_are_clean(shows: list[dict[str, Any]]) -> None:
    all_networks = {network for show in shows for network in show["networks"]}
    for show in shows:
        assert set(show["air_days"]) <= WEEKDAYS, show["title"]
        assert len(set(show["air_days"])) == len(show["air_days"])
        assert all(isinstance(n, str) and n and n == n.strip() for n in show["networks"]), show["title"]
        assert len(set(show["networks"])) == len(show["networks"])
        for number in ("episode_count", "episode_minutes", "popularity_rank", "tmdb_id"):
            assert show[number] is None or (isinstance(show[number], int) and show[number] > 0)
        assert show["rating"] is None or 0 <= show["rating"] <= 10
        assert show["air_time"] is None or re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", show["air_time"])
    assert not all_networks & JOINED_NETWORKS
    for network in all_networks:
        assert "," not in network and "  " not in network
        words = network.split()
        # No network is several other known networks glued together with spaces.
        for cut in range(1, len(words)):
            left, right = " ".join(words[:cut]), " ".join(words[cut:])
            assert not (left in all_networks and right in all_networks), network


def test_credits_resolve_and_characters_are_clean(shows: list[dict[str, Any]],
                                                  people: dict[str, dict[str, Any]]) -> None:  # fmt: skip
    for show in shows:
        billings = []
        for credit in show["credits"]:
            assert credit["person"] in people, (show["title"], credit["person"])
            assert credit["kind"] in {"cast", "director", "writer"}
            character = credit["character"]
            if credit["kind"] == "cast":
                assert credit["role"] in {"main", "support", "guest", None}
                billings.append(credit["billing"])
            else:
                assert character is None and credit["role"] is None and credit["billing"] >= 1
            if character is not None:
                assert character and character == character.strip(), (show["title"], character)
                assert not re.search(r"[\[\](){}]", character), (show["title"], character)
                assert "  " not in character, (show["title"], character)
        assert billings == list(range(1, len(billings) + 1)), show["title"]
        identities = [(c["person"], c["kind"], c["character"]) for c in show["credits"]]
        assert len(identities) == len(set(identities)), show["title"]


def test_main_cast_is_billed_before_support(shows: list[dict[str, Any]]) -> None:
    order = {"main": 0, "support": 1, "guest": 2, None: 3}
    for show in shows:
        roles = [order[c["role"]] for c in show["credits"] if c["kind"] == "cast"]
        assert roles == sorted(roles), show["title"]


def test_soundtrack_1_facts(shows: list[dict[str, Any]], people: dict[str, dict[str, Any]]) -> None:
    show = show_titled(shows, "Soundtrack #1")
    assert show["hangul_title"] == "사운드트랙 #1"
    assert "Soundtrack 1" in show["alt_titles"]
    assert show["premiere"] == "2022-03-23"
    assert show["finale"] == "2022-04-13"
    assert show["networks"] == ["Disney+"]
    assert show["episode_count"] == 4
    assert show["air_days"] == ["Wed"]

    def named(kind: str) -> list[str]:
        return [people[c["person"]]["name"] for c in show["credits"] if c["kind"] == kind]

    assert named("director") == ["Kim Hee Won"]
    assert named("writer") == ["Ahn Sae Bom"]
    cast = {people[c["person"]]["name"]: c for c in show["credits"] if c["kind"] == "cast"}
    assert (cast["Han So Hee"]["character"], cast["Han So Hee"]["role"]) == ("Lee Eun Soo", "main")
    assert (cast["Park Hyung Sik"]["character"], cast["Park Hyung Sik"]["role"]) == ("Han Sun Woo", "main")
    composer = [c for c in cast.values() if c["character_note"] == "Composer"]
    assert len(composer) == 1
    assert composer[0]["role"] == "support" and composer[0]["character"] == "Kang Woo Il"


def test_people_merge_spellings(people: dict[str, dict[str, Any]]) -> None:
    han_so_hee = people["p:han-so-hee"]
    assert han_so_hee["name"] == "Han So Hee"
    assert "Han So-hee" in han_so_hee["alt_names"]
    assert han_so_hee["tmdb_id"] is not None
    # One person per name, unless their Hangul names tell two people of one romanised name apart.
    normalised = Counter((re.sub(r"[\s-]", "", p["name"].casefold()), p["hangul_name"]) for p in people.values())
    assert [n for n, count in normalised.items() if count > 1] == []


def test_version_is_the_hash_of_shows_and_people(seed: dict[str, Any]) -> None:
    canonical = json.dumps({"shows": seed["shows"], "people": seed["people"]}, sort_keys=True,
                           ensure_ascii=False, separators=(",", ":"))  # fmt: skip
    assert seed["version"] == hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_the_file_is_as_the_build_script_writes_it(seed: dict[str, Any]) -> None:
    # One record a line, records sorted by key, the version its content's hash: the script's own writer,
    # given what the file holds, gives back the file byte for byte.
    build_seed = load_build_script()
    assert [show["key"] for show in seed["shows"]] == sorted(show["key"] for show in seed["shows"])
    assert [person["key"] for person in seed["people"]] == sorted(person["key"] for person in seed["people"])
    assert build_seed.catalog_version(seed["shows"], seed["people"]) == seed["version"]
    assert build_seed.render(seed).encode("utf-8") == SEED.read_bytes()


def test_titles_names_years_and_ids_are_each_one_thing(shows: list[dict[str, Any]],
                                                       people: dict[str, dict[str, Any]]) -> None:  # fmt: skip
    for show in shows:
        assert all(alt.casefold() != show["title"].casefold() for alt in show["alt_titles"]), show["title"]
        assert len(set(show["alt_titles"])) == len(show["alt_titles"]), show["title"]
        assert show["genres"] == sorted(set(show["genres"])), show["title"]
        assert show["year"] is None or 2000 <= show["year"] <= 2025, show["title"]
        if show["year"] is not None and show["premiere"] is not None:
            assert int(show["premiere"][:4]) == show["year"], show["title"]
    # Popularity ranks are not checked: they come from MyDramaList snapshots of different years, so two shows
    # may hold the same rank (a tie only orders them alike).
    counts = Counter(show["tmdb_id"] for show in shows if show["tmdb_id"] is not None)
    assert [value for value, n in counts.items() if n > 1] == []
    tmdb_people = Counter(person["tmdb_id"] for person in people.values() if person["tmdb_id"] is not None)
    assert [value for value, n in tmdb_people.items() if n > 1] == []
    # Every person is credited somewhere: the seed carries no one the catalog could not show a credit for.
    assert set(people) == {credit["person"] for show in shows for credit in show["credits"]}


def test_the_wheel_ships_the_seed_the_bot_reads() -> None:
    from bot.seed import seed_path

    assert seed_path() == SEED  # in a checkout the bot reads data/seed itself
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"data/seed" = "bot/_seed"' in pyproject  # and an installed bot its copy, bot/_seed/catalog.json


def test_rebuilding_from_the_csvs_gives_the_same_bytes() -> None:
    if not (RAW_SOURCE / "korean_drama.csv").is_file():
        pytest.skip(f"raw CSVs not found at {RAW_SOURCE}; set DRAMABOT_RAW_DATA to their folder to run this")
    build_seed = load_build_script()
    rebuilt = build_seed.render(build_seed.build_catalog(RAW_SOURCE, RAW_SOURCE.parent / "kdrama-more"))
    assert rebuilt.encode("utf-8") == SEED.read_bytes()
