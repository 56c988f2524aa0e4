"""/announce: a server's release announcements, and the background announcer that posts them.

The planning is bot/announcer.py and the delivery loop bot/outbox.py; this cog is the Discord glue: the
commands (Manage Server, checked here on every call, not only by Discord's default permissions), the
`send` that turns an outbox row into an embed in the server's channel, and the task that runs the loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.announcer import MODE_LABELS, airings_between, plan
from bot.app import Dramabot
from bot.cards import announcement_text
from bot.errors import Forbidden, InvalidInput, NotFound
from bot.models import AnnouncementKind, AnnounceMode, Due, GuildAnnounceSettings, OutboxItem
from bot.outbox import Announcer, PermanentFailure, TemporaryFailure, Undeliverable
from bot.schedule import build_schedule, discord_timestamp
from cogs._ui import EMBED_COLOUR, card_embed, lookup_show, show_choice, show_choices

log = logging.getLogger(__name__)

CHANNEL_PERMISSIONS = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
)
STATUS_LOOKAHEAD = dt.timedelta(days=30)


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
            shows=lambda: bot.catalog.shows.values(),
            episodes_of=bot.catalog.episodes_of,
            grace=dt.timedelta(hours=bot.settings.announce_grace_hours),
            clock=bot.clock.now,
            real_seconds=bot.clock.real_seconds,
        )
        self._task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        self._task = asyncio.create_task(self._run(), name="announcer")
        self._task.add_done_callback(_log_task_failure)

    async def cog_unload(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        await self.announcer.stop()

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        await self.announcer.run()

    @commands.Cog.listener()
    async def on_catalog_change(self, show_id: int) -> None:
        self.announcer.catalog_changed(show_id)

    @commands.Cog.listener()
    async def on_announce_settings_change(self, guild_id: int) -> None:
        self.announcer.settings_changed(guild_id)

    # -- sending --------------------------------------------------------------------------------------------

    async def send_announcement(self, item: OutboxItem) -> int:
        """Post one outbox row in its server's channel, pinging the server's role and nobody else."""
        show = self.bot.catalog.shows.get(item.show_id)
        if show is None:
            raise Undeliverable("the show is no longer in the catalog")
        settings = await self.bot.repository.announce_settings(item.guild_id)
        channel_id = settings.channel_id if settings and settings.channel_id else item.channel_id
        role_id = settings.role_id if settings else None
        total = build_schedule(show, self.bot.catalog.episodes_of(show.id)).total
        text = announcement_text(
            show, episode=item.episode, total=total, kind=item.kind, air_at=item.air_at, time_known=item.time_known
        )
        channel = self.bot.get_partial_messageable(channel_id, guild_id=item.guild_id)
        mentions = (
            discord.AllowedMentions(everyone=False, users=False, replied_user=False, roles=[discord.Object(role_id)])
            if role_id
            else discord.AllowedMentions.none()
        )
        try:
            message = await channel.send(
                content=f"<@&{role_id}>" if role_id else None,
                embed=card_embed(text),
                allowed_mentions=mentions,
                nonce=item.nonce,  # discord.py adds enforce_nonce: a resend after a crash returns the first message
            )
        except (discord.Forbidden, discord.NotFound) as error:
            raise PermanentFailure(describe_http_error(error, channel_id)) from error
        except discord.HTTPException as error:
            if error.status == 429 or error.status >= 500:
                raise TemporaryFailure(f"Discord answered {error.status}: {error.text or 'try later'}") from error
            raise Undeliverable(f"Discord rejected the announcement ({error.status}: {error.text})") from error
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise TemporaryFailure(f"could not reach Discord: {type(error).__name__}") from error
        return message.id

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
    async def follow(self, interaction: discord.Interaction[Dramabot], title: str) -> None:
        """Announce every episode of a drama, whatever the mode."""
        guild_id = require_manager(interaction)
        show = lookup_show(self.bot.catalog, title, guild_id).best
        added = await self.bot.repository.follow_show(guild_id, show.id)
        self.bot.dispatch("announce_settings_change", guild_id)
        message = f"Following {show.title}: every episode is announced."
        if not added:
            message = f"{show.title} is already followed."
        settings = await self.bot.repository.announce_settings(guild_id)
        if settings is None or not settings.enabled:
            message += " Set a channel with /announce channel to turn announcements on."
        await interaction.response.send_message(message, ephemeral=True)

    @follow.autocomplete("title")
    async def follow_title(
        self, interaction: discord.Interaction[Dramabot], current: str
    ) -> list[app_commands.Choice[str]]:
        return show_choices(self.bot.catalog, current, interaction.guild_id)

    @announce.command(name="unfollow")
    @app_commands.describe(title="A followed drama to stop announcing every episode of")
    async def unfollow(self, interaction: discord.Interaction[Dramabot], title: str) -> None:
        """Stop announcing every episode of a followed drama."""
        guild_id = require_manager(interaction)
        catalog = self.bot.catalog
        followed = [catalog.shows[i] for i in await self.bot.repository.followed_shows(guild_id) if i in catalog.shows]
        typed = " ".join(title.split()).casefold()
        show = next((s for s in followed if typed == s.title.casefold()), None)
        if show is None:
            show = lookup_show(catalog, title, guild_id).best
        if not await self.bot.repository.unfollow_show(guild_id, show.id):
            raise NotFound(f"This server does not follow {show.title}; /announce status lists the followed shows.")
        self.bot.dispatch("announce_settings_change", guild_id)
        await interaction.response.send_message(f"No longer following {show.title}.", ephemeral=True)

    @unfollow.autocomplete("title")
    async def unfollow_title(
        self, interaction: discord.Interaction[Dramabot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        catalog = self.bot.catalog
        text = current.strip().casefold()
        ids = await self.bot.repository.followed_shows(interaction.guild_id)
        shows = [catalog.shows[i] for i in ids if i in catalog.shows]
        return [show_choice(s) for s in shows if not text or text in s.title.casefold()][:25]

    @announce.command(name="off")
    async def off(self, interaction: discord.Interaction[Dramabot]) -> None:
        """Stop posting announcements in this server (settings and follows are kept)."""
        guild_id = require_manager(interaction)
        current = await self._settings(guild_id)
        await self._save(dataclasses.replace(current, enabled=False))
        await interaction.response.send_message(
            "Announcements are off; /announce channel turns them back on.", ephemeral=True
        )

    def upcoming_for(self, settings: GuildAnnounceSettings, follows: frozenset[int], now: dt.datetime) -> list[Due]:
        """The next announcements this server would get (as if on), soonest first."""
        if settings.channel_id is None:
            return []
        live = dataclasses.replace(settings, enabled=True, paused_reason=None, since=now)
        catalog = self.bot.catalog
        airings = airings_between(
            catalog.shows.values(), catalog.episodes_of, now, now + STATUS_LOOKAHEAD, cache=self.announcer.schedules
        )
        return plan([live], {settings.guild_id: follows}, airings)

    @announce.command(name="status")
    async def status(self, interaction: discord.Interaction[Dramabot]) -> None:
        """Show this server's announcement settings, the next announcements, and any delivery problem."""
        guild_id = require_manager(interaction)
        repository = self.bot.repository
        catalog = self.bot.catalog
        settings = await repository.announce_settings(guild_id)
        if settings is None:
            await interaction.response.send_message(
                "Announcements are not set up here; start with /announce channel.", ephemeral=True
            )
            return
        follows = await repository.followed_shows(guild_id)
        now = self.bot.clock.now()
        if settings.paused_reason:
            state = f"Paused since {discord_timestamp(settings.paused_at or now, 'f')}: {settings.paused_reason}"
            state += " Fix it, then run /announce channel again to resume."
        elif settings.enabled and settings.channel_id:
            state = "On"
        else:
            state = "Off"
        embed = discord.Embed(title="Announcements in this server", description=state[:4000], colour=EMBED_COLOUR)
        embed.add_field(name="Channel", value=f"<#{settings.channel_id}>" if settings.channel_id else "not set")
        embed.add_field(name="Role to ping", value=f"<@&{settings.role_id}>" if settings.role_id else "nobody")
        embed.add_field(name="Mode", value=MODE_LABELS[settings.mode])
        titles = [catalog.shows[i].title for i in follows if i in catalog.shows]
        embed.add_field(name=f"Followed shows ({len(titles)})", value=_fit(", ".join(titles) or "none"), inline=False)
        upcoming = self.upcoming_for(settings, frozenset(follows), now)[:5]
        lines = [_due_line(catalog, due) for due in upcoming]
        embed.add_field(
            name="Next announcements", value=_fit("\n".join(lines) or "none in the next 30 days"), inline=False
        )
        counts = await repository.outbox_counts(guild_id)
        skipped = await repository.outbox_items(guild_id, "skipped", limit=5)
        failed = await repository.outbox_items(guild_id, "failed", limit=3)
        if skipped or failed:
            missed = [f"skipped: {_item_label(catalog, item)}" for item in skipped]
            missed += [f"failed: {_item_label(catalog, item)}: {item.error}" for item in failed]
            embed.add_field(
                name=f"Missed ({counts.get('skipped', 0)} skipped, {counts.get('failed', 0)} failed)",
                value=_fit("\n".join(missed)),
                inline=False,
            )
        if settings.last_error and settings.last_error_at:
            embed.add_field(
                name="Last delivery error",
                value=_fit(f"{discord_timestamp(settings.last_error_at, 'f')}: {settings.last_error}"),
                inline=False,
            )
        embed.set_footer(text=f"{counts.get('sent', 0)} announcements sent here so far")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @announce.command(name="test")
    async def test(self, interaction: discord.Interaction[Dramabot]) -> None:
        """Post a sample announcement in the announcement channel now (without pinging anyone)."""
        guild_id = require_manager(interaction)
        settings = await self.bot.repository.announce_settings(guild_id)
        if settings is None or settings.channel_id is None:
            raise InvalidInput("No announcement channel is set; pick one with /announce channel first.")
        catalog = self.bot.catalog
        now = self.bot.clock.now()
        upcoming = self.upcoming_for(settings, frozenset(await self.bot.repository.followed_shows(guild_id)), now)
        if upcoming:
            due = upcoming[0]
            show = catalog.shows[due.show_id]
            episode, kind, air_at, known = due.episode, due.kind, due.air_at, due.time_known
        else:
            popular = catalog.popular_shows(guild_id=guild_id, limit=1)
            if not popular:
                raise NotFound("The catalog has no drama to make a sample announcement from.")
            show, episode, kind, air_at, known = popular[0], 1, AnnouncementKind.PREMIERE, now, True
        total = build_schedule(show, catalog.episodes_of(show.id)).total
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


def _fit(text: str, limit: int = 1024) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(air_at: dt.datetime, due_at: dt.datetime, time_known: bool) -> str:
    if time_known:
        return discord_timestamp(air_at, "f")
    return f"{due_at:%d %b %Y} (date only)"


def _due_line(catalog: Any, due: Due) -> str:
    show = catalog.shows.get(due.show_id)
    title = show.title if show else f"show {due.show_id}"
    return f"{_when(due.air_at, due.due_at, due.time_known)} · {title} · episode {due.episode}"


def _item_label(catalog: Any, item: OutboxItem) -> str:
    show = catalog.shows.get(item.show_id)
    title = show.title if show else f"show {item.show_id}"
    return f"{title} episode {item.episode} (due {discord_timestamp(item.due_at, 'f')})"


def _log_task_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the announcer stopped", exc_info=task.exception())


async def setup(bot: Dramabot) -> None:
    await bot.add_cog(Announcements(bot))
