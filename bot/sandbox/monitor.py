"""What a waiting test watches: a change signal, the bot's reported errors, and the stream of message events."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TypeVar

from .models import Message, MessageEvent
from .payloads import BotError, SandboxTimeout

T = TypeVar("T")


class Monitor:
    """Wake every waiter when the fake's state changes, and fail them at once when the bot reports an error."""

    def __init__(self) -> None:
        self.client_errors: list[BaseException] = []
        self._changed = asyncio.Event()
        self._subscribers: list[asyncio.Queue[MessageEvent]] = []

    def notify(self) -> None:
        """Wake everything waiting in `wait_until` to re-check its condition."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def report_client_error(self, error: BaseException) -> None:
        """Record an unexpected error inside the bot; every pending and later wait raises BotError.

        Clear `client_errors` after asserting on an error a test provoked on purpose.
        """
        if any(known is error for known in self.client_errors):
            return  # the same exception both logged and passed to a hooked on_error
        self.client_errors.append(error)
        self.notify()

    async def wait_until(
        self, predicate: Callable[[], T | None], *, within: float = 5.0, what: str = "a condition"
    ) -> T:
        """Wait until `predicate()` is truthy and return it; raise BotError at once if the bot reports an error."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            changed = self._changed
            if self.client_errors:
                error = self.client_errors[0]
                raise BotError(f"the bot failed while the test waited for {what}: {error!r}") from error
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise SandboxTimeout(f"timed out after {within} s waiting for {what}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def subscribe(self) -> asyncio.Queue[MessageEvent]:
        """Get every message created, edited or deleted from now on (ephemeral ones too) on a queue."""
        queue: asyncio.Queue[MessageEvent] = asyncio.Queue()
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[MessageEvent]) -> None:
        """Stop putting message events on `queue`."""
        with contextlib.suppress(ValueError):
            self._subscribers.remove(queue)

    def publish(self, kind: str, message: Message) -> None:
        """Tell every subscriber that `message` was created, updated or deleted (`kind`)."""
        for queue in self._subscribers:
            queue.put_nowait(MessageEvent(kind, message))
        self.notify()
