"""/list: each user's own watch list (private unless shared), its file export and import, and forgetting a user.

The rules are bot/lists/ (entries, files, texts); this cog is the Discord glue. Every reply about a user's list is
ephemeral; only /list top, the server's favourites, is posted for everyone. A server's own dramas appear on a
list only inside that server.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Dramabot
from bot.catalog import Catalog
from bot.errors import Forbidden, InvalidInput, NotFound
from bot.lists.entries import Progress, added, parse_status, progressed, visible_entries
from bot.lists.files import LIST_MAX_BYTES, export_list, read_list_file, resolve_rows
from bot.lists.texts import favourites_card, list_card
from bot.models import ListEntry, Show, WatchStatus
from cogs._ui import CHOICE_LIMIT, ReportingView, ShowChoices, card_embed, dramabot, lookup_show, show_choice

STATUS_CHOICES = [app_commands.Choice(name=s.label.capitalize(), value=str(s)) for s in WatchStatus]
NONE = discord.AllowedMentions.none()


async def user_entries(bot: Dramabot, user_id: int, guild_id: int | None) -> list[tuple[ListEntry, Show]]:
    """A user's entries that may be seen here (a server's own drama only in that server)."""
    return visible_entries(await bot.repository.list_entries(user_id), bot.catalog.shows, guild_id)


class ListShowArg(ShowChoices):
    """A drama for /list: autocomplete offers the user's own entries that match first, then the catalog."""

    async def transform(self, interaction: discord.Interaction[Dramabot], value: str, /) -> Show:
        return lookup_show(interaction.client.catalog, value, interaction.guild_id).best

    async def autocomplete(  # type: ignore[override]  # choices are always strings here
        self, interaction: discord.Interaction[Dramabot], value: str, /
    ) -> list[app_commands.Choice[str]]:
        bot = interaction.client
        typed = " ".join(value.split()).casefold()
        own = [
            show
            for _entry, show in await user_entries(bot, interaction.user.id, interaction.guild_id)
            if not typed or typed in show.title.casefold()
        ]
        own.sort(key=lambda s: (not s.title.casefold().startswith(typed), s.title.casefold()))
        choices = [show_choice(show) for show in own[:CHOICE_LIMIT]]
        seen = {c.value for c in choices}
        for choice in await super().autocomplete(interaction, value):
            if len(choices) >= CHOICE_LIMIT:
                break
            if choice.value not in seen:
                choices.append(choice)
        return choices


class CompleteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"list:complete:(?P<show>\d{1,19})$"):
    """ "Mark completed", offered when a user reaches a show's last episode; it changes only the clicker's list."""

    def __init__(self, show_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Mark completed", style=discord.ButtonStyle.success, custom_id=f"list:complete:{show_id}"
            )
        )
        self.show_id = show_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CompleteButton:
        return cls(int(match["show"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = dramabot(interaction)
        entry = await bot.repository.list_entry(interaction.user.id, self.show_id)
        show = bot.catalog.shows.get(self.show_id)
        if entry is None or show is None or not Catalog.visible(show, interaction.guild_id):
            raise NotFound("That drama is no longer on your list.")
        done = dataclasses.replace(entry, status=WatchStatus.COMPLETED, episode=show.episode_count or entry.episode)
        await bot.repository.save_list_entries([done])
        bot.dispatch("list_change", interaction.user.id)
        await interaction.response.send_message(
            f"Marked **{show.title}** completed.", ephemeral=True, allowed_mentions=NONE
        )


class ForgetButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"list:forget:(?P<user>\d{1,19})$"):
    """The confirmation of /list forget: only the user it names can press it."""

    def __init__(self, user_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Erase everything", style=discord.ButtonStyle.danger, custom_id=f"list:forget:{user_id}"
            )
        )
        self.user_id = user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ForgetButton:
        return cls(int(match["user"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.user.id != self.user_id:
            raise Forbidden("Only the person who asked to be forgotten can confirm it.")
        bot = dramabot(interaction)
        await bot.repository.forget_user(self.user_id)
        bot.dispatch("reminder_settings_change", self.user_id)
        await interaction.response.edit_message(
            content="Done: your list, your reminders and your trivia scores are erased; I keep nothing about you.",
            view=None,
            allowed_mentions=NONE,
        )


def completion_view(progress: Progress) -> discord.ui.View | None:
    if not progress.offer_completion:
        return None
    view = ReportingView(timeout=None)
    view.add_item(CompleteButton(progress.entry.show_id))
    return view


def progress_text(entry: ListEntry, show: Show) -> str:
    total = f" of {show.episode_count}" if show.episode_count else ""
    return f"episode {entry.episode}{total}" if entry.episode else "no episode yet"


class Lists(commands.Cog):
    lists = app_commands.Group(name="list", description="Your own watch list")

    def __init__(self, bot: Dramabot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(CompleteButton, ForgetButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(CompleteButton, ForgetButton)

    async def _note(self, interaction: discord.Interaction[Dramabot]) -> None:
        if interaction.guild_id is not None:
            await self.bot.repository.note_list_server(interaction.guild_id, interaction.user.id)

    async def _reply(
        self, interaction: discord.Interaction[Dramabot], text: str, view: discord.ui.View | None = None
    ) -> None:
        if view is None:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NONE)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NONE, view=view)

    @lists.command(name="add")
    @app_commands.describe(
        title="The drama, in English or Hangul",
        status="Watching, completed, plan to watch, on hold or dropped",
        episode="How many episodes you have watched",
        score="Your score, 1 to 10",
    )
    @app_commands.choices(status=STATUS_CHOICES)
    async def add(
        self,
        interaction: discord.Interaction[Dramabot],
        title: app_commands.Transform[Show, ListShowArg],
        status: str | None = None,
        episode: int | None = None,
        score: int | None = None,
    ) -> None:
        """Add a drama to your list, or change its status, episode or score."""
        chosen = parse_status(status) if status else None
        user_id = interaction.user.id
        existing = await self.bot.repository.list_entry(user_id, title.id)
        entry = added(existing, user_id=user_id, show=title, status=chosen, episode=episode, score=score)
        await self.bot.repository.save_list_entries([entry])
        await self._note(interaction)
        self.bot.dispatch("list_change", user_id)
        verb = "Updated" if existing else "Added"
        text = f"{verb} **{title.title}** on your list: {entry.status.label}, {progress_text(entry, title)}"
        text += f", {entry.score}/10." if entry.score is not None else "."
        offer = progressed(entry, title, entry.episode) if entry.episode else None
        if offer is not None and offer.offer_completion:
            text += " That is the last episode: mark it completed?"
        await self._reply(interaction, text, completion_view(offer) if offer else None)

    @lists.command(name="progress")
    @app_commands.describe(title="A drama on your list", episode="The last episode you watched")
    async def progress(
        self, interaction: discord.Interaction[Dramabot], title: app_commands.Transform[Show, ListShowArg], episode: int
    ) -> None:
        """Record the episode you are up to."""
        entry = await self.bot.repository.list_entry(interaction.user.id, title.id)
        if entry is None:
            raise NotFound(f"{title.title} is not on your list; add it with /list add.")
        moved = progressed(entry, title, episode)
        await self.bot.repository.save_list_entries([moved.entry])
        await self._note(interaction)
        self.bot.dispatch("list_change", interaction.user.id)
        text = f"**{title.title}**: {progress_text(moved.entry, title)} watched."
        if moved.offer_completion:
            text += " That is the last episode: mark it completed?"
        await self._reply(interaction, text, completion_view(moved))

    @lists.command(name="remove")
    @app_commands.describe(title="A drama on your list")
    async def remove(
        self, interaction: discord.Interaction[Dramabot], title: app_commands.Transform[Show, ListShowArg]
    ) -> None:
        """Take a drama off your list."""
        if not await self.bot.repository.remove_list_entry(interaction.user.id, title.id):
            raise NotFound(f"{title.title} is not on your list.")
        self.bot.dispatch("list_change", interaction.user.id)
        await self._reply(interaction, f"Removed **{title.title}** from your list.")

    @lists.command(name="show")
    @app_commands.describe(status="Only this status", user="Someone else's list, if they share it")
    @app_commands.choices(status=STATUS_CHOICES)
    async def show(
        self, interaction: discord.Interaction[Dramabot], status: str | None = None, user: discord.User | None = None
    ) -> None:
        """Show your list, or another member's shared list."""
        owner_user = user or interaction.user
        owner = await self.bot.repository.list_owner(owner_user.id)
        if owner_user.id != interaction.user.id and not owner.shared:
            raise Forbidden(f"{owner_user.display_name}'s list is private; they can share it with /list share on.")
        chosen = parse_status(status) if status else None
        entries = await user_entries(self.bot, owner_user.id, interaction.guild_id)
        if chosen is not None:
            entries = [(e, s) for e, s in entries if e.status is chosen]
        if owner_user.id == interaction.user.id:
            await self._note(interaction)
        card = list_card(owner_user.display_name, entries, status=chosen, shared=owner.shared)
        await interaction.response.send_message(embed=card_embed(card), ephemeral=True, allowed_mentions=NONE)

    @lists.command(name="share")
    @app_commands.describe(sharing="on: others may see your list with /list show user:; off: only you")
    @app_commands.choices(sharing=[app_commands.Choice(name=v, value=v) for v in ("on", "off")])
    async def share(self, interaction: discord.Interaction[Dramabot], sharing: str) -> None:
        """Let others see your list, or make it private again."""
        if sharing not in ("on", "off"):
            raise InvalidInput("Choose on or off.")
        owner = await self.bot.repository.list_owner(interaction.user.id)
        await self.bot.repository.save_list_owner(dataclasses.replace(owner, shared=sharing == "on"))
        await self._note(interaction)
        if sharing == "on":
            text = "Your list is shared: others can see it with /list show user:, and your scores count in /list top."
        else:
            text = "Your list is private again: only you can see it."
        await self._reply(interaction, text)

    @lists.command(name="export")
    @app_commands.describe(format="The file format (the same one /list import reads)")
    @app_commands.choices(
        format=[app_commands.Choice(name="CSV", value="csv"), app_commands.Choice(name="JSON", value="json")]
    )
    async def export(self, interaction: discord.Interaction[Dramabot], format: str = "csv") -> None:
        """Download your list as a file you can import again."""
        kind = "json" if format == "json" else "csv"
        entries = await user_entries(self.bot, interaction.user.id, interaction.guild_id)
        if not entries:
            raise InvalidInput("Your list is empty here; add a drama with /list add first.")
        data = await asyncio.to_thread(export_list, entries, kind)
        await interaction.response.send_message(
            f"Your list: {len(entries)} dramas.",
            file=discord.File(io.BytesIO(data), filename=f"dramabot-list.{kind}"),
            ephemeral=True,
            allowed_mentions=NONE,
        )

    @lists.command(name="import")
    @app_commands.describe(file="A CSV or JSON file as /list export writes it")
    async def import_(self, interaction: discord.Interaction[Dramabot], file: discord.Attachment) -> None:
        """Add every drama in a file to your list: all of them, or none if any line has a problem."""
        if file.size > LIST_MAX_BYTES:
            raise InvalidInput(f"That file is over {LIST_MAX_BYTES // 1000} KB; a list file is smaller.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        user_id, guild_id, catalog = interaction.user.id, interaction.guild_id, self.bot.catalog

        def parse() -> list[ListEntry]:
            return resolve_rows(read_list_file(data, file.filename), catalog, user_id=user_id, guild_id=guild_id)

        entries = await asyncio.to_thread(parse)  # up to 2,000 titles to look up: off the shared event loop
        await self.bot.repository.save_list_entries(entries)
        await self._note(interaction)
        self.bot.dispatch("list_change", user_id)
        await interaction.followup.send(
            f"Imported {len(entries)} dramas into your list.", ephemeral=True, allowed_mentions=NONE
        )

    @lists.command(name="forget")
    async def forget(self, interaction: discord.Interaction[Dramabot]) -> None:
        """Erase everything the bot keeps about you: your list, reminders and trivia scores (asks first)."""
        view = ReportingView(timeout=None)
        view.add_item(ForgetButton(interaction.user.id))
        await self._reply(
            interaction,
            "This erases your list, your reminder settings and your trivia scores in every server, for good. Sure?",
            view,
        )

    @lists.command(name="top")
    async def top(self, interaction: discord.Interaction[Dramabot]) -> None:
        """Show this server's favourite dramas: members' average scores, from those who share their lists."""
        if interaction.guild_id is None or interaction.guild is None:
            raise InvalidInput("/list top ranks a server's favourites; run it inside a server.")
        favourites = await self.bot.repository.server_favourites(interaction.guild_id)
        card = favourites_card(interaction.guild.name, favourites, self.bot.catalog.shows)
        await interaction.response.send_message(embed=card_embed(card), allowed_mentions=NONE)


async def setup(bot: Dramabot) -> None:
    await bot.add_cog(Lists(bot))
