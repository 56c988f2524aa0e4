"""The fake Discord's world: users, roles, channels, guilds, and the messages people see.

Every class here renders itself as the JSON Discord would send, so the server never builds payloads by hand.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import itertools
import time
from collections.abc import Iterator
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000


class SnowflakeFactory:
    """Hand out increasing snowflakes whose embedded time is now, like Discord's.

    Given `first`, it counts up from there instead until `count_no_more()`: the same ids on every start.
    """

    def __init__(self, first: int | None = None) -> None:
        self._last = 0 if first is None else first - 1
        self._counting = first is not None

    def count_no_more(self) -> None:
        """From now on hand out snowflakes of the current time (later than any counted one)."""
        self._counting = False

    def __call__(self) -> int:
        if self._counting:
            self._last += 1
            return self._last
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last


def iso_now() -> str:
    """Return the current time the way Discord writes timestamps."""
    return datetime.datetime.now(datetime.UTC).isoformat()


class Permission(enum.IntFlag):
    """The permission bits the fake computes with (a subset of Discord's)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    SEND_MESSAGES_IN_THREADS = 1 << 38


ALL_PERMISSIONS = (1 << 51) - 1
EVERYONE_PERMISSIONS = (
    Permission.CREATE_INSTANT_INVITE
    | Permission.ADD_REACTIONS
    | Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.CHANGE_NICKNAME
    | Permission.USE_APPLICATION_COMMANDS
    | Permission.SEND_MESSAGES_IN_THREADS
)
BOT_ROLE_PERMISSIONS = EVERYONE_PERMISSIONS | Permission.MENTION_EVERYONE | Permission.MANAGE_MESSAGES


class ChannelType(enum.IntEnum):
    TEXT = 0
    DM = 1
    VOICE = 2
    CATEGORY = 4
    NEWS = 5


@dataclasses.dataclass(eq=False)
class FakeUser:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclasses.dataclass(eq=False)
class FakeRole:
    id: int
    name: str
    permissions: int
    position: int = 0
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclasses.dataclass(eq=False)
class Overwrite:
    """A channel permission overwrite for a role (kind 0) or a member (kind 1)."""

    target_id: int
    kind: int
    allow: int = 0
    deny: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"id": str(self.target_id), "type": self.kind, "allow": str(self.allow), "deny": str(self.deny)}


@dataclasses.dataclass(eq=False)
class FakeChannel:
    id: int
    name: str
    guild_id: int | None
    type: ChannelType = ChannelType.TEXT
    position: int = 0
    topic: str | None = None
    overwrites: list[Overwrite] = dataclasses.field(default_factory=list)
    recipient: FakeUser | None = None

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    @property
    def is_dm(self) -> bool:
        return self.type == ChannelType.DM

    def to_json(self) -> dict[str, Any]:
        if self.is_dm:
            assert self.recipient is not None
            return {
                "id": str(self.id),
                "type": int(self.type),
                "last_message_id": None,
                "recipients": [self.recipient.to_json()],
                "flags": 0,
            }
        return {
            "id": str(self.id),
            "type": int(self.type),
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [o.to_json() for o in self.overwrites],
            "topic": self.topic,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "flags": 0,
        }


