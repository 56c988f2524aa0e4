"""Which shows may air in a window, found without asking every show's schedule each time.

Planning announcements, /upcoming and /announce status ask about a few days at a time, and in a big catalog
nearly every show ended long before (or begins long after). Each show's air span, from its first episode to its
last (no end for an open-ended run), is kept until the show changes; a window's shows are those whose span meets
it. Spans that ended well before the earliest window asked about are set aside, so a question costs about the
number of shows airing around then, not the catalog's size. A window older than that is answered from every
span, as before.

The spans of a whole catalog are worked out once, in a thread (`warm`): at 100,000 shows that is seconds of
building schedules, which the event loop must not wait for.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterable, Mapping

from bot.models import Show
from bot.schedule import Schedule

Span = tuple[dt.datetime, dt.datetime | None]  # first and last air moment; None: no known end

SET_ASIDE = dt.timedelta(days=60)  # a span that ended this long before the earliest window asked is set aside


def meets(span: Span | None, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether a show with this span may air in [start, end)."""
    return span is not None and span[0] < end and (span[1] is None or span[1] >= start)


class AiringIndex:
    """Air spans by show, kept in step by `forget` (the catalog calls it for every show it replaces)."""

    def __init__(self, schedule_of: Callable[[Show], Schedule | None]) -> None:
        self._schedule_of = schedule_of
        self._spans: dict[int, tuple[Show, Span | None]] = {}
        self._recent: dict[int, tuple[Show, Span | None]] = {}  # the spans not set aside
        self._horizon: dt.datetime | None = None  # spans that ended before this are set aside

    def forget(self, show_id: int) -> None:
        self._spans.pop(show_id, None)
        self._recent.pop(show_id, None)

    def shows_between(self, shows: Mapping[int, Show], start: dt.datetime, end: dt.datetime) -> list[Show]:
        """The shows of `shows` that may air in [start, end) (each one's schedule says exactly what airs)."""
        if len(self._spans) != len(shows):
            self._learn(self._span_of(show) for show in self._unknown(shows))
        if self._horizon is None or start < self._horizon or start - self._horizon > 2 * SET_ASIDE:
            self._set_aside(start - SET_ASIDE)
        return [show for show, span in self._recent.values() if meets(span, start, end)]

    async def warm(self, shows: Mapping[int, Show]) -> None:
        """Work out the spans not yet known in a thread; what a refresh replaced meanwhile is left unknown."""
        unknown = self._unknown(shows)
        if unknown:
            self._learn(await asyncio.to_thread(lambda: [self._span_of(show) for show in unknown]), shows)

    def _unknown(self, shows: Mapping[int, Show]) -> list[Show]:
        return [show for show_id, show in shows.items() if show_id not in self._spans]

    def _span_of(self, show: Show) -> tuple[Show, Span | None]:
        schedule = self._schedule_of(show)
        return show, schedule.air_span() if schedule is not None else None

    def _learn(self, spans: Iterable[tuple[Show, Span | None]], shows: Mapping[int, Show] | None = None) -> None:
        horizon = self._horizon
        for show, span in spans:
            if shows is not None and shows.get(show.id) is not show:
                continue  # refreshed while the thread worked: its new version is worked out when asked
            self._spans[show.id] = (show, span)
            if _recent(span, horizon):
                self._recent[show.id] = (show, span)

    def _set_aside(self, horizon: dt.datetime) -> None:
        self._horizon = horizon
        self._recent = {show_id: entry for show_id, entry in self._spans.items() if _recent(entry[1], horizon)}


def _recent(span: Span | None, horizon: dt.datetime | None) -> bool:
    """Whether a span is kept at hand: it may air, and did not end before `horizon`."""
    return span is not None and (horizon is None or span[1] is None or span[1] >= horizon)
