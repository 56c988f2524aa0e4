"""`dramabot console`: the real bot against the sandbox Discord on 127.0.0.1, and a prompt to talk to it.

The bot starts exactly as `dramabot run` starts it (Settings from an environment, `Dramabot(settings)`, login,
connect); only the environment points it at the fake Discord. A person then types what they would type in
Discord (`/drama title: soundtrak 1`, `@Dramabot who directed vincenzo?`, `click 2`), and the console draws
what the bot answered. Commands, options, choices and autocomplete come from what the bot synced, never from
a list kept here.

Like cli.py this module is a launcher, so it touches discord.py: only to put back the process-wide endpoints
`Dramabot.login` changes, so the process can start another client afterwards (the tests do).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import discord
import discord.gateway
import discord.http

from bot.app import Dramabot
from bot.clock import ScaledClock
from bot.console_render import DEFAULT_WIDTH, Names, Rendered, choice_lines, modal_lines, render_message, wrap
from bot.errors import DramabotError
from bot.sandbox import (
    BotError,
    Component,
    FakeChannel,
    FakeDiscord,
    FakeUser,
    InteractionResult,
    Message,
    Permission,
    SandboxError,
    SandboxTimeout,
    Upload,
)
from bot.settings import Settings

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_BOT_ERROR = 1
EXIT_USAGE = 2
ANSWER_WITHIN = 15.0  # seconds the bot may take to answer one interaction (a deferred /ask may be slow)
QUIET = 0.3  # seconds without a new bot message before a script goes on to the next line
MENTION_WITHIN = 5.0  # seconds to wait for the bot to answer a message that mentions it
# Settings a user's real environment may hold that must not leak into a throwaway sandbox bot.
NOT_FOR_THE_SANDBOX = ("DISCORD_GATEWAY_URL", "DEV_GUILD_ID", "SYNC_HOUR_UTC", "TMDB_API_KEY")
CONSOLE_HELP = [
    ("as admin | as member", "switch who is typing (admin: Hana, with Manage Server; member: Min-jun)"),
    ("channel #name", "switch channel"),
    ("@Dramabot TEXT", "post a message that mentions the bot in this channel (other text is posted as is)"),
    ("click N", "press button N of the last message with buttons"),
    ("select N OPTION...", "pick options (by number) in menu N; `select OPTION` when there is one menu"),
    ("submit FIELD: VALUE ...", "fill in and send the form the bot opened"),
    ("complete /COMMAND ... OPTION: TEXT", "show the bot's autocomplete suggestions for what you typed"),
    ("wait SECONDS", "let real time pass; posts the bot makes on its own appear as they come"),
    ("expect error LINE", "run LINE, which should fail (for scripts: the failure does not count)"),
    ("help | quit", "this list | leave (Ctrl-D works too)"),
]


class UsageError(Exception):
    """A line the console cannot send: unknown command, missing option, a value of the wrong kind."""


# ---------------------------------------------------------------------------------------------- clock


# ---------------------------------------------------------------------------------------------- parsing


def chat_commands(fake: FakeDiscord) -> dict[str, dict[str, Any]]:
    """The slash commands the bot synced, guild ones over global ones, by name."""
    found = {c["name"]: c for c in fake.commands(None) if c.get("type", 1) == 1}
    found |= {c["name"]: c for c in fake.commands(fake.guild_id) if c.get("type", 1) == 1}
    return dict(sorted(found.items()))


@dataclasses.dataclass(frozen=True, slots=True)
class ParsedCommand:
    path: str  # "drama", or with subcommands "announce channel"
    leaf: tuple[dict[str, Any], ...]  # the option schemas the command takes
    values: dict[str, str]  # option name -> the text typed for it
    last: str | None  # the option typed last (what `complete` asks about)
    rest: str  # everything after the command path


def split_command(line: str, commands: Mapping[str, dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]], str]:
    """Split `/announce channel channel: #x` into (["announce", "channel"], leaf option schemas, rest)."""
    text = line.strip().removeprefix("/")
    root, _, rest = text.partition(" ")
    schema = commands.get(root)
    if schema is None:
        near = [name for name in commands if name.startswith(root[:2])] or list(commands)
        raise UsageError(f"there is no command /{root}; the bot has " + ", ".join(f"/{n}" for n in near) + ".")
    path = [root]
    options: list[dict[str, Any]] = schema.get("options") or []
    while any(o["type"] in (1, 2) for o in options):
        subs = [o for o in options if o["type"] in (1, 2)]
        word, _, after = rest.strip().partition(" ")
        found = next((o for o in subs if o["name"] == word), None)
        if found is None:
            names = ", ".join(o["name"] for o in subs)
            raise UsageError(f"/{' '.join(path)} needs one of: {names}.")
        path.append(word)
        options = found.get("options") or []
        rest = after
    return path, options, rest


def _key_pattern(options: Sequence[dict[str, Any]]) -> re.Pattern[str] | None:
    names = sorted((o["name"] for o in options), key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?:(?<=\s)|^)(" + "|".join(map(re.escape, names)) + r"):")


def unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'“":
        return text[1:-1]
    if len(text) >= 2 and text[0] == "“" and text[-1] == "”":
        return text[1:-1]
    return text


def parse_command(line: str, commands: Mapping[str, dict[str, Any]], *, check_required: bool = True) -> ParsedCommand:
    """Read `/cmd [sub...] name: value other: "a value"`; a lone required option may be typed without `name:`."""
    path, leaf, rest = split_command(line, commands)
    pattern = _key_pattern(leaf)
    matches = list(pattern.finditer(rest)) if pattern else []
    values: dict[str, str] = {}
    head = rest[: matches[0].start()] if matches else rest
    if head.strip():
        required = [o for o in leaf if o.get("required")]
        lone = required[0] if len(required) == 1 else (leaf[0] if len(leaf) == 1 else None)
        if lone is None:
            wanted = " ".join(f"{o['name']}:" for o in leaf) or "no options"
            raise UsageError(f"write the options as name: value; /{' '.join(path)} takes {wanted}.")
        values[lone["name"]] = unquote(head)
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(rest)
        values[match.group(1)] = unquote(rest[match.end() : end])
    last = matches[-1].group(1) if matches else (next(iter(values)) if values else None)
    if check_required:
        missing = [o["name"] for o in leaf if o.get("required") and o["name"] not in values]
        if missing:
            raise UsageError(f"/{' '.join(path)} needs " + ", ".join(f"{name}:" for name in missing))
    return ParsedCommand(" ".join(path), tuple(leaf), values, last, rest)


TRUE_WORDS = {"true", "yes", "on", "1", "y"}
FALSE_WORDS = {"false", "no", "off", "0", "n"}
OPTION_KINDS = {3: "text", 4: "whole number", 5: "true/false", 6: "@user", 7: "#channel", 8: "@role",
                9: "@user or @role", 10: "number", 11: "file path"}  # fmt: skip


def option_value(schema: dict[str, Any], text: str, fake: FakeDiscord) -> Any:
    """Turn what the user typed into the value the fake sends for an option of this kind."""
    kind, name = schema["type"], schema["name"]
    choices = schema.get("choices") or []
    if choices:
        for choice in choices:
            if text.casefold() in (choice["name"].casefold(), str(choice["value"]).casefold()):
                return choice["value"]
        names = ", ".join(c["name"] for c in choices)
        raise UsageError(f"{name}: takes one of {names}; not “{text}”.")
    try:
        if kind == 4:
            return int(text)
        if kind == 10:
            return float(text)
    except ValueError:
        raise UsageError(f"{name}: takes a {OPTION_KINDS[kind]}, not “{text}”.") from None
    if kind == 5:
        if text.casefold() in TRUE_WORDS | FALSE_WORDS:
            return text.casefold() in TRUE_WORDS
        raise UsageError(f"{name}: takes true or false, not “{text}”.")
    if kind in (6, 9):
        user = find_user(fake, text)
        if user is not None:
            return user
        if kind == 6:
            raise UsageError(f"{name}: no user “{text}”; users: {', '.join('@' + u for u in user_names(fake))}.")
    if kind in (8, 9):
        role = next((r for r in fake.guild.roles.values() if r.name.casefold() == text.removeprefix("@").casefold()),
                    None)  # fmt: skip
        if role is None:
            roles = ", ".join("@" + r.name for r in fake.guild.roles.values() if r.name != "@everyone")
            raise UsageError(f"{name}: no role “{text}”; roles: {roles}.")
        return role
    if kind == 7:
        channel = fake.channels.get(text.removeprefix("#").casefold())
        if channel is None:
            raise UsageError(f"{name}: no channel “{text}”; channels: {', '.join('#' + c for c in fake.channels)}.")
        return channel
    if kind == 11:
        path = Path(text).expanduser()
        if not path.is_file():
            raise UsageError(f"{name}: no file {path}.")
        return Upload(path.name, path.read_bytes())
    return text


def find_user(fake: FakeDiscord, text: str) -> FakeUser | None:
    wanted = text.removeprefix("@").casefold()
    for user in fake.users.values():
        if wanted in (user.username.casefold(), (user.global_name or "").casefold()):
            return user
    return None


def user_names(fake: FakeDiscord) -> list[str]:
    return [u.username for u in fake.users.values() if not u.bot]


DISCORD_PERMISSION_NAMES = {"MANAGE_GUILD": "Manage Server"}  # what Discord's own settings call them


def permission_names(bits: int) -> str:
    names = [DISCORD_PERMISSION_NAMES.get(p.name, p.name.replace("_", " ").title())
             for p in Permission if p.name and bits & p.value]  # fmt: skip
    return ", ".join(names) or "administrators only"


# ---------------------------------------------------------------------------------------------- watching errors


class ErrorWatch(logging.Handler):
    """Count what makes a line fail: the bot's error handler answering, and any ERROR the bot logs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.logged: list[logging.LogRecord] = []
        self.failed_interactions: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.logged.append(record)

    def hook(self, bot: Dramabot) -> None:
        """Note every interaction the bot's own error handler answered, then let it answer as usual."""
        handler = bot.tree.on_error

        async def on_error(interaction: discord.Interaction[Any], error: Exception) -> None:
            self.failed_interactions.add(interaction.id)
            await handler(interaction, error)  # type: ignore[arg-type]

        bot.tree.on_error = on_error  # type: ignore[method-assign]


