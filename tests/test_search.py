"""The search index finds what fans type, against the real seed catalog."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from bot.models import Person, Show
from bot.search import Hit, SearchIndex, build_person_index, build_show_index
from bot.text import normalize, search_key
from tests.seed_support import seed_file_shows

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "data" / "seed" / "catalog.json"
QUERIES = Path(__file__).parent / "data" / "search_queries.tsv"
GUILD, OTHER_GUILD = 111, 222


@pytest.fixture(scope="module")
def catalog() -> dict:
    return json.loads(CATALOG.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def shows(catalog: dict) -> list[Show]:
    return seed_file_shows(catalog)


@pytest.fixture(scope="module")
def people(catalog: dict) -> list[Person]:
    return [
        Person(
            id=number,
            name=person["name"],
            hangul_name=person.get("hangul_name"),
            alt_names=tuple(person.get("alt_names") or ()),
            seed_key=person["key"],
        )
        for number, person in enumerate(catalog["people"], start=1)
    ]


@pytest.fixture(scope="module")
def show_index(shows: list[Show]) -> SearchIndex:
    return build_show_index(shows)


@pytest.fixture(scope="module")
def person_index(people: list[Person]) -> SearchIndex:
    return build_person_index(people)


def top(hits: list[Hit]) -> str | None:
    return hits[0].name if hits else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Soundtrack #1", "soundtrack 1"),
        ("  Han   So-hee ", "han so hee"),
        ("It's Okay to Not Be Okay", "its okay to not be okay"),
        ("Café Minamdang", "cafe minamdang"),
        ("ＶＩＮＣＥＮＺＯ", "vincenzo"),
        ("사운드트랙 #1", "사운드트랙 1"),
        ("Real:Time:Love", "real time love"),
        ("", ""),
    ],
)
def test_normalize_folds_case_width_accents_and_punctuation(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_search_key_joins_words_and_spells_hangul_as_typed() -> None:
    assert search_key("Han So-hee") == search_key("hansohee") == "hansohee"
    assert search_key("사랑") == "ㅅㅏㄹㅏㅇ"
    assert search_key("사랑").startswith(search_key("사라"))  # a syllable typed half-way still matches


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("Soundtrack #1", "Soundtrack #1"),
        ("soundtrack 1", "Soundtrack #1"),
        ("SOUNDTRACK#1", "Soundtrack #1"),
        ("crashlandingonyou", "Crash Landing on You"),
        ("hotel del luna", "Hotel del Luna"),
        ("start up", "Start-Up"),
        ("startup", "Start-Up"),
        ("cloy", "Crash Landing on You"),
        ("사운드트랙 #1", "Soundtrack #1"),
        ("사랑의불시착", "Crash Landing on You"),
    ],
)
def test_exact_normalised_and_acronym_queries_are_sure(show_index: SearchIndex, query: str, title: str) -> None:
    hits = show_index.search(query)
    assert top(hits) == title
    assert hits[0].sure
    assert hits[0].score >= 95


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("soundtrak", "Soundtrack #1"),
        ("soundtrack 1 drama", "Soundtrack #1"),
        ("vincenso", "Vincenzo"),
        ("vinczeno", "Vincenzo"),
        ("crash landing you", "Crash Landing on You"),
        ("crash landin on yuo", "Crash Landing on You"),
        ("hotel deluna", "Hotel del Luna"),
        ("crash lan", "Crash Landing on You"),
        ("사운드트랙", "Soundtrack #1"),
        ("빈샌조", "Vincenzo"),  # a vowel typo inside one Hangul syllable
    ],
)
def test_typos_missing_words_prefixes_and_hangul_find_the_show(show_index: SearchIndex, query: str, title: str) -> None:
    assert top(show_index.search(query)) == title


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("sountr", "Soundtrack #1"),
        ("soundt", "Soundtrack #1"),
        ("crash lan", "Crash Landing on You"),
        ("vince", "Vincenzo"),
        ("사운드", "Soundtrack #1"),
        ("사운드트래", "Soundtrack #1"),  # 랙 typed as far as 래
        ("사랑의 불", "Crash Landing on You"),
    ],
)
def test_complete_offers_the_show_being_typed(show_index: SearchIndex, typed: str, title: str) -> None:
    assert top(show_index.complete(typed)) == title


def test_complete_ranks_prefix_matches_by_popularity(show_index: SearchIndex, shows: list[Show]) -> None:
    hits = show_index.complete("the ")
    ranks = {show.id: show.popularity_rank or 10**9 for show in shows}
    prefixed = [hit for hit in hits if search_key(hit.matched).startswith("the")]
    assert len(prefixed) == 25
    assert [ranks[hit.id] for hit in prefixed] == sorted(ranks[hit.id] for hit in prefixed)


@pytest.mark.parametrize("limit", [1, 5, 25, 100])
def test_complete_never_returns_more_than_25(show_index: SearchIndex, limit: int) -> None:
    hits = show_index.complete("s", limit=limit)
    assert len(hits) == min(limit, 25)
    assert len({hit.id for hit in hits}) == len(hits)


def test_search_honours_limit_and_orders_best_first(show_index: SearchIndex) -> None:
    hits = show_index.search("love", limit=3)
    assert len(hits) == 3
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert show_index.search("love", limit=0) == []
    assert show_index.search("   ") == []


def test_exact_match_outranks_prefix_and_fuzzy_matches(show_index: SearchIndex) -> None:
    hits = show_index.search("vincenzo", limit=5)
    assert hits[0].name == "Vincenzo" and hits[0].score == 100
    assert all(hit.score < 100 for hit in hits[1:])


def test_a_clear_guess_is_not_sure(show_index: SearchIndex) -> None:
    hits = show_index.search("hospital lovers")  # Hospital Ship? Hospital Playlist?
    assert hits
    assert not any(hit.sure for hit in hits)


def test_an_exact_hit_reports_the_name_that_matched(show_index: SearchIndex) -> None:
    hit = show_index.search("사운드트랙 #1")[0]
    assert (hit.name, hit.matched, hit.sure) == ("Soundtrack #1", "사운드트랙 #1", True)


@pytest.mark.parametrize("query", ["Han So Hee", "Han So-hee", "han sohee", "hansohee", "HAN SO HEE", "han so-hee"])
def test_person_spellings_find_the_same_person(person_index: SearchIndex, query: str) -> None:
    hits = person_index.search(query)
    assert top(hits) == "Han So Hee"
    assert hits[0].sure


def test_person_typo_finds_the_person(person_index: SearchIndex) -> None:
    assert top(person_index.search("han sohe")) == "Han So Hee"
    assert top(person_index.complete("han so h")) is not None


def test_guild_entries_are_visible_only_to_their_guild(show_index: SearchIndex) -> None:
    index = SearchIndex()
    index.upsert(1, ["Vincenzo"], popularity=0.9)
    index.upsert(2, ["Secret Garden Club"], guild_id=GUILD)
    index.upsert(3, ["Secret Garden Cult"], guild_id=OTHER_GUILD)
    assert index.search("secret garden club", guild_id=GUILD)[0].id == 2
    for query in ("secret garden club", "secret garden", "secret gardn clb", "sgc"):
        assert 2 not in {hit.id for hit in index.search(query)}
        assert 2 not in {hit.id for hit in index.search(query, guild_id=OTHER_GUILD)}
        assert 2 not in {hit.id for hit in index.complete(query, guild_id=OTHER_GUILD)}
        assert 3 not in {hit.id for hit in index.complete(query, guild_id=GUILD)}
    assert [hit.id for hit in index.complete("secr", guild_id=GUILD)] == [2]
    assert index.search("vincenzo", guild_id=GUILD)[0].id == 1  # the shared catalog stays visible


def test_upsert_replaces_an_entry_and_remove_forgets_it() -> None:
    index = SearchIndex()
    index.upsert(1, ["Vincenzo", "빈센조"], popularity=0.8)
    index.upsert(2, ["Queen of Tears"], popularity=0.9)
    assert len(index) == 2 and 1 in index and index.get_names(1) == ("Vincenzo", "빈센조")

    index.upsert(1, ["Vincenzo Cassano"], popularity=0.8)
    assert index.get_names(1) == ("Vincenzo Cassano",)
    assert index.search("빈센조") == []  # the old Hangul name is gone
    assert index.search("vincenzo")[0].id == 1  # now a prefix match
    assert index.search("vincenzo cassano")[0].sure

    index.upsert(1, ["Vincenzo"], guild_id=GUILD)  # moved into a guild
    assert all(hit.id != 1 for hit in index.search("vincenzo")), "another server's show is never found"
    assert index.search("vincenzo", guild_id=GUILD)[0].id == 1

    index.remove(1)
    index.remove(1)  # a second remove is harmless
    assert len(index) == 1 and 1 not in index
    assert all(hit.id != 1 for hit in index.search("vincenzo", guild_id=GUILD))
    with pytest.raises(KeyError):
        index.get_names(1)
    assert index.search("queen of teras")[0].id == 2


def test_many_incremental_upserts_match_a_bulk_build(shows: list[Show]) -> None:
    sample = shows[:300]
    bulk = build_show_index(sample)
    incremental = SearchIndex()
    for show in reversed(sample):
        incremental.upsert(show.id, ["placeholder title"])
    for show in sample:
        incremental.upsert(show.id, show.all_titles, popularity=1 / (1 + (show.popularity_rank or 10**5)))
    for show in sample[:60]:
        query = show.title.lower()[:-1]
        assert bulk.search(query, limit=1)[0].id == incremental.search(query, limit=1)[0].id
    assert all(hit.matched != "placeholder title" for hit in incremental.search("placeholder title"))


def test_upsert_rejects_a_bare_string() -> None:
    with pytest.raises(TypeError):
        SearchIndex().upsert(1, "Vincenzo")  # type: ignore[arg-type]


def test_accuracy_floor_on_generated_queries(
    show_index: SearchIndex, person_index: SearchIndex, shows: list[Show], people: list[Person]
) -> None:
    """Queries of every kind, made by benchmarks/search.py --write-queries (seed 7, unused for tuning)."""
    show_ids = {show.seed_key: show.id for show in shows}
    person_ids = {person.seed_key: person.id for person in people}
    right: Counter[str] = Counter()
    asked: Counter[str] = Counter()
    with QUERIES.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE):
            kind = row["kind"]
            index, ids = (person_index, person_ids) if kind == "person" else (show_index, show_ids)
            accepted = {ids[key] for key in row["accepted"].split(",")}
            prefix_kind = kind in {"prefix", "hangul_prefix"}
            hits = index.complete(row["query"]) if prefix_kind else index.search(row["query"])
            asked[kind] += 1
            right[kind] += bool(hits) and hits[0].id in accepted
    assert sum(asked.values()) >= 250
    assert sum(right.values()) / sum(asked.values()) >= 0.95
    for kind in asked:
        assert right[kind] / asked[kind] >= 0.85, kind
