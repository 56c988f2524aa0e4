"""The edges of announcement planning (bot/announce/plan.py), pure and on fixed clocks.

Written against the mutants that tests/test_announcer.py let live (scripts/mutation.py): the window's ends, the
moment right after `now`, a followed show with nothing airing, another server's private show listed before this
server's own, the episode count carried into each announcement, and what /announce status previews.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest

from bot.announce.plan import airings_between, next_due_after, plan, triage, upcoming_for
from bot.models import AnnouncementKind, AnnounceMode, Episode, GuildAnnounceSettings, Show
from bot.schedule import Schedule

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)


def show(show_id: int, **fields: object) -> Show:
    return Show(id=show_id, title=f"Show {show_id}", **fields)  # type: ignore[arg-type]


def guild(guild_id: int, mode: AnnounceMode = AnnounceMode.EPISODES, **fields: object) -> GuildAnnounceSettings:
    values: dict[str, object] = {"channel_id": guild_id * 10, "enabled": True, "since": NOW - dt.timedelta(days=30)}
    values.update(fields)
    return GuildAnnounceSettings(guild_id=guild_id, mode=mode, **values)  # type: ignore[arg-type]


def schedule(show_: Show, *episodes: tuple[int, dt.datetime]) -> Schedule:
    return Schedule(show_, [Episode(show_.id, number, at) for number, at in episodes])


def test_the_window_includes_its_start_and_excludes_its_end() -> None:
    one = schedule(show(1, episode_count=3), (1, NOW), (2, NOW + HOUR), (3, NOW + 2 * HOUR))
    airings = airings_between([one], NOW, NOW + 2 * HOUR)
    assert [(a.episode, a.due_at) for a in airings] == [(1, NOW), (2, NOW + HOUR)]
    assert [a.total for a in airings] == [3, 3], "the episode count travels with each airing"
    assert [a.kind for a in airings] == [AnnouncementKind.PREMIERE, AnnouncementKind.EPISODE]
    assert airings_between([one], NOW + 2 * HOUR, NOW + 3 * HOUR)[0].episode == 3


def test_naive_moments_are_refused_by_name() -> None:
    one = schedule(show(1), (1, NOW))
    with pytest.raises(ValueError, match=r"^start must be timezone-aware"):
        airings_between([one], NOW.replace(tzinfo=None), NOW + HOUR)
    with pytest.raises(ValueError, match=r"^end must be timezone-aware"):
        airings_between([one], NOW, (NOW + HOUR).replace(tzinfo=None))
    with pytest.raises(ValueError, match=r"^now must be timezone-aware"):
        next_due_after([one], NOW.replace(tzinfo=None))
    with pytest.raises(ValueError):
        triage(NOW, NOW.replace(tzinfo=None), HOUR)


def test_the_next_due_moment_is_strictly_after_now_and_within_the_horizon() -> None:
    one = schedule(show(1, episode_count=3), (1, NOW), (2, NOW + HOUR), (3, NOW + 3 * 24 * HOUR))
    assert next_due_after([one], NOW) == NOW + HOUR, "what is due now is not the next"
    just_before = NOW + HOUR - dt.timedelta(microseconds=1)
    assert next_due_after([one], just_before) == NOW + HOUR, "a microsecond ahead is still ahead"
    assert next_due_after([one], NOW + HOUR) is None, "the third is beyond the two-day horizon"
    assert next_due_after([one], NOW + HOUR, horizon=dt.timedelta(days=4)) == NOW + 3 * 24 * HOUR


def airings(*schedules: Schedule) -> list:  # type: ignore[type-arg]
    return airings_between(schedules, NOW, NOW + 24 * HOUR)


def test_follows_modes_and_private_shows() -> None:
    theirs = schedule(show(1, guild_id=200, episode_count=2), (1, NOW + HOUR))
    ours = schedule(show(2, guild_id=100, episode_count=2), (1, NOW + 2 * HOUR), (2, NOW + 3 * HOUR))
    shared = schedule(show(3, episode_count=9), (4, NOW + 4 * HOUR))
    quiet = show(4)  # followed, but nothing of it airs in the window
    due = airings(theirs, ours, shared)
    followed = {100: frozenset({2, 4}), 300: frozenset({4})}
    settings = [
        guild(100, AnnounceMode.FOLLOWED),
        guild(300, AnnounceMode.FOLLOWED),
        guild(400, AnnounceMode.PREMIERES),
        guild(500, AnnounceMode.EPISODES),
    ]
    planned = plan(settings, followed, due)
    got = sorted((d.guild_id, d.show_id, d.episode, d.total) for d in planned)
    assert got == [
        (100, 2, 1, 2),  # its own show, followed: every episode, though another server's show airs first
        (100, 2, 2, 2),
        (500, 3, 4, 9),  # every episode of what it can see: the shared show only
    ], "premieres-only server 400 sees no premiere of a shared show here; quiet show 4 plans nothing"
    assert all(d.channel_id == d.guild_id * 10 for d in planned)
    assert quiet.id not in {d.show_id for d in planned}


def test_premieres_mode_hears_premieres_and_followed_shows() -> None:
    premiere = schedule(show(1, episode_count=4), (1, NOW + HOUR))
    later = schedule(show(2, episode_count=4), (3, NOW + 2 * HOUR))
    planned = plan([guild(7, AnnounceMode.PREMIERES)], {7: frozenset({2})}, airings(premiere, later))
    assert sorted((d.show_id, d.episode, d.kind) for d in planned) == [
        (1, 1, AnnouncementKind.PREMIERE),
        (2, 3, AnnouncementKind.EPISODE),
    ]


def test_nothing_before_a_server_turned_announcements_on_or_while_it_is_off_and_a_paused_one_is_planned() -> None:
    one = schedule(show(1, episode_count=2), (1, NOW + HOUR), (2, NOW + 3 * HOUR))
    settings = [
        guild(1, since=NOW + 2 * HOUR),
        guild(2, enabled=False),
        guild(3, channel_id=None),
        guild(4, paused_reason="403"),
        guild(5, since=NOW + HOUR),
    ]
    planned = plan(settings, {}, airings(one))
    # A paused server's rows are stored as held and sent on resume (the outbox decides that, not the plan).
    assert sorted((d.guild_id, d.episode) for d in planned) == [(1, 2), (4, 1), (4, 2), (5, 1), (5, 2)]


def test_upcoming_previews_a_server_as_if_it_were_on() -> None:
    first = schedule(show(1, episode_count=2), (1, NOW + 2 * HOUR), (2, NOW + 5 * HOUR))
    second = schedule(show(2, episode_count=8), (5, NOW + HOUR))
    settings = guild(9, AnnounceMode.FOLLOWED, enabled=False, paused_reason="403", since=NOW + 30 * 24 * HOUR)
    upcoming = upcoming_for(settings, frozenset({1, 2}), [first, second], NOW, 4 * HOUR)
    assert [(d.show_id, d.episode, d.due_at, d.total, d.channel_id) for d in upcoming] == [
        (2, 5, NOW + HOUR, 8, 90),
        (1, 1, NOW + 2 * HOUR, 2, 90),
    ], "soonest first, within the horizon, though the server is off, paused and turned on only later"
    assert upcoming_for(settings, frozenset(), [first, second], NOW, 4 * HOUR) == []
    assert upcoming_for(guild(9, channel_id=None), frozenset({1}), [first], NOW, 4 * HOUR) == []
    everything = upcoming_for(guild(9), frozenset(), [first, second], NOW, 6 * HOUR)
    assert [(d.show_id, d.episode) for d in everything] == [(2, 5), (1, 1), (1, 2)]


def test_same_moment_airings_are_ordered_by_show_then_episode() -> None:
    shows: Sequence[Schedule] = [
        schedule(show(3, episode_count=2), (2, NOW + HOUR)),
        schedule(show(1, episode_count=9), (7, NOW + HOUR), (6, NOW + HOUR)),
    ]
    assert [(a.show_id, a.episode) for a in airings(*shows)] == [(1, 6), (1, 7), (3, 2)]
    upcoming = upcoming_for(guild(1), frozenset(), shows, NOW, 2 * HOUR)
    assert [(d.show_id, d.episode) for d in upcoming] == [(1, 6), (1, 7), (3, 2)]


def test_a_date_only_episode_due_exactly_at_the_windows_end_waits_for_the_next_window() -> None:
    # Thursdays, no time: announced at 09:00 in Seoul on 5 March, which is 00:00 UTC.
    dated = Schedule(show(2, premiere=dt.date(2026, 3, 5), air_days=(3,), episode_count=4))
    due = dt.datetime(2026, 3, 5, 0, 0, tzinfo=UTC)
    assert airings_between([dated], NOW, due) == []
    assert [a.episode for a in airings_between([dated], due, due + HOUR)] == [1]
