"""The edges of bot/schedule.py: the exact moment an episode counts as aired, window ends, what a countdown says
once a show has finished, releases all on one day, and errors that name the argument.

Written against the mutants tests/test_schedule.py let live (scripts/mutation.py).
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.models import Episode, Show, Status
from bot.schedule import (
    Countdown,
    CountdownKind,
    Schedule,
    countdown,
    discord_timestamp,
    episodes_between,
    final_episode,
    last_episode,
    next_episode_after,
    require_aware,
    status_at,
)

UTC = dt.UTC
T = dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # 21:00 in Seoul, a Wednesday
HOUR = dt.timedelta(hours=1)


class NoOffset(dt.tzinfo):
    """A time zone that does not know its offset: as unusable as none at all."""

    def utcoffset(self, moment: dt.datetime | None) -> dt.timedelta | None:
        return None

    def dst(self, moment: dt.datetime | None) -> dt.timedelta | None:
        return None

    def tzname(self, moment: dt.datetime | None) -> str | None:
        return None


def rows(*moments: dt.datetime, show_id: int = 1) -> list[Episode]:
    return [Episode(show_id, number, moment) for number, moment in enumerate(moments, start=1)]


def test_naive_or_offsetless_moments_are_refused_by_name() -> None:
    schedule = Schedule(Show(id=1, title="S"), rows(T))
    naive = T.replace(tzinfo=None)
    with pytest.raises(ValueError, match=r"^datetime must be timezone-aware"):
        require_aware(naive)
    with pytest.raises(ValueError, match=r"^now must be timezone-aware"):
        require_aware(T.replace(tzinfo=NoOffset()), "now")
    for call, name in (
        (lambda: schedule.next_after(naive), "now"),
        (lambda: schedule.last_aired_at(naive), "now"),
        (lambda: schedule.status_at(naive), "now"),
        (lambda: schedule.between(naive, T), "start"),
        (lambda: schedule.between(T, naive), "end"),
        (lambda: discord_timestamp(naive), "moment"),
    ):
        with pytest.raises(ValueError, match=rf"^{name} must be timezone-aware"):
            call()


def test_discord_timestamps() -> None:
    assert discord_timestamp(T + dt.timedelta(seconds=0.9)) == f"<t:{int(T.timestamp())}:F>"
    assert discord_timestamp(T, "R") == f"<t:{int(T.timestamp())}:R>"
    before_1970 = dt.datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC)
    assert discord_timestamp(before_1970, "d") == "<t:-1:d>", "rounded down, not toward zero"
    with pytest.raises(ValueError, match="unknown Discord timestamp style 'x'; use one of DFRTdft"):
        discord_timestamp(T, "x")


def test_an_episode_counts_as_aired_from_its_air_moment() -> None:
    schedule = Schedule(Show(id=1, title="S", episode_count=3), rows(T, T + HOUR, T + 2 * HOUR))
    assert schedule.next_after(T - dt.timedelta(microseconds=1)).number == 1  # type: ignore[union-attr]
    assert schedule.next_after(T).number == 2  # type: ignore[union-attr]
    assert schedule.last_aired_at(T).number == 1  # type: ignore[union-attr]
    assert schedule.last_aired_at(T - dt.timedelta(microseconds=1)) is None
    assert [ep.number for ep in schedule.between(T, T + 2 * HOUR)] == [1, 2], "start included, end excluded"
    assert schedule.between(T + HOUR, T + HOUR) == [] and schedule.between(T + HOUR, T) == []


def test_generated_episodes_share_the_same_edges() -> None:
    # Wednesdays at 21:00 in Seoul from 4 March: episode 1 airs at T, episode 2 a week later.
    weekly = Show(
        id=1, title="Weekly", premiere=T.date(), air_days=(2,), air_time=dt.time(21, 0), episode_count=4
    )  # fmt: skip
    schedule = Schedule(weekly)
    week = dt.timedelta(days=7)
    assert [ep.number for ep in schedule.between(T, T + week)] == [1]
    assert [ep.number for ep in schedule.between(T + dt.timedelta(microseconds=1), T + week + HOUR)] == [2]
    assert schedule.next_after(T).number == 2 and schedule.last_aired_at(T).number == 1  # type: ignore[union-attr]
    assert schedule.next_after(T - HOUR).number == 1  # type: ignore[union-attr]


def test_a_countdown_after_the_end() -> None:
    finished = Show(
        id=1, title="Done", premiere=dt.date(2026, 1, 7), finale=dt.date(2026, 1, 28), episode_count=4,
        air_days=(2,), air_time=dt.time(21, 0),
    )  # fmt: skip
    last = Schedule(finished).final_episode()
    assert last is not None and last.number == 4
    assert countdown(finished, [], T) == Countdown(
        CountdownKind.FINISHED, Status.FINISHED, 4, 4, last.air_at, True, dt.date(2026, 1, 28)
    )
    # Only the finale's date is known, not how the episodes fell: the finale day is told, with no time.
    dated = Show(id=2, title="Dated", finale=dt.date(2026, 1, 28), episode_count=16)
    assert Schedule(dated).final_episode() is None
    midnight = dt.datetime(2026, 1, 27, 15, 0, tzinfo=UTC)  # 00:00 on 28 January in Seoul
    assert countdown(dated, [], T) == Countdown(
        CountdownKind.FINISHED, Status.FINISHED, 16, 16, midnight, False, dt.date(2026, 1, 28)
    )
    stated = Show(id=3, title="Said So", status=Status.FINISHED, episode_count=12)
    assert countdown(stated, [], T) == Countdown(CountdownKind.FINISHED, Status.FINISHED, total=12)
    unknown = Show(id=4, title="Someday", episode_count=10)
    assert countdown(unknown, [], T) == Countdown(CountdownKind.UNKNOWN, Status.UNKNOWN, total=10)


def test_module_helpers_read_the_catalog_rows() -> None:
    show = Show(id=1, title="Rows", episode_count=3)
    episodes = rows(T - HOUR, T + HOUR, T + 2 * HOUR)
    assert next_episode_after(show, episodes, T).number == 2  # type: ignore[union-attr]
    assert last_episode(show, episodes, T).number == 1  # type: ignore[union-attr]
    assert final_episode(show, episodes).number == 3  # type: ignore[union-attr]
    assert status_at(show, episodes, T) is Status.AIRING
    assert countdown(show, episodes, T).episode == 2
    assert [ep.number for ep in episodes_between(show, episodes, T, T + 3 * HOUR)] == [2, 3]
    assert countdown(show, [], T).kind is CountdownKind.UNKNOWN


def test_a_release_all_on_one_day() -> None:
    binge = Show(id=1, title="Binge", premiere=dt.date(2026, 3, 4), finale=dt.date(2026, 3, 4), episode_count=8)
    schedule = Schedule(binge)
    assert [ep.number for ep in schedule.episodes()] == list(range(1, 9))
    assert {ep.air_date for ep in schedule.episodes()} == {dt.date(2026, 3, 4)}
    assert schedule.final_episode().number == 8  # type: ignore[union-attr]
    pair = Show(id=2, title="Pair", premiere=dt.date(2026, 3, 4), finale=dt.date(2026, 3, 11), episode_count=2)
    assert [(ep.number, ep.air_date) for ep in Schedule(pair).episodes()] == [
        (1, dt.date(2026, 3, 4)),
        (2, dt.date(2026, 3, 11)),
    ]


def test_status_with_only_a_finale_date() -> None:
    for stated, expected in (
        (Status.UPCOMING, Status.UPCOMING),
        (Status.AIRING, Status.AIRING),
        (Status.FINISHED, Status.UNKNOWN),  # a future finale contradicts "finished"
        (None, Status.UNKNOWN),
    ):
        show = Show(id=1, title="Finale Only", finale=dt.date(2026, 12, 1), status=stated)
        assert status_at(show, [], T) is expected, stated
    ended = Show(id=2, title="Ended", finale=dt.date(2026, 3, 3))
    schedule = Schedule(ended)
    assert schedule.ends_at() == dt.datetime(2026, 3, 3, 15, 0, tzinfo=UTC), "midnight after the finale, in Seoul"
    assert schedule.status_at(T) is Status.FINISHED


def test_bad_show_facts_are_refused_or_ignored_by_name() -> None:
    with pytest.raises(ValueError, match=r"^show 5: air_days must be weekdays 0 \(Mon\) to 6 \(Sun\), got \(7,\)$"):
        Schedule(Show(id=5, title="Eighth Day", air_days=(7,)))
    with pytest.raises(ValueError, match=r"^show 6: air_time is a local wall-clock time and must carry no tzinfo$"):
        Schedule(Show(id=6, title="Zoned", air_time=dt.time(21, 0, tzinfo=UTC)))
    with pytest.raises(ValueError, match=r"^episode 3 air_at must be timezone-aware"):
        Schedule(Show(id=7, title="Naive Row"), [Episode(7, 3, T.replace(tzinfo=None))])
    assert Schedule(Show(id=8, title="No Count", episode_count=0)).total is None
    backwards = Show(id=9, title="Backwards", premiere=dt.date(2026, 3, 4), finale=dt.date(2026, 3, 1))
    assert Schedule(backwards).ends_at() is None, "a finale before the premiere is a data error, ignored"
    titled = Schedule(Show(id=10, title="Titled"), [Episode(10, 1, T, title="The Pilot")])
    (pilot,) = titled.episodes()
    assert (pilot.title, pilot.time_known, pilot.from_catalog) == ("The Pilot", True, True)
