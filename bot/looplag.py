"""Watch the event loop from a thread: a stall over 100 ms is logged with the task and the code that held it.

Every server shares one event loop, so a handler that computes for 300 ms without an await delays every other
server's replies (Discord's 3 s deadline) and the gateway heartbeat. A thread can see what a coroutine on the
loop cannot: while the loop is held, which task is running (`asyncio.current_task(loop)`, named after the slash
command by the bot, see `name_task`) and the innermost frame of our own code in the loop thread's stack.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

log = logging.getLogger(__name__)

STALL_THRESHOLD = 0.1  # seconds: a stall longer than this is logged
PROBE_INTERVAL = 0.05  # seconds between two probes of the loop
KEPT_STALLS = 100  # the most recent stalls kept for inspection
_OUR_CODE = tuple(str(Path(__file__).resolve().parents[1] / part) for part in ("bot", "cogs"))


@dataclass(frozen=True, slots=True)
class Stall:
    """The loop answered a probe `seconds` late, while `task` ran `where`."""

    seconds: float
    task: str
    where: str


def name_task(name: str) -> None:
    """Name the running task after what it handles (for example "/ask"), so a stall it causes names it too."""
    task = asyncio.current_task()
    if task is not None:
        task.set_name(name)


class LoopLagMonitor:
    """Probe `loop` from a daemon thread every `interval`; log each probe answered more than `threshold` late."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, *, threshold: float = STALL_THRESHOLD, interval: float = PROBE_INTERVAL
    ) -> None:
        self.loop = loop
        self.threshold = threshold
        self.interval = interval
        self.stalls: collections.deque[Stall] = collections.deque(maxlen=KEPT_STALLS)
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop_thread = 0

    def start(self) -> None:
        """Start watching; call it from the loop's own thread."""
        if self._thread is not None:
            return
        self._loop_thread = threading.get_ident()
        self._thread = threading.Thread(target=self._watch, name="dramabot-loop-lag", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching; the thread ends within one probe interval (not waited for: that would hold the loop)."""
        self._stopped.set()
        self._thread = None

    def _watch(self) -> None:
        while not self._stopped.wait(self.interval):
            answered = threading.Event()
            sent = time.monotonic()
            try:
                self.loop.call_soon_threadsafe(answered.set)
            except RuntimeError:  # the loop is closed
                return
            if answered.wait(self.threshold):
                continue
            task, where = self._culprit()  # sampled while the loop is still held
            while not answered.wait(self.interval):
                if self._stopped.is_set() or self.loop.is_closed():
                    return
            stall = Stall(time.monotonic() - sent, task, where)
            self.stalls.append(stall)
            log.warning("the event loop was held for %.0f ms by %s in %s", stall.seconds * 1000, task, where)

    def _culprit(self) -> tuple[str, str]:
        """The running task's name and the innermost frame of our code on the loop thread, as now seen."""
        try:
            task = asyncio.current_task(self.loop)
        except RuntimeError:
            task = None
        frame = sys._current_frames().get(self._loop_thread)
        return (task.get_name() if task is not None else "a callback"), _where(frame)


def _where(frame: FrameType | None) -> str:
    innermost = None
    while frame is not None:
        code = frame.f_code
        if innermost is None:
            innermost = f"{Path(code.co_filename).name}:{code.co_name}"
        if code.co_filename.startswith(_OUR_CODE):
            return f"{_module_of(code.co_filename)}.{code.co_qualname}"
        frame = frame.f_back
    return innermost or "an unknown place"


def _module_of(filename: str) -> str:
    root = Path(_OUR_CODE[0]).parent
    return ".".join(Path(filename).relative_to(root).with_suffix("").parts)