# ---------------------------------------------------------------------------------------------- the console


class Console:
    """One person at the keyboard, talking to the bot through the fake Discord."""

    def __init__(
        self, fake: FakeDiscord, bot: Dramabot, watch: ErrorWatch, out: TextIO, *, width: int = DEFAULT_WIDTH
    ) -> None:
        self.fake = fake
        self.bot = bot
        self.watch = watch
        self.out = out
        self.width = width
        self.user: FakeUser = fake.member
        self.channel: FakeChannel = fake.channels["general"]
        self.events = fake.subscribe()
        self.shown: dict[int, int] = {}  # message id -> edit count last drawn
        self.controls: tuple[Component, ...] = ()
        self.controls_message: Message | None = None
        self.form: InteractionResult | None = None
        self.done = False

    # -- output

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def prompt(self) -> str:
        return f"{self.user.global_name or self.user.username} in #{self.channel.name}> "

    def draw(self, message: Message, *, own: bool = False) -> None:
        """Draw a bot message (again, if it changed since it was drawn), and remember its buttons."""
        if self.shown.get(message.id) == message.edits or message.deleted:
            return
        edited = message.id in self.shown
        self.shown[message.id] = message.edits
        author = self.fake.users.get(message.author_id)
        name = author.global_name or author.username if author else "someone"
        notes = []
        if message.ephemeral:
            notes.append("only you can see this" if message.visible_to in (None, self.user.id) else
                         f"only {self.fake.user(message.visible_to).username} can see this")  # fmt: skip
        if edited:
            notes.append("edited")
        where = self.fake.channel(message.channel_id)
        tag = where.name if own or where.id != self.channel.id else None
        rendered: Rendered = render_message(message, author=name, channel=tag, note=", ".join(notes),
                                            names=self.names(), width=self.width)  # fmt: skip
        self.say(rendered.text)
        if rendered.controls:
            self.controls, self.controls_message = rendered.controls, message

    def names(self) -> Names:
        fake = self.fake
        return Names(
            users={u.id: u.global_name or u.username for u in fake.users.values()},
            channels={c.id: c.name for g in fake.guilds.values() for c in g.channels.values()},
            roles={r.id: r.name for g in fake.guilds.values() for r in g.roles.values()},
        )

    def drain_now(self) -> None:
        """Draw every bot message that arrived or changed and is not drawn yet."""
        while not self.events.empty():
            event = self.events.get_nowait()
            if event.kind != "delete" and event.message.author_id == self.fake.bot.id:
                self.draw(event.message, own=event.message.interaction_id is None)

    async def drain(
        self, *, quiet: float = QUIET, within: float = 0.0, until: Callable[[], bool] | None = None
    ) -> None:
        """Draw bot messages as they come: for `within` s at least, then until none came for `quiet` s."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        last = start
        while True:
            self.drain_now()
            now = loop.time()
            if now - start >= within and now - last >= quiet and (until is None or until()):
                return
            if until is not None and not until() and now - start >= max(within, MENTION_WITHIN):
                return
            try:
                event = await asyncio.wait_for(self.events.get(), 0.05)
            except TimeoutError:
                continue
            self.events.put_nowait(event)  # draw it in order with the rest, on the next turn
            self.drain_now()
            last = loop.time()

    async def watch_in_background(self) -> None:
        """Draw posts the bot makes on its own while the person is thinking at the prompt."""
        while True:
            event = await self.events.get()
            self.events.put_nowait(event)
            self.out.write("\r\x1b[K")  # draw over the prompt, then put it back with what was typed so far
            self.drain_now()
            self.out.write(self.prompt() + _typed_so_far())
            self.out.flush()

    # -- lines

    async def run_line(self, line: str) -> bool:
        """Run one line; return whether it failed (an error answer, a logged error, or a line it cannot send)."""
        line = line.strip()
        if not line or line.startswith("#"):
            return False
        expect = re.match(r"expect\s+errors?\b:?\s*(.*)", line, re.IGNORECASE)
        if expect:
            failed = await self.run_line(expect.group(1))
            self.say("(failed, as expected)" if failed else "✖ expected an error, but the line worked")
            return not failed
        logged, objections = len(self.watch.logged), len(self.fake.violations)
        try:
            failed = await self._dispatch(line)
        except UsageError as error:
            self.say(f"✖ {error}")
            failed = True
        except (SandboxError, SandboxTimeout, BotError) as error:
            self.say(f"✖ Discord: {error}")
            failed = True
        except Exception as error:  # a console bug must not end the session; the log keeps the traceback
            log.warning("the console could not run %r", line, exc_info=True)  # WARNING: not the bot's error
            self.say(f"✖ the console could not run that line: {error!r}")
            failed = True
        for record in self.watch.logged[logged:]:
            self.say(f"✖ the bot logged an error: {record.getMessage()}")
        for violation in self.fake.violations[objections:]:  # what real Discord would refuse or punish
            self.say(f"✖ Discord would object: {violation.kind}: {violation.detail}")
        return failed or len(self.watch.logged) > logged or len(self.fake.violations) > objections

    async def _dispatch(self, line: str) -> bool:
        word, _, rest = line.partition(" ")
        word = word.casefold()
        rest = rest.strip()
        if word in ("quit", "exit"):
            self.done = True
            return False
        if word == "help":
            self.say(self.help_text())
            return False
        if word == "as":
            return self.switch_user(rest)
        if word == "channel":
            return self.switch_channel(rest)
        if word == "wait":
            return await self.wait(rest)
        if word == "click":
            return await self.click(rest)
        if word == "select":
            return await self.select(rest)
        if word == "submit":
            return await self.submit(rest)
        if word == "complete":
            return await self.complete(rest)
        if line.startswith("/"):
            return await self.slash(line)
        return await self.post(line)

    def help_text(self) -> str:
        lines = ["Commands the bot synced:"]
        commands = chat_commands(self.fake)
        entries: list[tuple[str, str]] = []
        for command in commands.values():
            entries += _help_entries([command["name"]], command)
        for usage, description in entries:
            lines.append(f"  {usage}")
            lines += [f"      {part}" for part in wrap(description, self.width - 6)]
        lines.append("Console:")
        for usage, description in CONSOLE_HELP:
            lines.append(f"  {usage}")
            lines += [f"      {part}" for part in wrap(description, self.width - 6)]
        return "\n".join(lines)

    def switch_user(self, who: str) -> bool:
        wanted = who.casefold().removeprefix("@")
        user = {"admin": self.fake.admin, "member": self.fake.member, "owner": self.fake.owner}.get(wanted)
        user = user or find_user(self.fake, wanted)
        if user is None or user.bot:
            raise UsageError(f"no one called “{who}”; try as admin, as member, as owner.")
        self.user = user
        roles = [self.fake.guild.roles[r].name for r in self.fake.guild.members[user.id].role_ids]
        self.say(f"(you are now {user.global_name} @{user.username}{' — ' + ', '.join(roles) if roles else ''})")
        return False

    def switch_channel(self, name: str) -> bool:
        channel = self.fake.channels.get(name.strip().removeprefix("#").casefold())
        if channel is None:
            raise UsageError(f"no channel “{name}”; channels: {', '.join('#' + c for c in self.fake.channels)}.")
        self.channel = channel
        self.say(f"(you are now in #{channel.name})")
        return False

    async def wait(self, seconds: str) -> bool:
        try:
            span = float(seconds or "1")
        except ValueError:
            raise UsageError(f"wait takes seconds, e.g. wait 5; not “{seconds}”.") from None
        await self.drain(within=span, quiet=0)
        return False

    def _control(self, number: str, kinds: set[int]) -> Component:
        if self.controls_message is None:
            raise UsageError("no message with buttons or menus yet.")
        try:
            control = self.controls[int(number) - 1]
            if int(number) < 1:
                raise IndexError
        except (ValueError, IndexError):
            raise UsageError(f"the last message has controls 1 to {len(self.controls)}; not “{number}”.") from None
        if control.type not in kinds:
            raise UsageError(f"[{number}] is a {'button' if control.type == 2 else 'menu'}; use "
                             f"{'click' if control.type == 2 else 'select'} {number}.")  # fmt: skip
        return control

    async def click(self, number: str) -> bool:
        control = self._control(number.strip(), {2})
        assert self.controls_message is not None and control.custom_id is not None
        result = await self.fake.click(self.controls_message, control.custom_id, user=self.user,
                                       within=ANSWER_WITHIN, quiet=QUIET)  # fmt: skip
        return await self.show_result(result)

    async def select(self, args: str) -> bool:
        numbers = args.split()
        menus = [c for c in self.controls if c.type != 2]
        if len(numbers) == 1 and len(menus) == 1:
            numbers = [str(self.controls.index(menus[0]) + 1), numbers[0]]
        if len(numbers) < 2:
            raise UsageError("select takes the menu's number and the options' numbers, e.g. select 1 2.")
        control = self._control(numbers[0], {3, 5, 6, 7, 8})
        assert self.controls_message is not None and control.custom_id is not None
        values: list[Any] = []
        for pick in numbers[1:]:
            if control.type == 3:
                try:
                    index = int(pick) - 1
                    if index < 0:
                        raise IndexError
                    values.append(control.options[index].value)
                except (ValueError, IndexError):
                    raise UsageError(f"menu {numbers[0]} has options 1 to {len(control.options)}.") from None
            else:
                kind = {5: 6, 6: 8, 7: 9, 8: 7}[control.type]
                values.append(option_value({"type": kind, "name": "select"}, pick, self.fake))
        result = await self.fake.select(self.controls_message, control.custom_id, values, user=self.user,
                                        within=ANSWER_WITHIN, quiet=QUIET)  # fmt: skip
        return await self.show_result(result)

    async def submit(self, args: str) -> bool:
        if self.form is None or self.form.modal is None:
            raise UsageError("the bot has not opened a form.")
        fields = [f for f in self.form.modal_fields if f.type == 4 and f.custom_id]
        pattern = _key_pattern([{"name": f.custom_id} for f in fields])
        matches = list(pattern.finditer(args)) if pattern else []
        if not matches and len(fields) == 1:
            values = {fields[0].custom_id or "": unquote(args)}
        else:
            values = {
                m.group(1): unquote(args[m.end() : matches[i + 1].start() if i + 1 < len(matches) else len(args)])
                for i, m in enumerate(matches)
            }
        form, self.form = self.form, None
        result = await self.fake.submit_modal(form, values, user=self.user, within=ANSWER_WITHIN, quiet=QUIET)
        return await self.show_result(result)

    async def complete(self, args: str) -> bool:
        parsed = parse_command(args, chat_commands(self.fake), check_required=False)
        option = parsed.last
        if option is None:
            raise UsageError("complete takes a command and an option, e.g. complete /drama title: sountr")
        typed = parsed.values.get(option, "")
        choices = await self.autocomplete(parsed, option, typed)
        self.say("\n".join(choice_lines(option, choices)))
        return False

    async def autocomplete(self, parsed: ParsedCommand, option: str, typed: str) -> list[tuple[str, Any]]:
        """The bot's suggestions for `option` (or the option's fixed choices) given what was typed."""
        schema = next((o for o in parsed.leaf if o["name"] == option), None)
        if schema is None:
            raise UsageError(f"/{parsed.path} has no option {option}:")
        if schema.get("choices"):
            return [(c["name"], c["value"]) for c in schema["choices"]
                    if typed.casefold() in c["name"].casefold()]  # fmt: skip
        if not schema.get("autocomplete"):
            raise UsageError(f"{option}: takes a {OPTION_KINDS.get(schema['type'], 'value')}; the bot does not "
                             "suggest values for it.")  # fmt: skip
        others = self.converted(parsed, skip=option)
        choices = await self.fake.autocomplete(parsed.path, option, typed, others, user=self.user,
                                               channel=self.channel, within=ANSWER_WITHIN)  # fmt: skip
        return [(c.name, c.value) for c in choices]

    def converted(self, parsed: ParsedCommand, skip: str | None = None) -> dict[str, Any]:
        by_name = {o["name"]: o for o in parsed.leaf}
        return {name: option_value(by_name[name], text, self.fake) for name, text in parsed.values.items()
                if name != skip}  # fmt: skip

    async def slash(self, line: str) -> bool:
        commands = chat_commands(self.fake)
        parsed = parse_command(line, commands)
        root = commands[parsed.path.split()[0]]
        needed = root.get("default_member_permissions")
        if needed is not None:
            have = self.fake.guild.channel_permissions(self.channel, self.user.id)
            if (int(needed) == 0 and not have & Permission.ADMINISTRATOR) or have & int(needed) != int(needed):
                raise UsageError(f"Discord hides /{root['name']} from {self.user.global_name}: it needs "
                                 f"{permission_names(int(needed))}. Try: as admin")  # fmt: skip
        result = await self.fake.run_command(parsed.path, self.converted(parsed), user=self.user,
                                             channel=self.channel, within=ANSWER_WITHIN, quiet=QUIET)  # fmt: skip
        return await self.show_result(result)

    async def show_result(self, result: InteractionResult) -> bool:
        """Draw the bot's answer to an interaction; return whether its error handler answered."""
        if result.modal is not None:
            self.form = result
            self.say("\n".join(modal_lines(result.modal, result.modal_fields)))
        drawn = len(self.shown)
        for message in result.messages:
            self.draw(message)
        await self.drain()
        if len(self.shown) == drawn and result.modal is None and not result.messages:
            self.say("(the bot acknowledged it without a message)")
        return result.interaction_id in self.watch.failed_interactions

    async def post(self, line: str) -> bool:
        mention = re.match(rf"@{re.escape(self.fake.bot.global_name or '')}\b|@{self.fake.bot.username}\b", line,
                           re.IGNORECASE)  # fmt: skip
        content = line[mention.end() :].strip() if mention else line
        before = {m.id for m in self.fake.messages(self.channel)}
        await self.fake.post_user_message(self.channel, content, user=self.user, mentions_bot=bool(mention))
        if not mention:
            await self.drain()
            return False

        logged = len(self.watch.logged)

        def answered() -> bool:
            return len(self.watch.logged) > logged or any(
                m.author_id == self.fake.bot.id and m.id not in before for m in self.fake.messages()
            )

        await self.drain(until=answered)
        if not answered():
            self.say(f"(no answer from the bot within {MENTION_WITHIN:.0f} s)")
        return False


