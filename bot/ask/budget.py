"""How much work one question may cause: a fixed number of name lookups and a time budget.

A question is split and trimmed many ways ("who is the actor of ab in ab in ab ..." can be cut at every "in"),
and each candidate span costs a search. Real questions need at most 8 lookups (tests/data/ask_questions.tsv and
the held-out tables); a question that needs more than `MAX_LOOKUPS`, or runs past `MAX_SECONDS`, is declined
in one sentence instead of searched to the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.errors import InvalidInput

MAX_LOOKUPS = 24  # three times what the most tangled real question needs
MAX_SECONDS = 0.25  # of the asking thread's own CPU time; a question at the lookup cap takes 30 ms at most
TOO_TANGLED = (
    "That question names too many things for me to check at once; "
    "ask about one drama or person, for example “who directed Signal?”."
)


class OverBudget(InvalidInput):
    """The question needs more lookups, or more time, than one question may take."""


class Budget:
    """Count a question's lookups and watch its clock; `spend` refuses once either runs out.

    The clock is the CPU time of the thread that made the budget, which must also spend it: on a busy machine a
    plain question waits longer for a core, and that wait is not its cost.
    """

    __slots__ = ("_clock", "deadline", "lookups_left")

    def __init__(
        self,
        *,
        lookups: int = MAX_LOOKUPS,
        seconds: float = MAX_SECONDS,
        clock: Callable[[], float] = time.thread_time,
    ) -> None:
        self._clock = clock
        self.lookups_left = lookups
        self.deadline = clock() + seconds

    def spend(self) -> None:
        """Take one lookup, or raise OverBudget when none is left or the time is up."""
        self.lookups_left -= 1
        if self.lookups_left < 0 or self._clock() > self.deadline:
            raise OverBudget(TOO_TANGLED)
