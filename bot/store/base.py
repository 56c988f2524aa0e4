"""The shared connection, taken in turns: transactions for writes, isolated reads, and the row conversions."""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import functools
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

import aiosqlite

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """Return the wall-clock time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


# Which (store, task) holds the connection in this context: a task created during a turn inherits the variable
# but not the turn, hence the task in the key.
_turn_holder: contextvars.ContextVar[tuple[int, object] | None] = contextvars.ContextVar("turn_holder", default=None)


class StoreBase:
    """One aiosqlite connection shared by every task, which take turns on it.

    A task's turn is either a transaction (writes) or an isolated read. Both wait while another task holds the
    connection, because SQLite isolates connections, not tasks: a bare statement would silently join (and roll
    back with) another task's open transaction, and a read would see its uncommitted rows. Within its turn a task
    may nest turns freely: they join the one it holds.
    """

    def __init__(self, connection: aiosqlite.Connection, *, clock: Clock = utc_now) -> None:
        self._db = connection
        self._clock = clock
        self._turn_lock = asyncio.Lock()

    @property
    def connection(self) -> aiosqlite.Connection:
        return self._db

    async def close(self) -> None:
        """Close the connection."""
        await self._db.close()

    def _now(self) -> str:
        return iso(self._clock())

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        """Hold the connection for this task until the block ends, or join the turn this task already holds."""
        holder = (id(self), asyncio.current_task())
        if _turn_holder.get() == holder:
            yield
            return
        async with self._turn_lock:
            token = _turn_holder.set(holder)
            try:
                yield
            finally:
                _turn_holder.reset(token)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Run the block's statements as one transaction: all of them land, or none.

        Inside its own transaction a task may open another: it joins the first.
        """
        async with self._turn():
            if self._db.in_transaction:  # ours: no other task can hold one during our turn
                yield
                return
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                # SQLite may have rolled back by itself already (SQLITE_FULL, ON CONFLICT ROLLBACK...): a second
                # ROLLBACK would fail and hide the error that matters.
                if self._db.in_transaction:
                    await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")


S = TypeVar("S", bound=StoreBase)
P = ParamSpec("P")
R = TypeVar("R")


def atomic(
    method: Callable[Concatenate[S, P], Awaitable[R]],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
    """Run a writing method in a transaction of its own, or in the caller's when it already holds one."""

    @functools.wraps(method)
    async def in_transaction(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        async with self.transaction():
            return await method(self, *args, **kwargs)

    return in_transaction


def isolated(
    method: Callable[Concatenate[S, P], Awaitable[R]],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
    """Run a reading method in a turn of its own, so it sees only committed rows (and its own task's)."""

    @functools.wraps(method)
    async def in_turn(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        async with self._turn():
            return await method(self, *args, **kwargs)

    return in_turn


# -- conversions between model values and columns ----------------------------------------------------------------


async def fetch_all_as(cursor: aiosqlite.Cursor, make: Callable[[Any, Any], R]) -> list[R]:
    """The cursor's rows, each made by `make(cursor, row)` in the database's thread rather than on the event loop
    (tens of thousands of rows are tens of milliseconds of Python)."""
    cursor.row_factory = make  # type: ignore[assignment]  # aiosqlite types the factory as a class
    return await cursor.fetchall()  # type: ignore[return-value]


def iso(moment: dt.datetime) -> str:
    """Encode an aware datetime as the UTC ISO text every table stores."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; pass an aware one")
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def iso_or_none(moment: dt.datetime | None) -> str | None:
    return None if moment is None else iso(moment)


def parse_datetime(text: str) -> dt.datetime:
    """Decode a stored datetime, reading one stored without an offset as UTC."""
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def datetime_or_none(text: str | None) -> dt.datetime | None:
    return parse_datetime(text) if text else None


def date_or_none(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def json_or_none(values: Mapping[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, ensure_ascii=False, default=str, sort_keys=True)