def _help_entries(path: list[str], schema: dict[str, Any]) -> list[tuple[str, str]]:
    options = schema.get("options") or []
    subs = [o for o in options if o["type"] in (1, 2)]
    if subs:
        return [entry for sub in subs for entry in _help_entries([*path, sub["name"]], sub)]
    usage = "/" + " ".join(path)
    for option in options:
        usage += f" {option['name']}:" if option.get("required") else f" [{option['name']}:]"
    description = schema.get("description", "")
    needed = schema.get("default_member_permissions")
    if needed is not None:
        description += f" (needs {permission_names(int(needed))})"
    return [(usage, description)]


# ---------------------------------------------------------------------------------------------- tab completion


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
        self.labels: dict[str, str] = {}  # completed line -> the label the bot gave the suggestion
        self.listed: tuple[str, str, list[str]] = ("", "", [])  # (line before the value, line, suggestions)
        self.value_prefix = ""  # the line before the value being completed, if a value is

    def __call__(self, text: str, state: int) -> str | None:
        if state == 0:
            try:
                self.matches = self.complete(text)
            except Exception:  # a completer must never break the prompt
                log.debug("completion of %r failed", text, exc_info=True)
                self.matches = []
        return self.matches[state] if state < len(self.matches) else None

    def complete(self, line: str) -> list[str]:
        """What Tab offers for `line`; several fuzzy suggestions are printed and the line is kept."""
        self.labels = {}
        self.value_prefix = ""
        before, listed_line, suggestions = self.listed
        for start in (listed_line, before):  # a number typed after the listed line, or instead of the value
            typed = line[len(start) :].strip()
            if start and line.startswith(start) and typed.isdigit() and 0 < int(typed) <= len(suggestions):
                return [suggestions[int(typed) - 1]]
        found = self.candidates(line)
        if len(found) > 1 and not all(c.startswith(line) for c in found):
            start = len(self.value_prefix)
            self.listed = (self.value_prefix, line, found)
            out = self.console.out
            out.write("\n")
            for number, candidate in enumerate(found, 1):
                out.write(f"  {number}. {self.labels.get(candidate, candidate[start:])}\n")
            out.write(f"(type a number and Tab to pick)\n{self.console.prompt()}{line}")
            out.flush()
            return [line]
        return found

    def _bot(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=3)

    def candidates(self, line: str) -> list[str]:
        """Whole lines that complete `line`."""
        for prefix in ("complete ", "expect error "):
            if line.startswith(prefix) and line[len(prefix) :].startswith("/"):
                inner = self.candidates(line[len(prefix) :])
                self.labels = {prefix + k: v for k, v in self.labels.items()}
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
            subs = _subcommand_names(root, line)
            return [done + s + " " for s in subs if (done + s).startswith(line.rstrip()) or line.endswith(" ")]
        head = "/" + " ".join(path) + " "
        pattern = _key_pattern(leaf)
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

    def _values(self, schema: dict[str, Any], parsed: ParsedCommand, option: str, typed: str, prefix: str) -> list[str]:
        fake = self.console.fake
        kind = schema["type"]
        if schema.get("choices") or schema.get("autocomplete"):
            choices = self._bot(self.console.autocomplete(parsed, option, typed))
            self.labels.update({prefix + str(value): name for name, value in choices})
            return [str(value) for _name, value in choices]
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


