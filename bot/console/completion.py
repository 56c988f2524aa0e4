"""Tab completion of whole console lines: commands, subcommands, option names, and the bot's own suggestions."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from bot.console.parser import (
    ParsedCommand,
    Schema,
    UsageError,
    chat_commands,
    option_name_pattern,
    split_command,
    subcommand_names,
    user_names,
)
from bot.console.session import Console

log = logging.getLogger(__name__)

T = TypeVar("T")
BOT_ANSWER_WITHIN = 3.0  # seconds Tab waits for the bot's autocomplete before it gives up


class Completer:
    """Readline completion of whole lines: commands, subcommands, option names, and the bot's own suggestions.

    The bot's suggestions are fuzzy ("sountr" suggests "Soundtrack #1"), so they need not start with what was
    typed; readline would cut the line back to what they share. So several suggestions are listed, numbered, and
    the line is left as typed; Tab on a number from that list puts the suggestion in.
    """

    CONSOLE_WORDS: tuple[str, ...] = ("help", "quit", "as admin", "as member", "as owner", "wait ", "click ",
                                      "select ", "submit ", "complete /", "expect error ", "channel #")  # fmt: skip

    def __init__(self, console: Console, loop: asyncio.AbstractEventLoop) -> None:
        self.console = console
        self.loop = loop
        self.matches: list[str] = []
        self.listed: tuple[str, str, list[str]] = ("", "", [])  # (line before the value, line, suggestions)
        self.value_prefix = ""  # the line before the value being completed, if a value is

    def __call__(self, text: str, state: int) -> str | None:
        """Answer readline: the `state`-th completion of `text`, or None when there are no more."""
        if state == 0:
            try:
                self.matches = self.complete(text)
            except Exception:  # a completer must never break the prompt
                log.debug("completion of %r failed", text, exc_info=True)
                self.matches = []
        return self.matches[state] if state < len(self.matches) else None

    def complete(self, line: str) -> list[str]:
        """Return what Tab offers for `line`; several fuzzy suggestions are printed and the line is kept."""
        self.value_prefix = ""
        before, listed_line, suggestions = self.listed
        for start in (listed_line, before):  # a number typed after the listed line, or instead of the value
            typed = line[len(start) :].strip()
            if start and line.startswith(start) and typed.isdigit() and 0 < int(typed) <= len(suggestions):
                return [suggestions[int(typed) - 1]]
        found = self.candidates(line)
        if len(found) > 1 and not all(c.startswith(line) for c in found):
            value_start = len(self.value_prefix)
            self.listed = (self.value_prefix, line, found)
            out = self.console.out
            out.write("\n")
            for number, candidate in enumerate(found, 1):
                out.write(f"  {number}. {candidate[value_start:]}\n")
            out.write(f"(type a number and Tab to pick)\n{self.console.prompt()}{line}")
            out.flush()
            return [line]
        return found

    def _bot(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` on the bot's loop from readline's input thread, and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=BOT_ANSWER_WITHIN)

    def candidates(self, line: str) -> list[str]:
        """Return the whole lines that complete `line`."""
        for prefix in ("complete ", "expect error "):
            if line.startswith(prefix) and line[len(prefix) :].startswith("/"):
                inner = self.candidates(line[len(prefix) :])
                self.value_prefix = prefix + self.value_prefix if self.value_prefix else ""
                return [prefix + c for c in inner]
        fake = self.console.fake
        if line.startswith("channel "):
            return [f"channel #{name}" for name in fake.channels if f"channel #{name}".startswith(line)]
        if not line.startswith("/"):
            words = [*self.CONSOLE_WORDS, f"@{fake.bot.global_name} "]
            return [w for w in words if w.startswith(line)]
        commands = chat_commands(fake)
        if " " not in line:
            return [f"/{name} " for name in commands if f"/{name}".startswith(line)]
        try:
            path, leaf, rest = split_command(line, commands)
        except UsageError:
            root = commands.get(line[1:].partition(" ")[0]) or {}
            done = line[: line.rstrip().rfind(" ") + 1] if not line.endswith(" ") else line
            subs = subcommand_names(root, line)
            return [done + s + " " for s in subs if (done + s).startswith(line.rstrip()) or line.endswith(" ")]
        head = "/" + " ".join(path) + " "
        pattern = option_name_pattern(o["name"] for o in leaf)
        matches = list(pattern.finditer(rest)) if pattern else []
        used = {m.group(1) for m in matches}
        last_word = rest.rsplit(" ", 1)[-1]
        names = [o["name"] for o in leaf if o["name"] not in used and o["name"].startswith(last_word)]
        option_names = [line[: len(line) - len(last_word)] + n + ": " for n in names]
        parsed = ParsedCommand(" ".join(path), tuple(leaf), {}, None, rest)
        if matches:
            option = matches[-1].group(1)
            after = rest[matches[-1].end() :]
            prefix = head + rest[: matches[-1].end()] + " "
        else:
            required = [o for o in leaf if o.get("required")]
            if len(required) != 1 or not rest.strip() or option_names:
                return option_names
            option, after, prefix = required[0]["name"], rest, head  # `/drama sountr`: the lone option
        schema = next(o for o in leaf if o["name"] == option)
        self.value_prefix = prefix
        values = [prefix + value for value in self._values(schema, parsed, option, after.strip(), prefix)]
        # After a value, the next word may be more of the value or the next option's name: offer both.
        return values + (option_names if after.strip() else [])

    def _values(self, schema: Schema, parsed: ParsedCommand, option: str, typed: str, prefix: str) -> list[str]:
        fake = self.console.fake
        kind = schema["type"]
        if schema.get("choices") or schema.get("autocomplete"):
            choices = self._bot(self.console.autocomplete(parsed, option, typed))
            if schema.get("choices"):
                return [str(value) for _name, value in choices]
            return [name for name, _value in choices]  # a suggestion is picked by name; its value is sent
        if kind == 5:
            options = ["true", "false"]
        elif kind == 7:
            options = [f"#{name}" for name in fake.channels]
        elif kind in (6, 9):
            options = [f"@{name}" for name in user_names(fake)]
        else:
            options = []
        if kind in (8, 9):
            options += [f"@{r.name}" for r in fake.guild.roles.values() if r.name != "@everyone"]
        return [o for o in options if o.casefold().startswith(typed.casefold())]


def install_readline(completer: Completer) -> None:
    """Complete whole lines (option values hold spaces), and list only the part being completed."""
    try:
        import readline
    except ImportError:  # Windows without pyreadline: no completion, the prompt still works
        return
    readline.set_completer(completer)
    readline.set_completer_delims("")
    readline.parse_and_bind("tab: complete")

    def show(substitution: str, matches: Sequence[str], longest: int) -> None:
        line = readline.get_line_buffer()
        cut = line.rfind(": ") + 2 if ": " in line else line.rfind(" ") + 1
        print()
        for match in matches:
            print("  " + match[cut:])
        print(completer.console.prompt() + line, end="", flush=True)

    readline.set_completion_display_matches_hook(show)
