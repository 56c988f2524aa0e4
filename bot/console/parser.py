"""Turn a typed line into a command and its options, read against the commands the bot synced.

Plain functions over the sandbox's data (no `discord` import): `/drama title: soundtrak 1` becomes the path
"drama" and `{"title": "soundtrak 1"}`, and each typed value becomes what the fake Discord sends for its kind.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.sandbox import FakeChannel, FakeDiscord, FakeRole, FakeUser, Permission, Upload

# A command or option as Discord stores it after a sync: JSON, read with the keys Discord documents.
Schema = dict[str, Any]
# What a fixed choice or an autocomplete suggestion sends.
ChoiceValue = str | int | float
# What the fake Discord accepts as an option's value.
OptionValue = ChoiceValue | bool | FakeUser | FakeRole | FakeChannel | Upload

SUBCOMMAND_KINDS = (1, 2)  # a subcommand, a subcommand group
TRUE_WORDS = {"true", "yes", "on", "1", "y"}
FALSE_WORDS = {"false", "no", "off", "0", "n"}
OPTION_KINDS = {3: "text", 4: "whole number", 5: "true/false", 6: "@user", 7: "#channel", 8: "@role",
                9: "@user or @role", 10: "number", 11: "file path"}  # fmt: skip
DISCORD_PERMISSION_NAMES = {"MANAGE_GUILD": "Manage Server"}  # what Discord's own settings call them


class UsageError(Exception):
    """A line the console cannot send: unknown command, missing option, a value of the wrong kind."""


def chat_commands(fake: FakeDiscord) -> dict[str, Schema]:
    """Return the slash commands the bot synced, guild ones over global ones, by name."""
    found = {c["name"]: c for c in fake.commands(None) if c.get("type", 1) == 1}
    found |= {c["name"]: c for c in fake.commands(fake.guild_id) if c.get("type", 1) == 1}
    return dict(sorted(found.items()))


@dataclasses.dataclass(frozen=True, slots=True)
class ParsedCommand:
    """A typed slash command: its path, the options it takes, and the text typed for each."""

    path: str  # "drama", or with subcommands "announce channel"
    leaf: tuple[Schema, ...]  # the option schemas the command takes
    values: dict[str, str]  # option name -> the text typed for it
    last: str | None  # the option typed last (what `complete` asks about)
    rest: str  # everything after the command path


def split_command(line: str, commands: Mapping[str, Schema]) -> tuple[list[str], list[Schema], str]:
    """Split `/announce channel channel: #x` into (["announce", "channel"], leaf option schemas, rest)."""
    text = line.strip().removeprefix("/")
    root, _, rest = text.partition(" ")
    schema = commands.get(root)
    if schema is None:
        near = [name for name in commands if name.startswith(root[:2])] or list(commands)
        raise UsageError(f"there is no command /{root}; the bot has " + ", ".join(f"/{n}" for n in near) + ".")
    path = [root]
    options: list[Schema] = schema.get("options") or []
    while any(o["type"] in SUBCOMMAND_KINDS for o in options):
        subs = [o for o in options if o["type"] in SUBCOMMAND_KINDS]
        word, _, after = rest.strip().partition(" ")
        found = next((o for o in subs if o["name"] == word), None)
        if found is None:
            names = ", ".join(o["name"] for o in subs)
            raise UsageError(f"/{' '.join(path)} needs one of: {names}.")
        path.append(word)
        options = found.get("options") or []
        rest = after
    return path, options, rest


def subcommand_names(schema: Schema, line: str) -> list[str]:
    """Return the subcommands (or groups) that may follow what `line` typed of the command `schema`."""
    options: list[Schema] = schema.get("options") or []
    for word in line.split()[1:]:
        nested = next((o for o in options if o["type"] in SUBCOMMAND_KINDS and o["name"] == word), None)
        if nested is None:
            break
        options = nested.get("options") or []
    return [o["name"] for o in options if o["type"] in SUBCOMMAND_KINDS]


def option_name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """Match `name:` for any of `names` at the start or after a space; longest first, so `show_id:` beats `show:`."""
    ordered = sorted(names, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"(?:(?<=\s)|^)(" + "|".join(map(re.escape, ordered)) + r"):")


def unquote(text: str) -> str:
    """Strip the spaces around a typed value and the quotes around it, if it has matching ones."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'“":
        return text[1:-1]
    if len(text) >= 2 and text[0] == "“" and text[-1] == "”":
        return text[1:-1]
    return text