def _typed_so_far() -> str:
    try:
        import readline
    except ImportError:
        return ""
    return readline.get_line_buffer()


def _subcommand_names(schema: dict[str, Any], line: str) -> list[str]:
    options = schema.get("options") or []
    words = line.split()[1:]
    for word in words:
        nested = next((o for o in options if o["type"] in (1, 2) and o["name"] == word), None)
        if nested is None:
            break
        options = nested.get("options") or []
    return [o["name"] for o in options if o["type"] in (1, 2)]


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


# ---------------------------------------------------------------------------------------------- starting up


def sandbox_environment(settings_env: Mapping[str, str], fake: FakeDiscord, database: Path) -> dict[str, str]:
    """The environment `dramabot run` would read, pointed at the fake Discord and the console's database."""
    environ = {k: v for k, v in settings_env.items() if k not in NOT_FOR_THE_SANDBOX}
    environ |= {
        "DISCORD_TOKEN": fake.token,
        "DISCORD_API_BASE": fake.api_base,
        "DATABASE_PATH": str(database),
        "OWNER_IDS": str(fake.owner.id),
    }
    return environ


@contextlib.contextmanager
def bot_log_to(path: Path, level: str) -> Any:
    """Send every log record to `path` while the console runs, so nothing garbles the prompt."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.handlers = [handler]
    root.setLevel(level)
    try:
        yield handler
    finally:
        root.handlers, _ = saved
        root.setLevel(saved[1])
        handler.close()


async def start_bot(bot: Dramabot, token: str, within: float = 30.0) -> asyncio.Task[None]:
    """Log in and connect as `dramabot run` does (start = login + connect); return once discord.py is ready."""
    await bot.login(token)
    connection = asyncio.create_task(bot.connect(), name="dramabot-connect")
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({connection, ready}, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    if connection in done:
        ready.cancel()
        connection.result()
        raise RuntimeError("the bot stopped before it was ready")
    if not done:
        ready.cancel()
        raise TimeoutError(f"the bot was not ready within {within:.0f} s")
    return connection


@contextlib.asynccontextmanager
async def sandbox_bot(
    settings_env: Mapping[str, str], database: Path, *, clock_speed: float = 1.0
) -> AsyncIterator[tuple[FakeDiscord, Dramabot, ErrorWatch]]:
    """Start a fake Discord and the real bot against it; stop both and put discord.py's endpoints back after."""
    watch = ErrorWatch()
    saved_endpoints = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    root = logging.getLogger()
    fake = FakeDiscord()
    await fake.start()
    connection: asyncio.Task[None] | None = None
    bot: Dramabot | None = None
    root.addHandler(watch)
    try:
        settings = Settings.from_env(sandbox_environment(settings_env, fake, database), dotenv=None)
        bot = Dramabot(settings, clock=ScaledClock(clock_speed))
        watch.hook(bot)
        connection = await start_bot(bot, settings.discord_token or "")
        if not fake.commands(None) and bot.tree.get_commands():
            # The database remembers syncing to an earlier fake Discord; this one starts empty.
            await bot.tree.sync()
        yield fake, bot, watch
    finally:
        root.removeHandler(watch)
        if bot is not None:
            await bot.close()
        if connection is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(connection, 5)
        await fake.stop()
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved_endpoints