@dataclasses.dataclass(eq=False)
class FakeMember:
    user: FakeUser
    role_ids: list[int]
    joined_at: str = dataclasses.field(default_factory=iso_now)
    nick: str | None = None

    def to_json(self, *, with_user: bool = True, permissions: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.role_ids],
            "joined_at": self.joined_at,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "premium_since": None,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.to_json()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclasses.dataclass(eq=False)
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = dataclasses.field(default_factory=dict)
    channels: dict[str, FakeChannel] = dataclasses.field(default_factory=dict)
    members: dict[int, FakeMember] = dataclasses.field(default_factory=dict)
    joined_at: str = dataclasses.field(default_factory=iso_now)

    @property
    def everyone(self) -> FakeRole:
        return self.roles[self.id]

    def role(self, name: str) -> FakeRole:
        """Return the role called `name`."""
        for role in self.roles.values():
            if role.name == name:
                return role
        raise KeyError(f"no role {name!r} in guild {self.name!r}; roles: {[r.name for r in self.roles.values()]}")

    def base_permissions(self, user_id: int) -> int:
        """Compute a member's guild-wide permissions the way Discord does."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        perms = self.everyone.permissions
        if member is not None:
            for role_id in member.role_ids:
                role = self.roles.get(role_id)
                if role is not None:
                    perms |= role.permissions
        if perms & Permission.ADMINISTRATOR:
            return ALL_PERMISSIONS
        return perms

    def channel_permissions(self, channel: FakeChannel, user_id: int) -> int:
        """Apply the channel's overwrites (everyone, then roles, then the member) to the base permissions."""
        perms = self.base_permissions(user_id)
        if perms & Permission.ADMINISTRATOR:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        role_ids = set(member.role_ids) if member else set()
        by_target = {(o.kind, o.target_id): o for o in channel.overwrites}
        everyone = by_target.get((0, self.id))
        if everyone:
            perms = (perms & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for overwrite in channel.overwrites:
            if overwrite.kind == 0 and overwrite.target_id in role_ids:
                allow |= overwrite.allow
                deny |= overwrite.deny
        perms = (perms & ~deny) | allow
        own = by_target.get((1, user_id))
        if own:
            perms = (perms & ~own.deny) | own.allow
        return perms

    def to_json(self, *, full: bool = True) -> dict[str, Any]:
        """Render the guild as GUILD_CREATE (full) or as GET /guilds/{id} (not full)."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "region": "deprecated",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "features": [],
            "roles": [r.to_json() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "system_channel_id": str(next(iter(self.channels.values())).id) if self.channels else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "application_id": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
        }
        if full:
            data.update(
                {
                    "joined_at": self.joined_at,
                    "large": False,
                    "unavailable": False,
                    "lazy": True,
                    "member_count": len(self.members),
                    "members": [m.to_json() for m in self.members.values()],
                    "channels": [c.to_json() for c in self.channels.values()],
                    "threads": [],
                    "presences": [],
                    "voice_states": [],
                    "stage_instances": [],
                    "guild_scheduled_events": [],
                    "soundboard_sounds": [],
                }
            )
        return data


@dataclasses.dataclass(frozen=True)
class Upload:
    """A file a user attaches to a slash command option."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


@dataclasses.dataclass(frozen=True)
class Attachment:
    id: int
    filename: str
    data: bytes
    content_type: str | None
    description: str | None
    url: str

    @property
    def size(self) -> int:
        return len(self.data)


@dataclasses.dataclass(frozen=True)
class SelectOption:
    label: str
    value: str
    description: str | None = None
    default: bool = False


@dataclasses.dataclass(frozen=True)
class Component:
    """A button, select or text input, flattened out of its action rows for easy assertions."""

    type: int
    custom_id: str | None
    label: str | None
    url: str | None
    style: int | None
    disabled: bool
    options: tuple[SelectOption, ...]
    placeholder: str | None
    min_values: int | None
    max_values: int | None
    row: int
    raw: dict[str, Any] = dataclasses.field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any], row: int) -> Component:
        return cls(
            type=data["type"],
            custom_id=data.get("custom_id"),
            label=data.get("label") if data["type"] != 10 else data.get("content"),
            url=data.get("url"),
            style=data.get("style"),
            disabled=bool(data.get("disabled", False)),
            options=tuple(
                SelectOption(o["label"], o["value"], o.get("description"), bool(o.get("default", False)))
                for o in data.get("options", [])
            ),
            placeholder=data.get("placeholder"),
            min_values=data.get("min_values"),
            max_values=data.get("max_values"),
            row=row,
            raw=data,
        )


