"""Fake public APIs (TVmaze, TMDB) served over real HTTP on 127.0.0.1, and a virtual clock for rate limits."""

from __future__ import annotations

import asyncio

from tests.fakes.server import FakeApi, Recorded
from tests.fakes.tmdb import FakeTmdb
from tests.fakes.tvmaze import FakeTvmaze


class VirtualClock:
    """A monotonic clock that only moves when someone sleeps on it: rate limits and backoff cost no time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


__all__ = ["FakeApi", "FakeTmdb", "FakeTvmaze", "Recorded", "VirtualClock"]