async def _session(
    settings_env: Mapping[str, str],
    *,
    lines: Sequence[str] | None,
    database: Path | None,
    clock_speed: float,
    stdout: TextIO,
    workdir: Path,
    log_path: Path,
) -> int:
    interactive = lines is None
    path = database or workdir / "dramabot.sqlite3"
    level = Settings.from_env(settings_env, dotenv=None).log_level
    stdout.write("Starting Dramabot against a fake Discord on 127.0.0.1 (no account, no token)...\n")
    stdout.flush()
    with bot_log_to(log_path, level):
        async with sandbox_bot(settings_env, path, clock_speed=clock_speed) as (fake, bot, watch):
            width = min(shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns, DEFAULT_WIDTH) if interactive \
                else DEFAULT_WIDTH  # fmt: skip
            console = Console(fake, bot, watch, stdout, width=width)
            where = "a throwaway copy of the seed catalog" if database is None else str(database)
            names = ", ".join("/" + n for n in chat_commands(fake))
            stdout.write(f"Ready: {len(bot.catalog.shows)} shows in {where}. Commands: {names}\n")
            if clock_speed != 1:
                stdout.write(f"Clock: the bot's clock (bot.clock) runs {clock_speed:g}× faster; only features that"
                             " read it speed up, everything else runs in real time.\n")  # fmt: skip
            stdout.write("Type help for the commands, quit to leave.\n" if interactive else "")
            stdout.flush()
            if lines is None:
                return await _interactive(console, log_path)
            return await _scripted(console, lines)


