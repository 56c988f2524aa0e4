"""/remind: episode reminders by DM for the shows on a user's watching and plan-to-watch lists.

Reminders are rows of the announcement outbox, delivered by the one announcer (cogs/announce.py hands reminder
rows to `send_reminder` and `reminder_channel` here). When Discord refuses a DM (50007) the announcer pauses
that user's reminders; the next command the user runs tells them why, once, privately.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
from typing import Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.announce.delivery import Announcement, PermanentFailure
from bot.app import Dramabot
from bot.errors import NotFound
from bot.lists.entries import progressed
from bot.lists.texts import pause_notice, remind_status_text
from bot.models import WatchStatus
from cogs._ui import ReportingView, card_embed, dramabot, link_buttons

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()
CANNOT_DM = 50007
NOTICE_WAIT = 5.0  # seconds to wait for a command's own answer before following it with the pause notice
REMINDED = (WatchStatus.WATCHING, WatchStatus.PLAN_TO_WATCH)


class WatchedButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"remind:watched:(?P<show>\d{1,19}):(?P<episode>\d{1,5})$"
):
    """ "Mark episode N watched" under a reminder DM: moves the clicker's list entry on to that episode."""

    def __init__(self, show_id: int, episode: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=f"Mark episode {episode} watched",
                style=discord.ButtonStyle.primary,
                custom_id=f"remind:watched:{show_id}:{episode}",
            )
        )
        self.show_id, self.episode = show_id, episode

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> WatchedButton:
        return cls(int(match["show"]), int(match["episode"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = dramabot(interaction)
        entry = await bot.repository.list_entry(interaction.user.id, self.show_id)
        show = bot.catalog.shows.get(self.show_id)
        if entry is None or show is None:
            raise NotFound("That drama is no longer on your list; add it again with /list add.")
        if entry.episode >= self.episode:
            text = f"You are already past episode {self.episode} of **{show.title}**."
        else:
            moved = progressed(entry, show, self.episode)
            await bot.repository.save_list_entries([moved.entry])
            text = f"**{show.title}**: episode {self.episode} marked watched."
            if moved.offer_completion:
                text += " That was the last one: /list add with status completed marks it done."
        await interaction.response.send_message(text, allowed_mentions=NONE)


async def reminder_channel(bot: Dramabot, user_id: int) -> int:
    """Open (or reuse) the DM channel with a user, as Discord does (`POST /users/@me/channels`); return its id."""
    try:
        channel = await bot.create_dm(discord.Object(user_id))
    except discord.NotFound as error:
        raise PermanentFailure(f"Discord does not know user {user_id} (404: {error.text or 'Unknown User'})") from error
    return channel.id


async def send_reminder(bot: Dramabot, announcement: Announcement) -> int:
    """DM one reminder, with a button to mark the episode watched; raise PermanentFailure when DMs are closed."""
    item = announcement.item
    channel_id = await reminder_channel(bot, item.user_id)
    view = ReportingView(timeout=None)
    view.add_item(WatchedButton(item.show_id, item.episode))
    link_buttons(announcement.card, view)
    try:
        message = await bot.get_partial_messageable(channel_id).send(
            embed=card_embed(announcement.card), view=view, allowed_mentions=NONE, nonce=item.nonce
        )
    except discord.Forbidden as error:
        if error.code == CANNOT_DM:
            raise PermanentFailure(f"Discord would not deliver my DM ({CANNOT_DM}: {error.text})") from error
        raise
    return message.id


class Reminders(commands.Cog):
    remind = app_commands.Group(name="remind", description="Episode reminders by DM for the shows on your list")

    def __init__(self, bot: Dramabot) -> None:
        self.bot = bot
        self._notices: set[asyncio.Task[None]] = set()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(WatchedButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(WatchedButton)
        for task in list(self._notices):
            task.cancel()

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Dramabot]) -> None:
        """Tell a user whose reminders paused why, once, after whatever command they ran next has answered."""
        if interaction.type is not discord.InteractionType.application_command:
            return
        if cast(dict[str, Any], interaction.data or {}).get("name") == "remind":
            return  # /remind status says why, and /remind on resumes them
        reason = await self.bot.repository.take_pause_notice(interaction.user.id)
        if reason is None:
            return
        task = asyncio.create_task(self._tell(interaction, reason), name=f"pause-notice-{interaction.user.id}")
        self._notices.add(task)
        task.add_done_callback(self._notices.discard)

    async def _tell(self, interaction: discord.Interaction[Dramabot], reason: str) -> None:
        waited = 0.0
        while not interaction.response.is_done() and waited < NOTICE_WAIT:
            await asyncio.sleep(0.05)
            waited += 0.05
        with contextlib.suppress(discord.HTTPException):
            if interaction.response.is_done():
                await interaction.followup.send(pause_notice(reason), ephemeral=True, allowed_mentions=NONE)
            else:
                await interaction.response.send_message(pause_notice(reason), ephemeral=True, allowed_mentions=NONE)
            return
        log.warning("could not tell user %s that their reminders are paused", interaction.user.id)

    @remind.command(name="on")
    async def on(self, interaction: discord.Interaction[Dramabot]) -> None:
        """DM me when an episode of a drama I am watching or plan to watch airs."""
        repository = self.bot.repository
        owner = await repository.list_owner(interaction.user.id)
        since = owner.reminders_since if owner.reminders and owner.reminders_since else self.bot.clock.now()
        resumed = owner.paused_reason is not None
        await repository.save_list_owner(
            dataclasses.replace(
                owner, reminders=True, reminders_since=since, paused_reason=None, paused_at=None, pause_told=True
            )
        )
        self.bot.dispatch("reminder_settings_change", interaction.user.id)
        text = "Reminders are on: I will DM you when an episode of a drama you are watching or plan to watch airs."
        if resumed:
            text = "Reminders resume: I will try your DMs again. " + text.split(": ", 1)[1].capitalize()
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NONE)

    @remind.command(name="off")
    async def off(self, interaction: discord.Interaction[Dramabot]) -> None:
        """Stop episode reminder DMs."""
        repository = self.bot.repository
        owner = await repository.list_owner(interaction.user.id)
        await repository.save_list_owner(dataclasses.replace(owner, reminders=False))
        self.bot.dispatch("reminder_settings_change", interaction.user.id)
        await interaction.response.send_message(
            "Reminders are off; /remind on turns them back on.", ephemeral=True, allowed_mentions=NONE
        )

    @remind.command(name="status")
    async def status(self, interaction: discord.Interaction[Dramabot]) -> None:
        """Say whether reminders are on, for how many dramas, and why they are paused if they are."""
        repository = self.bot.repository
        owner = await repository.list_owner(interaction.user.id)
        entries = await repository.list_entries(interaction.user.id)
        reminded = sum(1 for e in entries if e.status in REMINDED)
        counts = await repository.reminder_counts(interaction.user.id)
        await interaction.response.send_message(
            remind_status_text(owner, reminded, counts), ephemeral=True, allowed_mentions=NONE
        )


async def setup(bot: Dramabot) -> None:
    await bot.add_cog(Reminders(bot))
