"""The index as built for a big catalog (one frozen shard, folded and cut with numpy) keeps the promises of the
index built one entry at a time: same keys, same acronyms, every name within two typos found, removals seen."""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from bot.models import Show
from bot.search import Hit, SearchIndex, build_show_index
from bot.search.scoring import acronyms
from bot.search.segments import segment_of, segments, typos
from bot.text import fold_lines, keys_of_all, normalize, normalize_all, search_key
from tests.seed_support import seed_file_shows

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "data" / "seed" / "catalog.json"
GUILD, OTHER_GUILD = 111, 222

# Text that exercises every step of the fold: case, width, accents, combining marks on their own, Hangul
# syllables and jamo, apostrophes, underscores, punctuation, digits, runs of spaces, line breaks.
TRICKY = "aZé_'’ -:.\u0301\u3131가힣ＶⅣß İ9\n\t"
texts = st.lists(st.text(alphabet=st.sampled_from(TRICKY) | st.characters(), max_size=12), max_size=30)


@given(texts)
@settings(max_examples=300)
def test_folding_many_at_once_folds_each_as_normalize_does(batch: list[str]) -> None:
    assert normalize_all(batch) == [normalize(text) for text in batch]
    assert keys_of_all(batch) == [search_key(text) for text in batch]
    folded = fold_lines(batch)
    if folded is not None:  # None only when a text holds a line break
        lines = folded.split("\n") if batch else []
        assert [" ".join(line.split()) for line in lines] == [normalize(text) for text in batch]
    else:
        assert any("\n" in text for text in batch)


