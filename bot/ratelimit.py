"""Keep a published rate limit ourselves rather than discover it from 429s: exact sliding windows.

A token bucket of capacity C refilled at R per second lets C + R * period calls through in one window, more
than a published "20 calls per 10 seconds"; a sliding window over the calls never does. Two limiters share
the window: `RateLimiter` for the catalog's sources (a call counts from when it is granted) and
`ChannelRateLimiter` for Discord messages (a request counts while in flight too, globally and per channel).
The clock and `sleep` are injectable so tests run on virtual time.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]

IN_FLIGHT_POLL = 0.01  # when only requests in flight block a window, look again this soon
MAX_IDLE_CHANNELS = 4096  # past this many channels, forget the idle ones


class SlidingWindow:
    """At most `limit` requests in any `period` seconds, however long each one takes to come back.

    A request counts from when it starts until `period` after its answer came back: Discord counts it at some
    moment in between, so no window of Discord's can hold more than `limit` (exact, unlike a token bucket).
    """

    __slots__ = ("_done", "in_flight", "limit", "period")

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._done: deque[float] = deque()
        self.in_flight = 0

    def delay(self, now: float) -> float:
        """Return the seconds until one more request fits (a short poll when only requests in flight block it)."""
        done = self._done
        while done and now - done[0] >= self.period:
            done.popleft()
        if len(done) + self.in_flight < self.limit:
            return 0.0
        return done[0] + self.period - now if done else IN_FLIGHT_POLL

    def start(self) -> None:
        """Count one more request in flight."""
        self.in_flight += 1

    def finish(self, now: float) -> None:
        """Count a request in flight as answered at `now`: it keeps counting for one period."""
        self.in_flight -= 1
        self._done.append(now)

    def take(self, now: float) -> None:
        """Count a request that starts and is over at `now` (a grant, for limits counted per call)."""
        self._done.append(now)

    def busy(self, now: float) -> bool:
        """Return whether any request still counts at `now`."""
        return self.in_flight > 0 or (bool(self._done) and now - self._done[-1] < self.period)


class RateLimiter:
    """Allow at most `calls` requests in any `period` seconds, counted from when each was granted."""

    def __init__(
        self, calls: int, period: float, *, clock: Monotonic = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        if calls < 1 or period <= 0:
            raise ValueError("a rate limit needs at least one call per positive period")
        self.calls = calls
        self.period = period
        self._window = SlidingWindow(calls, period)
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()  # callers are served in turn, so none waits forever behind the others

    async def acquire(self) -> None:
        """Wait until one more call fits in the window, and take it."""
        async with self._lock:
            while True:
                now = self._clock()
                wait = self._window.delay(now)
                if wait <= 0:
                    self._window.take(now)
                    return
                await self._sleep(wait)


class ChannelRateLimiter:
    """Discord's global limit and its per-channel message limit, kept by the sender rather than discovered."""

    def __init__(
        self,
        *,
        per_second: int = 45,
        per_channel: int = 5,
        channel_period: float = 5.0,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._global = SlidingWindow(per_second, 1.0)
        self._per_channel = per_channel
        self._channel_period = channel_period
        self._channels: dict[int, SlidingWindow] = {}
        self._monotonic = monotonic
        self._sleep = sleep

    def _channel(self, channel_id: int) -> SlidingWindow:
        window = self._channels.get(channel_id)
        if window is None:
            if len(self._channels) > MAX_IDLE_CHANNELS:
                now = self._monotonic()
                self._channels = {k: w for k, w in self._channels.items() if w.busy(now)}
            window = self._channels[channel_id] = SlidingWindow(self._per_channel, self._channel_period)
        return window

    async def wait_for_channel(self, channel_id: int) -> None:
        """Wait until the channel has room (the caller is its only sender, so the room stays)."""
        window = self._channel(channel_id)
        while (wait := window.delay(self._monotonic())) > 0:
            await self._sleep(wait)

    async def acquire(self, channel_id: int) -> None:
        """Wait for room in the channel and globally, then count one request in flight in both."""
        window = self._channel(channel_id)
        while True:
            now = self._monotonic()
            wait = max(window.delay(now), self._global.delay(now))
            if wait <= 0:
                window.start()
                self._global.start()
                return
            await self._sleep(wait)

    def release(self, channel_id: int) -> None:
        """Count the channel's request as answered (or failed): it counts for one more period from now."""
        now = self._monotonic()
        self._channel(channel_id).finish(now)
        self._global.finish(now)

    async def acquire_global(self) -> None:
        """Wait for room under the global limit only (a read, which no channel's message limit counts)."""
        while (wait := self._global.delay(self._monotonic())) > 0:
            await self._sleep(wait)
        self._global.start()

    def release_global(self) -> None:
        """Count a request started with `acquire_global` as answered."""
        self._global.finish(self._monotonic())
