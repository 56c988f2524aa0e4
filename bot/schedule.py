"""Work out when a show's episodes air, whether it is airing, and what a countdown should say.

Everything here is pure: the caller passes `now`, nothing reads the clock, and every datetime that goes in or
comes out is timezone-aware (naive input raises ValueError). Moments come out in UTC.

Where episodes come from, per episode number:
1. An explicit `Episode` row from the catalog always wins, and is taken as exact.
2. Otherwise the weekly pattern: episode 1 on `premiere` (even if that weekday is not an air day), then one
   episode per air day after it, at `air_time` local wall time in `timezone`. A catalog row that moves an
   episode later pushes every following generated episode to the next free air day, so they never collide;
   a row that moves one earlier pulls nothing forward. How far the pattern runs:
   - `episode_count` known: that many episodes. If `finale` is known too and the pattern does not fit the
     dates, the dates win: fewer episodes than air days (a break in the run) puts the last episode on the
     finale date; an exact multiple (32 episodes on 16 air days, or a whole season released on one day)
     puts that many episodes on each air day; anything else falls back to rule 3.
   - only `finale` known: until the finale date; a finale off the pattern still gets the last episode.
   - neither: open-ended, unless the show is stated finished, in which case only episode 1 is known.
3. Without air days (or with dates and a count that fit no pattern) nothing is invented: episode 1 on the
   premiere and, when count and finale are both known, the last episode on the finale date.

Unknown air time: the episode's `air_at` is local midnight of its air date in the show's timezone, and
`time_known` is False. Such an episode counts as aired only once its local day is over (`aired_by`), so on the
day itself it is still "next" and the show is still airing. Cogs should print `air_date` for these rather than
a Discord timestamp, which would show midnight Seoul as the previous evening in the Americas.

Local times that do not exist or occur twice (DST gaps and folds) are read with fold=0: a time in a gap uses
the offset from before the change (02:30 on a New York spring-forward day becomes 03:30 EDT), and a repeated
time is its first occurrence.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.models import Episode, Show, Status

UTC = dt.UTC
TIMESTAMP_STYLES = frozenset("tTdDfFR")
_MIDNIGHT = dt.time(0, 0)
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ScheduledEpisode:
    """One episode with its air moment in UTC; `air_at` is local midnight when `time_known` is False."""

    number: int
    air_at: dt.datetime
    air_date: dt.date  # the local date in the show's timezone
    time_known: bool
    aired_by: dt.datetime  # from this moment the episode counts as aired: air_at, or the end of its local day
    from_catalog: bool = False
    title: str | None = None


class CountdownKind(StrEnum):
    PREMIERE = "premiere"
    NEXT_EPISODE = "next_episode"
    FINISHED = "finished"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Countdown:
    """What to tell a user about a show at `now`: "Episode 3 of 4 airs <moment>", "Finished", ..."""

    kind: CountdownKind
    status: Status
    episode: int | None = None
    total: int | None = None
    moment: dt.datetime | None = None  # aware UTC; local midnight of `air_date` when not exact
    exact: bool = False
    air_date: dt.date | None = None  # the local date in the show's timezone


def require_aware(moment: dt.datetime, name: str = "datetime") -> dt.datetime:
    """Return `moment` in UTC, or raise ValueError if it is naive."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment!r}")
    return moment.astimezone(UTC)


def discord_timestamp(moment: dt.datetime, style: str = "F") -> str:
    """Format `moment` as a Discord timestamp such as `<t:1648026000:F>`, shown in each reader's zone."""
    if style not in TIMESTAMP_STYLES:
        raise ValueError(f"unknown Discord timestamp style {style!r}; use one of {''.join(sorted(TIMESTAMP_STYLES))}")
    unix = math.floor(require_aware(moment, "moment").timestamp())
    return f"<t:{unix}:{style}>"


def show_zone(show: Show) -> ZoneInfo:
    """Return the show's IANA timezone, raising ValueError for a name zoneinfo does not know."""
    try:
        return ZoneInfo(show.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"show {show.id} has an unknown timezone {show.timezone!r}") from exc


def local_to_utc(day: dt.date, wall: dt.time, zone: ZoneInfo) -> dt.datetime:
    """Convert a local wall-clock date and time in `zone` to UTC, reading gaps and folds with fold=0."""
    local = dt.datetime(
        day.year,
        day.month,
        day.day,
        wall.hour,
        wall.minute,
        wall.second,
        wall.microsecond,
        tzinfo=zone,
        fold=0,
    )
    return local.astimezone(UTC)


