"""Draw what the bot sent to the fake Discord as terminal text: boxed embeds, numbered buttons and menus.

Plain functions over the sandbox's message data (no `discord` import), so they are tested as text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.cards import render_timestamps
from bot.sandbox import Component, Message

DEFAULT_WIDTH = 78
INTERACTIVE_TYPES = {2, 3, 5, 6, 7, 8}  # buttons and every kind of select menu
SELECT_KINDS = {3: "menu", 5: "user menu", 6: "role menu", 7: "user or role menu", 8: "channel menu"}


@dataclass(frozen=True, slots=True)
class Names:
    """Who and what mentions point at, so `<@123>` reads as `@Min-jun`, `<#456>` as `#trivia`."""

    users: Mapping[int, str] = field(default_factory=dict)
    channels: Mapping[int, str] = field(default_factory=dict)
    roles: Mapping[int, str] = field(default_factory=dict)


_MENTION = re.compile(r"<(@!?|@&|#)(\d+)>")


def readable(text: str, names: Names, tz: dt.tzinfo | None = None, now: dt.datetime | None = None) -> str:
    """Show text as a Discord reader sees it: local times, names for mentions, no `**` bold markers.

    Relative times ("in 3 minutes") count from `now`: the bot's clock, which `--clock-speed` runs ahead of ours.
    """

    def name(match: re.Match[str]) -> str:
        kind, ident = match.group(1), int(match.group(2))
        if kind == "#":
            return "#" + names.channels.get(ident, "unknown-channel")
        table = names.roles if kind == "@&" else names.users
        return "@" + table.get(ident, "unknown")

    return _MENTION.sub(name, render_timestamps(text, tz=tz, now=now)).replace("**", "")


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message drawn as text, and its clickable components in the order they are numbered."""

    text: str
    controls: tuple[Component, ...]


def display_width(text: str) -> int:
    """Count the terminal columns `text` takes: Hangul and other wide characters take two."""
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text
    )


