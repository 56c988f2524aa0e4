"""What trivia says to players: questions, reveals, endings, leaderboards and stats, as text and cards (pure).

Mentions and Discord timestamps are written out here; the cog only posts what these functions return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from bot import limits
from bot.cards import Card, Field
from bot.models import LeaderboardEntry, PlayerStats, Show, Standing
from bot.schedule import discord_timestamp
from bot.trivia.rules import LETTERS
from bot.trivia.session import AnswerOutcome, EndReason, RoundResult, TriviaSession

BUTTON_LABEL_LIMIT = limits.LABEL  # Discord cuts a button's label at 80 characters
GAME_OVER = "That trivia game is over; /trivia start begins a new one."
STOPPING = "Stopping the game; the final scores follow."
INTERRUPTED = "The trivia game in this channel was ended by a restart of the bot; /trivia start begins a new one."
_PERIOD_NAMES = {"all": "all time", "month": "this month", "week": "this week"}


def mention(user_id: int) -> str:
    return f"<@{user_id}>"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


def option_label(index: int, option: str, limit: int = BUTTON_LABEL_LIMIT) -> str:
    """A button's label: "B) Kim Soo Hyun", cut to Discord's 80 characters."""
    label = f"{LETTERS[index]}) {option}"
    return limits.fit(label, limit)


# -- a game ----------------------------------------------------------------------------------------------------


def game_title(difficulty: str, show: Show | None) -> str:
    """Name a game in its announcement: "medium trivia" or "hard trivia about Signal (2016)"."""
    if show is None:
        return f"{difficulty} trivia"
    return f"{difficulty} trivia about {show.title}" + (f" ({show.year})" if show.year else "")


def start_text(starter_id: int, title: str, *, rounds: int, asked_rounds: int, seconds: int) -> str:
    """The announcement of a new game; it says so when fewer questions fit the choices than were asked for."""
    fewer = f" (only {rounds} questions fit those choices)" if rounds < asked_rounds else ""
    return (
        f"**Trivia!** {mention(starter_id)} started {title}: {_plural(rounds, 'round')} of {seconds} seconds"
        f"{fewer}. Everyone can answer with the buttons; fast right answers score more."
    )


def question_card(session: TriviaSession, closes_at: dt.datetime) -> Card:
    """The open round's question, with when it closes."""
    return Card(
        title=f"Question {session.round_number} of {session.total_rounds}",
        description=f"{session.question.text}\n\nCloses {discord_timestamp(closes_at, 'R')}.",
        footer="Click your answer: the first click counts, and fast right answers score more.",
    )


def reveal_card(session: TriviaSession, result: RoundResult) -> Card:
    """A closed round's question with its reveal under it."""
    question = result.question
    return Card(
        title=f"Question {result.number} of {session.total_rounds}",
        description=f"{question.text}\n\n{reveal_text(result)}",
        footer=f"{question.kind.replace('_', ' ')} · {question.difficulty}",
    )


def reveal_text(result: RoundResult) -> str:
    """The lines under a closed question: the answer, who got it (fastest first), who missed."""
    question = result.question
    lines = [f"**Answer: {LETTERS[question.answer]}) {question.answer_text}**"]
    if result.winners:
        lines.append("Got it: " + ", ".join(f"{mention(a.user_id)} (+{a.points})" for a in result.winners))
    elif result.answers:
        lines.append("Nobody got it.")
    else:
        lines.append("Nobody answered.")
    missed = [answer for answer in result.answers if not answer.correct]
    if missed:
        lines.append("Missed: " + ", ".join(f"{mention(a.user_id)} ({LETTERS[a.option]})" for a in missed))
    if result.timed_out:
        lines.append("Time's up.")
    return "\n".join(lines)


def click_reply(session: TriviaSession, outcome: AnswerOutcome, user_id: int, option: int) -> str:
    """What a player who clicked an answer is told, privately."""
    if outcome is AnswerOutcome.ALREADY_ANSWERED:
        picked = session.answered(user_id)
        letter = f" ({LETTERS[picked.option]})" if picked else ""
        return f"You already answered this round{letter}; only your first click counts."
    if outcome is AnswerOutcome.ROUND_CLOSED:
        return "That round is closed; wait for the next question."
    return f"Locked in: {LETTERS[option]}) {session.question.options[option]}. Wait for the reveal."


def standings_lines(standings: Iterable[Standing]) -> list[str]:
    return [
        f"{place}. {mention(s.user_id)}: {s.points} points ({s.correct}/{s.answered} right)"
        for place, s in enumerate(standings, 1)
    ]


def ending_text(session: TriviaSession, *, error_id: str | None = None) -> str:
    """The game's last message: why it ended (with the error id to quote, after a failure) and the final scores."""
    reason = session.end_reason
    played = len(session.results)
    if reason is EndReason.FINISHED:
        head = f"Trivia over after {_plural(played, 'round')}."
    elif reason is EndReason.IDLE:
        head = f"Trivia ended: nobody answered for {session.idle_limit} rounds in a row."
    elif reason is EndReason.STOPPED:
        by = f" by {mention(session.ended_by)}" if session.ended_by is not None else ""
        head = f"Trivia stopped{by} after {_plural(played, 'round')}."
    elif reason is EndReason.RESTART:
        head = "The trivia game was ended by a restart of the bot; start a new one with /trivia start."
    else:
        quoted = f" (error id {error_id})" if error_id is not None else ""
        head = f"The trivia game stopped because of an error on my side{quoted}."
    scored = session.scored_standings()
    if not scored:
        return head + "\nNo points were scored."
    return "\n".join([head, "**Final scores**", *standings_lines(scored)])


# -- a server's scores ----------------------------------------------------------------------------------------


def period_name(period: str) -> str:
    return _PERIOD_NAMES[period]


def no_scores_text(period: str) -> str:
    return f"Nobody has scored trivia points here {period_name(period)}; /trivia start a game!"


def leaderboard_card(entries: Sequence[LeaderboardEntry], period: str) -> Card:
    """The server's top players over a period, with their right answers and games."""
    lines = [
        f"{entry.rank}. {mention(entry.user_id)}: **{entry.points}** points "
        f"({entry.correct}/{entry.answered} right, {_plural(entry.games, 'game')})"
        for entry in entries
    ]
    return Card(title=f"Trivia leaderboard: {period_name(period)}", description="\n".join(lines))


def not_scored_text(name: str) -> str:
    return f"{name} has not scored in trivia in this server yet."


def stats_card(name: str, stats: PlayerStats) -> Card:
    """One player's record in a server."""
    return Card(
        title=f"Trivia stats: {name}",
        fields=(
            Field("Points", str(stats.points), inline=True),
            Field("Rank", f"#{stats.rank}", inline=True),
            Field("Games", str(stats.games), inline=True),
            Field("Right answers", f"{stats.correct}/{stats.answered} ({stats.accuracy:.0%})", inline=True),
            Field("Best game", f"{stats.best_game} points", inline=True),
            Field("Last played", discord_timestamp(stats.last_played, "R"), inline=True),
        ),
    )