class Schedule:
    """Every episode of one show with its air moment; build it once to ask several questions cheaply.

    Generated episodes are computed arithmetically on demand, so a show with 150 episodes, or an open-ended
    one, costs no more to query than a 4-episode one.
    """

    __slots__ = (
        "_air_span",
        "_air_span_known",
        "_catalog",
        "_catalog_sorted",
        "_finale",
        "_gen_numbers",
        "_limit",
        "_offsets",
        "_per_slot",
        "_pin_final",
        "_premiere",
        "_shift_starts",
        "_shifts",
        "_time",
        "_zone",
        "show",
        "total",
    )

    def __init__(self, show: Show, episodes: Iterable[Episode] = ()) -> None:
        self.show = show
        self._zone = show_zone(show)
        if show.air_time is not None and show.air_time.tzinfo is not None:
            raise ValueError(f"show {show.id}: air_time is a local wall-clock time and must carry no tzinfo")
        if any(not 0 <= day <= 6 for day in show.air_days):
            raise ValueError(f"show {show.id}: air_days must be weekdays 0 (Mon) to 6 (Sun), got {show.air_days}")
        self._time = show.air_time.replace(fold=0) if show.air_time is not None else None
        self._premiere = show.premiere
        # A finale before the premiere is a data error; the premiere is the better-attested date.
        self._finale = show.finale if show.finale and (not show.premiere or show.finale >= show.premiere) else None
        self._catalog = self._catalog_episodes(episodes)
        self._catalog_sorted = sorted(self._catalog.values(), key=lambda ep: (ep.air_at, ep.number))
        self._offsets: tuple[int, ...] = ()
        self._per_slot = 1
        self._limit: int | None = 0  # generated episodes are numbered 1.._limit; None means open-ended
        self._gen_numbers: tuple[int, ...] = ()  # the sparse case: only these numbers are generated
        self._pin_final = False
        self._shift_starts = [1]
        self._shifts = [0]
        count = show.episode_count if show.episode_count and show.episode_count > 0 else None
        self._air_span: tuple[dt.datetime, dt.datetime | None] | None = None
        self._air_span_known = False
        self.total: int | None = count
        self._plan(count)
        if self.total is not None and self._catalog:
            self.total = max(self.total, max(self._catalog))

    # -- building ------------------------------------------------------------------------------------------

    def _catalog_episodes(self, episodes: Iterable[Episode]) -> dict[int, ScheduledEpisode]:
        rows: dict[int, ScheduledEpisode] = {}
        for row in episodes:
            if row.show_id != self.show.id:
                continue
            air_at = require_aware(row.air_at, f"episode {row.number} air_at")
            rows[row.number] = ScheduledEpisode(
                number=row.number,
                air_at=air_at,
                air_date=air_at.astimezone(self._zone).date(),
                time_known=True,
                aired_by=air_at,
                from_catalog=True,
                title=row.title,
            )
        return rows

    def _plan(self, count: int | None) -> None:
        premiere, finale = self._premiere, self._finale
        if premiere is None:
            return
        if not self.show.air_days:
            self._plan_sparse(count)
            return
        weekday = premiere.weekday()
        # Days after the premiere, within the next week, on which an air day falls (1..7).
        self._offsets = tuple(sorted({(day - weekday - 1) % 7 + 1 for day in self.show.air_days}))
        if count is not None and finale is not None:
            slots = self._slots_through(finale)
            finale_on_pattern = self._slot_date(slots) == finale
            if count <= slots + (0 if finale_on_pattern else 1):
                self._limit, self._pin_final = count, True
            elif finale_on_pattern and count % slots == 0:
                self._limit, self._per_slot = count, count // slots
            else:
                self._offsets = ()
                self._plan_sparse(count)
                return
        elif count is not None:
            self._limit = count
        elif finale is not None:
            slots = self._slots_through(finale)
            self._limit = slots + (0 if self._slot_date(slots) == finale else 1)
            self._pin_final = True
            self.total = self._limit  # without a stated count, the pattern run to the finale is the count
        elif self.show.status is Status.FINISHED:
            self._limit = 1  # it ended, but nothing says when: invent no episodes beyond the premiere
        else:
            self._limit = None
        self._plan_shifts()
        if self._pin_final:
            self._pin_final = self._pin_is_valid()

    def _plan_sparse(self, count: int | None) -> None:
        premiere, finale = self._premiere, self._finale
        assert premiere is not None
        if count is not None and count > 1 and finale is not None:
            self._gen_numbers = tuple(range(1, count + 1)) if finale == premiere else (1, count)
        else:
            self._gen_numbers = (1,)
        self._limit = len(self._gen_numbers)

    def _plan_shifts(self) -> None:
        """Record where catalog rows push the generated episodes after them to later air days."""
        for number in sorted(self._catalog):
            if number < 1:
                continue
            following = number + 1
            moved_day = self._catalog[number].air_date
            shares_slot = (following - 1) % self._per_slot != 0
            needed = self._first_slot_on_or_after(moved_day if shares_slot else moved_day + _ONE_DAY)
            shift = max(self._shifts[-1], needed - self._group(following))
            if shift != self._shifts[-1]:
                self._shift_starts.append(following)
                self._shifts.append(shift)

    def _pin_is_valid(self) -> bool:
        limit = self._limit
        if limit is None or limit < 2 or limit in self._catalog or self._finale is None:
            return False
        before = self._catalog.get(limit - 1)
        before_day = before.air_date if before else self._pattern_date(limit - 1)
        return self._finale > before_day

    # -- the weekly pattern, as arithmetic ----------------------------------------------------------------

    def _group(self, number: int) -> int:
        return (number - 1) // self._per_slot + 1

    def _slot_date(self, slot: int) -> dt.date:
        """The date of the slot-th air day: slot 1 is the premiere."""
        assert self._premiere is not None
        if slot <= 1:
            return self._premiere
        weeks, index = divmod(slot - 2, len(self._offsets))
        return self._premiere + dt.timedelta(days=7 * weeks + self._offsets[index])

    def _slots_through(self, day: dt.date) -> int:
        """How many slots fall on or before `day`."""
        assert self._premiere is not None
        if day < self._premiere:
            return 0
        weeks, rest = divmod((day - self._premiere).days, 7)
        return 1 + weeks * len(self._offsets) + bisect_right(self._offsets, rest)

    def _first_slot_on_or_after(self, day: dt.date) -> int:
        assert self._premiere is not None
        return 1 if day <= self._premiere else self._slots_through(day - _ONE_DAY) + 1

    def _pattern_date(self, number: int) -> dt.date:
        shift = self._shifts[bisect_right(self._shift_starts, number) - 1]
        return self._slot_date(self._group(number) + shift)

    def _generated_date(self, number: int) -> dt.date:
        assert self._premiere is not None
        if self._gen_numbers:
            return self._premiere if number == 1 else (self._finale or self._premiere)
        if self._pin_final and number == self._limit and self._finale is not None:
            return self._finale
        return self._pattern_date(number)

    def _generated(self, index: int) -> ScheduledEpisode:
        number = self._gen_numbers[index] if self._gen_numbers else index + 1
        day = self._generated_date(number)
        if self._time is None:
            air_at = local_to_utc(day, _MIDNIGHT, self._zone)
            aired_by = local_to_utc(day + _ONE_DAY, _MIDNIGHT, self._zone)
        else:
            air_at = aired_by = local_to_utc(day, self._time, self._zone)
        return ScheduledEpisode(
            number=number, air_at=air_at, air_date=day, time_known=self._time is not None, aired_by=aired_by
        )

    def _index_on_or_after(self, day: dt.date) -> int:
        """The first generated index whose local air date is on or after `day`."""
        if self._offsets and len(self._shifts) == 1:
            # The plain pattern inverts directly: index i airs in slot i // per_slot + 1.
            index = (self._first_slot_on_or_after(day) - 1) * self._per_slot
            if self._limit is None:
                return index
            if self._pin_final and self._finale is not None and self._finale >= day:
                return min(index, self._limit - 1)
            return min(index, self._limit)
        high = self._limit
        if high is None:
            # An episode is never earlier than its unshifted slot, so the group at the first slot on or after
            # `day` is a safe upper bound.
            high = (self._first_slot_on_or_after(day) - 1) * self._per_slot + 1
        low = 0
        while low < high:
            middle = (low + high) // 2
            number = self._gen_numbers[middle] if self._gen_numbers else middle + 1
            if self._generated_date(number) >= day:
                high = middle
            else:
                low = middle + 1
        return low

    def _first_generated_index(self, reached: Callable[[ScheduledEpisode], bool], target: dt.datetime) -> int:
        """The first generated index whose episode is `reached`, a predicate that turns true near `target`.

        Dates are cheap, so bisect on them to the few episodes within two local days of `target` (an episode
        two days either side is surely before or after it, whatever DST does), then on full episodes.
        """
        try:
            day = target.astimezone(self._zone).date()
        except OverflowError:  # within a day of datetime.min or datetime.max
            day = dt.date.max if target.year > 1 else dt.date.min
        margin = 2 * _ONE_DAY
        low = self._index_on_or_after(day - margin if day > dt.date.min + margin else dt.date.min)
        high = self._index_on_or_after(day + margin if day < dt.date.max - margin else dt.date.max)
        while low < high:
            middle = (low + high) // 2
            if reached(self._generated(middle)):
                high = middle
            else:
                low = middle + 1
        return low

    def _generated_from(self, index: int) -> Iterator[ScheduledEpisode]:
        """Generated episodes from `index` on, in time order, skipping numbers the catalog overrides."""
        while self._limit is None or index < self._limit:
            try:
                episode = self._generated(index)
            except OverflowError:  # an open-ended run stops at the end of the calendar, year 9999
                return
            index += 1
            if episode.number not in self._catalog:
                yield episode

    def _generated_before(self, index: int) -> Iterator[ScheduledEpisode]:
        """Generated episodes before `index`, latest first, skipping numbers the catalog overrides."""
        while index > 0:
            index -= 1
            episode = self._generated(index)
            if episode.number not in self._catalog:
                yield episode

    # -- questions -----------------------------------------------------------------------------------------

    @property
    def is_finite(self) -> bool:
        return self._limit is not None

    def episodes(self) -> Iterator[ScheduledEpisode]:
        """Yield every episode in air order (ties by number); endless for an open-ended schedule."""
        catalog = iter(self._catalog_sorted)
        pending = next(catalog, None)
        for generated in self._generated_from(0):
            while pending is not None and (pending.air_at, pending.number) <= (generated.air_at, generated.number):
                yield pending
                pending = next(catalog, None)
            yield generated
        while pending is not None:
            yield pending
            pending = next(catalog, None)

    def first_episode(self) -> ScheduledEpisode | None:
        """Return the earliest-airing episode, or None when nothing is dated."""
        candidates = [ep for ep in (next(self._generated_from(0), None), *self._catalog_sorted[:1]) if ep]
        return min(candidates, key=lambda ep: (ep.air_at, ep.number), default=None)

    def final_episode(self) -> ScheduledEpisode | None:
        """Return the show's last episode when its number and date are both known."""
        if self.total is None or self._limit is None:
            return None
        if self.total in self._catalog:
            return self._catalog[self.total]
        if self._gen_numbers:
            return self._generated(len(self._gen_numbers) - 1) if self._gen_numbers[-1] == self.total else None
        return self._generated(self.total - 1) if self.total <= self._limit else None

    def starts_at(self) -> dt.datetime | None:
        first = self.first_episode()
        return first.air_at if first else None

    def ends_at(self) -> dt.datetime | None:
        """Return the moment the run is over: the last episode aired, else the end of the finale day."""
        if self._limit is None:
            return None
        # Catalog rows may be out of time order with their numbers; the run ends when the last of them airs.
        latest = [ep.aired_by for ep in (self._last_generated(), *self._catalog_sorted) if ep]
        if self.final_episode() is None:
            if self._finale is None:
                return None
            latest.append(local_to_utc(self._finale + _ONE_DAY, _MIDNIGHT, self._zone))
        return max(latest)

    def _last_generated(self) -> ScheduledEpisode | None:
        if self._limit is None:
            return None
        return next(self._generated_before(self._limit), None)

    def status_at(self, now: dt.datetime) -> Status:
        """Return whether the show is upcoming, airing or finished at `now`; dates beat the stated status."""
        now = require_aware(now, "now")
        start, end = self.starts_at(), self.ends_at()
        stated = self.show.status
        if start is not None and now < start:
            return Status.UPCOMING
        if end is not None and now >= end:
            return Status.FINISHED
        if start is not None:
            return Status.FINISHED if end is None and stated is Status.FINISHED else Status.AIRING
        if end is not None:  # only a future finale is known: it has not finished, whatever was stated
            return stated if stated in (Status.UPCOMING, Status.AIRING) else Status.UNKNOWN
        return stated or Status.UNKNOWN

    def next_after(self, now: dt.datetime) -> ScheduledEpisode | None:
        """Return the first episode not yet aired at `now` (a date-only episode stays next all its day)."""
        now = require_aware(now, "now")
        index = self._first_generated_index(lambda ep: ep.aired_by > now, now)
        candidates = [ep for ep in self._catalog_sorted if ep.aired_by > now]
        generated = next(self._generated_from(index), None)
        if generated is not None:
            candidates.append(generated)
        return min(candidates, key=lambda ep: (ep.air_at, ep.number), default=None)

    def last_aired_at(self, now: dt.datetime) -> ScheduledEpisode | None:
        """Return the most recent episode that has aired by `now`."""
        now = require_aware(now, "now")
        index = self._first_generated_index(lambda ep: ep.aired_by > now, now)
        candidates = [ep for ep in self._catalog_sorted if ep.aired_by <= now]
        generated = next(self._generated_before(index), None)
        if generated is not None:
            candidates.append(generated)
        return max(candidates, key=lambda ep: (ep.air_at, ep.number), default=None)

    def air_span(self) -> tuple[dt.datetime, dt.datetime | None] | None:
        """Return the first and the last episode's air moments (the last None when open-ended), or None when
        nothing is dated. Planning asks every show about a short window: this answers most of them at once."""
        if not self._air_span_known:
            self._air_span_known = True
            first = self.first_episode()
            if first is None:
                self._air_span = None
            elif self._limit is None:
                self._air_span = (first.air_at, None)
            else:
                last = [ep.air_at for ep in (self._last_generated(), *self._catalog_sorted[-1:]) if ep]
                self._air_span = (first.air_at, max(last))
        return self._air_span

    def between(self, start: dt.datetime, end: dt.datetime) -> list[ScheduledEpisode]:
        """Return the episodes with start <= air_at < end, in air order."""
        start, end = require_aware(start, "start"), require_aware(end, "end")
        span = self.air_span()
        if end <= start or span is None or end <= span[0] or (span[1] is not None and start > span[1]):
            return []
        found = [ep for ep in self._catalog_sorted if start <= ep.air_at < end]
        index = self._first_generated_index(lambda ep: ep.air_at >= start, start)
        for episode in self._generated_from(index):
            if episode.air_at >= end:
                break
            found.append(episode)
        return sorted(found, key=lambda ep: (ep.air_at, ep.number))

    def countdown(self, now: dt.datetime) -> Countdown:
        """Describe what to tell a user at `now`: the premiere, the next episode, or that it has finished."""
        status = self.status_at(now)
        if status is Status.FINISHED:
            final = self.final_episode()
            if final is not None:
                return Countdown(
                    CountdownKind.FINISHED,
                    status,
                    final.number,
                    self.total,
                    final.air_at,
                    final.time_known,
                    final.air_date,
                )
            if self._finale is not None:
                return Countdown(
                    CountdownKind.FINISHED,
                    status,
                    self.total,
                    self.total,
                    local_to_utc(self._finale, _MIDNIGHT, self._zone),
                    False,
                    self._finale,
                )
            return Countdown(CountdownKind.FINISHED, status, total=self.total)
        upcoming = self.next_after(now)
        if upcoming is None:
            return Countdown(CountdownKind.UNKNOWN, status, total=self.total)
        kind = CountdownKind.PREMIERE if upcoming == self.first_episode() else CountdownKind.NEXT_EPISODE
        return Countdown(
            kind, status, upcoming.number, self.total, upcoming.air_at, upcoming.time_known, upcoming.air_date
        )


