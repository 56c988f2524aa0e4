"""The search index's documented edges, on small indexes built here (bot/search.py's module docstring).

Written against mutants tests/test_search.py let live (scripts/mutation.py): the score tiers' bounds whatever
the popularity given, which titles get acronyms, the popularity a rank gives, empty queries and limits.
"""

from __future__ import annotations

import pytest

from bot.search import SearchIndex, popularity_from_rank

GUILD = 7


def index(*entries: tuple[int, list[str], float]) -> SearchIndex:
    built = SearchIndex()
    for entry_id, names, popularity in entries:
        built.upsert(entry_id, names, popularity=popularity)
    return built


def test_popularity_from_rank() -> None:
    assert popularity_from_rank(None) == 0.0 and popularity_from_rank(0) == 0.0 and popularity_from_rank(-3) == 0.0
    assert popularity_from_rank(1) == 1.0
    assert popularity_from_rank(10) == pytest.approx(0.8)
    assert popularity_from_rank(1000) == pytest.approx(0.4)
    assert popularity_from_rank(100_000) == 0.0 and popularity_from_rank(10**7) == 0.0


def test_score_tiers_hold_whatever_popularity_is_given() -> None:
    shows = index(
        (1, ["Moonlit Garden Chronicles"], 7.0),  # more than 1: counted as 1
        (2, ["Moonlit Gardener"], -2.0),  # less than 0: counted as 0
        (3, ["Sunlit Harbour Tales"], 0.5),
    )
    exact = shows.search("moonlit gardener")[0]
    assert (exact.id, exact.score, exact.sure) == (2, 100.0, True)
    offered = shows.complete("moonlit gard")
    prefixes = offered[:2]
    assert [hit.id for hit in prefixes] == [1, 2], "the more popular first"
    assert all(80.0 <= hit.score <= 95.0 for hit in prefixes), [hit.score for hit in prefixes]
    assert all(hit.score < 80.0 for hit in offered[2:]), "then guesses, below every prefix"
    acronym = shows.search("sht")[0]
    assert acronym.id == 3 and 95.0 <= acronym.score <= 99.0 and acronym.sure
    guess = shows.search("sunlit harbor tales")[0]
    assert guess.id == 3 and guess.score < 80.0


def test_which_titles_have_acronyms() -> None:
    shows = index(
        (1, ["Crash Landing on You"], 0.5),
        (2, ["Hello Monster"], 0.5),  # two words: no acronym
        (3, ["Reply 1988 Again Now"], 0.5),  # numbers are skipped: "ran"
        (4, ["사랑의 불시착 이야기"], 0.5),  # Hangul initials: no acronym
    )
    assert [h.id for h in shows.search("cloy")][:1] == [1] and [h.id for h in shows.search("cly")][:1] == [1]
    assert all(hit.id != 2 for hit in shows.search("hm"))
    assert [h.id for h in shows.search("ran")][:1] == [3]
    assert all(hit.score < 95.0 for hit in shows.search("ㅅㅂㅇ"))


def test_empty_queries_and_limits() -> None:
    shows = index((1, ["Vincenzo"], 0.5), (2, ["Vagabond"], 0.5))
    assert shows.search("") == [] and shows.search("  ") == [] and shows.complete("") == []
    assert shows.search("vincenzo", limit=0) == [] and shows.complete("v", limit=0) == []
    assert len(shows.complete("v", limit=1)) == 1 and len(shows.complete("v", limit=2)) == 2
    with pytest.raises(TypeError, match="names must be a sequence of names, not one string"):
        shows.upsert(3, "Vincenzo")  # type: ignore[arg-type]
    shows.upsert(3, ["", "  ", "Signal", "Signal"])
    assert shows.get_names(3) == ("Signal",), "blank and repeated names are dropped"


def test_a_servers_entries_come_and_go_with_it() -> None:
    shows = index((1, ["Shared Show"], 0.5))
    shows.upsert(2, ["House Drama"], guild_id=GUILD)
    assert [h.id for h in shows.search("house drama", guild_id=GUILD)] == [2]
    assert shows.search("house drama") == [] and shows.search("house drama", guild_id=GUILD + 1) == []
    shows.remove(2)
    assert shows.search("house drama", guild_id=GUILD) == [] and len(shows) == 1
    shows.upsert(2, ["House Drama Returns"], guild_id=GUILD)
    assert [h.id for h in shows.complete("house", guild_id=GUILD)] == [2]
    shows.extend([(4, ["Extended Show"], 0.5, GUILD), (5, ["Extended Shared"], 0.5, None)])
    assert {h.id for h in shows.complete("extended", guild_id=GUILD)} == {4, 5}
    assert {h.id for h in shows.complete("extended")} == {5}