def wrap(text: str, width: int) -> list[str]:
    """Wrap one paragraph to `width` display columns, breaking words only when one is longer than a line."""
    stripped = text.lstrip(" ")
    indent = text[: len(text) - len(stripped)][: width // 2]  # keep an indented line's indent on each part
    lines: list[str] = []
    current = indent
    for word in stripped.split(" "):
        candidate = f"{current} {word}" if current.strip() else indent + word
        if display_width(candidate) <= width:
            current = candidate
            continue
        if current.strip():
            lines.append(current)
        word = indent + word
        while display_width(word) > width:
            cut = _cut(word, width)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    lines.append(current)
    return lines


def _cut(word: str, width: int) -> int:
    used = 0
    for index, ch in enumerate(word):
        used += display_width(ch)
        if used > width:
            return max(index, 1)
    return len(word)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


def box(title: str, sections: Sequence[Sequence[str]], width: int = DEFAULT_WIDTH) -> list[str]:
    """Draw a box `width` columns wide: the title, then each section of lines under a rule."""
    inner = width - 4
    top = "╭" + "─" * (width - 2) + "╮"
    rule = "├" + "─" * (width - 2) + "┤"
    bottom = "╰" + "─" * (width - 2) + "╯"
    out = [top]
    if title:
        out += [f"│ {_pad(line, inner)} │" for line in wrap(title, inner)]
    for section in sections:
        if not section:
            continue
        if len(out) > 1:
            out.append(rule)
        for paragraph in section:
            out += [f"│ {_pad(line, inner)} │" for line in wrap(paragraph, inner)]
    out.append(bottom)
    return out


def embed_lines(
    embed: dict[str, Any],
    *,
    names: Names = Names(),
    tz: dt.tzinfo | None = None,
    width: int = DEFAULT_WIDTH,
    now: dt.datetime | None = None,
) -> list[str]:
    """Draw one embed as a boxed card: title, author, description, fields, image, footer."""

    def local(text: str) -> str:
        return readable(text, names, tz, now)

    head: list[str] = []
    author = (embed.get("author") or {}).get("name")
    if author:
        head.append(local(author))
    if embed.get("description"):
        head += local(embed["description"]).splitlines() or [""]
    body: list[str] = []
    for item in embed.get("fields", []):
        name, value = local(item.get("name", "")), local(item.get("value", ""))
        values = value.splitlines() or [""]
        if len(values) == 1 and display_width(f"{name}: {values[0]}") <= width - 4:
            body.append(f"{name}: {values[0]}")
        else:
            body.append(f"{name}:")
            body += [f"  {line}" for line in values]
    media: list[str] = []
    if (embed.get("image") or {}).get("url"):
        media.append(f"Image: {embed['image']['url']}")
    if (embed.get("thumbnail") or {}).get("url"):
        media.append(f"Thumbnail: {embed['thumbnail']['url']}")
    if embed.get("url"):
        media.append(f"Link: {embed['url']}")
    foot: list[str] = []
    footer = (embed.get("footer") or {}).get("text")
    if footer or embed.get("timestamp"):
        stamp = _iso_local(embed["timestamp"], tz) if embed.get("timestamp") else ""
        foot.append(" · ".join(part for part in (local(footer or ""), stamp) if part))
    return box(local(embed.get("title", "")), [head, body, media, foot], width)


def _iso_local(value: str, tz: dt.tzinfo | None) -> str:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.astimezone(tz).strftime("%d %B %Y %H:%M %Z")


def component_lines(components: Iterable[Component], first_number: int = 1) -> tuple[list[str], list[Component]]:
    """Number the buttons and menus a user can use (`click N`, `select N ...`); list links and text as they are."""
    lines: list[str] = []
    controls: list[Component] = []
    for component in components:
        disabled = " (disabled)" if component.disabled else ""
        if component.type == 2 and component.url:
            lines.append(f"  ↗ {component.label or 'link'}: {component.url}")
        elif component.type in INTERACTIVE_TYPES:
            number = first_number + len(controls)
            controls.append(component)
            if component.type == 2:
                lines.append(f"  [{number}] button: {component.label or component.custom_id}{disabled}")
            else:
                kind = SELECT_KINDS.get(component.type, "menu")
                picks = _pick_range(component)
                lines.append(f"  [{number}] {kind}: {component.placeholder or 'choose'}{picks}{disabled}")
                for index, option in enumerate(component.options, 1):
                    detail = f" ({option.description})" if option.description else ""
                    lines.append(f"        {index}. {option.label}{detail}")
        elif component.type == 10 and component.label:
            lines += [f"  {line}" for line in component.label.splitlines()]
    return lines, controls


def _pick_range(component: Component) -> str:
    low, high = component.min_values or 1, component.max_values or 1
    if low == high == 1:
        return ""
    return f" (pick {low}-{high})" if low != high else f" (pick {low})"


def render_message(
    message: Message,
    *,
    author: str,
    channel: str | None = None,
    note: str = "",
    names: Names = Names(),
    tz: dt.tzinfo | None = None,
    width: int = DEFAULT_WIDTH,
    now: dt.datetime | None = None,
) -> Rendered:
    """Draw a message: `[#channel] Author (note): content`, its embeds as cards, then its components."""
    tag = f"[#{channel}] " if channel else ""
    label = f"{tag}{author}{f' ({note})' if note else ''}:"
    content = readable(message.content, names, tz, now).splitlines()
    lines = [f"{label} {content[0]}" if content else label] + [f"  {line}" for line in content[1:]]
    for embed in message.embeds:
        lines += embed_lines(embed, names=names, tz=tz, width=width, now=now)
    for attachment in message.attachments:
        lines.append(f"  📎 {attachment.filename} ({attachment.size} bytes)")
    extra, controls = component_lines(message.components)
    lines += extra
    return Rendered("\n".join(lines), tuple(controls))


def modal_lines(modal: dict[str, Any], fields: Sequence[Component]) -> list[str]:
    """Draw a form the bot opened, with the names `submit` takes."""
    lines = [f"The bot opened a form: {modal.get('title', '')}"]
    for item in fields:
        if item.type != 4:
            continue
        required = "" if item.raw.get("required", True) is False else " (required)"
        lines.append(f"  {item.custom_id}: {item.label}{required}")
    lines.append("  Fill it in with: submit " + " ".join(f"{f.custom_id}: ..." for f in fields if f.type == 4))
    return lines


def choice_lines(option: str, names: Sequence[str]) -> list[str]:
    """List the bot's autocomplete suggestions as Discord shows them above the message box: by name only."""
    if not names:
        return [f"The bot suggests nothing for {option}:."]
    return [f"The bot suggests for {option}: ({len(names)})", *(f"  {i}. {name}" for i, name in enumerate(names, 1))]
