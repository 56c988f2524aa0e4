"""The recommender over the seed catalog: reasons drawn from the facts, exclusions kept, the same input the same
picks, and filters honoured whatever is asked (hypothesis)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalog import Catalog
from bot.errors import InvalidInput
from bot.models import CreditKind, Show
from bot.recommend import Recommender, Request, build_index, make_filters, parse_years, recommend
from bot.recommend.index import RecommendIndex


@pytest.fixture(scope="module")
def index(seeded_catalog: Catalog) -> RecommendIndex:
    return build_index(dict(seeded_catalog.shows), seeded_catalog)


def find(catalog: Catalog, title: str) -> Show:
    return catalog.find_show(title).best


def titles(catalog: Catalog, picks: list) -> list[str]:  # type: ignore[type-arg]
    return [catalog.shows[p.show_id].title for p in picks]


def test_each_pick_says_what_it_shares_with_the_liked_show(seeded_catalog: Catalog, index: RecommendIndex) -> None:
    goblin = find(seeded_catalog, "Goblin")
    picks = recommend(index, Request(liked=(goblin.id,), exclude=frozenset({goblin.id})), seeded_catalog.shows,
                      seeded_catalog.people)  # fmt: skip
    assert len(picks) == 5
    writers = {c.person_id for c in seeded_catalog.credits_of_show(goblin.id, CreditKind.WRITER)}
    for pick in picks:
        assert pick.reasons and all(pick.reasons)
        shared_writer = writers & {c.person_id for c in seeded_catalog.credits_of_show(pick.show_id, CreditKind.WRITER)}
        said = any(r.startswith("same writer as Goblin: ") for r in pick.reasons)
        assert said == bool(shared_writer), (seeded_catalog.shows[pick.show_id].title, pick.reasons)
    assert any("same writer as Goblin: Kim Eun Sook" in r for p in picks for r in p.reasons)


def test_other_seasons_are_left_out_unless_asked(seeded_catalog: Catalog, index: RecommendIndex) -> None:
    playlist = find(seeded_catalog, "Hospital Playlist")
    series = frozenset(s.id for s in seeded_catalog.series_of(playlist.id))
    assert len(series) == 2
    picks = recommend(index, Request(liked=(playlist.id,), exclude=series), seeded_catalog.shows, seeded_catalog.people)
    assert not series & {p.show_id for p in picks}
    asked = recommend(
        index, Request(liked=(playlist.id,), exclude=frozenset({playlist.id})), seeded_catalog.shows,
        seeded_catalog.people,
    )  # fmt: skip
    assert "Hospital Playlist Season 2" in titles(seeded_catalog, asked)


def test_completed_and_dropped_shows_are_never_picked(seeded_catalog: Catalog, index: RecommendIndex) -> None:
    goblin = find(seeded_catalog, "Goblin")
    first = recommend(index, Request(liked=(goblin.id,), exclude=frozenset({goblin.id})), seeded_catalog.shows,
                      seeded_catalog.people)  # fmt: skip
    seen = frozenset({goblin.id, *(p.show_id for p in first[:3])})
    second = recommend(index, Request(liked=(goblin.id,), exclude=seen), seeded_catalog.shows, seeded_catalog.people)
    assert len(second) == 5 and not seen & {p.show_id for p in second}
    assert [p.show_id for p in second[:2]] == [p.show_id for p in first[3:5]], "the rest keep their order"


def test_another_servers_own_show_is_never_picked(seeded_catalog: Catalog) -> None:
    goblin = find(seeded_catalog, "Goblin")
    twin = Show(id=10**9, title="Goblin's Twin", genres=goblin.genres, networks=goblin.networks, guild_id=42,
                premiere=goblin.premiere)  # fmt: skip
    shows = {**seeded_catalog.shows, twin.id: twin}
    credits = {i: seeded_catalog.credits_of_show(i) for i in seeded_catalog.shows}
    credits[twin.id] = [dataclasses.replace(c, show_id=twin.id) for c in seeded_catalog.credits_of_show(goblin.id)]
    index = RecommendIndex(shows, credits)
    request = Request(liked=(goblin.id,), exclude=frozenset({goblin.id}), guild_id=7)
    assert twin.id not in {p.show_id for p in recommend(index, request, shows, seeded_catalog.people)}
    at_home = Request(liked=(goblin.id,), exclude=frozenset({goblin.id}), guild_id=42)
    assert recommend(index, at_home, shows, seeded_catalog.people)[0].show_id == twin.id


def test_years_are_read_strictly() -> None:
    assert parse_years("2019") == (2019, 2019)
    assert parse_years(" 2015-2020 ") == (2015, 2020)
    assert parse_years("2010s") == (2010, 2019)
    for bad in ("someday", "2020-2015", "19", "2019-", "1899"):
        with pytest.raises(InvalidInput):
            parse_years(bad)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    like=st.integers(min_value=0, max_value=3411),
    genre=st.sampled_from([None, "Romance", "Medical", "Thriller", "Nothing Like It"]),
    network=st.sampled_from([None, "tvN", "KBS", "netflix"]),
    years=st.sampled_from([None, "2016", "2010s", "2000-2009"]),
    with_like=st.booleans(),
)
def test_picks_honour_every_filter_and_repeat_exactly(
    seeded_catalog: Catalog,
    index: RecommendIndex,
    like: int,
    genre: str | None,
    network: str | None,
    years: str | None,
    with_like: bool,
) -> None:
    ids = sorted(seeded_catalog.shows)
    liked = (ids[like],) if with_like else ()
    filters = make_filters(genre=genre, network=network, years=years)
    request = Request(liked=liked, filters=filters, exclude=frozenset(liked))
    picks = recommend(index, request, seeded_catalog.shows, seeded_catalog.people)
    assert picks == recommend(index, request, seeded_catalog.shows, seeded_catalog.people)
    assert len(picks) <= 5 and len({p.show_id for p in picks}) == len(picks)
    for pick in picks:
        show = seeded_catalog.shows[pick.show_id]
        assert pick.show_id not in liked and pick.reasons
        if genre:
            assert genre.casefold() in {g.casefold() for g in show.genres}
        if network:
            assert any(network.casefold() in n.casefold() for n in show.networks)
        if filters.years:
            assert show.year is not None and filters.years[0] <= show.year <= filters.years[1]


async def test_the_recommender_rebuilds_after_the_catalog_changes(seeded_catalog: Catalog) -> None:
    recommender = Recommender(seeded_catalog, off_loop_shows=100)  # as if large: built and scored in a thread
    first = await recommender.index()
    assert await recommender.index() is first
    seeded_catalog.generation += 1
    try:
        assert await recommender.index() is not first
        goblin = find(seeded_catalog, "Goblin")
        picks = await recommender.recommend(Request(liked=(goblin.id,), exclude=frozenset({goblin.id})))
        assert len(picks) == 5
    finally:
        seeded_catalog.generation -= 1
