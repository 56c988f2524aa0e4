"""The fake Discord's people and places: the bot, three users, two guilds with their channels, and DMs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from .models import (
    BOT_ROLE_PERMISSIONS,
    EVERYONE_PERMISSIONS,
    ChannelType,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    Permission,
    SnowflakeFactory,
)
from .payloads import SandboxError

UserRef = FakeUser | int | str
ChannelRef = FakeChannel | int | str


class World:
    """Everyone and everything the bot can see, found by object, id or name."""

    def __init__(self, bot_name: str, *, first_id: int | None = None) -> None:
        # With `first_id` the bot, people, guilds, roles and channels get the same ids on every start.
        self.snowflake = SnowflakeFactory(first_id)
        self.application_id = self.snowflake()
        self.bot = FakeUser(self.application_id, bot_name.lower(), bot_name, bot=True)
        self.owner = FakeUser(self.snowflake(), "guild_owner", "Guild Owner")
        self.admin = FakeUser(self.snowflake(), "hana_admin", "Hana")
        self.member = FakeUser(self.snowflake(), "minjun", "Min-jun")
        self.users: dict[int, FakeUser] = {u.id: u for u in (self.bot, self.owner, self.admin, self.member)}
        self.guild = self._make_guild("Drama Club", ["general", "announcements", "trivia", "off-topic"])
        self.other_guild = self._make_guild("Other Server", ["general", "announcements"])
        self.guilds: dict[int, FakeGuild] = {g.id: g for g in (self.guild, self.other_guild)}
        self._dm_channels: dict[int, FakeChannel] = {}
        self.closed_dms: set[int] = set()  # users who accept no DM from the bot: Discord answers 403 50007
        self.snowflake.count_no_more()

    def _make_guild(self, name: str, channel_names: Sequence[str]) -> FakeGuild:
        guild_id = self.snowflake()
        guild = FakeGuild(guild_id, name, owner_id=self.owner.id)
        everyone = FakeRole(guild_id, "@everyone", int(EVERYONE_PERMISSIONS))
        admin = FakeRole(self.snowflake(), "Admin", int(Permission.ADMINISTRATOR | Permission.MANAGE_GUILD), 3)
        fans = FakeRole(self.snowflake(), "Drama Fans", 0, 1, mentionable=True)
        bot_role = FakeRole(
            self.snowflake(),
            self.bot.global_name or "bot",
            int(BOT_ROLE_PERMISSIONS),
            2,
            managed=True,
            bot_id=self.bot.id,
        )
        guild.roles = {r.id: r for r in (everyone, admin, fans, bot_role)}
        for position, channel_name in enumerate(channel_names):
            guild.channels[channel_name] = FakeChannel(self.snowflake(), channel_name, guild_id, position=position)
        guild.members = {
            self.owner.id: FakeMember(self.owner, []),
            self.admin.id: FakeMember(self.admin, [admin.id]),
            self.member.id: FakeMember(self.member, [fans.id]),
            self.bot.id: FakeMember(self.bot, [bot_role.id]),
        }
        return guild

    def user(self, ref: UserRef) -> FakeUser:
        """Find a user by object, id, username or display name."""
        if isinstance(ref, FakeUser):
            return ref
        if isinstance(ref, int):
            try:
                return self.users[ref]
            except KeyError:
                raise SandboxError(f"no user with id {ref}") from None
        for user in self.users.values():
            if ref in (user.username, user.global_name):
                return user
        raise SandboxError(f"no user named {ref!r}; users: {[u.username for u in self.users.values()]}")

    def channel(self, ref: ChannelRef, guild: FakeGuild | None = None) -> FakeChannel:
        """Find a channel by object, id, or name (`"general"` or `"#general"`, in `guild`, default the main one)."""
        if isinstance(ref, FakeChannel):
            return ref
        if isinstance(ref, int):
            found = self.channel_by_id(ref)
            if found is None:
                raise SandboxError(f"no channel with id {ref}")
            return found
        name = ref.removeprefix("#")
        try:
            return (guild or self.guild).channels[name]
        except KeyError:
            raise SandboxError(f"no channel #{name}; channels: {list((guild or self.guild).channels)}") from None

    def channel_by_id(self, channel_id: int) -> FakeChannel | None:
        """Return the guild or DM channel with this id, if there is one."""
        return next((c for c in self._all_channels() if c.id == channel_id), None)

    def _all_channels(self) -> Iterator[FakeChannel]:
        for guild in self.guilds.values():
            yield from guild.channels.values()
        yield from self._dm_channels.values()

    def guild_of(self, channel: FakeChannel) -> FakeGuild | None:
        """Return the guild `channel` belongs to; None for a DM."""
        return self.guilds.get(channel.guild_id) if channel.guild_id is not None else None

    def dm_channel(self, user: UserRef) -> FakeChannel:
        """Return the DM channel between the bot and `user`, created on first use as Discord does."""
        person = self.user(user)
        if person.id not in self._dm_channels:
            self._dm_channels[person.id] = FakeChannel(
                self.snowflake(), f"dm-{person.username}", None, type=ChannelType.DM, recipient=person
            )
        return self._dm_channels[person.id]

    def close_dms(self, user: UserRef, closed: bool = True) -> None:
        """Make `user` refuse (or accept again) the bot's DMs, as a user who turned off direct messages does."""
        person = self.user(user)
        if closed:
            self.closed_dms.add(person.id)
        else:
            self.closed_dms.discard(person.id)

    def dm_channel_if_open(self, user: UserRef) -> FakeChannel | None:
        """Return the DM channel with `user` if the bot ever opened one (tests read what it sent there)."""
        return self._dm_channels.get(self.user(user).id)

    def add_user(self, username: str, *, guilds: Iterable[FakeGuild] = (), roles: Iterable[str] = ()) -> FakeUser:
        """Create one more person, a member of `guilds` with the named roles (call before the bot connects)."""
        person = FakeUser(self.snowflake(), username, username.title())
        self.users[person.id] = person
        for guild in guilds:
            guild.members[person.id] = FakeMember(person, [guild.role(r).id for r in roles])
        return person

    def member_permissions(self, guild: FakeGuild | None, channel: FakeChannel, user: FakeUser) -> int:
        """Return what `user` may do in `channel`; in a DM, what everyone may do."""
        if guild is None:
            return int(EVERYONE_PERMISSIONS)
        if user.id not in guild.members:
            raise SandboxError(f"{user.username} is not a member of {guild.name!r}")
        return guild.channel_permissions(channel, user.id)
