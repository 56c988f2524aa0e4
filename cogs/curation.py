"""/show and /catalog: server admins curate their server's dramas; the bot's owners curate the shared catalog.

The rules live in bot/curation/ (rules.py: what is valid and who may change what; files.py: import and export;
editor.py: each change's transaction, audit row and refresh). This cog reads the options, asks before anything
that needs a confirmation, and checks the user's rights on every command and every button press (whatever
Discord's default permissions say): the editor re-checks them against the show as it is at that moment.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import limits
from bot.app import Dramabot
from bot.cards import show_card
from bot.curation.cards import (
    HISTORY_LIMIT,
    changes_card,
    history_card,
    rejected_import_text,
    saved_text,
    undo_text,
)
from bot.curation.editor import CatalogEditor
from bot.curation.files import ImportRejected, check_import_size, export_shows, parse_import
from bot.curation.rules import (
    CHARACTER_LIMIT,
    NAME_LIMIT,
    Curator,
    audit_fields,
    checked_alias,
    checked_episode_number,
    checked_role,
    checked_text,
    draft_show,
    edit_changes,
    own_shows,
    own_shows_matching,
    parse_local_datetime,
    person_named,
    picked_show,
    similar_person,
    similar_show,
)
from bot.errors import Forbidden, InvalidInput
from bot.models import Person, Role, Show
from bot.schedule import discord_timestamp
from bot.text import QUERY_LIMIT
from cogs._ui import ReportingView, ShowArg, card_embed, dramabot, lookup_show, show_choice, show_choices, show_label

PROMPT_TIMEOUT = 600.0  # seconds a confirmation's buttons stay usable
Action = Callable[[Curator], Awaitable[str]]


def curator(interaction: discord.Interaction[Any]) -> Curator:
    """Return who is asking and with which rights, as Discord tells it on this very command or click."""
    owners = dramabot(interaction).settings.owner_ids
    return Curator(interaction.user.id, interaction.guild_id, interaction.permissions.manage_guild, owners)


class CuratorShowArg(ShowArg):
    """A show option of a curation command, refused before the lookup to anyone who may not curate."""

    async def transform(self, interaction: discord.Interaction[Dramabot], value: str, /) -> Show:
        curator(interaction).require()
        return await super().transform(interaction, value)


class EditableShowArg(CuratorShowArg):
    """A show this user may change, named surely (a change must not land on a guess).

    Autocomplete offers only those: every show to the bot's owners, a server's own shows to its admins.
    """

    async def transform(self, interaction: discord.Interaction[Dramabot], value: str, /) -> Show:
        by = curator(interaction)
        by.require()
        show = picked_show(lookup_show(interaction.client.catalog, value, interaction.guild_id), value)
        by.require_can_edit(show)
        return show

    async def autocomplete(  # type: ignore[override]  # choices are always strings here
        self, interaction: discord.Interaction[Dramabot], value: str, /
    ) -> list[app_commands.Choice[str]]:
        catalog = interaction.client.catalog
        if curator(interaction).is_owner:
            return show_choices(catalog, value, interaction.guild_id)
        shows = own_shows_matching(catalog, value.strip()[:QUERY_LIMIT], interaction.guild_id)
        return [show_choice(show) for show in shows]


class PromptButton(discord.ui.Button["Prompt"]):
    """One answer to a confirmation: its action, or None to cancel."""

    def __init__(self, label: str, style: discord.ButtonStyle, action: Action | None) -> None:
        super().__init__(label=limits.label(label), style=style)
        self.action = action

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        assert self.view is not None
        await self.view.answer(interaction, self.action)


class Prompt(ReportingView):
    """Buttons under a confirmation; only the admin who asked may press them, and their rights are re-checked."""

    def __init__(self, author_id: int, actions: Sequence[tuple[str, discord.ButtonStyle, Action]]) -> None:
        super().__init__(timeout=PROMPT_TIMEOUT)
        self.author_id = author_id
        self.message: discord.InteractionMessage | None = None
        self.busy = False
        for label, style, action in actions:
            self.add_item(PromptButton(label, style, action))
        self.add_item(PromptButton("Cancel", discord.ButtonStyle.secondary, None))

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        if interaction.user.id != self.author_id:
            raise Forbidden("Only the admin who asked can answer this; run the command yourself instead.")
        curator(interaction).require()
        return True

    async def answer(self, interaction: discord.Interaction[Any], action: Action | None) -> None:
        """Run the pressed button's action for the clicker (or cancel), then replace the question by the outcome."""
        if action is None:
            outcome = "Cancelled; nothing was changed."
        else:
            if self.busy:  # a double click must not add or remove twice
                raise InvalidInput("That is already being done; wait a moment.")
            self.busy = True
            try:
                outcome = await action(curator(interaction))
            finally:
                self.busy = False
        self.stop()
        await interaction.response.edit_message(content=outcome, embed=None, view=None)

    async def on_timeout(self) -> None:
        if self.message is not None:
            try:
                await self.message.edit(content="This question expired; nothing was changed.", embed=None, view=None)
            except discord.HTTPException:
                pass

    async def send(self, interaction: discord.Interaction[Dramabot], **message: Any) -> None:
        await interaction.response.send_message(view=self, **message)
        self.message = await interaction.original_response()


