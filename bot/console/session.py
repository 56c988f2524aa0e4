"""One person at the keyboard: run each console line against the fake Discord and draw what the bot answered."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from typing import TextIO

from bot.app import Dramabot
from bot.console.parser import (
    OPTION_KINDS,
    ChoiceValue,
    OptionValue,
    ParsedCommand,
    UsageError,
    chat_commands,
    find_user,
    help_entries,
    named_values,
    option_value,
    parse_command,
    permission_names,
    unquote,
)
from bot.console.render import DEFAULT_WIDTH, Names, Rendered, choice_lines, modal_lines, render_message, wrap
from bot.console.watch import ErrorWatch
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
)

log = logging.getLogger(__name__)

ANSWER_WITHIN = 15.0  # seconds the bot may take to answer one interaction (a deferred /ask may be slow)
QUIET = 0.15  # seconds without a new bot message before a script goes on to the next line
MENTION_WITHIN = 5.0  # seconds to wait for the bot to answer a message that mentions it

CONSOLE_HELP = [
    ("as admin | as member", "switch who is typing (admin: Hana, with Manage Server; member: Min-jun)"),
    ("channel #name", "switch channel"),
    ("@Dramabot TEXT", "post a message that mentions the bot in this channel (other text is posted as is)"),
    ("click N", "press button N of the last message with buttons in this channel"),
    ("select N OPTION...", "pick options (by number) in menu N; `select OPTION` when there is one menu"),
    ("submit FIELD: VALUE ...", "fill in and send the form the bot opened"),
    ("complete /COMMAND ... OPTION: TEXT", "show the bot's autocomplete suggestions for what you typed"),
    ("wait SECONDS", "let real time pass; posts the bot makes on its own appear as they come"),
    ("expect error LINE", "run LINE, which should fail (for scripts: the failure does not count)"),
    ("help | quit", "this list | leave (Ctrl-D works too)"),
]


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
        # Per channel, the last message with buttons or menus: `click` acts in the channel you are in, as in Discord.
        self.controls_in: dict[int, tuple[Message, tuple[Component, ...]]] = {}
        self.form: InteractionResult | None = None
        self.suggested: dict[str, ChoiceValue] = {}  # autocomplete names shown -> the values the bot gave them
        self.done = False

    @property
    def controls_message(self) -> Message | None:
        """The last message with buttons or menus in the current channel."""
        found = self.controls_in.get(self.channel.id)
        return found[0] if found else None

    @property
    def controls(self) -> tuple[Component, ...]:
        """The buttons and menus of that message, in the order they are numbered."""
        found = self.controls_in.get(self.channel.id)
        return found[1] if found else ()

    # -- output

    def say(self, text: str) -> None:
        """Print one line (or several) to the person."""
        self.out.write(text + "\n")
        self.out.flush()

    def prompt(self) -> str:
        """Return the prompt: who is typing, and where."""
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
                                            names=self.names(), width=self.width, now=self.bot.clock.now())  # fmt: skip
        self.say(rendered.text)
        if rendered.controls:
            self.controls_in[message.channel_id] = (message, rendered.controls)

    def names(self) -> Names:
        """Return the names mentions point at: every user, channel and role in the fake Discord."""
        fake = self.fake
        return Names(
            users={u.id: u.global_name or u.username for u in fake.users.values()},
            channels={c.id: c.name for g in fake.guilds.values() for c in g.channels.values()},
            roles={r.id: r.name for g in fake.guilds.values() for r in g.roles.values()},
        )

    def drain_now(self) -> float:
        """Draw every bot message that arrived or changed and is not drawn yet; return when the newest happened."""
        newest = 0.0
        while not self.events.empty():
            event = self.events.get_nowait()
            newest = event.at
            if event.kind != "delete" and event.message.author_id == self.fake.bot.id:
                self.draw(event.message, own=event.message.interaction_id is None)
        return newest

    async def drain(
        self,
        *,
        quiet: float = QUIET,
        within: float = 0.0,
        until: Callable[[], bool] | None = None,
        quiet_since: float | None = None,
    ) -> None:
        """Draw bot messages as they come: for `within` s at least, then until none came for `quiet` s.

        quiet_since: the bot has been quiet since then (`time.monotonic`), e.g. an interaction's last activity,
        so the quiet already waited for counts; by default it counts from now.
        """
        start = time.monotonic()
        last = start if quiet_since is None else min(quiet_since, start)
        while True:
            last = max(last, self.drain_now())
            now = time.monotonic()
            if now - start >= within and now - last >= quiet and (until is None or until()):
                return
            if until is not None and not until() and now - start >= max(within, MENTION_WITHIN):
                return
            try:
                event = await asyncio.wait_for(self.events.get(), 0.05)
            except TimeoutError:
                continue
            self.events.put_nowait(event)  # draw it in order with the rest, on the next turn

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
        """List the commands the bot synced, then the console's own."""
        lines = ["Commands the bot synced:"]
        commands = chat_commands(self.fake)
        entries: list[tuple[str, str]] = []
        for command in commands.values():
            entries += help_entries([command["name"]], command)
        for usage, description in entries:
            lines.append(f"  {usage}")
            lines += [f"      {part}" for part in wrap(description, self.width - 6)]
        lines.append("Console:")
        for usage, description in CONSOLE_HELP:
            lines.append(f"  {usage}")
            lines += [f"      {part}" for part in wrap(description, self.width - 6)]
        return "\n".join(lines)

    def switch_user(self, who: str) -> bool:
        """Type as someone else from now on (`as admin`)."""
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
        """Type in another channel from now on (`channel #trivia`)."""
        channel = self.fake.channels.get(name.strip().removeprefix("#").casefold())
        if channel is None:
            raise UsageError(f"no channel “{name}”; channels: {', '.join('#' + c for c in self.fake.channels)}.")
        self.channel = channel
        self.say(f"(you are now in #{channel.name})")
        return False

    async def wait(self, seconds: str) -> bool:
        """Let `seconds` of real time pass, drawing what the bot posts meanwhile."""
        try:
            span = float(seconds or "1")
        except ValueError:
            raise UsageError(f"wait takes seconds, e.g. wait 5; not “{seconds}”.") from None
        await self.drain(within=span, quiet=0)
        return False

    def _require_controls(self) -> None:
        """Refuse a click or pick where the current channel has no message with buttons or menus."""
        if self.controls_message is None:
            elsewhere = [self.fake.channel(i).name for i in self.controls_in if i != self.channel.id]
            hint = f"; there are some in {', '.join('#' + n for n in elsewhere)} (channel #name)" if elsewhere else ""
            raise UsageError(f"no message with buttons or menus in #{self.channel.name} yet{hint}.")

    def _control(self, number: str, kinds: set[int]) -> Component:
        self._require_controls()
        try:
            control = self.controls[int(number) - 1]
            if int(number) < 1:
                raise IndexError
        except (ValueError, IndexError):
            raise UsageError(f"the last message with controls in #{self.channel.name} has 1 to {len(self.controls)};"
                             f" not “{number}”.") from None  # fmt: skip
        if control.type not in kinds:
            raise UsageError(f"[{number}] is a {'button' if control.type == 2 else 'menu'}; use "
                             f"{'click' if control.type == 2 else 'select'} {number}.")  # fmt: skip
        return control

    async def click(self, number: str) -> bool:
        """Press button `number` of the last message with controls."""
        control = self._control(number.strip(), {2})
        assert self.controls_message is not None and control.custom_id is not None
        result = await self.fake.click(self.controls_message, control.custom_id, user=self.user,
                                       within=ANSWER_WITHIN, quiet=QUIET)  # fmt: skip
        return await self.show_result(result)

    async def select(self, args: str) -> bool:
        """Pick options in a menu of the last message with controls (`select 1 2`, or `select 2` for a lone menu)."""
        self._require_controls()
        numbers = args.split()
        menus = [c for c in self.controls if c.type != 2]
        if len(numbers) == 1 and len(menus) == 1:
            numbers = [str(self.controls.index(menus[0]) + 1), numbers[0]]
        if len(numbers) < 2:
            raise UsageError("select takes the menu's number and the options' numbers, e.g. select 1 2.")
        control = self._control(numbers[0], {3, 5, 6, 7, 8})
        assert self.controls_message is not None and control.custom_id is not None
        values: list[OptionValue] = []
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
        """Fill in and send the form the bot opened (`submit title: Moonlit Tour`)."""
        if self.form is None or self.form.modal is None:
            raise UsageError("the bot has not opened a form.")
        fields = [f for f in self.form.modal_fields if f.type == 4 and f.custom_id]
        _head, named = named_values(args, (f.custom_id or "" for f in fields))
        values = {fields[0].custom_id or "": unquote(args)} if not named and len(fields) == 1 else dict(named)
        form, self.form = self.form, None
        result = await self.fake.submit_modal(form, values, user=self.user, within=ANSWER_WITHIN, quiet=QUIET)
        return await self.show_result(result)

    async def complete(self, args: str) -> bool:
        """Show the bot's suggestions for the option typed last (`complete /drama title: sountr`)."""
        parsed = parse_command(args, chat_commands(self.fake), check_required=False)
        option = parsed.last
        if option is None:
            raise UsageError("complete takes a command and an option, e.g. complete /drama title: sountr")
        typed = parsed.values.get(option, "")
        choices = await self.autocomplete(parsed, option, typed)
        self.say("\n".join(choice_lines(option, [name for name, _value in choices])))
        return False

    async def autocomplete(self, parsed: ParsedCommand, option: str, typed: str) -> list[tuple[str, ChoiceValue]]:
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
        # As in Discord, the user picks a suggestion by its name and the bot receives its value.
        self.suggested.update((c.name, c.value) for c in choices)
        return [(c.name, c.value) for c in choices]

    def converted(self, parsed: ParsedCommand, skip: str | None = None) -> dict[str, OptionValue]:
        """Turn each typed option (but `skip`) into what the fake Discord sends for it."""
        by_name = {o["name"]: o for o in parsed.leaf}
        return {
            name: self.suggested[text]
            if by_name[name].get("autocomplete") and text in self.suggested
            else option_value(by_name[name], text, self.fake)
            for name, text in parsed.values.items()
            if name != skip
        }

    async def slash(self, line: str) -> bool:
        """Run a slash command as the current user, if Discord would show it to them."""
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
        await self.drain(quiet_since=result.last_activity)  # the fake waited for the interaction to go quiet
        if len(self.shown) == drawn and result.modal is None and not result.messages:
            self.say("(the bot acknowledged it without a message)")
        return result.interaction_id in self.watch.failed_interactions

    async def post(self, line: str) -> bool:
        """Post a message in the current channel; if it mentions the bot, wait for the bot's answer."""
        mention = re.match(rf"@{re.escape(self.fake.bot.global_name or '')}\b|@{self.fake.bot.username}\b", line,
                           re.IGNORECASE)  # fmt: skip
        content = line[mention.end() :].strip() if mention else line
        word = line.split(maxsplit=1)[0].casefold()
        if not mention and word in chat_commands(self.fake):
            # Discord would post "drama goblin" as chat, which the bot never reads: say so instead of posting it.
            raise UsageError(f"“{line}” would be a plain chat message, and the bot answers only commands and "
                             f"mentions; did you mean /{line}?")  # fmt: skip
        before = {m.id for m in self.fake.messages(self.channel)}
        await self.fake.post_user_message(self.channel, content, user=self.user, mentions_bot=bool(mention))
        if not mention:
            await self.drain()
            self.say(f"(posted in #{self.channel.name}; the bot answers messages that mention @Dramabot, and "
                     "/commands)")  # fmt: skip
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
