"""Tests of bot/schedule.py: air dates, statuses, countdowns and Discord timestamps, all on fixed clocks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import Episode, Show, Status
from bot.schedule import (
    Countdown,
    CountdownKind,
    ScheduledEpisode,
    build_schedule,
    countdown,
    discord_timestamp,
    episodes_between,
    final_episode,
    last_episode,
    next_episode_after,
    status_at,
)

UTC = dt.UTC
SEOUL = ZoneInfo("Asia/Seoul")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
TICK = dt.timedelta(microseconds=1)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def make_show(**fields: object) -> Show:
    return Show(id=fields.pop("id", 1), title=fields.pop("title", "A Drama"), **fields)  # type: ignore[arg-type]


def soundtrack(**overrides: object) -> Show:
    fields: dict[str, object] = {
        "title": "Soundtrack #1",
        "premiere": dt.date(2022, 3, 23),
        "finale": dt.date(2022, 4, 13),
        "episode_count": 4,
        "air_days": (WED,),
        "air_time": dt.time(18, 0),
    }
    fields.update(overrides)
    return make_show(**fields)


def schedule_of(show: Show, rows: tuple[Episode, ...] = ()) -> list[tuple[int, dt.datetime]]:
    return [(ep.number, ep.air_at) for ep in build_schedule(show, rows).episodes()]


# -- the weekly pattern -----------------------------------------------------------------------------------


def test_soundtrack_1_airs_four_wednesdays_at_0900_utc() -> None:
    assert schedule_of(soundtrack()) == [
        (1, utc(2022, 3, 23, 9)),
        (2, utc(2022, 3, 30, 9)),
        (3, utc(2022, 4, 6, 9)),
        (4, utc(2022, 4, 13, 9)),
    ]


def test_unknown_air_time_is_local_midnight_and_not_exact() -> None:
    episodes = list(build_schedule(soundtrack(air_time=None)).episodes())

    assert [ep.air_date for ep in episodes] == [
        dt.date(2022, 3, 23),
        dt.date(2022, 3, 30),
        dt.date(2022, 4, 6),
        dt.date(2022, 4, 13),
    ]
    assert episodes[0].air_at == utc(2022, 3, 22, 15)  # 00:00 in Seoul
    assert episodes[0].aired_by == utc(2022, 3, 23, 15)  # the end of that Seoul day
    assert not any(ep.time_known for ep in episodes)


def test_mon_tue_drama_airs_twice_a_week() -> None:
    show = make_show(premiere=dt.date(2023, 1, 2), episode_count=16, air_days=(MON, TUE), air_time=dt.time(22))
    days = [ep.air_date for ep in build_schedule(show).episodes()]

    assert days[:4] == [dt.date(2023, 1, 2), dt.date(2023, 1, 3), dt.date(2023, 1, 9), dt.date(2023, 1, 10)]
    assert days[-1] == dt.date(2023, 2, 21)
    assert len(days) == 16
    assert {day.weekday() for day in days} == {MON, TUE}


def test_premiere_off_the_air_days_still_airs_episode_1_then_follows_the_pattern() -> None:
    show = make_show(premiere=dt.date(2024, 1, 5), episode_count=4, air_days=(TUE, MON))  # a Friday

    days = [ep.air_date for ep in build_schedule(show).episodes()]

    assert days == [dt.date(2024, 1, 5), dt.date(2024, 1, 8), dt.date(2024, 1, 9), dt.date(2024, 1, 15)]


def test_finale_without_count_runs_the_pattern_to_the_finale() -> None:
    show = make_show(premiere=dt.date(2024, 1, 3), finale=dt.date(2024, 2, 1), air_days=(WED, THU))
    schedule = build_schedule(show)
    days = [ep.air_date for ep in schedule.episodes()]

    assert len(days) == schedule.total == 10
    assert days[-1] == dt.date(2024, 2, 1)


def test_finale_off_the_pattern_still_gets_the_last_episode() -> None:
    show = make_show(premiere=dt.date(2024, 1, 3), finale=dt.date(2024, 1, 19), air_days=(WED,))  # a Friday

    days = [ep.air_date for ep in build_schedule(show).episodes()]

    assert days == [dt.date(2024, 1, 3), dt.date(2024, 1, 10), dt.date(2024, 1, 17), dt.date(2024, 1, 19)]


def test_a_break_in_the_run_puts_the_last_episode_on_the_finale() -> None:
    # 16 episodes over 18 Mon/Tue slots: a two-slot break somewhere; the finale date is the fact we keep.
    show = make_show(premiere=dt.date(2021, 8, 9), finale=dt.date(2021, 10, 5), episode_count=16, air_days=(MON, TUE))
    episodes = list(build_schedule(show).episodes())

    assert [ep.number for ep in episodes] == list(range(1, 17))
    assert episodes[-1].air_date == dt.date(2021, 10, 5)


def test_split_episodes_share_an_air_day() -> None:
    # 32 half-hour parts over 16 Mon/Tue broadcasts: two parts each night.
    show = make_show(premiere=dt.date(2017, 5, 22), finale=dt.date(2017, 7, 11), episode_count=32, air_days=(MON, TUE))
    episodes = list(build_schedule(show).episodes())

    assert [ep.air_date for ep in episodes[:4]] == [dt.date(2017, 5, 22)] * 2 + [dt.date(2017, 5, 23)] * 2
    assert episodes[-1].number == 32
    assert episodes[-1].air_date == dt.date(2017, 7, 11)


def test_a_whole_season_released_in_one_day() -> None:
    show = make_show(premiere=dt.date(2023, 8, 2), finale=dt.date(2023, 8, 2), episode_count=8, air_days=(WED,))
    episodes = list(build_schedule(show).episodes())

    assert [ep.number for ep in episodes] == list(range(1, 9))
    assert {ep.air_date for ep in episodes} == {dt.date(2023, 8, 2)}


def test_without_air_days_only_premiere_and_finale_are_placed() -> None:
    show = make_show(premiere=dt.date(2024, 1, 3), finale=dt.date(2024, 2, 22), episode_count=16)

    assert [(ep.number, ep.air_date) for ep in build_schedule(show).episodes()] == [
        (1, dt.date(2024, 1, 3)),
        (16, dt.date(2024, 2, 22)),
    ]


def test_dates_and_count_that_fit_no_pattern_place_only_premiere_and_finale() -> None:
    # 10 episodes over 3 Fridays: neither a break nor an even split, so nothing is invented in between.
    show = make_show(premiere=dt.date(2022, 2, 18), finale=dt.date(2022, 3, 4), episode_count=10, air_days=(FRI,))

    assert [ep.number for ep in build_schedule(show).episodes()] == [1, 10]


# -- catalog rows -----------------------------------------------------------------------------------------


def test_a_delayed_episode_row_wins_and_pushes_the_rest_back() -> None:
    delayed = Episode(show_id=1, number=3, air_at=utc(2022, 4, 13, 9), title="Track 3")
    schedule = build_schedule(soundtrack(), [delayed])

    assert [(ep.number, ep.air_date, ep.from_catalog) for ep in schedule.episodes()] == [
        (1, dt.date(2022, 3, 23), False),
        (2, dt.date(2022, 3, 30), False),
        (3, dt.date(2022, 4, 13), True),
        (4, dt.date(2022, 4, 20), False),
    ]
    assert schedule.final_episode() == next(ep for ep in schedule.episodes() if ep.number == 4)
    assert schedule.status_at(utc(2022, 4, 14)) is Status.AIRING
    assert schedule.status_at(utc(2022, 4, 20, 9)) is Status.FINISHED


def test_an_episode_moved_earlier_pulls_nothing_forward() -> None:
    early = Episode(show_id=1, number=2, air_at=utc(2022, 3, 28, 9))
    assert schedule_of(soundtrack(), (early,)) == [
        (1, utc(2022, 3, 23, 9)),
        (2, utc(2022, 3, 28, 9)),
        (3, utc(2022, 4, 6, 9)),
        (4, utc(2022, 4, 13, 9)),
    ]


def test_rows_of_other_shows_are_ignored() -> None:
    other = Episode(show_id=99, number=3, air_at=utc(2030, 1, 1))
    assert schedule_of(soundtrack(), (other,)) == schedule_of(soundtrack())


def test_catalog_rows_alone_make_a_schedule() -> None:
    rows = (Episode(1, 2, utc(2024, 5, 8, 12)), Episode(1, 1, utc(2024, 5, 1, 12)))
    show = make_show(episode_count=2)

    assert schedule_of(show, rows) == [(1, utc(2024, 5, 1, 12)), (2, utc(2024, 5, 8, 12))]
    assert status_at(show, rows, utc(2024, 5, 8, 12)) is Status.FINISHED


# -- status -----------------------------------------------------------------------------------------------


def test_status_changes_exactly_at_the_first_and_last_episode() -> None:
    show = soundtrack()
    first, last = utc(2022, 3, 23, 9), utc(2022, 4, 13, 9)

    assert status_at(show, (), first - TICK) is Status.UPCOMING
    assert status_at(show, (), first) is Status.AIRING
    assert status_at(show, (), last - TICK) is Status.AIRING
    assert status_at(show, (), last) is Status.FINISHED


def test_status_of_date_only_show_follows_local_days() -> None:
    show = soundtrack(air_time=None)

    assert status_at(show, (), utc(2022, 3, 22, 15) - TICK) is Status.UPCOMING  # before 00:00 Seoul
    assert status_at(show, (), utc(2022, 3, 22, 15)) is Status.AIRING
    assert status_at(show, (), utc(2022, 4, 13, 15) - TICK) is Status.AIRING  # the finale day in Seoul
    assert status_at(show, (), utc(2022, 4, 13, 15)) is Status.FINISHED


def test_stated_status_is_used_when_there_are_no_dates() -> None:
    assert status_at(make_show(status=Status.AIRING), (), utc(2024, 1, 1)) is Status.AIRING
    assert status_at(make_show(), (), utc(2024, 1, 1)) is Status.UNKNOWN


def test_dates_beat_the_stated_status() -> None:
    assert status_at(soundtrack(status=Status.AIRING), (), utc(2023, 1, 1)) is Status.FINISHED
    assert status_at(soundtrack(status=Status.FINISHED), (), utc(2022, 1, 1)) is Status.UPCOMING


def test_stated_finished_ends_a_run_with_no_end_date() -> None:
    open_ended = make_show(premiere=dt.date(2020, 1, 6), air_days=(MON,))

    assert status_at(open_ended, (), utc(2024, 1, 1)) is Status.AIRING
    assert status_at(dataclasses.replace(open_ended, status=Status.FINISHED), (), utc(2024, 1, 1)) is Status.FINISHED
    assert next_episode_after(dataclasses.replace(open_ended, status=Status.FINISHED), (), utc(2024, 1, 1)) is None


def test_a_future_finale_alone_is_not_finished() -> None:
    show = make_show(finale=dt.date(2024, 6, 1), status=Status.AIRING)

    assert status_at(show, (), utc(2024, 5, 1)) is Status.AIRING
    assert status_at(show, (), utc(2024, 6, 2)) is Status.FINISHED


# -- next, last, windows ------------------------------------------------------------------------------------


def test_next_episode_after() -> None:
    show = soundtrack()

    assert next_episode_after(show, (), utc(2022, 1, 1)).number == 1  # type: ignore[union-attr]
    assert next_episode_after(show, (), utc(2022, 3, 30, 9) - TICK).number == 2  # type: ignore[union-attr]
    assert next_episode_after(show, (), utc(2022, 3, 30, 9)).number == 3  # type: ignore[union-attr]
    assert next_episode_after(show, (), utc(2022, 4, 13, 9)) is None


def test_a_date_only_episode_is_next_all_day() -> None:
    show = soundtrack(air_time=None)
    evening_in_seoul = utc(2022, 3, 30, 14)

    upcoming = next_episode_after(show, (), evening_in_seoul)

    assert upcoming is not None and upcoming.number == 2 and not upcoming.time_known
    assert last_episode(show, (), evening_in_seoul).number == 1  # type: ignore[union-attr]


def test_last_episode_aired() -> None:
    show = soundtrack()

    assert last_episode(show, (), utc(2022, 3, 23, 9) - TICK) is None
    assert last_episode(show, (), utc(2022, 4, 7)).number == 3  # type: ignore[union-attr]
    assert last_episode(show, (), utc(2030, 1, 1)).number == 4  # type: ignore[union-attr]
    assert final_episode(show, ()).air_at == utc(2022, 4, 13, 9)  # type: ignore[union-attr]


def test_episodes_between_is_half_open() -> None:
    show = soundtrack()

    window = episodes_between(show, (), utc(2022, 3, 30, 9), utc(2022, 4, 13, 9))

    assert [ep.number for ep in window] == [2, 3]
    assert episodes_between(show, (), utc(2022, 5, 1), utc(2022, 6, 1)) == []
    assert episodes_between(show, (), utc(2022, 4, 1), utc(2022, 3, 1)) == []


def test_episodes_between_includes_catalog_rows_in_time_order() -> None:
    delayed = Episode(show_id=1, number=3, air_at=utc(2022, 4, 13, 9))

    window = episodes_between(soundtrack(), (delayed,), utc(2022, 4, 1), utc(2022, 5, 1))

    assert [(ep.number, ep.air_at) for ep in window] == [(3, utc(2022, 4, 13, 9)), (4, utc(2022, 4, 20, 9))]


def test_window_far_into_an_open_ended_run() -> None:
    show = make_show(premiere=dt.date(2000, 1, 3), air_days=(MON, TUE, WED, THU, FRI), air_time=dt.time(20, 30))

    window = episodes_between(show, (), utc(2024, 1, 1), utc(2024, 1, 8))

    assert [ep.air_date.weekday() for ep in window] == [MON, TUE, WED, THU, FRI]
    assert window[1].number == window[0].number + 1
    assert window[0].number == 1 + 5 * ((dt.date(2024, 1, 1) - dt.date(2000, 1, 3)).days // 7)


def test_upcoming_window_over_two_thousand_shows_is_fast() -> None:
    shows = [
        make_show(
            id=i,
            premiere=dt.date(2015, 1, 5) + dt.timedelta(days=3 * i),
            episode_count=16 + i % 120,
            air_days=((MON, TUE), (WED, THU), (SAT, SUN), (FRI,))[i % 4],
            air_time=None if i % 3 else dt.time(21),
        )
        for i in range(2000)
    ]
    start = utc(2030, 6, 1)
    started = time.perf_counter()
    found = [ep for show in shows for ep in episodes_between(show, (), start, start + dt.timedelta(days=1))]
    elapsed = time.perf_counter() - started

    assert found
    assert elapsed < 0.5  # about 20 ms on a laptop; the bound only catches generating every week


# -- countdowns ---------------------------------------------------------------------------------------------


def test_countdown_before_the_premiere() -> None:
    assert countdown(soundtrack(), (), utc(2022, 3, 1)) == Countdown(
        CountdownKind.PREMIERE,
        Status.UPCOMING,
        1,
        4,
        utc(2022, 3, 23, 9),
        True,
        dt.date(2022, 3, 23),
    )


def test_countdown_to_episode_3_of_4() -> None:
    result = countdown(soundtrack(), (), utc(2022, 4, 1))

    assert (result.kind, result.episode, result.total) == (CountdownKind.NEXT_EPISODE, 3, 4)
    assert result.moment == utc(2022, 4, 6, 9) and result.exact


def test_countdown_after_the_finale() -> None:
    result = countdown(soundtrack(air_time=None), (), utc(2022, 5, 1))

    assert (result.kind, result.status, result.episode, result.total) == (
        CountdownKind.FINISHED,
        Status.FINISHED,
        4,
        4,
    )
    assert result.air_date == dt.date(2022, 4, 13) and not result.exact


def test_countdown_knows_nothing_without_dates() -> None:
    assert countdown(make_show(), (), utc(2024, 1, 1)) == Countdown(CountdownKind.UNKNOWN, Status.UNKNOWN)


def test_countdown_when_airing_but_the_next_date_is_unknown() -> None:
    show = make_show(premiere=dt.date(2024, 1, 3), episode_count=12)  # no air days, no finale

    result = countdown(show, (), utc(2024, 2, 1))

    assert (result.kind, result.status, result.total, result.moment) == (
        CountdownKind.UNKNOWN,
        Status.AIRING,
        12,
        None,
    )


def test_countdown_on_a_date_only_premiere_day_is_still_the_premiere() -> None:
    result = countdown(soundtrack(air_time=None), (), utc(2022, 3, 23, 3))

    assert (result.kind, result.status, result.episode, result.exact) == (
        CountdownKind.PREMIERE,
        Status.AIRING,
        1,
        False,
    )


# -- time zones -------------------------------------------------------------------------------------------


def test_seoul_2200_is_1300_utc_the_same_day() -> None:
    show = make_show(premiere=dt.date(2024, 5, 1), episode_count=1, air_days=(WED,), air_time=dt.time(22))
    assert schedule_of(show) == [(1, utc(2024, 5, 1, 13))]


def test_seoul_0030_is_the_previous_utc_day() -> None:
    show = make_show(premiere=dt.date(2024, 5, 2), episode_count=1, air_days=(THU,), air_time=dt.time(0, 30))
    assert schedule_of(show) == [(1, utc(2024, 5, 1, 15, 30))]


def new_york_sundays(premiere: dt.date) -> Show:
    return make_show(
        premiere=premiere, episode_count=3, air_days=(SUN,), air_time=dt.time(21), timezone="America/New_York"
    )


def test_new_york_keeps_2100_local_when_clocks_spring_forward() -> None:
    assert schedule_of(new_york_sundays(dt.date(2024, 3, 3))) == [
        (1, utc(2024, 3, 4, 2)),
        (2, utc(2024, 3, 11, 1)),
        (3, utc(2024, 3, 18, 1)),
    ]


def test_new_york_keeps_2100_local_when_clocks_fall_back() -> None:
    assert schedule_of(new_york_sundays(dt.date(2024, 10, 27))) == [
        (1, utc(2024, 10, 28, 1)),
        (2, utc(2024, 11, 4, 2)),
        (3, utc(2024, 11, 11, 2)),
    ]


def test_a_time_in_the_spring_gap_reads_with_fold_0() -> None:
    show = make_show(
        premiere=dt.date(2024, 3, 10),
        episode_count=1,
        air_days=(SUN,),
        air_time=dt.time(2, 30),
        timezone="America/New_York",
    )
    assert schedule_of(show) == [(1, utc(2024, 3, 10, 7, 30))]  # 03:30 EDT


def test_a_repeated_time_in_the_autumn_fold_is_its_first_occurrence() -> None:
    show = make_show(
        premiere=dt.date(2024, 11, 3),
        episode_count=1,
        air_days=(SUN,),
        air_time=dt.time(1, 30),
        timezone="America/New_York",
    )
    assert schedule_of(show) == [(1, utc(2024, 11, 3, 5, 30))]  # 01:30 EDT


def test_kiritimati_morning_is_the_previous_utc_day() -> None:
    show = make_show(
        premiere=dt.date(2024, 5, 1),
        episode_count=2,
        air_days=(WED,),
        air_time=dt.time(10),
        timezone="Pacific/Kiritimati",
    )
    episodes = list(build_schedule(show).episodes())

    assert [ep.air_at for ep in episodes] == [utc(2024, 4, 30, 20), utc(2024, 5, 7, 20)]
    assert [ep.air_date for ep in episodes] == [dt.date(2024, 5, 1), dt.date(2024, 5, 8)]  # still Wednesdays
    assert [ep.number for ep in episodes_between(show, (), utc(2024, 4, 30), utc(2024, 5, 1))] == [1]


def test_auckland_across_its_april_dst_end() -> None:
    # New Zealand leaves daylight time (UTC+13 -> +12) on 7 April 2024.
    show = make_show(
        premiere=dt.date(2024, 4, 2), episode_count=2, air_days=(TUE,), air_time=dt.time(9), timezone="Pacific/Auckland"
    )
    assert schedule_of(show) == [(1, utc(2024, 4, 1, 20)), (2, utc(2024, 4, 8, 21))]


def test_a_catalog_row_reads_its_local_date_in_the_show_zone() -> None:
    # 16:00 UTC on Tuesday 12 April is 01:00 on Wednesday 13 April in Seoul: the slot of episode 4.
    delayed = Episode(show_id=1, number=3, air_at=dt.datetime(2022, 4, 12, 16, tzinfo=UTC))
    days = [ep.air_date for ep in build_schedule(soundtrack(), [delayed]).episodes()]

    assert days == [dt.date(2022, 3, 23), dt.date(2022, 3, 30), dt.date(2022, 4, 13), dt.date(2022, 4, 20)]


# -- rejected input ---------------------------------------------------------------------------------------


def test_naive_datetimes_are_rejected() -> None:
    naive = dt.datetime(2022, 4, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        status_at(soundtrack(), (), naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        episodes_between(soundtrack(), (), naive, utc(2022, 5, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        build_schedule(soundtrack(), [Episode(1, 3, naive)])
    with pytest.raises(ValueError, match="timezone-aware"):
        discord_timestamp(naive)


def test_unknown_timezone_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone"):
        build_schedule(soundtrack(timezone="Mars/Olympus_Mons"))


# -- Discord timestamps -----------------------------------------------------------------------------------


def test_discord_timestamp() -> None:
    moment = utc(2022, 3, 23, 9)

    assert discord_timestamp(moment) == "<t:1648026000:F>"
    assert discord_timestamp(moment, "R") == "<t:1648026000:R>"
    assert discord_timestamp(moment.astimezone(SEOUL), "R") == "<t:1648026000:R>"
    with pytest.raises(ValueError, match="style"):
        discord_timestamp(moment, "X")


# -- properties -------------------------------------------------------------------------------------------

zones = st.sampled_from(
    [
        "Asia/Seoul",
        "America/New_York",
        "Pacific/Auckland",
        "Pacific/Kiritimati",
        "UTC",
        "Europe/London",
        "America/Santiago",
        "Australia/Lord_Howe",
    ]
)
air_times = st.none() | st.times()
air_day_sets = st.sets(st.integers(0, 6), min_size=1, max_size=7).map(lambda days: tuple(sorted(days)))
premieres = st.dates(dt.date(2000, 1, 1), dt.date(2035, 12, 31))


@st.composite
def weekly_shows(draw: st.DrawFn) -> Show:
    return make_show(
        premiere=draw(premieres),
        episode_count=draw(st.integers(1, 200)),
        air_days=draw(air_day_sets),
        air_time=draw(air_times),
        timezone=draw(zones),
    )


@settings(max_examples=200, deadline=None)
@given(weekly_shows())
def test_generated_episodes_are_numbered_and_strictly_increasing(show: Show) -> None:
    episodes = list(build_schedule(show).episodes())

    assert [ep.number for ep in episodes] == list(range(1, (show.episode_count or 0) + 1))
    assert all(a.air_at < b.air_at for a, b in itertools.pairwise(episodes))
    assert episodes[0].air_date == show.premiere
    assert all(ep.air_date.weekday() in show.air_days for ep in episodes[1:])
    assert all(ep.air_at.tzinfo is UTC for ep in episodes)


@settings(max_examples=200, deadline=None)
@given(weekly_shows(), st.integers(1, 200), st.integers(1, 30))
def test_a_delay_keeps_the_schedule_numbered_and_increasing(show: Show, delayed: int, days: int) -> None:
    count = show.episode_count or 1
    delayed = min(delayed, count)
    usual = next(ep for ep in build_schedule(show).episodes() if ep.number == delayed)
    row = Episode(show_id=show.id, number=delayed, air_at=usual.air_at + dt.timedelta(days=days))

    episodes = list(build_schedule(show, [row]).episodes())

    assert [ep.number for ep in episodes] == list(range(1, count + 1))
    assert all(a.air_at < b.air_at for a, b in itertools.pairwise(episodes))
    assert all(ep.air_date.weekday() in show.air_days for ep in episodes[delayed:])


@settings(max_examples=200, deadline=None)
@given(
    weekly_shows(),
    st.datetimes(dt.datetime(1999, 6, 1), dt.datetime(2040, 1, 1), timezones=st.just(UTC)),
    st.integers(0, 60),
)
def test_queries_agree_with_the_full_list(show: Show, now: dt.datetime, window_days: int) -> None:
    schedule = build_schedule(show)
    episodes = list(schedule.episodes())
    end = now + dt.timedelta(days=window_days)

    assert schedule.next_after(now) == next((ep for ep in episodes if ep.aired_by > now), None)
    assert schedule.last_aired_at(now) == next((ep for ep in reversed(episodes) if ep.aired_by <= now), None)
    assert schedule.between(now, end) == [ep for ep in episodes if now <= ep.air_at < end]
    expected = (
        Status.UPCOMING
        if now < episodes[0].air_at
        else Status.FINISHED
        if now >= episodes[-1].aired_by
        else Status.AIRING
    )
    assert schedule.status_at(now) is expected


@settings(max_examples=100, deadline=None)
@given(premieres, air_day_sets, st.integers(0, 120), zones)
def test_finale_without_count_ends_on_the_finale(
    premiere: dt.date, days: tuple[int, ...], length: int, zone: str
) -> None:
    finale = premiere + dt.timedelta(days=length)
    schedule = build_schedule(make_show(premiere=premiere, finale=finale, air_days=days, timezone=zone))
    episodes = list(schedule.episodes())

    assert len(episodes) == schedule.total
    assert episodes[-1].air_date == finale
    assert all(a.air_date < b.air_date for a, b in itertools.pairwise(episodes))


@st.composite
def any_shows(draw: st.DrawFn) -> tuple[Show, tuple[Episode, ...]]:
    premiere = draw(st.none() | premieres)
    finale = draw(
        st.none() | st.integers(0, 200).map(lambda days: (premiere or dt.date(2020, 1, 1)) + dt.timedelta(days=days))
    )
    count = draw(st.none() | st.integers(1, 150))
    show = make_show(
        premiere=premiere,
        finale=finale,
        episode_count=count,
        air_time=draw(air_times),
        timezone=draw(zones),
        air_days=draw(st.just(()) | air_day_sets),
        status=draw(st.none() | st.sampled_from(Status)),
    )
    anchor = dt.datetime.combine(premiere or dt.date(2020, 1, 1), dt.time(12), tzinfo=UTC)
    rows = draw(
        st.lists(
            st.builds(
                Episode,
                show_id=st.just(show.id),
                number=st.integers(1, (count or 20) + 2),
                air_at=st.integers(-3000, 3000).map(lambda hours: anchor + dt.timedelta(hours=hours)),
            ),
            max_size=3,
        )
    )
    return show, tuple(rows)


@settings(max_examples=300, deadline=None)
@given(
    any_shows(),
    st.datetimes(dt.datetime(1999, 6, 1), dt.datetime(2037, 1, 1), timezones=st.just(UTC)),
    st.integers(0, 60),
)
def test_any_schedule_answers_consistently(
    case: tuple[Show, tuple[Episode, ...]], now: dt.datetime, window_days: int
) -> None:
    show, rows = case
    schedule = build_schedule(show, rows)
    if not schedule.is_finite:
        return
    episodes = list(schedule.episodes())

    def key(ep: ScheduledEpisode) -> tuple[dt.datetime, int]:
        return (ep.air_at, ep.number)

    end = now + dt.timedelta(days=window_days)

    assert episodes == sorted(episodes, key=key)
    assert len({ep.number for ep in episodes}) == len(episodes)
    assert {row.number for row in rows} <= {ep.number for ep in episodes if ep.from_catalog}
    if schedule.total is not None:
        assert all(1 <= ep.number <= schedule.total for ep in episodes)
    assert schedule.next_after(now) == min((ep for ep in episodes if ep.aired_by > now), key=key, default=None)
    assert schedule.last_aired_at(now) == max((ep for ep in episodes if ep.aired_by <= now), key=key, default=None)
    assert schedule.between(now, end) == [ep for ep in episodes if now <= ep.air_at < end]

    status = schedule.status_at(now)
    if episodes:
        assert (status is Status.UPCOMING) == (now < episodes[0].air_at)
    result = schedule.countdown(now)
    assert (result.kind is CountdownKind.FINISHED) == (status is Status.FINISHED)
    if result.kind in (CountdownKind.PREMIERE, CountdownKind.NEXT_EPISODE):
        upcoming = schedule.next_after(now)
        assert upcoming is not None and result.moment == upcoming.air_at and result.episode == upcoming.number


@settings(max_examples=150, deadline=None)
@given(
    premiere=st.dates(dt.date(2020, 1, 1), dt.date(2020, 12, 31)),
    days=st.sets(st.integers(0, 6), max_size=3),
    count=st.integers(1, 30),
    moved=st.lists(st.tuples(st.integers(1, 40), st.integers(-400, 400)), max_size=3),
    start_day=st.integers(-30, 400),
    length_hours=st.integers(1, 24 * 60),
)
def test_a_window_holds_exactly_the_episodes_airing_in_it(
    premiere: dt.date,
    days: set[int],
    count: int,
    moved: list[tuple[int, int]],
    start_day: int,
    length_hours: int,
) -> None:
    """`between` skips shows whose run lies outside the window at once; that shortcut must lose nothing."""
    show = make_show(
        premiere=premiere,
        episode_count=count,
        air_days=tuple(sorted(days)),
        air_time=dt.time(21, 0),
        timezone="Asia/Seoul",
    )
    base = dt.datetime.combine(premiere, dt.time(12, 0), tzinfo=UTC)
    rows = tuple(Episode(show_id=1, number=n, air_at=base + dt.timedelta(days=d)) for n, d in dict(moved).items())
    schedule = build_schedule(show, rows)
    start = base + dt.timedelta(days=start_day)
    end = start + dt.timedelta(hours=length_hours)

    expected = [ep for ep in schedule.episodes() if start <= ep.air_at < end]

    assert schedule.between(start, end) == sorted(expected, key=lambda ep: (ep.air_at, ep.number))
