"""The loop-lag monitor: a stall over 100 ms is logged with the task that held the loop; an idle loop is not."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.looplag import LoopLagMonitor, name_task


def hog_the_loop(seconds: float) -> None:
    time.sleep(seconds)  # on purpose: this is the blocking handler the monitor must catch


async def slow_handler() -> None:
    name_task("/hostile")
    await asyncio.sleep(0)
    hog_the_loop(0.3)


async def test_a_stall_is_logged_with_the_task_and_the_code_that_held_the_loop(
    caplog: pytest.LogCaptureFixture,
) -> None:
    monitor = LoopLagMonitor(asyncio.get_running_loop(), threshold=0.1, interval=0.02)
    monitor.start()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.looplag"):
            await asyncio.create_task(slow_handler())
            for _ in range(200):  # the thread logs once the loop answers its probe again
                if monitor.stalls:
                    break
                await asyncio.sleep(0.01)
    finally:
        monitor.stop()
    [stall] = monitor.stalls
    assert stall.task == "/hostile"
    assert stall.where.endswith("hog_the_loop")
    assert 0.2 <= stall.seconds < 1.0
    [record] = [r for r in caplog.records if r.name == "bot.looplag"]
    assert "/hostile" in record.getMessage() and " ms " in record.getMessage()


async def test_an_idle_or_awaiting_loop_is_not_reported(caplog: pytest.LogCaptureFixture) -> None:
    monitor = LoopLagMonitor(asyncio.get_running_loop(), threshold=0.1, interval=0.02)
    monitor.start()
    try:
        for _ in range(30):
            hog_the_loop(0.005)  # short steps between awaits are what a well-behaved handler does
            await asyncio.sleep(0.01)
    finally:
        monitor.stop()
    assert not monitor.stalls