class Curation(commands.Cog):
    show = app_commands.Group(
        name="show",
        description="Add and change this server's dramas (needs Manage Server)",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )
    catalog_commands = app_commands.Group(
        name="catalog",
        description="Import, export, review and undo this server's catalog changes (needs Manage Server)",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, bot: Dramabot) -> None:
        self.bot = bot
        self.editor = CatalogEditor(bot.repository, bot.catalog, on_change=self.announce_change)

    def announce_change(self, show_id: int) -> None:
        self.bot.dispatch("catalog_change", show_id)

    # -- /show ----------------------------------------------------------------------------------------------

    @show.command(name="add")
    @app_commands.describe(
        title="The drama's title in English (romanised)",
        hangul_title="The title in Hangul",
        network="Where it airs; several separated by commas, e.g. tvN, Netflix",
        premiere="First air date as YYYY-MM-DD",
        episodes="How many episodes it has",
        air_days="Weekdays it airs, e.g. Wed,Thu",
        air_time="Local air time as HH:MM (24-hour clock)",
        timezone="The IANA time zone of the air time (default Asia/Seoul)",
        synopsis="A short summary",
    )
    async def show_add(
        self,
        interaction: discord.Interaction[Dramabot],
        title: app_commands.Range[str, 1, 100],
        hangul_title: app_commands.Range[str, 1, 100] | None = None,
        network: app_commands.Range[str, 1, 100] | None = None,
        premiere: app_commands.Range[str, 1, 10] | None = None,
        episodes: app_commands.Range[int, 1, 500] | None = None,
        air_days: app_commands.Range[str, 1, 60] | None = None,
        air_time: app_commands.Range[str, 1, 5] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        synopsis: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        """Add a drama to this server's catalog."""
        by = curator(interaction)
        guild_id = by.require()
        self.editor.check_room(guild_id)
        draft = draft_show(
            title, hangul_title=hangul_title, network=network, premiere=premiere, episodes=episodes,
            air_days=air_days, air_time=air_time, timezone=timezone, synopsis=synopsis,
        )  # fmt: skip
        near = similar_show(draft.title, self.bot.catalog.visible_shows(guild_id))
        if near is not None:

            async def add_anyway(click: Curator) -> str:
                show = await self.editor.add_show(click, draft)
                return f"Added **{show.title}** to this server's catalog."

            prompt = Prompt(by.user_id, [(f"Add “{draft.title}” anyway", discord.ButtonStyle.primary, add_anyway)])
            await prompt.send(
                interaction,
                content=f"The catalog already has **{show_label(near)}**. Did you mean it? "
                f"If “{draft.title}” is another drama, add it anyway.",
            )
            return
        show = await self.editor.add_show(by, draft)
        card = show_card(self.bot.catalog, show, now=self.bot.clock.now())
        await interaction.response.send_message(
            content=f"Added **{show.title}** to this server's catalog.", embed=card_embed(card)
        )

    @show.command(name="edit")
    @app_commands.rename(show="title")
    @app_commands.describe(
        show="The drama to change",
        new_title="A new English title",
        hangul_title="The title in Hangul (- clears it)",
        network="Where it airs, comma-separated (- clears it)",
        premiere="First air date as YYYY-MM-DD (- clears it)",
        episodes="How many episodes it has (0 clears it)",
        air_days="Weekdays it airs, e.g. Wed,Thu (- clears them)",
        air_time="Local air time as HH:MM (- clears it)",
        timezone="The IANA time zone of the air time (- resets to Asia/Seoul)",
        synopsis="A short summary (- clears it)",
    )
    async def show_edit(
        self,
        interaction: discord.Interaction[Dramabot],
        show: app_commands.Transform[Show, EditableShowArg],
        new_title: app_commands.Range[str, 1, 100] | None = None,
        hangul_title: app_commands.Range[str, 1, 100] | None = None,
        network: app_commands.Range[str, 1, 100] | None = None,
        premiere: app_commands.Range[str, 1, 10] | None = None,
        episodes: app_commands.Range[int, 0, 500] | None = None,
        air_days: app_commands.Range[str, 1, 60] | None = None,
        air_time: app_commands.Range[str, 1, 5] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        synopsis: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        """Change any field of a drama; you see the old and new values before saving."""
        options: dict[str, str | int | None] = {
            "new_title": new_title, "hangul_title": hangul_title, "network": network, "premiere": premiere,
            "episodes": "-" if episodes == 0 else episodes, "air_days": air_days, "air_time": air_time,
            "timezone": timezone, "synopsis": synopsis,
        }  # fmt: skip
        changes = edit_changes(show, options)
        old = audit_fields({name: getattr(show, name) for name in changes})

        async def save(click: Curator) -> str:
            edited = await self.editor.edit_show(click, show, changes)
            return saved_text(edited.show.title, edited.old, edited.new)

        prompt = Prompt(interaction.user.id, [("Save", discord.ButtonStyle.success, save)])
        preview = changes_card(f"Change “{show.title}”?", old, audit_fields(changes))
        await prompt.send(interaction, content="Check the changes, then press Save.", embed=card_embed(preview))

    @show.command(name="alias")
    @app_commands.rename(show="title")
    @app_commands.describe(show="The drama", alias="Another name fans use for it")
    async def show_alias(
        self,
        interaction: discord.Interaction[Dramabot],
        show: app_commands.Transform[Show, EditableShowArg],
        alias: app_commands.Range[str, 1, 100],
    ) -> None:
        """Add another name fans use for a drama, so searches for it find the drama."""
        name = checked_alias(show, alias)
        await self.editor.add_alias(curator(interaction), show, name)
        await interaction.response.send_message(f"“{name}” now finds **{show.title}**.")

    @show.command(name="remove")
    @app_commands.rename(show="title")
    @app_commands.describe(show="The drama to remove")
    async def show_remove(
        self, interaction: discord.Interaction[Dramabot], show: app_commands.Transform[Show, EditableShowArg]
    ) -> None:
        """Remove a drama from the catalog (asks first; /catalog undo brings it back within a day)."""

        async def remove(click: Curator) -> str:
            removed = await self.editor.remove_show(click, show)
            return f"Removed **{removed.title}**. Changed your mind? /catalog undo brings it back within a day."

        prompt = Prompt(interaction.user.id, [("Remove", discord.ButtonStyle.danger, remove)])
        where = "the shared catalog" if show.guild_id is None else "this server's catalog"
        await prompt.send(interaction, content=f"Remove **{show_label(show)}** from {where}?")

    @show.command(name="cast")
    @app_commands.rename(show="title")
    @app_commands.describe(
        show="The drama",
        person="The actor's name, romanised (a new person is created if not in the catalog)",
        character="The character they play",
        role="How big the part is",
    )
    @app_commands.choices(
        role=[
            app_commands.Choice(name=r.value.capitalize(), value=r.value) for r in (Role.MAIN, Role.SUPPORT, Role.GUEST)
        ]
    )
    async def show_cast(
        self,
        interaction: discord.Interaction[Dramabot],
        show: app_commands.Transform[Show, EditableShowArg],
        person: app_commands.Range[str, 1, 100],
        character: app_commands.Range[str, 1, 100] | None = None,
        role: str = Role.MAIN.value,
    ) -> None:
        """Add an actor to a drama's cast."""
        name = checked_text(person, "name", NAME_LIMIT, required=True)
        assert name is not None
        part = checked_text(character, "character", CHARACTER_LIMIT)
        kind = checked_role(role)
        catalog = self.bot.catalog
        # Only people this server can see: another server's private cast stays private, and is not linked.
        people = [p for p in catalog.people.values() if catalog.person_visible(p.id, interaction.guild_id)]

        async def add(click: Curator, existing: Person | None) -> str:
            current = await self.editor.add_cast(click, show, name, existing, part, kind)
            who = existing.name if existing else name
            return f"**{who}** is now in the cast of **{current.title}**" + (f" as {part}." if part else ".")

        exact = person_named(name, people)
        near = similar_person(name, people) if exact is None else None
        if near is None:
            await interaction.response.send_message(await add(curator(interaction), exact))
            return

        async def use_near(click: Curator) -> str:
            return await add(click, near)

        async def create_new(click: Curator) -> str:
            return await add(click, None)

        prompt = Prompt(
            interaction.user.id,
            [
                (f"Use {near.name}", discord.ButtonStyle.primary, use_near),
                (f"Add new person “{name}”", discord.ButtonStyle.secondary, create_new),
            ],
        )
        await prompt.send(interaction, content=f"Did you mean **{near.name}**, who is already in the catalog?")

    @show.command(name="episode")
    @app_commands.rename(show="title")
    @app_commands.describe(
        show="The drama",
        number="The episode's number",
        air_time="When it now airs, as YYYY-MM-DD HH:MM in the drama's own time zone",
    )
    async def show_episode(
        self,
        interaction: discord.Interaction[Dramabot],
        show: app_commands.Transform[Show, EditableShowArg],
        number: app_commands.Range[int, 1, 500],
        air_time: app_commands.Range[str, 1, 16],
    ) -> None:
        """Reschedule one episode (a delay or a special)."""
        checked_episode_number(show, number)
        air_at = parse_local_datetime(air_time, show.timezone)
        await self.editor.move_episode(curator(interaction), show, number, air_at)
        await interaction.response.send_message(
            f"Episode {number} of **{show.title}** now airs {discord_timestamp(air_at, 'F')}"
            f" ({discord_timestamp(air_at, 'R')})."
        )

    # -- /catalog --------------------------------------------------------------------------------------------

    @catalog_commands.command(name="import")
    @app_commands.describe(file="A JSON or CSV file of shows in the documented format (see data/import-example.json)")
    async def catalog_import(self, interaction: discord.Interaction[Dramabot], file: discord.Attachment) -> None:
        """Add many dramas from a file; all of them are added, or none if any line has a problem."""
        by = curator(interaction)
        by.require()
        check_import_size(file.size)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        try:
            # Up to a megabyte of text to parse and validate: off the event loop every server shares.
            rows = await asyncio.to_thread(parse_import, data, file.filename)
            await self.editor.import_shows(by, rows, file.filename)
        except ImportRejected as rejected:
            # Through the one error handler, like every refusal: the user reads every problem line.
            raise InvalidInput(rejected_import_text(rejected)) from rejected
        names = ", ".join(row.draft.title for row in rows[:10]) + (" …" if len(rows) > 10 else "")
        await interaction.followup.send(limits.message(f"Imported {len(rows)} dramas: {names}"), ephemeral=True)

    @catalog_commands.command(name="export")
    @app_commands.describe(format="The file format (the same one /catalog import reads)")
    @app_commands.choices(
        format=[app_commands.Choice(name="JSON", value="json"), app_commands.Choice(name="CSV", value="csv")]
    )
    async def catalog_export(self, interaction: discord.Interaction[Dramabot], format: str = "json") -> None:
        """Download the dramas this server added, as a file you can import again."""
        guild_id = curator(interaction).require()
        kind = "csv" if format == "csv" else "json"
        shows = own_shows(self.bot.catalog, guild_id)
        if not shows:
            raise InvalidInput("This server has not added any dramas yet; add one with /show add.")
        data = export_shows(shows, kind)
        await interaction.response.send_message(
            f"{len(shows)} dramas this server added.",
            file=discord.File(io.BytesIO(data), filename=f"dramabot-shows.{kind}"),
            ephemeral=True,
        )

    @catalog_commands.command(name="history")
    @app_commands.rename(show="title")
    @app_commands.describe(show="Only the changes to this drama (optional)")
    async def catalog_history(
        self,
        interaction: discord.Interaction[Dramabot],
        show: app_commands.Transform[Show, CuratorShowArg] | None = None,
    ) -> None:
        """List the latest catalog changes made in this server: who, what, when, old and new values."""
        guild_id = curator(interaction).require()
        entries = await self.editor.history(guild_id, show, limit=HISTORY_LIMIT)
        if not entries:
            raise InvalidInput("No catalog changes have been made in this server yet.")
        await interaction.response.send_message(embed=card_embed(history_card(entries)), ephemeral=True)

    @catalog_commands.command(name="undo")
    async def catalog_undo(self, interaction: discord.Interaction[Dramabot]) -> None:
        """Undo the newest change to this server's dramas from the last day, and say which one it was."""
        undone = await self.editor.undo_last(curator(interaction), now=self.bot.clock.now())
        await interaction.response.send_message(undo_text(undone))

    @catalog_commands.command(name="promote")
    @app_commands.rename(show="title")
    @app_commands.describe(show="This server's drama to move into the shared catalog")
    async def catalog_promote(
        self, interaction: discord.Interaction[Dramabot], show: app_commands.Transform[Show, EditableShowArg]
    ) -> None:
        """Move a server's drama into the shared catalog every server sees (bot owners only)."""
        await self.editor.promote(curator(interaction), show)
        await interaction.response.send_message(f"**{show.title}** is now in the shared catalog of every server.")


async def setup(bot: Dramabot) -> None:
    await bot.add_cog(Curation(bot))
