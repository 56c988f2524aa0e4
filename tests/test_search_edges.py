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


def test_acronyms_of_two_to_ten_letters() -> None:
    shows = index(
        (1, ["Love of the Year"], 0.5),  # "loty", and "ly" without the small words
        (2, ["In the Moonlight"], 0.5),  # "itm"; "m" alone is too short to be an acronym
        (3, ["One Two Three Four Five Six Seven Eight Nine Ten"], 0.5),  # ten initials
        (4, ["Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda"], 0.5),  # eleven
    )
    assert [h.id for h in shows.search("ly")][:1] == [1] and shows.search("ly")[0].score >= 95.0
    assert [h.id for h in shows.complete("ly")][:1] == [1]
    assert all(hit.id != 2 for hit in shows.search("m") if hit.score >= 95.0)
    assert shows.search("ottffssent")[0].id == 3 and shows.search("ottffssent")[0].score >= 95.0
    assert shows.complete("ottffssent")[0].id == 3
    assert all(hit.score < 95.0 for hit in shows.search("abgdezetikl"))


def test_an_exact_name_ends_the_search() -> None:
    shows = index((1, ["Cloy"], 0.1), (2, ["Crash Landing on You"], 1.0), (3, ["Cloying Hearts"], 1.0))
    hits = shows.search("cloy")
    assert (hits[0].id, hits[0].score, hits[0].sure) == (1, 100.0, True)
    assert [h.id for h in hits] == [1, 3], "then the names it begins; no acronym, no guess"
    assert {h.id for h in shows.search("cloyi")} >= {3}, "without an exact name, the others are looked at"


def test_only_a_clear_best_guess_is_sure() -> None:
    shows = index((1, ["Vincenzo"], 0.5), (2, ["Signal"], 0.5))
    guess = shows.search("vincenzp")
    assert guess[0].id == 1 and guess[0].score < 80.0 and guess[0].sure, "one close candidate, far ahead"
    assert all(not hit.sure for hit in guess[1:])
    close = index((1, ["Moonlight Garden"], 0.5), (2, ["Moonlight Gardens"], 0.5))
    tied = close.search("moonlite gardenz")
    assert len(tied) == 2 and not any(hit.sure for hit in tied), "two guesses side by side: neither is sure"
    scores = [hit.score for hit in guess + tied]
    assert all(round(score, 2) == score for score in scores) and any(score != int(score) for score in scores)


def test_typed_beginnings_are_guessed_as_beginnings() -> None:
    shows = index((1, ["Moonlit Garden Chronicles"], 0.5), (2, ["Sunlit Harbour"], 0.5))
    assert [h.id for h in shows.complete("moonlit gardne")][:1] == [1], "a typo in what is being typed"
    assert shows.complete("mx") == [], "two letters that begin nothing are not guessed at"
    assert [h.id for h in shows.complete("moonlite")][:1] == [1]


def test_removing_and_replacing_entries_in_every_shard() -> None:
    shows = index((1, ["Lonely Shared"], 0.5))
    shows.remove(1)
    assert shows.search("lonely shared") == [] and len(shows) == 0
    shows.upsert(1, ["Lonely Shared"])
    assert [h.id for h in shows.search("lonely shared")] == [1]
    shows.extend([(2, ["Guild One"], 0.5, GUILD), (3, ["Guild Two"], 0.5, GUILD), (4, ["Other Guild"], 0.5, 8)])
    assert shows.get_names(2) == ("Guild One",) and 2 in shows and 5 not in shows
    shows.remove(2)
    assert [h.id for h in shows.search("guild two", guild_id=GUILD)] == [3], "the server's other entry stays"
    assert [h.id for h in shows.search("other guild", guild_id=8)] == [4]
    shows.extend([(3, ["Guild Three"], 0.5, GUILD)])  # an id again: replaced, not doubled
    assert "Guild Two" not in {h.matched for h in shows.search("guild two", guild_id=GUILD)}
    assert shows.get_names(3) == ("Guild Three",)
    with pytest.raises(ValueError, match=r"^entry 9 has no name$"):
        shows.upsert(9, ["", " "])
    with pytest.raises(TypeError, match=r"^names must be a sequence of names, not one string$"):
        shows.upsert(9, "Nine")  # type: ignore[arg-type]


def test_built_indexes_rank_by_popularity() -> None:
    from bot.models import Person, Show
    from bot.search import build_person_index, build_show_index

    shows = build_show_index(
        [Show(id=1, title="Moon Story", popularity_rank=5000), Show(id=2, title="Moon Song", popularity_rank=1)]
    )
    assert [h.id for h in shows.complete("moon")] == [2, 1]
    people = [Person(id=1, name="Kim Min Ji"), Person(id=2, name="Kim Min Jae")]
    assert [h.id for h in build_person_index(people, popularity={1: 0.9}).complete("kim min")] == [1, 2]
    assert [h.id for h in build_person_index(people, popularity={2: 0.9}).complete("kim min")] == [2, 1]


def test_a_removed_entry_leaves_its_acronym_to_the_others() -> None:
    shows = index((1, ["Crash Landing on You"], 0.9), (2, ["Cold Lake of Yesterday"], 0.1))
    assert {h.id for h in shows.search("cloy")} == {1, 2}
    shows.remove(1)
    assert [h.id for h in shows.search("cloy")] == [2] and shows.search("cloy")[0].sure, "now the only holder"
    shows.upsert(1, ["Crash Landing on You"], popularity=0.9)
    assert {h.id for h in shows.search("cloy")} == {1, 2}