def build_schedule(show: Show, episodes: Iterable[Episode] = ()) -> Schedule:
    """Build the show's schedule from its catalog episode rows (rows of other shows are ignored)."""
    return Schedule(show, episodes)


def status_at(show: Show, episodes: Iterable[Episode], now: dt.datetime) -> Status:
    """Return the show's status at `now`."""
    return Schedule(show, episodes).status_at(now)


def next_episode_after(show: Show, episodes: Iterable[Episode], now: dt.datetime) -> ScheduledEpisode | None:
    """Return the first episode not yet aired at `now`, or None."""
    return Schedule(show, episodes).next_after(now)


def last_episode(show: Show, episodes: Iterable[Episode], now: dt.datetime) -> ScheduledEpisode | None:
    """Return the most recent episode aired by `now`, or None."""
    return Schedule(show, episodes).last_aired_at(now)


def final_episode(show: Show, episodes: Iterable[Episode]) -> ScheduledEpisode | None:
    """Return the show's last episode if its number and date are known."""
    return Schedule(show, episodes).final_episode()


def episodes_between(
    show: Show, episodes: Iterable[Episode], start: dt.datetime, end: dt.datetime
) -> list[ScheduledEpisode]:
    """Return the show's episodes airing in [start, end), in air order."""
    return Schedule(show, episodes).between(start, end)


def countdown(show: Show, episodes: Iterable[Episode], now: dt.datetime) -> Countdown:
    """Return what to tell a user about the show at `now`."""
    return Schedule(show, episodes).countdown(now)
