"""The bot's sense of time: the wall clock, or one that runs faster for demos (`dramabot console --clock-speed`)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time


@dataclasses.dataclass(frozen=True, slots=True)
class ScaledClock:
    """Time that runs `speed` times faster than the wall clock from the moment it was made (speed 1: real time).

    Scheduled work (the announcer) reads the time and sleeps through this clock, so in a demo scheduled moments
    arrive `speed` times sooner. Trivia rounds do not: people answer in real seconds.
    """

    speed: float = 1.0
    wall_origin: dt.datetime = dataclasses.field(default_factory=lambda: dt.datetime.now(dt.UTC))
    monotonic_origin: float = dataclasses.field(default_factory=time.monotonic)

    def now(self) -> dt.datetime:
        """The bot's current time, timezone-aware UTC."""
        if self.speed == 1.0:
            return dt.datetime.now(dt.UTC)
        return self.wall_origin + dt.timedelta(seconds=(time.monotonic() - self.monotonic_origin) * self.speed)

    def real_seconds(self, seconds: float) -> float:
        """How long `seconds` of the bot's time last on the wall clock."""
        return seconds / self.speed

    async def sleep_until(self, moment: dt.datetime) -> None:
        """Sleep until the bot's clock reaches `moment`."""
        await self.sleep((moment - self.now()).total_seconds())

    async def sleep(self, seconds: float) -> None:
        """Sleep `seconds` of the bot's time."""
        if seconds > 0:
            await asyncio.sleep(self.real_seconds(seconds))


SYSTEM_CLOCK = ScaledClock()
