"""One trivia game's rules as a state machine: rounds, answers, closing, scores (pure; time is passed in).

The cog owns the clock and the waiting; this module only decides, and bot/trivia/texts.py puts it in words.
Every method that depends on time takes `now`, a number of seconds on any monotonic scale, so tests drive a
game with a fake clock.

A game's players are its starter and everyone who has answered once; a round closes at its time limit, or
as soon as every player has answered it. Three rounds in a row without any answer end the game.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.errors import InvalidInput
from bot.models import Standing
from bot.trivia.rules import DIFFICULTIES, OPTIONS, Question, points_for

DEFAULT_ROUNDS = 5
MAX_ROUNDS = 20
DEFAULT_SECONDS = 20
MIN_SECONDS = 10
MAX_SECONDS = 60
IDLE_ROUNDS_LIMIT = 3
PERIODS = ("all", "month", "week")


class EndReason(StrEnum):
    FINISHED = "finished"  # every round was played
    IDLE = "idle"  # nobody answered for IDLE_ROUNDS_LIMIT rounds in a row
    STOPPED = "stopped"  # /trivia stop
    RESTART = "restart"  # the bot shut down or restarted mid-game
    ERROR = "error"  # the game's task failed


class AnswerOutcome(StrEnum):
    ACCEPTED = "accepted"
    ALREADY_ANSWERED = "already_answered"
    ROUND_CLOSED = "round_closed"  # a button of an earlier round, or the game is over


@dataclass(frozen=True, slots=True)
class GameOptions:
    """What /trivia start asked for, checked."""

    rounds: int = DEFAULT_ROUNDS
    seconds: int = DEFAULT_SECONDS
    difficulty: str = "medium"
    show_id: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.rounds <= MAX_ROUNDS:
            raise InvalidInput(f"A game has 1 to {MAX_ROUNDS} rounds.")
        if not MIN_SECONDS <= self.seconds <= MAX_SECONDS:
            raise InvalidInput(f"A round lasts {MIN_SECONDS} to {MAX_SECONDS} seconds.")
        if self.difficulty not in DIFFICULTIES:
            raise InvalidInput("Difficulty must be easy, medium or hard.")


@dataclass(frozen=True, slots=True)
class Answer:
    user_id: int
    option: int
    elapsed: float  # seconds after the round opened
    correct: bool
    points: int


@dataclass(frozen=True, slots=True)
class RoundResult:
    """How a round went, for the reveal: the question, each answer in the order given, why it closed."""

    number: int
    question: Question
    answers: tuple[Answer, ...]
    timed_out: bool  # closed by the clock, not because every player had answered

    @property
    def winners(self) -> tuple[Answer, ...]:
        """The right answers, fastest first."""
        return tuple(answer for answer in self.answers if answer.correct)


class TriviaSession:
    """A game in one channel: open a round, take answers, close it, repeat; then read the standings."""

    def __init__(
        self,
        questions: Sequence[Question],
        *,
        starter_id: int,
        seconds: float = DEFAULT_SECONDS,
        idle_limit: int = IDLE_ROUNDS_LIMIT,
    ) -> None:
        if not questions:
            raise InvalidInput("A game needs at least one question.")
        if any(len(question.options) != OPTIONS for question in questions):
            raise ValueError("every question needs four options")
        self.questions = tuple(questions)
        self.starter_id = starter_id
        self.seconds = seconds
        self.idle_limit = idle_limit
        self.players: list[int] = [starter_id]  # in order of joining
        self.results: list[RoundResult] = []
        self.end_reason: EndReason | None = None
        self.ended_by: int | None = None
        self._round = 0  # 1-based number of the round open or last closed; 0 before the first
        self._open = False
        self._opened_at = 0.0
        self._answers: dict[int, Answer] = {}
        self._idle = 0

    # -- state -------------------------------------------------------------------------------------------

    @property
    def round_number(self) -> int:
        return self._round

    @property
    def total_rounds(self) -> int:
        return len(self.questions)

    @property
    def is_open(self) -> bool:
        return self._open

    @property
    def is_over(self) -> bool:
        return self.end_reason is not None

    @property
    def question(self) -> Question:
        """The question of the round open now (or last closed)."""
        if self._round == 0:
            raise RuntimeError("no round has been opened yet")
        return self.questions[self._round - 1]

    @property
    def deadline(self) -> float:
        """When the open round closes by the clock."""
        return self._opened_at + self.seconds

    @property
    def everyone_answered(self) -> bool:
        return self._open and all(player in self._answers for player in self.players)

    def answered(self, user_id: int) -> Answer | None:
        """The answer `user_id` gave in the open round, if any."""
        return self._answers.get(user_id) if self._open else None

    # -- playing -------------------------------------------------------------------------------------------

    def open_round(self, now: float) -> Question:
        """Start the next round and return its question."""
        if self.is_over:
            raise RuntimeError("the game is over")
        if self._open:
            raise RuntimeError("close the open round first")
        if self._round >= len(self.questions):
            raise RuntimeError("no rounds left")
        self._round += 1
        self._open = True
        self._opened_at = now
        self._answers = {}
        return self.question

    def answer(self, user_id: int, round_number: int, option: int, now: float) -> AnswerOutcome:
        """Take a player's click on `option` of round `round_number`; the first answer per round counts."""
        if not self._open or round_number != self._round or self.is_over:
            return AnswerOutcome.ROUND_CLOSED
        if user_id in self._answers:
            return AnswerOutcome.ALREADY_ANSWERED
        if not 0 <= option < OPTIONS:
            raise InvalidInput("That is not one of the four options.")
        elapsed = max(now - self._opened_at, 0.0)
        if elapsed > self.seconds:
            return AnswerOutcome.ROUND_CLOSED  # the click lost the race with the clock
        correct = option == self.question.answer
        self._answers[user_id] = Answer(user_id, option, elapsed, correct, points_for(correct, elapsed, self.seconds))
        if user_id not in self.players:
            self.players.append(user_id)
        return AnswerOutcome.ACCEPTED

    def should_close(self, now: float) -> bool:
        """Whether the open round is due to close: time is up, or every player has answered."""
        return self._open and (now >= self.deadline or self.everyone_answered)

    def close_round(self, now: float) -> RoundResult:
        """Close the open round; end the game after the last round or too many rounds without an answer."""
        if not self._open:
            raise RuntimeError("no round is open")
        result = RoundResult(
            self._round,
            self.question,
            tuple(sorted(self._answers.values(), key=lambda answer: answer.elapsed)),
            timed_out=not self.everyone_answered,
        )
        self._open = False
        self.results.append(result)
        self._idle = 0 if result.answers else self._idle + 1
        if self._idle >= self.idle_limit:
            self.end_reason = EndReason.IDLE
        elif self._round >= len(self.questions):
            self.end_reason = EndReason.FINISHED
        return result

    def stop(self, reason: EndReason, by: int | None = None) -> None:
        """End the game early; a round still open is dropped, its answers unscored."""
        if self.is_over:
            return
        self._open = False
        self._answers = {}
        self.end_reason = reason
        self.ended_by = by

    # -- scores ------------------------------------------------------------------------------------------

    def standings(self) -> list[Standing]:
        """Every player's total over the closed rounds, best first (ties: more correct, then who joined first)."""
        points = {player: 0 for player in self.players}
        correct = dict.fromkeys(self.players, 0)
        answered = dict.fromkeys(self.players, 0)
        for result in self.results:
            for answer in result.answers:
                points[answer.user_id] += answer.points
                correct[answer.user_id] += answer.correct
                answered[answer.user_id] += 1
        order = {player: index for index, player in enumerate(self.players)}
        table = [Standing(player, points[player], correct[player], answered[player]) for player in self.players]
        table.sort(key=lambda s: (-s.points, -s.correct, order[s.user_id]))
        return table

    def scored_standings(self) -> list[Standing]:
        """The standings of those who answered at least once: what is saved to the server's scores."""
        return [standing for standing in self.standings() if standing.answered]


# -- periods -----------------------------------------------------------------------------------------------


def period_start(period: str, now: dt.datetime) -> dt.datetime | None:
    """The first moment (UTC) of "month" or "week" (weeks start on Monday) holding `now`; None for "all"."""
    if now.tzinfo is None:
        raise ValueError("pass an aware datetime")
    if period not in PERIODS:
        raise InvalidInput("The period must be all, month or week.")
    if period == "all":
        return None
    today = now.astimezone(dt.UTC).date()
    first = today.replace(day=1) if period == "month" else today - dt.timedelta(days=today.weekday())
    return dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