def named_values(text: str, names: Iterable[str]) -> tuple[str, list[tuple[str, str]]]:
    """Split `a b: one c: "two"` into the text before the first name ("a") and (name, unquoted value) pairs."""
    pattern = option_name_pattern(names)
    matches = list(pattern.finditer(text)) if pattern else []
    head = text[: matches[0].start()] if matches else text
    pairs = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        pairs.append((match.group(1), unquote(text[match.end() : end])))
    return head, pairs


def parse_command(line: str, commands: Mapping[str, Schema], *, check_required: bool = True) -> ParsedCommand:
    """Read `/cmd [sub...] name: value other: "a value"`; a lone required option may be typed without `name:`."""
    path, leaf, rest = split_command(line, commands)
    head, named = named_values(rest, (o["name"] for o in leaf))
    values: dict[str, str] = {}
    if head.strip():
        required = [o for o in leaf if o.get("required")]
        lone = required[0] if len(required) == 1 else (leaf[0] if len(leaf) == 1 else None)
        if lone is None:
            wanted = " ".join(f"{o['name']}:" for o in leaf) or "no options"
            raise UsageError(f"write the options as name: value; /{' '.join(path)} takes {wanted}.")
        values[lone["name"]] = unquote(head)
    for name, value in named:
        if name in values:  # "/drama goblin title: vincenzo": which one was meant is not for us to guess
            raise UsageError(f"{name}: is given twice, “{values[name]}” and “{value}”; keep one.")
        values[name] = value
    last = named[-1][0] if named else (next(iter(values)) if values else None)
    if check_required:
        missing = [o["name"] for o in leaf if o.get("required") and o["name"] not in values]
        if missing:
            raise UsageError(f"/{' '.join(path)} needs " + ", ".join(f"{name}:" for name in missing))
    return ParsedCommand(" ".join(path), tuple(leaf), values, last, rest)


def option_value(schema: Schema, text: str, fake: FakeDiscord) -> OptionValue:
    """Turn what the user typed into the value the fake sends for an option of this kind."""
    kind, name = schema["type"], schema["name"]
    choices: list[Schema] = schema.get("choices") or []
    if choices:
        for choice in choices:
            if text.casefold() in (choice["name"].casefold(), str(choice["value"]).casefold()):
                value: ChoiceValue = choice["value"]
                return value
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
    """Find the user whose username or display name is `text` (with or without the @)."""
    wanted = text.removeprefix("@").casefold()
    for user in fake.users.values():
        if wanted in (user.username.casefold(), (user.global_name or "").casefold()):
            return user
    return None


def user_names(fake: FakeDiscord) -> list[str]:
    """List the usernames of the people (not bots) in the fake Discord."""
    return [u.username for u in fake.users.values() if not u.bot]


def permission_names(bits: int) -> str:
    """Name the permissions in `bits` as Discord's settings do."""
    names = [DISCORD_PERMISSION_NAMES.get(p.name, p.name.replace("_", " ").title())
             for p in Permission if p.name and bits & p.value]  # fmt: skip
    return ", ".join(names) or "administrators only"


def help_entries(path: Sequence[str], schema: Schema) -> list[tuple[str, str]]:
    """List (usage, description) for the command `schema` at `path` and each of its subcommands."""
    options: list[Schema] = schema.get("options") or []
    subs = [o for o in options if o["type"] in SUBCOMMAND_KINDS]
    if subs:
        return [entry for sub in subs for entry in help_entries([*path, sub["name"]], sub)]
    usage = "/" + " ".join(path)
    for option in options:
        usage += f" {option['name']}:" if option.get("required") else f" [{option['name']}:]"
    description: str = schema.get("description", "")
    needed = schema.get("default_member_permissions")
    if needed is not None:
        description += f" (needs {permission_names(int(needed))})"
    return [(usage, description)]