@pytest.fixture(scope="module")
def shows() -> list[Show]:
    return seed_file_shows(json.loads(CATALOG.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def bulk(shows: list[Show]) -> SearchIndex:
    return build_show_index(shows)  # one frozen shard


@pytest.fixture(scope="module")
def one_by_one(shows: list[Show]) -> SearchIndex:
    index = SearchIndex()
    for show in shows:  # every entry in the dynamic shard
        index.upsert(show.id, show.all_titles, popularity=_popularity(show))
    return index


def _popularity(show: Show) -> float:
    from bot.search import popularity_from_rank

    return popularity_from_rank(show.popularity_rank)


def _top(hits: list[Hit]) -> tuple[int, str, float] | None:
    return (hits[0].id, hits[0].matched, hits[0].score) if hits else None


def _sure_part(hits: list[Hit]) -> list[tuple[int, float]]:
    """The hits that are no guess: exact names, prefixes and acronyms (a guess scores below 80)."""
    return [(hit.id, hit.score) for hit in hits if hit.score >= 80]


def test_exact_names_prefixes_and_acronyms_answer_alike_however_built(
    bulk: SearchIndex, one_by_one: SearchIndex, shows: list[Show]
) -> None:
    for show in shows:
        for name in show.all_titles:
            assert _top(bulk.search(name)) == _top(one_by_one.search(name)), name
        typed = show.title[: max(1, len(show.title) // 2)]
        assert _sure_part(bulk.complete(typed)) == _sure_part(one_by_one.complete(typed)), typed
        for acronym in acronyms(normalize(show.title)):
            assert _top(bulk.complete(acronym)) == _top(one_by_one.complete(acronym)), acronym


def test_a_bulk_built_index_finds_typos_at_least_as_well(bulk: SearchIndex, one_by_one: SearchIndex) -> None:
    rng = random.Random(3)
    titles = [name for name in (bulk.get_names(id)[0] for id in range(1, len(bulk) + 1)) if len(name) >= 6]
    for title in rng.sample(titles, 300):
        at = rng.randrange(1, len(title))
        query = title[:at] + title[at + 1 :]  # one letter dropped
        ours, theirs = bulk.search(query, limit=1), one_by_one.search(query, limit=1)
        assert ours, query
        assert fuzz.ratio(search_key(query), search_key(ours[0].matched)) >= fuzz.ratio(
            search_key(query), search_key(theirs[0].matched)
        ), query


# -- every name within two typos -------------------------------------------------------------------

SYLLABLES = ["sa", "ra", "ng", "ha", "neul", "byeol", "ba", "da", "the", "love", "of", "my", "sea", "son"]


@pytest.fixture(scope="module")
def twins() -> tuple[SearchIndex, list[str]]:
    """3,000 names from 14 syllables: every trigram is common and many names differ by one letter."""
    rng = random.Random(11)
    names = sorted({"".join(rng.choices(SYLLABLES, k=rng.randint(2, 6))) for _ in range(3000)})
    index = SearchIndex()
    index.extend((number, [name], 0.0, None) for number, name in enumerate(names))
    return index, names


def _edit(text: str, rng: random.Random) -> str:
    at = rng.randrange(len(text))
    letter = rng.choice(string.ascii_lowercase)
    match rng.randrange(4):
        case 0:
            return text[:at] + text[at + 1 :]
        case 1:
            return text[:at] + letter + text[at + 1 :]
        case 2:
            return text[:at] + letter + text[at:]
        case _:
            return text[:at] + text[at + 1 : at + 2] + text[at : at + 1] + text[at + 2 :]


@given(st.randoms(use_true_random=False), st.integers(1, 2))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_name_within_two_typos_is_found_or_beaten(
    twins: tuple[SearchIndex, list[str]], rng: random.Random, edits: int
) -> None:
    """Among 3,000 look-alikes, a query within two edits of names gets the closest of them (or one as close)."""
    index, names = twins
    name = rng.choice([name for name in names if len(name) >= 6])
    query = name
    for _ in range(edits):
        query = _edit(query, rng)
    # The promise: every name within `typos` edits of its length (two from 6 letters, one below; a swap is two)
    close = [other for other in names if Levenshtein.distance(query, other) <= typos(len(other))]
    assume(close)
    # A name the query begins comes first by design (a guess less than near, ratio 85, never outranks it)
    assume(not any(other.startswith(query) for other in names))
    hits = index.search(query, limit=10)
    best = max(fuzz.ratio(query, other) for other in close)
    # Ties are broken by typos (a swap being one): the first hit may trail the best ratio by a point.
    assert hits and fuzz.ratio(query, hits[0].matched) >= best - 1.0, (query, name, hits[:3])


# -- changes after a bulk build ---------------------------------------------------------------------


def test_removing_and_replacing_entries_of_a_bulk_built_index() -> None:
    index = SearchIndex()
    index.extend(
        [
            (1, ["Vincenzo", "빈센조"], 0.8, None),
            (2, ["Queen of Tears"], 0.9, None),
            (3, ["Crash Landing on You"], 1.0, None),
            (4, ["Secret Garden Club"], 0.0, GUILD),
        ]
    )
    assert len(index) == 4 and 1 in index and index.get_names(1) == ("Vincenzo", "빈센조")
    assert index.search("cloy")[0].id == 3

    index.remove(3)
    assert 3 not in index and len(index) == 3
    for query in ("Crash Landing on You", "crash landing", "cloy", "crash landin on yuo"):
        assert 3 not in {hit.id for hit in index.search(query)}, query
        assert 3 not in {hit.id for hit in index.complete(query)}, query
    with pytest.raises(KeyError):
        index.get_names(3)

    index.upsert(1, ["Vincenzo Cassano"], popularity=0.8)  # replaced: the old names are gone
    assert index.get_names(1) == ("Vincenzo Cassano",)
    assert index.search("빈센조") == []
    assert index.search("vincenzo cassano")[0].sure

    index.upsert(2, ["Queen of Tears"], guild_id=GUILD)  # moved into a guild
    assert all(hit.id != 2 for hit in index.search("queen of tears"))
    assert index.search("queen of tears", guild_id=GUILD)[0].id == 2
    assert index.search("secret garden club", guild_id=GUILD)[0].id == 4
    assert all(hit.id != 4 for hit in index.search("secret garden club", guild_id=OTHER_GUILD))

    index.upsert(3, ["Crash Landing on You"], popularity=1.0)  # back, now in the dynamic shard
    assert index.search("cloy")[0].id == 3 and len(index) == 4


def test_a_bulk_build_takes_the_last_of_a_repeated_id_and_odd_names() -> None:
    index = SearchIndex()
    index.extend(
        [
            (1, ["First Name"], 0.5, None),
            (2, ["Line\nBreak", "", "  ", "Line Break"], 0.5, None),  # a line break folds to a space
            (1, ["Second Name"], 0.5, None),
            (3, ["Shared"], 0.5, None),
            (3, ["Mine Now"], 0.5, GUILD),
        ]
    )
    assert index.get_names(1) == ("Second Name",)
    assert all(hit.matched != "First Name" for hit in index.search("first name"))
    assert index.get_names(2) == ("Line\nBreak", "Line Break")
    assert index.search("line break")[0].id == 2
    assert index.search("mine now", guild_id=GUILD)[0].id == 3
    assert all(hit.id != 3 for hit in index.search("shared"))
    only_a_server = SearchIndex()
    only_a_server.extend([(5, ["Our Server Drama"], 0.0, GUILD)])
    assert only_a_server.search("our server drama", guild_id=GUILD)[0].id == 5
    assert only_a_server.search("our server drama") == []
    with pytest.raises(TypeError):
        SearchIndex().extend([(1, "Vincenzo", 0.0, None)])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="no name"):
        SearchIndex().extend([(1, ["", " "], 0.0, None)])


@given(
    st.lists(st.sampled_from(["the", "of", "a", "love", "2", "1988", "x9", "sea", "my", "to"]), min_size=1, max_size=12)
)
@settings(max_examples=200, deadline=None)
def test_every_acronym_of_a_bulk_built_name_finds_it(words: list[str]) -> None:
    title = " ".join(words)
    index = SearchIndex()
    index.extend([(1, [title], 0.5, None), (2, ["Something Else Entirely"], 0.5, None)])
    for acronym in acronyms(normalize(title)):
        if len(acronym) <= 10:
            assert 1 in {hit.id for hit in index.complete(acronym)}, (title, acronym)


def test_the_segments_cut_for_many_keys_at_once_are_those_for_one() -> None:
    lengths = np.arange(0, 300)
    for number in range(3):
        has, offset, size = segment_of(lengths, number)
        for length in lengths.tolist():
            parts = segments(length)
            assert bool(has[length]) == (number < len(parts)), (length, number)
            if number < len(parts):
                assert (int(offset[length]), int(size[length])) == parts[number], (length, number)
