"""What the bot builds in memory from the catalog, and keeps: built once, out of the garbage collector's way."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


@contextlib.contextmanager
def collector_paused(*, freeze: bool) -> Iterator[None]:
    """Build something large out of the cyclic garbage collector's way.

    While a catalog loads, the collector would walk the growing heap again and again (a fifth of a
    100,000-show load) to free nothing. After, what was loaded lives as long as the bot: with `freeze`, out of
    the collector's sight (`gc.freeze`), a full collection does not walk every show again (0.3 s at a million,
    a stall for every command waiting on the loop). A show refreshed later is freed as usual, by its reference
    count. Builds in two threads at once may overlap: the collector is on again once the first that found it
    on is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()


class Generational(Generic[T]):
    """Something built from the catalog as it was at one generation; built once, however many threads ask at once."""

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock
        self._built: tuple[int, T] | None = None

    def get(self, generation: int, build: Callable[[], T]) -> T:
        built = self._built
        if built is None or built[0] != generation:
            with self._lock:  # another thread may be building it: wait for that build rather than make another
                built = self._built
                if built is None or built[0] != generation:
                    built = self._built = (generation, build())
        return built[1]
