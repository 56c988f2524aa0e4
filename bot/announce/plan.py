"""Decide which announcements are due: per server, show, episode and kind, given settings, follows and `now`.

Pure: nothing here reads the clock, the database or Discord. The outbox (bot/announce/outbox.py) stores what
this plans.

When an announcement is due:
- an episode with a known air time: at its air time;
- an episode known only by its date (`time_known` False; the schedule places it at local midnight): at
  `DATE_ONLY_HOUR` (09:00) local time of its air date in the show's timezone (Seoul unless the show says
  otherwise). Announcing at midnight would post "airs today" in the middle of the Korean night and, for
  readers in the Americas, on the day before; 09:00 keeps it on the air date everywhere in Asia and Europe.
  The embed then shows the date, never a made-up time.

Which episodes a server hears about, by mode (a followed show is announced in every mode, every episode):
- premieres: episode 1 of every show the server can see;
- episodes: every episode of every show the server can see;
- followed: only the shows the server follows.
A server-owned (private) show is visible, and so announced, only in that server.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.models import AnnouncementKind, AnnounceMode, Due, GuildAnnounceSettings, ListOwner, Show
from bot.schedule import Schedule, ScheduledEpisode, local_to_utc, require_aware, show_zone

DATE_ONLY_HOUR = dt.time(9, 0)
_DAY = dt.timedelta(days=1)
NEXT_DUE_HORIZON = dt.timedelta(days=2)  # how far ahead the announcer looks for its next wake-up


class Triage(StrEnum):
    DELIVER = "deliver"
    SKIP = "skip"  # fell due longer ago than the grace window: recorded, never sent


class ShowCatalog(Protocol):
    """What announcing reads from the catalog: every show by id, and each show's schedule (cached there)."""

    @property
    def shows(self) -> Mapping[int, Show]: ...

    def schedule_of(self, show: Show) -> Schedule | None: ...  # None: the show's facts make no schedule

    def schedules_between(self, start: dt.datetime, end: dt.datetime) -> list[Schedule]:
        """The schedules of the shows that may air in [start, end) (more is fine: airings are read exactly)."""
        ...

    async def warm_airing(self) -> None:
        """Make `schedules_between` cheap for what comes next, off the event loop."""
        ...


@dataclass(frozen=True, slots=True)
class Airing:
    """One episode of one show that falls due in a window; shared by every server that announces it."""

    show_id: int
    show_guild_id: int | None
    episode: int
    total: int | None
    kind: AnnouncementKind
    due_at: dt.datetime
    air_at: dt.datetime
    time_known: bool
    air_date: dt.date


def schedules_due_between(catalog: ShowCatalog, start: dt.datetime, end: dt.datetime) -> list[Schedule]:
    """The schedules that may have an announcement due in [start, end): a date-only episode falls due hours after
    its local midnight, so a day earlier is asked too."""
    return catalog.schedules_between(start - _DAY, end)


def announce_at(episode: ScheduledEpisode, schedule: Schedule) -> dt.datetime:
    """Return the moment an episode is announced: its air time, or 09:00 local on its date when time is unknown."""
    if episode.time_known:
        return episode.air_at
    return local_to_utc(episode.air_date, DATE_ONLY_HOUR, show_zone(schedule.show))


def kind_of(episode_number: int) -> AnnouncementKind:
    """Return whether an episode is announced as a premiere or as an episode."""
    return AnnouncementKind.PREMIERE if episode_number == 1 else AnnouncementKind.EPISODE


def triage(due_at: dt.datetime, now: dt.datetime, grace: dt.timedelta) -> Triage:
    """Deliver what fell due within the grace window (late but useful); skip anything older."""
    return Triage.SKIP if require_aware(now) - require_aware(due_at) > grace else Triage.DELIVER