def walk_components(components: list[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (row index, component) for every interactive or text leaf, however deeply nested."""
    for row, top in enumerate(components):
        stack = [top]
        while stack:
            node = stack.pop(0)
            children = list(node.get("components", []))
            for key in ("component", "accessory"):
                if isinstance(node.get(key), dict):
                    children.append(node[key])
            if node.get("type") in (1, 9, 17, 18):
                stack[0:0] = children
            else:
                yield row, node


@dataclasses.dataclass(frozen=True)
class Choice:
    """An autocomplete suggestion as the user sees it."""

    name: str
    value: str | int | float


@dataclasses.dataclass(frozen=True)
class Violation:
    """Something the bot did that real Discord would reject or punish."""

    kind: str
    detail: str
    method: str = ""
    path: str = ""


@dataclasses.dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    status: int
    time: float
    query: str = ""


@dataclasses.dataclass(frozen=True)
class MessageEvent:
    """A message appeared, changed or vanished; what a console shows as it happens."""

    kind: str  # "create", "update" or "delete"
    message: Message
    at: float = dataclasses.field(default_factory=time.monotonic)  # when it happened, on `time.monotonic`


class Message:
    """A message as stored by the fake; it stays live, so edits show up in objects tests already hold."""

    _sequence = itertools.count()

    def __init__(
        self,
        raw: dict[str, Any],
        *,
        files: dict[int, bytes] | None = None,
        allowed_mentions: dict[str, Any] | None = None,
        visible_to: int | None = None,
        interaction_id: int | None = None,
    ) -> None:
        self.raw = raw
        self.files: dict[int, bytes] = files or {}
        self.allowed_mentions = allowed_mentions
        self.visible_to = visible_to
        self.interaction_id = interaction_id
        self.deleted = False
        self.edits = 0
        self.enforce_nonce = False  # the request that created it sent `enforce_nonce: true` (with its nonce)
        self.order = next(self._sequence)

    def __repr__(self) -> str:
        return f"<Message id={self.id} channel={self.channel_id} content={self.content!r} embeds={len(self.embeds)}>"

    @property
    def id(self) -> int:
        return int(self.raw["id"])

    @property
    def channel_id(self) -> int:
        return int(self.raw["channel_id"])

    @property
    def author_id(self) -> int:
        return int(self.raw["author"]["id"])

    @property
    def content(self) -> str:
        content: str = self.raw.get("content", "")
        return content

    @property
    def embeds(self) -> list[dict[str, Any]]:
        embeds: list[dict[str, Any]] = self.raw.get("embeds", [])
        return embeds

    @property
    def embed(self) -> dict[str, Any] | None:
        return self.embeds[0] if self.embeds else None

    @property
    def flags(self) -> int:
        return int(self.raw.get("flags", 0))

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    @property
    def loading(self) -> bool:
        """Whether this is still the 'Bot is thinking...' placeholder of a deferred reply."""
        return bool(self.flags & 128)

    @property
    def components(self) -> list[Component]:
        return [Component.from_json(c, row) for row, c in walk_components(self.raw.get("components", []))]

    def component(self, custom_id: str) -> Component:
        """Return the component with this custom_id, or fail listing the ones there are."""
        for component in self.components:
            if component.custom_id == custom_id:
                return component
        known = [c.custom_id for c in self.components]
        raise KeyError(f"no component {custom_id!r} on message {self.id}; custom_ids: {known}")

    @property
    def attachments(self) -> list[Attachment]:
        return [
            Attachment(
                id=int(a["id"]),
                filename=a["filename"],
                data=self.files.get(int(a["id"]), b""),
                content_type=a.get("content_type"),
                description=a.get("description"),
                url=a["url"],
            )
            for a in self.raw.get("attachments", [])
        ]

    @property
    def mentioned_user_ids(self) -> list[int]:
        """Users this message pinged (after allowed_mentions), as Discord reports them."""
        return [int(u["id"]) for u in self.raw.get("mentions", [])]

    @property
    def mentioned_role_ids(self) -> list[int]:
        return [int(r) for r in self.raw.get("mention_roles", [])]

    @property
    def pings_anyone(self) -> bool:
        """Whether anyone got a notification from this message."""
        return bool(self.mentioned_user_ids or self.mentioned_role_ids or self.raw.get("mention_everyone"))

    @property
    def text(self) -> str:
        """Everything a reader sees as text: content, embed titles, descriptions, fields, footers, text displays."""
        parts = [self.content]
        for embed in self.embeds:
            parts.append(embed.get("title", ""))
            parts.append((embed.get("author") or {}).get("name", ""))
            parts.append(embed.get("description", ""))
            for field in embed.get("fields", []):
                parts.extend([field.get("name", ""), field.get("value", "")])
            parts.append((embed.get("footer") or {}).get("text", ""))
        parts.extend(c.label or "" for c in self.components if c.type == 10)
        return "\n".join(p for p in parts if p)
