"""Trivia games and their players' scores, summed into leaderboards and per-player records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.models import LeaderboardEntry, PlayerStats, Standing, TriviaGameRecord
from bot.store.base import StoreBase, atomic, datetime_or_none, iso, isolated, parse_datetime


class TriviaStore(StoreBase):
    """Record trivia games and scores, and sum them into leaderboards."""

    @atomic
    async def start_trivia_game(
        self,
        *,
        guild_id: int,
        channel_id: int,
        starter_id: int,
        rounds: int,
        seconds: int,
        difficulty: str,
        show_id: int | None,
    ) -> int:
        """Record a game as running and return its id (its buttons carry it)."""
        cursor = await self._db.execute(
            "INSERT INTO trivia_games (guild_id, channel_id, starter_id, rounds, seconds, difficulty, show_id,"
            " started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, channel_id, starter_id, rounds, seconds, difficulty, show_id, self._now()),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    @atomic
    async def end_trivia_game(self, game_id: int, reason: str, standings: Sequence[Standing] = ()) -> bool:
        """Mark a running game ended and save its players' scores; False if it had already ended."""
        now = self._now()
        await self._upsert_trivia_scores(game_id, standings, now)  # writes nothing for an ended game
        cursor = await self._db.execute(
            "UPDATE trivia_games SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
            (now, reason, game_id),
        )
        return cursor.rowcount == 1

    @atomic
    async def save_trivia_scores(self, game_id: int, standings: Sequence[Standing]) -> None:
        """Save a running game's scores so far, so that a crash loses at most the round being played."""
        await self._upsert_trivia_scores(game_id, standings, self._now())

    async def _upsert_trivia_scores(self, game_id: int, standings: Sequence[Standing], now: str) -> None:
        await self._db.executemany(
            "INSERT INTO trivia_scores (game_id, guild_id, user_id, points, correct, answered, scored_at)"
            " SELECT id, guild_id, ?, ?, ?, ?, ? FROM trivia_games WHERE id = ? AND ended_at IS NULL"
            " ON CONFLICT (game_id, user_id) DO UPDATE SET points = excluded.points, correct = excluded.correct,"
            " answered = excluded.answered, scored_at = excluded.scored_at",
            [(s.user_id, s.points, s.correct, s.answered, now, game_id) for s in standings],
        )

    @isolated
    async def running_trivia_games(self) -> list[TriviaGameRecord]:
        """Games recorded as running: at start-up, those a crash cut short."""
        async with self._db.execute(
            "SELECT id, guild_id, channel_id, starter_id, rounds, seconds, difficulty, show_id, started_at,"
            " ended_at, end_reason FROM trivia_games WHERE ended_at IS NULL ORDER BY id"
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            TriviaGameRecord(
                id=row[0], guild_id=row[1], channel_id=row[2], starter_id=row[3], rounds=row[4], seconds=row[5],
                difficulty=row[6], show_id=row[7], started_at=parse_datetime(row[8]),
                ended_at=datetime_or_none(row[9]), end_reason=row[10],
            )
            for row in rows
        ]  # fmt: skip

    @isolated
    async def trivia_leaderboard(
        self, guild_id: int, *, since: dt.datetime | None = None, limit: int = 10
    ) -> list[LeaderboardEntry]:
        """A server's top players by points scored since `since` (all time when None)."""
        async with self._db.execute(
            "SELECT user_id, SUM(points) AS total, SUM(correct), SUM(answered), COUNT(*) FROM trivia_scores"
            " WHERE guild_id = ? AND scored_at >= ? GROUP BY user_id ORDER BY total DESC, SUM(correct) DESC,"
            " MIN(scored_at) LIMIT ?",
            (guild_id, iso(since) if since is not None else "", limit),
        ) as cursor:
            rows = await cursor.fetchall()
        return [LeaderboardEntry(rank, *row) for rank, row in enumerate(rows, 1)]

    @isolated
    async def trivia_player_stats(self, guild_id: int, user_id: int) -> PlayerStats | None:
        """One player's all-time trivia record in a server, with their rank there; None if they never scored."""
        async with self._db.execute(
            "SELECT COUNT(*), SUM(points), SUM(correct), SUM(answered), MAX(points), MAX(scored_at)"
            " FROM trivia_scores WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None or not row[0]:
            return None
        games, points, correct, answered, best, last = row
        async with self._db.execute(
            "SELECT COUNT(*) FROM (SELECT user_id FROM trivia_scores WHERE guild_id = ? GROUP BY user_id"
            " HAVING SUM(points) > ?)",
            (guild_id, points),
        ) as cursor:
            ahead = await cursor.fetchone()
        rank = 1 + (int(ahead[0]) if ahead else 0)
        return PlayerStats(user_id, games, points, correct, answered, best, rank, parse_datetime(last))
