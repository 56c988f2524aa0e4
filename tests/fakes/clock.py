"""A bot clock that stands still while a test sets things up, then runs fast: scheduled moments without waiting.

    clock = HeldClock(6.0)
    air_at = clock.now() + clock.lead(0.5)      # half a real second after the release
    async with start_dramabot(clock=clock):
        ...                                     # start, set up, turn things on: the bot's time does not move
        clock.release()                         # from here it runs 6× the wall clock
        await fake.wait_for_message(...)        # the announcement, about 0.5 s later

However slow the machine, setting up never eats into the lead, so the lead can be short. A sleep that began while
the clock stood still ends early, and the bot looks at the clock again, as it does after any early wake-up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

from bot.clock import ScaledClock


@dataclasses.dataclass(frozen=True, slots=True)
class HeldClock(ScaledClock):
    """The bot's time reads `wall_origin` until `release()`, then runs `speed` times faster than the wall clock."""

    released: list[float] = dataclasses.field(default_factory=list)  # the monotonic moment of the release

    def release(self) -> None:
        """Let the bot's time run from here."""
        if not self.released:
            self.released.append(time.monotonic())

    def lead(self, real_seconds: float) -> dt.timedelta:
        """The bot's time that passes in `real_seconds` of the wall clock once released."""
        return dt.timedelta(seconds=real_seconds * self.speed)

    def now(self) -> dt.datetime:
        if not self.released:
            return self.wall_origin
        return self.wall_origin + dt.timedelta(seconds=(time.monotonic() - self.released[0]) * self.speed)
