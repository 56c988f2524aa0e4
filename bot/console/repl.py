"""The console's two loops: a script run line by line to the end, and a prompt read until the person quits."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Sequence
from pathlib import Path

from bot.console.completion import Completer, install_readline
from bot.console.session import Console

EXIT_OK = 0
EXIT_BOT_ERROR = 1
EXIT_USAGE = 2


async def run_script(console: Console, lines: Sequence[str]) -> int:
    """Run each line, skipping blanks and `#` comments; return 1 if any line failed, else 0."""
    failures = 0
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        console.say(f"> {text}")
        if await console.run_line(text):
            failures += 1
            console.say(f"(line {number} failed)")
        if console.done:
            break
    await console.drain()
    return EXIT_BOT_ERROR if failures else EXIT_OK


async def run_interactive(console: Console, log_path: Path) -> int:
    """Prompt for lines with Tab completion until the person quits or presses Ctrl-D; return 0."""
    loop = asyncio.get_running_loop()
    install_readline(Completer(console, loop))
    console.say(f"(the bot's log goes to {log_path})")
    while not console.done:
        watcher = asyncio.create_task(draw_while_waiting(console))
        try:
            line = await read_line(console.prompt())
        except EOFError:
            console.say("")
            break
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        await console.run_line(line)
    return EXIT_OK


async def draw_while_waiting(console: Console) -> None:
    """Draw posts the bot makes on its own while the person is thinking at the prompt."""
    while True:
        event = await console.events.get()
        console.events.put_nowait(event)
        console.out.write("\r\x1b[K")  # draw over the prompt, then put it back with what was typed so far
        console.drain_now()
        console.out.write(console.prompt() + typed_so_far())
        console.out.flush()


def typed_so_far() -> str:
    """Return what the person has typed at the prompt and not yet sent."""
    try:
        import readline
    except ImportError:
        return ""
    return readline.get_line_buffer()


async def read_line(prompt: str) -> str:
    """Read a line in a daemon thread, so Ctrl-C or quitting never waits for a pending input()."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str] = loop.create_future()

    def read() -> None:
        try:
            text: str | BaseException = input(prompt)
        except BaseException as error:  # EOFError, KeyboardInterrupt: hand them to the loop
            text = error
        loop.call_soon_threadsafe(_settle, answer, text)

    threading.Thread(target=read, name="console-input", daemon=True).start()
    return await answer


def _settle(future: asyncio.Future[str], value: str | BaseException) -> None:
    if future.done():
        return
    if isinstance(value, BaseException):
        future.set_exception(value)
    else:
        future.set_result(value)