async def _scripted(console: Console, lines: Sequence[str]) -> int:
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


async def _interactive(console: Console, log_path: Path) -> int:
    loop = asyncio.get_running_loop()
    install_readline(Completer(console, loop))
    console.say(f"(the bot's log goes to {log_path})")
    while not console.done:
        watcher = asyncio.create_task(console.watch_in_background())
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


def run_console(
    settings_env: Mapping[str, str],
    *,
    script: Path | None = None,
    database: Path | None = None,
    clock_speed: float = 1.0,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Run the bot against a fake Discord and talk to it; return 0, 1 if the bot answered a line with an error."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if clock_speed <= 0:
        stdout.write("dramabot console: --clock-speed must be more than 0.\n")
        return EXIT_USAGE
    if script is not None and not script.is_file():
        stdout.write(f"dramabot console: no script file {script}.\n")
        return EXIT_USAGE
    # A script, or lines piped in, run to the end; a terminal gets the prompt.
    lines: list[str] | None = None
    if script is not None:
        lines = script.read_text(encoding="utf-8").splitlines()
    elif not stdin.isatty():
        lines = stdin.read().splitlines()
    handle, name = tempfile.mkstemp(prefix="dramabot-console-", suffix=".log")
    os.close(handle)
    log_path = Path(name)
    status = EXIT_USAGE
    try:
        with tempfile.TemporaryDirectory(prefix="dramabot-console-") as workdir:
            status = asyncio.run(
                _session(settings_env, lines=lines, database=database, clock_speed=clock_speed, stdout=stdout,
                         workdir=Path(workdir), log_path=log_path)
            )  # fmt: skip
    except KeyboardInterrupt:
        status = EXIT_OK
    except DramabotError as error:
        stdout.write(f"dramabot console: {error.message}\n")
    except Exception as error:
        stdout.write(f"dramabot console: the bot did not start: {error!r}; see {log_path}\n")
        return EXIT_USAGE
    if _only_quiet_records(log_path):
        log_path.unlink(missing_ok=True)
    else:
        stdout.write(f"(the bot logged errors; its log is kept at {log_path})\n")
    return status


def _only_quiet_records(path: Path) -> bool:
    """Whether the log holds no error and no objection from the fake Discord, so there is no reason to keep it.

    (discord.py warns on every start that voice is unsupported; that is no reason.)
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    return not re.search(r" (ERROR|CRITICAL) |Discord would object", text)


__all__ = ["parse_command", "run_console"]
