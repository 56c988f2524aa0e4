"""`dramabot console`: the real bot against the sandbox Discord on 127.0.0.1, and a prompt to talk to it.

The bot starts exactly as `dramabot run` starts it (Settings from an environment, `Dramabot(settings)`, login,
connect); only the environment points it at the fake Discord. A person then types what they would type in
Discord (`/drama title: soundtrak 1`, `@Dramabot who directed vincenzo?`, `click 2`), and the console draws
what the bot answered. Commands, options, choices and autocomplete come from what the bot synced, never from
a list kept here.

    parser.py      a typed line -> a command path and its option values (no discord import)
    render.py      what the bot sent -> terminal text: boxed embeds, numbered buttons and menus
    watch.py       what makes a line fail: the bot's error handler answering, an ERROR logged
    session.py     Console: one person at the keyboard, running each line
    completion.py  Tab completion from the bot's own autocomplete
    repl.py        the loops: a script to the end, or a prompt until quit
    launcher.py    start the fake Discord and the bot (`--database`, `--clock-speed`), run the console
"""

from bot.console.completion import Completer
from bot.console.launcher import run_console, sandbox_bot
from bot.console.parser import ParsedCommand, UsageError, option_value, parse_command
from bot.console.render import Names, Rendered, component_lines, display_width, embed_lines, readable, render_message
from bot.console.session import Console
from bot.console.watch import ErrorWatch

__all__ = [
    "Completer",
    "Console",
    "ErrorWatch",
    "Names",
    "ParsedCommand",
    "Rendered",
    "UsageError",
    "component_lines",
    "display_width",
    "embed_lines",
    "option_value",
    "parse_command",
    "readable",
    "render_message",
    "run_console",
    "sandbox_bot",
]