def first_state(due: Due, settings: GuildAnnounceSettings | ListOwner, now: dt.datetime, grace: dt.timedelta) -> str:
    """The state a newly planned row is stored in: skipped (too old), held (its server or user is paused), pending."""
    if triage(due.due_at, now, grace) is Triage.SKIP:
        return "skipped"
    return "held" if settings.paused_reason else "pending"


def airings_between(schedules: Iterable[Schedule], start: dt.datetime, end: dt.datetime) -> list[Airing]:
    """Return every episode whose announcement falls due in [start, end), in due order."""
    start, end = require_aware(start, "start"), require_aware(end, "end")
    found: list[Airing] = []
    for schedule in schedules:
        show = schedule.show
        # A date-only episode is due hours after its local midnight: look a day further back.
        for episode in schedule.between(start - _DAY, end):
            due_at = announce_at(episode, schedule)
            if start <= due_at < end:
                found.append(
                    Airing(
                        show_id=show.id, show_guild_id=show.guild_id, episode=episode.number, total=schedule.total,
                        kind=kind_of(episode.number), due_at=due_at, air_at=episode.air_at,
                        time_known=episode.time_known, air_date=episode.air_date,
                    )
                )  # fmt: skip
    found.sort(key=lambda a: (a.due_at, a.show_id, a.episode))
    return found


def next_due_after(
    schedules: Iterable[Schedule], now: dt.datetime, *, horizon: dt.timedelta = NEXT_DUE_HORIZON
) -> dt.datetime | None:
    """Return the first announcement moment after `now` within `horizon` (for any server), or None."""
    now = require_aware(now, "now")
    airings = airings_between(schedules, now + dt.timedelta(microseconds=1), now + horizon)
    return airings[0].due_at if airings else None


def plan(
    settings: Iterable[GuildAnnounceSettings],
    follows: Mapping[int, frozenset[int]],
    airings: Sequence[Airing],
) -> list[Due]:
    """Return the announcements each server with announcements on gets (paused or not), honouring mode, follows,
    privacy and when they were turned on."""
    premieres = [a for a in airings if a.kind is AnnouncementKind.PREMIERE]
    by_show: dict[int, list[Airing]] = {}
    for airing in airings:
        by_show.setdefault(airing.show_id, []).append(airing)
    planned: list[Due] = []
    for guild in settings:
        if not guild.enabled or guild.channel_id is None:
            continue  # off: nothing is recorded. Paused: planned all the same, and stored as held.
        followed = follows.get(guild.guild_id, frozenset())
        if guild.mode is AnnounceMode.EPISODES:
            chosen: Iterable[Airing] = airings
        else:
            picked = {id(a): a for show_id in followed for a in by_show.get(show_id, ())}
            if guild.mode is AnnounceMode.PREMIERES:
                picked.update((id(a), a) for a in premieres)
            chosen = picked.values()
        for airing in chosen:
            if airing.show_guild_id is not None and airing.show_guild_id != guild.guild_id:
                continue  # another server's private show
            if airing.due_at < guild.since:
                continue
            planned.append(
                Due(
                    guild_id=guild.guild_id, show_id=airing.show_id, episode=airing.episode, kind=airing.kind,
                    due_at=airing.due_at, air_at=airing.air_at, time_known=airing.time_known,
                    channel_id=guild.channel_id, total=airing.total,
                )
            )  # fmt: skip
    return planned


def upcoming_for(
    settings: GuildAnnounceSettings,
    follows: frozenset[int],
    schedules: Iterable[Schedule],
    now: dt.datetime,
    horizon: dt.timedelta,
) -> list[Due]:
    """Return the announcements a server would get within `horizon` (as if they were on), soonest first."""
    if settings.channel_id is None:
        return []
    live = dataclasses.replace(settings, enabled=True, paused_reason=None, since=now)
    planned = plan([live], {settings.guild_id: follows}, airings_between(schedules, now, now + horizon))
    return sorted(planned, key=lambda due: (due.due_at, due.show_id, due.episode))
