"""/announce: a server's release announcements, and the background announcer that posts them.

The planning is bot/announce/plan.py and the delivery loop bot/announce/outbox.py; this cog is the Discord glue:
the commands (Manage Server, checked here on every call, not only by Discord's default permissions), the
`send` that posts an announcement's embed in its channel, and the task that runs the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Awaitable
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.announce.delivery import Announcement, Lookup, PermanentFailure, TemporaryFailure, Undeliverable
from bot.announce.outbox import Announcer
from bot.announce.plan import schedules_due_between, upcoming_for
from bot.app import Dramabot
from bot.cards import MODE_LABELS, STATUS_LOOKAHEAD, announce_status_card, announcement_text
from bot.errors import Forbidden, InvalidInput, NotFound
from bot.models import AnnouncementKind, AnnounceMode, Due, GuildAnnounceSettings, Show
from cogs._ui import CHOICE_LIMIT, ShowArg, card_embed, show_choice
from cogs.remind import reminder_channel, send_reminder

log = logging.getLogger(__name__)

CHANNEL_PERMISSIONS = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
    # Without it Discord returns no messages when the channel is read, so a post lost in a crash could not be found.
    ("read_message_history", "Read Message History"),
)
# Looking an announcement up: read forward from shortly before its attempt began (clocks differ a little), 100
# messages a page, until past the moment a post from that attempt could still have been made.
LOOKUP_BEFORE = dt.timedelta(minutes=2)
LOOKUP_AFTER = dt.timedelta(minutes=15)
LOOKUP_PAGES = 20


def require_manager(interaction: discord.Interaction[Any]) -> int:
    """Return the server id if the user may manage announcements here; raise otherwise."""
    if interaction.guild_id is None:
        raise InvalidInput("Announcements are set up inside a server, not in direct messages.")
    if not interaction.permissions.manage_guild:
        raise Forbidden("You need the Manage Server permission to change this server's announcements.")
    return interaction.guild_id


def missing_permissions(channel: discord.abc.GuildChannel, me: discord.Member) -> list[str]:
    permissions = channel.permissions_for(me)
    return [label for name, label in CHANNEL_PERMISSIONS if not getattr(permissions, name)]


def describe_http_error(error: discord.HTTPException, channel_id: int) -> str:
    if isinstance(error, discord.NotFound):
        reason = error.text or "Unknown Channel"
        return f"The announcement channel <#{channel_id}> no longer exists (Discord said 404: {reason})."
    return (
        f"Discord refused to let me post in <#{channel_id}> (403: {error.text or 'Missing Permissions'}); "
        "check my View Channel, Send Messages and Embed Links permissions there."
    )


class ManagedShowArg(ShowArg):
    """A drama to announce; the Manage Server check comes first, so a user without it learns that first."""

    async def transform(self, interaction: discord.Interaction[Dramabot], value: str, /) -> Show:
        require_manager(interaction)
        return await super().transform(interaction, value)


class FollowedShowArg(ManagedShowArg):
    """A drama this server follows: autocomplete offers only those, and a typed title prefers them."""

    async def transform(self, interaction: discord.Interaction[Dramabot], value: str, /) -> Show:
        guild_id = require_manager(interaction)
        catalog = interaction.client.catalog
        typed = " ".join(value.split()).casefold()
        for show_id in await interaction.client.repository.followed_shows(guild_id):
            show = catalog.shows.get(show_id)
            if show is not None and show.title.casefold() == typed:
                return show  # a followed show by its exact title, before another drama of the same name
        return await super().transform(interaction, value)

    async def autocomplete(  # type: ignore[override]  # choices are always strings here
        self, interaction: discord.Interaction[Dramabot], value: str, /
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        catalog = interaction.client.catalog
        text = value.strip().casefold()
        ids = await interaction.client.repository.followed_shows(interaction.guild_id)
        shows = [catalog.shows[i] for i in ids if i in catalog.shows]
        return [show_choice(s) for s in shows if not text or text in s.title.casefold()][:CHOICE_LIMIT]


class Announcements(commands.Cog):
    announce = app_commands.Group(
        name="announce",
        description="Set up release announcements in this server",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: Dramabot) -> None:
        self.bot = bot
        self.announcer = Announcer(
            bot.repository,
            self.send_announcement,
            find=self.find_announcement,
            catalog=bot.catalog,
            grace=dt.timedelta(hours=bot.settings.announce_grace_hours),
            clock=bot.clock.now,
            real_seconds=bot.clock.real_seconds,
            send_timeout=bot.settings.announce_send_timeout,
        )
        self._task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        # Delivery needs only REST, ready since login (setup_hook runs after it), not the gateway's guild cache.
        self._task = asyncio.create_task(self.announcer.run_supervised(), name="announcer")
        self._task.add_done_callback(_log_task_failure)

    async def cog_unload(self) -> None:
        """Stop claiming and let sends in flight finish (at most STOP_TIMEOUT), before the database closes."""
        await self.announcer.stop()
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    @commands.Cog.listener()
    async def on_catalog_change(self, show_id: int) -> None:
        # A moved episode may fall due sooner than the announcer planned to wake, or now be due in the recent past.
        self.announcer.catalog_changed(show_id)

    @commands.Cog.listener()
    async def on_reminder_settings_change(self, user_id: int) -> None:
        try:
            await self.announcer.reminders_changed(user_id)
        except Exception:  # the announcer re-reads a user's settings before each reminder; this only makes it sooner
            log.warning("could not apply user %s's new reminder settings at once", user_id, exc_info=True)
            self.announcer.wake()

    @commands.Cog.listener()
    async def on_announce_settings_change(self, guild_id: int) -> None:
        try:
            await self.announcer.settings_changed(guild_id)
        except Exception:  # the announcer re-checks a row's settings before each send; this only makes it sooner
            log.warning("could not apply guild %s's new announcement settings at once", guild_id, exc_info=True)
            self.announcer.wake()

    # -- sending --------------------------------------------------------------------------------------------

    async def send_announcement(self, announcement: Announcement) -> int:
        """Post one announcement in its channel, pinging the server's role and nobody else (a reminder: DM it)."""
        item, channel_id, role_id = announcement.item, announcement.channel_id, announcement.role_id
        if item.is_reminder:
            return await self._sending(send_reminder(self.bot, announcement), channel_id, what="reminder")
        channel = self.bot.get_partial_messageable(channel_id, guild_id=item.guild_id)
        mentions = (
            discord.AllowedMentions(everyone=False, users=False, replied_user=False, roles=[discord.Object(role_id)])
            if role_id
            else discord.AllowedMentions.none()
        )

        async def post() -> int:
            message = await channel.send(
                content=f"<@&{role_id}>" if role_id else None,
                embed=card_embed(announcement.card),
                allowed_mentions=mentions,
                nonce=item.nonce,  # discord.py adds enforce_nonce: a resend after a crash returns the first message
            )
            return message.id

        return await self._sending(post(), channel_id)

    async def find_announcement(self, lookup: Lookup) -> int | None:
        """Return the id of the bot's message carrying `lookup.reference` in its footer, or None if there is none.

        Reads the channel forward from just before the attempt began (Discord returns embeds, not nonces).
        """
        me = self.bot.user.id if self.bot.user else None
        if lookup.user_id:  # a reminder: look in the user's DM channel, which Discord opens again as it was
            channel = await self._sending(reminder_channel(self.bot, lookup.user_id), lookup.channel_id)
            lookup = dataclasses.replace(lookup, channel_id=channel)
        since = self._discord_time(lookup.since)
        after = discord.utils.time_snowflake(since - LOOKUP_BEFORE)
        until = discord.utils.time_snowflake(since + LOOKUP_AFTER)
        for _ in range(LOOKUP_PAGES):
            try:
                page = await self.bot.http.logs_from(lookup.channel_id, 100, after=after)
            except discord.NotFound:
                return None  # the channel is gone, and anything posted in it
            except discord.Forbidden as error:
                raise PermanentFailure(describe_http_error(error, lookup.channel_id)) from error
            except discord.HTTPException as error:
                raise _temporary(error) from error
            except (aiohttp.ClientError, OSError) as error:
                raise _unreachable(error) from error
            for message in page:
                footers = [embed.get("footer", {}).get("text", "") for embed in message.get("embeds", [])]
                if int(message["author"]["id"]) == me and any(lookup.reference in text for text in footers):
                    return int(message["id"])
            if len(page) < 100:
                return None
            after = max(int(message["id"]) for message in page)
            if after > until:
                return None
        log.warning("gave up looking for %s in channel %s after %d pages", lookup.reference, lookup.channel_id,
                    LOOKUP_PAGES)  # fmt: skip
        return None

    async def _sending(self, request: Awaitable[int], channel_id: int, *, what: str = "announcement") -> int:
        """Await a request that posts (or opens the DM for) an announcement or a reminder, turning Discord's answers
        into the outbox's three failures."""
        try:
            return await request
        except (discord.Forbidden, discord.NotFound) as error:
            raise PermanentFailure(describe_http_error(error, channel_id)) from error
        except discord.HTTPException as error:
            if error.status == 429 or error.status >= 500:
                raise _temporary(error) from error
            raise Undeliverable(f"Discord rejected the {what} ({error.status}: {error.text})") from error
        except (aiohttp.ClientError, OSError) as error:
            raise _unreachable(error) from error

    def _discord_time(self, moment: dt.datetime) -> dt.datetime:
        """The wall-clock time of a moment on the bot's clock (a demo clock runs faster than Discord's)."""
        clock = self.bot.clock
        if clock.speed == 1.0:
            return moment
        return min(clock.wall_origin + (moment - clock.wall_origin) / clock.speed, dt.datetime.now(dt.UTC))

    # -- commands -------------------------------------------------------------------------------------------

    async def _settings(self, guild_id: int) -> GuildAnnounceSettings:
        found = await self.bot.repository.announce_settings(guild_id)
        return found or GuildAnnounceSettings(guild_id=guild_id, since=self.bot.clock.now())

    async def _save(self, settings: GuildAnnounceSettings) -> None:
        await self.bot.repository.save_announce_settings(settings)
        self.bot.dispatch("announce_settings_change", settings.guild_id)

    @announce.command(name="channel")
    @app_commands.describe(channel="The text channel to post announcements in")
    async def channel(self, interaction: discord.Interaction[Dramabot], channel: discord.TextChannel) -> None:
        """Post announcements in this channel, and turn them on."""
        guild_id = require_manager(interaction)
        guild = interaction.guild
        assert guild is not None
        target = guild.get_channel(channel.id) or channel
        if isinstance(target, discord.abc.GuildChannel) and isinstance(interaction.user, discord.Member):
            yours = target.permissions_for(interaction.user)
            if not (yours.view_channel and yours.send_messages):
                raise Forbidden(
                    f"You can't send messages in {target.mention} yourself, so you can't send announcements "
                    "there either; pick a channel you can post in."
                )
        me = guild.me
        if me is not None and isinstance(target, discord.abc.GuildChannel):
            missing = missing_permissions(target, me)
            if missing:
                raise InvalidInput(
                    f"I can't announce in {target.mention}: I am missing the {', '.join(missing)} "
                    f"permission{'s' if len(missing) > 1 else ''} there."
                )
        current = await self._settings(guild_id)
        now = self.bot.clock.now()
        updated = dataclasses.replace(
            current, channel_id=channel.id, enabled=True, since=current.since if current.enabled else now,
            paused_reason=None, paused_at=None,
        )  # fmt: skip
        await self._save(updated)
        message = f"Announcements are on in {target.mention}: {MODE_LABELS[updated.mode]}."
        if current.paused_reason:
            message += " They were paused by a Discord error and resume now."
        if updated.role_id is None:
            message += " Use /announce role to ping a role with them."
        await interaction.response.send_message(message, ephemeral=True)

    @announce.command(name="role")
    @app_commands.describe(role="The role to ping with each announcement; leave empty to ping nobody")
    async def role(self, interaction: discord.Interaction[Dramabot], role: discord.Role | None = None) -> None:
        """Ping a role with each announcement, or stop pinging."""
        guild_id = require_manager(interaction)
        current = await self._settings(guild_id)
        if role is None:
            await self._save(dataclasses.replace(current, role_id=None))
            await interaction.response.send_message("Announcements will ping nobody.", ephemeral=True)
            return
        if role.is_default():
            raise InvalidInput("I will not ping @everyone; pick or create a role for announcements instead.")
        if not role.mentionable and not interaction.permissions.mention_everyone:
            raise Forbidden(
                f"{role.mention} is not mentionable and you lack the Mention @everyone, @here, and All Roles "
                "permission, so you can't have me ping it; make the role mentionable or ask someone who has it."
            )
        me = interaction.guild.me if interaction.guild else None
        if not role.mentionable and me is not None and not me.guild_permissions.mention_everyone:
            raise InvalidInput(
                f"I can't ping {role.mention}: it is not mentionable and I lack the Mention @everyone, @here, "
                "and All Roles permission; make the role mentionable or grant me that permission."
            )
        await self._save(dataclasses.replace(current, role_id=role.id))
        await interaction.response.send_message(f"Announcements will ping {role.mention}.", ephemeral=True)

    @announce.command(name="mode")
    @app_commands.describe(mode="Which releases to announce; followed shows are always announced")
    @app_commands.choices(
        mode=[app_commands.Choice(name=MODE_LABELS[m].capitalize(), value=str(m)) for m in AnnounceMode]
    )
    async def mode(self, interaction: discord.Interaction[Dramabot], mode: app_commands.Choice[str]) -> None:
        """Choose whether to announce premieres only, every episode, or followed shows only."""
        guild_id = require_manager(interaction)
        try:
            chosen = AnnounceMode(mode.value)
        except ValueError:
            raise InvalidInput("Pick one of the offered modes.") from None
        current = await self._settings(guild_id)
        await self._save(dataclasses.replace(current, mode=chosen))
        await interaction.response.send_message(f"Announcing {MODE_LABELS[chosen]}.", ephemeral=True)

    @announce.command(name="follow")
    @app_commands.describe(title="The drama to announce every episode of, in English or Hangul")
    async def follow(
        self, interaction: discord.Interaction[Dramabot], title: app_commands.Transform[Show, ManagedShowArg]
    ) -> None:
        """Announce every episode of a drama, whatever the mode."""
        guild_id = require_manager(interaction)
        added = await self.bot.repository.follow_show(guild_id, title.id)
        self.bot.dispatch("announce_settings_change", guild_id)
        message = f"Following {title.title}: every episode is announced."
        if not added:
            message = f"{title.title} is already followed."
        settings = await self.bot.repository.announce_settings(guild_id)
        if settings is None or not settings.enabled:
            message += " Set a channel with /announce channel to turn announcements on."
        await interaction.response.send_message(message, ephemeral=True)

    @announce.command(name="unfollow")
    @app_commands.describe(title="A followed drama to stop announcing every episode of")
    async def unfollow(
        self, interaction: discord.Interaction[Dramabot], title: app_commands.Transform[Show, FollowedShowArg]
    ) -> None:
        """Stop announcing every episode of a followed drama."""
        guild_id = require_manager(interaction)
        if not await self.bot.repository.unfollow_show(guild_id, title.id):
            raise NotFound(f"This server does not follow {title.title}; /announce status lists the followed shows.")
        self.bot.dispatch("announce_settings_change", guild_id)
        await interaction.response.send_message(f"No longer following {title.title}.", ephemeral=True)

    @announce.command(name="off")
    async def off(self, interaction: discord.Interaction[Dramabot]) -> None:
        """Stop posting announcements in this server (settings and follows are kept)."""
        guild_id = require_manager(interaction)
        current = await self._settings(guild_id)
        await self._save(dataclasses.replace(current, enabled=False))
        await interaction.response.send_message(
            "Announcements are off; /announce channel turns them back on.", ephemeral=True
        )

    def upcoming(self, settings: GuildAnnounceSettings, follows: list[int], now: dt.datetime) -> list[Due]:
        """The next announcements this server would get (as if on), soonest first."""
        schedules = schedules_due_between(self.bot.catalog, now, now + STATUS_LOOKAHEAD)
        return upcoming_for(settings, frozenset(follows), schedules, now, STATUS_LOOKAHEAD)

    @announce.command(name="status")
    async def status(self, interaction: discord.Interaction[Dramabot]) -> None:
        """Show this server's announcement settings, the next announcements, and any delivery problem."""
        guild_id = require_manager(interaction)
        repository = self.bot.repository
        settings = await repository.announce_settings(guild_id)
        if settings is None:
            await interaction.response.send_message(
                "Announcements are not set up here; start with /announce channel.", ephemeral=True
            )
            return
        follows = await repository.followed_shows(guild_id)
        now = self.bot.clock.now()
        card = announce_status_card(
            settings, shows=self.bot.catalog.shows, followed=follows,
            upcoming=self.upcoming(settings, follows, now)[:5],
            counts=await repository.outbox_counts(guild_id),
            skipped=await repository.outbox_items(guild_id, "skipped", limit=5),
            failed=await repository.outbox_items(guild_id, "failed", limit=3), now=now,
            held=await repository.outbox_items(guild_id, "held", limit=5),
        )  # fmt: skip
        await interaction.response.send_message(embed=card_embed(card), ephemeral=True)

    @announce.command(name="test")
    async def test(self, interaction: discord.Interaction[Dramabot]) -> None:
        """Post a sample announcement in the announcement channel now (without pinging anyone)."""
        guild_id = require_manager(interaction)
        settings = await self.bot.repository.announce_settings(guild_id)
        if settings is None or settings.channel_id is None:
            raise InvalidInput("No announcement channel is set; pick one with /announce channel first.")
        catalog = self.bot.catalog
        now = self.bot.clock.now()
        upcoming = self.upcoming(settings, await self.bot.repository.followed_shows(guild_id), now)
        if upcoming:
            due = upcoming[0]
            show = catalog.shows[due.show_id]
            episode, total, kind, air_at, known = due.episode, due.total, due.kind, due.air_at, due.time_known
        else:
            popular = catalog.popular_shows(guild_id=guild_id, limit=1)
            if not popular:
                raise NotFound("The catalog has no drama to make a sample announcement from.")
            show, episode, kind, air_at, known = popular[0], 1, AnnouncementKind.PREMIERE, now, True
            schedule = catalog.schedule_of(show)
            total = schedule.total if schedule else None
        text = announcement_text(
            show, episode=episode, total=total, kind=kind, air_at=air_at, time_known=known, sample=True
        )
        channel = self.bot.get_partial_messageable(settings.channel_id, guild_id=guild_id)
        try:
            await channel.send(
                content=f"<@&{settings.role_id}> (not pinged in a test)" if settings.role_id else None,
                embed=card_embed(text),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except (discord.Forbidden, discord.NotFound) as error:
            raise InvalidInput(describe_http_error(error, settings.channel_id)) from error
        await interaction.response.send_message(
            f"Posted a sample announcement in <#{settings.channel_id}>.", ephemeral=True
        )


def _temporary(error: discord.HTTPException) -> TemporaryFailure:
    """A 429 surely posted nothing; a 5xx may have (Discord failed after creating the message)."""
    reason = f"Discord answered {error.status}: {error.text or 'try later'}"
    return TemporaryFailure(reason, maybe_sent=error.status != 429)


def _unreachable(error: Exception) -> TemporaryFailure:
    """A connection never made surely posted nothing; one lost on the way may have."""
    never_sent = isinstance(error, aiohttp.ClientConnectorError | ConnectionRefusedError)
    return TemporaryFailure(f"could not reach Discord: {type(error).__name__}", maybe_sent=not never_sent)


def _log_task_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the announcer stopped", exc_info=task.exception())


async def setup(bot: Dramabot) -> None:
    await bot.add_cog(Announcements(bot))
