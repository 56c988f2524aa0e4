"""A per-user cooldown for questions, shared by /ask and @mentions: a few at once, then a short wait."""

from __future__ import annotations

import datetime as dt
import math
from collections import deque

from bot import schedule

QUESTIONS = 3  # a user may ask this many questions ...
PERIOD = dt.timedelta(seconds=10)  # ... in any window this long
MAX_ASKERS = 4096  # past this many users remembered, forget those whose window is over


class QuestionCooldown:
    """At most `questions` questions per user in any `period` (an exact sliding window), on the bot's clock."""

    def __init__(self, *, questions: int = QUESTIONS, period: dt.timedelta = PERIOD) -> None:
        if questions < 1 or period <= dt.timedelta(0):
            raise ValueError("a cooldown needs at least one question per positive period")
        self.questions = questions
        self.period = period
        self._asked: dict[int, deque[dt.datetime]] = {}

    def wait(self, user_id: int, now: dt.datetime) -> float:
        """Count a question by `user_id` at `now` and return 0, or return the seconds until one more fits."""
        schedule.require_aware(now, "now")
        asked = self._asked.get(user_id)
        if asked is None:
            if len(self._asked) >= MAX_ASKERS:
                self._forget_idle(now)
            asked = self._asked[user_id] = deque()
        while asked and now - asked[0] >= self.period:
            asked.popleft()
        if len(asked) >= self.questions:
            return max((asked[0] + self.period - now).total_seconds(), 0.001)
        asked.append(now)
        return 0.0

    def _forget_idle(self, now: dt.datetime) -> None:
        self._asked = {user: asked for user, asked in self._asked.items() if asked and now - asked[-1] < self.period}


def slow_down(seconds: float) -> str:
    """The polite sentence for a user who asked too often: how long to wait, in whole seconds."""
    wait = max(1, math.ceil(seconds))
    unit = "second" if wait == 1 else "seconds"
    return f"You are asking faster than I can look things up; please wait {wait} {unit} and ask again."
