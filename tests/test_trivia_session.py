"""Tests of bot/trivia/session.py and texts.py: a game played with a fake clock, and the repository's trivia tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot import db
from bot.errors import InvalidInput
from bot.models import Standing
from bot.store import Repository
from bot.trivia import (
    AnswerOutcome,
    EndReason,
    GameOptions,
    Question,
    QuestionKind,
    TriviaSession,
    ending_text,
    option_label,
    period_start,
    points_for,
    reveal_text,
)

ALICE, BORA, CHUL = 1, 2, 3


def question(number: int, answer: int = 0) -> Question:
    options = tuple(f"Option {number}{letter}" for letter in "abcd")
    return Question(QuestionKind.PREMIERE_YEAR, f"Question {number}?", options, answer, 1, None, "medium")


def game(rounds: int = 3, *, seconds: float = 20, starter: int = ALICE) -> TriviaSession:
    return TriviaSession([question(n, answer=n % 4) for n in range(1, rounds + 1)], starter_id=starter, seconds=seconds)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def test_a_round_closes_when_every_player_has_answered() -> None:
    clock = Clock()
    session = game()
    session.open_round(clock())
    # Bora joins by answering; Alice started the game, so the round waits for her.
    assert session.answer(BORA, 1, 1, clock.advance(2)) is AnswerOutcome.ACCEPTED
    assert not session.should_close(clock())
    assert session.answer(ALICE, 1, 0, clock.advance(3)) is AnswerOutcome.ACCEPTED
    assert session.should_close(clock())
    result = session.close_round(clock())
    assert not result.timed_out
    assert [a.user_id for a in result.winners] == [BORA]
    assert session.players == [ALICE, BORA]


def test_one_answer_per_player_per_round() -> None:
    clock = Clock()
    session = game()
    session.open_round(clock())
    assert session.answer(BORA, 1, 1, clock.advance(1)) is AnswerOutcome.ACCEPTED
    assert session.answer(BORA, 1, 2, clock.advance(1)) is AnswerOutcome.ALREADY_ANSWERED
    answer = session.answered(BORA)
    assert answer is not None and answer.option == 1 and answer.correct  # the first click stands
    result = session.close_round(clock.advance(20))
    assert len(result.answers) == 1


def test_a_round_closes_at_its_time_limit_and_late_clicks_do_not_count() -> None:
    clock = Clock()
    session = game(seconds=10)
    session.open_round(clock())
    assert session.answer(BORA, 1, 1, clock.advance(4)) is AnswerOutcome.ACCEPTED
    assert not session.should_close(clock.advance(5.9))
    assert session.should_close(clock.advance(0.1))
    assert session.answer(CHUL, 1, 1, clock.advance(0.5)) is AnswerOutcome.ROUND_CLOSED
    result = session.close_round(clock())
    assert result.timed_out
    assert session.answer(ALICE, 1, 1, clock()) is AnswerOutcome.ROUND_CLOSED


def test_a_button_of_another_round_is_refused() -> None:
    clock = Clock()
    session = game()
    session.open_round(clock())
    session.close_round(clock.advance(20))
    session.open_round(clock.advance(3))
    assert session.answer(BORA, 1, 1, clock.advance(1)) is AnswerOutcome.ROUND_CLOSED
    assert session.answer(BORA, 2, 1, clock()) is AnswerOutcome.ACCEPTED


def test_points_reward_speed() -> None:
    clock = Clock()
    session = game(seconds=20)
    session.open_round(clock())
    session.answer(BORA, 1, 1, clock.advance(2))  # right, fast
    session.answer(CHUL, 1, 1, clock.advance(12))  # right, slow
    session.answer(ALICE, 1, 0, clock.advance(1))  # wrong
    result = session.close_round(clock())
    points = {a.user_id: a.points for a in result.answers}
    assert points[BORA] == points_for(True, 2, 20) == 145
    assert points[CHUL] == points_for(True, 14, 20) == 115
    assert points[ALICE] == 0
    assert [a.user_id for a in result.winners] == [BORA, CHUL]


def test_three_silent_rounds_in_a_row_end_the_game() -> None:
    clock = Clock()
    session = game(rounds=10)
    for number in range(1, 4):
        session.open_round(clock.advance(3))
        if number == 1:
            session.answer(BORA, 1, 0, clock.advance(1))
        session.close_round(clock.advance(20))
    assert not session.is_over  # round 1 had an answer: only two silent rounds so far
    session.open_round(clock.advance(3))
    session.close_round(clock.advance(20))
    assert session.is_over and session.end_reason is EndReason.IDLE
    assert "nobody answered for 3 rounds" in ending_text(session)
    with pytest.raises(RuntimeError):
        session.open_round(clock())


def test_the_game_ends_after_its_last_round_with_final_scores() -> None:
    clock = Clock()
    session = game(rounds=2)
    for number in (1, 2):
        session.open_round(clock.advance(3))
        right = session.question.answer
        session.answer(BORA, number, right, clock.advance(5))
        session.answer(ALICE, number, (right + 1) % 4 if number == 1 else right, clock.advance(5))
        session.close_round(clock())
    assert session.end_reason is EndReason.FINISHED
    standings = session.standings()
    assert [s.user_id for s in standings] == [BORA, ALICE]
    assert standings[0] == Standing(BORA, 2 * points_for(True, 5, 20), 2, 2)
    assert standings[1].correct == 1 and standings[1].answered == 2
    text = ending_text(session)
    assert text.startswith("Trivia over after 2 rounds.")
    assert f"1. <@{BORA}>: {standings[0].points} points (2/2 right)" in text


def test_stop_drops_the_open_round_and_keeps_earlier_scores() -> None:
    clock = Clock()
    session = game(rounds=5)
    session.open_round(clock())
    session.answer(ALICE, 1, session.question.answer, clock.advance(1))
    session.close_round(clock())
    session.open_round(clock.advance(3))
    session.answer(BORA, 2, session.question.answer, clock.advance(1))
    session.stop(EndReason.STOPPED, by=CHUL)
    assert session.is_over and not session.is_open
    assert [s.user_id for s in session.scored_standings()] == [ALICE]  # Bora's answer in the dropped round
    assert session.answer(BORA, 2, 0, clock()) is AnswerOutcome.ROUND_CLOSED
    assert ending_text(session).startswith(f"Trivia stopped by <@{CHUL}> after 1 round.")
    session.stop(EndReason.RESTART)  # a second stop changes nothing
    assert session.end_reason is EndReason.STOPPED


def test_a_game_nobody_played_says_so() -> None:
    session = game()
    session.stop(EndReason.RESTART)
    assert session.scored_standings() == []
    assert "ended by a restart" in ending_text(session) and "No points were scored." in ending_text(session)


def test_reveal_names_the_answer_the_winners_and_the_missed() -> None:
    clock = Clock()
    session = game()
    session.open_round(clock())  # the answer is option 1 (B)
    session.answer(BORA, 1, 1, clock.advance(1))
    session.answer(ALICE, 1, 3, clock.advance(1))
    text = reveal_text(session.close_round(clock.advance(30)))
    assert text.splitlines()[0] == "**Answer: B) Option 1b**"
    assert f"Got it: <@{BORA}> (+148)" in text
    assert f"Missed: <@{ALICE}> (D)" in text
    assert "Time's up." not in text  # everyone who joined answered


def test_options_are_checked() -> None:
    assert GameOptions() == GameOptions(5, 20, "medium", None)
    for bad in ({"seconds": 9}, {"seconds": 61}, {"rounds": 0}, {"rounds": 21}, {"difficulty": "brutal"}):
        with pytest.raises(InvalidInput):
            GameOptions(**bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        TriviaSession([], starter_id=ALICE)
    assert len(option_label(0, "x" * 200)) == 80


def test_periods_start_on_the_first_of_the_month_and_on_mondays() -> None:
    now = dt.datetime(2026, 11, 25, 21, 30, tzinfo=dt.UTC)  # a Wednesday
    assert period_start("all", now) is None
    assert period_start("month", now) == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    assert period_start("week", now) == dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    seoul = dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))  # still 30 Nov in UTC
    assert period_start("month", seoul) == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with pytest.raises(InvalidInput):
        period_start("year", now)


# -- the repository's trivia tables ---------------------------------------------------------------------------


async def test_scores_persist_per_server_with_periods(tmp_path: Path) -> None:
    moments = iter(
        [
            dt.datetime(2026, 10, 30, 12, tzinfo=dt.UTC),  # game 1 starts (October)
            dt.datetime(2026, 10, 30, 12, 5, tzinfo=dt.UTC),  # game 1 ends
            dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC),  # game 2 starts (this week)
            dt.datetime(2026, 11, 24, 12, 5, tzinfo=dt.UTC),  # game 2 ends
            dt.datetime(2026, 11, 24, 12, 6, tzinfo=dt.UTC),  # game 2 is ended again: nothing changes
            dt.datetime(2026, 11, 24, 13, tzinfo=dt.UTC),  # game 3 starts, another server
            dt.datetime(2026, 11, 24, 13, 1, tzinfo=dt.UTC),  # game 3 saves its first round's scores
            dt.datetime(2026, 11, 25, 8, tzinfo=dt.UTC),  # game 3, cut short by a crash, is ended at the next start
        ]
    )
    connection = await db.connect(tmp_path / "trivia.sqlite3")
    await db.migrate(connection)
    repository = Repository(connection, clock=lambda: next(moments))
    try:
        common = {"starter_id": ALICE, "rounds": 3, "seconds": 20, "difficulty": "medium", "show_id": None}
        first = await repository.start_trivia_game(guild_id=10, channel_id=100, **common)
        assert await repository.end_trivia_game(
            first, "finished", [Standing(ALICE, 300, 2, 3), Standing(BORA, 100, 1, 3)]
        )
        second = await repository.start_trivia_game(guild_id=10, channel_id=100, **common)
        assert await repository.end_trivia_game(second, "finished", [Standing(BORA, 250, 2, 2)])
        assert not await repository.end_trivia_game(second, "restart", [Standing(BORA, 999, 9, 9)])  # once only
        third = await repository.start_trivia_game(guild_id=20, channel_id=200, **common)
        await repository.save_trivia_scores(third, [Standing(CHUL, 120, 1, 1)])
        running = await repository.running_trivia_games()
        assert [(game.id, game.guild_id, game.channel_id) for game in running] == [(third, 20, 200)]
        assert await repository.end_trivia_game(third, "restart")  # the saved rounds' scores stay
        assert await repository.running_trivia_games() == []

        everything = await repository.trivia_leaderboard(10)
        assert [(e.rank, e.user_id, e.points, e.games) for e in everything] == [(1, BORA, 350, 2), (2, ALICE, 300, 1)]
        week = await repository.trivia_leaderboard(
            10, since=period_start("week", dt.datetime(2026, 11, 25, tzinfo=dt.UTC))
        )
        assert [(e.user_id, e.points) for e in week] == [(BORA, 250)]
        assert [(e.user_id, e.points) for e in await repository.trivia_leaderboard(20)] == [(CHUL, 120)]

        stats = await repository.trivia_player_stats(10, ALICE)
        assert stats is not None
        assert (stats.games, stats.points, stats.correct, stats.answered, stats.best_game, stats.rank) == (
            1,
            300,
            2,
            3,
            300,
            2,
        )
        assert stats.last_played == dt.datetime(2026, 10, 30, 12, 5, tzinfo=dt.UTC)
        assert await repository.trivia_player_stats(20, ALICE) is None
    finally:
        await repository.close()
